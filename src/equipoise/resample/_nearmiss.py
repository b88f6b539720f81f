"""NearMiss: under-sample by keeping the rows of each class that lie closest to the minority.

References
----------
Mani, I. and Zhang, J. (2003). "kNN approach to unbalanced data distributions: a case study
involving information extraction." Proceedings of the ICML 2003 Workshop on Learning from
Imbalanced Datasets.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np

from .._types import SamplingStrategy
from .._validation import Interval, Options, short_repr
from ..exceptions import InvalidInputError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._smote import as_index_array, take_rows

__all__ = ["NearMiss"]


@RESAMPLERS.register("near-miss")
class NearMiss(BaseResampler):
    """Keep, in each targeted class, the rows nearest to the minority class (Mani & Zhang 2003).

    Let ``M`` be the minority class and, for a row ``x`` of a targeted class, ``d_1(x) <= ... <=
    d_m(x)`` its distances to the ``m`` rows of ``M``. With ``k = n_neighbors`` the score of ``x`` is

    * version 1: ``s(x) = (1/k) * sum_{i <= k} d_i(x)``, the mean distance to its ``k`` *nearest*
      minority rows; the ``n`` rows with the smallest score are kept;
    * version 2: ``s(x) = (1/k) * sum_{i > m - k} d_i(x)``, the mean distance to its ``k``
      *farthest* minority rows; the ``n`` rows with the smallest score are kept;
    * version 3: first, every minority row short-lists its ``n_neighbors_ver3`` nearest rows of
      the class; among the short-listed rows, the ``n`` with the *largest* version-1 score are
      kept (so version 3 can keep fewer than ``n``; a warning says so).

    ``n`` is the class's target in ``sampling_strategy_`` (by default the minority size). Equal
    scores are ordered by row index (a stable sort), as in imbalanced-learn, so the kept rows are
    exactly those imbalanced-learn 0.14 keeps; they are returned in their original order.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to shrink and to what size (imbalanced-learn semantics; 'auto' shrinks
        every class but the minority to the minority's size).
    version : {1, 2, 3}, default=1
    n_neighbors : int, default=3
        ``k``: how many minority rows the score averages over (the paper uses 3).
    n_neighbors_ver3 : int, default=3
        Version 3 only: how many rows of each targeted class every minority row short-lists.
    n_jobs : int, optional
        Threads for the neighbour searches (-1: all cores; None: the limits in force).

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of rows to keep}``.
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order (imbalanced-learn orders them by score; the set
        is the same).
    n_features_in_ : int

    Raises
    ------
    InvalidInputError
        When ``n_neighbors`` exceeds the minority size, or (version 3) ``n_neighbors_ver3``
        exceeds the size of a targeted class.

    Notes
    -----
    The minority class is the smallest one; when several classes tie for smallest, the smallest
    label is taken (imbalanced-learn takes the one that appears first in ``y``). Neighbours come
    from :func:`equipoise.neighbors.kneighbors` (exact Euclidean; equal distances are ordered by
    row index), so only data with tied distances at a short-list boundary can differ from
    imbalanced-learn, whose order of equal distances is scikit-learn's.

    References
    ----------
    Mani, I. and Zhang, J. (2003). "kNN approach to unbalanced data distributions: a case study
    involving information extraction." Proceedings of the ICML 2003 Workshop on Learning from
    Imbalanced Datasets.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [9.0], [10.0], [3.0], [3.5]])
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1])
    >>> sampler = NearMiss(n_neighbors=2)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.ravel().tolist()  # the two class-0 rows closest to class 1, then class 1
    [1.0, 2.0, 3.0, 3.5]
    """

    _sampling_type = "under-sampling"
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "version": [Options((1, 2, 3))],
        "n_neighbors": [Interval(int, 1, None, closed="left")],
        "n_neighbors_ver3": [Interval(int, 1, None, closed="left")],
        "n_jobs": [Interval(int, -1, None, closed="left"), None],
    }
    _accepts_tensors = True

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        version: Literal[1, 2, 3] = 1,
        n_neighbors: int = 3,
        n_neighbors_ver3: int = 3,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3
        self.n_jobs = n_jobs

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        groups = class_indices(y)
        minority = min(groups, key=lambda label: len(groups[label]))  # ties: smallest label
        X_min = take_rows(X, groups[minority])
        self._check_sizes(groups, minority)
        keep = np.ones(len(y), dtype=bool)
        for label, n_keep in self.sampling_strategy_.items():
            rows = groups[label]
            chosen = self._select(take_rows(X, rows), X_min, n_keep, label)
            keep[rows] = False
            keep[rows[chosen]] = True
        return Resampled(indices=np.flatnonzero(keep))

    # ------------------------------------------------------------------ steps
    def _check_sizes(self, groups: dict, minority: Any) -> None:
        name = type(self).__name__
        n_min = len(groups[minority])
        if self.n_neighbors > n_min:
            raise InvalidInputError(
                f"The 'n_neighbors' parameter of {name} must be at most the size of the minority "
                f"class; got {self.n_neighbors}. Class {short_repr(minority)} has {n_min} sample(s): lower "
                f"n_neighbors to at most {n_min} or use RandomUnderSampler."
            )
        if self.version != 3:
            return
        for label in self.sampling_strategy_:
            n_class = len(groups[label])
            if self.n_neighbors_ver3 > n_class:
                raise InvalidInputError(
                    f"The 'n_neighbors_ver3' parameter of {name} must be at most the size of every "
                    f"class it under-samples; got {self.n_neighbors_ver3}. Class {short_repr(label)} has "
                    f"{n_class} sample(s): lower n_neighbors_ver3 to at most {n_class}."
                )

    def _score(self, X_class: Any, X_min: Any, *, farthest: bool) -> np.ndarray:
        """Sum of the distances to the ``n_neighbors`` nearest (or farthest) minority rows.

        The sum orders rows exactly as the mean does and is what imbalanced-learn sorts.
        """
        k = self.n_neighbors
        n_query = X_min.shape[0] if farthest else k
        distances, _ = kneighbors(X_min, n_query, query=X_class, n_jobs=self.n_jobs)
        if not isinstance(distances, np.ndarray):  # a tensor: the distances come to the host
            distances = distances.cpu().numpy()
        return np.asarray(distances[:, -k:], dtype=np.float64).sum(axis=1)

    def _select(self, X_class: Any, X_min: Any, n_keep: int, label: Any) -> np.ndarray:
        """Positions (within the class) of the rows to keep."""
        if self.version in (1, 2):
            score = self._score(X_class, X_min, farthest=self.version == 2)
            return np.argsort(score, kind="stable")[:n_keep]
        _, shortlist = kneighbors(X_class, self.n_neighbors_ver3, query=X_min, n_jobs=self.n_jobs)
        shortlist = np.unique(as_index_array(shortlist))
        score = self._score(take_rows(X_class, shortlist), X_min, farthest=False)
        if len(shortlist) < n_keep:
            warnings.warn(
                f"NearMiss-3 short-listed only {len(shortlist)} rows of class {short_repr(label)} (the "
                f"n_neighbors_ver3={self.n_neighbors_ver3} nearest of each minority row) but "
                f"sampling_strategy asks to keep {n_keep}; all {len(shortlist)} are kept. Raise "
                "n_neighbors_ver3 to reach the requested size.",
                UserWarning,
                stacklevel=4,
            )
        # Largest score first; equal scores keep their (index) order.
        return shortlist[np.argsort(-score, kind="stable")[:n_keep]]
