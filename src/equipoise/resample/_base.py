"""The template every resampler follows, and the resampler registry.

``fit_resample(X, y)`` (public, here) validates the parameters and the data once, resolves
``sampling_strategy`` into ``sampling_strategy_`` and ``random_state`` into one generator, then
calls the private ``_fit_resample(X, y, *, rng)`` that each method implements. The method returns
a :class:`Resampled` plan: which original rows to keep (in output order) and which synthetic rows
to append. The base class builds the output from the *original container*: rows are taken from
the user's own numpy array, DataFrame, sparse matrix or tensor, so kept rows are bit-identical,
dtypes and column names survive, and tensors stay on their device.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import InputTags, Tags, TargetTags
from sklearn.utils.validation import _check_feature_names_in

from .._validation import (
    Container,
    check_consistent_length,
    check_labels,
    check_output_size,
    check_random_state,
    check_target,
    check_X,
    encode_labels,
    is_torch_tensor,
    short_repr,
    to_numpy_container,
    validate_params,
)
from ..exceptions import InvalidInputError, InvalidParameterError, NotFittedError
from ..registry import Registry
from ._strategy import SamplingType, resolve_sampling_strategy

__all__ = ["BaseResampler", "Resampled", "RESAMPLERS", "make_resampler", "class_indices"]

RESAMPLERS: Registry[type[BaseResampler]] = Registry("resampler")
"""Every resampler class, by public name ('smote', 'random-under', ...)."""


def make_resampler(name: str, *, random_state: Any = None, **params: Any) -> BaseResampler:
    """Build the resampler registered as ``name`` with ``params``.

    Parameters
    ----------
    name : str
        A name from ``RESAMPLERS.names()`` ('smote', 'random-under', ...).
    random_state : int, Generator, RandomState or None, default=None
        Seeds the resampler when it is random; deterministic ones (TomekLinks,
        EditedNearestNeighbours, NearMiss) have no ``random_state`` and ignore it.
    **params
        The resampler's own parameters.

    Returns
    -------
    BaseResampler

    Raises
    ------
    UnknownNameError
        For an unknown name (the message lists the known ones).
    InvalidParameterError
        For a parameter the resampler does not have, or a required one that is missing; the
        message lists its parameters.

    Examples
    --------
    >>> make_resampler("random-over", random_state=0)
    RandomOverSampler(random_state=0)
    >>> make_resampler("tomek-links", random_state=0)
    TomekLinks()
    """
    cls = RESAMPLERS.get(name)
    accepted = cls._get_param_names()
    if random_state is not None and "random_state" in accepted:
        params = {"random_state": random_state, **params}
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"resampler {short_repr(name)} ({cls.__name__}) has no parameter(s) {unknown}; its parameters are {accepted}."
        )
    try:
        return cls(**params)
    except TypeError as exc:
        raise InvalidParameterError(
            f"cannot build resampler {short_repr(name)}: {exc}. Its parameters are {accepted}."
        ) from None


def class_indices(y: np.ndarray) -> dict[Any, np.ndarray]:
    """``{label: row indices of that class}`` (ascending), computed with one stable sort.

    Labels are Python scalars, matching the keys of ``sampling_strategy_``.
    """
    labels, y_encoded = encode_labels(y)
    if len(labels) <= 32:  # one vectorised pass per class beats a sort
        groups = [np.flatnonzero(y_encoded == code) for code in range(len(labels))]
    else:
        order = np.argsort(y_encoded, kind="stable")
        bounds = np.cumsum(np.bincount(y_encoded, minlength=len(labels)))[:-1]
        groups = np.split(order, bounds)
    return {(lab.item() if isinstance(lab, np.generic) else lab): g for lab, g in zip(labels, groups)}


@dataclass
class Resampled:
    """What a resampler decided, before it is turned back into the user's container.

    Attributes
    ----------
    indices : numpy.ndarray of int64
        Original rows to output, in output order (duplicates allowed).
    X_new : numpy.ndarray or scipy.sparse matrix, optional
        Synthetic rows appended after the selected originals.
    y_new : numpy.ndarray, optional
        Labels of the synthetic rows.
    new_sources : numpy.ndarray of int64, optional
        For perturbed copies (smoothed bootstrap), the original row each synthetic row was made
        from; ``sample_indices_`` then covers every output row.
    """

    indices: np.ndarray
    X_new: Any = None
    y_new: np.ndarray | None = None
    new_sources: np.ndarray | None = None

    @property
    def n_new(self) -> int:
        return 0 if self.X_new is None else self.X_new.shape[0]


@dataclass
class _SamplerTags:
    """imbalanced-learn's sampler tags, declared here so imblearn is not a runtime dependency."""

    sample_indices: bool = False


