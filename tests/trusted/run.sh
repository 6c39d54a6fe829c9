#!/usr/bin/env bash
# A trusted extension (issue 16, item 8): a database owner who is no superuser installs
# pg_mining with CREATE EXTENSION, trains, scores, and dumps and restores the database with its
# models; the catalog stays the bootstrap superuser's, read and appended to by the extension's
# owner only (for pg_dump and pg_restore), updated by no role but through the functions; the internal functions sit in schema dm and no role may
# call them; a role that puts its own `=` and `||` operators before pg_catalog in its
# search_path (the CVE-2018-1058 pattern) never gets them run with the catalog owner's rights,
# in a plain or a parallel query; only the extension's owner sees DROP EXTENSION's warning with
# the number of models, and may drop it. Runs against the project's cluster; prints one line per
# check and exits 1 if any fails.
set -euo pipefail
source "$(dirname "$0")/../../scripts/pg_env.sh"
PORT="$PG_MINING_PORT"
SOCK="$PG_MINING_HOME"
# PostgreSQL 16 renamed force_parallel_mode to debug_parallel_query.
FORCE_PARALLEL=$([ "$PG_MAJOR" -ge 16 ] && echo debug_parallel_query || echo force_parallel_mode)
DB=pg_mining_trusted
COPY=pg_mining_trusted_copy
OWNER=dm_trusted_owner
OTHER=dm_trusted_other
WORK="$(mktemp -d)"
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
# As a role: psql's output (and its NOTICEs and WARNINGs) on stdout.
as() { # role, sql
  "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U "$1" -d $DB -v ON_ERROR_STOP=1 -c "$2" 2>&1
}
# As a role, a statement expected to fail: its SQLSTATE and message.
refused() { # role, sql
  { "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U "$1" -d $DB -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
      -c "$2" 2>&1 || true; } | grep -m1 '^ERROR' || echo "no error"
}
su() { "$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -c "$2"; }
failed=0
check() { # name, got, want
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', want '$3'"; failed=1; fi
}

cleanup() {
  su postgres "DROP DATABASE IF EXISTS $DB" 2>/dev/null
  su postgres "DROP DATABASE IF EXISTS $COPY" 2>/dev/null
  su postgres "DROP ROLE IF EXISTS $OWNER; DROP ROLE IF EXISTS $OTHER" 2>/dev/null
}
cleanup
su postgres "CREATE ROLE $OWNER LOGIN; CREATE ROLE $OTHER LOGIN"
su postgres "CREATE DATABASE $DB OWNER $OWNER"

check "a database owner who is no superuser installs pg_mining" \
  "$(as $OWNER "CREATE EXTENSION pg_mining; SELECT extowner::regrole FROM pg_extension WHERE extname = 'pg_mining'")" "$OWNER"
check "the catalog and the extension's objects belong to the bootstrap superuser" \
  "$(as $OWNER "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE relnamespace = 'dm'::regnamespace")" "postgres"
check "no internal function is left in public (the aggregates' and the catalog trigger's are in dm)" \
  "$(as $OWNER "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                  AND (proname LIKE '%\_state' OR proname LIKE '%\_finalize' OR proname = 'dm_catalog_changed')")" "0"
check "no role but the catalog owner may execute them" \
  "$(as $OWNER "SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'dm'::regnamespace AND p.prorettype <> 'event_trigger'::regtype
                  AND (has_function_privilege('$OWNER', p.oid, 'EXECUTE') OR has_function_privilege('$OTHER', p.oid, 'EXECUTE'))")" "0"

as $OWNER "CREATE TABLE t AS SELECT i AS id, (i % 97)::float8 AS a, ((i * 31) % 101)::float8 AS b,
             CASE WHEN (i % 97) + ((i * 31) % 101) / 3.0 > 70 THEN 'yes' ELSE 'no' END AS label
           FROM generate_series(1, 2000) i;
           GRANT SELECT ON t TO $OTHER; GRANT CREATE ON SCHEMA public TO $OTHER" >/dev/null
check "the database owner trains and scores" \
  "$(as $OWNER "SET client_min_messages = error;
                SELECT version FROM dm_train('forest', 'SELECT a, b, label FROM t', 'label', 'random_forest', '{\"n_estimators\": 10}');
                SELECT dm_grant('forest', '$OTHER', 'score');
                SELECT count(*) FROM t WHERE dm_predict_label('forest', ROW(a, b)) = label AND id <= 100" | tr '\n' ' ')" "1 t 100 "
# Backup and restore by the extension's owner, into a database it owns.
"$BIN/pg_dump" -h "$SOCK" -p "$PORT" -U $OWNER -Fc -f "$WORK/owner.dump" $DB
su postgres "CREATE DATABASE $COPY OWNER $OWNER"
"$BIN/pg_restore" -h "$SOCK" -p "$PORT" -U $OWNER -d $COPY --exit-on-error "$WORK/owner.dump"
check "the extension's owner dumps and restores the database with its models (pg_dump, pg_restore as that role)" \
  "$("$BIN/psql" -X -q -A -t -h "$SOCK" -p "$PORT" -U $OWNER -d $COPY -c "SELECT count(*) FROM t WHERE dm_predict_label('forest', ROW(a, b)) = label AND id <= 100")" "100"
check "the extension's owner changes the catalog only through the functions" \
  "$(refused $OWNER "DELETE FROM dm.deployments")|$(refused $OWNER "UPDATE dm.models SET model_bytes = NULL")" \
  "ERROR:  42501: permission denied for table deployments|ERROR:  42501: permission denied for table models"
check "another role cannot read the catalog tables" \
  "$(refused $OTHER "SELECT count(*) FROM dm.models")" "ERROR:  42501: permission denied for table models"

# The other role's own operators, first in its search_path: each says whose rights it ran with.
as $OTHER "CREATE TABLE public.hijacks (who name, what text);
  CREATE FUNCTION public.hijack_text(a text, b text) RETURNS boolean LANGUAGE plpgsql PARALLEL SAFE AS
    \$\$ BEGIN RAISE NOTICE 'hijacked: % ran my = (text, text)', current_user; RETURN a OPERATOR(pg_catalog.=) b; END \$\$;
  CREATE FUNCTION public.hijack_int(a integer, b integer) RETURNS boolean LANGUAGE plpgsql PARALLEL SAFE AS
    \$\$ BEGIN RAISE NOTICE 'hijacked: % ran my = (integer, integer)', current_user; RETURN a OPERATOR(pg_catalog.=) b; END \$\$;
  CREATE FUNCTION public.hijack_bigint(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql PARALLEL SAFE AS
    \$\$ BEGIN RAISE NOTICE 'hijacked: % ran my = (bigint, bigint)', current_user; RETURN a OPERATOR(pg_catalog.=) b; END \$\$;
  CREATE FUNCTION public.hijack_concat(a text, b text) RETURNS text LANGUAGE plpgsql PARALLEL SAFE AS
    \$\$ BEGIN RAISE NOTICE 'hijacked: % ran my || (text, text)', current_user; RETURN pg_catalog.textcat(a, b); END \$\$;
  CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.hijack_text);
  CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.hijack_int);
  CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.hijack_bigint);
  CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.hijack_concat)" >/dev/null
