"""Exact k-NN against a small reference set, one block of query rows at a time (numpy).

When the reference has at most ``SMALL_REFERENCE`` rows (SMOTE's classes, NearMiss's minority),
or the whole problem has at most ``SMALL_PAIRS`` pairs, a block of query rows against the
*whole* reference fits in a 4 MiB float32 tile, and the blocked engine's candidate bookkeeping
across tiles is not needed. Per block: float32 distances by one matrix product of the centred
data, an upper bound ``tau`` of each row's k-th smallest from group minima, then the exact
float64 distance of every pair within the rounding-error margin of ``tau`` (elementwise, so only
about k pairs per row are re-ranked, whatever the dimension). See :mod:`equipoise._knn_dense` for
why this is exact.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from ._knn_bound import error_bound

__all__ = ["small_kneighbors", "SMALL_PAIRS", "SMALL_REFERENCE"]

SMALL_PAIRS = 2**20
"""Problems with at most this many (query, reference) pairs use :func:`small_kneighbors`."""
SMALL_REFERENCE = 8192
"""References with at most this many rows use :func:`small_kneighbors`, for any number of queries."""
_TILE_ELEMENTS = 2**20
_RERANK_ELEMENTS = 2**17
_GROUP = 16


def small_kneighbors(
    X: np.ndarray,
    k: int,
    *,
    query: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    n_workers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact squared distances (float64) and indices (int64) of the k nearest rows of ``X``.

    ``query`` and ``rows`` mean what they mean for :func:`equipoise.neighbors.kneighbors`
    (``rows``: query ``X[rows]``, each excluding its own row). Ties go to the smaller index.
    ``n_workers`` threads share the blocks of query rows (the caller sets single-threaded
    kernels).
    """
    n, d = X.shape
    if query is not None:
        Q, exclude = query, None
    elif rows is not None:
        Q, exclude = X[rows], rows
    else:
        Q, exclude = X, np.arange(n)
    m = Q.shape[0]
    if m == 0:
        return np.empty((0, k)), np.empty((0, k), dtype=np.int64)
    mean = X.mean(axis=0, dtype=np.float64)
    peak = 0.0
    if d:
        for values in (X, Q):
            peak = max(
                peak,
                float(np.max(values.max(axis=0) - mean)),
                float(np.max(mean - values.min(axis=0))),
            )
    scale = 2.0 ** -math.floor(math.log2(peak)) if peak > 0 else 1.0
    compute = np.float32 if peak * scale < 2.0**60 else np.float64
    unit = 2.0**-24 if compute == np.float32 else 2.0**-53

    # Centring subtracts one common vector from every row: in float32 for float32 data (each
    # difference then errs by at most u |x - c|, within the bound; the shift itself is harmless).
    centre = mean.astype(np.float32) if X.dtype == np.float32 else mean
    group = _GROUP if k * _GROUP <= n else 1
    n_pad = -(-n // group) * group
    per = n_pad // group
    # One product gives the whole squared distance: [q, |q|^2, 1] . [-2x, 1, |x|^2].
    right = np.zeros((d + 2, n_pad), dtype=compute)
    xs = (X - centre) * X.dtype.type(scale) if X.dtype == np.float32 else (X - centre) * scale
    xs = xs.astype(compute, copy=False)
    x_sq = np.einsum("ij,ij->i", xs, xs).astype(np.float64)
    right[:d, :n] = xs.T * compute(-2.0)
    right[d, :n] = 1.0
    right[d + 1, :n] = x_sq
    right[d + 1, n:] = np.inf  # padding columns never qualify
    max_x_sq = float(x_sq.max())

    out_sq = np.empty((m, k))
    out_ind = np.empty((m, k), dtype=np.int64)
    step = max(1, _TILE_ELEMENTS // n_pad)
    offsets = np.arange(group) * per
    local = threading.local()

    import torch  # only for its partial top-k; the thresholds above import without torch

    def block(a: int) -> None:
        b = min(a + step, m)
        rows_here = b - a
        if not hasattr(local, "tile"):  # one tile per thread, reused: no fresh pages per block
            local.tile = np.empty((min(step, m), n_pad), dtype=compute)
            local.left = np.empty((min(step, m), d + 2), dtype=compute)
            local.minima = np.empty((min(step, m), per), dtype=compute)
        qs = (
            (Q[a:b] - centre) * Q.dtype.type(scale)
            if Q.dtype == np.float32
            else (Q[a:b] - centre) * scale
        )
        lq = local.left[:rows_here]
        lq[:, :d] = qs
        q_sq = np.einsum("ij,ij->i", lq[:, :d], lq[:, :d]).astype(np.float64)
        lq[:, d] = q_sq
        lq[:, d + 1] = 1.0
        approx = np.matmul(lq, right, out=local.tile[:rows_here])
        if exclude is not None:
            approx[np.arange(rows_here), exclude[a:b]] = np.inf
        # tau: the k-th smallest group minimum bounds the k-th smallest distance from above.
        # (numpy's reduction: 1.5x torch's amin over the middle axis on these shapes; a minimum
        # is exact, so the values are the same whichever computes them)
        minima = torch.from_numpy(
            np.minimum.reduce(
                approx.reshape(rows_here, group, per), axis=1, out=local.minima[:rows_here]
            )
            if group > 1
            else approx
        )
        tau = (
            minima.topk(k, dim=1, largest=False, sorted=False)
            .values.amax(dim=1)
            .numpy()
            .astype(np.float64)
        )
        delta = error_bound(q_sq, max_x_sq, d + 2, unit)
        threshold = np.nextafter((tau + 2.0 * delta).astype(compute), compute(np.inf))
        # Groups under the threshold, then their members under it: about k pairs per row.
        r, g = np.nonzero(minima.numpy() <= threshold[:, None])
        cols = g[:, None] + offsets
        inside = approx[r[:, None], cols] <= threshold[r][:, None]
        r = np.broadcast_to(r[:, None], cols.shape)[inside]
        c = cols[inside]
        sq = np.empty(len(r))
        pairs = max(1, _RERANK_ELEMENTS // max(d, 1))
        for p in range(0, len(r), pairs):  # pieces small enough for the allocator to reuse
            diff = X[c[p : p + pairs]].astype(np.float64)
            diff -= Q[a + r[p : p + pairs]]
            sq[p : p + pairs] = (
                np.einsum("ij,ij->i", diff, diff) if d > 64 else (diff * diff).sum(axis=1)
            )
        order = np.lexsort((c, sq, r))
        r, c, sq = r[order], c[order], sq[order]
        starts = np.searchsorted(r, np.arange(rows_here))
        take = (starts[:, None] + np.arange(k)).ravel()
        out_sq[a:b] = sq[take].reshape(rows_here, k)
        out_ind[a:b] = c[take].reshape(rows_here, k)

    starts_ = range(0, m, step)
    if n_workers > 1 and len(starts_) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            list(pool.map(block, starts_))
    else:
        for a in starts_:
            block(a)
    return out_sq, out_ind
