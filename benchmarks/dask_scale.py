"""Out-of-core resampling with equipoise.dask on a 2-worker LocalCluster: time, rows/s, peak memory.

The data (``--rows`` rows, 20 float32 features, an int8 target with exactly 1% minority per
partition, the minority shifted by +0.5 in every feature) is generated *on the workers*, one
partition at a time, by ``dask.dataframe.from_map`` with a generator seeded by
``(seed, partition index)``: it is never held in memory at once and never on the driver.

Each method runs in a fresh subprocess with its own fresh ``distributed.LocalCluster`` (2 worker
processes, 1 thread each, ``memory_limit='4GiB'``), so every peak below belongs to that method only.
After a warm-up that imports ``equipoise.dask`` on the workers, the timed region is ``fit_resample`` (the class-count pass, plus SMOTE's collection of the minority
and its neighbour search) and one ``dask.compute`` of two reductions of the result:
``y_res.value_counts()`` and ``X_res.sum()`` (per-column sums). Nothing row-sized reaches the
driver. The class totals are checked against the expected ones, which the driver knows from the
generator's design (not from the sampler):

* random under-sampling: both classes equal the minority count;
* SMOTE: both classes equal the majority count.

Peak resident memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, read at the end on each
worker (``client.run``; workers are fresh spawned processes, so it is their own peak), on the
scheduler (``client.run_on_scheduler``) and in the driver. A ``LocalCluster`` runs its scheduler
inside the driver process, so those two columns are the same process (the table says so).

Usage::

    python benchmarks/dask_scale.py                 # 20M rows, 100 partitions (docs/benchmarks.md)
    python benchmarks/dask_scale.py --quick         # 2M rows: a smoke run
    python benchmarks/dask_scale.py --rows 5000000 --partitions 50 --methods under
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

N_FEATURES = 20
MINORITY_SHARE = 0.01
SHIFT = 0.5
SEED = 0
WORKER_MEMORY_LIMIT = "4GiB"
TARGET_PEAK_MIB = 2048


def _make_under() -> Any:
    from equipoise.dask import RandomUnderSampler

    return RandomUnderSampler(random_state=0)


def _make_over() -> Any:
    from equipoise.dask import RandomOverSampler

    return RandomOverSampler(random_state=0)


def _make_smote() -> Any:
    from equipoise.dask import SMOTE

    return SMOTE(random_state=0)


# method name -> (label in the table, sampler factory, which class count both classes must end at)
METHODS: dict[str, tuple[str, Callable[[], Any], str]] = {
    "under": ("RandomUnderSampler", _make_under, "minority"),
    "over": ("RandomOverSampler", _make_over, "majority"),
    "smote": ("SMOTE (k=5)", _make_smote, "majority"),
}


def partition_plan(n_rows: int, n_partitions: int) -> list[tuple[int, int, int, int]]:
    """``(index, first row, rows, minority rows)`` of every partition; sizes differ by at most one."""
    base, extra = divmod(n_rows, n_partitions)
    plan, start = [], 0
    for index in range(n_partitions):
        rows = base + (index < extra)
        plan.append((index, start, rows, round(rows * MINORITY_SHARE)))
        start += rows
    return plan


def make_partition(spec: tuple[int, int, int, int]) -> Any:
    """One partition, generated where it is computed, from its own seeded generator."""
    import numpy as np
    import pandas as pd

    index, start, rows, n_minority = spec
    rng = np.random.default_rng([SEED, index])
    X = rng.standard_normal((rows, N_FEATURES), dtype=np.float32)
    target = np.zeros(rows, dtype=np.int8)
    target[rng.choice(rows, size=n_minority, replace=False)] = 1
    X[target == 1] += np.float32(SHIFT)
    frame = pd.DataFrame(
        X,
        columns=[f"f{j:02d}" for j in range(N_FEATURES)],
        index=pd.RangeIndex(start, start + rows),
    )
    frame["target"] = target
    return frame


def _peak_mib() -> tuple[int, float]:
    """This process's id and peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    import resource

    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up() -> None:
    import equipoise.dask  # noqa: F401


