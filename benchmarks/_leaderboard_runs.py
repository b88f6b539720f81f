"""Runs behind the technique leaderboard: equipoise recipes, practitioner references, images.

* :func:`run_tabular` -- :func:`equipoise.compare.compare` on one dataset, resumable through its
  journal in ``out``;
* :func:`run_references` -- what a practitioner would otherwise use, on the *same* folds
  (:func:`equipoise.compare.runner.make_splits`, the generator ``compare`` uses): an
  imbalanced-learn ``Pipeline(preprocess, SMOTE, MLPClassifier)`` and
  ``HistGradientBoostingClassifier(class_weight='balanced')``, scored with
  :func:`equipoise.metrics.imbalance_report` as ``compare`` scores its runs;
* :func:`run_fixed_test` -- the long-tailed protocol of the literature (Cui et al. 2019; Cao et
  al. 2019): train on the long-tailed training set, test on the balanced test set, one run per
  seed, through :func:`equipoise.compare.runner.run_one` and a resumable
  :class:`equipoise.compare.Journal`.

Every result is a long frame with columns ``method, fold, seed`` and one column per metric.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equipoise.compare import Journal, _preprocess, compare, get_recipe
from equipoise.compare.runner import Split, TrainSettings, _run_seed, make_splits, run_one
from equipoise.exceptions import EquipoiseError
from equipoise.metrics import imbalance_report

__all__ = ["REFERENCES", "METRICS", "run_fixed_test", "run_references", "run_tabular"]

METRICS = ("balanced_accuracy", "g_mean", "pr_auc")
REFERENCES = ("imblearn-smote+mlp", "sklearn-hgb-balanced")


def _as_long(results: pd.DataFrame) -> pd.DataFrame:
    frame = results.rename(columns={"recipe": "method"})
    return frame[["method", "fold", "seed", *[m for m in METRICS if m in frame]]]


def _has_missing(X: Any) -> bool:
    """Impute (per training fold) only where a dataset has missing values: a few KEEL sets do
    (cleveland-0_vs_4), and switching imputation on elsewhere would change compare's config hash."""
    return bool(pd.DataFrame(X).isna().to_numpy().any())


