r"""Functional forms of the losses: ``focal_loss(input, target, *, ...)`` and friends.

Each function validates its arguments, then computes the loss; the ``nn.Module`` classes in
:mod:`equipoise.losses` validate once in ``__init__`` and call the same private cores.

.. rubric:: Shapes and dtypes (those of ``torch.nn.CrossEntropyLoss``)

``input`` holds logits of shape ``(N, C)`` or ``(N, C, d1, d2, ...)`` (class scores in dimension
1: segmentation maps, token sequences), or ``(C,)`` for one unbatched sample. ``target`` holds
class indices of shape ``(N,)`` or ``(N, d1, d2, ...)``, of any integer dtype (uint8, int32,
int64, ...), in ``[0, C)``; entries equal to ``ignore_index`` are skipped. Where a loss is
defined for them, ``target`` may instead hold class probabilities with the logits' shape
(mixup, cutmix, distillation): a floating-point target is read that way. ``reduction`` is one of
``'none'`` (the target's shape, 0 for ignored entries), ``'mean'`` or ``'sum'``.

.. rubric:: Precision

float16 and bfloat16 logits are computed in float32. Under ``torch.autocast`` the result is
float32, as torch's own losses return it; outside autocast it has the logits' dtype.

.. rubric:: Label smoothing and soft targets

``label_smoothing=eps`` replaces the target distribution :math:`q` (one-hot, or the given
probabilities) by :math:`(1-\varepsilon) q + \varepsilon / C`, as ``torch.nn.CrossEntropyLoss``
does. It is available for the cross-entropy-based losses (cross-entropy, focal, the
class-balanced loss with the softmax base, LDAM, balanced softmax, logit adjustment). Probability
targets are accepted by cross-entropy, focal, balanced softmax and logit adjustment; LDAM (whose
margin belongs to one true class) and the class-balanced loss (whose weight does) raise a clear
error for them.

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
- With probability targets every loss divides by the number of scored elements, weights or
  not (torch's rule for probability targets).
- ``binary_focal_loss``: the mean over all elements (as ``torchvision.ops.sigmoid_focal_loss``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, Literal

import torch
import torch.nn.functional as F

from .._types import Reduction
from .._validation import short_repr
from ..exceptions import InvalidInputError, InvalidParameterError
from ._common import (
    Prepared,
    check_buffer_device,
    check_class_vector,
    check_finite_float,
    check_label_smoothing,
    check_n_classes,
    check_param,
    checks_values,
    class_view,
    finish,
    flatten_classes,
    prepare_input,
    reduce_loss,
)
from ._regression import (
    bmc_loss,
    gai_loss,
    weighted_huber_loss,
    weighted_l1_loss,
    weighted_mse_loss,
)

__all__ = [
    "bmc_loss",
    "gai_loss",
    "weighted_huber_loss",
    "weighted_l1_loss",
    "weighted_mse_loss",
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


def check_alpha(owner: str, alpha: Any, *, per_call: bool = False) -> float | torch.Tensor | None:
    """``alpha`` of the multiclass focal loss: None, a non-negative float, or a per-class vector."""
    if alpha is None:
        return None
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        value = check_finite_float(owner, "alpha", alpha)
        if value < 0:
            raise InvalidParameterError(
                f"The 'alpha' parameter of {owner} must be non-negative; got {short_repr(alpha)}."
            )
        return value
    return check_class_vector(owner, "alpha", alpha, per_call=per_call)


def check_binary_alpha(owner: str, alpha: Any) -> float | None:
    """``alpha`` of the binary focal loss: None or a float in [0, 1]."""
    if alpha is None:
        return None
    value = check_finite_float(owner, "alpha", alpha)
    if not 0.0 <= value <= 1.0:
        raise InvalidParameterError(
            f"The 'alpha' parameter of {owner} must be None or a float in [0, 1] (the weight of "
            f"the positive class); got {short_repr(alpha)}."
        )
    return value


def _safe_target(target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Targets with ignored entries replaced by class 0, so they can index safely."""
    return torch.where(valid, target, torch.zeros_like(target))


