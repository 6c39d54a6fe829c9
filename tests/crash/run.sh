#!/usr/bin/env bash
# Crash consistency (issue 15, item 9): a training is ended mid-fit, first by
# pg_terminate_backend, then by SIGKILL of its backend (the postmaster then resets every
# session and recovers). After each: the catalog holds no partial version, the model's lock
# is free, the next training gets the next version number, and every stored model still scores.
# Runs against the project's cluster in a database of its own (it restarts the server's
# sessions, so it runs after the other scenario tests). Prints one line per check; exits 1 if
# any fails.
set -euo pipefail
source "$(dirname "$0")/../../scripts/pg_env.sh"
PORT="$PG_MINING_PORT"
SOCK="$PG_MINING_HOME"
DB=pg_mining_crash
q() { "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -v ON_ERROR_STOP=1 -c "$1"; }
failed=0
check() { # name, got, want
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', want '$3'"; failed=1; fi
}
ready() {
  for _ in $(seq 1 120); do
    if "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U postgres -d "$DB" -c 'SELECT 1' >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "FAILED: the server did not come back"; exit 1
}

"$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
q "CREATE EXTENSION pg_mining"
q "CREATE TABLE t AS SELECT i AS id, ((i::int8 * 7919) % 1000) / 10.0::float8 AS a, ((i * 31) % 1013)::float8 AS b,
     sin(i)::float8 AS c, (((i::int8 * 7919) % 1000) / 10.0 + 20 * sin(i) > 50) AS label FROM generate_series(1, 200000) i"
q "SET client_min_messages = warning; SELECT version FROM dm_train('m', 'SELECT a, b, c, label FROM t WHERE id <= 20000', 'label', 'logistic_regression')" >/dev/null
q "SET client_min_messages = error; SELECT version FROM dm_train('other', 'SELECT a, b, label FROM t WHERE id <= 20000', 'label', 'decision_tree')" >/dev/null
before=$(q "SELECT string_agg(dm_predict_label('m', t) || '/' || dm_predict_label('other', t), ',' ORDER BY id) FROM t WHERE id <= 50")

# A long training in the background; returns its backend pid once it is fitting.
long_training() {
  "$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d "$DB" \
    -c "SET application_name = 'crash_victim'; SET client_min_messages = warning" \
    -c "SELECT version FROM dm_train('m', 'SELECT a, b, c, label FROM t', 'label', 'random_forest', '{\"n_estimators\": 3000}')" \
    >/dev/null 2>&1 &
  victim=$!
  pid=""
  for _ in $(seq 1 100); do
    pid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'crash_victim' AND query LIKE '%dm_train%' AND state = 'active'")
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || { echo "FAILED: the training did not start"; exit 1; }
  sleep 2 # reading and preparing take well under this; the forest takes much longer
}

after_crash() { # what: the check names' prefix
  check "$1: no partial version" "$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM dm.models WHERE name = 'm'")" "$2"
  check "$1: the deployment is untouched" "$(q "SELECT version FROM dm.deployed WHERE name = 'm'")" "1"
  check "$1: stored models score as before" \
    "$(q "SELECT string_agg(dm_predict_label('m', t) || '/' || dm_predict_label('other', t), ',' ORDER BY id) FROM t WHERE id <= 50")" "$before"
  check "$1: the next training gets the next version" \
    "$(q "SET client_min_messages = warning; SELECT version FROM dm_train('m', 'SELECT a, b, c, label FROM t WHERE id <= 20000', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}')")" "$3"
}

long_training
check "pg_terminate_backend" "$(q "SELECT pg_terminate_backend($pid)")" "t"
wait "$victim" || true
after_crash "after pg_terminate_backend" "1" "2"

long_training
kill -9 "$pid"
wait "$victim" || true
ready
after_crash "after SIGKILL of the backend" "1,2" "3"
check "versions stay monotonic after both" "$(q "SELECT bool_and(version > 0) AND count(*) = max(version) FROM dm.models WHERE name = 'm'")" "t"

"$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "DROP DATABASE $DB"
exit "$failed"
