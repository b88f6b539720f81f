"""What :func:`~equipoise.compare.compare` returns: :class:`ComparisonResult`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ComparisonResult"]


@dataclass
class ComparisonResult:
    """The runs, the summary and where they were written.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per recipe x fold x seed: ``recipe, fold, seed``, one column per metric, and
        ``family``, ``collapsed``, ``selection``, ``chosen_epochs``, ``fit_seconds`` (the
        ``results.csv`` content).
    summary : dict
        The ``summary.json`` content: intervals, corrected tests against the baseline and the
        best, ties, the recommended recipe, the references, and the recommendation text.
    out : pathlib.Path or None
        The output folder (None when nothing was written).
    config : dict
        The settings that determine the runs (hashed in the journal).
    n_computed : int
        Runs computed by this call (the rest came from the journal).
    predictions : dict
        ``{recipe: {"y_true", "y_pred", "y_score", "labels"}}`` of the first seed, pooled over
        its test folds (the report's curves and confusion matrices).
    """

    results: pd.DataFrame
    summary: dict[str, Any]
    out: Path | None
    config: dict[str, Any]
    n_computed: int = 0
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def metric(self) -> str:
        """The primary metric."""
        return str(self.summary["metric"])

    @property
    def recommendation(self) -> str:
        """The plain-language verdict."""
        return str(self.summary["recommendation"])

    @property
    def recommended(self) -> str | None:
        """The recommended recipe, or None when no recipe beats the baseline beyond noise."""
        return self.summary.get("recommended")

    @property
    def ranking(self) -> list[str]:
        """Recipe names, best mean primary metric first."""
        return list(self.summary["ranking"])

    def table(self) -> pd.DataFrame:
        """One row per recipe (ranked): its family, the mean and 95% interval of the primary
        metric, the difference against the baseline with its interval, the raw and
        Holm-adjusted p-values, the verdict, whether it ties the best, and collapsed runs."""
        rows = []
        tied = set(self.summary.get("tied_with_best") or [])
        for name in self.ranking:
            entry = self.summary["recipes"][name]
            m = entry["metrics"][self.metric]
            vs = self.summary["vs_baseline"].get(name, {})
            rows.append(
                {
                    "recipe": name,
                    "family": entry.get("family", "neural"),
                    "mean": m["mean"],
                    "low": m["low"],
                    "high": m["high"],
                    "diff": vs.get("diff", math.nan),
                    "diff_low": vs.get("low", math.nan),
                    "diff_high": vs.get("high", math.nan),
                    "p_value": vs.get("p_value", math.nan),
                    "p_holm": vs.get("p_holm", math.nan),
                    "verdict": vs.get("verdict", "baseline" if name == self.summary["baseline"] else ""),
                    "ties_best": name in tied,
                    "collapsed_runs": entry.get("collapsed_runs", 0),
                }
            )
        return pd.DataFrame(rows).set_index("recipe")

    def __str__(self) -> str:
        return self.table().to_string(float_format=lambda v: f"{v:.3f}") + "\n\n" + self.recommendation
