#!/usr/bin/env bash
# The project's own PostgreSQL 15 cluster (Debian's binaries, own data directory and port, the
# server run as the postgres user). Usage: scripts/cluster.sh start|stop|psql [args]
set -euo pipefail

BIN=/usr/lib/postgresql/15/bin
export PG_MINING_HOME="${PG_MINING_HOME:-/var/tmp/pg_mining}"
export PGPORT="${PG_MINING_PORT:-5499}"
DATA="$PG_MINING_HOME/data"
export PGHOST="$PG_MINING_HOME"
export PGUSER=postgres

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres "$@"; fi
}

start() {
  if [ ! -d "$PG_MINING_HOME" ]; then
    mkdir -p "$PG_MINING_HOME"
    chown postgres:postgres "$PG_MINING_HOME"
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_postgres "$BIN/initdb" -D "$DATA" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # A server started with other settings (no TCP for the JDBC/ODBC checks) is restarted.
  if as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 \
     && ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
  if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$PG_MINING_HOME/server.log" -w \
      -o "-p $PGPORT -k $PG_MINING_HOME -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true ;;
  psql) shift; exec psql "$@" ;;
  *) echo "usage: $0 start|stop|psql [args]" >&2; exit 2 ;;
esac
