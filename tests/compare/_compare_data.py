"""Tiny data sets and fast settings shared by the compare tests (not a test module)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification

from equipoise.compare import TrainSettings

FAST_TRAIN = TrainSettings(max_epochs=4, patience=2)
FAST = {
    "folds": 2,
    "seeds": 1,
    "train": FAST_TRAIN,
    "references": False,
    "threads": 1,
    "progress": False,
    "report": False,
}
"""Settings that keep a comparison to a fraction of a second per run."""


def tiny_binary(n: int = 160, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        weights=[0.8, 0.2],
        class_sep=2.0,
        flip_y=0,
        random_state=random_state,
    )
    return X.astype(np.float64), y


def tiny_multiclass(n: int = 180, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        class_sep=2.0,
        flip_y=0,
        n_clusters_per_class=1,
        random_state=random_state,
    )
    return X, y
