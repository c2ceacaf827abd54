// Command ledgerbench measures docledger's speed: event appends, the
// command path over HTTP, projection rebuilds and lag, EDS verification.
// Each benchmark prints one JSON object as its last line
// (docs/benchmarks.md has the results and the commands that made them).
//
// It is a binary of its own so that the operators' CLI does not carry load
// generators and test PKIs; `ledgerctl bench NAME` runs it with the same
// arguments and output.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runBench(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "ledgerbench: %v\n", err)
	return 1
}
