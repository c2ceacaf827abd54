package profiles_test

import (
	"os"
	"strings"
	"testing"

	"docledger/domain/calendar"
	"docledger/domain/profile"
	"docledger/profiles"
)

func TestEveryProfileLoads(t *testing.T) {
	c, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"atameken.v1", "centerpro.v1", "idocs.v1", "ismet.v1", "kezekte.v1"}
	refs := c.Refs()
	if len(refs) != len(want) {
		t.Fatalf("profiles = %v, want %v", refs, want)
	}
	for i, r := range refs {
		if r.String() != want[i] {
			t.Fatalf("profiles = %v, want %v", refs, want)
		}
	}
	for _, r := range refs {
		p, err := c.Get(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Choices) == 0 {
			t.Errorf("%s records no choices", r)
		}
	}
	if _, err := c.Get(profile.Ref{ID: "idocs"}); err != nil {
		t.Errorf("latest idocs: %v", err)
	}
}

// Deadlines under the operators' own profiles, on known dates.
func TestOperatorDeadlines(t *testing.T) {
	c, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile, rule, from, lastDay, clause string
	}{
		// idocs 4.6: 7 calendar days from receipt of the invoice; 21 March
		// 2025 is Nauryz and 22-25 March are days off.
		{"idocs", "invoice_payment", "2025-03-14T10:00", "2025-03-26", "4.6"},
		// idocs 14.3: 1 calendar day from the change taking effect on a
		// Friday: Saturday, rolled to Monday.
		{"idocs", "amendment_objection", "2026-01-09T12:00", "2026-01-12", "14.3"},
		{"idocs", "force_majeure_termination", "2025-12-31T09:00", "2026-02-28", "11.3"},
		// Center Pro 6.9: 5 working days; 19, 20, 26, 27, 30 March 2026.
		{"centerpro", "deemed_acceptance_act", "2026-03-18T15:00", "2026-03-30", "6.9"},
		// Atameken 10.2.1: 10 working days; Saturday 4 May 2024 was worked,
		// 7-9 May were off.
		{"atameken", "termination_by_client", "2024-05-02T09:00", "2024-05-20", "10.2.1"},
		{"atameken", "amendment_notice", "2025-06-10T00:00", "2025-06-07", "10.1"},
		// ISMET: the earlier of 15 calendar days (5.7) and 10 working days (11.1).
		{"ismet", "claim_response", "2025-12-01T10:00", "2025-12-15", "11.1 (via claim_response_working_days, clause 11.1)"},
		{"ismet", "claim_response", "2026-03-16T10:00", "2026-03-31", "11.1 (via claim_response_days, clause 5.7)"},
		// ISMET 7.1: notice one working day before the planned refusal;
		// before Friday 10 May 2024 the working day is Monday 6 May.
		{"ismet", "contract_refusal_notice", "2024-05-10T12:00", "2024-05-06", "7.1"},
		// Kezekte 5.2: three years from a registration on a leap day.
		{"kezekte", "term_renewal", "2024-02-29T10:00", "2027-02-28", "5.2"},
	}
	for _, tt := range tests {
		p, err := c.Get(profile.Ref{ID: tt.profile})
		if err != nil {
			t.Fatal(err)
		}
		from, err := calendar.ParseTime(tt.from)
		if err != nil {
			t.Fatal(err)
		}
		d, err := profile.NewEngine(p, cal).Deadline(tt.rule, from)
		if err != nil {
			t.Errorf("%s %s: %v", tt.profile, tt.rule, err)
			continue
		}
		if d.LastDay.String() != tt.lastDay || d.Clause != tt.clause {
			t.Errorf("%s %s from %s = %s (clause %s), want %s (clause %s)", tt.profile, tt.rule, tt.from, d.LastDay, d.Clause, tt.lastDay, tt.clause)
		}
	}
}

// docs/profiles.md documents every rule of every profile.
func TestDocsListEveryRule(t *testing.T) {
	doc, err := os.ReadFile("../docs/profiles.md")
	if err != nil {
		t.Fatal(err)
	}
	c, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Refs() {
		p, _ := c.Get(r)
		names := []string{r.String()}
		for _, d := range p.Deadlines {
			names = append(names, d.ID)
		}
		for _, b := range p.Blocks {
			names = append(names, b.Ground)
		}
		for _, n := range names {
			if !strings.Contains(string(doc), "`"+n+"`") {
				t.Errorf("docs/profiles.md does not mention %s of %s", n, r)
			}
		}
	}
}
