#!/usr/bin/env bash
# test.sh runs every test against the PostgreSQL in DATABASE_URL (make test sets it),
# then each fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL must be set: run make test}"
export DATABASE_URL
go vet ./...
go test -count=1 -timeout 20m ./...
# Each fuzz target runs for a few seconds on top of its seed corpus.
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-5s}" "$pkg"
  done
done
