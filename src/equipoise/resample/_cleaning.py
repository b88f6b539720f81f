"""Cleaning under-samplers: remove the rows a neighbourhood rule marks as noisy or borderline.

A cleaning method does not aim at a class size. ``sampling_strategy_`` only names the classes
whose rows *may* be removed; how many go is decided by the data. Both methods here remove
exactly the rows imbalanced-learn 0.14 removes, and keep the others in their original order.

References
----------
Tomek, I. (1976). "Two modifications of CNN." IEEE Transactions on Systems, Man, and
Cybernetics 6(11), 769-772.

Wilson, D. L. (1972). "Asymptotic properties of nearest neighbor rules using edited data."
IEEE Transactions on Systems, Man, and Cybernetics 2(3), 408-421.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .._types import SamplingStrategy
from .._validation import Interval, Options, encode_labels
from ..exceptions import InvalidInputError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._smote import as_index_array

__all__ = ["TomekLinks", "EditedNearestNeighbours"]

_N_JOBS = [Interval(int, -1, None, closed="left"), None]


def _same_path_as_full_search(n: int) -> int | None:
    """``block_size`` for a restricted search that must rank as the all-points search of ``n`` rows
    does: that search uses the tiled engine when neither the reference nor the pair count is
    small, and a restricted one must then too (both compute each pair's float64 distance the
    same way, so they agree bit for bit, ties included)."""
    from .._knn_small import SMALL_PAIRS, SMALL_REFERENCE

    return 1024 if n > SMALL_REFERENCE and n * n > SMALL_PAIRS else None


def tomek_link_members(X: Any, codes: np.ndarray, *, n_jobs: int | None = None) -> np.ndarray:
    """Boolean mask of the rows of ``X`` that belong to a Tomek link (Tomek 1976).

    Two rows form a link when their labels differ and each is the other's nearest neighbour
    (a row is never its own neighbour; equal distances go to the smaller index), exactly the
    rule of :class:`~equipoise.resample.TomekLinks`. Every link has a member outside the
    largest class, so only those rows, and the rows they point to, are searched: about
    ``2 (n - n_largest)`` queries instead of ``n``, with the answer of the all-points search.
    """
    n = len(codes)
    largest = int(np.argmax(np.bincount(codes)))
    outside = np.flatnonzero(codes != largest)
    in_link = np.zeros(n, dtype=bool)
    if not len(outside) or n < 2:
        return in_link
    block = _same_path_as_full_search(n)

    def nearest_of(rows: np.ndarray) -> np.ndarray:
        return as_index_array(
            kneighbors(X, 1, query_indices=rows, block_size=block, n_jobs=n_jobs)[1]
        )[:, 0]

    nearest = np.full(n, -1, dtype=np.int64)
    nearest[outside] = nearest_of(outside)
    pointed = np.unique(nearest[outside])
    pointed = pointed[(codes[pointed] == largest) & (nearest[pointed] < 0)]
    if len(pointed):
        nearest[pointed] = nearest_of(pointed)
    q = outside
    p = nearest[q]
    mutual = (codes[p] != codes[q]) & (nearest[p] == q)
    in_link[q[mutual]] = True
    in_link[p[mutual]] = True
    return in_link


class _NeighbourCleaner(BaseResampler):
    """A cleaner decided by each row's nearest neighbours among all rows (every class).

    ``_fit_resample`` runs one exact all-points search (:func:`equipoise.neighbors.kneighbors`,
    symmetric, so every pair is computed once) and hands the table to ``_clean``. A caller that
    already has that table for the same rows -- SMOTETomek and SMOTEENN search their over-sampled
    set once -- calls ``_clean`` directly, and no search is repeated.
    """

    _sampling_type = "clean-sampling"
    _accepts_tensors = True

    def _n_neighbours_needed(self) -> int:
        raise NotImplementedError

    def _neighbour_table(self, X: Any) -> np.ndarray:
        return as_index_array(kneighbors(X, self._n_neighbours_needed(), n_jobs=self.n_jobs)[1])

    def _clean(self, y: np.ndarray, neighbours: np.ndarray) -> Resampled:
        raise NotImplementedError

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        self._check_size(len(y))
        return self._clean(y, self._neighbour_table(X))

    def _check_size(self, n_samples: int) -> None:
        """Raise when the neighbourhood is larger than the other rows."""


def _targeted_mask(y: np.ndarray, classes: Any) -> np.ndarray:
    """Boolean mask of the rows whose label is one of ``classes`` (keys of ``sampling_strategy_``)."""
    groups = class_indices(y)
    mask = np.zeros(len(y), dtype=bool)
    for label in classes:
        mask[groups[label]] = True
    return mask


@RESAMPLERS.register("tomek-links")
class TomekLinks(_NeighbourCleaner):
    """Remove the members of Tomek links that belong to the targeted classes.

    Two rows ``a`` and ``b`` form a *Tomek link* when they have different labels and each is the
    other's nearest neighbour: no row ``c`` has ``d(a, c) < d(a, b)`` or ``d(b, c) < d(a, b)``
    (Tomek 1976). Such pairs sit on the class boundary or are noise. Every member of a link whose
    class is in ``sampling_strategy_`` is removed (by default every class but the minority, so
    only the majority side of each link goes).

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes that may be cleaned: 'auto' (= 'not minority'), 'all', 'majority',
        'not majority', 'not minority', a list of labels, or a callable ``f(y) -> list`` that
        returns the labels (imbalanced-learn 0.14 refuses callables for cleaning samplers).
    n_jobs : int, optional
        Threads for the neighbour search (-1: all cores; None: the limits in force).

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes that may be cleaned.
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order.
    n_features_in_ : int

    Notes
    -----
    Deterministic. Nearest neighbours come from :func:`equipoise.neighbors.kneighbors` (exact
    Euclidean, a row never counts as its own neighbour, equal distances go to the smaller row
    index). imbalanced-learn asks scikit-learn for the two nearest rows and drops the first,
    assuming it is the row itself; the two agree unless X has duplicate rows.

    References
    ----------
    Tomek, I. (1976). "Two modifications of CNN." IEEE Transactions on Systems, Man, and
    Cybernetics 6(11), 769-772.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [2.4], [4.0], [7.0]])
    >>> y = np.array([0, 0, 0, 1, 1, 0])
    >>> X_res, y_res = TomekLinks().fit_resample(X, y)
    >>> X_res.ravel().tolist()  # (2.0, 2.4) is a link: its class-0 member goes
    [0.0, 1.0, 2.4, 4.0, 7.0]
    """

    _parameter_constraints = {**BaseResampler._parameter_constraints, "n_jobs": _N_JOBS}

    def __init__(
        self, *, sampling_strategy: SamplingStrategy = "auto", n_jobs: int | None = None
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_jobs = n_jobs

    def _n_neighbours_needed(self) -> int:
        return 1

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        self._check_size(len(y))
        _, codes = encode_labels(y)
        if 4 * (len(y) - int(np.bincount(codes).max())) > len(y):
            # Rows outside the largest class are many: one symmetric search costs less.
            return self._clean(y, self._neighbour_table(X))
        # The same links from the rows outside the largest class and the rows they point to.
        removed = tomek_link_members(X, codes, n_jobs=self.n_jobs) & _targeted_mask(
            y, self.sampling_strategy_
        )
        return Resampled(indices=np.flatnonzero(~removed))

    def _clean(self, y: np.ndarray, neighbours: np.ndarray) -> Resampled:
        nearest = neighbours[:, 0]
        rows = np.arange(len(y))
        in_link = (y[nearest] != y) & (nearest[nearest] == rows)
        removed = in_link & _targeted_mask(y, self.sampling_strategy_)
        return Resampled(indices=np.flatnonzero(~removed))


@RESAMPLERS.register("edited-nearest-neighbours")
class EditedNearestNeighbours(_NeighbourCleaner):
    """Remove targeted rows whose nearest neighbours disagree with their label (Wilson editing).

    For each row ``x`` of a class in ``sampling_strategy_``, take its ``k = n_neighbors``
    nearest neighbours ``N_k(x)`` among all the other rows (every class) and keep ``x`` when

    * ``kind_sel='all'``: every neighbour has its label, ``y_j = y_x`` for all ``j`` in ``N_k(x)``;
    * ``kind_sel='mode'``: the most frequent label among the neighbours is ``y_x`` (when several
      labels are equally frequent, the smallest label counts as the mode, as
      :func:`scipy.stats.mode` does in imbalanced-learn).

    Every other row of a targeted class is removed (Wilson 1972). Rows of other classes are kept.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes that may be cleaned ('auto' = every class but the minority), as for
        :class:`TomekLinks`; a callable ``f(y) -> list`` returns their labels.
    n_neighbors : int, default=3
        Size of the neighbourhood (Wilson's rule uses 3).
    kind_sel : {'all', 'mode'}, default='all'
        'all' removes a row unless all its neighbours agree (stricter, removes more);
        'mode' removes it unless most of them agree.
    n_jobs : int, optional
        Threads for the neighbour search (-1: all cores; None: the limits in force).

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes that may be cleaned.
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order (imbalanced-learn lists them class by class;
        the set is the same).
    n_features_in_ : int

    Raises
    ------
    InvalidInputError
        When ``n_neighbors`` is not smaller than the number of rows.

    Notes
    -----
    Deterministic. A row is never its own neighbour; duplicates of it are (imbalanced-learn drops
    the first neighbour scikit-learn returns, which matches except on duplicate rows).

    References
    ----------
    Wilson, D. L. (1972). "Asymptotic properties of nearest neighbor rules using edited data."
    IEEE Transactions on Systems, Man, and Cybernetics 2(3), 408-421.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0], [12.0], [13.0]])
    >>> y = np.array([0, 0, 1, 0, 1, 1, 1, 1])  # the row at 2.0 sits among class 0
    >>> enn = EditedNearestNeighbours(sampling_strategy="all", kind_sel="mode")
    >>> enn.fit_resample(X, y)[0].ravel().tolist()
    [0.0, 1.0, 3.0, 10.0, 11.0, 12.0, 13.0]
    >>> enn.set_params(kind_sel="all").fit_resample(X, y)[0].ravel().tolist()
    [10.0, 11.0, 12.0, 13.0]
    """

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "n_neighbors": [Interval(int, 1, None, closed="left")],
        "kind_sel": [Options(("all", "mode"))],
        "n_jobs": _N_JOBS,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        n_neighbors: int = 3,
        kind_sel: Literal["all", "mode"] = "all",
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _n_neighbours_needed(self) -> int:
        return int(self.n_neighbors)

    def _check_size(self, n_samples: int) -> None:
        if self.n_neighbors >= n_samples:
            raise InvalidInputError(
                f"The 'n_neighbors' parameter of {type(self).__name__} must be smaller than the number "
                f"of samples; got {self.n_neighbors}. X has {n_samples} samples, so each row has "
                f"{n_samples - 1} possible neighbours: lower n_neighbors to at most {n_samples - 1}."
            )

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        self._check_size(len(y))
        targeted = np.flatnonzero(_targeted_mask(y, self.sampling_strategy_))
        if 2 * len(targeted) >= len(y):
            # Most rows are queried: the symmetric all-points search costs less than the rows.
            return self._clean(y, self._neighbour_table(X))
        rows = as_index_array(
            kneighbors(X, self._n_neighbours_needed(), query_indices=targeted, n_jobs=self.n_jobs)[
                1
            ]
        )
        return self._decide(y, targeted, rows)

    def _clean(self, y: np.ndarray, neighbours: np.ndarray) -> Resampled:
        targeted = np.flatnonzero(_targeted_mask(y, self.sampling_strategy_))
        return self._decide(y, targeted, neighbours[targeted, : self.n_neighbors])

    def _decide(self, y: np.ndarray, targeted: np.ndarray, neighbours: np.ndarray) -> Resampled:
        """Keep every row but the targeted ones whose neighbours (rows of ``neighbours``) disagree."""
        n_samples = len(y)
        classes, codes = encode_labels(y)
        own = codes[targeted]
        labels = codes[neighbours]
        if self.kind_sel == "all":
            agrees = np.all(labels == own[:, None], axis=1)
        else:
            votes = np.zeros((len(targeted), len(classes)), dtype=np.int64)
            for column in labels.T:
                votes[np.arange(len(targeted)), column] += 1
            agrees = votes.argmax(axis=1) == own  # first maximum: the smallest label wins ties
        keep = np.ones(n_samples, dtype=bool)
        keep[targeted[~agrees]] = False
        return Resampled(indices=np.flatnonzero(keep))
