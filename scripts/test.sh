#!/usr/bin/env bash
# Runs every test level on a fresh or prepared machine:
#   1. the mining core's unit and layout tests (cargo test -p mining: plain Rust, no Postgres),
#      once, and the packaging metadata check (META.json, scripts/package.sh --check);
#   2. that the extension compiles for PostgreSQL 16 and 17 (cargo check against their headers,
#      from registry wheels, scripts/postgres.sh; no server of those majors is run);
#   then for each tested major, Debian's PostgreSQL 15 and the registry wheel's PostgreSQL 18
#   (PG_MINING_MAJORS="15 18" by default):
#   3. the extension's #[pg_test]s in a temporary Postgres (cargo pgrx test),
#   4. SQL scenario tests (pg_regress) against the release build installed into that major, in
#      the project's own cluster, the client checks (psql, pgjdbc, psqlODBC), the model reports
#      in headless Chromium (tests/report/run.sh, screenshots left in the cluster's folder),
#      backup and restore (tests/dump/run.sh), the trusted install by a database owner who is no superuser
#      (tests/trusted/run.sh) and the crash-consistency check (tests/crash/run.sh: it resets the
#      server's sessions); on 15 also the upgrades from the released 0.1.0 and 0.2.0
#      (tests/upgrade/run.sh: builds the 0.1.0 library from tag v0.1.0 once; 0.1.0 predates 18);
#      and the release tarball for that major (scripts/package.sh);
#   5. pg_upgrade from 15 to 18 with models in place (scripts/pg_upgrade.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
MAJORS="${PG_MINING_MAJORS:-15 18}"

bash scripts/setup.sh

echo "== sql/comments.sql is what sql/docs/functions.md and sql/internal.sql say, tests/sql/corpus.sql what scripts/corpus.py writes; META.json"
python3 scripts/comments.py --check
python3 scripts/corpus.py --check
bash scripts/package.sh --check

echo "== mining core: unit and layout tests (cargo test -p mining, no Postgres)"
phase=$SECONDS
cargo test -p mining
echo "-- took $((SECONDS - phase)) s"

echo "== the extension compiles for PostgreSQL 16 and 17 (cargo check --lib against their headers)"
phase=$SECONDS
for m in 16 17; do
  cargo check --lib --no-default-features --features "pg$m"
  echo "compiles for PostgreSQL $m"
done
echo "-- took $((SECONDS - phase)) s"

summary=()
status=0
for major in $MAJORS; do
  export PG_MINING_PG=$major
  # shellcheck source=pg_env.sh
  source scripts/pg_env.sh

  echo "== PostgreSQL $major: #[pg_test] (cargo pgrx test pg$major)"
  phase=$SECONDS
  mkdir -p "$PG_MINING_HOME"
  chown postgres:postgres "$PG_MINING_HOME" 2>/dev/null || true
  rm -rf "$PG_MINING_HOME/pgrx-test$major"
  pgtest_log="$PG_MINING_HOME/pg_test$major.log"
  cargo pgrx test "pg$major" --runas postgres --pgdata "$PG_MINING_HOME/pgrx-test$major" 2>&1 | tee "$pgtest_log"
  pg_tests=$(grep -m1 -o 'test result: ok\. [0-9]* passed' "$pgtest_log" | grep -o '[0-9]*' || echo 0)
  echo "-- took $((SECONDS - phase)) s"

  echo "== PostgreSQL $major: install (release)"
  phase=$SECONDS
  cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null
  echo "-- took $((SECONDS - phase)) s"

  echo "== PostgreSQL $major: SQL scenario tests (pg_regress) in the project's cluster"
  phase=$SECONDS
  bash scripts/cluster.sh start
  out="$PG_MINING_HOME/regress$major"
  rm -rf "$out" && mkdir -p "$out"
  major_status=0
  "$PG_REGRESS" --bindir="$BIN" --inputdir=tests --outputdir="$out" --host="$PG_MINING_HOME" --port="$PG_MINING_PORT" \
    --user=postgres --dbname=pg_mining_regress --load-extension=pg_mining --schedule=tests/schedule \
    || major_status=$?
  total=$(grep -c '^test:' tests/schedule)
  failed=$(grep -c 'FAILED' "$out/regression.out" 2>/dev/null || true)
  failed=${failed:-0}
  if [ "$major_status" -ne 0 ] && [ -f "$out/regression.diffs" ]; then
    head -200 "$out/regression.diffs"
  fi

  # One scenario script: its title, then the command; counted as one scenario.
  scenario() {
    echo "== PostgreSQL $major: $1"
    shift
    total=$((total + 1))
    if ! "$@"; then
      major_status=1
      failed=$((failed + 1))
    fi
  }
  scenario "client checks: psql, pgjdbc and psqlODBC print the same rows" bash tests/clients/run.sh pg_mining_regress
  scenario "model reports in headless Chromium: no page error, charts drawn with the numbers of the SQL functions, valid HTML5, screenshots" \
    bash tests/report/run.sh
  scenario "backup and restore: pg_dump -Fc + pg_restore and plain pg_dump + psql carry every model" bash tests/dump/run.sh
  if [ "$major" = 15 ]; then
    scenario "upgrade: models trained with the released 0.1.0 score identically after ALTER EXTENSION UPDATE" bash tests/upgrade/run.sh
  fi
  scenario "trusted extension: a database owner installs it; no role's operators run with the catalog owner's rights" bash tests/trusted/run.sh
  scenario "crash consistency: a training ended by pg_terminate_backend and by SIGKILL of its backend" bash tests/crash/run.sh
  scenario "release package: the tarball for PostgreSQL $major carries the library, the control file and every SQL script (scripts/package.sh)" \
    bash scripts/package.sh "$major"
  echo "-- took $((SECONDS - phase)) s; whole run so far $SECONDS s"
  summary+=("PostgreSQL $major: pg_test $pg_tests passed; scenarios $((total - failed)) passed, $failed failed")
  [ "$major_status" -eq 0 ] || status=1
done

if [[ " $MAJORS " == *" 15 "* && " $MAJORS " == *" 18 "* ]]; then
  echo "== pg_upgrade from 15 to 18 with models in place (scripts/pg_upgrade.sh)"
  phase=$SECONDS
  upgrade=0
  bash scripts/pg_upgrade.sh || upgrade=1
  [ "$upgrade" -eq 0 ] || status=1
  summary+=("pg_upgrade 15 -> 18: scenarios $((1 - upgrade)) passed, $upgrade failed")
  echo "-- took $((SECONDS - phase)) s"
fi

echo "== summary (whole run $SECONDS s)"
printf '%s\n' "${summary[@]}"
total_scenarios=0
total_failed=0
for line in "${summary[@]}"; do
  if [[ "$line" =~ scenarios\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    total_scenarios=$((total_scenarios + BASH_REMATCH[1]))
    total_failed=$((total_failed + BASH_REMATCH[2]))
  fi
done
echo "scenarios: $total_scenarios passed, $total_failed failed"
exit "$status"
