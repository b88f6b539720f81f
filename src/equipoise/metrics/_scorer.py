"""Every metric of :data:`METRICS` as a scikit-learn scorer (``cross_val_score``, ``GridSearchCV``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as skm

from .._validation import short_repr
from ..exceptions import InvalidInputError
from ._report import METRICS, Metric, _labels_1d, get_metric

__all__ = ["get_scorer"]


def _score_labels(y_true: Any, y_pred: Any, *, metric: str) -> float:
    return METRICS.get(metric)(y_true, y_pred)


def _score_ranking(y_true: Any, y_score: Any, *, metric: str) -> float:
    y = _labels_1d(y_true, "y_true", f"scorer {short_repr(metric)}")
    score = np.asarray(y_score)
    labels = np.unique(y)
    if score.ndim == 2 and score.shape[1] != len(labels):
        raise InvalidInputError(
            f"scorer {short_repr(metric)} got scores for {score.shape[1]} classes but the test fold holds only "
            f"{len(labels)} of them; use stratified folds (StratifiedKFold) so every class appears in "
            "every test fold."
        )
    return METRICS.get(metric)(y, y, y_score=score)


def get_scorer(metric: str | Metric) -> Any:
    """A scikit-learn scorer for a metric of :data:`METRICS`, for ``scoring=`` arguments.

    Label metrics (``balanced_accuracy``, ``g_mean``, ``macro_f1``, ...) score
    ``estimator.predict(X)``; ranking metrics (``roc_auc``, ``pr_auc``) score
    ``decision_function(X)``, or ``predict_proba(X)`` when there is none (for two classes, the
    column of ``classes_[1]``); calibration metrics (``brier``, ``log_loss``, ``ece``,
    ``classwise_ece``) score ``predict_proba(X)`` and are lower-is-better, so their scorer
    returns the negated metric (sign -1, scikit-learn's convention for ``neg_log_loss``). The
    other metrics are higher-is-better: sign +1, the scorer returns the metric itself.

    Parameters
    ----------
    metric : str or Metric
        A name from :data:`METRICS` or a :class:`Metric`.

    Returns
    -------
    scorer
        Made with :func:`sklearn.metrics.make_scorer`; picklable, so it works with ``n_jobs``.

    Raises
    ------
    UnknownNameError
        For a name not in :data:`METRICS`.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from equipoise.datasets import load_example
    >>> X, y = load_example()
    >>> scores = cross_val_score(LogisticRegression(), X, y, cv=3, scoring=get_scorer("g_mean"))
    >>> bool(0 < scores.mean() <= 1)
    True
    """
    resolved = get_metric(metric)
    if resolved.name not in METRICS or METRICS.get(resolved.name) is not resolved:
        # The scorer refers to its metric by name, so that it pickles.
        raise InvalidInputError(
            f"get_scorer needs a metric registered in METRICS; {short_repr(resolved.name)} is not. Register it "
            "with METRICS.register(name, metric) first."
        )
    if resolved.needs_proba:
        return skm.make_scorer(
            _score_ranking,
            response_method="predict_proba",
            greater_is_better=resolved.greater_is_better,
            metric=resolved.name,
        )
    if resolved.needs_score:
        return skm.make_scorer(
            _score_ranking,
            response_method=("decision_function", "predict_proba"),
            greater_is_better=True,
            metric=resolved.name,
        )
    return skm.make_scorer(
        _score_labels, response_method="predict", greater_is_better=True, metric=resolved.name
    )
