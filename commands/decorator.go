package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"docledger/eventstore"
)

// Decorator wraps the handler of the command named name with one concern
// (idempotency, logs, metrics), so handlers hold only their command's logic.
type Decorator func(name string, next HandleFunc) HandleFunc

// Decorate wraps r's handler with ds; the first decorator is the outermost.
func Decorate(r Registration, ds ...Decorator) Registration {
	for i := len(ds) - 1; i >= 0; i-- {
		r.Handle = ds[i](r.Name, r.Handle)
	}
	return r
}

// Idempotent fingerprints the request into meta.RequestSHA256, calls the
// handler, then settles idempotency. A command that appended is answered by
// its append: the store refuses to apply a command ID twice and answers a
// repeat with the first result. A command the handler refused or that
// changed nothing may be the repeat of one that committed: only then is the
// command looked up in store, so the usual path costs no extra read. A
// command ID reused with another request is refused with
// ErrIdempotencyKeyReused.
func Idempotent(store eventstore.Writer) Decorator {
	return func(name string, next HandleFunc) HandleFunc {
		return func(ctx context.Context, meta Meta, cmd Command) (Result, error) {
			hash, err := fingerprint(name, cmd)
			if err != nil {
				return Result{}, err
			}
			meta.RequestSHA256 = hash
			res, err := next(ctx, meta, cmd)
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
	}
}

// Outcome is how a command ended, for metrics and logs.
type Outcome string

// Outcomes.
const (
	OutcomeOK        Outcome = "ok"        // applied, or nothing to change
	OutcomeDuplicate Outcome = "duplicate" // its command ID had committed: the first result
	OutcomeRejected  Outcome = "rejected"  // refused by a rule (a *domain.Error)
	OutcomeFailed    Outcome = "failed"    // a failure: the bus poisons the command
)

// OutcomeOf classifies a handler's answer.
func OutcomeOf(res Result, err error) Outcome {
	switch {
	case err == nil && res.Duplicate:
		return OutcomeDuplicate
	case err == nil:
		return OutcomeOK
	}
	if _, rule := AsDomainError(err); rule {
		return OutcomeRejected
	}
	return OutcomeFailed
}

// Metrics records handled commands (the bus adapter implements it with
// Prometheus).
type Metrics interface {
	// CommandHandled records one command of type name: its outcome and the
	// time its handler took.
	CommandHandled(name string, outcome Outcome, took time.Duration)
}

// Measured records each command's outcome and duration in m.
func Measured(m Metrics) Decorator {
	return func(name string, next HandleFunc) HandleFunc {
		return func(ctx context.Context, meta Meta, cmd Command) (Result, error) {
			start := time.Now()
			res, err := next(ctx, meta, cmd)
			m.CommandHandled(name, OutcomeOf(res, err), time.Since(start))
			return res, err
		}
	}
}

// Logged logs each failed command at error level and, when debug logging is
// on, every command with its outcome.
func Logged(log *slog.Logger) Decorator {
	return func(name string, next HandleFunc) HandleFunc {
		return func(ctx context.Context, meta Meta, cmd Command) (Result, error) {
			res, err := next(ctx, meta, cmd)
			outcome := OutcomeOf(res, err)
			if outcome == OutcomeFailed {
				log.ErrorContext(ctx, "command failed", "command", name, "command_key", KeyDigest(meta.CommandID),
					"correlation_id", meta.CorrelationID, "err", err)
			}
			if log.Enabled(ctx, slog.LevelDebug) {
				log.DebugContext(ctx, "command handled", "command", name, "command_key", KeyDigest(meta.CommandID),
					"correlation_id", meta.CorrelationID, "outcome", outcome, "position", res.Position)
			}
			return res, err
		}
	}
}

// KeyDigest names an idempotency key in logs without revealing it (a
// client may treat its keys as secrets; ids derive from them): the hex of
// the first 8 bytes of its SHA-256.
func KeyDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}
