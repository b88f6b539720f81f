"""Turn every spelling of ``sampling_strategy`` into one ``{label: n_samples}`` dict.

The meaning is imbalanced-learn's, so code and habits carry over:

* over-samplers: the values are the number of samples to **generate** per class;
* under-samplers: the values are the number of samples to **keep** per class;
* cleaning samplers: the keys are the classes that may be cleaned (values are not used).

Spellings: a float (binary targets only), a name ('auto', 'minority', 'majority',
'not minority', 'not majority', 'all'), a dict ``{label: target_count}``, a list of labels
(cleaning samplers only), or a callable ``f(y)``. The callable returns what the sampler would
accept directly: a dict ``{label: target_count}`` for over- and under-samplers (as in
imbalanced-learn), a list of the classes to clean for cleaning samplers (imbalanced-learn 0.14
refuses every callable there).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from .._validation import Interval, _py, encode_labels, short_repr
from ..exceptions import InvalidParameterError
from ..registry import Registry

__all__ = [
    "SamplingType",
    "SAMPLING_TYPES",
    "resolve_sampling_strategy",
    "STRATEGY_NAMES",
    "SAMPLING_STRATEGY_CONSTRAINTS",
]

SamplingType = Literal["over-sampling", "under-sampling", "clean-sampling"]
SAMPLING_TYPES: tuple[str, ...] = ("over-sampling", "under-sampling", "clean-sampling")

_NAMED: Registry[Callable[[dict, SamplingType], dict]] = Registry("sampling strategy")


SAMPLING_STRATEGY_CONSTRAINTS: list[Any] = [
    Interval(float, 0, 1, closed="right"),
    str,
    dict,
    list,
    "callable",
]
"""The one declaration of what ``sampling_strategy`` may be, for every resampler (in memory and
Dask): a float in (0, 1], a name, a dict, a list of classes or a callable. Which of them a
method takes (a list only for cleaning methods, a float only for binary targets, a known name)
is decided with the data by :func:`resolve_sampling_strategy`, with a message that says so."""


def _class_counts(y: np.ndarray) -> dict[Any, int]:
    labels, encoded = encode_labels(y)
    counts = np.bincount(encoded, minlength=len(labels))
    return {_py(label): int(c) for label, c in zip(labels, counts)}


def _targets(counts: dict, sampling_type: SamplingType, chosen: list) -> dict:
    """Over-sampling: generate up to the majority size; otherwise keep the minority size."""
    if sampling_type == "over-sampling":
        biggest = max(counts.values())
        return {label: biggest - counts[label] for label in chosen}
    smallest = min(counts.values())
    return {label: smallest for label in chosen}


def _minority(counts: dict) -> Any:
    return min(counts, key=counts.__getitem__)


def _majority(counts: dict) -> Any:
    return max(counts, key=counts.__getitem__)


@_NAMED.register("all")
def _all(counts: dict, sampling_type: SamplingType) -> dict:
    return _targets(counts, sampling_type, list(counts))


@_NAMED.register("minority")
def _only_minority(counts: dict, sampling_type: SamplingType) -> dict:
    if sampling_type != "over-sampling":
        raise InvalidParameterError(
            "sampling_strategy='minority' only makes sense for over-samplers; an under-sampler or "
            "cleaner would shrink the smallest class. Use 'majority', 'not minority' or 'auto'."
        )
    return _targets(counts, sampling_type, [_minority(counts)])


@_NAMED.register("majority")
def _only_majority(counts: dict, sampling_type: SamplingType) -> dict:
    if sampling_type == "over-sampling":
        raise InvalidParameterError(
            "sampling_strategy='majority' cannot be used with an over-sampler: the majority class "
            "is already the largest. Use 'minority', 'not majority' or 'auto'."
        )
    return _targets(counts, sampling_type, [_majority(counts)])


@_NAMED.register("not minority")
def _not_minority(counts: dict, sampling_type: SamplingType) -> dict:
    minority = _minority(counts)
    return _targets(counts, sampling_type, [c for c in counts if c != minority])


@_NAMED.register("not majority")
def _not_majority(counts: dict, sampling_type: SamplingType) -> dict:
    majority = _majority(counts)
    return _targets(counts, sampling_type, [c for c in counts if c != majority])


@_NAMED.register("auto")
def _auto(counts: dict, sampling_type: SamplingType) -> dict:
    if sampling_type == "over-sampling":
        return _not_majority(counts, sampling_type)
    return _not_minority(counts, sampling_type)


STRATEGY_NAMES: tuple[str, ...] = tuple(_NAMED.names())


def _check_labels_exist(labels: Any, counts: dict, owner: str) -> None:
    missing = [label for label in labels if label not in counts]
    if missing:
        raise InvalidParameterError(
            f"The sampling_strategy of {owner} names class(es) {missing} that are not in y; "
            f"the classes present are {list(counts)}."
        )


def _from_dict(strategy: Mapping, counts: dict, sampling_type: SamplingType, owner: str) -> dict:
    strategy = {_py(k): v for k, v in strategy.items()}
    _check_labels_exist(strategy, counts, owner)
    if sampling_type == "clean-sampling":
        raise InvalidParameterError(
            f"{owner} is a cleaning method: it removes the samples its rule selects, so a dict of target "
            "counts cannot be honoured. Pass a list of the classes to clean instead, e.g. "
            f"sampling_strategy={list(strategy)}."
        )
    out = {}
    for label, wanted in strategy.items():
        if isinstance(wanted, bool) or not isinstance(wanted, numbers.Integral) or wanted < 0:
            raise InvalidParameterError(
                f"The sampling_strategy of {owner} must map classes to non-negative integer counts; "
                f"got {short_repr(wanted)} for class {short_repr(label)}."
            )
        have = counts[label]
        if sampling_type == "over-sampling":
            if wanted < have:
                raise InvalidParameterError(
                    f"{owner} is an over-sampler and cannot remove samples: class {short_repr(label)} has {have} "
                    f"samples and sampling_strategy asks for {wanted}. Ask for at least {have}, or use an "
                    "under-sampler such as RandomUnderSampler for that class."
                )
            out[label] = int(wanted) - have
        else:
            if wanted > have:
                raise InvalidParameterError(
                    f"{owner} is an under-sampler and cannot add samples: class {short_repr(label)} has {have} "
                    f"samples and sampling_strategy asks for {wanted}. Ask for at most {have}, or use an "
                    "over-sampler such as RandomOverSampler for that class."
                )
            out[label] = int(wanted)
    return out


def _from_list(labels: Any, counts: dict, sampling_type: SamplingType, owner: str) -> dict:
    if sampling_type != "clean-sampling":
        raise InvalidParameterError(
            f"The 'sampling_strategy' parameter of {owner} must be a name, a float or a dict "
            f"{{label: n_samples}}; got a list. A list (the classes to clean) is only for cleaning methods."
        )
    labels = [_py(v) for v in labels]
    _check_labels_exist(labels, counts, owner)
    return _targets(counts, sampling_type, labels)


def _from_callable(
    function: Callable, y: Any, counts: dict, sampling_type: SamplingType, owner: str
) -> dict:
    produced = function(y)
    if sampling_type == "clean-sampling":
        if isinstance(produced, (list, tuple, np.ndarray)):
            return _from_list(produced, counts, sampling_type, owner)
        raise InvalidParameterError(
            f"A callable sampling_strategy of {owner} (a cleaning method) must return a list of the "
            f"classes to clean, e.g. {list(counts)[:1]}; got {type(produced).__name__}. A cleaning "
            "method removes the rows its rule selects, so it cannot aim at class counts."
        )
    if not isinstance(produced, Mapping):
        raise InvalidParameterError(
            f"A callable sampling_strategy must return a dict {{label: n_samples}}; got {type(produced).__name__}."
        )
    return _from_dict(produced, counts, sampling_type, owner)


def _from_float(ratio: float, counts: dict, sampling_type: SamplingType, owner: str) -> dict:
    if len(counts) != 2:
        raise InvalidParameterError(
            f"A float sampling_strategy (the desired minority/majority ratio) needs a binary target; y "
            f"has {len(counts)} classes. Use a dict such as {{label: n_samples}} for multiclass data."
        )
    if not 0 < ratio <= 1:
        raise InvalidParameterError(
            f"A float sampling_strategy is the desired minority/majority ratio and must be in (0, 1]; got {ratio}."
        )
    if sampling_type == "clean-sampling":
        raise InvalidParameterError(
            f"{owner} is a cleaning method and cannot aim at a ratio; pass 'auto' or a list of classes."
        )
    if sampling_type == "over-sampling":
        majority = _majority(counts)
        out = {
            label: int(counts[majority] * ratio - n)
            for label, n in counts.items()
            if label != majority
        }
        if any(v <= 0 for v in out.values()):
            current = min(counts.values()) / counts[majority]
            raise InvalidParameterError(
                f"sampling_strategy={ratio} is below the current minority/majority ratio ({current:.3f}): "
                f"{owner} would have to remove minority samples. Ask for a ratio above {current:.3f}."
            )
        return out
    minority = _minority(counts)
    out = {label: int(counts[minority] / ratio) for label, n in counts.items() if label != minority}
    if any(v > counts[label] for label, v in out.items()):
        current = counts[minority] / max(counts.values())
        raise InvalidParameterError(
            f"sampling_strategy={ratio} is below the current minority/majority ratio ({current:.3f}): "
            f"{owner} would have to add majority samples. Ask for a ratio above {current:.3f}."
        )
    return out


def resolve_sampling_strategy(
    sampling_strategy: Any,
    y: Any,
    sampling_type: SamplingType,
    *,
    owner: str = "this sampler",
    counts: Mapping[Any, int] | None = None,
) -> dict[Any, int]:
    """Resolve ``sampling_strategy`` against the labels ``y``.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable
        See the module docstring.
    y : numpy.ndarray of shape (n_samples,)
        Validated 1-D labels with at least two classes. Only passed to a callable strategy
        when ``counts`` is given (out-of-core data: a Dask Series).
    sampling_type : {'over-sampling', 'under-sampling', 'clean-sampling'}
    owner : str
        The sampler's name, for messages.
    counts : mapping, optional
        ``{label: count}`` already computed (e.g. globally over Dask partitions); when given,
        ``y`` is not counted again.

    Returns
    -------
    dict
        ``{label: n_samples}`` sorted by label (see the module docstring for what the counts mean).

    Raises
    ------
    InvalidParameterError
        For an unknown name, a class not present in ``y``, a dict that asks an over-sampler to
        remove rows (or an under-sampler to add them), a float on a multiclass target, ...

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> resolve_sampling_strategy("auto", y, "over-sampling")
    {1: 80}
    >>> resolve_sampling_strategy(0.5, y, "under-sampling")
    {0: 20}
    """
    if not isinstance(sampling_type, str) or sampling_type not in SAMPLING_TYPES:
        raise InvalidParameterError(
            f"The 'sampling_type' of resolve_sampling_strategy must be one of {list(SAMPLING_TYPES)}; "
            f"got {short_repr(sampling_type)}. Over-samplers add rows, under-samplers keep a number of rows, "
            "cleaning samplers remove the rows their rule selects."
        )
    counts = _class_counts(y) if counts is None else {_py(k): int(v) for k, v in counts.items()}
    if len(counts) < 2:
        raise InvalidParameterError(
            f"{owner} needs at least 2 classes to balance; got only {list(counts)}."
        )
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in _NAMED:
            raise InvalidParameterError(
                f"The sampling_strategy of {owner} must be one of {list(_NAMED.names())}, a float, "
                f"a dict or a callable; got {short_repr(sampling_strategy)}."
            )
        out = _NAMED.get(sampling_strategy)(counts, sampling_type)
    elif isinstance(sampling_strategy, Mapping):
        out = _from_dict(sampling_strategy, counts, sampling_type, owner)
    elif isinstance(sampling_strategy, (list, tuple, np.ndarray)):
        out = _from_list(sampling_strategy, counts, sampling_type, owner)
    elif isinstance(sampling_strategy, numbers.Real) and not isinstance(sampling_strategy, bool):
        out = _from_float(float(sampling_strategy), counts, sampling_type, owner)
    elif callable(sampling_strategy):
        out = _from_callable(sampling_strategy, y, counts, sampling_type, owner)
    else:
        raise InvalidParameterError(
            f"The sampling_strategy of {owner} must be a float, one of {list(_NAMED.names())}, a dict, "
            f"a list (cleaning methods) or a callable; got {short_repr(sampling_strategy)}."
        )
    return dict(sorted(out.items(), key=lambda item: _sort_key(item[0])))


def _sort_key(label: Any) -> tuple:
    return (type(label).__name__, label)
