"""Synthetic inputs for the report tests (shared by test_report.py and test_report_browser.py).

``make_inputs`` builds the keyword arguments of ``write_report`` for a whole comparison run in
the runner's summary schema 2: results per run, a summary with intervals, corrected paired tests
against the baseline and against the best recipe, ties, a recommendation, references, the
design and selection blocks, long-tail shots, collapsed runs, and pooled predictions. Two
presets are the cases the report must handle: ``binary_cv_inputs`` (cross-validation, a binary
problem with a named positive class, two reference models and a tie with the best) and
``longtail_inputs`` (a fixed balanced test set, 10 long-tailed integer classes, many/medium/few
shots and a baseline whose predictions collapsed to the head class). ``legacy_summary`` turns a
summary back into the schema-1 shape older runs wrote.

Loaded by file path (``load()``) so it works whatever pytest's import mode and whether or not
``tests/compare`` becomes a package.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

METRICS = ("balanced_accuracy", "macro_f1", "g_mean", "mcc", "roc_auc", "pr_auc", "accuracy")
SHOT_METRICS = ("many_shot_accuracy", "medium_shot_accuracy", "few_shot_accuracy")
FIXED_TIME = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
COMPLEXITY = {"decision": 1, "loss": 2, "batches": 3, "resample": 4}


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


def _predictions(
    labels: list[Any], counts: list[int], skill: float, rng: np.random.Generator, *, collapsed: bool
) -> dict:
    """Test predictions whose scores separate the classes with strength ``skill``, weaker on
    the tail (later labels); a collapsed recipe predicts the first label everywhere."""
    n_classes = len(labels)
    y_true = np.repeat(np.arange(n_classes), counts)
    logits = rng.normal(size=(y_true.size, n_classes))
    tail = np.linspace(0.0, 1.0, n_classes)[y_true]
    logits[np.arange(y_true.size), y_true] += skill * (1.0 - 0.45 * tail)
    if collapsed:
        logits[:, 0] += 6.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_pred = proba.argmax(axis=1)
    as_labels = np.array(labels, dtype=object)
    return {
        "y_true": as_labels[y_true].tolist(),
        "y_pred": as_labels[y_pred].tolist(),
        "y_score": proba[:, 1].tolist() if n_classes == 2 else proba.tolist(),
        "labels": list(labels),
    }


def _paired(a: np.ndarray, b: np.ndarray, *, correction: float) -> dict[str, float]:
    """Mean difference, 95% interval and two-sided p of a (Nadeau-Bengio corrected) paired t-test."""
    d = a - b
    n = d.size
    se = np.sqrt((1.0 / n + correction) * d.var(ddof=1)) if n > 1 else np.nan
    t = d.mean() / se if se > 0 else 0.0
    half = stats.t.ppf(0.975, n - 1) * se
    return {
        "diff": float(d.mean()),
        "low": float(d.mean() - half),
        "high": float(d.mean() + half),
        "p_value": float(2 * stats.t.sf(abs(t), n - 1)),
    }


def _holm(p: dict[str, float]) -> dict[str, float]:
    order = sorted(p, key=p.__getitem__)
    adjusted, running = {}, 0.0
    for i, name in enumerate(order):
        running = max(running, min(1.0, (len(order) - i) * p[name]))
        adjusted[name] = running
    return adjusted


def make_inputs(
    *,
    n_classes: int = 2,
    n_recipes: int = 3,
    n_folds: int = 3,
    n_seeds: int = 1,
    labels: list[Any] | None = None,
    recipe_names: list[str] | None = None,
    skills: dict[str, float] | None = None,
    steps: dict[str, dict[str, Any]] | None = None,
    references: tuple[str, ...] = (),
    collapsed: dict[str, int] | None = None,
    counts: list[int] | None = None,
    design: str = "cv",
    test_counts: list[int] | None = None,
    shots: dict[str, int] | None = None,
    positive_class: Any = None,
    title: str = "Comparison on demo data",
    dataset_name: str = "demo",
    seed: int = 0,
) -> dict[str, Any]:
    """Keyword arguments for write_report: a consistent comparison run in summary schema 2."""
    rng = np.random.default_rng(seed)
    labels = (
        list(labels)
        if labels is not None
        else (["neg", "pos"] if n_classes == 2 else list(range(n_classes)))
    )
    n_classes = len(labels)
    counts = (
        list(counts)
        if counts is not None
        else [int(round(900 * 0.55**i)) + 8 for i in range(n_classes)]
    )
    default_names = ["baseline", "smote-focal", "class-weights", "random-under", "ldam-drw"]
    names = list(recipe_names) if recipe_names is not None else default_names[:n_recipes]
    names += [f"recipe-{i}" for i in range(len(names), n_recipes)]
    skills = dict(skills or {})
    for i, name in enumerate(names):
        skills.setdefault(name, 1.2 + 0.35 * ((i * 7) % 5))
    collapsed = dict(collapsed or {})
    fixed = design == "fixed-test"
    folds = 1 if fixed else n_folds
    n_runs = folds * n_seeds
    steps = dict(steps or {})

    # Results: one row per run. A shared run effect makes the paired tests sharper than the means.
    run_effect = rng.normal(scale=0.02, size=n_runs)
    metric_names = METRICS + (SHOT_METRICS if shots else ())
    rows = []
    for name in names:
        for run in range(n_runs):
            row: dict[str, Any] = {"recipe": name, "fold": run % folds, "seed": run // folds}
            for j, metric in enumerate(metric_names):
                base = 0.45 + 0.1 * skills[name] - 0.02 * j
                if name in collapsed:
                    base = 1.0 / n_classes if metric != "accuracy" else max(counts) / sum(counts)
                row[metric] = float(np.clip(base + run_effect[run] + rng.normal(scale=0.008), 0, 1))
            row["collapsed"] = run < collapsed.get(name, 0)
            row["selection"] = "holdout" if (run + len(name)) % 4 else "inner-cv"
            row["chosen_epochs"] = int(2 + (run * 3 + len(name)) % 9)
            row["fit_seconds"] = float(0.1 + rng.random())
            rows.append(row)
    results = pd.DataFrame(rows)

    test_counts = list(test_counts) if test_counts is not None else [max(3, c // 5) for c in counts]
    predictions = {
        name: _predictions(
            labels, test_counts, 0.7 * skills[name], rng, collapsed=name in collapsed
        )
        for name in names
    }

    recipes: dict[str, Any] = {}
    for name in names:
        part = results[results["recipe"] == name]
        metrics = {}
        for metric in metric_names:
            values = part[metric].to_numpy()
            half = 1.96 * values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.nan
            metrics[metric] = {
                "mean": float(values.mean()),
                "low": float(values.mean() - half),
                "high": float(values.mean() + half),
                "n": int(values.size),
            }
        pred = predictions[name]
        truth, guess = (
            np.array(pred["y_true"], dtype=object),
            np.array(pred["y_pred"], dtype=object),
        )
        recall = {str(label): float(np.mean(guess[truth == label] == label)) for label in labels}
        family = "reference" if name in references else "neural"
        recipe_steps = steps.get(
            name,
            {
                "model": "hist-gradient-boosting" if family == "reference" else "network",
                "loss": "cross-entropy",
                "head": "linear",
                "decision": "argmax",
            },
        )
        complexity = sum(
            COMPLEXITY[k]
            for k in COMPLEXITY
            if recipe_steps.get(k) not in (None, "cross-entropy", "argmax")
        )
        recipes[name] = {
            "description": f"{name} recipe",
            "family": family,
            "steps": {"resample": None, "batches": None, "schedule": None, **recipe_steps},
            "complexity": complexity,
            "metrics": metrics,
            "per_class_recall": recall,
            "collapsed_runs": int(collapsed.get(name, 0)),
            "n_runs": n_runs,
        }

    metric = "balanced_accuracy"
    ranking = sorted(names, key=lambda r: -recipes[r]["metrics"][metric]["mean"])
    values = {name: results[results["recipe"] == name][metric].to_numpy() for name in names}
    correction = 0.0 if fixed else 1.0 / (n_folds - 1)

    def compare(against: str, verdicts: tuple[str, str]) -> dict[str, Any]:
        table = {
            name: _paired(values[name], values[against], correction=correction)
            for name in names
            if name != against
        }
        adjusted = _holm({k: v["p_value"] for k, v in table.items()})
        for name, entry in table.items():
            entry["p_holm"] = adjusted[name]
            significant = adjusted[name] < 0.05
            entry["verdict"] = (
                (verdicts[0] if entry["diff"] > 0 else verdicts[1]) if significant else "tied"
            )
        return table

    baseline = names[0]
    vs_baseline = compare(baseline, ("better", "worse"))
    best = ranking[0]
    vs_best = compare(best, ("worse", "worse"))
    tied = [best] + [r for r in ranking if r in vs_best and vs_best[r]["verdict"] == "tied"]
    candidates = [
        r
        for r in tied
        if recipes[r]["family"] == "neural"
        and (r == baseline or vs_baseline.get(r, {}).get("verdict") == "better")
    ]
    recommended = (
        min(candidates, key=lambda r: (recipes[r]["complexity"], ranking.index(r)))
        if candidates
        else None
    )
    neural = [r for r in ranking if recipes[r]["family"] == "neural"]
    refs = [r for r in ranking if recipes[r]["family"] == "reference"]
    references_block = None
    if refs and neural:
        entry = _paired(
            values[refs[0]], values[neural[0]], correction=correction
        )  # reference minus neural
        verdict = (
            "tied"
            if entry["low"] <= 0 <= entry["high"]
            else "better"
            if entry["diff"] > 0
            else "worse"
        )
        sentence = {
            "tied": f"The best neural recipe, {neural[0]}, ties the best reference, {refs[0]}.",
            "worse": f"The best neural recipe, {neural[0]}, beats the best reference, {refs[0]}.",
            "better": f"The best reference, {refs[0]}, beats the best neural recipe, {neural[0]}.",
        }[verdict]
        references_block = {
            "best": refs[0],
            "against": neural[0],
            **entry,
            "verdict": verdict,
            "sentence": sentence,
        }
    if recommended is None:
        text = "No recipe beats the baseline beyond noise; keep the baseline."
    else:
        others = [r for r in tied if r != recommended]
        text = f"Use {recommended}" + (
            f": it ties {', '.join(others)} and is the simplest." if others else "."
        )

    profile = FakeProfile(
        dict(zip(labels, counts)),
        warnings=[f"Class {labels[-1]} has {counts[-1]} samples: SMOTE needs k_neighbors + 1."],
    )
    original = {label: int(c * 0.8) for label, c in zip(labels, counts)}
    resampled: dict[str, dict[Any, int]] = {"original": original}
    for i, name in enumerate(names):
        if i % 3 == 1:
            resampled[name] = {label: max(original.values()) for label in labels}
        elif i % 3 == 2:
            resampled[name] = {label: min(original.values()) for label in labels}
        else:
            resampled[name] = dict(original)

    shot_block = None
    if shots:
        groups = {"many": [], "medium": [], "few": []}
        for label, c in zip(labels, counts):
            groups["many" if c > shots["many"] else "few" if c < shots["few"] else "medium"].append(
                label
            )
        shot_block = {
            "thresholds": dict(shots),
            "rule": f"Many-shot classes have more than {shots['many']} training samples, few-shot classes fewer than {shots['few']}, medium-shot the rest.",
            "classes": groups,
        }
    test_set = (
        {
            "name": f"{dataset_name}-test",
            "n_samples": sum(test_counts),
            "class_counts": {str(k): v for k, v in zip(labels, test_counts)},
        }
        if fixed
        else None
    )
    n_method = {
        "holdout": int((results["selection"] == "holdout").sum()),
        "inner-cv": int((results["selection"] == "inner-cv").sum()),
    }
    summary = {
        "schema_version": 2,
        "metric": metric,
        "baseline": baseline,
        "n_folds": folds,
        "n_seeds": n_seeds,
        "design": {
            "kind": design,
            "description": f"balanced test set {dataset_name}-test x {n_seeds} seeds"
            if fixed
            else f"stratified {n_folds}-fold cross-validation x {n_seeds} seeds",
            "test": "paired bootstrap over test rows and seeds"
            if fixed
            else "Nadeau-Bengio corrected resampled t-test",
            "correction": "Holm",
            "alpha": 0.05,
        },
        "dataset": {
            "name": dataset_name,
            "n_samples": sum(counts),
            "n_features": 12,
            "class_counts": {str(k): v for k, v in zip(labels, counts)},
            "imbalance_ratio": profile.imbalance_ratio,
            "positive_class": positive_class if n_classes == 2 else None,
            "test_set": test_set,
        },
        "selection": {
            "criterion": "Epoch with the lowest balanced validation loss of the prior-corrected logits, the same rule for every recipe.",
            "budget_steps": 480,
            "steps_per_epoch": 12,
            "batch_size": 64,
            "methods": n_method,
            "note": "Classes with fewer than 5 validation rows use out-of-fold predictions of an inner 3-fold split."
            if n_method["inner-cv"]
            else "",
        },
        "shots": shot_block,
        "recipes": recipes,
        "vs_baseline": vs_baseline,
        "vs_best": vs_best,
        "best": best,
        "tied_with_best": tied,
        "recommended": recommended,
        "references": references_block,
        "ranking": ranking,
        "recommendation": text,
        "elapsed_seconds": 12.5,
    }
    config = {
        "folds": n_folds,
        "seeds": n_seeds,
        "metric": metric,
        "recipes": names,
        "data": "demo.csv",
        "equipoise_version": "0.1.0",
    }
    return {
        "title": title,
        "profile": profile,
        "results": results,
        "summary": summary,
        "predictions": predictions,
        "resampled_counts": resampled,
        "config": config,
    }


def binary_cv_inputs(**overrides: Any) -> dict[str, Any]:
    """5-fold CV x 3 seeds, labels ok/fraud (fraud positive), two references, ties with the best."""
    names = [
        "baseline",
        "smote",
        "threshold-tuned",
        "class-weights",
        "focal",
        "random-under",
        "hgb-balanced",
        "logreg-balanced",
    ]
    kwargs: dict[str, Any] = {
        "labels": ["ok", "fraud"],
        "counts": [1900, 100],
        "recipe_names": names,
        "n_recipes": len(names),
        "n_folds": 5,
        "n_seeds": 3,
        "skills": {
            "baseline": 2.2,
            "smote": 3.52,
            "threshold-tuned": 3.47,
            "class-weights": 3.42,
            "focal": 3.0,
            "random-under": 1.9,
            "hgb-balanced": 3.45,
            "logreg-balanced": 2.22,
        },
        "steps": {
            "baseline": {
                "model": "network",
                "loss": "cross-entropy",
                "head": "linear",
                "decision": "argmax",
            },
            "smote": {
                "model": "network",
                "resample": "smote",
                "loss": "cross-entropy",
                "head": "linear",
                "decision": "argmax",
            },
            "threshold-tuned": {
                "model": "network",
                "loss": "cross-entropy",
                "head": "linear",
                "decision": "threshold",
            },
            "class-weights": {
                "model": "network",
                "loss": "weighted-cross-entropy",
                "head": "linear",
                "decision": "argmax",
            },
            "focal": {"model": "network", "loss": "focal", "head": "linear", "decision": "argmax"},
            "random-under": {
                "model": "network",
                "resample": "random-under",
                "loss": "cross-entropy",
                "head": "linear",
                "decision": "argmax",
            },
            "hgb-balanced": {
                "model": "hist-gradient-boosting",
                "loss": "balanced weights",
                "head": "trees",
                "decision": "argmax",
            },
            "logreg-balanced": {
                "model": "logistic-regression",
                "loss": "balanced weights",
                "head": "linear",
                "decision": "argmax",
            },
        },
        "references": ("hgb-balanced", "logreg-balanced"),
        "positive_class": "fraud",
        "dataset_name": "fraud-demo",
        "title": 'equipoise comparison: "transactions_2025_q4_all_regions_deduplicated.csv"',
    }
    kwargs.update(overrides)
    return make_inputs(**kwargs)


def longtail_inputs(**overrides: Any) -> dict[str, Any]:
    """A balanced fixed test set, 10 long-tailed classes 0..9 (500 down to 5 samples), 3 seeds,
    many/medium/few shots at 100 and 20, one reference, a baseline collapsed to class 0."""
    names = [
        "baseline",
        "logit-adjusted",
        "balanced-softmax",
        "ldam-drw",
        "cb-focal",
        "hgb-balanced",
    ]
    counts = [int(round(500 * 0.01 ** (i / 9))) for i in range(10)]
    kwargs: dict[str, Any] = {
        "labels": list(range(10)),
        "counts": counts,
        "test_counts": [50] * 10,
        "recipe_names": names,
        "n_recipes": len(names),
        "n_seeds": 3,
        "design": "fixed-test",
        "skills": {
            "baseline": 1.0,
            "logit-adjusted": 3.6,
            "balanced-softmax": 3.5,
            "ldam-drw": 3.1,
            "cb-focal": 2.8,
            "hgb-balanced": 2.6,
        },
        "references": ("hgb-balanced",),
        "collapsed": {"baseline": 3},
        "shots": {"many": 100, "few": 20},
        "dataset_name": "digits-lt-100",
        "title": "equipoise comparison: digits-lt-100",
        "seed": 1,
    }
    kwargs.update(overrides)
    return make_inputs(**kwargs)


def legacy_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """The schema-1 shape of a summary: no design, selection, shots, ties or references, and
    verdicts spelled "no clear difference"."""
    old = copy.deepcopy(summary)
    for key in (
        "schema_version",
        "design",
        "selection",
        "shots",
        "vs_best",
        "best",
        "tied_with_best",
        "recommended",
        "references",
    ):
        old.pop(key, None)
    for entry in old["vs_baseline"].values():
        entry.pop("p_holm", None)
        if entry["verdict"] == "tied":
            entry["verdict"] = "no clear difference"
    for entry in old["recipes"].values():
        for key in (
            "family",
            "steps",
            "complexity",
            "per_class_recall",
            "collapsed_runs",
            "n_runs",
        ):
            entry.pop(key, None)
    for key in ("positive_class", "test_set"):
        old["dataset"].pop(key, None)
    return old


@functools.cache
def rendered(case: str) -> tuple[dict[str, Any], str]:
    """``(inputs, page)`` of a preset ("binary" or "longtail") rendered with real figures at
    :data:`FIXED_TIME`, once per process (both test modules share it). Read-only."""
    from equipoise.compare.report import render_report

    kwargs = {"binary": binary_cv_inputs, "longtail": longtail_inputs}[case]()
    return kwargs, render_report(generated=FIXED_TIME, **kwargs)
