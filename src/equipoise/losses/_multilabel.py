r"""Losses for multi-label indicator targets: logits ``(N, L)``, 0/1 targets ``(N, L)``.

Every loss here is elementwise over the ``N x L`` sigmoid outputs, like
``torch.nn.BCEWithLogitsLoss``: ``reduction='mean'`` averages over all ``N * L`` elements,
``'sum'`` adds them, ``'none'`` returns the ``(N, L)`` matrix. :data:`MULTILABEL_LOSSES` names
the classes; each has ``from_counts(counts, *, n_samples=None, **params)`` with ``counts`` the
number of training rows that have each label.

========================  ======================================  ==========================
name                      class                                   paper
========================  ======================================  ==========================
``bce``                   :class:`ClassBalancedBCELoss` (plain)   baseline
``class-balanced-bce``    :class:`ClassBalancedBCELoss`           Cui et al., CVPR 2019
``focal-bce``             :class:`ClassBalancedBCELoss` (gamma)   Lin et al., ICCV 2017
``asymmetric``            :class:`AsymmetricLoss`                 Ridnik et al., ICCV 2021
``distribution-balanced`` :class:`DistributionBalancedLoss`       Wu et al., ECCV 2020
========================  ======================================  ==========================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .._types import ArrayLike, Reduction
from .._validation import short_repr
from ..exceptions import InvalidInputError, InvalidParameterError
from ..registry import Registry
from ._common import (
    LossModule,
    check_class_vector,
    check_finite_float,
    check_param,
    checks_values,
    counts_tensor,
)

__all__ = [
    "MULTILABEL_LOSSES",
    "AsymmetricLoss",
    "ClassBalancedBCELoss",
    "DistributionBalancedLoss",
    "asymmetric_loss",
    "class_balanced_bce_loss",
    "distribution_balanced_loss",
]

MULTILABEL_LOSSES: Registry[Any] = Registry("multi-label loss")
"""Multi-label loss classes by name; each has ``from_counts(counts, *, n_samples=None, **params)``."""


def _check_pair(owner: str, input: Any, target: Any) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise InvalidInputError(f"{owner} expects torch tensors (logits, target).")
    if not input.is_floating_point():
        raise InvalidInputError(f"{owner} expects floating-point logits; got dtype {input.dtype}.")
    if input.ndim != 2 or target.shape != input.shape:
        raise InvalidInputError(
            f"{owner} expects logits of shape (N, n_labels) and a 0/1 target of the same shape; got logits "
            f"{tuple(input.shape)} and target {tuple(target.shape)}."
        )
    target = target.to(input.dtype)
    if checks_values(target) and bool(((target != 0) & (target != 1)).any()):
        raise InvalidInputError(
            f"{owner} expects a 0/1 indicator target; got values other than 0 and 1."
        )
    return input, target


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def _label_vector(owner: str, name: str, value: Any, input: torch.Tensor) -> torch.Tensor | None:
    if value is None:
        return None
    vector = check_class_vector(owner, name, value, input.shape[1], per_call=True)
    assert vector is not None
    return vector.to(device=input.device, dtype=input.dtype)


# ------------------------------------------------------------------------------ asymmetric
def asymmetric_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma_neg: float = 4.0,
    gamma_pos: float = 0.0,
    clip: float = 0.05,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Asymmetric loss (ASL; Ridnik et al., ICCV 2021) on logits ``(N, L)``.

    With :math:`p = \sigma(z)` and the shifted probability :math:`p_m = \max(p - m, 0)`:

    .. math::

        \ell = -y\,(1-p)^{\gamma_+}\log p \;-\; (1-y)\,p_m^{\gamma_-}\log(1-p_m)

    ``gamma_neg`` (:math:`\gamma_-`) down-weights easy negatives, ``clip`` (the probability
    margin :math:`m`) discards very easy ones (:math:`p \le m`) entirely. The paper's
    multi-label defaults: :math:`\gamma_-=4, \gamma_+=0, m=0.05`. With both gammas 0 and
    ``clip=0`` it is ``binary_cross_entropy_with_logits``. ``log p`` is computed as
    ``logsigmoid(z)``; ``log(1 - p_m)`` is clamped at ``log(eps)`` as in the reference code. The
    focusing weights are differentiated (the loss's exact gradient).

    Parameters
    ----------
    input : torch.Tensor of shape (N, L)
        Logits.
    target : torch.Tensor of shape (N, L)
        0/1 indicators (any dtype).
    gamma_neg, gamma_pos : float >= 0, default=4.0, 0.0
    clip : float in [0, 1), default=0.05
    eps : float > 0, default=1e-8
    reduction : {'none', 'mean', 'sum'}, default='mean'

    References
    ----------
    T. Ridnik, E. Ben-Baruch, N. Zamir, A. Noy, I. Friedman, M. Protter, L. Zelnik-Manor.
    "Asymmetric Loss For Multi-Label Classification", ICCV 2021.
    """
    owner = "asymmetric_loss"
    check_param(owner, gamma=gamma_neg, reduction=reduction)
    check_param(owner, gamma=gamma_pos)
    clip = _check_clip(owner, clip)
    input, t = _check_pair(owner, input, target)
    log_p = F.logsigmoid(input)
    p = log_p.exp()
    if clip > 0:
        p_m = (p - clip).clamp(min=0)
        log_neg = torch.log((1 - p_m).clamp(min=eps))
    else:
        p_m = p
        log_neg = F.logsigmoid(-input)
    pos = log_p if gamma_pos == 0 else log_p * (1 - p) ** gamma_pos
    neg = log_neg if gamma_neg == 0 else log_neg * p_m**gamma_neg
    return _reduce(-(t * pos + (1 - t) * neg), reduction)


