"""Condensing under-samplers: CondensedNearestNeighbour (Hart 1968) and OneSidedSelection (Kubat & Matwin 1997).

Both keep, for each targeted class ``c``, a subset ``C`` that a nearest-neighbour rule built on
``C`` plus the minority class still classifies well, starting from ``n_seeds_S`` random rows of
``c``. Classes are condensed one at a time, each against the minority class only (one class vs
the minority, as in imbalanced-learn).

References
----------
Hart, P. E. (1968). "The condensed nearest neighbor rule." IEEE Transactions on Information
Theory 14(3), 515-516.

Kubat, M. and Matwin, S. (1997). "Addressing the curse of imbalanced training sets: one-sided
selection." Proceedings of the 14th International Conference on Machine Learning (ICML), 179-186.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .._types import RandomStateLike, SamplingStrategy
from .._validation import Interval, encode_labels, short_repr
from ..exceptions import InvalidInputError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled
from ._cleaning import tomek_link_members
from ._neighbors_param import N_JOBS_PARAM, NEIGHBORS_PARAM, limit_threads, resolve_n_neighbors

__all__ = ["CondensedNearestNeighbour", "OneSidedSelection"]

_NEIGHBORS_OR_NONE = [*NEIGHBORS_PARAM, None]


def _as_float64(X: Any) -> Any:
    return X.astype(np.float64) if sp.issparse(X) else np.asarray(X, dtype=np.float64)


def _row_norms(X: Any) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X, X)


def _squared_distances(S: Any, S_norms: np.ndarray, P: Any) -> np.ndarray:
    """``|s - p|^2`` for every row ``s`` of ``S`` and row ``p`` of ``P``, shape (len(S), len(P)), >= 0."""
    P_norms = _row_norms(P)
    cross = S @ P.T
    cross = cross.toarray() if sp.issparse(cross) else np.asarray(cross)
    out = S_norms[:, None] + P_norms[None, :] - 2.0 * cross
    np.maximum(out, 0.0, out=out)
    return out


class _KNNState:
    """For every row of ``S``, its ``k`` nearest members of a growing reference set ``C``.

    Distances are float64 squared Euclidean distances, computed the same way for the initial
    set and for every row added later, so all comparisons are consistent. Equal distances keep
    the member that joined ``C`` first (the minority rows in index order, then the seeds in
    draw order, then the additions in order): scikit-learn's KNeighborsClassifier on ``C`` with
    ties by position.
    """

    def __init__(self, S: Any, C: Any, C_codes: np.ndarray, k: int) -> None:
        self.S = S
        self.S_norms = _row_norms(S)
        self.k = k
        _, idx = kneighbors(C, k, query=S)
        idx = np.asarray(idx)
        C_norms = _row_norms(C)
        d = np.empty(idx.shape, dtype=np.float64)
        for j in range(
            k
        ):  # float64 distances of the k candidates (as in add), then a (distance, position) order
            members = C[idx[:, j]]
            cross = (
                np.asarray(S.multiply(members).sum(axis=1)).ravel()
                if sp.issparse(S)
                else np.einsum("ij,ij->i", S, members)
            )
            d[:, j] = np.maximum(self.S_norms + C_norms[idx[:, j]] - 2.0 * cross, 0.0)
        order = np.lexsort((idx, d), axis=1)
        self.dist = np.take_along_axis(d, order, axis=1)
        self.codes = C_codes[np.take_along_axis(idx, order, axis=1)]

    def add(self, p: Any, code: int, start: int = 0) -> None:
        """Insert one new member of ``C`` (a row ``p`` with label ``code``) for the rows ``S[start:]``.

        The rows before ``start`` keep their (now stale) neighbours: callers only ask about later rows.
        """
        d = _squared_distances(self.S[start:], self.S_norms[start:], p).ravel()
        local = np.flatnonzero(d < self.dist[start:, -1])
        if not len(local):
            return
        closer, d = start + local, d[local]
        if self.k == 1:
            self.dist[closer, 0] = d
            self.codes[closer, 0] = code
            return
        D, L, dn = self.dist[closer], self.codes[closer], d[:, None]
        slot = (D <= dn).sum(axis=1)[:, None]  # after the members at an equal distance
        columns = np.arange(self.k)[None, :]
        shifted_D = np.concatenate([D[:, :1], D[:, :-1]], axis=1)
        shifted_L = np.concatenate([L[:, :1], L[:, :-1]], axis=1)
        self.dist[closer] = np.where(columns < slot, D, np.where(columns == slot, dn, shifted_D))
        self.codes[closer] = np.where(columns < slot, L, np.where(columns == slot, code, shifted_L))

    def predict(self, own: int, other: int, start: int = 0) -> np.ndarray:
        """Vote between the two labels present in ``C`` for the rows ``S[start:]``; ties go to the smaller code."""
        votes_own = np.count_nonzero(self.codes[start:] == own, axis=1)
        votes_other = self.k - votes_own
        wins = (votes_own > votes_other) | ((votes_own == votes_other) & (own < other))
        return np.where(wins, own, other)


class _Condensing(BaseResampler):
    """Shared parameters and checks of CNN and OSS."""

    _sampling_type = "clean-sampling"

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "n_neighbors": _NEIGHBORS_OR_NONE,
        "n_seeds_S": [Interval(int, 1, None, closed="left")],
        "n_jobs": N_JOBS_PARAM,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        n_neighbors: Any = None,
        n_seeds_S: int = 1,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.n_jobs = n_jobs

    def _n_neighbors(self) -> int:
        if self.n_neighbors is None:
            return 1
        return resolve_n_neighbors(
            self.n_neighbors,
            owner=type(self).__name__,
            parameter="n_neighbors",
            counts_itself=False,
        )

    def _check_params(self) -> None:
        self._n_neighbors()

    def _setup(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        """Classes, codes, counts, the minority code, and k (checked against the start set)."""
        name = type(self).__name__
        classes, codes = encode_labels(y)
        counts = np.bincount(codes, minlength=len(classes))
        minority = int(np.argmin(counts))  # smallest label on ties
        k = self._n_neighbors()
        labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
        for code, label in enumerate(labels):
            if label not in self.sampling_strategy_:
                continue
            if self.n_seeds_S > counts[code]:
                raise InvalidInputError(
                    f"The 'n_seeds_S' parameter of {name} must be at most the size of every class it "
                    f"condenses; got {self.n_seeds_S}. Class {short_repr(label)} has {counts[code]} sample(s): lower "
                    f"n_seeds_S to at most {counts[code]}."
                )
            start = counts[minority] + self.n_seeds_S
            if k > start:
                raise InvalidInputError(
                    f"The 'n_neighbors' parameter of {name} must be at most the size of the starting set "
                    f"(the minority class plus n_seeds_S seeds = {start} rows); got {k}. Lower n_neighbors "
                    f"to at most {start} or raise n_seeds_S."
                )
        return classes, codes, counts, minority, k

    def _targeted_codes(self, classes: np.ndarray) -> list[int]:
        labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
        return [code for code, label in enumerate(labels) if label in self.sampling_strategy_]


@RESAMPLERS.register("condensed-nearest-neighbour")
class CondensedNearestNeighbour(_Condensing):
    """Hart's condensed nearest neighbour rule, one targeted class against the minority at a time.

    For a targeted class ``c`` with rows ``S`` and the minority class ``M``:

    1. ``C`` starts as every row of ``M`` plus ``n_seeds_S`` rows of ``c`` drawn at random
       (without replacement);
    2. the rows of ``S`` are visited in index order; a row that the ``k``-nearest-neighbour rule
       on ``C`` (``k = n_neighbors``, uniform votes, ties to the smaller label) misclassifies is
       added to ``C`` at once, so later rows are classified with it.

    Hart repeats the pass until one adds nothing; here one pass is provably enough, because
    ``C`` only gains rows of class ``c``, so a row of ``c`` classified correctly stays correct.
    The rows of ``c`` kept are the seeds and the rows added, and the result is Hart's
    *consistent* subset: the rule on ``C`` classifies every other row of ``S`` correctly.
    Classes not targeted (by default the minority) are kept in full.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes to condense ('auto' = every class but the minority).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Draws the seeds.
    n_neighbors : int, KNeighborsClassifier-like object or None, default=None
        ``k``; None means 1 (Hart's rule). From an object only ``n_neighbors`` is used, as
        imbalanced-learn does with its KNeighborsClassifier (Euclidean, uniform weights only).
    n_seeds_S : int, default=1
        Seeds per class.
    n_jobs : int or None, default=None
        Upper bound on the threads of the neighbour searches.

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes condensed.
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order.
    seed_indices_ : dict
        ``{label: the seed rows drawn for that class}``.
    n_features_in_ : int

    Notes
    -----
    imbalanced-learn 0.14 makes the same single pass, but its shortcut for skipping rows it
    already classifies correctly mixes row positions within the class with row indices of the
    whole set, so it also skips some misclassified rows and its subset need not be consistent;
    here no row is skipped that way. Seeds are drawn without replacement (imbalanced-learn draws
    with replacement) from numpy's ``Generator``, so the kept rows differ from
    imbalanced-learn's for the same seed. imbalanced-learn refits its classifier and predicts
    every row of the class after each addition, ``O(n_c |C| d)``; here each row's ``k`` nearest
    members of ``C`` are updated in ``O(n_c d)`` per addition (the worst case, every row added,
    is still quadratic). Distances are float64 squared Euclidean distances. "Minority" is the
    smallest class; on a tie, the smallest label.

    References
    ----------
    Hart, P. E. (1968). "The condensed nearest neighbor rule." IEEE Transactions on Information
    Theory 14(3), 515-516.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=500, n_features=4, n_informative=2, n_redundant=0,
    ...                            weights=[0.8], class_sep=0.8, random_state=0)
    >>> cnn = CondensedNearestNeighbour(random_state=0)
    >>> X_res, y_res = cnn.fit_resample(X, y)
    >>> Counter(y_res.tolist())  # 92 rows of class 0 classify all 400 correctly (with class 1)
    Counter({1: 100, 0: 92})
    """

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        classes, codes, counts, minority, k = self._setup(y)
        keep = np.ones(len(y), dtype=bool)
        minority_rows = np.flatnonzero(codes == minority)
        X64 = _as_float64(X)
        self.seed_indices_ = {}
        with limit_threads(self.n_jobs):
            for code in self._targeted_codes(classes):
                rows = np.flatnonzero(codes == code)
                seeds = rng.choice(len(rows), size=self.n_seeds_S, replace=False)
                kept = self._condense(X64, rows, minority_rows, seeds, code, minority, k)
                label = (
                    classes[code].item() if isinstance(classes[code], np.generic) else classes[code]
                )
                self.seed_indices_[label] = rows[seeds]
                keep[rows] = False
                keep[rows[kept]] = True
        return Resampled(indices=np.flatnonzero(keep))

    @staticmethod
    def _condense(
        X: Any,
        rows: np.ndarray,
        minority_rows: np.ndarray,
        seeds: np.ndarray,
        code: int,
        minority: int,
        k: int,
    ) -> np.ndarray:
        """Positions (within ``rows``) kept for one class: the seeds and the rows Hart's pass adds."""
        S = X[rows]
        reference = np.concatenate([minority_rows, rows[seeds]])
        reference_codes = np.concatenate(
            [np.full(len(minority_rows), minority), np.full(len(seeds), code)]
        )
        if code == minority:  # every row of the class is in C already: nothing is misclassified
            return np.sort(seeds)
        state = _KNNState(S, X[reference], reference_codes, k)
        in_C = np.zeros(len(rows), dtype=bool)
        in_C[seeds] = True
        # One pass in index order. A row, once visited, is never looked at again (it stays
        # correct), so each addition only updates the rows after it.
        position, added = 0, []
        while position < len(rows):
            wrong = (state.predict(code, minority, position) != code) & ~in_C[position:]
            ahead = np.flatnonzero(wrong)
            if not len(ahead):
                break
            j = position + int(ahead[0])
            in_C[j] = True
            added.append(j)
            position = j + 1
            if position < len(rows):
                state.add(S[j : j + 1], code, position)
        return np.sort(np.concatenate([seeds, np.asarray(added, dtype=np.int64)]))


