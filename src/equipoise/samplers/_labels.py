"""Class index shared by every sampler: labels -> codes, counts, rows grouped by class.

The index is built once per sampler in O(n) memory and (for fewer than 65,536 classes) O(n)
time, so samplers can draw a class first and then a row within it without ever building an
``n``-long weight vector (which ``torch.multinomial`` caps at 2**24 categories).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .._validation import check_target
from ..exceptions import InvalidParameterError

__all__ = ["ClassIndex", "build_class_index", "class_probabilities", "seed_from"]

@dataclass(frozen=True)
class ClassIndex:
    """Rows grouped by class.

    Attributes
    ----------
    classes : numpy.ndarray
        Sorted distinct labels (any dtype: ints, strings, ...).
    counts : torch.Tensor of int64, shape (n_classes,)
        Rows per class, in the order of ``classes``.
    offsets : torch.Tensor of int64, shape (n_classes,)
        ``order[offsets[c]:offsets[c] + counts[c]]`` are the rows of class ``c``.
    order : torch.Tensor of int64, shape (n_samples,)
        Row indices sorted by class (stable, so rows keep their order within a class).
    codes : torch.Tensor of int64, shape (n_samples,)
        ``classes[codes[i]]`` is the label of row ``i``.
    """

    classes: np.ndarray
    counts: torch.Tensor
    offsets: torch.Tensor
    order: torch.Tensor
    codes: torch.Tensor

    @property
    def n_samples(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.counts.shape[0])


def build_class_index(labels: Any, *, owner: str) -> ClassIndex:
    """Validate ``labels`` and group row indices by class.

    Parameters
    ----------
    labels : list, numpy.ndarray, torch.Tensor or pandas.Series of shape (n_samples,)
        Class labels: integers, strings or anything ``numpy.unique`` can sort.
    owner : str
        Name used in error messages.

    Returns
    -------
    ClassIndex
    """
    _, classes, codes = check_target(labels, owner=owner, min_classes=1)
    n_classes = len(classes)
    counts = np.bincount(codes, minlength=n_classes).astype(np.int64)
    sort_dtype = np.uint16 if n_classes <= 2**16 else np.int64  # uint16 -> O(n) radix sort
    order = np.argsort(codes.astype(sort_dtype, copy=False), kind="stable")
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return ClassIndex(
        classes=classes,
        counts=torch.from_numpy(counts),
        offsets=torch.from_numpy(offsets),
        order=torch.from_numpy(order.astype(np.int64, copy=False)),
        codes=torch.from_numpy(np.ascontiguousarray(codes, dtype=np.int64)),
    )


def class_probabilities(counts: torch.Tensor, q: float) -> torch.Tensor:
    """Class-level sampling probabilities ``p_j = n_j^(1-q) / sum_i n_i^(1-q)`` (float64).

    Each row of class ``j`` is then drawn with probability ``p_j / n_j``, proportional to
    ``n_j^(-q)``: q=0 is instance-balanced, q=0.5 square-root, q=1 class-balanced.
    """
    n = counts.to(torch.float64)
    weights = n.pow(1.0 - q)
    return weights / weights.sum()


def check_q(q: Any, owner: str, name: str = "q") -> float:
    """Validate a sampling exponent ``q`` (a finite real number; usually in [0, 1])."""
    if isinstance(q, bool) or not isinstance(q, (int, float, np.integer, np.floating)) or not np.isfinite(q):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a finite float (0 = instance-balanced, "
            f"0.5 = square-root, 1 = class-balanced); got {q!r}."
        )
    return float(q)


def seed_from(generator: torch.Generator | None, seed: int | None, owner: str) -> int:
    """Resolve the base seed once, at construction.

    ``seed`` wins when given; otherwise one 62-bit integer is drawn from ``generator`` (or from
    torch's default generator when it is None). The epoch ``e`` draw then uses a private
    ``torch.Generator`` seeded with ``base_seed + e``, so the user's generator is touched
    exactly once.
    """
    if seed is not None and generator is not None:
        raise InvalidParameterError(
            f"{owner} takes either 'seed' or 'generator', not both; got seed={seed!r} and a generator."
        )
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InvalidParameterError(
                f"The 'seed' parameter of {owner} must be a non-negative int or None; got {seed!r}."
            )
        return int(seed)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise InvalidParameterError(
            f"The 'generator' parameter of {owner} must be a torch.Generator or None; got "
            f"{type(generator).__name__}."
        )
    return int(torch.randint(0, 2**62, (), generator=generator).item())


def epoch_generator(base_seed: int, epoch: int) -> torch.Generator:
    """A fresh CPU generator for one epoch's draw: ``manual_seed(base_seed + epoch)``."""
    return torch.Generator().manual_seed(base_seed + epoch)


def check_epoch(epoch: Any, owner: str) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise InvalidParameterError(
            f"The 'epoch' argument of {owner}.set_epoch must be a non-negative int; got {epoch!r}."
        )
    return int(epoch)


def check_num_samples(num_samples: Any, default: int, owner: str) -> int:
    if num_samples is None:
        return default
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
        raise InvalidParameterError(
            f"The 'num_samples' parameter of {owner} must be a positive int or None "
            f"(None = len(labels) = {default}); got {num_samples!r}."
        )
    return int(num_samples)
