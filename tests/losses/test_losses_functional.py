"""Values and gradients of equipoise.losses.functional against first-principles computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.losses import functional as LF

DTYPES = [torch.float32, torch.float64]
REDUCTIONS = ["none", "mean", "sum"]


def _data(n=7, c=4, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g, dtype=dtype) * 2
    target = torch.randint(0, c, (n,), generator=g)
    return logits, target


def _softmax(row):
    e = [math.exp(v) for v in row]
    return [v / sum(e) for v in e]


def _tol(dtype):
    return (
        {"rtol": 1e-5, "atol": 1e-6} if dtype == torch.float32 else {"rtol": 1e-10, "atol": 1e-12}
    )


# --------------------------------------------------------------------------------------------
# Focal
# --------------------------------------------------------------------------------------------


def test_focal_worked_value_and_gradient():
    row, t, gamma = [1.0, 2.0, 0.5], 1, 2.0
    p = _softmax(row)
    pt = p[t]
    expected = -((1 - pt) ** gamma) * math.log(pt)
    # dL/dz_j = [gamma (1-p)^(gamma-1) p log p - (1-p)^gamma] (delta_jt - p_j)
    factor = gamma * (1 - pt) ** (gamma - 1) * pt * math.log(pt) - (1 - pt) ** gamma
    expected_grad = [factor * ((j == t) - p[j]) for j in range(3)]
    logits = torch.tensor([row], dtype=torch.float64, requires_grad=True)
    loss = LF.focal_loss(logits, torch.tensor([t]), gamma=gamma)
    loss.backward()
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(logits.grad[0].numpy(), expected_grad, rtol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_focal_gamma_zero_is_cross_entropy(dtype, reduction):
    logits, target = _data(dtype=dtype)
    target[2] = -100
    weight = torch.tensor([0.5, 2.0, 1.0, 3.0], dtype=dtype)
    for w in (None, weight):
        got = LF.focal_loss(logits, target, gamma=0.0, weight=w, reduction=reduction)
        ref = F.cross_entropy(logits, target, weight=w, reduction=reduction)
        assert got.dtype == dtype
        torch.testing.assert_close(got, ref, **_tol(dtype))


def test_focal_alpha_and_weight_normalisation():
    logits, target = _data(n=5, c=3)
    per_sample = LF.focal_loss(logits, target, reduction="none")
    alpha = torch.tensor([0.2, 0.5, 2.0], dtype=torch.float64)
    # alpha: mean over the number of samples
    got = LF.focal_loss(logits, target, alpha=alpha)
    torch.testing.assert_close(got, (alpha[target] * per_sample).sum() / 5)
    # weight: mean over the summed weights (torch's rule)
    got = LF.focal_loss(logits, target, weight=alpha)
    torch.testing.assert_close(got, (alpha[target] * per_sample).sum() / alpha[target].sum())
    # float alpha scales every class alike
    torch.testing.assert_close(LF.focal_loss(logits, target, alpha=0.25), 0.25 * per_sample.mean())


def test_focal_is_stable_for_extreme_logits():
    logits = torch.tensor([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]], requires_grad=True)
    loss = LF.focal_loss(logits, torch.tensor([0, 0]), reduction="none")
    assert torch.isfinite(loss).all()
    assert loss[0].item() == 0.0  # confident and right
    assert loss[1].item() == pytest.approx(1e4)  # confident and wrong: (1-0)^2 * 1e4
    loss.sum().backward()
    assert torch.isfinite(logits.grad).all()


# --------------------------------------------------------------------------------------------
# Binary focal (torchvision.ops.sigmoid_focal_loss's formula; torchvision is not installable here)
# --------------------------------------------------------------------------------------------


def _numpy_sigmoid_focal(x, t, gamma, alpha):
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    p = 1 / (1 + np.exp(-x))
    ce = -(t * np.log(p) + (1 - t) * np.log1p(-p))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = loss * (alpha * t + (1 - alpha) * (1 - t))
    return loss


def test_binary_focal_worked_values():
    # x = 0, t = 1: p_t = 1/2 -> 0.25 * (1/2)^2 * log 2
    # x = 2, t = 0: p = s(2), p_t = 1 - p -> 0.75 * s(2)^2 * log(1 + e^2)
    s2 = 1 / (1 + math.exp(-2))
    expected = [0.25 * 0.25 * math.log(2), 0.75 * s2**2 * math.log(1 + math.exp(2))]
    got = LF.binary_focal_loss(
        torch.tensor([0.0, 2.0], dtype=torch.float64), torch.tensor([1, 0]), reduction="none"
    )
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_focal_matches_float64_numpy(gamma, alpha, reduction):
    rng = np.random.default_rng(0)
    x = rng.normal(scale=3, size=(11, 1))
    t = rng.integers(0, 2, size=(11, 1)).astype(float)
    ref = _numpy_sigmoid_focal(x, t, gamma, alpha)
    ref = {"none": ref, "mean": ref.mean(), "sum": ref.sum()}[reduction]
    got = LF.binary_focal_loss(
        torch.from_numpy(x), torch.from_numpy(t), gamma=gamma, alpha=alpha, reduction=reduction
    )
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-10)
    # (N, 1) logits with (N,) integer targets give the same numbers
    got_flat_target = LF.binary_focal_loss(
        torch.from_numpy(x),
        torch.from_numpy(t[:, 0]).long(),
        gamma=gamma,
        alpha=alpha,
        reduction=reduction,
    )
    torch.testing.assert_close(got_flat_target, got)


def test_binary_focal_errors():
    with pytest.raises(InvalidInputError, match=r"in \[0, 1\]"):
        LF.binary_focal_loss(torch.zeros(2), torch.tensor([0.0, 2.0]))
    with pytest.raises(InvalidInputError, match="shape"):
        LF.binary_focal_loss(torch.zeros(3), torch.zeros(2))
    with pytest.raises(InvalidParameterError, match="'alpha' parameter of binary_focal_loss"):
        LF.binary_focal_loss(torch.zeros(2), torch.zeros(2), alpha=-1)


# --------------------------------------------------------------------------------------------
# Class-balanced
# --------------------------------------------------------------------------------------------


def test_class_balanced_softmax_worked():
    logits, target = _data(n=6, c=3)
    w = torch.tensor([0.8, 1.2, 1.0], dtype=torch.float64)
    ce = F.cross_entropy(logits, target, reduction="none")
    got = LF.class_balanced_loss(logits, target, w)
    torch.testing.assert_close(got, (w[target] * ce).sum() / 6)  # divides by N, not sum of w
    ones = torch.ones(3, dtype=torch.float64)
    torch.testing.assert_close(
        LF.class_balanced_loss(logits, target, ones), F.cross_entropy(logits, target)
    )


def test_class_balanced_sigmoid_and_focal_worked():
    row, t = [0.3, -1.0], 0
    w = torch.tensor([1.5, 0.5], dtype=torch.float64)
    sig = [1 / (1 + math.exp(-v)) for v in row]
    # one-vs-all BCE on one-hot [1, 0], summed over classes
    bce = [-math.log(sig[0]), -math.log(1 - sig[1])]
    logits = torch.tensor([row], dtype=torch.float64)
    got = LF.class_balanced_loss(logits, torch.tensor([t]), w, loss="sigmoid")
    assert got.item() == pytest.approx(1.5 * sum(bce), rel=1e-12)
    # focal: (1 - p_t)^gamma on each term
    focal = [(1 - sig[0]) ** 2 * bce[0], sig[1] ** 2 * bce[1]]
    got = LF.class_balanced_loss(logits, torch.tensor([t]), w, loss="focal", gamma=2.0)
    assert got.item() == pytest.approx(1.5 * sum(focal), rel=1e-12)
    # gamma = 0 focal is sigmoid
    logits, target = _data()
    w = torch.rand(4, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) + 0.5
    torch.testing.assert_close(
        LF.class_balanced_loss(logits, target, w, loss="focal", gamma=0.0),
        LF.class_balanced_loss(logits, target, w, loss="sigmoid"),
    )


def test_class_balanced_unknown_base():
    with pytest.raises(InvalidParameterError, match="'loss' parameter of class_balanced_loss"):
        LF.class_balanced_loss(*_data(), torch.ones(4), loss="hinge")


# --------------------------------------------------------------------------------------------
# LDAM, balanced softmax, logit adjustment
# --------------------------------------------------------------------------------------------


def test_ldam_worked_value():
    # logits [0.2, 0.7], target 1, margin 0.5, s = 2: s*(z - m e_1) = [0.4, 0.4] -> log 2
    logits = torch.tensor([[0.2, 0.7]], dtype=torch.float64)
    got = LF.ldam_loss(
        logits, torch.tensor([1]), torch.tensor([0.25, 0.5], dtype=torch.float64), s=2.0
    )
    assert got.item() == pytest.approx(math.log(2), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_reductions_to_cross_entropy(dtype, reduction):
    logits, target = _data(dtype=dtype)
    target[0] = -100
    ce = F.cross_entropy(logits, target, reduction=reduction)
    kw = {"reduction": reduction}
    zeros = torch.zeros(4, dtype=dtype)
    uniform = torch.full((4,), 0.25, dtype=dtype)
    skewed = torch.tensor([0.7, 0.1, 0.15, 0.05], dtype=dtype)
    cases = {
        "ldam zero margin s=1": LF.ldam_loss(logits, target, zeros, s=1.0, **kw),
        "balanced softmax uniform prior": LF.balanced_softmax_loss(logits, target, uniform, **kw),
        "logit adjusted tau=0": LF.logit_adjusted_loss(logits, target, skewed, tau=0.0, **kw),
        "focal gamma=0": LF.focal_loss(logits, target, gamma=0.0, **kw),
        "class-balanced unit weights": LF.class_balanced_loss(
            logits, target, torch.ones(4, dtype=dtype), **kw
        ),
        "cross_entropy": LF.cross_entropy(logits, target, **kw),
    }
    for name, got in cases.items():
        assert got.dtype == dtype, name
        torch.testing.assert_close(got, ce, **_tol(dtype), msg=name)


def test_prior_losses_worked():
    prior = torch.tensor([0.75, 0.25], dtype=torch.float64)
    logits = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    # balanced softmax: -log(pi_1 e^0 / (pi_0 e^1 + pi_1 e^0))
    expected = -math.log(0.25 / (0.75 * math.e + 0.25))
    assert LF.balanced_softmax_loss(logits, torch.tensor([1]), prior).item() == pytest.approx(
        expected
    )
    # logit adjusted tau = 2: -log(pi_1^2 / (pi_0^2 e + pi_1^2))
    expected = -math.log(0.25**2 / (0.75**2 * math.e + 0.25**2))
    assert LF.logit_adjusted_loss(
        logits, torch.tensor([1]), prior, tau=2.0
    ).item() == pytest.approx(expected)
    # tau = 1 is balanced softmax; the prior's scale does not matter
    logits, target = _data()
    prior = torch.tensor([0.4, 0.3, 0.2, 0.1], dtype=torch.float64)
    torch.testing.assert_close(
        LF.logit_adjusted_loss(logits, target, prior * 7),
        LF.balanced_softmax_loss(logits, target, prior),
    )


# --------------------------------------------------------------------------------------------
# Gradients, reductions, ignore_index
# --------------------------------------------------------------------------------------------

GRAD_CASES = {
    "focal": lambda x, t: LF.focal_loss(
        x, t, gamma=2.0, alpha=torch.tensor([0.3, 1.0, 2.0], dtype=x.dtype)
    ),
    "focal-weight": lambda x, t: LF.focal_loss(
        x, t, gamma=1.5, weight=torch.tensor([0.3, 1.0, 2.0], dtype=x.dtype)
    ),
    "class-balanced-softmax": lambda x, t: LF.class_balanced_loss(
        x, t, torch.tensor([0.5, 1.0, 1.5], dtype=x.dtype)
    ),
    "class-balanced-sigmoid": lambda x, t: LF.class_balanced_loss(
        x, t, torch.tensor([0.5, 1.0, 1.5], dtype=x.dtype), loss="sigmoid"
    ),
    "class-balanced-focal": lambda x, t: LF.class_balanced_loss(
        x, t, torch.tensor([0.5, 1.0, 1.5], dtype=x.dtype), loss="focal"
    ),
    "ldam": lambda x, t: LF.ldam_loss(x, t, torch.tensor([0.1, 0.3, 0.5], dtype=x.dtype), s=3.0),
    "balanced-softmax": lambda x, t: LF.balanced_softmax_loss(
        x, t, torch.tensor([0.6, 0.3, 0.1], dtype=x.dtype)
    ),
    "logit-adjusted": lambda x, t: LF.logit_adjusted_loss(
        x, t, torch.tensor([0.6, 0.3, 0.1], dtype=x.dtype), tau=0.7
    ),
    "binary-focal": lambda x, t: LF.binary_focal_loss(x[:, 0], (t == 0).double()),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradcheck(name):
    logits, target = _data(n=5, c=3, seed=3)
    logits.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: GRAD_CASES[name](x, target), (logits,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, t, **kw: LF.focal_loss(x, t, **kw),
        lambda x, t, **kw: LF.focal_loss(
            x, t, weight=torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=x.dtype), **kw
        ),
        lambda x, t, **kw: LF.class_balanced_loss(
            x, t, torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=x.dtype), loss="focal", **kw
        ),
        lambda x, t, **kw: LF.ldam_loss(
            x, t, torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=x.dtype), **kw
        ),
        lambda x, t, **kw: LF.logit_adjusted_loss(
            x, t, torch.tensor([0.4, 0.3, 0.2, 0.1], dtype=x.dtype), **kw
        ),
    ],
)
def test_ignore_index_equals_dropping_rows(fn):
    logits, target = _data(n=8)
    target[[1, 5]] = 7
    keep = target != 7
    none = fn(logits, target, reduction="none", ignore_index=7)
    assert none.shape == (8,)
    assert torch.all(none[~keep] == 0)
    torch.testing.assert_close(none[keep], fn(logits[keep], target[keep], reduction="none"))
    torch.testing.assert_close(fn(logits, target, ignore_index=7), fn(logits[keep], target[keep]))
    torch.testing.assert_close(fn(logits, target, reduction="sum", ignore_index=7), none.sum())


# --------------------------------------------------------------------------------------------
# Input and parameter errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logits", "target", "match"),
    [
        (
            torch.zeros(3, 2),
            torch.tensor([0.0, 1.0, 1.0]),
            r"probabilities, which must have the logits' shape \(3, 2\); got shape \(3,\)",
        ),
        (
            torch.zeros(3, 2),
            torch.tensor([True, False, True]),
            r"integer dtype.*torch\.bool. Use target\.long\(\)",
        ),
        (torch.zeros(3, 2), torch.tensor([0, 2, 1]), r"target value 2 outside \[0, 2\)"),
        (
            torch.zeros(3, 2),
            torch.tensor([0, 2, 1], dtype=torch.uint8),
            r"target value 2 outside \[0, 2\)",
        ),
        (torch.zeros(3, 2), torch.tensor([0, -1, 1]), "outside"),
        (
            torch.zeros(3, 2),
            torch.tensor([0, 1]),
            r"target of shape \(3,\) matching the logits \(3, 2\)",
        ),
        (
            torch.zeros(3, 2, 5),
            torch.tensor([0, 1, 1]),
            r"target of shape \(3, 5\) matching the logits \(3, 2, 5\)",
        ),
        (
            torch.zeros(3),
            torch.tensor([0, 1, 1]),
            r"target of shape \(\) matching the logits \(3,\)",
        ),
        (torch.zeros(()), torch.tensor(0), "0-d"),
        (
            torch.zeros(3, 2),
            torch.tensor([[0.5, 0.5], [-0.1, 1.1], [1.0, 0.0]]),
            "negative or non-finite",
        ),
        (torch.zeros(3, 2, dtype=torch.int64), torch.tensor([0, 1, 1]), "floating-point"),
    ],
)
def test_input_errors(logits, target, match):
    with pytest.raises(InvalidInputError, match=match):
        LF.focal_loss(logits, target)


def test_parameter_and_shape_errors():
    logits, target = _data()
    with pytest.raises(InvalidParameterError, match="The 'gamma' parameter of focal_loss must be"):
        LF.focal_loss(logits, target, gamma=-1)
    with pytest.raises(InvalidParameterError, match="'reduction'"):
        LF.focal_loss(logits, target, reduction="avg")
    with pytest.raises(InvalidInputError, match="'weight' for 3 classes but the logits have 4"):
        LF.cross_entropy(logits, target, weight=torch.ones(3, dtype=torch.float64))
    with pytest.raises(InvalidParameterError, match="positive"):
        LF.balanced_softmax_loss(logits, target, torch.tensor([0.5, 0.5, 0.0, 0.0]))
    with pytest.raises(InvalidParameterError, match="'tau' parameter of logit_adjusted_loss"):
        LF.logit_adjusted_loss(logits, target, torch.full((4,), 0.25), tau=float("nan"))
    with pytest.raises(InvalidParameterError, match="'s' parameter of ldam_loss"):
        LF.ldam_loss(logits, target, torch.zeros(4), s=0.0)
    with pytest.raises(InvalidInputError, match=r"move the loss with loss\.to"):
        LF.cross_entropy(logits, target, weight=torch.ones(4, dtype=torch.float64, device="meta"))