def _check_clip(owner: str, clip: Any) -> float:
    value = check_finite_float(owner, "clip", clip)
    if not 0 <= value < 1:
        raise InvalidParameterError(
            f"The 'clip' parameter of {owner} must be in [0, 1); got {short_repr(clip)}."
        )
    return value


@MULTILABEL_LOSSES.register("asymmetric")
class AsymmetricLoss(LossModule):
    """Asymmetric loss (Ridnik et al., ICCV 2021); see :func:`asymmetric_loss`.

    Examples
    --------
    >>> import torch
    >>> loss = AsymmetricLoss(gamma_neg=0, gamma_pos=0, clip=0)
    >>> x, y = torch.tensor([[0.3, -1.0]]), torch.tensor([[1, 0]])
    >>> bool(torch.isclose(loss(x, y), torch.nn.functional.binary_cross_entropy_with_logits(x, y.float())))
    True
    """

    def __init__(
        self,
        gamma_neg: float = 4.0,
        gamma_pos: float = 0.0,
        clip: float = 0.05,
        eps: float = 1e-8,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        check_param(owner, gamma=gamma_neg, reduction=reduction)
        check_param(owner, gamma=gamma_pos)
        self.clip = _check_clip(owner, clip)
        self.eps = check_finite_float(owner, "eps", eps)
        if self.eps <= 0:
            raise InvalidParameterError(
                f"The 'eps' parameter of {owner} must be > 0; got {short_repr(eps)}."
            )
        self.gamma_neg, self.gamma_pos, self.reduction = (
            float(gamma_neg),
            float(gamma_pos),
            reduction,
        )

    @classmethod
    def from_counts(
        cls, counts: ArrayLike | Mapping[Any, Any], *, n_samples: int | None = None, **params: Any
    ) -> AsymmetricLoss:
        """ASL does not use the label counts; accepted for a uniform interface."""
        return cls(**params)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return asymmetric_loss(
            input,
            target,
            gamma_neg=self.gamma_neg,
            gamma_pos=self.gamma_pos,
            clip=self.clip,
            eps=self.eps,
            reduction=self.reduction,
        )

    def extra_repr(self) -> str:
        return f"gamma_neg={self.gamma_neg}, gamma_pos={self.gamma_pos}, clip={self.clip}, reduction={self.reduction!r}"


# ------------------------------------------------------------------------ class-balanced BCE
def class_balanced_bce_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    weight: Any = None,
    gamma: float = 0.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Per-label weighted (focal) binary cross-entropy on logits ``(N, L)``.

    .. math:: \ell_{il} = w_l\,(1 - p_{t})^{\gamma}\,\mathrm{BCE}(z_{il}, y_{il}),
              \quad p_t = p\,y + (1-p)(1-y)

    ``weight=None`` is ``w_l = 1``; ``gamma=0`` is plain (weighted) BCE, ``gamma > 0`` the
    sigmoid focal loss of Lin et al. without its ``alpha``. :meth:`ClassBalancedBCELoss.from_counts`
    gives Cui et al.'s class-balanced weights.

    Parameters
    ----------
    input : torch.Tensor of shape (N, L)
        Logits.
    target : torch.Tensor of shape (N, L)
        0/1 indicators (any dtype).
    weight : sequence or tensor of length L, optional
    gamma : float >= 0, default=0.0
    reduction : {'none', 'mean', 'sum'}, default='mean'
    """
    owner = "class_balanced_bce_loss"
    check_param(owner, gamma=gamma, reduction=reduction)
    input, t = _check_pair(owner, input, target)
    loss = F.binary_cross_entropy_with_logits(input, t, reduction="none")
    if gamma > 0:
        p = torch.sigmoid(input)
        p_t = p * t + (1 - p) * (1 - t)
        loss = loss * (1 - p_t) ** gamma
    w = _label_vector(owner, "weight", weight, input)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


@MULTILABEL_LOSSES.register("class-balanced-bce")
class ClassBalancedBCELoss(LossModule):
    r"""Per-label weighted (focal) BCE; see :func:`class_balanced_bce_loss`.

    ``from_counts(counts, beta=0.9999)`` sets Cui et al.'s class-balanced weights from the
    *effective number* of each label's positives (applied to the label's positive and
    negative terms, as in their sigmoid version):

    .. math:: w_l = L\,\frac{(1-\beta)/(1-\beta^{n_l})}{\sum_{l'} (1-\beta)/(1-\beta^{n_{l'}})}

    References
    ----------
    Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie. "Class-Balanced Loss Based on Effective
    Number of Samples", CVPR 2019. T.-Y. Lin et al. "Focal Loss for Dense Object Detection",
    ICCV 2017.

    Examples
    --------
    >>> loss = ClassBalancedBCELoss.from_counts([900, 100], beta=0.999)
    >>> [round(w, 3) for w in loss.weight.tolist()]
    [0.276, 1.724]
    """

    weight: torch.Tensor | None
    _optional_buffers = ("weight",)

    def __init__(
        self, weight: Any = None, gamma: float = 0.0, reduction: Reduction = "mean"
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        check_param(owner, gamma=gamma, reduction=reduction)
        self.register_buffer("weight", check_class_vector(owner, "weight", weight, None))
        self.gamma, self.reduction = float(gamma), reduction

    @classmethod
    def from_counts(
        cls,
        counts: ArrayLike | Mapping[Any, Any],
        *,
        n_samples: int | None = None,
        beta: float = 0.9999,
        **params: Any,
    ) -> ClassBalancedBCELoss:
        """Class-balanced weights from the rows per label (``n_samples`` is not needed)."""
        check_param(cls.__name__, beta=beta)
        n = counts_tensor(counts, cls.__name__).astype(np.float64)
        if beta == 0:
            raw = np.ones_like(n)
        else:
            raw = (1 - beta) / np.where(n > 0, 1 - beta ** np.maximum(n, 1), 1 - beta)
        return cls(weight=torch.as_tensor(raw / raw.sum() * len(n), dtype=torch.float32), **params)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return class_balanced_bce_loss(
            input, target, weight=self.weight, gamma=self.gamma, reduction=self.reduction
        )

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, reduction={self.reduction!r}"


def _plain_bce(
    counts: ArrayLike | Mapping[Any, Any], *, n_samples: int | None = None, **params: Any
) -> ClassBalancedBCELoss:
    """Unweighted BCE (the baseline)."""
    return ClassBalancedBCELoss(**params)


def _focal_bce(
    counts: ArrayLike | Mapping[Any, Any],
    *,
    n_samples: int | None = None,
    gamma: float = 2.0,
    **params: Any,
) -> ClassBalancedBCELoss:
    """Sigmoid focal BCE (gamma=2, Lin et al. 2017), unweighted."""
    return ClassBalancedBCELoss(gamma=gamma, **params)


class _Named:
    """A registry entry that builds a configured :class:`ClassBalancedBCELoss`."""

    def __init__(self, builder: Any) -> None:
        self.from_counts = builder
        self.__doc__ = builder.__doc__


MULTILABEL_LOSSES.register("bce", _Named(_plain_bce))
MULTILABEL_LOSSES.register("focal-bce", _Named(_focal_bce))


# ------------------------------------------------------------------- distribution-balanced
def distribution_balanced_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    label_counts: Any,
    n_samples: int,
    alpha: float = 0.1,
    beta: float = 10.0,
    mu: float = 0.2,
    lambda_: float = 5.0,
    kappa: float = 0.05,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Distribution-balanced loss (Wu et al., ECCV 2020): re-balanced weights + NTR.

    *Re-balanced weighting.* Under class-aware sampling a row ``i`` is drawn through label
    ``k`` with probability :math:`\propto 1/n_k` and through any of its labels with
    :math:`\propto \sum_{j \in Y_i} 1/n_j`; the ratio
    :math:`r_{ik} = (1/n_k) / \sum_{j \in Y_i} 1/n_j`, smoothed as
    :math:`\hat r_{ik} = \alpha + \sigma(\beta (r_{ik} - \mu))`, weighs both the positive and the
    negative term of ``(i, k)`` (rows without labels: :math:`\hat r = \alpha + 1`).

    *Negative-tolerant regularisation.* With the class-specific bias
    :math:`\nu_k = \kappa \log(N / n_k - 1)` (``N`` training rows; ``-\nu_k`` is ``kappa`` times
    the prior's log-odds) and :math:`z' = z - \nu`:

    .. math::

        \ell_{ik} = \hat r_{ik}\Big[y \log(1 + e^{-z'}) + \frac{1-y}{\lambda}\log(1 + e^{\lambda z'})\Big]

    Defaults: :math:`\alpha=0.1, \beta=10, \mu=0.2` (the reference code's mapping for COCO-MLT),
    :math:`\lambda=5, \kappa=0.05`. The bias follows the reference code after its issue 8 fix
    (not divided by :math:`\lambda`).

    Parameters
    ----------
    input : torch.Tensor of shape (N, L)
    target : torch.Tensor of shape (N, L)
    label_counts : sequence or tensor of length L
        Training rows with each label (all > 0 and < ``n_samples``).
    n_samples : int
        Training rows ``N``.
    alpha, beta, mu : float
        Smoothing of the re-balancing weight.
    lambda_ : float > 0
        Negative scale of NTR.
    kappa : float
        Scale of the class-specific bias.
    reduction : {'none', 'mean', 'sum'}, default='mean'

    References
    ----------
    T. Wu, Q. Huang, Z. Liu, Y. Wang, D. Lin. "Distribution-Balanced Loss for Multi-Label
    Classification in Long-Tailed Datasets", ECCV 2020.
    """
    owner = "distribution_balanced_loss"
    check_param(owner, reduction=reduction)
    input, t = _check_pair(owner, input, target)
    counts = _db_counts(owner, label_counts, n_samples, input)
    for name, value in (("alpha", alpha), ("beta", beta), ("mu", mu), ("kappa", kappa)):
        check_finite_float(owner, name, value)
    if check_finite_float(owner, "lambda_", lambda_) <= 0:
        raise InvalidParameterError(
            f"The 'lambda_' parameter of {owner} must be > 0; got {short_repr(lambda_)}."
        )
    weight = _rebalance_weight(t, counts, alpha, beta, mu)
    nu = kappa * torch.log(n_samples / counts - 1)
    z = input - nu
    loss = t * F.softplus(-z) + (1 - t) * F.softplus(lambda_ * z) / lambda_
    return _reduce(weight * loss, reduction)


