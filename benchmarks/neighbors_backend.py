"""Where the k-d tree beats the blocked engine: the measurements behind ``choose_method``.

For each (n, d, k), the same exact search runs with ``method='sklearn'`` (scikit-learn's k-d
tree) and ``method='torch'`` (the blocked matrix-product engine), interleaved, on Gaussian data
(the usual worst case for trees; real data of low intrinsic dimension favours the tree more).
Self-queries of every row for n <= 100,000; for n = 1,000,000 the rows of a random sample of
20,000 queries (``query_indices``), which measures the per-row cost of the all-points search
(without the symmetric halving the blocked engine gets on a full self-query, so it is
conservative for the blocked engine). Prints one markdown table; the ratio is
tree time / blocked time (> 1: the blocked engine is faster).

Usage::

    python benchmarks/neighbors_backend.py            # the table in docs/benchmarks.md
    python benchmarks/neighbors_backend.py --quick    # n = 1,000 and 10,000 only
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

SIZES = {
    1_000: [2, 3, 4, 6, 8],
    10_000: [2, 4, 5, 6, 8, 12],
    100_000: [4, 6, 7, 8, 10],
    1_000_000: [4, 6, 8, 10],
}


def _time(X: np.ndarray, k: int, rows: np.ndarray | None, method: str, repeats: int) -> float:
    from equipoise.neighbors import kneighbors

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        kneighbors(X, k, query_indices=rows, method=method)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--k", type=int, nargs="+", default=[5])
    args = parser.parse_args()

    from equipoise.neighbors import choose_method

    print(
        f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}; float32 Gaussian data\n"
    )
    print("| n | d | k | queries | k-d tree s | blocked s | tree / blocked | auto picks |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for n, dims in SIZES.items():
        if args.quick and n > 10_000:
            break
        for d in dims:
            for k in args.k:
                X = np.random.default_rng(d).standard_normal((n, d), dtype=np.float32)
                rows = (
                    None
                    if n <= 100_000
                    else np.random.default_rng(1).choice(n, 20_000, replace=False)
                )
                repeats = 3 if n <= 10_000 else 1
                tree = _time(X, k, rows, "sklearn", repeats)
                blocked = _time(X, k, rows, "torch", repeats)
                queries = n if rows is None else len(rows)
                print(
                    f"| {n:,} | {d} | {k} | {queries:,} | {tree:.3f} | {blocked:.3f} | {tree / blocked:.2f} | "
                    f"{choose_method(n, d, k)} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
