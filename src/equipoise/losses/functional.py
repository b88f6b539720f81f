r"""Functional forms of the losses: ``focal_loss(input, target, *, ...)`` and friends.

Each function validates its arguments, then computes the loss; the ``nn.Module`` classes in
:mod:`equipoise.losses` validate once in ``__init__`` and call the same private cores.

Logits are ``input`` of shape ``(N, C)``; ``target`` holds int64 class indices of shape ``(N,)``
in ``[0, C)`` (entries equal to ``ignore_index`` are skipped). ``reduction`` is one of
``'none'`` (a per-sample vector, 0 for ignored entries), ``'mean'`` or ``'sum'``.

.. rubric:: What 'mean' divides by (the loss-scale trap)

``torch.nn.functional.cross_entropy(weight=w, reduction='mean')`` returns
:math:`\sum_i w_{y_i}\ell_i / \sum_i w_{y_i}`: it divides by the summed weights of the batch, not by
the batch size, so scaling ``w`` by a constant does not change the loss, and a batch with many
heavily weighted samples is not "louder" than another. Each function below says which rule it
follows:

- ``cross_entropy``, ``ldam_loss``, ``focal_loss`` with ``weight``: divide by the summed weights
  (torch's rule; ``focal_loss(gamma=0, weight=w)`` equals ``F.cross_entropy(weight=w)``).
- ``focal_loss`` with ``alpha`` only, ``class_balanced_loss``, ``balanced_softmax_loss``,
  ``logit_adjusted_loss``: divide by the number of non-ignored samples.
- ``binary_focal_loss``: the mean over all elements (as ``torchvision.ops.sigmoid_focal_loss``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from ..exceptions import InvalidInputError, InvalidParameterError
from ._common import (
    check_buffer_device,
    check_class_vector,
    check_finite_float,
    check_logits_target,
    check_n_classes,
    check_param,
    reduce_loss,
)

__all__ = [
    "balanced_softmax_loss",
    "binary_focal_loss",
    "class_balanced_loss",
    "cross_entropy",
    "focal_loss",
    "ldam_loss",
    "logit_adjusted_loss",
]

Alpha = float | torch.Tensor | None


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


def check_alpha(owner: str, alpha: Any) -> float | torch.Tensor | None:
    """``alpha`` of the multiclass focal loss: None, a non-negative float, or a per-class vector."""
    if alpha is None:
        return None
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        value = check_finite_float(owner, "alpha", alpha)
        if value < 0:
            raise InvalidParameterError(
                f"The 'alpha' parameter of {owner} must be non-negative; got {alpha!r}."
            )
        return value
    return check_class_vector(owner, "alpha", alpha)


def check_binary_alpha(owner: str, alpha: Any) -> float | None:
    """``alpha`` of the binary focal loss: None or a float in [0, 1]."""
    if alpha is None:
        return None
    value = check_finite_float(owner, "alpha", alpha)
    if not 0.0 <= value <= 1.0:
        raise InvalidParameterError(
            f"The 'alpha' parameter of {owner} must be None or a float in [0, 1] (the weight of "
            f"the positive class); got {alpha!r}."
        )
    return value


def _safe_target(target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Targets with ignored entries replaced by class 0, so they can index safely."""
    return torch.where(valid, target, torch.zeros_like(target))


def _sigmoid_focal_terms(input: torch.Tensor, target: torch.Tensor, gamma: float) -> torch.Tensor:
    r"""Elementwise :math:`(1 - p_t)^\gamma \cdot \mathrm{BCE}(x, t)` with :math:`p = \sigma(x)`."""
    bce = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    if gamma == 0:
        return bce
    p = torch.sigmoid(input)
    p_t = p * target + (1 - p) * (1 - target)
    return bce * (1 - p_t) ** gamma


# --------------------------------------------------------------------------------------------
# Focal
# --------------------------------------------------------------------------------------------


