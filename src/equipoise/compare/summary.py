"""From per-run results to the verdict: intervals, corrected tests, ties and a recommendation.

Per recipe and metric: the mean over the runs with a 95% interval from the design
(:mod:`equipoise.compare.designs`: the Nadeau-Bengio corrected interval for cross-validation,
a bootstrap over test rows and seeds for a fixed test set). On the primary metric:

1. **against the baseline**: every other recipe (references included) is tested against the
   baseline; the p-values are Holm-adjusted over those comparisons, and a recipe is
   **better** / **worse** only when the adjusted p-value is below ``alpha``, otherwise **tied**;
2. **against the best**: the neural recipe with the best mean (highest; lowest for a loss) is the *best*; every other
   neural recipe is tested against it (Holm again) and is **tied** with it unless it is
   significantly worse;
3. **recommended**: among the recipes tied with the best that also beat the baseline, the
   simplest, in the stated order (a decision rule is simpler than a loss or class weights,
   which are simpler than a batch sampler, which is simpler than resampling; then fewer changed
   steps; then the higher mean). Nothing is recommended when no recipe beats the baseline;
4. **references**: the best reference model is compared with the recommended recipe (or with
   the best neural recipe when nothing is recommended): the user sees whether a strong
   scikit-learn model, trained on the same rows, is as good.

For a lower-is-better primary metric (``brier``, ``log_loss``, ``ece``, ``classwise_ece``:
``Metric.greater_is_better`` is False) "best" is the smallest mean and "better" a significantly
smaller value. Every metric column of ``results.csv`` gets its interval, the calibration
columns (``brier``, ``log_loss``, ``ece`` and their ``*_corrected`` twins) included.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..metrics import greater_is_better, metric_label
from .designs import CVDesign, FixedTestDesign, describe_design
from .journal import RunRecord
from .statistics import holm

__all__ = [
    "build_summary",
    "RecipeInfo",
    "metric_label",
    "KEY_COLUMNS",
    "SUMMARY_SCHEMA_VERSION",
    "NON_METRIC_COLUMNS",
]

SUMMARY_SCHEMA_VERSION = 2

KEY_COLUMNS = ("recipe", "fold", "seed")
"""The columns of ``results.csv`` that identify a run."""

NON_METRIC_COLUMNS = ("family", "collapsed", "selection", "chosen_epochs", "fit_seconds")
"""Columns of ``results.csv`` that describe a run rather than score it."""


@dataclass(frozen=True)
class RecipeInfo:
    """What the summary states about a recipe besides its scores."""

    description: str
    family: str
    complexity: tuple[int, int]
    steps: Mapping[str, str | None]


def _names(recipes: Sequence[str], limit: int = 6) -> str:
    recipes = list(recipes)
    if len(recipes) > limit:
        return ", ".join(recipes[:limit]) + f" and {len(recipes) - limit} more"
    if len(recipes) <= 1:
        return "".join(recipes)
    return ", ".join(recipes[:-1]) + " and " + recipes[-1]


def _ci(entry: Mapping[str, Any]) -> str:
    return f"{entry['diff']:+.3f} [{entry['low']:+.3f}, {entry['high']:+.3f}]"


def _direction(metric: str) -> float:
    """+1 when a larger value of ``metric`` is better, -1 for the losses (Brier, log loss, ECE)."""
    return 1.0 if greater_is_better(metric) else -1.0


def _verdicts(
    design: CVDesign | FixedTestDesign,
    names: Sequence[str],
    against: str,
    metric: str,
    alpha: float,
    *,
    worse_only: bool = False,
) -> dict[str, dict[str, Any]]:
    tests = {name: design.compare(name, against, metric) for name in names if name != against}
    adjusted = holm({name: t.p_value for name, t in tests.items()})
    out = {}
    for name, t in tests.items():
        significant = math.isfinite(adjusted[name]) and adjusted[name] < alpha and t.diff != 0
        verdict = "tied"
        if significant:
            verdict = "better" if _direction(metric) * t.diff > 0 else "worse"
            if worse_only and verdict == "better":  # cannot beat the best by construction
                verdict = "tied"
        out[name] = {**t.as_dict(), "p_holm": adjusted[name], "verdict": verdict}
    return out


def _per_class_recall(records: Sequence[RunRecord], n_classes: int) -> np.ndarray:
    recalls = []
    for rec in records:
        support = np.bincount(rec.y_true, minlength=n_classes)
        hits = np.bincount(rec.y_true[rec.y_pred == rec.y_true], minlength=n_classes)
        with np.errstate(invalid="ignore", divide="ignore"):
            recalls.append(np.where(support > 0, hits / np.maximum(support, 1), np.nan))
    if not recalls:
        return np.full(n_classes, np.nan)
    stacked = np.vstack(recalls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a class absent from every test fold
        return np.nanmean(stacked, axis=0)


def collapsed(record: RunRecord) -> bool:
    """True when a run predicted one class for every test row (of a test set with several)."""
    return len(np.unique(record.y_pred)) == 1 and len(np.unique(record.y_true)) > 1


def _recommendation(
    *,
    metric: str,
    baseline: str | None,
    means: Mapping[str, float],
    vs_baseline: Mapping[str, Mapping[str, Any]],
    best: str | None,
    tied: Sequence[str],
    recommended: str | None,
    references: Mapping[str, Any] | None,
    collapsed_runs: Mapping[str, int],
    n_beat: int,
    neural: Sequence[str],
) -> str:
    label = metric_label(metric, in_sentence=True)
    if best is None:
        return "No neural recipe finished; nothing to recommend."
    parts: list[str] = []
    if baseline is None:
        parts.append(
            f"{best} has the best mean {label} ({means[best]:.3f}); no baseline was run, so no "
            "recipe is tested against one and nothing is recommended."
        )
    else:
        worse = [r for r, v in vs_baseline.items() if v["verdict"] == "worse"]
        others = [r for r in tied if r != best]
        if recommended is not None:
            v = vs_baseline[recommended]
            parts.append(
                f"{n_beat} neural recipe(s) beat the baseline beyond noise on {label}. Best: {best} "
                f"({means[best]:.3f})"
                + (f"; tied with it: {_names(others)}" if others else "; no other recipe ties it")
                + f". Recommended: {recommended}, the simplest of the recipes tied with the best that beat "
                f"the baseline ({_ci(v)} over the baseline)."
            )
        else:
            closest = max(
                (r for r in vs_baseline if r in means and r in neural),
                key=lambda r: _direction(metric) * means[r],
                default=None,
            )
            text = f"No recipe beats the baseline beyond noise on {label}"
            if closest is not None:
                v = vs_baseline[closest]
                p = v.get("p_holm", math.nan)
                text += (
                    f" (closest: {closest}, {_ci(v)}, Holm-adjusted p = {p:.2f})"
                    if math.isfinite(p)
                    else f" (closest: {closest})"
                )
            parts.append(
                text + ": keep the baseline, or gather more data or seeds to separate the recipes."
            )
        if worse:
            parts.append(f"Worse than the baseline: {_names(worse)}.")
    if references:
        parts.append(references["sentence"])
    flagged = [r for r, n in collapsed_runs.items() if n]
    if flagged:
        parts.append(f"Predicted a single class on some runs: {_names(flagged)}.")
    return " ".join(parts)


def _reference_sentence(
    ref: str, against: str, test: Mapping[str, Any], recommended: bool, label: str
) -> str:
    role = "the recommended recipe" if recommended else "the best neural recipe"
    if test["verdict"] == "tied":
        return (
            f"The best reference model, {ref}, ties {role} {against} ({_ci(test)} {label}): a strong "
            "model without a neural network is as good on this data."
        )
    if test["verdict"] == "better":
        return (
            f"The best reference model, {ref}, beats {role} {against} by {_ci(test)} {label}: on this "
            "data it is the stronger choice."
        )
    return f"{role[0].upper() + role[1:]} {against} beats the best reference model, {ref} ({_ci({**test, 'diff': -test['diff'], 'low': -test['high'], 'high': -test['low']})} {label})."


def build_summary(
    results: pd.DataFrame,
    *,
    records: Sequence[RunRecord],
    design: CVDesign | FixedTestDesign,
    metric: str,
    baseline: str | None,
    recipes: Mapping[str, RecipeInfo],
    dataset: Mapping[str, Any],
    labels: Sequence[Any],
    n_folds: int,
    n_seeds: int,
    selection: Mapping[str, Any],
    shots: Mapping[str, Any] | None,
    elapsed_seconds: float,
    failed: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Build the ``summary.json`` content (schema version 2; see ``docs/compare.md``).

    Parameters
    ----------
    results : pandas.DataFrame
        ``results.csv``: one row per run, ``recipe, fold, seed``, the metrics, run facts.
    records : sequence of RunRecord
        The same runs with their test predictions (per-class recall, collapse, bootstrap).
    design : CVDesign or FixedTestDesign
    metric : str
        The primary metric.
    baseline : str or None
        The recipe everything is tested against (None, or absent from ``results``: no tests).
    recipes : mapping of str to RecipeInfo
    dataset : mapping
    labels : sequence
        The class labels in encoding order (keys of ``per_class_recall``).
    alpha : float, default=0.05
        Family-wise error rate of each family of tests.

    Returns
    -------
    dict
    """
    excluded = set(KEY_COLUMNS) | set(NON_METRIC_COLUMNS)
    metric_cols = [c for c in results.columns if c not in excluded]
    names = list(dict.fromkeys(results["recipe"]))
    by_recipe: dict[str, list[RunRecord]] = {}
    for rec in records:
        by_recipe.setdefault(rec.recipe, []).append(rec)
    keys = [str(label) for label in labels]
    summary_recipes: dict[str, Any] = {}
    collapsed_runs: dict[str, int] = {}
    for name in names:
        info = recipes[name]
        runs = by_recipe.get(name, [])
        collapsed_runs[name] = sum(collapsed(r) for r in runs)
        recall = _per_class_recall(runs, len(keys))
        summary_recipes[name] = {
            "description": info.description,
            "family": info.family,
            "steps": dict(info.steps),
            "complexity": list(info.complexity),
            "metrics": {col: design.interval(name, col) for col in metric_cols},
            "per_class_recall": {
                k: (float(v) if np.isfinite(v) else None) for k, v in zip(keys, recall)
            },
            "collapsed_runs": collapsed_runs[name],
            "n_runs": len(runs),
        }
    means = {n: summary_recipes[n]["metrics"][metric]["mean"] for n in names}
    finite = {n: m for n, m in means.items() if math.isfinite(m)}
    sign = _direction(metric)  # rank and judge so that "best" is the smallest loss
    ranking = sorted(
        names, key=lambda r: (-sign * means[r] if r in finite else math.inf, names.index(r))
    )
    neural = [n for n in names if recipes[n].family == "neural"]
    refs = [n for n in names if recipes[n].family == "reference"]

    if baseline is not None and baseline not in names:
        baseline = None
    vs_baseline = _verdicts(design, names, baseline, metric, alpha) if baseline is not None else {}
    best = max((n for n in neural if n in finite), key=lambda n: sign * finite[n], default=None)
    vs_best = (
        _verdicts(design, [n for n in neural if n in finite], best, metric, alpha, worse_only=True)
        if best
        else {}
    )
    # the baseline's standing is its own verdict column; "tied with the best" names the fixes
    tied = (
        [best]
        + [n for n in ranking if n in vs_best and n != baseline and vs_best[n]["verdict"] == "tied"]
        if best
        else []
    )

    recommended = None
    beats = [n for n in neural if vs_baseline.get(n, {}).get("verdict") == "better"]
    if baseline is not None:
        candidates = [n for n in tied if n in beats]
        if not candidates and beats:  # every tie of the best is short of the baseline test
            candidates = [max(beats, key=lambda n: sign * finite.get(n, -sign * math.inf))]
        if candidates:
            recommended = min(
                candidates,
                key=lambda n: (recipes[n].complexity, -sign * finite.get(n, -sign * math.inf)),
            )

    references = None
    ref_means = {n: sign * finite[n] for n in refs if n in finite}
    against = recommended or best
    if ref_means and against is not None:
        top = max(ref_means, key=lambda n: ref_means[n])
        t = design.compare(top, against, metric)
        verdict = "tied"
        if math.isfinite(t.p_value) and t.p_value < alpha and t.diff != 0:
            verdict = "better" if sign * t.diff > 0 else "worse"
        test = {**t.as_dict(), "verdict": verdict}
        references = {
            "best": top,
            "against": against,
            **test,
            "sentence": _reference_sentence(
                top, against, test, recommended is not None, metric_label(metric, in_sentence=True)
            ),
        }

    summary: dict[str, Any] = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "metric": metric,
        "baseline": baseline,
        "n_folds": int(n_folds),
        "n_seeds": int(n_seeds),
        "design": dict(describe_design(design, alpha)),
        "dataset": dict(dataset),
        "selection": dict(selection),
        "shots": None if shots is None else dict(shots),
        "recipes": summary_recipes,
        "vs_baseline": vs_baseline,
        "vs_best": vs_best,
        "best": best,
        "tied_with_best": tied,
        "recommended": recommended,
        "references": references,
        "ranking": ranking,
        "recommendation": _recommendation(
            metric=metric,
            baseline=baseline,
            means=finite,
            vs_baseline=vs_baseline,
            best=best,
            tied=tied,
            recommended=recommended,
            references=references,
            collapsed_runs=collapsed_runs,
            n_beat=len(beats),
            neural=neural,
        ),
        "elapsed_seconds": float(elapsed_seconds),
    }
    if failed:
        summary["failed"] = dict(failed)
    return summary
