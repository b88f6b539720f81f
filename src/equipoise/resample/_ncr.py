"""The neighbourhood cleaning rule (Laurikkala 2001), as imbalanced-learn 0.14 implements it.

References
----------
Laurikkala, J. (2001). "Improving identification of difficult small classes by balancing class
distribution." Artificial Intelligence in Medicine (AIME 2001), LNCS 2101, 63-66.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from .._types import SamplingStrategy
from .._validation import Interval, encode_labels
from ..exceptions import InvalidInputError, InvalidParameterError
from ._base import RESAMPLERS, BaseResampler, Resampled
from ._cleaning import EditedNearestNeighbours
from ._inner import plan_inner
from ._neighbors_param import N_JOBS_PARAM, NEIGHBORS_PARAM, limit_threads, resolve_n_neighbors
from ._smote import neighbours_excluding_self

__all__ = ["NeighbourhoodCleaningRule", "majority_vote"]


def majority_vote(label_codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Most frequent code in each row of ``label_codes`` (n, k); ties go to the smallest code.

    That is scipy.stats.mode's rule and scikit-learn's KNeighborsClassifier's (uniform weights).
    """
    n = label_codes.shape[0]
    votes = np.zeros((n, n_classes), dtype=np.int64)
    rows = np.arange(n)
    for column in label_codes.T:
        votes[rows, column] += 1
    return votes.argmax(axis=1)


