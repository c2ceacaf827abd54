package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
)

// poisonTopic is where commands that kept failing go.
const poisonTopic = "commands_poisoned"

// poisonTable is the publisher behind watermill's PoisonQueue middleware: it
// keeps each poisoned command, its metadata and the reason in the
// poisoned_commands table, whatever the transport, so none is lost.
type poisonTable struct{ pool *pgxpool.Pool }

// Publish stores msgs.
func (p poisonTable) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		meta, err := json.Marshal(m.Metadata)
		if err != nil {
			return err
		}
		_, err = p.pool.Exec(context.Background(), `INSERT INTO poisoned_commands (message_id, topic, payload, metadata, reason)
			VALUES ($1, $2, $3, $4, $5)`, m.UUID, m.Metadata.Get(middleware.PoisonedTopicKey), []byte(m.Payload), meta,
			m.Metadata.Get(middleware.ReasonForPoisonedKey))
		if err != nil {
			return fmt.Errorf("store poisoned command: %w", err)
		}
	}
	return nil
}

// Close does nothing: the pool belongs to the caller.
func (poisonTable) Close() error { return nil }
