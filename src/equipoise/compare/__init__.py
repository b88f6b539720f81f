"""Compare imbalance recipes on your own data, leakage-free, and get a verdict you can trust.

:func:`compare` runs each :class:`Recipe` (a model, a resampler, a batch sampler, a loss, a
schedule, a head and a decision rule, resolved through one registry per kind:
:mod:`equipoise.compare.steps`) and the reference models on the same splits with the same
budget of optimiser steps, selects every model by a criterion no class prior favours, writes
every finished run to a SQLite journal (an interrupted comparison resumes), and summarises the
results with corrected tests: a difference is real only after the Nadeau-Bengio test (or a
paired bootstrap on a fixed test set) and Holm's correction; the simplest recipe tied with the
best that beats the baseline is recommended.
"""

from .journal import Journal, RunRecord
from .recipes import (
    DEFAULT_RECIPES,
    RECIPES,
    REFERENCE_RECIPES,
    Recipe,
    get_recipe,
    load_recipes_toml,
    register_recipe,
)
from .result import ComparisonResult
from .runner import compare, shot_groups
from .settings import TrainSettings
from .statistics import corrected_resampled_ttest, holm
from .steps import DECISIONS, HEADS, MODELS, SCHEDULES

__all__ = [
    "compare",
    "ComparisonResult",
    "TrainSettings",
    "Recipe",
    "RECIPES",
    "DEFAULT_RECIPES",
    "REFERENCE_RECIPES",
    "register_recipe",
    "get_recipe",
    "load_recipes_toml",
    "Journal",
    "RunRecord",
    "MODELS",
    "HEADS",
    "SCHEDULES",
    "DECISIONS",
    "corrected_resampled_ttest",
    "holm",
    "shot_groups",
]
