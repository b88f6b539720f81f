"""Class-balanced (q) sampling and its progressive schedule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import Sampler

from .._validation import Interval, short_repr, validate_params
from ..exceptions import InvalidParameterError
from ._draw import draw_indices
from ._labels import (
    LabelsFrom,
    build_class_index,
    check_epoch,
    check_num_samples,
    check_q,
    check_seed_agreed,
    class_probabilities,
    epoch_generator,
    seed_from,
)
from ._registry import SAMPLERS

__all__ = ["ClassBalancedSampler", "ProgressiveSampler"]


@SAMPLERS.register("class-balanced")
class ClassBalancedSampler(Sampler[int]):
    r"""Draw rows so that class :math:`j` is picked with probability :math:`\propto n_j^{1-q}`.

    Each row of class :math:`j` is then drawn with probability proportional to
    :math:`n_j^{-q}`:

    .. math::

        p_j = \frac{n_j^{\,1-q}}{\sum_i n_i^{\,1-q}}, \qquad
        P(\text{row } r) = \frac{p_{y_r}}{n_{y_r}}

    ``q=0`` is instance-balanced (the data's own proportions), ``q=0.5`` square-root sampling,
    ``q=1`` class-balanced (every class equally often) [1]_ [2]_.

    The class is drawn first (``torch.multinomial`` over the k classes), then a row uniformly
    within the class, so the cost is O(num_samples) and there is no limit on the number of rows
    (``WeightedRandomSampler`` stops at 2**24).

    Parameters
    ----------
    labels : labels of shape (n_samples,), or a dataset
        Class of each dataset row (ints, strings, ...), in dataset order: a list, numpy array,
        tensor or pandas Series; or the dataset itself, whose labels are read from its
        ``get_labels()``, ``targets`` or ``labels`` (a ``TensorDataset``'s second tensor, a
        ``Subset``'s parent, a ``ConcatDataset``'s parts, a Hugging Face dataset's ``label``
        column); or a pandas DataFrame with ``labels_from`` naming the column.
    q : float, default=1.0
        The exponent above.
    num_samples : int, optional
        Indices per epoch; defaults to ``len(labels)``.
    replacement : bool, default=True
        True: rows are drawn independently. False: the per-class totals are drawn the same
        way, but within a class rows are used without replacement until the class is
        exhausted, then reused evenly (each row ``floor(m_j/n_j)`` or ``ceil(m_j/n_j)`` times
        for ``m_j`` draws of class j), and the whole epoch is shuffled.
    generator : torch.Generator, optional
        Source of the base seed (one integer is drawn from it at construction, and never again).
        With neither ``generator`` nor ``seed``, the base seed comes from torch's default
        generator, so ``torch.manual_seed`` makes runs reproducible.
    seed : int, optional (keyword-only)
        The base seed itself; exclusive with ``generator``. Under ``torch.distributed`` give a
        seed (the same on every rank): with neither ``seed`` nor ``generator`` each process
        would draw its own, so the sampler raises rather than let the ranks disagree.
    labels_from : str or callable, optional (keyword-only)
        Where the labels of a dataset are: a column of a DataFrame (or of a Hugging Face
        dataset), an attribute name, or a callable ``dataset -> labels``.

    Attributes
    ----------
    classes : numpy.ndarray
        Sorted distinct labels.
    class_counts : numpy.ndarray
        Rows per class.
    seed : int
        The resolved base seed.
    epoch : int
        The epoch whose draw the next ``iter()`` returns.

    Notes
    -----
    **The epoch rule** (the same for every sampler and for
    :class:`equipoise.online.ResampledDataset`). The draw of epoch ``e`` depends only on
    ``(seed, e)``: it uses a private ``torch.Generator().manual_seed(seed + e)``.
    ``set_epoch(e)`` says which epoch the next pass (``iter()``) draws. A pass not preceded by
    ``set_epoch`` draws the epoch after the previous pass's, like ``WeightedRandomSampler``
    gives a fresh draw on every pass: a loop that never calls ``set_epoch`` still gets a new
    draw each epoch, and a loop that does (Lightning, Accelerate) gets exactly epoch ``e``.
    Distributed samplers are the exception: like ``DistributedSampler`` they stay at the
    epoch last set.

    References
    ----------
    .. [1] B. Kang, S. Xie, M. Rohrbach, Z. Yan, A. Gordo, J. Feng, Y. Kalantidis.
       "Decoupling Representation and Classifier for Long-Tailed Recognition", ICLR 2020.
    .. [2] D. Mahajan, R. Girshick, V. Ramanathan, K. He, M. Paluri, Y. Li, A. Bharambe,
       L. van der Maaten. "Exploring the Limits of Weakly Supervised Pretraining", ECCV 2018.

    Examples
    --------
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> import torch
    >>> y = torch.tensor([0] * 90 + [1] * 10)
    >>> sampler = ClassBalancedSampler(y, q=1.0, seed=0)
    >>> loader = DataLoader(TensorDataset(torch.randn(100, 3), y), batch_size=20, sampler=sampler)
    >>> sum(len(b[1]) for b in loader)
    100
    >>> [round(p, 3) for p in sampler.class_probabilities().tolist()]
    [0.5, 0.5]
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
        num_samples: int | None = None,
        replacement: bool = True,
        generator: torch.Generator | None = None,
        *,
        seed: int | None = None,
        labels_from: LabelsFrom = None,
    ) -> None:
        owner = type(self).__name__
        self.q = check_q(q, owner)
        if not isinstance(replacement, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The 'replacement' parameter of {owner} must be a bool; got {short_repr(replacement)}."
            )
        self.replacement = bool(replacement)
        self._index = build_class_index(labels, owner=owner, labels_from=labels_from)
        self.num_samples = check_num_samples(num_samples, self._index.n_samples, owner)
        self.seed = seed_from(generator, seed, owner)
        self._implicit_seed = seed is None and generator is None
        self.epoch = 0

    @property
    def classes(self) -> np.ndarray:
        return self._index.classes

    @property
    def class_counts(self) -> np.ndarray:
        return self._index.counts.numpy().copy()

    def class_probabilities(self, epoch: int | None = None) -> torch.Tensor:
        """Probability of drawing each class (in ``classes`` order) at ``epoch`` (float64)."""
        return class_probabilities(self._index.counts, self.q)

    def set_epoch(self, epoch: int) -> None:
        """Make the next ``iter()`` return the draw of ``epoch``."""
        self.epoch = check_epoch(epoch, type(self).__name__)

    def sample_indices(self, epoch: int | None = None) -> torch.Tensor:
        """The draw of ``epoch`` (default: the current epoch) as an int64 tensor; no side effects."""
        epoch = self.epoch if epoch is None else check_epoch(epoch, type(self).__name__)
        return draw_indices(
            self._index,
            self.class_probabilities(epoch),
            self.num_samples,
            replacement=self.replacement,
            generator=epoch_generator(self.seed, epoch),
        )

    def __iter__(self) -> Iterator[int]:
        check_seed_agreed(self._implicit_seed, type(self).__name__)
        epoch = self.epoch
        self.epoch = epoch + 1
        yield from self.sample_indices(epoch).tolist()

    def __len__(self) -> int:
        return self.num_samples


