"""Time the quick-start comparison: the tutorial dataset, every shipped recipe and the reference
models, 5 folds x 3 seeds (the defaults of ``equipoise compare``).

Prints the Markdown for the "Quick-start comparison" section of docs/benchmarks.md:
wall-clock total, CPU count, and the mean fit_seconds and balanced accuracy per recipe.

    .venv/bin/python benchmarks/quickstart.py [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from equipoise.compare import compare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        cpu = time.process_time()
        result = compare(out=out, jobs=args.jobs, progress=False)
        wall = time.perf_counter() - start
        main_cpu = time.process_time() - cpu
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    per = result.results.groupby("recipe", sort=False)[["fit_seconds", "balanced_accuracy"]].mean()
    print(f"wall-clock: {wall:.1f} s with jobs={args.jobs} on {os.cpu_count()} cores "
          f"(1-min load average at the end: {load:.1f}; main-process CPU {main_cpu:.1f} s)")
    print(f"runs: {len(result.results)}; sum of fit_seconds: {result.results['fit_seconds'].sum():.1f} s\n")
    print("| recipe | mean fit_seconds | balanced accuracy |")
    print("|---|---:|---:|")
    for name, row in per.iterrows():
        print(f"| {name} | {row['fit_seconds']:.2f} | {row['balanced_accuracy']:.3f} |")
    print()
    print(result.recommendation)


if __name__ == "__main__":
    main()
