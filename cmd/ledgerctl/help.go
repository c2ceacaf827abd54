package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"docledger/cmd/internal/app"
	"docledger/domain/profile"
	"docledger/profiles"
)

// helpTopic is the help of one command or sub-command.
type helpTopic struct {
	usage string
	// subs are the sub-commands, in the order help lists them.
	subs []string
	// subOptional: the command runs without a sub-command (ledgerctl demo
	// loads, like ledgerctl demo load), flags included.
	subOptional bool
	// noun names a sub-command in errors ("sub-command", "benchmark").
	noun string
	// flags: the help ends with the command's flags, asked from its own flag
	// set (the command is run with -h; it must parse its flags before doing
	// anything else).
	flags bool
	// extra, when set, adds lines computed at run time (the valid choices).
	extra func() string
}

// envHelp is the environment ledgerctl reads (directly, or through the
// application configuration for demo and the ledgerd that bench commands
// starts).
const envHelp = `environment:
  DATABASE_URL        PostgreSQL URL for every command that uses the database
                      (migrate, demo, projections, events, bench, parties,
                      login);
                      make db prints the private cluster's
  LEDGER_TRUST_DIR    trusted NCA RK root and intermediate certificates: the
                      default of signature verify --trust (demo verifies
                      against its own PKI's)
  LEDGER_DEMO_PKI     where demo keeps its PKI (default ./.data/demo-pki)
  LEDGER_SESSION_TTL  how long a session of login --demo lasts (default 8h)
  LEDGER_DB_ROLE      role set on the database connections of demo (default
                      ledger_app; - keeps the login role)
  LEDGER_TRANSPORT, NATS_URL, LEDGER_COMMAND_PARTITIONS, LEDGER_DB_POOL_SIZE,
  LEDGER_STREAM_CACHE, LEDGER_POLL_INTERVAL, LEDGER_LOG_LEVEL
                      the application configuration demo runs with (and the
                      ledgerd that bench commands starts); see README
                      "Configuration"`

