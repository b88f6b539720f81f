"""``compare`` for multi-label targets: the same fair protocol, multi-label recipes.

Every recipe trains the same model (:class:`equipoise.compare.models.MLP`, one logit per label)
with the same budget (epochs, batch size, Adam learning rate) on the same rows of the same folds;
the folds come from iterative stratification (Sechidis et al. 2011; the
``iterative-stratification`` package, ``pip install 'equipoise[multilabel]'``), repeated over
``seeds``. Inside each training fold a stratified 20% holdout is kept aside: every recipe trains
on the other 80%, and the threshold recipe tunes its per-label thresholds on the holdout (the
others predict ``sigmoid >= 0.5``). Features are standardised on the training rows only, and
resampling touches the training rows only.

Head / medium / tail labels: training count above the upper tertile of the training label counts /
between / at most the lower tertile. Each recipe's per-fold scores (macro-F1, micro-F1, mAP,
tail-label F1, ...) are compared with the
baseline's by the Nadeau-Bengio corrected resampled t-test
(:func:`~equipoise.compare.statistics.corrected_resampled_ttest`, ``test/train = 1/(k-1)``) and
Holm's correction (:func:`~equipoise.compare.statistics.holm`): a difference is called real only
when the adjusted p-value is below ``alpha``, otherwise the verdict is "tied". The recommendation
is the simplest recipe (first in :data:`MULTILABEL_RECIPES` order) among those tied with the best
that beat the baseline; when none beats it, nothing is recommended.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_indicator_target, check_X, to_numpy_container
from ..exceptions import InvalidParameterError
from ..metrics._multilabel import label_groups, multilabel_metrics
from .statistics import corrected_mean_ci, corrected_resampled_ttest, holm

__all__ = ["MultiLabelRecipe", "MULTILABEL_RECIPES", "MultiLabelComparison", "compare_multilabel"]


@dataclass(frozen=True)
class MultiLabelRecipe:
    """A multi-label recipe: an optional resampler, a multi-label loss, a decision rule.

    Attributes
    ----------
    name : str
    resample : str or None
        A :data:`equipoise.resample.RESAMPLERS` name of a multi-label resampler (``'ml-ros'``, ...).
    loss : str
        A :data:`equipoise.losses.MULTILABEL_LOSSES` name.
    thresholds : bool
        Tune one threshold per label on the holdout (:func:`equipoise.posthoc.tune_label_thresholds`).
    """

    name: str
    resample: str | None = None
    loss: str = "bce"
    thresholds: bool = False


MULTILABEL_RECIPES: dict[str, MultiLabelRecipe] = {
    r.name: r
    for r in (
        MultiLabelRecipe("baseline"),
        MultiLabelRecipe("label-thresholds", thresholds=True),
        MultiLabelRecipe("asl", loss="asymmetric"),
        MultiLabelRecipe("db-loss", loss="distribution-balanced"),
        MultiLabelRecipe("ml-ros", resample="ml-ros"),
        MultiLabelRecipe("mlsmote", resample="mlsmote"),
    )
}
"""The built-in recipes, simplest first (the order breaks ties in the recommendation)."""

SCORES = (
    "macro_f1",
    "micro_f1",
    "weighted_f1",
    "map",
    "macro_recall",
    "hamming_loss",
    "head_f1",
    "medium_f1",
    "tail_f1",
)


@dataclass
class MultiLabelComparison:
    """What :func:`compare_multilabel` found.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per (recipe, seed, fold) with every score of :data:`SCORES`.
    summary : pandas.DataFrame
        Per recipe: the mean of each score with its Nadeau-Bengio corrected 95% interval
        (``<score>``, ``<score>_low``, ``<score>_high``), and on ``metric`` the difference with
        the baseline, its Holm-adjusted p-value and the verdict ('better', 'worse', 'tied').
    metric : str
    recommended : str or None
        None when no recipe beats the baseline beyond noise.
    text : str
        The recommendation in words.
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    metric: str
    recommended: str | None
    text: str
    notes: list[str] = field(default_factory=list)


def _folds(Y: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    try:
        from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    except ImportError:
        raise ImportError(
            "Multi-label comparisons make their folds by iterative stratification, from the "
            "'iterative-stratification' package: pip install 'equipoise[multilabel]'."
        ) from None
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros((len(Y), 1)), Y)]


