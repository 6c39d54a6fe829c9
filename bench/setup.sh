# Sourced by the benchmarks (after cd to the repository): bench_setup MODULES PACKAGES... makes
# the peers' Python venv ($VENV; PG_MINING_BENCH_VENV overrides it) with the Python modules
# MODULES (comma-separated, as `import` takes them), installing PACKAGES from PyPI when one is
# missing, starts the cluster and points psql at it.
bench_setup() {
  local modules="$1"; shift
  VENV="${PG_MINING_BENCH_VENV:-/var/tmp/pg_mining/bench-venv}"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -c "import $modules" 2>/dev/null || "$VENV/bin/pip" install -q "$@"
  bash scripts/cluster.sh start
  source scripts/pg_env.sh
  export PGHOST="$PG_MINING_HOME" PGPORT="$PG_MINING_PORT" PGUSER=postgres
}
