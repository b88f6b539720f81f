"""Metrics for multi-label indicator targets, with bootstrap confidence intervals.

Built on :mod:`sklearn.metrics`: micro / macro / weighted F1 (``f1_score``), mAP (the mean over
labels with a positive of ``average_precision_score``), per-label precision and recall, the
Hamming loss (``hamming_loss``), and the head / medium / tail split of the labels by their
training count (Liu et al. 2019's many/medium/few: more than ``many`` training positives,
fewer than ``few``, the rest). Intervals are percentile bootstraps over rows, the rule of
:func:`equipoise.metrics.bootstrap_ci` (rows drawn with replacement; resamples where a metric
is undefined are dropped).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, precision_score, recall_score

from .._validation import (
    as_numpy,
    check_indicator_target,
    check_random_state,
    is_torch_tensor,
    short_repr,
)
from ..exceptions import InvalidInputError, InvalidParameterError
from ._report import ConfidenceInterval, _check_confidence

__all__ = ["MultiLabelReport", "multilabel_report", "multilabel_metrics", "label_groups"]


def label_groups(train_counts: Any, *, many: int = 100, few: int = 20) -> np.ndarray:
    """Group each label by its training positives: head / medium / tail (Liu et al. 2019's many/medium/few).

    Parameters
    ----------
    train_counts : array-like of int, shape (n_labels,)
    many, few : int, default=100, 20
        ``'head'``: more than ``many``; ``'tail'``: fewer than ``few``; else ``'medium'``.

    Returns
    -------
    numpy.ndarray of str, shape (n_labels,)

    Examples
    --------
    >>> label_groups([500, 50, 5]).tolist()
    ['head', 'medium', 'tail']
    """
    counts = np.asarray(train_counts, dtype=np.int64)
    return np.where(counts > many, "head", np.where(counts < few, "tail", "medium"))


def _scores(Y_score: Any, shape: tuple[int, ...], owner: str) -> np.ndarray:
    values = (
        as_numpy(Y_score)
        if is_torch_tensor(Y_score)
        else np.asarray(Y_score.to_numpy() if isinstance(Y_score, pd.DataFrame) else Y_score)
    )
    values = np.asarray(values, dtype=np.float64)
    if values.shape != shape:
        raise InvalidInputError(
            f"Y_score passed to {owner} has shape {values.shape}; Y_true has {shape}."
        )
    if not np.all(np.isfinite(values)):
        raise InvalidInputError(f"Y_score passed to {owner} contains NaN or infinity.")
    return values


def _average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """sklearn's ``average_precision_score`` for one label: sum of (R_k - R_(k-1)) P_k over distinct thresholds."""
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], y[order].astype(np.float64)
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # end of each run of tied scores
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def multilabel_metrics(
    Y_true: np.ndarray,
    Y_pred: np.ndarray,
    Y_score: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> dict[str, float]:
    """The summary numbers of :func:`multilabel_report` on validated uint8 arrays (no checks).

    From the per-label counts ``TP, FP, FN``: ``F1_l = 2 TP / (2 TP + FP + FN)`` (0 when the
    denominator is 0, sklearn's ``zero_division=0``), micro F1 from the summed counts, weighted
    F1 by support. Macro averages (F1, recall, AP) run over the labels with at least one
    positive in ``Y_true`` (a label absent from the test rows has no recall, F1 or AP); the
    Hamming loss is the share of wrong cells over every label.
    """
    yt, yp = Y_true.astype(bool), Y_pred.astype(bool)
    tp = (yt & yp).sum(axis=0).astype(np.float64)
    fp = (~yt & yp).sum(axis=0).astype(np.float64)
    fn = (yt & ~yp).sum(axis=0).astype(np.float64)
    support = tp + fn
    present = support > 0
    denom = 2 * tp + fp + fn
    per_f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=present)
    micro_denom = 2 * tp.sum() + fp.sum() + fn.sum()
    out = {
        "micro_f1": float(2 * tp.sum() / micro_denom) if micro_denom else 0.0,
        "macro_f1": float(per_f1[present].mean()) if present.any() else math.nan,
        "weighted_f1": float((per_f1 * support).sum() / support.sum()) if support.sum() else 0.0,
        "hamming_loss": float((yt != yp).mean()),
        "macro_recall": float(recall[present].mean()) if present.any() else math.nan,
    }
    if Y_score is not None:
        ap = [_average_precision(yt[:, j], Y_score[:, j]) for j in np.flatnonzero(present)]
        out["map"] = float(np.mean(ap)) if ap else math.nan
    if groups is not None:
        for name in ("head", "medium", "tail"):
            mask = present & (groups == name)
            out[f"{name}_f1"] = float(per_f1[mask].mean()) if mask.any() else math.nan
    return out


