"""Temperature scaling, BCTS and EM prior estimation recover known parameters."""

import numpy as np
import pytest
from scipy.special import softmax

from equipoise.calibration import (
    BiasCorrectedTemperatureScaling,
    PriorShiftAdapter,
    TemperatureScaling,
    estimate_prior_em,
)
from equipoise.exceptions import InvalidInputError, InvalidParameterError, NotFittedError


def _draw(rng, z):
    p = softmax(z, axis=1)
    return (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)


def test_temperature_scaling_recovers_the_temperature():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(20_000, 4)) * 1.5
    y = _draw(rng, z)
    ts = TemperatureScaling().fit(3.0 * z, y)  # logits three times too confident
    assert ts.temperature_ == pytest.approx(3.0, rel=0.05)
    np.testing.assert_allclose(
        ts.predict_proba(3.0 * z), softmax(3.0 * z / ts.temperature_, axis=1)
    )
    assert np.array_equal(ts.predict_proba(3.0 * z).argmax(1), z.argmax(1))  # arg-max unchanged


def test_bcts_recovers_temperature_and_bias():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(30_000, 3)) * 1.5
    bias = np.array([0.8, 0.0, -0.8])
    y = _draw(rng, z + bias)
    bc = BiasCorrectedTemperatureScaling().fit(2.0 * z, y)
    assert bc.temperature_ == pytest.approx(2.0, rel=0.05)
    np.testing.assert_allclose(bc.bias_, bias - bias.mean(), atol=0.05)
    import torch

    out = bc.predict_proba(torch.as_tensor(2.0 * z[:5]))
    np.testing.assert_allclose(out.numpy(), bc.predict_proba(2.0 * z[:5]), atol=1e-12)


def test_em_recovers_a_known_shifted_prior():
    """Two unit-variance Gaussians at -1 and +1: the exact posterior under a 50/50 training
    prior is known; 20 000 test rows drawn with prior (0.8, 0.2): EM within 0.02."""
    rng = np.random.default_rng(0)
    n, true = 20_000, np.array([0.8, 0.2])
    y = (rng.random(n) < true[1]).astype(int)
    x = rng.normal(size=n) + np.where(y == 1, 1.0, -1.0)
    p1 = 1.0 / (1.0 + np.exp(-2.0 * x))  # posterior under the 50/50 prior
    res = estimate_prior_em(np.column_stack([1 - p1, p1]), [0.5, 0.5])
    assert res.converged
    np.testing.assert_allclose(res.prior, true, atol=0.02)


def test_prior_shift_adapter_calibrates_then_adapts():
    rng = np.random.default_rng(2)

    def rows(n, prior):
        y = rng.choice(3, size=n, p=prior)
        z = np.eye(3)[y] * 2.0 + rng.normal(size=(n, 3))
        return 2.5 * z, y  # over-confident logits

    z_val, y_val = rows(6000, [1 / 3, 1 / 3, 1 / 3])
    z_te, _ = rows(20_000, [0.7, 0.2, 0.1])
    adapter = PriorShiftAdapter().fit(z_val, y_val)
    proba = adapter.predict_proba(z_te)
    np.testing.assert_allclose(adapter.prior_, [0.7, 0.2, 0.1], atol=0.03)
    np.testing.assert_allclose(proba.sum(1), 1.0)


def test_bad_input_and_unfitted():
    with pytest.raises(NotFittedError, match="fit"):
        TemperatureScaling().predict_proba(np.zeros((2, 2)))
    with pytest.raises(NotFittedError, match="fit"):
        PriorShiftAdapter().predict_proba(np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match="class indices"):
        TemperatureScaling().fit(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(InvalidInputError, match="n_classes"):
        BiasCorrectedTemperatureScaling().fit(np.zeros(3), [0, 1, 0])
    with pytest.raises(InvalidInputError, match="columns"):
        TemperatureScaling().fit(np.zeros((4, 2)), [0, 1, 0, 1]).transform(np.zeros((2, 3)))
    with pytest.raises(InvalidParameterError, match="calibration"):
        PriorShiftAdapter(calibration="platt").fit(np.zeros((2, 2)), [0, 1])
    with pytest.raises(InvalidParameterError, match="sum to one"):
        estimate_prior_em(np.array([[0.5, 0.5]]), [0.4, 0.4])
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        estimate_prior_em(np.array([[1.5, -0.5]]), [0.5, 0.5])
