#!/usr/bin/env bash
# Versioned upgrades (issue 16, item 7): the released 0.1.0 (its library built from the tag
# v0.1.0, its SQL as released: sql/released/pg_mining--0.1.0.sql) trains and deploys a forest,
# a logistic model and a k-means model and scores rows in a trigger; then this build's library
# is installed. Before ALTER EXTENSION pg_mining UPDATE the new library refuses, naming both
# versions; after it (every upgrade script in turn: 0.1.0 -> 0.2.0 -> 0.3.0 -> 0.4.0) every model scores
# identically, the trigger still fires, each model has its owner, and the upgraded schema
# equals a fresh install's (pg_dump --schema-only --binary-upgrade, which lists every member
# object of the extension). The SQL of every later release (sql/released/pg_mining--0.2.0.sql,
# 0.3.0), installed fresh and updated, must also equal a fresh install. Needs this build installed
# (cargo pgrx install) and the project's cluster running. Prints one line per check; exits 1
# if any fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
PORT="${PG_MINING_PORT:-5499}"
HOME_DIR="${PG_MINING_HOME:-/var/tmp/pg_mining}"
SOCK="$HOME_DIR"
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
BIN=/usr/lib/postgresql/15/bin
LIB="$($PG_CONFIG --pkglibdir)/pg_mining.so"
EXT="$($PG_CONFIG --sharedir)/extension"
DB=pg_mining_upgrade
FRESH=pg_mining_upgrade_fresh
FROM_020=pg_mining_upgrade_020
FROM_030=pg_mining_upgrade_030
NOW="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
q() { "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -c "$2"; }
failed=0
check() { # name, got, want
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', want '$3'"; failed=1; fi
}
# Replaces the installed library by renaming (running backends keep the file they mapped).
put_library() { cp "$1" "$LIB.new" && mv "$LIB.new" "$LIB"; }

# The 0.1.0 library, built once from the tag in a target directory of its own (a shared one
# would let cargo take one build's artifacts for the other's: their path crates hash alike).
OLD_SRC="$HOME_DIR/v0.1.0-src"
OLD_TARGET="$HOME_DIR/v0.1.0-target"
OLD_LIB="$OLD_TARGET/release/libpg_mining.so"
if [ ! -f "$OLD_LIB" ]; then
  echo "building the 0.1.0 library from tag v0.1.0 (once; kept in $OLD_TARGET)"
  rm -rf "$OLD_SRC"
  git worktree prune
  # The release commit of 0.1.0 (tagged v0.1.0).
  git worktree add --detach "$OLD_SRC" 0390c89 >/dev/null 2>&1
  (cd "$OLD_SRC" && CARGO_TARGET_DIR="$OLD_TARGET" cargo build --release --lib --quiet)
  git worktree remove --force "$OLD_SRC"
fi
NEW_LIB="$HOME_DIR/pg_mining-$(date +%s).so"
cp "$LIB" "$NEW_LIB"
trap 'put_library "$NEW_LIB"; rm -f "$NEW_LIB"' EXIT
cp sql/released/pg_mining--0.1.0.sql "$EXT/pg_mining--0.1.0.sql"
cp sql/released/pg_mining--0.2.0.sql "$EXT/pg_mining--0.2.0.sql"
cp sql/released/pg_mining--0.3.0.sql "$EXT/pg_mining--0.3.0.sql"

for db in $DB $FRESH $FROM_020 $FROM_030; do
  "$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
done
q postgres "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dm_upgrade_analyst') THEN CREATE ROLE dm_upgrade_analyst SUPERUSER; END IF; END \$\$"

put_library "$OLD_LIB"
q postgres "CREATE DATABASE $DB"
q $DB "CREATE EXTENSION pg_mining VERSION '0.1.0'"
q $DB "CREATE TABLE t AS SELECT i AS id, (i % 97)::float8 AS a, ((i * 31) % 101)::float8 AS b,
         CASE WHEN (i % 97) + ((i * 31) % 101) / 3.0 > 70 THEN 'yes' ELSE 'no' END AS label
       FROM generate_series(1, 3000) i"
q $DB "SET client_min_messages = error; SET ROLE dm_upgrade_analyst;
       SELECT version FROM dm_train('forest', 'SELECT a, b, label FROM t', 'label', 'random_forest', '{\"n_estimators\": 20}');
       RESET ROLE;
       SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t', 'label', 'logistic_regression');
       SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t WHERE id > 100', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}');
       SELECT version FROM dm_train('clusters', 'SELECT a, b FROM t', NULL, 'kmeans', '{\"n_clusters\": 3}');" >/dev/null
q $DB "CREATE TABLE scored (a float8, b float8, label text);
       CREATE TRIGGER score BEFORE INSERT ON scored FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('forest', 'label', 'label');
       INSERT INTO scored (a, b) VALUES (90, 90)"
scores() {
  q $DB "SELECT md5(string_agg(dm_predict_label('forest', x) || ':' || dm_predict_label('logit', x) || ':'
               || round((dm_predict_proba('logit@2', x))[1]::numeric, 12) || ':' || dm_cluster('clusters', x), ','))
         FROM (SELECT a, b FROM t ORDER BY id) x"
}
before="$(scores)"

put_library "$NEW_LIB"
refused="$(q $DB "SELECT dm_predict_label('forest', ROW(1.0::float8, 2.0::float8))" 2>&1 || true)"
check "the new library refuses the 0.1.0 objects, naming both versions" \
  "$(echo "$refused" | grep -c "library is version $NOW but the extension's SQL objects in this database are version 0.1.0; run ALTER EXTENSION pg_mining UPDATE")" "1"