@dataclass
class _ResamplerInputTags(InputTags):
    dataframe: bool = True


@dataclass
class _ResamplerTags(Tags):
    sampler_tags: _SamplerTags | None = None


class BaseResampler(BaseEstimator):
    """Base class of equipoise resamplers (imbalanced-learn's contract).

    Subclasses declare ``_sampling_type``, ``_parameter_constraints`` and implement
    ``_fit_resample(X, y, *, rng) -> Resampled``. ``__init__`` only stores its keyword arguments.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: n_samples}``: samples to generate (over-samplers), to keep (under-samplers) or
        the classes to clean (cleaning samplers), as in imbalanced-learn.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str
        Only when X was a DataFrame with string column names.
    sample_indices_ : numpy.ndarray of int64
        Row-selecting samplers only: the original row of each output row.
    """

    _sampling_type: ClassVar[SamplingType]
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _needs_numeric_X: ClassVar[bool] = True
    """False for samplers that only select rows (any dtype, NaN allowed)."""
    _generates: ClassVar[bool] = False
    """True for samplers that append synthetic rows (no ``sample_indices_``)."""
    _accepts_tensors: ClassVar[bool] = False
    """True for samplers whose ``_fit_resample`` computes on a torch tensor X where it lies
    (CUDA stays on the GPU); the others receive a numpy copy."""
    _estimator_type = "sampler"

    # ------------------------------------------------------------------ public API
    def fit(self, X: Any, y: Any) -> BaseResampler:
        """Validate the input and resolve ``sampling_strategy_`` without resampling.

        Prefer :meth:`fit_resample`; ``fit`` exists for scikit-learn compatibility.
        """
        self._validate_and_prepare(X, y)
        return self

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Resample ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix, torch.Tensor} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (numpy, list, pandas Series/1-column DataFrame, torch tensor, or a one-hot
            indicator matrix, which comes back one-hot).

        Returns
        -------
        X_resampled : same kind as X
            Selected original rows (in output order), then synthetic rows if any. A DataFrame comes
            back with the same columns and dtypes and a fresh RangeIndex; a tensor on its device.
        y_resampled : same kind as y
        """
        X_arr, X_container, y_1d, y_adapter = self._validate_and_prepare(X, y)
        rng = check_random_state(getattr(self, "random_state", None))
        plan = self._fit_resample(X_arr, y_1d, rng=rng)
        if not self._generates:
            sources = [plan.indices] if plan.new_sources is None else [plan.indices, plan.new_sources]
            self.sample_indices_ = np.concatenate(sources).astype(np.int64, copy=False)
        X_res = _assemble_X(X, X_arr, X_container, plan)
        y_res = y_adapter.assemble(y_1d, plan)
        return X_res, y_res

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names after resampling: the input names, unchanged (rows change, columns do not)."""
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit_resample(X, y) first."
            )
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self) -> _ResamplerTags:
        tags = _ResamplerTags(
            estimator_type="sampler",
            target_tags=TargetTags(required=True),
            input_tags=_ResamplerInputTags(
                two_d_array=True, sparse=True, dataframe=True,
                string=not self._requires_numeric(), allow_nan=not self._requires_numeric(),
            ),
            sampler_tags=_SamplerTags(sample_indices=not self._generates),
        )
        tags.non_deterministic = False
        return tags

    # ------------------------------------------------------------------ template internals
    @abstractmethod
    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        """Decide which rows to keep and which to synthesise (numpy or CSR ``X``, 1-D ``y``)."""

    def _validate_and_prepare(self, X: Any, y: Any) -> tuple[Any, Any, np.ndarray, _TargetAdapter]:
        name = type(self).__name__
        validate_params(name, self.get_params(deep=False), self._parameter_constraints)
        self._check_params()
        if isinstance(X, pd.DataFrame):
            columns = np.asarray(X.columns, dtype=object)
            if all(isinstance(c, str) for c in columns):
                self.feature_names_in_ = columns
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if y is None:
            raise InvalidInputError(
                f"{name} requires y to be passed, but the target y is None. A resampler balances "
                "the classes, so it needs the labels: call fit_resample(X, y)."
            )
        if is_torch_tensor(X) and self._accepts_tensors:
            X_arr, container = X, Container("torch", device=X.device, torch_dtype=X.dtype)
        else:
            X_arr, container = _read_X(X, name)
        numeric = self._requires_numeric()
        X_arr = check_X(X_arr, owner=name, numeric=numeric, allow_nan=not numeric)
        y_adapter = _TargetAdapter(y, owner=name)
        check_consistent_length(X_arr, y_adapter.y, owner=name)
        y_1d, _, _ = check_target(y_adapter.y, owner=name)
        self.n_features_in_ = int(X_arr.shape[1])
        self.sampling_strategy_ = resolve_sampling_strategy(
            self.sampling_strategy, y_1d, self._sampling_type, owner=name
        )
        if self._sampling_type == "over-sampling":
            _check_room(X_arr, len(y_1d) + sum(int(n) for n in self.sampling_strategy_.values()), name)
        if hasattr(self, "sample_indices_"):
            del self.sample_indices_
        return X_arr, container, y_1d, y_adapter

    def _requires_numeric(self) -> bool:
        """Whether X must be numeric and finite for this configuration."""
        return self._needs_numeric_X

    def _check_params(self) -> None:
        """Cross-parameter checks that constraints cannot express (override when needed)."""


