"""Writes make_classification data for the tree benchmarks: <path>.npz (x, y, test) and <path>
as CSV (features..., y, is_test). Usage: classification_data.py rows features path"""
import sys

import numpy as np
from sklearn.datasets import make_classification

n, p, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
x, y = make_classification(n_samples=n, n_features=p, n_informative=p // 2, n_redundant=p // 4,
                           n_classes=2, flip_y=0.02, random_state=7)
# 20% of the rows, drawn at random, are the test rows.
test = np.random.default_rng(7).permutation(n) % 10 < 2
np.savez(path + ".npz", x=x, y=y, test=test)
with open(path, "w") as f:
    for i in range(n):
        f.write(",".join(f"{v:.9g}" for v in x[i]) + f",{int(y[i])},{'true' if test[i] else 'false'}\n")
