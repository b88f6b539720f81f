"""Class-balanced sampling under ``torch.distributed`` (DDP, torchrun, Lightning)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DistributedSampler

from .._validation import Interval, short_repr, validate_params
from ..exceptions import InvalidParameterError
from ._draw import draw_indices
from ._labels import (
    LabelsFrom,
    build_class_index,
    check_epoch,
    check_num_samples,
    check_q,
    class_probabilities,
    epoch_generator,
    seed_from,
)
from ._registry import SAMPLERS

__all__ = ["DistributedClassBalancedSampler"]

_INT = Interval(int, None, None, description="an int")


def _replicas_and_rank(num_replicas: Any, rank: Any, owner: str) -> tuple[int, int]:
    if num_replicas is None or rank is None:
        if not (dist.is_available() and dist.is_initialized()):
            missing = "num_replicas" if num_replicas is None else "rank"
            raise InvalidParameterError(
                f"{owner} needs the world size and rank: no torch.distributed process group is "
                f"initialised and {short_repr(missing)} was not given. Call "
                "torch.distributed.init_process_group(...) first (torchrun and Lightning do it for "
                "you), or pass num_replicas= and rank= explicitly."
            )
        num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
        rank = dist.get_rank() if rank is None else rank
    validate_params(
        owner,
        {"num_replicas": num_replicas, "rank": rank},
        {"num_replicas": [_INT], "rank": [_INT]},
    )
    if num_replicas < 1:
        raise InvalidParameterError(
            f"The 'num_replicas' parameter of {owner} must be a positive int; got {short_repr(num_replicas)}."
        )
    if not 0 <= rank < num_replicas:
        raise InvalidParameterError(
            f"The 'rank' parameter of {owner} must be in [0, {num_replicas - 1}] for "
            f"num_replicas={num_replicas}; got {short_repr(rank)}."
        )
    return int(num_replicas), int(rank)


@SAMPLERS.register("distributed-class-balanced")
class DistributedClassBalancedSampler(DistributedSampler):
    r"""Class-balanced sampling sharded across ``torch.distributed`` ranks.

    Every rank draws the same global sample of ``num_samples`` indices exactly as
    :class:`ClassBalancedSampler` would (class :math:`j` with probability
    :math:`\propto n_j^{1-q}`, then a uniform row of that class), from a generator seeded with
    ``seed + epoch``; the draw is padded by repeating its first indices (or, with
    ``drop_last=True``, truncated) to a multiple of ``num_replicas``, and rank ``r`` takes the
    strided shard ``indices[r::num_replicas]``. The shards are disjoint slices of one draw,
    every rank yields ``len(self)`` indices, and ``set_epoch`` gives a new draw. As in
    ``DistributedSampler``, only ``set_epoch`` changes the epoch: iterating does not, so one
    extra pass on one rank cannot desynchronise the shards.

    It subclasses :class:`torch.utils.data.DistributedSampler`, so Lightning, Hugging Face
    Accelerate and similar frameworks recognise it and leave it in place (and call
    ``set_epoch`` for you).

    Parameters
    ----------
    labels : labels of shape (n_samples,), or a dataset
        Class of each dataset row (the full dataset, the same on every rank), or the dataset
        (see :class:`ClassBalancedSampler`).
    q : float, default=1.0
        0 instance-balanced, 0.5 square-root, 1 class-balanced.
    num_replicas, rank : int, optional
        Default to the initialised process group's world size and rank.
    seed : int, default=0
        Must be the same on every rank.
    num_samples : int, optional
        Size of the *global* draw per epoch (default ``len(labels)``). Note that the attribute
        ``num_samples`` then holds the per-rank count, as in ``DistributedSampler``; the global
        size is ``global_num_samples``.
    drop_last : bool, default=False
        Truncate the global draw to a multiple of ``num_replicas`` instead of padding it.
    replacement : bool, default=True
        As in :class:`ClassBalancedSampler`.
    labels_from : str or callable, optional (keyword-only)
        Where the labels of a dataset are (see :class:`ClassBalancedSampler`).

    Attributes
    ----------
    num_samples : int
        Indices per rank per epoch (``len(self)``).
    total_size : int
        ``num_samples * num_replicas``.
    epoch : int
        The epoch of the next draw; only ``set_epoch(e)`` changes it (same ``e``, same shards).

    References
    ----------
    .. [1] B. Kang et al. "Decoupling Representation and Classifier for Long-Tailed
       Recognition", ICLR 2020.

    Examples
    --------
    >>> s0 = DistributedClassBalancedSampler([0] * 8 + [1] * 2, num_replicas=2, rank=0)
    >>> s1 = DistributedClassBalancedSampler([0] * 8 + [1] * 2, num_replicas=2, rank=1)
    >>> len(s0), len(s1)
    (5, 5)
    >>> a, b = list(s0), list(s1)
    >>> list(s0) == a  # iterating again: the same epoch, the same shard
    True
    >>> s0.set_epoch(1)
    >>> list(s0) == a
    False
    """

    def induced_prior(self) -> np.ndarray:
        """The class prior of the batches this sampler draws.

        The probability of drawing each class (:meth:`class_probabilities`); see
        :func:`equipoise.calibration.induced_prior`.

        Returns
        -------
        numpy.ndarray of float64
            One probability per class, in sorted class order, summing to one.
        """
        from ..calibration import induced_prior

        return induced_prior(self)

    yields_batches = False

    def __init__(
        self,
        labels: Any,
        q: float = 1.0,
        num_replicas: int | None = None,
        rank: int | None = None,
        seed: int = 0,
        num_samples: int | None = None,
        drop_last: bool = False,
        replacement: bool = True,
        *,
        labels_from: LabelsFrom = None,
    ) -> None:
        owner = type(self).__name__
        num_replicas, rank = _replicas_and_rank(num_replicas, rank, owner)
        self.q = check_q(q, owner)
        self._index = build_class_index(labels, owner=owner, labels_from=labels_from)
        total = check_num_samples(num_samples, self._index.n_samples, owner)
        if seed is None:
            raise InvalidParameterError(
                f"The 'seed' parameter of {owner} must be a non-negative int, the same on every rank "
                "(each rank draws the same global sample from seed + epoch); got None."
            )
        seed = seed_from(None, seed, owner)
        if drop_last and total < num_replicas:
            raise InvalidParameterError(
                f"{owner} with drop_last=True needs num_samples >= num_replicas ({num_replicas}) so "
                f"every rank gets at least one index; got num_samples={total}."
            )
        # DistributedSampler only takes len(dataset): give it the size of the global draw.
        # (a range is Sized, which is all DistributedSampler uses; its annotation asks for a Dataset)
        super().__init__(
            range(total),  # type: ignore[arg-type]
            num_replicas=num_replicas,
            rank=rank,
            shuffle=True,
            seed=seed,
            drop_last=bool(drop_last),
        )
        self.global_num_samples = total
        self.replacement = bool(replacement)

    @property
    def classes(self) -> np.ndarray:
        return self._index.classes

    def class_probabilities(self) -> torch.Tensor:
        """Probability of drawing each class (in ``classes`` order), float64."""
        return class_probabilities(self._index.counts, self.q)

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` return this rank's shard of the draw of ``epoch``."""
        self.epoch = check_epoch(epoch, type(self).__name__)

    def global_indices(self, epoch: int | None = None) -> torch.Tensor:
        """The padded/truncated global draw of ``epoch`` (identical on every rank)."""
        epoch = self.epoch if epoch is None else check_epoch(epoch, type(self).__name__)
        drawn = draw_indices(
            self._index,
            self.class_probabilities(),
            self.global_num_samples,
            replacement=self.replacement,
            generator=epoch_generator(self.seed, epoch),
        )
        if self.total_size <= drawn.numel():
            return drawn[: self.total_size]
        repeats = -(-self.total_size // drawn.numel())
        return drawn.repeat(repeats)[: self.total_size]

    def __iter__(self) -> Iterator[int]:
        shard = self.global_indices(self.epoch)[self.rank : self.total_size : self.num_replicas]
        yield from shard.tolist()

    def __len__(self) -> int:
        return self.num_samples
