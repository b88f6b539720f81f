"""Which rows each run trains on, selects on and is scored on.

Two designs:

- **cross-validation** (:func:`make_splits`): for every seed, a stratified k-fold split of the
  data; the test fold is scored, the rest is the *training fold*;
- **fixed test set** (:func:`make_fixed_test_splits`): the whole data is the training fold of
  every run, a separate test set (a long-tailed set's balanced test split, or ``--test FILE``)
  is scored; seeds repeat the training.

Inside each training fold, before anything is fitted, the rows used for *selection* (the epoch
to keep, the tuned threshold) are carved out by :func:`selection_rows`:

- **holdout**: a stratified validation split with at least ``min_val_rows`` rows of every class
  (the share ``val_size`` is enlarged for small classes, never beyond half of a class);
- **inner-cv**: when a class has too few rows for that, stratified inner folds of the training
  fold; the models trained on them choose the epoch and fit the decision out-of-fold.

Every recipe gets the same :class:`Split` objects, so run-by-run differences are paired.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import InvalidInputError
from .settings import TrainSettings

__all__ = ["Split", "make_splits", "make_fixed_test_splits", "selection_rows", "run_seed"]


def run_seed(random_state: int, seed: int, fold: int) -> int:
    """The seed of one run (splits inside the fold, resampler, sampler, initial weights).

    A hash of ``(random_state, seed, fold)``, so runs are independent of execution order and
    executor, and every recipe of one (seed, fold) gets the same one.
    """
    digest = hashlib.sha256(f"{random_state}:{seed}:{fold}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


@dataclass(frozen=True)
class Split:
    """Row indices of one run (one fold of one seed).

    Attributes
    ----------
    fold, seed : int
    train : numpy.ndarray
        Rows the final model trains on: the training part (holdout) or the whole training fold
        (inner-cv).
    val : numpy.ndarray
        The validation split (holdout); empty for inner-cv.
    test : numpy.ndarray
        Scored rows: indices into the data (cross-validation) or into the test set (fixed test).
    selection : {'holdout', 'inner-cv'}
    inner : tuple of (train, val) index pairs
        Inner folds of the training fold (inner-cv only), as indices into the data.
    enlarged : tuple of int
        Encoded classes whose validation share was raised to ``min_val_rows``.
    """

    fold: int
    seed: int
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    selection: str = "holdout"
    inner: tuple[tuple[np.ndarray, np.ndarray], ...] = field(default=(), repr=False)
    enlarged: tuple[int, ...] = ()


def _holdout_sizes(counts: np.ndarray, settings: TrainSettings) -> tuple[np.ndarray, bool]:
    """Validation rows per class and whether every class reaches ``min_val_rows``.

    ``max(round(val_size * n_c), min_val_rows)``, capped so the class keeps at least
    ``min_val_rows`` training rows (and at least half of its rows).
    """
    m = settings.min_val_rows
    share = np.rint(settings.val_size * counts).astype(np.int64)
    want = np.maximum(share, m)
    cap = np.minimum(counts - m, counts // 2)
    sizes = np.minimum(want, np.maximum(cap, 0))
    feasible = bool(np.all(sizes >= m))
    if not feasible:  # forced holdout: the plain share, at least one row where the class has two
        sizes = np.where(counts >= 2, np.clip(share, 1, counts - 1), 0)
    return sizes.astype(np.int64), feasible


def selection_rows(
    y_encoded: np.ndarray,
    rows: np.ndarray,
    *,
    n_classes: int,
    settings: TrainSettings,
    seed: int,
) -> tuple[str, np.ndarray, np.ndarray, tuple[tuple[np.ndarray, np.ndarray], ...], tuple[int, ...]]:
    """Split a training fold ``rows`` into what trains and what selects.

    Returns
    -------
    selection : {'holdout', 'inner-cv'}
    train, val : numpy.ndarray
        Sorted row indices (``val`` empty for inner-cv, ``train`` then the whole fold).
    inner : tuple of (train, val)
        Inner folds (inner-cv only).
    enlarged : tuple of int
        Classes whose validation share was raised to ``min_val_rows`` (holdout only).
    """
    rows = np.sort(np.asarray(rows, dtype=np.int64))
    labels = y_encoded[rows]
    counts = np.bincount(labels, minlength=n_classes)
    sizes, feasible = _holdout_sizes(counts, settings)
    mode = settings.selection
    if mode == "auto":
        mode = "holdout" if feasible else "inner-cv"
    rng = np.random.default_rng(seed)
    if mode == "holdout":
        share = np.rint(settings.val_size * counts).astype(np.int64)
        val_parts = []
        for c in range(n_classes):
            members = rows[labels == c]
            val_parts.append(rng.permutation(members)[: sizes[c]])
        val = np.sort(np.concatenate(val_parts)) if val_parts else np.empty(0, np.int64)
        train = np.setdiff1d(rows, val, assume_unique=True)
        enlarged = tuple(int(c) for c in np.flatnonzero((sizes > share) & feasible))
        return "holdout", train, val, (), enlarged
    from sklearn.model_selection import StratifiedKFold

    k = int(min(settings.inner_folds, len(rows)))
    inner_cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # classes smaller than k: spread over folds
        inner = tuple((rows[a], rows[b]) for a, b in inner_cv.split(np.zeros(len(rows)), labels))
    return "inner-cv", rows, np.empty(0, np.int64), inner, ()


def _check_fold_sizes(y_encoded: np.ndarray, folds: int) -> None:
    counts = np.bincount(y_encoded)
    smallest = int(counts.min())
    if smallest < folds:
        advice = (
            f"Use folds={smallest} or fewer, or score on a separate test set (--test FILE / test=...)."
            if smallest >= 2
            else "A class with a single sample cannot be cross-validated: score on a separate test "
            "set (--test FILE / test=...), gather more data, or drop that class."
        )
        raise InvalidInputError(
            f"the smallest class has {smallest} sample(s), fewer than folds={folds}: every test fold "
            f"needs at least one. {advice}"
        )


def make_splits(
    y_encoded: np.ndarray,
    *,
    folds: int,
    seeds: int,
    settings: TrainSettings,
    random_state: int,
) -> list[Split]:
    """Stratified k-fold splits per seed, each training fold split into what trains and selects.

    Parameters
    ----------
    y_encoded : numpy.ndarray of int64
        Encoded labels of the data.
    folds, seeds : int
    settings : TrainSettings
        ``val_size``, ``min_val_rows``, ``selection`` and ``inner_folds`` decide the selection rows.
    random_state : int

    Returns
    -------
    list of Split
        Seed-major: ``folds`` splits for seed 0, then seed 1, ...

    Raises
    ------
    InvalidInputError
        When a class has fewer samples than ``folds``.
    """
    from sklearn.model_selection import StratifiedKFold

    y_encoded = np.asarray(y_encoded, dtype=np.int64)
    _check_fold_sizes(y_encoded, folds)
    n_classes = int(y_encoded.max()) + 1
    splits = []
    for seed in range(seeds):
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state + seed)
        for fold, (train_idx, test_idx) in enumerate(
            skf.split(np.zeros(len(y_encoded)), y_encoded)
        ):
            mode, tr, va, inner, enlarged = selection_rows(
                y_encoded,
                train_idx,
                n_classes=n_classes,
                settings=settings,
                seed=run_seed(random_state, seed, fold),
            )
            splits.append(Split(fold, seed, tr, va, np.sort(test_idx), mode, inner, enlarged))
    return splits


def make_fixed_test_splits(
    y_encoded: np.ndarray,
    n_test: int,
    *,
    seeds: int,
    settings: TrainSettings,
    random_state: int,
) -> list[Split]:
    """One split per seed: train (and select) on all of ``y_encoded``, score the ``n_test`` rows
    of a separate test set.

    Seeds change the selection rows, the resampler, the sampler and the initial weights.
    """
    y_encoded = np.asarray(y_encoded, dtype=np.int64)
    n_classes = int(y_encoded.max()) + 1
    rows = np.arange(len(y_encoded))
    test = np.arange(int(n_test))
    splits = []
    for seed in range(seeds):
        mode, tr, va, inner, enlarged = selection_rows(
            y_encoded,
            rows,
            n_classes=n_classes,
            settings=settings,
            seed=run_seed(random_state, seed, 0),
        )
        splits.append(Split(0, seed, tr, va, test, mode, inner, enlarged))
    return splits
