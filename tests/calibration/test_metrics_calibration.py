"""Brier, log loss, ECE and class-wise ECE: against scikit-learn and worked cases."""

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from equipoise.datasets import load_example
from equipoise.exceptions import InvalidInputError
from equipoise.metrics import (
    METRICS,
    bootstrap_ci,
    brier_score,
    calibration_bins,
    classwise_ece,
    expected_calibration_error,
    get_scorer,
    log_loss,
)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_brier_and_log_loss_equal_sklearn(n_classes):
    rng = np.random.default_rng(n_classes)
    y = rng.integers(0, n_classes, 300)
    p = rng.dirichlet(np.ones(n_classes), 300)
    assert brier_score(y, p) == pytest.approx(
        skm.brier_score_loss(y, p if n_classes > 2 else p[:, 1]), rel=1e-12
    )
    assert log_loss(y, p) == pytest.approx(skm.log_loss(y, p), rel=1e-12)
    assert METRICS.get("brier")(y, y, p) == pytest.approx(brier_score(y, p))
    if n_classes == 2:
        assert brier_score(y, p[:, 1]) == pytest.approx(brier_score(y, p))


def test_ece_worked_case():
    # confidences 0.9 (right), 0.9 (wrong), 0.6 (right): bins 14 and 9 of 15
    y = [0, 1, 1]
    p = [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]]
    assert expected_calibration_error(y, p) == pytest.approx(
        abs(0.5 - 0.9) * 2 / 3 + abs(1 - 0.6) / 3
    )
    # one bin: |mean accuracy - mean confidence|
    assert expected_calibration_error(y, p, n_bins=1) == pytest.approx(abs(2 / 3 - 0.8))
    bins = calibration_bins(y, p)
    assert bins["count"].sum() == 3 and bins["count"][13] == 2 and bins["count"][8] == 1
    assert bins["accuracy"][13] == pytest.approx(0.5) and bins["confidence"][8] == pytest.approx(
        0.6
    )


def test_classwise_ece_worked_case():
    y = [0, 1, 2]
    p = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.2, 0.6]]
    # class 0: probs .8 (y=1), .3, .2 (y=0) -> bins 12, 4, 2 -> |1-.8| + |0-.3| + |0-.2| over 3
    c0 = (0.2 + 0.3 + 0.2) / 3
    c1 = (0.1 + 0.4 + 0.2) / 3  # .1 (y=0), .6 (y=1), .2 (y=0)
    c2 = (0.1 + 0.1 + 0.4) / 3  # .1 and .1 share a bin: |0 - .2| / 3; .6 (y=1)
    c2 = (0.2 + 0.4) / 3
    assert classwise_ece(y, p) == pytest.approx((c0 + c1 + c2) / 3)


def test_perfectly_calibrated_is_near_zero():
    rng = np.random.default_rng(0)
    p1 = rng.random(100_000)
    y = (rng.random(100_000) < p1).astype(int)
    assert expected_calibration_error(y, p1) < 0.01
    assert classwise_ece(y, p1) < 0.01


def test_registry_scorer_and_intervals():
    for name in ("brier", "log_loss", "ece", "classwise_ece"):
        assert not METRICS.get(name).greater_is_better and METRICS.get(name).needs_proba
    X, y = load_example()
    scores = cross_val_score(LogisticRegression(), X, y, cv=3, scoring=get_scorer("brier"))
    assert np.all(scores < 0)  # negated, scikit-learn's convention for losses
    est, low, high = bootstrap_ci(
        "ece",
        [0, 1, 1, 0, 1, 0] * 10,
        [0] * 60,
        np.tile([0.2, 0.7, 0.9, 0.4, 0.6, 0.1], 10),
        n_resamples=50,
        random_state=0,
    )
    assert low <= est <= high


def test_bad_probabilities():
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        brier_score([0, 1], [1.5, 0.2])
    with pytest.raises(InvalidInputError, match="summing to one"):
        expected_calibration_error([0, 1, 2], [[0.5, 0.5, 0.5]] * 3)
