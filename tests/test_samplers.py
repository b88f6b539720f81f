"""Tests for equipoise.samplers (single process; the real 2-process DDP test is separate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

import equipoise.samplers as samplers_module
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
from equipoise.samplers import (
    SAMPLERS,
    BalancedBatchSampler,
    ClassBalancedSampler,
    DistributedClassBalancedSampler,
    ProgressiveSampler,
    dataloader_kwargs,
    make_sampler,
)

LABELS = np.array([0] * 800 + [1] * 150 + [2] * 50)


def _proportions(labels: np.ndarray, indices) -> np.ndarray:
    return np.bincount(labels[np.asarray(list(indices))], minlength=3) / len(indices)


def _within(observed: np.ndarray, expected: np.ndarray, n: int, sds: float = 6.0) -> bool:
    sd = np.sqrt(expected * (1 - expected) / n)
    return bool(np.all(np.abs(observed - expected) <= sds * sd + 1e-12))


def test_public_surface():
    assert sorted(samplers_module.__all__) == sorted(
        [
            "ClassBalancedSampler",
            "ProgressiveSampler",
            "BalancedBatchSampler",
            "DistributedClassBalancedSampler",
            "DistributedBalancedBatchSampler",
            "square_root_sampler",
            "instance_balanced_sampler",
            "MultiLabelBalancedSampler",
            "SAMPLERS",
            "make_sampler",
            "dataloader_kwargs",
        ]
    )


# ------------------------------------------------------------------ class probabilities


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # hand-computed: n = (800, 150, 50)
        (0.0, [0.8, 0.15, 0.05]),
        # sqrt(800)=28.2843, sqrt(150)=12.2474, sqrt(50)=7.0711; sum 47.6028
        (0.5, [0.594172, 0.257284, 0.148544]),
        (1.0, [1 / 3, 1 / 3, 1 / 3]),
    ],
)
def test_class_probabilities_hand_values(q, expected):
    s = ClassBalancedSampler(LABELS, q=q, seed=0)
    np.testing.assert_allclose(s.class_probabilities().numpy(), expected, atol=1e-6)


@pytest.mark.parametrize("q", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("replacement", [True, False])
def test_drawn_class_proportions_match_formula(q, replacement):
    n = 30_000
    s = ClassBalancedSampler(LABELS, q=q, num_samples=n, replacement=replacement, seed=7)
    expected = s.class_probabilities().numpy()
    assert _within(_proportions(LABELS, s), expected, n)


def test_rows_within_a_class_are_uniform():
    # q=1, class 2 has 50 rows; 60k draws -> each row of class 2 expected 400 times.
    s = ClassBalancedSampler(LABELS, q=1.0, num_samples=60_000, seed=3)
    idx = s.sample_indices().numpy()
    per_row = np.bincount(idx, minlength=len(LABELS))[950:]
    assert per_row.min() > 400 - 6 * 20 and per_row.max() < 400 + 6 * 20


def test_without_replacement_uses_each_row_before_repeating():
    s = ClassBalancedSampler(LABELS, q=1.0, num_samples=900, replacement=False, seed=1)
    idx = s.sample_indices().numpy()
    counts = np.bincount(idx, minlength=len(LABELS))
    for c in range(3):
        rows = counts[LABELS == c]
        assert rows.max() - rows.min() <= 1
    # with q=0 and num_samples = n, expected draws per class equal class sizes: few repeats
    s0 = ClassBalancedSampler(LABELS, q=0.0, replacement=False, seed=1)
    assert len(set(s0)) > 0.9 * len(LABELS)


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=6),
    q=st.floats(0.0, 1.0),
    num_samples=st.integers(1, 300),
    replacement=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_property_valid_indices_and_even_reuse(sizes, q, num_samples, replacement, seed):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    s = ClassBalancedSampler(
        labels, q=q, num_samples=num_samples, replacement=replacement, seed=seed
    )
    idx = np.asarray(list(s))
    assert len(idx) == len(s) == num_samples
    assert idx.min() >= 0 and idx.max() < len(labels)
    if not replacement:
        counts = np.bincount(idx, minlength=len(labels))
        for c in range(len(sizes)):
            in_class = counts[labels == c]
            if in_class.sum():
                assert in_class.max() - in_class.min() <= 1


# ------------------------------------------------------------------ randomness rule


def test_same_seed_and_epoch_same_order_new_epoch_new_order():
    a = ClassBalancedSampler(LABELS, seed=5)
    b = ClassBalancedSampler(LABELS, seed=5)
    first = list(a)
    assert first == list(b)
    second = list(a)  # iterating moved a on to epoch 1
    assert second != first
    a.set_epoch(0)
    assert list(a) == first
    a.set_epoch(1)
    assert list(a) == second
    assert torch.equal(a.sample_indices(1), torch.tensor(second))


def test_generator_is_drawn_from_once_and_reproducible():
    g1 = torch.Generator().manual_seed(11)
    g2 = torch.Generator().manual_seed(11)
    a = ClassBalancedSampler(LABELS, generator=g1)
    b = ClassBalancedSampler(LABELS, generator=g2)
    assert list(a) == list(b)
    state = g1.get_state()
    list(a)
    list(a)
    assert torch.equal(state, g1.get_state())  # iterating never touches the user's generator


def test_default_generator_follows_torch_manual_seed():
    torch.manual_seed(123)
    a = list(ClassBalancedSampler(LABELS))
    torch.manual_seed(123)
    b = list(ClassBalancedSampler(LABELS))
    assert a == b


@pytest.mark.parametrize(
    "convert",
    [list, np.asarray, torch.tensor, pd.Series, lambda y: np.array(["a", "b", "c"])[y]],
    ids=["list", "numpy", "torch", "pandas", "strings"],
)
def test_label_containers_give_the_same_draw(convert):
    reference = ClassBalancedSampler(LABELS, q=0.5, seed=2).sample_indices()
    s = ClassBalancedSampler(convert(LABELS), q=0.5, seed=2)
    assert torch.equal(s.sample_indices(), reference)
    assert len(s.classes) == 3


def test_twenty_million_labels():
    n = 20_000_000
    labels = torch.zeros(n, dtype=torch.int64)
    labels[:100_000] = 1  # 0.5% minority, 199:1
    labels[100_000:120_000] = 2
    with pytest.raises(RuntimeError, match="2\\^24"):
        list(WeightedRandomSampler(torch.ones(n, dtype=torch.float64), 10))
    s = ClassBalancedSampler(labels, q=1.0, num_samples=2_000_000, seed=0)
    idx = s.sample_indices()
    assert idx.numel() == 2_000_000 and int(idx.max()) < n
    props = torch.bincount(labels[idx], minlength=3).double() / idx.numel()
    assert torch.allclose(props, torch.full((3,), 1 / 3, dtype=torch.float64), atol=0.005)
    # rows of the 120M..20M range are reached (the draw is not confined to 2^24 rows)
    assert int(idx.max()) > 2**24


def test_dataloader_integration():
    X = torch.arange(len(LABELS), dtype=torch.float32).unsqueeze(1)
    sampler = ClassBalancedSampler(torch.tensor(LABELS), seed=0)
    loader = DataLoader(
        TensorDataset(X, torch.tensor(LABELS)), batch_size=100, **dataloader_kwargs(sampler)
    )
    seen = torch.cat([y for _, y in loader])
    assert len(seen) == len(LABELS)
    assert _within(np.bincount(seen.numpy()) / len(seen), np.full(3, 1 / 3), len(seen))


# ------------------------------------------------------------------ progressive


def test_progressive_schedule_hand_values():
    s = ProgressiveSampler(LABELS, num_epochs=5, seed=0)
    ib = np.array([0.8, 0.15, 0.05])
    cb = np.full(3, 1 / 3)
    for epoch, alpha in enumerate([0.0, 0.25, 0.5, 0.75, 1.0, 1.0]):
        np.testing.assert_allclose(
            s.class_probabilities(epoch).numpy(), (1 - alpha) * ib + alpha * cb
        )
    assert ProgressiveSampler(LABELS, num_epochs=1, seed=0).mixing_weight(0) == 1.0


def test_progressive_draws_follow_epoch():
    s = ProgressiveSampler(LABELS, num_epochs=3, num_samples=30_000, seed=4)
    first = _proportions(LABELS, s)  # epoch 0, instance-balanced
    list(s)  # epoch 1
    last = _proportions(LABELS, s)  # epoch 2, class-balanced
    assert _within(first, np.array([0.8, 0.15, 0.05]), 30_000)
    assert _within(last, np.full(3, 1 / 3), 30_000)


# ------------------------------------------------------------------ balanced batches


def test_balanced_batches_all_classes_even_split():
    s = BalancedBatchSampler(LABELS, batch_size=10, seed=0)
    assert len(s) == 100
    batches = list(s)
    assert len(batches) == 100
    for b in batches:
        counts = sorted(np.bincount(LABELS[b], minlength=3).tolist())
        assert counts == [3, 3, 4]
        for c in range(3):  # rows of a class within a batch are distinct
            rows = [i for i in b if LABELS[i] == c]
            assert len(set(rows)) == len(rows)
    # the class that gets the extra slot varies from batch to batch
    extra = {int(np.argmax(np.bincount(LABELS[b], minlength=3))) for b in batches}
    assert extra == {0, 1, 2}


def test_pk_batches():
    labels = np.repeat(np.arange(10), 20)
    s = BalancedBatchSampler(
        labels, batch_size=12, classes_per_batch=3, samples_per_class=4, num_batches=50, seed=1
    )
    chosen = set()
    for b in s:
        counts = np.bincount(labels[b], minlength=10)
        assert sorted(counts[counts > 0].tolist()) == [4, 4, 4]
        assert len(set(b)) == 12
        chosen.update(np.flatnonzero(counts).tolist())
    assert chosen == set(range(10))
    assert (
        BalancedBatchSampler(labels, batch_size=12, samples_per_class=4, seed=0).classes_per_batch
        == 3
    )


def test_tiny_class_fills_its_quota_evenly():
    labels = np.array([0] * 100 + [1] * 2)
    s = BalancedBatchSampler(labels, batch_size=10, seed=0)
    for b in s:
        minority = [i for i in b if labels[i] == 1]
        assert len(minority) == 5 and sorted(set(minority)) == [100, 101]
        assert max(minority.count(100), minority.count(101)) == 3


def test_balanced_batches_deterministic_per_epoch():
    s = BalancedBatchSampler(LABELS, batch_size=9, seed=3)
    e0 = list(s)
    e1 = list(s)
    assert e0 != e1
    s.set_epoch(0)
    assert list(s) == e0
    t = BalancedBatchSampler(LABELS, batch_size=9, seed=3)
    assert list(t) == e0


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=2, max_size=7),
    batch_size=st.integers(1, 40),
    data=st.data(),
)
def test_property_every_batch_meets_its_quota(sizes, batch_size, data):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    k = len(sizes)
    P = data.draw(st.integers(1, min(k, batch_size)))
    s = BalancedBatchSampler(
        labels,
        batch_size=batch_size,
        classes_per_batch=P,
        num_batches=5,
        seed=data.draw(st.integers(0, 1000)),
    )
    for b in s:
        assert len(b) == batch_size
        counts = np.bincount(labels[b], minlength=k)
        present = counts[counts > 0]
        assert len(present) == P
        assert present.max() - present.min() <= 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"batch_size": 2}, "at least the number of classes \\(3\\)"),
        (
            {"batch_size": 8, "classes_per_batch": 4},
            "at most the number of classes in labels \\(3\\)",
        ),
        ({"batch_size": 2, "classes_per_batch": 3}, "at most batch_size=2; got 3"),
        ({"batch_size": 9, "classes_per_batch": 2, "samples_per_class": 4}, "2 x 4 = 8; got 9"),
        ({"batch_size": 10, "samples_per_class": 4}, "multiple of samples_per_class=4"),
        (
            {"batch_size": 0},
            "'batch_size' parameter of BalancedBatchSampler must be a positive int",
        ),
        ({"batch_size": 6, "num_batches": 0}, "'num_batches'"),
    ],
)
def test_balanced_batch_errors(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        BalancedBatchSampler(LABELS, **kwargs)


# ------------------------------------------------------------------ distributed (single process)


def test_distributed_needs_a_group_or_explicit_world():
    with pytest.raises(
        InvalidParameterError, match="no torch.distributed process group is initialised"
    ):
        DistributedClassBalancedSampler(LABELS)
    with pytest.raises(InvalidParameterError, match="'rank' parameter .* must be in \\[0, 1\\]"):
        DistributedClassBalancedSampler(LABELS, num_replicas=2, rank=2)
    with pytest.raises(InvalidParameterError, match="'seed' parameter .* the same on every rank"):
        DistributedClassBalancedSampler(LABELS, num_replicas=2, rank=0, seed=None)
    with pytest.raises(
        InvalidParameterError, match="drop_last=True needs num_samples >= num_replicas"
    ):
        DistributedClassBalancedSampler(
            LABELS, num_replicas=4, rank=0, num_samples=3, drop_last=True
        )


@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_shards_partition_the_global_draw(drop_last):
    R, n = 3, 1000  # 1000 is not a multiple of 3
    ranks = [
        DistributedClassBalancedSampler(LABELS, num_replicas=R, rank=r, seed=9, drop_last=drop_last)
        for r in range(R)
    ]
    lens = {len(s) for s in ranks}
    assert lens == ({333} if drop_last else {334})
    shards = [list(s) for s in ranks]
    glob = ranks[0].global_indices(0).tolist()
    assert len(glob) == R * lens.pop()
    rebuilt = [None] * len(glob)
    for r, shard in enumerate(shards):
        rebuilt[r::R] = shard
    assert rebuilt == glob
    single = ClassBalancedSampler(LABELS, seed=9).sample_indices(0).tolist()
    assert (
        glob[: min(n, len(glob))] == single[: min(n, len(glob))]
    )  # the same law as the single-process draw
    assert isinstance(ranks[0], torch.utils.data.DistributedSampler)


# ------------------------------------------------------------------ registry and errors


def test_registry_builds_every_sampler():
    assert {
        "class-balanced",
        "sqrt",
        "square-root",
        "progressive",
        "balanced-batch",
        "distributed-class-balanced",
        "instance-balanced",
    } <= set(SAMPLERS.names())
    params = {
        "progressive": {"num_epochs": 3},
        "balanced-batch": {"batch_size": 6},
        "distributed-class-balanced": {"num_replicas": 1, "rank": 0},
        "distributed-balanced-batch": {"batch_size": 6, "num_replicas": 2, "rank": 1},
    }
    for name in SAMPLERS:
        if (
            name == "multilabel-balanced"
        ):  # takes an indicator matrix: tests/multilabel/test_sampler.py
            continue
        extra = {"seed": 0} if not name.startswith("distributed") else {}
        s = make_sampler(name, LABELS, **params.get(name, {}), **extra)
        key = next(iter(dataloader_kwargs(s)))
        assert key == ("batch_sampler" if name.endswith("balanced-batch") else "sampler")
        assert len(list(s)) == len(s)
    np.testing.assert_allclose(
        make_sampler("sqrt", LABELS, seed=0).class_probabilities().numpy(),
        [0.594172, 0.257284, 0.148544],
        atol=1e-6,
    )


def test_unknown_name_lists_known_ones():
    with pytest.raises(
        UnknownNameError,
        match="unknown batch sampler 'class-balancd'.*Did you mean 'class-balanced'",
    ):
        make_sampler("class-balancd", LABELS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"q": float("nan")}, "'q' parameter of ClassBalancedSampler must be a finite float"),
        ({"q": "1"}, "'q' parameter"),
        ({"num_samples": 0}, "'num_samples' parameter .* positive int or None .* got 0"),
        ({"replacement": "yes"}, "'replacement' parameter"),
        ({"seed": -1}, "'seed' parameter"),
        ({"seed": 1, "generator": torch.Generator()}, "either 'seed' or 'generator'"),
        ({"generator": 3}, "'generator' parameter .* torch.Generator"),
    ],
)
def test_parameter_errors(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ClassBalancedSampler(LABELS, **kwargs)


def test_label_and_epoch_errors():
    with pytest.raises(InvalidInputError, match="empty y"):
        ClassBalancedSampler([])
    with pytest.raises(InvalidInputError, match="single target column"):
        ClassBalancedSampler(np.zeros((4, 2)))
    with pytest.raises(InvalidInputError, match="continuous"):
        ClassBalancedSampler([0.5, 1.5, 2.25])
    s = ClassBalancedSampler(LABELS, seed=0)
    with pytest.raises(InvalidParameterError, match="set_epoch must be a non-negative int; got -1"):
        s.set_epoch(-1)
    with pytest.raises(InvalidParameterError, match="'num_epochs'"):
        ProgressiveSampler(LABELS, num_epochs=0)


def test_single_class_is_allowed():
    s = ClassBalancedSampler([4, 4, 4], seed=0)
    assert set(s) <= {0, 1, 2} and len(s) == 3
