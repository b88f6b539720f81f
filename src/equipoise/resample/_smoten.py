"""SMOTE-N: SMOTE for purely nominal (categorical) data, with the value difference metric.

References
----------
Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357,
section 6.2 (SMOTE-N).

Cost, S. and Salzberg, S. (1993). "A weighted nearest neighbor algorithm for learning with
symbolic features." Machine Learning 10(1), 57-78 (the value difference metric).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._types import RandomStateLike, SamplingStrategy
from .._validation import encode_labels
from ..exceptions import InvalidInputError
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._neighbors_param import NEIGHBORS_PARAM, resolve_n_neighbors
from ._smote import _BaseSMOTE, _SyntheticRows, _targets

__all__ = ["SMOTEN", "value_class_probabilities", "value_difference_table"]

_BLOCK_ELEMENTS = 2**22
"""Distances computed per block of query rows: about 4M float64 (32 MiB) at a time."""


def _encode_columns(X: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Integer codes (n, d) in sorted category order, and each column's categories.

    A missing value (None or NaN) is one more category, after the others.
    """
    codes = np.empty(X.shape, dtype=np.int64)
    categories = []
    for j in range(X.shape[1]):
        column = X[:, j]
        try:
            col_codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=False)
        except TypeError:  # values that cannot be ordered (mixed types): order of appearance
            col_codes, uniques = pd.factorize(column, use_na_sentinel=False)
        codes[:, j] = col_codes
        categories.append(np.asarray(uniques, dtype=X.dtype))
    return codes, categories


def value_class_probabilities(
    codes: np.ndarray, y_codes: np.ndarray, n_classes: int
) -> list[np.ndarray]:
    """Per feature, ``P[a, c]``: the share of class ``c`` among the rows whose feature takes value ``a``.

    This is what the value difference metric (Cost & Salzberg 1993) is fitted from.
    """
    out = []
    for j in range(codes.shape[1]):
        n_values = int(codes[:, j].max()) + 1
        joint = np.zeros((n_values, n_classes), dtype=np.float64)
        np.add.at(joint, (codes[:, j], y_codes), 1.0)
        out.append(joint / joint.sum(axis=1, keepdims=True))
    return out


def value_difference_table(proba: np.ndarray) -> np.ndarray:
    """``delta[a, b] = sum_c |P[a, c] - P[b, c]|`` for the values (rows) of ``proba``."""
    table = np.zeros((proba.shape[0], proba.shape[0]), dtype=np.float64)
    for column in proba.T:
        table += np.abs(column[:, None] - column[None, :])
    return table


def _nearest_including_self(
    codes: np.ndarray, squared_tables: list[np.ndarray], k: int
) -> np.ndarray:
    """The ``k`` nearest rows of ``codes`` to each row, itself included, by VDM distance.

    ``D(a, b) = sum_j delta_j[a_j, b_j]^2``; equal distances are ordered by row index.
    """
    n = codes.shape[0]
    block = max(1, _BLOCK_ELEMENTS // max(n, 1))
    out = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, block):
        stop = min(start + block, n)
        D = np.zeros((stop - start, n), dtype=np.float64)
        for j, table in enumerate(squared_tables):
            D += table[codes[start:stop, j][:, None], codes[None, :, j]]
        kth = np.partition(D, k - 1, axis=1)[:, k - 1 : k]
        below = D < kth
        tied = D == kth
        # Among the rows tied with the k-th distance, take the smallest indices.
        need = k - below.sum(axis=1, keepdims=True)
        chosen = below | (tied & (np.cumsum(tied, axis=1) <= need))
        rows, cols = np.nonzero(chosen)
        picked = cols.reshape(stop - start, k)
        picked_d = D[rows, cols].reshape(stop - start, k)
        order = np.lexsort((picked, picked_d), axis=1)
        out[start:stop] = np.take_along_axis(picked, order, axis=1)
        del D, below, tied, chosen
    return out


def _mode_per_column(neighbour_codes: np.ndarray) -> np.ndarray:
    """Most frequent code per row and column of (n, k, d) codes; ties go to the smallest code."""
    n, k, d = neighbour_codes.shape
    out = np.empty((n, d), dtype=np.int64)
    for j in range(d):
        codes = neighbour_codes[:, :, j]
        frequency = (codes[:, :, None] == codes[:, None, :]).sum(axis=2)
        best = frequency.max(axis=1, keepdims=True)
        candidate = np.where(frequency == best, codes, np.iinfo(np.int64).max)
        out[:, j] = candidate.min(axis=1)
    return out


