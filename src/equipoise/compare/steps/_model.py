"""What learns: the ``model`` step. ``'network'`` trains the comparison's torch model with the
recipe's loss, batches, schedule and head; the *references* are strong scikit-learn models
trained on exactly the same rows, so the user sees whether a neural network, or any
rebalancing at all, is needed.

``MODELS`` is a registry: a new model family is one registered class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..._validation import Interval, validate_params
from ...exceptions import InvalidParameterError
from ...registry import Registry
from ._base import Step, StepContext

__all__ = ["MODELS", "Fitted", "FitRequest", "NetworkModel", "SklearnModel"]

MODELS: Registry[type[Step]] = Registry("model")
"""Model families: ``'network'`` (the default torch model) and the scikit-learn references
(``'logistic-regression'``, ``'hist-gradient-boosting'``, ``'balanced-random-forest'``)."""

_LOG_FLOOR = 1e-12
_THREADED_ROWS = 20_000


@dataclass
class FitRequest:
    """One model to fit: rows (already resampled), optional selection rows, and the budget.

    Attributes
    ----------
    X, y : numpy.ndarray
        Training rows after the recipe's resampler (float32 features, int64 labels).
    n_fit : int
        Rows before resampling: the step budget is counted from it.
    X_val, y_val : numpy.ndarray or None
        Validation rows for early stopping (None: train ``epochs`` epochs).
    epochs : int or None
        Fixed number of epochs (inner-cv's final fit), or None for early stopping.
    batch_size : int
    seed : int
        Seeds the initial weights, the batches and anything random in the model.
    """

    X: np.ndarray
    y: np.ndarray
    n_fit: int
    n_classes: int
    batch_size: int
    seed: int
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    epochs: int | None = None


@dataclass
class Fitted:
    """A fitted model: logits for new rows, and what selection decided.

    Attributes
    ----------
    logits : callable
        ``logits(X) -> numpy.ndarray`` of shape (n, n_classes), float64 (log-probabilities for
        the references).
    val_logits : numpy.ndarray or None
        Logits of the validation rows with the kept weights.
    best_epoch : int or None
        Epochs of the kept weights (1-based count; None for models without epochs).
    epochs_run : int or None
    """

    logits: Callable[[np.ndarray], np.ndarray]
    val_logits: np.ndarray | None
    best_epoch: int | None = None
    epochs_run: int | None = None


class _Model(Step):
    kind = "model"
    family: ClassVar[str] = "neural"
    has_epochs: ClassVar[bool] = True
    trains_with: ClassVar[frozenset[str]] = frozenset(
        {"resample", "batches", "loss", "schedule", "head", "decision"}
    )
    """Step kinds this model uses; a recipe that sets another one is refused."""

    def fit(self, plan: Any, request: FitRequest, env: Any) -> Fitted:
        raise NotImplementedError

    def fit_many(self, items: Sequence[tuple[Any, FitRequest]], env: Any) -> list[Fitted]:
        """The models of several runs of one recipe, in order (one by one unless a model
        family trains them together)."""
        return [self.fit(plan, request, env) for plan, request in items]


@MODELS.register("network")
class NetworkModel(_Model):
    """The comparison's torch model (an MLP for tables, a small CNN for images, or the user's
    ``model_factory``), trained by :func:`equipoise.compare.training.train_networks`: the
    default MLP's runs of a recipe together, as one stacked computation."""

    identity = True

    def check(self, context: StepContext) -> None:
        if self.params:
            raise InvalidParameterError(
                f"model 'network' takes no model_params (got {sorted(self.params)}); pass model_factory= "
                "to compare() for another network."
            )

    def fit(self, plan: Any, request: FitRequest, env: Any) -> Fitted:
        from ..training import train_network

        return train_network(plan, request, env)

    def fit_many(self, items: Sequence[tuple[Any, FitRequest]], env: Any) -> list[Fitted]:
        from ..training import train_networks

        return train_networks(items, env)


class SklearnModel(_Model):
    """A scikit-learn classifier trained on the (flattened, preprocessed, resampled) rows.

    Subclasses set ``factory(params, seed) -> estimator``. Its ``predict_proba`` gives the
    log-probabilities that the decision step reads as logits.
    """

    family = "reference"
    has_epochs = False
    trains_with = frozenset({"resample", "decision"})
    defaults: ClassVar[dict[str, Any]] = {}

    def estimator(self, seed: int) -> Any:
        raise NotImplementedError

    def check(self, context: StepContext) -> None:
        self.estimator(0)

    def fit(self, plan: Any, request: FitRequest, env: Any) -> Fitted:
        from threadpoolctl import threadpool_limits

        est = self.estimator(request.seed)
        flat = request.X.reshape(len(request.X), -1)
        # OpenMP threads cost more than they give on small data, and spin-wait badly on a busy
        # machine (histogram gradient boosting on 100 rows: 0.2 s with 1 thread, 1.7-2.5 s
        # with 2 under load); parallelism then comes from running several runs at once.
        limit = 1 if len(flat) < _THREADED_ROWS else env.threads
        with threadpool_limits(limits=limit):
            est.fit(flat, request.y)
        classes = np.asarray(est.classes_)

        def logits(X: np.ndarray) -> np.ndarray:
            with threadpool_limits(limits=limit):
                proba = est.predict_proba(X.reshape(len(X), -1))
            full = np.full((len(X), request.n_classes), _LOG_FLOOR)
            full[:, classes] = np.maximum(proba, _LOG_FLOOR)
            return np.log(full)

        val = None if request.X_val is None else logits(request.X_val)
        return Fitted(logits, val)

    def _build(self, cls: Any, seed: int | None) -> Any:
        params = {**self.defaults, **self.params}
        if "random_state" in cls._get_param_names() and seed is not None:
            params.setdefault("random_state", seed)
        try:
            return cls(**params)
        except TypeError as exc:
            raise InvalidParameterError(
                f"cannot build model {self.name!r} ({cls.__name__}) with model_params {self.params}: {exc}. "
                f"Its parameters are {cls._get_param_names()}."
            ) from None


