package profile_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"docledger/domain/calendar"
	"docledger/domain/profile"
)

func minimal(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/minimal.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutate decodes the minimal profile, lets f change it and encodes it again.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(minimal(t), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(m map[string]any, path ...any) map[string]any {
	var cur any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur.(map[string]any)
}

func TestParseValid(t *testing.T) {
	p, err := profile.Parse(minimal(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Ref() != (profile.Ref{ID: "minimal", Version: 1}) || p.Ref().String() != "minimal.v1" {
		t.Fatalf("ref = %v", p.Ref())
	}
	if _, err := p.Rule("pay"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Rule("nope"); !errors.Is(err, profile.ErrUnknownRule) {
		t.Fatalf("unknown rule error = %v", err)
	}
	if tr, ok := p.Trigger(profile.TriggerEDSSigned); !ok || !tr.RequiresSignature {
		t.Fatalf("trigger = %+v, %v", tr, ok)
	}
	if s, i, ok := p.Stage("full"); !ok || i != 1 || !s.BindsSubject {
		t.Fatalf("stage = %+v %d %v", s, i, ok)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		want string // part of the message
	}{
		{"unknown field", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["operator_name"] = "x" })
		}, "unknown field"},
		{"trailing data", func(t *testing.T) []byte { return append(minimal(t), []byte(" {}")...) }, "trailing"},
		{"not JSON", func(*testing.T) []byte { return []byte("{") }, "decode"},
		{"bad id", func(t *testing.T) []byte { return mutate(t, func(m map[string]any) { m["id"] = "Idocs!" }) }, "id"},
		{"version 0", func(t *testing.T) []byte { return mutate(t, func(m map[string]any) { m["version"] = 0 }) }, "version"},
		{"operator BIN check digit", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "operator")["bin"] = "990140000123" })
		}, "not a valid BIN"},
		{"prevailing language not published", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "source")["languages"] = []any{"kk"} })
		}, "prevailing"},
		{"rule without clause", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 2)["clause"] = "" })
		}, "deadlines[pay]: clause"},
		{"clause that is prose", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "blocks", 0)["clause"] = "see the offer" })
		}, "blocks[unpaid]: clause"},
		{"unknown unit", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 2)["unit"] = "banking_days" })
		}, "unknown unit"},
		{"zero amount", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 2)["amount"] = 0 })
		}, "amount"},
		{"duplicate rule", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 3)["id"] = "pay" })
		}, "duplicate"},
		{"roll on working days", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 1)["next_working_day"] = true })
		}, "next_working_day"},
		{"earliest_of an unknown rule", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 5)["earliest_of"] = []any{"answer_days", "ghost"} })
		}, "ghost"},
		{"earliest_of from another event", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "deadlines", 5)["earliest_of"] = []any{"answer_days", "pay"} })
		}, "runs from"},
		{"block notice rule missing", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "blocks", 0)["notice_rule"] = "ghost" })
		}, "no deadline rule \"ghost\""},
		{"unknown scope", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "blocks", 0)["scope"] = []any{"everything"} })
		}, "unknown scope"},
		{"unknown trigger", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "acceptance", "triggers", 0)["trigger"] = "smile" })
		}, "trigger"},
		{"EDS trigger without signature", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "acceptance", "triggers", 1)["requires_signature"] = false })
		}, "requires a signature"},
		{"trigger of a missing stage", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "acceptance", "triggers", 0)["stage"] = "ghost" })
		}, "no registration stage"},
		{"no stage binds the subject", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "registration", "stages", 1)["binds_subject"] = false })
		}, "binds the subject"},
		{"unknown proof", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "registration", "stages", 0)["requires"] = []any{"selfie"} })
		}, "unknown proof"},
		{"unknown consent", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "acceptance", "consents", 0)["kind"] = "soul" })
		}, "consent"},
		{"unknown billing rule", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "billing", 0)["rule"] = "free_lunch" })
		}, "billing"},
		{"choice without why", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "choices", 0)["why"] = " " })
		}, "why"},
		{"choice of an unknown kind", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "choices", 0)["kind"] = "obvious" })
		}, "silent or contradictory"},
		{"silence means something else", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { obj(m, "amendments")["silence_means"] = "rejected" })
		}, "silence_means"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := profile.Parse(tt.data(t))
			if !errors.Is(err, profile.ErrInvalidProfile) {
				t.Fatalf("error = %v, want %v", err, profile.ErrInvalidProfile)
			}
			if p != nil {
				t.Fatal("a profile was returned with the error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	v2 := mutate(t, func(m map[string]any) { m["version"] = 2 })
	c, err := profile.NewCatalog(map[string][]byte{"minimal.v1.json": minimal(t), "minimal.v2.json": v2})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]int{"minimal": 2, "minimal.v1": 1, "minimal.v2": 2} {
		ref, err := profile.ParseRef(in)
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Get(ref)
		if err != nil || p.Version != want {
			t.Errorf("Get(%s) = %v, %v; want version %d", in, p, err, want)
		}
	}
	for _, in := range []string{"minimal.v3", "other"} {
		ref, _ := profile.ParseRef(in)
		if _, err := c.Get(ref); !errors.Is(err, profile.ErrUnknownProfile) {
			t.Errorf("Get(%s) error = %v, want %v", in, err, profile.ErrUnknownProfile)
		}
	}
	for _, in := range []string{"", "Minimal", "minimal.v0", "minimal.vx"} {
		if _, err := profile.ParseRef(in); !errors.Is(err, profile.ErrUnknownProfile) {
			t.Errorf("ParseRef(%q) error = %v", in, err)
		}
	}
	if _, err := profile.NewCatalog(map[string][]byte{"other.v1.json": minimal(t)}); !errors.Is(err, profile.ErrInvalidProfile) {
		t.Errorf("a profile in a file of another name loaded: %v", err)
	}
}