@dataclass(frozen=True)
class MultiLabelReport:
    """What :func:`multilabel_report` measured.

    Attributes
    ----------
    summary : dict
        ``micro_f1, macro_f1, weighted_f1, hamming_loss, macro_recall``, ``map`` (with scores)
        and ``head_f1, medium_f1, tail_f1`` (macro F1 within each group; NaN for an empty group).
    per_label : pandas.DataFrame
        One row per label: ``support, train_count, group, precision, recall, f1`` (+ ``ap``).
    ci : dict
        ``{metric: ConfidenceInterval}`` for every summary entry (empty with ``n_resamples=0``).
    """

    summary: dict[str, float]
    per_label: pd.DataFrame
    ci: dict[str, ConfidenceInterval] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = []
        for key, value in self.summary.items():
            ci = self.ci.get(key)
            bounds = (
                f"  [{ci.low:.3f}, {ci.high:.3f}]"
                if ci is not None and not math.isnan(ci.low)
                else ""
            )
            lines.append(f"{key:>14}  {value:.3f}{bounds}")
        return "\n".join(lines)


def multilabel_report(
    Y_true: Any,
    Y_pred: Any,
    Y_score: Any = None,
    *,
    train_counts: Any = None,
    many: int = 100,
    few: int = 20,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: Any = None,
) -> MultiLabelReport:
    """Score multi-label predictions per label and overall, with bootstrap intervals.

    Parameters
    ----------
    Y_true, Y_pred : indicator matrices of shape (n_samples, n_labels)
        numpy, sparse, DataFrame or tensor (0/1).
    Y_score : array-like of shape (n_samples, n_labels), optional
        Scores or probabilities for mAP.
    train_counts : array-like of length n_labels, optional
        Training positives per label for the head/medium/tail split; defaults to ``Y_true``'s
        column sums.
    many, few : int, default=100, 20
        Head: more than ``many`` training positives; tail: fewer than ``few``.
    n_resamples : int, default=1000
        Bootstrap resamples of the rows (0: no intervals).
    confidence : float, default=0.95
    random_state : int, Generator, RandomState or None

    Returns
    -------
    MultiLabelReport

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.array([[1, 0], [1, 1], [0, 1], [1, 0]])
    >>> P = np.array([[1, 0], [1, 0], [0, 1], [1, 1]])
    >>> r = multilabel_report(Y, P, n_resamples=0)
    >>> r.summary["micro_f1"], r.summary["hamming_loss"]
    (0.8, 0.25)
    """
    owner = "multilabel_report"
    confidence = _check_confidence(confidence, owner)
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 0
    ):
        raise InvalidParameterError(
            f"The 'n_resamples' parameter of {owner} must be an int in the range [0, inf); got {short_repr(n_resamples)}."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a label with no positive is scored as such
        yt, names = check_indicator_target(Y_true, owner=owner)
        yp, _ = check_indicator_target(Y_pred, owner=owner)
    if yp.shape != yt.shape:
        raise InvalidInputError(
            f"Y_pred passed to {owner} has shape {yp.shape}; Y_true has {yt.shape}."
        )
    score = None if Y_score is None else _scores(Y_score, yt.shape, owner)
    counts = yt.sum(axis=0) if train_counts is None else np.asarray(train_counts, dtype=np.int64)
    if counts.shape != (yt.shape[1],):
        raise InvalidInputError(
            f"train_counts passed to {owner} needs one count per label ({yt.shape[1]}); got {counts.shape}."
        )
    groups = label_groups(counts, many=many, few=few)
    summary = multilabel_metrics(yt, yp, score, groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        per = pd.DataFrame(
            {
                "support": yt.sum(axis=0),
                "train_count": counts,
                "group": groups,
                "precision": precision_score(yt, yp, average=None, zero_division=0.0),
                "recall": recall_score(yt, yp, average=None, zero_division=0.0),
                "f1": f1_score(yt, yp, average=None, zero_division=0.0),
            },
            index=pd.Index(names, name="label"),
        )
    if score is not None:
        per["ap"] = [
            _average_precision(yt[:, j], score[:, j]) if yt[:, j].any() else math.nan
            for j in range(yt.shape[1])
        ]
    ci = (
        _bootstrap(
            lambda idx: multilabel_metrics(
                yt[idx], yp[idx], None if score is None else score[idx], groups
            ),
            len(yt),
            summary,
            n_resamples,
            confidence,
            random_state,
        )
        if n_resamples
        else {}
    )
    return MultiLabelReport(summary=summary, per_label=per, ci=ci)


def _bootstrap(
    evaluate: Callable[[np.ndarray], dict[str, float]],
    n: int,
    summary: dict[str, float],
    n_resamples: int,
    confidence: float,
    random_state: Any,
) -> dict[str, ConfidenceInterval]:
    rng = check_random_state(random_state)
    values = {key: np.empty(n_resamples) for key in summary}
    for b in range(n_resamples):
        out = evaluate(rng.integers(0, n, size=n))
        for key in summary:
            values[key][b] = out.get(key, math.nan)
    alpha = (1.0 - confidence) / 2.0
    ci = {}
    for key, vals in values.items():
        valid = vals[~np.isnan(vals)]
        if valid.size == 0:
            ci[key] = ConfidenceInterval(summary[key], math.nan, math.nan)
            continue
        low, high = np.percentile(valid, [100 * alpha, 100 * (1 - alpha)])
        ci[key] = ConfidenceInterval(summary[key], float(low), float(high))
    return ci
