"""Per-label decision thresholds for multi-label scores, tuned on validation rows."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ._validation import as_numpy, check_indicator_target, is_torch_tensor, short_repr
from .exceptions import InvalidInputError, InvalidParameterError, NotFittedError

__all__ = ["tune_label_thresholds", "LabelThresholdTuner"]

_MAX_CANDIDATES = 512


def _score_matrix(Y_score: Any, n_rows: int | None, n_labels: int, owner: str) -> np.ndarray:
    values = (
        as_numpy(Y_score)
        if is_torch_tensor(Y_score)
        else (Y_score.to_numpy() if isinstance(Y_score, pd.DataFrame) else Y_score)
    )
    values = np.asarray(values, dtype=np.float64)
    if (
        values.ndim != 2
        or values.shape[1] != n_labels
        or (n_rows is not None and values.shape[0] != n_rows)
    ):
        rows = "n_samples" if n_rows is None else str(n_rows)
        raise InvalidInputError(
            f"{owner} needs scores of shape ({rows}, {n_labels}); got {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise InvalidInputError(f"The scores passed to {owner} contain NaN or infinity.")
    return values


def _best_f1_threshold(y: np.ndarray, s: np.ndarray) -> float:
    """The score ``t`` maximising F1 of ``s >= t`` (ties: the higher ``t``), exactly, in O(n log n)."""
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order].astype(np.float64)
    last = np.r_[np.flatnonzero(np.diff(s_sorted)), len(s_sorted) - 1]
    tp = np.cumsum(y_sorted)[last]
    predicted = last + 1
    f1 = 2 * tp / (predicted + y_sorted.sum())
    return float(s_sorted[last[int(np.argmax(f1))]])


def tune_label_thresholds(
    Y_true: Any,
    Y_score: Any,
    *,
    metric: str | Callable[[np.ndarray, np.ndarray], float] = "f1",
    default: float = 0.5,
) -> np.ndarray:
    """One threshold per label maximising ``metric`` of ``score >= threshold`` on validation rows.

    For ``metric='f1'`` the search is exact: every distinct score of the label is a candidate
    (the F1 of each cut comes from cumulative counts), and on ties the higher threshold wins.
    A callable ``metric(y_true_column, y_pred_column) -> float`` (higher is better) is evaluated
    on the distinct scores (at most 512 of their quantiles). A label without a positive
    validation row keeps ``default``.

    Parameters
    ----------
    Y_true : indicator matrix of shape (n_samples, n_labels)
    Y_score : array-like of shape (n_samples, n_labels)
        Scores or probabilities of the same rows (numpy, DataFrame, tensor).
    metric : 'f1' or callable, default='f1'
    default : float, default=0.5

    Returns
    -------
    numpy.ndarray of float64, shape (n_labels,)

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    >>> S = np.array([[0.9, 0.2], [0.4, 0.3], [0.3, 0.25], [0.1, 0.1]])
    >>> tune_label_thresholds(Y, S).tolist()
    [0.4, 0.25]
    """
    owner = "tune_label_thresholds"
    if not (metric == "f1" or callable(metric)):
        raise InvalidParameterError(
            f"The 'metric' parameter of {owner} must be 'f1' or a callable metric(y_true, y_pred); got {short_repr(metric)}."
        )
    if (
        isinstance(default, bool)
        or not isinstance(default, (int, float, np.floating))
        or not np.isfinite(default)
    ):
        raise InvalidParameterError(
            f"The 'default' parameter of {owner} must be a finite float; got {short_repr(default)}."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # labels without positives keep the default
        Y, _ = check_indicator_target(Y_true, owner=owner)
    S = _score_matrix(Y_score, Y.shape[0], Y.shape[1], owner)
    out = np.full(Y.shape[1], float(default))
    for j in range(Y.shape[1]):
        y, s = Y[:, j], S[:, j]
        if not y.any():
            continue
        if metric == "f1":
            out[j] = _best_f1_threshold(y, s)
            continue
        candidates = np.unique(s)[::-1]
        if len(candidates) > _MAX_CANDIDATES:
            candidates = np.unique(np.quantile(s, np.linspace(0, 1, _MAX_CANDIDATES)))[::-1]
        values = [float(metric(y, (s >= t).astype(np.uint8))) for t in candidates]  # type: ignore[operator]
        out[j] = float(candidates[int(np.argmax(values))])
    return out


class LabelThresholdTuner(BaseEstimator):
    """Per-label thresholds as an estimator: ``fit(Y_true, Y_score)``, ``predict(Y_score)``.

    Parameters
    ----------
    metric : 'f1' or callable, default='f1'
        See :func:`tune_label_thresholds`.
    default : float, default=0.5
        Threshold of a label with no positive validation row.

    Attributes
    ----------
    thresholds_ : numpy.ndarray of shape (n_labels,)

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    >>> S = np.array([[0.9, 0.2], [0.4, 0.3], [0.3, 0.25], [0.1, 0.1]])
    >>> LabelThresholdTuner().fit(Y, S).predict(S).tolist()
    [[1, 0], [1, 1], [0, 1], [0, 0]]
    """

    def __init__(
        self, metric: str | Callable[[np.ndarray, np.ndarray], float] = "f1", default: float = 0.5
    ) -> None:
        self.metric = metric
        self.default = default

    def fit(self, Y_true: Any, Y_score: Any) -> LabelThresholdTuner:
        self.thresholds_ = tune_label_thresholds(
            Y_true, Y_score, metric=self.metric, default=self.default
        )
        return self

    def predict(self, Y_score: Any) -> np.ndarray:
        """``uint8`` indicator matrix: ``Y_score >= thresholds_`` per label."""
        if not hasattr(self, "thresholds_"):
            raise NotFittedError(
                "This LabelThresholdTuner is not fitted yet; call fit(Y_true, Y_score) first."
            )
        S = _score_matrix(Y_score, None, len(self.thresholds_), "LabelThresholdTuner.predict")
        return (S >= self.thresholds_).astype(np.uint8)