def _one_hot(target: torch.Tensor, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """``(M,)`` indices -> ``(M, C)`` one-hot rows, by comparison (no host sync, compile-friendly).

    An index outside ``[0, C)`` gives a zero row; callers also index with it, which torch checks.
    """
    classes = torch.arange(n_classes, device=target.device)
    return (target.unsqueeze(1) == classes).to(dtype)


def _hard_rows(
    prep: Prepared, ignore_index: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Flattened logits ``(M, C)``, safe targets ``(M,)`` and the float mask of counted rows."""
    x = flatten_classes(prep.input)
    target = prep.target.reshape(-1)
    valid = target != ignore_index
    return x, _safe_target(target, valid), valid.to(x.dtype)


def _smoothed(q: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    if label_smoothing == 0.0:
        return q
    return q * (1.0 - label_smoothing) + label_smoothing / q.shape[1]


def _unflatten(loss: torch.Tensor, prep: Prepared) -> torch.Tensor:
    """Per-row losses ``(M,)`` back to the target's element shape ``(N, d1, ...)``."""
    return loss.reshape((prep.input.shape[0], *prep.input.shape[2:]))


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
    reduction: Reduction,
    ignore_index: int,
    owner: str,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    prep = prepare_input(owner, input, target, ignore_index)
    x_in = prep.input
    weight = check_buffer_device(owner, "weight", weight, x_in)
    check_n_classes(owner, "weight", weight, x_in)
    if isinstance(alpha, torch.Tensor):
        alpha = check_buffer_device(owner, "alpha", alpha, x_in)
        check_n_classes(owner, "alpha", alpha, x_in)
    x = flatten_classes(x_in)
    log_p = F.log_softmax(x, dim=1)
    if prep.soft or label_smoothing > 0.0:
        # -sum_c q_c alpha_c w_c (1 - p_c)^gamma log p_c over the (smoothed) target distribution q
        terms = -log_p
        if gamma != 0:
            terms = (
                terms * (-torch.expm1(log_p)) ** gamma
            )  # 1 - p = -expm1(log p): exact near p = 1
        if alpha is not None:  # a per-class vector or one float, broadcast over the classes
            terms = terms * alpha
        if weight is not None:
            terms = terms * weight
        if prep.soft:
            q = _smoothed(flatten_classes(prep.target), label_smoothing)
            loss = (q * terms).sum(dim=1)
            return finish(
                _unflatten_reduce(loss, prep, reduction, float(loss.numel())), prep, reduction
            )
        t_flat = prep.target.reshape(-1)
        valid = t_flat != ignore_index
        t = _safe_target(t_flat, valid)
        mask = valid.to(x.dtype)
        # sum_c q_c terms_c with q = (1 - eps) onehot(y) + eps / C; the gather also has torch
        # check the target's range on any device
        term_y = terms.gather(1, t.unsqueeze(1)).squeeze(1)
        loss = (
            (1.0 - label_smoothing) * term_y + (label_smoothing / x.shape[1]) * terms.sum(dim=1)
        ) * mask
        denominator = (weight[t] * mask).sum() if weight is not None else mask.sum()
        return finish(_unflatten_reduce(loss, prep, reduction, denominator), prep, reduction)
    t_flat = prep.target.reshape(-1)
    valid = t_flat != ignore_index
    t = _safe_target(t_flat, valid)
    log_pt = log_p.gather(1, t.unsqueeze(1)).squeeze(1)
    loss = -log_pt
    if gamma != 0:
        # 1 - p_t = -expm1(log p_t): exact when p_t is close to 1.
        loss = loss * (-torch.expm1(log_pt)) ** gamma
    if isinstance(alpha, torch.Tensor):
        loss = loss * alpha[t]
    elif alpha is not None:
        loss = loss * alpha
    mask = valid.to(x.dtype)
    if weight is not None:
        sample_weight = weight[t] * mask
        return finish(
            _unflatten_reduce(loss * sample_weight, prep, reduction, sample_weight.sum()),
            prep,
            reduction,
        )
    return finish(_unflatten_reduce(loss * mask, prep, reduction, mask.sum()), prep, reduction)


def _unflatten_reduce(
    loss: torch.Tensor, prep: Prepared, reduction: str, denominator: torch.Tensor | float
) -> torch.Tensor:
    if reduction == "none":
        return _unflatten(loss, prep)
    return reduce_loss(loss, reduction, denominator)


def focal_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: Alpha = None,
    weight: torch.Tensor | None = None,
    reduction: Reduction = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Multiclass focal loss on logits (Lin et al. 2017).

    .. math:: \ell_i = -\alpha_{y_i}\, w_{y_i}\, (1 - p_{i,y_i})^\gamma \log p_{i,y_i},
              \qquad p_i = \mathrm{softmax}(x_i)

    computed from ``log_softmax`` (never ``log(softmax)``), with :math:`1-p_t` as
    ``-expm1(log p_t)``. With label smoothing or probability targets :math:`q_i` the loss is
    the same sum over classes,

    .. math:: \ell_i = -\sum_c q_{ic}\, \alpha_c\, w_c\, (1 - p_{ic})^\gamma \log p_{ic},

    which is the paper's loss for one-hot :math:`q` and soft-target cross-entropy for
    :math:`\gamma = 0` (so ``focal_loss(gamma=0, weight=w, label_smoothing=e)`` equals
    ``F.cross_entropy(weight=w, label_smoothing=e)``).

    Parameters
    ----------
    input : torch.Tensor of shape (N, C) or (N, C, d1, ...)
        Logits.
    target : torch.Tensor of shape (N,) or (N, d1, ...), any integer dtype; or probabilities
        Class indices in ``[0, C)`` or ``ignore_index``; or class probabilities with the
        logits' shape.
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
    label_smoothing : float in [0, 1], default=0.0
        Mixes the target distribution with the uniform one, as ``torch.nn.CrossEntropyLoss``.

    Returns
    -------
    torch.Tensor
        A scalar, or the target's shape (N, d1, ...) for ``reduction='none'``.

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
    label_smoothing = check_label_smoothing(owner, label_smoothing)
    alpha = check_alpha(owner, alpha, per_call=True)
    weight = check_class_vector(owner, "weight", weight, per_call=True)
    return _focal(
        input, target, gamma, alpha, weight, reduction, ignore_index, owner, label_smoothing
    )


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
    if target.dtype == torch.bool or not target.is_floating_point() or target.dtype != input.dtype:
        target = target.to(input.dtype)
    if checks_values(target) and bool(((target < 0) | (target > 1)).any()):
        raise InvalidInputError(
            f"{owner} expects targets in [0, 1] (0/1 labels); got values outside it."
        )
    return target


def _binary_focal(
    input: torch.Tensor,
    target: torch.Tensor,
    gamma: float,
    alpha: float | None,
    reduction: Reduction,
    owner: str,
) -> torch.Tensor:
    if not isinstance(input, torch.Tensor):
        raise InvalidInputError(f"{owner} expects torch tensors (logits, target).")
    out_dtype = input.dtype
    if input.dtype in (torch.float16, torch.bfloat16):
        if torch.amp.is_autocast_available(input.device.type) and torch.is_autocast_enabled(
            input.device.type
        ):
            out_dtype = torch.float32
        input = input.float()
    target = _check_binary(owner, input, target)
    loss = _sigmoid_focal_terms(input, target, gamma)
    if alpha is not None:
        loss = loss * (alpha * target + (1 - alpha) * (1 - target))
    return reduce_loss(loss, reduction, loss.numel()).to(out_dtype)


def binary_focal_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    reduction: Reduction = "mean",
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


def _cb_softmax(
    input: torch.Tensor, t: torch.Tensor, gamma: float, label_smoothing: float
) -> torch.Tensor:
    return F.cross_entropy(input, t, reduction="none", label_smoothing=label_smoothing)


def _cb_sigmoid(
    input: torch.Tensor, t: torch.Tensor, gamma: float, label_smoothing: float
) -> torch.Tensor:
    return _sigmoid_focal_terms(input, _one_hot(t, input.shape[1], input.dtype), 0.0).sum(dim=1)


def _cb_focal(
    input: torch.Tensor, t: torch.Tensor, gamma: float, label_smoothing: float
) -> torch.Tensor:
    return _sigmoid_focal_terms(input, _one_hot(t, input.shape[1], input.dtype), gamma).sum(dim=1)


CBBaseLoss = Literal["softmax", "sigmoid", "focal"]
"""The base loss of the class-balanced loss (the keys of :data:`CB_BASE_LOSSES`)."""

CB_BASE_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor, float, float], torch.Tensor]] = {
    "softmax": _cb_softmax,
    "sigmoid": _cb_sigmoid,
    "focal": _cb_focal,
}
"""Per-sample base losses of the class-balanced loss, by name."""