// helpTopics has the help of every command and sub-command, by path.
var helpTopics = map[string]helpTopic{
	"migrate": {usage: "usage: ledgerctl migrate\n\nApply the database migrations to DATABASE_URL (idempotent)."},
	"demo": {usage: "usage:\n  ledgerctl demo [load] [--pki DIR]\n  ledgerctl demo sign FILE --as USER [--out FILE] [--detached] [--auth]\n  ledgerctl demo users\n\nThe demo of make run: a local NCA-like PKI in ./.data/demo-pki (generated at first start,\nreused afterwards; its trust directory is make run's LEDGER_TRUST_DIR), and the demo parties,\noffers, acceptances and documents loaded through the command path (idempotent).",
		subs: []string{"load", "sign", "users"}, subOptional: true},
	"demo load": {usage: "usage: ledgerctl demo load [--pki DIR]   (ledgerctl demo alone does the same)\n\nGenerate the demo PKI when missing, then load the demo data through the command path:\nparties of the five operator profiles, offers accepted (by EDS where the profile says so), users,\norg units, certificates, and documents registered, sent and delivered. Loading it twice changes\nnothing.",
		flags: true},
	"demo sign": {usage: "usage: ledgerctl demo sign FILE --as USER [--out FILE] [--detached] [--auth] [--pki DIR]\n\nSign FILE with the demo user USER's SIGN key (--auth: AUTH key) and print the CMS in base64\n(--out: DER to a file), ready to send as a signature's cms. ledgerctl demo users lists the users.",
		flags: true},
	"demo users": {usage: "usage: ledgerctl demo users [--pki DIR]\n\nList the demo parties, users (who can sign with --as), offers (with their text files) and\ndocuments, with their ids.",
		flags: true},
	"projections": {usage: "usage:\n  ledgerctl projections status\n  ledgerctl projections rebuild NAME [--batch N]\n\nThe read models: their checkpoints against the head of the log, or a rebuild from zero\ninto fresh tables swapped in atomically.",
		subs: []string{"status", "rebuild"}},
	"projections status": {usage: "usage: ledgerctl projections status\n\nPrint each read model's checkpoint against the head of the log, one JSON object a line."},
	"projections rebuild": {usage: "usage: ledgerctl projections rebuild NAME [--batch N]\n\nReplay the log from zero into a fresh copy of the read model NAME and swap it in atomically.\n\nflags:\n  --batch N   events per transaction (default 5000)",
		extra: func() string {
			cat, err := profiles.Catalog()
			if err != nil {
				return err.Error()
			}
			return "read models (NAME): " + strings.Join(projectionNames(app.Projections(app.NewRegistry(), cat)), ", ")
		}},
	"events":      {usage: "usage: ledgerctl events tail [--after POSITION] [--limit N] [--follow]\n\nThe event log.", subs: []string{"tail"}},
	"events tail": {usage: "usage: ledgerctl events tail [--after POSITION] [--limit N] [--follow]\n\nPrint the event log as JSON lines, one event a line.", flags: true},
	"bench": {usage: "usage: ledgerctl bench append|commands|rebuild|lag|signatures [flags]\n\nMeasure speed in a scratch database beside DATABASE_URL (dropped afterwards; --keep keeps it).\nEach benchmark prints one JSON object as its last line; docs/benchmarks.md has the results.",
		subs: []string{"append", "commands", "rebuild", "lag", "signatures"}, noun: "benchmark"},
	"bench append":              {usage: "usage: ledgerctl bench append [flags]\n\nAppend throughput and latency of the event store, raw and through Append.", flags: true},
	"bench commands":            {usage: "usage: ledgerctl bench commands [flags]\n\nHTTP command throughput and latency against a ledgerd it starts.", flags: true},
	"bench rebuild":             {usage: "usage: ledgerctl bench rebuild [flags]\n\nProjection rebuild speed over a log of --events events.", flags: true},
	"bench lag":                 {usage: "usage: ledgerctl bench lag [flags]\n\nProjection lag while events are appended at --rate.", flags: true},
	"bench signatures":          {usage: "usage: ledgerctl bench signatures [flags]\n\nEDS verifications per second (RSA-2048, GOST 34.10-2015 512, GOST 34.310-2004) with cached revocation data.", flags: true},
	"id":                        {usage: "usage: ledgerctl id check NUMBER\n\nIIN and BIN numbers.", subs: []string{"check"}},
	"id check":                  {usage: "usage: ledgerctl id check NUMBER\n\nSay whether NUMBER is a valid IIN or BIN and what it encodes (birth date and sex of an IIN;\nregistration, entity type and division of a BIN). Exit status 0 only when it is valid."},
	"calendar":                  {usage: calendarUsage, subs: []string{"add-working-days", "deadline"}},
	"calendar add-working-days": {usage: "usage: ledgerctl calendar add-working-days DATE N\n\nThe date N working days after DATE (YYYY-MM-DD) on the Kazakhstan business calendar."},
	"calendar deadline": {usage: "usage: ledgerctl calendar deadline --profile P --rule R --from TIME\n\nWhen the deadline rule R of the policy profile P, running from TIME, is due.\nTIME is RFC 3339, or YYYY-MM-DDTHH:MM in Asia/Almaty, or a date (its start).\nP is a profile id (latest version) or id.vN; an unknown P or R lists the valid ones.",
		flags: true, extra: profileChoices},
	"signature": {usage: "usage: ledgerctl signature verify --cms FILE [--data FILE] [--trust DIR] [--at RFC3339] [--offline] [--ocsp URL]\n\nEDS (CMS/PKCS#7) signatures.", subs: []string{"verify"}},
	"signature verify": {usage: "usage: ledgerctl signature verify --cms FILE [--data FILE] [--trust DIR] [--at RFC3339] [--offline] [--ocsp URL]\n\nVerify a CMS signature from files and print the evidence record as JSON.\nExit status: 0 valid (with --offline: valid except for the revocation check it skipped), 1 not valid, 2 usage.",
		flags: true},
	"login":                    {usage: loginUsage, flags: true},
	"parties":                  {usage: partiesUsage, subs: []string{"show", "acceptance-proof", "offer-at", "terms-ending"}},
	"parties show":             {usage: "usage: ledgerctl parties show PARTY_ID\n\nThe party (a UUID) as the parties read model has it, as JSON."},
	"parties acceptance-proof": {usage: "usage: ledgerctl parties acceptance-proof PARTY_ID\n\nThe proof of the party's offer acceptances: signatures, confirmations and their evidence, as JSON."},
	"parties offer-at":         {usage: "usage: ledgerctl parties offer-at PARTY_ID --at TIME\n\nWhich offers applied to the party at TIME (RFC 3339, YYYY-MM-DDTHH:MM in Asia/Almaty, or a date), as JSON.\n\nflags:\n  --at TIME   the time to answer for (required)"},
	"parties terms-ending":     {usage: "usage: ledgerctl parties terms-ending --before TIME [--from TIME] [--limit N]\n\nThe terms ending in [--from, --before), as JSON.\n\nflags:\n  --before TIME   list terms ending before this time (required)\n  --from TIME     list terms ending from this time (default now)\n  --limit N       at most this many terms (default 100)"},
}

