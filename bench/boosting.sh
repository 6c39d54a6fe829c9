#!/usr/bin/env bash
# Gradient boosting: dm_train(..., 'gradient_boosting') against LightGBM (num_threads=2) and
# scikit-learn's HistGradientBoostingClassifier on the same generated data (make_classification,
# same train/test rows), equal settings: 100 rounds, learning rate 0.1, 31 leaves, 20 rows per
# leaf, 255 bins, no early stopping. Prints fit time (ours: the fit step dm_train reports, and
# the whole dm_train call), test accuracy, and the ratios. Needs the extension installed.
# Usage: bench/boosting.sh [rows] [features]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; P="${2:-20}"
. bench/setup.sh
bench_setup "sklearn, lightgbm" numpy scikit-learn lightgbm
data=/var/tmp/pg_mining/boost_${N}_${P}.csv
"$VENV/bin/python" bench/classification_data.py "$N" "$P" "$data"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_boost" -c "CREATE DATABASE pg_mining_boost"
cols=$(seq -s, -f 'f%g float8' 1 "$P")
names=$(seq -s, -f 'f%g' 1 "$P")
export BOOST_CSV="$data"
ours=$(psql -X -q -A -t -d pg_mining_boost <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE TABLE d ($cols, y int, is_test boolean);
\copy d FROM PROGRAM 'cat "\$BOOST_CSV"' WITH (FORMAT csv)
SET pg_mining.threads = 2;
CREATE VIEW train AS SELECT $names, y FROM d WHERE NOT is_test;
-- Warm-up, then three timed runs; the whole call and the fit step it reports.
SELECT count(*) FROM dm_train('gb', 'train', 'y', 'gradient_boosting', '{"n_iter_no_change": 0}', '{"split": {"test_size": 0.0001}, "dedup": false}');
CREATE TEMP TABLE runs (total float8, fit float8);
DO \$\$
DECLARE t0 timestamptz;
BEGIN
  FOR k IN 1..3 LOOP
    t0 := clock_timestamp();
    PERFORM * FROM dm_train('gb', 'train', 'y', 'gradient_boosting', '{"n_iter_no_change": 0}', '{"split": {"test_size": 0.0001}, "dedup": false}');
    INSERT INTO runs SELECT extract(epoch FROM clock_timestamp() - t0) * 1000,
      (SELECT (timings ->> 'fit')::float8 FROM dm.models WHERE name = 'gb' ORDER BY version DESC LIMIT 1);
  END LOOP;
END \$\$;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY fit) FROM runs;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY total) FROM runs;
SELECT avg((dm_predict('gb', ROW($names)) = y)::int) FROM d WHERE is_test;
SQL
)
fit_ms=$(echo "$ours" | sed -n 2p); total_ms=$(echo "$ours" | sed -n 3p); acc=$(echo "$ours" | sed -n 4p)
peers=$("$VENV/bin/python" - "$data" <<'PY'
import sys, time, numpy as np
import lightgbm as lgb
from sklearn.ensemble import HistGradientBoostingClassifier
d = np.load(sys.argv[1] + ".npz")
x, y, test = d["x"], d["y"], d["test"]
xt, yt, xs, ys = x[~test], y[~test], x[test], y[test]
def timed(make):
    make().fit(xt, yt)  # warm-up
    times, model = [], None
    for _ in range(3):
        m = make(); t = time.perf_counter(); m.fit(xt, yt); times.append(time.perf_counter() - t); model = m
    return sorted(times)[1] * 1000, (model.predict(xs) == ys).mean()
lg = timed(lambda: lgb.LGBMClassifier(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20,
                                      max_bin=255, reg_lambda=0.0, num_threads=2, verbose=-1))
sk = timed(lambda: HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31,
                                                  min_samples_leaf=20, max_bins=255, early_stopping=False))
print(lg[0], lg[1], sk[0], sk[1])
PY
)
read -r lg_ms lg_acc sk_ms sk_acc <<< "$peers"
printf '%-44s %10s %10s %10s\n' "gradient boosting, $N x $P, 100 rounds" ours LightGBM sklearn-HGB
printf '%-44s %10.0f %10.0f %10.0f\n' "fit ms (ours: the fit step of dm_train)" "$fit_ms" "$lg_ms" "$sk_ms"
printf '%-44s %10.0f\n' "whole dm_train call ms (read, prepare, fit)" "$total_ms"
printf '%-44s %10.4f %10.4f %10.4f\n' "test accuracy" "$acc" "$lg_acc" "$sk_acc"
printf 'ratio fit ours/LightGBM %.2f, ours/sklearn %.2f\n' "$(echo "$fit_ms / $lg_ms" | bc -l)" "$(echo "$fit_ms / $sk_ms" | bc -l)"
# The engine alone, in process (no SQL, no preprocessing): an ignored unit test reads the CSV.
export PATH="$HOME/.cargo/bin:$PATH"
engine=$(BOOST_CSV="$data" \
  cargo test -q --release -p mining --lib engine_speed -- --ignored --nocapture 2>/dev/null | grep engine_fit_ms || true)
echo "engine in process: ${engine:-not run}"
