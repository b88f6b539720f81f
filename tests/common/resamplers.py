"""Instances of every registered resampler, configured for the shared checks."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

from equipoise.resample import RESAMPLERS, BaseResampler

# Resamplers whose constructor needs arguments that generic numeric data cannot supply
# (SMOTENC needs categorical columns); they have their own suites.
NEEDS_OWN_SUITE = {"smotenc"}

# Parameters for the shared checks, where a default would make them slow or needs special data.
# The defaults themselves are exercised in each sampler's own test module.
CHECK_PARAMS = {
    # 100 trees x 5 folds per call is the default; a linear model keeps the checks fast.
    "instance-hardness-threshold": lambda: {"estimator": LogisticRegression(max_iter=500), "cv": 3},
    # imbalanced-learn's own checks configure ClusterCentroids the same way (soft voting, so
    # dense and sparse input give the same centroids; one k-means init).
    "cluster-centroids": lambda: {
        "estimator": KMeans(n_init=1, max_iter=50, random_state=0),
        "voting": "soft",
    },
    # 12 clusters, as imbalanced-learn's own checks use, so each minority class has clusters it dominates.
    # Few clusters and a low threshold, so every check's data has clusters each class dominates
    # enough; one thread (k-means' OpenMP threads crawl on a loaded machine).
    "kmeans-smote": lambda: {"kmeans_estimator": 4, "cluster_balance_threshold": 0.1, "n_jobs": 1},
}


# Resamplers of continuous targets (SMOTER, SMOGN, ...) have their own suite: tests/regression.
CONTINUOUS = {
    name
    for name in RESAMPLERS.names()
    if getattr(RESAMPLERS.get(name), "_target_kind", "classes") == "continuous"
}


def registered_names() -> list[str]:
    return [
        name
        for name in RESAMPLERS.names()
        if name not in NEEDS_OWN_SUITE | CONTINUOUS and not is_multilabel(name)
    ]


def is_multilabel(name: str) -> bool:
    """Multi-label resamplers take an indicator matrix; tests/multilabel has their suite."""
    return RESAMPLERS.get(name)._target_kind == "multilabel"


def build(name: str, **params) -> BaseResampler:
    cls = RESAMPLERS.get(name)
    params = {**CHECK_PARAMS.get(name, dict)(), **params}
    sampler = cls(**params)
    if "random_state" in sampler.get_params() and "random_state" not in params:
        sampler.set_params(random_state=0)
    return sampler


def prepare_X(name: str, X: np.ndarray) -> np.ndarray:
    """The shared checks' continuous X, made suitable for ``name``.

    SMOTEN treats every column as categorical: it gets the features rounded to integers
    (a handful of categories per column), same dtype.
    """
    if name == "smoten":
        return np.round(X).astype(X.dtype)
    return X


def family(sampler: BaseResampler) -> str:
    """'over' (exact over-samplers), 'adaptive' (ADASYN: rounded per row, like imbalanced-learn),
    'combine', 'under', 'under-at-least' (InstanceHardnessThreshold keeps rows tied with its
    threshold, as imbalanced-learn does) or 'clean'."""
    kind = sampler._sampling_type
    name = type(sampler).__name__
    if kind == "over-sampling":
        if name in {"SMOTETomek", "SMOTEENN"}:
            return "combine"
        return "adaptive" if name == "ADASYN" else "over"
    if kind == "under-sampling":
        return "under-at-least" if name == "InstanceHardnessThreshold" else "under"
    return "clean"