def _read_X(X: Any, owner: str) -> tuple[Any, Container]:
    """:func:`to_numpy_container`, with numpy's conversion errors (ragged rows) made clear."""
    try:
        return to_numpy_container(X)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"X passed to {owner} cannot be read as a 2-D array of shape (n_samples, n_features) "
            f"({short_repr(str(exc).split('.')[0], 100)}); every row must have the same number of "
            "features."
        ) from None


def _check_room(X: Any, n_rows: int, owner: str) -> None:
    """Refuse, before allocating, an over-sampled result larger than the memory available."""
    if sp.issparse(X):  # stored values and their column indices, at the input's density
        per_row = X.nnz / max(X.shape[0], 1)
        check_output_size(n_rows, max(int(np.ceil(per_row)), 1), X.dtype.itemsize + 4, owner=owner)
    else:
        check_output_size(n_rows, X.shape[1], max(X.dtype.itemsize, 8), owner=owner)


# ---------------------------------------------------------------------- output assembly
def _assemble_X(X_orig: Any, X_arr: Any, container: Any, plan: Resampled) -> Any:
    """Selected original rows, then synthetic rows, in the container the user passed."""
    idx = plan.indices
    if plan.X_new is None or plan.n_new == 0:
        return _take_rows(X_orig, X_arr, container, idx)
    X_new = plan.X_new
    if container.kind == "pandas" and not container.is_series:
        kept = X_orig.iloc[idx]
        new = pd.DataFrame(X_new.toarray() if sp.issparse(X_new) else X_new, columns=X_orig.columns)
        for column, dtype in X_orig.dtypes.items():
            if isinstance(dtype, np.dtype) and dtype.kind in "iu":
                new[column] = np.rint(new[column].to_numpy(dtype=np.float64))
        new = new.astype(X_orig.dtypes.to_dict())
        return pd.concat([kept, new], ignore_index=True)
    if container.kind == "torch":
        import torch

        if is_torch_tensor(X_new):  # computed on the device by a tensor-aware sampler
            new = X_new.round() if not X_orig.is_floating_point() else X_new
            new = new.to(device=X_orig.device, dtype=X_orig.dtype)
        else:
            new = torch.as_tensor(np.asarray(_cast_new_rows(X_new, X_arr.dtype))).to(
                device=X_orig.device, dtype=X_orig.dtype
            )
        index = torch.as_tensor(idx, device=X_orig.device)
        return torch.cat([X_orig.index_select(0, index), new], dim=0)
    if sp.issparse(X_arr):
        new = X_new if sp.issparse(X_new) else sp.csr_matrix(X_new)
        stacked = sp.vstack([X_arr[idx], new.astype(X_arr.dtype)], format="csr")
        return container.restore(stacked)
    kept = X_arr if len(idx) == X_arr.shape[0] and _originals_first(idx, len(idx)) else X_arr[idx]
    stacked = np.concatenate([kept, _cast_new_rows(X_new, X_arr.dtype)], axis=0)
    if container.kind == "list":
        return stacked.tolist()
    return stacked