@SAMPLERS.register("square-root")
def square_root_sampler(labels: Any, **params: Any) -> ClassBalancedSampler:
    """``ClassBalancedSampler`` with ``q=0.5``: class j drawn with probability ∝ sqrt(n_j) [1]_.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    **params
        Any other :class:`ClassBalancedSampler` argument (``num_samples``, ``generator``, ``seed``).

    Returns
    -------
    ClassBalancedSampler

    References
    ----------
    .. [1] D. Mahajan et al. "Exploring the Limits of Weakly Supervised Pretraining", ECCV 2018.
    """
    return ClassBalancedSampler(labels, **{"q": 0.5, **params})


@SAMPLERS.register("instance-balanced")
def instance_balanced_sampler(labels: Any, **params: Any) -> ClassBalancedSampler:
    """``ClassBalancedSampler`` with ``q=0``: rows drawn uniformly (the data's own proportions).

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    **params
        Any other :class:`ClassBalancedSampler` argument.

    Returns
    -------
    ClassBalancedSampler"""
    return ClassBalancedSampler(labels, **{"q": 0.0, **params})


SAMPLERS.register("sqrt", square_root_sampler)


@SAMPLERS.register("progressive")
class ProgressiveSampler(ClassBalancedSampler):
    r"""Move from instance-balanced to class-balanced sampling over the epochs.

    Progressively-balanced sampling [1]_ mixes the two class distributions linearly:

    .. math::

        p_j(t) = \Bigl(1 - \frac{t}{T}\Bigr)\, p_j^{(q_\text{start})}
                 + \frac{t}{T}\, p_j^{(q_\text{end})},
        \qquad p_j^{(q)} = \frac{n_j^{1-q}}{\sum_i n_i^{1-q}}

    with the defaults ``q_start=0`` (instance-balanced, :math:`p^{IB}`) and ``q_end=1``
    (class-balanced, :math:`p^{CB}`) as in the paper. Here ``t`` is the epoch (0-based) and
    ``T = num_epochs - 1``, so the first epoch is purely ``q_start`` and the last purely
    ``q_end``; epochs past the last stay at ``q_end``.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
    num_epochs : int
        Length of the schedule (>= 1; with 1 the only epoch uses ``q_end``).
    q_start, q_end : float, default=0.0 and 1.0
    num_samples, replacement, generator, seed, labels_from
        As in :class:`ClassBalancedSampler`.

    References
    ----------
    .. [1] B. Kang et al. "Decoupling Representation and Classifier for Long-Tailed
       Recognition", ICLR 2020, Section 3 (progressively-balanced sampling).

    Examples
    --------
    >>> s = ProgressiveSampler([0] * 9 + [1], num_epochs=3, seed=0)
    >>> [round(s.class_probabilities(e)[1].item(), 2) for e in range(3)]
    [0.1, 0.3, 0.5]
    """

    def __init__(
        self,
        labels: Any,
        num_epochs: int,
        q_start: float = 0.0,
        q_end: float = 1.0,
        num_samples: int | None = None,
        replacement: bool = True,
        generator: torch.Generator | None = None,
        *,
        seed: int | None = None,
        labels_from: LabelsFrom = None,
    ) -> None:
        owner = type(self).__name__
        validate_params(
            owner,
            {"num_epochs": num_epochs},
            {"num_epochs": [Interval(int, 1, None, closed="left", description="a positive int")]},
        )
        self.num_epochs = int(num_epochs)
        self.q_start = check_q(q_start, owner, "q_start")
        self.q_end = check_q(q_end, owner, "q_end")
        super().__init__(
            labels,
            q=self.q_end,
            num_samples=num_samples,
            replacement=replacement,
            generator=generator,
            seed=seed,
            labels_from=labels_from,
        )

    def mixing_weight(self, epoch: int) -> float:
        """``t / T`` of the formula, clipped to [0, 1]."""
        if self.num_epochs == 1:
            return 1.0
        return min(epoch / (self.num_epochs - 1), 1.0)

    def class_probabilities(self, epoch: int | None = None) -> torch.Tensor:
        """``p(t)`` of the formula at ``epoch`` (default: the current epoch)."""
        epoch = self.epoch if epoch is None else epoch
        alpha = self.mixing_weight(epoch)
        start = class_probabilities(self._index.counts, self.q_start)
        end = class_probabilities(self._index.counts, self.q_end)
        return (1.0 - alpha) * start + alpha * end
