package bus

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

	"docledger/commands"
	"docledger/domain"
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
// CommandProcessor and router over the configured transport. It is the
// commands.Registrar the command handlers are registered on.
type Bus struct {
	router     *message.Router
	processor  *cqrs.CommandProcessor
	bus        *cqrs.CommandBus
	replies    *replies
	transport  *transport
	marshaler  cqrs.CommandEventMarshaler
	partitions int
	timeout    time.Duration
	// decorators wrap every registered handler: metrics, then logs.
	decorators []commands.Decorator
	handled    map[string]func() commands.Command // command name -> a new, empty command
}

// NewBus builds a bus; register handlers with Add (commands.Handle,
// commands.RegisterDocumentHandlers...), then Run it.
func NewBus(cfg Config) (*Bus, error) {
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

	marshaler := cqrs.JSONMarshaler{GenerateName: commands.Name}
	b := &Bus{
		router: router, transport: tr, marshaler: marshaler, partitions: cfg.Partitions, timeout: cfg.ReplyTimeout,
		decorators: []commands.Decorator{commands.Measured(newMetrics(cfg.Registerer)), commands.Logged(cfg.Logger)},
		handled:    map[string]func() commands.Command{},
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
			c, ok := p.Command.(commands.Command)
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

// Add registers r, the one handler of its command, on every partition of
// the command's topic, wrapped in the bus's metrics and log decorators.
// Register handlers before Run.
func (b *Bus) Add(r commands.Registration) error {
	if r.Name == "" || r.New == nil || r.Handle == nil {
		return fmt.Errorf("command bus: incomplete registration of %q", r.Name)
	}
	if name := b.marshaler.Name(r.New()); name != r.Name {
		return fmt.Errorf("command bus: registration %q makes %s commands", r.Name, name)
	}
	if b.handled[r.Name] != nil {
		return fmt.Errorf("command %s already has a handler", r.Name)
	}
	b.handled[r.Name] = r.New
	r = commands.Decorate(r, b.decorators...)
	for p := 0; p < b.partitions; p++ {
		h := handler{name: fmt.Sprintf("%s_p%02d", r.Name, p), reg: r, replies: b.replies}
		if _, err := b.processor.AddHandler(h); err != nil {
			return err
		}
	}
	return nil
}

// handler is the cqrs.CommandHandler of one partition of one command: it
// decodes the command's Meta from the message, runs the registration's
// (decorated) handler and answers through the replies backend.
type handler struct {
	name    string
	reg     commands.Registration
	replies *replies
}

func (h handler) HandlerName() string { return h.name }

func (h handler) NewCommand() any { return h.reg.New() }

func (h handler) Handle(ctx context.Context, cmd any) error {
	msg := cqrs.OriginalMessageFromCtx(ctx)
	if msg == nil {
		return errors.New("command bus: no message in the handler's context")
	}
	var res commands.Result
	meta, err := decodeMeta(msg)
	if err == nil {
		c, ok := cmd.(commands.Command)
		if !ok {
			return fmt.Errorf("command bus: %T is not a command", cmd)
		}
		res, err = h.reg.Handle(ctx, meta, c)
	}
	return h.replies.OnCommandProcessed(ctx, requestreply.BackendOnCommandProcessedParams[commands.Result]{
		Command: cmd, CommandMessage: msg, HandlerResult: res, HandleErr: err,
	})
}

// encodeMeta puts meta in a command message's metadata.
func encodeMeta(meta commands.Meta, m *message.Message) {
	m.Metadata.Set(metaCommandID, meta.CommandID)
	m.Metadata.Set(metaActor, meta.Actor)
	m.Metadata.Set(metaCorrelationID, meta.CorrelationID)
	m.Metadata.Set(metaCausationID, meta.CausationID)
	if meta.ExpectedVersion != nil {
		m.Metadata.Set(metaExpected, strconv.FormatInt(*meta.ExpectedVersion, 10))
	}
}

// decodeMeta reads a command's Meta from its message's metadata.
func decodeMeta(msg *message.Message) (commands.Meta, error) {
	meta := commands.Meta{
		CommandID:     msg.Metadata.Get(metaCommandID),
		Actor:         msg.Metadata.Get(metaActor),
		CorrelationID: msg.Metadata.Get(metaCorrelationID),
		CausationID:   msg.Metadata.Get(metaCausationID),
	}
	if v := msg.Metadata.Get(metaExpected); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return commands.Meta{}, commands.ErrWrongVersion.Withf("unreadable expected version %q", v)
		}
		meta.ExpectedVersion = &n
	}
	return meta, nil
}

// NewCommand returns a new, empty command of the type named name (its Go
// type name, as in "SendDocument"), if the bus has a handler for it.
func (b *Bus) NewCommand(name string) (commands.Command, bool) {
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
func (b *Bus) Send(ctx context.Context, meta commands.Meta, cmd commands.Command) (commands.Result, error) {
	name := b.marshaler.Name(cmd)
	if b.handled[name] == nil {
		return commands.Result{}, commands.ErrUnknownCommand.Withf("%s", name)
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
		encodeMeta(meta, m)
		middleware.SetCorrelationID(meta.CorrelationID, m)
		return nil
	})
	if err != nil {
		return commands.Result{}, fmt.Errorf("send %s: %w", name, err)
	}
	select {
	case <-ctx.Done():
		return commands.Result{}, commands.ErrTimeout.Withf("%s after %s", name, b.timeout)
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
