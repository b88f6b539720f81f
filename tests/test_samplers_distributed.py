"""The distributed samplers and the training-loop metrics under a real torch.distributed group.

Two processes, gloo; one spawn serves every check, since starting the processes is the cost.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch.multiprocessing as mp
from common.distributed_worker import LABELS, WORLD, predictions, worker

from equipoise.samplers import (
    BalancedBatchSampler,
    ClassBalancedSampler,
)


def test_two_gloo_ranks(tmp_path, monkeypatch):
    # spawned children import the worker's module (common.distributed_worker) by name with the
    # parent's sys.path: put the 'tests' folder on it
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent))
    mp.spawn(worker, args=(str(tmp_path / "store"), str(tmp_path)), nprocs=WORLD, join=True)
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(WORLD)]
    assert [r["rank"] for r in results] == [0, 1]
    assert all(r["replicas"] == WORLD for r in results)
    # equal lengths on every rank: ceil(1001 / 2) = 501
    assert all(r["len"] == 501 and r["all_lengths"] == [501, 501] for r in results)

    reference = ClassBalancedSampler(LABELS, q=1.0, seed=17)  # the same global law, one process
    labels = np.asarray(LABELS)
    for epoch in (0, 1):
        shards = [r[f"epoch{epoch}"] for r in results]
        glob = reference.sample_indices(epoch).tolist()
        padded = glob + glob[: 2 * 501 - len(glob)]
        # disjoint strided shards whose union (interleaved) is the global draw
        assert shards[0] == padded[0::2] and shards[1] == padded[1::2]
        props = np.bincount(labels[shards[0] + shards[1]], minlength=3) / 1002
        assert np.all(np.abs(props - 1 / 3) < 6 * np.sqrt(2 / 9 / 1002))  # class-balanced
    for r in results:
        assert r["epoch0"] != r["epoch1"]  # set_epoch reshuffles
        assert r["epoch0"] == r["epoch0_again"]  # same epoch, same order
        assert r["after_extra_pass"] == r["epoch0"]  # iterating does not move a distributed sampler
        assert "without a seed" in r["no_seed"] and "2 processes" in r["no_seed"]

    # metrics: one all_reduce of the confusion counts gives the whole set's numbers on every rank
    from sklearn.metrics import balanced_accuracy_score, recall_score

    y_true, y_pred = predictions()
    recall = recall_score(y_true, y_pred, average=None)
    for r in results:
        assert r["metrics"][0] == pytest.approx(balanced_accuracy_score(y_true, y_pred), abs=1e-12)
        np.testing.assert_allclose(r["metrics"][1], recall, atol=1e-12)
        assert r["metrics"][2] == pytest.approx(
            {"many": recall[0], "medium": recall[1], "few": recall[2]}
        )

    # P x K batches: each rank every other batch of one global draw, every class in every batch
    n_local = 1001 // (9 * WORLD)
    assert [r["batch_rank"] for r in results] == [[WORLD, 0, n_local], [WORLD, 1, n_local]]
    whole = BalancedBatchSampler(LABELS, batch_size=9, num_batches=n_local * WORLD, seed=5)
    whole.set_epoch(2)
    whole = list(whole)
    assert results[0]["batches"] == whole[0::2] and results[1]["batches"] == whole[1::2]
    assert all(
        sorted(np.bincount(labels[b], minlength=3)) == [3, 3, 3]
        for r in results
        for b in r["batches"]
    )
