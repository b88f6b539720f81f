"""The template every resampler follows, and the resampler registry.

``fit_resample(X, y)`` (public, here) validates the parameters and the data once, resolves
``sampling_strategy`` into ``sampling_strategy_`` and ``random_state`` into one generator, then
calls the private ``_fit_resample(X, y, *, rng)`` that each method implements. The method returns
a :class:`Resampled` plan: which original rows to keep (in output order) and which synthetic rows
to append, with the base row, neighbour and gap of each. The base class builds the output from
the *original container* (:meth:`equipoise._containers.Container.assemble`): rows are taken from
the user's own numpy array, DataFrame, polars frame, sparse matrix or tensor, so kept rows are
bit-identical, dtypes, column names and index labels survive, and tensors stay on their device.
The plan's row map serves :meth:`BaseResampler.resample_like`.
"""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import InputTags, Tags, TargetTags
from sklearn.utils.validation import _check_feature_names_in

from .._containers import _continued_index, numeric_array
from .._param_names import CachedParamNames
from .._types import RandomStateLike
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
from ._strategy import SAMPLING_STRATEGY_CONSTRAINTS, SamplingType, resolve_sampling_strategy

__all__ = ["BaseResampler", "Resampled", "RESAMPLERS", "make_resampler", "class_indices"]

_LOG = logging.getLogger("equipoise.resample")
_LOG_ROWS = 100_000
"""Inputs from this many rows on log the start and end of fit_resample (logger 'equipoise')."""

RESAMPLERS: Registry[type[BaseResampler]] = Registry("resampler")
"""Every resampler class, by public name ('smote', 'random-under', ...)."""


def make_resampler(
    name: str, *, random_state: RandomStateLike = None, **params: Any
) -> BaseResampler:
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
    return {
        (lab.item() if isinstance(lab, np.generic) else lab): g for lab, g in zip(labels, groups)
    }


@dataclass
class Resampled:
    """What a resampler decided, before it is turned back into the user's container.

    Attributes
    ----------
    indices : numpy.ndarray of int64
        Original rows to output, in output order (duplicates allowed).
    X_new : numpy.ndarray, scipy.sparse matrix, torch.Tensor or DeferredRows, optional
        Synthetic rows appended after the selected originals. A
        :class:`~equipoise._containers.DeferredRows` is written straight into the output by
        :meth:`~equipoise._containers.Container.assemble` (``numpy.asarray`` gives its values).
    y_new : numpy.ndarray, optional
        Labels of the synthetic rows.
    new_sources : numpy.ndarray of int64, optional
        The base row of each synthetic row (the original row it was made from). Every method
        that makes rows sets it. For perturbed copies (smoothed bootstrap, a row selector)
        ``sample_indices_`` then covers every output row.
    new_partners : numpy.ndarray of int64, optional
        The neighbour row each synthetic row was interpolated towards (-1: none).
    new_gaps : numpy.ndarray of float64, optional
        The interpolation gap ``u`` of each synthetic row: ``x_new = x_base + u (x_partner - x_base)``.
    """

    indices: np.ndarray
    X_new: Any = None
    y_new: np.ndarray | None = None
    new_sources: np.ndarray | None = None
    new_partners: np.ndarray | None = None
    new_gaps: np.ndarray | None = None

    @property
    def n_new(self) -> int:
        return 0 if self.X_new is None else self.X_new.shape[0]


@dataclass
class _RowMap:
    """How the output rows of the last ``fit_resample`` derive from the input rows (24 bytes a synthetic row)."""

    n_in: int
    indices: np.ndarray
    sources: np.ndarray | None = None
    partners: np.ndarray | None = None
    gaps: np.ndarray | None = None
    unrecorded: int = 0

    @classmethod
    def from_plan(cls, n_in: int, plan: Resampled, owner: str) -> _RowMap:
        indices = np.asarray(plan.indices, dtype=np.int64)
        if not plan.n_new:
            return cls(n_in, indices)
        if plan.new_sources is None or len(plan.new_sources) != plan.n_new:
            return cls(n_in, indices, unrecorded=plan.n_new)  # a subclass that records no base rows
        sources = np.asarray(plan.new_sources, dtype=np.int64)
        partners = (
            None if plan.new_partners is None else np.asarray(plan.new_partners, dtype=np.int64)
        )
        gaps = None if plan.new_gaps is None else np.asarray(plan.new_gaps, dtype=np.float64)
        return cls(n_in, indices, sources, partners, gaps)


