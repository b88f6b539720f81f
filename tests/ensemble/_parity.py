"""Balanced accuracy of an equipoise ensemble and its imbalanced-learn twin on the same folds."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold

from equipoise.datasets import load_dataset

DATASETS = ["glass1", "ecoli1", "yeast-2_vs_4", "glass4", "vehicle0"]


def fold_scores(
    ours, theirs, name: str, *, folds: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Per-fold balanced accuracy of both models, trained and tested on identical folds."""
    X, y = load_dataset(name)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    a, b = [], []
    for train, test in cv.split(X, y):
        for model, out in ((ours, a), (theirs, b)):
            fitted = clone(model).fit(X[train], y[train])
            out.append(balanced_accuracy_score(y[test], fitted.predict(X[test])))
    return np.array(a), np.array(b)
