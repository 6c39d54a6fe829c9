#!/usr/bin/env bash
# k-means: dm_kmeans (inside Postgres, aggregate over a table) vs scikit-learn's KMeans on the
# same generated blobs, same k, n_init and thread count (2), in one run; median of 3 after a
# warm-up, with inertia. Needs the extension installed. Usage: bench/kmeans.sh [rows] [k] [n_init]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"; K="${2:-8}"; INIT="${3:-3}"
. bench/setup.sh
bench_setup "sklearn" numpy scikit-learn
data=/var/tmp/pg_mining/kmeans_$N.csv
"$VENV/bin/python" - "$N" "$data" <<'PY'
import sys, numpy as np
n, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(7)
centers = rng.uniform(-10, 10, (8, 8))
x = centers[rng.integers(0, 8, n)] + rng.normal(0, 1.5, (n, 8))
np.save(path + ".npy", x)
with open(path, "w") as f:
    for row in x:
        f.write("{" + ",".join(f"{v:.17g}" for v in row) + "}\n")
PY
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_kmeans" -c "CREATE DATABASE pg_mining_kmeans"
export KMEANS_CSV="$data"
ours=$(psql -X -q -A -t -d pg_mining_kmeans -v k="$K" -v init="$INIT" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE TABLE pts (f float8[]);
\copy pts FROM PROGRAM 'cat "$KMEANS_CSV"'
SET pg_mining.threads = 2;
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; r float8[];
BEGIN t0 := clock_timestamp(); EXECUTE q INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END $$;
SELECT format('SELECT dm_kmeans(f, %s, ''{"n_init": %s}'') FROM pts', :k, :init) AS q \gset
SELECT pg_temp.ms(:'q');
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM (SELECT pg_temp.ms(:'q') AS t FROM generate_series(1, 3)) s;
WITH c AS (SELECT dm_kmeans(f, :k, format('{"n_init": %s}', :init)::jsonb) AS m FROM pts)
SELECT sum((SELECT min((SELECT sum((p.f[j] - c.m[i][j]) ^ 2) FROM generate_series(1, 8) j)) FROM generate_series(1, :k) i))
FROM pts p, c;
SQL
)
ours_ms=$(echo "$ours" | sed -n 2p); ours_inertia=$(echo "$ours" | sed -n 3p)
peer=$("$VENV/bin/python" - "$data.npy" "$K" "$INIT" <<'PY'
import os, sys, time
os.environ["OMP_NUM_THREADS"] = "2"
import numpy as np
from sklearn.cluster import KMeans
x = np.load(sys.argv[1]); k, n_init = int(sys.argv[2]), int(sys.argv[3])
KMeans(n_clusters=k, n_init=n_init, random_state=0).fit(x)  # warm-up
times = []
for _ in range(3):
    t = time.perf_counter(); km = KMeans(n_clusters=k, n_init=n_init, random_state=0).fit(x); times.append(time.perf_counter() - t)
print(sorted(times)[1] * 1000, km.inertia_)
PY
)
read -r peer_ms peer_inertia <<< "$peer"
printf '%-40s %12s %12s %7s\n' case ours_ms sklearn_ms ratio
printf '%-40s %12.0f %12.0f %7.2f\n' "k-means $N x 8, k=$K, n_init=$INIT" "$ours_ms" "$peer_ms" "$(echo "$ours_ms / $peer_ms" | bc -l)"
printf '%-40s %12.1f %12.1f %7.4f\n' "inertia" "$ours_inertia" "$peer_inertia" "$(echo "$ours_inertia / $peer_inertia" | bc -l)"
