"""equipoise with PyTorch Lightning: 2-process CPU DDP (strategy="ddp", accelerator="cpu", devices=2).

One torchrun of lightning_ddp_run.py runs every fit (starting the processes is the cost); this
test compares what each rank saw with the samplers' own draws.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import balanced_accuracy_score

from equipoise.online import ResampledDataset
from equipoise.samplers import (
    ClassBalancedSampler,
    DistributedBalancedBatchSampler,
    DistributedClassBalancedSampler,
)

from ._ddp import ranks, torchrun

# the framework runs in the torchrun processes only: no need to import it here
pytestmark = [
    pytest.mark.slow,  # two processes that each import Lightning: most of the time is start-up
    pytest.mark.skipif(
        importlib.util.find_spec("lightning") is None, reason="needs 'equipoise[lightning]'"
    ),
]

HERE = Path(__file__).resolve().parent
LABELS = [0] * 32 + [1] * 10 + [2] * 6
Y = torch.tensor(LABELS)
IDS = torch.arange(len(LABELS))
X = torch.stack([IDS.float() / len(LABELS), (Y.float() + 1) * torch.cos(IDS.float())], dim=1)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("lightning_ddp")
    torchrun(HERE / "lightning_ddp_run.py", out)
    return out


def _epoch(record, loader, epoch):
    return record["seen"][loader][str(epoch)]


def _dcb(rank, epoch):
    s = DistributedClassBalancedSampler(LABELS, num_samples=96, seed=1, num_replicas=2, rank=rank)
    s.set_epoch(epoch)
    return list(s)


def _dbb(rank, epoch):
    s = DistributedBalancedBatchSampler(
        LABELS, batch_size=6, num_batches=6, seed=3, num_replicas=2, rank=rank
    )
    s.set_epoch(epoch)
    return [i for batch in s for i in batch]


def _plan(sampler, epoch, **kw):
    from torch.utils.data import TensorDataset

    ds = ResampledDataset(TensorDataset(X, Y, IDS), sampler, **kw)
    ds.set_epoch(epoch)
    return Counter(ds.sample_indices_.tolist())


def test_use_distributed_sampler_true_disjoint_shards_fresh_every_epoch(run):
    a = ranks(run, "A")
    for epoch in range(3):
        # a DistributedSampler subclass is left in place: each rank its strided shard
        assert [_epoch(a[r], "dcb", epoch) for r in range(2)] == [_dcb(0, epoch), _dcb(1, epoch)]
        # the P x K batch sampler is re-created by Lightning (sampler=DistributedSampler)
        assert [_epoch(a[r], "dbb", epoch) for r in range(2)] == [_dbb(0, epoch), _dbb(1, epoch)]
        for r in range(2):
            batches = np.array(_epoch(a[r], "dbb", epoch)).reshape(-1, 6)
            assert all(
                np.bincount(Y[b].numpy(), minlength=3).tolist() == [2, 2, 2] for b in batches
            )
        # a single-process sampler is wrapped: the ranks split one draw (given the same seed)
        draw = ClassBalancedSampler(LABELS, num_samples=96, seed=2).sample_indices(epoch).tolist()
        assert Counter(_epoch(a[0], "cb", epoch)) + Counter(_epoch(a[1], "cb", epoch)) == Counter(
            draw
        )
        # online resampling: one plan per epoch on every rank, each item read by exactly one rank
        for name, kw in (("over", {"seed": 4}), ("smote", {"k_neighbors": 3, "seed": 5})):
            union = Counter(_epoch(a[0], name, epoch)) + Counter(_epoch(a[1], name, epoch))
            assert union == _plan(name, epoch, **kw), (name, epoch)
    for name in ("dcb", "dbb", "cb", "over", "smote"):
        assert _epoch(a[0], name, 0) != _epoch(a[0], name, 1) != _epoch(a[0], name, 2)


def test_use_distributed_sampler_false_and_the_single_process_check(run):
    b = ranks(run, "B")  # distributed samplers built outside the hook, left alone by Lightning
    for epoch in range(2):
        assert [_epoch(b[r], "dcb", epoch) for r in range(2)] == [_dcb(0, epoch), _dcb(1, epoch)]
        assert [_epoch(b[r], "dbb", epoch) for r in range(2)] == [_dbb(0, epoch), _dbb(1, epoch)]
    for r in ranks(run, "D"):
        assert "ClassBalancedSampler, a single-process sampler" in r["error"]
        assert "use_distributed_sampler=False" in r["error"]


def test_resume_from_a_checkpoint_after_drw(run):
    a, c = ranks(run, "A"), ranks(run, "C")
    drw_weight = a[0]["weight"]
    for r in range(2):
        # the checkpoint of epoch 1 holds the DRW weight and loads into a fresh LDAMLoss
        assert c[r]["weight_at_start"] == pytest.approx(drw_weight)
        # the resumed epoch draws exactly what the uninterrupted run drew, and trains the same
        for name in ("dcb", "dbb", "cb", "over", "smote"):
            assert _epoch(c[r], name, 2) == _epoch(a[r], name, 2), name
        assert c[r]["losses"]["2"] == pytest.approx(a[r]["losses"]["2"], rel=1e-5, abs=1e-6)
        assert list(c[r]["seen"]["dcb"]) == ["2"]


def test_training_loop_metric_is_the_whole_validation_set(run):
    a = ranks(run, "A")
    for epoch in map(str, range(3)):
        preds = a[0]["val"][epoch]["preds"] + a[1]["val"][epoch]["preds"]
        trues = a[0]["val"][epoch]["trues"] + a[1]["val"][epoch]["trues"]
        assert len(trues) == 30  # 15 rows per rank, no padding
        expected = balanced_accuracy_score(trues, preds)
        assert a[0]["val"][epoch]["bacc"] == pytest.approx(expected) == a[1]["val"][epoch]["bacc"]


def test_the_docs_example_runs_as_a_script_on_two_processes(run):
    printed = (run / "example_rank0.txt").read_text()
    value = float(re.search(r"balanced accuracy ([0-9.]+)", printed)[1])
    assert value > 0.6  # ten long-tailed classes (chance is 0.1)
    assert (run / "example_rank1.txt").read_text() == ""  # printed once, by rank 0
