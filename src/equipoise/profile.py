"""Measure a target's imbalance: counts, proportions, imbalance ratio, and what will break.

:func:`profile` is the first thing to run on a new dataset. The warnings name the concrete
consequence ("SMOTE with k_neighbors=5 cannot run on it"), not just a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, overload

import pandas as pd

from ._label_profile import LabelProfile, label_profile
from ._target_profile import TargetProfile, continuous_profile
from ._validation import (
    Interval,
    Options,
    _py,
    check_indicator_target,
    check_target,
    label_counts,
    short_repr,
    target_kind,
    validate_params,
)
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = ["ClassProfile", "LabelProfile", "TargetProfile", "profile"]


@dataclass(frozen=True)
class ClassProfile:
    """Class counts of a target and what they imply.

    Attributes
    ----------
    counts : dict
        ``{label: n_samples}`` in sorted label order.
    n_samples : int
    n_classes : int
    imbalance_ratio : float
        Largest class count divided by the smallest (1.0 for a balanced target).
    minority : label
        The smallest class (the first in label order on ties).
    majority : label
        The largest class (the first in label order on ties).
    warnings : list of str
        Human-readable consequences of the imbalance.
    """

    counts: dict[Any, int]
    warnings: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return int(sum(self.counts.values()))

    @property
    def n_classes(self) -> int:
        return len(self.counts)

    @property
    def proportions(self) -> dict[Any, float]:
        """``{label: share of samples}``."""
        n = self.n_samples
        return {label: c / n for label, c in self.counts.items()}

    @property
    def minority(self) -> Any:
        return min(self.counts, key=self.counts.__getitem__)

    @property
    def majority(self) -> Any:
        return max(self.counts, key=self.counts.__getitem__)

    @property
    def imbalance_ratio(self) -> float:
        return self.counts[self.majority] / self.counts[self.minority]

    def many_medium_few(self, many: int = 100, few: int = 20) -> dict[str, list[Any]]:
        """Split classes by training count, as in the long-tailed literature.

        Liu et al. (2019), "Large-scale long-tailed recognition in an open world" (OLTR):
        many-shot classes have more than ``many`` training samples, few-shot fewer than ``few``,
        medium-shot the rest.

        Returns
        -------
        dict
            ``{"many": [...], "medium": [...], "few": [...]}``.
        """
        groups: dict[str, list[Any]] = {"many": [], "medium": [], "few": []}
        for label, n in self.counts.items():
            key = "many" if n > many else "few" if n < few else "medium"
            groups[key].append(label)
        return groups

    def to_frame(self) -> pd.DataFrame:
        """The counts as a DataFrame with columns ``count`` and ``proportion``, largest first."""
        frame = pd.DataFrame(
            {"count": list(self.counts.values()), "proportion": list(self.proportions.values())},
            index=pd.Index(list(self.counts), name="class"),
        )
        return frame.sort_values("count", ascending=False, kind="stable")

    def __str__(self) -> str:
        width = max(len(str(label)) for label in self.counts)
        lines = [
            f"{self.n_samples} samples, {self.n_classes} classes, "
            f"imbalance ratio {self.imbalance_ratio:.2f} "
            f"(majority {short_repr(self.majority)}, minority {short_repr(self.minority)})"
        ]
        biggest = max(self.counts.values())
        for label, row in self.to_frame().iterrows():
            bar = "#" * max(1, round(30 * row["count"] / biggest))
            lines.append(
                f"  {str(label):>{width}}  {int(row['count']):>8}  {row['proportion']:6.1%}  {bar}"
            )
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)


@overload
def profile(y: Any, *, k_neighbors: int = ..., kind: Literal["classes"]) -> ClassProfile: ...
@overload
def profile(
    y: Any, *, k_neighbors: int = ..., kind: Literal["continuous"], **continuous: Any
) -> TargetProfile: ...
@overload
def profile(
    y: Any, *, k_neighbors: int = ..., kind: None = ..., **continuous: Any
) -> ClassProfile | LabelProfile | TargetProfile: ...
def profile(
    y: Any,
    *,
    k_neighbors: int = 5,
    kind: Literal["classes", "continuous"] | None = None,
    **continuous: Any,
) -> ClassProfile | LabelProfile | TargetProfile:
    """Count the classes of ``y`` (or bin a continuous target) and warn about what the imbalance will break.

    The target type comes from :func:`equipoise._validation.target_kind` unless ``kind`` says
    it: a continuous target gives a :class:`TargetProfile` (binned density, rare ranges,
    many/medium/few-shot bins; see :func:`equipoise._target_profile.continuous_profile` for its
    options ``bins``, ``bin_width``, ``many``, ``few``, ``rare_below``). Integer-valued floats
    count as classes: pass ``kind="continuous"`` for a regression target such as ages.

    A multi-label indicator matrix (:func:`~equipoise._validation.target_kind` says
    ``'multilabel'``) gets a :class:`LabelProfile` instead: per-label counts, IRLbl, MeanIR,
    MaxIR, CVIR, SCUMBLE (Charte et al. 2015, 2019), label cardinality and density.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels (numpy, pandas, torch, list; strings or integers). A Dask Series is
        accepted when ``equipoise.dask`` is installed (counted in one pass).
    k_neighbors : int, default=5
        The neighbour count the SMOTE family will use; classes with at most this many samples
        are flagged because SMOTE needs ``k_neighbors + 1`` samples of a class.
    kind : {'classes', 'continuous'}, optional
        Force the target type instead of asking ``target_kind``.
    **continuous
        Options of a continuous profile (``bins=20``, ``bin_width=None``, ``many=100``,
        ``few=20``, ``rare_below=0.25``); refused for a class target.

    Returns
    -------
    ClassProfile or LabelProfile or TargetProfile

    Examples
    --------
    >>> p = profile(["a"] * 90 + ["b"] * 10)
    >>> p.imbalance_ratio
    9.0
    >>> p.minority
    'b'
    """
    validate_params(
        "profile",
        {"k_neighbors": k_neighbors, "kind": kind},
        {
            "k_neighbors": [Interval(int, 1, None, closed="left")],
            "kind": [Options(("classes", "continuous")), None],
        },
    )
    if kind is None and _is_multilabel(y):
        return label_profile(*check_indicator_target(y, owner="profile"))
    if kind == "continuous" or (
        kind is None
        and not type(y).__module__.startswith("dask")
        and target_kind(y, owner="profile") == "continuous"
    ):
        return continuous_profile(y, **continuous)
    if continuous:
        raise InvalidParameterError(
            f"profile got {sorted(continuous)}, options of a continuous target, but y holds classes; "
            "pass kind='continuous' for a regression target."
        )
    counts = _counts(y)
    return ClassProfile(counts=counts, warnings=_warnings(counts, k_neighbors))


def _is_multilabel(y: Any) -> bool:
    if type(y).__module__.startswith("dask") or y is None:
        return False
    try:
        return target_kind(y, owner="profile") == "multilabel"
    except (
        InvalidInputError,
        TypeError,
        ValueError,
    ):  # check_target gives the single-label message
        return False


def _counts(y: Any) -> dict[Any, int]:
    if type(y).__module__.startswith("dask"):  # counted out of core, in one pass
        if hasattr(y, "value_counts"):
            pairs = y.value_counts().compute().items()
        else:
            import dask
            import dask.array as da

            pairs = zip(*dask.compute(*da.unique(y, return_counts=True)))
        return {_py(k): int(v) for k, v in sorted(pairs)}
    _, classes, y_encoded = check_target(y, owner="profile", min_classes=1)
    return label_counts(y_encoded, classes)


def _warnings(counts: dict[Any, int], k_neighbors: int) -> list[str]:
    out: list[str] = []
    if len(counts) == 1:
        (label,) = counts
        out.append(
            f"only one class ({short_repr(label)}) is present: there is nothing to balance or classify."
        )
        return out
    n = sum(counts.values())
    biggest = max(counts.values())
    smallest = min(counts.values())
    ratio = biggest / smallest
    for label, c in counts.items():
        if c <= k_neighbors:
            out.append(
                f"class {short_repr(label)} has {_samples(c)}: SMOTE with k_neighbors={k_neighbors} cannot run on it "
                f"(it needs {k_neighbors + 1}); use k_neighbors<={max(c - 1, 1)} or RandomOverSampler."
            )
        if c < 5:
            out.append(
                f"class {short_repr(label)} has {_samples(c)}: stratified 5-fold cross-validation cannot put it in "
                "every fold; use fewer folds or collect more data."
            )
    if ratio >= 10:
        out.append(
            f"imbalance ratio {ratio:.1f}: accuracy is misleading here (always predicting the majority "
            f"scores {biggest / n:.1%}); judge with balanced accuracy, G-mean, macro-F1 or PR-AUC."
        )
    if ratio >= 100:
        out.append(
            f"imbalance ratio {ratio:.0f}: random under-sampling would discard "
            f"{1 - len(counts) * smallest / n:.1%} of the data; prefer loss re-weighting, "
            "logit adjustment or balanced batch sampling."
        )
    return out


def _samples(n: int) -> str:
    return f"{n} sample" if n == 1 else f"{n} samples"
