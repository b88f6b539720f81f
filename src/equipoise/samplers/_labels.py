"""Class index shared by every sampler: labels -> codes, counts, rows grouped by class.

The index is built once per sampler in O(n) memory and (for fewer than 65,536 classes) O(n)
time, so samplers can draw a class first and then a row within it without ever building an
``n``-long weight vector (which ``torch.multinomial`` caps at 2**24 categories).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .._validation import (
    Interval,
    check_output_size,
    check_target,
    is_torch_tensor,
    short_repr,
    validate_params,
)
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = [
    "ClassIndex",
    "build_class_index",
    "class_probabilities",
    "resolve_labels",
    "seed_from",
    "world_size",
    "check_seed_agreed",
]

LabelsFrom = str | Callable[[Any], Any] | None


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


def _is_frame(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns")


def _has_columns(obj: Any) -> bool:
    """A table with named columns: a pandas DataFrame or a Hugging Face ``datasets.Dataset``."""
    return _is_frame(obj) or (hasattr(obj, "column_names") and hasattr(obj, "__getitem__"))


def _is_dataset(obj: Any) -> bool:
    from torch.utils.data import Dataset

    return isinstance(obj, Dataset) or _has_columns(obj)


def _take(labels: Any, indices: Any) -> Any:
    idx = np.asarray(indices, dtype=np.int64)
    if is_torch_tensor(labels):
        return labels[torch.from_numpy(idx).to(labels.device)]
    return np.asarray(labels)[idx]


def _dataset_labels(dataset: Any, owner: str) -> Any:
    """Labels of a Dataset found where datasets keep them, or None."""
    from torch.utils.data import ConcatDataset, Subset, TensorDataset

    get_labels = getattr(dataset, "get_labels", None)
    if callable(get_labels):
        return get_labels()
    for name in ("targets", "labels"):
        value = getattr(dataset, name, None)
        if value is not None and not callable(value):
            return value
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) >= 2:
        return dataset.tensors[1]  # items are (x, y, ...), as everywhere in equipoise
    if isinstance(dataset, Subset):
        parent = _dataset_labels(dataset.dataset, owner)
        return None if parent is None else _take(parent, dataset.indices)
    if isinstance(dataset, ConcatDataset):
        parts = [_dataset_labels(d, owner) for d in dataset.datasets]
        if any(p is None for p in parts):
            return None
        return np.concatenate(
            [p.detach().cpu().numpy() if is_torch_tensor(p) else np.asarray(p) for p in parts]
        )
    if _has_columns(dataset) and not _is_frame(dataset):
        for name in ("label", "labels"):
            if name in dataset.column_names:
                return dataset[name]
    return None


def resolve_labels(source: Any, labels_from: LabelsFrom = None, *, owner: str) -> Any:
    """The label of every row of ``source``, in order.

    ``source`` is the labels themselves (list, numpy array, tensor, pandas Series), or a
    dataset: a ``torch.utils.data.Dataset`` whose labels are its ``get_labels()``, its
    ``targets`` or ``labels`` attribute (torchvision's ``targets``), the second tensor (items are ``(x, y, ...)``) of a
    ``TensorDataset``, the parent's labels of a ``Subset`` or the parts' of a ``ConcatDataset``;
    a pandas DataFrame (``labels_from`` names the column); a Hugging Face ``datasets.Dataset``
    (its ``label``/``labels`` column by default). ``labels_from`` may also be a callable
    ``labels_from(source) -> labels``, or the name of a column or attribute of ``source``.
    """
    if labels_from is not None:
        if callable(labels_from):
            labels = labels_from(source)
        elif isinstance(labels_from, str):
            if _has_columns(source):
                columns = list(source.columns) if _is_frame(source) else list(source.column_names)
                if labels_from not in columns:
                    raise InvalidParameterError(
                        f"The 'labels_from' parameter of {owner} must name a column of the table; got "
                        f"{short_repr(labels_from)}, columns are {columns}."
                    )
                labels = source[labels_from]
            elif hasattr(source, labels_from):
                labels = getattr(source, labels_from)
                labels = labels() if callable(labels) else labels
            else:
                raise InvalidParameterError(
                    f"The 'labels_from' parameter of {owner} must name a column or an attribute of "
                    f"the {type(source).__name__} it was given; got {short_repr(labels_from)}."
                )
        else:
            raise InvalidParameterError(
                f"The 'labels_from' parameter of {owner} must be None, a column or attribute name, or a "
                f"callable dataset -> labels; got {type(labels_from).__name__}."
            )
        _check_same_length(source, labels, owner)
        return labels
    if _is_frame(source):
        raise InvalidInputError(
            f"{owner} got a DataFrame: say which column holds the labels, e.g. "
            f"{owner}(frame, labels_from={next(iter(source.columns), 'label')!r})."
        )
    if _is_dataset(source):
        labels = _dataset_labels(source, owner)
        if labels is None:
            raise InvalidInputError(
                f"{owner} cannot find the labels of the {type(source).__name__} it was given: it has "
                "no get_labels() method, no 'targets' or 'labels' attribute and is not a "
                "TensorDataset, Subset or ConcatDataset of such datasets. Pass the labels themselves, "
                "or labels_from=<attribute name> or labels_from=callable(dataset) -> labels."
            )
        _check_same_length(source, labels, owner)
        return labels
    return source


def _check_same_length(source: Any, labels: Any, owner: str) -> None:
    if source is labels or not hasattr(source, "__len__") or not hasattr(labels, "__len__"):
        return
    if len(labels) != len(source):
        raise InvalidInputError(
            f"{owner} found {len(labels)} labels for a {type(source).__name__} of {len(source)} rows; "
            "they must describe the same rows, in the same order."
        )


def build_class_index(labels: Any, *, owner: str, labels_from: LabelsFrom = None) -> ClassIndex:
    """Validate ``labels`` and group row indices by class.

    Parameters
    ----------
    labels : labels (list, numpy.ndarray, torch.Tensor, pandas.Series) or a dataset
        Class labels (integers, strings or anything ``numpy.unique`` can sort), or a dataset
        they are read from (see :func:`resolve_labels`).
    owner : str
        Name used in error messages.
    labels_from : str or callable, optional
        Where the labels of a dataset are (see :func:`resolve_labels`).

    Returns
    -------
    ClassIndex
    """
    labels = resolve_labels(labels, labels_from, owner=owner)
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


_Q = Interval(
    float,
    None,
    None,
    description="a finite float (0 = instance-balanced, 0.5 = square-root, 1 = class-balanced)",
)
_EPOCH = Interval(int, 0, None, closed="left", description="a non-negative int")


def check_q(q: Any, owner: str, name: str = "q") -> float:
    """Validate a sampling exponent ``q`` (a finite real number; usually in [0, 1])."""
    validate_params(owner, {name: q}, {name: [_Q]})
    return float(q)


def world_size() -> int:
    """Processes in the initialised ``torch.distributed`` group (1 when there is none)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return int(dist.get_world_size())
    return 1


def check_seed_agreed(implicit: bool, owner: str) -> None:
    """Refuse a seed drawn implicitly (no ``seed``, no ``generator``) under ``torch.distributed``.

    Each process would draw its own base seed from its own default generator, so the ranks
    would silently disagree about the sample. Called at construction and when a pass starts
    (a sampler built before the process group existed is caught on its first pass).
    """
    if implicit and world_size() > 1:
        raise InvalidParameterError(
            f"{owner} was built without a seed (seed=None, generator=None) and runs under "
            f"torch.distributed with {world_size()} processes: each process would draw its own base "
            "seed and the ranks would not agree on the sample. Pass seed=<int>, the same on every rank."
        )


def seed_from(generator: torch.Generator | None, seed: int | None, owner: str) -> int:
    """Resolve the base seed once, at construction.

    ``seed`` wins when given; otherwise one 62-bit integer is drawn from ``generator`` (or from
    torch's default generator when it is None). The epoch ``e`` draw then uses a private
    ``torch.Generator`` seeded with ``base_seed + e``, so the user's generator is touched
    exactly once. With neither, under an initialised ``torch.distributed`` group of more than
    one process, it raises (see :func:`check_seed_agreed`).
    """
    if seed is not None and generator is not None:
        raise InvalidParameterError(
            f"{owner} takes either 'seed' or 'generator', not both; got seed={short_repr(seed)} and a generator."
        )
    if seed is not None:
        return check_seed(seed, owner)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise InvalidParameterError(
            f"The 'generator' parameter of {owner} must be a torch.Generator or None; got "
            f"{type(generator).__name__}."
        )
    check_seed_agreed(generator is None, owner)
    return int(torch.randint(0, 2**62, (), generator=generator).item())


MAX_SEED = 2**63 - 1


def check_seed(seed: Any, owner: str, name: str = "seed") -> int:
    """A base seed: an int in [0, 2**63 - 1] (torch generators take 64 bits; epochs are added)."""
    if (
        isinstance(seed, (bool, np.bool_))
        or not isinstance(seed, (int, np.integer))
        or not 0 <= seed <= MAX_SEED
    ):
        hint = " Pass a number, not a string." if isinstance(seed, str) else ""
        raise InvalidParameterError(
            f"The {short_repr(name)} parameter of {owner} must be an int in the range [0, 2**63 - 1] or None; "
            f"got {short_repr(seed)}.{hint or ' Use a smaller seed, e.g. seed % 2**32.'}"
        )
    return int(seed)


def epoch_generator(base_seed: int, epoch: int) -> torch.Generator:
    """A fresh CPU generator for one epoch's draw: ``manual_seed(base_seed + epoch)``.

    The sum wraps modulo 2**64 (torch's seed range), which changes nothing for any seed and
    epoch a run can reach and never overflows.
    """
    return torch.Generator().manual_seed((base_seed + epoch) % 2**64)


def check_epoch(epoch: Any, owner: str) -> int:
    validate_params(f"{owner}.set_epoch", {"epoch": epoch}, {"epoch": [_EPOCH]})
    return int(epoch)


def check_num_samples(num_samples: Any, default: int, owner: str) -> int:
    if num_samples is None:
        return default
    described = Interval(
        int,
        1,
        None,
        closed="left",
        description=f"a positive int or None (None = len(labels) = {default})",
    )
    validate_params(owner, {"num_samples": num_samples}, {"num_samples": [described]})
    check_output_size(int(num_samples), 1, 8, owner=owner, what="an epoch of indices")
    return int(num_samples)
