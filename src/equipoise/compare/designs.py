"""The two evaluation designs of a comparison and how each estimates uncertainty.

A design answers two questions for the summary: the interval of one recipe's mean metric
(:meth:`interval`), and whether two recipes differ (:meth:`compare`), with the test that fits
how the runs were made (:mod:`equipoise.compare.statistics`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .journal import RunRecord
from .statistics import (
    PairedTest,
    bootstrap_weights,
    corrected_mean_ci,
    corrected_resampled_ttest,
    weighted_metrics,
)

__all__ = ["CVDesign", "FixedTestDesign", "describe_design"]


def _bounds(metric: str) -> tuple[float, float] | None:
    from ..metrics import METRICS

    return (
        METRICS.get(metric).bounds
        if metric in METRICS
        else (0.0, 1.0)
        if metric.endswith("_shot_acc")
        else None
    )


class CVDesign:
    """Repeated stratified k-fold: runs keyed by (seed, fold); the corrected resampled t-test.

    Parameters
    ----------
    results : pandas.DataFrame
        ``recipe, fold, seed`` and one column per metric.
    test_train_ratio : float
        Mean test rows over mean training-fold rows of a run (:math:`n_2/n_1`).
    """

    kind = "cv"
    test_name = "Nadeau-Bengio corrected resampled t-test"

    def __init__(
        self, results: pd.DataFrame, *, test_train_ratio: float, n_folds: int, n_seeds: int
    ) -> None:
        self.results = results
        self.ratio = float(test_train_ratio)
        self.description = f"stratified {n_folds}-fold cross-validation x {n_seeds} seed(s)"
        # each recipe's rows indexed by (seed, fold) once: the summary asks for every recipe
        # and metric pair, and indexing the whole table per question was most of its time
        self._by_recipe = {
            recipe: rows.set_index(["seed", "fold"])
            for recipe, rows in results.groupby("recipe", sort=False)
        }

    def _runs(self, recipe: str, metric: str) -> pd.Series:
        rows = self._by_recipe.get(recipe)
        if rows is None:  # a recipe without runs: an empty series, as the filter gave
            rows = self.results.iloc[:0].set_index(["seed", "fold"])
        return rows[metric].astype(np.float64)

    def interval(self, recipe: str, metric: str) -> dict[str, Any]:
        values = self._runs(recipe, metric).to_numpy()
        mean, low, high = corrected_mean_ci(
            values, test_train_ratio=self.ratio, bounds=_bounds(metric)
        )
        return {"mean": mean, "low": low, "high": high, "n": int(np.isfinite(values).sum())}

    def compare(self, a: str, b: str, metric: str) -> PairedTest:
        pair = pd.concat(
            [self._runs(a, metric).rename("a"), self._runs(b, metric).rename("b")],
            axis=1,
            join="inner",
        ).dropna()
        test = corrected_resampled_ttest(
            pair["a"].to_numpy(), pair["b"].to_numpy(), test_train_ratio=self.ratio
        )
        bounds = _bounds(metric)
        if bounds is None or not math.isfinite(test.low):
            return test
        width = (
            bounds[1] - bounds[0]
        )  # a difference of two scores in [lo, hi] lies in [-width, width]
        return PairedTest(
            test.diff, max(test.low, -width), min(test.high, width), test.p_value, test.n
        )


class FixedTestDesign:
    """One test set scored by every run, repeated over seeds; the paired bootstrap.

    Each replicate draws the test rows with replacement (the same draw for every recipe and
    seed: the comparison stays paired) and the seeds with replacement; metrics are recomputed
    on the replicate (:func:`~equipoise.compare.statistics.weighted_metrics`).

    Parameters
    ----------
    records : sequence of RunRecord
        Every run, with its test predictions.
    n_classes : int
    shots : sequence of str, optional
    n_boot : int, default=2000
    random_state : int, default=0
    """

    kind = "fixed-test"
    test_name = "paired bootstrap over test rows and seeds"

    def __init__(
        self,
        records: Sequence[RunRecord],
        *,
        n_classes: int,
        test_name: str,
        shots: Sequence[str] | None = None,
        n_boot: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.n_classes = n_classes
        self.shots = shots
        self.by_recipe: dict[str, dict[int, RunRecord]] = {}
        for rec in records:
            self.by_recipe.setdefault(rec.recipe, {})[rec.seed] = rec
        seeds = sorted({rec.seed for rec in records})
        first = records[0]
        rng = np.random.default_rng(random_state)
        self.W = bootstrap_weights(len(first.y_true), n_boot, rng)
        self.V = rng.multinomial(
            len(seeds), np.full(len(seeds), 1.0 / len(seeds)), size=n_boot
        ).astype(np.float64)
        self.seed_pos = {s: i for i, s in enumerate(seeds)}
        self.description = (
            f"fixed test set ({test_name}, {len(first.y_true)} rows) x {len(seeds)} seed(s)"
        )
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def _replicates(self, recipe: str, metric: str) -> np.ndarray:
        """``(n_boot, n_seeds)`` metric values (NaN where the recipe has no run of that seed)."""
        key = (recipe, metric)
        if key not in self._cache:
            out = np.full((len(self.W), len(self.seed_pos)), np.nan)
            for seed, rec in self.by_recipe.get(recipe, {}).items():
                score = None
                if rec.y_score is not None:
                    score = rec.y_score[:, 1] if self.n_classes == 2 else rec.y_score
                values = weighted_metrics(
                    rec.y_true,
                    rec.y_pred,
                    score,
                    self.W,
                    n_classes=self.n_classes,
                    names=[metric],
                    shots=self.shots,
                )
                out[:, self.seed_pos[seed]] = values[metric]
            self._cache[key] = out
        return self._cache[key]

    def _point(self, recipe: str, metric: str) -> np.ndarray:
        out = np.full(len(self.seed_pos), np.nan)
        for seed, rec in self.by_recipe.get(recipe, {}).items():
            out[self.seed_pos[seed]] = rec.metrics.get(metric, math.nan)
        return out

    def _seed_mean(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        weights = self.V * mask[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.nansum(np.where(np.isfinite(values), values, 0.0) * weights, axis=1)
            count = np.sum(weights * np.isfinite(values), axis=1)
            return np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)

    def interval(self, recipe: str, metric: str) -> dict[str, Any]:
        point = self._point(recipe, metric)
        mask = np.isfinite(point)
        if not mask.any():
            return {"mean": math.nan, "low": math.nan, "high": math.nan, "n": 0}
        reps = self._seed_mean(self._replicates(recipe, metric), mask)
        reps = reps[np.isfinite(reps)]
        low, high = np.quantile(reps, [0.025, 0.975]) if reps.size else (math.nan, math.nan)
        return {
            "mean": float(point[mask].mean()),
            "low": float(low),
            "high": float(high),
            "n": int(mask.sum()),
        }

    def compare(self, a: str, b: str, metric: str) -> PairedTest:
        pa, pb = self._point(a, metric), self._point(b, metric)
        mask = np.isfinite(pa) & np.isfinite(pb)
        if not mask.any():
            return PairedTest(math.nan, math.nan, math.nan, math.nan, 0)
        diff = float((pa[mask] - pb[mask]).mean())
        reps = self._seed_mean(self._replicates(a, metric) - self._replicates(b, metric), mask)
        reps = reps[np.isfinite(reps)]
        if reps.size == 0:
            return PairedTest(diff, math.nan, math.nan, math.nan, int(mask.sum()))
        low, high = np.quantile(reps, [0.025, 0.975])
        below, above = int(np.sum(reps <= 0)), int(np.sum(reps >= 0))
        p = min(1.0, 2.0 * (min(below, above) + 1) / (reps.size + 1))
        return PairedTest(diff, float(low), float(high), float(p), int(mask.sum()))


def describe_design(design: CVDesign | FixedTestDesign, alpha: float) -> Mapping[str, Any]:
    """The ``design`` block of the summary."""
    return {
        "kind": design.kind,
        "description": design.description,
        "test": design.test_name,
        "correction": "Holm",
        "alpha": alpha,
    }
