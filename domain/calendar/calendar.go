// Package calendar is the Kazakhstan business calendar: the Asia/Almaty
// business time zone, public holidays (fixed dates, Nauryz 21-23 March, the
// movable first day of Kurban Ait), the statutory move of a holiday that
// falls on a weekend, and the yearly transfers of days off. Working days are
// those of the five-day week.
//
// The calendar answers for any year from its first data year on. The rules
// of the law (fixed holidays, the weekend move) are code and data/holidays.json;
// what is published year by year (the first day of Kurban Ait, the
// Ministry's transfers of days off) is data, embedded from data/*.json, so
// a new year's decree is a data change, not a code change. For a year whose
// Kurban Ait date or transfers are not published yet the answer comes from
// the rules and is provisional: Status says so and why. Version names the
// rules and data an answer was computed with, so that a recorded deadline
// can say which calendar it came from.
package calendar

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
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

// rules versions the code's part of the rules (the weekend move, the
// Kurban Ait estimate); it enters Version, so a change of rule changes the
// calendar version as a change of data does.
const rules = "kz-rules-2"

// Calendar answers which days are working days in Kazakhstan. It is safe
// for concurrent use; its answers never change after New.
type Calendar struct {
	first   int
	version string
	fixed   []fixedHoliday
	kurban  map[int]Date   // the published first day of Kurban Ait, by year
	decided map[int]string // years whose transfers are decreed: the act
	worked  map[Date]string
	rest    map[Date]string

	mu    sync.Mutex
	years map[int]map[Date]string // weekdays off by year, built on first use
}

type fixedHoliday struct {
	Month int    `json:"month"`
	Day   int    `json:"day"`
	Name  string `json:"name"`
	Moves bool   `json:"moves_off_weekend"`
	// FromYear and UntilYear bound the years the holiday exists in (0: no bound).
	FromYear  int `json:"from_year"`
	UntilYear int `json:"until_year"`
}

func (f fixedHoliday) in(year int) bool {
	return (f.FromYear == 0 || year >= f.FromYear) && (f.UntilYear == 0 || year <= f.UntilYear)
}

type holidayFile struct {
	Version   string         `json:"version"`
	FirstYear int            `json:"first_year"`
	Fixed     []fixedHoliday `json:"fixed"`
	KurbanAit []struct {
		Date string `json:"date"`
	} `json:"kurban_ait"`
}

type transferFile struct {
	Decided []struct {
		Year int    `json:"year"`
		Act  string `json:"act"`
	} `json:"decided"`
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
	if hf.FirstYear < 1 {
		return nil, fmt.Errorf("calendar: no first_year")
	}
	sum := sha256.New()
	for _, b := range [][]byte{[]byte(rules), holidaysJSON, transfersJSON} {
		fmt.Fprintf(sum, "%d:", len(b))
		sum.Write(b)
	}
	c := &Calendar{
		first:   hf.FirstYear,
		version: strings.TrimPrefix(hf.Version+"+", "+") + hex.EncodeToString(sum.Sum(nil))[:12],
		fixed:   hf.Fixed,
		kurban:  map[int]Date{},
		decided: map[int]string{},
		worked:  map[Date]string{},
		rest:    map[Date]string{},
		years:   map[int]map[Date]string{},
	}
	for _, f := range hf.Fixed {
		if d := (Date{2024, time.Month(f.Month), f.Day}); !d.valid() || f.Month == 2 && f.Day == 29 {
			return nil, fmt.Errorf("calendar: fixed holiday %s: invalid date %d-%d", f.Name, f.Month, f.Day)
		}
		if f.FromYear != 0 && f.UntilYear != 0 && f.FromYear > f.UntilYear {
			return nil, fmt.Errorf("calendar: fixed holiday %s: from_year %d after until_year %d", f.Name, f.FromYear, f.UntilYear)
		}
	}
	for _, k := range hf.KurbanAit {
		d, err := ParseDate(k.Date)
		if err != nil {
			return nil, fmt.Errorf("calendar: Kurban Ait: %w", err)
		}
		if _, dup := c.kurban[d.Year]; dup {
			return nil, fmt.Errorf("calendar: Kurban Ait: two dates in %d", d.Year)
		}
		c.kurban[d.Year] = d
	}
	for _, y := range tf.Decided {
		if y.Year < c.first || strings.TrimSpace(y.Act) == "" {
			return nil, fmt.Errorf("calendar: decided year %d needs a year from %d and its act", y.Year, c.first)
		}
		c.decided[y.Year] = y.Act
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
		if w.Year < c.first || r.Year < c.first {
			return nil, fmt.Errorf("calendar: transfer %s -> %s before %d", w, r, c.first)
		}
		if !w.Weekend() || r.Weekend() || c.holidayOff(r) != "" {
			return nil, fmt.Errorf("calendar: transfer %s -> %s must move a weekend day to a working weekday", w, r)
		}
		for _, y := range []int{w.Year, r.Year} {
			if _, ok := c.decided[y]; !ok {
				return nil, fmt.Errorf("calendar: transfer %s -> %s: year %d is not listed as decided", w, r, y)
			}
		}
		c.worked[w] = "working day by transfer to " + r.String() + ": " + t.Act
		c.rest[r] = "day off transferred from " + w.String() + ": " + t.Act
	}
	return c, nil
}

