"""Make a dataset imbalanced by keeping a chosen number of rows per class (imbalanced-learn's
``make_imbalance``)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .._types import RandomStateLike
from .._validation import check_target, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = ["make_imbalance"]


def make_imbalance(
    X: Any,
    y: Any,
    *,
    sampling_strategy: Mapping[Any, int] | Callable[..., Mapping[Any, int]] | None = None,
    random_state: RandomStateLike = None,
    verbose: bool = False,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Keep ``sampling_strategy[label]`` rows of each named class, drawn without replacement.

    Parameters
    ----------
    X : {array-like, DataFrame, sparse matrix, torch.Tensor, polars DataFrame} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels.
    sampling_strategy : dict or callable
        ``{label: rows to keep}``; each count at most the class's size (0 drops the class);
        classes not named keep all their rows. A callable is called as
        ``sampling_strategy(y, **kwargs)`` and returns such a dict. Required: imbalanced-learn's
        default of None fails inside it, here it is a clear error.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seed of the draw; the same seed gives the same rows.
    verbose : bool, default=False
        Print the class counts before and after.
    **kwargs
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    X_resampled, y_resampled
        The kept rows, in their original order, in the containers of ``X`` and ``y`` (exact
        values, dtypes, pandas index labels kept): the output of
        ``RandomUnderSampler(sampling_strategy=..., random_state=random_state).fit_resample(X, y)``.

    Raises
    ------
    InvalidParameterError
        No strategy, a strategy that is not a dict (or a callable returning one), a label not
        in ``y``, or a count that is negative, not an integer, or above the class's size.

    Notes
    -----
    Agrees with :func:`imblearn.datasets.make_imbalance` (0.14) on the class counts and on which
    rows may be kept (rows of the named class, without repetition); the rows drawn for a given
    seed differ, as the random generators do.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> X_imb, y_imb = make_imbalance(X, y, sampling_strategy={0: 10, 1: 20}, random_state=0)
    >>> np.bincount(y_imb).tolist()
    [10, 20, 50]
    >>> ratio = lambda y, share: {0: int(share * np.sum(y == 0))}
    >>> np.bincount(make_imbalance(X, y, sampling_strategy=ratio, share=0.5, random_state=0)[1]).tolist()
    [25, 50, 50]
    """
    from ..resample import RandomUnderSampler
    from ..resample._base import _TargetAdapter
    from ..resample._strategy import resolve_sampling_strategy

    owner = "make_imbalance"
    if sampling_strategy is None:
        raise InvalidParameterError(
            f"The 'sampling_strategy' parameter of {owner} is required: pass a dict "
            "{label: rows to keep} or a callable returning one, e.g. sampling_strategy={0: 10}."
        )
    validate_params(owner, {"verbose": verbose}, {"verbose": ["boolean"]})
    if y is None:
        raise InvalidInputError(f"{owner} needs the labels y to choose rows per class; got y=None.")
    y_1d, _, _ = check_target(_TargetAdapter(y, owner=owner).y, owner=owner, min_classes=1)
    if callable(sampling_strategy):
        strategy = sampling_strategy(y_1d, **kwargs)
        if not isinstance(strategy, Mapping):
            raise InvalidParameterError(
                f"The callable sampling_strategy of {owner} must return a dict {{label: rows to keep}}; "
                f"got {type(strategy).__name__}."
            )
    elif isinstance(sampling_strategy, Mapping):
        if kwargs:
            raise InvalidParameterError(
                f"{owner} got extra keyword arguments {sorted(kwargs)}; they are only passed to a "
                "callable sampling_strategy."
            )
        strategy = sampling_strategy
    else:
        raise InvalidParameterError(
            f"The 'sampling_strategy' parameter of {owner} must be a dict {{label: rows to keep}} or a "
            f"callable returning one; got {sampling_strategy!r}."
        )
    labels, sizes = np.unique(y_1d, return_counts=True)
    size_of = {
        label.item() if isinstance(label, np.generic) else label: int(n)
        for label, n in zip(labels, sizes)
    }
    for label, wanted in dict(strategy).items():
        if (
            label in size_of
            and isinstance(wanted, numbers.Integral)
            and not isinstance(wanted, bool)
            and wanted > size_of[label]
        ):
            raise InvalidParameterError(
                f"The sampling_strategy of {owner} asks for {wanted} rows of class {label!r}, which has "
                f"{size_of[label]}; make_imbalance only removes rows: ask for at most {size_of[label]} "
                "(add rows with RandomOverSampler or SMOTE)."
            )
    resolve_sampling_strategy(
        dict(strategy), y_1d, "under-sampling", owner=owner
    )  # errors name make_imbalance
    sampler = RandomUnderSampler(sampling_strategy=dict(strategy), random_state=random_state)
    X_res, y_res = sampler.fit_resample(X, y)
    if verbose:
        from collections import Counter

        print(
            f"make_imbalance: {dict(sorted(Counter(y_1d.tolist()).items()))} -> "
            f"{dict(sorted(Counter(y_1d[sampler.sample_indices_].tolist()).items()))}"
        )
    return X_res, y_res
