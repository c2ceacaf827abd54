// Package bus is docledger's command bus: it routes the commands of package
// commands to their handlers over watermill's cqrs component and answers
// each caller synchronously.
//
// The path of one command: Bus.Send publishes it on a partition of its
// command's topic (chosen by the aggregate it addresses, so commands of one
// aggregate are handled in order) → the CommandProcessor runs exactly one
// handler (a commands.Registration added with Add, decorated with the
// command metrics and logs) with the Meta decoded from the message's
// metadata → the reply (new stream version and global position, or a typed
// domain error) goes back to the waiting caller: directly when it waits in
// this process, else on its instance's reply topic. A command that fails for
// reasons other than the domain's rules is stored in the poison queue
// (table poisoned_commands) with the reason.
//
// Transports: gochannel (in-process, the default), sql (PostgreSQL through
// watermill-sql: durable) and nats (NATS JetStream through watermill-nats:
// several ledgerd instances).
package bus
