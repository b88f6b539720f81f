"""imbalanced-learn's classification metrics: sensitivity, specificity, G-mean, IBA, the
imbalanced classification report and macro-averaged MAE.

Signatures, options and results are imbalanced-learn's (0.14), so code moves across unchanged;
where imbalanced-learn is wrong (specificity with sample weights that do not sum to the number of
samples) this module is right and says so. Per class ``c``, with weights ``w_i`` (1 by default)
and ``N = sum_i w_i``::

    TP_c = sum_i w_i [y_i = c and yhat_i = c]      T_c = sum_i w_i [y_i = c]
    P_c  = sum_i w_i [yhat_i = c]                  TN_c = N - T_c - P_c + TP_c
    sensitivity_c = TP_c / T_c                     specificity_c = TN_c / (N - T_c)

A zero denominator gives 0 with an ``UndefinedMetricWarning`` (scikit-learn's convention).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from .._types import ArrayLike
from .._validation import Interval, as_numpy, short_repr, validate_call, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError
from ._report import _labels_1d, _plain, _py

__all__ = [
    "sensitivity_specificity_support",
    "sensitivity_score",
    "specificity_score",
    "geometric_mean_score",
    "make_index_balanced_accuracy",
    "classification_report_imbalanced",
    "macro_averaged_mean_absolute_error",
]

Average = Literal["binary", "micro", "macro", "weighted", "samples"] | None
_AVERAGES = (None, "binary", "micro", "macro", "weighted", "samples")


# --------------------------------------------------------------------------------------------
# Shared counting
# --------------------------------------------------------------------------------------------


def _targets(
    y_true: Any, y_pred: Any, sample_weight: Any, owner: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str]:
    """1-D labels, the weights (or None) and the target type ('binary' or 'multiclass')."""
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        arr = as_numpy(values)
        if arr.ndim == 2 and arr.shape[1] > 1:
            raise InvalidInputError(
                f"{owner} scores one label per sample; got {name} of shape {arr.shape} (multilabel or "
                "multi-output). Score each output separately."
            )
    yt = _labels_1d(y_true, "y_true", owner)
    yp = _labels_1d(y_pred, "y_pred", owner)
    if len(yt) != len(yp):
        raise InvalidInputError(
            f"y_true and y_pred passed to {owner} have different lengths ({len(yt)} and {len(yp)})."
        )
    for name, values in (("y_true", yt), ("y_pred", yp)):
        if values.dtype.kind == "f" and (
            not np.all(np.isfinite(values)) or np.any(values != np.round(values))
        ):
            raise InvalidInputError(
                f"{owner} needs class labels; {name} holds non-integer floats (continuous values). "
                "Pass predicted labels, not scores or probabilities."
            )
    if (yt.dtype.kind in "USO") != (yp.dtype.kind in "USO"):
        raise InvalidInputError(
            f"y_true and y_pred passed to {owner} mix label types ({yt.dtype} and {yp.dtype}); use the "
            "same kind of labels (all strings or all numbers)."
        )
    weight = None
    if sample_weight is not None:
        weight = as_numpy(sample_weight).astype(np.float64).ravel()
        if len(weight) != len(yt):
            raise InvalidInputError(
                f"sample_weight passed to {owner} has {len(weight)} entries for {len(yt)} samples."
            )
        if np.any(weight < 0) or not np.all(np.isfinite(weight)):
            raise InvalidInputError(
                f"sample_weight passed to {owner} must be finite and non-negative."
            )
    kind = "binary" if len(_present(yt, yp)) <= 2 else "multiclass"
    return yt, yp, weight, kind


def _present(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """The sorted labels of y_true and y_pred together."""
    try:
        return np.unique(np.concatenate([yt, yp]))
    except TypeError:
        raise InvalidInputError(
            "y_true and y_pred mix label types that cannot be ordered (e.g. strings and numbers); use "
            "one kind of label."
        ) from None


def _sums(
    yt: np.ndarray, yp: np.ndarray, weight: np.ndarray | None, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weighted TP, T (true) and P (predicted) per label of ``labels``, and the total weight N."""
    universe = np.unique(np.concatenate([np.asarray(labels), yt, yp]))
    t = np.searchsorted(universe, yt)
    p = np.searchsorted(universe, yp)
    k = len(universe)
    hit = t == p
    tp = np.bincount(t[hit], weights=None if weight is None else weight[hit], minlength=k)
    true = np.bincount(t, weights=weight, minlength=k)
    pred = np.bincount(p, weights=weight, minlength=k)
    pick = np.searchsorted(universe, labels)
    total = float(len(yt) if weight is None else weight.sum())
    return tp[pick], true[pick], pred[pick], total


