#!/usr/bin/env bash
# Random forest: dm_train(..., 'random_forest') (100 trees, binned features) against
# scikit-learn's RandomForestClassifier(n_estimators=100, n_jobs=2) on the same generated data
# and rows, then scoring 1M rows inside a SELECT against scikit-learn's batch predict (n_jobs=2).
# Prints fit times (ours: the fit step dm_train reports, median of 3), test accuracy, the
# backend's peak memory during training against the raw float matrix, rows scored per second,
# and the ratios; then the engine alone in process (fit, and rows scored per second on one
# core). Needs the extension installed. Usage: bench/forest.sh [rows] [features]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; P="${2:-20}"
. bench/setup.sh
bench_setup "sklearn" numpy scikit-learn
data=/var/tmp/pg_mining/boost_${N}_${P}.csv
"$VENV/bin/python" bench/classification_data.py "$N" "$P" "$data"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_forest" -c "CREATE DATABASE pg_mining_forest"
cols=$(seq -s, -f 'f%g float8' 1 "$P")
names=$(seq -s, -f 'f%g' 1 "$P")
export FOREST_CSV="$data"
ours=$(psql -X -q -A -t -d pg_mining_forest <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE TABLE d ($cols, y int, is_test boolean);
\copy d FROM PROGRAM 'cat "\$FOREST_CSV"' WITH (FORMAT csv)
SET pg_mining.threads = 2;
CREATE VIEW train AS SELECT $names, y FROM d WHERE NOT is_test;
SELECT pg_backend_pid() AS pid \gset
\setenv BACKEND_PID :pid
\! grep VmRSS /proc/\$BACKEND_PID/status | tr -s ' ' | cut -d' ' -f2 > /var/tmp/pg_mining/forest_rss_before
\! grep RssShmem /proc/\$BACKEND_PID/status | tr -s ' ' | cut -d' ' -f2 > /var/tmp/pg_mining/forest_shm_before
CREATE TEMP TABLE runs (fit float8);
DO \$\$
BEGIN
  FOR k IN 1..3 LOOP
    PERFORM * FROM dm_train('rf', 'train', 'y', 'random_forest', '{}', '{"split": {"test_size": 0.0001}, "dedup": false}');
    INSERT INTO runs SELECT (timings ->> 'fit')::float8 FROM dm.models WHERE name = 'rf' ORDER BY version DESC LIMIT 1;
  END LOOP;
END \$\$;
\! grep VmHWM /proc/\$BACKEND_PID/status | tr -s ' ' | cut -d' ' -f2 > /var/tmp/pg_mining/forest_rss_peak
\! grep RssShmem /proc/\$BACKEND_PID/status | tr -s ' ' | cut -d' ' -f2 > /var/tmp/pg_mining/forest_shm_after
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY fit) FROM runs;
SELECT avg((dm_predict('rf', ROW($names)) = y)::int) FROM d WHERE is_test;
-- Scoring 1M rows: the table 1,000,000 / N times over (consecutive rows differ, so no path
-- stays in the CPU cache from one row to the next), stored as a table so that Postgres can
-- scan it with parallel workers (2 cores; scikit-learn's predict uses n_jobs=2).
CREATE TABLE big AS SELECT s.* FROM generate_series(1, 1000000 / $N) g, LATERAL (SELECT * FROM d WHERE g > 0 OFFSET 0) s;
VACUUM ANALYZE big;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SELECT sum(dm_predict('rf', ROW($names))) FROM big;
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; r float8;
BEGIN t0 := clock_timestamp(); EXECUTE q INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$f\$;
SELECT pg_temp.ms('SELECT sum(dm_predict(''rf'', ROW($names))) FROM big');
CREATE FUNCTION pg_temp.workers(q text) RETURNS int LANGUAGE plpgsql AS \$f\$
DECLARE l text; n int := 0;
BEGIN
  FOR l IN EXECUTE 'EXPLAIN ' || q LOOP
    IF l LIKE '%Workers Planned%' THEN n := substring(l FROM '([0-9]+)')::int; END IF;
  END LOOP;
  RETURN n;
END \$f\$;
SELECT pg_temp.workers('SELECT sum(dm_predict(''rf'', ROW($names))) FROM big');
SELECT length(model_bytes) / 1048576.0 FROM dm.models WHERE name = 'rf' ORDER BY version DESC LIMIT 1;
-- The same with only the two workers scoring (the leader gathers): two scoring processes
-- for two cores, as scikit-learn's two threads; with the leader too, three processes share
-- two cores and three copies of the model share the CPU cache.
SET parallel_leader_participation = off;
SELECT sum(dm_predict('rf', ROW($names))) FROM big;
SELECT pg_temp.ms('SELECT sum(dm_predict(''rf'', ROW($names))) FROM big');
SQL
)
fit_ms=$(echo "$ours" | sed -n 1p); acc=$(echo "$ours" | sed -n 2p); score_ms=$(echo "$ours" | sed -n 4p); workers=$(echo "$ours" | sed -n 5p); model_mb=$(echo "$ours" | sed -n 6p); score2_ms=$(echo "$ours" | sed -n 8p)
before_kb=$(cat /var/tmp/pg_mining/forest_rss_before); peak_kb=$(cat /var/tmp/pg_mining/forest_rss_peak)
shm_kb=$(( $(cat /var/tmp/pg_mining/forest_shm_after) - $(cat /var/tmp/pg_mining/forest_shm_before) ))
peer=$("$VENV/bin/python" - "$data" "$N" <<'PY'
import sys, time, pickle, numpy as np
from sklearn.ensemble import RandomForestClassifier
def kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
rss_before = kb("VmRSS")
d = np.load(sys.argv[1] + ".npz"); n = int(sys.argv[2])
x, y, test = d["x"], d["y"], d["test"]
times, m = [], None
for s in range(3):
    m = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=s)
    t = time.perf_counter(); m.fit(x[~test], y[~test]); times.append(time.perf_counter() - t)
