"""Benchmark: compare's trimmed training loop against the plain loop, same process, interleaved.

One run's network training on the tutorial dataset's first split (800 training rows after the
test fold, 20 features, the default MLP, batch 100, early stopping as in compare), for a few
recipes. The plain loop is ``tests/compare/test_training_exact.py``'s reference
(``torch.optim.AdamW(fused=True)``, ``zero_grad``, ``model(x)``, loss value checks on), which the
test shows gives bit-for-bit the same logits; the ratio is of medians over interleaved repeats.

    python benchmarks/training_overhead.py [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from compare.test_training_exact import _reference_train  # noqa: E402  (tests/compare, a namespace package)

from equipoise.compare import TrainSettings, get_recipe  # noqa: E402
from equipoise.compare.steps import FitRequest  # noqa: E402
from equipoise.compare.training import RunEnv, train_network  # noqa: E402
from equipoise.datasets import load_example  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--recipes", default="baseline,focal,balanced-sampler,ldam-drw")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y = load_example()
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    test = np.arange(len(y)) % 5 == 0
    val = np.arange(len(y)) % 5 == 1
    fit = ~test & ~val
    env = RunEnv(TrainSettings())
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), 1-min load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores; median of {args.repeats} interleaved repeats\n"
    )
    print("| recipe | epochs run | plain loop (s) | compare's loop (s) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name in args.recipes.split(","):
        plan = get_recipe(name).plan()
        X_fit, y_fit = plan.resample.apply(X[fit], y[fit].astype(np.int64), seed=0)
        request = FitRequest(
            X=X_fit,
            y=y_fit,
            n_fit=int(fit.sum()),
            n_classes=2,
            batch_size=env.settings.batch_for(int(fit.sum())),
            seed=0,
            X_val=X[val],
            y_val=y[val].astype(np.int64),
        )
        plain, ours = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            _, _, _, _, epochs = _reference_train(plan, request, env)
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            fitted = train_network(plan, request, env)
            ours.append(time.perf_counter() - start)
            assert fitted.epochs_run == epochs
        a, b = statistics.median(plain), statistics.median(ours)
        print(f"| {name} | {epochs} | {a:.3f} | {b:.3f} | {b / a:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