q $DB "ALTER EXTENSION pg_mining UPDATE"
check "the extension is at $NOW" "$(q $DB "SELECT extversion FROM pg_extension WHERE extname = 'pg_mining'")" "$NOW"
check "every model scores identically (4 versions, 3000 rows)" "$(scores)" "$before"
q $DB "INSERT INTO scored (a, b) VALUES (1, 1)"
check "the scoring trigger still fires" "$(q $DB "SELECT string_agg(label, ',' ORDER BY a) FROM scored")" "no,yes"
check "each model is owned by the role that trained it" \
  "$(q $DB "SELECT string_agg(name || ':' || owner::text, ',' ORDER BY name) FROM dm.owners")" \
  "clusters:postgres,forest:dm_upgrade_analyst,logit:postgres"
check "training goes on after the upgrade" \
  "$(q $DB "SET client_min_messages = error; SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}')")" "3"

check "a version trained before 0.4.0 keeps no row keys, and rows => 'test' says so" \
  "$(q $DB "SELECT dm_evaluate('forest', 'SELECT a, b, label FROM t', rows => 'test')" 2>&1 | grep -c "which this version does not keep (trained before 0.4.0")" "1"
check "a version trained after the upgrade finds its own test rows again" \
  "$(q $DB "SET client_min_messages = error; SELECT (dm_evaluate('logit@3', 'SELECT a, b, label FROM t', rows => 'test') ->> 'rows') = split ->> 'test' FROM dm.models WHERE name = 'logit' AND version = 3")" "t"

# The upgraded schema equals a fresh install's.
q postgres "CREATE DATABASE $FRESH"
q $FRESH "CREATE EXTENSION pg_mining"
# And so does the released 0.2.0, installed as it was and updated.
q postgres "CREATE DATABASE $FROM_020"
q $FROM_020 "CREATE EXTENSION pg_mining VERSION '0.2.0'"
q $FROM_020 "ALTER EXTENSION pg_mining UPDATE"
q postgres "CREATE DATABASE $FROM_030"
q $FROM_030 "CREATE EXTENSION pg_mining VERSION '0.3.0'"
q $FROM_030 "ALTER EXTENSION pg_mining UPDATE"
schema() {
  "$BIN/pg_dump" -h "$SOCK" -p "$PORT" -U postgres --schema-only --binary-upgrade --no-comments "$1" 2>/dev/null \
    | grep -v -e 'binary_upgrade_set_next' -e 'relfrozenxid' -e "^WHERE oid = '" -e '^UPDATE pg_catalog.pg_class' \
             -e '^-- For binary upgrade' -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict' -e '^--$' -e '^$' \
             -e 'pg_catalog.setval' \
    | sed -E "s/(binary_upgrade_create_empty_extension\([^{]*)\{[0-9,]*\}/\1{oids}/"
}
comments() {
  q "$1" "SELECT string_agg(pg_describe_object(classid, objid, objsubid) || '=' || md5(coalesce(obj_description(objid, (SELECT c.relname FROM pg_class c WHERE c.oid = classid)), '')), E'\n' ORDER BY pg_describe_object(classid, objid, objsubid))
          FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_mining') AND deptype = 'e'"
}
schema $DB | grep -v "^CREATE TABLE public\.\(t\|scored\)\|^ALTER TABLE public\.\(t\|scored\)" > "$HOME_DIR/upgraded.schema" || true
schema $FRESH > "$HOME_DIR/fresh.schema" || true
# The upgraded database also holds the scenario's own tables and trigger: compare the
# extension's objects only (everything in schema dm and every member of the extension).
schema $FROM_020 > "$HOME_DIR/from_020.schema" || true
schema $FROM_030 > "$HOME_DIR/from_030.schema" || true
ext_objects() { awk '/^-- Name: /{keep = ($0 ~ /Schema: dm;/ || $0 ~ /Type: FUNCTION|Type: AGGREGATE|Type: EXTENSION|Type: SCHEMA|Type: EVENT TRIGGER/)} keep' "$1"; }
same_schema() { # label, upgraded schema file
  if diff <(ext_objects "$HOME_DIR/fresh.schema") <(ext_objects "$2") > "$HOME_DIR/schema.diff"; then
    check "$1" same same
  else
    head -40 "$HOME_DIR/schema.diff"
    check "$1" differs same
  fi
}
same_schema "the schema upgraded from 0.1.0 equals a fresh install's (pg_dump --schema-only --binary-upgrade)" "$HOME_DIR/upgraded.schema"
same_schema "the schema upgraded from 0.2.0 equals a fresh install's" "$HOME_DIR/from_020.schema"
same_schema "the schema upgraded from 0.3.0 equals a fresh install's" "$HOME_DIR/from_030.schema"
comments $FRESH > "$HOME_DIR/fresh.comments"
for db in $DB $FROM_020 $FROM_030; do
  comments $db > "$HOME_DIR/upgraded.comments"
  diff "$HOME_DIR/fresh.comments" "$HOME_DIR/upgraded.comments" | head -20 || true
  check "every member object's comment equals a fresh install's ($db)" "$(md5sum < "$HOME_DIR/upgraded.comments")" "$(md5sum < "$HOME_DIR/fresh.comments")"
done

for db in $DB $FRESH $FROM_020 $FROM_030; do
  "$BIN/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
done
q postgres "DROP ROLE IF EXISTS dm_upgrade_analyst"
exit "$failed"
