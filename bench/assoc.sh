#!/usr/bin/env bash
# FP-growth: dm_frequent_itemsets over a (transaction, item) table in Postgres vs mlxtend's
# fpgrowth on the same baskets (one-hot DataFrame), same min_support, in one run; median of 3
# after a warm-up, with the number of itemsets. Needs the extension installed.
# Usage: bench/assoc.sh [basket_rows] [items] [min_support]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"; ITEMS="${2:-5000}"; SUP="${3:-0.002}"
. bench/setup.sh
bench_setup "mlxtend, pandas" numpy pandas mlxtend
data=/var/tmp/pg_mining/baskets_${ROWS}_${ITEMS}.csv
"$VENV/bin/python" - "$ROWS" "$ITEMS" "$data" <<'PY'
# Market baskets: 1 + Poisson(4) items per transaction drawn with Zipf-like popularity
# (p ~ 1/(rank + 10)), and in 30% of the transactions one of 50 bundles of 2-3 items that go
# together (so that there are rules to find). Duplicates within a transaction are dropped.
import sys, numpy as np, pandas as pd
rows, items, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(5)
pop = 1.0 / (np.arange(items) + 10.0); pop /= pop.sum()
n_tx = int(rows / 5.5) + 1
sizes = 1 + rng.poisson(4, n_tx)
tx = np.repeat(np.arange(n_tx), sizes)
item = rng.choice(items, size=len(tx), p=pop)
bundles = [rng.choice(min(items, 500), size=int(rng.integers(2, 4)), replace=False) for _ in range(50)]
with_bundle = np.flatnonzero(rng.random(n_tx) < 0.3)
which = rng.integers(0, len(bundles), len(with_bundle))
btx = np.concatenate([np.full(len(bundles[w]), t) for t, w in zip(with_bundle, which)])
bitem = np.concatenate([bundles[w] for w in which])
df = pd.DataFrame({"tx": np.r_[tx, btx], "item": np.r_[item, bitem]}).drop_duplicates()
df = df.sort_values("tx", kind="stable")
df = df[df["tx"] <= df["tx"].iloc[min(rows, len(df)) - 1]].head(rows)
df["item"] = "item" + df["item"].astype(str)
df.to_csv(path, header=False, index=False)
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
import numpy as np
df = pd.read_csv(sys.argv[1], names=["tx", "item"])
t, _ = pd.factorize(df["tx"]); i, names = pd.factorize(df["item"])
dense = np.zeros((t.max() + 1, len(names)), dtype=bool)
dense[t, i] = True
onehot = pd.DataFrame(dense, columns=names)
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
