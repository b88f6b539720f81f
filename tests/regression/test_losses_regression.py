"""Regression losses: weighted MSE/L1/Huber, Balanced MSE (BMC, GAI) and FDS, on worked cases and gradcheck."""

import math

import numpy as np
import pytest
import torch
from torch.autograd import gradcheck

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.losses import (
    BMCLoss,
    FeatureDistributionSmoothing,
    GAILoss,
    WeightedHuberLoss,
    WeightedL1Loss,
    WeightedMSELoss,
)
from equipoise.losses.functional import (
    bmc_loss,
    gai_loss,
    weighted_huber_loss,
    weighted_l1_loss,
    weighted_mse_loss,
)
from equipoise.weights import lds_weights

D = torch.float64


def test_weighted_losses_on_a_worked_case_and_against_torch():
    pred = torch.tensor([1.0, 2.0, -1.0], dtype=D)
    tgt = torch.tensor([0.0, 0.0, 0.5], dtype=D)
    w = torch.tensor([1.0, 0.5, 2.0], dtype=D)
    assert float(weighted_mse_loss(pred, tgt, w)) == pytest.approx((1 + 0.5 * 4 + 2 * 2.25) / 3)
    assert float(weighted_l1_loss(pred, tgt, w, reduction="sum")) == pytest.approx(1 + 1 + 3)
    huber = weighted_huber_loss(pred, tgt, w, reduction="none")
    np.testing.assert_allclose(huber.numpy(), [0.5, 0.5 * 1.5, 2 * 1.0])  # 0.5 r^2 | r - 0.5
    for ours, theirs in (
        (weighted_mse_loss, torch.nn.MSELoss()),
        (weighted_l1_loss, torch.nn.L1Loss()),
        (weighted_huber_loss, torch.nn.HuberLoss()),
    ):
        assert torch.allclose(ours(pred, tgt), theirs(pred, tgt))  # no weight: torch's loss
    module = WeightedMSELoss(reduction="none")
    assert module(pred.view(-1, 1), tgt.view(-1, 1), w).shape == (3,)
    assert float(WeightedL1Loss()(pred, tgt)) == pytest.approx(float(torch.nn.L1Loss()(pred, tgt)))
    assert float(WeightedHuberLoss(delta=0.5)(pred, tgt)) == pytest.approx(
        float(torch.nn.HuberLoss(delta=0.5)(pred, tgt))
    )
    y = np.r_[np.zeros(90), np.full(10, 5.0)] + np.linspace(0, 0.01, 100)
    wt = lds_weights(y, bins=6, output="tensor").to(D)
    assert (
        weighted_mse_loss(torch.zeros(100, dtype=D), torch.as_tensor(y), wt).requires_grad is False
    )


def _bmc_by_hand(pred, tgt, var):
    out = []
    for i in range(len(pred)):
        logits = [-((pred[i] - t) ** 2) / (2 * var) for t in tgt]
        out.append(-(logits[i] - math.log(sum(math.exp(v) for v in logits))) * 2 * var)
    return out


def test_bmc_worked_cases():
    assert (
        float(bmc_loss(torch.tensor([1.0]), torch.tensor([3.0]), 1.0)) == 0.0
    )  # one sample: log 1
    pred, tgt, var = [0.3, 1.2, -0.4], [0.0, 1.0, 2.0], 0.7
    got = bmc_loss(torch.tensor(pred, dtype=D), torch.tensor(tgt, dtype=D), var, reduction="none")
    np.testing.assert_allclose(got.numpy(), _bmc_by_hand(pred, tgt, var), rtol=1e-12)
    loss = BMCLoss(init_noise_sigma=math.sqrt(var)).double()
    assert float(
        loss(torch.tensor(pred, dtype=D), torch.tensor(tgt, dtype=D)).detach()
    ) == pytest.approx(np.mean(_bmc_by_hand(pred, tgt, var)))
    fixed = BMCLoss(learnable=False)
    assert "noise_sigma" in dict(fixed.named_buffers()) and not list(fixed.parameters())


