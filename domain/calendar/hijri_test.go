package calendar

import "testing"

// The tabular estimate against the dates DUMK published: it is close
// enough for a provisional answer (within two days), and a Gregorian year
// with two Kurban Aits (2039) gets both.
func TestKurbanAitEstimate(t *testing.T) {
	for _, tt := range []struct {
		year      int
		published string
	}{
		{2013, "2013-10-15"},
		{2017, "2017-09-01"},
		{2018, "2018-08-21"},
		{2019, "2019-08-11"},
		{2020, "2020-07-31"},
		{2023, "2023-06-28"},
		{2024, "2024-06-16"},
		{2025, "2025-06-06"},
		{2026, "2026-05-27"},
	} {
		got := kurbanAitEstimate(tt.year)
		p, _ := ParseDate(tt.published)
		if len(got) != 1 {
			t.Fatalf("%d: estimates %v", tt.year, got)
		}
		if diff := got[0].time().Sub(p.time()).Hours() / 24; diff < -2 || diff > 2 {
			t.Errorf("%d: estimate %s, published %s", tt.year, got[0], p)
		}
	}
	if got := kurbanAitEstimate(2039); len(got) != 2 {
		t.Errorf("2039: estimates %v, want two", got)
	}
	for y := 2024; y <= 2100; y++ {
		if got := kurbanAitEstimate(y); len(got) == 0 || len(got) > 2 {
			t.Errorf("%d: estimates %v", y, got)
		}
	}
}
