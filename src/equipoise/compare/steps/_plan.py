"""A recipe resolved into its steps: :class:`Plan`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...exceptions import InvalidParameterError
from ._base import Step, StepContext
from ._data import batch_step, resample_step
from ._decision import DECISIONS
from ._model import MODELS
from ._network import HEADS, SCHEDULES, ConstantSchedule, LossStep

__all__ = ["Plan", "KINDS"]

KINDS: tuple[str, ...] = ("model", "resample", "batches", "loss", "schedule", "head", "decision")
"""The kinds of step, in the order data meets them."""

_ALWAYS_NAMED = frozenset({"model", "loss", "head", "decision"})


@dataclass(frozen=True)
class Plan:
    """The steps of one recipe, each resolved through its registry.

    The runner calls the hooks of these steps and never looks at a recipe's fields: a new
    resampler, sampler, loss, schedule, head, decision rule or model family is one registered
    class, not a new branch.
    """

    model: Step
    resample: Step
    batches: Step
    loss: Step
    schedule: Step
    head: Step
    decision: Step

    @classmethod
    def from_fields(
        cls,
        *,
        model: str,
        model_params: Any,
        resampler: str | None,
        resampler_params: Any,
        batch_sampler: str | None,
        batch_sampler_params: Any,
        loss: str,
        loss_params: Any,
        schedule: str | None,
        schedule_params: Any,
        head: str,
        decision: str,
        decision_params: Any,
    ) -> Plan:
        """Resolve the fields of a :class:`~equipoise.compare.Recipe` (unknown names raise
        :class:`~equipoise.exceptions.UnknownNameError` with the known ones)."""
        return cls(
            model=MODELS.get(model)(model, model_params),
            resample=resample_step(resampler, resampler_params),
            batches=batch_step(batch_sampler, batch_sampler_params),
            loss=LossStep(loss, loss_params),
            schedule=ConstantSchedule("none")
            if schedule is None
            else SCHEDULES.get(schedule)(schedule, schedule_params),
            head=HEADS.get(head)(head, {}),
            decision=DECISIONS.get(decision)(decision, decision_params),
        )

    def __iter__(self) -> Iterator[Step]:
        return iter(getattr(self, kind) for kind in KINDS)

    @property
    def family(self) -> str:
        """``'neural'`` or ``'reference'`` (a scikit-learn reference model)."""
        return str(self.model.family)  # type: ignore[attr-defined]

    @property
    def complexity(self) -> tuple[int, int]:
        """``(deepest level changed, number of steps changed)``: smaller is simpler.

        Levels (:data:`~equipoise.compare.steps.LEVELS`): decision rule 1, loss / weights /
        schedule / head 2, batch sampler 3, resampling 4.
        """
        changed = [s for s in self if not s.identity]
        return (max((s.level for s in changed), default=0), len(changed))

    def check(self, context: StepContext, owner: str) -> None:
        """Every parameter checked before any run: unknown or impossible ones raise
        :class:`~equipoise.exceptions.InvalidParameterError` naming ``owner`` (the recipe)."""
        unused = [
            s.kind
            for s in self
            if s.kind != "model" and s.kind not in self.model.trains_with and not s.identity  # type: ignore[attr-defined]
        ]
        if unused:
            raise InvalidParameterError(
                f"{owner} uses model {self.model.name!r}, which trains with its own objective: it cannot "
                f"use the {', '.join(unused)} step(s). Drop them, or use model='network'."
            )
        for step in self:
            try:
                step.check(context)
            except InvalidParameterError as exc:
                raise InvalidParameterError(f"{owner}: {exc}") from None
        check_loss = getattr(self.schedule, "check_loss", None)
        if check_loss is not None:
            try:
                check_loss(self.loss)
            except InvalidParameterError as exc:
                raise InvalidParameterError(f"{owner}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """Canonical description (hashed into the recipe's fingerprint)."""
        return {step.kind: step.to_dict() for step in self}

    def describe(self) -> dict[str, str | None]:
        """``{kind: 'name(params)' or None}`` for the summary."""
        out: dict[str, str | None] = {}
        for step in self:
            text = step.describe()
            if text is None and step.kind in _ALWAYS_NAMED:
                text = step.name
            out[step.kind] = text
        return out
