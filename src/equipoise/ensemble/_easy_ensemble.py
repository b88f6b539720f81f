"""EasyEnsemble (Liu, Wu & Zhou 2009): AdaBoost learners, each on its own balanced subset."""

from __future__ import annotations

import copy
from typing import Any

from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier

from ._bagging import _SamplerBagging
from ._common import RANDOM_STATE_CONSTRAINTS, SAMPLER_CONSTRAINTS, STRATEGY_CONSTRAINTS

__all__ = ["EasyEnsembleClassifier"]

_FIXED = ("max_samples", "max_features", "bootstrap", "bootstrap_features", "oob_score")


class EasyEnsembleClassifier(_SamplerBagging):
    """An ensemble of AdaBoost classifiers, each trained on its own balanced subset.

    EasyEnsemble (Liu, Wu & Zhou 2009): draw ``T = n_estimators`` independent subsets of the
    majority class, each as large as the minority class (random under-sampling, here
    :class:`~equipoise.resample.RandomUnderSampler` on the whole training set), train an AdaBoost
    ensemble ``H_i`` on each subset together with every minority row, and combine them. The
    paper sums the weak learners' weighted votes, ``sign(sum_i sum_j alpha_ij h_ij(x) - theta)``;
    like imbalanced-learn, this implementation averages the AdaBoost members' class
    probabilities (scikit-learn's bagging combination). Unlike bagging, no bootstrap is drawn:
    every member sees the full training set before under-sampling.

    Parameters
    ----------
    n_estimators : int, default=10
        Number of AdaBoost members (``T`` in the paper; the paper uses 4).
    estimator : estimator or None, default=None
        The member; None: ``AdaBoostClassifier()`` (50 stumps, SAMME). Pass
        ``AdaBoostClassifier(n_estimators=10)`` for the paper's ``s_i = 10`` rounds.
    warm_start : bool, default=False
    sampling_strategy : float, str, dict, list, callable or None, default="auto"
        Set on the sampler (labels as in ``y``); None keeps the given sampler's own strategy.
    replacement : bool, default=False
        Whether the default ``RandomUnderSampler`` draws with replacement.
    n_jobs : int or None, default=None
    random_state : int, numpy.random.Generator, RandomState or None, default=None
    verbose : int, default=0
    sampler : None, str or resampler, default=None
        ``None``: ``RandomUnderSampler(replacement=replacement)``; a registry name or any object
        with ``fit_resample`` (a generalisation: imbalanced-learn always under-samples).

    Attributes
    ----------
    estimator_ : Pipeline
        ``Pipeline([("sampler", sampler_), ("classifier", estimator)])``, the template member.
    estimators_ : list of Pipeline
    sampler_, samplers_
        The configured sampler and each member's fitted one.
    classes_, n_classes_, n_features_in_, feature_names_in_, estimators_samples_, \
estimators_features_
        As in :class:`~sklearn.ensemble.BaggingClassifier`.

    Notes
    -----
    Same parameters, defaults and algorithm as :class:`imblearn.ensemble.EasyEnsembleClassifier`
    (0.14), plus ``sampler`` and ``sampling_strategy=None``; every parameter is keyword-only
    and ``random_state`` also takes a ``Generator``. With scikit-learn's metadata routing
    enabled, fitting with the default AdaBoost member fails exactly as
    ``BaggingClassifier(AdaBoostClassifier())`` and imbalanced-learn's class do: scikit-learn's
    AdaBoost does not implement routing yet.

    References
    ----------
    .. [1] Liu, X.-Y., Wu, J. & Zhou, Z.-H. (2009). Exploratory undersampling for
       class-imbalance learning. IEEE Transactions on Systems, Man, and Cybernetics, Part B
       39(2), 539-550.

    Examples
    --------
    >>> from sklearn.ensemble import AdaBoostClassifier
    >>> from equipoise.datasets import load_example
    >>> X, y = load_example()
    >>> easy = EasyEnsembleClassifier(n_estimators=4, estimator=AdaBoostClassifier(n_estimators=10),
    ...                               random_state=0).fit(X, y)
    >>> [len(s.sample_indices_) for s in easy.samplers_]  # 100 of each class per member
    [200, 200, 200, 200]
    """

    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in copy.deepcopy(BaggingClassifier._parameter_constraints).items()
            if k not in _FIXED
        },
        "random_state": RANDOM_STATE_CONSTRAINTS,
        "sampling_strategy": STRATEGY_CONSTRAINTS,
        "replacement": ["boolean"],
        "sampler": SAMPLER_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        n_estimators: int = 10,
        estimator: Any = None,
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
            max_samples=1.0,
            max_features=1.0,
            bootstrap=False,
            bootstrap_features=False,
            oob_score=False,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    def _default_estimator(self) -> Any:
        return AdaBoostClassifier()
