package profile

import (
	"slices"
	"strings"
	"time"

	"docledger/domain/calendar"
)

// Engine computes deadlines under one profile on the Kazakhstan calendar.
type Engine struct {
	p   *Profile
	cal *calendar.Calendar
}

// NewEngine returns the engine of p on cal.
func NewEngine(p *Profile, cal *calendar.Calendar) *Engine { return &Engine{p: p, cal: cal} }

// Profile is the engine's profile.
func (e *Engine) Profile() *Profile { return e.p }

// Calendar is the engine's calendar.
func (e *Engine) Calendar() *calendar.Calendar { return e.cal }

// Due is a computed deadline.
type Due struct {
	Rule    string `json:"rule"`
	Clause  string `json:"clause"`
	Profile Ref    `json:"profile"`
	// From is the time of the event the period runs from.
	From time.Time `json:"from"`
	// LastDay is the last day of the period in Asia/Almaty (for a period
	// that ends before From, the last day on which to act).
	LastDay calendar.Date `json:"last_day"`
	// At is the instant the period expires: the end of LastDay (24:00
	// Asia/Almaty) for days, months and years; From plus or minus the
	// hours for hours; for a period before From, the latest instant to act.
	At time.Time `json:"at"`
	// Calendar is the version of the calendar the deadline was computed
	// on, when it needed working days (empty for calendar days, months,
	// years and hours without a roll to the next working day).
	Calendar string `json:"calendar,omitempty"`
	// Provisional is set when the calendar answered from its rules for a
	// year whose Kurban Ait date or transfers of days off are not published
	// yet; Reason says which. The deadline stands as computed: a later
	// calendar may answer otherwise, but does not change a recorded one.
	Provisional bool   `json:"provisional,omitempty"`
	Reason      string `json:"provisional_reason,omitempty"`
}

// Deadline computes rule ruleID of the profile for an event at from.
//
// After the event, a period of N calendar days ends at the end of the N-th
// day after the event's date, N working days at the end of the N-th working
// day after it (the event's own day never counts: a period runs from the
// next day), N months or years at the end of the same date N months or
// years on; when NextWorkingDay is set, a last day that is not a working
// day moves to the next working day. N hours end N hours after the event.
//
// Before the event (a least notice), N days or working days mean the notice
// must be given no later than the same time of day N calendar or working
// days before, N hours no later than N hours before.
func (e *Engine) Deadline(ruleID string, from time.Time) (Due, error) {
	r, err := e.p.Rule(ruleID)
	if err != nil {
		return Due{}, err
	}
	if len(r.EarliestOf) > 0 {
		var best Due
		var cal string
		var st calendar.Status
		for i, id := range r.EarliestOf {
			d, err := e.Deadline(id, from)
			if err != nil {
				return Due{}, err
			}
			if i == 0 || d.At.Before(best.At) {
				best = d
			}
			// Which one is earliest depends on every candidate, so
			// the choice is as final as the least final of them.
			if d.Calendar != "" {
				cal = d.Calendar
			}
			st = merge(st, calendar.Status{Provisional: d.Provisional, Reason: d.Reason})
		}
		best.Rule, best.Clause = r.ID, r.Clause+" (via "+best.Rule+", clause "+best.Clause+")"
		best.Calendar, best.Provisional, best.Reason = cal, st.Provisional, st.Reason
		return best, nil
	}
	due := Due{Rule: r.ID, Clause: r.Clause, Profile: e.p.Ref(), From: from}
	day := calendar.DateOf(from)
	if r.Before {
		switch r.Unit {
		case UnitHours:
			due.At = from.Add(-time.Duration(r.Amount) * time.Hour).UTC()
		case UnitWorkingDays:
			d, err := e.cal.AddWorkingDays(day, -r.Amount)
			if err != nil {
				return Due{}, err
			}
			due.At = sameClock(from, d)
			if err := e.stamp(&due, day, d); err != nil {
				return Due{}, err
			}
		case UnitCalendarDays:
			due.At = sameClock(from, day.AddDays(-r.Amount))
		case UnitMonths:
			due.At = sameClock(from, day.AddMonths(-r.Amount))
		case UnitYears:
			due.At = sameClock(from, day.AddMonths(-12*r.Amount))
		}
		due.LastDay = calendar.DateOf(due.At)
		return due, nil
	}
	switch r.Unit {
	case UnitHours:
		due.At = from.Add(time.Duration(r.Amount) * time.Hour).UTC()
		due.LastDay = calendar.DateOf(due.At)
		return due, nil
	case UnitWorkingDays:
		d, err := e.cal.AddWorkingDays(day, r.Amount)
		if err != nil {
			return Due{}, err
		}
		due.LastDay = d
		if err := e.stamp(&due, day, d); err != nil {
			return Due{}, err
		}
	case UnitCalendarDays:
		due.LastDay = e.cal.AddCalendarDays(day, r.Amount)
	case UnitMonths:
		due.LastDay = day.AddMonths(r.Amount)
	case UnitYears:
		due.LastDay = day.AddMonths(12 * r.Amount)
	}
	if r.NextWorkingDay {
		d, err := e.cal.NextWorkingDay(due.LastDay)
		if err != nil {
			return Due{}, err
		}
		if err := e.stamp(&due, due.LastDay, d); err != nil {
			return Due{}, err
		}
		due.LastDay = d
	}
	due.At = due.LastDay.End()
	return due, nil
}

// stamp records on due the calendar version and whether its answer for
// the days from a to b is final.
func (e *Engine) stamp(due *Due, a, b calendar.Date) error {
	st, err := e.cal.StatusBetween(a, b)
	if err != nil {
		return err
	}
	st = merge(calendar.Status{Provisional: due.Provisional, Reason: due.Reason}, st)
	due.Calendar, due.Provisional, due.Reason = e.cal.Version(), st.Provisional, st.Reason
	return nil
}

// merge is provisional when a or b is, with the reasons of both, each once.
func merge(a, b calendar.Status) calendar.Status {
	out := calendar.Status{Provisional: a.Provisional || b.Provisional}
	var why []string
	for _, r := range []string{a.Reason, b.Reason} {
		for _, part := range strings.Split(r, "; ") {
			if part != "" && !slices.Contains(why, part) {
				why = append(why, part)
			}
		}
	}
	out.Reason = strings.Join(why, "; ")
	return out
}

// sameClock is the instant on date d at from's Almaty time of day.
func sameClock(from time.Time, d calendar.Date) time.Time {
	a := calendar.InAlmaty(from)
	clock := time.Duration(a.Hour())*time.Hour + time.Duration(a.Minute())*time.Minute +
		time.Duration(a.Second())*time.Second + time.Duration(a.Nanosecond())
	return d.Start().Add(clock)
}