HOSTILE="SET search_path = public, pg_catalog; SET client_min_messages = notice;"
as $OTHER "$HOSTILE
  SELECT count(*) FROM t WHERE label = 'yes';
  SELECT version FROM dm_train('mine', 'SELECT a, b, label FROM t', 'label', 'logistic_regression');
  SELECT version FROM dm_train('mine', 'SELECT a, b, label FROM t WHERE id > 10', 'label', 'logistic_regression', options => '{\"deploy\": \"always\"}');
  SELECT dm_deploy('mine', 1); SELECT dm_rollback('mine');
  SELECT dm_grant('mine', '$OWNER', 'score'); SELECT dm_revoke('mine', '$OWNER', 'score');
  SELECT dm_drop_model('mine', 1);
  SELECT count(*) FROM dm.summary; SELECT count(*) FROM dm.versions; SELECT count(*) FROM dm.privileges;
  SELECT count(dm_predict_label('forest', ROW(a, b))) FROM t;
  SELECT dm_classification_metrics(label, dm_predict_label('forest', ROW(a, b))) IS NOT NULL FROM t" > "$WORK/plain.out" || true
as $OTHER "$HOSTILE SET $FORCE_PARALLEL = on; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
  SELECT count(dm_predict_label('forest@1', ROW(a, b))) FROM t;
  SELECT count(dm_predict_label('mine', ROW(a, b))) FROM t" > "$WORK/parallel.out" || true
check "the other role's operators ran in its own statements (the trap is live)" \
  "$(grep -c "hijacked: $OTHER" "$WORK/plain.out" | awk '{print ($1 > 0) ? "yes" : "no"}')" "yes"
check "the other role's training, deploys, grants, drops and views worked under that search_path" \
  "$(grep -c '^ERROR' "$WORK/plain.out" || true)" "0"
check "no operator of the other role ran with the catalog owner's rights (plain queries)" \
  "$(grep -c 'hijacked: postgres' "$WORK/plain.out" || true)" "0"
check "no operator of the other role ran with the catalog owner's rights (parallel workers)" \
  "$(grep -c 'hijacked: postgres' "$WORK/parallel.out" || true)|$(grep -c '^ERROR' "$WORK/parallel.out" || true)" "0|0"

check "a role that may not drop the extension gets no model count" \
  "$(as $OTHER "DROP EXTENSION pg_mining" | grep -c 'deletes' || true)" "0"
check "and is refused" "$(refused $OTHER "DROP EXTENSION pg_mining")" "ERROR:  42501: must be owner of extension pg_mining"
check "the extension's owner is warned how many models DROP EXTENSION deletes" \
  "$(as $OWNER "DROP EXTENSION pg_mining" | grep -o 'WARNING:  DROP EXTENSION pg_mining deletes [0-9]* models\? ([0-9]* versions\?)')" \
  "WARNING:  DROP EXTENSION pg_mining deletes 2 models (2 versions)"
check "the database owner installs it again" \
  "$(as $OWNER "CREATE EXTENSION pg_mining; SELECT count(*) FROM dm.summary")" "0"
check "a role without CREATE on the database may not install it" \
  "$(as $OWNER "DROP EXTENSION pg_mining" >/dev/null; refused $OTHER "CREATE EXTENSION pg_mining")" \
  "ERROR:  42501: permission denied to create extension \"pg_mining\""

cleanup
exit "$failed"
