"""Imbalanced regression on the shipped data: baseline MSE against the regression recipes.

Runs :func:`equipoise.compare.regression.compare_regression` (the protocol of
``compare(task="regression")``: folds stratified by target bins, the same MLP, budget and
validation-MAE selection for every recipe, Nadeau-Bengio corrected intervals and tests, Holm)
on each dataset and prints one markdown table per dataset: overall and few-shot MAE (test rows
in training bins of fewer than 20 rows) with their corrected 95% intervals, the paired
difference in MAE against the baseline, Holm's p-value and the verdict.

Run: ``PYTHONPATH=src python benchmarks/regression.py [--datasets diabetes-lt,fair] [--seeds 3]``
(``fair`` needs statsmodels). The seconds each dataset took are printed under its table.
"""

from __future__ import annotations

import argparse
import os
import time

from equipoise.compare import TrainSettings
from equipoise.compare.regression import compare_regression
from equipoise.datasets import load_dataset


def table(name: str, folds: int, seeds: int, epochs: int) -> str:
    X, y = load_dataset(name)
    started = time.perf_counter()
    res = compare_regression(
        X, y, folds=folds, seeds=seeds, train=TrainSettings(max_epochs=epochs), threads=1
    )
    took = time.perf_counter() - started
    lines = [
        f"**{name}** ({len(y)} rows, {folds} folds x {seeds} seeds, {epochs} epochs)",
        "",
        "| recipe | MAE [95% CI] | few-shot MAE [95% CI] | MAE - baseline [95% CI] | Holm p | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for recipe, row in res.summary.iterrows():
        diff = (
            ""
            if recipe == "baseline"
            else f"{row['diff']:+.2f} [{row['diff_low']:+.2f}, {row['diff_high']:+.2f}]"
        )
        p = "" if recipe == "baseline" else f"{row['p_holm']:.3g}"
        lines.append(
            f"| {recipe} | {row['mae']:.2f} [{row['mae_low']:.2f}, {row['mae_high']:.2f}] "
            f"| {row['mae_few']:.2f} [{row['mae_few_low']:.2f}, {row['mae_few_high']:.2f}] | {diff} | {p} | {row['verdict']} |"
        )
    lines += ["", f"Verdict: {res.verdict} ({took:.0f} s)", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="diabetes-lt,diabetes,fair")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average)\n")
    for name in args.datasets.split(","):
        print(table(name.strip(), args.folds, args.seeds, args.epochs))


if __name__ == "__main__":
    main()
