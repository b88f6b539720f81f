"""Exact k-NN of small dense problems in one numpy pass (the blocked engine's method, one tile).

For up to ``SMALL_PAIRS`` (query, reference) pairs the whole distance matrix fits in a few MiB,
and the blocked engine's per-tile bookkeeping would cost more than the arithmetic. The same
three steps run on the full matrix: float64 distances by one matrix product of the centred
data, the k-th smallest per row, then an exact float64 re-ranking of every pair within the
rounding-error margin of it (see :mod:`equipoise._knn_dense` for why that is exact).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["small_kneighbors", "SMALL_PAIRS"]

SMALL_PAIRS = 2**20
"""Problems with at most this many (query, reference) pairs use :func:`small_kneighbors`."""


def small_kneighbors(
    X: np.ndarray, k: int, *, query: np.ndarray | None = None, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact squared distances (float64) and indices (int64) of the k nearest rows of ``X``.

    ``query`` and ``rows`` mean what they mean for :func:`equipoise.neighbors.kneighbors`
    (``rows``: query ``X[rows]``, each excluding its own row). Ties go to the smaller index.
    """
    X64 = np.asarray(X, dtype=np.float64)
    n, d = X64.shape
    if query is not None:
        Q64, exclude = np.asarray(query, dtype=np.float64), None
    elif rows is not None:
        Q64, exclude = X64[rows], rows
    else:
        Q64, exclude = X64, np.arange(n)
    m = Q64.shape[0]
    if m == 0:
        return np.empty((0, k)), np.empty((0, k), dtype=np.int64)
    mean = X64.mean(axis=0)
    Xc, Qc = X64 - mean, Q64 - mean
    peak = max(float(np.abs(Xc).max()), float(np.abs(Qc).max())) if d else 0.0
    scale = 2.0 ** -math.floor(math.log2(peak)) if peak > 0 else 1.0
    Xc *= scale
    Qc *= scale
    x_sq = np.einsum("ij,ij->i", Xc, Xc)
    q_sq = np.einsum("ij,ij->i", Qc, Qc)
    approx = Qc @ Xc.T
    approx *= -2.0
    approx += x_sq
    approx += q_sq[:, None]
    if exclude is not None:
        approx[np.arange(m), exclude] = np.inf
    # Error of the float64 expansion: the float32 bound of _knn_dense with u = 2^-53.
    delta = 4.0 * (d + 6) * 2.0**-53 * (q_sq + float(x_sq.max())) + (d + 6) * 2.0**-1000
    kth = np.partition(approx, k - 1, axis=1)[:, k - 1]
    threshold = np.nextafter(kth + 2.0 * delta, np.inf)
    r, c = np.nonzero(approx <= threshold[:, None])
    diff = X64[c] - Q64[r]
    sq = (diff * diff).sum(axis=1)
    order = np.lexsort((c, sq, r))
    r, c, sq = r[order], c[order], sq[order]
    starts = np.searchsorted(r, np.arange(m))
    take = (starts[:, None] + np.arange(k)).ravel()
    return sq[take].reshape(m, k), c[take].reshape(m, k).astype(np.int64, copy=False)
