"""Datasets that resample lazily: a fresh over-/under-sampled or SMOTE view every epoch.

:class:`ResampledDataset` wraps a ``torch.utils.data.Dataset`` (or ``(X, y)``) and serves a
resampled *view* of it. Per epoch it stores only a plan, O(n) small integers and floats:

* which original row each item comes from (random over-/under-sampling by index), and
* for each synthetic SMOTE item, its neighbour row and interpolation weight ``u``;

the synthetic features are computed when an item is read,

.. math:: \\tilde x = x_i + u\\,(x_{nn} - x_i), \\qquad u \\sim U(0, 1),

with :math:`x_{nn}` one of the ``k`` nearest same-class neighbours of :math:`x_i` (Chawla et al.
2002), taken from a neighbour table computed once. Nothing of size ``n_resampled x n_features``
is ever materialised.

**Batched fetching.** :class:`ResampledDataset` and :class:`BatchedTensorDataset` have
``__getitems__(indices)``, which ``torch.utils.data.DataLoader``'s default fetcher calls with a
whole batch of indices when a dataset has it: one gather per tensor and one interpolation per
batch instead of one Python call per item. The items are exactly those of ``ds[i]`` (tested),
returned as the list of per-item tuples ``default_collate`` expects (views of the batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

try:
    import torch  # noqa: F401  (the extra equipoise[torch])
except ModuleNotFoundError as _exc:
    from ._extras import missing_dependency

    raise missing_dependency("torch", "equipoise.online", cause=_exc) from None

from torch.utils.data import Dataset, Sampler, TensorDataset, get_worker_info

from ._validation import (
    Interval,
    check_class_sizes,
    check_output_size,
    check_target,
    is_torch_tensor,
    label_counts,
    short_repr,
    validate_params,
)
from .exceptions import InvalidInputError, InvalidParameterError
from .neighbors import kneighbors
from .registry import Registry
from .resample._strategy import SamplingType, resolve_sampling_strategy
from .samplers._labels import _dataset_labels, check_epoch, check_seed_agreed, seed_from

__all__ = ["ResampledDataset", "EpochSampler", "ONLINE_RESAMPLERS", "BatchedTensorDataset"]

_POSITIVE_INT = Interval(int, 1, None, closed="left", description="a positive int")


@dataclass
class _Plan:
    """One epoch's view: ``source[i]`` is the row behind item i; the last ``len(partner)`` items
    are synthetic, interpolated towards ``partner`` with weight ``weight``."""

    source: np.ndarray
    partner: np.ndarray
    weight: np.ndarray

    @property
    def nbytes(self) -> int:
        return self.source.nbytes + self.partner.nbytes + self.weight.nbytes


@dataclass(frozen=True)
class _Context:
    rows: dict[int, np.ndarray]  # class code -> its rows (global indices, ascending)
    targets: dict[int, int]  # class code -> n_samples from resolve_sampling_strategy
    n_samples: int
    index_dtype: np.dtype
    neighbors: _NeighborTable | None


@dataclass(frozen=True)
class _Method:
    """A registered online resampling method."""

    sampling_type: SamplingType
    needs_neighbors: bool
    plan: Callable[[_Context, np.random.Generator], _Plan]


@dataclass(frozen=True)
class _NeighborTable:
    """``table[offset[c] + j]`` are the k nearest same-class neighbours (global rows) of
    ``rows[c][j]``; built once, int32 when the dataset has fewer than 2**31 rows."""

    offset: dict[int, int]
    table: np.ndarray

    @property
    def nbytes(self) -> int:
        return self.table.nbytes


ONLINE_RESAMPLERS: Registry[_Method] = Registry("online resampler")
"""'over', 'under', 'smote': what :class:`ResampledDataset` accepts as ``sampler``."""


def _empty(ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, ctx.index_dtype), np.empty(0, np.float32)


def _over(ctx: _Context, rng: np.random.Generator) -> _Plan:
    extra = [rng.choice(ctx.rows[c], size=n, replace=True) for c, n in ctx.targets.items() if n > 0]
    source = np.concatenate([np.arange(ctx.n_samples), *extra]).astype(ctx.index_dtype)
    return _Plan(source, *_empty(ctx))


def _under(ctx: _Context, rng: np.random.Generator) -> _Plan:
    keep = np.ones(ctx.n_samples, dtype=bool)
    for c, n in ctx.targets.items():
        rows = ctx.rows[c]
        dropped = rng.choice(rows, size=len(rows) - n, replace=False)
        keep[dropped] = False
    return _Plan(np.flatnonzero(keep).astype(ctx.index_dtype), *_empty(ctx))


def _smote(ctx: _Context, rng: np.random.Generator) -> _Plan:
    neighbors = cast(_NeighborTable, ctx.neighbors)  # built because needs_neighbors is True
    table, offsets = neighbors.table, neighbors.offset
    k = table.shape[1]
    bases, partners = [], []
    for c, n in ctx.targets.items():
        if n <= 0:
            continue
        local = rng.integers(0, len(ctx.rows[c]), size=n)
        bases.append(ctx.rows[c][local])
        partners.append(table[offsets[c] + local, rng.integers(0, k, size=n)])
    base = np.concatenate(bases) if bases else np.empty(0, np.int64)
    partner = np.concatenate(partners) if partners else np.empty(0, ctx.index_dtype)
    weight = rng.random(len(base), dtype=np.float32)
    source = np.concatenate([np.arange(ctx.n_samples), base]).astype(ctx.index_dtype)
    return _Plan(source, partner.astype(ctx.index_dtype), weight)


ONLINE_RESAMPLERS.register("over", _Method("over-sampling", False, _over))
ONLINE_RESAMPLERS.register("under", _Method("under-sampling", False, _under))
ONLINE_RESAMPLERS.register("smote", _Method("over-sampling", True, _smote))


def _default_features(x: Any) -> torch.Tensor:
    return torch.as_tensor(x).reshape(-1).to(torch.float32)


def _interpolate(a: Any, b: Any, u: float) -> Any:
    """``a + u (b - a)`` in ``a``'s kind and dtype (integers are rounded back)."""
    if is_torch_tensor(a):
        if a.is_floating_point():
            return a + u * (b - a)
        out = a.to(torch.float32) + u * (b.to(torch.float32) - a.to(torch.float32))
        return out.round().to(a.dtype)
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f":
        return a + a.dtype.type(u) * (b - a)
    out = a.astype(np.float32) + np.float32(u) * (b.astype(np.float32) - a.astype(np.float32))
    return np.rint(out).astype(a.dtype)