def _focal(
    input: torch.Tensor,
    target: torch.Tensor,
    gamma: float,
    alpha: float | torch.Tensor | None,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
    owner: str,
) -> torch.Tensor:
    valid = check_logits_target(owner, input, target, ignore_index)
    weight = check_buffer_device(owner, "weight", weight, input)
    check_n_classes(owner, "weight", weight, input)
    if isinstance(alpha, torch.Tensor):
        alpha = check_buffer_device(owner, "alpha", alpha, input)
        check_n_classes(owner, "alpha", alpha, input)
    t = _safe_target(target, valid)
    log_pt = F.log_softmax(input, dim=1).gather(1, t.unsqueeze(1)).squeeze(1)
    loss = -log_pt
    if gamma != 0:
        # 1 - p_t = -expm1(log p_t): exact when p_t is close to 1.
        loss = loss * (-torch.expm1(log_pt)) ** gamma
    if isinstance(alpha, torch.Tensor):
        loss = loss * alpha[t]
    elif alpha is not None:
        loss = loss * alpha
    mask = valid.to(input.dtype)
    if weight is not None:
        sample_weight = weight[t] * mask
        return reduce_loss(loss * sample_weight, reduction, sample_weight.sum())
    return reduce_loss(loss * mask, reduction, mask.sum())


def focal_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: Alpha = None,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    r"""Multiclass focal loss on logits (Lin et al. 2017).

    .. math:: \ell_i = -\alpha_{y_i}\, w_{y_i}\, (1 - p_{i,y_i})^\gamma \log p_{i,y_i},
              \qquad p_i = \mathrm{softmax}(x_i)

    computed from ``log_softmax`` (never ``log(softmax)``), with :math:`1-p_t` as
    ``-expm1(log p_t)``.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C)
        Logits.
    target : torch.Tensor of int64, shape (N,)
        Class indices in ``[0, C)`` or ``ignore_index``.
    gamma : float >= 0, default=2.0
        Focusing parameter; ``gamma=0`` is cross-entropy.
    alpha : None, float >= 0 or tensor of shape (C,), default=None
        Per-class factor :math:`\alpha_c`. A float multiplies every class alike (it is *not* the
        weight of a "positive" class: multiclass targets have none; use
        :func:`binary_focal_loss` for that, or pass a per-class vector). ``alpha`` does not enter
        the 'mean' denominator.
    weight : tensor of shape (C,), optional
        Per-class weight with torch's semantics: 'mean' divides by :math:`\sum_i w_{y_i}`, so
        ``focal_loss(gamma=0, weight=w)`` equals ``F.cross_entropy(weight=w)``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by :math:`\sum_i w_{y_i}` when ``weight`` is given, else by the number of
        non-ignored samples.
    ignore_index : int, default=-100
        Target value that contributes nothing (and is not counted by 'mean').

    Returns
    -------
    torch.Tensor
        A scalar, or shape (N,) for ``reduction='none'``.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollar, "Focal Loss for Dense Object
       Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import focal_loss
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> round(focal_loss(logits, torch.tensor([0, 1]), gamma=0.0).item(), 4)
    0.2201
    """
    owner = "focal_loss"
    check_param(owner, gamma=gamma, reduction=reduction, ignore_index=ignore_index)
    alpha = check_alpha(owner, alpha)
    weight = check_class_vector(owner, "weight", weight)
    return _focal(input, target, gamma, alpha, weight, reduction, ignore_index, owner)


# --------------------------------------------------------------------------------------------
# Binary focal
# --------------------------------------------------------------------------------------------


