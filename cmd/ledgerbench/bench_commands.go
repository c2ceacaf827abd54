package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"docledger/adapters/identity"
	"docledger/adapters/pg"
	"docledger/adapters/policy"

	"github.com/google/uuid"
)

// benchCommands measures the whole command path: N HTTP clients against a
// ledgerd process (HTTP -> watermill -> aggregate -> append -> reply), each
// registering, sending and delivering documents. It reports commands per
// second, latency percentiles and ledgerd's peak resident memory.
func benchCommands(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, keep := benchFlags("commands", stderr)
	clients := fs.Int("clients", 32, "concurrent HTTP clients")
	duration := fs.Duration("duration", 10*time.Second, "length of the measured run")
	ledgerd := fs.String("ledgerd", "", "path of the ledgerd binary (default: beside ledgerctl, then PATH)")
	withProjections := fs.Bool("projections", true, "run the projection runners in the measured ledgerd (false: a deployment whose read models are kept by another instance)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	bin, err := findLedgerd(*ledgerd)
	if err != nil {
		return fail(stderr, err)
	}
	dsn, drop, err := scratch(ctx, *keep, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer drop()
	addr, err := freeAddr()
	if err != nil {
		return fail(stderr, err)
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "LEDGER_HTTP_ADDR="+addr, "LEDGER_LOG_LEVEL=warn",
		fmt.Sprintf("LEDGER_DB_POOL_SIZE=%d", *clients+8), fmt.Sprintf("LEDGER_PROJECTIONS=%t", *withProjections),
		// The load comes from one address and no token: measure the command
		// path, not the rate limits (docs/security.md); no access log line
		// per request, no admin listener.
		"LEDGER_RATE_IP=0", "LEDGER_RATE_TOKEN=0", "LEDGER_ACCESS_LOG=off", "LEDGER_ADMIN_ADDR=off")
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return fail(stderr, err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2, MaxConnsPerHost: *clients * 2}, Timeout: 30 * time.Second}
	if err := waitReady(ctx, client, base+"/readyz"); err != nil {
		return fail(stderr, err)
	}
	// Every request is authenticated and authorised, as in production: the
	// sender registers and sends with its API token, the recipient delivers
	// with its own.
	auth, err := benchParties(ctx, dsn)
	if err != nil {
		return fail(stderr, fmt.Errorf("set up the parties and their API tokens: %w", err))
	}
	post := func(ctx context.Context, path string, body []byte) error {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		token := auth.senderToken
		if strings.HasSuffix(path, "/deliver") {
			token = auth.recipientToken
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("POST %s: status %d", path, resp.StatusCode)
		}
		return nil
	}
	step := func(ctx context.Context, w, i int) error {
		// Each client walks its documents through register, send, deliver.
		id := uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("%d-%d", w, i/3)))
		switch i % 3 {
		case 0:
			b, _ := json.Marshal(map[string]string{"document_id": id.String(), "sender_party": auth.sender.String(),
				"recipient_party": auth.recipient.String(), "kind": "invoice", "title": "Bench invoice",
				"content_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
			return post(ctx, "/api/v1/documents", b)
		case 1:
			return post(ctx, "/api/v1/documents/"+id.String()+"/send", nil)
		default:
			return post(ctx, "/api/v1/documents/"+id.String()+"/deliver", nil)
		}
	}
	// A short warm-up, then the measured run.
	if _, _, err := runPhase(ctx, *clients, time.Second, 1, func(ctx context.Context, w, i int) error { return step(ctx, w+1000, i) }); err != nil {
		return fail(stderr, fmt.Errorf("warm-up: %w", err))
	}
	rate, lat, err := runPhase(ctx, *clients, *duration, 1, step)
	if err != nil {
		return fail(stderr, err)
	}
	rss, hwm := procMemoryMB(cmd.Process.Pid)
	printJSON(stdout, map[string]any{
		"benchmark": "commands", "clients": *clients, "duration_s": duration.Seconds(), "projections": *withProjections, "commands": len(lat),
		"commands_per_sec": round(rate, 0), "p50_ms": lat.percentile(50), "p99_ms": lat.percentile(99),
		"ledgerd_rss_mb": rss, "ledgerd_peak_rss_mb": hwm, "machine": machine(),
	})
	return 0
}

func findLedgerd(flagPath string) (string, error) {
	if flagPath != "" {
		return flagPath, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "ledgerd")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("ledgerd"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no ledgerd binary beside ledgerctl or on PATH (make build puts both in bin/; or pass --ledgerd)")
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(ctx context.Context, client *http.Client, url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("ledgerd did not become ready at %s", url)
}

// procMemoryMB reads a process's resident and peak resident memory.
func procMemoryMB(pid int) (rss, peak float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = round(kb/1024, 1)
		case "VmHWM":
			peak = round(kb/1024, 1)
		}
	}
	return rss, peak
}

// benchAuth are the two parties of the command benchmark and their API
// tokens (scope send_documents).
type benchAuth struct {
	sender, recipient           uuid.UUID
	senderToken, recipientToken string
}

// benchParties seeds a sender and a recipient party into the parties read
// model of the scratch database (as if their registrations had been
// projected: the access policy looks parties up there) and creates an API
// token for each through the identity store.
func benchParties(ctx context.Context, dsn string) (benchAuth, error) {
	pool, err := pg.Connect(ctx, pg.Config{URL: dsn, Role: pg.DefaultRole, MaxConns: 2, ApplicationName: "ledgerbench"})
	if err != nil {
		return benchAuth{}, err
	}
	defer pool.Close()
	a := benchAuth{sender: uuid.New(), recipient: uuid.New()}
	for _, p := range []struct {
		id     uuid.UUID
		number string
	}{{a.sender, "990140000123"}, {a.recipient, "900101300123"}} {
		if _, err := pool.Exec(ctx, `INSERT INTO parties.parties (party_id, kind, identity_number, resident, names, contacts,
			profile, stages, registered_at, position) VALUES ($1, 'legal_entity', $2, true, '{"full":"Bench"}', '{}', 'idocs.v1',
			'{registration}', now(), 0)`, p.id, p.number); err != nil {
			return benchAuth{}, err
		}
	}
	store, err := identity.NewStore(pool, nil)
	if err != nil {
		return benchAuth{}, err
	}
	now := time.Now()
	if _, a.senderToken, err = store.CreateToken(ctx, a.sender, "bench sender", []policy.Scope{policy.ScopeSendDocuments}, now, "ledgerbench"); err != nil {
		return benchAuth{}, err
	}
	if _, a.recipientToken, err = store.CreateToken(ctx, a.recipient, "bench recipient", []policy.Scope{policy.ScopeSendDocuments}, now, "ledgerbench"); err != nil {
		return benchAuth{}, err
	}
	return a, nil
}
