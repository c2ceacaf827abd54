package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"docledger/cmd/internal/app"
	"docledger/cmd/internal/demo"
)

// defaultDemoPKI is where the demo PKI lives: LEDGER_DEMO_PKI, else
// ./.data/demo-pki of the directory ledgerctl runs in (make run's).
func defaultDemoPKI() string {
	if d := strings.TrimSpace(os.Getenv("LEDGER_DEMO_PKI")); d != "" {
		return d
	}
	return filepath.Join(".data", "demo-pki")
}

// runDemo dispatches ledgerctl demo [load|sign|users].
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runDemoLoad(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "load":
		return runDemoLoad(ctx, args[1:], stdout, stderr)
	case "sign":
		return runDemoSign(args[1:], stdout, stderr)
	case "users":
		return runDemoUsers(args[1:], stdout, stderr)
	}
	return checkSub("demo", args, stderr)
}

// runDemoLoad generates (or reuses) the demo PKI and loads the demo data
// through the command path; every command has a fixed idempotency key.
func runDemoLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("pki", defaultDemoPKI(), "directory of the demo PKI, created when missing; $LEDGER_DEMO_PKI sets the default")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ledgerctl demo load: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return fail(stderr, err)
	}
	pki, err := demo.Ensure(*dir, time.Now())
	if err != nil {
		return fail(stderr, err)
	}
	if err := demo.WriteOfferTexts(pki); err != nil {
		return fail(stderr, err)
	}
	if cfg.TrustDir != "" && filepath.Clean(cfg.TrustDir) != pki.TrustDir() {
		fmt.Fprintf(stderr, "ledgerctl demo: LEDGER_TRUST_DIR is %s, but the demo's signatures are verified against its own PKI, %s: a ledgerd that does not trust it refuses them\n", cfg.TrustDir, pki.TrustDir())
	}
	cfg.TrustDir = pki.TrustDir()
	cfg.Projections = false
	// The demo sends commands on the bus and serves no HTTP.
	a, err := app.NewWith(ctx, cfg, app.NewLogger(cfg.LogLevel+4), app.Deps{Authenticator: app.NoCredentials{}})
	if err != nil {
		return fail(stderr, err)
	}
	defer a.Close()
	busCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- a.Bus.Run(busCtx) }()
	defer func() { stop(); a.Bus.Close(); <-done }()
	select {
	case <-a.Bus.Running():
	case <-time.After(30 * time.Second):
		return fail(stderr, fmt.Errorf("command bus did not start"))
	}
	rep, err := demo.Load(ctx, a.Bus, pki)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "demo: %d parties, %d offers, %d documents: %d commands, %d new commands applied\n",
		len(demo.Parties), len(demo.Offers), len(demo.Documents), rep.Commands, rep.Applied)
	fmt.Fprintf(stdout, "demo: PKI in %s (trust directory %s); ledgerctl demo users lists who can sign\n", pki.Dir, pki.TrustDir())
	return 0
}

// runDemoSign signs a file with a demo user's key.
func runDemoSign(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	as := fs.String("as", "", "the demo user who signs (ledgerctl demo users lists them)")
	out := fs.String("out", "", "write the CMS (DER) to this file instead of base64 on stdout")
	detached := fs.Bool("detached", false, "leave the content out of the CMS (send it as the signature's content)")
	auth := fs.Bool("auth", false, "sign with the AUTH key (login) instead of the SIGN key")
	dir := fs.String("pki", defaultDemoPKI(), "directory of the demo PKI; $LEDGER_DEMO_PKI sets the default")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 1 || *as == "" {
		fmt.Fprintln(stderr, "usage: ledgerctl demo sign FILE --as USER [--out FILE] [--detached] [--auth] [--pki DIR]")
		return 2
	}
	content, err := os.ReadFile(pos[0])
	if err != nil {
		return fail(stderr, err)
	}
	pki, err := demo.Open(*dir)
	if err != nil {
		return fail(stderr, err)
	}
	if _, ok := pki.Holder(*as); !ok {
		fmt.Fprintf(stderr, "ledgerctl demo sign: no demo user %q (valid: %s)\n", *as, strings.Join(demoLogins(), ", "))
		return 2
	}
	cms, err := pki.Sign(*as, content, demo.SignOptions{Detached: *detached, Auth: *auth})
	if err != nil {
		return fail(stderr, err)
	}
	if *out != "" {
		if err := os.WriteFile(*out, cms, 0o644); err != nil {
			return fail(stderr, err)
		}
		return 0
	}
	fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(cms))
	return 0
}

// runDemoUsers lists the demo parties, users and offers with their ids.
func runDemoUsers(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("pki", defaultDemoPKI(), "directory of the demo PKI; $LEDGER_DEMO_PKI sets the default")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PARTY\tPARTY ID\tKIND\tIIN/BIN\tNAME")
	for _, p := range demo.Parties {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Key, p.ID(), p.Kind, p.IdentityNumber, p.Names.Full)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "USER (--as)\tIIN\tBIN\tNAME\tACTS FOR\tROLE\tSIGN CERTIFICATE")
	pki, _ := demo.Open(*dir)
	for _, u := range demo.Users {
		cert := "(no demo PKI yet: make run)"
		if pki != nil {
			cert = filepath.Join(*dir, "users", u.Login, "sign.pem")
		}
		acts, role, bin := u.Party, string(u.Role), u.BIN
		if acts == "" {
			acts, role = "nobody yet", "-"
		}
		if bin == "" {
			bin = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s %s\t%s\t%s\t%s\n", u.Login, u.IIN, bin, u.Surname, u.GivenName, acts, role, cert)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "OFFER\tVERSION\tPROFILE\tTEXT FILES (sign one to accept by EDS)")
	for _, o := range demo.Offers {
		var files []string
		for _, l := range slices.Sorted(maps.Keys(o.Texts)) {
			files = append(files, demo.OfferTextFile(*dir, o, l))
		}
		fmt.Fprintf(w, "%s\t1\t%s\t%s\n", o.ID, o.Profile, strings.Join(files, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "DOCUMENT\tDOCUMENT ID\tFROM\tTO\tSTATE\tTITLE")
	for _, d := range demo.Documents {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Key, d.ID(), d.From, d.To, d.State, d.Title)
	}
	return exitOf(w.Flush(), stderr)
}

func exitOf(err error, stderr io.Writer) int {
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

func demoLogins() []string {
	var l []string
	for _, u := range demo.Users {
		l = append(l, u.Login)
	}
	return l
}

// parseInterspersed parses flags that may come after positional arguments
// (ledgerctl demo sign FILE --as USER) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// usageExit is the exit status of a flag parse error: 0 for -h (the flag
// package printed the usage), else 2.
func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
