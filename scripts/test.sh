#!/usr/bin/env bash
# Runs every test level on a fresh or prepared machine:
#   1. the mining core's unit and layout tests (cargo test -p mining: plain Rust, no Postgres),
#   2. the extension's #[pg_test]s in a temporary Postgres (cargo pgrx test),
#   3. SQL scenario tests (pg_regress) against the release build installed into Debian's
#      PostgreSQL 15, in the project's own cluster, the client checks (psql, pgjdbc, psqlODBC),
#      backup and restore (tests/dump/run.sh), the upgrades from the released 0.1.0 and 0.2.0
#      (tests/upgrade/run.sh: builds the 0.1.0 library from tag v0.1.0 once), the trusted
#      install by a database owner who is no superuser (tests/trusted/run.sh) and the
#      crash-consistency check (tests/crash/run.sh: it resets the server's sessions).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PG_REGRESS=/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress
HOME_DIR="${PG_MINING_HOME:-/var/tmp/pg_mining}"

bash scripts/setup.sh

echo "== sql/comments.sql is what sql/docs/functions.md and sql/internal.sql say, tests/sql/corpus.sql what scripts/corpus.py writes"
python3 scripts/comments.py --check
python3 scripts/corpus.py --check

echo "== mining core: unit and layout tests (cargo test -p mining, no Postgres)"
phase=$SECONDS
cargo test -p mining
echo "-- took $((SECONDS - phase)) s"

echo "== #[pg_test] (cargo pgrx test)"
phase=$SECONDS
mkdir -p "$HOME_DIR"
chown postgres:postgres "$HOME_DIR" 2>/dev/null || true
rm -rf "$HOME_DIR/pgrx-test"
cargo pgrx test pg15 --runas postgres --pgdata "$HOME_DIR/pgrx-test"

echo "-- took $((SECONDS - phase)) s"
echo "== install (release) into Debian's PostgreSQL 15"
phase=$SECONDS
cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null

echo "-- took $((SECONDS - phase)) s"
echo "== SQL scenario tests (pg_regress) in the project's cluster"
phase=$SECONDS
bash scripts/cluster.sh start
out="$HOME_DIR/regress"
rm -rf "$out" && mkdir -p "$out"
status=0
"$PG_REGRESS" --inputdir=tests --outputdir="$out" --host="$HOME_DIR" --port="${PG_MINING_PORT:-5499}" \
  --user=postgres --dbname=pg_mining_regress --load-extension=pg_mining --schedule=tests/schedule || status=$?
total=$(grep -c '^test:' tests/schedule)
failed=$(grep -c 'FAILED' "$out/regression.out" 2>/dev/null || true)
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ -f "$out/regression.diffs" ]; then
  head -200 "$out/regression.diffs"
fi

# One scenario script: its title, then the command; counted as one scenario.
scenario() {
  echo "== $1"
  shift
  total=$((total + 1))
  if ! "$@"; then
    status=1
    failed=$((failed + 1))
  fi
}
scenario "client checks: psql, pgjdbc and psqlODBC print the same rows" bash tests/clients/run.sh pg_mining_regress
scenario "backup and restore: pg_dump -Fc + pg_restore and plain pg_dump + psql carry every model" bash tests/dump/run.sh
scenario "upgrade: models trained with the released 0.1.0 score identically after ALTER EXTENSION UPDATE" bash tests/upgrade/run.sh
scenario "trusted extension: a database owner installs it; no role's operators run with the catalog owner's rights" bash tests/trusted/run.sh
scenario "crash consistency: a training ended by pg_terminate_backend and by SIGKILL of its backend" bash tests/crash/run.sh
echo "-- took $((SECONDS - phase)) s; whole run $SECONDS s"
echo "scenarios: $((total - failed)) passed, ${failed} failed"
exit "$status"
