"""The verdict: corrected tests, Holm, ties, the simplest recommendation, references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from equipoise.compare.designs import CVDesign
from equipoise.compare.journal import RunRecord
from equipoise.compare.summary import RecipeInfo, build_summary

INFO = {
    "baseline": RecipeInfo("", "neural", (0, 0), {}),
    "threshold": RecipeInfo("", "neural", (1, 1), {}),  # a decision rule: simplest fix
    "weights": RecipeInfo("", "neural", (2, 1), {}),
    "smote": RecipeInfo("", "neural", (4, 1), {}),
    "noise": RecipeInfo("", "neural", (2, 1), {}),
    "bad": RecipeInfo("", "neural", (4, 1), {}),
    "hgb": RecipeInfo("", "reference", (0, 1), {}),
}


def _records(values: dict[str, list[float]], collapse: tuple[str, ...] = ()) -> list[RunRecord]:
    out = []
    y = np.array([0, 0, 1, 1])
    for name, vals in values.items():
        for j in range(len(vals)):
            pred = np.zeros(4, int) if name in collapse else y
            out.append(RunRecord(name, j % 5, j // 5, "h", {}, 0.0, y, pred, None, [2, 2], [2, 2]))
    return out


def _summary(
    values: dict[str, list[float]],
    collapse: tuple[str, ...] = (),
    baseline: str | None = "baseline",
):
    rows = [
        {"recipe": name, "fold": j % 5, "seed": j // 5, "balanced_accuracy": v, "fit_seconds": 1.0}
        for name, vals in values.items()
        for j, v in enumerate(vals)
    ]
    results = pd.DataFrame(rows)
    return build_summary(
        results,
        records=_records(values, collapse),
        design=CVDesign(results, test_train_ratio=0.25, n_folds=5, n_seeds=2),
        metric="balanced_accuracy",
        baseline=baseline,
        recipes={k: INFO[k] for k in values},
        dataset={"name": "d"},
        labels=[0, 1],
        n_folds=5,
        n_seeds=2,
        selection={},
        shots=None,
        elapsed_seconds=1.0,
    )


RNG = np.random.default_rng(0)
BASE = list(0.70 + RNG.normal(0, 0.01, 10))


def _plus(delta: float, sd: float = 0.01) -> list[float]:
    return list(np.asarray(BASE) + delta + RNG.normal(0, sd, 10))


def test_corrected_test_holm_ties_and_the_simplest_recommendation():
    p1 = np.array([0.01, -0.01] * 5)
    p2 = np.array([0.01, 0.01, -0.01, -0.01, 0.01, 0.01, -0.01, -0.01, 0.0, 0.0])
    base = np.asarray(BASE)
    values = {
        "baseline": BASE,
        "smote": list(base + 0.152 + p1),
        "weights": list(base + 0.150 - p1),
        "threshold": list(base + 0.148 + p2),
        "noise": _plus(0.0, 0.02),
        "bad": _plus(-0.15),
        "hgb": _plus(0.15),
    }
    s = _summary(values)
    # the corrected test, by hand, for one recipe
    d = np.subtract(values["smote"], BASE)
    se = math.sqrt((1 / 10 + 0.25) * d.var(ddof=1))
    assert s["vs_baseline"]["smote"]["p_value"] == pytest.approx(
        2 * stats.t.sf(abs(d.mean() / se), 9)
    )
    assert s["vs_baseline"]["smote"]["p_holm"] >= s["vs_baseline"]["smote"]["p_value"]
    verdicts = {k: v["verdict"] for k, v in s["vs_baseline"].items()}
    assert verdicts == {
        "smote": "better",
        "weights": "better",
        "threshold": "better",
        "noise": "tied",
        "bad": "worse",
        "hgb": "better",
    }
    assert s["best"] == "smote"
    assert set(s["tied_with_best"]) == {
        "smote",
        "weights",
        "threshold",
    }  # not the baseline, not "bad"
    assert s["vs_best"]["bad"]["verdict"] == "worse"
    assert s["recommended"] == "threshold"  # the simplest of the tied recipes, not the top mean
    assert "Recommended: threshold" in s["recommendation"]
    assert s["references"]["best"] == "hgb" and s["references"]["verdict"] == "tied"
    assert "ties the recommended recipe threshold" in s["recommendation"]
    assert "Worse than the baseline: bad" in s["recommendation"]


def test_a_larger_but_noisier_gain_is_not_overtaken_by_variance():
    """The old rule recommended the first significant recipe; now the best mean leads and the
    simplest tie wins, whatever the variances."""
    values = {"baseline": BASE, "smote": _plus(0.20, 0.05), "weights": _plus(0.05, 0.002)}
    s = _summary(values)
    assert s["best"] == "smote"
    assert s["vs_best"]["weights"]["verdict"] in ("tied", "worse")
    assert s["recommended"] in s["tied_with_best"]


def test_nothing_recommended_when_nothing_beats_the_baseline():
    s = _summary({"baseline": BASE, "noise": _plus(0.002, 0.02), "weights": _plus(-0.001, 0.02)})
    assert s["recommended"] is None
    assert s["recommendation"].startswith("No recipe beats the baseline beyond noise")
    assert "keep the baseline" in s["recommendation"]


def test_a_reference_that_beats_every_neural_recipe_is_said_so():
    s = _summary({"baseline": BASE, "weights": _plus(0.05, 0.003), "hgb": _plus(0.20, 0.003)})
    assert s["references"]["verdict"] == "better"
    assert "hgb, beats the recommended recipe weights" in s["recommendation"]


def test_collapsed_runs_are_flagged():
    s = _summary({"baseline": BASE, "weights": _plus(0.1)}, collapse=("baseline",))
    assert (
        s["recipes"]["baseline"]["collapsed_runs"] == 10
        and s["recipes"]["weights"]["collapsed_runs"] == 0
    )
    assert "Predicted a single class on some runs: baseline" in s["recommendation"]
    assert s["recipes"]["baseline"]["per_class_recall"] == {"0": 1.0, "1": 0.0}


def test_without_a_baseline_only_the_ranking():
    s = _summary({"weights": _plus(0.1), "smote": _plus(0.2)}, baseline="baseline")
    assert s["baseline"] is None and s["vs_baseline"] == {} and s["recommended"] is None
    assert s["ranking"] == ["smote", "weights"]
    assert "no baseline was run" in s["recommendation"]
