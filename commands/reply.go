package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/requestreply"
	"github.com/ThreeDotsLabs/watermill/message"

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
	Result Result        `json:"result"`
	Error  *domain.Error `json:"error,omitempty"`
}

// replies implements watermill's requestreply.Backend for docledger: a
// waiting caller is found by operation ID in this process and answered
// directly; a caller in another ledgerd instance is answered on that
// instance's reply topic, which it alone subscribes to. One subscription per
// instance serves every caller, instead of one per request.
type replies struct {
	topic string // this instance's reply topic
	pub   message.Publisher
	mu    sync.Mutex
	wait  map[requestreply.OperationID]chan requestreply.Reply[Result]
}

func newReplies(instance string, pub message.Publisher) *replies {
	return &replies{topic: "replies_" + instance, pub: pub, wait: map[requestreply.OperationID]chan requestreply.Reply[Result]{}}
}

// ListenForNotifications registers a waiter for one operation until ctx ends.
func (r *replies) ListenForNotifications(ctx context.Context, params requestreply.BackendListenForNotificationsParams) (<-chan requestreply.Reply[Result], error) {
	ch := make(chan requestreply.Reply[Result], 1)
	r.mu.Lock()
	r.wait[params.OperationID] = ch
	r.mu.Unlock()
	go func() {
		<-ctx.Done()
		r.mu.Lock()
		delete(r.wait, params.OperationID)
		r.mu.Unlock()
	}()
	return ch, nil
}

// listen registers a waiter for one operation of this process's Send and
// returns the function that removes it (Send calls it when it returns).
func (r *replies) listen(op requestreply.OperationID) (<-chan requestreply.Reply[Result], func()) {
	ch := make(chan requestreply.Reply[Result], 1)
	r.mu.Lock()
	r.wait[op] = ch
	r.mu.Unlock()
	return ch, func() {
		r.mu.Lock()
		delete(r.wait, op)
		r.mu.Unlock()
	}
}

// failure marks a handler error that is not a rule of the domain: it is
// answered as an internal error and the command goes to the poison queue.
type failure struct{ err error }

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

// OnCommandProcessed answers the caller and decides the message's fate:
// acked after an answer of the domain, nacked (so poisoned) after a failure.
func (r *replies) OnCommandProcessed(ctx context.Context, params requestreply.BackendOnCommandProcessedParams[Result]) error {
	rep := reply{Result: params.HandlerResult}
	var fail failure
	if params.HandleErr != nil {
		de, _ := asDomainError(params.HandleErr)
		rep.Error = de
	}
	op := requestreply.OperationID(params.CommandMessage.Metadata.Get(requestreply.OperationIDMetadataKey))
	if !r.deliver(op, rep) {
		if err := r.publish(op, params.CommandMessage.Metadata.Get(metaReplyTo), rep); err != nil {
			return err
		}
	}
	if errors.As(params.HandleErr, &fail) {
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
	ch <- requestreply.Reply[Result]{HandlerResult: rep.Result, Error: err}
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
