#!/usr/bin/env bash
# stop.sh stops what `make run` and scripts/db.sh started for this clone: the
# ledgerd whose pid is in ./.data/ledgerd.pid and the private PostgreSQL
# cluster named in ./.data/cluster. It exits non-zero when something it should
# stop is still running.
#
# stop.sh --delete (make clean-data) then deletes ./.data and the cluster's
# directory, but only when everything stopped: it never deletes a live cluster.
set -uo pipefail
delete=
[ "${1:-}" = --delete ] && delete=1

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.data"
status=0

# ledgerd started by make run.
pidfile="$data/ledgerd.pid"
if [ -s "$pidfile" ]; then
  pid=$(cat "$pidfile")
  if [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ledgerd ]; then
    echo "stop.sh: stopping ledgerd (pid $pid)" >&2
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then
      echo "stop.sh: ledgerd (pid $pid) is still running after 10 s" >&2
      status=1
    fi
  fi
  [ -d "/proc/$pid" ] || rm -f "$pidfile"
fi

# The private cluster.
pgdata= owner= bindir=
if [ -s "$data/cluster" ]; then
  pgdata=$(sed -n 's/^pgdata=//p' "$data/cluster")
  owner=$(sed -n 's/^owner=//p' "$data/cluster")
  bindir=$(sed -n 's/^bindir=//p' "$data/cluster")
elif [ -d "$data/pg" ]; then # a cluster made before ./.data/cluster existed
  pgdata="$data/pg" owner=postgres
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)
fi
if [ -n "$pgdata" ]; then
  as_owner() {
    if [ "$(id -un)" = "$owner" ]; then "$@"
    elif [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$owner" -- "$@")
    else echo "stop.sh: the cluster $pgdata belongs to $owner; run make stop as $owner or root" >&2; return 4
    fi
  }
  as_owner "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1
  st=$?
  case $st in
  0)
    echo "stop.sh: stopping PostgreSQL ($pgdata)" >&2
    if ! as_owner "$bindir/pg_ctl" -D "$pgdata" -w -t 60 stop -m fast >/dev/null; then
      echo "stop.sh: could not stop PostgreSQL in $pgdata" >&2
      status=1
    fi ;;
  3) ;; # not running
  4) [ -e "$pgdata" ] && { echo "stop.sh: cannot tell whether PostgreSQL in $pgdata runs" >&2; status=1; } ;;
  *) echo "stop.sh: pg_ctl status failed ($st) for $pgdata" >&2; status=1 ;;
  esac
fi
if [ -n "$delete" ]; then
  if [ $status != 0 ]; then
    echo "stop.sh: not deleting any data: the stop failed (see above)" >&2
    exit $status
  fi
  home=$(sed -n 's/^home=//p' "$data/cluster" 2>/dev/null)
  # A cluster outside the clone is deleted only when it says it is this clone's.
  if [ -n "$home" ] && [ "$home" != "$data" ] && [ "$(cat "$home/clone" 2>/dev/null)" = "$root" ]; then
    echo "stop.sh: deleting $home" >&2
    rm -rf "$home" || status=1
  fi
  echo "stop.sh: deleting $data" >&2
  rm -rf "$data" || status=1
fi
exit $status
