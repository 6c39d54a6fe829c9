# Sourced by the scripts and scenario tests: which PostgreSQL they run against.
#   PG_MINING_PG=15 (default): Debian's PostgreSQL 15, the cluster on port 5499.
#   PG_MINING_PG=18: the registry wheel's PostgreSQL 18 (scripts/postgres.sh), port 5418.
# Sets PG_MAJOR, PG_CONFIG, BIN (its client and server programs), PG_REGRESS, PG_MINING_HOME
# (the socket directory), PG_MINING_PORT and PG_DATA (the project cluster's data directory).
PG_MAJOR="${PG_MINING_PG:-15}"
PG_MINING_HOME="${PG_MINING_HOME:-/var/tmp/pg_mining}"
# A port this file set for another major (scripts/test.sh runs both in one shell) is not kept;
# one the caller set is.
if [ -n "${PG_MINING_PORT_OF:-}" ] && [ "$PG_MINING_PORT_OF" != "$PG_MAJOR" ]; then
  unset PG_MINING_PORT
fi
case "$PG_MAJOR" in
  15)
    PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
    PG_MINING_PORT="${PG_MINING_PORT:-5499}"
    PG_DATA="$PG_MINING_HOME/data"
    ;;
  18)
    PG_CONFIG="$(bash "$(dirname "${BASH_SOURCE[0]}")/postgres.sh" 18)"
    PG_MINING_PORT="${PG_MINING_PORT:-5418}"
    PG_DATA="$PG_MINING_HOME/data18"
    ;;
  *) echo "PG_MINING_PG must be 15 or 18, not '$PG_MAJOR'" >&2; exit 2 ;;
esac
BIN="$("$PG_CONFIG" --bindir)"
PG_REGRESS="$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress"
PG_MINING_PORT_OF="$PG_MAJOR"
export PG_MAJOR PG_CONFIG BIN PG_REGRESS PG_MINING_HOME PG_MINING_PORT PG_MINING_PORT_OF PG_DATA
