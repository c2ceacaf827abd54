package calendar_test

import (
	"encoding/json"
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
		// 30 August stopped being Constitution Day with the Constitution
		// adopted on 15 March 2026: Monday 31 August 2026 was worked.
		{"2026-08-31", true, ""},
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

// The Ministry of Labour's production calendar for 2026 had 246 working
// days in the five-day week, counting Monday 31 August as the day off for
// Constitution Day on Sunday 30 August; the Ministry then stated (March
// 2026) that 30 August is no longer a holiday, so 2026 has 247.
func TestWorkingDaysIn2026(t *testing.T) {
	n, err := kz(t).WorkingDaysIn(2026)
	if err != nil {
		t.Fatal(err)
	}
	if n != 247 {
		t.Fatalf("working days in 2026 = %d, want 247", n)
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

// Years past the published data are answered from the rules, and say so;
// years before the first data year are refused.
func TestProvisionalYears(t *testing.T) {
	c := kz(t)
	tests := []struct {
		name        string
		from        string
		n           int
		want        string
		provisional bool
		reason      []string // parts of the reason
	}{
		// 29, 30, 31 December; 1-3 January off; Saturday 2 January's New
		// Year moves to Monday the 4th; then 5 and 6 January.
		{"into 2027", "2026-12-28", 5, "2027-01-06", true, []string{"transfers of days off for 2027 not yet decreed", "Kurban Ait 2027 date not yet published"}},
		{"within 2026", "2026-12-01", 5, "2026-12-08", false, nil},
		{"back across New Year", "2027-01-05", -1, "2026-12-31", true, []string{"2027"}},
		{"2031", "2031-03-20", 1, "2031-03-26", true, []string{"Kurban Ait 2031", "estimated 2031-04-03", "transfers of days off for 2031"}},
		{"over Christmas 2027", "2026-12-31", 5, "2027-01-12", true, []string{"2027"}},
		{"from 2027 into 2028", "2027-12-30", 3, "2028-01-06", true, []string{"2027 not yet decreed", "2028 not yet decreed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.AddWorkingDays(d(tt.from), tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got != d(tt.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
			st, err := c.StatusBetween(d(tt.from), got)
			if err != nil {
				t.Fatal(err)
			}
			if st.Provisional != tt.provisional {
				t.Errorf("provisional = %v (%q), want %v", st.Provisional, st.Reason, tt.provisional)
			}
			for _, r := range tt.reason {
				if !strings.Contains(st.Reason, r) {
					t.Errorf("reason %q lacks %q", st.Reason, r)
				}
			}
		})
	}
	for _, y := range []int{2024, 2025, 2026} {
		if st, err := c.Status(y); err != nil || st.Provisional {
			t.Errorf("Status(%d) = %+v, %v; want final", y, st, err)
		}
	}
	// 261 weekdays less 15 off: 1, 4, 7 January; 8, 15, 22, 23, 24 March;
	// 3, 7, 10, 17 May; 6 July; 25 October; 16 December.
	if n, err := c.WorkingDaysIn(2027); err != nil || n != 246 {
		t.Errorf("working days in 2027 = %d, %v; want 246", n, err)
	}
	if _, _, err := c.IsWorkingDay(d("2023-12-29")); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("2023: error = %v, want %v", err, calendar.ErrNotCovered)
	}
	if _, err := c.AddWorkingDays(d("2024-01-03"), -3); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("back into 2023: error = %v, want %v", err, calendar.ErrNotCovered)
	}
	if _, err := c.AddWorkingDays(d("9999-12-30"), 5); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("past 9999: error = %v, want %v", err, calendar.ErrNotCovered)
	}
	if _, err := c.Status(2023); !errors.Is(err, calendar.ErrNotCovered) {
		t.Fatalf("Status(2023): error = %v, want %v", err, calendar.ErrNotCovered)
	}
}