grown = (kb("VmHWM") - rss_before) // 1024
size = len(pickle.dumps(m)) / 2**20
acc = m.score(x[test], y[test])
big = np.tile(x, (1000000 // n, 1))
m.predict(big[:1000])
t = time.perf_counter(); m.predict(big); score = time.perf_counter() - t
print(sorted(times)[1] * 1000, acc, score * 1000, grown, size)
PY
)
read -r sk_ms sk_acc sk_score_ms sk_grown_mb sk_size_mb <<< "$peer"
raw_kb=$(( N * 8 / 10 * P * 8 / 1024 ))
printf '%-48s %12s %12s %7s\n' "random forest, $N x $P, 100 trees" ours sklearn ratio
printf '%-48s %12.0f %12.0f %7.2f\n' "fit ms (ours: the fit step of dm_train)" "$fit_ms" "$sk_ms" "$(echo "$fit_ms / $sk_ms" | bc -l)"
printf '%-48s %12.4f %12.4f\n' "test accuracy" "$acc" "$sk_acc"
printf '%-48s %12.0f %12.0f %7.2f\n' "score 1M rows: rows per second ($workers workers + leader)" "$(echo "1000000000 / $score_ms" | bc -l)" "$(echo "1000000000 / $sk_score_ms" | bc -l)" "$(echo "$sk_score_ms / $score_ms" | bc -l)"
printf '%-48s %12.0f %12.0f %7.2f\n' "  the same, leader not scoring ($workers processes)" "$(echo "1000000000 / $score2_ms" | bc -l)" "$(echo "1000000000 / $sk_score_ms" | bc -l)" "$(echo "$sk_score_ms / $score2_ms" | bc -l)"
printf '%-48s %12s %12s\n' "peak RSS growth while training, MiB" "$(( (peak_kb - before_kb) / 1024 ))" "$sk_grown_mb"
# Shared buffers the backend touched (the table read, the model written) count in its RSS but
# are Postgres' cache, not training memory.
printf '%-48s %12s\n' "  of which shared buffers touched, MiB" "$(( shm_kb / 1024 ))"
printf '%-48s %12.1f %12.1f\n' "model size, MiB (ours: stored bytes; pickle)" "$model_mb" "$sk_size_mb"
printf '%-48s %12s\n' "raw training matrix (float8), MiB" "$(( raw_kb / 1024 ))"
# The engine alone, in process (no SQL, no preprocessing; one core for scoring, row by row as
# a SELECT does): an ignored unit test reads the CSV.
export PATH="$HOME/.cargo/bin:$PATH"
engine=$(BOOST_CSV="$data" \
  cargo test -q --release -p mining --lib forest_engine_speed -- --ignored --nocapture 2>/dev/null | grep -E "forest_(fit_ms|fit_heap|score)" | tr '\n' ' ' || true)
echo "engine in process: ${engine:-not run}"
