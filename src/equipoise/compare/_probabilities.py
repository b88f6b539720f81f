"""Which class prior a recipe's test probabilities reflect, so ``compare`` can undo the shift.

:func:`probability_prior` walks the steps of a :class:`~equipoise.compare.steps.Plan` in the
order data meets them, one rule per step kind (the rules use
:func:`equipoise.calibration.induced_prior`, so the library and ``compare`` agree):

- **resample**: the model trains on the resampled class counts;
- **batches**: a class-level sampler draws class :math:`c` with probability :math:`\\propto n_c^{1-q}`;
- **loss**: weighted cross-entropy multiplies the prior by the class weights (Elkan 2001);
  balanced softmax / logit-adjusted losses divide it by :math:`\\pi^{\\tau}`; focal, LDAM and
  class-balanced (focal) losses have no closed form: no correction (None);
- **schedule**: deferred re-weighting changes the loss during training: None;
- **model**: a scikit-learn reference with ``class_weight`` multiplies the prior by its weights;
  the balanced random forest grows every tree on a class-balanced under-sample (uniform);
- **decision**: post-hoc logit adjustment divides the prior by :math:`\\pi^{\\tau}`; the
  threshold rule and arg-max keep the probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["probability_prior"]

Rule = Callable[[Any, np.ndarray, np.ndarray], "np.ndarray | None"]


def _normalise(p: np.ndarray) -> np.ndarray:
    return p / p.sum()


def _batches(step: Any, prior: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    if step.identity:
        return prior
    if step.name not in (
        "class-balanced",
        "square-root",
        "instance-balanced",
        "distributed-class-balanced",
    ):
        return None  # per-batch quotas and schedules of q: no single training prior
    from ..calibration import induced_prior

    labels = np.repeat(np.arange(len(counts)), counts)
    return induced_prior(step._build(labels, 0))


def _loss(step: Any, prior: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    if step.identity:
        return prior
    if step.name not in ("cross-entropy", "balanced-softmax", "logit-adjusted"):
        return None
    from ..calibration import induced_prior

    return induced_prior(step.build(counts), prior=prior)


def _schedule(step: Any, prior: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    return prior if step.identity else None


def _model(step: Any, prior: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    if step.name == "balanced-random-forest":
        return np.full(len(prior), 1.0 / len(prior))
    weight = step.params.get("class_weight")
    if weight is None:
        return prior
    from sklearn.utils.class_weight import compute_class_weight

    from ..calibration import prior_from_class_weights

    labels = np.repeat(np.arange(len(counts)), counts)
    return prior_from_class_weights(
        compute_class_weight(weight, classes=np.arange(len(counts)), y=labels), prior
    )


def _decision(step: Any, prior: np.ndarray, counts: np.ndarray) -> np.ndarray | None:
    if step.name != "posthoc-logit-adjustment":
        return prior
    tau = float(step.params.get("tau", 1.0))
    return _normalise(prior * (counts / counts.sum()) ** (-tau))


_RULES: dict[str, Rule] = {
    "batches": _batches,
    "loss": _loss,
    "schedule": _schedule,
    "model": _model,
    "decision": _decision,
}
"""One rule per step kind (``resample`` is the start: the resampled counts)."""


def probability_prior(plan: Any, counts: np.ndarray) -> np.ndarray | None:
    """The prior the recipe's test probabilities reflect, or None where no closed form applies.

    Parameters
    ----------
    plan : Plan
    counts : numpy.ndarray
        Class counts after the resample step (what the model trains on; all > 0).
    """
    counts = np.asarray(counts, dtype=np.int64)
    prior = _normalise(counts.astype(np.float64))
    for kind in ("batches", "loss", "schedule", "model", "decision"):
        step = getattr(plan, kind)
        if kind in plan.model.trains_with or kind in ("model", "decision"):
            moved = _RULES[kind](step, prior, counts)
            if moved is None:
                return None
            prior = moved
    return prior
