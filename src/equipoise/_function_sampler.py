"""A sampler made from a function: ``func(X, y, **kw_args) -> (X_res, y_res)``.

The bridge for any resampling rule that is not a class (drop outliers, a custom quota, a call
into another library) so it can sit in a :class:`~equipoise.pipeline.Pipeline`, where it runs on
training data only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import InputTags, Tags, TargetTags

from ._validation import (
    check_consistent_length,
    check_target,
    check_X,
    to_numpy_container,
    validate_params,
)
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = ["FunctionSampler"]


class FunctionSampler(BaseEstimator):
    """Wrap ``func(X, y, **kw_args) -> (X_res, y_res)`` as a sampler (``fit_resample``).

    With ``validate=True`` (the default) ``X`` and ``y`` are checked first (2-D ``X``, one label
    per row, equal lengths, sparse input only with ``accept_sparse``), ``func`` receives numpy
    arrays (or a scipy CSR matrix) and a 1-D label array, and its result is given back in the
    containers that came in: a DataFrame keeps its column names and dtypes (when ``func`` kept
    the columns), a Series its name, a tensor its device. With ``validate=False`` ``func`` gets
    ``X`` and ``y`` exactly as passed and its result is returned untouched.

    Parameters
    ----------
    func : callable or None, default=None
        ``func(X, y, **kw_args)`` returning ``(X_res, y_res)``. None is the identity.
    accept_sparse : bool, default=True
        Whether a scipy sparse ``X`` is accepted (``validate=True`` only).
    kw_args : dict or None, default=None
        Extra keyword arguments for ``func`` (nested parameters: ``sampler__kw_args``).
    validate : bool, default=True
        Check and convert the input, and restore the containers on output.

    Attributes
    ----------
    n_features_in_ : int
        With ``validate=True``.
    feature_names_in_ : numpy.ndarray of str
        With ``validate=True`` and a DataFrame with string column names.

    Notes
    -----
    Same contract as :class:`imblearn.FunctionSampler` (0.14): same parameters and defaults.
    It is *not* in :data:`equipoise.resample.RESAMPLERS`: a registry name must build a working
    sampler from configuration alone (the CLI and config files do so, and every registered
    resampler goes through the shared checks that it balances classes), and a function cannot be
    written in a config file; without one it is only the identity. It has no
    ``sampling_strategy``, so an ensemble given a FunctionSampler leaves the balancing to it.

    Examples
    --------
    >>> import numpy as np
    >>> def drop_far_rows(X, y, limit):
    ...     keep = np.abs(X).max(axis=1) <= limit
    ...     return X[keep], y[keep]
    >>> X = np.array([[0.0], [1.0], [9.0], [2.0]]); y = np.array([0, 1, 1, 0])
    >>> X_res, y_res = FunctionSampler(func=drop_far_rows, kw_args={"limit": 5}).fit_resample(X, y)
    >>> y_res.tolist()
    [0, 1, 0]
    """

    _estimator_type = "sampler"

    def __init__(
        self,
        *,
        func: Callable[..., tuple[Any, Any]] | None = None,
        accept_sparse: bool = True,
        kw_args: Mapping[str, Any] | None = None,
        validate: bool = True,
    ) -> None:
        self.func = func
        self.accept_sparse = accept_sparse
        self.kw_args = kw_args
        self.validate = validate

    def _check_params(self) -> None:
        name = type(self).__name__
        if self.func is not None and not callable(self.func):
            raise InvalidParameterError(
                f"The 'func' parameter of {name} must be a callable func(X, y, **kw_args) or None; got {self.func!r}."
            )
        if self.kw_args is not None and not isinstance(self.kw_args, Mapping):
            raise InvalidParameterError(
                f"The 'kw_args' parameter of {name} must be a dict of keyword arguments for func or None; "
                f"got {self.kw_args!r}."
            )
        validate_params(
            name,
            {"accept_sparse": self.accept_sparse, "validate": self.validate},
            {"accept_sparse": ["boolean"], "validate": ["boolean"]},
        )

    def _checked(self, X: Any, y: Any) -> tuple[Any, Any, Any, Any]:
        name = type(self).__name__
        X_arr, X_container = to_numpy_container(X)
        X_arr = check_X(X_arr, owner=name, numeric=False, accept_sparse=self.accept_sparse)
        y_arr, y_container = to_numpy_container(y)
        y_1d, _, _ = check_target(y_arr, owner=name, min_classes=1)
        check_consistent_length(X_arr, y_1d, owner=name)
        self.n_features_in_ = int(X_arr.shape[1])
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return X_arr, X_container, y_1d, y_container

    def fit(self, X: Any, y: Any) -> FunctionSampler:
        """Check the input (with ``validate=True``); nothing is learned.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix, torch.Tensor} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        self._check_params()
        if self.validate:
            self._checked(X, y)
        self.sampling_strategy_ = "bypass"
        return self

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Apply ``func`` to ``(X, y)``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix, torch.Tensor} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled, y_resampled
            What ``func`` returned; with ``validate=True``, in the containers of ``X`` and ``y``.
        """
        self._check_params()
        self.sampling_strategy_ = "bypass"
        kw_args = dict(self.kw_args or {})
        if not self.validate:
            return (X, y) if self.func is None else self._call(X, y, kw_args)
        X_arr, X_container, y_1d, y_container = self._checked(X, y)
        X_res, y_res = (X_arr, y_1d) if self.func is None else self._call(X_arr, y_1d, kw_args)
        return _restore(X_res, X_container, X_arr), _restore(np.asarray(y_res), y_container, y_1d)

    def _call(self, X: Any, y: Any, kw_args: dict) -> tuple[Any, Any]:
        func = self.func
        if func is None:  # the identity (fit_resample does not call _call for it)
            return X, y
        out = func(X, y, **kw_args)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise InvalidInputError(
                f"The func of {type(self).__name__} must return a pair (X_resampled, y_resampled); "
                f"got {type(out).__name__}."
            )
        X_out, y_out = out
        n_rows = X_out.shape[0] if hasattr(X_out, "shape") else len(X_out)
        if self.validate and n_rows != len(y_out):
            raise InvalidInputError(
                f"The func of {type(self).__name__} returned X and y of different lengths; each row "
                "needs its label."
            )
        return out

    def __sklearn_tags__(self) -> Tags:
        tags = Tags(
            estimator_type="sampler",
            target_tags=TargetTags(required=True),
            input_tags=InputTags(
                two_d_array=True, sparse=self.accept_sparse, allow_nan=True, string=True
            ),
        )
        tags.non_deterministic = False
        return tags


def _restore(result: Any, container: Any, seen: Any) -> Any:
    """Give ``result`` back in the input's container when it still fits it."""
    if container.kind == "pandas":
        if isinstance(result, (pd.DataFrame, pd.Series)):
            return result.reset_index(drop=True) if container.is_series else result
        if container.is_series:
            return container.restore(np.asarray(result).ravel())
        if np.ndim(result) == 2 and np.shape(result)[1] == len(container.columns):
            return container.restore(result)
        return result
    if container.kind == "sparse" and not sp.issparse(result):
        return result
    if container.kind == "torch":
        return container.restore(result.toarray() if sp.issparse(result) else result)
    return container.restore(result)
