package app

import (
	"log"
	"log/slog"
)

// serverErrorLog sends net/http's own complaints (TLS handshake errors, a
// panicking handler) to the JSON log at warn level. They name the peer
// address, never a header's value.
func serverErrorLog(a *App) *log.Logger {
	return slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)
}
