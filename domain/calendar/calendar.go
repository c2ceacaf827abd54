// Package calendar is the Kazakhstan business calendar: the Asia/Almaty
// business time zone, public holidays (fixed dates, Nauryz 21-23 March, the
// movable first day of Kurban Ait), the statutory move of a holiday that
// falls on a weekend, and the yearly transfers of days off. Working days are
// those of the five-day week.
//
// The holiday and transfer data are embedded from data/*.json, so a new
// year's transfers are a data change, not a code change. The calendar only
// answers for the years that data covers (covered_years) and refuses the
// others with ErrNotCovered rather than guess: Kurban Ait and transfers
// are not known until they are published.
package calendar

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"docledger/domain"
)

//go:embed data/*.json
var data embed.FS

// Errors the calendar returns.
var (
	ErrNotCovered = domain.NewError("calendar_year_not_covered", "the Kazakhstan calendar has no holiday data for this year")
	ErrBadDate    = domain.NewError("calendar_bad_date", "not a valid date or time")
)

// Calendar answers which days are working days in Kazakhstan. It is
// immutable after New and safe for concurrent use.
type Calendar struct {
	first, last int
	// off holds every weekday that is not worked, with why;
	// worked holds every weekend day that is worked (a transfer).
	off    map[Date]string
	worked map[Date]string
}

type holidayFile struct {
	Fixed []struct {
		Month int    `json:"month"`
		Day   int    `json:"day"`
		Name  string `json:"name"`
		Moves bool   `json:"moves_off_weekend"`
	} `json:"fixed"`
	Movable []struct {
		Date  string `json:"date"`
		Name  string `json:"name"`
		Moves bool   `json:"moves_off_weekend"`
	} `json:"movable"`
	CoveredYears []int `json:"covered_years"`
}

type transferFile struct {
	Transfers []struct {
		WorkingDay string `json:"working_day"`
		RestDay    string `json:"rest_day"`
		Act        string `json:"act"`
	} `json:"transfers"`
}

// Kazakhstan returns the calendar built from the embedded data files.
func Kazakhstan() (*Calendar, error) {
	h, err := data.ReadFile("data/holidays.json")
	if err != nil {
		return nil, err
	}
	t, err := data.ReadFile("data/transfers.json")
	if err != nil {
		return nil, err
	}
	return New(h, t)
}

