#!/usr/bin/env bash
# SVM, k-NN and MLP against scikit-learn on the same generated data (make_classification), in
# one run: SVC (RBF, C=1, gamma "scale", standard-scaled) fit on 10k x 20 — without and with
# Platt probabilities (ours: probability false/true; theirs: SVC(probability=False/True)); MLP (one hidden layer of 100, 20 epochs, Adam, batch 200) fit on 50k x 20 rows — the fit
# step dm_train reports against MLPClassifier.fit; k-NN (5 neighbours) scoring 10k rows against
# 100k stored rows — a SELECT of dm_predict against KNeighborsClassifier.predict (brute force,
# n_jobs=2). Prints times, accuracy and ratios. Needs the extension installed.
# Usage: bench/models.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/setup.sh
bench_setup "sklearn" numpy scikit-learn
mlp_data=/var/tmp/pg_mining/boost_62500_20.csv     # 50k training rows after the 20% test split
knn_data=/var/tmp/pg_mining/boost_110000_20.csv    # 88k stored rows, 22k test rows (10k scored)
svm_data=/var/tmp/pg_mining/boost_12500_20.csv     # 10k training rows after the 20% test split
"$VENV/bin/python" bench/classification_data.py 12500 20 "$svm_data"
"$VENV/bin/python" bench/classification_data.py 62500 20 "$mlp_data"
"$VENV/bin/python" bench/classification_data.py 110000 20 "$knn_data"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_models" -c "CREATE DATABASE pg_mining_models"
cols=$(seq -s, -f 'f%g float8' 1 20)
names=$(seq -s, -f 'f%g' 1 20)
export MLP_CSV="$mlp_data" KNN_CSV="$knn_data" SVM_CSV="$svm_data"
ours=$(psql -X -q -A -t -d pg_mining_models <<SQL
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
SET pg_mining.threads = 2;
CREATE TABLE m ($cols, y int, is_test boolean);
\copy m FROM PROGRAM 'cat "\$MLP_CSV"' WITH (FORMAT csv)
CREATE VIEW m_train AS SELECT $names, y FROM m WHERE NOT is_test;
SELECT count(*) FROM dm_train('mlp', 'm_train', 'y', 'mlp', '{"max_iter": 20, "tol": 0}', '{"split": {"test_size": 0.0001}, "dedup": false}');
SELECT (timings ->> 'fit')::float8 FROM dm.models WHERE name = 'mlp' ORDER BY version DESC LIMIT 1;
SELECT avg((dm_predict('mlp', ROW($names)) = y)::int) FROM m WHERE is_test;
CREATE TABLE k ($cols, y int, is_test boolean);
\copy k FROM PROGRAM 'cat "\$KNN_CSV"' WITH (FORMAT csv)
CREATE VIEW k_train AS SELECT $names, y FROM k WHERE NOT is_test;
SELECT count(*) FROM dm_train('knn', 'k_train', 'y', 'knn', '{}', '{"split": {"test_size": 0.0001}, "dedup": false, "scale": "none"}');
-- The first 10,000 test rows in file order (a parallel scan would pick others).
SET max_parallel_workers_per_gather = 0;
CREATE TABLE q AS SELECT * FROM k WHERE is_test LIMIT 10000;
RESET max_parallel_workers_per_gather;
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; r float8;
BEGIN t0 := clock_timestamp(); EXECUTE q INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$f\$;
SELECT pg_temp.ms('SELECT sum(dm_predict(''knn'', ROW($names))) FROM q');
SELECT avg((dm_predict('knn', ROW($names)) = y)::int) FROM q;
CREATE TABLE s ($cols, y int, is_test boolean);
\copy s FROM PROGRAM 'cat "\$SVM_CSV"' WITH (FORMAT csv)
CREATE VIEW s_train AS SELECT $names, y FROM s WHERE NOT is_test;
SELECT count(*) FROM dm_train('svc', 's_train', 'y', 'svm', '{"probability": false}', '{"split": {"test_size": 0.0001}, "dedup": false}');
SELECT (timings ->> 'fit')::float8 FROM dm.models WHERE name = 'svc' ORDER BY version DESC LIMIT 1;
SELECT avg((dm_predict('svc', ROW($names)) = y)::int) FROM s WHERE is_test;
SELECT count(*) FROM dm_train('svc_p', 's_train', 'y', 'svm', '{"probability": true}', '{"split": {"test_size": 0.0001}, "dedup": false}');
SELECT (timings ->> 'fit')::float8 FROM dm.models WHERE name = 'svc_p' ORDER BY version DESC LIMIT 1;
SQL
)
mlp_ms=$(echo "$ours" | sed -n 2p); mlp_acc=$(echo "$ours" | sed -n 3p)
knn_ms=$(echo "$ours" | sed -n 5p); knn_acc=$(echo "$ours" | sed -n 6p)
svm_ms=$(echo "$ours" | sed -n 8p); svm_acc=$(echo "$ours" | sed -n 9p); svm_p_ms=$(echo "$ours" | sed -n 11p)
peer=$("$VENV/bin/python" - "$mlp_data" "$knn_data" "$svm_data" <<'PY'
import sys, time, warnings, numpy as np
from sklearn.svm import SVC
from sklearn.neural_network import MLPClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
warnings.filterwarnings("ignore")
d = np.load(sys.argv[1] + ".npz"); x, y, t = d["x"], d["y"], d["test"]
sc = StandardScaler().fit(x[~t]); xs = sc.transform(x)
m = MLPClassifier(hidden_layer_sizes=(100,), max_iter=20, tol=0, random_state=0)
s = time.perf_counter(); m.fit(xs[~t], y[~t]); mlp_ms = (time.perf_counter() - s) * 1000
mlp_acc = m.score(xs[t], y[t])
d = np.load(sys.argv[2] + ".npz"); x, y, t = d["x"], d["y"], d["test"]
k = KNeighborsClassifier(n_neighbors=5, algorithm="brute", n_jobs=2).fit(x[~t], y[~t])
q, qy = x[t][:10000], y[t][:10000]
k.predict(q[:100])
s = time.perf_counter(); pred = k.predict(q); knn_ms = (time.perf_counter() - s) * 1000
knn_acc = (pred == qy).mean()
d = np.load(sys.argv[3] + ".npz"); x, y, t = d["x"], d["y"], d["test"]
xs = StandardScaler().fit(x[~t]).transform(x)
svm = SVC()
s = time.perf_counter(); svm.fit(xs[~t], y[~t]); svm_ms = (time.perf_counter() - s) * 1000
svm_p = SVC(probability=True, random_state=0)
s = time.perf_counter(); svm_p.fit(xs[~t], y[~t]); svm_p_ms = (time.perf_counter() - s) * 1000
print(mlp_ms, mlp_acc, knn_ms, knn_acc, svm_ms, svm.score(xs[t], y[t]), svm_p_ms)
PY
)
read -r sk_mlp_ms sk_mlp_acc sk_knn_ms sk_knn_acc sk_svm_ms sk_svm_acc sk_svm_p_ms <<< "$peer"
printf '%-52s %10s %10s %7s\n' case ours sklearn ratio
printf '%-52s %10.0f %10.0f %7.2f\n' "mlp fit ms, 50k x 20, hidden 100, 20 epochs" "$mlp_ms" "$sk_mlp_ms" "$(echo "$mlp_ms / $sk_mlp_ms" | bc -l)"
printf '%-52s %10.4f %10.4f\n' "mlp test accuracy" "$mlp_acc" "$sk_mlp_acc"
printf '%-52s %10.0f %10.0f %7.2f\n' "knn score 10k rows vs 88k stored, ms" "$knn_ms" "$sk_knn_ms" "$(echo "$knn_ms / $sk_knn_ms" | bc -l)"
printf '%-52s %10.4f %10.4f\n' "knn accuracy on those rows" "$knn_acc" "$sk_knn_acc"
printf '%-52s %10.0f %10.0f %7.2f\n' "svm (rbf) fit ms, 10k x 20" "$svm_ms" "$sk_svm_ms" "$(echo "$svm_ms / $sk_svm_ms" | bc -l)"
printf '%-52s %10.4f %10.4f\n' "svm test accuracy" "$svm_acc" "$sk_svm_acc"
printf '%-52s %10.0f %10.0f %7.2f\n' "svm fit ms with Platt probabilities (5-fold)" "$svm_p_ms" "$sk_svm_p_ms" "$(echo "$svm_p_ms / $sk_svm_p_ms" | bc -l)"
