"""The report and the metric registry: metrics that do not reward ignoring the minority, with confidence intervals.

:func:`imbalance_report` gathers, in one call, the numbers that tell whether a classifier
serves every class: per-class precision/recall/F1, balanced accuracy, macro F1, G-mean, MCC,
ROC-AUC and PR-AUC (average precision), binary sensitivity/specificity, and the many/medium/
few-shot accuracies of the long-tailed literature. Every number comes from
:mod:`sklearn.metrics`; this module only chooses the right options and arranges the results.

:data:`METRICS` is the registry of single-number metrics (names match the keys of
:attr:`ImbalanceReport.summary`); :func:`bootstrap_ci`, :func:`mean_ci` and
:func:`paired_difference` put uncertainty around them, so every layer of equipoise (threshold
tuning, tau search, the comparison runner) uses one implementation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from .._types import ArrayLike, RandomStateLike
from .._validation import (
    Interval,
    as_numpy,
    check_labels,
    check_random_state,
    short_repr,
    validate_call,
    validate_params,
)
from ..exceptions import InvalidInputError, InvalidParameterError
from ..profile import ClassProfile
from ..registry import Registry

__all__ = [
    "Metric",
    "METRICS",
    "get_metric",
    "ImbalanceReport",
    "imbalance_report",
    "ConfidenceInterval",
    "bootstrap_ci",
    "mean_ci",
    "PairedComparison",
    "paired_difference",
]


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _labels_1d(values: Any, name: str, owner: str) -> np.ndarray:
    arr = check_labels(values, owner=owner, name=name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise InvalidInputError(
            f"{name} passed to {owner} must be 1-D class labels; got shape {arr.shape}. "
            "Pass predicted labels (e.g. scores.argmax(axis=1)), not scores."
        )
    if arr.shape[0] == 0:
        raise InvalidInputError(f"{owner} got an empty {name}; pass at least one sample.")
    return arr


def _check_inputs(
    y_true: Any, y_pred: Any, y_score: Any, labels: Any, owner: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Return 1-D y_true, y_pred, the score array (or None) and the sorted label set."""
    y_true = _labels_1d(y_true, "y_true", owner)
    y_pred = _labels_1d(y_pred, "y_pred", owner)
    if len(y_true) != len(y_pred):
        raise InvalidInputError(
            f"y_true and y_pred passed to {owner} have different lengths ({len(y_true)} and "
            f"{len(y_pred)}); they must describe the same samples."
        )
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.dtype.kind == "f" and (
            not np.all(np.isfinite(values)) or np.any(values != np.round(values))
        ):
            raise InvalidInputError(
                f"{owner} needs class labels; {name} holds non-integer or non-finite floats (continuous "
                "values). Pass predicted labels (e.g. scores.argmax(axis=1) or scores >= 0.5), not scores "
                "or probabilities."
            )
    if (y_true.dtype.kind in "USO") != (y_pred.dtype.kind in "USO"):
        raise InvalidInputError(
            f"y_true and y_pred passed to {owner} mix label types ({y_true.dtype} and {y_pred.dtype}); use "
            "the same kind of labels (all strings or all numbers), e.g. y_pred.astype(y_true.dtype)."
        )
    if labels is None:
        labels_arr = _sorted_labels(np.concatenate([y_true, y_pred]), owner)
    else:
        labels_arr = check_labels(labels, owner=owner, name="labels").ravel()
        if len(_sorted_labels(labels_arr, owner)) != len(labels_arr):
            raise InvalidParameterError(
                f"The 'labels' parameter of {owner} must list each class once; got {_plain(labels_arr)}."
            )
        unknown = np.setdiff1d(np.concatenate([y_true, y_pred]), labels_arr)
        if unknown.size:
            raise InvalidInputError(
                f"y_true/y_pred passed to {owner} contain labels {_plain(unknown)} that are not in "
                f"'labels' {_plain(labels_arr)}; add them to 'labels'."
            )
    if len(labels_arr) < 2:
        raise InvalidInputError(
            f"{owner} needs at least two classes (in y_true, y_pred or 'labels'); got only "
            f"{_plain(labels_arr)}. Pass labels=[...] to name the classes."
        )
    score = None if y_score is None else _check_score(y_score, len(y_true), labels_arr, owner)
    return y_true, y_pred, score, labels_arr


_COUNT = Interval(int, 0, None, closed="left")


def _sorted_labels(values: np.ndarray, owner: str) -> np.ndarray:
    """``numpy.unique`` of labels, with the mixed-type error instead of a raw TypeError."""
    try:
        return np.unique(values)
    except TypeError:
        raise InvalidInputError(
            f"The labels passed to {owner} (y_true, y_pred, labels, train_counts) mix types that cannot "
            "be ordered, e.g. strings and numbers; use one kind of label, e.g. y.astype(str)."
        ) from None


