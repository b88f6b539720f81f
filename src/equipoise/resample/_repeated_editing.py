"""Wilson's editing, repeated: RepeatedEditedNearestNeighbours and AllKNN (Tomek 1976).

Both apply :class:`~equipoise.resample.EditedNearestNeighbours` (ENN) again and again to what the
previous pass kept. RENN repeats ENN with the same ``k`` until nothing changes; AllKNN runs it
with ``k = 1, 2, ..., n_neighbors``. Each pass resolves ``sampling_strategy`` against the labels
that are left (as imbalanced-learn 0.14 does), and both stop early when a class the minority
outnumbered at the start falls below the minority's original size, or when a class disappears.
The rows removed are exactly those imbalanced-learn removes; the kept rows come back in their
original order.

References
----------
Tomek, I. (1976). "An experiment with the edited nearest-neighbor rule." IEEE Transactions on
Systems, Man, and Cybernetics 6(6), 448-452.

Wilson, D. L. (1972). "Asymptotic properties of nearest neighbor rules using edited data."
IEEE Transactions on Systems, Man, and Cybernetics 2(3), 408-421.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .._types import SamplingStrategy
from .._validation import Interval, Options, encode_labels
from ..exceptions import InvalidInputError
from ._base import RESAMPLERS, BaseResampler, Resampled
from ._cleaning import EditedNearestNeighbours
from ._inner import plan_inner
from ._neighbors_param import N_JOBS_PARAM, NEIGHBORS_PARAM, limit_threads, resolve_n_neighbors

__all__ = ["RepeatedEditedNearestNeighbours", "AllKNN"]


class _RepeatedEditing(BaseResampler):
    """Shared machinery: one ENN pass on a subset, and the stopping rules."""

    _sampling_type = "clean-sampling"

    def _n_neighbors(self) -> int:
        return resolve_n_neighbors(
            self.n_neighbors, owner=type(self).__name__, parameter="n_neighbors", counts_itself=True
        )

    def _check_size(self, k: int, n_rows: int) -> None:
        if k >= n_rows:
            raise InvalidInputError(
                f"The 'n_neighbors' parameter of {type(self).__name__} must be smaller than the number of "
                f"samples left to edit; got {k}, and {n_rows} sample(s) remain, so each has {n_rows - 1} "
                f"possible neighbours: lower n_neighbors to at most {n_rows - 1}."
            )

    def _edit_once(
        self,
        X: Any,
        y: np.ndarray,
        codes: np.ndarray,
        rows: np.ndarray,
        k: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """ENN on ``X[rows]``, the strategy resolved on ``y[rows]``; returns the kept subset of ``rows``.

        The kept rows come back grouped by class (label order, original order within a class):
        the order imbalanced-learn's ENN returns and the next pass searches in, so that equal
        distances are broken the same way (by position) in every pass.
        """
        self._check_size(k, len(rows))
        enn = EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy, n_neighbors=k, kind_sel=self.kind_sel
        )
        kept = rows[plan_inner(enn, X[rows], y[rows], rng).indices]
        self.enn_ = enn
        return kept[np.argsort(codes[kept], kind="stable")]

    @staticmethod
    def _stop_reasons(
        y: np.ndarray,
        rows: np.ndarray,
        minority_code: int,
        n_minority: int,
        n_classes: int,
        codes: np.ndarray,
    ) -> tuple[bool, bool]:
        """(a class other than the minority fell below the minority's original size, a class vanished)."""
        counts = np.bincount(codes[rows], minlength=n_classes)
        present = counts > 0
        others = present.copy()
        others[minority_code] = False
        below = bool(np.any(counts[others] < n_minority))
        vanished = int(present.sum()) < n_classes
        return below, vanished


@RESAMPLERS.register("repeated-edited-nearest-neighbours")
class RepeatedEditedNearestNeighbours(_RepeatedEditing):
    """Repeat Wilson's editing until it removes nothing more (Tomek 1976, "repeated ENN").

    Let ``S_0`` be the training set. Pass ``t`` applies
    :class:`~equipoise.resample.EditedNearestNeighbours` with ``k = n_neighbors`` to ``S_{t-1}``:
    a row of a targeted class is removed unless its ``k`` nearest neighbours *in* ``S_{t-1}``
    agree with its label (all of them for ``kind_sel='all'``, most of them for ``'mode'``). The
    passes stop after the first one that

    1. removes nothing (converged), or
    2. leaves a class other than the original minority with fewer rows than the minority had at
       the start, or
    3. removes a class completely, or
    4. is pass number ``max_iter``;

    the rows removed by that last pass stay removed (imbalanced-learn's rule). Targeted classes
    are re-resolved from ``sampling_strategy`` on the rows left before every pass.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes that may be cleaned: 'auto' (= 'not minority'), 'all', 'majority',
        'not majority', 'not minority', a list of labels, or a callable ``f(y) -> list``.
    n_neighbors : int or NearestNeighbors-like object, default=3
        ``k``. An object counts as in imbalanced-learn: ``NearestNeighbors(n_neighbors=m)`` means
        ``k = m - 1`` (the sample itself is one of the ``m``); only Euclidean objects are
        accepted, and only their ``n_neighbors`` is used.
    max_iter : int, default=100
        Largest number of passes.
    kind_sel : {'all', 'mode'}, default='all'
        ENN's rule (see :class:`~equipoise.resample.EditedNearestNeighbours`).
    n_jobs : int or None, default=None
        Upper bound on the threads of the neighbour searches (None: the libraries' default,
        -1: every core).

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes that may be cleaned (resolved on the full ``y``).
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order (imbalanced-learn lists them class by class;
        the set is the same).
    n_iter_ : int
        Number of ENN passes run (including the last one, which removed nothing when it converged).
    enn_ : EditedNearestNeighbours
        The ENN of the last pass.
    n_features_in_ : int

    Notes
    -----
    Deterministic. "Minority" is the smallest class; when several tie, the smallest label
    (imbalanced-learn takes the tied class that appears first in ``y``). Neighbours come from
    :func:`equipoise.neighbors.kneighbors` (exact Euclidean, a row is never its own neighbour,
    equal distances go to the smaller row index).

    References
    ----------
    Tomek, I. (1976). "An experiment with the edited nearest-neighbor rule." IEEE Transactions
    on Systems, Man, and Cybernetics 6(6), 448-452.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=500, n_features=4, n_informative=2, n_redundant=0,
    ...                            weights=[0.8], class_sep=0.8, random_state=0)
    >>> _, y_enn = EditedNearestNeighbours().fit_resample(X, y)
    >>> renn = RepeatedEditedNearestNeighbours()
    >>> _, y_renn = renn.fit_resample(X, y)
    >>> Counter(y.tolist()), Counter(y_enn.tolist()), Counter(y_renn.tolist()), renn.n_iter_
    (Counter({0: 400, 1: 100}), Counter({0: 341, 1: 100}), Counter({0: 325, 1: 100}), 4)
    """

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "n_neighbors": NEIGHBORS_PARAM,
        "max_iter": [Interval(int, 1, None, closed="left")],
        "kind_sel": [Options(("all", "mode"))],
        "n_jobs": N_JOBS_PARAM,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        n_neighbors: Any = 3,
        max_iter: int = 100,
        kind_sel: Literal["all", "mode"] = "all",
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.max_iter = max_iter
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        self._n_neighbors()

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k = self._n_neighbors()
        classes, codes = encode_labels(y)
        counts = np.bincount(codes, minlength=len(classes))
        minority = int(np.argmin(counts))  # first minimum: the smallest label on ties
        rows = np.arange(len(y), dtype=np.int64)
        self.n_iter_ = 0
        with limit_threads(self.n_jobs):
            while self.n_iter_ < self.max_iter:
                self.n_iter_ += 1
                kept = self._edit_once(X, y, codes, rows, k, rng)
                converged = len(kept) == len(rows)
                rows = kept
                below, vanished = self._stop_reasons(
                    y, rows, minority, counts[minority], len(classes), codes
                )
                if converged or below or vanished:
                    break
        return Resampled(indices=np.sort(rows))


@RESAMPLERS.register("all-knn")
class AllKNN(_RepeatedEditing):
    """Wilson's editing with growing neighbourhoods, ``k = 1, 2, ..., n_neighbors`` (Tomek 1976, "All k-NN").

    Pass ``k`` applies :class:`~equipoise.resample.EditedNearestNeighbours` with ``k``
    neighbours to what pass ``k - 1`` kept (pass 1 to the training set). Unless
    ``allow_minority=True``, the passes stop after one that leaves a class other than the
    original minority with fewer rows than the minority had at the start; they always stop
    after one that removes a class completely (the rows removed by that pass stay removed, as in
    imbalanced-learn). Targeted classes are re-resolved on the rows left before every pass.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes that may be cleaned ('auto' = every class but the minority).
    n_neighbors : int or NearestNeighbors-like object, default=3
        The largest neighbourhood. An object counts as in imbalanced-learn:
        ``NearestNeighbors(n_neighbors=m)`` means ``m - 1``.
    kind_sel : {'all', 'mode'}, default='all'
        ENN's rule for every pass.
    allow_minority : bool, default=False
        Keep going when a class falls below the minority's original size.
    n_jobs : int or None, default=None
        Upper bound on the threads of the neighbour searches.

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes that may be cleaned (resolved on the full ``y``).
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order.
    n_iter_ : int
        Number of ENN passes run (at most ``n_neighbors``).
    enn_ : EditedNearestNeighbours
        The ENN of the last pass.
    n_features_in_ : int

    Notes
    -----
    Deterministic; ties as in :class:`RepeatedEditedNearestNeighbours`.

    References
    ----------
    Tomek, I. (1976). "An experiment with the edited nearest-neighbor rule." IEEE Transactions
    on Systems, Man, and Cybernetics 6(6), 448-452.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=500, n_features=4, n_informative=2, n_redundant=0,
    ...                            weights=[0.8], class_sep=0.8, random_state=0)
    >>> allknn = AllKNN(n_neighbors=3)
    >>> _, y_res = allknn.fit_resample(X, y)
    >>> Counter(y_res.tolist()), allknn.n_iter_  # ENN with k = 1, 2, 3 in turn
    (Counter({0: 329, 1: 100}), 3)
    """

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "n_neighbors": NEIGHBORS_PARAM,
        "kind_sel": [Options(("all", "mode"))],
        "allow_minority": ["boolean"],
        "n_jobs": N_JOBS_PARAM,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        n_neighbors: Any = 3,
        kind_sel: Literal["all", "mode"] = "all",
        allow_minority: bool = False,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        self._n_neighbors()

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k_max = self._n_neighbors()
        self._check_size(k_max, len(y))
        classes, codes = encode_labels(y)
        counts = np.bincount(codes, minlength=len(classes))
        minority = int(np.argmin(counts))
        rows = np.arange(len(y), dtype=np.int64)
        with limit_threads(self.n_jobs):
            for k in range(1, k_max + 1):
                rows = self._edit_once(X, y, codes, rows, k, rng)
                below, vanished = self._stop_reasons(
                    y, rows, minority, counts[minority], len(classes), codes
                )
                if (below and not self.allow_minority) or vanished:
                    break
        self.n_iter_ = k
        return Resampled(indices=np.sort(rows))
