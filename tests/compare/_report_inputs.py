"""Synthetic inputs for the report tests (shared by test_report.py and test_report_browser.py).

Loaded by file path (``load_inputs_module``) so it works whatever pytest's import mode and
whether or not ``tests/compare`` becomes a package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

METRICS = ("balanced_accuracy", "macro_f1", "g_mean", "mcc", "roc_auc", "pr_auc", "accuracy")


@dataclass
class FakeProfile:
    """Duck-typed stand-in for equipoise.profile.ClassProfile (only what the report reads)."""

    counts: dict[Any, int]
    warnings: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return sum(self.counts.values())

    @property
    def n_classes(self) -> int:
        return len(self.counts)

    @property
    def proportions(self) -> dict[Any, float]:
        return {k: v / self.n_samples for k, v in self.counts.items()}

    @property
    def minority(self) -> Any:
        return min(self.counts, key=self.counts.__getitem__)

    @property
    def majority(self) -> Any:
        return max(self.counts, key=self.counts.__getitem__)

    @property
    def imbalance_ratio(self) -> float:
        return self.counts[self.majority] / self.counts[self.minority]

    def __str__(self) -> str:
        return f"{self.n_samples} samples"


def _predictions(labels: list[Any], counts: list[int], skill: float, rng: np.random.Generator) -> dict:
    """Predictions whose scores separate the classes with strength ``skill``."""
    y_true = np.repeat(np.arange(len(labels)), counts)
    logits = rng.normal(size=(y_true.size, len(labels)))
    logits[np.arange(y_true.size), y_true] += skill
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_pred = proba.argmax(axis=1)
    as_labels = np.array(labels, dtype=object)
    if len(labels) == 2:
        score: Any = proba[:, 1].tolist()
    else:
        score = proba.tolist()
    return {
        "y_true": as_labels[y_true].tolist(),
        "y_pred": as_labels[y_pred].tolist(),
        "y_score": score,
        "labels": list(labels),
    }


def make_inputs(
    *,
    n_classes: int = 2,
    n_recipes: int = 3,
    n_folds: int = 3,
    labels: list[Any] | None = None,
    recipe_names: list[str] | None = None,
    title: str = "Comparison on demo data",
    dataset_name: str = "demo",
    seed: int = 0,
) -> dict[str, Any]:
    """Keyword arguments for write_report: a consistent, realistic comparison run."""
    rng = np.random.default_rng(seed)
    labels = list(labels) if labels is not None else (["neg", "pos"] if n_classes == 2 else list(range(n_classes)))
    counts = [int(round(900 * 0.55**i)) + 8 for i in range(n_classes)]
    names = list(recipe_names) if recipe_names is not None else ["baseline", "smote-focal", "class-weights", "random-under", "ldam-drw"][:n_recipes]
    if len(names) < n_recipes:
        names += [f"recipe-{i}" for i in range(len(names), n_recipes)]
    names = names[:n_recipes]
    skills = {name: 1.2 + 0.35 * ((i * 7) % 5) for i, name in enumerate(names)}

    rows = []
    for name in names:
        for fold in range(n_folds):
            row: dict[str, Any] = {"recipe": name, "fold": fold, "seed": 0}
            for j, metric in enumerate(METRICS):
                base = 0.45 + 0.1 * skills[name] - 0.02 * j
                row[metric] = float(np.clip(base + rng.normal(scale=0.02), 0, 1))
            row["fit_seconds"] = float(0.1 + rng.random())
            rows.append(row)
    results = pd.DataFrame(rows)

    recipes: dict[str, Any] = {}
    for name in names:
        part = results[results["recipe"] == name]
        stats = {}
        for metric in METRICS:
            values = part[metric].to_numpy()
            half = 1.96 * values.std(ddof=1) / np.sqrt(values.size)
            stats[metric] = {"mean": float(values.mean()), "low": float(values.mean() - half), "high": float(values.mean() + half), "n": int(values.size)}
        recipes[name] = {"description": f"{name} recipe", "metrics": stats}
    ranking = sorted(names, key=lambda r: -recipes[r]["metrics"]["balanced_accuracy"]["mean"])
    baseline = names[0]
    vs = {}
    for name in names[1:]:
        diff = results[results.recipe == name]["balanced_accuracy"].to_numpy() - results[results.recipe == baseline]["balanced_accuracy"].to_numpy()
        half = 1.96 * diff.std(ddof=1) / np.sqrt(diff.size)
        low, high = diff.mean() - half, diff.mean() + half
        verdict = "better" if low > 0 else "worse" if high < 0 else "no clear difference"
        vs[name] = {"diff": float(diff.mean()), "low": float(low), "high": float(high), "p_value": 0.03, "verdict": verdict}
    profile = FakeProfile(dict(zip(labels, counts)), warnings=["Class with 8 samples: SMOTE needs k_neighbors + 1."])
    original = {label: int(c * 0.8) for label, c in zip(labels, counts)}
    resampled: dict[str, dict[Any, int]] = {"original": original}
    for i, name in enumerate(names):
        if i % 3 == 1:
            resampled[name] = {label: max(original.values()) for label in labels}
        elif i % 3 == 2:
            resampled[name] = {label: min(original.values()) for label in labels}
        else:
            resampled[name] = dict(original)
    test_counts = [max(3, c // 5) for c in counts]
    predictions = {name: _predictions(labels, test_counts, skills[name], rng) for name in names}
    summary = {
        "metric": "balanced_accuracy",
        "baseline": baseline,
        "n_folds": n_folds,
        "n_seeds": 1,
        "dataset": {
            "name": dataset_name,
            "n_samples": sum(counts),
            "n_features": 12,
            "class_counts": dict(zip(map(str, labels), counts)),
            "imbalance_ratio": profile.imbalance_ratio,
        },
        "recipes": recipes,
        "vs_baseline": vs,
        "ranking": ranking,
        "recommendation": f"Use {ranking[0]}: it beats the baseline on balanced accuracy.",
        "elapsed_seconds": 12.5,
    }
    config = {"folds": n_folds, "seeds": 1, "metric": "balanced_accuracy", "recipes": names, "data": "demo.csv", "equipoise_version": "0.1.0"}
    return {
        "title": title,
        "profile": profile,
        "results": results,
        "summary": summary,
        "predictions": predictions,
        "resampled_counts": resampled,
        "config": config,
    }
