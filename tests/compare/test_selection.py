"""The selection criterion: prior- and scale-free, and equal to its definition."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from equipoise.compare.selection import CalibratedBalancedLogLoss


def _reference(z: np.ndarray, y: np.ndarray, k: int) -> float:
    """The definition, minimised by scipy (a >= 0)."""
    counts = np.bincount(y, minlength=k)
    w = 1.0 / (np.sum(counts > 0) * counts[y])

    def f(theta):
        u = theta[0] * z + theta[1:]
        u = u - u.max(axis=1, keepdims=True)
        logp = u - np.log(np.exp(u).sum(axis=1, keepdims=True))
        return -(w * logp[np.arange(len(y)), y]).sum()

    res = minimize(
        f,
        np.r_[1.0, np.zeros(k)],
        bounds=[(0, None)] + [(None, None)] * k,
        method="L-BFGS-B",
        options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 10_000},
    )
    return float(res.fun)


@pytest.mark.parametrize("n, k, seed", [(40, 2, 0), (300, 3, 1), (500, 10, 2)])
def test_equals_its_definition_and_ignores_prior_and_scale(n, k, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    z = rng.normal(size=(n, k))
    z[np.arange(n), y] += 1.5
    crit = CalibratedBalancedLogLoss(y, k)
    value = crit(z)
    assert value == pytest.approx(_reference(z, y, k), abs=1e-6)
    prior = rng.dirichlet(np.ones(k))
    assert CalibratedBalancedLogLoss(y, k)(z - 2.0 * np.log(prior)) == pytest.approx(
        value, abs=1e-6
    )  # a prior shift
    assert CalibratedBalancedLogLoss(y, k)(7.5 * z) == pytest.approx(
        value, abs=1e-6
    )  # a temperature
    assert crit(z) == pytest.approx(value, abs=1e-9)  # warm start: same answer


def test_plain_cross_entropy_learning_the_prior_is_not_penalised():
    """Logits that only learned the imbalanced prior on top of good separation score like the
    same separation without it; a raw balanced cross-entropy would prefer the latter."""
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(180, int), np.ones(20, int)]
    z = np.zeros((200, 2))
    z[:, 1] = 2.0 * (y - 0.5) + rng.normal(scale=1.0, size=200)
    with_prior = z + np.array([0.0, np.log(20 / 180)])
    crit = CalibratedBalancedLogLoss(y, 2)
    assert crit(with_prior) == pytest.approx(crit(z), abs=1e-6)
    assert crit(z) < CalibratedBalancedLogLoss(y, 2)(
        np.zeros((200, 2))
    )  # better than no information


def test_inverted_logits_do_not_look_good():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    z = np.zeros((200, 2))
    z[:, 1] = 3.0 * (y - 0.5)
    crit = CalibratedBalancedLogLoss(y, 2)
    constant = CalibratedBalancedLogLoss(y, 2)(np.zeros((200, 2)))
    assert crit(-z) == pytest.approx(constant, abs=1e-6)  # a >= 0: no better than no information
    assert crit(z) < constant - 0.3


def test_a_class_absent_from_the_validation_rows():
    y = np.array([0, 0, 0, 2, 2])
    z = np.random.default_rng(2).normal(size=(5, 3))
    value = CalibratedBalancedLogLoss(y, 3)(z)
    assert np.isfinite(value) and value >= 0


def test_binary_form_equals_the_general_form():
    """Two classes are solved as a two-parameter logistic regression on the margin; it has the
    general form's minimum: values agree to the solver's tolerance over warm-started epochs,
    including logits that carry no information (a = 0) and inverted ones, an absent class and
    large scales."""
    rng = np.random.default_rng(3)
    worst = 0.0
    for case in range(300):
        n = int(rng.integers(3, 300))
        y = rng.integers(0, 2, n)
        if case % 7 == 0:
            y[:] = case % 2  # one class absent from the validation rows
        z = rng.normal(size=(n, 2)) * rng.uniform(0.01, 30.0)
        z[np.arange(n), y] += rng.uniform(-4.0, 4.0)  # negative: inverted logits
        binary, general = CalibratedBalancedLogLoss(y, 2), CalibratedBalancedLogLoss(y, 2)
        for epoch in range(3):
            step = z * (1.0 + 0.5 * epoch) + rng.normal(size=z.shape) * 0.2
            if case % 11 == 0 and epoch == 1:
                step = np.zeros_like(z)  # no information at all
            a, b = binary(step), general._general(step)
            worst = max(worst, abs(a - b) / max(1.0, abs(b)))
            assert binary.params_[0] >= 0.0
            assert binary.params_[1] == pytest.approx(-binary.params_[2])
    assert worst < 1e-8


def test_binary_form_equals_its_definition():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 120)
    z = rng.normal(size=(120, 2))
    z[np.arange(120), y] += 0.8
    assert CalibratedBalancedLogLoss(y, 2)(z) == pytest.approx(_reference(z, y, 2), abs=1e-7)
