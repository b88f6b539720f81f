"""Prior-corrected cross-entropy: balanced softmax (Ren et al.) and logit adjustment (Menon et al.)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from .._types import ArrayLike, Reduction
from .._validation import short_repr
from ._common import (
    LOSSES,
    LossModule,
    check_class_vector,
    check_finite_float,
    check_label_smoothing,
    prior_from_counts,
)
from .functional import _logit_adjusted

__all__ = ["BalancedSoftmaxLoss", "LogitAdjustedLoss"]


class _PriorLoss(LossModule):
    """Cross-entropy on ``logits + tau * log(prior)``; ``prior`` is a buffer summing to 1."""

    def induced_prior(self, prior: Any = None) -> np.ndarray:
        r"""The class prior that the raw logits of a model trained with this loss estimate.

        Training makes :math:`\mathrm{softmax}(z + \tau \log\pi)` the posterior, so
        :math:`\mathrm{softmax}(z)_c \propto p(x \mid c)\, q_c\, \pi_c^{-\tau}` (Menon et al.
        2021; Ren et al. 2020). See :func:`equipoise.calibration.induced_prior`.

        Parameters
        ----------
        prior : array-like of shape (n_classes,), optional
            The prior :math:`q` of the data the loss sees (default: the loss's own :math:`\pi`).

        Returns
        -------
        numpy.ndarray of float64
            Proportional to :math:`q\, \pi^{-\tau}`, summing to one (uniform at
            :math:`\tau = 1` on the loss's own prior).
        """
        from ..calibration import induced_prior

        return induced_prior(self, prior=prior)

    _tau: float = 1.0

    prior: torch.Tensor

    def __init__(
        self, prior: torch.Tensor, reduction: Reduction, ignore_index: int, label_smoothing: float
    ) -> None:
        owner = type(self).__name__
        super().__init__(reduction=reduction, ignore_index=ignore_index)
        prior = check_class_vector(owner, "prior", prior, positive=True)
        self.label_smoothing = check_label_smoothing(owner, label_smoothing)
        self.register_buffer("prior", prior / prior.sum())

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of logits ``input`` (N, C, d1, ...) against ``target`` (class indices or probabilities)."""
        return _logit_adjusted(
            input,
            target,
            self.prior,
            self._tau,
            self.reduction,
            self.ignore_index,
            type(self).__name__,
            self.label_smoothing,
        )

    def _smoothing_repr(self) -> str:
        return f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""


@LOSSES.register("balanced-softmax")
class BalancedSoftmaxLoss(_PriorLoss):
    r"""Balanced softmax cross-entropy (Ren et al. 2020).

    .. math:: \ell_i = -\log \frac{\pi_{y_i} e^{x_{i,y_i}}}{\sum_j \pi_j e^{x_{i,j}}}
              = \mathrm{CE}(x_i + \log \pi,\ y_i), \qquad \pi_c = n_c / n

    Train with it, predict with the raw logits (which then estimate the balanced posterior).
    A uniform prior gives cross-entropy.

    Parameters
    ----------
    prior : tensor of shape (C,)
        Positive class prior; stored (as a buffer) rescaled to sum to 1.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Cross-entropy on the adjusted logits with a smoothed target.

    Takes what ``torch.nn.CrossEntropyLoss`` takes: logits ``(N, C, d1, ...)``, class indices of
    any integer dtype, or class probabilities (mixup).

    Attributes
    ----------
    prior : torch.Tensor (buffer)

    References
    ----------
    .. [1] J. Ren, C. Yu, S. Sheng, X. Ma, H. Zhao, S. Yi and H. Li, "Balanced Meta-Softmax for
       Long-Tailed Visual Recognition", NeurIPS 2020.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import BalancedSoftmaxLoss
    >>> loss = BalancedSoftmaxLoss.from_counts([75, 25])
    >>> round(loss(torch.zeros(1, 2), torch.tensor([1])).item(), 4)  # -log 0.25
    1.3863
    """

    def __init__(
        self,
        prior: torch.Tensor,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(prior, reduction, ignore_index, label_smoothing)

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> BalancedSoftmaxLoss:
        """Build from class counts: :math:`\\pi_c = n_c / n`."""
        return cls(
            prior_from_counts(counts, cls.__name__),
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )

    def extra_repr(self) -> str:
        return f"reduction={short_repr(self.reduction)}, ignore_index={self.ignore_index}{self._smoothing_repr()}"


@LOSSES.register("logit-adjusted")
class LogitAdjustedLoss(_PriorLoss):
    r"""Logit-adjusted cross-entropy (Menon et al. 2021).

    .. math:: \ell_i = \mathrm{CE}(x_i + \tau \log \pi,\ y_i), \qquad \pi_c = n_c / n

    ``tau=1`` is the paper's default (and equals :class:`BalancedSoftmaxLoss`); ``tau=0`` is
    cross-entropy. Predict with the raw logits.

    Parameters
    ----------
    prior : tensor of shape (C,)
        Positive class prior; stored (as a buffer) rescaled to sum to 1.
    tau : float, default=1.0
        Finite temperature of the adjustment.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Cross-entropy on the adjusted logits with a smoothed target.

    Takes what ``torch.nn.CrossEntropyLoss`` takes: logits ``(N, C, d1, ...)``, class indices of
    any integer dtype, or class probabilities (mixup).

    Attributes
    ----------
    prior : torch.Tensor (buffer)

    References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and S. Kumar, "Long-Tail
       Learning via Logit Adjustment", ICLR 2021.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import LogitAdjustedLoss
    >>> loss = LogitAdjustedLoss.from_counts({"cat": 80, "dog": 20}, tau=1.0)
    >>> round(loss(torch.zeros(1, 2), torch.tensor([1])).item(), 4)  # -log 0.2
    1.6094
    """

    def __init__(
        self,
        prior: torch.Tensor,
        tau: float = 1.0,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(prior, reduction, ignore_index, label_smoothing)
        self._tau = check_finite_float(type(self).__name__, "tau", tau)

    @property
    def tau(self) -> float:
        """Temperature of the adjustment."""
        return self._tau

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        tau: float = 1.0,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> LogitAdjustedLoss:
        """Build from class counts: :math:`\\pi_c = n_c / n`."""
        return cls(
            prior_from_counts(counts, cls.__name__),
            tau=tau,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )

    def extra_repr(self) -> str:
        return f"tau={self.tau}, reduction={short_repr(self.reduction)}, ignore_index={self.ignore_index}{self._smoothing_repr()}"
