// Package event holds what aggregates need of events: the Payload interface
// every domain event implements, and the Registry that encodes payloads at
// their current schema version and turns stored bytes of any schema version
// back into the current payload struct. How events are stored (envelopes,
// records, positions) is the event store's business: package eventstore.
package event

// Payload is the body of a domain event: a plain struct that names its
// namespaced, past-tense type ("document.sent").
type Payload interface {
	EventType() string
}
