package calendar

import (
	"fmt"
	"strings"
	"time"
)

// Date is a civil date in Kazakhstan, without a time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, ErrBadDate.Withf("%q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// DateOf is the date in Asia/Almaty at the instant t.
func DateOf(t time.Time) Date {
	a := InAlmaty(t)
	return Date{a.Year(), a.Month(), a.Day()}
}

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func (d Date) valid() bool {
	t := d.time()
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day
}

// AddDays returns the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date {
	t := d.time().AddDate(0, 0, n)
	return Date{t.Year(), t.Month(), t.Day()}
}

// AddMonths returns the date n months later; a day past the end of the
// target month is clamped to its last day (31 January + 1 month is
// 28 or 29 February), as periods in months end in practice.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// Weekday is the day of the week.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// Weekend reports whether d is a Saturday or Sunday.
func (d Date) Weekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.time().Compare(e.time()) }

// Start is the instant d begins in Asia/Almaty, in UTC.
func (d Date) Start() time.Time {
	// Try the later offset first: from 2024-03-01 midnight is at +05.
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, almaty5)
	if t.Before(zoneSwitch) {
		t = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, almaty6)
	}
	return t.UTC()
}

// End is the instant d ends in Asia/Almaty (24:00, the next day's Start): a
// deadline that falls on d expires then.
func (d Date) End() time.Time { return d.AddDays(1).Start() }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText writes YYYY-MM-DD, and the zero Date (no date) as "".
func (d Date) MarshalText() ([]byte, error) {
	if d == (Date{}) {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads YYYY-MM-DD; "" is the zero Date (no date), which the
// rules that need a date refuse themselves. Before, a missing date encoded
// as "0000-00-00", which no reader could decode: a command without one was
// lost on the command bus and its caller waited for a reply that never came.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Asia/Almaty is UTC+6 until 2024-03-01 00:00 local time, when clocks went
// back one hour to UTC+5 (the Government's decision unifying the country on
// one zone). Two fixed zones keep this independent of the machine's tzdata,
// which may predate the change. Earlier history (before 2005, daylight
// saving) is out of the ledger's range and not modelled.
var (
	almaty6    = time.FixedZone("+06", 6*3600)
	almaty5    = time.FixedZone("+05", 5*3600)
	zoneSwitch = time.Date(2024, time.February, 29, 18, 0, 0, 0, time.UTC)
)

// InAlmaty returns t in the Asia/Almaty offset in force at t.
func InAlmaty(t time.Time) time.Time {
	if t.Before(zoneSwitch) {
		return t.In(almaty6)
	}
	return t.In(almaty5)
}

// ParseTime reads a business time: RFC 3339 with an offset or Z, or a local
// Almaty time YYYY-MM-DDTHH:MM[:SS], or a date YYYY-MM-DD meaning its
// Start.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := ParseDate(s); err == nil {
		return d.Start(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			d := Date{t.Year(), t.Month(), t.Day()}
			clock := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
			return d.Start().Add(clock), nil
		}
	}
	return time.Time{}, ErrBadDate.Withf("%q: want RFC 3339, YYYY-MM-DDTHH:MM in Asia/Almaty, or YYYY-MM-DD", s)
}
