"""Compare imbalance recipes on your own data, leakage-free, and get a recommendation.

:func:`compare` runs each :class:`Recipe` (a resampler, a batch sampler, a loss, a head and a
decision rule) on the same stratified folds, writes every finished run to a SQLite journal
(so an interrupted comparison resumes), and summarises the results with confidence intervals,
paired tests against the baseline, a ranking and a plain-language recommendation.
"""

from .journal import Journal, RunRecord
from .recipes import (
    DEFAULT_RECIPES,
    RECIPES,
    Recipe,
    get_recipe,
    load_recipes_toml,
    register_recipe,
)
from .runner import ComparisonResult, TrainSettings, compare

__all__ = [
    "compare",
    "ComparisonResult",
    "TrainSettings",
    "Recipe",
    "RECIPES",
    "DEFAULT_RECIPES",
    "register_recipe",
    "get_recipe",
    "load_recipes_toml",
    "Journal",
    "RunRecord",
]
