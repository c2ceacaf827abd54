// Package esdbstore is docledger's EventStoreDB/KurrentDB event store: the
// whole eventstore.Store contract (writer, log reader, snapshots) as the
// PostgreSQL store (adapters/pgstore) has it, on the official Go client
// (github.com/EventStore/EventStore-Client-Go/v4), held to the same
// conformance suite (eventstore/storetest), which runs when EVENTSTORE_URL
// names a live node. ledgerd uses it with LEDGER_EVENT_STORE=eventstoredb;
// docs/eventstoredb.md says how to run it.
//
// # Mapping
//
// A docledger stream is an ESDB stream of the same name. Our stream versions
// start at 1 and ESDB revisions at 0: the event at revision r has version
// r+1, an expected version v > 0 is the expected revision v-1, NoStream is
// ESDB's NoStream and Any is ESDB's Any. A wrong-expected-version refusal
// becomes a *eventstore.ConflictError whose Actual is read from the client's error
// ("no_stream" is 0, revision r is r+1), or, should that message change, from
// the stream's last event.
//
// An event's data is ESDB's data, the exact bytes, content type JSON. Our
// fields that ESDB has no place for (our event ID, schema version, actor,
// command, causation and correlation IDs, occurred_at, the SHA-256 of the
// data and of the metadata, the command's request fingerprint, and the
// caller's metadata bytes) go in ESDB's metadata as a small JSON wrapper
// (type wrapper, marked "docledger":1). The caller's metadata is spliced into
// the wrapper as its raw JSON value, readable in ESDB's UI, or carried as
// base64 when it has leading or trailing whitespace that a JSON decoder would
// drop; either way it comes back byte for byte. Empty metadata is stored as
// {}, as in PostgreSQL. Reads recompute both SHA-256 sums over the bytes ESDB
// returns and refuse an event that no longer matches its wrapper
// (ErrIntegrity). RecordedAt is ESDB's created time.
//
// Our Position is the event's commit position in $all. ESDB positions are
// (commit, prepare) pairs of byte offsets in its transaction log. Every
// append through the gRPC API is an implicitly committed write in which each
// event is its own log record, and the server reports that record's log
// position as the event's commit position (in $all, in stream reads and in
// subscriptions alike), so commit positions are unique and increase in
// $all's order. They are sparse byte offsets, not consecutive numbers:
// nothing may compute a "next" position. A read resumes at Position{Commit:
// p, Prepare: p}, the event's own record, and skips that event. Logs holding
// events of explicit transactions (the old TCP API), whose events share one
// commit position, are not supported: readers fail when positions do not
// increase.
//
// # Idempotency by command ID
//
// ESDB deduplicates an append whose event IDs it already holds where the
// append expects to write (guaranteed for an exact revision and NoStream;
// for Any the server looks the IDs up in a cache of recent events, best
// effort). Appends that carry a command ID therefore store event IDs derived
// from the command ID (UUIDv5 of the command ID and the event's index; the
// envelope's own ID travels in the wrapper and is what readers get), and
// each committed command is recorded by one event in the stream
// "ledger-command-<id>" (CommandStreamPrefix), written with NoStream after the
// events: target stream, request fingerprint, result. An append with a
// command ID:
//
//  1. looks the record up: when there is one it answers the recorded result
//     with Duplicate set, or eventstore.ErrCommandReused for another stream or
//     request, and writes nothing;
//  2. searches the stream's latest events (Options.CommandScanDepth) for the
//     command's first derived ID: an earlier attempt that stored its events
//     and died before its record. Found, those events are recorded and
//     answered as a duplicate (or eventstore.ErrCommandReused when they are
//     another request's);
//  3. appends the events under the derived IDs. When ESDB answers that it
//     already holds them, the events read back carry the fingerprint of the
//     request that wrote them, and a different one is eventstore.ErrCommandReused.
//     A timeout or an unavailable server is retried (same IDs) twice;
//  4. on a wrong expected version, searches the whole stream as in step 2
//     before reporting a conflict;
//  5. writes the record with NoStream. One record wins; an append whose
//     record loses answers from the winner's record, with Duplicate set.
//
// The guarantees and the gaps, plainly. A sequential retry of a committed
// command never writes again and gets the first result. Concurrent
// duplicates write the events once (ESDB's deduplication) and all get the
// same result; at most one of them, possibly none, sees Duplicate false. But
// the events and the record are two writes, not one transaction, so:
//   - two appends with the same command ID and different target streams that
//     race (or a retry against another stream after a crash between the two
//     writes) both keep their events; only the later one is told
//     eventstore.ErrCommandReused;
//   - after a crash between the two writes, a retry whose earlier events lie
//     deeper in the stream than CommandScanDepth and that is sent at an
//     expected version ESDB accepts (the stream's new head, or Any once the
//     server's cache has forgotten the IDs) writes the events again.
//
// PostgreSQL does the check, the events and the record in one transaction
// and has none of these gaps. An append with a command ID costs up to five
// round trips (look-up, search, append, read-back, record), one without a
// command ID two (append, read-back: the read-back gives the positions that
// ReadAll will report).
//
// # Reading the log
//
// ReadAll, ReadTypes and Head read $all and skip what is not a docledger
// event: ESDB's system events ($ streams and types), the command records
// and the snapshots (SnapshotStreamPrefix). ReadTypes filters the types
// here, not on the server: the client's reads of $all take no filter (only
// its subscriptions do). Its limit counts the docledger events it scans, and
// the position it returns is the last event of $all it scanned, which may
// be a skipped one: a valid position for this store's next read. Head reads
// $all backwards to the last docledger event. WaitReadable returns at once:
// an event is in $all when its append returns, after every event committed
// before it.
//
// Wake's channel is closed by every append through this store and by every
// docledger event a live subscription to $all (from its end, server-side
// filter on $ types) delivers, which covers appends by other processes. The
// subscription starts with the first Wake, re-subscribes with a growing
// pause (up to 5s) when it fails, wakes readers whenever it (re)starts, and
// ends with Close. Readers keep their fallback poll for when it is down.
//
// # Snapshots
//
// The snapshot of stream s is the last event (type ledger.snapshot, the
// state as binary data, {"docledger_snapshot":1,"version":v} as metadata)
// of the stream "ledger-snapshot-"+s, whose stream metadata sets $maxCount
// 1 when its first snapshot is saved. SaveSnapshot reads the kept one,
// returns when its version is the same or newer, and otherwise appends at
// the revision it read (retrying after a concurrent saver), so an older
// snapshot never replaces a newer one. Setting $maxCount needs the right to
// write those streams' metadata.
//
// # Other differences from PostgreSQL
//
// Append-only is ESDB's own: this store only appends, but a user with the
// rights can delete, truncate ($tb, $maxCount, $maxAge) and scavenge streams,
// and no trigger stops them. Run the node with access control and give the
// application's user no delete or metadata rights on docledger's event
// streams (metadata rights on the ledger-snapshot- streams only).
// Stream names starting with $, CommandStreamPrefix or SnapshotStreamPrefix,
// and event types starting with $, are refused (eventstore.ErrInvalidEvent).
// Event IDs are not checked for uniqueness across the log. ReadAll fails on
// an event that is not skipped and has no docledger wrapper: the node should
// hold docledger's streams only. Positions are byte offsets, so a
// difference of two positions (the projections' lag_events metric) counts
// bytes of ESDB's log, not events. ESDB's server must be recent enough to
// report a wrong expected version in the append response (EventStoreDB
// 21.10 or later, or KurrentDB), which is what the Go client v4 expects.
package esdbstore
