package party

import (
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/profile"
)

// Who gives a termination notice.
const (
	ByClient   = "client"
	ByOperator = "operator"
)

// NotifyTermination records a notice of termination given at at by the
// client (byIIN, with authority) or the operator, for reason (for example
// an objection to an amendment). It takes effect after the profile's
// termination_by_client or termination_by_operator period, or at once when
// the profile defines none.
func (p *Party) NotifyTermination(by, byIIN, reason string, at time.Time, eng *profile.Engine) error {
	if !p.registered {
		return ErrNotRegistered
	}
	prof := eng.Profile()
	if prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("party under %s, profile %s", p.profile, prof.Ref())
	}
	if by != ByClient && by != ByOperator {
		return domain.ErrValidation.Withf("by %q: client or operator", by)
	}
	if strings.TrimSpace(reason) == "" {
		return domain.ErrValidation.Withf("reason is required")
	}
	if p.terminating {
		return ErrAlreadyTerminating
	}
	if by == ByClient {
		if _, err := p.authority(byIIN, at); err != nil {
			return err
		}
	}
	e := TerminationNotified{PartyID: p.id, By: by, ByIIN: byIIN, Reason: strings.TrimSpace(reason), NotifiedAt: at, EffectiveAt: at}
	if _, err := prof.Rule("termination_by_" + by); err == nil {
		due, err := eng.Deadline("termination_by_"+by, at)
		if err != nil {
			return err
		}
		e.EffectiveAt, e.Clause = due.At, due.Clause
		e.Calendar, e.Provisional, e.ProvisionalReason = due.Calendar, due.Provisional, due.Reason
	}
	p.record(e)
	return nil
}
