"""From per-run results to the summary: intervals, paired tests, ranking and a recommendation.

Per recipe and metric: the mean over the runs (folds x seeds) with a Student-t 95% interval
(:func:`equipoise.metrics.mean_ci`). Against the baseline, on the primary metric only: the
paired difference run by run (same fold, same seed, so the same training and test rows) with
its t-interval and paired t-test p-value (:func:`equipoise.metrics.paired_difference`). A recipe
is "better" or "worse" when that difference is beyond noise (p < 0.05, i.e. the interval
excludes zero), otherwise "no clear difference".
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..metrics import METRICS, mean_ci, paired_difference

__all__ = ["build_summary", "recommendation_text", "metric_label", "KEY_COLUMNS"]

KEY_COLUMNS = ("recipe", "fold", "seed")
"""The columns of ``results.csv`` that identify a run."""

_LABELS = {
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro F1",
    "weighted_f1": "weighted F1",
    "g_mean": "G-mean",
    "mcc": "MCC",
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "fit_seconds": "fit seconds",
}


def metric_label(name: str) -> str:
    """Plain-language name of a metric column (``'balanced_accuracy'`` -> ``'balanced accuracy'``)."""
    return _LABELS.get(name, name.replace("_", " "))


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


def _interval(values: np.ndarray, metric: str) -> dict[str, Any]:
    """Mean and t-interval over runs, clipped to the metric's range (e.g. [0, 1])."""
    x = _finite(values.astype(np.float64))
    if x.size == 0:
        return {"mean": math.nan, "low": math.nan, "high": math.nan, "n": 0}
    if x.size == 1:
        return {"mean": float(x[0]), "low": math.nan, "high": math.nan, "n": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bounds = METRICS.get(metric).bounds if metric in METRICS else None
        est, low, high = mean_ci(x, bounds=bounds)
    return {"mean": float(est), "low": float(low), "high": float(high), "n": int(x.size)}


def _verdict(diff: float, significant: bool) -> str:
    if not significant or not math.isfinite(diff) or diff == 0:
        return "no clear difference"
    return "better" if diff > 0 else "worse"


def _names(recipes: Sequence[str]) -> str:
    recipes = list(recipes)
    if len(recipes) <= 1:
        return "".join(recipes)
    return ", ".join(recipes[:-1]) + " and " + recipes[-1]


def recommendation_text(
    vs_baseline: Mapping[str, Mapping[str, Any]],
    ranking: Sequence[str],
    *,
    metric: str,
    baseline: str | None,
    means: Mapping[str, float],
) -> str:
    """The plain-language recommendation.

    Examples
    --------
    >>> vs = {"smote": {"diff": 0.12, "low": 0.08, "high": 0.16, "p_value": 0.001, "verdict": "better"},
    ...       "random-under": {"diff": -0.05, "low": -0.08, "high": -0.02, "p_value": 0.01, "verdict": "worse"}}
    >>> recommendation_text(vs, ["smote", "baseline", "random-under"], metric="balanced_accuracy",
    ...                     baseline="baseline", means={})
    'smote beats the baseline by +0.120 balanced accuracy [0.080, 0.160]; random-under is worse (-0.050 [-0.080, -0.020]). Recommended: smote.'
    """
    label = metric_label(metric)
    if not ranking:
        return "No recipe finished; nothing to recommend."
    if baseline is None or not vs_baseline:
        best = ranking[0]
        return (
            f"{best} has the highest mean {label} ({means.get(best, math.nan):.3f}); no baseline was run, "
            "so there is no test of whether the differences are beyond noise."
        )
    better = [r for r in ranking if vs_baseline.get(r, {}).get("verdict") == "better"]
    worse = [r for r in ranking if vs_baseline.get(r, {}).get("verdict") == "worse"]
    parts = []
    if better:
        diffs = [vs_baseline[r] for r in better]
        if len(better) == 1:
            d = diffs[0]
            parts.append(
                f"{better[0]} beats the baseline by {d['diff']:+.3f} {label} [{d['low']:.3f}, {d['high']:.3f}]"
            )
        else:
            lo, hi = min(d["diff"] for d in diffs), max(d["diff"] for d in diffs)
            parts.append(f"{_names(better)} beat the baseline by {lo:+.3f} to {hi:+.3f} {label}")
    else:
        others = [r for r in ranking if r != baseline and r in vs_baseline]
        if others:
            top = others[0]
            d = vs_baseline[top]
            parts.append(
                f"no recipe beats the baseline beyond noise on {label} (closest: {top}, "
                f"{d['diff']:+.3f} [{d['low']:.3f}, {d['high']:.3f}])"
            )
    if worse:
        if len(worse) == 1:
            d = vs_baseline[worse[0]]
            parts.append(f"{worse[0]} is worse ({d['diff']:+.3f} [{d['low']:.3f}, {d['high']:.3f}])")
        else:
            parts.append(f"{_names(worse)} are worse")
    text = "; ".join(parts)
    text = text[:1].upper() + text[1:] if text and not better else text
    if better:
        return f"{text}. Recommended: {better[0]}."
    return f"{text}. Recommended: keep the baseline, or gather more data or folds to separate the recipes."


def build_summary(
    results: pd.DataFrame,
    *,
    metric: str,
    baseline: str | None,
    descriptions: Mapping[str, str],
    dataset: Mapping[str, Any],
    n_folds: int,
    n_seeds: int,
    elapsed_seconds: float,
    failed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the ``summary.json`` content from the ``results.csv`` frame.

    Parameters
    ----------
    results : pandas.DataFrame
        One row per run with columns ``recipe, fold, seed``, one column per metric and
        ``fit_seconds``.
    metric : str
        The primary metric (a column of ``results``).
    baseline : str or None
        The reference recipe; None (or absent from ``results``) skips the paired tests.
    descriptions : mapping
        ``{recipe: one-line description}``.
    dataset : mapping
        ``name, n_samples, n_features, class_counts, imbalance_ratio``.
    n_folds, n_seeds : int
    elapsed_seconds : float
    failed : mapping, optional
        ``{recipe: error message}`` for recipes whose runs failed.

    Returns
    -------
    dict
        See ``docs/compare.md`` for the schema.
    """
    metric_cols = [c for c in results.columns if c not in KEY_COLUMNS]
    recipes = list(dict.fromkeys(results["recipe"]))
    summary_recipes: dict[str, Any] = {}
    for name in recipes:
        rows = results[results["recipe"] == name]
        summary_recipes[name] = {
            "description": descriptions.get(name, ""),
            "metrics": {col: _interval(rows[col].to_numpy(dtype=np.float64), col) for col in metric_cols},
        }

    means = {name: summary_recipes[name]["metrics"][metric]["mean"] for name in recipes}
    ranking = sorted(recipes, key=lambda r: (-means[r] if math.isfinite(means[r]) else math.inf, recipes.index(r)))

    vs_baseline: dict[str, Any] = {}
    if baseline is not None and baseline in recipes:
        base = results[results["recipe"] == baseline].set_index(["seed", "fold"])[metric]
        for name in recipes:
            if name == baseline:
                continue
            other = results[results["recipe"] == name].set_index(["seed", "fold"])[metric]
            pair = pd.concat([other.rename("a"), base.rename("b")], axis=1, join="inner").dropna()
            if len(pair) < 2:
                vs_baseline[name] = {
                    "diff": float(pair["a"].mean() - pair["b"].mean()) if len(pair) else math.nan,
                    "low": math.nan,
                    "high": math.nan,
                    "p_value": math.nan,
                    "verdict": "no clear difference",
                }
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cmp = paired_difference(pair["a"].to_numpy(), pair["b"].to_numpy())
            vs_baseline[name] = {
                "diff": cmp.mean_diff,
                "low": cmp.low,
                "high": cmp.high,
                "p_value": cmp.p_value,
                "verdict": _verdict(cmp.mean_diff, cmp.significant),
            }
    else:
        baseline = None

    summary = {
        "metric": metric,
        "baseline": baseline,
        "n_folds": int(n_folds),
        "n_seeds": int(n_seeds),
        "dataset": dict(dataset),
        "recipes": summary_recipes,
        "vs_baseline": vs_baseline,
        "ranking": ranking,
        "recommendation": recommendation_text(vs_baseline, ranking, metric=metric, baseline=baseline, means=means),
        "elapsed_seconds": float(elapsed_seconds),
    }
    if failed:
        summary["failed"] = dict(failed)
    return summary
