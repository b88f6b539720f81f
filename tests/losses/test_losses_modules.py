"""The loss modules: registry, from_counts, buffers, validation, DRW and the cosine head."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import equipoise.losses as losses
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
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
    NormedLinear,
    ldam_margins,
    make_loss,
)
from equipoise.losses import functional as LF
from equipoise.weights import class_weights

NAMES = ["cross-entropy", "focal", "class-balanced", "ldam", "balanced-softmax", "logit-adjusted"]
COUNTS = [500, 120, 30, 6]
COUNT_SPELLINGS = [
    COUNTS,
    np.array(COUNTS),
    torch.tensor(COUNTS),
    {"a": 500, "b": 120, "c": 30, "d": 6},
]


def _batch(dtype=torch.float32, n=16, c=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, c, generator=g, dtype=dtype), torch.randint(0, c, (n,), generator=g)


def test_public_surface():
    assert set(losses.__all__) == {
        "LOSSES",
        "BalancedSoftmaxLoss",
        "BinaryFocalLoss",
        "ClassBalancedLoss",
        "CrossEntropyLoss",
        "DeferredReweighting",
        "FocalLoss",
        "LDAMLoss",
        "LogitAdjustedLoss",
        "NormedLinear",
        "functional",
        "ldam_margins",
        "make_loss",
        "set_value_checks",
        # multi-label indicator targets (tests/multilabel/test_losses.py)
        "MULTILABEL_LOSSES",
        "AsymmetricLoss",
        "ClassBalancedBCELoss",
        "DistributionBalancedLoss",
        "asymmetric_loss",
        "class_balanced_bce_loss",
        "distribution_balanced_loss",
        "BMCLoss",
        "GAILoss",
        "WeightedMSELoss",
        "WeightedL1Loss",
        "WeightedHuberLoss",
        "FeatureDistributionSmoothing",
    }
    assert set(LF.__all__) == {
        "balanced_softmax_loss",
        "binary_focal_loss",
        "class_balanced_loss",
        "cross_entropy",
        "focal_loss",
        "ldam_loss",
        "logit_adjusted_loss",
        "bmc_loss",
        "gai_loss",
        "weighted_huber_loss",
        "weighted_l1_loss",
        "weighted_mse_loss",
    }


def test_registry_names():
    assert sorted(LOSSES.names()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("counts", COUNT_SPELLINGS, ids=["list", "numpy", "tensor", "dict"])
def test_every_loss_builds_from_counts(name, counts):
    loss = make_loss(name, counts)
    assert isinstance(loss, torch.nn.Module)
    logits, target = _batch()
    logits.requires_grad_(True)
    value = loss(logits, target)
    assert value.ndim == 0 and torch.isfinite(value)
    value.backward()
    assert (
        logits.grad is not None
        and torch.isfinite(logits.grad).all()
        and logits.grad.abs().sum() > 0
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_loss_moves_with_to(name):
    loss = LOSSES.get(name).from_counts(
        COUNTS, **({"weight": "balanced"} if name in ("cross-entropy", "focal", "ldam") else {})
    )
    buffers = dict(loss.named_buffers())
    assert buffers, name
    assert set(buffers) <= set(loss.state_dict())
    loss64 = loss.to(torch.float64)
    assert all(b.dtype == torch.float64 for b in loss64.buffers())
    logits, target = _batch(dtype=torch.float64)
    assert loss64(logits, target).dtype == torch.float64
    assert all(b.device.type == "meta" for b in loss.to("meta").buffers())


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip(name):
    loss = make_loss(name, COUNTS)
    fresh = make_loss(name, [1, 1, 1, 1])
    fresh.load_state_dict(loss.state_dict())
    logits, target = _batch()
    torch.testing.assert_close(fresh(logits, target), loss(logits, target))


def test_unknown_loss_name():
    with pytest.raises(UnknownNameError, match=r"unknown loss 'focall'.*Did you mean 'focal'"):
        make_loss("focall", COUNTS)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_modules_equal_functional(reduction):
    logits, target = _batch(dtype=torch.float64)
    target[3] = -100
    prior = torch.tensor(COUNTS, dtype=torch.float64) / sum(COUNTS)
    cb = class_weights(
        counts=COUNTS, scheme="effective_number", normalize="classes", output="tensor"
    ).double()
    margins = ldam_margins(COUNTS).double()
    kw = {"reduction": reduction}
    pairs = [
        (FocalLoss(gamma=1.5, **kw), LF.focal_loss(logits, target, gamma=1.5, **kw)),
        (
            ClassBalancedLoss.from_counts(COUNTS, loss="focal", **kw).double(),
            LF.class_balanced_loss(logits, target, cb, loss="focal", **kw),
        ),
        (LDAMLoss.from_counts(COUNTS, **kw).double(), LF.ldam_loss(logits, target, margins, **kw)),
        (
            BalancedSoftmaxLoss.from_counts(COUNTS, **kw).double(),
            LF.balanced_softmax_loss(logits, target, prior, **kw),
        ),
        (
            LogitAdjustedLoss.from_counts(COUNTS, tau=0.5, **kw).double(),
            LF.logit_adjusted_loss(logits, target, prior, tau=0.5, **kw),
        ),
        (CrossEntropyLoss(**kw), F.cross_entropy(logits, target, **kw)),
    ]
    for module, expected in pairs:
        torch.testing.assert_close(module(logits, target), expected, msg=repr(module))


def test_class_balanced_from_counts_weights():
    # counts [2, 1], beta 0.5 -> 0.8, 1.2 (sum = number of classes)
    loss = ClassBalancedLoss.from_counts([2, 1], beta=0.5)
    torch.testing.assert_close(loss.weight, torch.tensor([0.8, 1.2]))
    # beta = 0: equal weights, plain softmax cross-entropy
    logits, target = _batch(c=2)
    torch.testing.assert_close(
        ClassBalancedLoss.from_counts([900, 100], beta=0.0)(logits, target),
        F.cross_entropy(logits, target),
    )


def test_ldam_margins_and_from_counts():
    torch.testing.assert_close(ldam_margins([16, 1, 81], max_m=0.6), torch.tensor([0.3, 0.6, 0.2]))
    loss = LDAMLoss.from_counts([16, 1], max_m=0.5, s=2.0)
    torch.testing.assert_close(loss.margins, torch.tensor([0.25, 0.5]))
    assert loss.weight is None
    # logits [0.2, 0.7], target 1: s * (z - m) = [0.4, 0.4] -> log 2
    assert loss(torch.tensor([[0.2, 0.7]]), torch.tensor([1])).item() == pytest.approx(
        math.log(2), rel=1e-6
    )


def test_ldam_weighted_mean_divides_by_summed_weights():
    logits, target = _batch(dtype=torch.float64, c=3)
    w = torch.tensor([0.5, 1.0, 4.0], dtype=torch.float64)
    loss = LDAMLoss(torch.zeros(3, dtype=torch.float64), s=1.0, weight=w)
    per = F.cross_entropy(logits, target, reduction="none")
    torch.testing.assert_close(loss(logits, target), (w[target] * per).sum() / w[target].sum())


def test_deferred_reweighting_schedule():
    drw = DeferredReweighting(COUNTS, start_epoch=3, beta=0.999)
    assert drw.weight(0) is None and drw.weight(2) is None
    w = drw.weight(3)
    assert w.dtype == torch.float32
    expected = class_weights(
        counts=COUNTS, scheme="effective_number", beta=0.999, normalize="classes"
    )
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-6)
    assert w.sum().item() == pytest.approx(4.0)
    w.mul_(0)  # callers get a copy
    assert drw.weight(10).sum().item() == pytest.approx(4.0)

    loss = LDAMLoss.from_counts(COUNTS).to(torch.float64)
    assert drw.apply(loss, 1) is None and loss.weight is None
    drw.apply(loss, 5)
    assert loss.weight.dtype == torch.float64 and "weight" in loss.state_dict()
    loss.set_weight(None)
    assert loss.weight is None and "weight" not in loss.state_dict()
    with pytest.raises(
        InvalidParameterError, match="'weight' parameter of LDAMLoss has 2 values but there are 4"
    ):
        loss.set_weight(torch.ones(2))
    with pytest.raises(
        InvalidParameterError, match="'start_epoch' parameter of DeferredReweighting"
    ):
        DeferredReweighting(COUNTS, start_epoch=-1)
    with pytest.raises(InvalidParameterError, match="'epoch'"):
        drw.weight(-2)


def test_normed_linear():
    head = NormedLinear(5, 3, generator=torch.Generator().manual_seed(0))
    same = NormedLinear(5, 3, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(head.weight, same.weight)
    torch.testing.assert_close(head.weight.norm(dim=1), torch.ones(3))
    x = torch.randn(4, 5, generator=torch.Generator().manual_seed(1))
    cos = head(x)
    expected = torch.stack(
        [
            torch.stack([torch.dot(xi, wc) / (xi.norm() * wc.norm()) for wc in head.weight])
            for xi in x
        ]
    )
    torch.testing.assert_close(cos, expected)
    with pytest.raises(InvalidParameterError, match="'in_features' parameter of NormedLinear"):
        NormedLinear(0, 3)


def test_ldam_with_normed_linear_trains():
    g = torch.Generator().manual_seed(0)
    counts = [60, 12]
    x = torch.cat([torch.randn(60, 2, generator=g) + 2, torch.randn(12, 2, generator=g) - 2])
    y = torch.cat([torch.zeros(60, dtype=torch.long), torch.ones(12, dtype=torch.long)])
    head = NormedLinear(2, 2, generator=g)
    loss_fn = LDAMLoss.from_counts(counts)
    opt = torch.optim.SGD(head.parameters(), lr=0.05)
    start = loss_fn(head(x), y).item()
    for _ in range(30):
        opt.zero_grad()
        loss = loss_fn(head(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < start
    assert (head(x).argmax(1) == y).float().mean() > 0.9


def test_from_counts_weight_schemes():
    ce = CrossEntropyLoss.from_counts({"x": 900, "y": 100}, weight="balanced")
    torch.testing.assert_close(ce.weight, torch.tensor([0.2, 1.8]))
    focal = FocalLoss.from_counts([900, 100], alpha="inverse", weight=None)
    torch.testing.assert_close(focal.alpha, torch.tensor([0.2, 1.8]))
    assert FocalLoss.from_counts([900, 100], alpha=0.5).alpha == 0.5
    with pytest.raises(
        InvalidParameterError, match="'weight' parameter of CrossEntropyLoss has 3 values"
    ):
        CrossEntropyLoss.from_counts([1, 2], weight=[1.0, 1.0, 1.0])
    with pytest.raises(UnknownNameError):
        CrossEntropyLoss.from_counts([1, 2], weight="balancd")


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: FocalLoss(gamma=-1),
            "The 'gamma' parameter of FocalLoss must be a float in the range",
        ),
        (
            lambda: FocalLoss(gamma=float("inf")),
            "'gamma' parameter of FocalLoss must be a finite number",
        ),
        (lambda: FocalLoss(alpha=-0.5), "'alpha' parameter of FocalLoss must be non-negative"),
        (lambda: FocalLoss(reduction="avg"), "'reduction' parameter of FocalLoss"),
        (lambda: BinaryFocalLoss(alpha=1.5), "'alpha' parameter of BinaryFocalLoss"),
        (lambda: LDAMLoss.from_counts(COUNTS, s=0), "'s' parameter of LDAMLoss"),
        (lambda: LDAMLoss.from_counts(COUNTS, max_m=0), "'max_m' parameter of LDAMLoss"),
        (
            lambda: LogitAdjustedLoss.from_counts(COUNTS, tau=float("inf")),
            "'tau' parameter of LogitAdjustedLoss",
        ),
        (
            lambda: ClassBalancedLoss.from_counts(COUNTS, beta=1.0),
            "'beta' parameter of ClassBalancedLoss",
        ),
        (
            lambda: ClassBalancedLoss.from_counts(COUNTS, loss="hinge"),
            "'loss' parameter of ClassBalancedLoss",
        ),
        (
            lambda: BalancedSoftmaxLoss(torch.tensor([0.5, -0.5])),
            "'prior' parameter of BalancedSoftmaxLoss",
        ),
    ],
)
def test_init_validation(build, match):
    with pytest.raises(InvalidParameterError, match=match):
        build()


@pytest.mark.parametrize("name", NAMES)
def test_bad_counts(name):
    with pytest.raises(InvalidInputError, match="count of 0"):
        make_loss(name, [10, 0, 3])
    with pytest.raises(InvalidInputError, match="non-negative"):
        make_loss(name, [10, -1, 3])


def test_binary_focal_module():
    loss = BinaryFocalLoss(gamma=2.0, alpha=0.25)
    # x = 0: t = 1 -> 0.25 * 0.25 * log 2; t = 0 -> 0.75 * 0.25 * log 2
    got = loss(torch.zeros(2, 1), torch.tensor([1, 0]))
    assert got.item() == pytest.approx((0.25 + 0.75) * 0.25 * math.log(2) / 2, rel=1e-6)
    assert BinaryFocalLoss(reduction="none")(torch.zeros(3, 1), torch.zeros(3, 1)).shape == (3, 1)


def test_logits_on_other_device_is_clear():
    loss = BalancedSoftmaxLoss.from_counts(COUNTS).to("meta")
    with pytest.raises(InvalidInputError, match="'prior' buffer of BalancedSoftmaxLoss is on meta"):
        loss(*_batch())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    loss = make_loss(name, COUNTS)
    logits, target = _batch()
    expected = loss(logits, target)
    cuda_loss = loss.to("cuda")
    assert all(b.device.type == "cuda" for b in cuda_loss.buffers())
    torch.testing.assert_close(cuda_loss(logits.cuda(), target.cuda()).cpu(), expected)
    with pytest.raises(InvalidInputError, match="move the loss"):
        cuda_loss(logits, target)


@pytest.mark.parametrize("name", losses.LOSSES.names())
def test_every_loss_shares_the_base(name):
    """reduction / ignore_index are validated and stored by LossModule (torch's _Loss shape)."""
    from equipoise.losses._common import LossModule

    cls = losses.LOSSES.get(name)
    assert issubclass(cls, LossModule)
    loss = cls.from_counts([30, 10, 5], reduction="sum", ignore_index=7)
    assert (loss.reduction, loss.ignore_index) == ("sum", 7)
    with pytest.raises(
        InvalidParameterError,
        match=rf"^The 'reduction' parameter of {cls.__name__} must be one of 'none', 'mean', 'sum'; got 'avg'\.$",
    ):
        cls.from_counts([30, 10, 5], reduction="avg")
    with pytest.raises(
        InvalidParameterError,
        match=rf"'ignore_index' parameter of {cls.__name__} must be an instance of int",
    ):
        cls.from_counts([30, 10, 5], ignore_index=1.5)


def test_binary_focal_loss_has_no_ignore_index():
    from equipoise.losses import BinaryFocalLoss

    loss = BinaryFocalLoss(reduction="none")
    assert loss.reduction == "none" and not hasattr(loss, "ignore_index")
    with pytest.raises(InvalidParameterError, match="'reduction' parameter of BinaryFocalLoss"):
        BinaryFocalLoss(reduction="avg")
