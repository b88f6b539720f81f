"""Losses for imbalanced classification, each a ``torch.nn.Module`` built from class counts.

Every registered class has ``from_counts(counts, **params)`` and is called as
``loss(logits, target)`` with the inputs of ``torch.nn.CrossEntropyLoss``: logits ``(N, C)`` or
``(N, C, d1, ...)``, class indices ``(N, d1, ...)`` of any integer dtype, or (where the loss
is defined for them) class probabilities; functional twins live in
:mod:`equipoise.losses.functional`. :data:`LOSSES` maps names to classes and
:func:`make_loss` builds one by name.

========================  =====================================  ===========================
name                      class                                  paper
========================  =====================================  ===========================
``cross-entropy``         :class:`CrossEntropyLoss`              baseline
``focal``                 :class:`FocalLoss`                     Lin et al., ICCV 2017
``class-balanced``        :class:`ClassBalancedLoss`             Cui et al., CVPR 2019
``ldam``                  :class:`LDAMLoss`                      Cao et al., NeurIPS 2019
``balanced-softmax``      :class:`BalancedSoftmaxLoss`           Ren et al., NeurIPS 2020
``logit-adjusted``        :class:`LogitAdjustedLoss`             Menon et al., ICLR 2021
========================  =====================================  ===========================

Multi-label indicator targets (logits and 0/1 targets of shape ``(N, L)``, elementwise like
``BCEWithLogitsLoss``) have their own registry, :data:`MULTILABEL_LOSSES`: ``bce``,
``class-balanced-bce``, ``focal-bce`` (:class:`ClassBalancedBCELoss`), ``asymmetric``
(:class:`AsymmetricLoss`, Ridnik et al. 2021) and ``distribution-balanced``
(:class:`DistributionBalancedLoss`, Wu et al. 2020), each with
``from_counts(counts, *, n_samples=None, **params)``.

Continuous targets (not in :data:`LOSSES`, which holds classification losses built from
counts): :class:`WeightedMSELoss`, :class:`WeightedL1Loss`, :class:`WeightedHuberLoss` (per-row
LDS / DenseWeight weights), :class:`BMCLoss` and :class:`GAILoss` (Balanced MSE, Ren et al.,
CVPR 2022) and :class:`FeatureDistributionSmoothing` (FDS, Yang et al., ICML 2021).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

try:
    import torch  # noqa: F401  (the extra equipoise[torch])
except ModuleNotFoundError as _exc:
    from .._extras import missing_dependency

    raise missing_dependency("torch", "equipoise.losses", cause=_exc) from None

from torch import nn

from .._types import ArrayLike
from . import functional
from ._class_balanced import ClassBalancedLoss
from ._common import LOSSES, set_value_checks
from ._cross_entropy import CrossEntropyLoss
from ._focal import BinaryFocalLoss, FocalLoss
from ._ldam import DeferredReweighting, LDAMLoss, NormedLinear, ldam_margins
from ._multilabel import (
    MULTILABEL_LOSSES,
    AsymmetricLoss,
    ClassBalancedBCELoss,
    DistributionBalancedLoss,
    asymmetric_loss,
    class_balanced_bce_loss,
    distribution_balanced_loss,
)
from ._prior import BalancedSoftmaxLoss, LogitAdjustedLoss
from ._regression import (
    BMCLoss,
    FeatureDistributionSmoothing,
    GAILoss,
    WeightedHuberLoss,
    WeightedL1Loss,
    WeightedMSELoss,
)

__all__ = [
    "LOSSES",
    "MULTILABEL_LOSSES",
    "AsymmetricLoss",
    "ClassBalancedBCELoss",
    "DistributionBalancedLoss",
    "asymmetric_loss",
    "class_balanced_bce_loss",
    "distribution_balanced_loss",
    "BalancedSoftmaxLoss",
    "BinaryFocalLoss",
    "ClassBalancedLoss",
    "CrossEntropyLoss",
    "DeferredReweighting",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "NormedLinear",
    "functional",
    "ldam_margins",
    "make_loss",
    "set_value_checks",
    "BMCLoss",
    "GAILoss",
    "WeightedMSELoss",
    "WeightedL1Loss",
    "WeightedHuberLoss",
    "FeatureDistributionSmoothing",
]


def make_loss(name: str, counts: ArrayLike | Mapping[Any, Any], **params: Any) -> nn.Module:
    """Build the loss registered as ``name`` from class counts.

    Parameters
    ----------
    name : str
        A :data:`LOSSES` name: ``'cross-entropy'``, ``'focal'``, ``'class-balanced'``,
        ``'ldam'``, ``'balanced-softmax'``, ``'logit-adjusted'``.
    counts : list, array, tensor or {label: count}
        Training samples per class, in class order.
    **params
        Passed to the class's ``from_counts``.

    Returns
    -------
    torch.nn.Module

    Raises
    ------
    UnknownNameError
        For a name not in :data:`LOSSES` (the message lists the known names).

    Examples
    --------
    >>> from equipoise.losses import make_loss
    >>> make_loss("logit-adjusted", [900, 100], tau=1.0)
    LogitAdjustedLoss(tau=1.0, reduction='mean', ignore_index=-100)
    """
    return LOSSES.get(name).from_counts(counts, **params)
