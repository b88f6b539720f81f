"""K-Means SMOTE: cluster the input space, then apply SMOTE inside the clusters the minority dominates.

References
----------
Last, F., Douzas, G. and Bacao, F. (2017). "Oversampling for imbalanced learning based on
K-Means and SMOTE." arXiv:1711.00837; published as Douzas, G., Bacao, F. and Last, F. (2018),
"Improving imbalanced learning through a heuristic oversampling method based on k-means and
SMOTE", Information Sciences 465, 1-20.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from sklearn.base import clone

from .._types import RandomStateLike, SamplingStrategy
from .._validation import HasMethods, Interval, Options, short_repr
from ..exceptions import InvalidInputError
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._iht import seed_unset_random_states
from ._neighbors_param import (
    N_JOBS_PARAM,
    NEIGHBORS_PARAM,
    effective_n_jobs,
    limit_threads,
    resolve_n_neighbors,
)
from ._smote import _BaseSMOTE, _SyntheticRows, _targets, interpolate, neighbours_excluding_self

__all__ = ["KMeansSMOTE", "largest_remainder"]


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that sum to exactly ``total`` (Hamilton's method).

    Each share gets ``floor(total * w_i)``; the rows left go to the largest remainders (equal
    remainders: the earlier share).
    """
    exact = total * np.asarray(weights, dtype=np.float64)
    out = np.floor(exact).astype(np.int64)
    left = int(total - out.sum())
    if left > 0:
        out[np.argsort(-(exact - out), kind="stable")[:left]] += 1
    return out


def _mean_pairwise_distance(X: Any, n_jobs: int | None) -> float:
    """Mean Euclidean distance over the ordered pairs of distinct rows, computed in blocks."""
    from sklearn.metrics import pairwise_distances_chunked

    n = X.shape[0]
    total = sum(
        float(block.sum())
        for block in pairwise_distances_chunked(X, metric="euclidean", n_jobs=n_jobs)
    )
    return total / (n * n - n)


