"""Each resampler, sampler and loss tells the prior it induces, through the one rule in
equipoise.calibration.induced_prior."""

import numpy as np
import torch

from equipoise.calibration import induced_prior
from equipoise.losses import BalancedSoftmaxLoss, CrossEntropyLoss, LogitAdjustedLoss
from equipoise.resample import SMOTE, RandomUnderSampler
from equipoise.samplers import ClassBalancedSampler

y = np.array([0] * 80 + [1] * 20)
X = np.random.default_rng(0).normal(size=(100, 3))


def test_resamplers_report_the_prior_of_their_output():
    for sampler in (SMOTE(random_state=0), RandomUnderSampler(random_state=0)):
        _, y_res = sampler.fit_resample(X, y)
        np.testing.assert_allclose(sampler.induced_prior(y), np.bincount(y_res) / len(y_res))
        np.testing.assert_allclose(sampler.induced_prior(y), [0.5, 0.5])


def test_samplers_report_their_class_probabilities():
    sampler = ClassBalancedSampler(torch.as_tensor(y), seed=0)
    np.testing.assert_allclose(sampler.induced_prior(), induced_prior(sampler))
    np.testing.assert_allclose(sampler.induced_prior(), [0.5, 0.5], atol=1e-12)


def test_losses_report_the_prior_their_logits_estimate():
    counts = torch.tensor([80.0, 20.0])
    for loss in (BalancedSoftmaxLoss(counts), LogitAdjustedLoss(counts, tau=1.0)):
        np.testing.assert_allclose(loss.induced_prior(), [0.5, 0.5])
    weighted = CrossEntropyLoss(weight=torch.tensor([1.0, 4.0]))
    np.testing.assert_allclose(weighted.induced_prior([0.8, 0.2]), [0.5, 0.5])