_SYNTHETIC_OPTIONS = ("base", "interpolate")


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


class ParameterTemplate(CachedParamNames, BaseEstimator):
    """The parameter steps of the ``fit_resample`` template, shared by every resampler family.

    :class:`BaseResampler` (in memory), the Dask samplers (:mod:`equipoise.dask`) and the inner
    steps of SMOTETomek/SMOTEENN all run the same two steps, in this order around their own
    data checks: :meth:`_validate_params` (the declared ``_parameter_constraints``, then the
    cross-parameter :meth:`_check_params`) and :meth:`_resolve_strategy` (every spelling of
    ``sampling_strategy`` into ``sampling_strategy_ = {label: n_samples}``).

    Subclasses extend the constraints as imbalanced-learn does:
    ``_parameter_constraints = {**BaseResampler._parameter_constraints, "k_neighbors": [...]}``.
    """

    _sampling_type: ClassVar[SamplingType]
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
    }
    """What every resampler takes; samplers with randomness add ``"random_state": ["random_state"]``
    (a key of this dict is a parameter the class takes, as in imbalanced-learn)."""

    def _validate_params(self) -> None:
        """Tier 1: the declared constraints, then :meth:`_check_params`."""
        validate_params(
            type(self).__name__, self.get_params(deep=False), self._parameter_constraints
        )
        self._check_params()

    def _check_params(self) -> None:
        """Cross-parameter checks that constraints cannot express (override when needed)."""

    def _resolve_strategy(self, y: Any, *, counts: dict[Any, int] | None = None) -> None:
        """Set ``sampling_strategy_`` from ``sampling_strategy`` and the labels (or their counts)."""
        self.sampling_strategy_ = resolve_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type, owner=type(self).__name__, counts=counts
        )


