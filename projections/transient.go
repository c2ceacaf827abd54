package projections

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// Transient reports whether err is a fault of the database or the network
// rather than of the events being applied: a lost or reset connection, a
// failover or shutdown, a statement timeout, a serialization failure or
// deadlock, a lack of resources. The runner retries a batch that failed
// this way; any other failure (an event it cannot decode, a rule it
// breaks) stops the projection at that event.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		code := pgErr.Code
		switch {
		case code[:2] == "08", // connection exception
			code[:2] == "40", // transaction rollback: serialization failure, deadlock
			code[:2] == "53", // insufficient resources
			code[:2] == "58", // system error (I/O)
			code == "57014",  // query canceled: statement timeout
			code == "57P01",  // admin shutdown (terminated backend)
			code == "57P02",  // crash shutdown
			code == "57P03",  // cannot connect now (starting up, failover)
			code == "55P03":  // lock not available: lock timeout
			return true
		}
		return false
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	return pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.As(err, &netErr) || errors.As(err, &connectErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, net.ErrClosed) ||
		isClosedConn(err)
}

// isClosedConn matches pgx's error for a statement on a connection that a
// failure closed earlier in the same transaction.
func isClosedConn(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "conn closed" || e.Error() == "tx is closed" {
			return true
		}
	}
	return false
}
