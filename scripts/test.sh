#!/usr/bin/env bash
# test.sh runs go vet, every test against the PostgreSQL in DATABASE_URL (make test
# sets it) with a summary of what passed, failed and was skipped and why, then each
# fuzz target briefly (FUZZTIME, default 5s), one line per target. Any failure
# makes it exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
: "${DATABASE_URL:?DATABASE_URL must be set: run make test}"
export DATABASE_URL

# A NATS server on the standard local port runs the NATS transport's tests.
if [ -z "${NATS_URL:-}" ] && [ "$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && head -c 4 <&3' 2>/dev/null)" = INFO ]; then
  export NATS_URL=nats://127.0.0.1:4222
  echo "test.sh: a NATS server answers on 127.0.0.1:4222: NATS_URL=$NATS_URL"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go vet ./...
go build -o "$tmp/testsummary" ./scripts/testsummary

set +e
go test -json -count=1 -timeout 20m ./... 2>&1 | "$tmp/testsummary"
st=("${PIPESTATUS[@]}")
set -e
if [ "${st[0]}" != 0 ] || [ "${st[1]}" != 0 ]; then
  echo "test.sh: FAIL (go test exit ${st[0]}, summary exit ${st[1]})"
  exit 1
fi

# Each fuzz target runs for FUZZTIME on top of its seed corpus. New interesting
# inputs are minimized for at most FUZZMINIMIZETIME (default 100 runs), not Go's
# default 60 s: minimizing a few-KB input (the CMS seeds of adapters/signature)
# took the whole FUZZTIME, and FuzzVerify made 22 executions instead of thousands.
fuzztime="${FUZZTIME:-5s}"
minimize="${FUZZMINIMIZETIME:-100x}"
echo
echo "fuzzing each target for $fuzztime:"
targets=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    targets=$((targets + 1))
    fuzz() { go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" "$pkg" 2>&1; }
    if ! out=$(fuzz); then
      # Go's fuzzing engine sometimes ends a run with its own "context
      # deadline exceeded" when the time is up (a worker late to report on
      # a loaded machine), having found nothing: a finding always writes
      # "Failing input written to testdata". That one case is run again,
      # once, and said; anything else fails at once.
      if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
        echo "test.sh: $pkg $target: the fuzzing engine timed out without a finding; running it again"
        out=$(fuzz) || { printf '%s\n' "$out"; echo "test.sh: FAIL: fuzz target $pkg $target"; exit 1; }
      else
        printf '%s\n' "$out"
        echo "test.sh: FAIL: fuzz target $pkg $target"
        exit 1
      fi
    fi
    last=$(printf '%s\n' "$out" | grep -o 'execs: [0-9]*.*' | tail -n 1)
    execs=$(printf '%s\n' "$last" | sed -n 's/^execs: \([0-9]*\).*/\1/p')
    interesting=$(printf '%s\n' "$last" | sed -n 's/.*new interesting: \([0-9]*\).*/\1/p')
    printf 'fuzz  %-40s %-26s %9s execs in %s (new interesting: %s)\n' "${pkg#docledger/}" "$target" "${execs:-?}" "$fuzztime" "${interesting:-?}"
  done
done
echo "test.sh: ok: tests passed, $targets fuzz targets ran for $fuzztime each"
