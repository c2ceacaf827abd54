package commands

import (
	"context"
	"fmt"

	"docledger/eventstore"
)

// Handler handles one command type: it returns the command's result or an
// error; a *domain.Error is an answer, anything else a failure.
type Handler[C Command] func(ctx context.Context, meta Meta, cmd *C) (Result, error)

// HandleFunc is a handler with its command type erased: what a bus calls and
// what decorators wrap. cmd is the command New returned, filled in.
type HandleFunc func(ctx context.Context, meta Meta, cmd Command) (Result, error)

// Registration is the one handler of one command type, type-erased, so that a
// bus can route to it without knowing the command types.
type Registration struct {
	// Name is the command's name (Name of the command type).
	Name string
	// New returns a new, empty command for the bus to decode a message into.
	New func() Command
	// Handle handles a command New returned.
	Handle HandleFunc
}

// Register erases the command type of h. The command's payload reaches h as
// the *C that New returned. Register adds no decorator: Handle registers a
// handler made idempotent, the bus adds metrics and logs.
func Register[C Command](h Handler[C]) Registration {
	name := Name(new(C))
	return Registration{
		Name: name,
		New:  func() Command { return any(new(C)).(Command) },
		Handle: func(ctx context.Context, meta Meta, cmd Command) (Result, error) {
			c, ok := any(cmd).(*C)
			if !ok {
				return Result{}, fmt.Errorf("handler of %s got a %T", name, cmd)
			}
			return h(ctx, meta, c)
		},
	}
}

// Registrar takes the handlers of commands; the command bus implements it
// and refuses a second handler for one command name.
type Registrar interface {
	Add(Registration) error
}

// Handle registers h on r as the handler of command type C, made idempotent
// over store (see Idempotent): a command whose ID already committed is
// answered with the first result, or refused when its payload differs.
func Handle[C Command](r Registrar, store eventstore.Writer, h Handler[C]) error {
	return r.Add(Decorate(Register(h), Idempotent(store)))
}
