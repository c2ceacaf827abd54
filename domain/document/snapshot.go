package document

import (
	"encoding/json"

	"github.com/google/uuid"
)

// snapshot is the document's state as a snapshot stores it.
type snapshot struct {
	ID        uuid.UUID `json:"id"`
	Sender    string    `json:"sender"`
	Recipient string    `json:"recipient"`
	Status    Status    `json:"status"`
}

// Snapshot encodes the document's state.
func (d *Document) Snapshot() ([]byte, error) {
	return json.Marshal(snapshot{ID: d.id, Sender: d.sender, Recipient: d.recipient, Status: d.status})
}

// Restore sets the document's state from a snapshot taken at version.
func (d *Document) Restore(state []byte, version int64) error {
	var s snapshot
	if err := json.Unmarshal(state, &s); err != nil {
		return err
	}
	d.id, d.sender, d.recipient, d.status = s.ID, s.Sender, s.Recipient, s.Status
	d.Loaded(version)
	return nil
}
