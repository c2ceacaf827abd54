package calendar_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"docledger/domain/calendar"
)

func kz(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func d(s string) calendar.Date {
	x, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func TestKnownDays(t *testing.T) {
	c := kz(t)
	tests := []struct {
		date    string
		working bool
		why     string // a part of the reason, for days off
	}{
		// New Year and Orthodox Christmas.
		{"2024-01-01", false, "New Year"},
		{"2024-01-03", true, ""},
		{"2024-01-07", false, "Sunday"}, // Christmas on a Sunday does not move
		{"2024-01-08", true, ""},
		{"2025-01-03", false, "transferred from 2025-01-05"},
		{"2025-01-05", true, "working day by transfer"}, // a working Sunday
		{"2025-01-06", true, ""},
		{"2025-01-07", false, "Orthodox Christmas"},
		{"2026-01-02", false, "New Year"},
		{"2026-01-05", true, ""},
		// International Women's Day.
		{"2025-03-10", false, "moved from 2025-03-08"},
		{"2026-03-09", false, "moved from 2026-03-08"},
		{"2026-03-10", true, ""},
		// Nauryz.
		{"2024-03-21", false, "Nauryz"},
		{"2024-03-22", false, "Nauryz"},
		{"2024-03-25", false, "moved from 2024-03-23"},
		{"2024-03-26", true, ""},
		{"2025-03-21", false, "Nauryz"},
		{"2025-03-24", false, "moved from 2025-03-22"},
		{"2025-03-25", false, "moved from 2025-03-23"},
		{"2025-03-26", true, ""},
		{"2026-03-23", false, "Nauryz"},
		{"2026-03-24", false, "moved from 2026-03-21"},
		{"2026-03-25", false, "moved from 2026-03-22"},
		{"2026-03-26", true, ""},
		// May.
		{"2024-05-04", true, "working day by transfer"}, // a working Saturday
		{"2024-05-08", false, "transferred from 2024-05-04"},
		{"2025-05-08", true, ""}, // no transfer in 2025
		{"2025-05-09", false, "Victory Day"},
		{"2026-05-08", true, ""},
		{"2026-05-11", false, "moved from 2026-05-09"},
		// Kurban Ait: never moved off a weekend.
		{"2024-06-16", false, "Sunday"},
		{"2024-06-17", true, ""},
		{"2025-06-06", false, "Kurban Ait"},
		{"2026-05-27", false, "Kurban Ait"},
		{"2026-05-28", true, ""},
		// Summer and autumn.
		{"2024-07-08", false, "moved from 2024-07-06"},
		{"2025-07-07", false, "moved from 2025-07-06"},
		{"2025-09-01", false, "moved from 2025-08-30"},
		{"2025-10-27", false, "moved from 2025-10-25"},
		{"2026-08-31", false, "moved from 2026-08-30"},
		{"2026-10-26", false, "moved from 2026-10-25"},
		{"2024-12-16", false, "Independence Day"},
		{"2024-12-17", true, ""}, // the second day was abolished in 2022
		{"2025-12-16", false, "Independence Day"},
		{"2026-12-16", false, "Independence Day"},
		{"2026-12-31", true, ""},
	}
	for _, tt := range tests {
		working, why, err := c.IsWorkingDay(d(tt.date))
		if err != nil {
			t.Fatalf("%s: %v", tt.date, err)
		}
		if working != tt.working || !strings.Contains(why, tt.why) {
			t.Errorf("%s: working = %v (%q), want %v (%q)", tt.date, working, why, tt.working, tt.why)
		}
	}
}

// The Ministry of Labour's production calendar for 2026 has 246 working
// days in the five-day week (and 119 days of rest).
func TestWorkingDaysIn2026(t *testing.T) {
	n, err := kz(t).WorkingDaysIn(2026)
	if err != nil {
		t.Fatal(err)
	}
	if n != 246 {
		t.Fatalf("working days in 2026 = %d, want 246", n)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := kz(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2025-03-20", 1, "2025-03-26"}, // over Nauryz 2025
		{"2026-03-20", 1, "2026-03-26"}, // over Nauryz 2026
		{"2026-03-20", 5, "2026-04-01"},
		{"2025-01-02", 1, "2025-01-05"}, // the working Sunday
		{"2025-01-02", 2, "2025-01-06"},
		{"2024-05-03", 1, "2024-05-04"}, // the working Saturday
		{"2024-05-06", 1, "2024-05-10"}, // 7, 8, 9 May 2024 off
		{"2026-05-26", 1, "2026-05-28"}, // over Kurban Ait 2026
		{"2025-06-05", 1, "2025-06-09"}, // over Kurban Ait 2025
		{"2024-06-14", 1, "2024-06-17"}, // Kurban Ait 2024 fell on a Sunday
		{"2025-12-12", 10, "2025-12-29"},
		{"2026-03-26", -1, "2026-03-20"},
		{"2026-03-21", 0, "2026-03-26"}, // 0: the next working day
		{"2026-03-26", 0, "2026-03-26"},
	}
	for _, tt := range tests {
		got, err := c.AddWorkingDays(d(tt.from), tt.n)
		if err != nil {
			t.Fatalf("%s + %d: %v", tt.from, tt.n, err)
		}
		if got != d(tt.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if got := c.AddCalendarDays(d("2024-02-25"), 7); got != d("2024-03-03") {
		t.Errorf("AddCalendarDays over a leap day = %s", got)
	}
}

func TestOutsideCoveredYears(t *testing.T) {
	c := kz(t)
	if _, err := c.AddWorkingDays(d("2026-12-24"), 10); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("into 2027: error = %v, want %v", err, calendar.ErrNotCovered)
	}
	if _, _, err := c.IsWorkingDay(d("2023-12-29")); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("2023: error = %v, want %v", err, calendar.ErrNotCovered)
	}
}

func TestAlmatyZone(t *testing.T) {
	tests := []struct {
		date  string
		start time.Time
	}{
		{"2024-02-29", time.Date(2024, 2, 28, 18, 0, 0, 0, time.UTC)}, // UTC+6
		{"2024-03-01", time.Date(2024, 2, 29, 19, 0, 0, 0, time.UTC)}, // UTC+5
		{"2025-03-21", time.Date(2025, 3, 20, 19, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := d(tt.date).Start(); !got.Equal(tt.start) {
			t.Errorf("%s starts at %s, want %s", tt.date, got.UTC(), tt.start)
		}
	}
	// 23:30 UTC on 20 March 2025 is already 21 March in Almaty.
	if got := calendar.DateOf(time.Date(2025, 3, 20, 23, 30, 0, 0, time.UTC)); got != d("2025-03-21") {
		t.Errorf("DateOf = %s", got)
	}
	// 18:30 UTC on 1 January 2024 was 00:30 on the 2nd at UTC+6.
	if got := calendar.DateOf(time.Date(2024, 1, 1, 18, 30, 0, 0, time.UTC)); got != d("2024-01-02") {
		t.Errorf("DateOf before the switch = %s", got)
	}
	for in, want := range map[string]time.Time{
		"2025-03-20T10:00":          time.Date(2025, 3, 20, 5, 0, 0, 0, time.UTC),
		"2025-03-20T10:00:00+05:00": time.Date(2025, 3, 20, 5, 0, 0, 0, time.UTC),
		"2025-03-20":                time.Date(2025, 3, 19, 19, 0, 0, 0, time.UTC),
		"2023-06-01 12:00":          time.Date(2023, 6, 1, 6, 0, 0, 0, time.UTC),
	} {
		got, err := calendar.ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", in, got.UTC(), err, want)
		}
	}
	if _, err := calendar.ParseTime("yesterday"); !errors.Is(err, calendar.ErrBadDate) {
		t.Errorf("ParseTime(yesterday) error = %v", err)
	}
}

func TestNewRejectsBadData(t *testing.T) {
	good := []byte(`{"fixed":[{"month":1,"day":1,"name":"NY","moves_off_weekend":true}],"movable":[{"date":"2025-06-06","name":"KA"}],"covered_years":[2025]}`)
	for name, tt := range map[string]struct{ h, tr string }{
		"no years":             {`{"fixed":[],"movable":[],"covered_years":[]}`, `{}`},
		"gap in years":         {`{"movable":[{"date":"2024-06-16"},{"date":"2026-05-27"}],"covered_years":[2024,2026]}`, `{}`},
		"year without Kurban":  {`{"movable":[],"covered_years":[2025]}`, `{}`},
		"bad fixed date":       {`{"fixed":[{"month":2,"day":30}],"movable":[{"date":"2025-06-06"}],"covered_years":[2025]}`, `{}`},
		"transfer to weekend":  {string(good), `{"transfers":[{"working_day":"2025-01-04","rest_day":"2025-01-05"}]}`},
		"transfer from a week": {string(good), `{"transfers":[{"working_day":"2025-01-06","rest_day":"2025-01-07"}]}`},
		"not JSON":             {`{`, `{}`},
	} {
		if _, err := calendar.New([]byte(tt.h), []byte(tt.tr)); err == nil {
			t.Errorf("%s: New accepted bad data", name)
		}
	}
	if _, err := calendar.New(good, []byte(`{}`)); err != nil {
		t.Errorf("New rejected good data: %v", err)
	}
}
