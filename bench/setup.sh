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

# bench_data ROWS FEATURES DATABASE: make_classification data (bench/classification_data.py) as
# $data (CSV, with $data.npz for the Python peers) and a fresh DATABASE to load it into; sets
# $cols (the CREATE TABLE column list f1 float8, ...) and $names (f1, f2, ...). After bench_setup.
bench_data() {
  data=/var/tmp/pg_mining/boost_${1}_${2}.csv
  "$VENV/bin/python" bench/classification_data.py "$1" "$2" "$data"
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $3" -c "CREATE DATABASE $3"
  cols=$(seq -s, -f 'f%g float8' 1 "$2")
  names=$(seq -s, -f 'f%g' 1 "$2")
}