class BaseResampler(ParameterTemplate, metaclass=ABCMeta):
    """Base class of equipoise resamplers (imbalanced-learn's contract).

    Subclasses declare ``_sampling_type``, extend ``_parameter_constraints`` (see
    :class:`ParameterTemplate`) and implement ``_fit_resample(X, y, *, rng) -> Resampled``,
    which is abstract: the base class itself cannot be instantiated. ``__init__`` only stores
    its keyword arguments.

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

    def induced_prior(self, y: Any) -> np.ndarray:
        """The class prior of the rows this fitted resampler produced from ``y``.

        What a model trained on the resampled rows learns as the prior. The rule lives in
        :func:`equipoise.calibration.induced_prior`; pass the result with the true prior to
        :func:`equipoise.calibration.correct_proba` to undo the shift (Saerens et al. 2002).

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            The labels this resampler was fitted on.

        Returns
        -------
        numpy.ndarray of float64
            One probability per class, in sorted class order, summing to one.
        """
        from ..calibration import induced_prior

        return induced_prior(self, y)

    _needs_numeric_X: ClassVar[bool] = True
    """False for samplers that only select rows (any dtype, NaN allowed)."""
    _generates: ClassVar[bool] = False
    """True for samplers that append synthetic rows (no ``sample_indices_``)."""
    _accepts_tensors: ClassVar[bool] = False
    """True for samplers whose ``_fit_resample`` computes on a torch tensor X where it lies
    (CUDA stays on the GPU); the others receive a numpy copy."""
    _target_kind: ClassVar[str] = "classes"
    """The target type ``fit_resample`` takes (:func:`~equipoise._validation.target_kind`):
    'classes' (1-D labels) or 'multilabel' (an indicator matrix; ``resample._multilabel``)."""
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
            Selected original rows (in output order, the user's exact values and dtypes), then
            synthetic rows if any, cast into the input dtypes (integers and bools rounded to the
            nearest, numeric categories snapped to the nearest category). A DataFrame keeps its
            columns, dtypes and index labels; synthetic rows are labelled ``max + 1, ...`` for an
            integer index, else the output gets a fresh RangeIndex. A tensor stays on its device;
            a polars or pyarrow frame comes back as one.
        y_resampled : same kind as y

        Notes
        -----
        After it, :meth:`resample_like` maps any other row-aligned array (groups, weights)
        through this resampling. The rules are in :mod:`equipoise._containers`.
        """
        X_arr, X_container, y_1d, y_adapter = self._validate_and_prepare(X, y)
        rng = check_random_state(getattr(self, "random_state", None))
        big = len(y_1d) >= _LOG_ROWS
        if big:
            _LOG.info("%s: resampling %d rows", type(self).__name__, len(y_1d))
        plan = self._fit_resample(X_arr, y_1d, rng=rng)
        if big:
            _LOG.info(
                "%s: done, %d rows kept and %d new",
                type(self).__name__,
                len(plan.indices),
                plan.n_new,
            )
        if not self._generates:
            sources = (
                [plan.indices] if plan.new_sources is None else [plan.indices, plan.new_sources]
            )
            self.sample_indices_ = np.concatenate(sources).astype(np.int64, copy=False)
        self._row_map_ = _RowMap.from_plan(len(y_1d), plan, type(self).__name__)
        X_res = X_container.assemble(plan.indices, plan.X_new if plan.n_new else None)
        y_res = y_adapter.assemble(y_1d, plan)
        return X_res, y_res

    def resample_like(
        self, values: Any, *, synthetic: Literal["base", "interpolate"] = "base"
    ) -> Any:
        """Carry a row-aligned array through the last :meth:`fit_resample` (groups, weights, ids).

        Row ``i`` of the result belongs to row ``i`` of the last ``X_resampled``: a kept or
        duplicated original row keeps its own value; a synthetic row gets a value derived from
        the row(s) it was made from.

        Parameters
        ----------
        values : array-like of shape (n_samples,) or (n_samples, n_columns)
            One entry (or row) per input row of the last ``fit_resample``: numpy, list, pandas
            Series/DataFrame/Index, torch tensor (any device), polars/pyarrow objects, sparse.
        synthetic : {'base', 'interpolate'}, default='base'
            Value of a synthetic row. ``'base'``: the value of its base row (the row ``x_i`` it
            was made from): right for groups, labels and identifiers, and the choice of
            :class:`equipoise.pipeline.Pipeline` for ``sample_weight``. ``'interpolate'``: the
            features' interpolation applied to the values, ``v_i + u (v_nn - v_i)`` with the
            same base row, neighbour and gap ``u`` (numbers only; integer columns rounded as
            synthetic features are). Methods that make a row without a neighbour (SMOTEN's
            vote, RandomOverSampler's smoothed bootstrap, ClusterCentroids' centroids, whose
            base row is the class row nearest the centroid) give the base row's value for both.

        Returns
        -------
        same kind as ``values``
            Of length ``len(X_resampled)``; a pandas object follows the index rule of
            ``X_resampled`` (kept labels, then ``max + 1, ...`` for an integer index).

        Raises
        ------
        NotFittedError
            Before the first ``fit_resample``.
        InvalidInputError
            When ``values`` has not one entry per input row, or ``'interpolate'`` meets
            non-numeric values.

        Examples
        --------
        >>> import numpy as np
        >>> from equipoise.resample import SMOTE
        >>> X = np.arange(24.0).reshape(12, 2); y = np.array([0] * 9 + [1] * 3)
        >>> groups = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        >>> smote = SMOTE(k_neighbors=2, random_state=0)
        >>> X_res, y_res = smote.fit_resample(X, y)
        >>> g_res = smote.resample_like(groups)
        >>> len(g_res) == len(X_res), bool(np.isin(g_res[12:], [4, 5]).all())
        (True, True)
        """
        name = type(self).__name__
        row_map = self.__dict__.get("_row_map_")
        if row_map is None:
            raise NotFittedError(
                f"This {name} has not resampled anything yet; call fit_resample(X, y) before resample_like."
            )
        if not isinstance(synthetic, str) or synthetic not in _SYNTHETIC_OPTIONS:
            raise InvalidParameterError(
                f"The 'synthetic' parameter of {name}.resample_like must be one of {list(_SYNTHETIC_OPTIONS)}; "
                f"got {synthetic!r}."
            )
        if isinstance(values, pd.Index):
            values = values.to_series(index=pd.RangeIndex(len(values)))
        array, container = to_numpy_container(values)
        n = array.shape[0] if getattr(array, "ndim", 0) >= 1 else None
        if n != row_map.n_in:
            got = "a scalar" if n is None else f"{n} rows"
            raise InvalidInputError(
                f"{name}.resample_like needs one value per input row of the last fit_resample "
                f"({row_map.n_in} rows); got {got}."
            )
        if row_map.unrecorded:
            raise InvalidInputError(
                f"{name} made {row_map.unrecorded} synthetic rows without recording their base rows "
                "(its plan sets no Resampled.new_sources), so resample_like cannot map them."
            )
        if row_map.sources is None:
            return container.take(row_map.indices)
        if synthetic == "base" or row_map.partners is None:
            return container.assemble(row_map.indices, copied=row_map.sources)
        numbers = _float_values(
            numeric_array(array, container, owner=f"{name}.resample_like"), name
        )
        has = row_map.partners >= 0
        partner = np.where(has, row_map.partners, row_map.sources)
        gap = np.where(has, row_map.gaps, 0.0)
        base = numbers[row_map.sources]
        if sp.issparse(numbers):
            new = (base + sp.diags(gap.astype(base.dtype)) @ (numbers[partner] - base)).tocsr()
        else:
            new = numbers[partner] - base
            new *= gap.astype(base.dtype).reshape((-1,) + (1,) * (new.ndim - 1))
            new += base
        return container.assemble(row_map.indices, new)

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
                two_d_array=True,
                sparse=True,
                dataframe=True,
                string=not self._requires_numeric(),
                allow_nan=not self._requires_numeric(),
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
        self._validate_params()
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
            X_arr, container = X, Container("torch", device=X.device, torch_dtype=X.dtype, source=X)
        else:
            X_arr, container = _read_X(X, name)
        numeric = self._requires_numeric()
        if numeric:
            X_arr = numeric_array(X_arr, container, owner=name)
            if sp.issparse(X_arr) and X_arr.dtype.kind in "biu":  # interpolate in floats, not ints
                X_arr = X_arr.astype(np.float64)
        X_arr = check_X(X_arr, owner=name, numeric=numeric, allow_nan=not numeric)
        y_adapter = _TargetAdapter(y, owner=name)
        check_consistent_length(X_arr, y_adapter.y, owner=name)
        y_1d = self._check_y(y_adapter.y, name)
        self.n_features_in_ = int(X_arr.shape[1])
        self.sampling_strategy_ = self._strategy_from_data(X_arr, y_1d, name)
        if self._sampling_type == "over-sampling":
            _check_room(
                X_arr, len(y_1d) + sum(int(n) for n in self.sampling_strategy_.values()), name
            )
        if hasattr(self, "sample_indices_"):
            del self.sample_indices_
        return X_arr, container, y_1d, y_adapter

    def _check_y(self, y: Any, owner: str) -> np.ndarray:
        """The validated 1-D target (class labels; regression resamplers override it)."""
        return check_target(y, owner=owner)[0]

    def _strategy_from_data(self, X: Any, y: np.ndarray, owner: str) -> dict:
        """``sampling_strategy_`` for this data: the classes' rule of :meth:`_resolve_strategy`.

        Regression resamplers override it: their strategy (rows per relevance region) needs the
        continuous target and X's layout, not class labels.
        """
        self._resolve_strategy(y)
        return self.sampling_strategy_

    def _requires_numeric(self) -> bool:
        """Whether X must be numeric and finite for this configuration."""
        return self._needs_numeric_X


