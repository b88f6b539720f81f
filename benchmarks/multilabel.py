"""Baseline BCE vs the multi-label recipes on the shipped ``digits-multilabel`` set.

Runs :func:`equipoise.compare.multilabel.compare_multilabel` (iterative-stratification folds,
the same MLP and budget for every recipe, Nadeau-Bengio + Holm against the baseline) and prints
the Markdown table pasted in docs/benchmarks.md: macro-F1, mAP and tail-label F1 (tail: labels
whose training count is at most the lower tertile of the label counts), each the mean over the runs with its
corrected 95% interval, and the verdict on macro-F1.

    PYTHONPATH=src python benchmarks/multilabel.py [--folds 5] [--seeds 2] [--epochs 30]

Needs ``pip install 'equipoise[multilabel]'``. Two threads at most.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from equipoise.compare.multilabel import compare_multilabel
from equipoise.datasets import load_dataset


def _cell(row, score: str) -> str:
    return f"{row[score]:.3f} [{row[score + '_low']:.3f}, {row[score + '_high']:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(2)
    X, Y = load_dataset("digits-multilabel")
    start = time.perf_counter()
    result = compare_multilabel(X, Y, folds=args.folds, seeds=args.seeds, epochs=args.epochs)
    elapsed = time.perf_counter() - start
    print(
        f"digits-multilabel: {X.shape[0]} rows, {Y.shape[1]} labels; {args.folds} folds x {args.seeds} seeds, "
        f"{args.epochs} epochs; {elapsed:.0f} s; load {os.getloadavg()[0]:.1f}"
    )
    print()
    print(
        "| recipe | macro-F1 [95% CI] | mAP [95% CI] | tail-label F1 [95% CI] | macro-F1 vs baseline | Holm p | verdict |"
    )
    print("|---|---|---|---|---:|---:|---|")
    for name, row in result.summary.iterrows():
        p = "" if name == "baseline" else f"{row['p_holm']:.3f}"
        diff = "" if name == "baseline" else f"{row['diff_vs_baseline']:+.3f}"
        print(
            f"| {name} | {_cell(row, 'macro_f1')} | {_cell(row, 'map')} | {_cell(row, 'tail_f1')} | {diff} | {p} | {row['verdict']} |"
        )
    print()
    print(result.text)


if __name__ == "__main__":
    main()
