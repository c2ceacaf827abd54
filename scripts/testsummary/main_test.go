package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// feed runs the summary over a go test -json stream.
func feed(t *testing.T, stream string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	s := newSummary(&out)
	sc := bufio.NewScanner(strings.NewReader(stream))
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		s.add(e)
	}
	code := s.report()
	return out.String(), code
}

func TestSummary(t *testing.T) {
	out, code := feed(t, `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestOK"}
{"Action":"output","Package":"m/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"m/a","Test":"TestOK","Elapsed":0}
{"Action":"run","Package":"m/a","Test":"TestNATS"}
{"Action":"output","Package":"m/a","Test":"TestNATS","Output":"    x_test.go:9: NATS_URL not set: needs a server\n"}
{"Action":"output","Package":"m/a","Test":"TestNATS","Output":"--- SKIP: TestNATS (0.00s)\n"}
{"Action":"skip","Package":"m/a","Test":"TestNATS","Elapsed":0}
{"Action":"output","Package":"m/a","Output":"ok  \tm/a\t0.1s\n"}
{"Action":"pass","Package":"m/a","Elapsed":0.1}
{"Action":"start","Package":"m/b"}
{"Action":"run","Package":"m/b","Test":"TestBad"}
{"Action":"output","Package":"m/b","Test":"TestBad","Output":"    b_test.go:3: want 1, got 2\n"}
{"Action":"output","Package":"m/b","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"m/b","Test":"TestBad","Elapsed":0}
{"Action":"fail","Package":"m/b","Elapsed":0.2}
{"Action":"start","Package":"m/c"}
`)
	if code != 1 {
		t.Errorf("exit %d with a failed test and an unfinished package, want 1", code)
	}
	for _, want := range []string{
		"ok  \tm/a\t0.100s\n",
		"b_test.go:3: want 1, got 2",
		"FAIL\tm/b\t0.200s\n",
		"FAIL\tm/c\t(no result",
		"1 skipped (a TestNATS): NATS_URL not set: needs a server",
		"failed: b TestBad",
		"SUMMARY: 3 packages (1 ok, 2 failed, 0 without tests); tests: 1 passed, 1 failed, 1 skipped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "=== RUN") {
		t.Errorf("passing tests' output printed:\n%s", out)
	}

	out, code = feed(t, `{"Action":"start","Package":"m/a"}
{"Action":"pass","Package":"m/a","Test":"TestOK"}
{"Action":"pass","Package":"m/a","Elapsed":0.1}
`)
	if code != 0 || !strings.Contains(out, "tests: 1 passed, 0 failed, 0 skipped") {
		t.Errorf("all passed: exit %d\n%s", code, out)
	}
}
