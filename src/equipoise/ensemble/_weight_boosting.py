"""RUSBoost (Seiffert et al. 2010): AdaBoost whose every round learns from a balanced subset.

scikit-learn's :class:`~sklearn.ensemble.AdaBoostClassifier` runs the boosting (SAMME weight
updates, early stopping, staged predictions). Each round's learner is an equipoise
:class:`~equipoise.pipeline.Pipeline` ``(sampler, classifier)``: the sampler shrinks the round's
training set, the boosting weights follow the rows it keeps, and the round's error is measured
on the *full* training set (the pipeline skips the sampler when predicting), which is exactly
where RUSBoost differs from boosting a pre-balanced data set.
"""

from __future__ import annotations

import copy
from typing import Any

from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn.utils.validation import has_fit_parameter

from ..exceptions import InvalidParameterError
from ..pipeline import Pipeline
from ._common import (
    RANDOM_STATE_CONSTRAINTS,
    SAMPLER_CONSTRAINTS,
    STRATEGY_CONSTRAINTS,
    resolve_sampler,
    sampler_allows_nan,
    sklearn_seed,
    temporarily,
)

__all__ = ["RUSBoostClassifier"]


class RUSBoostClassifier(AdaBoostClassifier):
    """AdaBoost (SAMME) with random under-sampling of the training set at every round.

    Seiffert, Khoshgoftaar, Van Hulse & Napolitano (2010). With weights ``w`` over the ``n``
    training rows (``w_i = 1/n`` at first), each round ``t``:

    1. under-sample the training set (:class:`~equipoise.resample.RandomUnderSampler`; every
       class but the minority shrunk to the minority's size), the kept rows keeping their ``w``;
    2. fit the weak learner ``h_t`` on the kept rows with those weights;
    3. on the *full* training set, ``err_t = sum_i w_i [h_t(x_i) != y_i] / sum_i w_i`` and
       ``alpha_t = learning_rate * (log((1 - err_t) / err_t) + log(K - 1))`` for ``K`` classes;
    4. ``w_i <- w_i exp(alpha_t [h_t(x_i) != y_i])``, normalised.

    The prediction is ``argmax_k sum_t alpha_t [h_t(x) = k]``. The paper's AdaBoost.M2
    pseudo-loss is replaced by SAMME (the multi-class AdaBoost of scikit-learn and
    imbalanced-learn); for two classes SAMME is the paper's discrete AdaBoost.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The weak learner (must accept ``sample_weight``); None: ``DecisionTreeClassifier(max_depth=1)``.
    n_estimators : int, default=50
        Maximum number of rounds (boosting stops early on a perfect or a worse-than-chance round).
    learning_rate : float, default=1.0
    sampling_strategy : float, str, dict, list, callable or None, default="auto"
        Set on the sampler (labels as in ``y``); None keeps the given sampler's own strategy.
    replacement : bool, default=False
        Whether the default ``RandomUnderSampler`` draws with replacement.
    random_state : int, numpy.random.Generator, RandomState or None, default=None
        Seeds each round's sampler and learner.
    sampler : None, str or resampler, default=None
        ``None``: ``RandomUnderSampler(replacement=replacement)``; a registry name or an object
        with ``fit_resample`` that *selects* rows (sets ``sample_indices_``), since the boosting
        weights must follow them.

    Attributes
    ----------
    estimator_ : Pipeline
        ``Pipeline([("sampler", sampler_), ("classifier", estimator)])``, the template round.
    estimators_ : list of classifiers
        The fitted weak learners (as in imbalanced-learn).
    sampler_ : resampler
        The configured, unfitted sampler.
    samplers_ : list
        Each round's fitted sampler.
    estimator_weights_, estimator_errors_, classes_, n_classes_, feature_importances_, \
n_features_in_, feature_names_in_
        As in :class:`~sklearn.ensemble.AdaBoostClassifier`.

    Notes
    -----
    Same parameters, defaults and algorithm as :class:`imblearn.ensemble.RUSBoostClassifier`
    (0.14) with SAMME. Differences: no ``algorithm`` parameter (SAMME.R was removed from
    scikit-learn; imbalanced-learn only keeps it deprecated); ``sampler`` and
    ``sampling_strategy=None`` are new; every parameter is keyword-only; ``random_state`` also
    takes a ``Generator``; imbalanced-learn's ``pipelines_`` is not kept (``samplers_`` and
    ``estimators_`` hold the same objects).

    References
    ----------
    .. [1] Seiffert, C., Khoshgoftaar, T. M., Van Hulse, J. & Napolitano, A. (2010). RUSBoost:
       a hybrid approach to alleviating class imbalance. IEEE Transactions on Systems, Man, and
       Cybernetics, Part A 40(1), 185-197.
    .. [2] Zhu, J., Zou, H., Rosset, S. & Hastie, T. (2009). Multi-class AdaBoost. Statistics
       and Its Interface 2(3), 349-360.

    Examples
    --------
    >>> from equipoise.datasets import load_example
    >>> X, y = load_example()
    >>> boost = RUSBoostClassifier(n_estimators=10, random_state=0).fit(X, y)
    >>> len(boost.estimators_) == len(boost.samplers_), boost.predict(X[:3]).tolist()
    (True, [0, 0, 0])
    """

    estimators_: list[Any]

    _parameter_constraints: dict = {
        **copy.deepcopy(AdaBoostClassifier._parameter_constraints),
        "random_state": RANDOM_STATE_CONSTRAINTS,
        "sampling_strategy": STRATEGY_CONSTRAINTS,
        "replacement": ["boolean"],
        "sampler": SAMPLER_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        estimator: Any = None,
        n_estimators: int = 50,
        learning_rate: float = 1.0,
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        random_state: Any = None,
        sampler: Any = None,
    ) -> None:
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            random_state=random_state,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RUSBoostClassifier:
        """Boost: each round under-samples, learns, and is weighted by its error on all rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Initial weights (normalised); default ``1 / n_samples``.

        Returns
        -------
        self
        """
        with temporarily(self, random_state=sklearn_seed(self.random_state)):
            super().fit(X, y, sample_weight=sample_weight)
        rounds = self.estimators_
        self.samplers_ = [pipe.steps[0][1] for pipe in rounds]
        self.estimators_ = [pipe.steps[-1][1] for pipe in rounds]
        return self

    def _validate_estimator(self) -> None:
        from ..resample import RandomUnderSampler

        name = type(self).__name__
        estimator = clone(
            DecisionTreeClassifier(max_depth=1) if self.estimator is None else self.estimator
        )
        if not has_fit_parameter(estimator, "sample_weight"):
            raise InvalidParameterError(
                f"The estimator of {name} must accept sample_weight in fit (the boosting weights); "
                f"{type(estimator).__name__} does not."
            )
        if _routing_enabled():
            estimator.set_fit_request(sample_weight=True)
        self.sampler_ = resolve_sampler(
            self.sampler,
            owner=name,
            default=lambda: RandomUnderSampler(replacement=self.replacement),
            sampling_strategy=self.sampling_strategy,
            classes=None,  # AdaBoost does not encode y: the sampler sees the user's labels
        )
        if getattr(self.sampler_, "_generates", False):
            raise InvalidParameterError(
                f"The sampler of {name} must select rows so the boosting weights can follow them; "
                f"{type(self.sampler_).__name__} synthesises rows. Use an under-sampler or a cleaning "
                "sampler, or BalancedBaggingClassifier for over-sampling."
            )
        self.estimator_ = Pipeline([("sampler", self.sampler_), ("classifier", estimator)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = bool(
            getattr(tags.input_tags, "allow_nan", False)
        ) and sampler_allows_nan(self.sampler)
        return tags
