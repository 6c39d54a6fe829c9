#!/usr/bin/env bash
# Does training time grow linearly with the rows? random_forest (100 trees, max_depth 12) and
# gradient_boosting (100 rounds) fitted by dm_train on 10k, 100k and 1M rows × 20 features of
# the same generated data (SQL random() with a fixed seed; a noisy linear rule for the class),
# 2 threads. Prints the fit step's time per size and the time per 1,000 rows, and the growth
# from 10k to 1M against the 100× of linear growth. Needs the extension installed.
# Usage: bench/scaling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/cluster.sh start
source scripts/pg_env.sh
export PGHOST="$PG_MINING_HOME" PGPORT="$PG_MINING_PORT" PGUSER=postgres
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_scaling" -c "CREATE DATABASE pg_mining_scaling"
cols=$(seq -s, -f 'random() AS f%g' 1 20)
psql -X -q -A -t -F ' ' -d pg_mining_scaling <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
SET pg_mining.threads = 2;
SELECT setseed(0.7);
CREATE TABLE big AS SELECT i, $cols FROM generate_series(1, 1000000) i;
ALTER TABLE big ADD COLUMN y boolean;
UPDATE big SET y = f1 + 2 * f2 - f3 + 0.5 * f4 * f5 + (random() - 0.5) * 0.5 > 1.2;
VACUUM ANALYZE big;
CREATE TEMP TABLE timing (algorithm text, rows int, fit_ms float8);
DO \$\$
DECLARE n int; a text; h jsonb;
BEGIN
  FOREACH n IN ARRAY ARRAY[10000, 100000, 1000000] LOOP
    FOREACH a IN ARRAY ARRAY['random_forest', 'gradient_boosting'] LOOP
      h := CASE a WHEN 'random_forest' THEN '{"max_depth": 12}' ELSE '{"n_iter_no_change": 0}' END;
      PERFORM * FROM dm_train('s', format('SELECT * FROM big WHERE i <= %s', n), 'y', a, h,
                              '{"exclude": ["i"], "split": {"test_size": 0.0001}, "dedup": false}');
      INSERT INTO timing SELECT a, n, (timings ->> 'fit')::float8 FROM dm.models WHERE name = 's' ORDER BY version DESC LIMIT 1;
    END LOOP;
  END LOOP;
END \$\$;
\echo algorithm rows fit_ms ms_per_1k_rows
SELECT algorithm, rows, fit_ms, round((fit_ms / rows * 1000)::numeric, 3) FROM timing ORDER BY algorithm, rows;
\echo algorithm growth_10k_to_1M (linear: 100)
SELECT algorithm, round((max(fit_ms) FILTER (WHERE rows = 1000000) / max(fit_ms) FILTER (WHERE rows = 10000))::numeric, 1)
FROM timing GROUP BY algorithm ORDER BY algorithm;
SQL
