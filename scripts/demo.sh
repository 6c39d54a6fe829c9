#!/usr/bin/env bash
# The demo: build a release, install it into Debian's PostgreSQL 15 (or, with PG_MINING_PG=18,
# into the registry wheel's PostgreSQL 18), start the project's own cluster, load the penguins,
# train, evaluate and predict, and print the results.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
source scripts/pg_env.sh
echo "== building and installing pg_mining (release) into PostgreSQL $PG_MAJOR"
cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null 2>&1 \
  || cargo pgrx install --release --pg-config "$PG_CONFIG"
bash scripts/cluster.sh start
export PGHOST="$PG_MINING_HOME" PGPORT="$PG_MINING_PORT" PGUSER=postgres
export PATH="$BIN:$PATH"
psql -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_demo" -c "CREATE DATABASE pg_mining_demo"
PENGUINS_CSV="$PWD/scripts/data/penguins.csv" psql -X -q -d pg_mining_demo < scripts/demo.sql
echo
echo "== 5. Write the classifier's report (HTML with charts, measured on the 2009 penguins)"
report="$PG_MINING_HOME/penguin_species_report.html"
psql -XAt -d pg_mining_demo -c "SELECT dm_report('penguin_species', 'penguins_09')" > "$report"
echo "Report: $report ($(wc -c < "$report") bytes; open it in a browser)"
echo
echo "Demo database: psql -h $PGHOST -p $PGPORT -U postgres pg_mining_demo"
