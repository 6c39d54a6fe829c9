#!/usr/bin/env bash
# Backup and restore (issue 16, item 6): a database with trained, deployed and granted models
# and a scoring trigger is dumped with pg_dump -Fc and restored with pg_restore into a new
# database, and dumped as plain SQL and replayed with psql into another; each copy must hold
# every model, version, deployment, owner and grant, score every row identically, and its
# trigger must still fire. Runs against the project's cluster; prints one line per check and
# exits 1 if any fails.
set -euo pipefail
source "$(dirname "$0")/../../scripts/pg_env.sh"
PORT="$PG_MINING_PORT"
SOCK="$PG_MINING_HOME"
SRC=pg_mining_dump_src
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
q() { "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -c "$2"; }
failed=0
check() { # name, got, want
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', want '$3'"; failed=1; fi
}

for db in $SRC pg_mining_dump_fc pg_mining_dump_sql; do
  "$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
done
q postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dm_dump_bi') THEN CREATE ROLE dm_dump_bi; END IF; END \$\$"
q postgres "CREATE DATABASE $SRC"
q $SRC "CREATE EXTENSION pg_mining"
q $SRC "CREATE TABLE t AS SELECT i AS id, (i % 97)::float8 AS a, ((i * 31) % 101)::float8 AS b,
          CASE WHEN (i % 97) + ((i * 31) % 101) / 3.0 > 70 THEN 'yes' ELSE 'no' END AS label
        FROM generate_series(1, 3000) i"
q $SRC "SET client_min_messages = error;
        SELECT version FROM dm_train('forest', 'SELECT a, b, label FROM t', 'label', 'random_forest', '{\"n_estimators\": 20}');
        SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t', 'label', 'logistic_regression');
        SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t WHERE id > 100', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}');
        SELECT dm_grant('forest', 'dm_dump_bi', 'score');" >/dev/null
q $SRC "CREATE TABLE scored (a float8, b float8, label text);
        CREATE TRIGGER score BEFORE INSERT ON scored FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('forest', 'label', 'label')"

# What every copy must show: the catalog's rows and every row's predictions.
state() {
  q "$1" "SELECT (SELECT string_agg(name || '@' || version || ':' || md5(model_bytes), ',' ORDER BY name, version) FROM dm.models)
          || '|' || (SELECT string_agg(name || '@' || version || ':' || action, ',' ORDER BY id) FROM dm.deployments)
          || '|' || (SELECT string_agg(name || ':' || owner::text, ',' ORDER BY name) FROM dm.owners)
          || '|' || (SELECT string_agg(name || ':' || grantee::text || ':' || privilege, ',' ORDER BY name) FROM dm.grants)"
}
scores() {
  q "$1" "SELECT md5(string_agg(dm_predict_label('forest', x) || ':' || dm_predict_label('logit', x) || ':'
                 || round((dm_predict_proba('logit@2', x))[1]::numeric, 12), ','))
          FROM (SELECT a, b FROM t ORDER BY id) x"
}
want_state="$(state $SRC)"
want_scores="$(scores $SRC)"

"$BIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres -Fc -f "$WORK/src.dump" $SRC 2>"$WORK/pg_dump.err"
# A dump of the models says nothing on stderr (0.2.0's self-referencing foreign key on
# dm.deployments made pg_dump warn of circular foreign-key constraints in every dump).
check "pg_dump warns of nothing" "$(cat "$WORK/pg_dump.err")" ""
q postgres "CREATE DATABASE pg_mining_dump_fc"
"$BIN/pg_restore" -h "$SOCK" -p "$PORT" -U postgres -d pg_mining_dump_fc --exit-on-error "$WORK/src.dump"
"$BIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres -f "$WORK/src.sql" $SRC 2>/dev/null
q postgres "CREATE DATABASE pg_mining_dump_sql"
"$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d pg_mining_dump_sql -v ON_ERROR_STOP=1 -f "$WORK/src.sql" >/dev/null

for db in pg_mining_dump_fc pg_mining_dump_sql; do
  how=$([ $db = pg_mining_dump_fc ] && echo "pg_dump -Fc + pg_restore" || echo "plain pg_dump + psql")
  check "$how: models, versions, deployments, owners and grants" "$(state $db)" "$want_state"
  check "$how: every row scores identically (3 models, 3000 rows)" "$(scores $db)" "$want_scores"
  q $db "INSERT INTO scored (a, b) VALUES (90, 90), (1, 1)"
  check "$how: the scoring trigger fires" "$(q $db "SELECT string_agg(label, ',' ORDER BY a) FROM scored")" "no,yes"
  check "$how: the row keys come back: the forest measures its own test rows again" \
    "$(q $db "SET client_min_messages = error; SELECT (dm_evaluate('forest', 'SELECT a, b, label FROM t', rows => 'test') ->> 'training_rows') || '/' || (dm_evaluate('forest', 'SELECT a, b, label FROM t', rows => 'test') ->> 'rows' = split ->> 'test') FROM dm.models WHERE name = 'forest'")" "0/true"
  check "$how: the next training gets the next version" \
    "$(q $db "SET client_min_messages = error; SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}')")" "3"
done

for db in $SRC pg_mining_dump_fc pg_mining_dump_sql; do
  "$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
done
q postgres "DROP ROLE IF EXISTS dm_dump_bi"
exit "$failed"
