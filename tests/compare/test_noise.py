"""On pure noise the only right answer is "no difference": ten noise datasets, no
recommendation, and at most 5% of all verdicts significant (the issue's acceptance test; the
full-size version, with every recipe, is benchmarks/noise.py)."""

from __future__ import annotations

import numpy as np

from equipoise.compare import TrainSettings, compare

RECIPES = [
    "baseline",
    "class-weights",
    "random-over",
    "logit-adjusted",
    "posthoc-logit-adjustment",
    "threshold-tuned",
    "logistic-regression",
]


def test_pure_noise_gives_no_recommendation():
    significant, verdicts = 0, 0
    for k in range(10):
        rng = np.random.default_rng(1000 + k)
        X = rng.normal(size=(240, 5))
        y = (rng.random(240) < 0.15).astype(int)  # independent of X
        res = compare(
            X,
            y,
            recipes=RECIPES,
            references=False,
            folds=3,
            seeds=2,
            random_state=k,
            threads=1,
            progress=False,
            report=False,
            train=TrainSettings(max_epochs=8, patience=3),
        )
        s = res.summary
        assert s["recommended"] is None, (k, s["recommendation"])
        assert "keep the baseline" in s["recommendation"]
        for v in s["vs_baseline"].values():
            verdicts += 1
            significant += v["verdict"] != "tied"
        if s["references"] is not None:
            assert s["references"]["verdict"] == "tied" or s["references"]["diff"] < 0
    assert verdicts == 60
    assert significant <= 0.05 * verdicts, significant
