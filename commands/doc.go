// Package commands holds docledger's commands, one handler each, and the
// repository they load and save aggregates through. It declares the ports it
// needs (eventstore.Writer, SignatureVerifier, Registrar, Metrics) and knows
// no transport: the watermill bus that routes commands to these handlers is
// an adapter (docledger/adapters/bus).
//
// A handler loads the aggregate (Repository: a cached state or a replay of
// its stream), calls a pure domain method and appends the new events with the
// expected version, retrying conflicts with backoff a bounded number of
// times. Its answer is a Result (new stream version and global position) or
// an error: a *domain.Error is a rule's refusal, anything else a failure.
//
// Handlers are registered type-erased (Register builds a Registration; a
// Registrar such as the bus takes it), and the concerns around them are
// decorators: Idempotent, Measured and Logged.
//
// Idempotency: every command carries a command ID (over HTTP, the
// Idempotency-Key header). A command whose ID already committed is answered
// with the first result and changes nothing; the same ID with a different
// payload is refused with ErrIdempotencyKeyReused.
package commands