def check_cb_base(owner: str, loss: Any) -> str:
    if loss not in CB_BASE_LOSSES:
        raise InvalidParameterError(
            f"The 'loss' parameter of {owner} must be one of {sorted(CB_BASE_LOSSES)}; got {short_repr(loss)}."
        )
    return loss


def check_cb_smoothing(owner: str, loss: str, label_smoothing: Any) -> float:
    value = check_label_smoothing(owner, label_smoothing)
    if value > 0.0 and loss != "softmax":
        raise InvalidParameterError(
            f"The 'label_smoothing' parameter of {owner} is only defined for loss='softmax' (a "
            f"softmax cross-entropy); got label_smoothing={short_repr(label_smoothing)} with loss={short_repr(loss)}. "
            "Use loss='softmax' or label_smoothing=0."
        )
    return value


_CB_SOFT = (
    "its weight w_y belongs to the one true class of each sample, and Cui et al. define no "
    "weight for a mixture of classes."
)


def _class_balanced(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor,
    loss: str,
    gamma: float,
    reduction: Reduction,
    ignore_index: int,
    owner: str,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    prep = prepare_input(owner, input, target, ignore_index, soft_error=_CB_SOFT)
    weight = check_buffer_device(owner, "weight", weight, prep.input)
    check_n_classes(owner, "weight", weight, prep.input)
    x, t, mask = _hard_rows(prep, ignore_index)
    per_sample = CB_BASE_LOSSES[loss](x, t, gamma, label_smoothing) * weight[t] * mask
    return finish(_unflatten_reduce(per_sample, prep, reduction, mask.sum()), prep, reduction)


def class_balanced_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor,
    *,
    loss: CBBaseLoss = "softmax",
    gamma: float = 2.0,
    reduction: Reduction = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Class-balanced loss (Cui et al. 2019): a base loss times the weight of the true class.

    .. math:: \ell_i = w_{y_i}\, L(x_i, y_i), \qquad
              w_c \propto \frac{1-\beta}{1-\beta^{n_c}},\ \sum_c w_c = C

    The weights usually come from :meth:`equipoise.losses.ClassBalancedLoss.from_counts`.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C) or (N, C, d1, ...)
    target : torch.Tensor of shape (N,) or (N, d1, ...), any integer dtype
        Class indices (probability targets raise: the weight belongs to one true class).
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
    label_smoothing : float in [0, 1], default=0.0
        Only with ``loss='softmax'``: :math:`L` becomes the label-smoothed cross-entropy.

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
    label_smoothing = check_cb_smoothing(owner, loss, label_smoothing)
    weight = check_class_vector(owner, "weight", weight, per_call=True)
    return _class_balanced(
        input, target, weight, loss, gamma, reduction, ignore_index, owner, label_smoothing
    )