def _holdout(Y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
    fit, val = next(splitter.split(np.zeros((len(Y), 1)), Y))
    return np.asarray(fit), np.asarray(val)


def _train_scores(
    recipe: MultiLabelRecipe,
    X_fit: np.ndarray,
    Y_fit: np.ndarray,
    X_eval: list[np.ndarray],
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
) -> list[np.ndarray]:
    """Train the model of ``recipe`` on the fit rows; sigmoid scores of each array in ``X_eval``."""
    import torch

    from ..losses import MULTILABEL_LOSSES
    from ..resample import make_resampler
    from .models import MLP

    if recipe.resample is not None:
        sampler = make_resampler(recipe.resample, random_state=seed)
        X_fit, Y_fit = sampler.fit_resample(X_fit, Y_fit)
    n, n_labels = Y_fit.shape
    counts = np.clip(Y_fit.sum(axis=0), 1, n - 1)  # DB loss needs every prior in (0, 1)
    loss_fn = MULTILABEL_LOSSES.get(recipe.loss).from_counts(counts, n_samples=int(n))
    torch.manual_seed(seed)
    model = MLP(X_fit.shape[1], n_labels)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    X_t = torch.tensor(np.asarray(X_fit), dtype=torch.float32)
    Y_t = torch.tensor(np.asarray(Y_fit), dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            optimiser.zero_grad()
            loss_fn(model(X_t[rows]), Y_t[rows]).backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        return [
            torch.sigmoid(model(torch.as_tensor(x, dtype=torch.float32))).numpy() for x in X_eval
        ]


def compare_multilabel(
    X: Any,
    Y: Any,
    *,
    recipes: Sequence[str | MultiLabelRecipe] | None = None,
    folds: int = 5,
    seeds: int = 1,
    metric: str = "macro_f1",
    baseline: str = "baseline",
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 3e-3,
    alpha: float = 0.05,
    random_state: int = 0,
) -> MultiLabelComparison:
    """Run multi-label recipes side by side under one protocol and say which (if any) helps.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Numeric features.
    Y : indicator matrix of shape (n_samples, n_labels)
    recipes : sequence of names or MultiLabelRecipe, optional
        Default: every :data:`MULTILABEL_RECIPES` entry.
    folds, seeds : int, default=5, 1
        ``seeds`` repetitions of ``folds``-fold iterative stratification.
    metric : str, default='macro_f1'
        The score the verdict is about (one of :data:`SCORES`; Hamming loss: lower is better).
    baseline : str, default='baseline'
    epochs, batch_size, lr : training budget, the same for every recipe.
    alpha : float, default=0.05
        Family-wise level of the Holm-corrected tests.
    random_state : int, default=0

    Returns
    -------
    MultiLabelComparison
    """
    if metric not in SCORES:
        raise InvalidParameterError(
            f"The 'metric' parameter of compare_multilabel must be one of {list(SCORES)}; got {metric!r}."
        )
    for name, value, low in (
        ("folds", folds, 2),
        ("seeds", seeds, 1),
        ("epochs", epochs, 1),
        ("batch_size", batch_size, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise InvalidParameterError(
                f"The {name!r} parameter of compare_multilabel must be an int >= {low}; got {value!r}."
            )
    unknown = [r for r in (recipes or []) if isinstance(r, str) and r not in MULTILABEL_RECIPES]
    if unknown:
        raise InvalidParameterError(
            f"compare_multilabel: unknown multi-label recipe(s) {unknown}; expected some of {list(MULTILABEL_RECIPES)}."
        )
    chosen = [
        MULTILABEL_RECIPES[r] if isinstance(r, str) else r
        for r in (recipes or list(MULTILABEL_RECIPES))
    ]
    if baseline not in {r.name for r in chosen}:
        raise InvalidParameterError(
            f"compare_multilabel needs the baseline recipe {baseline!r} among the recipes."
        )
    X_arr, _ = to_numpy_container(X)
    X_arr = check_X(
        np.asarray(X_arr, dtype=np.float64), owner="compare_multilabel", accept_sparse=False
    )
    Y_arr, names = check_indicator_target(Y, owner="compare_multilabel")
    rows = []
    for s in range(seeds):
        seed = random_state + s
        for k, (train, test) in enumerate(_folds(Y_arr, folds, seed)):
            fit_idx, val_idx = _holdout(Y_arr[train], seed)
            fit, val = train[fit_idx], train[val_idx]
            mean, std = X_arr[fit].mean(axis=0), X_arr[fit].std(axis=0)
            std[std == 0] = 1.0
            Xf, Xv, Xt = ((X_arr[i] - mean) / std for i in (fit, val, test))
            groups = label_groups(
                Y_arr[train].sum(axis=0),
                many=int(np.quantile(Y_arr[train].sum(axis=0), 2 / 3)),
                few=int(np.quantile(Y_arr[train].sum(axis=0), 1 / 3)) + 1,
            )
            for recipe in chosen:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)  # a label absent from a fold
                    val_score, test_score = _train_scores(
                        recipe,
                        Xf,
                        Y_arr[fit],
                        [Xv, Xt],
                        epochs=epochs,
                        batch_size=batch_size,
                        lr=lr,
                        seed=seed * 1000 + k,
                    )
                if recipe.thresholds:
                    from ..posthoc import tune_label_thresholds

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        th = tune_label_thresholds(Y_arr[val], val_score)
                else:
                    th = np.full(Y_arr.shape[1], 0.5)
                pred = (test_score >= th).astype(np.uint8)
                scores = multilabel_metrics(Y_arr[test], pred, test_score, groups)
                rows.append({"recipe": recipe.name, "seed": seed, "fold": k, **scores})
    runs = pd.DataFrame(rows)
    return _summarise(runs, [r.name for r in chosen], metric, baseline, folds, alpha)


def _summarise(
    runs: pd.DataFrame, order: list[str], metric: str, baseline: str, folds: int, alpha: float
) -> MultiLabelComparison:
    ratio = 1.0 / (folds - 1)
    sign = -1.0 if metric == "hamming_loss" else 1.0
    table = []
    keyed = {name: runs[runs["recipe"] == name].sort_values(["seed", "fold"]) for name in order}
    for name in order:
        entry: dict[str, Any] = {"recipe": name}
        for score in SCORES:
            m, lo, hi = corrected_mean_ci(
                keyed[name][score].to_numpy(), test_train_ratio=ratio, bounds=(0.0, 1.0)
            )
            entry.update({score: m, f"{score}_low": lo, f"{score}_high": hi})
        table.append(entry)
    summary = pd.DataFrame(table).set_index("recipe")
    base = keyed[baseline][metric].to_numpy()
    tests = {
        n: corrected_resampled_ttest(keyed[n][metric].to_numpy(), base, test_train_ratio=ratio)
        for n in order
        if n != baseline
    }
    adjusted = holm({n: t.p_value for n, t in tests.items()})
    verdict = {baseline: "baseline"}
    for n, t in tests.items():
        real = math.isfinite(adjusted[n]) and adjusted[n] < alpha and t.diff != 0
        verdict[n] = ("better" if sign * t.diff > 0 else "worse") if real else "tied"
    summary["diff_vs_baseline"] = [tests[n].diff if n in tests else 0.0 for n in order]
    summary["p_holm"] = [adjusted.get(n, math.nan) for n in order]
    summary["verdict"] = [verdict[n] for n in order]
    winners = [n for n in order if verdict[n] == "better"]
    if not winners:
        text = (
            f"No recipe beats the baseline beyond noise on {metric} (Nadeau-Bengio test, Holm-adjusted "
            f"at {alpha}): keep the baseline, or gather more data or seeds to separate the recipes."
        )
        return MultiLabelComparison(runs, summary, metric, None, text)
    best = max(winners, key=lambda n: sign * summary.loc[n, metric])
    best_scores = keyed[best][metric].to_numpy()
    vs_best = {
        n: corrected_resampled_ttest(
            keyed[n][metric].to_numpy(), best_scores, test_train_ratio=ratio
        )
        for n in winners
        if n != best
    }
    adj_best = holm({n: t.p_value for n, t in vs_best.items()})
    tied = [
        n for n in winners if n == best or not (math.isfinite(adj_best[n]) and adj_best[n] < alpha)
    ]
    recommended = next(n for n in order if n in tied)
    text = (
        f"{len(winners)} recipe(s) beat the baseline beyond noise on {metric}. Best: {best} "
        f"({summary.loc[best, metric]:.3f}); recommended: {recommended}, the simplest of those tied with it."
    )
    return MultiLabelComparison(runs, summary, metric, recommended, text)