def _child(method: str, n_rows: int, n_partitions: int) -> None:
    """Runs in its own subprocess: one LocalCluster, one method; prints one JSON line."""
    import dask
    import dask.dataframe as dd
    import distributed

    plan = partition_plan(n_rows, n_partitions)
    n_minority = sum(p[3] for p in plan)
    counts = {0: n_rows - n_minority, 1: n_minority}
    _, make, level = METHODS[method]
    expected_each = counts[1] if level == "minority" else counts[0]
    expected = {0: expected_each, 1: expected_each}

    meta = make_partition((0, 0, 0, 0))
    ddf = dd.from_map(make_partition, plan, meta=meta, enforce_metadata=False)
    X, y = ddf.drop(columns="target"), ddf["target"]
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=WORKER_MEMORY_LIMIT,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(_warm_up)  # imports on the workers are start-up cost, not resampling
        start = time.perf_counter()
        X_res, y_res = make().fit_resample(X, y)
        class_totals, column_sums = dask.compute(y_res.value_counts(), X_res.sum())
        wall = time.perf_counter() - start
        workers = sorted(client.run(_peak_mib).values())
        scheduler = client.run_on_scheduler(_peak_mib)
    driver = _peak_mib()
    totals = {int(k): int(v) for k, v in class_totals.items()}
    print(
        json.dumps(
            {
                "rows_out": sum(totals.values()),
                "seconds": wall,
                "totals": totals,
                "expected": expected,
                "exact": totals == expected,
                "column_sums_finite": bool(column_sums.notna().all()),
                "driver": driver,
                "scheduler": scheduler,
                "workers": workers,
            }
        )
    )


def _run_method(method: str, n_rows: int, n_partitions: int, timeout: float) -> dict:
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        method,
        str(n_rows),
        str(n_partitions),
    ]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"note": f"did not finish in {timeout:.0f} s"}
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        return {"note": "failed: " + (exc.stderr.strip().splitlines() or ["?"])[-1][:80]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _environment() -> str:
    import dask
    import distributed
    import numpy as np
    import pandas as pd

    import equipoise

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"equipoise {equipoise.__version__}, dask {dask.__version__}, distributed "
        f"{distributed.__version__}, pandas {pd.__version__}, numpy {np.__version__}, Python "
        f"{platform.python_version()}; {os.cpu_count()} cores, {memory_gib:.0f} GiB RAM; LocalCluster "
        f"of 2 worker processes x 1 thread, memory_limit={WORKER_MEMORY_LIMIT}"
    )


def _row(method: str, n_rows: int, result: dict) -> str:
    label = METHODS[method][0]
    if "note" in result:
        return f"| {label} | {n_rows:,} | - | - | - | - | - | - | - | {result['note']} |"
    driver_pid, driver = result["driver"]
    scheduler_pid, scheduler = result["scheduler"]
    scheduler_cell = f"{scheduler:,.0f}" + (" (= driver)" if scheduler_pid == driver_pid else "")
    workers = [f"{mib:,.0f}" for _, mib in result["workers"]]
    return (
        f"| {label} | {n_rows:,} | {result['rows_out']:,} | {result['seconds']:.1f} | "
        f"{n_rows / result['seconds']:,.0f} | {driver:,.0f} | {scheduler_cell} | {' | '.join(workers)} | "
        f"{'yes' if result['exact'] else 'NO ' + json.dumps(result['totals'])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="input rows (default 20M)")
    parser.add_argument(
        "--partitions", type=int, default=100, help="input partitions (default 100)"
    )
    parser.add_argument("--quick", action="store_true", help="2M rows: a smoke run")
    parser.add_argument(
        "--methods",
        default="under,smote",
        help=f"comma-separated, from {sorted(METHODS)} (default under,smote)",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per method")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, n_rows, n_partitions = args.child
        _child(method, int(n_rows), int(n_partitions))
        return
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {unknown}; expected some of {sorted(METHODS)}")
    n_rows = 2_000_000 if args.quick else args.rows
    print(_environment())
    print(
        f"{n_rows:,} rows x {N_FEATURES} float32 features in {args.partitions} partitions, "
        f"{MINORITY_SHARE:.0%} minority; peak RSS in MiB (target: every worker < {TARGET_PEAK_MIB:,})\n"
    )
    print(
        "| method | rows in | rows out | wall s | rows/s | peak MiB driver | scheduler | worker 1 "
        "| worker 2 | totals exact |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    worst = 0.0
    for method in methods:
        result = _run_method(method, n_rows, args.partitions, args.timeout)
        print(_row(method, n_rows, result), flush=True)
        worst = max([worst, *(mib for _, mib in result.get("workers", []))])
    print(
        f"\nlargest worker peak: {worst:,.0f} MiB "
        f"({'below' if worst < TARGET_PEAK_MIB else 'NOT below'} {TARGET_PEAK_MIB:,} MiB)"
    )


if __name__ == "__main__":
    main()
