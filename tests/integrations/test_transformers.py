"""equipoise with the Hugging Face Trainer: 2 processes on CPU (torchrun, gloo), a tiny BERT.

One torchrun of transformers_ddp_run.py trains three times (starting the processes is the cost);
this test compares the rows each rank trained on with the samplers' own draws.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from equipoise.samplers import (
    BalancedBatchSampler,
    DistributedBalancedBatchSampler,
    make_sampler,
)
from equipoise.weights import class_weights

from ._ddp import ranks, torchrun

# the framework runs in the torchrun processes only: no need to import it here
pytestmark = [
    pytest.mark.slow,  # two processes that each import transformers: most of the time is start-up
    pytest.mark.skipif(
        importlib.util.find_spec("transformers") is None
        or importlib.util.find_spec("accelerate") is None,
        reason="needs 'equipoise[transformers]'",
    ),
]

HERE = Path(__file__).resolve().parent
COUNTS = [32, 10, 6]
LABELS = np.repeat(np.arange(3), COUNTS)
SEED = 7  # TrainingArguments(seed=7)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("transformers_ddp")
    torchrun(HERE / "transformers_ddp_run.py", out)
    return out


def test_single_process_sampler_split_by_accelerate_and_set_epoch_reaches_it(run):
    r0, r1 = ranks(run, "square_root")
    assert r0["world"] == r1["world"] == 2
    sampler = make_sampler("square-root", LABELS, seed=SEED)
    for epoch in range(2):
        draw = sampler.sample_indices(epoch).tolist()
        batches = [draw[i : i + 4] for i in range(0, len(draw), 4)]  # per_device_train_batch_size=4
        # every rank trains on every other batch of the one global draw of this epoch
        assert r0["rows"][epoch * 6 : (epoch + 1) * 6] == batches[0::2]
        assert r1["rows"][epoch * 6 : (epoch + 1) * 6] == batches[1::2]
    assert r0["rows"][:6] != r0["rows"][6:]  # epoch 1 is a new draw: set_epoch reached it


def test_pk_batches_and_class_weights(run):
    r0, r1 = ranks(run, "pk")
    for epoch in range(2):
        whole = BalancedBatchSampler(LABELS, batch_size=6, seed=SEED)
        whole.set_epoch(epoch)
        batches = list(whole)  # 48 // 6 = 8 global batches
        assert r0["rows"][epoch * 4 : (epoch + 1) * 4] == batches[0::2]
        assert r1["rows"][epoch * 4 : (epoch + 1) * 4] == batches[1::2]
    for r in (r0, r1):
        assert all(np.bincount(LABELS[b], minlength=3).tolist() == [2, 2, 2] for b in r["rows"])
        assert r["loss"] == "CrossEntropyLoss"
        expected = class_weights(counts=COUNTS, scheme="balanced", normalize="classes")
        np.testing.assert_allclose(r["weight"], expected, rtol=1e-6)


def test_distributed_sampler_is_not_sharded_twice(run):
    ranks_ = ranks(run, "distributed")
    for rank, r in enumerate(ranks_):
        s = DistributedBalancedBatchSampler(
            LABELS, batch_size=6, num_batches=4, seed=3, num_replicas=2, rank=rank
        )
        expected = []
        for epoch in range(2):
            s.set_epoch(epoch)
            expected += list(s)
        assert r["rows"] == expected


@pytest.mark.parametrize("name", ["square_root", "pk", "distributed"])
def test_trainer_loss_is_the_equipoise_loss(run, name):
    for r in ranks(run, name):
        got, expected = r["loss_check"]
        assert got == pytest.approx(expected, rel=1e-6)
        assert np.isfinite(r["train_loss"])


def test_resampled_dataset_gets_a_fresh_plan_every_epoch(run):
    from collections import Counter

    import torch

    from equipoise.online import ResampledDataset

    r0, r1 = ranks(run, "online")
    plan = ResampledDataset((torch.zeros(len(LABELS), 1), torch.as_tensor(LABELS)), "over", seed=5)
    steps = len(r0["rows"]) // 2  # 96 items / (4 x 2 ranks) = 12 steps per epoch
    assert steps == 12
    for epoch in range(2):
        plan.set_epoch(epoch)
        rows = sum(
            r0["rows"][epoch * steps : (epoch + 1) * steps]
            + r1["rows"][epoch * steps : (epoch + 1) * steps],
            [],
        )
        assert Counter(rows) == Counter(
            plan.sample_indices_.tolist()
        )  # each item once, this epoch's plan
    assert Counter(sum(r0["rows"][:steps], [])) != Counter(sum(r0["rows"][steps:], []))


def test_the_docs_example_runs_as_a_script_on_two_processes(run):
    printed = (run / "example_rank0.txt").read_text()
    scores = {
        m[1].strip(): float(m[2])
        for m in re.finditer(r"^(.*?)\s+balanced acc ([0-9.]+)", printed, re.M)
    }
    assert len(scores) == 3, printed
    # plain cross-entropy ignores the rare classes in four epochs; the logit-adjusted loss does not
    # (the other two vary from run to run at this size, see docs/transformers.md)
    assert scores["logit-adjusted loss"] > scores["cross-entropy, shuffled batches"] + 0.1
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    assert "balanced acc" not in (run / "example_rank1.txt").read_text()  # printed by rank 0