# --------------------------------------------------------------------------------------------
# LDAM (Cao et al.)
# --------------------------------------------------------------------------------------------


_LDAM_SOFT = "its margin m_y is subtracted from the logit of the one true class of each sample."


def _ldam(
    input: torch.Tensor,
    target: torch.Tensor,
    margins: torch.Tensor,
    s: float,
    weight: torch.Tensor | None,
    reduction: Reduction,
    ignore_index: int,
    owner: str,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    prep = prepare_input(owner, input, target, ignore_index, soft_error=_LDAM_SOFT)
    x = prep.input
    margins = check_buffer_device(owner, "margins", margins, x)
    weight = check_buffer_device(owner, "weight", weight, x)
    check_n_classes(owner, "margins", margins, x)
    check_n_classes(owner, "weight", weight, x)
    classes = class_view(torch.arange(x.shape[1], device=x.device), x)
    is_true = (prep.target.unsqueeze(1) == classes).to(x.dtype)  # ignored targets match no class
    adjusted = s * (x - is_true * class_view(margins, x))
    loss = F.cross_entropy(
        adjusted,
        prep.target,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )
    return finish(loss, prep, reduction)


def ldam_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    margins: torch.Tensor,
    *,
    s: float = 30.0,
    weight: torch.Tensor | None = None,
    reduction: Reduction = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Label-distribution-aware margin loss (Cao et al. 2019).

    .. math:: \ell_i = -\log \frac{e^{s (x_{i,y_i} - m_{y_i})}}
              {e^{s (x_{i,y_i} - m_{y_i})} + \sum_{j \ne y_i} e^{s\,x_{i,j}}}

    i.e. cross-entropy on ``s * (logits - m_y * onehot(y))``.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C) or (N, C, d1, ...)
        Logits; with LDAM these are usually cosines from :class:`~equipoise.losses.NormedLinear`.
    target : torch.Tensor of shape (N,) or (N, d1, ...), any integer dtype
        Class indices (probability targets raise: the margin belongs to one true class).
    margins : torch.Tensor of shape (C,)
        Non-negative per-class margins :math:`m_c` (see :func:`equipoise.losses.ldam_margins`).
        Zero margins with ``s=1`` give plain cross-entropy.
    s : float > 0, default=30.0
        Logit scale.
    weight : torch.Tensor of shape (C,), optional
        Per-class weight (DRW); torch's rule: 'mean' divides by :math:`\sum_i w_{y_i}`.
    reduction : {'none', 'mean', 'sum'}, default='mean'
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Cross-entropy on the margin-adjusted, scaled logits with a smoothed target.

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
    label_smoothing = check_label_smoothing(owner, label_smoothing)
    margins = check_class_vector(owner, "margins", margins, per_call=True)
    weight = check_class_vector(owner, "weight", weight, per_call=True)
    return _ldam(
        input, target, margins, float(s), weight, reduction, ignore_index, owner, label_smoothing
    )


