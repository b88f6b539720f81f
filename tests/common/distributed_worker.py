"""The rank side of tests/test_samplers_distributed.py: what each spawned gloo process runs.

It lives here, imported as ``common.distributed_worker`` (``tests`` is on pytest's path), because
a spawned child imports the worker's module by name: ``tests.test_samplers_distributed`` would
resolve to any regular ``tests`` package in site-packages first (iterative-stratification 0.1.9
ships one), since the repository's ``tests`` folder is a namespace package.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from equipoise.exceptions import InvalidParameterError
from equipoise.samplers import (
    ClassBalancedSampler,
    DistributedBalancedBatchSampler,
    DistributedClassBalancedSampler,
)
from equipoise.training_metrics import BalancedAccuracy, ManyMediumFewAccuracy, PerClassRecall

WORLD = 2
LABELS = [0] * 700 + [1] * 250 + [2] * 51  # 1001 rows: odd, so the last shard slot is padded


def worker(rank: int, store: str, out_dir: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=WORLD)
    try:
        sampler = DistributedClassBalancedSampler(
            LABELS, q=1.0, seed=17
        )  # world and rank from the group
        result = {"rank": sampler.rank, "replicas": sampler.num_replicas, "len": len(sampler)}
        for epoch in (0, 1):
            sampler.set_epoch(epoch)
            result[f"epoch{epoch}"] = list(sampler)
        sampler.set_epoch(0)
        result["epoch0_again"] = list(sampler)
        if rank == 0:
            list(sampler)  # an extra pass on one rank only: the epoch must not move
        result["after_extra_pass"] = list(sampler)
        batches = DistributedBalancedBatchSampler(
            LABELS, batch_size=9, seed=5
        )  # world and rank from the group
        result["batch_rank"] = [batches.num_replicas, batches.rank, len(batches)]
        batches.set_epoch(2)
        result["batches"] = list(batches)
        try:
            ClassBalancedSampler(LABELS)  # no seed: the ranks would disagree
            result["no_seed"] = "accepted"
        except InvalidParameterError as exc:
            result["no_seed"] = str(exc)
        # metrics: each rank sees its own (unequal) shard of the predictions
        y_true, y_pred = predictions()
        mine = slice(0, 700) if rank == 0 else slice(700, None)
        metrics = [BalancedAccuracy(3), PerClassRecall(3), ManyMediumFewAccuracy([900, 60, 10])]
        for m in metrics:
            m.update(torch.as_tensor(y_pred[mine]), torch.as_tensor(y_true[mine]))
        result["metrics"] = [
            metrics[0].compute().item(),
            metrics[1].compute().tolist(),
            {k: v.item() for k, v in metrics[2].compute().items()},
        ]
        lengths = [None] * WORLD
        dist.all_gather_object(lengths, len(result["epoch0"]))
        result["all_lengths"] = lengths
        Path(out_dir, f"rank{rank}.json").write_text(json.dumps(result))
    finally:
        dist.destroy_process_group()


def predictions():
    rng = np.random.default_rng(3)
    y_true = np.asarray(LABELS)
    y_pred = np.where(rng.random(len(y_true)) < 0.7, y_true, rng.integers(0, 3, len(y_true)))
    return y_true, y_pred