def _interpolate_rows(a: Any, b: Any, u: Any) -> Any:
    """Row-wise :func:`_interpolate`: ``a[r] + u[r] (b[r] - a[r])`` for batches ``a, b`` of rows
    and float32 gaps ``u`` (numpy), with the same float32 arithmetic as one row at a time."""
    if is_torch_tensor(a):
        w = (
            torch.from_numpy(np.ascontiguousarray(u, dtype=np.float32))
            .to(a.device)
            .reshape((-1,) + (1,) * (a.ndim - 1))
        )
        if a.is_floating_point():
            return a + w.to(a.dtype) * (b - a)
        out = a.to(torch.float32) + w * (b.to(torch.float32) - a.to(torch.float32))
        return out.round().to(a.dtype)
    xa, xb = np.asarray(a), np.asarray(b)
    g = np.asarray(u, dtype=np.float32).reshape((-1,) + (1,) * (xa.ndim - 1))
    if xa.dtype.kind == "f":
        return xa + g.astype(xa.dtype) * (xb - xa)
    mixed = xa.astype(np.float32) + g * (xb.astype(np.float32) - xa.astype(np.float32))
    return np.rint(mixed).astype(xa.dtype)


def _take(column: Any, rows: np.ndarray) -> Any:
    """``column[rows]`` for a tensor (rows moved to its device) or an array."""
    if is_torch_tensor(column):
        return column[torch.from_numpy(rows).to(column.device)]
    return np.asarray(column)[rows]


def _batch_index(indices: Any, n: int, owner: str) -> np.ndarray | None:
    """``indices`` as int64 positions in ``[0, n)`` (negative ones wrap, as in ``ds[i]``), or None
    when they are not plain integers (the caller then fetches item by item)."""
    try:
        idx = np.asarray(indices)
    except (TypeError, ValueError):
        return None
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        return None
    idx = idx.astype(np.int64, copy=False)
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(
            f"index {int(idx[np.argmax(bad)])} is out of range for a {owner} of {n} items"
        )
    return np.where(idx < 0, idx + n, idx)


