"""Closed-form prior correction, induced priors, the torch module: worked cases and recovery."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from equipoise.calibration import (
    PriorCorrection,
    check_prior,
    correct_logits,
    correct_proba,
    correct_undersampling,
    induced_prior,
    prior_from_class_weights,
    prior_from_counts,
)
from equipoise.exceptions import InvalidInputError, InvalidParameterError, NotFittedError
from equipoise.losses import BalancedSoftmaxLoss, CrossEntropyLoss, FocalLoss, LogitAdjustedLoss
from equipoise.posthoc import logit_adjust
from equipoise.resample import SMOTE, RandomOverSampler, RandomUnderSampler, TomekLinks
from equipoise.samplers import ClassBalancedSampler


def test_multiclass_formula_worked_case():
    p = np.array([[0.2, 0.3, 0.5]])
    train, target = np.array([0.2, 0.3, 0.5]), np.array([0.5, 0.3, 0.2])
    expected = p * target / train
    expected /= expected.sum()
    np.testing.assert_allclose(
        correct_proba(p, train_prior=train, target_prior=target), expected, rtol=1e-12
    )
    # 0.2 * 2.5 = 0.5, 0.3, 0.5 * 0.4 = 0.2: already normalised
    np.testing.assert_allclose(expected, [[0.5, 0.3, 0.2]], rtol=1e-12)


@pytest.mark.parametrize("beta", [0.05, 0.3, 1.0, 4.0])
def test_dal_pozzolo_formula(beta):
    ps = np.linspace(0.0, 1.0, 41)
    np.testing.assert_allclose(
        correct_undersampling(ps, beta), beta * ps / ((beta - 1) * ps + 1), atol=1e-12
    )


def test_binary_is_the_multiclass_correction_and_1d_input():
    ps = np.array([0.1, 0.5, 0.9])
    two = correct_proba(
        np.column_stack([1 - ps, ps]), train_prior=[0.5, 0.5], target_prior=[0.9, 0.1]
    )
    np.testing.assert_allclose(
        correct_proba(ps, train_prior=[0.5, 0.5], target_prior=[0.9, 0.1]), two[:, 1]
    )
    np.testing.assert_allclose(correct_undersampling(ps, 1 / 9), two[:, 1], atol=1e-12)


def test_logit_correction_is_logit_adjustment():
    z = np.random.default_rng(0).normal(size=(5, 3))
    train, target = np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.3, 0.5])
    out = correct_logits(z, train_prior=train, target_prior=target)
    np.testing.assert_allclose(out, z + np.log(target) - np.log(train), atol=1e-12)
    # the same softmax as post-hoc logit adjustment with prior train / target
    adj = logit_adjust(z, (train / target) / (train / target).sum())
    np.testing.assert_allclose(out - out[:, :1], adj - adj[:, :1], atol=1e-12)


def test_torch_paths_match_numpy():
    z = torch.randn(
        4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True
    )
    train, target = [0.6, 0.3, 0.1], [0.2, 0.3, 0.5]
    out = correct_logits(z, train_prior=train, target_prior=target)
    np.testing.assert_allclose(
        out.detach().numpy(),
        correct_logits(z.detach().numpy(), train_prior=train, target_prior=target),
        atol=1e-12,
    )
    out.sum().backward()
    assert z.grad is not None
    p = z.detach().softmax(-1)
    np.testing.assert_allclose(
        correct_proba(p, train_prior=train, target_prior=target).numpy(),
        correct_proba(p.numpy(), train_prior=train, target_prior=target),
        atol=1e-12,
    )
    layer = PriorCorrection(train, target, temperature=2.0, bias=[0.1, 0.0, -0.1]).double()
    np.testing.assert_allclose(
        layer(z.detach()).numpy(),
        z.detach().numpy() / 2 + np.array([0.1, 0.0, -0.1]) + np.log(target) - np.log(train),
        atol=1e-6,
    )  # buffers are built in the default dtype (float32), then cast
    assert set(layer.state_dict()) == {"log_ratio", "temperature", "bias"}


def test_random_over_sampling_then_correction_recovers_the_unresampled_model():
    """Logistic regression on 20 000 rows (10% minority): over-sample to balance, correct, compare."""
    rng = np.random.default_rng(0)
    n = 20_000
    y = (rng.random(n) < 0.1).astype(int)
    X = rng.normal(size=(n, 2)) + 1.2 * y[:, None]
    X_te = rng.normal(size=(2000, 2)) + 1.2 * (rng.random(2000) < 0.1)[:, None]
    plain = LogisticRegression().fit(X, y).predict_proba(X_te)[:, 1]
    ros = RandomOverSampler(random_state=0)
    X_r, y_r = ros.fit_resample(X, y)
    shifted = LogisticRegression().fit(X_r, y_r).predict_proba(X_te)[:, 1]
    corrected = correct_proba(
        shifted, train_prior=induced_prior(ros, y), target_prior=prior_from_counts(np.bincount(y))
    )
    assert np.abs(shifted - plain).mean() > 0.15  # rebalancing moved the probabilities a lot
    err = np.abs(corrected - plain)
    assert (
        err.mean() < 0.005 and err.max() < 0.03
    )  # the correction brings them back (duplicates add noise)


def test_induced_prior_rules():
    y = np.array([0] * 90 + [1] * 10)
    X = np.arange(100, dtype=float).reshape(-1, 1)
    for sampler in (
        RandomOverSampler(random_state=0),
        RandomUnderSampler(random_state=0),
        SMOTE(random_state=0),
    ):
        _, y_res = sampler.fit_resample(X, y)
        np.testing.assert_allclose(induced_prior(sampler, y), induced_prior(y_res))
        np.testing.assert_allclose(induced_prior(sampler, y), [0.5, 0.5])
    ros = RandomOverSampler(sampling_strategy=0.5, random_state=0)
    ros.fit_resample(X, y)
    np.testing.assert_allclose(induced_prior(ros, y), [90 / 135, 45 / 135])
    np.testing.assert_allclose(induced_prior(ClassBalancedSampler(y, q=0.5, seed=0)), [0.75, 0.25])
    np.testing.assert_allclose(induced_prior(BalancedSoftmaxLoss.from_counts([90, 10])), [0.5, 0.5])
    np.testing.assert_allclose(
        induced_prior(LogitAdjustedLoss.from_counts([90, 10], tau=0.5)), [0.75, 0.25]
    )
    np.testing.assert_allclose(
        induced_prior(LogitAdjustedLoss.from_counts([90, 10], tau=0.0)), [0.9, 0.1]
    )
    np.testing.assert_allclose(
        induced_prior(CrossEntropyLoss.from_counts([90, 10], weight="balanced"), prior=[0.9, 0.1]),
        [0.5, 0.5],
        atol=1e-7,
    )
    np.testing.assert_allclose(
        induced_prior(LogisticRegression(class_weight="balanced"), y), [0.5, 0.5]
    )
    np.testing.assert_allclose(
        induced_prior(LogisticRegression(class_weight={0: 1, 1: 3}), y), [90 / 120, 30 / 120]
    )
    np.testing.assert_allclose(prior_from_class_weights([1, 9], [0.9, 0.1]), [0.5, 0.5])


def test_induced_prior_refuses_what_it_cannot_know():
    y = np.array([0] * 20 + [1] * 5)
    with pytest.raises(InvalidParameterError, match="FocalLoss"):
        induced_prior(FocalLoss.from_counts([20, 5]))
    with pytest.raises(NotFittedError, match="fit_resample"):
        induced_prior(RandomOverSampler(), y)
    with pytest.raises(InvalidInputError, match="needs y"):
        ros = RandomOverSampler(random_state=0)
        ros.fit_resample(np.arange(25.0).reshape(-1, 1), y)
        induced_prior(ros)
    tl = TomekLinks()
    tl.fit_resample(np.arange(25.0).reshape(-1, 1), y)
    assert induced_prior(tl, y).sum() == pytest.approx(
        1.0
    )  # a row selector: exact from sample_indices_


@pytest.mark.parametrize(
    ("prior", "match"),
    [
        ([0.5, 0.6], "sum to one"),
        ([1.0, 0.0], "positive"),
        ([0.2, 0.3, 0.5], "one entry per class"),
        ([np.nan, 1.0], "finite"),
    ],
)
def test_bad_priors(prior, match):
    with pytest.raises(InvalidParameterError, match=match):
        correct_proba(np.array([[0.5, 0.5]]), train_prior=prior, target_prior=[0.5, 0.5])
    with pytest.raises(InvalidParameterError, match=match):
        check_prior(prior, 2)


def test_bad_probabilities():
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        correct_proba(np.array([[1.2, -0.2]]), train_prior=[0.5, 0.5], target_prior=[0.5, 0.5])
    with pytest.raises(InvalidInputError, match="summing to one"):
        correct_proba(np.array([[0.2, 0.2]]), train_prior=[0.5, 0.5], target_prior=[0.5, 0.5])
    with pytest.raises(InvalidParameterError, match="beta"):
        correct_undersampling(np.array([0.5]), 0.0)
    with pytest.raises(InvalidParameterError, match="positive finite counts"):
        prior_from_counts([3, 0])
