#!/usr/bin/env bash
# Scoring cost inside a SELECT: a logistic model applied with dm_predict versus the same model
# written by hand as a SQL expression, over the same N-row table, same session and settings.
# Prints the median of 3 runs after a warm-up, and the ratio. Needs the extension installed
# (bash scripts/demo.sh or scripts/test.sh does it). Usage: bench/scoring.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
bash scripts/cluster.sh start
source scripts/pg_env.sh
export PGHOST="$PG_MINING_HOME" PGPORT="$PG_MINING_PORT" PGUSER=postgres
psql -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_bench" -c "CREATE DATABASE pg_mining_bench"
psql -X -q -d pg_mining_bench -v n="$N" ${BENCH_PSQL_FLAGS:-} <<'SQL'
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
SELECT setseed(0.42);
CREATE TABLE rows AS
SELECT i, random() * 10 AS x1, random() * 5 AS x2, random() AS x3, random() * 100 AS x4, random() * 2 AS x5
FROM generate_series(1, :n) i;
ALTER TABLE rows ADD COLUMN y boolean;
UPDATE rows SET y = (x1 - 2 * x2 + 3 * x3 + 0.05 * x4 - x5 + (random() - 0.5) * 2) > 3;
VACUUM ANALYZE rows;
SELECT version FROM dm_train('bench_logit', 'rows', 'y', 'logistic_regression', options => '{"exclude": ["i"]}') \gset

-- The hand-written model: intercept + sum(w * (x - center) / scale) > 0 means class "true".
SELECT (SELECT coefficient FROM dm_coefficients('bench_logit') WHERE feature = '(intercept)')::text || ' + ' ||
       string_agg(format('%s * ((%I - %s) / %s)', c.coefficient, c.feature, p.center, p.scale), ' + ')
       AS expr
FROM dm_coefficients('bench_logit') c
JOIN (SELECT f ->> 'name' AS feature, f -> 'transform' -> 'number' ->> 'center' AS center,
             f -> 'transform' -> 'number' ->> 'scale' AS scale
      FROM dm.models, jsonb_array_elements(preprocessing -> 'features') f WHERE name = 'bench_logit') p
  USING (feature) \gset

CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; r float8;
BEGIN
  t0 := clock_timestamp();
  EXECUTE q INTO r;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE FUNCTION pg_temp.median3(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE a float8[] := '{}';
BEGIN
  PERFORM pg_temp.ms(q);  -- warm-up
  FOR k IN 1..3 LOOP a := a || pg_temp.ms(q); END LOOP;
  RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(a) v);
END $$;

-- Same answers first.
SELECT (SELECT sum(dm_predict('bench_logit', r)) FROM rows r) =
       (SELECT sum(CASE WHEN :expr > 0 THEN 1 ELSE 0 END) FROM rows) AS same_predictions \gset
\if :same_predictions
\else
  \echo 'dm_predict and the hand-written expression disagree'
  \quit
\endif

SET max_parallel_workers_per_gather = 0;
\pset footer off
\echo
\echo 'Scoring' :n 'rows with a logistic model (5 features), no parallel workers; median of 3 after a warm-up'
WITH r AS (
  SELECT pg_temp.median3('SELECT sum(dm_predict(''bench_logit'', r)) FROM rows r') AS ours,
         pg_temp.median3(format('SELECT sum(CASE WHEN %s > 0 THEN 1 ELSE 0 END) FROM rows', :'expr')) AS peer,
         pg_temp.median3('SELECT sum(dm_predict(''bench_logit'', ARRAY[x1, x2, x3, x4, x5])) FROM rows') AS ours_array
)
SELECT 'dm_predict(row) vs SQL expression' AS "case", round(ours::numeric, 1) AS ours_ms, round(peer::numeric, 1) AS peer_ms,
       round((ours / peer)::numeric, 2) AS ratio FROM r
UNION ALL
SELECT 'dm_predict(array) vs SQL expression', round(ours_array::numeric, 1), round(peer::numeric, 1),
       round((ours_array / peer)::numeric, 2) FROM r;
SQL
