"""Benchmark: every equipoise loss under torch.compile(fullgraph=True), inductor backend.

For each loss: the time of the first compiled call (the compile itself), then the median time of
a forward + backward on ``(N, C, H, W)`` logits, eager and compiled (the ratio is the speed-up).
The test suite compiles every loss with the 'eager' backend (the same Dynamo capture, so the
same fullgraph guarantee) because inductor's first compile takes tens of seconds on a small
CPU machine; this script is where inductor itself is measured.

Run: ``python benchmarks/compile_losses.py [--names focal ldam] [--repeats 20]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from equipoise.losses import LOSSES, make_loss

COUNTS = [500, 200, 80, 30, 10, 4]


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", nargs="*", default=sorted(LOSSES.names()))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--shape", type=int, nargs=3, default=[8, 32, 32], metavar=("N", "H", "W"))
    args = parser.parse_args()
    n, h, w = args.shape
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, len(COUNTS), h, w, generator=g, requires_grad=True)
    t = torch.randint(0, len(COUNTS), (n, h, w), generator=g)
    print(
        "| loss | first compiled call (s) | eager fwd+bwd (ms) | compiled fwd+bwd (ms) | speed-up |"
    )
    print("|---|---|---|---|---|")
    for name in args.names:
        loss = make_loss(name, COUNTS)
        torch._dynamo.reset()
        compiled = torch.compile(loss, fullgraph=True)
        start = time.perf_counter()
        compiled(x, t).backward()
        first = time.perf_counter() - start
        eager = timed(lambda fn=loss: fn(x, t).backward(), args.repeats)
        fast = timed(lambda fn=compiled: fn(x, t).backward(), args.repeats)
        print(
            f"| {name} | {first:.1f} | {eager * 1e3:.2f} | {fast * 1e3:.2f} | {eager / fast:.2f} |",
            flush=True,
        )
    print(
        f"\nlogits {tuple(x.shape)}; torch {torch.__version__}, {torch.get_num_threads()} threads"
    )


if __name__ == "__main__":
    main()
