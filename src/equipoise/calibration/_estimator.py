"""A scikit-learn classifier that rebalances in ``fit`` and returns corrected probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._types import ArrayLike
from .._validation import as_numpy
from ..exceptions import InvalidInputError, InvalidParameterError
from ._prior import check_prior, correct_proba, prior_from_class_weights

__all__ = ["RebalancedClassifier"]


class RebalancedClassifier(ClassifierMixin, BaseEstimator):
    r"""Rebalance in ``fit``, return probabilities for the real prior from ``predict_proba``.

    ``fit`` resamples the training rows (``resampler``) or weights them by class
    (``class_weight``), fits a clone of ``estimator`` on the result and records the prior
    :math:`\pi'` the model learned (the class frequencies of the resampled labels, or
    :func:`prior_from_class_weights`). ``predict_proba`` applies :func:`correct_proba` from
    :math:`\pi'` to ``target_prior`` (default: the training prior :math:`\pi`, i.e. the
    probabilities of the model as if it had not been rebalanced). ``predict`` is the arg-max of
    those probabilities: with ``target_prior='uniform'`` it is the balanced (cost-sensitive)
    decision, with the default it is the accuracy-optimal one.

    With ``calibration='sigmoid'`` or ``'isotonic'`` the rebalanced model is wrapped in
    :class:`sklearn.calibration.CalibratedClassifierCV` (``cv`` folds; the resampler or the class
    weights act inside each training fold through :class:`equipoise.pipeline.Pipeline`, the
    calibrator sees the unresampled, unweighted held-out fold), so the calibrated probabilities
    already reflect :math:`\pi` and only the move to ``target_prior`` remains (``sample_weight``
    is then refused). Use it for SMOTE and other generators, which
    change :math:`p(x \mid y)` as well as the prior.

    Parameters
    ----------
    estimator : scikit-learn classifier with ``predict_proba``
    resampler : str, resampler object or None, default=None
        A :data:`equipoise.resample.RESAMPLERS` name or an object with ``fit_resample``.
    class_weight : 'balanced', dict or None, default=None
        Per-class weights, passed to ``estimator.fit`` as ``sample_weight``
        (:func:`sklearn.utils.class_weight.compute_class_weight`). Exclusive with ``resampler``.
    correction : bool, default=True
        Apply the prior correction; False returns the rebalanced model's probabilities.
    target_prior : None, 'uniform' or array-like, default=None
        None: the class frequencies of ``y`` in ``fit``.
    calibration : None, 'sigmoid' or 'isotonic', default=None
    cv : int, default=5
        Folds of the calibration (only with ``calibration``).
    random_state : int or None, default=None
        Seeds a resampler given by name.

    Attributes
    ----------
    classes_ : numpy.ndarray
    estimator_ : the fitted estimator (or ``CalibratedClassifierCV``)
    train_prior_ : numpy.ndarray
        :math:`\pi`, the class frequencies of ``y``.
    induced_prior_ : numpy.ndarray
        :math:`\pi'`, the prior the fitted model's probabilities reflect.
    target_prior_ : numpy.ndarray

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from equipoise.datasets import load_example
    >>> X, y = load_example()
    >>> clf = RebalancedClassifier(LogisticRegression(), resampler="random-over", random_state=0).fit(X, y)
    >>> clf.induced_prior_.round(2).tolist()
    [0.5, 0.5]
    """

    def __init__(
        self,
        estimator: Any,
        *,
        resampler: Any = None,
        class_weight: Any = None,
        correction: bool = True,
        target_prior: Any = None,
        calibration: str | None = None,
        cv: int = 5,
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.resampler = resampler
        self.class_weight = class_weight
        self.correction = correction
        self.target_prior = target_prior
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state

    def _make_resampler(self) -> Any:
        if self.resampler is None:
            return None
        if isinstance(self.resampler, str):
            from ..resample import make_resampler

            return make_resampler(self.resampler, random_state=self.random_state)
        if not hasattr(self.resampler, "fit_resample"):
            raise InvalidParameterError(
                "The 'resampler' parameter of RebalancedClassifier must be a RESAMPLERS name or an "
                f"object with fit_resample; got {type(self.resampler).__name__}."
            )
        return clone(self.resampler)

    def fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> RebalancedClassifier:
        """Rebalance ``(X, y)``, fit the estimator, record the priors."""
        owner = type(self).__name__
        if self.resampler is not None and self.class_weight is not None:
            raise InvalidParameterError(f"{owner} takes a resampler or a class_weight, not both.")
        if self.calibration not in (None, "sigmoid", "isotonic"):
            raise InvalidParameterError(
                f"The 'calibration' parameter of {owner} must be None, 'sigmoid' or 'isotonic'; got {self.calibration!r}."
            )
        if not isinstance(self.correction, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The 'correction' parameter of {owner} must be a bool; got {self.correction!r}."
            )
        if y is None:
            raise ValueError(f"{owner} requires y to be passed, but the target y is None.")
        y_arr = as_numpy(y)
        if y_arr.ndim == 2 and y_arr.shape[1] == 1:
            y_arr = column_or_1d(y_arr, warn=True)
        check_classification_targets(y_arr)
        classes, y_enc, counts = np.unique(y_arr, return_inverse=True, return_counts=True)
        if len(classes) < 2:
            raise InvalidInputError(
                f"{owner} needs at least two classes in y; got only one class, {classes.tolist()}."
            )
        self.classes_ = classes
        if sample_weight is not None:
            sw = as_numpy(sample_weight).astype(np.float64).ravel()
            if sw.shape != y_enc.shape:
                raise InvalidInputError(
                    f"sample_weight passed to {owner} must have one weight per sample ({len(y_enc)}); got {sw.shape}."
                )
            counts = np.bincount(y_enc, weights=sw, minlength=len(classes))
            if np.any(counts <= 0):
                raise InvalidInputError(
                    f"sample_weight passed to {owner} gives class(es) {classes[counts <= 0].tolist()} zero total "
                    "weight; every class needs a positive weight."
                )
            sample_weight = sw
        self.train_prior_ = counts / counts.sum()
        k = len(classes)
        if self.target_prior is None:
            self.target_prior_ = self.train_prior_.copy()
        elif isinstance(self.target_prior, str) and self.target_prior == "uniform":
            self.target_prior_ = np.full(k, 1.0 / k)
        else:
            self.target_prior_ = check_prior(self.target_prior, k, name="target_prior", owner=owner)

        resampler = self._make_resampler()
        est = clone(self.estimator)
        fit_params: dict[str, Any] = {}
        weights = None
        user_weight = sample_weight
        if self.class_weight is not None:
            from sklearn.utils.class_weight import compute_class_weight

            if isinstance(self.class_weight, str) and self.class_weight == "balanced":
                weights = counts.sum() / (k * counts)  # n / (k n_c), on the sample-weighted counts
            else:
                weights = compute_class_weight(self.class_weight, classes=classes, y=y_arr)
            sw = weights[y_enc]
            sample_weight = sw if sample_weight is None else sw * sample_weight

        if self.calibration is not None:
            from sklearn.calibration import CalibratedClassifierCV

            from ..pipeline import Pipeline

            if user_weight is not None:
                raise InvalidParameterError(
                    f"{owner} with calibration={self.calibration!r} does not take sample_weight (the calibrator "
                    "would have to see the same weights as the model); use class_weight, or calibration=None."
                )
            steps = ([("resample", resampler)] if resampler is not None else []) + [("model", est)]
            inner = Pipeline(steps)
            if (
                weights is not None
            ):  # class weights train the model only; the calibrator sees plain rows
                fit_params["model__sample_weight"] = sample_weight
            model = CalibratedClassifierCV(inner, method=self.calibration, cv=self.cv)
            model.fit(X, y_arr, **fit_params)
            self.induced_prior_ = (
                self.train_prior_.copy()
            )  # calibrated on unresampled held-out rows
        else:
            if resampler is not None:
                X_fit, y_fit = resampler.fit_resample(X, y_arr)
                y_fit = as_numpy(y_fit).ravel()
                res_counts = np.array([np.sum(y_fit == c) for c in classes], dtype=np.float64)
                if np.any(res_counts == 0):
                    raise InvalidInputError(
                        f"the resampler of {owner} left a class with no sample."
                    )
                self.induced_prior_ = res_counts / res_counts.sum()
                self.resampler_ = resampler
                if sample_weight is not None:
                    raise InvalidParameterError(
                        f"{owner} cannot pass sample_weight through a resampler (rows change); use class_weight instead."
                    )
                est.fit(X_fit, y_fit)
            else:
                if sample_weight is not None:
                    fit_params["sample_weight"] = sample_weight
                est.fit(X, y_arr, **fit_params)
                self.induced_prior_ = (
                    self.train_prior_.copy()
                    if weights is None
                    else prior_from_class_weights(weights, self.train_prior_)
                )
            model = est
        self.estimator_ = model
        if hasattr(model, "n_features_in_"):
            self.n_features_in_ = model.n_features_in_
        if hasattr(model, "feature_names_in_"):
            self.feature_names_in_ = model.feature_names_in_
        return self

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Probabilities under ``target_prior_`` (columns in ``classes_`` order)."""
        check_is_fitted(self, "estimator_")
        proba = np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)
        if not self.correction:
            return proba
        return correct_proba(
            proba, train_prior=self.induced_prior_, target_prior=self.target_prior_
        )

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class under ``target_prior_``."""
        check_is_fitted(self, "estimator_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        try:
            inner = clone(self.estimator).__sklearn_tags__()
            tags.input_tags.sparse = inner.input_tags.sparse
            tags.input_tags.allow_nan = inner.input_tags.allow_nan
        except Exception:  # an estimator without tags: keep the defaults
            pass
        return tags
