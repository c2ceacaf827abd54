package commands

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"docledger/domain"
	"docledger/eventstore"
)

// Command is a command's payload: plain data, addressed to one aggregate.
type Command interface {
	// AggregateID names the aggregate the command addresses; commands with
	// the same AggregateID are handled in order.
	AggregateID() string
}

// Meta describes who sends a command and why. It travels in the message's
// metadata, not in its payload, so the payload alone fingerprints the request.
type Meta struct {
	// CommandID is the idempotency key; Bus.Send generates one when empty.
	CommandID     string
	Actor         string
	CorrelationID string
	CausationID   string
	// ExpectedVersion, when set, is the aggregate version the sender decided
	// on (HTTP If-Match); the command is refused when the aggregate is
	// elsewhere.
	ExpectedVersion *int64
}

// Result is what a command did.
type Result struct {
	StreamID string `json:"stream_id"`
	// StreamVersion is the aggregate's version after the command.
	StreamVersion int64 `json:"stream_version"`
	// Position is the global position of the command's last event (0 when
	// the command changed nothing).
	Position int64 `json:"position"`
	// Duplicate is true when the command ID had already committed and this is
	// the first result, replayed.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Errors of the command path itself (the domain's own errors pass through).
var (
	ErrIdempotencyKeyReused = domain.NewErrorOf(domain.Conflict, "idempotency_key_reused", "the idempotency key was already used with a different request")
	ErrConcurrency          = domain.NewErrorOf(domain.Conflict, "concurrency_conflict", "the aggregate kept changing; the command was not applied")
	ErrUnknownCommand       = domain.NewErrorOf(domain.NotFound, "unknown_command", "no handler for this command")
	ErrTimeout              = domain.NewErrorOf(domain.Timeout, "command_timeout", "no reply to the command in time")
	ErrInternal             = domain.NewErrorOf(domain.Internal, "internal_error", "the command failed")
	ErrWrongVersion         = domain.NewErrorOf(domain.PreconditionFailed, "wrong_expected_version", "the aggregate is not at the expected version")
)

// fingerprint is the SHA-256 of a command's name and payload: the request
// behind its command ID.
func fingerprint(name string, cmd any) ([]byte, error) {
	b, err := json.Marshal(cmd)
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s: %w", name, err)
	}
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil), nil
}

// asDomainError turns any error of a handler into the *domain.Error the
// caller receives, and says whether it is an expected outcome (a rule) rather
// than a failure.
func asDomainError(err error) (*domain.Error, bool) {
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		return de, true
	case errors.Is(err, eventstore.ErrCommandReused):
		return ErrIdempotencyKeyReused, true
	case errors.Is(err, eventstore.ErrConflict):
		return ErrConcurrency.Withf("%v", err), false
	}
	return ErrInternal, false
}

type requestHashKey struct{}

func withRequestHash(ctx context.Context, h []byte) context.Context {
	return context.WithValue(ctx, requestHashKey{}, h)
}

// RequestHash is the fingerprint of the command being handled, for the
// repository to store with the command ID.
func RequestHash(ctx context.Context) []byte {
	h, _ := ctx.Value(requestHashKey{}).([]byte)
	return h
}