def _db_counts(owner: str, label_counts: Any, n_samples: Any, input: torch.Tensor) -> torch.Tensor:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 2:
        raise InvalidParameterError(
            f"The 'n_samples' parameter of {owner} must be an int >= 2 (training rows); got {short_repr(n_samples)}."
        )
    counts = _label_vector(owner, "label_counts", label_counts, input)
    assert counts is not None
    if checks_values(counts) and bool(((counts <= 0) | (counts >= n_samples)).any()):
        raise InvalidParameterError(
            f"{owner} needs every label count in (0, n_samples={int(n_samples)}): a label with no positive (or on "
            "every row) has no prior log-odds. Drop such labels first."
        )
    return counts


def _rebalance_weight(
    t: torch.Tensor, counts: torch.Tensor, alpha: float, beta: float, mu: float
) -> torch.Tensor:
    inv = 1.0 / counts
    repeat = (t * inv).sum(dim=1, keepdim=True)
    ratio = inv / repeat.clamp(min=torch.finfo(t.dtype).tiny)
    weight = torch.where(
        repeat > 0, alpha + torch.sigmoid(beta * (ratio - mu)), torch.full_like(ratio, alpha + 1.0)
    )
    return weight.detach()


@MULTILABEL_LOSSES.register("distribution-balanced")
class DistributionBalancedLoss(LossModule):
    """Distribution-balanced loss (Wu et al., ECCV 2020); see :func:`distribution_balanced_loss`.

    Parameters
    ----------
    label_counts : sequence or tensor of length L
    n_samples : int
    alpha, beta, mu, lambda_, kappa, reduction
        As in :func:`distribution_balanced_loss`.

    Examples
    --------
    >>> import torch
    >>> loss = DistributionBalancedLoss.from_counts([80, 20], n_samples=100)
    >>> round(loss(torch.zeros(1, 2), torch.tensor([[1, 0]])).item(), 4) > 0
    True
    """

    label_counts: torch.Tensor

    def __init__(
        self,
        label_counts: Any,
        n_samples: int,
        alpha: float = 0.1,
        beta: float = 10.0,
        mu: float = 0.2,
        lambda_: float = 5.0,
        kappa: float = 0.05,
        reduction: Reduction = "mean",
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        check_param(owner, reduction=reduction)
        counts = check_class_vector(owner, "label_counts", label_counts, None)
        assert counts is not None
        _db_counts(owner, counts, n_samples, counts.reshape(1, -1).to(torch.float64))
        for name, value in (("alpha", alpha), ("beta", beta), ("mu", mu), ("kappa", kappa)):
            check_finite_float(owner, name, value)
        if check_finite_float(owner, "lambda_", lambda_) <= 0:
            raise InvalidParameterError(
                f"The 'lambda_' parameter of {owner} must be > 0; got {short_repr(lambda_)}."
            )
        self.register_buffer("label_counts", counts.to(torch.float32))
        self.n_samples = int(n_samples)
        self.alpha, self.beta, self.mu, self.lambda_, self.kappa = (
            float(alpha),
            float(beta),
            float(mu),
            float(lambda_),
            float(kappa),
        )
        self.reduction = reduction

    @classmethod
    def from_counts(
        cls, counts: ArrayLike | Mapping[Any, Any], *, n_samples: int | None = None, **params: Any
    ) -> DistributionBalancedLoss:
        """Build from the rows per label and the number of training rows ``n_samples`` (required)."""
        if n_samples is None:
            raise InvalidParameterError(
                "DistributionBalancedLoss.from_counts needs n_samples=, the number of training rows (label counts "
                "alone do not give the label priors)."
            )
        return cls(counts_tensor(counts, cls.__name__), n_samples, **params)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return distribution_balanced_loss(
            input,
            target,
            label_counts=self.label_counts,
            n_samples=self.n_samples,
            alpha=self.alpha,
            beta=self.beta,
            mu=self.mu,
            lambda_=self.lambda_,
            kappa=self.kappa,
            reduction=self.reduction,
        )

    def extra_repr(self) -> str:
        return (
            f"n_samples={self.n_samples}, alpha={self.alpha}, beta={self.beta}, mu={self.mu}, "
            f"lambda_={self.lambda_}, kappa={self.kappa}, reduction={self.reduction!r}"
        )