@MODELS.register("logistic-regression")
class LogisticRegressionModel(SklearnModel):
    """``sklearn.linear_model.LogisticRegression`` (L2, C=1, lbfgs, ``max_iter=1000``)."""

    defaults: ClassVar[dict[str, Any]] = {"max_iter": 1000}

    def estimator(self, seed: int) -> Any:
        from sklearn.linear_model import LogisticRegression

        return self._build(LogisticRegression, None)


class UnweightedBins(TransformerMixin, BaseEstimator):
    """Bin codes exactly as ``HistGradientBoostingClassifier`` bins data without weights.

    Per column: with at most ``max_bins`` distinct values, the thresholds are the midpoints of
    consecutive distinct values; otherwise the ``max_bins - 1`` percentiles
    ``linspace(0, 100, max_bins + 1)[1:-1]`` (``method='averaged_inverted_cdf'``, duplicates
    dropped). A value ``x`` gets the code of the first threshold ``t >= x``; NaN stays NaN (the
    booster's missing-value bin). The booster then sees at most ``max_bins`` distinct codes per
    column, so its own binning keeps every one of them and its split candidates are these
    thresholds. scikit-learn has no public way to bin without weights once weights are given;
    the rule is scikit-learn's ``_find_binning_thresholds`` for ``sample_weight=None``
    (``ensemble/_hist_gradient_boosting/binning.py``, 1.9).

    Parameters
    ----------
    max_bins : int, default=255
    """

    def __init__(self, max_bins: int = 255) -> None:
        self.max_bins = max_bins

    def fit(self, X: np.ndarray, y: Any = None) -> UnweightedBins:
        # scikit-learn's own range for the booster's max_bins (the 256th bin is for NaN).
        validate_params(
            "UnweightedBins",
            {"max_bins": self.max_bins},
            {"max_bins": [Interval(int, 2, 255, closed="both")]},
        )
        X = np.asarray(X, dtype=np.float64)
        percentiles = np.linspace(0, 100, self.max_bins + 1)[1:-1]
        self.thresholds_: list[np.ndarray] = []
        for column in X.T:
            present = column[~np.isnan(column)]
            distinct = np.unique(present)
            if len(distinct) <= self.max_bins:
                thresholds = (distinct[:-1] + distinct[1:]) / 2
            else:
                thresholds = np.unique(
                    np.percentile(present, percentiles, method="averaged_inverted_cdf")
                )
            self.thresholds_.append(thresholds)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        codes = np.empty(X.shape, dtype=np.float64)
        for j, thresholds in enumerate(self.thresholds_):
            codes[:, j] = np.searchsorted(thresholds, X[:, j], side="left")
        codes[np.isnan(X)] = np.nan
        return codes


@MODELS.register("hist-gradient-boosting")
class HistGradientBoostingModel(SklearnModel):
    """``sklearn.ensemble.HistGradientBoostingClassifier`` with its defaults (100 iterations,
    255 bins, early stopping only above 10,000 rows), seeded by the run.

    With ``class_weight`` the rows are first binned by :class:`UnweightedBins`, scikit-learn's
    own rule for unweighted data: scikit-learn 1.9 bins weighted data with one weighted-percentile
    call per bin edge and feature, about 2 s for 640 rows x 20 features where the unweighted
    binning takes 0.01 s. The trees, their gradients and hessians stay weighted; only the
    candidate split points are those of the unweighted rows. On unweighted data the pipeline
    and the plain booster give the same predictions up to 10,000 rows (tested); above that the
    booster's automatic early stopping holds out 10% of the rows after these thresholds were
    computed on all of them, and above 200,000 rows scikit-learn bins a subsample, so the split
    points differ slightly there.
    """

    def estimator(self, seed: int) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.pipeline import make_pipeline

        booster = self._build(HistGradientBoostingClassifier, seed)
        if booster.class_weight is None:
            return booster
        return make_pipeline(UnweightedBins(booster.max_bins), booster)


@MODELS.register("balanced-random-forest")
class BalancedRandomForestModel(SklearnModel):
    """:class:`equipoise.ensemble.BalancedRandomForestClassifier` (Chen et al. 2004): every tree
    grows on a random under-sample of its rows balanced across classes; 100 trees, seeded by the
    run, one job (runs are parallel)."""

    def estimator(self, seed: int) -> Any:
        from ...ensemble import BalancedRandomForestClassifier

        return self._build(BalancedRandomForestClassifier, seed)
