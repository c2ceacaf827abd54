package bus

import (
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/jackc/pgx/v5/pgxpool"
	nc "github.com/nats-io/nats.go"
)

// Transport names.
const (
	TransportGoChannel = "gochannel" // in-process, the default
	TransportSQL       = "sql"       // PostgreSQL through watermill-sql: durable
	TransportNATS      = "nats"      // NATS JetStream: spreads over several ledgerd
)

// TransportConfig chooses and configures the command transport.
type TransportConfig struct {
	Name string
	// Pool is the PostgreSQL pool of the sql transport. watermill-sql creates
	// its own tables, so the pool must act as a role that may create them.
	Pool *pgxpool.Pool
	// NATSURL is the NATS server of the nats transport.
	NATSURL string
	// PollInterval of the sql transport's subscribers (default 20ms).
	PollInterval time.Duration
}

type transport struct {
	pub message.Publisher
	// sub returns the subscriber of one handler; consumer groups make each
	// command go to one handler instance.
	sub    func(handlerName string) (message.Subscriber, error)
	local  bool // publisher and subscribers share this process only
	closer func() error
}

func newTransport(cfg TransportConfig, logger watermill.LoggerAdapter) (*transport, error) {
	switch cfg.Name {
	case "", TransportGoChannel:
		ch := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 4096}, logger)
		return &transport{pub: ch, sub: func(string) (message.Subscriber, error) { return ch, nil }, local: true, closer: ch.Close}, nil
	case TransportSQL:
		if cfg.Pool == nil {
			return nil, fmt.Errorf("sql transport: no database pool")
		}
		poll := cfg.PollInterval
		if poll <= 0 {
			poll = 20 * time.Millisecond
		}
		db := wmsql.BeginnerFromPgx(cfg.Pool)
		schema := wmsql.PostgreSQLQueueSchema{
			GenerateMessagesTableName: func(topic string) string { return fmt.Sprintf(`"watermill_%s"`, topic) },
			GeneratePayloadType:       func(string) string { return "BYTEA" },
		}
		offsets := wmsql.PostgreSQLQueueOffsetsAdapter{
			GenerateMessagesTableName: func(topic string) string { return fmt.Sprintf(`"watermill_%s"`, topic) },
		}
		pub, err := wmsql.NewPublisher(db, wmsql.PublisherConfig{SchemaAdapter: schema, AutoInitializeSchema: true}, logger)
		if err != nil {
			return nil, fmt.Errorf("sql transport: %w", err)
		}
		sub := func(string) (message.Subscriber, error) {
			return wmsql.NewSubscriber(db, wmsql.SubscriberConfig{
				SchemaAdapter:    schema,
				OffsetsAdapter:   offsets,
				InitializeSchema: true,
				PollInterval:     poll,
				ResendInterval:   poll,
				RetryInterval:    100 * time.Millisecond,
			}, logger)
		}
		return &transport{pub: pub, sub: sub, closer: pub.Close}, nil
	case TransportNATS:
		if cfg.NATSURL == "" {
			return nil, fmt.Errorf("nats transport: no NATS URL")
		}
		js := wmnats.JetStreamConfig{AutoProvision: true, TrackMsgId: true, DurablePrefix: "ledger"}
		pub, err := wmnats.NewPublisher(wmnats.PublisherConfig{URL: cfg.NATSURL, JetStream: js, NatsOptions: []nc.Option{nc.Name("ledgerd")}}, logger)
		if err != nil {
			return nil, fmt.Errorf("nats transport: %w", err)
		}
		sub := func(handlerName string) (message.Subscriber, error) {
			return wmnats.NewSubscriber(wmnats.SubscriberConfig{
				URL:              cfg.NATSURL,
				QueueGroupPrefix: "ledger",
				SubscribersCount: 1,
				AckWaitTimeout:   30 * time.Second,
				CloseTimeout:     5 * time.Second,
				JetStream:        js,
			}, logger)
		}
		return &transport{pub: pub, sub: sub, closer: pub.Close}, nil
	}
	return nil, fmt.Errorf("unknown command transport %q (want gochannel, sql or nats)", cfg.Name)
}