def _divide(num: np.ndarray, den: np.ndarray, metric: str, why: str, warn: bool) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros_like(num)
    ok = den != 0
    out[ok] = num[ok] / den[ok]
    if warn and not ok.all():
        warnings.warn(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 for label(s) with no {why} "
            "samples.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    return out


def _check_average(average: Any, allowed: Sequence, owner: str) -> None:
    if not any(average is a or (isinstance(average, str) and average == a) for a in allowed):
        raise InvalidParameterError(
            f"The 'average' parameter of {owner} must be one of {list(allowed)}; got {short_repr(average)}."
        )


def _resolve_labels(labels: Any, present: np.ndarray) -> np.ndarray:
    if labels is None:
        return present
    arr = as_numpy(labels).ravel()
    if arr.size == 0:
        raise InvalidParameterError("The 'labels' parameter must name at least one class; got [].")
    if len(np.unique(arr)) != len(arr):
        raise InvalidParameterError(
            f"The 'labels' parameter must list each class once; got {_plain(arr)}."
        )
    return arr


# --------------------------------------------------------------------------------------------
# Sensitivity and specificity
# --------------------------------------------------------------------------------------------


def sensitivity_specificity_support(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: Any = 1,
    average: Average = None,
    warn_for: Sequence[str] = ("sensitivity", "specificity"),
    sample_weight: ArrayLike | None = None,
) -> tuple[Any, Any, Any]:
    """Sensitivity (recall), specificity and support of each class, or their average.

    For class ``c`` (see the module docstring for the weighted counts):
    ``sensitivity_c = TP_c / (TP_c + FN_c)`` and ``specificity_c = TN_c / (TN_c + FP_c)``, the
    class treated one-vs-rest. ``support_c`` is the (weighted) number of true samples of ``c``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like, optional
        The classes to report, in this order (``average=None``) or to average over; classes
        absent from the data count as zero. Default: every label in ``y_true`` and ``y_pred``,
        sorted. Ignored with ``average="binary"``.
    pos_label : str, int or None, default=1
        The class reported with ``average="binary"`` (binary data only).
    average : {None, "binary", "micro", "macro", "weighted"}, default=None
        None: one value per class. "binary": ``pos_label`` only. "micro": from the counts
        summed over classes. "macro": unweighted mean over classes. "weighted": mean weighted by
        support. "samples" is accepted for imbalanced-learn compatibility and raises (it is for
        multilabel data).
    warn_for : tuple of str, default=("sensitivity", "specificity")
        Which of the two warn when their denominator is zero.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    sensitivity, specificity : float or numpy.ndarray of shape (n_labels,)
    support : numpy.ndarray of shape (n_labels,) or None
        None when averaged.

    Notes
    -----
    Equal to :func:`imblearn.metrics.sensitivity_specificity_support` (0.14), except with
    sample weights that do not sum to ``n_samples``: imbalanced-learn computes
    ``TN_c = n_samples - T_c - P_c + TP_c`` from *weighted* ``T_c, P_c, TP_c``, so its
    specificity depends on the scale of the weights (and can exceed 1); here ``N = sum(w)``, so
    scaling every weight by the same factor changes nothing.

    References
    ----------
    .. [1] Altman, D. G. & Bland, J. M. (1994). Diagnostic tests 1: sensitivity and
       specificity. BMJ 308, 1552.

    Examples
    --------
    >>> sen, spe, _ = sensitivity_specificity_support([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], average="binary")
    >>> round(sen, 3), round(spe, 3)
    (0.667, 0.5)
    """
    owner = "sensitivity_specificity_support"
    _check_average(average, _AVERAGES, owner)
    yt, yp, weight, kind = _targets(y_true, y_pred, sample_weight, owner)
    if average == "samples":
        raise InvalidParameterError(
            "average='samples' is only meaningful for multilabel data, which these metrics do not "
            "support; use 'macro', 'weighted' or 'micro'."
        )
    present = _present(yt, yp)
    if average == "binary":
        if kind != "binary":
            raise InvalidParameterError(
                f"average='binary' needs a binary target; y has {len(present)} classes "
                f"{_plain(present)}. Choose average='macro', 'weighted', 'micro' or None."
            )
        if pos_label not in present.tolist():
            if len(present) < 2:
                return 0.0, 0.0, 0
            raise InvalidParameterError(
                f"The 'pos_label' parameter must be one of the labels {_plain(present)}; got {short_repr(pos_label)}."
            )
        chosen = np.asarray([pos_label], dtype=present.dtype)
    else:
        if pos_label not in (None, 1):
            warnings.warn(
                f"pos_label={short_repr(pos_label)} is ignored when average != 'binary' (got {short_repr(average)}); pass "
                "labels=[pos_label] to score that class alone.",
                UserWarning,
                stacklevel=2,
            )
        chosen = _resolve_labels(labels, present)
    tp, true, pred, total = _sums(yt, yp, weight, chosen)
    tn = total - true - pred + tp
    if average == "micro":
        tp, true, pred, tn = (np.array([v.sum()]) for v in (tp, true, pred, tn))
    sensitivity = _divide(tp, true, "sensitivity", "true", "sensitivity" in warn_for)
    specificity = _divide(tn, tn + pred - tp, "specificity", "negative", "specificity" in warn_for)
    if average is None:
        support = true if weight is not None else true.astype(np.int64)
        return sensitivity, specificity, support
    weights = None
    if average == "weighted":
        if true.sum() == 0:
            return 0.0, 0.0, None
        weights = true
    return (
        float(np.average(sensitivity, weights=weights)),
        float(np.average(specificity, weights=weights)),
        None,
    )


def sensitivity_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: Any = 1,
    average: Average = "binary",
    sample_weight: ArrayLike | None = None,
) -> Any:
    """Sensitivity (recall, true positive rate): ``TP / (TP + FN)``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels, pos_label, sample_weight
        As in :func:`sensitivity_specificity_support`.
    average : {"binary", "micro", "macro", "weighted", None}, default="binary"

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> sensitivity_score([0, 0, 1, 1], [0, 1, 1, 0])
    0.5
    """
    sen, _, _ = sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("sensitivity",),
        sample_weight=sample_weight,
    )
    return sen


