"""The ``n_neighbors`` / ``k_neighbors`` and ``n_jobs`` parameters, as imbalanced-learn spells them.

imbalanced-learn lets a neighbour count be an int or a fitted-or-not ``NearestNeighbors``-like
object. equipoise searches every neighbourhood with its own exact Euclidean engine
(:func:`equipoise.neighbors.kneighbors`), so from such an object it takes only the *count*, and
refuses an object whose other settings (a non-Euclidean metric, distance weights) would change
the result, with a message that names the int to pass instead.

imbalanced-learn counts differently depending on how it uses the object: where it queries the
training rows themselves and drops the first hit (the row itself), an object with
``n_neighbors=m`` means ``m - 1`` neighbours; where it classifies other rows with a
``KNeighborsClassifier``, it means ``m``. :func:`resolve_n_neighbors` takes that convention as an
argument so each sampler reads an object exactly as imbalanced-learn does.
"""

from __future__ import annotations

import contextlib
import numbers
import os
from collections.abc import Iterator
from typing import Any

from .._validation import HasMethods, Interval, short_repr
from ..exceptions import InvalidParameterError

__all__ = [
    "NEIGHBORS_PARAM",
    "N_JOBS_PARAM",
    "resolve_n_neighbors",
    "effective_n_jobs",
    "limit_threads",
]

NEIGHBORS_PARAM = [Interval(int, 1, None, closed="left"), HasMethods(("kneighbors",))]
"""Constraint of a neighbour count: an int >= 1 or a NearestNeighbors-like object."""

N_JOBS_PARAM = [
    Interval(int, 1, None, closed="left"),
    Interval(int, None, -1, closed="right"),
    None,
]
"""Constraint of ``n_jobs``: None, a positive int, or a negative int (-1 = every core)."""

_EUCLIDEAN = {"euclidean", "l2"}


def resolve_n_neighbors(
    value: Any, *, owner: str, parameter: str, counts_itself: bool, check_metric: bool = True
) -> int:
    """The neighbour count equipoise uses for ``value`` (an int or a NearestNeighbors-like object).

    Parameters
    ----------
    value : int or object with ``n_neighbors`` and ``kneighbors``
    owner, parameter : str
        For messages: the sampler's class name and the parameter's name.
    counts_itself : bool
        True where imbalanced-learn asks the object for the neighbours of the training rows
        and drops the first one (the row itself): ``NearestNeighbors(n_neighbors=m)`` then means
        ``m - 1`` neighbours. False where it classifies other rows with the object: ``m``.
    check_metric : bool, default=True
        Refuse objects whose metric is not Euclidean or whose votes are distance-weighted
        (False for samplers that use their own metric, such as SMOTEN's value difference metric).

    Returns
    -------
    int
        The number of neighbours.

    Raises
    ------
    InvalidParameterError
        For an object that equipoise cannot honour, saying which int to pass.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    count = getattr(value, "n_neighbors", None)
    kind = type(value).__name__
    if not isinstance(count, numbers.Integral) or isinstance(count, bool):
        raise InvalidParameterError(
            f"The {short_repr(parameter)} parameter of {owner} must be an int or a NearestNeighbors-like object "
            f"with an integer n_neighbors; got a {kind} whose n_neighbors is {short_repr(count)}. Pass an int."
        )
    k = int(count) - 1 if counts_itself else int(count)
    hint = f"pass {parameter}={k} (the {kind}'s n_neighbors={count}" + (
        " minus the sample itself, as imbalanced-learn counts it)"
        if counts_itself
        else ", as imbalanced-learn uses it)"
    )
    if check_metric:
        metric = getattr(value, "metric", "minkowski")
        p = getattr(value, "p", 2)
        euclidean = (isinstance(metric, str) and metric in _EUCLIDEAN) or (
            metric == "minkowski" and p in (2, None)
        )
        weights = getattr(value, "weights", "uniform")
        if not euclidean or getattr(value, "metric_params", None) or weights != "uniform":
            setting = (
                f"weights={short_repr(weights)}"
                if euclidean and weights != "uniform"
                else f"metric={short_repr(metric)}, p={short_repr(p)}"
            )
            raise InvalidParameterError(
                f"The {short_repr(parameter)} parameter of {owner} got a {kind} with {setting}; equipoise finds exact "
                "Euclidean neighbours with uniform votes, so that setting cannot be honoured. Standardise or "
                f"transform X for another geometry and {hint}."
            )
    if k < 1:
        raise InvalidParameterError(
            f"The {short_repr(parameter)} parameter of {owner} got a {kind} with n_neighbors={count}, which leaves "
            f"{k} neighbour(s); at least 1 is needed. Pass an int >= 1."
        )
    return k


def effective_n_jobs(n_jobs: int | None) -> int | None:
    """Number of threads for ``n_jobs`` (joblib's convention: -1 = every core, -2 = all but one)."""
    if n_jobs is None:
        return None
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return int(n_jobs)


@contextlib.contextmanager
def limit_threads(n_jobs: int | None) -> Iterator[None]:
    """Cap the BLAS/OpenMP threads of the neighbour searches at ``n_jobs`` (None: no cap)."""
    threads = effective_n_jobs(n_jobs)
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        yield
