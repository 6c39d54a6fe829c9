#!/usr/bin/env bash
# FP-growth: dm_frequent_itemsets over a (transaction, item) table in Postgres vs mlxtend's
# fpgrowth on the same baskets (one-hot DataFrame), same min_support, in one run; median of 3
# after a warm-up, with the number of itemsets. Needs the extension installed.
# Usage: bench/assoc.sh [basket_rows] [items] [min_support]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-200000}"; ITEMS="${2:-1000}"; SUP="${3:-0.005}"
VENV="${PG_MINING_BENCH_VENV:-/var/tmp/pg_mining/bench-venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import mlxtend, pandas" 2>/dev/null || "$VENV/bin/pip" install -q numpy pandas mlxtend
bash scripts/cluster.sh start
export PGHOST="${PG_MINING_HOME:-/var/tmp/pg_mining}" PGPORT="${PG_MINING_PORT:-5499}" PGUSER=postgres
data=/var/tmp/pg_mining/baskets_${ROWS}_${ITEMS}.csv
"$VENV/bin/python" - "$ROWS" "$ITEMS" "$data" <<'PY'
import sys, numpy as np
rows, items, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(5)
pop = rng.zipf(1.3, items).astype(float); pop /= pop.sum()
with open(path, "w") as f:
    tx, written = 0, 0
    while written < rows:
        size = int(rng.integers(1, 10))
        for it in set(rng.choice(items, size=size, p=pop)):
            f.write(f"{tx},item{it}\n"); written += 1
        tx += 1
PY
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pg_mining_assoc" -c "CREATE DATABASE pg_mining_assoc"
export BASKETS_CSV="$data"
ours=$(psql -X -q -A -t -d pg_mining_assoc -v sup="$SUP" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION pg_mining;
CREATE TABLE baskets (tx int, item text);
\copy baskets FROM PROGRAM 'cat "$BASKETS_CSV"' WITH (FORMAT csv)
SET pg_mining.threads = 2;
CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; r bigint;
BEGIN t0 := clock_timestamp(); EXECUTE q INTO r; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END $$;
SELECT format('SELECT count(*) FROM dm_frequent_itemsets(''baskets'', ''tx'', ''item'', %s)', :sup) AS q \gset
SELECT pg_temp.ms(:'q');
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY t) FROM (SELECT pg_temp.ms(:'q') AS t FROM generate_series(1, 3)) s;
SELECT count(*) FROM dm_frequent_itemsets('baskets', 'tx', 'item', :sup);
SQL
)
ours_ms=$(echo "$ours" | sed -n 2p); ours_n=$(echo "$ours" | sed -n 3p)
peer=$("$VENV/bin/python" - "$data" "$SUP" <<'PY'
import sys, time
import pandas as pd
from mlxtend.frequent_patterns import fpgrowth
df = pd.read_csv(sys.argv[1], names=["tx", "item"])
onehot = pd.crosstab(df["tx"], df["item"]).astype(bool)
sup = float(sys.argv[2])
fpgrowth(onehot, min_support=sup)  # warm-up
times = []
for _ in range(3):
    t = time.perf_counter(); fi = fpgrowth(onehot, min_support=sup); times.append(time.perf_counter() - t)
print(sorted(times)[1] * 1000, len(fi))
PY
)
read -r peer_ms peer_n <<< "$peer"
printf '%-52s %10s %10s %7s\n' case ours_ms mlxtend_ms ratio
printf '%-52s %10.0f %10.0f %7.2f\n' "fpgrowth $ROWS basket rows, $ITEMS items, support $SUP" "$ours_ms" "$peer_ms" "$(echo "$ours_ms / $peer_ms" | bc -l)"
echo "itemsets: ours $ours_n, mlxtend $peer_n (mlxtend's time excludes building its one-hot table)"