@RESAMPLERS.register("smoten")
class SMOTEN(_BaseSMOTE):
    """SMOTE-N: synthetic rows for purely categorical data (Chawla et al. 2002, section 6.2).

    Every column is nominal. Distances use the value difference metric (VDM, Cost & Salzberg
    1993), fitted on the whole training set: for a column ``j`` and two of its values ``a, b``,

    .. math:: \\delta_j(a, b) = \\sum_{c} \\left| P(c \\mid x_j = a) - P(c \\mid x_j = b) \\right|,
              \\qquad D(x, z) = \\sum_j \\delta_j(x_j, z_j)^2

    (values that occur with the same class mix are close). For a class to over-sample, each
    synthetic row draws a base row ``x_i`` of the class uniformly; its ``k_neighbors + 1``
    nearest rows *of the class* by ``D`` (``x_i`` itself included) vote column by column, and
    the synthetic row takes each column's most frequent value (ties: the smallest value). No
    interpolation happens: every synthetic value is a value of the data.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    k_neighbors : int or NearestNeighbors-like object, default=5
        Neighbours that vote with the base row (the paper's k = 5). From an object only
        ``n_neighbors`` is used, read as imbalanced-learn reads it (``m`` means ``m - 1``
        neighbours plus the row itself); its metric is ignored (the VDM is used, as there).
        Every over-sampled class needs ``k_neighbors + 1`` rows.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows}``.
    categories_ : list of numpy.ndarray
        Each column's values, in the order of their codes.
    class_probabilities_ : list of numpy.ndarray
        Per column, ``P[a, c]`` (values by code, classes in label order): the fitted VDM,
        ``delta_j(a, b) = sum_c |P[a, c] - P[b, c]|``.
    n_synthetic_ : int
        Synthetic rows; they are the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    Notes
    -----
    X may hold strings, objects, numbers or a DataFrame of any dtypes (``category`` kept); every
    column is treated as categorical, and a missing value is one more category. Sparse X is not
    accepted. The metric, the neighbourhood (base row included) and the vote are
    imbalanced-learn 0.14's; equal distances are ordered by row index here and by
    scikit-learn's sort there, so with tied neighbourhoods the votes, and the random stream,
    differ. There is no ``categorical_encoder`` parameter: values are encoded internally (the
    sorted order of each column's values, as its OrdinalEncoder does). The VDM is not a
    Euclidean distance, so the neighbour search is a blocked exact search of its own rather
    than :func:`equipoise.neighbors.kneighbors`, ``O(n_c^2 d)`` per class.

    References
    ----------
    Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
    minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357.

    Cost, S. and Salzberg, S. (1993). "A weighted nearest neighbor algorithm for learning with
    symbolic features." Machine Learning 10(1), 57-78.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([["red", "s"]] * 8 + [["blue", "m"]] * 8 + [["red", "m"]] * 4 + [["blue", "l"]] * 4, dtype=object)
    >>> y = np.array([0] * 16 + [1] * 8)
    >>> sampler = SMOTEN(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), sampler.n_synthetic_
    ([16, 16], 8)
    >>> sorted({tuple(row) for row in X_res[24:]}) <= [("blue", "l"), ("red", "m")]
    True
    """

    # A tensor X arrives as a numpy copy: category codes and VDM tables are numpy work.
    _accepts_tensors = False

    _needs_numeric_X = False
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "k_neighbors": NEIGHBORS_PARAM,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: Any = 5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.categorical = True
        return tags

    def _k(self) -> int:
        return resolve_n_neighbors(
            self.k_neighbors,
            owner="SMOTEN",
            parameter="k_neighbors",
            counts_itself=True,
            check_metric=False,
        )

    def _check_params(self) -> None:
        self._k()

    def _validate_and_prepare(self, X: Any, y: Any) -> Any:
        if sp.issparse(X):
            raise InvalidInputError(
                "SMOTEN does not accept sparse X (its columns are categories); pass a dense array or "
                "DataFrame (X.toarray())."
            )
        return super()._validate_and_prepare(X, y)

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k = self._k()
        groups = class_indices(y)
        targets = _targets(self)
        self._check_sizes(groups, targets, "k_neighbors", k)
        codes, self.categories_ = _encode_columns(np.asarray(X))
        classes, y_codes = encode_labels(y)
        self.class_probabilities_ = value_class_probabilities(codes, y_codes, len(classes))
        out = _SyntheticRows(X, y)
        for label, n_new in targets.items():
            rows = groups[label]
            # Distance tables over the values the class uses (its own codes, 0..V_c-1 per column).
            local = np.empty((len(rows), codes.shape[1]), dtype=np.int64)
            squared = []
            for j, proba in enumerate(self.class_probabilities_):
                present, local[:, j] = np.unique(codes[rows, j], return_inverse=True)
                squared.append(value_difference_table(proba[present]) ** 2)
            neighbourhood = _nearest_including_self(local, squared, k + 1)
            base = rng.integers(0, len(rows), size=n_new)
            new_codes = _mode_per_column(codes[rows][neighbourhood[base]])
            X_new = np.empty((n_new, X.shape[1]), dtype=X.dtype)
            for j, values in enumerate(self.categories_):
                X_new[:, j] = values[new_codes[:, j]]
            out.add(X_new, label, base=rows[base])
        return out.plan(self)