@RESAMPLERS.register("neighbourhood-cleaning-rule")
class NeighbourhoodCleaningRule(BaseResampler):
    """Neighbourhood cleaning rule: ENN, then the neighbours of misclassified minority rows (Laurikkala 2001).

    With ``k = n_neighbors``, ``M`` the minority class and ``n_c`` the size of class ``c``, the
    rows removed are ``A1 ∪ A2``:

    * ``A1``: the rows :class:`~equipoise.resample.EditedNearestNeighbours` removes with
      ``kind_sel='mode'`` and ``k`` neighbours from the targeted classes (a row goes when the most
      frequent label among its ``k`` nearest other rows is not its own);
    * ``A2``: for every minority row ``x`` that a ``k``-nearest-neighbour vote over the whole set
      *misclassifies*, its ``k`` nearest other rows that belong to a class ``c`` to clean, where
      the classes to clean are the targeted classes with ``n_c > threshold_cleaning * n_M``
      (``classes_to_clean_``).

    The vote that decides whether ``x`` is misclassified counts ``x`` itself among the ``k``
    voters (imbalanced-learn fits a ``KNeighborsClassifier`` on the whole set and predicts the
    minority rows, so each is its own nearest neighbour): the labels of ``x`` and of its
    ``k - 1`` nearest other rows; ties go to the smallest label. ``A2``'s neighbours exclude ``x``.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        The classes that may be cleaned ('auto' = every class but the minority), for both steps.
    edited_nearest_neighbours : EditedNearestNeighbours or None, default=None
        The ENN of the first step (cloned; its own ``sampling_strategy``, ``n_neighbors`` and
        ``kind_sel`` are used). By default ``EditedNearestNeighbours(sampling_strategy=
        sampling_strategy, n_neighbors=n_neighbors, kind_sel='mode')``.
    n_neighbors : int or NearestNeighbors-like object, default=3
        ``k`` (Laurikkala uses 3). An object counts as in imbalanced-learn:
        ``NearestNeighbors(n_neighbors=m)`` means ``k = m - 1``.
    threshold_cleaning : float, default=0.5
        A targeted class is cleaned in the second step when ``n_c > threshold_cleaning * n_M``
        (the paper's 0.5).
    n_jobs : int or None, default=None
        Upper bound on the threads of the neighbour searches.

    Attributes
    ----------
    sampling_strategy_ : dict
        Its keys are the classes that may be cleaned.
    classes_to_clean_ : list
        The classes the second step cleans, in label order.
    edited_nearest_neighbours_ : EditedNearestNeighbours
        The ENN of the first step (fitted).
    sample_indices_ : numpy.ndarray of int64
        The kept rows, in their original order.
    n_features_in_ : int

    Notes
    -----
    Deterministic; the same rows as imbalanced-learn 0.14 (checked on KEEL sets without
    duplicate rows and on 3-class data). The differences from Laurikkala's paper are
    imbalanced-learn's, followed here: the paper cleans classes with ``n_c >= 0.5 n_M`` (here
    ``>``), and its 3-NN misclassification test does not let ``x`` vote for itself (here ``x``
    is one of the ``k`` voters, so with ``k = 3`` two other rows decide and a tie keeps ``x``'s
    label only if it is the smaller one). imbalanced-learn before 0.12 used ``kind_sel='all'``
    for ``A1``; 0.14 uses ``'mode'``, the paper's Wilson rule.

    As for every neighbour rule here, a row is never its own neighbour in ``A1`` or ``A2``
    (imbalanced-learn drops the first neighbour scikit-learn returns, which can be a duplicate
    of the row), so results differ from imbalanced-learn only on data with duplicate rows.
    "Minority" is the smallest class; on a tie, the smallest label (imbalanced-learn: the tied
    class that appears first in ``y``).

    References
    ----------
    Laurikkala, J. (2001). "Improving identification of difficult small classes by balancing
    class distribution." Artificial Intelligence in Medicine (AIME 2001), LNCS 2101, 63-66.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [5.5], [6.0], [9.0], [10.0]])
    >>> y = np.array([0, 0, 0, 0, 0, 1, 0, 0, 1, 1])
    >>> ncr = NeighbourhoodCleaningRule(n_neighbors=3)
    >>> ncr.fit_resample(X, y)[0].ravel().tolist()  # 5.5 and its neighbours 4.0, 6.0 go
    [0.0, 1.0, 2.0, 3.0, 5.0, 9.0, 10.0]
    """

    _sampling_type = "clean-sampling"
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "edited_nearest_neighbours": [EditedNearestNeighbours, None],
        "n_neighbors": NEIGHBORS_PARAM,
        "threshold_cleaning": [Interval(float, 0, None, closed="neither")],
        "n_jobs": N_JOBS_PARAM,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        edited_nearest_neighbours: EditedNearestNeighbours | None = None,
        n_neighbors: Any = 3,
        threshold_cleaning: float = 0.5,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning
        self.n_jobs = n_jobs

    def _n_neighbors(self) -> int:
        if callable(getattr(self.n_neighbors, "predict", None)):
            count = getattr(self.n_neighbors, "n_neighbors", "?")
            raise InvalidParameterError(
                f"The 'n_neighbors' parameter of NeighbourhoodCleaningRule got a {type(self.n_neighbors).__name__} "
                f"(n_neighbors={count}); imbalanced-learn reads such a classifier as {count} neighbours for the "
                f"second step but {count} - 1 for its ENN. Pass the int you mean (n_neighbors=3 is the paper's rule)."
            )
        return resolve_n_neighbors(
            self.n_neighbors,
            owner="NeighbourhoodCleaningRule",
            parameter="n_neighbors",
            counts_itself=True,
        )

    def _check_params(self) -> None:
        self._n_neighbors()

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k = self._n_neighbors()
        n = len(y)
        if k >= n:
            raise InvalidInputError(
                f"The 'n_neighbors' parameter of NeighbourhoodCleaningRule must be smaller than the number of "
                f"samples; got {k}. X has {n} samples: lower n_neighbors to at most {n - 1}."
            )
        classes, codes = encode_labels(y)
        counts = np.bincount(codes, minlength=len(classes))
        minority = int(np.argmin(counts))  # smallest label on ties
        labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
        targeted = np.array([label in self.sampling_strategy_ for label in labels])
        clean = targeted & (counts > self.threshold_cleaning * counts[minority])
        self.classes_to_clean_ = [label for label, flag in zip(labels, clean) if flag]

        minority_rows = np.flatnonzero(codes == minority)
        custom_enn = self.edited_nearest_neighbours is not None
        with limit_threads(self.n_jobs):
            if custom_enn:
                queried = minority_rows
            else:
                queried = np.flatnonzero(targeted[codes] | (codes == minority))
            everyone = len(queried) == n
            nn = neighbours_excluding_self(X, None if everyone else queried, k)
            position = np.arange(n) if everyone else np.full(n, -1, dtype=np.int64)
            if not everyone:
                position[queried] = np.arange(len(queried))

            removed = np.zeros(n, dtype=bool)
            if custom_enn:
                enn = clone(self.edited_nearest_neighbours)
                kept = plan_inner(enn, X, y, rng).indices
                removed[:] = True
                removed[kept] = False
            else:
                enn = EditedNearestNeighbours(
                    sampling_strategy=self.sampling_strategy, n_neighbors=k, kind_sel="mode"
                )
                enn.n_features_in_ = int(X.shape[1])
                enn.sampling_strategy_ = dict(self.sampling_strategy_)
                edited = np.flatnonzero(targeted[codes])
                vote = majority_vote(codes[nn[position[edited]]], len(classes))
                removed[edited[vote != codes[edited]]] = True
                enn.sample_indices_ = np.flatnonzero(~removed)
            self.edited_nearest_neighbours_ = enn

        # A2: the minority rows a k-NN vote (the row itself among the k voters) gets wrong ...
        minority_nn = nn[position[minority_rows]]
        voters = np.concatenate(
            [codes[minority_rows][:, None], codes[minority_nn[:, : k - 1]]], axis=1
        )
        wrong = majority_vote(voters, len(classes)) != minority
        # ... and their k nearest other rows that belong to a class to clean.
        around = np.unique(minority_nn[wrong])
        removed[around[clean[codes[around]]]] = True
        return Resampled(indices=np.flatnonzero(~removed))
