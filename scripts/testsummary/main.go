// Command testsummary reads `go test -json` on stdin and prints what a person
// wants to see: one line per package (as go test prints without -v), the full
// output of every failed test and of build failures, then the tests skipped
// with their reason, and a summary line of packages and tests passed, failed
// and skipped. It exits 1 when anything failed (or the stream had no result
// for a package that started), so scripts/test.sh keeps an honest status.
//
//	go test -json ./... | go run ./scripts/testsummary
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

type testKey struct{ pkg, test string }

type summary struct {
	out io.Writer

	output  map[testKey][]string // output of tests still running
	pkgOut  map[string][]string  // package-level output not yet printed
	started map[string]bool      // packages that started and have no result yet

	pkgs                    map[string]string // package -> ok, FAIL, no tests
	passed, failed, skipped int
	topPassed, topFailed    int
	failedTests             []string
	skips                   map[string][]string // reason -> tests
	buildFailed             bool
}

func newSummary(out io.Writer) *summary {
	return &summary{out: out, output: map[testKey][]string{}, pkgOut: map[string][]string{},
		started: map[string]bool{}, pkgs: map[string]string{}, skips: map[string][]string{}}
}

func (s *summary) add(e event) {
	switch e.Action {
	case "build-output":
		fmt.Fprint(s.out, e.Output)
		return
	case "build-fail":
		s.buildFailed = true
		return
	case "start":
		s.started[e.Package] = true
		return
	}
	if e.Test == "" {
		s.pkgEvent(e)
		return
	}
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "run":
		s.output[k] = nil
	case "output":
		s.output[k] = append(s.output[k], e.Output)
	case "pass":
		s.passed++
		if !strings.Contains(e.Test, "/") {
			s.topPassed++
		}
		delete(s.output, k)
	case "skip":
		s.skipped++
		reason := skipReason(e.Test, s.output[k])
		s.skips[reason] = append(s.skips[reason], short(e.Package)+" "+e.Test)
		delete(s.output, k)
	case "fail":
		s.failed++
		if !strings.Contains(e.Test, "/") {
			s.topFailed++
		}
		s.failedTests = append(s.failedTests, short(e.Package)+" "+e.Test)
		// A parent's output holds its sub-tests' failures already printed; print
		// the test's own lines.
		for _, l := range s.output[k] {
			fmt.Fprint(s.out, l)
		}
		delete(s.output, k)
	}
}

func (s *summary) pkgEvent(e event) {
	switch e.Action {
	case "output":
		// go test's own package lines (ok/FAIL/?) are printed from the result;
		// keep the rest (a panic outside a test, TestMain output) for failures.
		l := e.Output
		if strings.HasPrefix(l, "ok  \t") || strings.HasPrefix(l, "FAIL\t") || strings.HasPrefix(l, "?   \t") ||
			l == "PASS\n" || l == "FAIL\n" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- ") {
			return
		}
		s.pkgOut[e.Package] = append(s.pkgOut[e.Package], l)
	case "pass":
		delete(s.started, e.Package)
		s.pkgs[e.Package] = "ok"
		fmt.Fprintf(s.out, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
		delete(s.pkgOut, e.Package)
	case "skip":
		delete(s.started, e.Package)
		s.pkgs[e.Package] = "no tests"
		delete(s.pkgOut, e.Package)
	case "fail":
		delete(s.started, e.Package)
		s.pkgs[e.Package] = "FAIL"
		for _, l := range s.pkgOut[e.Package] {
			fmt.Fprint(s.out, l)
		}
		delete(s.pkgOut, e.Package)
		// Output of tests that never finished (a panic, a timeout).
		for k, lines := range s.output {
			if k.pkg == e.Package {
				for _, l := range lines {
					fmt.Fprint(s.out, l)
				}
				delete(s.output, k)
			}
		}
		why := ""
		if e.FailedBuild != "" {
			why = " [build failed]"
		}
		fmt.Fprintf(s.out, "FAIL\t%s\t%.3fs%s\n", e.Package, e.Elapsed, why)
	}
}

// skipReason is the message a skipped test gave (t.Skip's text, without the
// file:line prefix), or its parent's when all its sub-tests skipped alike.
func skipReason(test string, lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		if i := strings.Index(t, ".go:"); i > 0 {
			if j := strings.Index(t[i:], ": "); j > 0 {
				t = t[i+j+2:]
			}
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " ")
}

func short(pkg string) string {
	if i := strings.Index(pkg, "/"); i >= 0 {
		return pkg[i+1:]
	}
	return pkg
}

func (s *summary) report() int {
	status := 0
	for p := range s.started {
		fmt.Fprintf(s.out, "FAIL\t%s\t(no result: the test binary did not finish)\n", p)
		s.pkgs[p] = "FAIL"
		status = 1
	}
	reasons := make([]string, 0, len(s.skips))
	for r := range s.skips {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	if len(reasons) > 0 {
		fmt.Fprintln(s.out, "\nskipped:")
	}
	for _, r := range reasons {
		tests := s.skips[r]
		sort.Strings(tests)
		shown := tests
		more := ""
		if len(shown) > 4 {
			shown, more = shown[:4], fmt.Sprintf(" and %d more", len(tests)-4)
		}
		fmt.Fprintf(s.out, "  %d skipped (%s%s): %s\n", len(tests), strings.Join(shown, ", "), more, r)
	}
	var ok, failed, none int
	for _, st := range s.pkgs {
		switch st {
		case "ok":
			ok++
		case "FAIL":
			failed++
		default:
			none++
		}
	}
	if len(s.failedTests) > 0 {
		fmt.Fprintf(s.out, "\nfailed: %s\n", strings.Join(s.failedTests, ", "))
	}
	fmt.Fprintf(s.out, "\nSUMMARY: %d packages (%d ok, %d failed, %d without tests); tests: %d passed, %d failed, %d skipped (%d top-level tests passed, %d failed; the rest are sub-tests)\n",
		len(s.pkgs), ok, failed, none, s.passed, s.failed, s.skipped, s.topPassed, s.topFailed)
	if failed > 0 || s.failed > 0 || s.buildFailed {
		status = 1
	}
	return status
}

func main() {
	s := newSummary(os.Stdout)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event (go vet or build output on the same stream): pass it on.
			fmt.Fprintf(os.Stdout, "%s\n", line)
			continue
		}
		s.add(e)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(1)
	}
	os.Exit(s.report())
}
