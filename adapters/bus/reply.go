package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/requestreply"
	"github.com/ThreeDotsLabs/watermill/message"

	"docledger/commands"
	"docledger/domain"
)

// Metadata keys of command messages.
const (
	metaReplyTo       = "reply_to"
	metaCommandID     = "command_id"
	metaActor         = "actor"
	metaCorrelationID = "correlation_id"
	metaCausationID   = "causation_id"
	metaExpected      = "expected_version"
)

// reply is the wire form of a command's answer.
type reply struct {
	Result commands.Result `json:"result"`
	Error  *domain.Error   `json:"error,omitempty"`
}

// replies answers the caller of each processed command, through the hook of
// watermill's requestreply backend (OnCommandProcessed). A waiting caller is
// found by operation ID in this process and answered directly; a caller in
// another ledgerd instance is answered on that instance's reply topic, which
// it alone subscribes to. One subscription per instance serves every caller,
// instead of one per request.
type replies struct {
	topic string // this instance's reply topic
	pub   message.Publisher
	mu    sync.Mutex
	wait  map[requestreply.OperationID]chan requestreply.Reply[commands.Result]
}

func newReplies(instance string, pub message.Publisher) *replies {
	return &replies{topic: "replies_" + instance, pub: pub, wait: map[requestreply.OperationID]chan requestreply.Reply[commands.Result]{}}
}

// listen registers a waiter for one operation of this process's Send and
// returns the function that removes it (Send calls it when it returns).
func (r *replies) listen(op requestreply.OperationID) (<-chan requestreply.Reply[commands.Result], func()) {
	ch := make(chan requestreply.Reply[commands.Result], 1)
	r.mu.Lock()
	r.wait[op] = ch
	r.mu.Unlock()
	return ch, func() {
		r.mu.Lock()
		delete(r.wait, op)
		r.mu.Unlock()
	}
}

// OnCommandProcessed answers the caller and decides the message's fate:
// acked after an answer of the domain, nacked (so poisoned) after a failure
// (an error that is not a rule: commands.AsDomainError).
func (r *replies) OnCommandProcessed(ctx context.Context, params requestreply.BackendOnCommandProcessedParams[commands.Result]) error {
	rep := reply{Result: params.HandlerResult}
	failed := false
	if params.HandleErr != nil {
		de, rule := commands.AsDomainError(params.HandleErr)
		rep.Error, failed = de, !rule
	}
	op := requestreply.OperationID(params.CommandMessage.Metadata.Get(requestreply.OperationIDMetadataKey))
	if !r.deliver(op, rep) {
		if err := r.publish(op, params.CommandMessage.Metadata.Get(metaReplyTo), rep); err != nil {
			return err
		}
	}
	if failed {
		return params.HandleErr
	}
	return nil
}

// deliver answers a waiter of this process, if there is one.
func (r *replies) deliver(op requestreply.OperationID, rep reply) bool {
	r.mu.Lock()
	ch, ok := r.wait[op]
	delete(r.wait, op)
	r.mu.Unlock()
	if !ok {
		return false
	}
	var err error
	if rep.Error != nil {
		err = rep.Error
	}
	ch <- requestreply.Reply[commands.Result]{HandlerResult: rep.Result, Error: err}
	return true
}

func (r *replies) publish(op requestreply.OperationID, topic string, rep reply) error {
	if topic == "" || r.pub == nil {
		return nil // the caller is gone or was never waiting
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("marshal reply: %w", err)
	}
	msg := message.NewMessage(watermill.NewUUID(), b)
	msg.Metadata.Set(requestreply.OperationIDMetadataKey, string(op))
	if err := r.pub.Publish(topic, msg); err != nil {
		return fmt.Errorf("publish reply: %w", err)
	}
	return nil
}

// handleReply is the router handler of this instance's reply topic.
func (r *replies) handleReply(msg *message.Message) error {
	var rep reply
	if err := json.Unmarshal(msg.Payload, &rep); err != nil {
		return nil // a malformed reply cannot be answered; drop it
	}
	r.deliver(requestreply.OperationID(msg.Metadata.Get(requestreply.OperationIDMetadataKey)), rep)
	return nil
}
