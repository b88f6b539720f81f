"""Batches with a fixed per-class quota (the "PK" sampler), in one process or sharded over DDP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import BatchSampler, DistributedSampler, Sampler

from .._validation import Interval, short_repr, validate_params
from ..exceptions import InvalidParameterError
from ._distributed import _replicas_and_rank
from ._draw import shuffle_within_classes
from ._labels import (
    LabelsFrom,
    build_class_index,
    check_epoch,
    check_seed_agreed,
    epoch_generator,
    seed_from,
)
from ._registry import SAMPLERS

__all__ = ["BalancedBatchSampler", "DistributedBalancedBatchSampler"]

_CHUNK_ELEMENTS = 2**22  # batches are built in chunks of about this many slots/keys


_POSITIVE_INT_OR_NONE = Interval(int, 1, None, closed="left", description="a positive int or None")


def _positive_int_or_none(value: Any, name: str, owner: str) -> int | None:
    if value is None:
        return None
    validate_params(owner, {name: value}, {name: [_POSITIVE_INT_OR_NONE]})
    return int(value)


class _EpochHandle(Sampler[int]):
    """``batch_sampler.sampler`` of the quota samplers: where frameworks look for ``set_epoch``.

    Lightning and Accelerate call ``batch_sampler.sampler.set_epoch(epoch)``; this forwards it
    to the batch sampler. Iterating it gives the rows of the next pass, batch after batch.
    """

    def __init__(self, owner: BalancedBatchSampler) -> None:
        self._owner = owner

    def set_epoch(self, epoch: int) -> None:
        self._owner.set_epoch(epoch)

    def __iter__(self) -> Iterator[int]:
        for batch in self._owner:
            yield from batch

    def __len__(self) -> int:
        return len(self._owner) * self._owner.batch_size


def _check_sampler_arg(sampler: Any, owner: str) -> None:
    if sampler is not None and not isinstance(sampler, Sampler):
        raise InvalidParameterError(
            f"The 'sampler' parameter of {owner} must be None or a torch Sampler (Lightning passes a "
            f"DistributedSampler here); got {type(sampler).__name__}."
        )


def _refuse_sampler_as_labels(labels: Any, owner: str) -> None:
    if isinstance(labels, Sampler):
        # Lightning re-creates unknown batch samplers as cls(sampler, batch_size=..., drop_last=...)
        # when it could not record their arguments (built outside a *_dataloader hook).
        raise TypeError(
            f"{owner} got a {type(labels).__name__} where it expects the labels: a framework tried to "
            f"re-create it as {owner}(sampler, batch_size=..., drop_last=...). With Lightning, build it "
            "inside the LightningModule's or LightningDataModule's train_dataloader() so Lightning "
            "records its arguments, or use Trainer(use_distributed_sampler=False) with "
            "DistributedBalancedBatchSampler, which shards itself."
        )


@SAMPLERS.register("balanced-batch")
class BalancedBatchSampler(BatchSampler):
    r"""Yield batches (lists of row indices) that each hold a fixed quota of every chosen class.

    Every batch holds ``P = classes_per_batch`` classes, picked uniformly at random without
    replacement for that batch, and ``batch_size`` rows split among them as evenly as possible:
    each chosen class gets ``batch_size // P`` rows and ``batch_size % P`` of them (chosen at
    random per batch) one more. With ``samples_per_class = K`` and ``P * K == batch_size`` this
    is the "PK" batch of metric learning [1]_; with ``classes_per_batch=None`` every class is
    in every batch.

    Rows of a class are taken as ``K`` consecutive entries (cyclically) from a random order of
    that class, reshuffled every epoch, starting at a uniformly random position. So the rows of
    a class in one batch are distinct whenever the class has at least ``K`` rows (otherwise its
    rows are all used, some repeated evenly), and every row of a class is equally likely.

    It subclasses :class:`torch.utils.data.BatchSampler` (frameworks such as Lightning only
    re-create batch samplers of that type) and ``batch_sampler.sampler.set_epoch`` reaches it.
    It is a single-process sampler: under DDP every rank would draw the same batches, so when
    Lightning injects a ``DistributedSampler`` of more than one replica it raises and points to
    :class:`DistributedBalancedBatchSampler`.

    Parameters
    ----------
    labels : labels of shape (n_samples,), or a dataset
        Class of each dataset row, or the dataset (see :class:`ClassBalancedSampler`).
    batch_size : int
        Rows per batch.
    classes_per_batch : int, optional
        ``P``. Default: ``batch_size // samples_per_class`` if that is given, else all classes.
    samples_per_class : int, optional
        ``K``. When given, ``batch_size`` must equal ``P * K``.
    num_batches : int, optional
        Batches per epoch; default ``len(labels) // batch_size`` (at least 1).
    generator : torch.Generator, optional
    seed : int, optional (keyword-only)
        Randomness as in :class:`ClassBalancedSampler`: epoch ``e`` uses ``seed + e``, and
        passes follow the epoch rule stated there.
    labels_from : str or callable, optional (keyword-only)
        Where the labels of a dataset are (see :class:`ClassBalancedSampler`).
    sampler : torch Sampler, optional (keyword-only)
        Only for frameworks that re-create batch samplers with a new ``sampler`` (Lightning): a
        ``DistributedSampler`` of more than one replica is refused; anything else is ignored,
        since the batches come from the labels.
    drop_last : bool, default=False (keyword-only)
        Accepted for ``BatchSampler`` compatibility; every batch is full, so there is nothing
        to drop.

    Raises
    ------
    InvalidParameterError
        For quotas that cannot be met: more classes per batch than classes, or than the batch
        has rows; ``batch_size`` not equal to ``P * K``.

    References
    ----------
    .. [1] A. Hermans, L. Beyer, B. Leibe. "In Defense of the Triplet Loss for Person
       Re-Identification", arXiv:1703.07737, 2017 (batches of P classes x K samples).

    Examples
    --------
    >>> y = [0] * 50 + [1] * 30 + [2] * 20
    >>> s = BalancedBatchSampler(y, batch_size=6, seed=0)
    >>> batch = next(iter(s))
    >>> sorted(y[i] for i in batch)
    [0, 0, 1, 1, 2, 2]
    """

    yields_batches = True

    def __init__(
        self,
        labels: Any,
        batch_size: int,
        classes_per_batch: int | None = None,
        samples_per_class: int | None = None,
        num_batches: int | None = None,
        generator: torch.Generator | None = None,
        *,
        seed: int | None = None,
        labels_from: LabelsFrom = None,
        sampler: Sampler | None = None,
        drop_last: bool = False,
    ) -> None:
        owner = type(self).__name__
        _refuse_sampler_as_labels(labels, owner)
        _check_sampler_arg(sampler, owner)
        if (
            type(self) is BalancedBatchSampler
            and isinstance(sampler, DistributedSampler)
            and sampler.num_replicas > 1
        ):
            raise InvalidParameterError(
                f"{owner} is a single-process sampler, but a DistributedSampler over "
                f"{sampler.num_replicas} replicas was passed to it (Lightning does so under DDP): every "
                "rank would draw the same batches. Use DistributedBalancedBatchSampler, which gives "
                "each rank its own share of one global draw."
            )
        if not isinstance(drop_last, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The 'drop_last' parameter of {owner} must be a bool; got {short_repr(drop_last)}."
            )
        checked_size = _positive_int_or_none(batch_size, "batch_size", owner)
        if checked_size is None:
            raise InvalidParameterError(
                f"The 'batch_size' parameter of {owner} must be a positive int; got None."
            )
        batch_size = checked_size
        P = _positive_int_or_none(classes_per_batch, "classes_per_batch", owner)
        K = _positive_int_or_none(samples_per_class, "samples_per_class", owner)
        self._index = build_class_index(labels, owner=owner, labels_from=labels_from)
        k = self._index.n_classes
        if P is None and K is not None:
            if batch_size % K:
                raise InvalidParameterError(
                    f"The 'batch_size' parameter of {owner} must be a multiple of samples_per_class={K}; "
                    f"got {batch_size}. Use batch_size={max(batch_size // K, 1) * K} or set classes_per_batch."
                )
            P = batch_size // K
        if P is None:
            P = k
            if batch_size < k:
                raise InvalidParameterError(
                    f"The 'batch_size' parameter of {owner} must be at least the number of classes ({k}) "
                    f"to put every class in every batch; got {batch_size}. Raise batch_size or set "
                    "classes_per_batch."
                )
        if P > k:
            raise InvalidParameterError(
                f"The 'classes_per_batch' parameter of {owner} must be at most the number of classes "
                f"in labels ({k}); got {P}."
            )
        if P > batch_size:
            raise InvalidParameterError(
                f"The 'classes_per_batch' parameter of {owner} must be at most batch_size={batch_size}; "
                f"got {P}."
            )
        if K is not None and P * K != batch_size:
            raise InvalidParameterError(
                f"The 'batch_size' parameter of {owner} must equal classes_per_batch x samples_per_class "
                f"= {P} x {K} = {P * K}; got {batch_size}."
            )
        num_batches = _positive_int_or_none(num_batches, "num_batches", owner)
        self.batch_size = batch_size
        self.drop_last = bool(drop_last)
        self.classes_per_batch = P
        self.samples_per_class = K
        self.num_batches = self._default_num_batches() if num_batches is None else num_batches
        self.seed = self._resolve_seed(generator, seed, owner)
        self._implicit_seed = seed is None and generator is None
        self.epoch = 0
        self.sampler = _EpochHandle(self)

    def _default_num_batches(self) -> int:
        return max(self._index.n_samples // self.batch_size, 1)

    def _resolve_seed(self, generator: torch.Generator | None, seed: int | None, owner: str) -> int:
        return seed_from(generator, seed, owner)

    @property
    def classes(self) -> np.ndarray:
        return self._index.classes

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` return the batches of ``epoch``."""
        self.epoch = check_epoch(epoch, type(self).__name__)

    def quotas(self) -> list[int]:
        """Rows per chosen class, largest first (``batch_size`` split over ``P`` classes)."""
        base, extra = divmod(self.batch_size, self.classes_per_batch)
        return [base + 1] * extra + [base] * (self.classes_per_batch - extra)

    def batch_indices(self, epoch: int | None = None) -> Iterator[np.ndarray]:
        """The batches of ``epoch`` as int64 arrays of shape (n, batch_size); no side effects."""
        epoch = self.epoch if epoch is None else check_epoch(epoch, type(self).__name__)
        return self._draw(epoch, self.num_batches)

    def _draw(self, epoch: int, num_batches: int) -> Iterator[np.ndarray]:
        """``num_batches`` batches of ``epoch``, in blocks (int64 arrays of shape (n, batch_size))."""
        gen = epoch_generator(self.seed, epoch)
        idx = self._index
        rows = shuffle_within_classes(idx, gen).numpy()
        counts_all, offsets_all = idx.counts.numpy(), idx.offsets.numpy()
        quotas = np.array(self.quotas())
        P, B, k = self.classes_per_batch, self.batch_size, idx.n_classes
        column = np.repeat(np.arange(P), quotas)  # slot -> position of its class in the batch
        within = np.arange(B) - (np.cumsum(quotas) - quotas)[column]  # offset inside the block
        chunk = max(_CHUNK_ELEMENTS // max(k, B), 1)
        done = 0
        while done < num_batches:
            nb = min(chunk, num_batches - done)
            done += nb
            # the P classes with the smallest uniform keys: a uniform subset, in random order
            keys = torch.rand(nb, k, generator=gen).numpy()
            if P < k:
                part = np.argpartition(keys, P - 1, axis=1)[:, :P]
                chosen = np.take_along_axis(
                    part, np.argsort(np.take_along_axis(keys, part, 1), 1), 1
                )
            else:
                chosen = np.argsort(keys, axis=1)
            counts = counts_all[chosen]
            u = torch.rand(nb, P, dtype=torch.float64, generator=gen).numpy()
            first = np.minimum((u * counts).astype(np.int64), counts - 1)  # random start per block
            pos = (first[:, column] + within) % counts[:, column]
            yield rows[offsets_all[chosen[:, column]] + pos]

    def __iter__(self) -> Iterator[list[int]]:
        check_seed_agreed(self._implicit_seed, type(self).__name__)
        epoch = self.epoch
        self.epoch = epoch + 1
        for block in self.batch_indices(epoch):
            yield from block.tolist()

    def __len__(self) -> int:
        return self.num_batches


@SAMPLERS.register("distributed-balanced-batch")
class DistributedBalancedBatchSampler(BalancedBatchSampler):
    r"""Per-class quota batches (P x K) for DDP: each rank its own share of one global draw.

    Every rank draws the same ``num_batches * num_replicas`` batches of epoch ``e`` from
    ``seed + e``, exactly as :class:`BalancedBatchSampler` would, and rank ``r`` takes batches
    ``r, r + num_replicas, ...``. So every local batch holds the quota of every chosen class
    (with ``classes_per_batch=None``, every class), the ranks' batches are disjoint positions of
    one draw, and all ranks yield ``num_batches`` batches.

    The epoch follows ``DistributedSampler``: it changes only through ``set_epoch`` (never by
    iterating), so an extra pass on one rank cannot desynchronise the shards. Lightning and
    Accelerate call ``set_epoch`` for you; it reaches this sampler through
    ``batch_sampler.sampler.set_epoch`` too.

    It subclasses :class:`torch.utils.data.BatchSampler`. Under Lightning with
    ``use_distributed_sampler=True`` (the default), build it inside ``train_dataloader()``:
    Lightning re-creates it with its ``DistributedSampler`` as ``sampler=``, from which the world
    size and rank are read. With ``use_distributed_sampler=False`` build it anywhere; the
    world size and rank come from the process group.

    Parameters
    ----------
    labels : labels of shape (n_samples,), or a dataset
        The full dataset's labels, the same on every rank (or the dataset; see
        :class:`ClassBalancedSampler`).
    batch_size, classes_per_batch, samples_per_class
        As in :class:`BalancedBatchSampler`: the quota of each *local* batch.
    num_batches : int, optional
        Batches per rank per epoch (``len(self)``); default
        ``len(labels) // (batch_size * num_replicas)``, at least 1, so that one epoch of all
        ranks together covers about as many rows as the dataset has.
    num_replicas, rank : int, optional
        Default to the ``sampler`` given, else to the initialised process group.
    seed : int, default=0
        Must be the same on every rank (as ``DistributedSampler``'s).
    labels_from, sampler, drop_last
        As in :class:`BalancedBatchSampler` (``sampler``: a ``DistributedSampler`` gives
        ``num_replicas`` and ``rank``).

    Attributes
    ----------
    epoch : int
        The epoch the next pass draws; only ``set_epoch`` changes it.

    Examples
    --------
    >>> y = [0] * 60 + [1] * 30 + [2] * 10
    >>> r0 = DistributedBalancedBatchSampler(y, batch_size=6, num_replicas=2, rank=0, seed=3)
    >>> r1 = DistributedBalancedBatchSampler(y, batch_size=6, num_replicas=2, rank=1, seed=3)
    >>> len(r0), sorted(y[i] for i in next(iter(r0)))
    (8, [0, 0, 1, 1, 2, 2])
    >>> whole = list(BalancedBatchSampler(y, batch_size=6, num_batches=16, seed=3))
    >>> list(r0) == whole[0::2] and list(r1) == whole[1::2]
    True
    """

    def __init__(
        self,
        labels: Any,
        batch_size: int,
        classes_per_batch: int | None = None,
        samples_per_class: int | None = None,
        num_batches: int | None = None,
        num_replicas: int | None = None,
        rank: int | None = None,
        seed: int = 0,
        *,
        labels_from: LabelsFrom = None,
        sampler: Sampler | None = None,
        drop_last: bool = False,
    ) -> None:
        owner = type(self).__name__
        _refuse_sampler_as_labels(labels, owner)
        _check_sampler_arg(sampler, owner)
        if isinstance(sampler, DistributedSampler):
            for name, given, injected in (
                ("num_replicas", num_replicas, sampler.num_replicas),
                ("rank", rank, sampler.rank),
            ):
                if given is not None and given != injected:
                    raise InvalidParameterError(
                        f"The {short_repr(name)} parameter of {owner} is {given} but the DistributedSampler passed "
                        f"as 'sampler' has {name}={injected}; give one of them."
                    )
            num_replicas, rank = sampler.num_replicas, sampler.rank
        self.num_replicas, self.rank = _replicas_and_rank(num_replicas, rank, owner)
        if seed is None:
            raise InvalidParameterError(
                f"The 'seed' parameter of {owner} must be a non-negative int, the same on every rank "
                "(each rank draws the same global batches from seed + epoch); got None."
            )
        super().__init__(
            labels,
            batch_size,
            classes_per_batch,
            samples_per_class,
            num_batches,
            seed=seed,
            labels_from=labels_from,
            sampler=sampler,
            drop_last=drop_last,
        )

    def _default_num_batches(self) -> int:
        return max(self._index.n_samples // (self.batch_size * self.num_replicas), 1)

    def set_epoch(self, epoch: int) -> None:
        """Make every following pass return this rank's batches of ``epoch``."""
        self.epoch = check_epoch(epoch, type(self).__name__)

    def global_batch_indices(self, epoch: int | None = None) -> Iterator[np.ndarray]:
        """All ranks' batches of ``epoch`` (``num_batches * num_replicas`` of them), in blocks."""
        epoch = self.epoch if epoch is None else check_epoch(epoch, type(self).__name__)
        return self._draw(epoch, self.num_batches * self.num_replicas)

    def batch_indices(self, epoch: int | None = None) -> Iterator[np.ndarray]:
        """This rank's batches of ``epoch`` as int64 arrays of shape (n, batch_size); no side effects."""
        start = 0
        for block in self.global_batch_indices(epoch):
            first = (self.rank - start) % self.num_replicas
            start += len(block)
            yield block[first :: self.num_replicas]

    def __iter__(self) -> Iterator[list[int]]:
        for block in self.batch_indices(self.epoch):
            yield from block.tolist()
