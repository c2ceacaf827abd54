package commands

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	wmmetrics "github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/components/requestreply"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"docledger/domain"
	"docledger/eventstore"
)

// Config configures a Bus.
type Config struct {
	Transport TransportConfig
	// Partitions per command type (default 16 in-process, 2 otherwise).
	// Commands of one aggregate share a partition and are handled in order;
	// different partitions run concurrently.
	Partitions int
	// PoisonPool stores poisoned commands (required).
	PoisonPool *pgxpool.Pool
	// ReplyTimeout bounds the wait for a command's reply (default 30s).
	ReplyTimeout time.Duration
	Logger       *slog.Logger
	// Registerer receives the command and watermill router metrics; nil: none.
	Registerer prometheus.Registerer
}

// Bus sends commands and runs their handlers: watermill's CommandBus,
// CommandProcessor and router over the configured transport.
type Bus struct {
	router     *message.Router
	processor  *cqrs.CommandProcessor
	bus        *cqrs.CommandBus
	replies    *replies
	transport  *transport
	marshaler  cqrs.CommandEventMarshaler
	partitions int
	timeout    time.Duration
	metrics    *metrics
	log        *slog.Logger
	handled    map[string]func() Command // command name -> a new, empty command
}

// New builds a bus; register handlers with Handle, then Run it.
func New(cfg Config) (*Bus, error) {
	if cfg.PoisonPool == nil {
		return nil, errors.New("command bus: nil poison pool")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = 30 * time.Second
	}
	logger := watermill.NewSlogLoggerWithLevelMapping(cfg.Logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	tr, err := newTransport(cfg.Transport, logger)
	if err != nil {
		return nil, err
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 2
		if tr.local {
			cfg.Partitions = 16
		}
	}
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, logger)
	if err != nil {
		return nil, err
	}
	poison, err := middleware.PoisonQueue(poisonTable{cfg.PoisonPool}, poisonTopic)
	if err != nil {
		return nil, err
	}
	router.AddMiddleware(middleware.CorrelationID, poison, middleware.Recoverer)
	if cfg.Registerer != nil {
		wmmetrics.NewPrometheusMetricsBuilder(cfg.Registerer, "ledger", "watermill").AddPrometheusRouterMetrics(router)
	}

	marshaler := cqrs.JSONMarshaler{GenerateName: cqrs.StructName}
	b := &Bus{
		router: router, transport: tr, marshaler: marshaler, partitions: cfg.Partitions,
		timeout: cfg.ReplyTimeout, metrics: newMetrics(cfg.Registerer), log: cfg.Logger, handled: map[string]func() Command{},
	}
	instance := uuid.NewString()
	b.replies = newReplies(instance, tr.pub)
	if !tr.local {
		sub, err := tr.sub("replies")
		if err != nil {
			return nil, err
		}
		router.AddConsumerHandler("replies_"+instance, b.replies.topic, sub, b.replies.handleReply)
	}
	b.processor, err = cqrs.NewCommandProcessorWithConfig(router, cqrs.CommandProcessorConfig{
		GenerateSubscribeTopic: func(p cqrs.CommandProcessorGenerateSubscribeTopicParams) (string, error) {
			return "commands_" + p.CommandHandler.HandlerName(), nil
		},
		SubscriberConstructor: func(p cqrs.CommandProcessorSubscriberConstructorParams) (message.Subscriber, error) {
			return tr.sub(p.HandlerName)
		},
		Marshaler: marshaler,
		Logger:    logger,
	})
	if err != nil {
		return nil, err
	}
	b.bus, err = cqrs.NewCommandBusWithConfig(tr.pub, cqrs.CommandBusConfig{
		GeneratePublishTopic: func(p cqrs.CommandBusGeneratePublishTopicParams) (string, error) {
			c, ok := p.Command.(Command)
			if !ok {
				return "", fmt.Errorf("%s is not a command", p.CommandName)
			}
			return fmt.Sprintf("commands_%s_p%02d", p.CommandName, b.partition(c.AggregateID())), nil
		},
		Marshaler: marshaler,
		Logger:    logger,
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Bus) partition(aggregateID string) int {
	h := fnv.New32a()
	h.Write([]byte(aggregateID))
	return int(h.Sum32() % uint32(b.partitions))
}

// Handler handles one command type: it returns the command's result or an
// error; a *domain.Error is an answer, anything else a failure.
type Handler[C Command] func(ctx context.Context, meta Meta, cmd *C) (Result, error)

// Handle registers the one handler of command type C on bus b, on every
// partition of its topic. A command whose ID already committed is answered
// with the first result (or refused when its payload differs): see
// runCommand.
func Handle[C Command](b *Bus, store eventstore.Writer, h Handler[C]) error {
	var zero C
	name := b.marshaler.Name(&zero)
	if b.handled[name] != nil {
		return fmt.Errorf("command %s already has a handler", name)
	}
	b.handled[name] = func() Command { return any(new(C)).(Command) }
	wrapped := func(ctx context.Context, cmd *C) (Result, error) {
		start := time.Now()
		msg := cqrs.OriginalMessageFromCtx(ctx)
		meta := Meta{
			CommandID:     msg.Metadata.Get(metaCommandID),
			Actor:         msg.Metadata.Get(metaActor),
			CorrelationID: msg.Metadata.Get(metaCorrelationID),
			CausationID:   msg.Metadata.Get(metaCausationID),
		}
		if v := msg.Metadata.Get(metaExpected); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return Result{}, ErrWrongVersion.Withf("unreadable expected version %q", v)
			}
			meta.ExpectedVersion = &n
		}
		res, err := runCommand(ctx, store, name, meta, cmd, h)
		outcome := "ok"
		switch {
		case err == nil && res.Duplicate:
			outcome = "duplicate"
		case err != nil:
			if _, rule := asDomainError(err); rule {
				outcome = "rejected"
			} else {
				outcome = "failed"
				b.log.Error("command failed", "command", name, "command_id", meta.CommandID,
					"correlation_id", meta.CorrelationID, "err", err)
				err = failure{err}
			}
		}
		b.metrics.commands.WithLabelValues(name, outcome).Inc()
		b.metrics.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
		if b.log.Enabled(ctx, slog.LevelDebug) {
			b.log.Debug("command handled", "command", name, "command_id", meta.CommandID,
				"correlation_id", meta.CorrelationID, "outcome", outcome, "position", res.Position)
		}
		return res, err
	}
	for p := 0; p < b.partitions; p++ {
		handler := requestreply.NewCommandHandlerWithResult[C, Result](fmt.Sprintf("%s_p%02d", name, p), b.replies, wrapped)
		if _, err := b.processor.AddHandler(handler); err != nil {
			return err
		}
	}
	return nil
}

