package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

// TestHelp runs every command and sub-command with each way of asking for
// help: usage on stdout, nothing on stderr, exit status 0, and no database
// needed.
func TestHelp(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	type call struct {
		args []string
		want string // the help must contain this
	}
	calls := []call{
		{[]string{"--help"}, "environment:"}, {[]string{"-h"}, "environment:"}, {[]string{"help"}, "environment:"},
	}
	for name := range commandTable() {
		if _, ok := helpTopics[name]; !ok {
			t.Errorf("command %q has no help topic", name)
		}
	}
	for path, topic := range helpTopics {
		words := strings.Fields(path)
		if _, ok := commandTable()[words[0]]; !ok {
			t.Errorf("help topic %q is not a command", path)
		}
		for _, sub := range topic.subs {
			if _, ok := helpTopics[path+" "+sub]; !ok {
				t.Errorf("sub-command %q of %q has no help topic", sub, path)
			}
		}
		want := "ledgerctl " + path
		calls = append(calls,
			call{append(slices.Clone(words), "--help"), want},
			call{append(slices.Clone(words), "-h"), want},
			call{append(slices.Clone(words), "help"), want},
			call{append([]string{"help"}, words...), want})
		if len(words) == 2 {
			// Help anywhere among the arguments.
			calls = append(calls, call{append(slices.Clone(words), "x", "--help"), want})
		}
		if topic.flags {
			calls = append(calls, call{append(slices.Clone(words), "--help"), "flags:\n  -"})
		}
	}
	calls = append(calls,
		call{[]string{"projections", "rebuild", "--help"}, "inbox, parties, acceptances, terms"},
		call{[]string{"calendar", "deadline", "--help"}, "idocs.v1       amendment_objection, invoice_payment"},
		call{[]string{"demo", "sign", "--help"}, "-as string"},
		call{[]string{"demo", "sign", "x.txt", "--as", "serik", "--help"}, "-detached"},
		call{[]string{"demo", "--help"}, "ledgerctl demo sign FILE --as USER"},
		call{[]string{"demo", "users", "-h"}, "ledgerctl demo users"})
	for _, c := range calls {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, &out, &errb)
		if code != 0 || errb.Len() != 0 || !strings.Contains(out.String(), "usage") || !strings.Contains(out.String(), c.want) {
			t.Errorf("ledgerctl %s: exit %d, stderr %q, stdout %q; want 0, no stderr, usage with %q",
				strings.Join(c.args, " "), code, errb.String(), out.String(), c.want)
		}
	}
	// The environment ledgerctl reads is in the top-level help.
	var out bytes.Buffer
	run(context.Background(), []string{"--help"}, &out, &out)
	for _, env := range []string{"DATABASE_URL", "LEDGER_TRUST_DIR", "LEDGER_DB_ROLE", "NATS_URL"} {
		if !strings.Contains(out.String(), env) {
			t.Errorf("top-level help does not name %s", env)
		}
	}
}

// TestChoicesInErrors: a wrong command, sub-command, benchmark, projection,
// profile or rule is refused with the valid choices.
func TestChoicesInErrors(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "usage: ledgerctl COMMAND"},
		{[]string{"nosuch"}, 2, `unknown command "nosuch" (valid: bench, calendar, demo, events, id, login, migrate, parties, projections, signature)`},
		{[]string{"help", "nosuch"}, 2, "valid: bench, calendar"},
		{[]string{"bench", "nosuch"}, 2, `unknown benchmark "nosuch" (valid: append, commands, rebuild, lag`},
		{[]string{"bench"}, 2, "which benchmark? (valid: append, commands, rebuild, lag, signatures)"},
		{[]string{"calendar", "holidays"}, 2, `unknown sub-command "holidays" (valid: add-working-days, deadline`},
		{[]string{"parties", "list"}, 2, "valid: show, acceptance-proof, offer-at, terms-ending"},
		{[]string{"projections", "drop"}, 2, "valid: status, rebuild"},
		{[]string{"events", "head"}, 2, "valid: tail"},
		{[]string{"signature", "sign"}, 2, "valid: verify"},
		{[]string{"id", "guess"}, 2, "valid: check"},
		{[]string{"projections", "rebuild", "nosuch"}, 2, `unknown projection "nosuch" (valid: inbox, parties, acceptances, terms, compromises)`},
		{[]string{"calendar", "deadline", "--profile", "nosuch", "--rule", "x", "--from", "2025-01-10"}, 1, "valid profiles: atameken, atameken.v1, centerpro"},
		{[]string{"calendar", "deadline", "--profile", "kezekte", "--rule", "x", "--from", "2025-01-10"}, 1, "deadline rules of kezekte.v1: term_renewal"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String(), tt.stderr) {
			t.Errorf("ledgerctl %s: exit %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, errb.String(), tt.code, tt.stderr)
		}
	}
}