// New builds a calendar from a holidays file and a transfers file in the
// format of data/holidays.json and data/transfers.json.
func New(holidaysJSON, transfersJSON []byte) (*Calendar, error) {
	var hf holidayFile
	if err := json.Unmarshal(holidaysJSON, &hf); err != nil {
		return nil, fmt.Errorf("calendar: holidays: %w", err)
	}
	var tf transferFile
	if err := json.Unmarshal(transfersJSON, &tf); err != nil {
		return nil, fmt.Errorf("calendar: transfers: %w", err)
	}
	if len(hf.CoveredYears) == 0 {
		return nil, fmt.Errorf("calendar: no covered years")
	}
	years := slices.Sorted(slices.Values(hf.CoveredYears))
	for i := 1; i < len(years); i++ {
		if years[i] != years[i-1]+1 {
			return nil, fmt.Errorf("calendar: covered years must be consecutive, got %v", years)
		}
	}
	c := &Calendar{first: years[0], last: years[len(years)-1], off: map[Date]string{}, worked: map[Date]string{}}

	type holiday struct {
		d     Date
		name  string
		moves bool
	}
	var hs []holiday
	for y := c.first; y <= c.last; y++ {
		for _, f := range hf.Fixed {
			d := Date{y, time.Month(f.Month), f.Day}
			if !d.valid() {
				return nil, fmt.Errorf("calendar: fixed holiday %s: invalid date %d-%d", f.Name, f.Month, f.Day)
			}
			hs = append(hs, holiday{d, f.Name, f.Moves})
		}
	}
	movableYears := map[int]bool{}
	for _, m := range hf.Movable {
		d, err := ParseDate(m.Date)
		if err != nil {
			return nil, fmt.Errorf("calendar: movable holiday %s: %w", m.Name, err)
		}
		movableYears[d.Year] = true
		hs = append(hs, holiday{d, m.Name, m.Moves})
	}
	for y := c.first; y <= c.last; y++ {
		if !movableYears[y] {
			return nil, fmt.Errorf("calendar: covered year %d has no movable holiday dates", y)
		}
	}
	slices.SortFunc(hs, func(a, b holiday) int { return a.d.Compare(b.d) })
	isHoliday := map[Date]bool{}
	for _, h := range hs {
		isHoliday[h.d] = true
		if !h.d.Weekend() {
			c.off[h.d] = h.name
		}
	}
	// A holiday on a Saturday or Sunday moves its day off to the next
	// weekday that is neither a holiday nor already a moved day off.
	for _, h := range hs {
		if !h.d.Weekend() || !h.moves {
			continue
		}
		d := h.d.AddDays(1)
		for d.Weekend() || isHoliday[d] || c.off[d] != "" {
			d = d.AddDays(1)
		}
		c.off[d] = fmt.Sprintf("day off moved from %s (%s)", h.d, h.name)
	}
	for _, t := range tf.Transfers {
		w, err := ParseDate(t.WorkingDay)
		if err != nil {
			return nil, fmt.Errorf("calendar: transfer working day: %w", err)
		}
		r, err := ParseDate(t.RestDay)
		if err != nil {
			return nil, fmt.Errorf("calendar: transfer rest day: %w", err)
		}
		if !w.Weekend() || r.Weekend() || c.off[r] != "" {
			return nil, fmt.Errorf("calendar: transfer %s -> %s must move a weekend day to a working weekday", w, r)
		}
		c.worked[w] = "working day by transfer to " + r.String() + ": " + t.Act
		c.off[r] = "day off transferred from " + w.String() + ": " + t.Act
	}
	return c, nil
}

// Covered is the range of years the calendar has data for.
func (c *Calendar) Covered() (first, last int) { return c.first, c.last }

func (c *Calendar) covers(d Date) error {
	if d.Year < c.first || d.Year > c.last {
		return ErrNotCovered.Withf("%d (covered: %d-%d)", d.Year, c.first, c.last)
	}
	return nil
}

// IsWorkingDay reports whether d is a working day, and why not when it is
// not ("Saturday", the holiday's name, the transfer). For a worked weekend
// day, why names the transfer.
func (c *Calendar) IsWorkingDay(d Date) (working bool, why string, err error) {
	if err := c.covers(d); err != nil {
		return false, "", err
	}
	if w, ok := c.worked[d]; ok {
		return true, w, nil
	}
	if d.Weekend() {
		return false, d.Weekday().String(), nil
	}
	if why, ok := c.off[d]; ok {
		return false, why, nil
	}
	return true, "", nil
}

// AddCalendarDays returns d plus n calendar days (n may be negative).
func (c *Calendar) AddCalendarDays(d Date, n int) Date { return d.AddDays(n) }

// AddWorkingDays returns the n-th working day after d, not counting d
// itself (the Civil Code's rule that a period runs from the day after its
// event). With n = 0 it returns d when d is a working day, else the next
// working day. A negative n counts back: the |n|-th working day before d.
func (c *Calendar) AddWorkingDays(d Date, n int) (Date, error) {
	if n == 0 {
		return c.NextWorkingDay(d)
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		ok, _, err := c.IsWorkingDay(d)
		if err != nil {
			return Date{}, err
		}
		if ok {
			n--
		}
	}
	return d, nil
}

// NextWorkingDay returns d when it is a working day, else the first working
// day after it.
func (c *Calendar) NextWorkingDay(d Date) (Date, error) {
	for {
		ok, _, err := c.IsWorkingDay(d)
		if err != nil {
			return Date{}, err
		}
		if ok {
			return d, nil
		}
		d = d.AddDays(1)
	}
}

// WorkingDaysIn counts the working days of a covered year.
func (c *Calendar) WorkingDaysIn(year int) (int, error) {
	n := 0
	for d := (Date{year, time.January, 1}); d.Year == year; d = d.AddDays(1) {
		ok, _, err := c.IsWorkingDay(d)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
