"""Optional faiss back end of :func:`equipoise.neighbors.kneighbors` (``method='faiss'``).

``faiss.knn`` (exact brute force, float32) proposes ``k + extra`` candidates per query; their
float64 distances are recomputed from the original values and ordered by (distance, index). A
row is certified when its k-th exact squared distance is below the smallest distance faiss
could have missed (its last candidate's, minus the float32 error bound of
:func:`equipoise._knn_bound.error_bound`); the few rows that are not (ties at the k-th place)
are searched again with the blocked engine. The result is the same exact answer as every other
back end. Install with ``pip install 'equipoise[faiss]'`` (faiss-cpu from PyPI).
"""

from __future__ import annotations

import math

import numpy as np

from .exceptions import InvalidParameterError

__all__ = ["faiss_kneighbors"]


def _faiss():
    try:
        import faiss
    except ImportError:  # pragma: no cover - depends on the environment
        raise InvalidParameterError(
            "method='faiss' needs the optional faiss-cpu package: install 'equipoise[faiss]' "
            "(pip install faiss-cpu), or use method='torch', which gives the same neighbours."
        ) from None
    return faiss


def faiss_kneighbors(
    X: np.ndarray,
    k: int,
    *,
    query: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    n_threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k-NN through faiss; the same contract and output as ``kneighbors(method='torch')``."""
    import torch

    from ._knn_bound import error_bound
    from ._knn_dense import dense_kneighbors

    faiss = _faiss()
    X64 = np.asarray(X, dtype=np.float64)
    n, d = X64.shape
    if query is not None:
        Q64, exclude = np.asarray(query, dtype=np.float64), None
    elif rows is not None:
        Q64, exclude = X64[rows], rows
    else:
        Q64, exclude = X64, np.arange(n)
    m = Q64.shape[0]
    out_dtype = np.float32 if np.asarray(X).dtype == np.float32 else np.float64
    if m == 0:
        return np.empty((0, k), dtype=out_dtype), np.empty((0, k), dtype=np.int64)
    mean = X64.mean(axis=0)
    peak = max(float(np.abs(X64 - mean).max()), float(np.abs(Q64 - mean).max())) if d else 0.0
    scale = 2.0 ** -math.floor(math.log2(peak)) if peak > 0 else 1.0
    xs = np.ascontiguousarray((X64 - mean) * scale, dtype=np.float32)
    qs = (
        xs[exclude]
        if rows is not None
        else (
            xs
            if exclude is not None
            else np.ascontiguousarray((Q64 - mean) * scale, dtype=np.float32)
        )
    )
    available = n - 1 if exclude is not None else n
    extra = int(min(available - k, max(2, k // 4)))
    want = k + extra + (1 if exclude is not None else 0)
    faiss.omp_set_num_threads(max(1, n_threads))
    approx, cand = faiss.knn(qs, xs, want)
    cand = cand.astype(np.int64)
    if exclude is not None:
        is_self = cand == exclude[:, None]
        is_self[~is_self.any(axis=1), -1] = True  # duplicates crowded the row out: drop the last
        approx = approx[~is_self].reshape(m, want - 1)
        cand = cand[~is_self].reshape(m, want - 1)
    diff = X64[cand] - Q64[:, None, :]
    sq = (diff * diff).sum(axis=2)
    order = np.lexsort((cand, sq), axis=1)
    sq, cand = np.take_along_axis(sq, order, axis=1), np.take_along_axis(cand, order, axis=1)
    q_sq = (qs.astype(np.float64) ** 2).sum(axis=1)
    delta = error_bound(
        torch.from_numpy(q_sq),
        float((xs.astype(np.float64) ** 2).sum(axis=1).max()),
        d + 2,
        2.0**-24,
    ).numpy()
    # faiss computes |q|^2 + |x|^2 - 2 q.x itself: its error is within the same bound.
    missed_below = approx[:, -1].astype(np.float64) - delta
    certified = (
        sq[:, k - 1] * scale * scale < missed_below if extra > 0 else np.zeros(m, dtype=bool)
    )
    dist, ind = sq[:, :k], cand[:, :k]
    redo = np.flatnonzero(~certified)
    if redo.size:
        Xt = torch.from_numpy(X64)
        if exclude is None:
            sq_r, ind_r = dense_kneighbors(Xt, k, query=torch.from_numpy(Q64[redo]))
        else:
            sq_r, ind_r = dense_kneighbors(Xt, k, query_indices=torch.from_numpy(exclude[redo]))
        dist[redo], ind[redo] = sq_r.numpy(), ind_r.numpy()
    return np.sqrt(dist).astype(out_dtype, copy=False), ind
