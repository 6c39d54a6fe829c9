#!/usr/bin/env bash
# The project's own PostgreSQL cluster (own data directory and port, the server run as the
# postgres user): Debian's PostgreSQL 15 on port 5499, or with PG_MINING_PG=18 the registry
# wheel's PostgreSQL 18 on port 5418 (scripts/pg_env.sh). Usage: scripts/cluster.sh start|stop|psql [args]
set -euo pipefail

source "$(dirname "$0")/pg_env.sh"
export PGPORT="$PG_MINING_PORT"
DATA="$PG_DATA"
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
    # No data checksums: 18's initdb turns them on by default, 15's off, and pg_upgrade
    # (scripts/pg_upgrade.sh) needs both clusters alike.
    as_postgres "$BIN/initdb" -D "$DATA" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      $([ "$PG_MAJOR" -ge 18 ] && echo --no-data-checksums) >/dev/null
  fi
  # A server started with other settings (no TCP for the JDBC/ODBC checks) is restarted.
  if as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 \
     && ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
  if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$PG_MINING_HOME/server$([ "$PG_MAJOR" = 15 ] || echo "$PG_MAJOR").log" -w \
      -o "-p $PGPORT -k $PG_MINING_HOME -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true ;;
  psql) shift; exec "$BIN/psql" "$@" ;;
  *) echo "usage: $0 start|stop|psql [args]" >&2; exit 2 ;;
esac
