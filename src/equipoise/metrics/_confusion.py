"""Label metrics of many confusion matrices at once, equal to the registered metrics.

:func:`metrics_from_confusion` scores a stack of confusion matrices (``(B, C, C)``, rows: true
class) with every registered metric that is a function of the confusion matrix. It is what
vectorises the comparison's bootstrap (one matrix per replicate) and the threshold tuner (one
matrix per candidate threshold). On integer counts each value is *bit-equal* to the registered
metric (:data:`equipoise.metrics.METRICS`) on labels with that confusion matrix: every formula
repeats scikit-learn's floating-point operations in the same order (the same divisions, the same
NaN handling, the sums and products over classes in class order, the weighted average over the
classes whose F1 is defined, the G-mean's power taken as a scalar). The threshold tuner relies
on that, so that ties resolve as they do when each candidate is scored by the registered metric.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "CONFUSION_METRICS",
    "metrics_from_confusion",
    "metrics_from_counts",
    "confusion_metric_name",
]

CONFUSION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "f1",
    "macro_f1",
    "weighted_f1",
    "g_mean",
    "mcc",
    "sensitivity",
    "specificity",
)
"""The registered label metrics that :func:`metrics_from_confusion` computes (all of them)."""

_BINARY_ONLY = ("sensitivity", "specificity")


def confusion_metric_name(func: Callable[..., float]) -> str | None:
    """The :data:`CONFUSION_METRICS` name that computes the registered metric function ``func``
    (a :attr:`Metric.func <equipoise.metrics.Metric.func>`), or None when it is not one of them
    (a metric registered by the user, or one under a replaced name)."""
    from . import _report

    builtin = {
        _report._accuracy: "accuracy",
        _report._balanced_accuracy: "balanced_accuracy",
        _report._f1: "f1",
        _report._macro_f1: "macro_f1",
        _report._weighted_f1: "weighted_f1",
        _report._g_mean: "g_mean",
        _report._mcc: "mcc",
        _report._sensitivity: "sensitivity",
        _report._specificity: "specificity",
    }
    try:
        return builtin.get(func)
    except TypeError:  # an unhashable callable object
        return None


def _divide(num: np.ndarray, den: np.ndarray, zero: float) -> np.ndarray:
    """``num / den`` with ``zero`` where ``den == 0`` (scikit-learn's ``_prf_divide``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den == 0, zero, num / np.where(den == 0, 1.0, den))


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    """``numpy.nanmean`` of each row of ``x`` (B, C): NaN read as 0 in the sum, divided by the
    number of finite entries; NaN for a row without any."""
    mask = np.isnan(x)
    total = np.ascontiguousarray(np.where(mask, 0.0, x)).sum(axis=1)
    count = np.sum(~mask, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _compact_sum(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Sum of ``values[b, keep[b]]`` for each row, as ``numpy.sum`` of the compacted 1-D array
    (its pairwise summation groups terms by position, so the dropped entries must not be there
    even as zeros)."""
    order = np.argsort(~keep, axis=1, kind="stable")
    packed = np.take_along_axis(values, order, axis=1)
    counts = keep.sum(axis=1)
    out = np.zeros(len(values))
    for m in np.unique(counts):
        if m == 0:
            continue
        rows = counts == m
        out[rows] = np.ascontiguousarray(packed[rows, :m]).sum(axis=1)
    return out


def metrics_from_confusion(
    conf: np.ndarray, names: Sequence[str], shots: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Label metrics of each confusion matrix in a ``(B, C, C)`` stack.

    With :math:`n_{ij}` the count of true class :math:`i` predicted as :math:`j`, support
    :math:`s_i = \\sum_j n_{ij}`, predicted count :math:`p_j = \\sum_i n_{ij}`, recall
    :math:`r_i = n_{ii} / s_i` (undefined when :math:`s_i = 0`) and
    :math:`F_i = 2 n_{ii} / (s_i + p_i)` (undefined when :math:`s_i + p_i = 0`):

    - ``accuracy``: :math:`\\sum_i n_{ii} / N`;
    - ``balanced_accuracy``: the mean of the defined recalls;
    - ``macro_f1``: the mean of the defined :math:`F_i`; ``weighted_f1``: their mean weighted
      by :math:`s_i`;
    - ``f1``: binary (``C == 2``): :math:`F_1` of class index 1, 0 when undefined; multiclass:
      ``macro_f1`` (as the registered ``"f1"``);
    - ``g_mean``: :math:`(\\prod_i r_i)^{1/k}` over the :math:`k` defined recalls;
    - ``mcc``: :math:`(c N - \\sum_k p_k s_k) / \\sqrt{(N^2 - \\sum_k p_k^2)(N^2 - \\sum_k s_k^2)}`
      with :math:`c = \\sum_i n_{ii}`, 0 when the denominator is 0 (Gorodkin 2004);
    - ``sensitivity``, ``specificity`` (``C == 2`` only): :math:`r_1`, :math:`r_0`.

    A metric with nothing defined to average is NaN. On integer counts every value is bit-equal
    to the registered metric of :data:`equipoise.metrics.METRICS` applied to labels with that
    confusion matrix and ``labels`` in the matrix's class order (a test checks it); weighted
    counts (bootstrap multiplicities) give the metric of the weighted sample.

    Parameters
    ----------
    conf : numpy.ndarray of shape (B, C, C)
        Confusion matrices, rows the true class and columns the predicted class, classes in the
        same order on both axes; for ``C == 2`` index 1 is the positive class.
    names : sequence of str
        Metrics to compute, from :data:`CONFUSION_METRICS`.
    shots : sequence of str, optional
        The shot group (``"many"``, ``"medium"``, ``"few"``) of each class; adds
        ``many_shot_acc``, ``medium_shot_acc`` and ``few_shot_acc`` (the mean defined recall of
        the group's classes, NaN for an empty group).

    Returns
    -------
    dict of str to numpy.ndarray of shape (B,)

    Raises
    ------
    ValueError
        For a name outside :data:`CONFUSION_METRICS`, or ``sensitivity``/``specificity`` with
        ``C != 2``.

    References
    ----------
    .. [1] Gorodkin, J. (2004). Comparing two K-category assignments by a K-category
       correlation coefficient. Computational Biology and Chemistry 28.
    """
    conf = np.asarray(conf, dtype=np.float64)
    if conf.ndim != 3 or conf.shape[1] != conf.shape[2]:
        raise ValueError(f"conf must have shape (B, C, C); got {conf.shape}.")
    return metrics_from_counts(
        np.diagonal(conf, axis1=1, axis2=2), conf.sum(axis=2), conf.sum(axis=1), names, shots
    )


def metrics_from_counts(
    tp: np.ndarray,
    support: np.ndarray,
    predicted: np.ndarray,
    names: Sequence[str],
    shots: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """:func:`metrics_from_confusion` from the three per-class counts the metrics depend on.

    Every metric of :data:`CONFUSION_METRICS` is a function of the diagonal and the two margins
    of the confusion matrix, so ``B`` candidates over ``C`` classes cost ``O(B C)`` here, not
    ``O(B C^2)``.

    Parameters
    ----------
    tp, support, predicted : numpy.ndarray of shape (B, C)
        Per class: the correct predictions :math:`n_{ii}`, the true count :math:`s_i` and the
        predicted count :math:`p_i`.
    names, shots
        As in :func:`metrics_from_confusion`.

    Returns
    -------
    dict of str to numpy.ndarray of shape (B,)
    """
    # C order: the row sums below must add each row's terms in numpy's 1-D order
    tp = np.ascontiguousarray(tp, dtype=np.float64)
    support = np.ascontiguousarray(support, dtype=np.float64)
    predicted = np.ascontiguousarray(predicted, dtype=np.float64)
    if tp.ndim != 2 or support.shape != tp.shape or predicted.shape != tp.shape:
        raise ValueError(
            "tp, support and predicted must have the same shape (B, C); got "
            f"{tp.shape}, {support.shape} and {predicted.shape}."
        )
    n_classes = tp.shape[1]
    for name in names:
        if name not in CONFUSION_METRICS:
            raise ValueError(
                f"unknown confusion metric {name!r}; expected one of {list(CONFUSION_METRICS)}."
            )
        if name in _BINARY_ONLY and n_classes != 2:
            raise ValueError(f"{name!r} is defined for two classes; got {n_classes}.")
    total = support.sum(axis=1)
    recall = _divide(tp, support, np.nan)
    f1 = _divide(2 * tp, support + predicted, np.nan)
    out: dict[str, np.ndarray] = {}
    for name in names:
        if name == "accuracy":
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = tp.sum(axis=1) / total
        elif name == "balanced_accuracy":
            out[name] = _nanmean_rows(recall)
        elif name == "macro_f1" or (name == "f1" and n_classes != 2):
            out[name] = _nanmean_rows(f1)
        elif name == "f1":
            out[name] = _divide(2 * tp[:, 1], support[:, 1] + predicted[:, 1], 0.0)
        elif name == "weighted_f1":
            defined = ~np.isnan(f1)
            num = _compact_sum(np.where(defined, f1 * support, 0.0), defined)
            den = _compact_sum(support, defined)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        elif name == "g_mean":
            defined = ~np.isnan(recall)
            prod = np.ascontiguousarray(np.where(defined, recall, 1.0)).prod(axis=1)
            k = defined.sum(axis=1)
            # the registered metric takes a scalar power; numpy's array power may use another
            # implementation (a SIMD pow, a sqrt fast path) that rounds differently
            out[name] = np.array(
                [
                    np.float64(p) ** (1.0 / int(kk)) if kk > 0 else np.nan
                    for p, kk in zip(prod.tolist(), k.tolist())
                ],
                dtype=np.float64,
            ).reshape(len(tp))
        elif name == "mcc":
            correct = tp.sum(axis=1)
            cov_tp = correct * total - np.sum(support * predicted, axis=1)
            cov_pp = total**2 - np.sum(predicted * predicted, axis=1)
            cov_tt = total**2 - np.sum(support * support, axis=1)
            den = cov_pp * cov_tt
            with np.errstate(invalid="ignore", divide="ignore"):
                out[name] = np.where(den == 0, 0.0, cov_tp / np.sqrt(np.where(den == 0, 1.0, den)))
        elif name == "sensitivity":
            out[name] = recall[:, 1]
        elif name == "specificity":
            out[name] = recall[:, 0]
    if shots is not None:
        for group in ("many", "medium", "few"):
            members = [i for i, g in enumerate(shots) if g == group]
            out[f"{group}_shot_acc"] = (
                _nanmean_rows(recall[:, members]) if members else np.full(len(tp), np.nan)
            )
    return out
