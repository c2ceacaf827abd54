package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"docledger/adapters/identity"
	"docledger/adapters/pg"
	"docledger/adapters/policy"
	"docledger/cmd/internal/app"
	"docledger/domain"
)

// demoIIN is the demo user ledgerctl login --demo logs in by default:
// serik, first head of the demo's idocs client (cmd/internal/demo).
const demoIIN = "880512300401"

const loginUsage = `usage: ledgerctl login --demo [--iin IIN] [--bin BIN] [--staff ROLE]

Local and demo use only: open a session directly in DATABASE_URL's database,
without an EDS signature, and print its secret (dls_...) on stdout, so that
  TOKEN=$(ledgerctl login --demo)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/v1/...
works. Whoever can run this can act as anyone: it is an operator's tool on the
server, never a way in for clients (they log in with EDS: POST
/api/v1/auth/eds/login). The session lasts LEDGER_SESSION_TTL (default 8h).
A --staff session works only while ledgerd's LEDGER_STAFF_FILE gives the IIN
that role (otherwise: 401 staff_role_withdrawn).`

// runLogin opens a demo session.
func runLogin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "required: open a session without a signature (local and demo use only)")
	iin := fs.String("iin", demoIIN, "the user's IIN (12 digits; the default is the demo's individual user)")
	bin := fs.String("bin", "", "the organisation's BIN the session names, if any")
	staff := fs.String("staff", "", "open a staff session in this role (support, billing, enforcement, arbiter, auditor, administrator)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, loginUsage)
		return 2
	}
	if !*demo {
		fmt.Fprintln(stderr, "ledgerctl login: only --demo is supported (clients log in with EDS: POST /api/v1/auth/eds/login)")
		return 2
	}
	if len(*iin) != 12 || strings.Trim(*iin, "0123456789") != "" || (*bin != "" && (len(*bin) != 12 || strings.Trim(*bin, "0123456789") != "")) {
		return fail(stderr, fmt.Errorf("--iin and --bin are 12 digits"))
	}
	l := identity.Login{IIN: *iin, BIN: *bin, Staff: policy.StaffRole(*staff), Evidence: []byte(`{"opened_by":"ledgerctl login --demo"}`)}
	if l.Staff != "" {
		if _, err := identity.ParseStaff([]byte(fmt.Sprintf(`{%q: %q}`, *iin, *staff))); err != nil {
			return fail(stderr, err)
		}
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return fail(stderr, err)
	}
	pool, err := pg.Connect(ctx, pg.Config{URL: cfg.DatabaseURL, Role: cfg.DBRole, MaxConns: 2, ApplicationName: "ledgerctl-login"})
	if err != nil {
		return fail(stderr, err)
	}
	defer pool.Close()
	store, err := identity.NewStore(pool, nil)
	if err != nil {
		return fail(stderr, err)
	}
	auth, err := identity.New(identity.Config{Store: store, Clock: domain.SystemClock, SessionTTL: cfg.SessionTTL})
	if err != nil {
		return fail(stderr, err)
	}
	sess, secret, err := auth.OpenDirect(ctx, l)
	if err != nil {
		return fail(stderr, fmt.Errorf("open session: %w", err))
	}
	fmt.Fprintf(stderr, "ledgerctl login: demo session %s for IIN %s until %s (local and demo use only)\n", sess.ID, *iin, sess.ExpiresAt.Format("2006-01-02T15:04:05Z07:00"))
	fmt.Fprintln(stdout, secret)
	return 0
}
