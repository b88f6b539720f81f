"""A multi-label set derived from scikit-learn's digits: real images, labels from digit properties.

No PyPI package in reach ships the Mulan multi-label files (scikit-multilearn 0.2.0 downloads
them at run time), so ``digits-multilabel`` is built offline, deterministically, from the
handwritten digits that ship with scikit-learn (Alpaydin & Kaynak 1998, UCI "Optical
Recognition of Handwritten Digits"; 1797 images of 8x8 pixels):

1. a long-tailed subsample of the digits: digit ``d`` keeps
   ``floor(170 * 10 ** (-d / 9))`` images (170 of digit 0 ... 17 of digit 9; exponential profile,
   :func:`~equipoise.datasets.long_tail_counts`), chosen with ``numpy.random.default_rng(0)``;
2. ten labels, each a property of the digit drawn: ``even``, ``prime`` (2, 3, 5, 7),
   ``ge5`` (5-9), ``loop`` (a closed loop: 0, 6, 8, 9), ``mult3`` (3, 6, 9), and ``is_0``,
   ``is_1``, ``is_7``, ``is_8``, ``is_9``.

The labels co-occur the way real tags do (``is_9`` always comes with ``loop``, ``ge5`` and
``mult3``), rare digits make tail labels, and the features do predict them, so methods can be
compared on it; it is not a substitute for a benchmark of real tags.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ._long_tail import long_tail_counts

__all__ = ["load_digits_multilabel", "DIGIT_LABELS"]

DIGIT_LABELS: dict[str, tuple[int, ...]] = {
    "even": (0, 2, 4, 6, 8),
    "prime": (2, 3, 5, 7),
    "ge5": (5, 6, 7, 8, 9),
    "loop": (0, 6, 8, 9),
    "mult3": (3, 6, 9),
    "is_0": (0,),
    "is_1": (1,),
    "is_7": (7,),
    "is_8": (8,),
    "is_9": (9,),
}
"""Each label and the digits that carry it."""

_N_MAX, _RATIO, _SEED = 170, 10.0, 0


@cache
def _build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    rng = np.random.default_rng(_SEED)
    counts = long_tail_counts(_N_MAX, 10, _RATIO)
    rows = np.concatenate(
        [
            np.sort(rng.choice(np.flatnonzero(bunch.target == d), size=n, replace=False))
            for d, n in enumerate(counts)
        ]
    )
    rows.sort()
    digit = bunch.target[rows]
    Y = np.stack([np.isin(digit, members) for members in DIGIT_LABELS.values()], axis=1).astype(
        np.int64
    )
    return bunch.data[rows].astype(np.float64), Y, digit


def load_digits_multilabel(*, as_frame: bool = False) -> tuple[Any, Any]:
    """The ``digits-multilabel`` set: 64 pixel features (0-16) and a 10-label indicator matrix.

    Returns
    -------
    X : numpy.ndarray of float64 (n, 64) or DataFrame (``pixel_0`` ...)
    Y : numpy.ndarray of int64 (n, 10) or DataFrame (columns as in :data:`DIGIT_LABELS`)

    Examples
    --------
    >>> X, Y = load_digits_multilabel()
    >>> X.shape, Y.shape, Y.sum(axis=0).tolist()[-2:]
    ((690, 64), (690, 10), [21, 17])
    """
    X, Y, _ = _build()
    if as_frame:
        return (
            pd.DataFrame(X, columns=[f"pixel_{j}" for j in range(64)]),
            pd.DataFrame(Y, columns=list(DIGIT_LABELS)),
        )
    return X.copy(), Y.copy()
