package edslogin_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"docledger/adapters/pgtest"
	"docledger/adapters/signature/edslogin"
)

func TestNonceServesOneLoginUnderConcurrency(t *testing.T) {
	pool, _ := pgtest.NewPool(t)
	s, err := edslogin.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := epoch
	const nonce = "concurrent-nonce-0123456789"
	if err := s.IssueNonce(ctx, nonce, now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.ConsumeNonce(ctx, nonce, now)
		}()
	}
	wg.Wait()
	ok, used := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, edslogin.ErrNonceUsed):
			used++
		default:
			t.Fatalf("unexpected %v", err)
		}
	}
	if ok != 1 || used != len(errs)-1 {
		t.Fatalf("%d logins succeeded, %d replays refused", ok, used)
	}
	if err := s.ConsumeNonce(ctx, "never-issued-0123456789", now); !errors.Is(err, edslogin.ErrNonceUnknown) {
		t.Fatalf("unknown nonce: %v", err)
	}
}

func TestDeleteExpired(t *testing.T) {
	pool, _ := pgtest.NewPool(t)
	s, err := edslogin.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := epoch
	if err := s.IssueNonce(ctx, "old-nonce-0123456789", now.Add(-time.Hour), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueNonce(ctx, "new-nonce-0123456789", now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.OpenSession(ctx, "old-token", edslogin.Session{IIN: "900101300123", CertificateSerial: "1", OpenedAt: now.Add(-9 * time.Hour), ExpiresAt: now.Add(-time.Hour)}, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteExpired(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want 2", n, err)
	}
	if err := s.ConsumeNonce(ctx, "new-nonce-0123456789", now); err != nil {
		t.Fatalf("live nonce gone: %v", err)
	}
}

// epoch is the tests' time: a fixed date (the store is given every time
// explicitly, so nothing here depends on today's date).
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
