"""Time compare's selection criterion on binary data: the two-parameter form against the general one.

``CalibratedBalancedLogLoss`` is called once per run and epoch on the validation logits. With two
classes it solves the equivalent two-parameter logistic regression on the margin
(``_binary``); ``_general`` is the ``C + 1``-parameter Newton solve every problem used before
(and multiclass problems still use). Both run in the same process on the same sequence of
"epochs": validation logits of a model that sharpens from epoch to epoch (20% positives), each
call warm-started from the previous one, as in training. The script checks that both give the
same criterion value (to 1e-8, relative) at every epoch, and prints the median time per call of
each over ``--repeats`` sequences and the ratio, as a Markdown table.

Run: ``python benchmarks/selection_criterion.py [--epochs 40] [--repeats 5]`` (under a minute).
State the load (printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from equipoise.compare.selection import CalibratedBalancedLogLoss


def _epochs(n: int, epochs: int, seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """Labels and one (n, 2) logit array per epoch of a model whose separation grows."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(np.int64)
    noise = rng.normal(size=(n, 2))
    prior_shift = np.array([0.0, np.log(0.25)])  # plain cross-entropy learns the prior
    out = []
    for epoch in range(epochs):
        sharp = 0.2 + 3.0 * epoch / max(1, epochs - 1)
        z = noise + 0.05 * rng.normal(size=(n, 2))
        z[np.arange(n), y] += sharp
        out.append((1.0 + 0.1 * epoch) * z + prior_shift)
    return y, out


def _time(
    y: np.ndarray, logits: list[np.ndarray], form: str, repeats: int
) -> tuple[float, list[float]]:
    """Median seconds per call over ``repeats`` warm-started sequences, and the values."""
    per_call, values = [], []
    for _ in range(repeats):
        crit = CalibratedBalancedLogLoss(y, 2)
        call = crit._binary if form == "binary" else crit._general
        start = time.perf_counter()
        values = [call(z) for z in logits]
        per_call.append((time.perf_counter() - start) / len(logits))
    return statistics.median(per_call), values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"1-min load average {load:.1f} on {os.cpu_count()} cores; {args.epochs} warm-started "
        f"epochs per sequence; median of {args.repeats} sequences\n"
    )
    print("| validation rows | general form (ms/call) | binary form (ms/call) | ratio |")
    print("|---:|---:|---:|---:|")
    for n in (50, 200, 1000, 5000):
        y, logits = _epochs(n, args.epochs)
        general, v_general = _time(y, logits, "general", args.repeats)
        binary, v_binary = _time(y, logits, "binary", args.repeats)
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(v_binary, v_general))
        assert worst < 1e-8, f"the two forms differ by {worst:.2e} (relative) at n={n}"
        print(f"| {n} | {1e3 * general:.3f} | {1e3 * binary:.3f} | {binary / general:.2f}x |")


if __name__ == "__main__":
    main()
