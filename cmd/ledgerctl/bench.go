package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// runBench is `ledgerctl bench NAME [flags]`: it runs the ledgerbench
// binary (built beside ledgerctl by make build, or found on PATH) with the
// same arguments, so the benchmarks' names, flags and JSON output stay
// those of ledgerctl while their code stays out of this binary.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	bin, err := ledgerbench()
	if err != nil {
		return fail(stderr, err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		return fail(stderr, err)
	}
	return 0
}

// ledgerbench finds the ledgerbench binary: beside this executable first.
func ledgerbench() (string, error) {
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "ledgerbench")
		if fi, err := os.Stat(beside); err == nil && !fi.IsDir() {
			return beside, nil
		}
	}
	if p, err := exec.LookPath("ledgerbench"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the benchmarks are in the ledgerbench binary, which is neither beside ledgerctl nor on PATH: make build puts both in bin/ (or: go run ./cmd/ledgerbench NAME)")
}