@RESAMPLERS.register("kmeans-smote")
class KMeansSMOTE(_BaseSMOTE):
    """K-Means SMOTE: SMOTE inside the k-means clusters where the class is well represented (Last et al. 2017).

    1. **Cluster** the whole training set with k-means (``kmeans_estimator``).
    2. **Filter.** For a class ``c`` with ``G_c`` rows to generate, a cluster is kept when the
       share of ``c`` among its rows is at least the balance threshold (by default
       ``G_c / (2 sum_c' G_c')``, imbalanced-learn's 'auto'; 1/2 for a binary target) and it
       holds at least ``k_neighbors + 1`` rows of ``c``.
    3. **Weight.** For a kept cluster ``f`` with ``m_f`` rows of ``c`` at mean pairwise
       Euclidean distance ``d_f``, the sparsity is ``d_f^e / m_f`` (the inverse of the density
       ``m_f / d_f^e``) and the cluster's weight is its share of the total sparsity; sparse
       clusters get more rows. ``G_c`` is split over the clusters in proportion to the weights,
       rounded by the largest-remainder rule so the total is exactly ``G_c``.
    4. **Over-sample** each cluster with SMOTE among the rows of ``c`` *in that cluster*:
       ``x_new = x_i + u (x_nn - x_i)``, ``x_nn`` one of the ``k_neighbors`` nearest rows of ``c``
       in the cluster, ``u ~ U(0, 1)``. Every synthetic row lies on a segment inside a cluster.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the default k-means (or a ``kmeans_estimator``'s ``random_state`` left at None) and
        the SMOTE draws.
    k_neighbors : int or NearestNeighbors-like object, default=2
        Same-class neighbours within a cluster (imbalanced-learn's default). An object counts as
        in imbalanced-learn: ``NearestNeighbors(n_neighbors=m)`` means ``m - 1``.
    n_jobs : int or None, default=None
        Jobs for the pairwise distances; upper bound on the threads of the clustering and the
        neighbour searches (None: the libraries' defaults).
    kmeans_estimator : int, clustering estimator or None, default=None
        None: ``MiniBatchKMeans()`` (8 clusters); an int: ``MiniBatchKMeans(n_clusters=that)``;
        an estimator with ``fit_predict`` (cloned).
    cluster_balance_threshold : 'auto' or float, default='auto'
        The share of a class a cluster needs to be over-sampled (the paper's imbalance-ratio
        filter). With a single cluster every cluster passes (imbalanced-learn's rule).
    density_exponent : 'auto' or float, default='auto'
        ``e``. 'auto' is imbalanced-learn's heuristic ``e = 0.16 (log_{1.6} m_f)^{1.8}``; the
        paper uses the number of features.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows}``.
    kmeans_estimator_ : clustering estimator
        The fitted clustering.
    cluster_labels_ : numpy.ndarray of int64
        The cluster of every input row.
    cluster_weights_ : dict
        ``{label: {cluster: weight}}`` for the clusters kept for each class.
    cluster_balance_threshold_ : dict
        ``{label: the share threshold used}``.
    n_synthetic_ : int
        Synthetic rows; they are the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    Raises
    ------
    InvalidInputError
        When no cluster qualifies for a class (lower the threshold or use more clusters).

    Notes
    -----
    Differences from imbalanced-learn 0.14: it rounds each cluster's share *up*
    (``ceil(G_c w_f)``), so it can make up to (number of kept clusters - 1) extra rows per class;
    here the class gets exactly ``G_c``. It fits the clustering once per over-sampled class (the
    same fit for a fixed seed); here once. It divides by zero when every kept cluster's rows of
    ``c`` coincide (zero sparsity everywhere); here those clusters then share ``G_c`` equally.
    The 'auto' density exponent depends on ``m_f`` in imbalanced-learn (its docstring calls it
    feature based); it is followed as implemented.

    References
    ----------
    Last, F., Douzas, G. and Bacao, F. (2017). "Oversampling for imbalanced learning based on
    K-Means and SMOTE." arXiv:1711.00837.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(6, 0.5, (20, 2)), rng.normal(-6, 0.5, (20, 2))])
    >>> y = np.array([0] * 200 + [1] * 40)
    >>> sampler = KMeansSMOTE(kmeans_estimator=6, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [200, 200]
    >>> bool(np.all(np.abs(X_res[240:]).min(axis=1) > 3))  # new rows only in the minority's blobs
    True
    """

    # A tensor X arrives as a numpy copy: its clusterer is a scikit-learn estimator.
    _accepts_tensors = False

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "k_neighbors": NEIGHBORS_PARAM,
        "n_jobs": N_JOBS_PARAM,
        "kmeans_estimator": [
            Interval(int, 1, None, closed="left"),
            HasMethods(("fit_predict",)),
            None,
        ],
        "cluster_balance_threshold": [Options(("auto",)), Interval(float, None, None)],
        "density_exponent": [Options(("auto",)), Interval(float, None, None)],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: Any = 2,
        n_jobs: int | None = None,
        kmeans_estimator: Any = None,
        cluster_balance_threshold: Any = "auto",
        density_exponent: Any = "auto",
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.n_jobs = n_jobs
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent

    def _k(self) -> int:
        return resolve_n_neighbors(
            self.k_neighbors, owner="KMeansSMOTE", parameter="k_neighbors", counts_itself=True
        )

    def _check_params(self) -> None:
        self._k()

    def _clusterer(self, rng: np.random.Generator) -> Any:
        from sklearn.cluster import MiniBatchKMeans

        seed = int(rng.integers(np.iinfo(np.int32).max))
        if self.kmeans_estimator is None:
            return MiniBatchKMeans(random_state=seed)
        if isinstance(self.kmeans_estimator, numbers.Integral):
            return MiniBatchKMeans(n_clusters=int(self.kmeans_estimator), random_state=seed)
        return seed_unset_random_states(clone(self.kmeans_estimator), np.random.default_rng(seed))

    def _exponent(self, m: int) -> float:
        if self.density_exponent == "auto":
            return 0.16 * math.log(m, 1.6) ** 1.8
        return float(self.density_exponent)

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k = self._k()
        groups = class_indices(y)
        targets = _targets(self)
        self._check_sizes(groups, targets, "k_neighbors", k)
        out = _SyntheticRows(X, y)
        self.cluster_weights_, self.cluster_balance_threshold_ = {}, {}
        if not targets:
            return out.plan(self)
        clusterer = self._clusterer(rng)
        with limit_threads(self.n_jobs):
            cluster = np.asarray(clusterer.fit_predict(X), dtype=np.int64)
        self.kmeans_estimator_, self.cluster_labels_ = clusterer, cluster
        ids, cluster = np.unique(cluster, return_inverse=True)
        single = len(ids) == 1
        sizes = np.bincount(cluster, minlength=len(ids))
        total = sum(targets.values())
        with limit_threads(self.n_jobs):
            for label, n_new in targets.items():
                rows = groups[label]
                in_class = np.bincount(cluster[rows], minlength=len(ids))
                if single:
                    threshold = -np.inf
                elif self.cluster_balance_threshold == "auto":
                    threshold = n_new / total / 2
                else:
                    threshold = float(self.cluster_balance_threshold)
                self.cluster_balance_threshold_[label] = threshold
                share = in_class / np.maximum(sizes, 1)
                valid = np.flatnonzero((sizes > 0) & (share >= threshold) & (in_class >= k + 1))
                if not len(valid):
                    raise InvalidInputError(
                        f"KMeansSMOTE found no cluster to over-sample class {short_repr(label)}: none of the "
                        f"{len(ids)} clusters has a share of that class of at least {threshold:.3g} and "
                        f"{k + 1} or more of its rows. Lower cluster_balance_threshold, use more clusters "
                        "(kmeans_estimator=<int>), lower k_neighbors, or use SMOTE."
                    )
                members = [rows[cluster[rows] == c] for c in valid]
                sparsity = np.array(
                    [
                        _mean_pairwise_distance(X[m], effective_n_jobs(self.n_jobs))
                        ** self._exponent(len(m))
                        / len(m)
                        for m in members
                    ]
                )
                if sparsity.sum() > 0:
                    weights = sparsity / sparsity.sum()
                else:  # every kept cluster's rows coincide: share equally
                    weights = np.full(len(valid), 1.0 / len(valid))
                self.cluster_weights_[label] = {
                    int(ids[c]): float(w) for c, w in zip(valid, weights)
                }
                for m, n_cluster in zip(members, largest_remainder(n_new, weights)):
                    if n_cluster == 0:
                        continue
                    X_cluster = X[m]
                    nn = neighbours_excluding_self(X_cluster, None, k)
                    base = rng.integers(0, len(m), size=n_cluster)
                    partner = nn[base, rng.integers(0, k, size=n_cluster)]
                    gap = rng.random(n_cluster)
                    out.add(
                        interpolate(X_cluster[base], X_cluster[partner], gap),
                        label,
                        base=m[base],
                        partner=m[partner],
                        gap=gap,
                    )
        return out.plan(self)
