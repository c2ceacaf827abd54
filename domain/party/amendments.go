package party

import (
	"time"

	"docledger/domain/offer"
	"docledger/domain/profile"
)

// ObjectToAmendment records, at at, the party's objection to amended
// version v, within the window of the profile's amendments.objection_rule
// (idocs 14.3: 1 calendar day from the change taking effect).
func (p *Party) ObjectToAmendment(v offer.Version, byIIN string, at time.Time, eng *profile.Engine) error {
	if !p.registered {
		return ErrNotRegistered
	}
	prof := eng.Profile()
	if prof.Ref() != v.Profile || prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("version under %s, party under %s", v.Profile, p.profile)
	}
	key := acceptance{v.OfferID, v.Number}
	switch {
	case p.objected[key]:
		return ErrAlreadyObjected.Withf("%s version %d", v.OfferID, v.Number)
	case p.Accepted(v.OfferID, v.Number):
		return ErrAlreadyAccepted.Withf("%s version %d", v.OfferID, v.Number)
	case !p.acceptedEarlier(v.OfferID, v.Number):
		return ErrNotAccepted.Withf("no earlier version of %s", v.OfferID)
	case prof.Amendments.ObjectionRule == "":
		return ErrNoObjectionWindow.Withf("%s (clause %s)", prof.Ref(), prof.Amendments.Clause)
	}
	rule, err := prof.Rule(prof.Amendments.ObjectionRule)
	if err != nil {
		return err
	}
	from, ok := v.EventTime(rule.From)
	if !ok {
		return ErrNoObjectionWindow.Withf("the window runs from %s, which has not happened", rule.From)
	}
	due, err := eng.Deadline(rule.ID, from)
	if err != nil {
		return err
	}
	if at.After(due.At) {
		return ErrObjectionWindowClosed.Withf("closed at %s (clause %s)", due.At.Format(time.RFC3339), due.Clause)
	}
	if _, err := p.authority(byIIN, at); err != nil {
		return err
	}
	p.record(AmendmentObjected{PartyID: p.id, OfferID: v.OfferID, OfferVersion: v.Number, ByIIN: byIIN, WindowEnds: due.At, Clause: due.Clause, ObjectedAt: at,
		Calendar: due.Calendar, Provisional: due.Provisional, ProvisionalReason: due.Reason})
	return nil
}

func (p *Party) acceptedEarlier(offerID string, version int) bool {
	for k := range p.accepted {
		if k.offerID == offerID && k.version < version {
			return true
		}
	}
	return false
}
