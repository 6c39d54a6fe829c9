#!/usr/bin/env bash
# The demo: build a release, install it into Debian's PostgreSQL 15, start the project's own
# cluster, load the penguins, train, evaluate and predict, and print the results.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
echo "== building and installing pg_mining (release)"
cargo pgrx install --release --pg-config /usr/lib/postgresql/15/bin/pg_config >/dev/null 2>&1 \
  || cargo pgrx install --release --pg-config /usr/lib/postgresql/15/bin/pg_config
bash scripts/cluster.sh start
export PGHOST="${PG_MINING_HOME:-/var/tmp/pg_mining}" PGPORT="${PG_MINING_PORT:-5499}" PGUSER=postgres
psql -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_demo" -c "CREATE DATABASE pg_mining_demo"
PENGUINS_CSV="$PWD/scripts/data/penguins.csv" psql -X -q -d pg_mining_demo < scripts/demo.sql
echo
echo "Demo database: psql -h $PGHOST -p $PGPORT -U postgres pg_mining_demo"
