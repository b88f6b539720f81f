"""Time equipoise's resamplers against imbalanced-learn's on the same data, in the same run.

Each measurement runs in a fresh subprocess, so its peak resident memory (``ru_maxrss``) is its
own; the data is generated inside that process with a fixed seed (identical for both libraries).
"Extra peak MiB" is the growth of the peak over the process's state just before resampling
(data generated, library imported -- torch too, for equipoise, since every equipoise session
loads it): the memory the resampler itself needed, output included.
Times are the median of ``--repeats`` rounds, each round one fresh process per library, the two
libraries alternating (so a change in the machine's load hits both); the ratio is
imbalanced-learn time / equipoise time (> 1 means equipoise is faster).

Usage::

    python benchmarks/resampling.py                     # the full table
    python benchmarks/resampling.py --plan neighbours   # the neighbour-bound table in docs/benchmarks.md
    python benchmarks/resampling.py --quick             # a smaller smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# (our registry name, imbalanced-learn class path)
PAIRS = {
    "random-over": "imblearn.over_sampling.RandomOverSampler",
    "random-under": "imblearn.under_sampling.RandomUnderSampler",
    "smote": "imblearn.over_sampling.SMOTE",
    "borderline-smote": "imblearn.over_sampling.BorderlineSMOTE",
    "adasyn": "imblearn.over_sampling.ADASYN",
    "tomek-links": "imblearn.under_sampling.TomekLinks",
    "edited-nearest-neighbours": "imblearn.under_sampling.EditedNearestNeighbours",
    "near-miss": "imblearn.under_sampling.NearMiss",
    "smote-tomek": "imblearn.combine.SMOTETomek",
    "smote-enn": "imblearn.combine.SMOTEENN",
}

FULL_PLAN = [
    # (sampler names, n_rows, n_features)
    (["random-over", "random-under", "smote"], 10_000, 20),
    (["random-over", "random-under", "smote"], 100_000, 20),
    (["random-over", "random-under", "smote"], 1_000_000, 20),
    (["borderline-smote", "adasyn", "tomek-links", "edited-nearest-neighbours", "near-miss",
      "smote-tomek", "smote-enn"], 10_000, 20),
    (["random-over", "random-under", "smote"], 10_000, 512),
    (["random-over", "random-under", "smote"], 100_000, 512),
    (["borderline-smote", "adasyn", "near-miss"], 10_000, 512),
]

QUICK_PLAN = [
    (["random-over", "random-under", "smote"], 10_000, 20),
    (["smote", "tomek-links", "near-miss"], 5_000, 512),
]

# The neighbour-bound cases of issue 15 (`--plan neighbours`).
NEIGHBOUR_PLAN = [
    (["smote", "borderline-smote", "adasyn", "tomek-links", "edited-nearest-neighbours", "near-miss",
      "smote-tomek", "smote-enn"], 10_000, 20),
    (["smote"], 200_000, 20),
    (["smote"], 50_000, 512),
    (["edited-nearest-neighbours"], 10_000, 512),
    (["borderline-smote", "near-miss", "tomek-links", "edited-nearest-neighbours", "smote-tomek"], 100_000, 20),
    (["smote-enn"], 123_000, 20),
    (["smote"], 1_000_000, 20),
]
PLANS = {"full": FULL_PLAN, "quick": QUICK_PLAN, "neighbours": NEIGHBOUR_PLAN, "neighbours-small": NEIGHBOUR_PLAN[:3]}
SLOW_SECONDS = 60.0
"""A cell whose first imbalanced-learn run takes longer than this is not repeated."""

MINORITY_SHARE = 0.05


def _make_data(n_rows: int, n_features: int):
    import numpy as np

    rng = np.random.default_rng(0)
    n_min = int(n_rows * MINORITY_SHARE)
    X = rng.standard_normal((n_rows, n_features), dtype=np.float32)
    y = np.zeros(n_rows, dtype=np.int64)
    y[:n_min] = 1
    X[:n_min] += 0.5  # a shifted minority, so cleaning methods find links
    return X, y


def _build(lib: str, name: str):
    import importlib

    if lib == "equipoise":
        from equipoise.resample import make_resampler

        sampler = make_resampler(name)
    else:
        module, cls = PAIRS[name].rsplit(".", 1)
        sampler = getattr(importlib.import_module(module), cls)()
    if "random_state" in sampler.get_params():
        sampler.set_params(random_state=0)
    return sampler


def _child(lib: str, name: str, n_rows: int, n_features: int, repeats: int) -> None:
    """Runs inside the subprocess: time fit_resample and print one JSON line."""
    import resource

    X, y = _make_data(n_rows, n_features)
    _build(lib, name)  # import the library before the memory baseline
    if lib == "equipoise":
        import torch  # loaded in any equipoise session; its libraries are not the resampler's cost

        torch.zeros(1)
    baseline_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times, n_out = [], 0
    for _ in range(repeats):
        sampler = _build(lib, name)
        start = time.perf_counter()
        X_res, _ = sampler.fit_resample(X, y)
        times.append(time.perf_counter() - start)
        n_out = X_res.shape[0]
        del X_res
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - baseline_mib
    print(json.dumps({"seconds": statistics.median(times), "peak_mib": peak_mib, "rows_out": n_out}))


def _measure(lib: str, name: str, n_rows: int, n_features: int, repeats: int, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--child", lib, name, str(n_rows), str(n_features), str(repeats)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=True)
    except subprocess.TimeoutExpired:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "note": f">{timeout:.0f}s"}
    except subprocess.CalledProcessError as exc:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "note": exc.stderr.strip().splitlines()[-1][:60]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(results: list[dict]) -> dict:
    """The median time (and the largest peak) of a cell's runs; a failed run's note wins."""
    failed = [r for r in results if "note" in r]
    if failed:
        return failed[0]
    return {"seconds": statistics.median(r["seconds"] for r in results), "peak_mib": max(r["peak_mib"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--plan", choices=sorted(PLANS), default=None, help="which cells (default: full)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per measurement")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        lib, name, n_rows, n_features, repeats = args.child
        _child(lib, name, int(n_rows), int(n_features), int(repeats))
        return

    import imblearn
    import numpy as np
    import sklearn
    import torch

    import equipoise

    plan = PLANS[args.plan or ("quick" if args.quick else "full")]
    print(
        f"equipoise {equipoise.__version__}, imbalanced-learn {imblearn.__version__}, scikit-learn "
        f"{sklearn.__version__}, torch {torch.__version__}, numpy {np.__version__}; {os.cpu_count()} cores; "
        f"float32 data, {MINORITY_SHARE:.0%} minority; median of {args.repeats} interleaved runs per cell "
        f"(1 where imbalanced-learn takes over {SLOW_SECONDS:.0f} s); "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
        f"load average at start {os.getloadavg()[0]:.1f}\n"
    )
    print("| sampler | rows | d | equipoise s | imblearn s | ratio (imblearn / equipoise) | equipoise extra peak MiB | imblearn extra peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for names, n_rows, n_features in plan:
        for name in names:
            repeats = args.repeats if n_rows * n_features <= 2_000_000 * 20 else 1
            # Interleaved: one run of each library per round, each in its own process.
            rounds = []
            for _ in range(repeats):
                rounds.append((_measure("equipoise", name, n_rows, n_features, 1, args.timeout),
                               _measure("imblearn", name, n_rows, n_features, 1, args.timeout)))
                if rounds[0][1]["seconds"] > SLOW_SECONDS:
                    break
            ours, ref = (_median([r[i] for r in rounds]) for i in (0, 1))
            ratio = ref["seconds"] / ours["seconds"] if ours["seconds"] == ours["seconds"] else float("nan")

            def cell(result: dict, key: str, fmt: str) -> str:
                return result.get("note") or format(result[key], fmt)

            print(
                f"| {name} | {n_rows:,} | {n_features} | {cell(ours, 'seconds', '.3f')} | "
                f"{cell(ref, 'seconds', '.3f')} | {ratio:.2f} | {cell(ours, 'peak_mib', '.0f')} | "
                f"{cell(ref, 'peak_mib', '.0f')} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