def test_bmc_gradient_is_mse_gradient_for_a_uniform_batch():
    # Ren et al.: the balancing term vanishes when the training labels are uniform; with dense,
    # evenly spread batch targets, BMC's gradient on interior predictions is MSE's
    tgt = torch.linspace(-25, 25, 1001, dtype=D)
    pred = (tgt + 0.3 * torch.sin(tgt)).requires_grad_(True)
    bmc_loss(pred, tgt, 1.0).backward()
    g_bmc = pred.grad.clone()
    pred.grad = None
    torch.nn.functional.mse_loss(pred, tgt).backward()
    interior = tgt.abs() < 15
    torch.testing.assert_close(g_bmc[interior], pred.grad[interior], rtol=1e-6, atol=1e-9)


def test_gai_with_a_flat_prior_is_mse_and_matches_its_formula():
    pred = torch.tensor([0.2, 1.5, -0.7], dtype=D, requires_grad=True)
    tgt = torch.tensor([0.0, 1.0, 0.0], dtype=D)
    var = 0.5
    mu, v, pi = [0.0, 2.0], [1.0, 0.5], [0.3, 0.7]
    got = gai_loss(pred, tgt, var, means=mu, variances=v, weights=pi, reduction="none")
    by_hand = []
    for p, t in zip(pred.tolist(), tgt.tolist()):
        balance = math.log(
            sum(
                w * (vk + var) ** -0.5 * math.exp(-((p - m) ** 2) / (2 * (vk + var)))
                for m, vk, w in zip(mu, v, pi)
            )
        )
        by_hand.append(((p - t) ** 2 / (2 * var) + 0.5 * math.log(var) + balance) * 2 * var)
    np.testing.assert_allclose(got.detach().numpy(), by_hand, rtol=1e-12)
    flat = gai_loss(pred, tgt, var, means=[0.0], variances=[1e12], weights=[1.0], reduction="sum")
    flat.backward()
    torch.testing.assert_close(pred.grad, 2 * (pred - tgt).detach(), rtol=1e-8, atol=1e-10)


def test_gradcheck_float64():
    torch.manual_seed(0)
    pred = torch.randn(6, dtype=D, requires_grad=True)
    tgt = torch.randn(6, dtype=D)
    w = torch.rand(6, dtype=D) + 0.5
    var = torch.tensor(0.8, dtype=D, requires_grad=True)
    assert gradcheck(lambda p: weighted_mse_loss(p, tgt, w), (pred,))
    assert gradcheck(lambda p: weighted_l1_loss(p, tgt, w), (pred,))
    assert gradcheck(lambda p: weighted_huber_loss(p, tgt, w, delta=0.5), (pred,))
    # the 2 sigma^2 scale is detached, as in the authors' code: check the un-scaled objective
    assert gradcheck(lambda p, s: bmc_loss(p, tgt, s) / (2 * s.detach()), (pred, var))
    assert gradcheck(lambda p: bmc_loss(p, tgt, var.detach()), (pred,))
    assert gradcheck(
        lambda p, s: (
            gai_loss(p, tgt, s, means=[0.0, 1.0], variances=[0.5, 2.0], weights=[0.4, 0.6])
            / (2 * s.detach())
        ),
        (pred, var),
    )


def test_gai_from_targets_and_learnable_sigma():
    y = np.r_[
        np.random.default_rng(0).normal(size=300), np.random.default_rng(1).normal(5, 0.5, size=30)
    ]
    loss = GAILoss.from_targets(y, n_components=2)
    assert loss.means.shape == (2,) and float(loss.weights.sum()) == pytest.approx(1.0)
    out = loss(torch.zeros(8), torch.ones(8))
    out.backward()
    assert loss.noise_sigma.grad is not None
    with pytest.raises(InvalidParameterError, match="positive variances"):
        GAILoss([0.0], [-1.0], [1.0])


