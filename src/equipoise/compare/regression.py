"""Compare imbalanced-regression recipes on the user's data, under compare's fair protocol.

What :func:`compare_regression` does (``compare(X, y, task="regression")`` calls it):

1. folds stratified by target bins (quantile bins of ``y``, so every fold sees the whole
   range): :func:`equipoise.compare.splits.make_splits` on the bin codes, ``folds`` x ``seeds``
   runs, each training fold split into training and validation rows;
2. every recipe gets the same model (an MLP, ``hidden`` units x 2 layers), the same initial
   weights for a given run, the same budget (``TrainSettings.max_epochs`` epochs of
   ``batch_size`` rows, Adam with ``lr``/``weight_decay``) and the same selection rule: the
   epoch with the lowest validation MAE (no recipe's own loss decides). Features and target are
   standardised on the training rows; resamplers and weights see the training rows only;
3. each run is scored on its test fold: MAE overall and few-shot MAE (test rows whose target
   falls in a training bin of fewer than ``few`` rows; Yang et al. 2021), plus RMSE;
4. each recipe's per-run MAE is compared with the baseline's by the Nadeau-Bengio corrected
   resampled t-test (:func:`equipoise.compare.statistics.corrected_resampled_ttest`), the
   p-values adjusted with Holm (:func:`equipoise.compare.statistics.holm`). A recipe *beats*
   the baseline when its adjusted p-value is below ``alpha`` and its MAE is lower; otherwise it
   is *tied*. The recommendation is the simplest recipe that beats the baseline and is not
   significantly worse than the best one; when none beats it there is no recommendation ("keep
   the baseline"), which is the right answer on pure noise.

Recipes (:data:`REGRESSION_RECIPES`, simplest first): ``baseline`` (MSE), ``lds`` (MSE weighted
by :func:`equipoise.weights.lds_weights`), ``dense-weight`` (weighted by
:func:`equipoise.weights.dense_weights`), ``balanced-mse`` (:class:`equipoise.losses.BMCLoss`,
learnable sigma), ``smoter`` and ``smogn`` (:mod:`equipoise.resample` with default relevance).
In a training fold whose relevance marks no row as rare the resamplers have nothing to do and
train on the fold as it is; a rare region smaller than ``k_neighbors + 1`` rows is interpolated
with ``k_neighbors=1``. A run that fails otherwise is left out (its MAE is NaN) and listed in
``notes``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_continuous_target, check_X
from ..exceptions import InvalidInputError, InvalidParameterError
from ..registry import Registry
from .settings import TrainSettings
from .splits import make_splits, run_seed
from .statistics import corrected_mean_ci, corrected_resampled_ttest, holm

__all__ = ["REGRESSION_RECIPES", "RegressionRecipe", "RegressionComparison", "compare_regression"]


@dataclass(frozen=True)
class RegressionRecipe:
    """One way to train a regressor on an imbalanced target.

    Attributes
    ----------
    name : str
    complexity : int
        Lower is simpler; ties are recommended by it.
    description : str
    prepare : callable
        ``prepare(X_train, y_train, seed) -> (X, y, weights or None)`` on standardised X, raw y.
    loss : {'mse', 'bmc'}
    """

    name: str
    complexity: int
    description: str
    prepare: Callable[
        [np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray | None]
    ]
    loss: str = "mse"


REGRESSION_RECIPES: Registry[RegressionRecipe] = Registry("regression recipe")
"""The regression recipes :func:`compare_regression` knows, by name."""


def _plain(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, None]:
    return X, y, None


def _lds(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from ..weights import lds_weights

    return X, y, np.asarray(lds_weights(y, bins=min(50, max(5, len(y) // 10))), dtype=np.float64)


def _dense(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from ..weights import dense_weights

    return X, y, np.asarray(dense_weights(y), dtype=np.float64)


def _resampled(
    name: str,
) -> Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray, None]]:
    def prepare(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, None]:
        from ..resample import make_resampler

        sampler = make_resampler(name, random_state=seed)
        try:
            X_res, y_res = sampler.fit_resample(X, y)
        except InvalidInputError as exc:
            message = str(exc)
            if "marks no row" in message or "marks every row" in message:
                return (
                    X,
                    y,
                    None,
                )  # nothing rare (or nothing normal) in this fold: nothing to resample
            if "'k_neighbors'" not in message:
                raise
            # a rare region of this fold is smaller than k_neighbors + 1: interpolate with its nearest row
            X_res, y_res = make_resampler(name, random_state=seed, k_neighbors=1).fit_resample(X, y)
        return np.asarray(X_res, dtype=np.float64), np.asarray(y_res, dtype=np.float64), None

    return prepare


for _recipe in (
    RegressionRecipe("baseline", 0, "MSE, no rebalancing", _plain),
    RegressionRecipe(
        "lds", 1, "MSE weighted by LDS (Gaussian kernel 5/2, sqrt-inverse; Yang et al. 2021)", _lds
    ),
    RegressionRecipe(
        "dense-weight", 1, "MSE weighted by DenseWeight (alpha=1; Steininger et al. 2021)", _dense
    ),
    RegressionRecipe(
        "balanced-mse",
        2,
        "Balanced MSE, BMC with a learnable sigma (Ren et al. 2022)",
        _plain,
        "bmc",
    ),
    RegressionRecipe(
        "smoter", 3, "SMOTER resampling, then MSE (Torgo et al. 2013)", _resampled("smoter")
    ),
    RegressionRecipe(
        "smogn", 4, "SMOGN resampling, then MSE (Branco et al. 2017)", _resampled("smogn")
    ),
):
    REGRESSION_RECIPES.register(_recipe.name, _recipe)

DEFAULT_REGRESSION_RECIPES = ("baseline", "lds", "dense-weight", "balanced-mse", "smoter", "smogn")


@dataclass
class RegressionComparison:
    """What :func:`compare_regression` found.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per run: ``recipe, seed, fold, mae, mae_few, rmse, n_test, n_few``.
    summary : pandas.DataFrame
        One row per recipe: mean MAE and few-shot MAE with Nadeau-Bengio corrected intervals
        (``mae, mae_low, mae_high, mae_few, mae_few_low, mae_few_high``), the paired difference
        in MAE against the baseline (``diff, diff_low, diff_high``), ``p_value``, ``p_holm``
        and ``verdict`` ('baseline', 'better', 'worse', 'tied').
    recommended : str or None
        None when no recipe beats the baseline.
    verdict : str
        One sentence.
    """

    results: pd.DataFrame
    summary: pd.DataFrame
    recommended: str | None
    verdict: str
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        cols = [
            "mae",
            "mae_low",
            "mae_high",
            "mae_few",
            "mae_few_low",
            "mae_few_high",
            "p_holm",
            "verdict",
        ]
        return self.summary[cols].to_string(float_format=lambda v: f"{v:.4g}") + "\n" + self.verdict


def _mlp(n_features: int, hidden: int) -> Any:
    from torch import nn

    return nn.Sequential(
        nn.Linear(n_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 1),
    )


def _train_one(
    recipe: RegressionRecipe,
    X_tr: np.ndarray,
    y_tr: np.ndarray,
    X_va: np.ndarray,
    y_va: np.ndarray,
    X_te: np.ndarray,
    settings: TrainSettings,
    hidden: int,
    seed: int,
) -> np.ndarray:
    import torch

    from ..losses import BMCLoss
    from ..losses.functional import weighted_mse_loss

    mean, std = X_tr.mean(0), X_tr.std(0)
    std[std == 0] = 1.0
    Xs_tr, Xs_va, Xs_te = (X_tr - mean) / std, (X_va - mean) / std, (X_te - mean) / std
    X_fit, y_fit, w = recipe.prepare(Xs_tr, y_tr, seed)
    y_mean, y_std = float(y_tr.mean()), float(y_tr.std()) or 1.0
    torch.manual_seed(seed)  # the same initial weights for every recipe of this run
    model = _mlp(X_tr.shape[1], hidden).double()
    bmc = BMCLoss(init_noise_sigma=1.0).double() if recipe.loss == "bmc" else None
    params = list(model.parameters()) + ([] if bmc is None else list(bmc.parameters()))
    opt = torch.optim.Adam(params, lr=settings.lr, weight_decay=settings.weight_decay)
    Xt = torch.as_tensor(X_fit)
    yt = torch.as_tensor((y_fit - y_mean) / y_std)
    wt = None if w is None else torch.as_tensor(w)
    Xv = torch.as_tensor(Xs_va)
    gen = torch.Generator().manual_seed(seed)
    steps_per_epoch = max(
        1, math.ceil(len(X_tr) / settings.batch_size)
    )  # the same budget for every recipe
    best, best_state = math.inf, None
    for _ in range(settings.max_epochs):
        model.train()
        for _ in range(steps_per_epoch):
            idx = torch.randint(0, len(Xt), (min(settings.batch_size, len(Xt)),), generator=gen)
            pred = model(Xt[idx])[:, 0]
            if bmc is not None:
                loss = bmc(pred, yt[idx])
            else:
                loss = weighted_mse_loss(pred, yt[idx], None if wt is None else wt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val_mae = float(np.mean(np.abs(model(Xv)[:, 0].numpy() * y_std + y_mean - y_va)))
        if val_mae < best:
            best, best_state = val_mae, {k: v.clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    with torch.no_grad():
        return model(torch.as_tensor(Xs_te))[:, 0].numpy() * y_std + y_mean


def compare_regression(
    X: Any,
    y: Any,
    *,
    recipes: Iterable[str] | None = None,
    folds: int = 5,
    seeds: int = 1,
    train: TrainSettings | None = None,
    hidden: int = 64,
    bins: int = 10,
    few: int = 20,
    alpha: float = 0.05,
    random_state: int = 0,
    threads: int = 1,
) -> RegressionComparison:
    """Run regression recipes side by side and say which, if any, beats plain MSE.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric features (no missing values).
    y : array-like of shape (n_samples,)
        Continuous target.
    recipes : iterable of str, optional
        Names from :data:`REGRESSION_RECIPES` (default: all six); 'baseline' is always run.
    folds, seeds : int, default=5, 1
    train : TrainSettings, optional
        ``max_epochs``, ``batch_size``, ``lr``, ``weight_decay``, ``val_size``, ``min_val_rows``.
    hidden : int, default=64
    bins : int, default=10
        Equal-width training-target bins for the few-shot group; also the number of quantile
        bins the folds are stratified on (fewer when the data are small).
    few : int, default=20
        Few-shot bins have fewer training rows than this.
    alpha : float, default=0.05
    random_state : int, default=0
    threads : int, default=1
        Torch threads.

    Returns
    -------
    RegressionComparison

    Examples
    --------
    >>> import numpy as np
    >>> from equipoise.compare.settings import TrainSettings
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 3)); y = rng.exponential(size=120) + 0.01 * rng.random(120)
    >>> res = compare_regression(X, y, recipes=["lds"], folds=3, train=TrainSettings(max_epochs=2))
    >>> res.recommended is None  # y is independent of X: nothing beats the baseline
    True
    """
    owner = "compare(task='regression')"
    values = check_continuous_target(y, owner=owner)
    X_arr = np.asarray(
        check_X(
            np.asarray(X, dtype=np.float64)
            if not hasattr(X, "to_numpy")
            else X.to_numpy(dtype=np.float64),
            owner=owner,
        ),
        dtype=np.float64,
    )
    if len(X_arr) != len(values):
        raise InvalidInputError(
            f"X and y passed to {owner} have {len(X_arr)} and {len(values)} rows."
        )
    names = list(DEFAULT_REGRESSION_RECIPES if recipes is None else recipes)
    for name in names:
        REGRESSION_RECIPES.get(name)
    names = ["baseline"] + [n for n in dict.fromkeys(names) if n != "baseline"]
    settings = train or TrainSettings()
    if not isinstance(folds, int) or folds < 2 or not isinstance(seeds, int) or seeds < 1:
        raise InvalidParameterError(
            f"{owner} needs folds >= 2 and seeds >= 1; got folds={folds!r}, seeds={seeds!r}."
        )
    n_strata = max(2, min(bins, len(values) // (2 * folds)))
    strata = (
        pd.qcut(pd.Series(values).rank(method="first"), q=n_strata, labels=False)
        .to_numpy()
        .astype(np.int64)
    )
    splits = make_splits(
        strata, folds=folds, seeds=seeds, settings=settings, random_state=random_state
    )
    import torch

    from .._target_profile import continuous_profile

    old_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, min(int(threads), 2)))
    rows = []
    notes: list[str] = []
    try:
        for split in splits:
            seed = run_seed(random_state, split.seed, split.fold)
            val = split.val if len(split.val) else split.train
            prof = continuous_profile(values[split.train], bins=bins, few=few, many=max(few, 100))
            is_few = prof.shot_of(values[split.test]) == "few"
            for name in names:
                try:
                    pred = _train_one(
                        REGRESSION_RECIPES.get(name),
                        X_arr[split.train],
                        values[split.train],
                        X_arr[val],
                        values[val],
                        X_arr[split.test],
                        settings,
                        hidden,
                        seed,
                    )
                except (InvalidInputError, InvalidParameterError) as exc:  # reported, never silent
                    notes.append(f"{name} failed on seed {split.seed}, fold {split.fold}: {exc}")
                    pred = np.full(len(split.test), np.nan)
                err = np.abs(pred - values[split.test])
                rows.append(
                    {
                        "recipe": name,
                        "seed": split.seed,
                        "fold": split.fold,
                        "mae": float(err.mean()),
                        "mae_few": float(err[is_few].mean()) if is_few.any() else math.nan,
                        "rmse": float(np.sqrt(np.mean(err**2))),
                        "n_test": len(err),
                        "n_few": int(is_few.sum()),
                    }
                )
    finally:
        torch.set_num_threads(old_threads)
    results = pd.DataFrame(rows)
    ratio = float(np.mean([len(s.test) / len(s.train) for s in splits]))
    out = _summarise(results, names, ratio, alpha)
    out.notes.extend(notes)
    return out


def _summarise(
    results: pd.DataFrame, names: Sequence[str], ratio: float, alpha: float
) -> RegressionComparison:
    keyed = results.set_index(["recipe", "seed", "fold"])
    base = keyed.loc["baseline"]
    tests = {}
    rows = []
    for name in names:
        runs = keyed.loc[name]
        mae = corrected_mean_ci(runs["mae"], test_train_ratio=ratio)
        few = corrected_mean_ci(runs["mae_few"], test_train_ratio=ratio)
        row = {
            "recipe": name,
            "mae": mae[0],
            "mae_low": mae[1],
            "mae_high": mae[2],
            "mae_few": few[0],
            "mae_few_low": few[1],
            "mae_few_high": few[2],
        }
        if name != "baseline":
            test = corrected_resampled_ttest(
                runs["mae"].to_numpy(),
                base.loc[runs.index, "mae"].to_numpy(),
                test_train_ratio=ratio,
            )
            tests[name] = test
            row.update(
                {
                    "diff": test.diff,
                    "diff_low": test.low,
                    "diff_high": test.high,
                    "p_value": test.p_value,
                }
            )
        rows.append(row)
    adjusted = holm({n: t.p_value for n, t in tests.items()})
    summary = pd.DataFrame(rows).set_index("recipe")
    summary["p_holm"] = pd.Series(adjusted)
    verdicts = {"baseline": "baseline"}
    for name, test in tests.items():
        p = adjusted[name]
        verdicts[name] = (
            ("better" if test.diff < 0 else "worse") if math.isfinite(p) and p < alpha else "tied"
        )
    summary["verdict"] = pd.Series(verdicts)
    better = [n for n in names if verdicts[n] == "better"]
    recommended = None
    if better:
        best = min(better, key=lambda n: summary.loc[n, "mae"])
        candidates = []
        for name in better:
            if name == best:
                candidates.append(name)
                continue
            t = corrected_resampled_ttest(
                results[results.recipe == name]["mae"].to_numpy(),
                results[results.recipe == best]["mae"].to_numpy(),
                test_train_ratio=ratio,
            )
            if not (math.isfinite(t.p_value) and t.p_value < alpha and t.diff > 0):
                candidates.append(name)
        recommended = min(
            candidates, key=lambda n: (REGRESSION_RECIPES.get(n).complexity, summary.loc[n, "mae"])
        )
        verdict = (
            f"{recommended} beats the baseline (MAE {summary.loc[recommended, 'mae']:.4g} vs "
            f"{summary.loc['baseline', 'mae']:.4g}, Holm-adjusted p = {summary.loc[recommended, 'p_holm']:.3g}); "
            "it is the simplest recipe tied with the best."
        )
    else:
        worse = [n for n in names if verdicts[n] == "worse"]
        tied = [n for n in names if verdicts[n] == "tied"]
        parts = ([f"{', '.join(worse)} significantly worse"] if worse else []) + (
            [f"{', '.join(tied)} tied with it"] if tied else []
        )
        verdict = (
            "No recipe beats the baseline (MSE) after the corrected t-test and Holm's adjustment "
            f"({'; '.join(parts)}): keep the baseline."
        )
    return RegressionComparison(
        results=results, summary=summary, recommended=recommended, verdict=verdict
    )
