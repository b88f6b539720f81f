"""Shared pieces of the confusion-count tests (metrics and ThresholdTuner); not a test module."""

from __future__ import annotations

import numpy as np

from equipoise.metrics._confusion import CONFUSION_METRICS

BINARY = list(CONFUSION_METRICS)
"""Every label metric computed from confusion counts."""
MULTI = [m for m in CONFUSION_METRICS if m not in ("sensitivity", "specificity")]
"""Those defined for more than two classes."""


def random_labels(rng: np.random.Generator, n_classes: int) -> np.ndarray:
    """Class labels: sorted ints, shuffled ints (``labels=`` not in sorted order) or strings."""
    kind = rng.integers(3)
    if kind == 0:
        return np.arange(n_classes)
    if kind == 1:
        return rng.permutation(n_classes) * 3 + 1
    return np.array([f"c{i}" for i in rng.permutation(n_classes)])


def same(a: float, b: float) -> bool:
    """Bit-equal, or both NaN."""
    return (np.isnan(a) and np.isnan(b)) or a == b
