"""Time equipoise's resamplers against imbalanced-learn's on the same data, in the same run.

Each measurement runs in a fresh subprocess, so its peak resident memory (``ru_maxrss``) is its
own; the data is generated inside that process with a fixed seed (identical for both libraries).
"Extra peak MiB" is the growth of the peak over the process's state just before resampling
(data generated, library imported -- torch too, for equipoise, since every equipoise session
loads it): the memory the resampler itself needed, output included.
Times are the median of ``--repeats`` rounds, each round one fresh process per library, the two
libraries alternating (so a change in the machine's load hits both); the ratio is
imbalanced-learn time / equipoise time (> 1 means equipoise is faster).

The ``scale`` section (``--section scale``) times the cleaning samplers at 100,000 rows, and
every sampler added for imbalanced-learn parity at 10,000 rows, differently: both libraries
run in *one* subprocess on the same data, their calls interleaved (ours, theirs, theirs, ours,
...), so a change in the machine's load hits both alike; it reports the median of each and their
ratio, plus the rows each kept (and, for the deterministic samplers, whether they kept the same
rows).

Usage::

    python benchmarks/resampling.py                     # the full table, then the scale section
    python benchmarks/resampling.py --plan neighbours   # the neighbour-bound table in docs/benchmarks.md
    python benchmarks/resampling.py --plan neighbours-large  # its cells of 100,000+ rows only
    python benchmarks/resampling.py --plan neighbours-rest   # its other cells
    python benchmarks/resampling.py --section speed     # fresh-process timings and memory only
    python benchmarks/resampling.py --section scale     # interleaved timings at scale only
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
    "smoten": "imblearn.over_sampling.SMOTEN",
    "svm-smote": "imblearn.over_sampling.SVMSMOTE",
    "kmeans-smote": "imblearn.over_sampling.KMeansSMOTE",
    "cluster-centroids": "imblearn.under_sampling.ClusterCentroids",
    "condensed-nearest-neighbour": "imblearn.under_sampling.CondensedNearestNeighbour",
    "one-sided-selection": "imblearn.under_sampling.OneSidedSelection",
    "neighbourhood-cleaning-rule": "imblearn.under_sampling.NeighbourhoodCleaningRule",
    "repeated-edited-nearest-neighbours": "imblearn.under_sampling.RepeatedEditedNearestNeighbours",
    "all-knn": "imblearn.under_sampling.AllKNN",
    "instance-hardness-threshold": "imblearn.under_sampling.InstanceHardnessThreshold",
}

DETERMINISTIC = {
    "tomek-links",
    "edited-nearest-neighbours",
    "near-miss",
    "neighbourhood-cleaning-rule",
    "repeated-edited-nearest-neighbours",
    "all-knn",
}
"""Samplers without randomness: both libraries must keep the same rows (checked in the scale table)."""

SCALE_PLAN = [
    # (sampler names, n_rows, n_features[, calls per library]); the default number of calls is
    # --scale-repeats. Cells of a few seconds get more calls: on a shared machine they vary most.
    (
        [
            "tomek-links",
            "edited-nearest-neighbours",
            "neighbourhood-cleaning-rule",
            "one-sided-selection",
        ],
        100_000,
        20,
    ),
    # CNN: imbalanced-learn refits its classifier and predicts every row of the class after each
    # row it adds, O(added x n x |C|); on this data it adds about 15% of the majority class,
    # so 100k rows would take it days; at 3,000 rows one call takes minutes. equipoise alone is
    # timed at 100k too.
    (["condensed-nearest-neighbour"], 3_000, 20),
    (
        [
            "smoten",
            "svm-smote",
            "kmeans-smote",
            "cluster-centroids",
            "one-sided-selection",
            "neighbourhood-cleaning-rule",
            "repeated-edited-nearest-neighbours",
            "all-knn",
        ],
        10_000,
        20,
        7,
    ),
    (["instance-hardness-threshold"], 10_000, 20),
]

BENCH_PARAMS = {
    # Both libraries' default 'auto' threshold asks for clusters that are half minority; the 5%
    # minority here has none, and both raise. A 3% share lets the clusters qualify.
    "kmeans-smote": {"cluster_balance_threshold": 0.03},
}
"""Parameters given to both libraries for a sampler (the defaults otherwise)."""
SCALE_ALONE = [(["condensed-nearest-neighbour"], 100_000, 20)]
"""Cells only equipoise runs (imbalanced-learn would not finish); no ratio."""

QUICK_SCALE_PLAN = [
    (["tomek-links", "neighbourhood-cleaning-rule", "one-sided-selection"], 5_000, 20),
    (["condensed-nearest-neighbour", "smoten"], 2_000, 20),
]
QUICK_SCALE_ALONE: list = []

FULL_PLAN = [
    # (sampler names, n_rows, n_features)
    (["random-over", "random-under", "smote"], 10_000, 20),
    (["random-over", "random-under", "smote"], 100_000, 20),
    (["random-over", "random-under", "smote"], 1_000_000, 20),
    (
        [
            "borderline-smote",
            "adasyn",
            "tomek-links",
            "edited-nearest-neighbours",
            "near-miss",
            "smote-tomek",
            "smote-enn",
        ],
        10_000,
        20,
    ),
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
    (
        [
            "smote",
            "borderline-smote",
            "adasyn",
            "tomek-links",
            "edited-nearest-neighbours",
            "near-miss",
            "smote-tomek",
            "smote-enn",
        ],
        10_000,
        20,
    ),
    (["smote"], 200_000, 20),
    (["smote"], 50_000, 512),
    (["edited-nearest-neighbours"], 10_000, 512),
    (
        [
            "borderline-smote",
            "near-miss",
            "tomek-links",
            "edited-nearest-neighbours",
            "smote-tomek",
        ],
        100_000,
        20,
    ),
    (["smote-enn"], 123_000, 20),
    (["smote"], 1_000_000, 20),
]
# The same cells in two parts, to run on a shared machine in separate sessions: the searches of
# 100,000+ rows (imbalanced-learn takes minutes per call) and the rest.
NEIGHBOUR_LARGE = [
    (["tomek-links", "edited-nearest-neighbours", "smote-tomek"], 100_000, 20),
    (["smote-enn"], 123_000, 20),
]
NEIGHBOUR_REST = [
    (
        [
            "smote",
            "borderline-smote",
            "adasyn",
            "tomek-links",
            "edited-nearest-neighbours",
            "near-miss",
            "smote-tomek",
            "smote-enn",
        ],
        10_000,
        20,
    ),
    (["smote"], 200_000, 20),
    (["smote"], 50_000, 512),
    (["edited-nearest-neighbours"], 10_000, 512),
    (["borderline-smote", "near-miss"], 100_000, 20),
    (["smote"], 1_000_000, 20),
]
PLANS = {
    "full": FULL_PLAN,
    "quick": QUICK_PLAN,
    "neighbours": NEIGHBOUR_PLAN,
    "neighbours-small": NEIGHBOUR_PLAN[:3],
    "neighbours-large": NEIGHBOUR_LARGE,
    "neighbours-rest": NEIGHBOUR_REST,
}
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


def _data_for(name: str, X):
    """SMOTEN works on categories: the same data, each feature cut into 5 bins."""
    import numpy as np

    if name != "smoten":
        return X
    return np.digitize(X, np.quantile(X, [0.2, 0.4, 0.6, 0.8], axis=0).mean(axis=1)).astype(
        np.int64
    )


def _build(lib: str, name: str):
    import importlib

    if lib == "equipoise":
        from equipoise.resample import make_resampler

        sampler = make_resampler(name)
    else:
        module, cls = PAIRS[name].rsplit(".", 1)
        sampler = getattr(importlib.import_module(module), cls)()
    sampler.set_params(**BENCH_PARAMS.get(name, {}))
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
    print(
        json.dumps({"seconds": statistics.median(times), "peak_mib": peak_mib, "rows_out": n_out})
    )


def _child_interleaved(libs: str, name: str, n_rows: int, n_features: int, repeats: int) -> None:
    """Runs inside the subprocess: interleave the libraries' calls on one data set; one JSON line."""
    import numpy as np

    X, y = _make_data(n_rows, n_features)
    X = _data_for(name, X)
    order = libs.split(",")
    for lib in order:  # imports and one-off initialisation outside the timings
        _build(lib, name)
    if "equipoise" in order:
        import torch

        torch.zeros(1)
    times = {lib: [] for lib in order}
    kept = {}
    for repeat in range(repeats):
        for lib in order if repeat % 2 == 0 else order[::-1]:
            sampler = _build(lib, name)
            start = time.perf_counter()
            X_res, y_res = sampler.fit_resample(X, y)
            times[lib].append(time.perf_counter() - start)
            kept[lib] = (len(y_res), getattr(sampler, "sample_indices_", None))
            del X_res, y_res
    out = {
        lib: {"seconds": statistics.median(t), "rows_out": kept[lib][0]} for lib, t in times.items()
    }
    if len(order) == 2 and name in DETERMINISTIC:
        a, b = (kept[lib][1] for lib in order)
        out["same_rows"] = bool(
            a is not None
            and b is not None
            and set(np.asarray(a).tolist()) == set(np.asarray(b).tolist())
        )
    print(json.dumps(out))