func at(s string) time.Time {
	t, err := calendar.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDeadline(t *testing.T) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(minimal(t))
	if err != nil {
		t.Fatal(err)
	}
	e := profile.NewEngine(p, cal)
	tests := []struct {
		name    string
		rule    string
		from    string
		lastDay string
		at      string
		via     string
	}{
		// 7 calendar days from Friday 14 March 2025 is 21 March, Nauryz;
		// 22-25 March are days off too, so the period ends on the 26th.
		{"calendar days rolled past Nauryz 2025", "pay", "2025-03-14T10:00", "2025-03-26", "2025-03-27T00:00", "pay"},
		{"calendar days on a working day", "pay", "2025-04-01T10:00", "2025-04-08", "2025-04-09T00:00", "pay"},
		{"calendar days, waiting period, not rolled", "block_notice", "2025-03-18T12:00", "2025-03-21", "2025-03-22T00:00", "block_notice"},
		// 5 working days from Wednesday 18 March 2026: 19, 20, 26, 27, 30.
		{"working days over Nauryz 2026", "amendment_objection", "2026-03-18T15:00", "2026-03-30", "2026-03-31T00:00", "amendment_objection"},
		// The event's day is the Almaty day: 20:00 UTC on 17 March is the 18th.
		{"event day in Almaty", "amendment_objection", "2026-03-17T20:00:00Z", "2026-03-30", "2026-03-31T00:00", "amendment_objection"},
		{"least notice before", "amendment_notice", "2025-06-10T00:00", "2025-06-07", "2025-06-07T00:00", "amendment_notice"},
		// Earliest of 15 calendar days and 10 working days.
		{"earliest: calendar days win", "answer", "2026-03-16T10:00", "2026-03-31", "2026-04-01T00:00", "answer_days"},
		{"earliest: working days win", "answer", "2025-12-01T10:00", "2025-12-15", "2025-12-16T00:00", "answer_working"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Deadline(tt.rule, at(tt.from))
			if err != nil {
				t.Fatal(err)
			}
			if d.LastDay.String() != tt.lastDay || !d.At.Equal(at(tt.at)) {
				t.Fatalf("deadline = %s, %s; want %s, %s", d.LastDay, d.At, tt.lastDay, at(tt.at))
			}
			if d.Rule != tt.rule {
				t.Fatalf("rule = %s, clause %s", d.Rule, d.Clause)
			}
			if tt.via != tt.rule && !strings.Contains(d.Clause, "via "+tt.via) {
				t.Fatalf("clause %q, want via %s", d.Clause, tt.via)
			}
			if d.Profile.String() != "minimal.v1" {
				t.Fatalf("profile = %s", d.Profile)
			}
		})
	}
	if _, err := e.Deadline("ghost", at("2025-01-10")); !errors.Is(err, profile.ErrUnknownRule) {
		t.Errorf("unknown rule: %v", err)
	}
	if _, err := e.Deadline("amendment_objection", at("2023-12-20")); !errors.Is(err, calendar.ErrNotCovered) {
		t.Errorf("from 2023: %v", err)
	}
}

