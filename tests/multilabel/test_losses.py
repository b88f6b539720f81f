"""Multi-label losses: ASL, distribution-balanced, class-balanced and focal BCE, against their
formulas on worked cases, against torch's BCE where they reduce to it, and gradcheck."""

import math

import pytest
import torch
import torch.nn.functional as F

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.losses import (
    MULTILABEL_LOSSES,
    AsymmetricLoss,
    BinaryFocalLoss,
    ClassBalancedBCELoss,
    DistributionBalancedLoss,
    asymmetric_loss,
    class_balanced_bce_loss,
    distribution_balanced_loss,
)

g = torch.Generator().manual_seed(0)
X = torch.randn(6, 4, generator=g, dtype=torch.float64) * 2
T = (torch.rand(6, 4, generator=g) < 0.4).long()
T[0] = 0  # a row with no label


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_asl_without_focusing_or_margin_is_bce(reduction):
    ours = AsymmetricLoss(gamma_neg=0, gamma_pos=0, clip=0, reduction=reduction)(X, T)
    torch.testing.assert_close(
        ours, F.binary_cross_entropy_with_logits(X, T.double(), reduction=reduction)
    )


def test_asl_worked_case_and_defaults():
    x = torch.tensor([[0.0, 0.0, -5.0]])
    y = torch.tensor([[1, 0, 0]])
    out = asymmetric_loss(x, y, reduction="none")  # gamma_neg=4, gamma_pos=0, clip=0.05
    p_m = 0.5 - 0.05
    expected = [
        math.log(2),
        -(p_m**4) * math.log(1 - p_m),
        0.0,
    ]  # p = sigmoid(-5) < clip: discarded
    torch.testing.assert_close(out, torch.tensor([expected]))
    loss = AsymmetricLoss()
    assert (loss.gamma_neg, loss.gamma_pos, loss.clip) == (4.0, 0.0, 0.05)
    # gamma_pos focuses positives: (1 - p)^gamma log p
    pos = asymmetric_loss(
        torch.tensor([[1.0]] * 2).T, torch.tensor([[1, 1]]), gamma_pos=2, reduction="sum"
    )
    p = torch.sigmoid(torch.tensor(1.0))
    torch.testing.assert_close(pos, -2 * (1 - p) ** 2 * torch.log(p))


def test_gradcheck_float64():
    x = X.clone().requires_grad_(True)
    # keep sigmoid(x) away from the margin's kink at p = clip
    x_asl = torch.where((torch.sigmoid(X) - 0.05).abs() < 0.02, X + 1, X).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z: asymmetric_loss(z, T, reduction="sum"), (x_asl,))
    assert torch.autograd.gradcheck(lambda z: asymmetric_loss(z, T, gamma_pos=1.0, clip=0.0), (x,))
    counts = torch.tensor([10.0, 4.0, 2.0, 30.0], dtype=torch.float64)
    assert torch.autograd.gradcheck(
        lambda z: distribution_balanced_loss(z, T, label_counts=counts, n_samples=40), (x,)
    )
    assert torch.autograd.gradcheck(
        lambda z: class_balanced_bce_loss(z, T, weight=[1.0, 2.0, 0.5, 1.0], gamma=2.0), (x,)
    )


def test_distribution_balanced_worked_case():
    counts, n = [80.0, 20.0], 100
    out = distribution_balanced_loss(
        torch.zeros(1, 2),
        torch.tensor([[1, 0]]),
        label_counts=counts,
        n_samples=n,
        reduction="none",
    )
    # r = (1/n_k) / (1/80) = (1, 4); weight = 0.1 + sigmoid(10 (r - 0.2)); nu = 0.05 log(N/n_k - 1)
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    w = [0.1 + sig(10 * (1 - 0.2)), 0.1 + sig(10 * (4 - 0.2))]
    nu = [0.05 * math.log(100 / 80 - 1), 0.05 * math.log(100 / 20 - 1)]
    softplus = lambda v: math.log1p(math.exp(v))  # noqa: E731
    expected = [w[0] * softplus(nu[0]), w[1] * softplus(5 * -nu[1]) / 5]
    torch.testing.assert_close(out, torch.tensor([expected]))
    # alpha=0, beta=0 (weight 1/2; alpha + 1 = 1 on row 0, which has no label), lambda=1, kappa=0: weighted BCE
    plain = distribution_balanced_loss(
        X,
        T,
        label_counts=[10, 4, 2, 30],
        n_samples=40,
        alpha=0.0,
        beta=0.0,
        lambda_=1.0,
        kappa=0.0,
        reduction="none",
    )
    w = torch.full_like(X, 0.5)
    w[0] = 1.0
    torch.testing.assert_close(
        plain, w * F.binary_cross_entropy_with_logits(X, T.double(), reduction="none")
    )
    module = DistributionBalancedLoss.from_counts([80, 20], n_samples=100, reduction="none")
    torch.testing.assert_close(
        module(torch.zeros(1, 2), torch.tensor([[1, 0]])), torch.tensor([expected])
    )
    assert (module.alpha, module.beta, module.mu, module.lambda_, module.kappa) == (
        0.1,
        10.0,
        0.2,
        5.0,
        0.05,
    )
    assert "label_counts" in module.state_dict()


def test_class_balanced_and_focal_bce():
    counts = [900, 100]
    loss = ClassBalancedBCELoss.from_counts(counts, beta=0.999)
    raw = torch.tensor([(1 - 0.999) / (1 - 0.999**900), (1 - 0.999) / (1 - 0.999**100)])
    torch.testing.assert_close(loss.weight, raw / raw.sum() * 2)
    x, t = X[:, :2].float(), T[:, :2]
    torch.testing.assert_close(
        loss(x, t), F.binary_cross_entropy_with_logits(x, t.float(), weight=loss.weight)
    )
    focal = MULTILABEL_LOSSES.get("focal-bce").from_counts(counts)
    torch.testing.assert_close(focal(x, t), BinaryFocalLoss(gamma=2.0, alpha=None)(x, t))
    plain = MULTILABEL_LOSSES.get("bce").from_counts(counts)
    torch.testing.assert_close(plain(x, t), F.binary_cross_entropy_with_logits(x, t.float()))
    uniform = ClassBalancedBCELoss.from_counts(counts, beta=0.0)
    torch.testing.assert_close(uniform.weight, torch.ones(2))


def test_registry_and_errors():
    assert set(MULTILABEL_LOSSES.names()) == {
        "bce",
        "class-balanced-bce",
        "focal-bce",
        "asymmetric",
        "distribution-balanced",
    }
    for name in MULTILABEL_LOSSES.names():
        module = MULTILABEL_LOSSES.get(name).from_counts([10, 4, 2, 30], n_samples=40)
        assert torch.isfinite(module(X.float(), T))
    with pytest.raises(InvalidInputError, match="same shape"):
        asymmetric_loss(X, T[:, :3])
    with pytest.raises(InvalidInputError, match="0/1 indicator target"):
        asymmetric_loss(X, T * 2)
    with pytest.raises(InvalidParameterError, match="needs n_samples="):
        DistributionBalancedLoss.from_counts([10, 4])
    with pytest.raises(InvalidParameterError, match="every label count in"):
        DistributionBalancedLoss([10, 0], 40)
    with pytest.raises(InvalidParameterError, match="'clip' parameter of AsymmetricLoss"):
        AsymmetricLoss(clip=1.5)
    with pytest.raises(InvalidParameterError, match="'gamma'"):
        AsymmetricLoss(gamma_neg=-1)