def _check_binary(owner: str, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise InvalidInputError(f"{owner} expects torch tensors (logits, target).")
    if not input.is_floating_point():
        raise InvalidInputError(f"{owner} expects floating-point logits; got dtype {input.dtype}.")
    if target.shape != input.shape:
        if input.ndim == 2 and input.shape[1] == 1 and target.shape == input.shape[:1]:
            target = target.unsqueeze(1)
        else:
            raise InvalidInputError(
                f"{owner} expects a target with the logits' shape {tuple(input.shape)} (or (N,) for "
                f"logits of shape (N, 1)); got shape {tuple(target.shape)}."
            )
    target = target.to(input.dtype)
    if target.device.type != "meta" and bool(((target < 0) | (target > 1)).any()):
        raise InvalidInputError(f"{owner} expects targets in [0, 1] (0/1 labels); got values outside it.")
    return target


def _binary_focal(
    input: torch.Tensor,
    target: torch.Tensor,
    gamma: float,
    alpha: float | None,
    reduction: str,
    owner: str,
) -> torch.Tensor:
    target = _check_binary(owner, input, target)
    loss = _sigmoid_focal_terms(input, target, gamma)
    if alpha is not None:
        loss = loss * (alpha * target + (1 - alpha) * (1 - target))
    return reduce_loss(loss, reduction, loss.numel())


def binary_focal_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Sigmoid focal loss for binary (or multi-label) logits (Lin et al. 2017).

    .. math:: \ell = -\alpha_t (1 - p_t)^\gamma \log p_t, \quad p = \sigma(x),\;
              p_t = p\,t + (1-p)(1-t),\; \alpha_t = \alpha\,t + (1-\alpha)(1-t)

    with :math:`-\log p_t` computed as ``binary_cross_entropy_with_logits``. This is the formula
    of ``torchvision.ops.sigmoid_focal_loss`` (whose ``alpha=-1`` is ``alpha=None`` here).

    Parameters
    ----------
    input : torch.Tensor
        Logits of shape (N,), (N, 1) or any shape.
    target : torch.Tensor
        0/1 labels (float, int or bool) of the same shape; (N,) is accepted for (N, 1) logits.
    gamma : float >= 0, default=2.0
    alpha : float in [0, 1] or None, default=0.25
        Weight of the positive class (``1 - alpha`` for the negative); None for no weighting.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' averages over all elements (torchvision's rule).

    Returns
    -------
    torch.Tensor
        A scalar, or the input's shape for ``reduction='none'``.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import binary_focal_loss
    >>> x = torch.tensor([0.0])
    >>> round(binary_focal_loss(x, torch.tensor([1.0])).item(), 6)  # 0.25 * 0.5**2 * log 2
    0.043322
    """
    owner = "binary_focal_loss"
    check_param(owner, gamma=gamma, reduction=reduction)
    alpha = check_binary_alpha(owner, alpha)
    return _binary_focal(input, target, gamma, alpha, reduction, owner)


# --------------------------------------------------------------------------------------------
# Class-balanced (Cui et al.)
# --------------------------------------------------------------------------------------------


def _cb_softmax(input: torch.Tensor, t: torch.Tensor, gamma: float) -> torch.Tensor:
    return F.cross_entropy(input, t, reduction="none")


def _cb_sigmoid(input: torch.Tensor, t: torch.Tensor, gamma: float) -> torch.Tensor:
    one_hot = F.one_hot(t, input.shape[1]).to(input.dtype)
    return _sigmoid_focal_terms(input, one_hot, 0.0).sum(dim=1)


def _cb_focal(input: torch.Tensor, t: torch.Tensor, gamma: float) -> torch.Tensor:
    one_hot = F.one_hot(t, input.shape[1]).to(input.dtype)
    return _sigmoid_focal_terms(input, one_hot, gamma).sum(dim=1)


CB_BASE_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]] = {
    "softmax": _cb_softmax,
    "sigmoid": _cb_sigmoid,
    "focal": _cb_focal,
}
"""Per-sample base losses of the class-balanced loss, by name."""


def check_cb_base(owner: str, loss: Any) -> str:
    if loss not in CB_BASE_LOSSES:
        raise InvalidParameterError(
            f"The 'loss' parameter of {owner} must be one of {sorted(CB_BASE_LOSSES)}; got {loss!r}."
        )
    return loss


def _class_balanced(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor,
    loss: str,
    gamma: float,
    reduction: str,
    ignore_index: int,
    owner: str,
) -> torch.Tensor:
    valid = check_logits_target(owner, input, target, ignore_index)
    weight = check_buffer_device(owner, "weight", weight, input)
    check_n_classes(owner, "weight", weight, input)
    t = _safe_target(target, valid)
    mask = valid.to(input.dtype)
    per_sample = CB_BASE_LOSSES[loss](input, t, gamma) * weight[t] * mask
    return reduce_loss(per_sample, reduction, mask.sum())


def class_balanced_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor,
    *,
    loss: str = "softmax",
    gamma: float = 2.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    r"""Class-balanced loss (Cui et al. 2019): a base loss times the weight of the true class.

    .. math:: \ell_i = w_{y_i}\, L(x_i, y_i), \qquad
              w_c \propto \frac{1-\beta}{1-\beta^{n_c}},\ \sum_c w_c = C

    The weights usually come from :meth:`equipoise.losses.ClassBalancedLoss.from_counts`.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C)
    target : torch.Tensor of int64, shape (N,)
    weight : torch.Tensor of shape (C,)
        Per-class weights :math:`w_c`.
    loss : {'softmax', 'sigmoid', 'focal'}, default='softmax'
        The base loss :math:`L`: softmax cross-entropy; one-vs-all binary cross-entropy on the
        one-hot target, summed over the C classes (as in the paper); or the sigmoid focal loss
        (no alpha) summed over the C classes. ``'focal'`` with ``gamma=0`` equals ``'sigmoid'``.
    gamma : float >= 0, default=2.0
        Only for ``loss='focal'``.
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples (the paper's rule), not by the
        summed weights as ``F.cross_entropy(weight=...)`` would.
    ignore_index : int, default=-100

    Returns
    -------
    torch.Tensor

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced Loss Based on
       Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import class_balanced_loss
    >>> logits = torch.zeros(2, 2)
    >>> w = torch.tensor([0.5, 1.5])
    >>> round(class_balanced_loss(logits, torch.tensor([0, 1]), w).item(), 4)  # log 2
    0.6931
    """
    owner = "class_balanced_loss"
    check_param(owner, gamma=gamma, reduction=reduction, ignore_index=ignore_index)
    check_cb_base(owner, loss)
    weight = check_class_vector(owner, "weight", weight)
    return _class_balanced(input, target, weight, loss, gamma, reduction, ignore_index, owner)


# --------------------------------------------------------------------------------------------
# LDAM (Cao et al.)
# --------------------------------------------------------------------------------------------


def _ldam(
    input: torch.Tensor,
    target: torch.Tensor,
    margins: torch.Tensor,
    s: float,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
    owner: str,
) -> torch.Tensor:
    valid = check_logits_target(owner, input, target, ignore_index)
    margins = check_buffer_device(owner, "margins", margins, input)
    weight = check_buffer_device(owner, "weight", weight, input)
    check_n_classes(owner, "margins", margins, input)
    check_n_classes(owner, "weight", weight, input)
    one_hot = F.one_hot(_safe_target(target, valid), input.shape[1]).to(input.dtype)
    adjusted = s * (input - one_hot * margins)
    return F.cross_entropy(adjusted, target, weight=weight, reduction=reduction, ignore_index=ignore_index)


def ldam_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    margins: torch.Tensor,
    *,
    s: float = 30.0,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    r"""Label-distribution-aware margin loss (Cao et al. 2019).

    .. math:: \ell_i = -\log \frac{e^{s (x_{i,y_i} - m_{y_i})}}
              {e^{s (x_{i,y_i} - m_{y_i})} + \sum_{j \ne y_i} e^{s\,x_{i,j}}}

    i.e. cross-entropy on ``s * (logits - m_y * onehot(y))``.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C)
        Logits; with LDAM these are usually cosines from :class:`~equipoise.losses.NormedLinear`.
    target : torch.Tensor of int64, shape (N,)
    margins : torch.Tensor of shape (C,)
        Non-negative per-class margins :math:`m_c` (see :func:`equipoise.losses.ldam_margins`).
        Zero margins with ``s=1`` give plain cross-entropy.
    s : float > 0, default=30.0
        Logit scale.
    weight : torch.Tensor of shape (C,), optional
        Per-class weight (DRW); torch's rule: 'mean' divides by :math:`\sum_i w_{y_i}`.
    reduction : {'none', 'mean', 'sum'}, default='mean'
    ignore_index : int, default=-100

    Returns
    -------
    torch.Tensor

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga and T. Ma, "Learning Imbalanced Datasets with
       Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import ldam_loss
    >>> logits = torch.zeros(1, 2)
    >>> round(ldam_loss(logits, torch.tensor([0]), torch.tensor([0.5, 0.2]), s=1.0).item(), 4)
    0.9741
    """
    owner = "ldam_loss"
    check_param(owner, s=s, reduction=reduction, ignore_index=ignore_index)
    margins = check_class_vector(owner, "margins", margins)
    weight = check_class_vector(owner, "weight", weight)
    return _ldam(input, target, margins, float(s), weight, reduction, ignore_index, owner)


# --------------------------------------------------------------------------------------------
# Prior-adjusted cross-entropy (balanced softmax, logit adjustment) and plain cross-entropy
# --------------------------------------------------------------------------------------------


def _logit_adjusted(
    input: torch.Tensor,
    target: torch.Tensor,
    prior: torch.Tensor,
    tau: float,
    reduction: str,
    ignore_index: int,
    owner: str,
) -> torch.Tensor:
    check_logits_target(owner, input, target, ignore_index)
    prior = check_buffer_device(owner, "prior", prior, input)
    check_n_classes(owner, "prior", prior, input)
    adjusted = input + tau * torch.log(prior)
    return F.cross_entropy(adjusted, target, reduction=reduction, ignore_index=ignore_index)


def logit_adjusted_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    prior: torch.Tensor,
    *,
    tau: float = 1.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    r"""Logit-adjusted cross-entropy (Menon et al. 2021).

    .. math:: \ell_i = -\log \frac{e^{x_{i,y_i} + \tau \log \pi_{y_i}}}
              {\sum_j e^{x_{i,j} + \tau \log \pi_j}}

    Train with it, then predict with the raw logits. ``tau=0`` is cross-entropy.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C)
    target : torch.Tensor of int64, shape (N,)
    prior : torch.Tensor of shape (C,)
        Positive class prior :math:`\pi` (training frequencies); scaling it by a constant does
        not change the loss.
    tau : float, default=1.0
        Temperature of the adjustment (finite).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples.
    ignore_index : int, default=-100

    Returns
    -------
    torch.Tensor

    References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and S. Kumar, "Long-Tail
       Learning via Logit Adjustment", ICLR 2021.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import logit_adjusted_loss
    >>> prior = torch.tensor([0.8, 0.2])
    >>> round(logit_adjusted_loss(torch.zeros(1, 2), torch.tensor([1]), prior).item(), 4)  # -log 0.2
    1.6094
    """
    owner = "logit_adjusted_loss"
    check_param(owner, reduction=reduction, ignore_index=ignore_index)
    tau = check_finite_float(owner, "tau", tau)
    prior = check_class_vector(owner, "prior", prior, positive=True)
    return _logit_adjusted(input, target, prior, tau, reduction, ignore_index, owner)


def balanced_softmax_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    prior: torch.Tensor,
    *,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    r"""Balanced softmax cross-entropy (Ren et al. 2020).

    .. math:: \ell_i = -\log \frac{\pi_{y_i} e^{x_{i,y_i}}}{\sum_j \pi_j e^{x_{i,j}}}

    the same as :func:`logit_adjusted_loss` with ``tau=1``. A uniform prior gives cross-entropy.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C)
    target : torch.Tensor of int64, shape (N,)
    prior : torch.Tensor of shape (C,)
        Positive class prior (training frequencies :math:`n_c / n`).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples.
    ignore_index : int, default=-100

    Returns
    -------
    torch.Tensor

    References
    ----------
    .. [1] J. Ren, C. Yu, S. Sheng, X. Ma, H. Zhao, S. Yi and H. Li, "Balanced Meta-Softmax for
       Long-Tailed Visual Recognition", NeurIPS 2020.

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import balanced_softmax_loss
    >>> prior = torch.tensor([0.75, 0.25])
    >>> round(balanced_softmax_loss(torch.zeros(1, 2), torch.tensor([1]), prior).item(), 4)  # -log 0.25
    1.3863
    """
    owner = "balanced_softmax_loss"
    check_param(owner, reduction=reduction, ignore_index=ignore_index)
    prior = check_class_vector(owner, "prior", prior, positive=True)
    return _logit_adjusted(input, target, prior, 1.0, reduction, ignore_index, owner)


def _cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
    owner: str,
) -> torch.Tensor:
    check_logits_target(owner, input, target, ignore_index)
    weight = check_buffer_device(owner, "weight", weight, input)
    check_n_classes(owner, "weight", weight, input)
    return F.cross_entropy(input, target, weight=weight, reduction=reduction, ignore_index=ignore_index)


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    r"""Cross-entropy :math:`-w_{y_i} \log \mathrm{softmax}(x_i)_{y_i}`, with equipoise's checks.

    Same numbers as ``torch.nn.functional.cross_entropy``; with ``weight``, 'mean' divides by
    :math:`\sum_i w_{y_i}` (torch's rule), not by the batch size.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C)
    target : torch.Tensor of int64, shape (N,)
    weight : torch.Tensor of shape (C,), optional
    reduction : {'none', 'mean', 'sum'}, default='mean'
    ignore_index : int, default=-100

    Returns
    -------
    torch.Tensor

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses.functional import cross_entropy
    >>> round(cross_entropy(torch.zeros(1, 4), torch.tensor([2])).item(), 4)  # log 4
    1.3863
    """
    owner = "cross_entropy"
    check_param(owner, reduction=reduction, ignore_index=ignore_index)
    weight = check_class_vector(owner, "weight", weight)
    return _cross_entropy(input, target, weight, reduction, ignore_index, owner)
