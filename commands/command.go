package commands

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	// CommandID is the idempotency key; the bus generates one when empty.
	CommandID     string
	Actor         string
	CorrelationID string
	CausationID   string
	// ExpectedVersion, when set, is the aggregate version the sender decided
	// on (HTTP If-Match); the command is refused when the aggregate is
	// elsewhere.
	ExpectedVersion *int64
	// RequestSHA256 is the fingerprint of the request behind CommandID (its
	// name and payload), which the repository stores with the command ID.
	// Idempotent sets it; it does not travel with the message.
	RequestSHA256 []byte
}

// Name is the name of a command: its Go type name without the package, as in
// "SendDocument" (a pointer names the type it points to). The bus routes and
// the HTTP API addresses commands by it.
func Name(cmd any) string {
	t := fmt.Sprintf("%T", cmd)
	return t[strings.LastIndex(t, ".")+1:]
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

// AsDomainError turns any error of a handler into the *domain.Error the
// caller receives, and says whether it is an expected outcome (a rule) rather
// than a failure: a failure is answered as it is here and the bus puts the
// command in its poison queue.
func AsDomainError(err error) (*domain.Error, bool) {
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