// The rules applied to years without data: each holiday of the law, the
// move of a non-religious holiday off a weekend, religious holidays that
// never move, and holidays that exist only from or until a year.
func TestRulesInFutureYears(t *testing.T) {
	c := kz(t)
	tests := []struct {
		date    string
		working bool
		why     string
	}{
		// 2027: New Year on Friday and Saturday, the Saturday moves to Monday.
		{"2027-01-01", false, "New Year"},
		{"2027-01-04", false, "moved from 2027-01-02"},
		{"2027-01-05", true, ""},
		{"2027-01-07", false, "Orthodox Christmas"},
		{"2027-03-08", false, "Women's Day"},
		// Constitution Day: 15 March from 2027; 30 August no more.
		{"2027-03-15", false, "Constitution Day"},
		{"2026-03-16", true, ""},
		{"2027-08-30", true, ""},
		// Nauryz 2027 on Sunday to Tuesday: the Sunday moves to Wednesday.
		{"2027-03-22", false, "Nauryz"},
		{"2027-03-23", false, "Nauryz"},
		{"2027-03-24", false, "moved from 2027-03-21"},
		{"2027-03-25", true, ""},
		{"2027-05-03", false, "moved from 2027-05-01"},
		{"2027-05-07", false, "Defender"},
		{"2027-05-10", false, "moved from 2027-05-09"},
		{"2027-05-17", false, "Kurban Ait (estimated)"},
		{"2027-07-06", false, "Capital Day"},
		{"2027-10-25", false, "Republic Day"},
		{"2027-12-16", false, "Independence Day"},
		// 2028: Orthodox Christmas on a Friday, New Year on Saturday and
		// Sunday moving to Monday 3 and Tuesday 4 January.
		{"2028-01-03", false, "moved from 2028-01-01"},
		{"2028-01-04", false, "moved from 2028-01-02"},
		{"2028-01-05", true, ""},
		// 2034: Christmas on a Saturday is not moved.
		{"2034-01-07", false, "Saturday"},
		{"2034-01-09", true, ""},
		// 2029: Independence Day on a Sunday moves to Monday 17 December.
		{"2029-12-17", false, "moved from 2029-12-16"},
		// 2031: Nauryz Friday to Sunday, two moves to Monday and Tuesday.
		{"2031-03-24", false, "moved from 2031-03-22"},
		{"2031-03-25", false, "moved from 2031-03-23"},
		{"2031-04-03", false, "Kurban Ait (estimated)"},
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

// The version changes with the data and is the same for the same data.
func TestVersion(t *testing.T) {
	a, b := kz(t), kz(t)
	if a.Version() == "" || a.Version() != b.Version() {
		t.Fatalf("versions %q and %q", a.Version(), b.Version())
	}
	if !strings.HasPrefix(a.Version(), "2026-11-29+") {
		t.Errorf("version %q does not start with the data version", a.Version())
	}
	h := []byte(`{"first_year":2025,"fixed":[{"month":1,"day":1,"name":"NY","moves_off_weekend":true}]}`)
	c1, err := calendar.New(h, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := calendar.New(h, []byte(`{"decided":[{"year":2025,"act":"none"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c1.Version() == c2.Version() {
		t.Errorf("a decree did not change the version %q", c1.Version())
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
	good := []byte(`{"first_year":2025,"fixed":[{"month":1,"day":1,"name":"NY","moves_off_weekend":true},{"month":1,"day":7,"name":"Christmas"}],"kurban_ait":[{"date":"2025-06-06"}]}`)
	decided := `{"decided":[{"year":2025,"act":"order"}],`
	for name, tt := range map[string]struct{ h, tr string }{
		"no first year":         {`{"fixed":[]}`, `{}`},
		"bad fixed date":        {`{"first_year":2025,"fixed":[{"month":2,"day":30}]}`, `{}`},
		"29 February":           {`{"first_year":2025,"fixed":[{"month":2,"day":29}]}`, `{}`},
		"from after until":      {`{"first_year":2025,"fixed":[{"month":3,"day":1,"from_year":2027,"until_year":2026}]}`, `{}`},
		"bad Kurban Ait":        {`{"first_year":2025,"kurban_ait":[{"date":"2025-13-01"}]}`, `{}`},
		"two Kurban Aits":       {`{"first_year":2025,"kurban_ait":[{"date":"2025-06-06"},{"date":"2025-06-07"}]}`, `{}`},
		"decided without act":   {string(good), `{"decided":[{"year":2025}]}`},
		"decided before first":  {string(good), `{"decided":[{"year":2024,"act":"x"}]}`},
		"transfer to weekend":   {string(good), decided + `"transfers":[{"working_day":"2025-01-04","rest_day":"2025-01-05"}]}`},
		"transfer from a week":  {string(good), decided + `"transfers":[{"working_day":"2025-01-06","rest_day":"2025-01-08"}]}`},
		"transfer to a holiday": {string(good), decided + `"transfers":[{"working_day":"2025-01-04","rest_day":"2025-01-07"}]}`},
		"transfer, undecided":   {string(good), `{"transfers":[{"working_day":"2025-01-04","rest_day":"2025-01-06"}]}`},
		"transfer before first": {string(good), decided + `"transfers":[{"working_day":"2024-12-28","rest_day":"2025-01-06"}]}`},
		"not JSON":              {`{`, `{}`},
		"transfers not JSON":    {string(good), `[`},
	} {
		if _, err := calendar.New([]byte(tt.h), []byte(tt.tr)); err == nil {
			t.Errorf("%s: New accepted bad data", name)
		}
	}
	c, err := calendar.New(good, []byte(decided+`"transfers":[{"working_day":"2025-01-04","rest_day":"2025-01-06","act":"order"}]}`))
	if err != nil {
		t.Fatalf("New rejected good data: %v", err)
	}
	if ok, why, _ := c.IsWorkingDay(d("2025-01-06")); ok || !strings.Contains(why, "transferred from 2025-01-04") {
		t.Errorf("2025-01-06: working %v (%q)", ok, why)
	}
	if st, _ := c.Status(2025); st.Provisional {
		t.Errorf("2025 with its data is provisional: %q", st.Reason)
	}
	if st, _ := c.Status(2026); !st.Provisional {
		t.Errorf("2026 without data is final")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-28", "2024-02-29", "2025-02-29", "0000-01-01", "9999-12-31", "2026-1-2", "", "2026-12-28T00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := calendar.ParseDate(s)
		if err != nil {
			if !errors.Is(err, calendar.ErrBadDate) {
				t.Fatalf("ParseDate(%q): error %v is not %v", s, err, calendar.ErrBadDate)
			}
			return
		}
		if x.String() != s {
			t.Fatalf("ParseDate(%q) = %s", s, x)
		}
		if calendar.DateOf(x.Start()) != x || x.AddDays(1).AddDays(-1) != x {
			t.Fatalf("%s does not round-trip", x)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2025-03-20T10:00", "2025-03-20T10:00:00+05:00", "2025-03-20", "2023-06-01 12:00", "yesterday", "2025-03-20T25:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := calendar.ParseTime(s); err != nil && !errors.Is(err, calendar.ErrBadDate) {
			t.Fatalf("ParseTime(%q): error %v is not %v", s, err, calendar.ErrBadDate)
		}
	})
}

// Years are built on first use; concurrent users must see the same answers.
func TestConcurrentUse(t *testing.T) {
	c := kz(t)
	done := make(chan calendar.Date)
	for range 8 {
		go func() {
			got, err := c.AddWorkingDays(d("2026-12-28"), 400)
			if err != nil {
				t.Error(err)
			}
			done <- got
		}()
	}
	first := <-done
	for range 7 {
		if got := <-done; got != first {
			t.Errorf("answers differ: %s and %s", first, got)
		}
	}
}

// The zero Date (a missing date) survives a JSON round trip, so a command
// without one reaches the rule that refuses it.
func TestZeroDateRoundTrip(t *testing.T) {
	type carrier struct {
		On calendar.Date `json:"on"`
	}
	for _, in := range []carrier{{}, {On: calendar.Date{Year: 2026, Month: time.December, Day: 28}}} {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out carrier
		if err := json.Unmarshal(b, &out); err != nil || out != in {
			t.Fatalf("%s: got %+v, %v; want %+v", b, out, err, in)
		}
	}
	var c carrier
	if err := json.Unmarshal([]byte(`{"on":"2026-13-01"}`), &c); err == nil {
		t.Fatal("a bad date was accepted")
	}
}