class _Row(tuple):
    """One item of a batch that ``__getitems__`` fetched: a plain tuple, whose type tells
    ``default_collate`` that the whole batch's columns are at hand (:func:`_collate_rows`)."""

    __slots__ = ()


class _Rows(Sequence):
    """The items of a batch fetched at once: item ``k`` is ``_Row(c[k] for c in columns)``.

    A sequence of per-item tuples for any ``collate_fn``; ``default_collate`` (through
    :func:`_collate_rows`) takes the columns as they are instead of stacking the items again.
    """

    def __init__(self, columns: list[Any]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0])

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        return _Row(c[k] for c in self.columns)


def _collate_column(column: Any, collate_fn_map: Any) -> Any:
    """What ``default_collate`` makes of the items of one column: tensors stacked (into shared
    memory inside a worker process), numeric arrays and scalars as tensors, others as it does."""
    if isinstance(column, np.ndarray) and column.dtype.kind not in "biufc":
        return _default_collate(list(column), collate_fn_map=collate_fn_map)
    out = column if is_torch_tensor(column) else torch.as_tensor(column)
    if get_worker_info() is not None:
        out = out.share_memory_()
    return out


def _collate_rows(batch: Any, *, collate_fn_map: Any = None) -> Any:
    """``default_collate`` of a batch from ``__getitems__``: the list of its columns, exactly what
    stacking its items would give (tested), without touching the items."""
    if isinstance(batch, _Rows):
        return [_collate_column(c, collate_fn_map) for c in batch.columns]
    return [_default_collate(list(col), collate_fn_map=collate_fn_map) for col in zip(*batch)]


def _rows_of(columns: list[Any]) -> _Rows:
    """The items of a batch of gathered columns (no per-item work until an item is read)."""
    return _Rows(columns)


try:  # torch's documented way to extend default_collate (see torch.utils.data.default_collate)
    from torch.utils.data._utils.collate import collate as _default_collate
    from torch.utils.data._utils.collate import default_collate_fn_map

    default_collate_fn_map[_Row] = _collate_rows
except ImportError:  # pragma: no cover - a torch without collate_fn_map: items are stacked as usual
    from torch.utils.data import default_collate as _plain_collate

    def _default_collate(batch: Any, *, collate_fn_map: Any = None) -> Any:  # type: ignore[misc]
        return _plain_collate(batch)


class _TensorPair(Dataset):
    """``(X, y)`` arrays or tensors seen as a Dataset of ``(X[i], y[i])``."""

    def __init__(self, X: Any, y: Any) -> None:
        if len(X) != len(y):
            raise InvalidInputError(
                f"X and y passed to ResampledDataset have different lengths: X has {len(X)} rows and "
                f"y has {len(y)} labels. They must describe the same samples, in the same order."
            )
        self.X, self.y = X, y

    @property
    def columns(self) -> list[Any]:
        return [self.X, self.y]

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        return self.X[i], self.y[i]

    def __getitems__(self, indices: Any) -> Sequence[Any]:
        idx = _batch_index(indices, len(self), "dataset")
        if idx is None:
            return [self[i] for i in indices]
        return _rows_of([_take(c, idx) for c in self.columns])


