#!/usr/bin/env bash
# Reports: what dm_report adds over dm_evaluate on the same relation. A 100-tree random forest
# (max_depth 8) trained on 20,000 rows, measured on a 100,000-row relation: dm_evaluate (read,
# score, metrics) against dm_report (the same, plus every chart, the mean |SHAP| of 200 rows,
# drift and the page) and dm_report_svg of one chart. Medians of 3; prints both times, the
# added time and the page size. The peer here is our own dm_evaluate (no other tool draws this
# page from SQL); the goal (issue 19) is at most 2 s added. Needs the extension installed.
# Usage: bench/report.sh [measured_rows] [features]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; P="${2:-20}"
. bench/setup.sh
bench_setup "sklearn" numpy scikit-learn
bench_data "$N" "$P" pg_mining_report_bench
export REPORT_CSV="$data"
out=$(psql -X -q -A -t -d pg_mining_report_bench <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE TABLE d (id serial, $cols, y int, is_test boolean);
\copy d ($names, y, is_test) FROM PROGRAM 'cat "\$REPORT_CSV"' WITH (FORMAT csv)
SET pg_mining.threads = 2;
SELECT count(*) FROM dm_train('rf', 'SELECT $names, y FROM d WHERE id <= 20000', 'y', 'random_forest',
  '{"n_estimators": 100, "max_depth": 8}', '{"dedup": false}');
CREATE VIEW measured AS SELECT $names, y FROM d;
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; r text;
BEGIN t0 := clock_timestamp(); EXECUTE q INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$f\$;
SELECT length(dm_report('rf', 'measured'));
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM (
  SELECT pg_temp.ms('SELECT dm_evaluate(''rf'', ''measured'')::text') AS t FROM generate_series(1, 3)) s;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM (
  SELECT pg_temp.ms('SELECT dm_report(''rf'', ''measured'')') AS t FROM generate_series(1, 3)) s;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM (
  SELECT pg_temp.ms('SELECT dm_report_svg(''rf'', ''roc'', ''measured'')') AS t FROM generate_series(1, 3)) s;
SQL
)
read -r bytes evaluate_ms report_ms svg_ms <<< "$(echo "$out" | tail -4 | tr '\n' ' ')"
printf '%-62s %12s\n' "random forest 100 x depth 8, measured on $N rows x $P" "ms"
printf '%-62s %12.0f\n' "dm_evaluate (read, score, metrics)" "$evaluate_ms"
printf '%-62s %12.0f\n' "dm_report (the same + charts, mean |SHAP| of 200 rows, drift)" "$report_ms"
printf '%-62s %12.0f\n' "dm_report_svg(roc)" "$svg_ms"
printf '%-62s %12.0f   (goal: at most 2000)\n' "added by the report" "$(echo "$report_ms - $evaluate_ms" | bc -l)"
printf '%-62s %12s\n' "page size, bytes" "$bytes"
