"""Class-balanced loss (Cui et al. 2019): effective-number weights on a base loss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from .._types import ArrayLike, Reduction
from .._validation import short_repr
from ..weights import class_weights
from ._common import LOSSES, LossModule, check_class_vector, check_param, counts_tensor
from .functional import CBBaseLoss, _class_balanced, check_cb_base, check_cb_smoothing

__all__ = ["ClassBalancedLoss"]


@LOSSES.register("class-balanced")
class ClassBalancedLoss(LossModule):
    r"""Class-balanced loss (Cui et al. 2019).

    .. math:: \ell_i = w_{y_i}\, L(x_i, y_i), \qquad
              w_c = C\,\frac{(1-\beta)/(1-\beta^{n_c})}{\sum_j (1-\beta)/(1-\beta^{n_j})}

    The weights use the *effective number of samples* :math:`(1-\beta^{n_c})/(1-\beta)` and are
    normalised to sum to the number of classes, as in the paper's code. Build it with
    :meth:`from_counts`; the constructor takes ready-made weights.

    Parameters
    ----------
    weight : tensor of shape (C,)
        Per-class weights :math:`w_c` (a buffer).
    loss : {'softmax', 'sigmoid', 'focal'}, default='softmax'
        Base loss :math:`L`: softmax cross-entropy; one-vs-all binary cross-entropy on the
        one-hot target summed over the classes (the paper's "sigmoid"); or the sigmoid focal
        loss summed over the classes (the paper's class-balanced focal loss).
    gamma : float >= 0, default=2.0
        Focusing parameter for ``loss='focal'``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples, **not** by the summed weights
        (unlike ``torch.nn.CrossEntropyLoss(weight=...)``): the weights change the loss scale.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Only with ``loss='softmax'`` (the base becomes the label-smoothed cross-entropy).

    Logits may be ``(N, C, d1, ...)`` with class indices ``(N, d1, ...)`` of any integer dtype.
    Probability targets raise an error: the weight :math:`w_{y_i}` belongs to one true class.

    Attributes
    ----------
    weight : torch.Tensor (buffer)

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced Loss Based on
       Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import ClassBalancedLoss
    >>> loss = ClassBalancedLoss.from_counts([900, 100], beta=0.999)
    >>> loss.weight.sum().item()
    2.0
    >>> logits = torch.randn(4, 2, generator=torch.Generator().manual_seed(0))
    >>> loss(logits, torch.tensor([0, 1, 1, 0])).ndim
    0
    """

    weight: torch.Tensor

    def __init__(
        self,
        weight: torch.Tensor,
        loss: CBBaseLoss = "softmax",
        gamma: float = 2.0,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        owner = type(self).__name__
        check_param(owner, gamma=gamma)
        super().__init__(reduction=reduction, ignore_index=ignore_index)
        self.loss = check_cb_base(owner, loss)
        self.label_smoothing = check_cb_smoothing(owner, self.loss, label_smoothing)
        self.gamma = float(gamma)
        self.register_buffer("weight", check_class_vector(owner, "weight", weight))

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        beta: float = 0.9999,
        loss: CBBaseLoss = "softmax",
        gamma: float = 2.0,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> ClassBalancedLoss:
        """Build from class counts with effective-number weights.

        Parameters
        ----------
        counts : list, array, tensor or {label: count}
            Training samples per class, in class order.
        beta : float in [0, 1), default=0.9999
            ``0`` gives equal weights (plain ``loss``); close to 1 approaches inverse frequency.
        loss, gamma, reduction, ignore_index, label_smoothing
            As in the constructor.
        """
        owner = cls.__name__
        check_param(owner, beta=beta)
        counts_tensor(counts, owner)  # the owner's name in count errors
        weight = class_weights(
            counts=counts,
            scheme="effective_number",
            beta=beta,
            normalize="classes",
            output="tensor",
        )
        return cls(
            weight.to(torch.get_default_dtype()),
            loss=loss,
            gamma=gamma,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of logits ``input`` (N, C, d1, ...) against class indices ``target`` (N, d1, ...)."""
        return _class_balanced(
            input,
            target,
            self.weight,
            self.loss,
            self.gamma,
            self.reduction,
            self.ignore_index,
            type(self).__name__,
            self.label_smoothing,
        )

    def extra_repr(self) -> str:
        return f"loss={short_repr(self.loss)}, gamma={self.gamma}, reduction={short_repr(self.reduction)}"
