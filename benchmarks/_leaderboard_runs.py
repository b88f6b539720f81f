"""Runs behind the technique leaderboard, all through :func:`equipoise.compare.compare`.

* :func:`run_tabular` -- ``compare`` on one KEEL dataset (repeated stratified k-fold), with its
  reference models (logistic regression, histogram gradient boosting with balanced weights and
  with a tuned threshold, a balanced random forest) trained on exactly the rows the recipes train on;
* :func:`run_images` -- the long-tailed protocol of the literature (Cui et al. 2019; Cao et al.
  2019): ``compare(X_lt, y_lt, test=balanced test split)``, repeated over seeds.

Both are resumable through compare's journal in ``out``. Each returns a :class:`DatasetRuns`:
the per-run frame (``method, fold, seed`` and the metrics) and compare's own summary for each
primary metric asked for (its verdicts: Nadeau-Bengio or paired bootstrap, Holm).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from equipoise.compare import TrainSettings, compare

__all__ = ["METRICS", "DatasetRuns", "run_images", "run_tabular"]

METRICS = ("balanced_accuracy", "g_mean", "pr_auc")


@dataclass
class DatasetRuns:
    """One dataset's runs and compare's summaries (``{metric: summary}``)."""

    frame: pd.DataFrame
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def _has_missing(X: Any) -> bool:
    """Impute (per training fold) only where a dataset has missing values (cleveland-0_vs_4)."""
    return bool(pd.DataFrame(X).isna().to_numpy().any())


def _collect(runs: list[Any]) -> DatasetRuns:
    first = runs[0]
    frame = first.results.rename(columns={"recipe": "method"})
    frame = frame[["method", "fold", "seed", *[m for m in METRICS if m in frame]]]
    return DatasetRuns(
        frame, {r.metric: r.summary for r in runs}, dict(first.summary.get("failed", {}))
    )


def run_tabular(
    X: Any,
    y: Any,
    *,
    name: str,
    recipes: Sequence[str],
    folds: int,
    seeds: int,
    jobs: int,
    out: Path,
    max_epochs: int = 40,
    verdict_metrics: Sequence[str] = ("balanced_accuracy", "g_mean"),
) -> DatasetRuns:
    """``compare`` on one dataset; the second and later metrics reuse every run from the journal."""
    kwargs = dict(
        recipes=list(recipes),
        folds=folds,
        seeds=seeds,
        jobs=jobs,
        out=out,
        progress=False,
        report=False,
        dataset_name=name,
        threads=1,
        train=TrainSettings(max_epochs=max_epochs),
        impute=_has_missing(X),
    )
    return _collect([compare(X, y, metric=m, **kwargs) for m in verdict_metrics])


def run_images(
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    name: str,
    recipes: Sequence[str],
    seeds: int,
    jobs: int,
    out: Path,
    max_epochs: int = 40,
    verdict_metrics: Sequence[str] = ("balanced_accuracy", "g_mean"),
) -> DatasetRuns:
    """Train on the long-tailed set, score on the balanced test set, per seed (``compare(test=...)``)."""
    kwargs = dict(
        recipes=list(recipes),
        test=(X_test, y_test),
        seeds=seeds,
        jobs=jobs,
        out=out,
        progress=False,
        report=False,
        dataset_name=name,
        test_name=f"{name} balanced test split",
        threads=1,
        train=TrainSettings(max_epochs=max_epochs),
    )
    return _collect([compare(X_train, y_train, metric=m, **kwargs) for m in verdict_metrics])