@RESAMPLERS.register("one-sided-selection")
class OneSidedSelection(_Condensing):
    """One-sided selection: a one-shot condensing step, then Tomek links (Kubat & Matwin 1997).

    For each targeted class ``c`` and the minority class ``M``:

    1. ``C`` is every row of ``M`` plus ``n_seeds_S`` rows of ``c`` drawn at random;
    2. every other row of ``c`` is classified *once* by the ``k``-nearest-neighbour rule on ``C``
       (``k = n_neighbors``, ties to the smaller label); the seeds and the misclassified rows
       are kept, the others dropped.

    Then the rule of :class:`~equipoise.resample.TomekLinks` with ``sampling_strategy`` = the
    targeted classes is applied to all the rows kept (every class together): the targeted
    members of Tomek links of the reduced set are removed. Every link has a member outside the
    largest class, so only those rows and the rows they point to are searched (about
    ``2 (n - n_largest)`` nearest-neighbour queries instead of ``n``).

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes to reduce ('auto' = every class but the minority).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Draws the seeds.
    n_neighbors : int, KNeighborsClassifier-like object or None, default=None
        ``k``; None means 1 (the paper's 1-NN rule). From an object only ``n_neighbors`` is used.
    n_seeds_S : int, default=1
        Seeds per class (the paper uses 1).
    n_jobs : int or None, default=None
        Upper bound on the threads of the neighbour searches.

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes reduced.
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order.
    seed_indices_ : dict
        ``{label: the seed rows drawn for that class}``.
    tomek_indices_ : numpy.ndarray of int64
        The members (input row indices) of the Tomek links of the reduced set, targeted or not.
    n_features_in_ : int

    Notes
    -----
    The rule is imbalanced-learn 0.14's; given the same seeds the kept rows are the same (seeds
    are drawn without replacement here, with replacement there, from different random streams).
    "Minority" is the smallest class; on a tie, the smallest label. Neighbours come from
    :func:`equipoise.neighbors.kneighbors` (equal distances: the member of ``C`` that comes first,
    minority rows then seeds).

    References
    ----------
    Kubat, M. and Matwin, S. (1997). "Addressing the curse of imbalanced training sets: one-sided
    selection." Proceedings of the 14th International Conference on Machine Learning, 179-186.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=500, n_features=4, n_informative=2, n_redundant=0,
    ...                            weights=[0.8], class_sep=0.8, random_state=0)
    >>> X_res, y_res = OneSidedSelection(random_state=0).fit_resample(X, y)
    >>> Counter(y_res.tolist())
    Counter({0: 321, 1: 100})
    """

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        classes, codes, counts, minority, k = self._setup(y)
        keep = np.ones(len(y), dtype=bool)
        minority_rows = np.flatnonzero(codes == minority)
        self.seed_indices_ = {}
        targeted_codes = self._targeted_codes(classes)
        with limit_threads(self.n_jobs):
            for code in targeted_codes:
                rows = np.flatnonzero(codes == code)
                seeds = rng.choice(len(rows), size=self.n_seeds_S, replace=False)
                label = (
                    classes[code].item() if isinstance(classes[code], np.generic) else classes[code]
                )
                self.seed_indices_[label] = rows[seeds]
                keep[rows] = False
                keep[rows[seeds]] = True
                others = np.setdiff1d(np.arange(len(rows)), seeds)
                if not len(others):
                    continue
                reference = np.concatenate([minority_rows, rows[seeds]])
                reference_codes = np.concatenate(
                    [np.full(len(minority_rows), minority), np.full(len(seeds), code)]
                )
                _, idx = kneighbors(X[reference], k, query=X[rows[others]])
                votes_own = np.count_nonzero(reference_codes[np.asarray(idx)] == code, axis=1)
                votes_other = k - votes_own
                right = (votes_own > votes_other) | ((votes_own == votes_other) & (code < minority))
                keep[rows[others[~right]]] = True
            selected = np.flatnonzero(keep)
            in_link = tomek_link_members(X[selected], codes[selected])
            removed = in_link & np.isin(codes[selected], targeted_codes)
        self.tomek_indices_ = selected[in_link]
        return Resampled(indices=selected[~removed])
