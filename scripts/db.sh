#!/usr/bin/env bash
# db.sh starts (or reuses) docledger's private PostgreSQL cluster in ./.data/pg
# and prints DATABASE_URL=... as its last line.
#
# The cluster runs as the postgres user (initdb refuses to run as root), listens
# on 127.0.0.1 on a free port and on a Unix socket inside ./.data, and trusts
# local connections: it is a developer and CI database, not a production one.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.data"
pgdata="$data/pg"
log="$data/pg.log"
portfile="$data/pg.port"

find_bindir() {
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

if ! bindir=$(find_bindir); then
  echo "db.sh: no PostgreSQL server binaries; installing the Debian postgresql package" >&2
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
  bindir=$(find_bindir) || { echo "db.sh: PostgreSQL binaries not found and could not be installed" >&2; exit 1; }
fi

# The postgres user must exist to own the cluster.
id postgres >/dev/null 2>&1 || useradd --system --home-dir "$data" --shell /bin/sh postgres

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$data"
if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
chmod 755 "$data"

if [ ! -s "$pgdata/PG_VERSION" ]; then
  as_pg "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; exit 1; }
fi

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

running() { as_pg "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

if ! running; then
  port=$(free_port)
  echo "$port" >"$portfile"
  as_pg "$bindir/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 start \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on -c wal_level=logical" >&2 \
    || { tail -50 "$log" >&2; exit 1; }
fi
port=$(cat "$portfile")

for _ in $(seq 1 50); do
  if as_pg "$bindir/pg_isready" -h 127.0.0.1 -p "$port" -q; then break; fi
  sleep 0.2
done
as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='docledger'" | grep -q 1 \
  || as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE docledger" >&2
echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/docledger?sslmode=disable"
