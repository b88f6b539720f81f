"""SMOTE-NC: SMOTE for data with both continuous and categorical (nominal) columns.

References
----------
Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357,
section 6.1 (SMOTE-NC).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._types import RandomStateLike, SamplingStrategy
from .._validation import Interval, first_non_numeric, short_repr
from ..exceptions import InvalidInputError, InvalidParameterError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._smote import _BaseSMOTE, _SyntheticRows, _targets, interpolate

__all__ = ["SMOTENC"]

_DENSE_ONE_HOT_LIMIT = 256
"""Above this many one-hot columns in a class, the distance matrix is built sparse (CSR)."""


@RESAMPLERS.register("smotenc")
class SMOTENC(_BaseSMOTE):
    """SMOTE for mixed continuous and categorical features (Chawla et al., 2002, section 6.1).

    Within the class being over-sampled, let ``Med`` be the median over the continuous columns
    of their (population) standard deviation. The distance between two rows is Euclidean on the
    continuous columns, plus ``Med`` for every categorical column where they differ:

    .. math:: d(a, b)^2 = \\sum_{j \\in cont} (a_j - b_j)^2 + Med^2 \\, \\#\\{j \\in cat : a_j \\ne b_j\\}

    A synthetic row takes a base row ``x_i`` and one of its ``k_neighbors`` nearest same-class
    rows ``x_nn`` (both uniformly, as in :class:`SMOTE`); its continuous columns are
    ``x_i + u (x_nn - x_i)`` with ``u ~ U(0, 1)``, and each categorical column takes the value
    most frequent among the ``k`` neighbours of ``x_i``, ties broken uniformly at random (as
    imbalanced-learn does).

    Parameters
    ----------
    categorical_features : 'auto', array-like of int, array-like of str or boolean mask
        The categorical columns: indices (negative ones count from the end), column names (X must
        then be a DataFrame), a boolean mask of length ``n_features``, or ``'auto'`` to take the
        DataFrame columns of ``category``, ``object``, string or ``bool`` dtype. At least one
        column must be categorical and at least one continuous. It may be given positionally,
        ``SMOTENC([0, 3])``, as in imbalanced-learn (the only positional parameter of any
        equipoise resampler; the others are keyword-only).
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    k_neighbors : int, default=5
        Same-class neighbours per row. Every over-sampled class needs ``k_neighbors + 1`` rows.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows}``.
    categorical_features_ : numpy.ndarray of int64
        Indices of the categorical columns.
    continuous_features_ : numpy.ndarray of int64
        Indices of the continuous columns.
    median_std_ : dict
        ``{label: Med}`` for each over-sampled class.
    n_synthetic_ : int
        Synthetic rows; they are the last ``n_synthetic_`` output rows.
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str
        Only when X was a DataFrame with string column names.

    Notes
    -----
    X may be a numeric array, an object array or a DataFrame; the output has the same kind,
    with DataFrame dtypes (``category`` included) kept. Missing values are allowed in
    categorical columns (a missing value is one more category) but not in continuous ones.
    A scipy sparse X is not accepted (a DataFrame with sparse columns is). Unlike
    imbalanced-learn there is no ``categorical_encoder`` parameter: categories are encoded
    internally and never leave the sampler.

    References
    ----------
    Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
    minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.normal(40, 10, 60),
    ...                   "city": pd.Categorical(rng.choice(["a", "b"], 60))})
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> X_res, y_res = SMOTENC(categorical_features="auto", random_state=0).fit_resample(X, y)
    >>> X_res.dtypes.astype(str).tolist(), np.bincount(y_res).tolist()
    (['float64', 'category'], [50, 50])
    """

    _needs_numeric_X = False
    _accepts_tensors = False  # mixed columns are handled in numpy: a tensor X comes as a numpy copy
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "categorical_features": [str, "array-like"],
        "k_neighbors": [Interval(int, 1, None, closed="left")],
    }

    def __init__(
        self,
        categorical_features: Any,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: int = 5,
    ) -> None:
        self.categorical_features = categorical_features
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = (
            False  # imbalanced-learn's string check has one (categorical) column
        )
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------------ input handling
    def _validate_and_prepare(self, X: Any, y: Any) -> Any:
        if sp.issparse(X):
            raise InvalidInputError(
                "SMOTENC does not accept sparse X; pass a dense array or DataFrame (X.toarray())."
            )
        self._frame = (X.columns, X.dtypes) if isinstance(X, pd.DataFrame) else None
        return super()._validate_and_prepare(X, y)

    def _check_params(self) -> None:
        value = self.categorical_features
        if isinstance(value, str) and value != "auto":
            raise InvalidParameterError(
                "The 'categorical_features' parameter of SMOTENC must be 'auto', a list of column "
                f"indices or names, or a boolean mask; got {short_repr(value)}. For one column write [{short_repr(value)}]."
            )

    def _resolve_columns(self, n_features: int) -> np.ndarray:
        """Boolean mask of the categorical columns."""
        spec, frame = self.categorical_features, self._frame
        if isinstance(spec, str):  # 'auto'
            if frame is None:
                raise InvalidParameterError(
                    "categorical_features='auto' reads the column dtypes of a pandas DataFrame; X is not "
                    "one. Pass the categorical column indices or a boolean mask instead."
                )
            return np.array([_is_categorical_dtype(t) for t in frame[1]], dtype=bool)
        values = np.asarray(spec)
        if values.dtype == bool:
            if values.shape != (n_features,):
                raise InvalidParameterError(
                    f"A boolean categorical_features mask must have one entry per feature ({n_features}); "
                    f"got {values.shape[0] if values.ndim == 1 else values.shape} entries."
                )
            return values.copy()
        mask = np.zeros(n_features, dtype=bool)
        if values.size == 0:
            return mask
        if values.dtype.kind in "iu":
            if values.min() < -n_features or values.max() >= n_features:
                raise InvalidParameterError(
                    f"categorical_features holds column index(es) out of range for X with {n_features} "
                    f"features; got {values.tolist()}."
                )
            mask[values] = True
            return mask
        if frame is None:
            raise InvalidParameterError(
                "categorical_features given by name needs X as a pandas DataFrame; pass column indices "
                "or a boolean mask for arrays."
            )
        columns = list(frame[0])
        unknown = [v for v in values.tolist() if v not in columns]
        if unknown:
            raise InvalidParameterError(
                f"categorical_features names column(s) {unknown} that are not in X; its columns are {columns}."
            )
        mask[[columns.index(v) for v in values.tolist()]] = True
        return mask

    def _continuous_block(self, X: np.ndarray, columns: np.ndarray) -> np.ndarray:
        if X.dtype.kind == "c" or (
            X.dtype.kind == "O" and any(isinstance(v, complex) for v in X[:1, columns].ravel())
        ):
            raise InvalidInputError(
                f"SMOTENC needs real-valued continuous columns; got X of complex dtype {X.dtype}. Split "
                "complex values into real features first, e.g. np.hstack([X.real, X.imag])."
            )
        dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
        if self._frame is not None:
            kinds = [self._frame[1].iloc[j] for j in columns]
            if all(isinstance(t, np.dtype) and t.kind == "f" for t in kinds):
                dtype = np.result_type(*kinds)
        raw = X[:, columns]
        if raw.dtype == object:  # pd.NA / None in a nullable column would read as "non-numeric"
            missing = pd.isna(raw).sum(axis=0)
            if missing.any():
                names = (
                    list(self._frame[0][columns]) if self._frame is not None else columns.tolist()
                )
                where = {names[j]: int(m) for j, m in enumerate(missing) if m}
                raise InvalidInputError(
                    f"The continuous columns of X passed to SMOTENC have missing values ({where} per "
                    "column: pd.NA, None or NaN); impute or drop them first (e.g. "
                    "sklearn.impute.SimpleImputer). Missing values are only allowed in categorical columns."
                )
        try:
            block = raw.astype(dtype)
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"SMOTENC treats columns {columns.tolist()} as continuous but they hold non-numeric values "
                f"(e.g. {first_non_numeric(X[:, columns])}). Add the categorical ones to categorical_features."
            ) from None
        if not np.all(np.isfinite(block)):
            raise InvalidInputError(
                f"The continuous columns of X passed to SMOTENC contain {int(np.sum(~np.isfinite(block)))} "
                "NaN or infinite value(s); impute or drop them first (e.g. sklearn.impute.SimpleImputer). "
                "Missing values are only allowed in categorical columns."
            )
        return block

    # ------------------------------------------------------------------ resampling
    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        try:
            return self._resample(X, y, rng)
        finally:
            self._frame = None

    def _resample(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Resampled:
        n_features = X.shape[1]
        is_cat = self._resolve_columns(n_features)
        if is_cat.all():
            raise InvalidParameterError(
                "SMOTENC needs at least one continuous column to interpolate, but every column is "
                "categorical. Use RandomOverSampler, or imbalanced-learn's SMOTEN for purely "
                "categorical data."
            )
        if not is_cat.any():
            raise InvalidParameterError(
                "SMOTENC got no categorical column (categorical_features selects none); use SMOTE for "
                "purely continuous data, or list the categorical columns."
            )
        self.categorical_features_ = np.flatnonzero(is_cat).astype(np.int64)
        self.continuous_features_ = np.flatnonzero(~is_cat).astype(np.int64)
        continuous = self._continuous_block(X, self.continuous_features_)
        codes, categories = _encode(X, self.categorical_features_)

        k = int(self.k_neighbors)
        groups = class_indices(y)
        targets = _targets(self)
        self._check_sizes(groups, targets, "k_neighbors", k)
        self.median_std_ = {}
        out = _SyntheticRows(X, y)
        for label, n_new in targets.items():
            members = groups[label]
            cont, cat = continuous[members], codes[members]
            median_std = float(np.median(cont.std(axis=0, dtype=np.float64)))
            self.median_std_[label] = median_std
            nn = kneighbors(_distance_features(cont, cat, median_std), k)[1]
            base = rng.integers(0, len(members), size=n_new)
            partner = nn[base, rng.integers(0, k, size=n_new)]
            gap = rng.random(n_new)
            new_cont = interpolate(cont[base], cont[partner], gap)
            new_cat = _vote(cat[nn[base]], rng)
            out.add(
                self._assemble(X, new_cont, new_cat, categories),
                label,
                base=members[base],
                partner=members[partner],
                gap=gap,
            )
        return out.plan(self)

    def _assemble(
        self, X: np.ndarray, cont: np.ndarray, cat_codes: np.ndarray, categories: list
    ) -> np.ndarray:
        new = np.empty((cont.shape[0], X.shape[1]), dtype=X.dtype)
        new[:, self.continuous_features_] = cont
        for j, (column, values) in enumerate(zip(self.categorical_features_, categories)):
            new[:, column] = values[cat_codes[:, j]]
        return new


def _is_categorical_dtype(dtype: Any) -> bool:
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def _encode(X: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Integer codes (n, n_cat) and each column's distinct values (missing values included)."""
    codes = np.empty((X.shape[0], len(columns)), dtype=np.int64)
    categories = []
    for j, column in enumerate(columns):
        col_codes, uniques = pd.factorize(X[:, column], use_na_sentinel=False)
        codes[:, j] = col_codes
        categories.append(np.asarray(uniques, dtype=X.dtype))
    return codes, categories