def test_losses_refuse_bad_input():
    with pytest.raises(InvalidInputError, match="one value per row"):
        weighted_mse_loss(torch.zeros(3), torch.zeros(4))
    with pytest.raises(InvalidInputError, match=r"\(N,\) or \(N, 1\)"):
        bmc_loss(torch.zeros(3, 2), torch.zeros(3, 2), 1.0)
    with pytest.raises(InvalidInputError, match="one weight per row"):
        weighted_l1_loss(torch.zeros(3), torch.zeros(3), torch.ones(2))
    with pytest.raises(InvalidParameterError, match="'reduction'"):
        BMCLoss(reduction="avg")
    with pytest.raises(InvalidParameterError, match="'init_noise_sigma'"):
        BMCLoss(init_noise_sigma=0.0)
    with pytest.raises(InvalidParameterError, match="'delta'"):
        WeightedHuberLoss(delta=-1.0)


def test_fds_tracks_smooths_and_calibrates_like_the_reference():
    torch.manual_seed(0)
    edges = np.arange(0.0, 11.0)  # 10 bins of width 1
    fds = FeatureDistributionSmoothing(3, edges, momentum=0.9)
    y = torch.rand(500) * 10
    z = torch.randn(500, 3) + y[:, None] * torch.tensor([1.0, 0.0, -1.0])
    fds.update_running_stats(z, y, epoch=0)
    bins = torch.bucketize(y, torch.as_tensor(edges[1:-1], dtype=torch.float32), right=True)
    for b in (0, 4, 9):  # first epoch: the batch statistics (factor 0 at start_update)
        torch.testing.assert_close(fds.running_mean[b], z[bins == b].mean(0))
        torch.testing.assert_close(fds.running_var[b], z[bins == b].var(0))
    fds.update_last_epoch_stats(epoch=1)
    # smoothing: reflect-padded convolution with the sum-normalised kernel window
    k = fds.kernel_window.numpy()
    padded = np.pad(fds.running_mean.numpy(), ((2, 2), (0, 0)), mode="reflect")
    expected = np.stack([padded[i : i + 5].T @ k for i in range(10)])
    np.testing.assert_allclose(fds.smoothed_mean_last_epoch.numpy(), expected, rtol=1e-5, atol=1e-6)
    out = fds(z, y, epoch=1)
    b = 4
    m1, v1 = fds.running_mean_last_epoch[b], fds.running_var_last_epoch[b]
    m2, v2 = fds.smoothed_mean_last_epoch[b], fds.smoothed_var_last_epoch[b]
    torch.testing.assert_close(
        out[bins == b], (z[bins == b] - m1) * torch.sqrt(torch.clamp(v2 / v1, 0.1, 10)) + m2
    )
    assert torch.equal(fds(z, y, epoch=0), z)  # before start_smooth
    fds.eval()
    assert torch.equal(fds(z, y, epoch=5), z)
    # second epoch: momentum 0.9 blends the new statistics in
    fds.train()
    old = fds.running_mean[b].clone()
    fds.update_running_stats(z + 1.0, y, epoch=1)
    torch.testing.assert_close(fds.running_mean[b], 0.1 * (z[bins == b] + 1.0).mean(0) + 0.9 * old)


def test_fds_gradcheck_and_errors():
    fds = FeatureDistributionSmoothing(
        2, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], kernel_size=3
    ).double()
    y = torch.linspace(0, 5.9, 24, dtype=D)
    z = torch.randn(24, 2, dtype=D)
    fds.update_running_stats(z, y, epoch=0)
    fds.update_last_epoch_stats(epoch=1)
    feats = torch.randn(24, 2, dtype=D, requires_grad=True)
    assert gradcheck(lambda f: fds(f, y, epoch=1), (feats,))
    with pytest.raises(InvalidInputError, match=r"\(N, 2\)"):
        fds.update_running_stats(torch.zeros(4, 3, dtype=D), torch.zeros(4, dtype=D), epoch=1)
    with pytest.raises(InvalidParameterError, match="'bin_edges'"):
        FeatureDistributionSmoothing(2, [1.0, 0.0])