# --------------------------------------------------------------------------------------------
# Prior-adjusted cross-entropy (balanced softmax, logit adjustment) and plain cross-entropy
# --------------------------------------------------------------------------------------------


def _logit_adjusted(
    input: torch.Tensor,
    target: torch.Tensor,
    prior: torch.Tensor,
    tau: float,
    reduction: Reduction,
    ignore_index: int,
    owner: str,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    prep = prepare_input(owner, input, target, ignore_index)
    prior = check_buffer_device(owner, "prior", prior, prep.input)
    check_n_classes(owner, "prior", prior, prep.input)
    adjusted = prep.input + tau * class_view(torch.log(prior), prep.input)
    loss = F.cross_entropy(
        adjusted,
        prep.target,
        reduction=reduction,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )
    return finish(loss, prep, reduction)


def logit_adjusted_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    prior: torch.Tensor,
    *,
    tau: float = 1.0,
    reduction: Reduction = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Logit-adjusted cross-entropy (Menon et al. 2021).

    .. math:: \ell_i = -\log \frac{e^{x_{i,y_i} + \tau \log \pi_{y_i}}}
              {\sum_j e^{x_{i,j} + \tau \log \pi_j}}

    Train with it, then predict with the raw logits. ``tau=0`` is cross-entropy.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C) or (N, C, d1, ...)
    target : torch.Tensor of shape (N,) or (N, d1, ...), any integer dtype; or probabilities
        Class indices, or class probabilities with the logits' shape.
    prior : torch.Tensor of shape (C,)
        Positive class prior :math:`\pi` (training frequencies); scaling it by a constant does
        not change the loss.
    tau : float, default=1.0
        Temperature of the adjustment (finite).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Cross-entropy on the adjusted logits with a smoothed target (torch's definition).

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
    label_smoothing = check_label_smoothing(owner, label_smoothing)
    prior = check_class_vector(owner, "prior", prior, positive=True, per_call=True)
    return _logit_adjusted(
        input, target, prior, tau, reduction, ignore_index, owner, label_smoothing
    )


def balanced_softmax_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    prior: torch.Tensor,
    *,
    reduction: Reduction = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Balanced softmax cross-entropy (Ren et al. 2020).

    .. math:: \ell_i = -\log \frac{\pi_{y_i} e^{x_{i,y_i}}}{\sum_j \pi_j e^{x_{i,j}}}

    the same as :func:`logit_adjusted_loss` with ``tau=1``. A uniform prior gives cross-entropy.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C) or (N, C, d1, ...)
    target : torch.Tensor of shape (N,) or (N, d1, ...), any integer dtype; or probabilities
        Class indices, or class probabilities with the logits' shape.
    prior : torch.Tensor of shape (C,)
        Positive class prior (training frequencies :math:`n_c / n`).
    reduction : {'none', 'mean', 'sum'}, default='mean'
        'mean' divides by the number of non-ignored samples.
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0
        Cross-entropy on the adjusted logits with a smoothed target (torch's definition).

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
    label_smoothing = check_label_smoothing(owner, label_smoothing)
    prior = check_class_vector(owner, "prior", prior, positive=True, per_call=True)
    return _logit_adjusted(
        input, target, prior, 1.0, reduction, ignore_index, owner, label_smoothing
    )


def _cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None,
    reduction: Reduction,
    ignore_index: int,
    owner: str,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    prep = prepare_input(owner, input, target, ignore_index)
    weight = check_buffer_device(owner, "weight", weight, prep.input)
    check_n_classes(owner, "weight", weight, prep.input)
    loss = F.cross_entropy(
        prep.input,
        prep.target,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )
    return finish(loss, prep, reduction)


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    weight: torch.Tensor | None = None,
    reduction: Reduction = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy :math:`-w_{y_i} \log \mathrm{softmax}(x_i)_{y_i}`, with equipoise's checks.

    Same numbers as ``torch.nn.functional.cross_entropy``; with ``weight``, 'mean' divides by
    :math:`\sum_i w_{y_i}` (torch's rule), not by the batch size.

    Parameters
    ----------
    input : torch.Tensor of shape (N, C) or (N, C, d1, ...)
    target : torch.Tensor of shape (N,) or (N, d1, ...), any integer dtype; or probabilities
    weight : torch.Tensor of shape (C,), optional
    reduction : {'none', 'mean', 'sum'}, default='mean'
    ignore_index : int, default=-100
    label_smoothing : float in [0, 1], default=0.0

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
    label_smoothing = check_label_smoothing(owner, label_smoothing)
    weight = check_class_vector(owner, "weight", weight, per_call=True)
    return _cross_entropy(input, target, weight, reduction, ignore_index, owner, label_smoothing)
