// Package commands routes docledger's commands to their aggregates over
// watermill's cqrs component and answers each caller synchronously.
//
// The path of one command: Bus.Send publishes it on a partition of its
// command's topic (chosen by the aggregate it addresses, so commands of one
// aggregate are handled in order) → the CommandProcessor runs exactly one
// handler → the handler loads the aggregate (Repository: a cached state or a
// replay of its stream), calls a pure domain method and appends the new
// events with the expected version, retrying conflicts with backoff a bounded
// number of times → the reply (new stream version and global position, or a
// typed domain error) goes back to the waiting caller through watermill's
// requestreply component. A command that keeps failing for reasons other
// than the domain's rules is stored in the poison queue with the reason.
//
// Idempotency: every command carries a command ID (over HTTP, the
// Idempotency-Key header). A command whose ID already committed is answered
// with the first result and changes nothing; the same ID with a different
// payload is refused with ErrIdempotencyKeyReused.
package commands
