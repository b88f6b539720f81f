"""How scores become labels at test time: the ``decision`` step, one registered class per rule.

Every rule gets the test logits, the *selection* logits and labels (the validation split, or
the pooled out-of-fold predictions of the inner folds) and the class prior of the data the
model trained on, and returns the predicted classes and the class probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._validation import Interval, validate_params
from ...exceptions import InvalidParameterError
from ...registry import Registry
from ._base import Step, StepContext

__all__ = ["DECISIONS", "ArgmaxDecision", "PosthocLogitAdjustment", "TunedThreshold", "softmax"]

DECISIONS: Registry[type[Step]] = Registry("decision")
"""Decision rules: ``'argmax'``, ``'posthoc-logit-adjustment'``, ``'threshold-tuned'``."""


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _unknown(name: str, params: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidParameterError(
            f"decision {name!r} has no parameter(s) {unknown}; its parameters are {sorted(allowed)}."
        )


class _Decision(Step):
    kind = "decision"
    needs_selection = False
    """True when the rule is fitted on the selection predictions."""

    def decide(
        self,
        logits: np.ndarray,
        *,
        selection_logits: np.ndarray | None,
        selection_y: np.ndarray | None,
        prior: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


@DECISIONS.register("argmax")
class ArgmaxDecision(_Decision):
    """The most probable class."""

    identity = True

    def check(self, context: StepContext) -> None:
        _unknown(self.name, self.params, set())

    def decide(self, logits, *, selection_logits, selection_y, prior):
        probs = softmax(logits)
        return probs.argmax(axis=1), probs


@DECISIONS.register("posthoc-logit-adjustment")
class PosthocLogitAdjustment(_Decision):
    r"""Predict :math:`\arg\max_c f_c(x) - \tau \log \pi_c` with the training prior :math:`\pi`
    (Menon et al. 2021); probabilities are the softmax of the adjusted logits.
    Parameter: ``tau`` (default 1.0)."""

    def check(self, context: StepContext) -> None:
        _unknown(self.name, self.params, {"tau"})
        tau = self.params.get("tau", 1.0)
        validate_params(
            "decision 'posthoc-logit-adjustment'",
            {"tau": tau},
            {"tau": [Interval(float, None, None, description="a finite number")]},
        )

    def decide(self, logits, *, selection_logits, selection_y, prior):
        from ...posthoc import logit_adjust

        adjusted = logit_adjust(
            np.asarray(logits, dtype=np.float64), prior, tau=float(self.params.get("tau", 1.0))
        )
        probs = softmax(np.asarray(adjusted))
        return probs.argmax(axis=1), probs


@DECISIONS.register("threshold-tuned")
class TunedThreshold(_Decision):
    """:class:`equipoise.posthoc.ThresholdTuner` fitted on the selection predictions (every class
    listed, so a class absent from them keeps offset 0). Parameters: the tuner's (``metric``,
    default ``'balanced_accuracy'``; ``max_candidates``, ``max_iter``, ``tol``)."""

    needs_selection = True

    def _tuner(self) -> Any:
        from ...posthoc import ThresholdTuner

        return ThresholdTuner(**{"metric": "balanced_accuracy", **self.params})

    def check(self, context: StepContext) -> None:
        from ...posthoc import ThresholdTuner

        _unknown(self.name, self.params, set(ThresholdTuner._get_param_names()))
        self._tuner()._check_metric(context.n_classes)

    def decide(self, logits, *, selection_logits, selection_y, prior):
        probs = softmax(logits)
        n_classes = probs.shape[1]
        sel = softmax(selection_logits)
        binary = n_classes == 2
        labels = np.arange(n_classes)
        tuner = self._tuner().fit(selection_y, sel[:, 1] if binary else sel, labels=labels)
        pred = np.asarray(tuner.predict(probs[:, 1] if binary else probs)).astype(np.int64)
        return pred, probs
