"""Time ThresholdTuner.fit: one metric call per candidate (the loop) against the vectorised scoring.

``ThresholdTuner.fit`` scores all candidate thresholds (binary) or offsets (multiclass) of a
registered label metric at once, from confusion matrices; ``ThresholdTuner._fit_loop`` calls
the registered metric once per candidate, as ``fit`` did before. Both run in the same process on
the same synthetic validation sets (binary: 20% positives; multiclass: 3 classes with prior
0.7/0.2/0.1; scores of a noisy model), for n = 160 (the quick start's validation rows) and
n = 5000, with the default grid (``max_candidates=100``, ``max_iter=10``). The script checks
that both choose the same thresholds and report the same score, and prints the median time of
each (``--repeats`` fits; the loop gets fewer at n = 5000, where one fit takes seconds) and the
ratio, as a Markdown table.

Run: ``python benchmarks/threshold_tuner.py [--metric balanced_accuracy] [--repeats 7]``
(under two minutes on 2 busy CPU cores). State the load (printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

from equipoise.metrics import Metric
from equipoise.posthoc import ThresholdTuner


def _data(kind: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "binary":
        y = (rng.random(n) < 0.2).astype(np.int64)
        s = 1.0 / (1.0 + np.exp(-(rng.normal(size=n) + 1.5 * y - 1.0)))
        return y, s
    prior = np.array([0.7, 0.2, 0.1])
    y = rng.choice(3, size=n, p=prior)
    logits = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y] + np.log(prior)
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, proba


def _median_seconds(fn: Callable[[], ThresholdTuner], repeats: int) -> tuple[float, ThresholdTuner]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    assert out is not None
    return statistics.median(times), out


class _CountingTuner(ThresholdTuner):
    """ThresholdTuner counting the calls of the metric function its loop makes."""

    calls = 0

    def _scorer(
        self, m: Metric | None, classes: np.ndarray
    ) -> Callable[[np.ndarray, np.ndarray], float]:
        one = super()._scorer(m, classes)

        def counted(yt: np.ndarray, yp: np.ndarray) -> float:
            type(self).calls += 1
            return one(yt, yp)

        return counted


def row(kind: str, n: int, metric: str, repeats: int, loop_repeats: int) -> str:
    """One table row: median seconds of the loop and of the vectorised fit, checked equal."""
    y, s = _data(kind, n)
    _CountingTuner.calls = 0
    slow_t, slow = _median_seconds(lambda: _CountingTuner(metric)._fit_loop(y, s), loop_repeats)
    per_fit = _CountingTuner.calls // loop_repeats
    fast_t, fast = _median_seconds(lambda: ThresholdTuner(metric).fit(y, s), repeats)
    np.testing.assert_array_equal(fast.threshold_, slow.threshold_)
    assert fast.best_score_ == slow.best_score_, (fast.best_score_, slow.best_score_)
    return f"| {kind} | {n} | {per_fit} | {slow_t:.3f} | {fast_t:.4f} | {slow_t / fast_t:.0f}x |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metric", default="balanced_accuracy")
    parser.add_argument("--repeats", type=int, default=7, help="fits per timing (vectorised)")
    parser.add_argument(
        "--loop-repeats-large", type=int, default=3, help="loop fits per timing at n = 5000"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # sklearn's undefined-metric warnings on tiny classes
    print(f"load average: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs); metric {args.metric}")
    print()
    print("| problem | n | metric calls per loop fit | loop (s) | vectorised (s) | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ("binary", "multiclass"):
        for n in (160, 5000):
            loop_repeats = args.repeats if n < 1000 else args.loop_repeats_large
            print(row(kind, n, args.metric, args.repeats, loop_repeats), flush=True)


if __name__ == "__main__":
    main()
