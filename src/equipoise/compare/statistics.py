r"""When is a difference between two recipes real? The tests behind ``compare``'s verdicts.

**Cross-validation** (every run a fold of a repeated k-fold split): the runs share training
rows, so the plain paired t-test over folds is far too liberal. The **corrected resampled
t-test** of Nadeau & Bengio (2003) inflates the variance of the mean difference by the overlap:
with :math:`r` runs of differences :math:`d_j` and sample variance :math:`\hat\sigma^2`,

.. math::

    t = \frac{\bar d}{\sqrt{\left(\frac{1}{r} + \frac{n_2}{n_1}\right)\hat\sigma^2}}, \qquad
    \text{on } r - 1 \text{ degrees of freedom},

:math:`n_1` and :math:`n_2` the training and test rows of a run (Bouckaert & Frank 2004 use it
for repeated k-fold). The mean of one recipe gets the same corrected interval.

**Fixed test set** (long-tailed training data, balanced test split): every run is scored on the
same rows, which differ only by the training seed. Both sources of uncertainty are resampled in
a **paired bootstrap**: each replicate draws the test rows with replacement (the same rows for
every recipe and seed) and the seeds with replacement; the difference of the mean metric over
seeds is recomputed, and the percentile interval and the two-sided bootstrap p-value follow
(Efron & Tibshirani 1993). Metrics are recomputed from replicate-weighted confusion matrices
and rank statistics, vectorised over replicates (:func:`weighted_metrics`), so thousands of
replicates cost a fraction of a second.

**Many recipes**: the p-values of the recipes compared with one reference are adjusted by
Holm's step-down procedure (Holm 1979), which keeps the family-wise error rate at
:math:`\alpha` without assuming independence.

References
----------
.. [1] Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. Machine Learning 52.
.. [2] Bouckaert, R. R. & Frank, E. (2004). Evaluating the replicability of significance tests
   for comparing learning algorithms. PAKDD.
.. [3] Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
   Journal of Statistics 6.
.. [4] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import stats

from ..metrics._confusion import metrics_from_confusion

__all__ = [
    "PairedTest",
    "corrected_resampled_ttest",
    "corrected_mean_ci",
    "holm",
    "weighted_metrics",
    "bootstrap_weights",
    "LABEL_METRICS",
    "SCORE_METRICS",
    "PROBABILITY_METRICS",
]


@dataclass(frozen=True)
class PairedTest:
    """A difference ``a - b`` with its interval and two-sided p-value."""

    diff: float
    low: float
    high: float
    p_value: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return {"diff": self.diff, "low": self.low, "high": self.high, "p_value": self.p_value}


_NAN_TEST = PairedTest(math.nan, math.nan, math.nan, math.nan, 0)


def corrected_resampled_ttest(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    test_train_ratio: float,
    confidence: float = 0.95,
) -> PairedTest:
    r"""Nadeau-Bengio corrected resampled t-test of paired scores ``a`` and ``b``.

    Parameters
    ----------
    a, b : array-like of float, same length
        Scores of two methods, pair ``j`` from the same fold of the same repetition.
    test_train_ratio : float
        :math:`n_2 / n_1`, test rows over training rows of one run (``1 / (k - 1)`` for k-fold).
    confidence : float, default=0.95

    Returns
    -------
    PairedTest
        Mean difference, the corrected interval, the p-value on ``r - 1`` degrees of freedom.
        A constant non-zero difference has p = 0; identical scores p = 1.

    Examples
    --------
    >>> a = [0.80, 0.82, 0.79, 0.85, 0.81]
    >>> b = [0.75, 0.78, 0.76, 0.80, 0.77]
    >>> res = corrected_resampled_ttest(a, b, test_train_ratio=0.25)
    >>> round(res.diff, 3), round(res.p_value, 4)
    (0.042, 0.0017)
    """
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    d = d[np.isfinite(d)]
    r = d.size
    if r == 0:
        return _NAN_TEST
    mean = float(d.mean())
    if r < 2:
        return PairedTest(mean, math.nan, math.nan, math.nan, r)
    se = math.sqrt((1.0 / r + float(test_train_ratio)) * float(d.var(ddof=1)))
    if se == 0.0:
        return PairedTest(mean, mean, mean, 1.0 if mean == 0.0 else 0.0, r)
    t = mean / se
    p = float(2.0 * stats.t.sf(abs(t), r - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, r - 1)) * se
    return PairedTest(mean, mean - half, mean + half, p, r)


def corrected_mean_ci(
    values: Sequence[float] | np.ndarray,
    *,
    test_train_ratio: float,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float, float]:
    """Mean of per-run scores with the Nadeau-Bengio corrected t-interval, clipped to ``bounds``.

    Returns ``(mean, low, high)``; the bounds are NaN with fewer than two finite values.
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    se = math.sqrt((1.0 / x.size + float(test_train_ratio)) * float(x.var(ddof=1)))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, x.size - 1)) * se
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return mean, low, high


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm's step-down adjusted p-values (NaN p-values are left out and stay NaN).

    With the :math:`m` finite p-values sorted, :math:`p_{(1)} \\le \\dots \\le p_{(m)}`, the
    adjusted value is :math:`\\tilde p_{(i)} = \\max_{j \\le i} \\min(1, (m - j + 1)\\, p_{(j)})`;
    rejecting :math:`\\tilde p < \\alpha` keeps the family-wise error rate at :math:`\\alpha`.

    Examples
    --------
    >>> holm({"a": 0.01, "b": 0.04, "c": 0.03})
    {'a': 0.03, 'b': 0.06, 'c': 0.06}
    """
    finite = sorted((p, name) for name, p in p_values.items() if p is not None and math.isfinite(p))
    m = len(finite)
    out = {name: math.nan for name in p_values}
    running = 0.0
    for i, (p, name) in enumerate(finite):
        running = max(running, min(1.0, (m - i) * p))
        out[name] = round(running, 15)
    return out


# --------------------------------------------------------------------------------------------
# Metrics of weighted (bootstrap-replicate) test sets, vectorised over replicates
# --------------------------------------------------------------------------------------------

LABEL_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "macro_f1",
    "weighted_f1",
    "g_mean",
    "mcc",
    "sensitivity",
    "specificity",
)
"""Metrics computed from (weighted) confusion matrices."""

SCORE_METRICS = ("roc_auc", "pr_auc")
"""Ranking metrics computed from weighted rank statistics."""

PROBABILITY_METRICS = ("brier", "log_loss", "ece", "classwise_ece")
"""Calibration metrics (lower is better) computed from weighted per-row terms of the probabilities
(:func:`equipoise.metrics.calibration_rows`; ECE with 15 equal-width bins)."""


def bootstrap_weights(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_boot, n)`` multiplicities of ``n`` rows drawn with replacement, one row per replicate."""
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        count = np.sum(np.isfinite(x), axis=axis)
        total = np.nansum(x, axis=axis)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _weighted_auc(pos: np.ndarray, score: np.ndarray, W: np.ndarray) -> np.ndarray:
    """ROC AUC of a binary indicator ``pos`` under row weights ``W`` (B, n); ties count half."""
    order = np.argsort(score, kind="mergesort")
    s, p, w = score[order], pos[order], W[:, order]
    wn = w * ~p
    wp = w * p
    # group equal scores: negatives strictly below, plus half of the tied negatives
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    group = np.cumsum(np.r_[True, s[1:] != s[:-1]]) - 1
    neg_by_group = np.add.reduceat(wn, starts, axis=1)
    below = np.cumsum(neg_by_group, axis=1) - neg_by_group
    credit = below[:, group] + 0.5 * neg_by_group[:, group]
    num = np.sum(wp * credit, axis=1)
    den = wp.sum(axis=1) * wn.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _weighted_ap(pos: np.ndarray, score: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Average precision (sklearn's step definition, one threshold per distinct score)."""
    order = np.argsort(-score, kind="mergesort")
    s, p, w = score[order], pos[order], W[:, order]
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    tp = np.cumsum(w * p, axis=1)[:, ends]
    alls = np.cumsum(w, axis=1)[:, ends]
    total_pos = tp[:, -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(alls > 0, tp / np.where(alls > 0, alls, 1.0), 0.0)
        recall = tp / np.where(total_pos > 0, total_pos, 1.0)
    gain = np.diff(np.concatenate([np.zeros((len(W), 1)), recall], axis=1), axis=1)
    out = np.sum(gain * precision, axis=1)
    return np.where(total_pos[:, 0] > 0, out, np.nan)


def _score_metric(
    fn: str, y: np.ndarray, score: np.ndarray, W: np.ndarray, n_classes: int
) -> np.ndarray:
    single = _weighted_auc if fn == "roc_auc" else _weighted_ap
    if n_classes == 2:
        s = score if score.ndim == 1 else score[:, 1]
        pos = y == 1
        if pos.all() or not pos.any():
            return np.full(len(W), np.nan)
        return single(pos, s, W)
    values = []
    for c in range(n_classes):
        pos = y == c
        if pos.any() and not pos.all():
            values.append(single(pos, score[:, c], W))
    if len(values) < 2:
        return np.full(len(W), np.nan)
    return _nanmean(np.stack(values, axis=1), axis=1)


def weighted_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_score: np.ndarray | None,
    W: np.ndarray,
    *,
    n_classes: int,
    names: Sequence[str],
    shots: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """Every metric in ``names`` of one set of predictions under each row-weight vector of ``W``.

    With ``W`` all ones this equals :func:`equipoise.metrics.imbalance_report`'s summary (a
    test checks it); with bootstrap multiplicities it is the metric of each replicate.

    Parameters
    ----------
    y_true, y_pred : numpy.ndarray of int64, shape (n,)
        Encoded classes.
    y_score : numpy.ndarray, optional
        Positive-class scores (binary) or class probabilities (n, n_classes).
    W : numpy.ndarray of shape (B, n)
    n_classes : int
    names : sequence of str
        Metric names (:data:`LABEL_METRICS`, :data:`SCORE_METRICS`, :data:`PROBABILITY_METRICS`,
        the last needing probabilities in ``y_score``); others are NaN.
    shots : sequence of str, optional
        The shot group of each class; adds ``many_shot_acc``, ``medium_shot_acc``, ``few_shot_acc``.

    Returns
    -------
    dict of str to numpy.ndarray of shape (B,)
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    cells = y_true * n_classes + y_pred
    onehot = sp.csr_matrix(
        (np.ones(len(cells)), (np.arange(len(cells)), cells)),
        shape=(len(cells), n_classes * n_classes),
    )
    conf = np.asarray(onehot.T.dot(W.T).T).reshape(len(W), n_classes, n_classes)
    label_names = [
        n
        for n in names
        if n in LABEL_METRICS and (n not in ("sensitivity", "specificity") or n_classes == 2)
    ]
    out = metrics_from_confusion(conf, label_names, shots)
    wanted = [n for n in names if n in PROBABILITY_METRICS]
    if wanted:
        from ..metrics._calibration import calibration_rows, proba_2d, weighted_calibration

        if y_score is None:
            out.update({n: np.full(len(W), np.nan) for n in wanted})
        else:
            rows = calibration_rows(
                y_true,
                proba_2d(np.asarray(y_score, dtype=np.float64), n_classes, "weighted_metrics"),
            )
            out.update({n: weighted_calibration(rows, W, n) for n in wanted})
    for name in names:
        if name in SCORE_METRICS:
            out[name] = (
                np.full(len(W), np.nan)
                if y_score is None
                else _score_metric(
                    name, y_true, np.asarray(y_score, dtype=np.float64), W, n_classes
                )
            )
        elif name not in out:
            out[name] = np.full(len(W), np.nan)
    return out