def _measure_interleaved(
    libs: str, name: str, n_rows: int, n_features: int, repeats: int, timeout: float
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child-interleaved",
        libs,
        name,
        str(n_rows),
        str(n_features),
        str(repeats),
    ]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, check=True
        )
    except subprocess.TimeoutExpired:
        return {"note": f">{timeout:.0f}s"}
    except subprocess.CalledProcessError as exc:
        return {"note": exc.stderr.strip().splitlines()[-1][:80]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scale_section(quick: bool, repeats: int, timeout: float, only: set[str] | None) -> None:
    plan, alone = (QUICK_SCALE_PLAN, QUICK_SCALE_ALONE) if quick else (SCALE_PLAN, SCALE_ALONE)
    print(
        "\nInterleaved in one process, median of the calls per library; ratio = imblearn / equipoise\n"
    )
    print(
        "| sampler | rows | d | calls | equipoise s | imblearn s | ratio (imblearn / equipoise) | rows kept (equipoise / imblearn) | same rows |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for libs, cells in (("equipoise,imblearn", plan), ("equipoise", alone)):
        for cell in cells:
            names, n_rows, n_features = cell[:3]
            calls = cell[3] if len(cell) > 3 else repeats
            for name in names:
                if only and f"{name}@{n_rows}" not in only and name not in only:
                    continue
                res = _measure_interleaved(libs, name, n_rows, n_features, calls, timeout)
                head = f"| {name} | {n_rows:,} | {n_features} | {calls} |"
                if "note" in res:
                    print(f"{head} - | - | - | {res['note']} | - |", flush=True)
                    continue
                ours = res["equipoise"]
                if libs == "equipoise":
                    print(
                        f"{head} {ours['seconds']:.3f} | not run | - | {ours['rows_out']:,} / - | - |",
                        flush=True,
                    )
                    continue
                ref = res["imblearn"]
                same = {True: "yes", False: "no"}.get(res.get("same_rows"), "random")
                print(
                    f"{head} {ours['seconds']:.3f} | {ref['seconds']:.3f} | {ref['seconds'] / ours['seconds']:.2f} | "
                    f"{ours['rows_out']:,} / {ref['rows_out']:,} | {same} |",
                    flush=True,
                )


def _measure(
    lib: str, name: str, n_rows: int, n_features: int, repeats: int, timeout: float
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        lib,
        name,
        str(n_rows),
        str(n_features),
        str(repeats),
    ]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, check=True
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "note": f">{timeout:.0f}s"}
    except subprocess.CalledProcessError as exc:
        return {
            "seconds": float("nan"),
            "peak_mib": float("nan"),
            "note": exc.stderr.strip().splitlines()[-1][:60],
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(results: list[dict]) -> dict:
    """The median time (and the largest peak) of a cell's runs; a failed run's note wins."""
    failed = [r for r in results if "note" in r]
    if failed:
        return failed[0]
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mib": max(r["peak_mib"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--plan", choices=sorted(PLANS), default=None, help="which cells (default: full)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per measurement")
    parser.add_argument("--section", choices=("all", "speed", "scale"), default="all")
    parser.add_argument(
        "--scale-repeats", type=int, default=3, help="interleaved calls per library (scale section)"
    )
    parser.add_argument(
        "--scale-timeout",
        type=float,
        default=4 * 3600.0,
        help="seconds per scale cell (both libraries)",
    )
    parser.add_argument(
        "--only", default=None, help="scale section: comma-separated NAME or NAME@ROWS cells to run"
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--child-interleaved", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        lib, name, n_rows, n_features, repeats = args.child
        _child(lib, name, int(n_rows), int(n_features), int(repeats))
        return
    if args.child_interleaved:
        libs, name, n_rows, n_features, repeats = args.child_interleaved
        _child_interleaved(libs, name, int(n_rows), int(n_features), int(repeats))
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
        f"float32 data, {MINORITY_SHARE:.0%} minority"
        + (
            ""
            if args.section == "scale"
            else (
                f"; median of {args.repeats} interleaved runs per cell "
                f"(1 where imbalanced-learn takes over {SLOW_SECONDS:.0f} s)"
            )
        )
        + f"; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
        f"load average at start {os.getloadavg()[0]:.1f}\n"
    )
    only = set(args.only.split(",")) if args.only else None
    if args.section == "scale":
        _scale_section(args.quick, args.scale_repeats, args.scale_timeout, only)
        print(f"\nload average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        return
    print(
        "| sampler | rows | d | equipoise s | imblearn s | ratio (imblearn / equipoise) | equipoise extra peak MiB | imblearn extra peak MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for names, n_rows, n_features in plan:
        for name in names:
            repeats = args.repeats if n_rows * n_features <= 2_000_000 * 20 else 1
            # Interleaved: one run of each library per round, each in its own process.
            rounds = []
            for _ in range(repeats):
                rounds.append(
                    (
                        _measure("equipoise", name, n_rows, n_features, 1, args.timeout),
                        _measure("imblearn", name, n_rows, n_features, 1, args.timeout),
                    )
                )
                if (
                    not rounds[0][1]["seconds"] <= SLOW_SECONDS
                ):  # slow, or timed out (NaN): one round
                    break
            ours, ref = (_median([r[i] for r in rounds]) for i in (0, 1))
            ratio = (
                ref["seconds"] / ours["seconds"]
                if ours["seconds"] == ours["seconds"]
                else float("nan")
            )

            def cell(result: dict, key: str, fmt: str) -> str:
                return result.get("note") or format(result[key], fmt)

            print(
                f"| {name} | {n_rows:,} | {n_features} | {cell(ours, 'seconds', '.3f')} | "
                f"{cell(ref, 'seconds', '.3f')} | {ratio:.2f} | {cell(ours, 'peak_mib', '.0f')} | "
                f"{cell(ref, 'peak_mib', '.0f')} |",
                flush=True,
            )
    if args.section == "all":
        _scale_section(args.quick, args.scale_repeats, args.scale_timeout, only)
    print(f"\nload average at the end: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
