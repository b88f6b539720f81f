"""The tests behind compare's verdicts, checked by hand and on null data."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from equipoise.compare.designs import FixedTestDesign
from equipoise.compare.journal import RunRecord
from equipoise.compare.statistics import (
    bootstrap_weights,
    corrected_mean_ci,
    corrected_resampled_ttest,
    holm,
    weighted_metrics,
)
from equipoise.metrics import imbalance_report


def test_corrected_resampled_ttest_by_hand():
    a = np.array([0.80, 0.83, 0.81, 0.80, 0.84, 0.79, 0.82, 0.85, 0.80, 0.81])
    b = np.array([0.70, 0.72, 0.71, 0.69, 0.73, 0.72, 0.70, 0.74, 0.71, 0.70])
    d = a - b
    ratio = 0.25  # 5-fold
    se = math.sqrt((1 / 10 + ratio) * d.var(ddof=1))
    t = d.mean() / se
    res = corrected_resampled_ttest(a, b, test_train_ratio=ratio)
    assert res.diff == pytest.approx(d.mean())
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(t), 9))
    half = stats.t.ppf(0.975, 9) * se
    assert (res.low, res.high) == (pytest.approx(d.mean() - half), pytest.approx(d.mean() + half))
    plain = stats.ttest_rel(a, b).pvalue
    assert res.p_value > plain  # the correction is more conservative than the plain paired test
    assert corrected_resampled_ttest(a, b, test_train_ratio=0.0).p_value == pytest.approx(plain)


def test_degenerate_differences():
    same = corrected_resampled_ttest([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], test_train_ratio=0.25)
    assert same.p_value == 1.0 and same.diff == 0.0
    shifted = corrected_resampled_ttest([0.6, 0.7, 0.8], [0.5, 0.6, 0.7], test_train_ratio=0.25)
    assert shifted.p_value < 1e-6
    assert math.isnan(corrected_resampled_ttest([0.6], [0.5], test_train_ratio=0.25).p_value)
    mean, low, high = corrected_mean_ci([0.9, 0.95, 1.0], test_train_ratio=0.25, bounds=(0.0, 1.0))
    assert mean == pytest.approx(0.95) and high == 1.0 and low < 0.9


def test_holm_step_down():
    p = {"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.5, "e": float("nan")}
    adj = holm(p)
    # sorted 0.01, 0.03, 0.04, 0.5 -> 4*0.01, max(.04, 3*0.03), max(.09, 2*0.04), max(.09, 0.5)
    assert adj["a"] == pytest.approx(0.04) and adj["c"] == pytest.approx(0.09)
    assert adj["b"] == pytest.approx(0.09) and adj["d"] == pytest.approx(0.5)
    assert math.isnan(adj["e"])


@pytest.mark.parametrize("n_classes", [2, 3, 6])
def test_weighted_metrics_equal_imbalance_report(n_classes):
    rng = np.random.default_rng(n_classes)
    for trial in range(6):
        n = int(rng.integers(8, 60))
        y = rng.integers(0, n_classes, n)
        if trial % 4 == 1 and n_classes > 2:
            y[y == 1] = 0  # a class absent from the test rows
        if len(np.unique(y)) < 2:
            continue
        pred = np.zeros(n, int) if trial % 3 == 0 else rng.integers(0, n_classes, n)
        score = np.round(rng.dirichlet(np.ones(n_classes), n), 1)  # ties in the scores
        s = score[:, 1] if n_classes == 2 else score
        W = np.vstack([np.ones(n), bootstrap_weights(n, 2, rng)])
        got = weighted_metrics(
            y, pred, s, W, n_classes=n_classes, names=list(_summary(y, pred, s, n_classes))
        )
        for b in range(len(W)):
            idx = np.repeat(np.arange(n), W[b].astype(int))
            if len(np.unique(y[idx])) < 2:
                continue
            for name, value in _summary(y[idx], pred[idx], s[idx], n_classes).items():
                assert got[name][b] == pytest.approx(value, abs=1e-9, nan_ok=True), (name, trial, b)


def _summary(y, pred, s, n_classes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return imbalance_report(y, pred, s, labels=np.arange(n_classes)).summary


def test_weighted_ranking_metrics_equal_sklearn_with_sample_weight():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    s = np.round(rng.random(80), 1)
    W = rng.random((5, 80)) * 3
    got = weighted_metrics(y, y, s, W, n_classes=2, names=["roc_auc", "pr_auc"])
    for b in range(5):
        assert got["roc_auc"][b] == pytest.approx(skm.roc_auc_score(y, s, sample_weight=W[b]))
        assert got["pr_auc"][b] == pytest.approx(
            skm.average_precision_score(y, s, sample_weight=W[b])
        )


@pytest.mark.parametrize("n_classes", [2, 4])
def test_weighted_calibration_metrics_equal_repeated_rows(n_classes):
    """Brier, log loss, ECE and class-wise ECE under bootstrap weights equal the metrics of the
    rows repeated that many times (and, with unit weights, equal.metrics' functions)."""
    from equipoise.metrics import METRICS

    rng = np.random.default_rng(n_classes)
    n = 40
    y = rng.integers(0, n_classes, n)
    p = rng.dirichlet(np.ones(n_classes), n)
    s = p[:, 1] if n_classes == 2 else p
    W = np.vstack([np.ones(n), bootstrap_weights(n, 3, rng)])
    names = ["brier", "log_loss", "ece", "classwise_ece"]
    got = weighted_metrics(y, y, s, W, n_classes=n_classes, names=names)
    for b in range(len(W)):
        idx = np.repeat(np.arange(n), W[b].astype(int))
        for name in names:
            want = METRICS.get(name)(y[idx], y[idx], s[idx], labels=np.arange(n_classes))
            assert got[name][b] == pytest.approx(want, rel=1e-12), (name, b)
    assert got["brier"][0] == pytest.approx(skm.brier_score_loss(y, s), rel=1e-12)
    assert got["log_loss"][0] == pytest.approx(skm.log_loss(y, p), rel=1e-12)


def _records(recipe, preds, y, scores):
    return [
        RunRecord(
            recipe,
            0,
            seed,
            "h",
            {"balanced_accuracy": float(skm.balanced_accuracy_score(y, p))},
            0.0,
            y,
            p,
            sc,
            [1, 1],
            [1, 1],
        )
        for seed, (p, sc) in enumerate(zip(preds, scores))
    ]


def test_fixed_test_bootstrap_is_calibrated_under_the_null():
    """Two recipes whose predictions come from the same distribution: about 5% significant."""
    rng = np.random.default_rng(3)
    n, rejections, trials = 200, 0, 120
    y = (rng.random(n) < 0.3).astype(np.int64)
    for _ in range(trials):
        recs = []
        for name in ("a", "b"):
            preds = [np.where(rng.random(n) < 0.75, y, 1 - y) for _ in range(3)]
            scores = [np.column_stack([1 - p * 0.8, p * 0.8]).astype(np.float32) for p in preds]
            recs += _records(name, preds, y, scores)
        design = FixedTestDesign(
            recs, n_classes=2, test_name="t", n_boot=400, random_state=int(rng.integers(1e9))
        )
        rejections += design.compare("a", "b", "balanced_accuracy").p_value < 0.05
    assert rejections / trials <= 0.10


def test_fixed_test_bootstrap_finds_a_real_difference():
    rng = np.random.default_rng(4)
    n = 400
    y = (rng.random(n) < 0.3).astype(np.int64)
    good = [np.where(rng.random(n) < 0.9, y, 1 - y) for _ in range(3)]
    bad = [np.where(rng.random(n) < 0.7, y, 1 - y) for _ in range(3)]
    recs = _records("good", good, y, [None] * 3) + _records("bad", bad, y, [None] * 3)
    design = FixedTestDesign(recs, n_classes=2, test_name="t", n_boot=1000)
    res = design.compare("good", "bad", "balanced_accuracy")
    assert res.p_value < 0.01 and res.low > 0.1
    interval = design.interval("good", "balanced_accuracy")
    assert interval["low"] < interval["mean"] < interval["high"]