// Version names the rules and data the calendar was built from: the data
// version and a hash of the data files and the rules. Two calendars with
// the same Version answer alike; a recorded deadline names it.
func (c *Calendar) Version() string { return c.version }

// FirstYear is the first year the calendar answers for; it refuses earlier
// years, whose law (other holidays until 2022) it does not model, and years
// after 9999.
func (c *Calendar) FirstYear() int { return c.first }

// Status says whether the calendar's answers for some days are final. An
// answer is provisional when a day it looked at lies in a year whose
// Kurban Ait date or transfers of days off are not published yet: it was
// computed from the rules and an estimate, and may change when the year's
// data is added.
type Status struct {
	Provisional bool   `json:"provisional"`
	Reason      string `json:"reason,omitempty"`
}

// lastYear is the last year the calendar answers for: dates are written
// with four-digit years.
const lastYear = 9999

func (c *Calendar) covers(year int) error {
	if year < c.first || year > lastYear {
		return ErrNotCovered.Withf("%d (the calendar answers for %d-%d)", year, c.first, lastYear)
	}
	return nil
}

// Status is the status of the calendar's answers for days of year.
func (c *Calendar) Status(year int) (Status, error) {
	if err := c.covers(year); err != nil {
		return Status{}, err
	}
	var why []string
	if _, ok := c.kurban[year]; !ok {
		est := "no estimate"
		if ds := kurbanAitEstimate(year); len(ds) > 0 {
			s := make([]string, len(ds))
			for i, d := range ds {
				s[i] = d.String()
			}
			est = "estimated " + strings.Join(s, " and ") + " from the tabular Islamic calendar"
		}
		why = append(why, fmt.Sprintf("Kurban Ait %d date not yet published (%s)", year, est))
	}
	if _, ok := c.decided[year]; !ok {
		why = append(why, fmt.Sprintf("transfers of days off for %d not yet decreed", year))
	}
	return Status{Provisional: len(why) > 0, Reason: strings.Join(why, "; ")}, nil
}

// StatusBetween is the status of an answer that looked at the days from a
// to b (in either order): provisional when any of their years is, with the
// reasons of each such year.
func (c *Calendar) StatusBetween(a, b Date) (Status, error) {
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	var out Status
	var why []string
	for y := a.Year; y <= b.Year; y++ {
		s, err := c.Status(y)
		if err != nil {
			return Status{}, err
		}
		if s.Provisional {
			out.Provisional = true
			why = append(why, s.Reason)
		}
	}
	out.Reason = strings.Join(why, "; ")
	return out, nil
}

// holidayOff says why the weekday d is off by law (a holiday, a holiday
// moved off a weekend, Kurban Ait), or "" when it is not. It ignores the
// transfers.
func (c *Calendar) holidayOff(d Date) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	off, ok := c.years[d.Year]
	if !ok {
		off = c.build(d.Year)
		c.years[d.Year] = off
	}
	return off[d]
}

type holiday struct {
	d     Date
	name  string
	moves bool
}

// build computes the weekdays off in year: the holidays that fall on a
// weekday, and for each holiday on a Saturday or Sunday that moves, the
// next weekday that is neither a holiday nor already a moved day off (Law
// 267-II art. 5). The previous year's holidays take part, so that a move
// across New Year would land right.
func (c *Calendar) build(year int) map[Date]string {
	var hs []holiday
	for y := year - 1; y <= year; y++ {
		for _, f := range c.fixed {
			if f.in(y) {
				hs = append(hs, holiday{Date{y, time.Month(f.Month), f.Day}, f.Name, f.Moves})
			}
		}
		if d, ok := c.kurban[y]; ok {
			hs = append(hs, holiday{d, "Kurban Ait", false})
		} else {
			for _, d := range kurbanAitEstimate(y) {
				hs = append(hs, holiday{d, "Kurban Ait (estimated)", false})
			}
		}
	}
	slices.SortFunc(hs, func(a, b holiday) int { return a.d.Compare(b.d) })
	isHoliday := map[Date]bool{}
	off := map[Date]string{}
	for _, h := range hs {
		isHoliday[h.d] = true
		if !h.d.Weekend() {
			off[h.d] = h.name
		}
	}
	for _, h := range hs {
		if !h.d.Weekend() || !h.moves {
			continue
		}
		d := h.d.AddDays(1)
		for d.Weekend() || isHoliday[d] || off[d] != "" {
			d = d.AddDays(1)
		}
		off[d] = fmt.Sprintf("day off moved from %s (%s)", h.d, h.name)
	}
	for d := range off {
		if d.Year != year {
			delete(off, d)
		}
	}
	return off
}

// IsWorkingDay reports whether d is a working day, and why not when it is
// not ("Saturday", the holiday's name, the transfer). For a worked weekend
// day, why names the transfer. It fails only for a year before FirstYear;
// for a provisional year (see Status) the answer is the rules' answer.
func (c *Calendar) IsWorkingDay(d Date) (working bool, why string, err error) {
	if err := c.covers(d.Year); err != nil {
		return false, "", err
	}
	if w, ok := c.worked[d]; ok {
		return true, w, nil
	}
	if d.Weekend() {
		return false, d.Weekday().String(), nil
	}
	if why := c.holidayOff(d); why != "" {
		return false, why, nil
	}
	if why, ok := c.rest[d]; ok {
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
// StatusBetween(d, result) says whether the answer is final.
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

// WorkingDaysIn counts the working days of a year.
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
