#!/usr/bin/env bash
# Explanations: dm_explain's exact SHAP values (TreeSHAP) of a 100-tree random forest
# (max_depth 8) for 10,000 rows in a SELECT, against shap.TreeExplainer's shap_values on
# scikit-learn's RandomForestClassifier of the same size and depth for the same rows. Both on one
# core (no parallel workers; shap's tree explainer runs on one thread). Prints the times (medians
# of 3), the scikit-learn trees' mean leaf count, and the ratio ours / shap. Needs the extension
# installed. Usage: bench/explain.sh [train_rows] [features] [explained_rows]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-20000}"; P="${2:-20}"; E="${3:-10000}"
. bench/setup.sh
bench_setup "sklearn,shap" numpy scikit-learn shap
bench_data "$N" "$P" pg_mining_explain
export EXPLAIN_CSV="$data"
ours=$(psql -X -q -A -t -d pg_mining_explain <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE TABLE d (id serial, $cols, y int, is_test boolean);
\copy d ($names, y, is_test) FROM PROGRAM 'cat "\$EXPLAIN_CSV"' WITH (FORMAT csv)
SET pg_mining.threads = 2;
SELECT count(*) FROM dm_train('rf', 'SELECT $names, y FROM d', 'y', 'random_forest',
  '{"n_estimators": 100, "max_depth": 8}', '{"dedup": false}');
SET max_parallel_workers_per_gather = 0;
CREATE TABLE probe AS SELECT $names FROM d ORDER BY id LIMIT $E;
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; r float8;
BEGIN t0 := clock_timestamp(); EXECUTE q INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$f\$;
SELECT count(dm_explain('rf', p)) FROM probe p;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM (
  SELECT pg_temp.ms('SELECT count(dm_explain(''rf'', p)) FROM probe p') AS t FROM generate_series(1, 3)) s;
SELECT dm_explain('rf', p) ->> 'method' FROM probe p LIMIT 1;
SQL
)
ours_ms=$(echo "$ours" | sed -n 3p); method=$(echo "$ours" | sed -n 4p)
peer=$("$VENV/bin/python" - "$data" "$E" <<'PY'
import sys, time, numpy as np, shap
from sklearn.ensemble import RandomForestClassifier
d = np.load(sys.argv[1] + ".npz"); e = int(sys.argv[2])
x, y = d["x"], d["y"]
m = RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=2).fit(x, y)
leaves = np.mean([t.tree_.n_leaves for t in m.estimators_])
explainer = shap.TreeExplainer(m)
probe = x[:e]
explainer.shap_values(probe[:100], check_additivity=False)
times = []
for _ in range(3):
    t = time.perf_counter(); explainer.shap_values(probe, check_additivity=False); times.append(time.perf_counter() - t)
print(sorted(times)[1] * 1000, leaves, shap.__version__)
PY
)
read -r shap_ms shap_leaves shap_version <<< "$peer"
printf '%-56s %12s %12s %7s\n' "SHAP values of $E rows, random forest 100 x depth 8" ours "shap $shap_version" ratio
printf '%-56s %12.0f %12.0f %7.2f\n' "time, ms (one core; ours: dm_explain in a SELECT, $method)" "$ours_ms" "$shap_ms" "$(echo "$ours_ms / $shap_ms" | bc -l)"
printf '%-56s %12s %12.1f\n' "mean leaves per tree (scikit-learn's)" "" "$shap_leaves"
