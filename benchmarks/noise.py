"""Pure noise: does ``compare`` ever recommend what noise produced?

Ten (``--datasets``) datasets whose labels are independent of the features (2,000 rows x 20
features, 10% positives by default), each compared with the default command's settings (every
shipped recipe and the reference models, 5 folds x 3 seeds). On such data the only right
answer is "no difference": the script prints, per dataset, the recommendation and how many
verdicts against the baseline were significant, then the totals. The test suite runs a small
version of the same check (tests/compare/test_noise.py).

    .venv/bin/python benchmarks/noise.py --jobs 2                   # about an hour on 2 cores
    .venv/bin/python benchmarks/noise.py --datasets 3 --seeds 2     # a shorter check

Resumable: each dataset has its own compare journal under ``--out`` (default
``equipoise-results/noise/``, gitignored).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from equipoise.compare import compare

ROOT = Path(__file__).resolve().parents[1]


def noise_data(k: int, n: int, d: int, positives: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(10_000 + k)
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < positives).astype(int)
    return X, y


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--datasets", type=int, default=10)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--features", type=int, default=20)
    p.add_argument("--positives", type=float, default=0.1)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--recipes", help="comma-separated (default: every shipped recipe)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", default=str(ROOT / "equipoise-results" / "noise"))
    args = p.parse_args()

    start = time.perf_counter()
    total = significant = false_recommendations = 0
    rows = []
    for k in range(args.datasets):
        X, y = noise_data(k, args.rows, args.features, args.positives)
        res = compare(
            X,
            y,
            recipes=args.recipes,
            folds=args.folds,
            seeds=args.seeds,
            jobs=args.jobs,
            random_state=k,
            out=Path(args.out) / f"noise-{k}",
            progress=False,
            report=False,
            dataset_name=f"noise-{k}",
        )
        s = res.summary
        verdicts = [v["verdict"] for v in s["vs_baseline"].values()]
        n_sig = sum(v != "tied" for v in verdicts)
        total += len(verdicts)
        significant += n_sig
        false_recommendations += s["recommended"] is not None
        smallest = min((v["p_holm"] for v in s["vs_baseline"].values()), default=float("nan"))
        raw = min((v["p_value"] for v in s["vs_baseline"].values()), default=float("nan"))
        rows.append(
            (
                f"noise-{k}",
                s["recommended"] or "none",
                f"{n_sig}/{len(verdicts)}",
                f"{raw:.3f}",
                f"{smallest:.3f}",
                (s.get("references") or {}).get("verdict", "-"),
            )
        )
        print(
            f"[{time.perf_counter() - start:7.1f} s] noise-{k}: {s['recommendation'][:160]}",
            flush=True,
        )
    wall = time.perf_counter() - start
    load = os.getloadavg()[0]
    print(
        f"\n{args.datasets} datasets of {args.rows} x {args.features}, {args.positives:.0%} positives, labels "
        f"independent of X; {args.folds} folds x {args.seeds} seeds; {wall / 60:.1f} min wall-clock, 1-min load "
        f"average at the end {load:.1f}.\n"
    )
    print(
        "| dataset | recommended | significant verdicts vs baseline | smallest raw p | smallest Holm p | best reference vs recommended/best |"
    )
    print("|---|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        f"\nFalse recommendations: {false_recommendations} of {args.datasets} datasets; significant verdicts: "
        f"{significant} of {total} ({significant / max(total, 1):.1%})."
    )


if __name__ == "__main__":
    main()
