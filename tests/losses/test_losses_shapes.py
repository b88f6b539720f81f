"""Every multiclass loss takes what torch.nn.CrossEntropyLoss takes, and the hot path is clean.

Dense logits (N, C, d1, ...), targets of any integer dtype, label smoothing, probability
targets, autocast, torch.compile(fullgraph=True) and the DRW checkpoint round trip, each checked
against torch's own CrossEntropyLoss or the loss's formula.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.losses import (
    LOSSES,
    BalancedSoftmaxLoss,
    BinaryFocalLoss,
    ClassBalancedLoss,
    CrossEntropyLoss,
    DeferredReweighting,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    make_loss,
    set_value_checks,
)
from equipoise.losses import functional as LF

COUNTS = [50, 20, 8, 3]
C = len(COUNTS)
NAMES = sorted(LOSSES.names())
SOFT_OK = {"cross-entropy", "focal", "balanced-softmax", "logit-adjusted"}


def _dense(dtype=torch.float64, seed=0, shape=(3, C, 4, 2)):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=dtype) * 2
    t = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)
    return x, t


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.movedim(1, -1).reshape(-1, x.shape[1])


def _build(name: str, **kw):
    extra = {"weight": "balanced"} if name in ("cross-entropy", "focal", "ldam") else {}
    if name == "ldam":
        extra["s"] = 2.0  # keep the scaled logits moderate for gradcheck-sized inputs
    return make_loss(name, COUNTS, **{**extra, **kw}).double()


# --------------------------------------------------------------------------------------------
# Shapes (N, C, d1, ...) and integer dtypes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_dense_equals_flattened_rows(name, reduction):
    loss = _build(name, reduction=reduction, ignore_index=7)
    x, t = _dense()
    t[0, 1, 1] = 7  # an ignored pixel
    got = loss(x, t)
    flat = loss(_flat(x), t.reshape(-1))
    if reduction == "none":
        assert got.shape == t.shape
        torch.testing.assert_close(got.reshape(-1), flat)
        assert got[0, 1, 1] == 0
    else:
        torch.testing.assert_close(got, flat)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_dense_weighted_cross_entropy_is_torch(reduction):
    x, t = _dense()
    t[1, 0, 0] = -100
    w = torch.tensor([0.2, 1.0, 3.0, 0.7], dtype=torch.float64)
    expected = F.cross_entropy(x, t, weight=w, reduction=reduction)
    torch.testing.assert_close(CrossEntropyLoss(weight=w, reduction=reduction)(x, t), expected)
    torch.testing.assert_close(FocalLoss(gamma=0.0, weight=w, reduction=reduction)(x, t), expected)
    torch.testing.assert_close(LF.cross_entropy(x, t, weight=w, reduction=reduction), expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.uint8, torch.int8, torch.int16, torch.int32])
def test_any_integer_target_dtype(name, dtype):
    loss = _build(name)
    x, t = _dense(shape=(6, C))
    torch.testing.assert_close(loss(x, t.to(dtype)), loss(x, t))


@pytest.mark.parametrize("name", NAMES)
def test_unbatched_sample(name):
    loss = _build(name, reduction="none")
    x, t = _dense(shape=(1, C))
    got = loss(x[0], t[0])
    assert got.shape == ()
    torch.testing.assert_close(got, loss(x, t)[0])


def test_dense_binary_focal_any_shape():
    x = torch.randn(2, 1, 3, 3, dtype=torch.float64)
    t = (torch.rand(2, 1, 3, 3) > 0.7).to(torch.uint8)
    got = BinaryFocalLoss(reduction="none")(x, t)
    assert got.shape == x.shape
    torch.testing.assert_close(
        got.reshape(-1), BinaryFocalLoss(reduction="none")(x.reshape(-1), t.reshape(-1))
    )


# --------------------------------------------------------------------------------------------
# Label smoothing and probability targets, against torch and the formulas
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0.1, 0.35])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_label_smoothing_matches_torch(eps, reduction):
    x, t = _dense()
    t[2, 3, 1] = -100
    w = torch.tensor([0.2, 1.0, 3.0, 0.7], dtype=torch.float64)
    kw = {"reduction": reduction, "label_smoothing": eps}
    expected = F.cross_entropy(x, t, weight=w, **kw)
    torch.testing.assert_close(CrossEntropyLoss(weight=w, **kw)(x, t), expected)
    # focal with gamma=0 is cross-entropy, smoothing and torch's weighted 'mean' included
    torch.testing.assert_close(FocalLoss(gamma=0.0, weight=w, **kw)(x, t), expected)
    # prior losses: cross-entropy on the adjusted logits
    prior = torch.tensor(COUNTS, dtype=torch.float64) / sum(COUNTS)
    adjusted = x + 0.5 * prior.log().view(1, C, 1, 1)
    torch.testing.assert_close(
        LogitAdjustedLoss(prior, tau=0.5, **kw)(x, t), F.cross_entropy(adjusted, t, **kw)
    )
    torch.testing.assert_close(
        BalancedSoftmaxLoss(prior, **kw)(x, t),
        F.cross_entropy(x + prior.log().view(1, C, 1, 1), t, **kw),
    )
    # LDAM: cross-entropy on s * (x - m_y onehot(y)), weights with torch's rule
    m = torch.tensor([0.1, 0.2, 0.3, 0.5], dtype=torch.float64)
    onehot = F.one_hot(t.clamp(min=0), C).movedim(-1, 1).to(x.dtype) * (t != -100).unsqueeze(1)
    torch.testing.assert_close(
        LDAMLoss(m, s=3.0, weight=w, **kw)(x, t),
        F.cross_entropy(3.0 * (x - onehot * m.view(1, C, 1, 1)), t, weight=w, **kw),
    )
    # class-balanced (softmax base): w_y times the smoothed cross-entropy, mean over samples
    cb = ClassBalancedLoss(w, **kw)(x, t)
    per = (
        F.cross_entropy(x, t, reduction="none", label_smoothing=eps)
        * w[t.clamp(min=0)]
        * (t != -100)
    )
    expected_cb = {"none": per, "sum": per.sum(), "mean": per.sum() / (t != -100).sum()}[reduction]
    torch.testing.assert_close(cb, expected_cb)


def test_focal_label_smoothing_worked_value():
    # two classes, logits (0, 0): p = (1/2, 1/2); eps = 0.2 -> q = (0.9, 0.1) for target 0
    # l = -sum_c q_c (1 - p_c)^2 log p_c = (0.9 + 0.1) * 0.25 * log 2
    got = LF.focal_loss(torch.zeros(1, 2), torch.tensor([0]), gamma=2.0, label_smoothing=0.2)
    assert got.item() == pytest.approx(0.25 * math.log(2), rel=1e-6)
    # logits (log 3, 0): p = (3/4, 1/4); q = (0.9, 0.1); gamma = 1
    x = torch.tensor([[math.log(3.0), 0.0]], dtype=torch.float64)
    expected = -(0.9 * 0.25 * math.log(0.75) + 0.1 * 0.75 * math.log(0.25))
    assert LF.focal_loss(
        x, torch.tensor([0]), gamma=1.0, label_smoothing=0.2
    ).item() == pytest.approx(expected, rel=1e-12)
    # the same as the probability target (0.9, 0.1) without smoothing
    q = torch.tensor([[0.9, 0.1]], dtype=torch.float64)
    assert LF.focal_loss(x, q, gamma=1.0).item() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_probability_targets_match_torch(reduction, eps):
    x, _ = _dense()
    g = torch.Generator().manual_seed(5)
    q = torch.softmax(torch.randn(x.shape, generator=g, dtype=x.dtype), dim=1)
    w = torch.tensor([0.2, 1.0, 3.0, 0.7], dtype=torch.float64)
    kw = {"reduction": reduction, "label_smoothing": eps}
    expected = F.cross_entropy(x, q, weight=w, **kw)  # torch: 'mean' over elements, weights or not
    torch.testing.assert_close(CrossEntropyLoss(weight=w, **kw)(x, q), expected)
    torch.testing.assert_close(FocalLoss(gamma=0.0, weight=w, **kw)(x, q), expected)
    prior = torch.tensor(COUNTS, dtype=torch.float64) / sum(COUNTS)
    torch.testing.assert_close(
        LogitAdjustedLoss(prior, tau=0.7, **kw)(x, q),
        F.cross_entropy(x + 0.7 * prior.log().view(1, C, 1, 1), q, **kw),
    )


def test_mixup_targets_are_the_mixture_of_losses_for_linear_losses():
    # soft cross-entropy is linear in q: a mixup target gives the mixture of the two hard losses
    x, t = _dense(shape=(8, C))
    t2 = t.flip(0)
    lam = 0.3
    q = lam * F.one_hot(t, C).double() + (1 - lam) * F.one_hot(t2, C).double()
    for loss in (
        CrossEntropyLoss(),
        LogitAdjustedLoss.from_counts(COUNTS).double(),
        FocalLoss(gamma=0.0),
    ):
        torch.testing.assert_close(loss(x, q), lam * loss(x, t) + (1 - lam) * loss(x, t2))
    focal = FocalLoss(gamma=2.0, reduction="none")
    hard = lambda y: focal(x, y)  # noqa: E731
    torch.testing.assert_close(focal(x, q), lam * hard(t) + (1 - lam) * hard(t2))


@pytest.mark.parametrize("name", sorted(set(NAMES) - SOFT_OK))
def test_soft_targets_raise_where_undefined(name):
    loss = _build(name)
    x, t = _dense(shape=(5, C))
    q = F.one_hot(t, C).double()
    with pytest.raises(
        InvalidInputError,
        match="does not take probability \\(soft\\) targets: .*Pass class indices of shape \\(5,\\)",
    ):
        loss(x, q)


def test_label_smoothing_errors():
    with pytest.raises(InvalidParameterError, match="only defined for loss='softmax'"):
        ClassBalancedLoss.from_counts(COUNTS, loss="sigmoid", label_smoothing=0.1)
    with pytest.raises(InvalidParameterError, match="only defined for loss='softmax'"):
        LF.class_balanced_loss(
            torch.zeros(2, C),
            torch.tensor([0, 1]),
            torch.ones(C),
            loss="focal",
            label_smoothing=0.1,
        )
    for bad in (-0.1, 1.5, float("nan"), True):
        with pytest.raises(
            InvalidParameterError, match="'label_smoothing' parameter of CrossEntropyLoss"
        ):
            CrossEntropyLoss(label_smoothing=bad)
    with pytest.raises(InvalidParameterError, match="'label_smoothing' parameter of focal_loss"):
        LF.focal_loss(torch.zeros(2, C), torch.tensor([0, 1]), label_smoothing=2.0)


GRAD_CASES = {
    "focal-dense-smoothed": lambda x, t, q: LF.focal_loss(
        x,
        t,
        gamma=2.0,
        alpha=torch.tensor([0.3, 1.0, 2.0, 0.5], dtype=x.dtype),
        label_smoothing=0.15,
    ),
    "focal-soft": lambda x, t, q: LF.focal_loss(
        x, q, gamma=1.5, weight=torch.tensor([0.3, 1.0, 2.0, 0.5], dtype=x.dtype)
    ),
    "ldam-dense-smoothed": lambda x, t, q: LF.ldam_loss(
        x, t, torch.tensor([0.1, 0.2, 0.3, 0.5], dtype=x.dtype), s=2.0, label_smoothing=0.1
    ),
    "class-balanced-dense-smoothed": lambda x, t, q: LF.class_balanced_loss(
        x, t, torch.tensor([0.5, 1.0, 1.5, 2.0], dtype=x.dtype), label_smoothing=0.1
    ),
    "logit-adjusted-soft": lambda x, t, q: LF.logit_adjusted_loss(
        x, q, torch.tensor([0.5, 0.3, 0.15, 0.05], dtype=x.dtype), label_smoothing=0.1
    ),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradcheck_dense_smoothed_soft(name):
    x, t = _dense(shape=(2, C, 3), seed=4)
    q = torch.softmax(
        torch.randn(x.shape, dtype=x.dtype, generator=torch.Generator().manual_seed(1)), 1
    )
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda v: GRAD_CASES[name](v, t, q), (x,))


# --------------------------------------------------------------------------------------------
# Precision: autocast returns float32, as torch's losses do
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_autocast_computes_and_returns_float32(name):
    loss = make_loss(name, COUNTS)
    x32, t = _dense(dtype=torch.float32, shape=(64, C))
    xb = x32.bfloat16()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = loss(xb, t)
        torch_ce = F.cross_entropy(xb, t)
    assert got.dtype == torch.float32 == torch_ce.dtype
    # computed in float32 from the bfloat16 logits: as exact as float32 allows
    reference = loss(xb.float(), t)
    torch.testing.assert_close(got, reference, rtol=1e-6, atol=1e-6)
    # outside autocast, the logits' dtype comes back (computed in float32 internally)
    assert loss(xb, t).dtype == torch.bfloat16


def test_autocast_binary_focal():
    x = torch.randn(32, dtype=torch.bfloat16)
    t = (torch.rand(32) > 0.8).float()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = BinaryFocalLoss()(x, t)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, BinaryFocalLoss()(x.float(), t), rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------------------------
# The hot path: value checks behind a switch, compile with fullgraph=True
# --------------------------------------------------------------------------------------------


def test_value_check_modes():
    x, t = torch.zeros(2, C), torch.tensor([0, 9])
    with pytest.raises(InvalidInputError, match="target value 9 outside"):
        FocalLoss()(x, t)  # 'auto' checks CPU tensors
    previous = set_value_checks("never")
    try:
        with pytest.raises((IndexError, RuntimeError)):  # torch's own kernel still refuses it
            FocalLoss()(x, t)
    finally:
        set_value_checks(previous)
    with pytest.raises(InvalidParameterError, match="'mode' parameter of set_value_checks"):
        set_value_checks("sometimes")


def _compile_cases():
    x, t = _dense(dtype=torch.float32, shape=(4, C, 3))
    cases = [(name, make_loss(name, COUNTS), x, t) for name in NAMES]
    drw = LDAMLoss.from_counts(COUNTS)
    DeferredReweighting(COUNTS, start_epoch=0).apply(drw, 0)
    cases.append(("ldam-drw", drw, x, t))
    cases.append(("focal-smoothed", FocalLoss(alpha=torch.rand(C), label_smoothing=0.1), x, t))
    cases.append(("binary-focal", BinaryFocalLoss(), x[:, 0], (t > 1).float()))
    return cases


@pytest.mark.parametrize(
    ("name", "loss", "x", "t"), _compile_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_compiles_with_fullgraph(name, loss, x, t):
    # fullgraph=True makes Dynamo raise on any graph break (a host sync such as bool(tensor)
    # is one). The 'eager' backend runs the captured graph as is: the same capture as
    # inductor, without its C++ build (about 50 s for the first graph on this machine).
    torch._dynamo.reset()
    compiled = torch.compile(loss, fullgraph=True, backend="eager")
    x = x.clone().requires_grad_(True)
    got = compiled(x, t)
    got.backward()
    torch.testing.assert_close(got, loss(x, t))
    assert x.grad is not None and torch.isfinite(x.grad).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_no_host_sync_on_cuda(name):
    loss = make_loss(name, COUNTS).cuda()
    x, t = _dense(dtype=torch.float32, shape=(8, C, 5))
    x, t = x.cuda(), t.cuda()
    torch.cuda.set_sync_debug_mode("error")
    try:
        loss(x, t)
    finally:
        torch.cuda.set_sync_debug_mode("default")


# --------------------------------------------------------------------------------------------
# Checkpoints after deferred re-weighting (Lightning's ckpt_path= and load_from_checkpoint)
# --------------------------------------------------------------------------------------------


class _Model(torch.nn.Module):
    def __init__(self, loss: torch.nn.Module) -> None:
        super().__init__()
        self.net = torch.nn.Linear(3, C)
        self.loss_fn = loss


def test_checkpoint_after_drw_loads_into_fresh_loss_and_back():
    drw = DeferredReweighting(COUNTS, start_epoch=2)
    trained = _Model(LDAMLoss.from_counts(COUNTS))
    drw.apply(trained.loss_fn, 5)  # DRW switched on
    after = trained.state_dict()
    assert "loss_fn.weight" in after

    fresh = _Model(LDAMLoss.from_counts(COUNTS))  # weight None: the key used to be "unexpected"
    assert fresh.loss_fn.weight is None
    result = fresh.load_state_dict(after)
    assert not result.missing_keys and not result.unexpected_keys
    torch.testing.assert_close(fresh.loss_fn.weight, drw.weight(5))
    x, t = _dense(dtype=torch.float32, shape=(9, C))
    torch.testing.assert_close(fresh.loss_fn(x, t), trained.loss_fn(x, t))

    # back: a checkpoint taken before DRW switches the weight off again
    before = _Model(LDAMLoss.from_counts(COUNTS)).state_dict()
    assert "loss_fn.weight" not in before
    fresh.load_state_dict(before)
    assert fresh.loss_fn.weight is None
    torch.testing.assert_close(fresh.loss_fn(x, t), LDAMLoss.from_counts(COUNTS)(x, t))
    # a partial load (strict=False) leaves what it does not mention alone
    drw.apply(fresh.loss_fn, 5)
    fresh.load_state_dict({"net.weight": fresh.net.weight.detach().clone()}, strict=False)
    assert fresh.loss_fn.weight is not None


def test_adopted_weight_follows_the_module_dtype_and_torch_save(tmp_path):
    loss = LDAMLoss.from_counts(COUNTS)
    DeferredReweighting(COUNTS, start_epoch=0).apply(loss, 0)
    path = tmp_path / "loss.pt"
    torch.save(loss.state_dict(), path)
    fresh = LDAMLoss.from_counts(COUNTS).double()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    assert fresh.weight.dtype == torch.float64
    torch.testing.assert_close(fresh.weight.float(), loss.weight)


@pytest.mark.parametrize("cls", [CrossEntropyLoss, FocalLoss])
def test_deferred_reweighting_on_other_losses(cls):
    loss = cls.from_counts(COUNTS)
    w = DeferredReweighting(COUNTS, start_epoch=1).apply(loss, 1)
    torch.testing.assert_close(loss.weight, w)
    fresh = cls.from_counts(COUNTS)
    fresh.load_state_dict(loss.state_dict())
    x, t = _dense(dtype=torch.float32, shape=(9, C))
    torch.testing.assert_close(fresh(x, t), loss(x, t))
    with pytest.raises(InvalidParameterError, match="'weight' parameter of"):
        loss.set_weight(torch.ones(C + 1))
