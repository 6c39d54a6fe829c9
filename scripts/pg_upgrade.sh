#!/usr/bin/env bash
# pg_upgrade with models in place: a PostgreSQL 15 cluster (Debian's) with pg_mining trains and
# deploys a random forest, a logistic model (two versions, the first deployed) and a k-means
# model, creates a scoring trigger and a typed predict function, and is upgraded with the PG 18
# wheel's pg_upgrade (scripts/postgres.sh 18). On 18 every model must score every row
# identically (labels, probabilities to the last bit, clusters), the trigger must still fire, the
# typed function must still answer, and training must go on. Needs this build installed into
# both majors (scripts/test.sh does it; by hand: cargo pgrx install --release --pg-config for
# each). Uses two clusters of its own on ports 5497 and 5498 under $PG_MINING_HOME/pg_upgrade,
# removed afterwards. Prints one line per check; exits 1 if any fails.
#
# The old cluster runs Debian's 15.18 (bookworm's main archive; unpacked under $PG_MINING_HOME,
# not installed), with this build's library and SQL as installed into Debian's 15.20. Why not
# 15.20 itself: that security release writes a column option `pg_attver` on every column of every
# table, which 18.6 (the newest 18 on the registry) rejects ("unrecognized parameter"), so its
# pg_upgrade to 18.6 fails on any database, with or without pg_mining. An 18 release of the same
# date as 15.20 is expected to know the option.
set -euo pipefail
cd "$(dirname "$0")/.."
HOME_DIR="${PG_MINING_HOME:-/var/tmp/pg_mining}"
OLD_DEB=15.18-0+deb12u1
OLD_ROOT="$HOME_DIR/pg$OLD_DEB"
OLD_BIN="$OLD_ROOT/usr/lib/postgresql/15/bin"
NEW_BIN="$("$(bash scripts/postgres.sh 18)" --bindir)"
WORK="$HOME_DIR/pg_upgrade"
OLD_PORT=5497
NEW_PORT=5498
DB=pg_mining_pg_upgrade

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres "$@"; fi
}
failed=0
check() { # name, got, want
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', want '$3'"; failed=1; fi
}
stop_all() {
  as_postgres "$OLD_BIN/pg_ctl" -D "$WORK/old" -m fast stop >/dev/null 2>&1 || true
  as_postgres "$NEW_BIN/pg_ctl" -D "$WORK/new" -m fast stop >/dev/null 2>&1 || true
}
# The clusters and pg_upgrade's logs are kept when a check fails.
trap 'stop_all; if [ "$failed" -eq 0 ]; then rm -rf "$WORK"; else echo "kept for a look: $WORK"; fi' EXIT

DEBIAN15=/usr/lib/postgresql/15/bin/pg_config
for lib in "$($DEBIAN15 --pkglibdir)" "$("$NEW_BIN/pg_config" --pkglibdir)"; do
  [ -f "$lib/pg_mining.so" ] || { echo "FAILED: pg_mining is not installed in $lib"; exit 1; }
done
if [ ! -x "$OLD_BIN/postgres" ]; then
  echo "unpacking Debian's postgresql-15 $OLD_DEB into $OLD_ROOT"
  deb="$(mktemp -d)"
  chmod 777 "$deb"
  (cd "$deb" && apt-get download -q "postgresql-15=$OLD_DEB" >/dev/null 2>&1) \
    || { apt-get update -qq >/dev/null && (cd "$deb" && apt-get download -q "postgresql-15=$OLD_DEB" >/dev/null 2>&1); }
  rm -rf "$OLD_ROOT"
  dpkg -x "$deb"/postgresql-15_*.deb "$OLD_ROOT"
  rm -rf "$deb"
fi
# This build, as installed into Debian's 15.20 (one ABI across a major's minor releases).
cp "$($DEBIAN15 --pkglibdir)/pg_mining.so" "$OLD_ROOT/usr/lib/postgresql/15/lib/"
cp "$($DEBIAN15 --sharedir)"/extension/pg_mining* "$OLD_ROOT/usr/share/postgresql/15/extension/"
chmod -R go+rX "$OLD_ROOT"

stop_all
rm -rf "$WORK"
mkdir -p "$WORK"
chown postgres:postgres "$HOME_DIR" "$WORK"
as_postgres "$OLD_BIN/initdb" -D "$WORK/old" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$NEW_BIN/initdb" -D "$WORK/new" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  --no-data-checksums >/dev/null
start() { # bin, data, port
  as_postgres "$1/pg_ctl" -D "$2" -l "$2.log" -w -o "-p $3 -k $WORK -c listen_addresses=''" start >/dev/null
}
q() { # bin, port, sql (18's psql for both: the server package carries no client)
  "$NEW_BIN/psql" -X -q -A -t -h "$WORK" -p "$2" -U postgres -d $DB -v ON_ERROR_STOP=1 -c "$3"
}

