"""Batches with a fixed per-class quota (the "PK" sampler)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import Sampler

from ..exceptions import InvalidParameterError
from ._draw import shuffle_within_classes
from ._labels import build_class_index, check_epoch, epoch_generator, seed_from
from ._registry import SAMPLERS

__all__ = ["BalancedBatchSampler"]

_CHUNK_ELEMENTS = 2**22  # batches are built in chunks of about this many slots/keys


def _positive_int_or_none(value: Any, name: str, owner: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a positive int or None; got {value!r}."
        )
    return int(value)


@SAMPLERS.register("balanced-batch")
class BalancedBatchSampler(Sampler[list[int]]):
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

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Class of each dataset row.
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
        Randomness as in :class:`ClassBalancedSampler`: epoch ``e`` uses ``seed + e``.

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
    ) -> None:
        owner = type(self).__name__
        batch_size = _positive_int_or_none(batch_size, "batch_size", owner)
        if batch_size is None:
            raise InvalidParameterError(f"The 'batch_size' parameter of {owner} must be a positive int; got None.")
        P = _positive_int_or_none(classes_per_batch, "classes_per_batch", owner)
        K = _positive_int_or_none(samples_per_class, "samples_per_class", owner)
        self._index = build_class_index(labels, owner=owner)
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
        default_batches = max(self._index.n_samples // batch_size, 1)
        num_batches = _positive_int_or_none(num_batches, "num_batches", owner)
        self.batch_size = batch_size
        self.classes_per_batch = P
        self.samples_per_class = K
        self.num_batches = default_batches if num_batches is None else num_batches
        self.seed = seed_from(generator, seed, owner)
        self.epoch = 0

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
        while done < self.num_batches:
            nb = min(chunk, self.num_batches - done)
            done += nb
            # the P classes with the smallest uniform keys: a uniform subset, in random order
            keys = torch.rand(nb, k, generator=gen).numpy()
            if P < k:
                part = np.argpartition(keys, P - 1, axis=1)[:, :P]
                chosen = np.take_along_axis(part, np.argsort(np.take_along_axis(keys, part, 1), 1), 1)
            else:
                chosen = np.argsort(keys, axis=1)
            counts = counts_all[chosen]
            u = torch.rand(nb, P, dtype=torch.float64, generator=gen).numpy()
            first = np.minimum((u * counts).astype(np.int64), counts - 1)  # random start per block
            pos = (first[:, column] + within) % counts[:, column]
            yield rows[offsets_all[chosen[:, column]] + pos]

    def __iter__(self) -> Iterator[list[int]]:
        epoch = self.epoch
        self.epoch = epoch + 1
        for block in self.batch_indices(epoch):
            yield from block.tolist()

    def __len__(self) -> int:
        return self.num_batches
