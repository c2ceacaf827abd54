package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"docledger/adapters/pgtest"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The operators' commands on a real database: migrate, demo (twice: it is
// idempotent), events tail, projections status and rebuild.
func TestOperatorCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", pgtest.NewDatabase(t))
	if code, out, errOut := runCLI(t, "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate on a migrated database: %d %q %q", code, out, errOut)
	}
	t.Setenv("LEDGER_DEMO_PKI", t.TempDir())
	code, out, errOut := runCLI(t, "demo")
	if code != 0 || !strings.Contains(out, "45 commands, 45 new commands") {
		t.Fatalf("demo: %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "demo"); code != 0 || !strings.Contains(out, "0 new commands") {
		t.Fatalf("demo again: %d %q", code, out)
	}
	code, out, errOut = runCLI(t, "events", "tail")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < 45 {
		t.Fatalf("events tail: %d, %d lines, %q", code, len(lines), errOut)
	}
	var first struct {
		Position   int64           `json:"position"`
		Type       string          `json:"type"`
		Data       json.RawMessage `json:"data"`
		DataSHA256 string          `json:"data_sha256"`
		Actor      string          `json:"actor"`
		CommandID  string          `json:"command_id"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Type != "offer.version_published" ||
		len(first.DataSHA256) != 64 || first.Actor != "demo" || first.CommandID != "demo-offer-idocs.v1" {
		t.Fatalf("first event %s: %+v %v", lines[0], first, err)
	}
	if code, out, _ := runCLI(t, "events", "tail", "--after", "0", "--limit", "3"); code != 0 || strings.Count(out, "\n") != 3 {
		t.Fatalf("tail --limit 3: %d %q", code, out)
	}
	if code, _, errOut := runCLI(t, "events", "tail", "--after", "999999"); code == 0 || !strings.Contains(errOut, "unknown log position") {
		t.Fatalf("tail after an unknown position: %d %q", code, errOut)
	}
	code, out, errOut = runCLI(t, "projections", "rebuild", "inbox")
	// The inbox is built from the document events: 5 registered, 4 sent, 2 delivered.
	if code != 0 || !strings.Contains(out, "rebuilt inbox: 11 events") {
		t.Fatalf("rebuild: %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "projections", "status")
	if code != 0 || !strings.Contains(out, `"projection":"inbox"`) {
		t.Fatalf("status: %d %q", code, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var st struct {
			Projection string `json:"projection"`
			Position   int64  `json:"position"`
			Head       int64  `json:"head"`
		}
		json.Unmarshal([]byte(line), &st)
		if st.Projection == "inbox" && (st.Position != st.Head || st.Head == 0) {
			t.Fatalf("inbox after rebuild at %d of %d", st.Position, st.Head)
		}
	}
	if code, _, errOut := runCLI(t, "projections", "rebuild", "nonsense"); code == 0 || !strings.Contains(errOut, "unknown projection") {
		t.Fatalf("rebuild of an unknown projection: %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "no-such-command"); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
}