start "$OLD_BIN" "$WORK/old" $OLD_PORT
"$NEW_BIN/psql" -X -q -h "$WORK" -p $OLD_PORT -U postgres -d postgres -c "CREATE DATABASE $DB"
q "$OLD_BIN" $OLD_PORT "CREATE EXTENSION pg_mining"
q "$OLD_BIN" $OLD_PORT "CREATE TABLE t AS SELECT i AS id, (i % 97)::float8 AS a, ((i * 31) % 101)::float8 AS b,
         CASE WHEN (i % 97) + ((i * 31) % 101) / 3.0 > 70 THEN 'yes' ELSE 'no' END AS label
       FROM generate_series(1, 3000) i"
q "$OLD_BIN" $OLD_PORT "SET client_min_messages = error;
       SELECT version FROM dm_train('forest', 'SELECT a, b, label FROM t', 'label', 'random_forest', '{\"n_estimators\": 20}');
       SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t', 'label', 'logistic_regression');
       SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t WHERE id > 100', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}');
       SELECT version FROM dm_train('clusters', 'SELECT a, b FROM t', NULL, 'kmeans', '{\"n_clusters\": 3}');
       SELECT dm_create_predict_function('forest', 'predict_forest');" >/dev/null
q "$OLD_BIN" $OLD_PORT "CREATE TABLE scored (a float8, b float8, label text);
       CREATE TRIGGER score BEFORE INSERT ON scored FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('forest', 'label', 'label');
       INSERT INTO scored (a, b) VALUES (90, 90)"
scores() { # bin, port
  q "$1" "$2" "SELECT md5(string_agg(dm_predict_label('forest', x) || ':' || dm_predict_label('logit', x) || ':'
               || (dm_predict_proba('logit@2', x))[1]::float8::text || ':'
               || (dm_predict_proba('forest', x))[1]::float8::text || ':' || dm_cluster('clusters', x), ','))
         FROM (SELECT a, b FROM t ORDER BY id) x"
}
summary() { # bin, port
  q "$1" "$2" "SELECT string_agg(name || '@' || version || ':' || algorithm, ',' ORDER BY name, version) FROM dm.models"
}
before="$(scores "$OLD_BIN" $OLD_PORT)"
models_before="$(summary "$OLD_BIN" $OLD_PORT)"
typed_before="$(q "$OLD_BIN" $OLD_PORT "SELECT string_agg(predict_forest(a, b), ',' ORDER BY id) FROM t WHERE id <= 20")"
as_postgres "$OLD_BIN/pg_ctl" -D "$WORK/old" -m fast -w stop >/dev/null

echo "pg_upgrade: $("$OLD_BIN/postgres" --version) -> $("$NEW_BIN/postgres" --version)"
if ! (cd "$WORK" && as_postgres "$NEW_BIN/pg_upgrade" -b "$OLD_BIN" -B "$NEW_BIN" -d "$WORK/old" -D "$WORK/new" \
       -p $OLD_PORT -P $NEW_PORT -s "$WORK" > "$WORK/pg_upgrade.out" 2>&1); then
  failed=1
  tail -5 "$WORK/pg_upgrade.out"
  find "$WORK/new" -name '*.log' -path '*pg_upgrade_output.d*' -exec grep -h -B2 -A3 'ERROR' {} + 2>/dev/null | head -40 || true
  echo "FAILED: pg_upgrade"
  exit 1
fi
grep -E "^(Performing Upgrade|Upgrade Complete)" "$WORK/pg_upgrade.out" || true

start "$NEW_BIN" "$WORK/new" $NEW_PORT
check "the server is PostgreSQL 18" "$(q "$NEW_BIN" $NEW_PORT "SELECT current_setting('server_version_num')::int / 10000")" "18"
check "the catalog holds every model version" "$(summary "$NEW_BIN" $NEW_PORT)" "$models_before"
check "every model scores every row identically (forest, logit, logit@2, clusters; 3000 rows)" \
  "$(scores "$NEW_BIN" $NEW_PORT)" "$before"
check "the typed predict function answers as before" \
  "$(q "$NEW_BIN" $NEW_PORT "SELECT string_agg(predict_forest(a, b), ',' ORDER BY id) FROM t WHERE id <= 20")" "$typed_before"
q "$NEW_BIN" $NEW_PORT "INSERT INTO scored (a, b) VALUES (1, 1)"
check "the scoring trigger still fires" "$(q "$NEW_BIN" $NEW_PORT "SELECT string_agg(label, ',' ORDER BY a) FROM scored")" "no,yes"
check "training goes on after the upgrade" \
  "$(q "$NEW_BIN" $NEW_PORT "SET client_min_messages = error; SELECT version FROM dm_train('logit', 'SELECT a, b, label FROM t', 'label', 'logistic_regression', options => '{\"deploy\": \"never\"}')")" "3"
exit "$failed"
