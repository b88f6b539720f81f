"""Our own time before and after a change, in one run: two source trees, alternating.

Each cell is one ``fit_resample`` in a fresh process (``benchmarks/resampling.py --child
equipoise NAME ROWS D 1``, the same measurement as the speed table), run under each tree's
``PYTHONPATH`` in turn, ``--repeats`` processes per tree, the trees alternating; it prints the
medians and their ratio. It separates a change's effect from the machine's: on a shared machine
imbalanced-learn's own time, the denominator of the speed table's ratios, moves between runs.

Usage::

    git worktree add /tmp/before c685f08
    python benchmarks/own_time_ab.py --before /tmp/before/src --after src
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CELLS = [
    ("borderline-smote", 100_000, 20),
    ("smote", 50_000, 512),
    ("near-miss", 100_000, 20),
    ("edited-nearest-neighbours", 10_000, 512),
    ("smote", 200_000, 20),
    ("borderline-smote", 10_000, 20),
    ("near-miss", 10_000, 20),
    ("smote", 10_000, 20),
]
"""The cells of issue 15 that are not dominated by imbalanced-learn's minutes-long runs."""

RESAMPLING = Path(__file__).with_name("resampling.py")


def _time(tree: str, name: str, n_rows: int, n_features: int) -> float:
    env = dict(os.environ, PYTHONPATH=tree, PYTHONWARNINGS="ignore")
    cmd = [sys.executable, str(RESAMPLING), "--child", "equipoise", name, str(n_rows)]
    out = subprocess.run(
        [*cmd, str(n_features), "1"], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the src folder of the tree before")
    parser.add_argument("--after", required=True, help="the src folder of the tree after")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before-name", default="c685f08")
    parser.add_argument("--after-name", default="wt-knn3")
    args = parser.parse_args()
    trees = {"before": os.path.abspath(args.before), "after": os.path.abspath(args.after)}
    print(f"load average at start {os.getloadavg()[0]:.1f}")
    print(
        f"| sampler | rows | d | before s ({args.before_name}) | after s ({args.after_name}) "
        "| after / before |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, n_rows, n_features in CELLS:
        times: dict[str, list[float]] = {tree: [] for tree in trees}
        for repeat in range(args.repeats):
            for tree in ("before", "after") if repeat % 2 == 0 else ("after", "before"):
                times[tree].append(_time(trees[tree], name, n_rows, n_features))
        before, after = (statistics.median(times[tree]) for tree in ("before", "after"))
        print(
            f"| {name} | {n_rows:,} | {n_features} | {before:.3f} | {after:.3f} | "
            f"{after / before:.2f} |",
            flush=True,
        )
    print(f"load average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