def _distance_features(cont: np.ndarray, cat: np.ndarray, median_std: float) -> Any:
    """Continuous columns plus one-hot categories scaled by ``Med / sqrt(2)``.

    Two rows differing in one categorical column differ in two one-hot entries, so that column
    adds ``2 (Med / sqrt(2))^2 = Med^2`` to the squared Euclidean distance.
    """
    n = cont.shape[0]
    # Distances are computed in float32 at least (scipy.sparse has no float16); only the
    # neighbour search sees the upcast, the synthetic values keep the input's dtype.
    cont = cont.astype(np.result_type(cont.dtype, np.float32), copy=False)
    blocks, width = [], 0
    for j in range(cat.shape[1]):
        _, local = np.unique(cat[:, j], return_inverse=True)
        blocks.append(local.ravel() + width)
        width += int(local.max()) + 1
    rows = np.repeat(np.arange(n), len(blocks))
    cols = np.stack(blocks, axis=1).ravel()
    scale = median_std / np.sqrt(2.0)
    one_hot = sp.csr_matrix(
        (np.full(len(cols), scale, dtype=cont.dtype), (rows, cols)), shape=(n, width)
    )
    if width <= _DENSE_ONE_HOT_LIMIT:
        return np.hstack([cont, one_hot.toarray()])
    return sp.hstack([sp.csr_matrix(cont), one_hot], format="csr")


def _vote(neighbour_codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Most frequent code per row and column among the k neighbours; ties uniformly at random.

    ``neighbour_codes`` has shape (n_new, k, n_cat); the result (n_new, n_cat).
    """
    n_new, k, n_cat = neighbour_codes.shape
    out = np.empty((n_new, n_cat), dtype=np.int64)
    for j in range(n_cat):
        codes = neighbour_codes[:, :, j]
        frequency = (codes[:, :, None] == codes[:, None, :]).sum(axis=2)
        is_mode = frequency == frequency.max(axis=1, keepdims=True)
        # Every tied category fills the same number of slots, so a uniform slot is a uniform category.
        pick = np.where(is_mode, rng.random((n_new, k)), -1.0).argmax(axis=1)
        out[:, j] = codes[np.arange(n_new), pick]
    return out
