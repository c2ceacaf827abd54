package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestTools(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // parts the output must contain
		stderr string
	}{
		{"valid IIN", []string{"id", "check", "900101300126"}, 0,
			[]string{"900101300126: valid IIN", "birth date: 1990-01-01", "sex: male"}, ""},
		{"valid IIN of a woman born in 2005", []string{"id", "check", "051202600128"}, 0,
			[]string{"valid IIN", "birth date: 2005-12-02", "sex: female"}, ""},
		{"valid BIN", []string{"id", "check", "171140001255"}, 0,
			[]string{"171140001255: valid BIN", "entity type: resident_legal_entity", "division: head_office"}, ""},
		{"wrong check digit", []string{"id", "check", "900101300123"}, 1, []string{"invalid"}, "kzid_check_digit"},
		{"not 12 digits", []string{"id", "check", "12345"}, 1, []string{"invalid"}, "kzid_malformed"},
		{"id without number", []string{"id", "check"}, 2, nil, "usage"},
		{"add working days over Nauryz 2026", []string{"calendar", "add-working-days", "2026-03-20", "1"}, 0, []string{"2026-03-26\n"}, ""},
		{"add working days onto the working Sunday of 2025", []string{"calendar", "add-working-days", "2025-01-02", "1"}, 0, []string{"2025-01-05\n"}, ""},
		{"add working days, bad date", []string{"calendar", "add-working-days", "2026-02-30", "1"}, 1, nil, "calendar_bad_date"},
		{"add working days, bad N", []string{"calendar", "add-working-days", "2026-02-03", "x"}, 1, nil, "whole number"},
		{"add working days into 2027", []string{"calendar", "add-working-days", "2026-12-28", "5"}, 0,
			[]string{"2027-01-06\n", "calendar: ", "provisional: true", "reason: ", "transfers of days off for 2027 not yet decreed", "Kurban Ait 2027 date not yet published"}, ""},
		{"add working days in a final year", []string{"calendar", "add-working-days", "2026-12-01", "5"}, 0, []string{"2026-12-08\ncalendar: "}, ""},
		{"add working days far ahead", []string{"calendar", "add-working-days", "2031-03-20", "1"}, 0, []string{"2031-03-26\n", "provisional: true", "Kurban Ait 2031"}, ""},
		{"add working days before the calendar", []string{"calendar", "add-working-days", "2024-01-03", "-3"}, 1, nil, "calendar_year_not_covered"},
		{"deadline into 2027", []string{"calendar", "deadline", "--profile", "atameken.v1", "--rule", "termination_by_client", "--from", "2026-12-21T10:00"}, 0,
			[]string{"last day: 2027-01-06", "calendar: ", "provisional: true", "reason: Kurban Ait 2027", "transfers of days off for 2027 not yet decreed"}, ""},
		{"deadline", []string{"calendar", "deadline", "--profile", "idocs", "--rule", "invoice_payment", "--from", "2025-03-14T10:00"}, 0,
			[]string{"profile: idocs.v1", "rule: invoice_payment (clause 4.6)", "from: 2025-03-14T10:00:00+05:00", "last day: 2025-03-26", "due: 2025-03-27T00:00:00+05:00"}, ""},
		{"deadline in working days", []string{"calendar", "deadline", "--profile", "atameken.v1", "--rule", "termination_by_client", "--from", "2024-05-02T04:00:00Z"}, 0,
			[]string{"last day: 2024-05-20"}, ""},
		{"deadline, unknown profile", []string{"calendar", "deadline", "--profile", "nosuch", "--rule", "x", "--from", "2025-01-10"}, 1, nil, "profile_unknown"},
		{"deadline, unknown rule", []string{"calendar", "deadline", "--profile", "kezekte", "--rule", "invoice_payment", "--from", "2025-01-10"}, 1, nil, "profile_rule_unknown"},
		{"deadline, missing flag", []string{"calendar", "deadline", "--profile", "idocs"}, 2, nil, "usage"},
		{"calendar, unknown sub-command", []string{"calendar", "holidays"}, 2, nil, "unknown sub-command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout %q lacks %q", out.String(), s)
				}
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.stderr)
			}
		})
	}
}
