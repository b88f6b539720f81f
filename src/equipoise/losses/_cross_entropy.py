"""Plain cross-entropy, registered so every loss is built the same way (``from_counts``)."""

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
    check_label_smoothing,
    counts_tensor,
    resolve_weight,
)
from .functional import _cross_entropy

__all__ = ["CrossEntropyLoss"]


@LOSSES.register("cross-entropy")
class CrossEntropyLoss(LossModule):
    r"""Cross-entropy :math:`\ell_i = -w_{y_i} \log \mathrm{softmax}(x_i)_{y_i}`: the baseline.

    The same numbers as ``torch.nn.CrossEntropyLoss``, for the same inputs (logits
    ``(N, C, d1, ...)``, class indices of any integer dtype or class probabilities), plus
    :meth:`from_counts` (where ``weight`` may name a weight scheme), :meth:`set_weight` (for
    deferred re-weighting) and equipoise's input checks.

    Parameters
    ----------
    weight : tensor of shape (C,), optional
        Per-class weight (a buffer).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        torch's rule: with ``weight``, 'mean' divides by :math:`\sum_i w_{y_i}` over the batch's
        non-ignored targets (not by the batch size); without, by their number.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        As in ``torch.nn.CrossEntropyLoss``.

    Attributes
    ----------
    weight : torch.Tensor (buffer) or None

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import CrossEntropyLoss
    >>> loss = CrossEntropyLoss.from_counts([900, 100], weight="balanced")
    >>> [round(w, 2) for w in loss.weight.tolist()]
    [0.2, 1.8]
    """

    def induced_prior(self, prior: Any) -> np.ndarray:
        r"""The class prior a model trained with this (weighted) cross-entropy learns.

        Weighting class :math:`c` by :math:`w_c` acts as re-sampling it :math:`w_c`-fold (Elkan
        2001), so the learned prior is proportional to :math:`\pi_c w_c`. See
        :func:`equipoise.calibration.induced_prior`.

        Parameters
        ----------
        prior : array-like of shape (n_classes,)
            The class prior :math:`\pi` of the training data.

        Returns
        -------
        numpy.ndarray of float64
            One probability per class, summing to one.
        """
        from ..calibration import induced_prior

        return induced_prior(self, prior=prior)

    _optional_buffers = ("weight",)

    weight: torch.Tensor | None

    def __init__(
        self,
        weight: torch.Tensor | None = None,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        owner = type(self).__name__
        super().__init__(reduction=reduction, ignore_index=ignore_index)
        self.label_smoothing = check_label_smoothing(owner, label_smoothing)
        self.register_buffer("weight", check_class_vector(owner, "weight", weight))

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        weight: str | torch.Tensor | None = None,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> CrossEntropyLoss:
        """Build from class counts; ``weight`` may be a :data:`~equipoise.weights.WEIGHT_SCHEMES` name.

        A scheme name is computed from ``counts`` and normalised to mean 1 over classes.
        """
        owner = cls.__name__
        n_classes = len(counts_tensor(counts, owner))
        weight = resolve_weight(owner, weight, counts, n_classes)
        return cls(
            weight=weight,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )

    def set_weight(self, weight: torch.Tensor | None) -> None:
        """Replace the per-class weight (None switches weighting off), e.g. for DRW."""
        self.weight = self._checked_weight(weight)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of logits ``input`` (N, C, d1, ...) against ``target`` (class indices or probabilities)."""
        return _cross_entropy(
            input,
            target,
            self.weight,
            self.reduction,
            self.ignore_index,
            type(self).__name__,
            self.label_smoothing,
        )

    def extra_repr(self) -> str:
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return f"reduction={short_repr(self.reduction)}, ignore_index={self.ignore_index}, weighted={self.weight is not None}{smoothing}"
