"""Regression datasets with a long-tailed target, offline: registered in :data:`DATASETS`.

- ``diabetes``: scikit-learn's bundled diabetes data (442 patients, 10 baseline variables,
  disease progression one year later; Efron et al. 2004). Its target is mildly right-skewed.
- ``diabetes-lt``: a long-tailed version of it, made by :func:`make_long_tailed_regression`
  with ``ratio=10`` and ``random_state=0``: each row is kept with probability
  :math:`\\rho^{-(y - y_{min}) / (y_{max} - y_{min})}` (1 at the smallest target,
  :math:`1/\\rho` at the largest), so high progressions become rare; the same rows every time.
- ``fair``: the extramarital-affairs survey of Fair (1978) as statsmodels ships it (6,366 rows,
  8 features, time spent in affairs; 68% zeros and a long right tail). Needs ``statsmodels``
  (``pip install 'equipoise[data]'``).

References
----------
.. [1] B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least Angle Regression", Annals of
   Statistics 32(2), 2004.
.. [2] R. C. Fair, "A Theory of Extramarital Affairs", Journal of Political Economy 86(1), 1978.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .._validation import Interval, check_continuous_target, check_random_state, validate_params
from ._registry import DATASETS, DatasetInfo

__all__ = ["make_long_tailed_regression"]


def make_long_tailed_regression(
    X: Any, y: Any, *, ratio: float = 10.0, tail: str = "high", random_state: Any = None
) -> tuple[Any, Any]:
    """Subsample rows so the target's density decays towards one end (a long tail).

    Row :math:`i` is kept with probability :math:`\\rho^{-t_i}`, :math:`t_i = (y_i - y_{min}) /
    (y_{max} - y_{min})` for ``tail='high'`` (``1 - t_i`` for ``'low'``): the most common end
    keeps every row, the other keeps about one in :math:`\\rho`.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like or Series of shape (n_samples,)
    ratio : float, default=10.0
        :math:`\\rho \\ge 1`.
    tail : {'high', 'low'}, default='high'
        Which end becomes rare.
    random_state : int, Generator, RandomState or None

    Returns
    -------
    X_lt, y_lt : the kept rows, same containers (pandas keeps the index)

    Examples
    --------
    >>> import numpy as np
    >>> y = np.linspace(0, 1, 1000); X = y[:, None]
    >>> X_lt, y_lt = make_long_tailed_regression(X, y, ratio=10, random_state=0)
    >>> bool((y_lt < 0.1).sum() > 5 * (y_lt > 0.9).sum())
    True
    """
    owner = "make_long_tailed_regression"
    validate_params(owner, {"ratio": ratio}, {"ratio": [Interval(float, 1, None, closed="left")]})
    from .._validation import Options

    validate_params(owner, {"tail": tail}, {"tail": [Options(("high", "low"))]})
    values = check_continuous_target(y, owner=owner)
    span = values.max() - values.min()
    t = (values - values.min()) / span if span > 0 else np.zeros_like(values)
    if tail == "low":
        t = 1 - t
    keep = check_random_state(random_state).random(len(values)) < ratio ** (-t)
    rows = np.flatnonzero(keep)
    take_X = X.iloc[rows] if isinstance(X, (pd.DataFrame, pd.Series)) else np.asarray(X)[rows]
    take_y = y.iloc[rows] if isinstance(y, (pd.DataFrame, pd.Series)) else np.asarray(y)[rows]
    return take_X, take_y


@cache
def _diabetes() -> tuple[pd.DataFrame, pd.Series]:
    from sklearn.datasets import load_diabetes

    data = load_diabetes(as_frame=True, scaled=False)
    return data.data.astype(np.float64), data.target.astype(np.float64).rename("target")


def _diabetes_loader(split: str) -> tuple[pd.DataFrame, pd.Series]:
    X, y = _diabetes()
    return X.copy(), y.copy()


def _diabetes_lt_loader(split: str) -> tuple[pd.DataFrame, pd.Series]:
    X, y = _diabetes()
    X_lt, y_lt = make_long_tailed_regression(X, y, ratio=10.0, random_state=0)
    return X_lt.reset_index(drop=True), y_lt.reset_index(drop=True)


def _fair_loader(split: str) -> tuple[pd.DataFrame, pd.Series]:
    try:
        from statsmodels.datasets import fair
    except ImportError as exc:
        raise ImportError(
            "the 'fair' dataset comes from statsmodels: pip install 'equipoise[data]' (or statsmodels)."
        ) from exc
    data = fair.load_pandas().data
    y = data["affairs"].astype(np.float64).rename("target")
    return data.drop(columns="affairs").astype(np.float64), y


def _register(
    name: str,
    loader: Callable[[str], tuple[Any, Any]],
    n: int,
    d: int,
    n_rare: int,
    ratio: float,
    source: str,
    citation: str,
    requires: str | None = None,
) -> None:
    DATASETS.register(
        name,
        DatasetInfo(
            name=name,
            kind="regression",
            n_samples=n,
            n_features=d,
            n_categorical=0,
            n_classes=0,
            n_minority=n_rare,
            n_majority=n - n_rare,
            imbalance_ratio=ratio,
            source=source,
            citation=citation,
            requires=requires,
            loader=loader,
        ),
    )


DIABETES_CITATION = (
    "B. Efron, T. Hastie, I. Johnstone and R. Tibshirani. Least Angle Regression. "
    "Annals of Statistics 32(2):407-499, 2004."
)
# sizes and rare rows (profile(y): 20 bins, relative density < 0.25), checked by the tests
_register(
    "diabetes",
    _diabetes_loader,
    442,
    10,
    6,
    22.5,
    "sklearn.datasets.load_diabetes (bundled with scikit-learn)",
    DIABETES_CITATION,
)
_register(
    "diabetes-lt",
    _diabetes_lt_loader,
    192,
    10,
    5,
    27.0,
    "diabetes, long-tailed by make_long_tailed_regression(ratio=10, random_state=0)",
    DIABETES_CITATION,
)
_register(
    "fair",
    _fair_loader,
    6366,
    8,
    54,
    5901.0,
    "statsmodels.datasets.fair (bundled with statsmodels)",
    "R. C. Fair. A Theory of Extramarital Affairs. Journal of Political Economy 86(1):45-61, 1978.",
    requires="statsmodels",
)
