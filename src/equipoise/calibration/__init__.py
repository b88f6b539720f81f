"""Probabilities you can use after rebalancing: undo the prior shift, calibrate, adapt to a new prior.

- **Prior correction in closed form** (:func:`correct_proba`, :func:`correct_logits`,
  :func:`correct_undersampling`), with :func:`induced_prior` telling which prior a resampler,
  sampler, loss or class-weighted estimator made the model learn;
- **calibration on held-out logits**: :class:`TemperatureScaling`,
  :class:`BiasCorrectedTemperatureScaling` (scikit-learn's sigmoid / isotonic through
  :class:`RebalancedClassifier`'s ``calibration=``);
- **prior shift at test time**: :func:`estimate_prior_em`, :class:`PriorShiftAdapter`;
- :class:`RebalancedClassifier` (scikit-learn) and :class:`PriorCorrection` (torch);
- :func:`reliability_diagram`. The metrics (Brier, log loss, ECE) live in :mod:`equipoise.metrics`.
"""

from typing import Any

from ._em import EMPriorResult, PriorShiftAdapter, estimate_prior_em
from ._estimator import RebalancedClassifier
from ._plot import reliability_diagram
from ._prior import (
    check_prior,
    correct_logits,
    correct_proba,
    correct_undersampling,
    induced_prior,
    prior_from_class_weights,
    prior_from_counts,
)
from ._scaling import BiasCorrectedTemperatureScaling, TemperatureScaling

__all__ = [
    "check_prior",
    "prior_from_counts",
    "prior_from_class_weights",
    "correct_logits",
    "correct_proba",
    "correct_undersampling",
    "induced_prior",
    "TemperatureScaling",
    "BiasCorrectedTemperatureScaling",
    "estimate_prior_em",
    "EMPriorResult",
    "PriorShiftAdapter",
    "RebalancedClassifier",
    "PriorCorrection",
    "reliability_diagram",
]


def __getattr__(name: str) -> Any:
    """``PriorCorrection`` is a torch module: import torch only when it is asked for."""
    if name == "PriorCorrection":
        from ._torch import PriorCorrection

        return PriorCorrection
    raise AttributeError(f"module 'equipoise.calibration' has no attribute {name!r}")