class BatchedTensorDataset(Dataset):
    """Tensors or arrays of the same length seen as a dataset of rows, fetched a batch at a time.

    ``ds[i]`` is ``(t[i] for t in tensors)``, as in ``torch.utils.data.TensorDataset``; in
    addition ``ds.__getitems__(indices)``, which ``DataLoader``'s default fetcher calls with the
    indices of a whole batch, gathers each tensor once (``t[indices]``) instead of making one
    Python call per item. Use it for your own in-memory data with the samplers of
    :mod:`equipoise.samplers`: the sampler's draw is then no longer hidden behind a per-item
    fetch (see ``docs/samplers.md``, "Fast loading").

    Parameters
    ----------
    *tensors : torch.Tensor or numpy.ndarray
        Same length along the first dimension. NumPy arrays are wrapped without a copy
        (``torch.from_numpy``), so items come out as tensors, as a ``TensorDataset``'s do.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import DataLoader
    >>> from equipoise.samplers import ClassBalancedSampler
    >>> X, y = torch.randn(1000, 8), torch.tensor([0] * 900 + [1] * 100)
    >>> ds = BatchedTensorDataset(X, y)
    >>> loader = DataLoader(ds, batch_size=256, sampler=ClassBalancedSampler(y, seed=0))
    >>> xb, yb = next(iter(loader))
    >>> xb.shape, bool(torch.equal(xb[0], ds[int(next(iter(ClassBalancedSampler(y, seed=0))))][0]))
    (torch.Size([256, 8]), True)
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise InvalidInputError(
                "BatchedTensorDataset needs at least one tensor or array; got none."
            )
        converted = []
        for k, t in enumerate(tensors):
            if isinstance(t, np.ndarray):
                shared = t.flags.writeable and all(step >= 0 for step in t.strides)
                try:
                    t = torch.from_numpy(t if shared else np.array(t))
                except TypeError:
                    raise InvalidInputError(
                        f"BatchedTensorDataset takes numeric arrays; argument {k} has dtype {t.dtype}."
                    ) from None
            if not is_torch_tensor(t) or t.ndim == 0:
                raise InvalidInputError(
                    f"BatchedTensorDataset takes tensors or numpy arrays with a first (row) dimension; "
                    f"argument {k} is {short_repr(t)}."
                )
            converted.append(t)
        lengths = {len(t) for t in converted}
        if len(lengths) != 1:
            raise InvalidInputError(
                f"the tensors passed to BatchedTensorDataset must have the same number of rows; got "
                f"{[len(t) for t in converted]}."
            )
        self.tensors = tuple(converted)

    @property
    def columns(self) -> list[Any]:
        return list(self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, i: Any) -> tuple[Any, ...]:
        return tuple(t[i] for t in self.tensors)

    def __getitems__(self, indices: Any) -> Sequence[tuple[Any, ...]]:
        """The items at ``indices`` (what ``DataLoader``'s default fetcher asks for), one gather
        per tensor; equal to ``[ds[i] for i in indices]``."""
        idx = _batch_index(indices, len(self), type(self).__name__)
        if idx is None:
            return [self[i] for i in indices]
        return _rows_of([_take(t, idx) for t in self.tensors])


def _columns(dataset: Any) -> list[Any] | None:
    """The row-aligned tensors/arrays behind a dataset whose items are ``tuple(c[i] for c in
    columns)``: ours, and ``torch.utils.data.TensorDataset``; None for any other dataset."""
    if isinstance(dataset, (_TensorPair, BatchedTensorDataset)):
        return dataset.columns
    if type(dataset) is TensorDataset:
        return list(dataset.tensors)
    return None


class ResampledDataset(Dataset):
    r"""A lazily resampled view of a dataset, redrawn every epoch, in O(n) extra memory.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset or tuple (X, y)
        Items must be sequences whose first element is the features ``x`` (a tensor or array of
        any shape for which interpolation makes sense: tabular rows, embeddings, images
        ``(C, H, W)``) and second the label. A tuple ``(X, y)`` of tensors or arrays is wrapped.
    sampler : {'over', 'under', 'smote'}, default='smote'
        A name in :data:`ONLINE_RESAMPLERS`: random over-sampling (duplicate indices), random
        under-sampling (drop indices), or SMOTE interpolation [1]_.
    labels : array-like of shape (n_samples,), optional
        The labels. Default: ``y`` of a tuple, else where datasets keep them (``get_labels()``,
        ``targets`` as in torchvision, ``labels``, a ``TensorDataset``'s second tensor, a
        ``Subset``'s parent), else one pass reading ``dataset[i][1]``.
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn: for 'over'/'smote' how many rows to add per class ('auto' brings
        every class up to the majority), for 'under' how many to keep ('auto' brings every
        class down to the minority); a float is the minority/majority ratio (binary only); a
        dict ``{label: n_samples}`` gives the target size of each listed class.
    k_neighbors : int, default=5
        Neighbours per minority row for 'smote' (each class it over-samples needs more rows).
    feature_fn : callable, optional
        ``x -> 1-D feature tensor`` used for the neighbour search only (e.g. a frozen encoder's
        embedding of an image). Default: ``x`` flattened to float32. Synthetic items are still
        interpolated in the space of ``x``.
    seed : int, optional
        Base seed; the plan of epoch ``e`` uses ``numpy.random.default_rng(seed + e)``.
    generator : torch.Generator, optional
        Source of the base seed when ``seed`` is not given (one draw at construction).

    Attributes
    ----------
    classes : numpy.ndarray
        Sorted labels.
    sampling_strategy_ : dict
        ``{label: n_samples}`` as resolved (rows to add for 'over'/'smote', to keep for 'under').
    sample_indices_ : numpy.ndarray
        Row of ``dataset`` behind each item of this epoch (the base row for synthetic items).
    n_synthetic_ : int
        Synthetic items this epoch; they are the last ones.
    neighbors_ : numpy.ndarray or None
        The neighbour table, shape (n_rows_of_oversampled_classes, k_neighbors), global rows.

    Notes
    -----
    **The epoch rule** (that of :mod:`equipoise.samplers`). The plan of epoch ``e`` depends only
    on ``(seed, e)``. The epoch changes in two ways:

    - a pass of :meth:`epoch_sampler` (``DataLoader(ds, sampler=ds.epoch_sampler())``) starts
      the epoch after the previous pass's, so the plan is fresh every epoch without any call
      from the user; ``set_epoch(e)`` before a pass makes it epoch ``e`` (Lightning and
      Accelerate call it on the sampler for you);
    - ``set_epoch(e)`` alone, for loaders with their own sampler (``shuffle=True``, a
      ``DistributedSampler``): call it before each epoch, or let
      :class:`equipoise.integrations.lightning.ResampleEveryEpoch` do it.

    The current epoch lives in shared memory, so DataLoader worker processes, persistent ones
    included (``persistent_workers=True``), follow it: each worker draws the plan of the epoch
    it reads there (once per epoch). The length is the same every epoch. Extra memory: the plan
    (one int per item, plus an int and a float32 per synthetic item) and the neighbour table
    (``k`` ints per row of an over-sampled class); see :meth:`extra_nbytes`.

    Under ``torch.distributed`` give a ``seed`` (the same on every rank): every rank then draws
    the same plan, and a ``DistributedSampler`` over the dataset gives each rank its share.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer. "SMOTE: Synthetic Minority
       Over-sampling Technique", JAIR 16, 2002.

    Examples
    --------
    >>> import torch
    >>> X = torch.randn(110, 4)
    >>> y = torch.tensor([0] * 100 + [1] * 10)
    >>> ds = ResampledDataset((X, y), "smote", k_neighbors=3, seed=0)
    >>> len(ds), ds.n_synthetic_
    (200, 90)
    >>> x, label = ds[150]
    >>> x.shape, int(label)
    (torch.Size([4]), 1)
    >>> from torch.utils.data import DataLoader
    >>> loader = DataLoader(ds, batch_size=50, sampler=ds.epoch_sampler())
    >>> for epoch in range(2):  # a fresh plan each pass, no set_epoch needed
    ...     n = sum(len(yb) for _, yb in loader)
    ...     print(ds.epoch, n)
    0 200
    1 200
    """

    def __init__(
        self,
        dataset: Any,
        sampler: str = "smote",
        *,
        labels: Any = None,
        sampling_strategy: Any = "auto",
        k_neighbors: int = 5,
        feature_fn: Callable[[Any], Any] | None = None,
        seed: int | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        owner = type(self).__name__
        if isinstance(dataset, tuple):
            if len(dataset) != 2:
                raise InvalidInputError(
                    f"{owner} takes a Dataset or a tuple (X, y); got a tuple of {len(dataset)} items."
                )
            if labels is None:
                labels = dataset[1]
            dataset = _TensorPair(*dataset)
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise InvalidInputError(
                f"{owner} needs a map-style Dataset (with __getitem__ and __len__) or a tuple (X, y); "
                f"got {type(dataset).__name__}."
            )
        if not isinstance(sampler, str):
            raise InvalidParameterError(
                f"The 'sampler' parameter of {owner} must be one of {ONLINE_RESAMPLERS.names()}; "
                f"got {short_repr(sampler)}."
            )
        self.method = ONLINE_RESAMPLERS.get(sampler)
        validate_params(owner, {"k_neighbors": k_neighbors}, {"k_neighbors": [_POSITIVE_INT]})
        if feature_fn is not None and not callable(feature_fn):
            raise InvalidParameterError(
                f"The 'feature_fn' parameter of {owner} must be a callable or None; got {short_repr(feature_fn)}."
            )
        self.dataset = dataset
        self.sampler = sampler
        self.k_neighbors = int(k_neighbors)
        self.feature_fn = feature_fn
        self.seed = seed_from(generator, seed, owner)

        y, classes, codes = check_target(self._labels(dataset, labels), owner=owner)
        if len(y) != len(dataset):
            raise InvalidInputError(
                f"labels passed to {owner} have {len(y)} entries but the dataset has {len(dataset)} "
                "items; they must describe the same samples, in the same order."
            )
        self.classes = classes
        self._y = y
        order = np.argsort(codes, kind="stable")
        bounds = np.cumsum(np.bincount(codes, minlength=len(classes)))
        rows = dict(enumerate(np.split(order, bounds[:-1])))
        strategy = resolve_sampling_strategy(
            sampling_strategy, y, self.method.sampling_type, owner=owner
        )
        self.sampling_strategy_ = strategy
        code_of = {label: c for c, label in enumerate(label_counts(codes, classes))}
        targets = {code_of[label]: n for label, n in strategy.items()}
        # Each epoch holds a base index, a partner index and a gap per item (16 bytes at most).
        check_output_size(
            len(y) + sum(int(n) for n in targets.values()),
            1,
            16,
            owner=owner,
            what="an epoch's index",
        )
        index_dtype = np.dtype(np.int32 if len(y) < 2**31 else np.int64)
        neighbors = None
        if self.method.needs_neighbors:
            needed = [c for c, n in targets.items() if n > 0]
            check_class_sizes(
                {label: len(rows[c]) for c, label in zip(needed, classes[needed].tolist())},
                self.k_neighbors + 1,
                owner=owner,
                parameter="k_neighbors",
                value=self.k_neighbors,
                alternative="use sampler='over'",
            )
            neighbors = self._neighbor_table(rows, needed, index_dtype)
        self._context = _Context(rows, targets, len(y), index_dtype, neighbors)
        self.neighbors_ = None if neighbors is None else neighbors.table
        self._implicit_seed = seed is None and generator is None
        # The epoch every process reads (worker copies share this storage); the next pass's
        # epoch (main process only); this process's plan and the epoch it belongs to.
        self._shared_epoch = torch.zeros(1, dtype=torch.int64).share_memory_()
        self._next_pass: int | None = 0
        self._last_pass = -1
        self._plan_epoch = -1
        self._plan = self._plan_for(0)

    @staticmethod
    def _labels(dataset: Any, labels: Any) -> Any:
        if labels is not None:
            return labels
        found = _dataset_labels(dataset, "ResampledDataset")
        if found is not None:
            return found
        return [_as_scalar(dataset[i][1]) for i in range(len(dataset))]

    def _features(self, rows: np.ndarray) -> Any:
        """Feature matrix for the neighbour search (torch for tensor data, else numpy)."""
        data = self.dataset
        if self.feature_fn is None and isinstance(data, _TensorPair):
            block = (
                data.X[torch.from_numpy(rows)]
                if is_torch_tensor(data.X)
                else np.asarray(data.X)[rows]
            )
            block = block.reshape(len(rows), -1)
            if is_torch_tensor(block):
                return block if block.is_floating_point() else block.to(torch.float32)
            return block if block.dtype.kind == "f" else block.astype(np.float32)
        fn = self.feature_fn or _default_features
        feats = [torch.as_tensor(fn(data[int(i)][0])) for i in rows]
        if any(f.ndim != 1 for f in feats):
            raise InvalidInputError(
                "feature_fn passed to ResampledDataset must return a 1-D feature vector per item; got "
                f"shape {tuple(next(f for f in feats if f.ndim != 1).shape)}."
            )
        return torch.stack(feats).to(torch.float32)

    def _neighbor_table(
        self, rows: dict, needed: list[int], index_dtype: np.dtype
    ) -> _NeighborTable:
        tables, offset, start = [], {}, 0
        for c in needed:
            _, local = kneighbors(self._features(rows[c]), self.k_neighbors)
            local = local.cpu().numpy() if is_torch_tensor(local) else np.asarray(local)
            tables.append(rows[c][local].astype(index_dtype))
            offset[c] = start
            start += len(rows[c])
        table = np.concatenate(tables) if tables else np.empty((0, self.k_neighbors), index_dtype)
        return _NeighborTable(offset, table)

    def _plan_for(self, epoch: int) -> _Plan:
        """The plan of ``epoch`` (a function of ``seed + epoch`` only), kept until the epoch changes."""
        if epoch != self._plan_epoch:
            self._plan = self.method.plan(self._context, np.random.default_rng(self.seed + epoch))
            self._plan_epoch = epoch
        return self._plan

    @property
    def epoch(self) -> int:
        """The epoch whose plan the items are read from (the same in every worker process)."""
        return int(self._shared_epoch[0])

    def set_epoch(self, epoch: int) -> None:
        """Serve the plan of ``epoch`` from now on, in this process and in its DataLoader workers.

        The next pass of :meth:`epoch_sampler` is then epoch ``epoch`` too.
        """
        epoch = check_epoch(epoch, type(self).__name__)
        self._check_seed()
        self._shared_epoch[0] = epoch
        self._next_pass = epoch
        self._plan_for(epoch)

    def begin_pass(self) -> int:
        """Start a pass (what :class:`EpochSampler` does): its epoch, by the epoch rule.

        The epoch given to the last ``set_epoch`` if one came since the previous pass, else the
        previous pass's epoch plus one (the first pass is epoch 0).
        """
        self._check_seed()
        epoch = self._last_pass + 1 if self._next_pass is None else self._next_pass
        self._next_pass = None
        self._last_pass = epoch
        self._shared_epoch[0] = epoch
        self._plan_for(epoch)
        return epoch

    def _check_seed(self) -> None:
        if get_worker_info() is None:
            check_seed_agreed(self._implicit_seed, type(self).__name__)

    def epoch_sampler(self, shuffle: bool = True) -> EpochSampler:
        """A sampler whose every pass starts a new epoch of this dataset (see :class:`EpochSampler`)."""
        return EpochSampler(self, shuffle=shuffle)

    def _current_plan(self) -> _Plan:
        return self._plan_for(int(self._shared_epoch[0]))

    @property
    def sample_indices_(self) -> np.ndarray:
        return self._current_plan().source

    @property
    def n_synthetic_(self) -> int:
        return len(self._current_plan().partner)

    def extra_nbytes(self) -> int:
        """Bytes held beyond the wrapped dataset: this epoch's plan plus the neighbour table."""
        ctx = self._context
        table = 0 if ctx.neighbors is None else ctx.neighbors.nbytes
        return self._current_plan().nbytes + table + sum(r.nbytes for r in ctx.rows.values())

    def __len__(self) -> int:
        return len(self._plan.source)  # the same for every epoch

    def __getitem__(self, i: int) -> Any:
        plan = self._current_plan()
        n = len(plan.source)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            i = int(i)  # tensors of one element, numpy scalars
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of range for a ResampledDataset of {n} items")
        i = i % n
        base = self.dataset[int(plan.source[i])]
        j = i - (n - len(plan.partner))
        if j < 0:
            return base
        partner = self.dataset[int(plan.partner[j])]
        x = _interpolate(base[0], partner[0], float(plan.weight[j]))
        return (x, *tuple(base)[1:])

    def __getitems__(self, indices: Any) -> Sequence[Any]:
        """The items at ``indices``, fetched as one batch (``DataLoader``'s default fetcher calls
        this with a batch's indices); exactly ``[self[i] for i in indices]``.

        For ``(X, y)`` tuples, :class:`BatchedTensorDataset` and ``TensorDataset``: one gather
        of the base rows, one of the partner rows of the synthetic items and one interpolation
        :math:`x_i + u (x_{nn} - x_i)` for all of them. Other datasets: their own
        ``__getitems__`` (or ``__getitem__``) for the base and partner items, interpolated item
        by item.
        """
        plan = self._current_plan()
        n = len(plan.source)
        idx = _batch_index(indices, n, type(self).__name__)
        if idx is None:
            return [self[i] for i in indices]
        source = plan.source[idx].astype(np.int64)
        j = idx - (n - len(plan.partner))
        synthetic = np.flatnonzero(j >= 0)
        columns = _columns(self.dataset)
        if columns is None:
            return self._generic_items(source, synthetic, j, plan)
        batch = [_take(c, source) for c in columns]
        if len(synthetic):
            partner_rows = plan.partner[j[synthetic]].astype(np.int64)
            x = batch[0]
            where = torch.from_numpy(synthetic).to(x.device) if is_torch_tensor(x) else synthetic
            x[where] = _interpolate_rows(
                x[where], _take(columns[0], partner_rows), plan.weight[j[synthetic]]
            )
        return _rows_of(batch)

    def _generic_items(
        self, source: np.ndarray, synthetic: np.ndarray, j: np.ndarray, plan: _Plan
    ) -> list[Any]:
        data = self.dataset
        fetch = getattr(data, "__getitems__", None)
        items = list(fetch(source.tolist())) if fetch else [data[int(r)] for r in source]
        if len(synthetic):
            rows = plan.partner[j[synthetic]].astype(np.int64).tolist()
            partners = list(fetch(rows)) if fetch else [data[r] for r in rows]
            for pos, partner in zip(synthetic.tolist(), partners):
                base = items[pos]
                x = _interpolate(base[0], partner[0], float(plan.weight[j[pos]]))
                items[pos] = (x, *tuple(base)[1:])
        return items


class EpochSampler(Sampler[int]):
    """Iterate a :class:`ResampledDataset`, one fresh epoch per pass.

    Each ``iter()`` starts a pass of the dataset (:meth:`ResampledDataset.begin_pass`): the epoch
    after the previous pass's, or the one given to ``set_epoch`` since. Its items come in a
    random order drawn from ``(seed, epoch)`` (``shuffle=True``) or in order. It runs in the
    main process, so with ``DataLoader`` workers (persistent or not) the epoch reaches them
    through the dataset's shared epoch before any item of the pass is read.

    Under Lightning with ``use_distributed_sampler=True`` it is wrapped in a
    ``DistributedSamplerWrapper``, which iterates it once per epoch on every rank and forwards
    ``set_epoch``; every rank (with the same ``seed``) then reads the same plan and takes its
    own share of the items.

    Parameters
    ----------
    dataset : ResampledDataset
    shuffle : bool, default=True

    Examples
    --------
    >>> import torch
    >>> ds = ResampledDataset((torch.randn(30, 2), torch.tensor([0] * 25 + [1] * 5)), "over", seed=0)
    >>> s = ds.epoch_sampler()
    >>> first, second = list(s), list(s)
    >>> ds.epoch, sorted(first) == list(range(len(ds))), first != second
    (1, True, True)
    """

    def __init__(self, dataset: ResampledDataset, shuffle: bool = True) -> None:
        if not isinstance(dataset, ResampledDataset):
            raise InvalidParameterError(
                f"EpochSampler iterates a ResampledDataset; got {type(dataset).__name__}."
            )
        if not isinstance(shuffle, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The 'shuffle' parameter of EpochSampler must be a bool; got {short_repr(shuffle)}."
            )
        self.dataset = dataset
        self.shuffle = bool(shuffle)

    def set_epoch(self, epoch: int) -> None:
        """Make the next pass epoch ``epoch`` (``dataset.set_epoch``)."""
        self.dataset.set_epoch(epoch)

    def __iter__(self) -> Iterator[int]:
        epoch = self.dataset.begin_pass()
        n = len(self.dataset)
        if not self.shuffle:
            yield from range(n)
            return
        rng = np.random.default_rng(
            [self.dataset.seed + epoch, 1]
        )  # a stream apart from the plan's
        yield from rng.permutation(n).tolist()

    def __len__(self) -> int:
        return len(self.dataset)


def _as_scalar(value: Any) -> Any:
    if is_torch_tensor(value) or isinstance(value, np.ndarray):
        return value.item()
    return value
