"""Time the quick-start comparison: the tutorial dataset, every shipped recipe and the reference
models, 5 folds x 3 seeds (the defaults of ``equipoise compare``), with a per-stage breakdown.

Two measurements, both printed as Markdown for docs/benchmarks.md:

1. ``--breakdown`` (in process, ``jobs=1``): where the time goes. Each stage's functions are
   wrapped with a timer (the work itself is unchanged): start-up imports, preprocessing,
   resampling, network training (of which: the selection criterion, the optimiser steps),
   reference models, decision rules, per-run metrics, the journal, the summary and the report;
   "other" is the rest of the wall time.
2. the wall-clock total of ``compare(out=..., jobs=--jobs)``, as a user runs it, with the mean
   fit_seconds and balanced accuracy per recipe.

    python benchmarks/quickstart.py [--jobs 2] [--breakdown] [--seeds 3] [--threads 1]

``--breakdown --threads 1`` is what one worker of the default ``jobs=2`` run does (one torch
thread each); on a busy machine two OpenMP threads in one process spin-wait for each other and
are many times slower, so give ``--threads 1`` there.

Run it twice in the same machine state (before and after a change: ``PYTHONPATH=<tree>/src``)
and compare; state the load (printed).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

_T0 = time.perf_counter()
import sklearn.ensemble  # noqa: E402, F401
import torch  # noqa: E402, F401

import equipoise.compare  # noqa: E402  (timed: the start-up every worker process pays)

_STARTUP = time.perf_counter() - _T0

from equipoise.compare import compare  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _wrap(owner: Any, name: str, stage: str) -> None:
    """Replace ``owner.name`` with a timed call of the same function (same arguments, result)."""
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[stage] += time.perf_counter() - start
            CALLS[stage] += 1

    setattr(owner, name, timed)


def instrument() -> None:
    from equipoise.compare import journal, report, run, runner, selection, training
    from equipoise.compare.steps import _data, _decision, _model

    _wrap(run, "_transformed", "preprocessing")
    _wrap(_data.ResampleStep, "apply", "resampling")
    # network training: train_networks (the stacked MLP groups) where it exists, else one by one
    if hasattr(training, "train_networks"):
        _wrap(training, "train_networks", "network training")
    else:
        _wrap(training, "train_network", "network training")
    _wrap(selection.CalibratedBalancedLogLoss, "__call__", "  of which: selection criterion")
    _wrap(torch.optim.AdamW, "step", "  of which: optimiser steps (torch.optim)")
    if hasattr(training, "_FusedAdamW"):
        _wrap(training._FusedAdamW, "step", "  of which: optimiser steps (direct fused kernel)")
    try:
        from equipoise.compare import _stacked

        _wrap(_stacked._StackedAdamW, "step", "  of which: optimiser steps (stacked runs)")
    except ImportError:  # a tree before the stacked engine
        pass
    _wrap(_model.SklearnModel, "fit", "reference models (fit)")
    for cls in {c for _, c in _decision.DECISIONS.items()}:
        _wrap(cls, "decide", "decision rules")
    _wrap(run, "score_run", "per-run metrics")
    _wrap(run, "corrected_probabilities", "per-run metrics")
    _wrap(journal.Journal, "add", "journal")
    _wrap(runner, "build_summary", "summary")
    _wrap(report, "write_report", "report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--breakdown", action="store_true", help="in process (jobs=1), time each stage"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads per worker (default: compare's)"
    )
    args = parser.parse_args()
    jobs = 1 if args.breakdown else args.jobs
    if args.breakdown:
        instrument()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        cpu = time.process_time()
        result = compare(out=out, jobs=jobs, seeds=args.seeds, threads=args.threads, progress=False)
        wall = time.perf_counter() - start
        main_cpu = time.process_time() - cpu
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"equipoise from {os.path.dirname(equipoise.compare.__file__)}")
    print(
        f"wall-clock: {wall:.1f} s with jobs={jobs} on {os.cpu_count()} cores "
        f"(1-min load average at the end: {load:.1f}; main-process CPU {main_cpu:.1f} s)"
    )
    print(
        f"runs: {len(result.results)}; sum of fit_seconds: {result.results['fit_seconds'].sum():.1f} s\n"
    )
    if args.breakdown:
        print("| stage | seconds | share of wall | calls |")
        print("|---|---:|---:|---:|")
        print(
            f"| start-up imports (torch, scikit-learn, equipoise.compare; once per process) | {_STARTUP:.1f} | - | 1 |"
        )
        top = 0.0
        for stage, seconds in SPENT.items():
            if not stage.startswith("  "):
                top += seconds
            print(f"| {stage} | {seconds:.1f} | {100 * seconds / wall:.0f}% | {CALLS[stage]} |")
        print(
            f"| other (splits, checks, process set-up, result tables) | {wall - top:.1f} | {100 * (wall - top) / wall:.0f}% | - |"
        )
        print()
    per = result.results.groupby("recipe", sort=False)[["fit_seconds", "balanced_accuracy"]].mean()
    print("| recipe | mean fit_seconds | balanced accuracy |")
    print("|---|---:|---:|")
    for name, row in per.iterrows():
        print(f"| {name} | {row['fit_seconds']:.2f} | {row['balanced_accuracy']:.3f} |")
    print()
    print(result.recommendation)


if __name__ == "__main__":
    main()
