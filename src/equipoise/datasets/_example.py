"""The tutorial's example: a 9:1 binary problem from ``sklearn.datasets.make_classification``."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EXAMPLE_PARAMS", "load_example"]

EXAMPLE_PARAMS: dict = {
    "n_samples": 1000,
    "n_features": 20,
    "n_informative": 3,
    "n_redundant": 1,
    "n_classes": 2,
    "n_clusters_per_class": 1,
    "weights": [0.9, 0.1],
    "class_sep": 2,
    "flip_y": 0,
    "random_state": 42,
}
"""The exact ``make_classification`` arguments behind :func:`load_example`."""


def load_example(
    as_frame: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load the tutorial's imbalanced binary dataset (900 negatives, 100 positives).

    The data are exactly ``sklearn.datasets.make_classification(n_classes=2, class_sep=2,
    weights=[0.9, 0.1], n_informative=3, n_redundant=1, flip_y=0, n_features=20,
    n_clusters_per_class=1, n_samples=1000, random_state=42)``, the example imbalanced-learn's
    documentation uses, so results can be compared with theirs.

    Parameters
    ----------
    as_frame : bool, default=False
        Return a DataFrame with columns ``feature_0`` ... ``feature_19`` and a Series named
        ``'target'`` instead of numpy arrays.

    Returns
    -------
    X : numpy.ndarray of shape (1000, 20) or pandas.DataFrame
    y : numpy.ndarray of shape (1000,) (int64, 0 = majority, 1 = minority) or pandas.Series

    References
    ----------
    .. [1] I. Guyon. "Design of experiments for the NIPS 2003 variable selection benchmark". 2003
       (the generator behind ``make_classification``).

    Examples
    --------
    >>> X, y = load_example()
    >>> X.shape, np.bincount(y).tolist()
    ((1000, 20), [900, 100])
    >>> X_df, y_s = load_example(as_frame=True)
    >>> list(X_df.columns[:2]), y_s.name
    (['feature_0', 'feature_1'], 'target')
    """
    from sklearn.datasets import make_classification

    X, y = make_classification(**EXAMPLE_PARAMS)
    y = y.astype(np.int64, copy=False)
    if not as_frame:
        return X, y
    columns = [f"feature_{j}" for j in range(X.shape[1])]
    return pd.DataFrame(X, columns=columns), pd.Series(y, name="target")