def _check_score(y_score: Any, n: int, labels: np.ndarray, owner: str) -> np.ndarray:
    score = as_numpy(y_score)
    if score.dtype.kind not in "biuf":
        raise InvalidInputError(
            f"y_score passed to {owner} must hold numbers (scores or probabilities); got dtype "
            f"{score.dtype}. Pass the model's scores, e.g. model.predict_proba(X)."
        )
    score = score.astype(np.float64, copy=False)
    if score.ndim not in (1, 2):
        raise InvalidInputError(
            f"y_score passed to {owner} must be 1-D or 2-D (n_samples, n_classes); got shape {score.shape}."
        )
    if score.shape[0] != n:
        raise InvalidInputError(
            f"y_score passed to {owner} has {score.shape[0]} rows but y_true has {n} samples."
        )
    if not np.all(np.isfinite(score)):
        raise InvalidInputError(f"y_score passed to {owner} contains NaN or infinity.")
    if len(labels) == 2:
        if score.ndim == 2 and score.shape[1] == 2:
            score = score[:, 1]
        elif score.ndim == 2 and score.shape[1] == 1:
            score = score.ravel()
        if score.ndim != 1:
            raise InvalidInputError(
                f"For a binary problem {owner} expects y_score of shape (n_samples,) with the "
                f"score of the positive class {_py(labels[1])!r}, or (n_samples, 2); got {score.shape}."
            )
        return score
    if score.ndim != 2 or score.shape[1] != len(labels):
        raise InvalidInputError(
            f"For {len(labels)} classes {owner} expects y_score of shape (n_samples, "
            f"{len(labels)}), one column per label in sorted order {short_repr(_plain(labels))}; got "
            f"{score.shape}. Pass labels=[...] when some classes are absent from y_true and y_pred."
        )
    return score


