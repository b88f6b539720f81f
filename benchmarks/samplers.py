"""Benchmark: equipoise samplers vs torch's WeightedRandomSampler, and ResampledDataset memory.

Prints two markdown tables (pasted into docs/benchmarks.md):

1. Epoch throughput (indices per second, median of ``--repeats`` epochs) of
   ``ClassBalancedSampler`` and ``BalancedBatchSampler`` against ``WeightedRandomSampler`` with
   class-balanced weights (and ``BatchSampler`` over it), at 100k, 1M and 20M labels.
   ``WeightedRandomSampler`` cannot run above 2**24 rows (``torch.multinomial``'s limit).
2. Memory of ``ResampledDataset(..., 'smote')`` (its extra arrays, and the tracemalloc peak while
   it is built) against materialising imbalanced-learn's ``SMOTE().fit_resample`` at 1:20.

Run: ``python benchmarks/samplers.py`` (about 2 minutes on 2 busy CPU cores).
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterable

import numpy as np
import torch
from torch.utils.data import BatchSampler, WeightedRandomSampler

from equipoise.online import ResampledDataset
from equipoise.samplers import BalancedBatchSampler, ClassBalancedSampler

BATCH = 256


def long_tailed_labels(
    n: int, n_classes: int = 10, ratio: float = 100.0, seed: int = 0
) -> torch.Tensor:
    """Labels with class sizes decaying geometrically from the head to ``head / ratio``."""
    sizes = ratio ** (-np.arange(n_classes) / (n_classes - 1))
    p = sizes / sizes.sum()
    return torch.from_numpy(np.random.default_rng(seed).choice(n_classes, size=n, p=p))


def measure(build: Callable[[], Iterable], repeats: int) -> tuple[float, float]:
    """``(setup seconds, median epoch seconds)``: build the sampler, then iterate it fully."""
    start = time.perf_counter()
    sampler = build()
    setup = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in sampler:
            pass
        times.append(time.perf_counter() - start)
    return setup, statistics.median(times)


def throughput_table(sizes: list[int], repeats: int) -> str:
    batch = BATCH - BATCH % 10  # a multiple of the 10 classes
    rows = [
        "| labels | sampler | setup (s) | epoch (s) | indices/s | time vs WeightedRandomSampler |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n in sizes:
        labels = long_tailed_labels(n)
        weights = (1.0 / torch.bincount(labels).double())[labels]

        def wrs(weights: torch.Tensor = weights, n: int = n) -> WeightedRandomSampler:
            return WeightedRandomSampler(weights, n, generator=torch.Generator().manual_seed(0))

        builders: dict[str, Callable[[], Iterable]] = {
            "WeightedRandomSampler": wrs,
            f"BatchSampler(WeightedRandomSampler, {batch})": lambda wrs=wrs: BatchSampler(
                wrs(), batch, False
            ),
            "ClassBalancedSampler(q=1)": lambda labels=labels: ClassBalancedSampler(
                labels, q=1.0, seed=0
            ),
            f"BalancedBatchSampler({batch})": lambda labels=labels: BalancedBatchSampler(
                labels, batch, seed=0
            ),
        }
        results: dict[str, tuple[float, float] | str] = {}
        for name, build in builders.items():
            try:
                results[name] = measure(build, repeats)
            except RuntimeError as exc:
                results[name] = "n/a: " + str(exc).split("\n")[0]
        del weights
        reference = {
            "ClassBalancedSampler(q=1)": "WeightedRandomSampler",
            f"BalancedBatchSampler({batch})": f"BatchSampler(WeightedRandomSampler, {batch})",
        }
        for name, value in results.items():
            if isinstance(value, str):
                rows.append(f"| {n:,} | {name} | - | - | {value} | - |")
                continue
            setup, seconds = value
            ref = results.get(reference.get(name, ""))
            ratio = (
                f"{seconds / ref[1]:.2f}x"
                if isinstance(ref, tuple)
                else ("n/a" if name in reference else "1 (reference)")
            )
            rows.append(
                f"| {n:,} | {name} | {setup:.2f} | {seconds:.2f} | {n / seconds:,.0f} | {ratio} |"
            )
        print(f"  done n={n:,}", flush=True)
    return "\n".join(rows)


def memory_table(n_major: int, n_features: int) -> str:
    from imblearn.over_sampling import SMOTE

    n_minor = n_major // 20
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_major + n_minor, n_features)).astype(np.float32)
    X[n_major:] += 1.5
    y = np.repeat([0, 1], [n_major, n_minor])

    tracemalloc.start()
    ds = ResampledDataset((X, y), "smote", k_neighbors=5, seed=0)
    ds.set_epoch(1)
    _, lazy_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    lazy = ds.extra_nbytes()

    tracemalloc.start()
    X_res, y_res = SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)
    _, smote_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    materialised = X_res.nbytes + y_res.nbytes
    assert len(ds) == len(y_res)

    mib = 2**20
    return "\n".join(
        [
            f"1:20 imbalance, {n_major:,} + {n_minor:,} rows, {n_features} float32 features; "
            f"{len(y_res):,} rows after SMOTE ('auto').",
            "",
            "| | held after resampling (MiB) | peak while resampling (MiB, tracemalloc) |",
            "|---|---:|---:|",
            f"| imblearn SMOTE().fit_resample (X_res, y_res) | {materialised / mib:.2f} | {smote_peak / mib:.2f} |",
            f"| equipoise ResampledDataset (plan + neighbour table + class rows) | {lazy / mib:.2f} | {lazy_peak / mib:.2f} |",
            f"| ratio (ResampledDataset / SMOTE) | {lazy / materialised:.3f} | {lazy_peak / smote_peak:.3f} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 20_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--memory-rows", type=int, default=200_000, help="majority rows for the memory test"
    )
    parser.add_argument("--features", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    table = throughput_table(args.sizes, args.repeats)
    memory = memory_table(args.memory_rows, args.features)
    print()
    print(table)
    print()
    print(memory)


if __name__ == "__main__":
    main()
