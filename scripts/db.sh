#!/usr/bin/env bash
# db.sh starts (or reuses) docledger's private PostgreSQL cluster, writes its
# URL to ./.data/database_url and prints DATABASE_URL=... on stdout (its only
# stdout line; everything else goes to stderr). Any failure exits non-zero
# with its own message.
#
# Where the cluster lives (recorded in ./.data/cluster, read by scripts/stop.sh):
#   - run as root: initdb refuses to run as root, so the cluster runs as the
#     postgres user, in /var/lib/docledger/<clone-name>-<hash of the clone path>/
#     (owned by postgres, so it works wherever the clone is, even under a 0700
#     directory that postgres cannot enter); ./.data/pg links to it.
#   - run as another user: the cluster runs as that user, in ./.data/pg.
#   - a clone that already has a cluster in ./.data/pg (a real directory, made
#     by an earlier db.sh as root) keeps using it.
# It listens on 127.0.0.1 on a free port and on a Unix socket beside the
# cluster, and trusts local connections: it is a developer and CI database,
# not a production one.
#
# PG_BINDIR chooses the PostgreSQL server binaries (default: the newest
# /usr/lib/postgresql/*/bin, then initdb on PATH). DOCLEDGER_CLUSTER_ROOT
# changes /var/lib/docledger.
set -euo pipefail

die() { echo "db.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.data"
uid=$(id -u)

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    [ -x "$PG_BINDIR/initdb" ] && { echo "$PG_BINDIR"; return 0; }
    return 1
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

if ! bindir=$(find_bindir); then
  [ -n "${PG_BINDIR:-}" ] && die "PG_BINDIR=$PG_BINDIR has no executable initdb"
  [ "$uid" = 0 ] || die "no PostgreSQL server binaries (initdb) found, and only root can install them: run 'sudo apt-get install postgresql', or set DATABASE_URL to a PostgreSQL you have"
  command -v apt-get >/dev/null 2>&1 || die "no PostgreSQL server binaries (initdb) found and no apt-get to install them: install PostgreSQL 13 or newer, or set DATABASE_URL"
  echo "db.sh: no PostgreSQL server binaries; installing the Debian postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed"
  bindir=$(find_bindir) || die "PostgreSQL binaries still not found after installing the postgresql package"
fi

mkdir -p "$data" || die "cannot create $data"

# Choose the cluster's place and owner.
if [ "$uid" = 0 ]; then
  owner=postgres
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /var/lib/postgresql --shell /bin/sh postgres \
      || die "cannot create the postgres user that owns the cluster"
  fi
  if [ -d "$data/pg" ] && [ ! -L "$data/pg" ] && [ -s "$data/pg/PG_VERSION" ]; then
    home="$data"                                   # an earlier cluster inside the clone
  else
    base="${DOCLEDGER_CLUSTER_ROOT:-/var/lib/docledger}"
    hash=$(printf '%s' "$root" | sha256sum | cut -c1-12)
    name=$(basename "$root" | tr -c 'A-Za-z0-9._\n-' '_')
    home="$base/$name-$hash"
    mkdir -p "$base" && chmod 755 "$base" || die "cannot create $base"
    mkdir -p "$home" && chown postgres: "$home" && chmod 700 "$home" || die "cannot prepare $home for the postgres user"
    printf '%s\n' "$root" >"$home/clone"       # which clone this cluster belongs to
    ln -sfn "$home/pg" "$data/pg" 2>/dev/null || true
  fi
  # From /: the postgres user may not be able to enter the current directory.
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  owner=$(id -un)
  home="$data"
  as_owner() { "$@"; }
fi
pgdata="$home/pg"
log="$home/pg.log"
portfile="$home/pg.port"
chmod 755 "$data" 2>/dev/null || true
if [ "$home" = "$data" ] && [ "$uid" = 0 ]; then chown postgres "$data"; fi

cat >"$data/cluster" <<EOF
# written by scripts/db.sh: the private PostgreSQL cluster of this clone
pgdata=$pgdata
home=$home
owner=$owner
bindir=$bindir
EOF

if [ ! -s "$pgdata/PG_VERSION" ]; then
  echo "db.sh: creating a PostgreSQL cluster in $pgdata (owner $owner)" >&2
  as_owner "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; die "initdb failed as $owner in $pgdata (log above, also in $data/initdb.log)"; }
fi

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

running() { as_owner "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

if ! running; then
  port=$(free_port)
  as_owner sh -c "echo $port >'$portfile'" || die "cannot write $portfile"
  echo "db.sh: starting PostgreSQL ($pgdata) on 127.0.0.1:$port" >&2
  as_owner "$bindir/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 start \
    -o "-p $port -k $home -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on -c wal_level=logical" >/dev/null 2>&1 \
    || { as_owner tail -50 "$log" >&2 || true; die "PostgreSQL did not start (log above, in $log)"; }
fi
port=$(as_owner cat "$portfile") || die "no port file $portfile"

ready=
for _ in $(seq 1 50); do
  if as_owner "$bindir/pg_isready" -h 127.0.0.1 -p "$port" -q; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || die "PostgreSQL in $pgdata does not answer on 127.0.0.1:$port"
psql() { as_owner "$bindir/psql" -X -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
if ! psql -tAc "SELECT 1 FROM pg_database WHERE datname='docledger'" | grep -q 1; then
  psql -qc "CREATE DATABASE docledger" >&2 || die "cannot create the docledger database"
fi
url="postgres://postgres@127.0.0.1:$port/docledger?sslmode=disable"
printf '%s\n' "$url" >"$data/database_url"
echo "db.sh: PostgreSQL cluster $pgdata (owner $owner) on 127.0.0.1:$port; stop it with: make stop" >&2
echo "DATABASE_URL=$url"