def specificity_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: Any = 1,
    average: Average = "binary",
    sample_weight: ArrayLike | None = None,
) -> Any:
    """Specificity (true negative rate): ``TN / (TN + FP)``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels, pos_label, sample_weight
        As in :func:`sensitivity_specificity_support`.
    average : {"binary", "micro", "macro", "weighted", None}, default="binary"

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> specificity_score([0, 0, 0, 1], [0, 1, 0, 1])
    0.6666666666666666
    """
    _, spe, _ = sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("specificity",),
        sample_weight=sample_weight,
    )
    return spe


# --------------------------------------------------------------------------------------------
# G-mean and IBA
# --------------------------------------------------------------------------------------------


def geometric_mean_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    pos_label: Any = 1,
    average: Average | Literal["multiclass"] = "multiclass",
    sample_weight: ArrayLike | None = None,
    correction: float = 0.0,
) -> Any:
    """Geometric mean of the per-class recalls (Kubat & Matwin 1997).

    ``average="multiclass"``: ``G = (prod_c recall_c) ** (1 / K)`` over the ``K`` classes of
    ``labels`` (for two classes, ``sqrt(sensitivity * specificity)``). A class never recognised
    makes ``G = 0``; ``correction`` replaces such zero recalls by a small value so that G still
    ranks the other classes (Barandela et al. 2003). Any other ``average`` gives the one-vs-rest
    ``sqrt(sensitivity_c * specificity_c)``, per class (``None``) or from the averaged
    sensitivity and specificity (``"macro"``, ``"weighted"``, ``"micro"``, ``"binary"``), as in
    imbalanced-learn.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels, pos_label, sample_weight
        As in :func:`sensitivity_specificity_support`. With ``"multiclass"``, a label absent
        from ``y_true`` has recall 0 (a warning), so G is 0 unless ``correction`` is set.
    average : {"multiclass", "binary", "micro", "macro", "weighted", None}, default="multiclass"
    correction : float, default=0.0
        Value substituted for zero recalls (``"multiclass"`` only); must be >= 0.

    Returns
    -------
    float or numpy.ndarray

    Notes
    -----
    Equal to :func:`imblearn.metrics.geometric_mean_score` (0.14). It differs from the
    ``"g_mean"`` entry of :data:`METRICS`, which leaves classes absent from ``y_true`` out of
    the product instead of counting their recall as 0.

    References
    ----------
    .. [1] Kubat, M. & Matwin, S. (1997). Addressing the curse of imbalanced training sets:
       one-sided selection. ICML, 179-186.
    .. [2] Barandela, R., Sánchez, J. S., García, V. & Rangel, E. (2003). Strategies for
       learning in class imbalance problems. Pattern Recognition 36(3), 849-851.

    Examples
    --------
    >>> geometric_mean_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1])
    0.0
    >>> round(geometric_mean_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], correction=0.001), 4)
    0.01
    """
    owner = "geometric_mean_score"
    _check_average(average, (*_AVERAGES, "multiclass"), owner)
    validate_params(
        owner, {"correction": correction}, {"correction": [Interval(float, 0, None, closed="left")]}
    )
    if average != "multiclass":
        sen, spe, _ = sensitivity_specificity_support(
            y_true,
            y_pred,
            labels=labels,
            pos_label=pos_label,
            average=average,
            warn_for=("specificity",),
            sample_weight=sample_weight,
        )
        out = np.sqrt(np.asarray(sen) * np.asarray(spe))
        return out if average is None else float(out)
    yt, yp, weight, _ = _targets(y_true, y_pred, sample_weight, owner)
    chosen = _resolve_labels(labels, _present(yt, yp))
    tp, true, _, _ = _sums(yt, yp, weight, chosen)
    recall = _divide(tp, true, "recall", "true", True)
    recall[recall == 0] = correction
    if np.any(recall == 0):
        return 0.0
    return float(np.exp(np.mean(np.log(recall))))


