// Command ledgerctl is docledger's operator and auditor CLI: migrations,
// projections, the event log, benchmarks and the offline tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one ledgerctl sub-command. run returns the process exit status.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commandTable lists every sub-command; the composition of ledgerctl is here.
func commandTable() map[string]command {
	return map[string]command{
		"migrate":     {"apply the database migrations", runMigrate},
		"projections": {"rebuild NAME | status: the read models", runProjections},
		"events":      {"tail [--after P] [--follow]: print the event log as JSON lines", runEvents},
		"demo":        {"load the demo data (idempotent)", runDemo},
		"bench":       {"append | commands | rebuild | lag | signatures: measure speed", runBench},
		"id":          {"check an IIN or BIN", runID},
		"calendar":    {"Kazakhstan business calendar and deadlines", runCalendar},
		"signature":   {"verify signatures from files", runSignature},
		"parties":     {"show | acceptance-proof | offer-at | terms-ending: the party read models", runParties},
		"login":       {"--demo [--iin IIN]: print a session token (local and demo use only)", runLogin},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commandTable()
	if len(args) == 0 {
		usage(stderr, cmds)
		return 2
	}
	if isHelp(args[0]) {
		return printHelp(ctx, args[1:], stdout, stderr)
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ledgerctl: unknown command %q (valid: %s)\n\n", args[0], strings.Join(commandNames(cmds), ", "))
		usage(stderr, cmds)
		return 2
	}
	if path, ok := helpRequest(args[0], args[1:]); ok {
		return printHelp(ctx, path, stdout, stderr)
	}
	if code := checkSub(args[0], args[1:], stderr); code >= 0 {
		return code
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: ledgerctl COMMAND [ARGS]\n\ncommands:")
	for _, n := range commandNames(cmds) {
		fmt.Fprintf(w, "  %-14s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintf(w, "\nledgerctl COMMAND --help (or ledgerctl help COMMAND [SUB-COMMAND]) explains one.\n\n%s\n", envHelp)
}

// fail prints err as ledgerctl's error and returns exit status 1.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "ledgerctl: %v\n", err)
	return 1
}