def _cast_new_rows(X_new: Any, dtype: np.dtype) -> Any:
    if sp.issparse(X_new):
        return X_new.astype(dtype)
    X_new = np.asarray(X_new)
    if np.dtype(dtype).kind in "iu":
        return np.rint(X_new).astype(dtype)
    return X_new.astype(dtype, copy=False)


def _originals_first(idx: np.ndarray, n: int) -> bool:
    """True when ``idx`` starts with ``0, 1, ..., n-1`` (over-samplers keep every original)."""
    return len(idx) >= n and n > 0 and idx[0] == 0 and idx[n - 1] == n - 1 and bool(np.all(np.diff(idx[:n]) == 1))


def _take_rows(X_orig: Any, X_arr: Any, container: Any, idx: np.ndarray) -> Any:
    n = X_arr.shape[0]
    if container.kind in ("numpy", "list") and _originals_first(idx, n):
        out = np.concatenate([X_arr, X_arr[idx[n:]]]) if len(idx) > n else X_arr.copy()
        return out.tolist() if container.kind == "list" else out
    if container.kind == "pandas":
        out = X_orig.iloc[idx]
        return out.reset_index(drop=True)
    if container.kind == "torch":
        import torch

        return X_orig.index_select(0, torch.as_tensor(idx, device=X_orig.device))
    if container.kind == "sparse":
        return container.restore(X_arr[idx])
    if container.kind == "list":
        return X_arr[idx].tolist()
    return X_arr[idx]


class _TargetAdapter:
    """Accepts every target spelling imbalanced-learn accepts and gives the result back in kind."""

    def __init__(self, y: Any, *, owner: str) -> None:
        self.original = y
        self.one_hot_columns: int | None = None
        self.kind = "numpy"
        if is_torch_tensor(y):
            self.kind = "torch"
            values = y.detach().cpu().numpy()
        elif isinstance(y, pd.Series):
            self.kind = "series"
            values = y.to_numpy()
        elif isinstance(y, pd.DataFrame):
            self.kind = "frame"
            if y.shape[1] != 1:
                values = y.to_numpy()
            else:
                values = y.iloc[:, 0].to_numpy()
        elif isinstance(y, np.ndarray):
            values = y
        else:
            self.kind = "list"
            values = check_labels(y, owner=owner)
        if values.ndim == 2 and values.shape[1] > 1:
            values = self._decode_one_hot(values, owner)
        self.y = values

    def _decode_one_hot(self, values: np.ndarray, owner: str) -> np.ndarray:
        is_binary = values.dtype.kind in "biuf" and np.isin(values, (0, 1)).all()
        if is_binary and (values.sum(axis=1) == 1).all():
            self.one_hot_columns = values.shape[1]
            self.one_hot_dtype = values.dtype
            return values.argmax(axis=1)
        raise InvalidInputError(
            f"{owner} supports one target per sample; got y of shape {values.shape} that is not one-hot "
            "(multilabel or multi-output). Multilabel and multioutput targets are not supported: "
            "resample each output separately or combine them into one label."
        )

    def assemble(self, y_1d: np.ndarray, plan: Resampled) -> Any:
        parts = [y_1d[plan.indices]]
        if plan.n_new:
            parts.append(np.asarray(plan.y_new).astype(y_1d.dtype, copy=False))
        y_res = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if self.one_hot_columns is not None:
            out = np.zeros((len(y_res), self.one_hot_columns), dtype=self.one_hot_dtype)
            out[np.arange(len(y_res)), y_res] = 1
            y_res = out
        if self.kind == "torch":
            import torch

            return torch.as_tensor(y_res).to(device=self.original.device, dtype=self.original.dtype)
        if self.kind == "series":
            return pd.Series(y_res, name=self.original.name).astype(self.original.dtype)
        if self.kind == "frame":
            if self.one_hot_columns is not None:
                return pd.DataFrame(y_res, columns=self.original.columns)
            return pd.DataFrame({self.original.columns[0]: y_res}).astype(self.original.dtypes.to_dict())
        if self.kind == "list":
            return y_res.tolist()
        return y_res
