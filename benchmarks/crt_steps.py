"""Benchmark: classifier re-training (cRT) on digits-lt-100 against its budget in optimiser steps.

A backbone (an MLP, 64 -> 64 -> ReLU) is trained with plain cross-entropy and shuffled batches
for a few or many epochs; its head is then re-initialised and re-trained with
``retrain_classifier`` for budgets of 20 steps (the old default: 10 epochs of 2 batches of 128 on
242 rows) up to the new default (``max(500, 10 epochs)``). Balanced accuracy on the balanced
test split, median over seeds. Prints a markdown table for docs/benchmarks.md.

Run: ``python benchmarks/crt_steps.py`` (about a minute on 2 busy CPU cores).
"""

from __future__ import annotations

import argparse
import copy
import statistics

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score

from equipoise.datasets import load_dataset
from equipoise.decoupled import CRT_MIN_STEPS, retrain_classifier

STEPS = [20, 40, 80, 160, 320, CRT_MIN_STEPS]


def backbone_and_head(X: torch.Tensor, y: torch.Tensor, epochs: int, seed: int):
    torch.manual_seed(seed)
    body = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU())
    head = torch.nn.Linear(64, 10)
    model = torch.nn.Sequential(body, head)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        for idx in torch.randperm(len(y)).split(64):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
            opt.step()
    return body.eval(), head


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = load_dataset("digits-lt-100", split="train")
    Xt, yt = load_dataset("digits-lt-100", split="test")
    X, Xt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(Xt, dtype=torch.float32)
    y = torch.as_tensor(y)
    rows = []
    for epochs in (10, 100):
        scores: dict[str, list[float]] = {"no cRT": []} | {str(s): [] for s in STEPS}
        for seed in range(args.seeds):
            body, head = backbone_and_head(X, y, epochs, seed)
            with torch.no_grad():
                features, test_features = body(X), body(Xt)
                scores["no cRT"].append(balanced_accuracy_score(yt, head(test_features).argmax(1)))
            for steps in STEPS:
                h = retrain_classifier(
                    torch.nn.Identity(), copy.deepcopy(head), features, y, steps=steps, seed=seed
                )
                with torch.no_grad():
                    scores[str(steps)].append(
                        balanced_accuracy_score(yt, h(test_features).argmax(1))
                    )
        rows.append((epochs, {k: statistics.median(v) for k, v in scores.items()}))
    header = ["backbone epochs", "no cRT", *[f"{s} steps" for s in STEPS]]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for epochs, med in rows:
        print(
            f"| {epochs} | "
            + " | ".join(f"{med[k]:.3f}" for k in ["no cRT", *map(str, STEPS)])
            + " |"
        )
    print(
        f"\n{len(y)} training rows; median of {args.seeds} seeds; torch {torch.__version__}, numpy {np.__version__}"
    )


if __name__ == "__main__":
    main()
