package party

import (
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/calendar"
)

// RequisitesChange is a change of requisites: the new values of what
// changed (nil: unchanged) and the day the change took effect.
type RequisitesChange struct {
	Names     *Names
	Contacts  *Contacts
	Resident  *bool
	ChangedOn calendar.Date
}

// ChangeRequisites records a change of requisites at now. Only the parts
// that differ are recorded; a change that changes nothing is refused.
func (p *Party) ChangeRequisites(c RequisitesChange, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if c.ChangedOn == (calendar.Date{}) {
		return domain.ErrValidation.Withf("changed_on is required")
	}
	e := RequisitesChanged{PartyID: p.id, ChangedOn: c.ChangedOn, RecordedAt: now}
	if c.Names != nil && *c.Names != p.names {
		if strings.TrimSpace(c.Names.Full) == "" {
			return domain.ErrValidation.Withf("names.full is required")
		}
		n := *c.Names
		e.Names = &n
	}
	if c.Contacts != nil && *c.Contacts != p.contacts {
		x := *c.Contacts
		e.Contacts = &x
	}
	if c.Resident != nil && *c.Resident != p.resident {
		r := *c.Resident
		e.Resident = &r
	}
	if e.Names == nil && e.Contacts == nil && e.Resident == nil {
		return ErrUnchanged
	}
	p.record(e)
	return nil
}
