"""Steps of network training: the loss, its schedule over epochs, and the output layer.

``SCHEDULES`` and ``HEADS`` are registries: a new schedule or head is one registered class.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...exceptions import InvalidParameterError
from ...registry import Registry
from ._base import Step, StepContext

__all__ = [
    "LossStep",
    "SCHEDULES",
    "HEADS",
    "ConstantSchedule",
    "DeferredReweightingSchedule",
    "LinearHead",
    "NormedHead",
]


def _build_error(what: str, name: str, exc: Exception) -> InvalidParameterError:
    return InvalidParameterError(f"cannot build {what} {name!r}: {exc}")


class LossStep(Step):
    """An :mod:`equipoise.losses` loss, built from the class counts the model trains on.

    ``LOSSES[name].from_counts(counts, **params)``, where ``counts`` are the counts after the
    recipe's resampler.
    """

    kind = "loss"

    def __init__(self, name: str, params: Any = None) -> None:
        from ...losses import LOSSES

        self.cls = LOSSES.get(name)
        super().__init__(name, params)

    @property
    def identity(self) -> bool:  # type: ignore[override]  # a ClassVar in Step; a property of the params here
        return self.name == "cross-entropy" and not self.params

    def build(self, counts: np.ndarray) -> Any:
        """The loss module for training counts ``counts`` (one per class)."""
        try:
            return self.cls.from_counts([int(c) for c in counts], **self.params)
        except TypeError as exc:
            raise _build_error("loss", self.name, exc) from None

    def check(self, context: StepContext) -> None:
        self.build(np.full(context.n_classes, 10) + np.arange(context.n_classes))


SCHEDULES: Registry[type[Step]] = Registry("schedule")
"""How the loss changes over epochs: ``'drw'`` (deferred re-weighting); none by default."""


class _ScheduleRun:
    """A schedule applied to one model's loss: ``on_epoch(epoch)`` before each epoch."""

    judged_from = 0  # epochs before this one are not used for early stopping

    def on_epoch(self, epoch: int) -> None:
        """Change the loss for ``epoch`` (nothing by default)."""


class ConstantSchedule(Step):
    """The loss stays as built."""

    kind = "schedule"
    identity = True

    def begin(self, loss_fn: Any, counts: np.ndarray, max_epochs: int) -> _ScheduleRun:
        return _ScheduleRun()


@SCHEDULES.register("drw")
class DeferredReweightingSchedule(Step):
    r"""Deferred re-weighting (Cao et al. 2019): class-balanced weights from epoch
    ``ceil(start * max_epochs)`` on, :math:`w_c \propto (1-\beta)/(1-\beta^{n_c})`.

    Parameters (``schedule_params``): ``start`` in (0, 1), default 0.5; ``beta``, default 0.9999.
    Early stopping judges epochs from the start of the re-weighting on (the loss changed then).
    The loss must have ``set_weight`` (``'ldam'``).
    """

    kind = "schedule"

    def check(self, context: StepContext) -> None:
        unknown = sorted(set(self.params) - {"start", "beta"})
        if unknown:
            raise InvalidParameterError(
                f"schedule 'drw' has no parameter(s) {unknown}; its parameters are ['beta', 'start']."
            )
        start = self.params.get("start", 0.5)
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0 < start < 1:
            raise InvalidParameterError(
                f"The 'start' parameter of schedule 'drw' (drw_start) must be a fraction of the epochs in (0, 1); got {start!r}."
            )

    def check_loss(self, loss: LossStep) -> None:
        if not hasattr(loss.cls, "set_weight"):
            raise InvalidParameterError(
                f"deferred re-weighting (drw_start / schedule='drw') needs a loss whose weights can change "
                f"(set_weight); loss {loss.name!r} has none. Use loss='ldam' or drop the schedule."
            )

    def begin(self, loss_fn: Any, counts: np.ndarray, max_epochs: int) -> _ScheduleRun:
        from ...losses import DeferredReweighting

        start_epoch = int(math.ceil(float(self.params.get("start", 0.5)) * max_epochs))
        drw = DeferredReweighting(
            [int(c) for c in counts],
            start_epoch=start_epoch,
            beta=float(self.params.get("beta", 0.9999)),
        )

        class _Run(_ScheduleRun):
            judged_from = start_epoch

            def on_epoch(self, epoch: int) -> None:
                drw.apply(loss_fn, epoch)

        return _Run()


HEADS: Registry[type[Step]] = Registry("head")
"""Output layers a recipe can ask for: ``'linear'`` or ``'normed'`` (cosine, for LDAM)."""


@HEADS.register("linear")
class LinearHead(Step):
    """The model's own last ``nn.Linear``."""

    kind = "head"
    identity = True

    def apply(self, model: Any) -> Any:
        return model

    def logit_scale(self, loss_fn: Any) -> float:
        return 1.0


@HEADS.register("normed")
class NormedHead(Step):
    """The last ``nn.Linear`` replaced by :class:`equipoise.losses.NormedLinear` (cosines);
    the logits are the cosines times the loss's scale ``s`` (LDAM's 30)."""

    kind = "head"

    def apply(self, model: Any) -> Any:
        from ...losses import NormedLinear
        from ..models import replace_head

        return replace_head(model, lambda i, o: NormedLinear(i, o))

    def logit_scale(self, loss_fn: Any) -> float:
        return float(getattr(loss_fn, "s", 1.0))
