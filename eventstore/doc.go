// Package eventstore is docledger's event-store contract: what a store keeps
// (Envelope in, Record out), optimistic concurrency (ExpectedVersion), the
// errors every store returns, and the ports split by who uses them:
//
//   - Writer: the command side appends to and loads aggregate streams, and
//     looks up committed commands (idempotency).
//   - LogReader: projections, the sealer and operators read the global log
//     in its order and are woken when it grows.
//   - Snapshots: the command side's snapshots of long streams.
//
// Store is all three; every implementation passes the conformance suite in
// eventstore/storetest: the PostgreSQL store (adapters/pgstore), the
// EventStoreDB store (adapters/esdbstore, when EVENTSTORE_URL names a live
// node) and the in-memory store (eventstore/memstore) that tests of the
// command side use instead of a database.
package eventstore
