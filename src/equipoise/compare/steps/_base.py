"""What every step of a recipe shares: its kind, name, parameters and place in the order of
simplicity."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["Step", "StepContext", "LEVELS"]

LEVELS: dict[str, int] = {
    "model": 0,
    "decision": 1,
    "loss": 2,
    "schedule": 2,
    "head": 2,
    "batches": 3,
    "resample": 4,
}
"""How far into training a kind of step reaches, for the order of simplicity the recommendation
uses: a decision rule is simpler than a loss or class weights, which are simpler than a batch
sampler, which is simpler than resampling the data."""


@dataclass(frozen=True)
class StepContext:
    """What a step may need to check itself before any run: the problem's shape."""

    n_classes: int
    kind: str  # "table" | "image"


class Step:
    """One step of a recipe, resolved by name through its kind's registry.

    Subclasses set ``kind`` and implement the hooks of their kind; ``identity`` is True for the
    step that changes nothing (no resampler, shuffled batches, plain cross-entropy, a linear
    head, argmax), so a recipe's complexity counts only what it changes.
    """

    kind: ClassVar[str] = ""
    identity: ClassVar[bool] = False

    def __init__(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.params: dict[str, Any] = dict(params or {})

    @property
    def level(self) -> int:
        """:data:`LEVELS` of the kind, or 0 for a step that changes nothing."""
        return 0 if self.identity else LEVELS[self.kind]

    def check(self, context: StepContext) -> None:
        """Raise a clear error for parameters that cannot work (before any run). Default: none."""

    def describe(self) -> str | None:
        """``name`` with its parameters (None for an identity step), for the summary."""
        if self.identity:
            return None
        if not self.params:
            return self.name
        return f"{self.name}({json.dumps(self.params, sort_keys=True)})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.params!r})"
