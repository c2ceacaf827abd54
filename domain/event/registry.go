package event

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// Upcaster turns the JSON of one schema version of an event into the JSON of
// the next version.
type Upcaster func(data []byte) ([]byte, error)

// Registry knows every event type: its current schema version, the struct it
// decodes into, and the upcasters that bring older versions up to date.
// Composition roots fill one Registry at start-up (never init); it is then
// read-only and safe for concurrent use.
type Registry struct {
	types map[string]registered
}

type registered struct {
	version   int
	typ       reflect.Type
	upcasters map[int]Upcaster // from version -> version+1
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{types: map[string]registered{}} }

// Register records payload's type at its current schema version. payload is
// a zero value of the struct (not a pointer).
func (r *Registry) Register(payload Payload, version int) {
	t := reflect.TypeOf(payload)
	if t.Kind() == reflect.Pointer {
		panic(fmt.Sprintf("event: register %s as a value, not a pointer", payload.EventType()))
	}
	if version < 1 {
		panic(fmt.Sprintf("event: %s: schema version must be at least 1", payload.EventType()))
	}
	if _, dup := r.types[payload.EventType()]; dup {
		panic(fmt.Sprintf("event: %s registered twice", payload.EventType()))
	}
	r.types[payload.EventType()] = registered{version: version, typ: t, upcasters: map[int]Upcaster{}}
}

// Upcast registers the function that turns version from of eventType into
// version from+1.
func (r *Registry) Upcast(eventType string, from int, up Upcaster) {
	reg, ok := r.types[eventType]
	if !ok {
		panic(fmt.Sprintf("event: upcaster for unregistered type %s", eventType))
	}
	reg.upcasters[from] = up
}

// Encoded is a payload as a store keeps it: its type, the schema version it
// was encoded at and its JSON.
type Encoded struct {
	Type          string
	SchemaVersion int
	Data          []byte
}

// Encode returns payload encoded at its current schema version.
func (r *Registry) Encode(payload Payload) (Encoded, error) {
	reg, ok := r.types[payload.EventType()]
	if !ok {
		return Encoded{}, fmt.Errorf("encode %s: unregistered event type", payload.EventType())
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return Encoded{}, fmt.Errorf("encode %s: %w", payload.EventType(), err)
	}
	return Encoded{Type: payload.EventType(), SchemaVersion: reg.version, Data: data}, nil
}

// Decode turns a stored event of any known schema version into the current
// payload struct (a value, as registered).
func (r *Registry) Decode(eventType string, schemaVersion int, data []byte) (Payload, error) {
	reg, ok := r.types[eventType]
	if !ok {
		return nil, fmt.Errorf("decode %s: unregistered event type", eventType)
	}
	if schemaVersion > reg.version || schemaVersion < 1 {
		return nil, fmt.Errorf("decode %s: schema version %d unknown (current %d)", eventType, schemaVersion, reg.version)
	}
	for v := schemaVersion; v < reg.version; v++ {
		up, ok := reg.upcasters[v]
		if !ok {
			return nil, fmt.Errorf("decode %s: no upcaster from version %d", eventType, v)
		}
		var err error
		if data, err = up(data); err != nil {
			return nil, fmt.Errorf("decode %s: upcast from version %d: %w", eventType, v, err)
		}
	}
	ptr := reflect.New(reg.typ)
	if err := json.Unmarshal(data, ptr.Interface()); err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return ptr.Elem().Interface().(Payload), nil
}

// Types lists the registered event types.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.types))
	for t := range r.types {
		out = append(out, t)
	}
	return out
}
