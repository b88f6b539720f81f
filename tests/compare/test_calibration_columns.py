"""compare's calibration columns: which prior each recipe's probabilities reflect, the corrected
scores, and a summary that ranks a lower-is-better primary metric the right way round."""

import numpy as np
import pandas as pd
import pytest

from equipoise.calibration import correct_proba
from equipoise.compare import RECIPES
from equipoise.compare._probabilities import probability_prior
from equipoise.compare.designs import CVDesign
from equipoise.compare.run import (
    CALIBRATION_COLUMNS,
    CORRECTED_COLUMNS,
    corrected_probabilities,
    score_run,
)
from equipoise.compare.summary import RecipeInfo, build_summary
from equipoise.metrics import brier_score, expected_calibration_error, log_loss

COUNTS = np.array([90, 10])


@pytest.mark.parametrize(
    ("recipe", "counts", "expected"),
    [
        ("baseline", COUNTS, [0.9, 0.1]),
        ("class-weights", COUNTS, [0.5, 0.5]),
        ("random-over", np.array([90, 90]), [0.5, 0.5]),
        ("random-under", np.array([10, 10]), [0.5, 0.5]),
        ("balanced-sampler", COUNTS, [0.5, 0.5]),
        ("sqrt-sampler", COUNTS, [0.75, 0.25]),
        ("balanced-softmax", COUNTS, [0.5, 0.5]),
        ("logit-adjusted", COUNTS, [0.5, 0.5]),
        ("posthoc-logit-adjustment", COUNTS, [0.5, 0.5]),
        ("threshold-tuned", COUNTS, [0.9, 0.1]),
        ("logistic-regression", COUNTS, [0.5, 0.5]),
        ("balanced-random-forest", COUNTS, [0.5, 0.5]),
        ("focal", COUNTS, None),
        ("ldam-drw", COUNTS, None),
        ("class-balanced-focal", COUNTS, None),
    ],
)
def test_probability_prior_of_shipped_recipes(recipe, counts, expected):
    got = probability_prior(RECIPES.get(recipe).plan(), counts)
    if expected is None:
        assert got is None
    else:
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_score_run_adds_calibration_and_corrected_columns():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.1).astype(np.int64)
    probs = np.column_stack([1 - (p := rng.random(400)), p])
    plan = RECIPES.get("random-over").plan()
    corrected = corrected_probabilities(plan, probs, np.array([90, 90]), COUNTS)
    np.testing.assert_allclose(
        corrected, correct_proba(probs, train_prior=[0.5, 0.5], target_prior=[0.9, 0.1])
    )
    out = score_run(y, probs.argmax(1), probs, 2, None, corrected)
    assert out["brier"] == pytest.approx(brier_score(y, probs))
    assert out["ece"] == pytest.approx(expected_calibration_error(y, probs))
    assert out["log_loss"] == pytest.approx(log_loss(y, probs))
    assert out["brier_corrected"] == pytest.approx(brier_score(y, corrected))
    assert out["ece_corrected"] == pytest.approx(expected_calibration_error(y, corrected))
    none = score_run(y, probs.argmax(1), probs, 2, None, None)
    assert all(np.isnan(none[c]) for c in CORRECTED_COLUMNS) and set(CALIBRATION_COLUMNS) <= set(
        none
    )


def test_summary_ranks_a_loss_lowest_first():
    rows = []
    for fold in range(5):
        for name, brier in (("baseline", 0.20), ("good", 0.10), ("bad", 0.30)):
            rows.append(
                {
                    "recipe": name,
                    "fold": fold,
                    "seed": 0,
                    "brier": brier + 0.001 * fold,
                    "balanced_accuracy": 0.7,
                }
            )
    results = pd.DataFrame(rows)
    design = CVDesign(results, test_train_ratio=0.25, n_folds=5, n_seeds=1)
    infos = {
        n: RecipeInfo(n, "neural", (1, 1) if n != "baseline" else (0, 0), {})
        for n in ("baseline", "good", "bad")
    }
    summary = build_summary(
        results,
        records=[],
        design=design,
        metric="brier",
        baseline="baseline",
        recipes=infos,
        dataset={},
        labels=[0, 1],
        n_folds=5,
        n_seeds=1,
        selection={},
        shots=None,
        elapsed_seconds=0.0,
    )
    assert summary["ranking"] == ["good", "baseline", "bad"]
    assert summary["best"] == "good"
    assert summary["vs_baseline"]["good"]["verdict"] == "better"
    assert summary["vs_baseline"]["bad"]["verdict"] == "worse"
    assert summary["recommended"] == "good"
