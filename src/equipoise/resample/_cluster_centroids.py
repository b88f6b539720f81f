"""ClusterCentroids: under-sample a class to ``n`` rows by clustering it into ``n`` clusters.

References
----------
Yen, S.-J. and Lee, Y.-S. (2009). "Cluster-based under-sampling approaches for imbalanced data
distributions." Expert Systems with Applications 36(3), 5718-5727.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .._types import RandomStateLike, SamplingStrategy
from .._validation import HasMethods, Options
from ..exceptions import InvalidParameterError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._iht import seed_unset_random_states

__all__ = ["ClusterCentroids"]


def _nearest_rows(X_class: Any, centers: np.ndarray) -> np.ndarray:
    """Position of the row of ``X_class`` nearest to each centre (equal distances: the smaller position).

    Dense rows go through :func:`equipoise.neighbors.kneighbors`; sparse ones are densified a block
    at a time and compared with exact differences (scipy's cdist).
    """
    if not sp.issparse(X_class):
        return np.asarray(kneighbors(X_class, 1, query=centers)[1]).ravel()
    from scipy.spatial.distance import cdist

    best = np.full(len(centers), np.inf)
    where = np.zeros(len(centers), dtype=np.int64)
    block = max(1, 2**22 // max(X_class.shape[1], 1))
    for start in range(0, X_class.shape[0], block):
        dense = X_class[start : start + block].toarray().astype(np.float64)
        d = cdist(centers.astype(np.float64), dense)
        local = d.argmin(axis=1)
        value = d[np.arange(len(centers)), local]
        better = value < best
        best[better], where[better] = value[better], start + local[better]
    return where


@RESAMPLERS.register("cluster-centroids")
class ClusterCentroids(BaseResampler):
    """Replace each targeted class by the centroids of ``n`` clusters of it (Yen & Lee 2009).

    For a targeted class ``c`` with a target of ``n_c`` rows, ``estimator`` (k-means by default)
    clusters the rows of ``c`` into ``n_c`` clusters with centroids ``mu_1, ..., mu_{n_c}``
    (k-means minimises ``sum_i min_j |x_i - mu_j|^2``). Then

    * ``voting='soft'``: the class is represented by the centroids themselves (synthetic rows);
    * ``voting='hard'``: by the row of ``c`` nearest to each centroid (real rows; two centroids
      can share their nearest row, which then appears twice);
    * ``voting='auto'``: 'hard' for sparse X (a centroid of sparse rows is dense), 'soft' otherwise.

    Classes not targeted are kept in full.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to shrink and to what size (imbalanced-learn semantics; 'auto' shrinks
        every class but the minority to the minority's size).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the default k-means (one seed for every class), or an ``estimator``'s
        ``random_state`` left at None.
    estimator : clustering estimator, default=None
        Any estimator with ``fit``, an ``n_clusters`` parameter and a fitted ``cluster_centers_``
        (cloned; ``n_clusters`` is set to each class's target). By default
        ``sklearn.cluster.KMeans`` with its defaults.
    voting : {'auto', 'hard', 'soft'}, default='auto'

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of rows to keep}``.
    estimator_ : clustering estimator
        The estimator fitted last (on the last targeted class).
    voting_ : {'hard', 'soft'}
        The voting used.
    n_synthetic_ : int
        'soft': the number of centroids; they are the last ``n_synthetic_`` output rows, after the
        rows of the classes left alone (in their original order). 'hard': 0.
    sample_indices_ : numpy.ndarray of int64
        'hard' only: the original row behind each output row (original order, duplicates adjacent).
    n_features_in_ : int

    Notes
    -----
    Given the same clustering estimator (say ``KMeans(n_init=1, random_state=0)``) the centroids
    and, with 'hard', the chosen rows are exactly imbalanced-learn 0.14's; its output lists the
    classes in label order with the centroids in place, ours puts the centroids last.
    The nearest row to each centroid comes from :func:`equipoise.neighbors.kneighbors` (equal
    distances: the smaller row index).

    References
    ----------
    Yen, S.-J. and Lee, Y.-S. (2009). "Cluster-based under-sampling approaches for imbalanced
    data distributions." Expert Systems with Applications 36(3), 5718-5727.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> X = np.array([[0.0], [0.2], [0.4], [9.8], [10.0], [10.6], [4.0], [6.0]])
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> cc = ClusterCentroids(estimator=KMeans(n_init=1, random_state=0), voting="soft")
    >>> X_res, y_res = cc.fit_resample(X, y)
    >>> X_res.ravel().round(2).tolist()  # class 1 as it was, then class 0's two centroids
    [4.0, 6.0, 10.13, 0.2]
    >>> cc.set_params(voting="hard").fit_resample(X, y)[0].ravel().tolist()  # the nearest real rows
    [0.2, 10.0, 4.0, 6.0]
    """

    _sampling_type = "under-sampling"
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "estimator": [HasMethods(("fit",)), None],
        "voting": [Options(("auto", "hard", "soft"))],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        estimator: Any = None,
        voting: Literal["auto", "hard", "soft"] = "auto",
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.estimator = estimator
        self.voting = voting

    @property
    def _generates(self) -> bool:  # type: ignore[override]
        """Soft voting appends centroids; hard voting selects rows ('auto' is soft unless X is sparse)."""
        return self.voting != "hard"

    def _check_params(self) -> None:
        if self.estimator is not None and "n_clusters" not in self.estimator.get_params():
            raise InvalidParameterError(
                f"The 'estimator' of ClusterCentroids must be a clustering estimator with an 'n_clusters' "
                f"parameter and a fitted 'cluster_centers_' (KMeans, MiniBatchKMeans, ...); "
                f"{type(self.estimator).__name__} has no n_clusters."
            )

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        from sklearn.cluster import KMeans

        self.voting_ = (
            ("hard" if sp.issparse(X) else "soft") if self.voting == "auto" else self.voting
        )
        if self.estimator is None:
            template = KMeans(random_state=int(rng.integers(np.iinfo(np.int32).max)))
        else:
            template = seed_unset_random_states(clone(self.estimator), rng)
        groups = class_indices(y)
        kept = [rows for label, rows in groups.items() if label not in self.sampling_strategy_]
        centroids, labels, bases = [], [], []
        for label, n_keep in self.sampling_strategy_.items():
            if n_keep == 0:
                continue
            rows = groups[label]
            estimator = clone(template).set_params(n_clusters=int(n_keep))
            estimator.fit(X[rows])
            centers = getattr(estimator, "cluster_centers_", None)
            if centers is None:
                raise InvalidParameterError(
                    f"The 'estimator' of ClusterCentroids must expose 'cluster_centers_' after fit; "
                    f"{type(estimator).__name__} does not."
                )
            self.estimator_ = estimator
            centers = np.asarray(centers)
            nearest = rows[_nearest_rows(X[rows], centers.astype(X.dtype, copy=False))]
            if self.voting_ == "hard":
                kept.append(nearest)
            else:  # the class row nearest each centroid is its base row (resample_like)
                bases.append(nearest)
                centroids.append(centers.astype(X.dtype, copy=False))
                labels.append(np.full(len(centers), label, dtype=y.dtype))
        indices = np.sort(np.concatenate(kept)) if kept else np.empty(0, dtype=np.int64)
        if self.voting_ == "hard":
            self.n_synthetic_ = 0
            if (
                self.voting == "auto"
            ):  # the base class sets sample_indices_ only for explicit 'hard'
                self.sample_indices_ = indices.astype(np.int64, copy=False)
            return Resampled(indices=indices)
        X_new = np.concatenate(centroids) if centroids else np.empty((0, X.shape[1]), dtype=X.dtype)
        self.n_synthetic_ = int(X_new.shape[0])
        if sp.issparse(X):
            X_new = sp.csr_matrix(X_new)
        y_new = np.concatenate(labels) if labels else np.empty(0, dtype=y.dtype)
        sources = np.concatenate(bases) if bases else np.empty(0, dtype=np.int64)
        return Resampled(indices=indices, X_new=X_new, y_new=y_new, new_sources=sources)
