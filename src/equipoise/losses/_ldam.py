"""LDAM loss (Cao et al. 2019), its deferred re-weighting schedule and the cosine classifier."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .._types import ArrayLike, Reduction
from .._validation import Interval, short_repr, validate_params
from ..weights import class_weights
from ._common import (
    LOSSES,
    LossModule,
    SupportsSetWeight,
    check_class_vector,
    check_label_smoothing,
    check_param,
    counts_tensor,
    resolve_weight,
)
from .functional import _ldam

__all__ = ["DeferredReweighting", "LDAMLoss", "NormedLinear", "ldam_margins"]


def ldam_margins(counts: ArrayLike | Mapping[Any, Any], max_m: float = 0.5) -> torch.Tensor:
    r"""LDAM margins :math:`m_c = C / n_c^{1/4}`, scaled so the largest equals ``max_m``.

    Parameters
    ----------
    counts : list, array, tensor or {label: count}
        Training samples per class (positive).
    max_m : float > 0, default=0.5
        Margin of the rarest class (Cao et al. use 0.5).

    Returns
    -------
    torch.Tensor of shape (C,), default float dtype

    Examples
    --------
    >>> from equipoise.losses import ldam_margins
    >>> ldam_margins([16, 1]).tolist()
    [0.25, 0.5]
    """
    check_param("ldam_margins", max_m=max_m)
    values = counts_tensor(counts, "ldam_margins")
    margins = values**-0.25
    margins = margins * (max_m / margins.max())
    return torch.as_tensor(margins, dtype=torch.get_default_dtype())


@LOSSES.register("ldam")
class LDAMLoss(LossModule):
    r"""Label-distribution-aware margin loss (Cao et al. 2019).

    .. math:: \ell_i = -\log \frac{e^{s (x_{i,y_i} - m_{y_i})}}
              {e^{s (x_{i,y_i} - m_{y_i})} + \sum_{j \ne y_i} e^{s\,x_{i,j}}},
              \qquad m_c \propto n_c^{-1/4},\ \max_c m_c = \text{max\_m}

    Cross-entropy on ``s * (logits - m_y * onehot(y))``. Meant for cosine logits in [-1, 1]
    from :class:`NormedLinear`: on a plain linear head, ``s=30`` makes training diverge.
    Build it with :meth:`from_counts`; pair it with :class:`DeferredReweighting` for LDAM-DRW.

    Parameters
    ----------
    margins : tensor of shape (C,)
        Non-negative per-class margins (a buffer).
    s : float > 0, default=30.0
        Logit scale.
    weight : tensor of shape (C,), optional
        Per-class weight (a buffer), replaceable with :meth:`set_weight`.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        torch's rule: with ``weight`` set, 'mean' divides by :math:`\sum_i w_{y_i}` over the
        batch's non-ignored targets, not by their number.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Cross-entropy on the margin-adjusted, scaled logits with a smoothed target.

    Logits may be ``(N, C, d1, ...)`` with class indices ``(N, d1, ...)`` of any integer dtype.
    Probability targets raise an error: the margin belongs to one true class. A checkpoint
    taken after :class:`DeferredReweighting` switched the weight on loads into a freshly built
    loss (and one taken before loads into a re-weighted loss, switching the weight off).

    Attributes
    ----------
    margins : torch.Tensor (buffer)
    weight : torch.Tensor (buffer) or None

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga and T. Ma, "Learning Imbalanced Datasets with
       Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import LDAMLoss, DeferredReweighting
    >>> counts = [500, 50, 5]
    >>> loss = LDAMLoss.from_counts(counts, max_m=0.5, s=30.0)
    >>> drw = DeferredReweighting(counts, start_epoch=160)
    >>> loss.set_weight(drw.weight(200))
    >>> loss.weight.shape
    torch.Size([3])
    """

    _optional_buffers = ("weight",)

    margins: torch.Tensor
    weight: torch.Tensor | None

    def __init__(
        self,
        margins: torch.Tensor,
        s: float = 30.0,
        weight: torch.Tensor | None = None,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        owner = type(self).__name__
        check_param(owner, s=s)
        super().__init__(reduction=reduction, ignore_index=ignore_index)
        self.s = float(s)
        self.label_smoothing = check_label_smoothing(owner, label_smoothing)
        margins = check_class_vector(owner, "margins", margins)
        self.register_buffer("margins", margins)
        self.register_buffer("weight", check_class_vector(owner, "weight", weight, margins.numel()))

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        max_m: float = 0.5,
        s: float = 30.0,
        weight: str | torch.Tensor | None = None,
        reduction: Reduction = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> LDAMLoss:
        """Build from class counts: margins by :func:`ldam_margins`.

        ``weight`` may be a vector, None, or a :data:`equipoise.weights.WEIGHT_SCHEMES` name.
        """
        owner = cls.__name__
        check_param(owner, max_m=max_m)
        margins = ldam_margins(counts, max_m)
        weight = resolve_weight(owner, weight, counts, margins.numel())
        return cls(
            margins,
            s=s,
            weight=weight,
            reduction=reduction,
            ignore_index=ignore_index,
            label_smoothing=label_smoothing,
        )

    def set_weight(self, weight: torch.Tensor | None) -> None:
        """Replace the per-class weight (None switches weighting off), e.g. for DRW.

        The tensor is moved to the margins' device and dtype.
        """
        self.weight = self._checked_weight(weight)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of logits ``input`` (N, C, d1, ...) against class indices ``target`` (N, d1, ...)."""
        return _ldam(
            input,
            target,
            self.margins,
            self.s,
            self.weight,
            self.reduction,
            self.ignore_index,
            type(self).__name__,
            self.label_smoothing,
        )

    def extra_repr(self) -> str:
        return f"s={self.s}, reduction={short_repr(self.reduction)}, weighted={self.weight is not None}"