def _present(y_true: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.isin(labels, y_true)


def _ovr(y_true: np.ndarray, score: np.ndarray, labels: np.ndarray, fn: Callable) -> float:
    """Macro one-vs-rest average of a ranking metric over the classes present in y_true.

    Binary: the metric of the positive (larger) label. Classes absent from y_true have no
    positives, so their one-vs-rest score is undefined and left out of the average.
    """
    if len(labels) == 2:
        positive = y_true == labels[1]
        if positive.all() or not positive.any():
            return math.nan
        return float(fn(positive, score))
    present = _present(y_true, labels)
    indicator = y_true[:, None] == labels[None, present]
    if present.sum() < 2:
        return math.nan
    return float(np.mean(fn(indicator, score[:, present], average=None)))


# --------------------------------------------------------------------------------------------
# The metric registry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """A named single-number metric (higher is better unless ``greater_is_better`` is False).

    Call it as ``metric(y_true, y_pred, y_score=None, labels=None)``. ``labels`` fixes the
    class set (and the binary positive class, ``labels[-1]``) so resamples that miss a class
    are still scored on the same classes.

    Attributes
    ----------
    name : str
    func : callable
        ``func(y_true, y_pred, y_score, labels) -> float`` on validated numpy arrays.
    needs_score : bool
        The metric ranks scores (ROC-AUC, PR-AUC) and does not depend on ``y_pred``.
    binary_only : bool
        Defined for two classes only (sensitivity, specificity).
    bounds : tuple of float
        The metric's range (``(0, 1)``; ``(-1, 1)`` for MCC), used to clip confidence intervals.
    greater_is_better : bool
        False for losses (the calibration metrics ``brier``, ``log_loss``, ``ece``,
        ``classwise_ece``): lower is better.
    needs_proba : bool
        ``y_score`` must be probabilities (rows summing to one), not any monotone score.
    label : str
        Display name for tables and reports (``"Balanced accuracy"``, ``"MCC"``); defaults to
        the de-snaked, capitalised ``name``. :func:`metric_label` reads it.
    """

    name: str
    func: Callable[[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray], float]
    needs_score: bool = False
    binary_only: bool = False
    bounds: tuple[float, float] = (0.0, 1.0)
    greater_is_better: bool = True
    needs_proba: bool = False
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", _default_label(self.name))

    @property
    def direction(self) -> Literal["higher", "lower"]:
        """Which values are better: ``"higher"`` (scores) or ``"lower"`` (losses)."""
        return "higher" if self.greater_is_better else "lower"

    def __call__(
        self,
        y_true: ArrayLike,
        y_pred: ArrayLike,
        y_score: ArrayLike = None,
        labels: ArrayLike = None,
    ) -> float:
        owner = f"metric {short_repr(self.name)}"
        yt, yp, score, labs = _check_inputs(y_true, y_pred, y_score, labels, owner)
        if self.needs_score and score is None:
            raise InvalidInputError(f"{owner} ranks scores; pass y_score.")
        if self.binary_only and len(labs) != 2:
            raise InvalidInputError(
                f"{owner} is defined for binary problems; got {len(labs)} classes."
            )
        return self.func(yt, yp, score, labs)


METRICS: Registry[Metric] = Registry("metric")
"""Single-number metrics by name; the names match :attr:`ImbalanceReport.summary` keys."""


def _default_label(name: str) -> str:
    return str(name).replace("_", " ").capitalize()


_CORRECTED = "_corrected"
"""Suffix of compare's prior-corrected calibration columns (``brier_corrected``, ...)."""

_COLUMN_LABELS: dict[str, str] = {
    "many_shot_acc": "Many-shot accuracy",
    "medium_shot_acc": "Medium-shot accuracy",
    "few_shot_acc": "Few-shot accuracy",
    "minority_recall": "Minority recall",
    "fit_seconds": "Fit seconds",
}
"""Display names of result columns that are not registered metrics (compare's shot groups)."""


def metric_label(name: str, *, in_sentence: bool = False) -> str:
    """Display name of a metric or result column: ``"macro_f1"`` -> ``"Macro F1"``.

    Registered metrics use :attr:`Metric.label`; ``<metric>_corrected`` (compare's
    prior-corrected calibration columns) adds "(prior-corrected)"; unknown names are de-snaked
    and capitalised. ``in_sentence=True`` lower-cases a leading plain word for use inside a
    sentence ("the best mean balanced accuracy"), keeping acronyms ("MCC", "G-mean", "ROC AUC").

    Examples
    --------
    >>> from equipoise.metrics import metric_label
    >>> metric_label("balanced_accuracy"), metric_label("brier_corrected")
    ('Balanced accuracy', 'Brier score (prior-corrected)')
    >>> metric_label("g_mean", in_sentence=True), metric_label("macro_f1", in_sentence=True)
    ('G-mean', 'macro F1')
    """
    name = str(name)
    if name in METRICS:
        label = METRICS.get(name).label
    elif name.endswith(_CORRECTED) and name[: -len(_CORRECTED)] in METRICS:
        label = f"{METRICS.get(name[: -len(_CORRECTED)]).label} (prior-corrected)"
    else:
        label = _COLUMN_LABELS.get(name, _default_label(name))
    if in_sentence:
        first, _, rest = label.partition(" ")
        head = first.split("-")[0]
        if len(head) > 1 and head[0].isupper() and head[1:].islower():
            label = first[0].lower() + first[1:] + (" " + rest if rest else "")
    return label


def greater_is_better(name: str) -> bool:
    """Whether larger values of metric (or result column) ``name`` are better.

    :attr:`Metric.greater_is_better` for a registered metric and for its ``*_corrected`` column;
    True for any other column (accuracies, recalls).

    Examples
    --------
    >>> from equipoise.metrics import greater_is_better
    >>> greater_is_better("macro_f1"), greater_is_better("log_loss"), greater_is_better("ece_corrected")
    (True, False, False)
    """
    name = str(name)
    if name.endswith(_CORRECTED):
        name = name[: -len(_CORRECTED)]
    return METRICS.get(name).greater_is_better if name in METRICS else True


def _register(
    name: str,
    label: str,
    *,
    needs_score: bool = False,
    binary_only: bool = False,
    bounds: tuple[float, float] = (0.0, 1.0),
) -> Callable:
    def deco(func: Callable) -> Callable:
        METRICS.register(
            name,
            Metric(
                name,
                func,
                needs_score=needs_score,
                binary_only=binary_only,
                bounds=bounds,
                label=label,
            ),
        )
        return func

    return deco


@_register("accuracy", "Accuracy")
def _accuracy(y_true, y_pred, y_score, labels) -> float:
    return float(skm.accuracy_score(y_true, y_pred))


@_register("balanced_accuracy", "Balanced accuracy")
def _balanced_accuracy(y_true, y_pred, y_score, labels) -> float:
    recalls = _recalls(y_true, y_pred, labels)
    return float(np.nanmean(recalls)) if not np.all(np.isnan(recalls)) else math.nan


@_register("f1", "F1")
def _f1(y_true, y_pred, y_score, labels) -> float:
    if len(labels) == 2:
        return float(
            skm.f1_score(
                y_true,
                y_pred,
                labels=labels,
                pos_label=labels[1],
                average="binary",
                zero_division=0.0,
            )
        )
    return _macro_f1(y_true, y_pred, y_score, labels)


@_register("macro_f1", "Macro F1")
def _macro_f1(y_true, y_pred, y_score, labels) -> float:
    return float(skm.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=np.nan))


