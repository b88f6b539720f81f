"""What every balanced ensemble shares: turning ``sampler`` into a configured resampler.

An ensemble takes its sampler three ways: ``None`` (the method's own default, a
:class:`~equipoise.resample.RandomUnderSampler`), a registry name (``"smote"``, built with
:func:`~equipoise.resample.make_resampler`) or any object with ``fit_resample`` (an equipoise
resampler, an imbalanced-learn sampler, a :class:`~equipoise.pipeline.FunctionSampler`). The
ensemble then sets the sampler's ``sampling_strategy`` to its own (imbalanced-learn's rule),
unless the ensemble's ``sampling_strategy`` is ``None``, which keeps the sampler's own.

Inside scikit-learn's bagging, forest and boosting machinery the classes are encoded as their
positions in ``classes_`` (0, 1, ...), so the sampler sees codes, not the user's labels. A
strategy that names classes (a dict, a list of classes to clean, a callable returning a dict) is
translated here into codes, so users write it with their own labels.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._validation import _py
from ..exceptions import InvalidParameterError

__all__ = [
    "resolve_sampler",
    "encode_strategy",
    "sampler_allows_nan",
    "temporarily",
    "sklearn_seed",
    "derived_seed",
    "STRATEGY_CONSTRAINTS",
    "SAMPLER_CONSTRAINTS",
    "RANDOM_STATE_CONSTRAINTS",
]

STRATEGY_CONSTRAINTS: list = [
    Interval(numbers.Real, 0, 1, closed="right"),
    StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
    dict,
    list,
    callable,
    None,
]
"""scikit-learn parameter constraints of an ensemble's ``sampling_strategy``."""

SAMPLER_CONSTRAINTS: list = [None, str, HasMethods(["fit_resample"])]
"""scikit-learn parameter constraints of an ensemble's ``sampler``."""

RANDOM_STATE_CONSTRAINTS: list = ["random_state", np.random.Generator]
"""scikit-learn's ``random_state`` plus a numpy ``Generator`` (turned into one seed at fit)."""


def resolve_sampler(
    sampler: Any,
    *,
    owner: str,
    default: Callable[[], Any],
    sampling_strategy: Any,
    classes: np.ndarray | None,
) -> Any:
    """A fresh, configured copy of the ensemble's sampler.

    Parameters
    ----------
    sampler : None, str or estimator with ``fit_resample``
        ``None`` calls ``default()``; a string is a :data:`~equipoise.resample.RESAMPLERS` name.
    owner : str
        The ensemble's class name, for messages.
    default : callable
        Builds the default sampler (already configured with ``replacement`` and the strategy).
    sampling_strategy : strategy or None
        Set on the sampler (translated to class codes) when not None and the sampler has a
        ``sampling_strategy`` parameter; None keeps the sampler's own strategy (also translated).
    classes : numpy.ndarray or None
        The ensemble's ``classes_`` when the sampler will see class codes (code ``i`` stands for
        ``classes[i]``); None when it sees the user's labels (boosting), so nothing is translated.

    Returns
    -------
    estimator
        An unfitted clone; the user's object is never modified.
    """
    if sampler is None:
        built = default()
    elif isinstance(sampler, str):
        from ..resample import make_resampler

        built = make_resampler(sampler)
    elif hasattr(sampler, "fit_resample"):
        built = clone(sampler)
    else:
        raise InvalidParameterError(
            f"The 'sampler' parameter of {owner} must be None, a resampler name such as 'smote' or "
            f"'random-under', or an object with a fit_resample method; got {sampler!r}."
        )
    params = built.get_params(deep=False)
    if "sampling_strategy" in params:
        chosen = params["sampling_strategy"] if sampling_strategy is None else sampling_strategy
        built.set_params(
            sampling_strategy=chosen if classes is None else encode_strategy(chosen, classes)
        )
    return built


def encode_strategy(strategy: Any, classes: np.ndarray) -> Any:
    """Translate a strategy written with the user's labels into one over class codes.

    Names and floats count classes, so they pass through; a dict's keys, a list's labels and the
    keys of a callable's result are replaced by their positions in ``classes``.

    Examples
    --------
    >>> encode_strategy({"b": 10}, np.array(["a", "b"]))
    {1: 10}
    >>> encode_strategy("auto", np.array(["a", "b"]))
    'auto'
    """
    if isinstance(strategy, Mapping):
        return {_code(label, classes): value for label, value in strategy.items()}
    if isinstance(strategy, (list, tuple, np.ndarray)):
        return [_code(label, classes) for label in strategy]
    if callable(strategy) and not isinstance(strategy, _EncodedStrategy):
        return _EncodedStrategy(strategy, np.asarray(classes))
    return strategy


def _code(label: Any, classes: np.ndarray) -> int:
    matches = np.flatnonzero(classes == label)
    if matches.size == 0:
        raise InvalidParameterError(
            f"The sampling_strategy names class {_py(label)!r}, which is not in y; the classes are "
            f"{[_py(c) for c in classes]}."
        )
    return int(matches[0])


class _EncodedStrategy:
    """A callable strategy ``f(labels) -> {label: n}`` seen through class codes (picklable)."""

    def __init__(self, func: Callable[[np.ndarray], Mapping], classes: np.ndarray) -> None:
        self.func = func
        self.classes = classes

    def __call__(self, y_codes: np.ndarray) -> dict:
        produced = self.func(self.classes[np.asarray(y_codes, dtype=np.intp)])
        if not isinstance(produced, Mapping):
            return produced  # the sampler reports the wrong type with its own message
        return {_code(label, self.classes): value for label, value in produced.items()}

    def __repr__(self) -> str:
        return f"{self.func!r}"


def sampler_allows_nan(sampler: Any) -> bool:
    """Whether the (unfitted) sampler accepts NaN in X, from its scikit-learn tags."""
    from sklearn.utils import get_tags

    if sampler is None:
        return True
    if isinstance(sampler, str):
        from ..resample import make_resampler

        sampler = make_resampler(sampler)
    try:
        return bool(get_tags(sampler).input_tags.allow_nan)
    except Exception:  # a third-party sampler without tags: assume the strict case
        return False


@contextmanager
def temporarily(estimator: Any, **values: Any) -> Iterator[None]:
    """Set attributes of ``estimator`` for the duration of a block, then restore them.

    Used where scikit-learn's machinery reads a parameter that the equipoise subclass handles
    itself (a forest whose trees draw their own bootstrap sample) and to hand scikit-learn an int
    seed drawn from a ``numpy.random.Generator`` (scikit-learn accepts only ints and RandomState).
    The parameters seen by ``get_params`` are the user's again when the block ends, even on error.
    """
    saved = {name: getattr(estimator, name) for name in values}
    try:
        for name, value in values.items():
            setattr(estimator, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(estimator, name, value)


def sklearn_seed(random_state: Any) -> Any:
    """``random_state`` in a form scikit-learn accepts: a Generator becomes one int drawn from it."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, np.iinfo(np.int32).max))
    return random_state


def derived_seed(seed: int, stream: int) -> int:
    """A reproducible int seed for a second random stream of the estimator seeded with ``seed``.

    A tree's sampler and its bootstrap draw get their own streams from the tree's seed, so each
    tree still costs the parent exactly one draw (warm starts stay equal to one long fit).
    """
    state = np.random.SeedSequence([int(seed), int(stream)]).generate_state(1)[0]
    return int(state >> 1)