def run_tabular(
    X: Any, y: Any, *, name: str, recipes: Sequence[str], folds: int, seeds: int, jobs: int, out: Path,
    max_epochs: int = 40,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``compare`` on one dataset; returns the per-run frame and the failed recipes."""
    res = compare(
        X, y, recipes=list(recipes), folds=folds, seeds=seeds, jobs=jobs, out=out, progress=False,
        report=False, dataset_name=name, threads=1, max_epochs=max_epochs, impute=_has_missing(X),
    )
    return _as_long(res.results), dict(res.summary.get("failed", {}))


# --------------------------------------------------------------------------------------------
# Practitioner references
# --------------------------------------------------------------------------------------------


def _reference_estimator(name: str, data: Any, y_train: np.ndarray, random_state: int) -> Any:
    """Unfitted estimator; preprocessing is the same ``ColumnTransformer`` compare fits per fold
    (standardise numeric, one-hot categorical), fitted inside the pipeline on the training fold."""
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import Pipeline
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neural_network import MLPClassifier

    pre = _preprocess.make_preprocessor(data)
    if name == "imblearn-smote+mlp":
        smallest = int(np.bincount(y_train).min())
        k = min(5, smallest - 1)
        if k < 1:
            raise ValueError(f"SMOTE needs 2 samples in every class; the smallest training class has {smallest}.")
        return Pipeline([
            ("preprocess", pre),
            ("smote", SMOTE(k_neighbors=k, random_state=random_state)),
            ("mlp", MLPClassifier(random_state=random_state, max_iter=300)),
        ])
    if name == "sklearn-hgb-balanced":
        return Pipeline([
            ("preprocess", pre),
            ("hgb", HistGradientBoostingClassifier(class_weight="balanced", random_state=random_state)),
        ])
    raise ValueError(f"unknown reference {name!r}; expected one of {list(REFERENCES)}.")


def _score(y_true: np.ndarray, y_pred: np.ndarray, probs: np.ndarray, n_classes: int) -> dict[str, float]:
    score = probs[:, 1] if n_classes == 2 else probs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = imbalance_report(y_true, y_pred, score, labels=np.arange(n_classes))
    return {k: float(v) for k, v in report.summary.items()}


def _fit_score(name: str, data: Any, split: Split, random_state: int) -> dict[str, float]:
    """Fit on the whole training fold (training part + validation split: the references need no
    early-stopping split) and score the test fold."""
    train = np.sort(np.concatenate([split.train, split.val]))
    X, y_enc = data.X, data.y_encoded
    take = (lambda idx: X.iloc[idx]) if isinstance(X, pd.DataFrame) else (lambda idx: X[idx].reshape(len(idx), -1))
    est = _reference_estimator(name, data, y_enc[train], _run_seed(random_state, split.seed, split.fold))
    if data.kind == "image":  # the image standardiser wants (N, C, H, W); references see flat pixels
        from sklearn.preprocessing import StandardScaler

        est.steps[0] = ("preprocess", StandardScaler())
    from threadpoolctl import threadpool_limits

    # one OpenMP/BLAS thread: on a busy machine HistGradientBoosting's OpenMP threads spin on tiny
    # data and one fit took minutes instead of a second
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        est.fit(take(train), y_enc[train])
        probs = est.predict_proba(take(split.test))
    pred = np.asarray(est.classes_)[probs.argmax(axis=1)]
    return _score(y_enc[split.test], pred, probs, len(data.classes))


def run_references(
    X: Any, y: Any, *, folds: int, seeds: int, out: Path, random_state: int = 0,
    references: Sequence[str] = REFERENCES,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The practitioner references on compare's folds, cached in ``out/references.csv``.

    Returns the per-run frame and ``{reference: error}`` for those that could not run.
    """
    data = _preprocess.prepare_data(X, y, impute=_has_missing(X))
    splits = make_splits(data.y_encoded, folds=folds, seeds=seeds, val_size=0.2, random_state=random_state)
    return _cached_references(out, {"folds": folds, "seeds": seeds, "random_state": random_state, "n": data.n_samples},
                              references, lambda name: [{"fold": s.fold, "seed": s.seed, **_fit_score(name, data, s, random_state)} for s in splits])


def _cached_references(out: Path, key: dict[str, Any], references: Sequence[str], compute: Any) -> tuple[pd.DataFrame, dict[str, str]]:
    out.mkdir(parents=True, exist_ok=True)
    cache, meta = out / "references.csv", out / "references.json"
    if cache.exists() and meta.exists() and json.loads(meta.read_text()) == key:
        frame = pd.read_csv(cache)
        errors = json.loads((out / "references_failed.json").read_text()) if (out / "references_failed.json").exists() else {}
        if set(references) <= set(frame["method"]) | set(errors):
            return frame, errors
    rows, errors = [], {}
    for name in references:
        try:
            rows.extend({"method": name, **r} for r in compute(name))
        except (EquipoiseError, ValueError) as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
    frame = pd.DataFrame(rows, columns=["method", "fold", "seed", *METRICS]) if not rows else pd.DataFrame(rows)
    frame = frame[["method", "fold", "seed", *[m for m in METRICS if m in frame]]]
    frame.to_csv(cache, index=False)
    meta.write_text(json.dumps(key))
    (out / "references_failed.json").write_text(json.dumps(errors))
    return frame, errors


# --------------------------------------------------------------------------------------------
# Long-tailed training set, balanced test set
# --------------------------------------------------------------------------------------------


def fixed_test_splits(y_train: np.ndarray, n_test: int, *, seeds: int, val_size: float, random_state: int) -> list[Split]:
    """One :class:`Split` per seed over ``[train rows; test rows]``: the test rows are the fixed
    balanced test set; the long-tailed rows are split per class into a training part and a
    validation split of ``min(n_c - 1, round(val_size * n_c))`` rows (so a class of one or two
    images stays entirely in training, and no class loses its last training image)."""
    n_train = len(y_train)
    test = np.arange(n_train, n_train + n_test)
    splits = []
    for seed in range(seeds):
        rng = np.random.default_rng(_run_seed(random_state, seed, 0))
        tr, va = [], []
        for c in np.unique(y_train):
            idx = rng.permutation(np.flatnonzero(y_train == c))
            n_val = min(len(idx) - 1, int(round(val_size * len(idx))))
            va.append(idx[:n_val])
            tr.append(idx[n_val:])
        splits.append(Split(0, seed, np.sort(np.concatenate(tr)), np.sort(np.concatenate(va)), test))
    return splits


def run_fixed_test(
    X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, *,
    recipes: Sequence[str], seeds: int, out: Path, random_state: int = 0, max_epochs: int = 40,
    references: Sequence[str] = REFERENCES,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Train every recipe on the long-tailed set, score on the balanced test set, per seed.

    Resumable: finished runs go to ``out/journal.sqlite`` (the configuration is hashed as in
    ``compare``). Returns the per-run frame (recipes and references) and the failures.
    """
    X_all = np.concatenate([X_train, X_test]).astype(np.float32)
    y_all = np.concatenate([y_train, y_test])
    data = _preprocess.prepare_data(X_all, y_all)
    settings = TrainSettings(max_epochs=max_epochs)
    splits = fixed_test_splits(data.y_encoded[: len(y_train)], len(y_test), seeds=seeds, val_size=settings.val_size, random_state=random_state)
    recipe_list = [get_recipe(r) for r in recipes]
    config = {
        "protocol": "long-tailed train, balanced test",
        "n_train": len(y_train), "n_test": len(y_test), "seeds": seeds, "random_state": random_state,
        "train": settings.to_dict(), "shape": list(X_all.shape), "checksum": float(np.float64(X_all.sum())),
    }
    out.mkdir(parents=True, exist_ok=True)
    failures: dict[str, str] = {}
    with Journal(out / "journal.sqlite", config) as journal:
        journal.check_recipes({r.name: r.fingerprint() for r in recipe_list})
        done = journal.done()
        for split in splits:
            for recipe in recipe_list:
                if (recipe.name, split.fold, split.seed) in done or recipe.name in failures:
                    continue
                try:
                    journal.add(run_one(data, split, recipe, settings=settings, random_state=random_state, threads=1))
                except (EquipoiseError, ValueError, RuntimeError) as exc:
                    failures[recipe.name] = f"{type(exc).__name__}: {exc}"
        records = journal.records()
    rows = [{"method": r.recipe, "fold": r.fold, "seed": r.seed, **{m: r.metrics.get(m, np.nan) for m in METRICS}}
            for r in records if r.recipe in {x.name for x in recipe_list} and r.seed < seeds and r.recipe not in failures]
    frame = pd.DataFrame(rows)

    def compute(name: str) -> list[dict[str, Any]]:
        return [{"fold": s.fold, "seed": s.seed, **_fit_score(name, data, s, random_state)} for s in splits]

    ref, ref_errors = _cached_references(out, {"fixed_test": True, "seeds": seeds, "random_state": random_state, "n": len(y_all)}, references, compute)
    return pd.concat([frame, ref], ignore_index=True), {**failures, **ref_errors}
