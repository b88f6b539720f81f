"""Focal losses: multiclass :class:`FocalLoss` and sigmoid :class:`BinaryFocalLoss`."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import torch

from .._types import ArrayLike, Reduction
from .._validation import short_repr
from ._common import (
    LOSSES,
    LossModule,
    check_class_vector,
    check_label_smoothing,
    check_param,
    counts_tensor,
    resolve_weight,
)
from .functional import _binary_focal, _focal, check_alpha, check_binary_alpha

__all__ = ["BinaryFocalLoss", "FocalLoss"]


@LOSSES.register("focal")
class FocalLoss(LossModule):
    r"""Multiclass focal loss on logits (Lin et al. 2017).

    .. math:: \ell_i = -\alpha_{y_i}\, w_{y_i}\, (1 - p_{i,y_i})^\gamma \log p_{i,y_i},
              \qquad p_i = \mathrm{softmax}(x_i)

    Computed in log space (``log_softmax``). ``gamma=0`` without ``alpha``/``weight`` is
    cross-entropy. Takes what ``torch.nn.CrossEntropyLoss`` takes: logits ``(N, C, d1, ...)``,
    class indices of any integer dtype, or class probabilities, for which (as with
    ``label_smoothing``) the loss is :math:`-\sum_c q_c \alpha_c w_c (1-p_c)^\gamma \log p_c`
    (see :func:`equipoise.losses.functional.focal_loss`).

    Parameters
    ----------
    gamma : float >= 0, default=2.0
        Focusing parameter (the paper's default is 2).
    alpha : None, float >= 0 or tensor of shape (C,), default=None
        Per-class factor. A float scales every class alike: multiclass targets have no
        "positive" class, so the binary meaning of ``alpha`` does not apply (use
        :class:`BinaryFocalLoss` for it, or a per-class vector). Not part of the 'mean'
        denominator. A tensor is stored as a buffer.
    weight : tensor of shape (C,), optional
        Per-class weight with ``torch.nn.CrossEntropyLoss`` semantics: 'mean' divides by
        :math:`\sum_i w_{y_i}`. Stored as a buffer.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the summed weights of the non-ignored targets when ``weight`` is
        set, else by their number.
    ignore_index : int, default=-100
        Target value that is skipped.
    label_smoothing : float in [0, 1], default=0.0
        Mixes the target with the uniform distribution, as ``torch.nn.CrossEntropyLoss``.

    Attributes
    ----------
    alpha : torch.Tensor (buffer), float or None
    weight : torch.Tensor (buffer) or None

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal Loss for Dense Object
       Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import FocalLoss
    >>> loss = FocalLoss(gamma=2.0)
    >>> logits = torch.tensor([[0.0, 0.0]], requires_grad=True)
    >>> round(loss(logits, torch.tensor([0])).item(), 4)  # 0.5**2 * log 2
    0.1733
    """

    _optional_buffers = ("weight",)

    weight: torch.Tensor | None
    alpha: torch.Tensor | float | None

    def __init__(
        self,
        gamma: float = 2.0,
        alpha: float | torch.Tensor | None = None,
        weight: torch.Tensor | None = None,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        owner = type(self).__name__
        check_param(owner, gamma=gamma)
        super().__init__(reduction=reduction, ignore_index=ignore_index)
        self.gamma = float(gamma)
        self.label_smoothing = check_label_smoothing(owner, label_smoothing)
        alpha = check_alpha(owner, alpha)
        if isinstance(alpha, torch.Tensor):
            self.register_buffer("alpha", alpha)
        else:
            self.alpha = alpha
        self.register_buffer("weight", check_class_vector(owner, "weight", weight))

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        gamma: float = 2.0,
        alpha: float | str | torch.Tensor | None = None,
        weight: str | torch.Tensor | None = None,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> FocalLoss:
        """Build from class counts (only used for a scheme name in ``alpha``/``weight``).

        ``alpha`` or ``weight`` may name a :data:`equipoise.weights.WEIGHT_SCHEMES` entry
        (e.g. ``weight="balanced"``), computed from ``counts`` and normalised to mean 1 over
        classes. Otherwise the counts only fix the number of classes the vectors must match.
        """
        owner = cls.__name__
        n_classes = len(counts_tensor(counts, owner))
        if alpha is not None and not isinstance(alpha, numbers.Real):
            alpha = resolve_weight(owner, alpha, counts, n_classes, name="alpha")
        weight = resolve_weight(owner, weight, counts, n_classes)
        return cls(
            gamma=gamma,
            alpha=alpha,
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
        return _focal(
            input,
            target,
            self.gamma,
            self.alpha,
            self.weight,
            self.reduction,
            self.ignore_index,
            type(self).__name__,
            self.label_smoothing,
        )

    def extra_repr(self) -> str:
        alpha = "tensor" if isinstance(self.alpha, torch.Tensor) else self.alpha
        smoothing = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return (
            f"gamma={self.gamma}, alpha={alpha}, reduction={short_repr(self.reduction)}, "
            f"ignore_index={self.ignore_index}{smoothing}"
        )


class BinaryFocalLoss(LossModule):
    r"""Sigmoid focal loss for binary logits (Lin et al. 2017).

    .. math:: \ell = -\alpha_t (1 - p_t)^\gamma \log p_t, \quad p = \sigma(x),\;
              p_t = p\,t + (1-p)(1-t),\; \alpha_t = \alpha\,t + (1-\alpha)(1-t)

    The same formula and defaults as ``torchvision.ops.sigmoid_focal_loss`` (its
    ``alpha=-1`` is ``alpha=None`` here).

    Parameters
    ----------
    gamma : float >= 0, default=2.0
    alpha : float in [0, 1] or None, default=0.25
        Weight of the positive class; None switches class weighting off.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' averages over all elements.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import BinaryFocalLoss
    >>> loss = BinaryFocalLoss()
    >>> round(loss(torch.tensor([0.0, 0.0]), torch.tensor([1, 0])).item(), 6)
    0.086643
    """

    alpha: float | None

    def __init__(
        self, gamma: float = 2.0, alpha: float | None = 0.25, reduction: Reduction = "mean"
    ) -> None:
        owner = type(self).__name__
        check_param(owner, gamma=gamma)
        super().__init__(reduction=reduction)
        self.gamma = float(gamma)
        self.alpha = check_binary_alpha(owner, alpha)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of logits ``input`` ((N,), (N, 1) or any shape) against 0/1 ``target``."""
        return _binary_focal(
            input, target, self.gamma, self.alpha, self.reduction, type(self).__name__
        )

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, alpha={self.alpha}, reduction={short_repr(self.reduction)}"
