"""Balanced bagging: every member is a ``Pipeline(sampler, classifier)`` fitted on its own draw.

scikit-learn's :class:`~sklearn.ensemble.BaggingClassifier` does the bagging (bootstrap draws,
feature subsets, parallel fitting, out-of-bag scores, probability averaging); the member
estimator is an equipoise :class:`~equipoise.pipeline.Pipeline` whose first step balances the
member's bootstrap sample, so the sampler acts at fit time only and never on predicted rows.
"""

from __future__ import annotations

import copy
from typing import Any

from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

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

__all__ = ["BalancedBaggingClassifier"]


class _SamplerBagging(BaggingClassifier):
    """What balanced bagging and EasyEnsemble share: the member is ``Pipeline(sampler, estimator)``."""

    def fit(self, X: Any, y: Any):
        """Fit the ensemble: each member balances its own draw of ``(X, y)``, then learns from it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Sparse input only if the sampler and the estimator accept it.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
        """
        with temporarily(self, random_state=sklearn_seed(self.random_state)):
            return super().fit(X, y)

    def _default_estimator(self) -> Any:
        return DecisionTreeClassifier()

    def _get_estimator(self) -> Any:
        return self._default_estimator() if self.estimator is None else self.estimator

    def _default_sampler(self) -> Any:
        from ..resample import RandomUnderSampler

        return RandomUnderSampler(replacement=self.replacement)

    def _validate_estimator(self, default: Any = None) -> None:
        self.sampler_ = resolve_sampler(
            self.sampler,
            owner=type(self).__name__,
            default=self._default_sampler,
            sampling_strategy=self.sampling_strategy,
            classes=self.classes_,
        )
        estimator = clone(self._get_estimator() if default is None else default)
        self.estimator_ = Pipeline([("sampler", self.sampler_), ("classifier", estimator)])

    @property
    def samplers_(self) -> list:
        """The fitted sampler of each member (``estimators_[i][0]``)."""
        check_is_fitted(self)
        return [member.steps[0][1] for member in self.estimators_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sampler = self._default_sampler() if self.sampler is None else self.sampler
        tags.input_tags.allow_nan = tags.input_tags.allow_nan and sampler_allows_nan(sampler)
        if not isinstance(sampler, str):
            try:
                tags.input_tags.sparse = (
                    tags.input_tags.sparse and get_tags(sampler).input_tags.sparse
                )
            except Exception:  # a sampler without scikit-learn tags
                pass
        return tags


class BalancedBaggingClassifier(_SamplerBagging):
    """Bagging whose every member is trained on a balanced resample of its bootstrap sample.

    For each of the ``n_estimators`` members, scikit-learn's bagging draws a bootstrap sample
    (``max_samples`` rows, ``max_features`` columns); the sampler balances it (by default
    :class:`~equipoise.resample.RandomUnderSampler`: every class but the minority shrunk to the
    minority's size); the estimator is fitted on the result. Predictions average the members'
    class probabilities (or count their votes). Random under-sampling of each bag is the
    *exactly balanced bagging* of Maclin & Opitz (1997) / Hido, Kashima & Takahashi (2009);
    ``sampler=RandomOverSampler()`` gives over-bagging, ``sampler="smote"`` SMOTE-bagging.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The member classifier (a clone per member); None: ``DecisionTreeClassifier()``.
    n_estimators : int, default=10
    max_samples : int or float, default=1.0
        Rows drawn per member (before balancing); a float is a fraction of the training set.
    max_features : int or float, default=1.0
    bootstrap : bool, default=True
        Draw rows with replacement.
    bootstrap_features : bool, default=False
    oob_score : bool, default=False
        Accuracy on the rows outside each member's bootstrap sample.
    warm_start : bool, default=False
    sampling_strategy : float, str, dict, list, callable or None, default="auto"
        Set on the sampler (labels as in ``y``); None keeps the given sampler's own strategy.
    replacement : bool, default=False
        Whether the default ``RandomUnderSampler`` draws with replacement.
    n_jobs : int or None, default=None
    random_state : int, numpy.random.Generator, RandomState or None, default=None
        Seeds the draws, each member's sampler and each member's estimator.
    verbose : int, default=0
    sampler : None, str or resampler, default=None
        ``None``: ``RandomUnderSampler(replacement=replacement)``; a name from
        :data:`~equipoise.resample.RESAMPLERS`; or any object with ``fit_resample``.

    Attributes
    ----------
    estimator_ : Pipeline
        The template member, ``Pipeline([("sampler", sampler_), ("classifier", estimator)])``.
    estimators_ : list of Pipeline
        The fitted members.
    sampler_ : resampler
        The configured, unfitted sampler (template).
    samplers_ : list
        Each member's fitted sampler.
    estimators_samples_, estimators_features_, classes_, n_classes_, n_features_in_, \
feature_names_in_, oob_score_, oob_decision_function_
        As in :class:`~sklearn.ensemble.BaggingClassifier`.

    Notes
    -----
    Same parameters, defaults and algorithm as :class:`imblearn.ensemble.BalancedBaggingClassifier`
    (0.14). Differences: ``sampler`` also takes a registry name; ``sampling_strategy=None`` keeps
    the sampler's own strategy (imbalanced-learn always overwrites it); every parameter is
    keyword-only (imbalanced-learn lets ``estimator`` and ``n_estimators`` be positional);
    ``random_state`` also takes a ``Generator``. As in
    imbalanced-learn, ``fit`` takes no ``sample_weight``: the sampler would ignore it.

    References
    ----------
    .. [1] Maclin, R. & Opitz, D. (1997). An empirical evaluation of bagging and boosting.
       AAAI/IAAI, 546-551.
    .. [2] Hido, S., Kashima, H. & Takahashi, Y. (2009). Roughly balanced bagging for
       imbalanced data. Statistical Analysis and Data Mining 2(5-6), 412-426.
    .. [3] Breiman, L. (1996). Bagging predictors. Machine Learning 24(2), 123-140.

    Examples
    --------
    >>> from equipoise.datasets import load_example
    >>> X, y = load_example()
    >>> bag = BalancedBaggingClassifier(n_estimators=5, sampler="smote", random_state=0).fit(X, y)
    >>> type(bag.samplers_[0]).__name__, bag.predict(X[:3]).tolist()
    ('SMOTE', [0, 0, 0])
    """

    _parameter_constraints: dict = {
        **copy.deepcopy(BaggingClassifier._parameter_constraints),
        "random_state": RANDOM_STATE_CONSTRAINTS,
        "sampling_strategy": STRATEGY_CONSTRAINTS,
        "replacement": ["boolean"],
        "sampler": SAMPLER_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        estimator: Any = None,
        n_estimators: int = 10,
        max_samples: int | float = 1.0,
        max_features: int | float = 1.0,
        bootstrap: bool = True,
        bootstrap_features: bool = False,
        oob_score: bool = False,
        warm_start: bool = False,
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        sampler: Any = None,
    ) -> None:
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            max_samples=max_samples,
            max_features=max_features,
            bootstrap=bootstrap,
            bootstrap_features=bootstrap_features,
            oob_score=oob_score,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler
