"""Turn a labelled dataset into a long-tailed one, as CIFAR-10-LT is built.

Classes are put in a fixed order (head first) and class ``i`` of ``k`` keeps

* exponential profile: ``n_i = floor(n_max * rho ** (-i / (k - 1)))``
* step profile: ``n_i = n_max`` for the first ``k - m`` classes and ``floor(n_max / rho)`` for the
  last ``m = floor(mu * k)`` classes,

where ``rho`` is the imbalance ratio ``n_0 / n_(k-1)``. The rows left over give a *balanced*
test set, the same number of rows per class, none of them used for training.

References
----------
.. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie. "Class-Balanced Loss Based on Effective
   Number of Samples". CVPR 2019.
.. [2] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma. "Learning Imbalanced Datasets with
   Label-Distribution-Aware Margin Loss". NeurIPS 2019.
.. [3] M. Buda, A. Maki, M. A. Mazurowski. "A systematic study of the class imbalance problem in
   convolutional neural networks". Neural Networks 106 (2018) 249-259.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._types import ArrayLike, RandomStateLike
from .._validation import (
    Interval,
    Options,
    check_random_state,
    check_target,
    is_torch_tensor,
    label_counts,
    validate_params,
)
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = ["LongTailedSplit", "long_tail_counts", "make_long_tailed"]

Profile = Literal["exponential", "step"]

# Guards floor() against representation error: 5000 * 100 ** -1 must give 50, not 49.
_FLOOR_TOLERANCE = 1e-9


def long_tail_counts(
    n_max: int,
    n_classes: int,
    imbalance_ratio: float,
    profile: Profile = "exponential",
    *,
    step_fraction: float = 0.5,
) -> list[int]:
    """Rows kept per class, head first, for a long-tailed profile.

    Parameters
    ----------
    n_max : int
        Rows of the head class (class 0 in the order).
    n_classes : int
        Number of classes ``k`` (at least 2).
    imbalance_ratio : float
        ``rho = n_0 / n_(k-1)`` before rounding, at least 1.
    profile : {'exponential', 'step'}, default='exponential'
        ``'exponential'``: ``n_i = floor(n_max * rho ** (-i / (k - 1)))`` (Cui et al. 2019; Cao
        et al. 2019). ``'step'``: the last ``floor(step_fraction * k)`` classes keep
        ``floor(n_max / rho)`` rows and the others ``n_max`` (Buda et al. 2018).
    step_fraction : float, default=0.5
        Fraction ``mu`` of classes in the tail of the step profile.

    Returns
    -------
    list of int
        ``[n_0, ..., n_(k-1)]``, non-increasing.

    Raises
    ------
    InvalidParameterError
        If a count would be 0 (the ratio is too large for ``n_max``) or the step profile would
        have an empty head or tail.

    References
    ----------
    .. [1] Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019.
    .. [2] Cao et al., "Learning Imbalanced Datasets with Label-Distribution-Aware Margin
       Loss", NeurIPS 2019.
    .. [3] Buda et al., "A systematic study of the class imbalance problem in convolutional
       neural networks", Neural Networks 2018.

    Examples
    --------
    >>> long_tail_counts(5000, 10, 100)
    [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    >>> long_tail_counts(5000, 10, 10, "step")
    [5000, 5000, 5000, 5000, 5000, 500, 500, 500, 500, 500]
    """
    owner = "long_tail_counts"
    validate_params(
        owner,
        {
            "n_max": n_max,
            "n_classes": n_classes,
            "imbalance_ratio": imbalance_ratio,
            "profile": profile,
            "step_fraction": step_fraction,
        },
        {
            "n_max": [Interval(int, 1, None, closed="left")],
            "n_classes": [Interval(int, 2, None, closed="left")],
            "imbalance_ratio": [Interval(float, 1, None, closed="left")],
            "profile": [Options(("exponential", "step"))],
            "step_fraction": [Interval(float, 0, 1, closed="neither")],
        },
    )
    k = n_classes
    if profile == "exponential":
        exact = [n_max * imbalance_ratio ** (-i / (k - 1)) for i in range(k)]
    else:
        n_tail = math.floor(step_fraction * k)
        if n_tail < 1 or n_tail >= k:
            raise InvalidParameterError(
                f"The 'step_fraction' parameter of {owner} must leave at least one head and one "
                f"tail class; got {step_fraction} with {k} classes ({n_tail} tail classes)."
            )
        exact = [float(n_max)] * (k - n_tail) + [n_max / imbalance_ratio] * n_tail
    counts = [math.floor(v + _FLOOR_TOLERANCE) for v in exact]
    if counts[-1] < 1:
        raise InvalidParameterError(
            f"The 'imbalance_ratio' parameter of {owner} must be at most n_max={n_max} so the "
            f"smallest class keeps a row; got {imbalance_ratio}. Raise n_max or lower the ratio."
        )
    return counts


@dataclass(frozen=True)
class LongTailedSplit:
    """A long-tailed training set and a balanced test set drawn from the rows left over.

    Unpacks as ``X_train, y_train, X_test, y_test = split``.

    Attributes
    ----------
    X_train, y_train : same kind as the input
        The long-tailed rows, in their original order.
    X_test, y_test : same kind as the input
        ``n_test_per_class`` rows of every class, disjoint from the training rows, in their
        original order.
    train_indices, test_indices : numpy.ndarray of int64
        Row positions in the input.
    class_order : list
        Labels from head to tail.
    train_counts : dict
        ``{label: rows}`` of the training set, head first.
    n_test_per_class : int
    """

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    train_indices: np.ndarray = field(repr=False)
    test_indices: np.ndarray = field(repr=False)
    class_order: list = field(default_factory=list)
    train_counts: dict = field(default_factory=dict)
    n_test_per_class: int = 0

    def __iter__(self) -> Iterator[Any]:
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))


def _n_rows(X: Any) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(X)


def _take(obj: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of ``obj``, in the same kind of container."""
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return obj.iloc[indices]
    if is_torch_tensor(obj):
        import torch

        return obj[torch.as_tensor(indices, dtype=torch.long, device=obj.device)]
    if isinstance(obj, np.ndarray) or hasattr(obj, "tocsr"):
        return obj[indices]
    return [obj[i] for i in indices]


def _class_order(
    order: Literal["label", "size"] | Sequence[Any], classes: np.ndarray, counts: dict[Any, int]
) -> list[Any]:
    labels = list(counts)
    if isinstance(order, str):
        if order == "label":
            return labels
        if order == "size":
            # Largest first; ties keep label order (sorted is stable).
            return sorted(labels, key=lambda c: -counts[c])
        raise InvalidParameterError(
            f"The 'order' parameter of make_long_tailed must be 'label', 'size' or a sequence of "
            f"every label; got {order!r}."
        )
    given = [c.item() if isinstance(c, np.generic) else c for c in order]
    if sorted(map(repr, given)) != sorted(map(repr, labels)) or len(set(map(repr, given))) != len(
        given
    ):
        raise InvalidParameterError(
            f"The 'order' parameter of make_long_tailed must list every label of y exactly once; "
            f"got {given!r}, labels in y: {labels!r}."
        )
    by_repr = {repr(c): c for c in labels}
    return [by_repr[repr(c)] for c in given]


def make_long_tailed(
    X: ArrayLike,
    y: ArrayLike,
    imbalance_ratio: float,
    profile: Profile = "exponential",
    *,
    n_max: int | None = None,
    n_test_per_class: int | None = None,
    test_fraction: float = 0.2,
    order: Literal["label", "size"] | Sequence[Any] = "label",
    step_fraction: float = 0.5,
    random_state: RandomStateLike = None,
) -> LongTailedSplit:
    """Subsample a labelled dataset into a long-tailed training set plus a balanced test set.

    Classes are ordered head to tail by ``order``; class ``i`` of ``k`` keeps ``n_i`` rows drawn
    uniformly without replacement, with

    * ``profile='exponential'``: ``n_i = floor(n_max * rho ** (-i / (k - 1)))``;
    * ``profile='step'``: ``n_max`` for the first ``k - floor(mu * k)`` classes and
      ``floor(n_max / rho)`` for the rest (``mu = step_fraction``),

    where ``rho = imbalance_ratio``. From the rows each class has left, ``n_test_per_class`` more
    are drawn for a balanced test set. This is how CIFAR-10-LT and CIFAR-100-LT are built
    (Cui et al. 2019; Cao et al. 2019), here from a single pool of rows.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        numpy array (any number of dimensions, e.g. images), pandas DataFrame, torch tensor or
        list. Only rows are selected, so any dtype works.
    y : array-like of shape (n_samples,)
        Class labels (at least 2 classes).
    imbalance_ratio : float
        ``rho >= 1``, the head-to-tail ratio before rounding (10, 50, 100 in the literature).
    profile : {'exponential', 'step'}, default='exponential'
    n_max : int, optional
        Rows of the head class. Default: the smallest class size minus ``n_test_per_class``.
    n_test_per_class : int, optional
        Rows per class in the balanced test set. Default: ``floor(test_fraction * m)`` where
        ``m`` is the smallest class size; ``0`` gives an empty test set.
    test_fraction : float, default=0.2
        Used only when ``n_test_per_class`` is None.
    order : {'label', 'size'} or sequence of labels, default='label'
        ``'label'``: sorted labels, the first is the head. ``'size'``: largest class first (ties
        in label order). A sequence lists every label from head to tail.
    step_fraction : float, default=0.5
        Fraction of tail classes for the step profile.
    random_state : int, numpy Generator, RandomState or None
        Same seed, same split.

    Returns
    -------
    LongTailedSplit
        Unpacks as ``X_train, y_train, X_test, y_test``; also has ``train_indices``,
        ``test_indices``, ``class_order``, ``train_counts`` and ``n_test_per_class``. Outputs are
        the same kind of container as the inputs, rows in their original order.

    Raises
    ------
    InvalidParameterError
        ``imbalance_ratio < 1``, a non-positive ``n_max``, a ratio so large that the tail would
        keep no row, a bad ``order``.
    InvalidInputError
        A class too small for its share: "Class 3 has 40 rows but make_long_tailed needs 50
        for training plus 20 for the balanced test set; lower n_max ...".

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie. "Class-Balanced Loss Based on
       Effective Number of Samples". CVPR 2019.
    .. [2] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma. "Learning Imbalanced Datasets with
       Label-Distribution-Aware Margin Loss". NeurIPS 2019.
    .. [3] M. Buda, A. Maki, M. A. Mazurowski. "A systematic study of the class imbalance
       problem in convolutional neural networks". Neural Networks 106 (2018).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> split = make_long_tailed(X, y, imbalance_ratio=10, random_state=0)
    >>> split.n_test_per_class, list(split.train_counts.values())
    (34, [140, 108, 83, 64, 50, 38, 30, 23, 18, 14])
    >>> X_train, y_train, X_test, y_test = split
    >>> X_test.shape
    (340, 64)
    """
    owner = "make_long_tailed"
    validate_params(
        owner,
        {
            "imbalance_ratio": imbalance_ratio,
            "profile": profile,
            "n_max": n_max,
            "n_test_per_class": n_test_per_class,
            "test_fraction": test_fraction,
            "step_fraction": step_fraction,
            "random_state": random_state,
        },
        {
            "imbalance_ratio": [Interval(float, 1, None, closed="left")],
            "profile": [Options(("exponential", "step"))],
            "n_max": [Interval(int, 1, None, closed="left"), None],
            "n_test_per_class": [Interval(int, 0, None, closed="left"), None],
            "test_fraction": [Interval(float, 0, 1, closed="left")],
            "step_fraction": [Interval(float, 0, 1, closed="neither")],
            "random_state": ["random_state"],
        },
    )
    y_array, classes, y_encoded = check_target(y, owner=owner)
    if _n_rows(X) != len(y_array):
        raise InvalidInputError(
            f"X and y passed to {owner} have different lengths: X has {_n_rows(X)} rows and y has "
            f"{len(y_array)} labels. They must describe the same samples, in the same order."
        )
    counts = label_counts(y_encoded, classes)
    smallest = min(counts.values())
    if n_test_per_class is None:
        n_test_per_class = math.floor(test_fraction * smallest)
    if n_max is None:
        n_max = smallest - n_test_per_class
        if n_max < 1:
            raise InvalidInputError(
                f"{owner} has no rows left for training: the smallest class has {smallest} rows "
                f"and n_test_per_class={n_test_per_class}. Lower n_test_per_class."
            )
    head_to_tail = _class_order(order, classes, counts)
    sizes = long_tail_counts(
        n_max, len(classes), float(imbalance_ratio), profile, step_fraction=step_fraction
    )
    for label, n_train in zip(head_to_tail, sizes):
        if counts[label] < n_train + n_test_per_class:
            raise InvalidInputError(
                f"Class {label!r} has {counts[label]} rows but {owner} needs {n_train} for training "
                f"plus {n_test_per_class} for the balanced test set; lower n_max (now {n_max}) or "
                "n_test_per_class, or order classes by size (order='size')."
            )

    rng = check_random_state(random_state)
    position = {c.item() if isinstance(c, np.generic) else c: i for i, c in enumerate(classes)}
    train_parts, test_parts = [], []
    for label, n_train in zip(head_to_tail, sizes):
        rows = np.flatnonzero(y_encoded == position[label])
        drawn = rng.permutation(rows)
        train_parts.append(drawn[:n_train])
        test_parts.append(drawn[n_train : n_train + n_test_per_class])
    train_indices = np.sort(np.concatenate(train_parts)).astype(np.int64)
    test_indices = np.sort(np.concatenate(test_parts)).astype(np.int64)
    return LongTailedSplit(
        X_train=_take(X, train_indices),
        y_train=_take(y, train_indices),
        X_test=_take(X, test_indices),
        y_test=_take(y, test_indices),
        train_indices=train_indices,
        test_indices=test_indices,
        class_order=head_to_tail,
        train_counts=dict(zip(head_to_tail, sizes)),
        n_test_per_class=n_test_per_class,
    )