// A deadline says which calendar computed it and whether that answer is
// final; one that reaches a year without published data is provisional.
func TestDeadlineProvenance(t *testing.T) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(minimal(t))
	if err != nil {
		t.Fatal(err)
	}
	e := profile.NewEngine(p, cal)
	tests := []struct {
		name        string
		rule        string
		from        string
		lastDay     string
		calendar    bool
		provisional bool
	}{
		// 5 working days from Monday 28 December 2026: 29, 30, 31
		// December, 5 and 6 January 2027 (4 January is New Year moved off
		// Saturday 2 January).
		{"working days into 2027", "amendment_objection", "2026-12-28T10:00", "2027-01-06", true, true},
		{"working days within 2026", "amendment_objection", "2026-11-02T10:00", "2026-11-09", true, false},
		{"calendar days rolled in 2026", "pay", "2026-12-01T10:00", "2026-12-08", true, false},
		{"calendar days rolled into 2027", "pay", "2026-12-28T10:00", "2027-01-05", true, true},
		{"calendar days, not rolled", "block_notice", "2026-12-30T10:00", "2027-01-02", false, false},
		{"earliest of, one provisional", "answer", "2026-12-20T10:00", "2027-01-04", true, true},
		{"least notice before, in 2027", "amendment_notice", "2027-03-25T00:00", "2027-03-22", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Deadline(tt.rule, at(tt.from))
			if err != nil {
				t.Fatal(err)
			}
			if d.LastDay.String() != tt.lastDay {
				t.Errorf("last day %s, want %s", d.LastDay, tt.lastDay)
			}
			if (d.Calendar == cal.Version()) != tt.calendar || (d.Calendar != "" && d.Calendar != cal.Version()) {
				t.Errorf("calendar %q, want it %v", d.Calendar, tt.calendar)
			}
			if d.Provisional != tt.provisional || d.Provisional != strings.Contains(d.Reason, "2027 not yet decreed") {
				t.Errorf("provisional %v (%q), want %v", d.Provisional, d.Reason, tt.provisional)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(minimal(f))
	f.Add([]byte(`{"id":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := profile.Parse(data)
		if err != nil {
			if !errors.Is(err, profile.ErrInvalidProfile) || p != nil {
				t.Fatalf("Parse error %v with profile %v", err, p)
			}
			return
		}
		// A valid profile survives a round trip unchanged.
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := profile.Parse(b)
		if err != nil {
			t.Fatalf("re-parse of a valid profile: %v", err)
		}
		if q.Ref() != p.Ref() || len(q.Deadlines) != len(p.Deadlines) {
			t.Fatalf("round trip changed the profile")
		}
	})
}