class DeferredReweighting:
    r"""Deferred re-weighting (DRW) schedule of Cao et al. 2019.

    No class weights before ``start_epoch``; from then on the class-balanced weights of Cui et
    al. (effective number with ``beta``, normalised to sum to the number of classes).

    Parameters
    ----------
    counts : list, array, tensor or {label: count}
        Training samples per class.
    start_epoch : int >= 0
        First epoch (0-based) with weights; the paper uses 160 of 200 on CIFAR.
    beta : float in [0, 1), default=0.9999

    References
    ----------
    .. [1] K. Cao et al., "Learning Imbalanced Datasets with Label-Distribution-Aware Margin
       Loss", NeurIPS 2019.
    .. [2] Y. Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> from equipoise.losses import DeferredReweighting
    >>> drw = DeferredReweighting([100, 10], start_epoch=5)
    >>> drw.weight(4) is None
    True
    >>> round(float(drw.weight(5).sum()), 4)
    2.0
    """

    def __init__(
        self, counts: ArrayLike | Mapping[Any, Any], start_epoch: int, beta: float = 0.9999
    ) -> None:
        owner = type(self).__name__
        check_param(owner, start_epoch=start_epoch, beta=beta)
        counts_tensor(counts, owner)
        self.start_epoch = start_epoch
        self.beta = beta
        self._weight = class_weights(
            counts=counts,
            scheme="effective_number",
            beta=beta,
            normalize="classes",
            output="tensor",
        )

    def weight(self, epoch: int) -> torch.Tensor | None:
        """None before ``start_epoch``, else the float32 class-balanced weights (a fresh tensor)."""
        check_param(type(self).__name__, epoch=epoch)
        return None if epoch < self.start_epoch else self._weight.clone()

    def apply(self, loss: SupportsSetWeight, epoch: int) -> torch.Tensor | None:
        """``loss.set_weight(self.weight(epoch))``; returns the weight set."""
        weight = self.weight(epoch)
        loss.set_weight(weight)
        return weight

    def __repr__(self) -> str:
        return f"DeferredReweighting(start_epoch={self.start_epoch}, beta={self.beta})"


class NormedLinear(nn.Module):
    r"""Cosine classifier: :math:`z_{ic} = \hat{x}_i^\top \hat{w}_c` with unit-norm rows.

    The head LDAM's reference code uses: features and class weight vectors are L2-normalised,
    so logits are cosines in [-1, 1] and ``LDAMLoss(s=30)`` scales them. No bias. ``weight``
    has ``nn.Linear``'s layout, shape ``(num_classes, in_features)``.

    Parameters
    ----------
    in_features : int >= 1
    num_classes : int >= 1
    generator : torch.Generator, optional
        Random source of the initial weights (uniform in [-1, 1], rows rescaled to norm 1).
    device, dtype : optional
        Where and in which dtype to create the weight.

    References
    ----------
    .. [1] K. Cao et al., "Learning Imbalanced Datasets with Label-Distribution-Aware Margin
       Loss", NeurIPS 2019.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import NormedLinear
    >>> head = NormedLinear(8, 3, generator=torch.Generator().manual_seed(0))
    >>> bool(head(torch.randn(4, 8)).abs().max() <= 1.0 + 1e-6)
    True
    """

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        generator: torch.Generator | None = None,
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        validate_params(
            type(self).__name__,
            {"in_features": in_features, "num_classes": num_classes},
            {
                "in_features": [Interval(int, 1, None, closed="left")],
                "num_classes": [Interval(int, 1, None, closed="left")],
            },
        )
        self.in_features = in_features
        self.num_classes = num_classes
        self.weight = nn.Parameter(
            torch.empty(num_classes, in_features, device=device, dtype=dtype)
        )
        self.reset_parameters(generator)

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """Uniform in [-1, 1], then each class vector rescaled to unit norm."""
        with torch.no_grad():
            nn.init.uniform_(self.weight, -1.0, 1.0, generator=generator)
            self.weight.div_(self.weight.norm(dim=1, keepdim=True).clamp_min(math.ulp(1.0)))

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        """Cosine logits of features ``input`` (N, in_features) -> (N, num_classes)."""
        return F.linear(F.normalize(input, dim=1), F.normalize(self.weight, dim=1))

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, num_classes={self.num_classes}"