def _read_X(X: Any, owner: str) -> tuple[Any, Container]:
    """:func:`to_numpy_container`, with numpy's conversion errors (ragged rows) made clear."""
    try:
        return to_numpy_container(X)
    except InvalidInputError:  # already says what is accepted (unsupported containers)
        raise
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
def _float_values(values: Any, owner: str) -> Any:
    """``values`` as floats for ``resample_like(..., synthetic='interpolate')``."""
    if sp.issparse(values):
        return values.astype(np.float64) if values.dtype.kind != "f" else values
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return values
    try:
        return values.astype(np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{owner}.resample_like(synthetic='interpolate') needs numbers; got values of dtype "
            f"{values.dtype}. Use synthetic='base' for labels, groups and identifiers."
        ) from None


class _TargetAdapter:
    """Accepts every target spelling imbalanced-learn accepts and gives the result back in kind.

    pandas and narwhals-supported targets (a polars Series, ...) come back as the same object
    type with the kept rows' exact values and, for pandas, the index rule of ``X``.
    """

    def __init__(self, y: Any, *, owner: str) -> None:
        self.original = y
        self.one_hot_columns: int | None = None
        self.kind = "numpy"
        self.container: Container | None = None
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
        elif isinstance(y, (list, tuple)):
            self.kind = "list"
            values = check_labels(y, owner=owner)
        else:
            values, container = to_numpy_container(y)
            if container.kind == "narwhals":
                self.kind, self.container = "narwhals", container
                if values.ndim == 2 and values.shape[1] == 1:
                    values = values[:, 0]
            elif container.kind == "sparse":
                values = values.toarray()
            else:
                self.kind = "list" if container.kind == "list" else "numpy"
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
        y_new = np.asarray(plan.y_new).astype(y_1d.dtype, copy=False) if plan.n_new else None
        if self.one_hot_columns is None and self.kind in ("series", "narwhals"):
            container = self.container or Container("pandas", is_series=True, source=self.original)
            new = (
                None
                if y_new is None
                else (y_new.reshape(-1, 1) if self._narwhals_frame() else y_new)
            )
            return container.assemble(plan.indices, new, exact=True)
        parts = [y_1d[plan.indices]]
        if y_new is not None:
            parts.append(y_new)
        y_res = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if self.one_hot_columns is not None:
            out = np.zeros((len(y_res), self.one_hot_columns), dtype=self.one_hot_dtype)
            out[np.arange(len(y_res)), y_res] = 1
            y_res = out
        if self.kind == "torch":
            import torch

            return torch.as_tensor(y_res).to(device=self.original.device, dtype=self.original.dtype)
        if self.kind == "series":  # one-hot cannot be a Series: kept for completeness
            return pd.Series(y_res, name=self.original.name).astype(self.original.dtype)
        if self.kind == "frame":
            if self.one_hot_columns is not None:
                frame = pd.DataFrame(y_res, columns=self.original.columns)
            else:
                frame = pd.DataFrame({self.original.columns[0]: y_res}).astype(
                    self.original.dtypes.to_dict()
                )
            index = _continued_index(self.original.index, plan.indices, plan.n_new)
            if index is not None:
                frame.index = index
            return frame
        if self.kind == "narwhals" and self.container is not None:  # set together in __init__
            return self.container.restore(y_res)
        if self.kind == "list":
            return y_res.tolist()
        return y_res

    def _narwhals_frame(self) -> bool:
        return self.container is not None and not self.container.is_series
