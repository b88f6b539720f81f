"""equipoise's balanced ensembles against imbalanced-learn's, same folds, same settings, same run.

For every ensemble and data set, both libraries are trained on the same 5 stratified folds with
the same parameters (imbalanced-learn's defaults unless ``--quick``) and ``random_state=0``.
The table gives the balanced accuracy on the test folds (mean and standard deviation over the
folds), the mean paired difference (equipoise - imbalanced-learn) and the fit time ratio
(imbalanced-learn's median fit time over the folds / equipoise's; > 1 means equipoise is
faster). The last row per ensemble pools the 25 paired differences: ``tol`` is three standard
errors, ``3 * sd(d) / sqrt(25)``, the tolerance the parity test uses.

Usage::

    python benchmarks/ensembles.py           # the table in docs/benchmarks.md
    python benchmarks/ensembles.py --quick   # small ensembles, a smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from imblearn import ensemble as imb
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold

from equipoise import ensemble as eq
from equipoise.datasets import load_dataset

DATASETS = ["glass1", "ecoli1", "yeast-2_vs_4", "glass4", "vehicle0"]


def _pairs(quick: bool) -> dict[str, tuple]:
    if quick:
        return {
            "BalancedRandomForestClassifier (n_estimators=20)": (
                eq.BalancedRandomForestClassifier(n_estimators=20, random_state=0),
                imb.BalancedRandomForestClassifier(n_estimators=20, random_state=0),
            ),
            "BalancedBaggingClassifier (n_estimators=4)": (
                eq.BalancedBaggingClassifier(n_estimators=4, random_state=0),
                imb.BalancedBaggingClassifier(n_estimators=4, random_state=0),
            ),
            "EasyEnsembleClassifier (2 x AdaBoost(3))": (
                eq.EasyEnsembleClassifier(
                    n_estimators=2, estimator=AdaBoostClassifier(n_estimators=3), random_state=0
                ),
                imb.EasyEnsembleClassifier(
                    n_estimators=2, estimator=AdaBoostClassifier(n_estimators=3), random_state=0
                ),
            ),
            "RUSBoostClassifier (n_estimators=8)": (
                eq.RUSBoostClassifier(n_estimators=8, random_state=0),
                imb.RUSBoostClassifier(n_estimators=8, random_state=0),
            ),
        }
    return {
        "BalancedRandomForestClassifier (defaults: 100 trees)": (
            eq.BalancedRandomForestClassifier(random_state=0),
            imb.BalancedRandomForestClassifier(random_state=0),
        ),
        "BalancedBaggingClassifier (defaults: 10 trees)": (
            eq.BalancedBaggingClassifier(random_state=0),
            imb.BalancedBaggingClassifier(random_state=0),
        ),
        "EasyEnsembleClassifier (defaults: 10 x AdaBoost(50))": (
            eq.EasyEnsembleClassifier(random_state=0),
            imb.EasyEnsembleClassifier(random_state=0),
        ),
        "RUSBoostClassifier (defaults: 50 stumps)": (
            eq.RUSBoostClassifier(random_state=0),
            imb.RUSBoostClassifier(random_state=0),
        ),
    }


def _folds(model, X, y, splits) -> tuple[np.ndarray, list[float]]:
    scores, times = [], []
    for train, test in splits:
        fresh = clone(model)
        start = time.perf_counter()
        fresh.fit(X[train], y[train])
        times.append(time.perf_counter() - start)
        scores.append(balanced_accuracy_score(y[test], fresh.predict(X[test])))
    return np.array(scores), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small ensembles (the parity test's settings)"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"1-minute load average at start: {load:.1f}; {os.cpu_count()} CPU(s)\n")
    print(
        "| ensemble | data set | equipoise BA | imbalanced-learn BA | difference | fit time ratio (imblearn / equipoise) |"
    )
    print("|---|---|---|---|---|---|")
    start = time.perf_counter()
    for label, (ours, theirs) in _pairs(args.quick).items():
        differences = []
        for name in DATASETS:
            X, y = load_dataset(name)
            splits = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
            a, ta = _folds(ours, X, y, splits)
            b, tb = _folds(theirs, X, y, splits)
            differences.append(a - b)
            ratio = statistics.median(tb) / statistics.median(ta)
            print(
                f"| {label} | {name} | {a.mean():.3f} ± {a.std(ddof=1):.3f} | {b.mean():.3f} ± {b.std(ddof=1):.3f} "
                f"| {(a - b).mean():+.3f} | {ratio:.2f} |",
                flush=True,
            )
        d = np.concatenate(differences)
        tol = 3 * d.std(ddof=1) / np.sqrt(d.size)
        verdict = "within noise" if abs(d.mean()) <= tol else "DIFFERENT"
        print(
            f"| {label} | **all 25 folds** | | | {d.mean():+.3f} (tol {tol:.3f}: {verdict}) | |",
            flush=True,
        )
    print(
        f"\nwall-clock {time.perf_counter() - start:.0f} s; 1-minute load average at end: {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
