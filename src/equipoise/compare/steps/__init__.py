"""The steps a recipe is made of, one registry per kind.

A :class:`~equipoise.compare.Recipe` resolves into a :class:`Plan` of seven steps, in the order
data meets them: ``model`` (:data:`MODELS`), ``resample`` (:data:`equipoise.resample.RESAMPLERS`),
``batches`` (:data:`equipoise.samplers.SAMPLERS`), ``loss`` (:data:`equipoise.losses.LOSSES`),
``schedule`` (:data:`SCHEDULES`), ``head`` (:data:`HEADS`) and ``decision`` (:data:`DECISIONS`).
The runner calls the steps' hooks; adding a decision rule, a schedule, a head or a model family
is registering one class.
"""

from ._base import LEVELS, Step, StepContext
from ._data import BatchStep, NoResample, ResampleStep, ShuffledBatches
from ._decision import DECISIONS, ArgmaxDecision, PosthocLogitAdjustment, TunedThreshold, softmax
from ._model import MODELS, FitRequest, Fitted, NetworkModel, SklearnModel
from ._network import (
    HEADS,
    SCHEDULES,
    ConstantSchedule,
    DeferredReweightingSchedule,
    LinearHead,
    LossStep,
    NormedHead,
)
from ._plan import KINDS, Plan

__all__ = [
    "Plan",
    "KINDS",
    "LEVELS",
    "Step",
    "StepContext",
    "MODELS",
    "HEADS",
    "SCHEDULES",
    "DECISIONS",
    "NetworkModel",
    "SklearnModel",
    "FitRequest",
    "Fitted",
    "ResampleStep",
    "NoResample",
    "BatchStep",
    "ShuffledBatches",
    "LossStep",
    "ConstantSchedule",
    "DeferredReweightingSchedule",
    "LinearHead",
    "NormedHead",
    "ArgmaxDecision",
    "PosthocLogitAdjustment",
    "TunedThreshold",
    "softmax",
]
