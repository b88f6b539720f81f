"""The exact k-nearest-neighbour engine every sampler shares.

One function, :func:`kneighbors`, with two back ends:

* ``"sklearn"``: scikit-learn's :class:`~sklearn.neighbors.NearestNeighbors` (KD-tree, ball tree or
  brute force as it chooses). Best for low-dimensional CPU data, and the only one for sparse X.
* ``"torch"``: a blocked ``torch.cdist``-style matmul (``|q|^2 + |x|^2 - 2 q.x``) followed by
  ``topk``, block by block so memory stays bounded (about ``block_size x n_reference`` floats at
  a time). Best for high-dimensional data (embeddings, d >= 64) and the only one for torch
  tensors, which it keeps on their device.

Both return the *exact* Euclidean neighbours: the torch back end takes a few extra candidates
from the fast matmul distances, recomputes their distances directly (no cancellation error),
and re-sorts. Ties are broken deterministically by the smaller row index; rows whose k-th and
(k+1)-th candidates tie are recomputed with a full stable sort, so the answer never depends on
the back end's internal order.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ._validation import is_torch_tensor
from .exceptions import InvalidParameterError

__all__ = ["kneighbors", "HIGH_DIM_THRESHOLD"]

HIGH_DIM_THRESHOLD = 64
"""From this many features on, ``method='auto'`` uses the blocked torch back end for numpy input."""

_BLOCK_ELEMENTS = 2**24  # at most 64 MiB of float32 distances per block
_BLOCK_ROWS = 1024  # query rows per block: large enough for an efficient GEMM, small enough for cache


def kneighbors(
    X: Any,
    n_neighbors: int,
    *,
    query: Any = None,
    method: Literal["auto", "sklearn", "torch"] = "auto",
    block_size: int | None = None,
) -> tuple[Any, Any]:
    """Find the exact ``n_neighbors`` nearest rows of ``X`` for each query row.

    Parameters
    ----------
    X : numpy.ndarray, scipy.sparse matrix or torch.Tensor of shape (n_reference, n_features)
        The reference points.
    n_neighbors : int
        How many neighbours to return per query row (>= 1).
    query : same kind as X, shape (n_queries, n_features), optional
        The points to find neighbours for. When omitted, every row of ``X`` is a query and its
        own row is excluded from its neighbours (duplicates of it are not excluded).
    method : {'auto', 'sklearn', 'torch'}, default='auto'
        'auto' picks torch for tensors and for dense numpy data with at least
        :data:`HIGH_DIM_THRESHOLD` features, scikit-learn otherwise.
    block_size : int, optional
        Query rows per block for the torch back end; by default chosen so that one block of
        distances holds about 16M floats.

    Returns
    -------
    distances : array of shape (n_queries, n_neighbors)
        Euclidean distances, ascending. float32 for float32 input, float64 otherwise.
    indices : array of int64, shape (n_queries, n_neighbors)
        Row indices into ``X``; equal distances are ordered by index.

    Raises
    ------
    InvalidParameterError
        If ``n_neighbors`` is not a positive int or exceeds the number of candidates.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [3.0], [6.0]])
    >>> d, i = kneighbors(X, 2)
    >>> i.tolist()
    [[1, 2], [0, 2], [1, 0], [2, 1]]
    """
    exclude_self = query is None
    n_reference = X.shape[0]
    available = n_reference - 1 if exclude_self else n_reference
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, (int, np.integer)) or n_neighbors < 1:
        raise InvalidParameterError(f"n_neighbors must be a positive int; got {n_neighbors!r}.")
    if n_neighbors > available:
        raise InvalidParameterError(
            f"n_neighbors={n_neighbors} asks for more neighbours than there are candidates "
            f"({available}{' other' if exclude_self else ''} rows); lower n_neighbors."
        )
    if method not in ("auto", "sklearn", "torch"):
        raise InvalidParameterError(f"method must be 'auto', 'sklearn' or 'torch'; got {method!r}.")

    if is_torch_tensor(X):
        if method == "sklearn":
            raise InvalidParameterError("method='sklearn' cannot take torch tensors; use 'torch' or 'auto'.")
        return _torch_kneighbors(X, n_neighbors, query, exclude_self, block_size)
    if method == "auto":
        dense_high_dim = not sp.issparse(X) and X.shape[1] >= HIGH_DIM_THRESHOLD
        method = "torch" if dense_high_dim else "sklearn"
    if method == "torch":
        if sp.issparse(X):
            raise InvalidParameterError("method='torch' needs dense X; use 'sklearn' for sparse input.")
        import torch

        Xt = torch.from_numpy(np.ascontiguousarray(X))
        Qt = None if query is None else torch.from_numpy(np.ascontiguousarray(query))
        d, i = _torch_kneighbors(Xt, n_neighbors, Qt, exclude_self, block_size)
        return d.numpy(), i.numpy()
    return _sklearn_kneighbors(X, n_neighbors, query, exclude_self)


def _extra_candidates(n_neighbors: int, available: int) -> int:
    return int(min(available - n_neighbors, max(2, n_neighbors // 4)))


def _sklearn_kneighbors(X: Any, k: int, query: Any, exclude_self: bool) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.neighbors import NearestNeighbors

    n_reference = X.shape[0]
    available = n_reference - 1 if exclude_self else n_reference
    # scikit-learn's distances are exact: one extra candidate is enough to detect a tie at the
    # k-th place (the torch back end takes a wider margin for its fast approximate distances).
    k_query = k + min(1, available - k)
    nn = NearestNeighbors(n_neighbors=k_query, algorithm="brute" if sp.issparse(X) else "auto")
    nn.fit(X)
    out_dtype = np.float32 if X.dtype == np.float32 else np.float64
    if not exclude_self:
        dist, ind = nn.kneighbors(query, n_neighbors=k_query)
        return _finalise(X, query, dist, ind, k, exclude_self, out_dtype)
    # Query X itself with one more neighbour and drop each row's own index. (Faster than
    # kneighbors(None), which does the same with an extra pass.) When exact duplicates with
    # smaller indices crowd a row out of its own list, drop that list's farthest entry instead.
    dist, ind = nn.kneighbors(X, n_neighbors=k_query + 1)
    is_self = ind == np.arange(n_reference)[:, None]
    is_self[~is_self.any(axis=1), -1] = True
    keep = ~is_self
    dist = dist[keep].reshape(n_reference, k_query)
    ind = ind[keep].reshape(n_reference, k_query)
    return _finalise(X, X, dist, ind, k, exclude_self, out_dtype)


def _finalise(
    X: Any, queries: Any, dist: np.ndarray, ind: np.ndarray, k: int, exclude_self: bool, out_dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Order candidates by (distance, index); fix rows whose boundary ties leave the candidate set."""
    order = np.lexsort((ind, dist), axis=1)
    dist = np.take_along_axis(dist, order, axis=1)
    ind = np.take_along_axis(ind, order, axis=1)
    if dist.shape[1] > k:
        tied = np.flatnonzero(dist[:, k - 1] == dist[:, k])
        for row in tied:
            dist[row, :k], ind[row, :k] = _exact_row(X, queries[row], k, row if exclude_self else None)
    return dist[:, :k].astype(out_dtype, copy=False), ind[:, :k].astype(np.int64, copy=False)