// isHelp says whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// helpRequest says whether args (after the command name) ask for help, and
// for which topic: "CMD --help", "CMD help [SUB]", "CMD SUB --help" (anywhere
// before a "--"), "CMD SUB help".
func helpRequest(cmd string, args []string) ([]string, bool) {
	t := helpTopics[cmd]
	path := []string{cmd}
	if len(args) > 0 && slices.Contains(t.subs, args[0]) {
		path = append(path, args[0])
	}
	if len(args) > 0 && args[0] == "help" {
		return append(path, args[1:]...), true
	}
	if len(args) > 1 && len(path) == 2 && args[1] == "help" {
		return path, true
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			return path, true
		}
	}
	return nil, false
}

// printHelp prints the help of path (nothing: ledgerctl's own) to stdout.
func printHelp(ctx context.Context, path []string, stdout, stderr io.Writer) int {
	cmds := commandTable()
	if len(path) == 0 {
		usage(stdout, cmds)
		return 0
	}
	if _, ok := cmds[path[0]]; !ok {
		fmt.Fprintf(stderr, "ledgerctl help: unknown command %q (valid: %s)\n", path[0], strings.Join(commandNames(cmds), ", "))
		return 2
	}
	if len(path) > 2 {
		path = path[:2]
	}
	key := strings.Join(path, " ")
	t, ok := helpTopics[key]
	if !ok {
		parent := helpTopics[path[0]]
		fmt.Fprintf(stderr, "ledgerctl help %s: unknown %s %q (valid: %s)\n", path[0], parent.nounOr(), path[1], strings.Join(parent.subs, ", "))
		return 2
	}
	fmt.Fprintln(stdout, t.usage)
	if len(t.subs) > 0 {
		fmt.Fprintf(stdout, "\n%ss: %s (ledgerctl %s %s --help)\n", t.nounOr(), strings.Join(t.subs, ", "), path[0], strings.ToUpper(t.nounOr()))
	}
	if t.extra != nil {
		fmt.Fprintf(stdout, "\n%s\n", t.extra())
	}
	if t.flags {
		var b bytes.Buffer
		cmds[path[0]].run(ctx, append(slices.Clone(path[1:]), "-h"), io.Discard, &b)
		lines := strings.SplitAfter(b.String(), "\n")
		if len(lines) > 0 && strings.HasPrefix(lines[0], "Usage of ") {
			lines = lines[1:]
		}
		fmt.Fprintf(stdout, "\nflags:\n%s", strings.Join(lines, ""))
	}
	return 0
}

func (t helpTopic) nounOr() string {
	if t.noun != "" {
		return t.noun
	}
	return "sub-command"
}

// checkSub refuses a command with sub-commands called without one, or with
// one it does not have, listing the valid ones. It returns -1 when the
// command may run.
func checkSub(cmd string, args []string, stderr io.Writer) int {
	t := helpTopics[cmd]
	if len(t.subs) == 0 || t.subOptional && (len(args) == 0 || strings.HasPrefix(args[0], "-")) {
		return -1
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, t.usage)
		fmt.Fprintf(stderr, "\nledgerctl %s: which %s? (valid: %s)\n", cmd, t.nounOr(), strings.Join(t.subs, ", "))
		return 2
	}
	if !slices.Contains(t.subs, args[0]) {
		fmt.Fprintf(stderr, "ledgerctl %s: unknown %s %q (valid: %s; ledgerctl %s --help)\n", cmd, t.nounOr(), args[0], strings.Join(t.subs, ", "), cmd)
		return 2
	}
	return -1
}

func commandNames(cmds map[string]command) []string {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// profileChoices lists the profiles and their deadline rules.
func profileChoices() string {
	cat, err := profiles.Catalog()
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("profiles (P) and their deadline rules (R):")
	for _, r := range cat.Refs() {
		p, err := cat.Get(r)
		if err != nil {
			continue
		}
		rules := make([]string, 0, len(p.Deadlines))
		for _, d := range p.Deadlines {
			rules = append(rules, d.ID)
		}
		fmt.Fprintf(&b, "\n  %-14s %s", r, strings.Join(rules, ", "))
	}
	return b.String()
}

// withProfileChoices adds the valid profiles to an unknown-profile error.
func withProfileChoices(err error, cat *profile.Catalog) error {
	if !errors.Is(err, profile.ErrUnknownProfile) {
		return err
	}
	var ids []string
	for _, r := range cat.Refs() {
		if !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
		ids = append(ids, r.String())
	}
	return fmt.Errorf("%w (valid profiles: %s)", err, strings.Join(ids, ", "))
}

// withRuleChoices adds the profile's deadline rules to an unknown-rule error.
func withRuleChoices(err error, p *profile.Profile) error {
	if !errors.Is(err, profile.ErrUnknownRule) {
		return err
	}
	rules := make([]string, 0, len(p.Deadlines))
	for _, r := range p.Deadlines {
		rules = append(rules, r.ID)
	}
	return fmt.Errorf("%w (deadline rules of %s: %s)", err, p.Ref(), strings.Join(rules, ", "))
}
