// Package access holds the events of the staff-access log: each time an
// operator's staff member reads or changes a client's data, with the purpose
// they stated. The audit issue extends it (who looked at what, reports);
// today each access is one event in a stream of its own.
package access

import (
	"time"

	"github.com/google/uuid"

	"docledger/domain/event"
)

// TypeStaffRead is the type of StaffRead.
const TypeStaffRead = "access.staff_read"

// StreamID is the stream of one recorded access.
func StreamID(id uuid.UUID) string { return "staffaccess-" + id.String() }

// StaffRead records that a staff member accessed a client's data: who (the
// principal's actor), what (the action and the party, party reference or
// document), why (the stated purpose) and when.
type StaffRead struct {
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Party    string    `json:"party,omitempty"`
	Document string    `json:"document,omitempty"`
	Purpose  string    `json:"purpose"`
	At       time.Time `json:"at"`
}

// EventType names the event.
func (StaffRead) EventType() string { return TypeStaffRead }

// Register registers the events of the staff-access log.
func Register(r *event.Registry) {
	r.Register(StaffRead{}, 1)
}