// runCommand calls the handler, then settles idempotency. A command that
// appended is answered by its append: the store refuses to apply a command ID
// twice and answers a repeat with the first result. A command the handler
// refused or that changed nothing may be the repeat of one that committed:
// only then is the command looked up, so the usual path costs no extra read.
func runCommand[C Command](ctx context.Context, store eventstore.Writer, name string, meta Meta, cmd *C, h Handler[C]) (Result, error) {
	hash, err := fingerprint(name, cmd)
	if err != nil {
		return Result{}, err
	}
	res, err := h(withRequestHash(ctx, hash), meta, cmd)
	if meta.CommandID == "" || (err == nil && res.Position != 0) {
		return res, err
	}
	prior, lerr := store.Command(ctx, meta.CommandID)
	switch {
	case errors.Is(lerr, eventstore.ErrCommandNotFound):
		return res, err
	case lerr != nil:
		return res, errors.Join(err, lerr)
	case string(prior.RequestSHA256) != string(hash):
		return Result{}, ErrIdempotencyKeyReused
	}
	return Result{StreamID: prior.StreamID, StreamVersion: prior.Result.StreamVersion,
		Position: prior.Result.LastPosition, Duplicate: true}, nil
}

// NewCommand returns a new, empty command of the type named name (its Go
// type name, as in "SendDocument"), if the bus has a handler for it.
func (b *Bus) NewCommand(name string) (Command, bool) {
	if newCmd := b.handled[name]; newCmd != nil {
		return newCmd(), true
	}
	return nil, false
}

// Run runs the router until ctx ends or Close is called.
func (b *Bus) Run(ctx context.Context) error { return b.router.Run(ctx) }

// Running is closed once the handlers are subscribed.
func (b *Bus) Running() chan struct{} { return b.router.Running() }

// Close stops the router and the transport.
func (b *Bus) Close() error {
	err := b.router.Close()
	return errors.Join(err, b.transport.closer())
}

// Send sends cmd and waits for its result. A refusal by the domain is
// returned as a *domain.Error (errors.Is matches the domain's sentinels).
func (b *Bus) Send(ctx context.Context, meta Meta, cmd Command) (Result, error) {
	name := b.marshaler.Name(cmd)
	if b.handled[name] == nil {
		return Result{}, ErrUnknownCommand.Withf("%s", name)
	}
	if meta.CommandID == "" {
		meta.CommandID = uuid.Must(uuid.NewV7()).String()
	}
	if meta.CorrelationID == "" {
		meta.CorrelationID = meta.CommandID
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	op := requestreply.OperationID(uuid.NewString())
	ch, done := b.replies.listen(op)
	defer done()
	err := b.bus.SendWithModifiedMessage(ctx, cmd, func(m *message.Message) error {
		m.Metadata.Set(requestreply.OperationIDMetadataKey, string(op))
		m.Metadata.Set(metaReplyTo, b.replies.topic)
		m.Metadata.Set(metaCommandID, meta.CommandID)
		m.Metadata.Set(metaActor, meta.Actor)
		m.Metadata.Set(metaCorrelationID, meta.CorrelationID)
		m.Metadata.Set(metaCausationID, meta.CausationID)
		if meta.ExpectedVersion != nil {
			m.Metadata.Set(metaExpected, strconv.FormatInt(*meta.ExpectedVersion, 10))
		}
		middleware.SetCorrelationID(meta.CorrelationID, m)
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("send %s: %w", name, err)
	}
	select {
	case <-ctx.Done():
		return Result{}, ErrTimeout.Withf("%s after %s", name, b.timeout)
	case rep := <-ch:
		if rep.Error != nil {
			var de *domain.Error
			if errors.As(rep.Error, &de) {
				return rep.HandlerResult, de
			}
			return rep.HandlerResult, rep.Error
		}
		return rep.HandlerResult, nil
	}
}