@_register("weighted_f1", "Weighted F1")
def _weighted_f1(y_true, y_pred, y_score, labels) -> float:
    return float(
        skm.f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=np.nan)
    )


@_register("g_mean", "G-mean")
def _g_mean(y_true, y_pred, y_score, labels) -> float:
    recalls = _recalls(y_true, y_pred, labels)
    recalls = recalls[~np.isnan(recalls)]
    if recalls.size == 0:
        return math.nan
    return float(np.prod(recalls) ** (1.0 / recalls.size))


@_register("mcc", "MCC", bounds=(-1.0, 1.0))
def _mcc(y_true, y_pred, y_score, labels) -> float:
    return float(skm.matthews_corrcoef(y_true, y_pred))


@_register("sensitivity", "Sensitivity", binary_only=True)
def _sensitivity(y_true, y_pred, y_score, labels) -> float:
    return float(_recalls(y_true, y_pred, labels)[1])


@_register("specificity", "Specificity", binary_only=True)
def _specificity(y_true, y_pred, y_score, labels) -> float:
    return float(_recalls(y_true, y_pred, labels)[0])


@_register("roc_auc", "ROC AUC", needs_score=True)
def _roc_auc(y_true, y_pred, y_score, labels) -> float:
    return _ovr(y_true, y_score, labels, skm.roc_auc_score)


@_register("pr_auc", "PR AUC", needs_score=True)
def _pr_auc(y_true, y_pred, y_score, labels) -> float:
    return _ovr(y_true, y_score, labels, skm.average_precision_score)