def make_index_balanced_accuracy(
    *, alpha: float = 0.1, squared: bool = True
) -> Callable[[Callable], Callable]:
    """Turn a label metric ``M`` into its index balanced accuracy (García et al. 2009).

    ``IBA_alpha(M) = (1 + alpha * Dom) * M**2`` (``squared=True``) or ``(1 + alpha * Dom) * M``,
    with the *dominance* ``Dom = sensitivity - specificity``: a classifier whose good score
    comes from one side of the problem is pulled down by up to ``alpha``. The paper uses
    ``alpha = 0.1`` and the squared G-mean.

    Parameters
    ----------
    alpha : float, default=0.1
        Weight of the dominance.
    squared : bool, default=True
        Square the metric before weighting it.

    Returns
    -------
    callable
        A decorator: ``iba_gmean = make_index_balanced_accuracy()(geometric_mean_score)``. The
        decorated function takes the metric's own arguments; sensitivity and specificity are
        computed with those it shares with :func:`sensitivity_specificity_support` (``y_true,
        y_pred, labels, pos_label, average, sample_weight``). A G-mean with
        ``average="multiclass"`` uses their ``"macro"`` average; a metric without an ``average``
        argument (``accuracy_score``) uses ``"binary"``.

    Notes
    -----
    Equal to :func:`imblearn.metrics.make_index_balanced_accuracy` (0.14) for the metrics it
    documents. Two differences: a metric that ranks scores (an argument ``y_score``, ``y_prob``
    or ``y2``) is refused when decorated, not when called; and the ``average`` a metric is
    called with is always honoured (imbalanced-learn forces ``"binary"`` for ``jaccard_score``,
    and for metrics without ``average`` other than ``accuracy_score`` it returns one value per
    class).

    References
    ----------
    .. [1] García, V., Mollineda, R. A. & Sánchez, J. S. (2009). Index of balanced accuracy: a
       performance measure for skewed class distributions. IbPRIA, LNCS 5524, 441-448.

    Examples
    --------
    >>> iba = make_index_balanced_accuracy(alpha=0.1, squared=True)(geometric_mean_score)
    >>> iba([1, 0, 0, 1, 0, 1], [0, 0, 1, 1, 0, 1], average=None).round(4).tolist()
    [0.4444, 0.4444]
    """
    owner = "make_index_balanced_accuracy"
    validate_params(owner, {"alpha": alpha}, {"alpha": [Interval(float, None, None)]})
    if not isinstance(squared, (bool, np.bool_)):
        raise InvalidParameterError(
            f"The 'squared' parameter of {owner} must be a bool; got {short_repr(squared)}."
        )
    shared = set(inspect.signature(sensitivity_specificity_support).parameters) - {"warn_for"}

    def decorate(scoring_func: Callable) -> Callable:
        signature = inspect.signature(scoring_func)
        scored = {"y_score", "y_prob", "y2"} & set(signature.parameters)
        if scored:
            raise InvalidParameterError(
                f"The index balanced accuracy needs a metric of predicted labels; "
                f"{scoring_func.__name__} takes {sorted(scored)} (scores). Use it on y_pred metrics "
                "such as geometric_mean_score or accuracy_score."
            )

        @functools.wraps(scoring_func)
        def iba(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            score = np.asarray(scoring_func(*bound.args, **bound.kwargs), dtype=np.float64)
            if squared:
                score = score**2
            params = {k: v for k, v in bound.arguments.items() if k in shared}
            if params.get("average") == "multiclass":
                params["average"] = "macro"
            params.setdefault("average", "binary")
            sen, spe, _ = sensitivity_specificity_support(**params)
            value = (1.0 + alpha * (np.asarray(sen) - np.asarray(spe))) * score
            return float(value) if np.ndim(value) == 0 else value

        return iba

    return decorate


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@validate_call({"digits": [Interval(int, 0, None, closed="left", description="an int >= 0")]})
def classification_report_imbalanced(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: ArrayLike | None = None,
    target_names: Sequence[str] | None = None,
    sample_weight: ArrayLike | None = None,
    digits: int = 2,
    alpha: float = 0.1,
    output_dict: bool = False,
    zero_division: Literal["warn"] | int = "warn",
) -> str | dict[str, Any]:
    """Per-class precision, recall, specificity, F1, G-mean, IBA and support, and their averages.

    Columns: ``pre`` (precision), ``rec`` (recall, sensitivity), ``spe`` (specificity), ``f1``,
    ``geo`` (one-vs-rest ``sqrt(rec * spe)``), ``iba`` (``(1 + alpha (rec - spe)) geo**2``) and
    ``sup`` (support); the last line, ``avg / total``, averages each column weighted by support.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : array-like, optional
        Classes to report, in this order (default: every label, sorted).
    target_names : list of str, optional
        Display names of ``labels``.
    sample_weight : array-like of shape (n_samples,), optional
    digits : int, default=2
        Decimals in the text report.
    alpha : float, default=0.1
        IBA's dominance weight.
    output_dict : bool, default=False
        Return ``{name: {"pre", "rec", "spe", "f1", "geo", "iba", "sup"}, "avg_pre": ..., ...,
        "total_support": ...}`` instead of text.
    zero_division : "warn", 0 or 1, default="warn"
        Precision/F1 of a class never predicted (scikit-learn's option).

    Returns
    -------
    str or dict

    Notes
    -----
    Same text and dict as :func:`imblearn.metrics.classification_report_imbalanced` (0.14);
    with sample weights, specificity (and so G-mean and IBA) is computed as in
    :func:`sensitivity_specificity_support`.

    Examples
    --------
    >>> print(classification_report_imbalanced([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]))  # doctest: +NORMALIZE_WHITESPACE
                       pre       rec       spe        f1       geo       iba       sup
    <BLANKLINE>
              0       0.50      1.00      0.75      0.67      0.87      0.77         1
              1       0.00      0.00      0.75      0.00      0.00      0.00         1
              2       1.00      0.67      1.00      0.80      0.82      0.64         3
    <BLANKLINE>
    avg / total       0.70      0.60      0.90      0.61      0.66      0.54         5
    <BLANKLINE>
    """
    owner = "classification_report_imbalanced"
    yt, yp, weight, _ = _targets(y_true, y_pred, sample_weight, owner)
    chosen = _resolve_labels(labels, _present(yt, yp))
    if target_names is None:
        names = [f"{_py(label)}" for label in chosen]
    else:
        names = [str(name) for name in target_names]
        if len(names) != len(chosen):
            raise InvalidParameterError(
                f"target_names has {len(names)} names for {len(chosen)} labels {_plain(chosen)}."
            )
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        yt, yp, labels=chosen, average=None, sample_weight=weight, zero_division=zero_division
    )
    sen, spe, _ = sensitivity_specificity_support(
        yt, yp, labels=chosen, average=None, warn_for=("specificity",), sample_weight=weight
    )
    geo = np.sqrt(sen * spe)
    iba = (1.0 + alpha * (sen - spe)) * geo**2
    columns = {"pre": precision, "rec": recall, "spe": spe, "f1": f1, "geo": geo, "iba": iba}
    result: dict[str, Any] = {}
    for i, name in enumerate(names):
        result[name] = {key: values[i] for key, values in columns.items()} | {"sup": support[i]}
    undefined = np.sum(support) == 0
    if undefined:
        warnings.warn(
            "None of the reported labels occurs in y_true: the support-weighted averages are "
            "undefined (NaN).",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    for key, values in columns.items():
        result[f"avg_{key}"] = np.nan if undefined else np.average(values, weights=support)
    result["total_support"] = np.sum(support)
    if output_dict:
        return result
    last = "avg / total"
    width = max(max(len(n) for n in names), len(last), digits)
    headers = [*columns, "sup"]

    def line(first: str, cells: list[str]) -> str:
        return f"{first:>{width}}  " + " ".join(f"{cell:>9}" for cell in cells) + "\n"

    text = line("", headers) + "\n"
    for name in names:
        row = result[name]
        text += line(name, [f"{row[key]:.{digits}f}" for key in columns] + [f"{row['sup']}"])
    text += "\n"
    text += line(
        last,
        [f"{result[f'avg_{key}']:.{digits}f}" for key in columns] + [f"{result['total_support']}"],
    )
    return text


# --------------------------------------------------------------------------------------------
# Ordinal classification
# --------------------------------------------------------------------------------------------


def macro_averaged_mean_absolute_error(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None
) -> float:
    """Mean absolute error averaged over the true classes (Baccianella et al. 2009).

    For ordinal labels (integers or floats whose order and distance mean something),
    ``MAE^M = (1 / |C|) sum_{c in C} sum_{i: y_i = c} w_i |y_i - yhat_i| / sum_{i: y_i = c} w_i``
    over the classes ``C`` present in ``y_true``: each class weighs the same, however rare, so
    predicting the majority grade everywhere no longer looks good.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Numeric labels.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float
        >= 0; lower is better.

    Notes
    -----
    Equal to :func:`imblearn.metrics.macro_averaged_mean_absolute_error` (0.14) whenever that is
    defined. imbalanced-learn averages over the labels of ``y_true`` *and* ``y_pred`` and fails
    with an empty-array error when ``y_pred`` has a label that ``y_true`` lacks; here such a label
    has no true samples and is simply not averaged over (the paper's definition).

    References
    ----------
    .. [1] Baccianella, S., Esuli, A. & Sebastiani, F. (2009). Evaluation measures for ordinal
       regression. ISDA, 283-287.

    Examples
    --------
    >>> macro_averaged_mean_absolute_error([1, 2, 2, 2], [1, 2, 1, 2])
    0.16666666666666666
    """
    owner = "macro_averaged_mean_absolute_error"
    yt = _labels_1d(y_true, "y_true", owner)
    yp = _labels_1d(y_pred, "y_pred", owner)
    if len(yt) != len(yp):
        raise InvalidInputError(
            f"y_true and y_pred passed to {owner} have different lengths ({len(yt)} and {len(yp)})."
        )
    if yt.dtype.kind not in "biuf" or yp.dtype.kind not in "biuf":
        raise InvalidInputError(
            f"{owner} needs numeric (ordinal) labels so that |y_true - y_pred| has a meaning; got dtypes "
            f"{yt.dtype} and {yp.dtype}. Encode the grades as integers in their order."
        )
    weight = (
        np.ones(len(yt))
        if sample_weight is None
        else as_numpy(sample_weight).astype(np.float64).ravel()
    )
    if len(weight) != len(yt):
        raise InvalidInputError(
            f"sample_weight passed to {owner} has {len(weight)} entries for {len(yt)} samples."
        )
    classes, codes = np.unique(yt, return_inverse=True)
    error = np.abs(yt.astype(np.float64) - yp.astype(np.float64)) * weight
    per_class_weight = np.bincount(codes, weights=weight, minlength=len(classes))
    if np.any(per_class_weight == 0):
        raise InvalidInputError(
            f"sample_weight passed to {owner} gives a class of y_true zero total weight."
        )
    return float(
        np.mean(np.bincount(codes, weights=error, minlength=len(classes)) / per_class_weight)
    )
