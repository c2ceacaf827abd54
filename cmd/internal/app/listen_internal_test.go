package app

import (
	"net"
	"testing"
)

// The start line says where ledgerd listens and whether only this machine
// reaches it.
func TestListeningMessage(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:8080": "listening on http://127.0.0.1:8080 (loopback only; set LEDGER_HTTP_ADDR=0.0.0.0:8080 to listen on all interfaces)",
		"[::1]:9000":     "listening on http://[::1]:9000 (loopback only; set LEDGER_HTTP_ADDR=0.0.0.0:9000 to listen on all interfaces)",
		"0.0.0.0:8080":   "listening on http://0.0.0.0:8080 (all interfaces; set LEDGER_HTTP_ADDR=127.0.0.1:8080 for this machine only)",
		"10.1.2.3:80":    "listening on http://10.1.2.3:80",
	}
	for addr, want := range cases {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := listening(a, false); got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
}
