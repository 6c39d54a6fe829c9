#!/usr/bin/env bash
# Deployment costs, each against its peer in one run on the same machine:
#   1. single-row scoring latency under pgbench (2 clients, prepared statements):
#      SELECT dm_predict('bench_logit', ROW(...)) vs SELECT 1 — throughput ratio;
#   2. insert throughput with the scoring trigger vs without (INSERT ... SELECT of N rows).
# Uses the database of bench/scoring.sh (run that first). Usage: bench/deployment.sh [rows] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
SECS="${2:-10}"
bash scripts/cluster.sh start
source scripts/pg_env.sh
export PGHOST="$PG_MINING_HOME" PGPORT="$PG_MINING_PORT" PGUSER=postgres
DB=pg_mining_bench
psql -X -q -d "$DB" -c "SELECT 1 FROM dm.models WHERE name = 'bench_logit'" | grep -q 1 \
  || { echo "run bench/scoring.sh first"; exit 1; }
tmp=$(mktemp -d)
cat > "$tmp/predict.sql" <<'SQL'
\set x1 random(0, 10)
\set x2 random(0, 5)
\set x4 random(0, 100)
SELECT dm_predict('bench_logit', ROW(:x1::float8, :x2::float8, 0.5::float8, :x4::float8, 1.0::float8));
SQL
echo 'SELECT 1;' > "$tmp/trivial.sql"
tps() { pgbench -n -M prepared -c 2 -j 2 -T "$SECS" -f "$1" "$DB" 2>/dev/null | awk '/^tps/ {print $3; exit}'; }
tps "$tmp/trivial.sql" >/dev/null   # warm-up
ours=$(tps "$tmp/predict.sql")
peer=$(tps "$tmp/trivial.sql")

psql -X -q -d "$DB" -v n="$N" <<'SQL' > "$tmp/insert.txt"
SET client_min_messages = warning;
DROP TABLE IF EXISTS ins_plain, ins_scored;
CREATE TABLE ins_plain (x1 float8, x2 float8, x3 float8, x4 float8, x5 float8, flag boolean);
CREATE TABLE ins_scored (LIKE ins_plain);
CREATE TRIGGER score BEFORE INSERT ON ins_scored FOR EACH ROW EXECUTE FUNCTION dm_score_trigger('bench_logit', 'flag');
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN t0 := clock_timestamp(); EXECUTE q; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END $$;
SELECT pg_temp.ms(format('INSERT INTO ins_plain (x1, x2, x3, x4, x5) SELECT x1, x2, x3, x4, x5 FROM rows LIMIT %s', :n)) AS plain_ms,
       pg_temp.ms(format('INSERT INTO ins_scored (x1, x2, x3, x4, x5) SELECT x1, x2, x3, x4, x5 FROM rows LIMIT %s', :n)) AS trigger_ms,
       pg_temp.ms(format('INSERT INTO ins_plain (x1, x2, x3, x4, x5, flag) SELECT x1, x2, x3, x4, x5, dm_predict(''bench_logit'', r) = 1 FROM rows r LIMIT %s', :n)) AS select_ms
\gset
SELECT (SELECT count(*) FROM ins_scored WHERE flag IS NOT NULL) = :n AS all_scored \gset
\echo :plain_ms :trigger_ms :select_ms :all_scored
SQL
read -r plain trig sel all_scored < "$tmp/insert.txt"
rm -rf "$tmp"
printf '%-52s %12s %12s %7s\n' case ours peer ratio
printf '%-52s %12s %12s %7.2f\n' "pgbench tps: dm_predict(ROW) vs SELECT 1 (2 clients)" "$ours" "$peer" "$(echo "$ours / $peer" | bc -l)"
printf '%-52s %12.0f %12.0f %7.2f\n' "insert $N rows, ms: trigger vs no trigger" "$trig" "$plain" "$(echo "$trig / $plain" | bc -l)"
printf '%-52s %12.0f %12.0f %7.2f\n' "insert $N rows, ms: dm_predict in SELECT vs trigger" "$sel" "$trig" "$(echo "$sel / $trig" | bc -l)"
echo "every trigger row scored: $all_scored"
