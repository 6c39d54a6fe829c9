#!/usr/bin/env bash
# Peak heap memory of training a random forest (100 trees, 100k x 20 by default), measured by
# heaptrack on both sides: the Postgres backend running dm_train (reading the table,
# preparing, fitting, measuring, writing the model: the whole call) and Python running
# scikit-learn's RandomForestClassifier(n_estimators=100, n_jobs=2).fit on the same rows (its
# peak minus the peak of the same script without the fit: the data loaded is not counted
# against it). Both against the raw training matrix as float8. Heap, not RSS: RSS also counts
# the shared buffers a backend touches, code pages and memory the C allocator keeps after it
# was freed (bench/forest.sh prints RSS). Needs the extension installed; installs heaptrack
# (Debian) if missing. Usage: bench/forest_memory.sh [rows] [features]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; P="${2:-20}"
. bench/setup.sh
bench_setup "sklearn" numpy scikit-learn
command -v heaptrack >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq heaptrack >/dev/null; }
work=/var/tmp/pg_mining/forest_memory; rm -rf "$work"; mkdir -p "$work"
data=/var/tmp/pg_mining/boost_${N}_${P}.csv
[ -f "$data.npz" ] || "$VENV/bin/python" bench/classification_data.py "$N" "$P" "$data"
db=pg_mining_forest_memory
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
cols=$(seq -s, -f 'f%g float8' 1 "$P"); names=$(seq -s, -f 'f%g' 1 "$P")
psql -X -q -d "$db" -c "CREATE EXTENSION pg_mining" -c "CREATE TABLE d ($cols, y int, is_test boolean)" \
  -c "\\copy d FROM '$data' WITH (FORMAT csv)" -c "CREATE VIEW train AS SELECT $names, y FROM d WHERE NOT is_test" \
  -c "VACUUM ANALYZE d"

# Ours: heaptrack attached to the backend while it sleeps, then dm_train.
psql -X -q -A -t -d "$db" -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(4)" \
  -c "SET pg_mining.threads = 2" -c "SET client_min_messages = warning" \
  -c "SELECT count(*) FROM dm_train('rf', 'train', 'y', 'random_forest', '{}', '{\"split\": {\"test_size\": 0.0001}, \"dedup\": false}')" \
  > "$work/psql.out" &
psql_pid=$!
for _ in $(seq 50); do [ -s "$work/psql.out" ] && break; sleep 0.1; done
backend=$(head -1 "$work/psql.out")
heaptrack -o "$work/ours" -p "$backend" > "$work/ours.log" 2>&1 &
ht_pid=$!
wait "$psql_pid"
# heaptrack writes its file when the backend exits or it is detached: end the session.
wait "$ht_pid" || true
peak_of() { heaptrack_print -f "$1" 2>/dev/null | sed -n 's/^peak heap memory consumption: //p'; }
ours=$(peak_of "$(ls "$work"/ours*.zst "$work"/ours*.gz 2>/dev/null | head -1)")

# scikit-learn: the same script with and without the fit.
cat > "$work/sk.py" <<'PY'
import sys, numpy as np
from sklearn.ensemble import RandomForestClassifier
d = np.load(sys.argv[1] + ".npz")
x, y, test = d["x"][~d["test"]], d["y"][~d["test"]], d["test"]
if sys.argv[2] == "fit":
    RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(x, y)
PY
heaptrack -o "$work/sk_fit" "$VENV/bin/python" "$work/sk.py" "$data" fit > /dev/null 2>&1
heaptrack -o "$work/sk_base" "$VENV/bin/python" "$work/sk.py" "$data" base > /dev/null 2>&1
sk_fit=$(peak_of "$(ls "$work"/sk_fit*.zst "$work"/sk_fit*.gz 2>/dev/null | head -1)")
sk_base=$(peak_of "$(ls "$work"/sk_base*.zst "$work"/sk_base*.gz 2>/dev/null | head -1)")

# heaptrack prints sizes with decimal prefixes (K = 1000).
to_mb() { echo "$1" | awk '{v=$1; u=substr(v, length(v)); n=substr(v, 1, length(v)-1);
  if (u=="G") n*=1000; else if (u=="K") n/=1000; else if (u!="M") n=v/1e6; printf "%.1f", n}'; }
raw_mb=$(awk -v n="$N" -v p="$P" 'BEGIN{printf "%.1f", int(n*8/10)*p*8/1e6}')
ours_mb=$(to_mb "$ours"); skf=$(to_mb "$sk_fit"); skb=$(to_mb "$sk_base")
sk_mb=$(awk -v a="$skf" -v b="$skb" 'BEGIN{printf "%.1f", a-b}')
printf '%-58s %8s %8s\n' "random forest, $N x $P, 100 trees: peak heap, MB" ours sklearn
printf '%-58s %8s %8s\n' "training (ours: all of dm_train; sklearn: fit)" "$ours_mb" "$sk_mb"
printf '%-58s %8s\n' "raw training matrix (float8)" "$raw_mb"
printf '%-58s %8.2f %8.2f\n' "ratio to the raw matrix" "$(echo "$ours_mb / $raw_mb" | bc -l)" "$(echo "$sk_mb / $raw_mb" | bc -l)"
