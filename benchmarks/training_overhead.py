"""Benchmark: training a recipe's networks as compare does (stacked, the runs of a group at once)
against the plain loop one run after another, same process, interleaved.

The runs are one recipe's folds and seeds on the tutorial dataset (5 folds x 3 seeds = 15 runs:
each fold's 800 training rows, 20 features, the default MLP, batch 100), each trained a fixed
number of epochs so every mode does exactly the same optimiser steps:

- ``plain``: the textbook loop (``nn.Module`` calls, ``torch.optim.AdamW(fused=True)``,
  ``zero_grad``, loss value checks on), one run after another;
- ``alone``: compare's engine, one run at a time (a group of one);
- ``grouped``: compare's engine, the 15 runs as one group (what a worker of ``compare`` does);
  ``tests/compare/test_stacked.py`` shows each run gets bit-for-bit its ``alone`` result.

Prints the median seconds per run over interleaved repeats and the ratios to ``plain``.

    python benchmarks/training_overhead.py [--repeats 3] [--epochs 20] [--recipes baseline,focal]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch

from equipoise.compare import TrainSettings, get_recipe
from equipoise.compare.steps import FitRequest
from equipoise.compare.training import RunEnv, make_model, steps_per_epoch, train_networks
from equipoise.datasets import load_example


def plain_loop(plan, request: FitRequest, env: RunEnv) -> None:
    """The textbook loop: the same budget of steps, nn.Module calls, torch.optim.AdamW."""
    counts = np.maximum(np.bincount(request.y, minlength=request.n_classes), 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(request.seed)
        model = plan.head.apply(make_model(None, tuple(request.X.shape[1:]), request.n_classes))
        loss_fn = plan.loss.build(counts)
        schedule = plan.schedule.begin(loss_fn, counts, env.settings.max_epochs)
        opt = torch.optim.AdamW(
            model.parameters(),
            lr=env.settings.lr,
            weight_decay=env.settings.weight_decay,
            fused=True,
        )
        xt, yt = torch.as_tensor(request.X), torch.as_tensor(request.y)
        stream = plan.batches.stream(request.y, request.batch_size, seed=request.seed)
        model.train()
        for epoch in range(int(request.epochs or 1)):
            schedule.on_epoch(epoch)
            for _ in range(steps_per_epoch(request.n_fit, request.batch_size)):
                idx = torch.as_tensor(next(stream))
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xt[idx]), yt[idx]).backward()
                opt.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--recipes", default="baseline,focal,balanced-sampler,ldam-drw")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread per worker, as compare's default jobs=2 runs
    X, y = load_example()
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    y = np.asarray(y).astype(np.int64)
    env = RunEnv(TrainSettings(max_epochs=args.epochs))
    print(
        f"torch {torch.__version__}, 1 thread, 1-min load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores; {args.folds} folds x {args.seeds} seeds = "
        f"{args.folds * args.seeds} runs of {args.epochs} epochs each; seconds per run, median of "
        f"{args.repeats} interleaved repeats\n"
    )
    print(
        "| recipe | steps per run | plain loop | compare, alone | compare, grouped | alone / plain | grouped / plain |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.recipes.split(","):
        items = []
        for seed in range(args.seeds):
            for fold in range(args.folds):
                test = np.random.default_rng(seed).permutation(len(y)) % args.folds == fold
                fit = ~test
                plan = get_recipe(name).plan()
                X_fit, y_fit = plan.resample.apply(X[fit], y[fit], seed=seed)
                batch = env.settings.batch_for(int(fit.sum()))
                items.append(
                    (
                        plan,
                        FitRequest(
                            X=X_fit,
                            y=y_fit,
                            n_fit=int(fit.sum()),
                            n_classes=2,
                            batch_size=batch,
                            seed=100 * seed + fold,
                            epochs=args.epochs,
                        ),
                    )
                )
        steps = args.epochs * steps_per_epoch(items[0][1].n_fit, items[0][1].batch_size)
        times: dict[str, list[float]] = {"plain": [], "alone": [], "grouped": []}
        for _ in range(args.repeats):
            start = time.perf_counter()
            for plan, request in items:
                plain_loop(plan, request, env)
            times["plain"].append((time.perf_counter() - start) / len(items))
            start = time.perf_counter()
            for item in items:
                train_networks([item], env)
            times["alone"].append((time.perf_counter() - start) / len(items))
            start = time.perf_counter()
            train_networks(items, env)
            times["grouped"].append((time.perf_counter() - start) / len(items))
        p, a, g = (statistics.median(times[k]) for k in ("plain", "alone", "grouped"))
        print(
            f"| {name} | {steps} | {p:.3f} | {a:.3f} | {g:.3f} | {a / p:.2f}x | {g / p:.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
