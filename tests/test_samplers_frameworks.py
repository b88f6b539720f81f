"""Samplers built from datasets, the epoch rule, and the shapes frameworks need (BatchSampler)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.distributed as dist
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    DistributedSampler,
    Subset,
    TensorDataset,
)

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.online import EpochSampler, ResampledDataset
from equipoise.samplers import (
    BalancedBatchSampler,
    ClassBalancedSampler,
    DistributedBalancedBatchSampler,
    DistributedClassBalancedSampler,
    ProgressiveSampler,
    make_sampler,
)

Y = np.array([0] * 70 + [1] * 20 + [2] * 10)
X = torch.arange(len(Y), dtype=torch.float32).unsqueeze(1).repeat(1, 2)


class _WithTargets(Dataset):
    def __init__(self, attr):
        setattr(self, attr, Y.tolist())

    def __len__(self):
        return len(Y)

    def __getitem__(self, i):
        return X[i], int(Y[i])


class _WithGetLabels(_WithTargets):
    def __init__(self):
        pass

    def get_labels(self):
        return torch.as_tensor(Y)


class _Opaque(Dataset):
    def __len__(self):
        return len(Y)

    def __getitem__(self, i):
        return X[i], int(Y[i])


# --------------------------------------------------------------------------------------------
# Labels from a dataset
# --------------------------------------------------------------------------------------------


def _same_draw(sampler_from_data, sampler_from_labels):
    return (
        sampler_from_data.sample_indices(3).tolist()
        == sampler_from_labels.sample_indices(3).tolist()
    )


@pytest.mark.parametrize(
    ("source", "labels_from", "expected"),
    [
        (TensorDataset(X, torch.as_tensor(Y)), None, Y),
        (_WithTargets("targets"), None, Y),
        (_WithTargets("labels"), None, Y),
        (_WithGetLabels(), None, Y),
        (Subset(TensorDataset(X, torch.as_tensor(Y)), list(range(10, 100))), None, Y[10:]),
        (
            ConcatDataset([_WithTargets("targets"), TensorDataset(X, torch.as_tensor(Y))]),
            None,
            np.concatenate([Y, Y]),
        ),
        (_Opaque(), lambda ds: [ds[i][1] for i in range(len(ds))], Y),
        (pd.DataFrame({"x": np.arange(len(Y)), "species": Y}), "species", Y),
        (_WithTargets("targets"), "targets", Y),
    ],
    ids=[
        "tensor-dataset",
        "targets",
        "labels",
        "get_labels",
        "subset",
        "concat",
        "callback",
        "frame-column",
        "attribute",
    ],
)
def test_sampler_from_a_dataset(source, labels_from, expected):
    s = ClassBalancedSampler(source, seed=4, labels_from=labels_from)
    assert _same_draw(s, ClassBalancedSampler(expected, seed=4))
    assert s.class_counts.tolist() == np.bincount(expected).tolist()
    b = BalancedBatchSampler(source, batch_size=6, seed=1, labels_from=labels_from)
    assert list(b) == list(BalancedBatchSampler(expected, batch_size=6, seed=1))
    d = DistributedClassBalancedSampler(
        source, num_replicas=2, rank=1, seed=2, labels_from=labels_from
    )
    assert list(d) == list(
        DistributedClassBalancedSampler(expected, num_replicas=2, rank=1, seed=2)
    )
    assert len(
        make_sampler("progressive", source, num_epochs=3, seed=0, labels_from=labels_from)
    ) == len(expected)


def test_tensor_dataset_feeds_a_dataloader():
    ds = TensorDataset(X, torch.as_tensor(Y))
    loader = DataLoader(ds, batch_size=25, sampler=ClassBalancedSampler(ds, seed=0))
    counts = np.bincount(torch.cat([yb for _, yb in loader]).numpy(), minlength=3)
    assert counts.sum() == len(Y) and counts.min() > 15  # about a third each


def test_dataset_label_errors():
    with pytest.raises(
        InvalidInputError, match="cannot find the labels of the _Opaque.*labels_from=callable"
    ):
        ClassBalancedSampler(_Opaque())
    with pytest.raises(
        InvalidInputError, match=r"got a DataFrame: say which column.*labels_from='x'"
    ):
        ClassBalancedSampler(pd.DataFrame({"x": Y}))
    with pytest.raises(
        InvalidParameterError,
        match=r"must name a column of the table; got 'y', columns are \['x'\]",
    ):
        ClassBalancedSampler(pd.DataFrame({"x": Y}), labels_from="y")
    with pytest.raises(InvalidParameterError, match="must name a column or an attribute"):
        ClassBalancedSampler(_Opaque(), labels_from="nope")
    with pytest.raises(InvalidParameterError, match="'labels_from' parameter"):
        ClassBalancedSampler(_Opaque(), labels_from=3)
    with pytest.raises(InvalidInputError, match="found 99 labels for a _Opaque of 100 rows"):
        ClassBalancedSampler(_Opaque(), labels_from=lambda ds: Y[:-1])


# --------------------------------------------------------------------------------------------
# The epoch rule
# --------------------------------------------------------------------------------------------


def test_single_process_samplers_advance_per_pass_unless_set():
    for s in (
        ClassBalancedSampler(Y, seed=3),
        ProgressiveSampler(Y, num_epochs=3, seed=3),
        BalancedBatchSampler(Y, batch_size=6, seed=3),
    ):
        passes = [list(s) for _ in range(3)]
        assert passes[0] != passes[1] != passes[2]
        s.set_epoch(1)
        assert list(s) == passes[1] and list(s) == passes[2]  # set, then on from there


def test_distributed_samplers_change_only_on_set_epoch():
    for s in (
        DistributedClassBalancedSampler(Y, num_replicas=2, rank=0, seed=3),
        DistributedBalancedBatchSampler(Y, batch_size=6, num_replicas=2, rank=0, seed=3),
    ):
        first = list(s)
        assert list(s) == first  # an extra pass changes nothing
        s.set_epoch(1)
        second = list(s)
        assert second != first and list(s) == second
        s.set_epoch(0)
        assert list(s) == first


# --------------------------------------------------------------------------------------------
# The distributed P x K batch sampler
# --------------------------------------------------------------------------------------------


def test_distributed_batches_are_disjoint_shares_of_one_draw():
    ranks = [
        DistributedBalancedBatchSampler(Y, batch_size=9, num_replicas=3, rank=r, seed=5)
        for r in range(3)
    ]
    assert all(isinstance(r, BatchSampler) for r in ranks)
    assert [len(r) for r in ranks] == [len(Y) // 27] * 3
    for epoch in (0, 4):
        for r in ranks:
            r.set_epoch(epoch)
        whole = [b.tolist() for block in ranks[0].global_batch_indices(epoch) for b in block]
        batches = [list(r) for r in ranks]
        for k in range(3):
            assert batches[k] == whole[k::3]
            for b in batches[k]:
                assert np.bincount(Y[b], minlength=3).tolist() == [
                    3,
                    3,
                    3,
                ]  # every class, every batch
        # the global draw is exactly the single-process sampler's
        single = BalancedBatchSampler(Y, batch_size=9, num_batches=len(whole), seed=5)
        single.set_epoch(epoch)
        assert list(single) == whole


def test_set_epoch_reaches_through_batch_sampler_sampler():
    # Lightning and Accelerate call batch_sampler.sampler.set_epoch(epoch)
    for s in (
        BalancedBatchSampler(Y, batch_size=6, seed=0),
        DistributedBalancedBatchSampler(Y, batch_size=6, num_replicas=2, rank=1, seed=0),
    ):
        s.sampler.set_epoch(7)
        assert s.epoch == 7
        assert len(s.sampler) == len(s) * 6


def test_framework_reinstantiation_with_a_distributed_sampler():
    injected = DistributedSampler(range(len(Y)), num_replicas=2, rank=1, shuffle=True, seed=0)
    s = DistributedBalancedBatchSampler(Y, batch_size=6, seed=2, sampler=injected)
    assert (s.num_replicas, s.rank) == (2, 1)
    assert list(s) == list(
        DistributedBalancedBatchSampler(Y, batch_size=6, num_replicas=2, rank=1, seed=2)
    )
    with pytest.raises(
        InvalidParameterError, match="'rank' parameter .* is 0 but the DistributedSampler"
    ):
        DistributedBalancedBatchSampler(Y, batch_size=6, rank=0, sampler=injected)
    with pytest.raises(
        InvalidParameterError, match="single-process sampler.*DistributedBalancedBatchSampler"
    ):
        BalancedBatchSampler(Y, batch_size=6, seed=0, sampler=injected)
    # one replica (or any other sampler) changes nothing
    alone = DistributedSampler(range(len(Y)), num_replicas=1, rank=0)
    assert list(BalancedBatchSampler(Y, batch_size=6, seed=0, sampler=alone)) == list(
        BalancedBatchSampler(Y, batch_size=6, seed=0)
    )
    # Lightning's fallback cls(sampler, batch_size=..., drop_last=...) gets a pointed TypeError
    with pytest.raises(TypeError, match="train_dataloader"):
        DistributedBalancedBatchSampler(injected, batch_size=6, drop_last=False)
    with pytest.raises(
        InvalidParameterError, match="'seed' parameter of DistributedBalancedBatchSampler"
    ):
        DistributedBalancedBatchSampler(Y, batch_size=6, num_replicas=2, rank=0, seed=None)


# --------------------------------------------------------------------------------------------
# No seed under torch.distributed: fail loudly
# --------------------------------------------------------------------------------------------


@pytest.fixture
def two_rank_group(monkeypatch):
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "get_world_size", lambda group=None: 2)
    monkeypatch.setattr(dist, "get_rank", lambda group=None: 0)


def test_no_seed_under_ddp_fails_at_construction(two_rank_group):
    for build in (
        lambda: ClassBalancedSampler(Y),
        lambda: BalancedBatchSampler(Y, batch_size=6),
        lambda: ResampledDataset((X, torch.as_tensor(Y)), "over"),
    ):
        with pytest.raises(
            InvalidParameterError, match="without a seed.*2 processes.*Pass seed=<int>"
        ):
            build()
    assert len(ClassBalancedSampler(Y, seed=1)) == len(Y)  # a seed is fine
    assert len(ClassBalancedSampler(Y, generator=torch.Generator().manual_seed(0))) == len(Y)


def test_no_seed_built_before_the_group_fails_on_first_pass(monkeypatch):
    s = ClassBalancedSampler(Y)
    ds = ResampledDataset((X, torch.as_tensor(Y)), "over")
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "get_world_size", lambda group=None: 2)
    with pytest.raises(InvalidParameterError, match="without a seed"):
        list(s)
    with pytest.raises(InvalidParameterError, match="without a seed"):
        list(ds.epoch_sampler())


# --------------------------------------------------------------------------------------------
# Online resampling: fresh every epoch, with workers (persistent ones too)
# --------------------------------------------------------------------------------------------


def _sources(loader):
    """Row ids behind the items of one pass (features are the row id for 'over')."""
    return sorted(int(v) for xb, _ in loader for v in xb[:, 0].tolist())


def _expected(ds, epoch):
    return sorted(ds._plan_for(epoch).source.tolist())


@pytest.mark.parametrize("persistent", [False, True])
def test_epoch_sampler_is_fresh_every_pass_with_workers(persistent):
    ds = ResampledDataset((X, torch.as_tensor(Y)), "over", seed=11)
    loader = DataLoader(
        ds,
        batch_size=32,
        sampler=ds.epoch_sampler(),
        num_workers=2,
        persistent_workers=persistent,
        multiprocessing_context="fork",
    )
    seen = [_sources(loader) for _ in range(3)]  # the user never calls set_epoch
    assert [ds.epoch] == [2]
    for epoch in range(3):
        assert seen[epoch] == _expected(ds, epoch)
    assert seen[0] != seen[1] != seen[2]


def test_set_epoch_reaches_persistent_workers_with_shuffle():
    ds = ResampledDataset((X, torch.as_tensor(Y)), "over", seed=12)
    loader = DataLoader(
        ds,
        batch_size=32,
        shuffle=True,
        num_workers=2,
        persistent_workers=True,
        multiprocessing_context="fork",
    )
    seen = []
    for epoch in range(3):
        ds.set_epoch(epoch)  # what equipoise.integrations.lightning.ResampleEveryEpoch does
        seen.append(_sources(loader))
    for epoch in range(3):
        assert seen[epoch] == _expected(ds, epoch)
    assert seen[1] != seen[2]


def test_epoch_sampler_follows_the_rule():
    ds = ResampledDataset((X, torch.as_tensor(Y)), "smote", k_neighbors=3, seed=1)
    s = ds.epoch_sampler()
    assert isinstance(s, EpochSampler) and len(s) == len(ds)
    a = list(s)
    assert ds.epoch == 0 and sorted(a) == list(range(len(ds)))
    list(s)
    assert ds.epoch == 1
    s.set_epoch(5)
    list(s)
    assert ds.epoch == 5
    list(s)
    assert ds.epoch == 6
    assert list(ds.epoch_sampler(shuffle=False)) == list(range(len(ds)))
    with pytest.raises(InvalidParameterError, match="iterates a ResampledDataset"):
        EpochSampler(TensorDataset(X))