def _recalls(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-class recall (NaN for a class absent from y_true), from sklearn."""
    return np.asarray(
        skm.recall_score(y_true, y_pred, labels=labels, average=None, zero_division=np.nan),
        dtype=np.float64,
    )


def get_metric(metric: str | Metric) -> Metric:
    """Return the :class:`Metric` called ``metric`` (a :class:`Metric` is returned as is).

    Parameters
    ----------
    metric : str or Metric
        A name from :data:`METRICS` (the keys of ``ImbalanceReport.summary``, plus ``"f1"``).

    Returns
    -------
    Metric

    Raises
    ------
    UnknownNameError
        "unknown metric 'gmean'; expected one of [...]. Did you mean 'g_mean'?"
    """
    if isinstance(metric, Metric):
        return metric
    return METRICS.get(metric)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass
class ImbalanceReport:
    """Per-class and summary metrics of one set of predictions.

    Attributes
    ----------
    per_class : pandas.DataFrame
        One row per label (index = labels): ``precision``, ``recall``, ``f1``, ``support``
        (test samples), plus ``train_count`` and ``shot`` ("many"/"medium"/"few") when training
        counts were given. NaN marks an undefined ratio (see :func:`imbalance_report`).
    summary : dict of str to float
        ``accuracy, balanced_accuracy, macro_f1, weighted_f1, g_mean, mcc``; ``roc_auc, pr_auc``
        when scores were given; ``sensitivity, specificity`` for binary problems;
        ``many_shot_acc, medium_shot_acc, few_shot_acc`` when training counts were given.
    labels : list
        The class labels, in sorted order; for binary problems ``labels[1]`` is the positive class.
    confusion : pandas.DataFrame
        The confusion matrix (rows: true label, columns: predicted label).
    """

    per_class: pd.DataFrame
    summary: dict[str, float]
    labels: list[Any]
    confusion: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly copy: ``{"summary": {...}, "per_class": {label: {column: value}}}``."""
        per_class = {
            _py(label): {col: _py(val) for col, val in row.items()}
            for label, row in self.per_class.iterrows()
        }
        return {"summary": dict(self.summary), "per_class": per_class}

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`per_class`."""
        return self.per_class.copy()

    def __str__(self) -> str:
        width = max(len(k) for k in self.summary)
        lines = ["summary"]
        lines += [f"  {k:<{width}}  {v:.4f}" for k, v in self.summary.items()]
        lines += [
            "",
            "per class",
            _indent(self.per_class.to_string(float_format=lambda v: f"{v:.4f}")),
        ]
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _plain(values: Any) -> list[Any]:
    """Labels as Python scalars, so messages print [3], not [np.int64(3)]."""
    return [_py(v) for v in values]


def imbalance_report(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    y_score: ArrayLike | None = None,
    train_counts: Mapping[Any, int] | Sequence[int] | None = None,
    labels: ArrayLike | None = None,
    *,
    many: int = 100,
    few: int = 20,
) -> ImbalanceReport:
    """Score predictions with metrics that expose a neglected minority.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (numpy, pandas, list or torch).
    y_score : array-like, optional
        Binary: shape (n_samples,) with the score of the positive class (the larger label),
        or (n_samples, 2). Multiclass: shape (n_samples, n_classes), one column per label in
        sorted order (probabilities, logits or any monotone score: only ranks are used).
    train_counts : mapping or sequence of int, optional
        Training samples per class (``{label: n}`` or a sequence aligned with ``labels``); adds
        ``many_shot_acc``, ``medium_shot_acc`` and ``few_shot_acc``.
    labels : array-like, optional
        The classes, sorted or not; default: the sorted union of ``y_true`` and ``y_pred`` (and
        the keys of ``train_counts``). Pass it when a class may be absent from a fold.
    many, few : int, default=100, 20
        The shot split of Liu et al. (2019): many-shot classes have more than ``many``
        training samples, few-shot fewer than ``few``, medium-shot the rest.

    Returns
    -------
    ImbalanceReport

    Notes
    -----
    With per-class recall :math:`r_c = TP_c / (TP_c + FN_c)` over the :math:`C` classes:

    - ``accuracy`` :math:`= \\sum_c TP_c / N` (dominated by the majority class);
    - ``balanced_accuracy`` :math:`= \\frac{1}{C}\\sum_c r_c` (``sklearn.metrics.balanced_accuracy_score``);
    - ``macro_f1`` / ``weighted_f1``: per-class F1 averaged equally / by support;
    - ``g_mean`` :math:`= (\\prod_c r_c)^{1/C}` (Kubat & Matwin 1997; imbalanced-learn's
      ``geometric_mean_score`` with its multiclass default), zero as soon as one class is never
      recognised;
    - ``mcc``: Matthews correlation coefficient (multiclass form of Gorodkin 2004);
    - ``roc_auc`` / ``pr_auc``: area under the ROC curve and average precision; binary: of the
      positive class; multiclass: macro one-vs-rest average;
    - ``sensitivity`` / ``specificity`` (binary): recall of the positive class (the larger
      label, e.g. 1 in a 0/1 target where 1 is the rare event) / of the negative class;
    - ``many_shot_acc`` etc.: mean per-class recall over the classes of each shot group
      (Liu et al. 2019); NaN when a group is empty.

    **Classes absent from y_true** (a small class missing from one fold): their recall is
    undefined, so their ``recall`` row is NaN, they are left out of ``balanced_accuracy``,
    ``g_mean``, the shot accuracies and the one-vs-rest AUCs, and an
    ``sklearn.exceptions.UndefinedMetricWarning`` names them. Precision of a class that is
    never predicted is NaN too (sklearn's ``zero_division=np.nan``), and NaN entries are left
    out of ``macro_f1``.

    References
    ----------
    .. [1] Liu, Z. et al. (2019). Large-scale long-tailed recognition in an open world. CVPR.
    .. [2] Kubat, M. & Matwin, S. (1997). Addressing the curse of imbalanced training sets:
       one-sided selection. ICML.
    .. [3] Chicco, D. & Jurman, G. (2020). The advantages of the Matthews correlation
       coefficient over F1 score and accuracy in binary classification evaluation. BMC Genomics.

    Examples
    --------
    >>> report = imbalance_report([0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1])
    >>> round(report.summary["accuracy"], 3), round(report.summary["balanced_accuracy"], 3)
    (0.833, 0.75)
    >>> report.summary["sensitivity"]
    0.5
    """
    owner = "imbalance_report"
    validate_params(owner, {"many": many, "few": few}, {"many": [_COUNT], "few": [_COUNT]})
    if few > many:
        raise InvalidParameterError(
            f"The 'few' parameter of {owner} must not exceed 'many' (few-shot classes have fewer than "
            f"'few' training samples, many-shot more than 'many'); got few={few} and many={many}."
        )
    if labels is None and isinstance(train_counts, Mapping):
        parts = [
            _labels_1d(y_true, "y_true", owner),
            _labels_1d(y_pred, "y_pred", owner),
            check_labels(list(train_counts), owner=owner, name="train_counts"),
        ]
        if len({p.dtype.kind in "USO" for p in parts if p.size}) > 1:
            raise InvalidInputError(
                f"The labels of y_true, y_pred and train_counts passed to {owner} mix strings and numbers; "
                "use the same kind of label everywhere (e.g. the keys of train_counts as in y_true)."
            )
        labels = _sorted_labels(np.concatenate(parts), owner)
    yt, yp, score, labs = _check_inputs(y_true, y_pred, y_score, labels, owner)

    present = _present(yt, labs)
    if not present.all():
        warnings.warn(
            f"classes {_plain(labs[~present])} do not occur in y_true: their recall is undefined "
            "(NaN) and they are left out of balanced_accuracy, g_mean and the AUCs.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        yt, yp, labels=labs, average=None, zero_division=np.nan
    )
    per_class = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support.astype(np.int64)},
        index=pd.Index(labs, name="class"),
    )

    names = ["accuracy", "balanced_accuracy", "macro_f1", "weighted_f1", "g_mean", "mcc"]
    if score is not None:
        names += ["roc_auc", "pr_auc"]
    if len(labs) == 2:
        names += ["sensitivity", "specificity"]
    summary = {name: METRICS.get(name).func(yt, yp, score, labs) for name in names}

    if train_counts is not None:
        counts = _align_counts(train_counts, labs, owner)
        groups = ClassProfile(counts=counts).many_medium_few(many=many, few=few)
        shot = {label: group for group, members in groups.items() for label in members}
        per_class["train_count"] = [counts[_py(lab)] for lab in labs]
        per_class["shot"] = [shot[_py(lab)] for lab in labs]
        for group in ("many", "medium", "few"):
            rec = per_class.loc[per_class["shot"] == group, "recall"].to_numpy(dtype=np.float64)
            rec = rec[~np.isnan(rec)]
            summary[f"{group}_shot_acc"] = float(rec.mean()) if rec.size else math.nan

    confusion = pd.DataFrame(
        skm.confusion_matrix(yt, yp, labels=labs),
        index=pd.Index(labs, name="true"),
        columns=pd.Index(labs, name="predicted"),
    )
    return ImbalanceReport(
        per_class=per_class,
        summary={k: float(v) for k, v in summary.items()},
        labels=[_py(lab) for lab in labs],
        confusion=confusion,
    )


def _align_counts(train_counts: Any, labels: np.ndarray, owner: str) -> dict[Any, int]:
    if isinstance(train_counts, Mapping):
        counts = {_py(k): _train_count(v, k, owner) for k, v in train_counts.items()}
        missing = [_py(lab) for lab in labels if _py(lab) not in counts]
        if missing:
            raise InvalidInputError(
                f"train_counts passed to {owner} has no count for classes {missing}; "
                "give a count for every class (0 if it was not in the training set)."
            )
        return {_py(lab): counts[_py(lab)] for lab in labels}
    arr = as_numpy(train_counts).ravel()
    if len(arr) != len(labels):
        raise InvalidInputError(
            f"train_counts passed to {owner} has {len(arr)} entries but there are {len(labels)} "
            f"classes {_plain(labels)}; pass a {{label: count}} dict or one count per label."
        )
    return {_py(lab): _train_count(n, lab, owner) for lab, n in zip(labels, arr)}


def _train_count(value: Any, label: Any, owner: str) -> int:
    """One class's training count: a finite, non-negative whole number."""
    value = _py(value)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or value != int(value):
        raise InvalidInputError(
            f"train_counts passed to {owner} must hold non-negative whole counts; got {short_repr(value)} "
            f"for class {short_repr(_py(label))}. Pass the number of training samples of each class."
        )
    return int(value)


# --------------------------------------------------------------------------------------------
# Uncertainty
# --------------------------------------------------------------------------------------------


class ConfidenceInterval(NamedTuple):
    """``(estimate, low, high)``; unpacks like a tuple."""

    estimate: float
    low: float
    high: float


_CONFIDENCE = Interval(float, 0, 1, closed="neither")


def _check_confidence(confidence: Any, owner: str) -> float:
    validate_params(owner, {"confidence": confidence}, {"confidence": [_CONFIDENCE]})
    return float(confidence)


@validate_call(
    {"confidence": [_CONFIDENCE], "n_resamples": [Interval(int, 1, None, closed="left")]}
)
def bootstrap_ci(
    metric: str | Metric | Callable[..., float],
    y_true: ArrayLike,
    y_pred: ArrayLike,
    y_score: ArrayLike | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: RandomStateLike = None,
    stratified: bool = True,
) -> ConfidenceInterval:
    """Percentile bootstrap confidence interval of a metric on one test set.

    Each resample draws ``n`` rows with replacement (within each true class when
    ``stratified``, so every resample keeps the class counts of the test set), scores it, and
    the interval is the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of the
    resampled scores (Efron & Tibshirani 1993, ch. 13). The bias-corrected and accelerated
    (BCa) interval is *not* used: it needs jackknife passes over the data and the percentile
    interval is what most papers report.

    Parameters
    ----------
    metric : str, Metric or callable
        A name from :data:`METRICS` (``"balanced_accuracy"``, ``"roc_auc"``, ...) or a callable
        ``metric(y_true, y_pred)`` (``metric(y_true, y_pred, y_score)`` when ``y_score`` is given).
    y_true, y_pred : array-like of shape (n_samples,)
    y_score : array-like, optional
        Scores, as in :func:`imbalance_report`; needed by ranking metrics.
    n_resamples : int, default=1000
    confidence : float, default=0.95
    random_state : int, Generator, RandomState or None
    stratified : bool, default=True
        Resample within each class of ``y_true``.

    Returns
    -------
    ConfidenceInterval
        ``(estimate, low, high)``; ``estimate`` is the metric on the full data. Resamples where
        the metric is undefined (NaN) are dropped with a warning.

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> y = [0] * 80 + [1] * 20
    >>> pred = [0] * 75 + [1] * 5 + [1] * 15 + [0] * 5
    >>> est, low, high = bootstrap_ci("balanced_accuracy", y, pred, n_resamples=200, random_state=0)
    >>> low < est < high
    True
    """
    owner = "bootstrap_ci"
    confidence = float(confidence)
    if isinstance(metric, (str, Metric)):
        m = get_metric(metric)
        yt, yp, score, labs = _check_inputs(y_true, y_pred, y_score, None, owner)
        if m.needs_score and score is None:
            raise InvalidInputError(
                f"metric {short_repr(m.name)} ranks scores; pass y_score to {owner}."
            )

        def evaluate(idx: np.ndarray) -> float:
            return m.func(yt[idx], yp[idx], None if score is None else score[idx], labs)

    elif callable(metric):
        yt = _labels_1d(y_true, "y_true", owner)
        yp = _labels_1d(y_pred, "y_pred", owner)
        score = None if y_score is None else as_numpy(y_score)
        if score is not None and len(score) != len(yt):
            raise InvalidInputError(
                f"y_score passed to {owner} has {len(score)} rows but y_true has {len(yt)}."
            )
        user_metric = metric

        def evaluate(idx: np.ndarray) -> float:
            if score is None:
                return float(user_metric(yt[idx], yp[idx]))
            return float(user_metric(yt[idx], yp[idx], score[idx]))

    else:
        raise InvalidParameterError(
            f"The 'metric' parameter of {owner} must be a metric name from METRICS or a callable; got {short_repr(metric)}."
        )
    if len(yt) != len(yp):
        raise InvalidInputError(f"y_true and y_pred passed to {owner} have different lengths.")
    rng = check_random_state(random_state)
    n = len(yt)
    estimate = evaluate(np.arange(n))
    if stratified:
        groups = [np.flatnonzero(yt == c) for c in np.unique(yt)]
    else:
        groups = [np.arange(n)]
    values = np.empty(n_resamples)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for b in range(n_resamples):
            idx = np.concatenate([g[rng.integers(0, len(g), size=len(g))] for g in groups])
            values[b] = evaluate(idx)
    valid = values[~np.isnan(values)]
    if valid.size < n_resamples:
        warnings.warn(
            f"{n_resamples - valid.size} of {n_resamples} bootstrap resamples gave an undefined "
            "(NaN) metric and were dropped; use stratified=True or a larger test set.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if valid.size == 0:
        return ConfidenceInterval(float(estimate), math.nan, math.nan)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.percentile(valid, [100 * alpha, 100 * (1 - alpha)])
    return ConfidenceInterval(float(estimate), float(low), float(high))


def _scores_1d(values: Any, name: str, owner: str) -> np.ndarray:
    arr = as_numpy(values).astype(np.float64).ravel()
    if arr.size == 0:
        raise InvalidInputError(f"{owner} got an empty {name}; pass one score per fold or seed.")
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(
            f"{name} passed to {owner} contains NaN or infinity; got {_plain(arr)}."
        )
    return arr


def mean_ci(
    values: ArrayLike, confidence: float = 0.95, *, bounds: tuple[float, float] | None = None
) -> ConfidenceInterval:
    """Mean of per-fold (or per-seed) scores with a Student t confidence interval.

    :math:`\\bar x \\pm t_{(1+\\gamma)/2,\\,n-1}\\, s / \\sqrt{n}`, with :math:`s` the sample
    standard deviation (``ddof=1``) and :math:`\\gamma` the confidence, via ``scipy.stats.t``.
    Folds of one cross-validation share training data, so the interval is somewhat optimistic
    (Nadeau & Bengio 2003); it is the usual "mean ± 95% CI" of a results table.

    Parameters
    ----------
    values : array-like of float
        One score per fold or seed.
    confidence : float, default=0.95
    bounds : (float, float), optional
        The metric's range; the interval is clipped to it (a t-interval around a mean of 0.999
        would otherwise reach past a balanced accuracy of 1). ``Metric.bounds`` gives it.

    Returns
    -------
    ConfidenceInterval
        ``(mean, low, high)``; ``low`` and ``high`` are NaN (with a warning) for a single value.

    References
    ----------
    .. [1] Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. Machine Learning.

    Examples
    --------
    >>> mean, low, high = mean_ci([0.80, 0.82, 0.78, 0.81, 0.79])
    >>> round(mean, 3), round(high - mean, 3)
    (0.8, 0.02)
    """
    from scipy import stats

    owner = "mean_ci"
    confidence = _check_confidence(confidence, owner)
    x = _scores_1d(values, "values", owner)
    mean = float(x.mean())
    if x.size < 2:
        warnings.warn(
            "mean_ci needs at least two values for an interval; returning NaN bounds.", stacklevel=2
        )
        return ConfidenceInterval(mean, math.nan, math.nan)
    half = float(
        stats.t.ppf((1 + confidence) / 2, df=x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    )
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return ConfidenceInterval(mean, low, high)


@dataclass(frozen=True)
class PairedComparison:
    """Result of :func:`paired_difference` (``a - b``, fold by fold).

    Attributes
    ----------
    mean_diff, low, high : float
        Mean paired difference and its t-interval.
    p_value : float
        Two-sided paired t-test p-value (``scipy.stats.ttest_rel``); this test decides.
    wilcoxon_p : float
        Two-sided Wilcoxon signed-rank p-value when ``n >= 6``, else NaN (too few pairs for it
        to ever reach 0.05).
    n : int
        Number of pairs.
    confidence : float
    significant : bool
        ``p_value < 1 - confidence`` (equivalently: the t-interval excludes 0), i.e. the
        difference is beyond fold-to-fold noise.
    """

    mean_diff: float
    low: float
    high: float
    p_value: float
    wilcoxon_p: float
    n: int
    confidence: float
    significant: bool


def paired_difference(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> PairedComparison:
    """Compare two methods scored on the same folds (or seeds): is ``a`` better than ``b``?

    With :math:`d_i = a_i - b_i`, the paired t-test statistic is
    :math:`t = \\bar d / (s_d / \\sqrt{n})` on :math:`n - 1` degrees of freedom; the interval is
    :func:`mean_ci` of the differences. The t-test decides ``significant``; the Wilcoxon
    signed-rank p-value (Demšar 2006 recommends it when normality is doubtful) is reported
    beside it for ``n >= 6``.

    Parameters
    ----------
    a, b : array-like of float, same length
        Scores of the two methods, pair ``i`` from the same fold/seed.
    confidence : float, default=0.95

    Returns
    -------
    PairedComparison

    References
    ----------
    .. [1] Demšar, J. (2006). Statistical comparisons of classifiers over multiple data sets. JMLR.

    Examples
    --------
    >>> res = paired_difference([0.80, 0.82, 0.79, 0.85, 0.81], [0.75, 0.78, 0.76, 0.80, 0.77])
    >>> round(res.mean_diff, 3), res.significant
    (0.042, True)
    """
    from scipy import stats

    owner = "paired_difference"
    confidence = _check_confidence(confidence, owner)
    x = _scores_1d(a, "a", owner)
    y = _scores_1d(b, "b", owner)
    if x.size != y.size:
        raise InvalidInputError(
            f"a and b passed to {owner} must have one score per shared fold; got {x.size} and {y.size}."
        )
    if x.size < 2:
        raise InvalidInputError(f"{owner} needs at least two paired scores; got {x.size}.")
    d = x - y
    mean = float(d.mean())
    if np.allclose(d, d[0], rtol=0.0, atol=1e-15):
        # No spread: the t statistic is 0/0 or +-inf; the answer is exact.
        p = 1.0 if mean == 0 else 0.0
        low = high = mean
    else:
        p = float(stats.ttest_rel(x, y).pvalue)
        _, low, high = mean_ci(d, confidence)
    wil = math.nan
    if x.size >= 6:
        if np.all(d == 0):
            wil = 1.0
        else:
            wil = float(stats.wilcoxon(x, y).pvalue)
    return PairedComparison(
        mean_diff=mean,
        low=float(low),
        high=float(high),
        p_value=p,
        wilcoxon_p=wil,
        n=int(x.size),
        confidence=confidence,
        significant=bool(p < 1 - confidence),
    )
