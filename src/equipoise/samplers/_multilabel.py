"""Label-balanced sampling for multi-label targets (draw a label, then a row that has it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import Sampler

from .._validation import check_indicator_target, short_repr
from ..exceptions import InvalidParameterError
from ._distributed import _replicas_and_rank
from ._labels import (
    check_epoch,
    check_num_samples,
    check_q,
    check_seed_agreed,
    epoch_generator,
    seed_from,
)
from ._registry import SAMPLERS

__all__ = ["MultiLabelBalancedSampler"]


@SAMPLERS.register("multilabel-balanced")
class MultiLabelBalancedSampler(Sampler[int]):
    r"""Draw a label with probability :math:`\propto n_l^{\,1-q}`, then a row that has it.

    .. math::

        p_l = \frac{n_l^{\,1-q}}{\sum_{l'} n_{l'}^{\,1-q}}, \qquad
        P(\text{row } r) = \sum_{l \in Y_r} \frac{p_l}{n_l}

    with :math:`n_l` the number of rows that have label :math:`l` (labels with no row are never
    drawn). ``q`` means what it means for :class:`ClassBalancedSampler`: ``q=1`` (the default)
    draws every label equally often (class-aware sampling, Shen et al. 2016, the multi-label
    re-sampling of Wu et al. 2020), ``q=0.5`` by the square root of the label counts, ``q=0``
    as often as the labels occur (Kang et al. 2020's exponent :math:`n^{q'}` is ``q' = 1 - q``).
    A row with several labels can be drawn through any of them, so the label frequencies of the
    drawn rows are only roughly balanced when labels co-occur.

    Parameters
    ----------
    labels : indicator matrix of shape (n_samples, n_labels)
        0/1 (or bool) numpy array, tensor, scipy sparse matrix or pandas DataFrame.
    q : float, default=1.0
        The exponent above (a finite float; 1 = every label equally often, 0 = as they occur).
    num_samples : int, optional
        Indices per epoch (all ranks together when sharded); defaults to ``n_samples``.
    generator : torch.Generator, optional
        Source of the base seed (read once at construction); exclusive with ``seed``.
    seed : int, optional (keyword-only)
        The base seed. Required when sharding (the same on every rank).
    num_replicas, rank : int, optional (keyword-only)
        Shard the draw for ``torch.distributed`` as
        :class:`DistributedClassBalancedSampler` does: every rank draws the same global sample
        from ``seed + epoch`` (padded by repeating it to a multiple of ``num_replicas``) and
        takes every ``num_replicas``-th index starting at ``rank``. Give both, or neither (not
        sharded).

    Attributes
    ----------
    label_counts : numpy.ndarray
        Rows per label.
    seed : int
    epoch : int

    Notes
    -----
    The epoch rule of every equipoise sampler: the draw of epoch ``e`` depends only on
    ``(seed, e)``; ``set_epoch(e)`` names the next pass's epoch; an unsharded sampler's pass
    without ``set_epoch`` draws the previous pass's epoch + 1, a sharded one stays at the epoch
    last set (as ``DistributedSampler`` does).

    References
    ----------
    L. Shen, Z. Lin, Q. Huang. "Relay Backpropagation for Effective Learning of Deep
    Convolutional Neural Networks", ECCV 2016.
    T. Wu, Q. Huang, Z. Liu, Y. Wang, D. Lin. "Distribution-Balanced Loss for Multi-Label
    Classification in Long-Tailed Datasets", ECCV 2020.
    B. Kang et al. "Decoupling Representation and Classifier for Long-Tailed Recognition", ICLR 2020.

    Examples
    --------
    >>> import torch
    >>> Y = torch.tensor([[1, 0]] * 90 + [[0, 1]] * 10)
    >>> sampler = MultiLabelBalancedSampler(Y, q=1.0, seed=0)
    >>> [round(p, 2) for p in sampler.label_probabilities().tolist()]
    [0.5, 0.5]
    >>> len(list(sampler))
    100
    """

    yields_batches = False

    def __init__(
        self,
        labels: Any,
        q: float = 1.0,
        num_samples: int | None = None,
        generator: torch.Generator | None = None,
        *,
        seed: int | None = None,
        num_replicas: int | None = None,
        rank: int | None = None,
    ) -> None:
        owner = type(self).__name__
        self.q = check_q(q, owner)
        Y, self.label_names = check_indicator_target(labels, owner=owner)
        counts = Y.sum(axis=0).astype(np.int64)
        if not counts.any():
            raise InvalidParameterError(
                f"{owner} needs at least one positive label; every column of labels is 0."
            )
        self._counts = counts
        rows = [
            np.flatnonzero(Y[:, j]) for j in range(Y.shape[1])
        ]  # rows of each label, in label order
        self._rows = torch.as_tensor(np.concatenate(rows), dtype=torch.int64)
        self._offsets = torch.as_tensor(np.r_[0, np.cumsum(counts)[:-1]], dtype=torch.int64)
        self.num_samples_total = check_num_samples(num_samples, Y.shape[0], owner)
        self.sharded = num_replicas is not None or rank is not None
        if self.sharded:
            if num_replicas is None or rank is None:
                missing = "num_replicas" if num_replicas is None else "rank"
                raise InvalidParameterError(
                    f"{owner} shards the draw only with both 'num_replicas' and 'rank'; {short_repr(missing)} is missing."
                )
            self.num_replicas, self.rank = _replicas_and_rank(num_replicas, rank, owner)
            if seed is None:
                raise InvalidParameterError(
                    f"The 'seed' parameter of {owner} must be an int, the same on every rank, when sharding "
                    "(each rank draws the same global sample from seed + epoch); got None."
                )
        else:
            self.num_replicas, self.rank = 1, 0
        self.seed = seed_from(generator, seed, owner)
        self._implicit_seed = seed is None and generator is None
        self.epoch = 0

    @property
    def label_counts(self) -> np.ndarray:
        return self._counts.copy()

    def label_probabilities(self) -> torch.Tensor:
        """Probability of drawing each label (column order), float64; 0 for a label with no row."""
        counts = torch.as_tensor(self._counts, dtype=torch.float64)
        weights = torch.where(
            counts > 0, counts.clamp(min=1) ** (1.0 - self.q), torch.zeros_like(counts)
        )
        return weights / weights.sum()

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` return the draw of ``epoch``."""
        self.epoch = check_epoch(epoch, type(self).__name__)

    def global_indices(self, epoch: int | None = None) -> torch.Tensor:
        """The draw of ``epoch`` for all ranks together (int64), padded to a multiple of ``num_replicas``."""
        epoch = self.epoch if epoch is None else check_epoch(epoch, type(self).__name__)
        gen = epoch_generator(self.seed, epoch)
        labels = torch.multinomial(
            self.label_probabilities(), self.num_samples_total, replacement=True, generator=gen
        )
        counts = torch.as_tensor(self._counts)[labels]
        within = (
            torch.rand(self.num_samples_total, generator=gen, dtype=torch.float64) * counts
        ).long()
        drawn = self._rows[self._offsets[labels] + torch.minimum(within, counts - 1)]
        total = -(-drawn.numel() // self.num_replicas) * self.num_replicas
        if total > drawn.numel():
            drawn = drawn.repeat(-(-total // drawn.numel()))[:total]
        return drawn

    def sample_indices(self, epoch: int | None = None) -> torch.Tensor:
        """This rank's indices for ``epoch`` (default: the current one); no side effects."""
        drawn = self.global_indices(epoch)
        return drawn[self.rank :: self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        check_seed_agreed(self._implicit_seed, type(self).__name__)
        epoch = self.epoch
        if not self.sharded:
            self.epoch = epoch + 1
        yield from self.sample_indices(epoch).tolist()

    def __len__(self) -> int:
        return -(-self.num_samples_total // self.num_replicas)
