"""Smoke test of the base install (no extras): run by .ci/run in a venv with `pip install .` only."""

import sys

import numpy as np

import equipoise
from equipoise import profile
from equipoise.datasets import load_example
from equipoise.metrics import imbalance_report
from equipoise.resample import SMOTE, TomekLinks

X, y = load_example()
X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
assert np.bincount(y_res).tolist() == [900, 900]
TomekLinks().fit_resample(X, y)
print(profile(y).imbalance_ratio, imbalance_report(y, y).summary["balanced_accuracy"])
try:
    import equipoise.losses
except ImportError as exc:
    print(exc)
else:
    sys.exit("equipoise.losses imported without torch")
assert "torch" not in sys.modules
print("base install ok", equipoise.__version__)
