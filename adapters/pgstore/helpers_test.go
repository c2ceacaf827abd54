package pgstore_test

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func containsCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