def _exact_row(X: Any, q: Any, k: int, self_index: int | None) -> tuple[np.ndarray, np.ndarray]:
    if sp.issparse(X):
        diff = X - (q if sp.issparse(q) else sp.csr_matrix(q))
        d = np.sqrt(np.asarray(diff.multiply(diff).sum(axis=1)).ravel())
    else:
        d = np.sqrt(((np.asarray(X, dtype=np.float64) - np.asarray(q, dtype=np.float64)) ** 2).sum(axis=1))
    if self_index is not None:
        d[self_index] = np.inf
    idx = np.argsort(d, kind="stable")[:k]
    return d[idx], idx


def _torch_kneighbors(X: Any, k: int, query: Any, exclude_self: bool, block_size: int | None) -> tuple[Any, Any]:
    import torch

    if not torch.is_floating_point(X):
        X = X.to(torch.float64 if X.device.type != "mps" else torch.float32)
    Q = X if query is None else query.to(device=X.device, dtype=X.dtype)
    n_reference, n_queries = X.shape[0], Q.shape[0]
    available = n_reference - 1 if exclude_self else n_reference
    k_cand = k + _extra_candidates(k, available)
    if block_size is None:
        block_size = max(1, min(_BLOCK_ROWS, _BLOCK_ELEMENTS // max(n_reference, 1)))
    x_sq = (X * X).sum(dim=1).unsqueeze(0)
    X_t = X.T.contiguous()
    out_d = torch.empty((n_queries, k), dtype=X.dtype, device=X.device)
    out_i = torch.empty((n_queries, k), dtype=torch.int64, device=X.device)
    arange_ref = torch.arange(n_reference, device=X.device)
    for start in range(0, n_queries, block_size):
        stop = min(start + block_size, n_queries)
        q = Q[start:stop]
        # Candidates by |x|^2 - 2 q.x: the squared distance minus |q|^2, which is constant per
        # query row and so does not change its ranking. One fused GEMM, no extra pass.
        approx = torch.addmm(x_sq, q, X_t, beta=1.0, alpha=-2.0)
        if exclude_self:
            rows = torch.arange(start, stop, device=X.device)
            approx[rows - start, rows] = float("inf")
        cand = approx.topk(k_cand, dim=1, largest=False, sorted=False).indices
        del approx
        # Exact distances of the candidates, then a (distance, index) order.
        exact = torch.linalg.vector_norm(X[cand] - q[:, None, :], dim=2)
        cand_sorted, by_index = cand.sort(dim=1, stable=True)
        exact = exact.gather(1, by_index)
        exact, by_dist = exact.sort(dim=1, stable=True)
        cand_sorted = cand_sorted.gather(1, by_dist)
        if k_cand > k:
            tied = torch.nonzero(exact[:, k - 1] == exact[:, k]).flatten().tolist()
            for row in tied:
                full = torch.linalg.vector_norm(X - q[row], dim=1)
                if exclude_self:
                    full[start + row] = float("inf")
                order = torch.sort(full, stable=True).indices[:k]
                exact[row, :k] = full[order]
                cand_sorted[row, :k] = arange_ref[order]
        out_d[start:stop] = exact[:, :k]
        out_i[start:stop] = cand_sorted[:, :k]
    return out_d, out_i
