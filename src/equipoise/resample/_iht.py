"""Instance hardness threshold: under-sample by dropping the rows a classifier finds hardest.

References
----------
Smith, M. R., Martinez, T. and Giraud-Carrier, C. (2014). "An instance level analysis of data
complexity." Machine Learning 95(2), 225-256.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import clone

from .._types import RandomStateLike, SamplingStrategy
from .._validation import HasMethods, Interval, encode_labels, short_repr
from ..exceptions import InvalidInputError, InvalidParameterError
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._neighbors_param import N_JOBS_PARAM

__all__ = ["InstanceHardnessThreshold", "seed_unset_random_states"]


def seed_unset_random_states(estimator: Any, rng: np.random.Generator) -> Any:
    """Give every ``random_state`` parameter of ``estimator`` (nested ones too) that is None a seed from ``rng``.

    Seeds the user fixed are kept. Returns the estimator (modified in place).
    """
    params = estimator.get_params(deep=True)
    unset = {
        name: int(rng.integers(np.iinfo(np.int32).max))
        for name in sorted(params)
        if (name == "random_state" or name.endswith("__random_state")) and params[name] is None
    }
    if unset:
        estimator.set_params(**unset)
    return estimator


@RESAMPLERS.register("instance-hardness-threshold")
class InstanceHardnessThreshold(BaseResampler):
    """Keep, in each targeted class, the rows a classifier finds easiest (Smith et al. 2014).

    The *instance hardness* of a row ``(x_i, y_i)`` is ``IH(x_i) = 1 - p(y_i | x_i)``, with
    ``p`` the probability a classifier gives the row's own class when ``x_i`` was *not* in its
    training fold (``cross_val_predict`` over ``cv`` stratified folds). For a targeted class ``c``
    with ``N_c`` rows and a target of ``n_c`` rows, the rows kept are those with

    .. math:: p(c \\mid x_i) \\ge t_c, \\qquad t_c = \\text{percentile}_{100 (1 - n_c / N_c)}\\{p(c \\mid x_j) : y_j = c\\}

    (numpy's linear-interpolation percentile, imbalanced-learn's rule). With distinct
    probabilities that is exactly the ``n_c`` easiest rows; rows tied with the threshold are all
    kept, so a class can end with more than ``n_c`` rows (probabilities of tree ensembles tie
    often). Classes not targeted are kept in full.

    Parameters
    ----------
    estimator : classifier with predict_proba, default=None
        Cloned and cross-validated. By default
        ``RandomForestClassifier(n_estimators=100, n_jobs=n_jobs)`` (imbalanced-learn's default).
        Every ``random_state`` parameter left at None is seeded from ``random_state``; values you
        set are kept.
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to shrink and to what size (imbalanced-learn semantics; 'auto' shrinks
        every class but the minority to the minority's size).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the fold shuffle and the estimator.
    cv : int or cross-validation splitter, default=5
        An int is the number of folds of a shuffled ``StratifiedKFold``; a splitter (an object
        with ``split``) is used as given.
    n_jobs : int or None, default=None
        Jobs for ``cross_val_predict`` and the default forest.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of rows to keep}``.
    estimator_ : classifier
        The (unfitted) clone that was cross-validated.
    instance_hardness_ : numpy.ndarray of float64, shape (n_samples,)
        ``1 - p(y_i | x_i)`` for every input row.
    thresholds_ : dict
        ``{label: t_c}`` for each targeted class.
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order.
    n_features_in_ : int

    Notes
    -----
    Given the same estimator and folds, the kept rows are exactly imbalanced-learn 0.14's. Its
    folds are drawn from a ``RandomState``, ours from the seed ``random_state`` resolves to, so
    with an int ``cv`` the two differ row by row; pass a splitter such as
    ``StratifiedKFold(5, shuffle=True, random_state=0)`` to fix them. imbalanced-learn reseeds
    every ``random_state`` of a user's estimator, even one set explicitly; here explicit ones
    are kept. Smith et al. define instance hardness over a set of learning algorithms; this uses
    one classifier, as imbalanced-learn does.

    References
    ----------
    Smith, M. R., Martinez, T. and Giraud-Carrier, C. (2014). "An instance level analysis of
    data complexity." Machine Learning 95(2), 225-256.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (90, 2)), rng.normal(2, 1, (30, 2))])
    >>> y = np.array([0] * 90 + [1] * 30)
    >>> iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    >>> X_res, y_res = iht.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [30, 30]
    """

    _sampling_type = "under-sampling"
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "estimator": [HasMethods(("fit", "predict_proba")), None],
        "cv": [Interval(int, 2, None, closed="left"), HasMethods(("split",))],
        "n_jobs": N_JOBS_PARAM,
    }

    def __init__(
        self,
        *,
        estimator: Any = None,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        cv: Any = 5,
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.cv = cv
        self.n_jobs = n_jobs

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        classes, codes = encode_labels(y)
        counts = np.bincount(codes, minlength=len(classes))
        if isinstance(self.cv, numbers.Integral):
            smallest = int(np.argmin(counts))
            if self.cv > counts[smallest]:
                raise InvalidInputError(
                    f"The 'cv' parameter of InstanceHardnessThreshold must be at most the size of every "
                    f"class (each fold needs a row of each class); got {self.cv}. Class {short_repr(classes[smallest])} "
                    f"has {counts[smallest]} sample(s): lower cv to at most {counts[smallest]}."
                )
            cv = StratifiedKFold(
                n_splits=int(self.cv),
                shuffle=True,
                random_state=int(rng.integers(np.iinfo(np.int32).max)),
            )
        else:
            cv = self.cv
        if self.estimator is None:
            estimator = RandomForestClassifier(n_estimators=100, n_jobs=self.n_jobs)
        else:
            estimator = clone(self.estimator)
        self.estimator_ = seed_unset_random_states(estimator, rng)
        try:
            proba = cross_val_predict(
                self.estimator_, X, codes, cv=cv, n_jobs=self.n_jobs, method="predict_proba"
            )
        except AttributeError as exc:
            raise InvalidParameterError(
                f"The 'estimator' of InstanceHardnessThreshold must give class probabilities "
                f"(predict_proba); {type(self.estimator_).__name__} failed: {exc}. Use a probabilistic "
                "classifier, e.g. SVC(probability=True) instead of SVC()."
            ) from None
        own = np.asarray(proba, dtype=np.float64)[np.arange(len(y)), codes]
        self.instance_hardness_ = 1.0 - own
        keep = np.ones(len(y), dtype=bool)
        self.thresholds_ = {}
        groups = class_indices(y)
        for label, n_keep in self.sampling_strategy_.items():
            rows = groups[label]
            threshold = float(np.percentile(own[rows], (1.0 - n_keep / len(rows)) * 100.0))
            self.thresholds_[label] = threshold
            keep[rows[own[rows] < threshold]] = False
        return Resampled(indices=np.flatnonzero(keep))
