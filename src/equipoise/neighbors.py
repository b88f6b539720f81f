"""The exact k-nearest-neighbour engine every sampler shares.

One function, :func:`kneighbors`, with three back ends behind one contract (exact Euclidean
neighbours, ties broken by the smaller row index, a query row never its own neighbour):

* ``"torch"`` (the default for dense data): blocked matrix-product distances in float32 with a
  fused partial top-k (group minima folded while each tile is in cache), then an exact float64
  re-ranking of the few candidates that a rigorous rounding-error bound cannot rule out
  (:mod:`equipoise._knn_dense`). Self-queries are symmetric and computed once (the upper block
  triangle). Works on any torch device: tensors stay where they are.
* ``"sklearn"``: scikit-learn's :class:`~sklearn.neighbors.NearestNeighbors` (k-d tree, or brute
  force for sparse X), for sparse input and for very low-dimensional dense data, where a tree
  beats any all-pairs method (:func:`choose_method` says when, from measurements).
* ``"faiss"``: ``faiss.knn`` (exact, float32) followed by the same float64 re-ranking, where the
  optional ``faiss-cpu`` package is installed.

Threads: ``n_jobs`` threads at most (None: the limits already in force, from
:func:`threadpoolctl.threadpool_limits` or :func:`torch.set_num_threads`, whichever is lower).
On the CPU the blocked engine runs that many worker threads, each with single-threaded kernels,
so BLAS and OpenMP thread pools never compete for the cores.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from ._validation import Interval, is_torch_tensor, short_repr, validate_params
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = ["kneighbors", "choose_method"]

Method = Literal["auto", "sklearn", "torch", "faiss"]

# Measured crossovers (docs/benchmarks.md, "Choosing the neighbour back end"; all-points
# searches, k = 5, Gaussian data, benchmarks/neighbors_backend.py): the k-d tree is faster up to
# d = 8 at n = 1,000, up to d = 5 at n = 10,000 and n = 100,000 (at 100,000: 0.62x at d = 4,
# 1.48x at d = 6, 3.9x at d = 7 in favour of the blocked engine).
_TREE_MAX_FEATURES = {0: 8, 4_000: 5}
"""``{smallest n_reference: largest d at which the k-d tree is chosen}``."""


def choose_method(
    n_reference: int, n_features: int, n_neighbors: int, *, sparse: bool = False
) -> str:
    """The back end ``method='auto'`` uses for a numpy (dense or sparse) search.

    The rule comes from measurements of both back ends on this project's reference machine
    (2 cores; Gaussian data, the usual worst case for trees; ``benchmarks/neighbors_backend.py``):
    the k-d tree is chosen when ``n_features <= 8`` for fewer than 4,000 reference rows and when
    ``n_features <= 5`` from 4,000 rows on, and (up to 16 features) for neighbourhoods of more
    than an eighth of the reference; the blocked engine otherwise. Sparse
    data always uses scikit-learn. ``n_neighbors`` was measured at 5 only.

    Parameters
    ----------
    n_reference, n_features, n_neighbors : int
    sparse : bool, default=False

    Returns
    -------
    str
        'sklearn' or 'torch'.

    Examples
    --------
    >>> choose_method(100_000, 4, 5), choose_method(100_000, 20, 5)
    ('sklearn', 'torch')
    """
    if sparse:
        return "sklearn"
    d_max = 0
    for size, features in _TREE_MAX_FEATURES.items():
        if n_reference >= size:
            d_max = features
    many = 8 * n_neighbors > n_reference and n_features <= 16
    return "sklearn" if n_features <= d_max or many else "torch"


_CONSTRAINTS: dict[str, list[Any]] = {
    "n_neighbors": [Interval(int, 1, None, closed="left", description="a positive int")],
    "n_jobs": [
        None,
        Interval(int, -1, -1, description="-1"),
        Interval(int, 1, None, closed="left", description="a positive int"),
    ],
    "block_size": [None, Interval(int, 1, None, closed="left", description="a positive int")],
}


def kneighbors(
    X: Any,
    n_neighbors: int,
    *,
    query: Any = None,
    query_indices: Any = None,
    method: Method = "auto",
    block_size: int | None = None,
    n_jobs: int | None = None,
) -> tuple[Any, Any]:
    """Find the exact ``n_neighbors`` nearest rows of ``X`` for each query row.

    Parameters
    ----------
    X : numpy.ndarray, scipy.sparse matrix or torch.Tensor of shape (n_reference, n_features)
        The reference points.
    n_neighbors : int
        How many neighbours to return per query row (>= 1).
    query : same kind as X, shape (n_queries, n_features), optional
        Separate points to find neighbours for (no row is excluded). When neither ``query`` nor
        ``query_indices`` is given, every row of ``X`` is a query and its own row is excluded
        from its neighbours (duplicates of it are not excluded).
    query_indices : array of int, optional
        Query the rows ``X[query_indices]`` only, each excluding its own row by index (the same
        answer as the full self-query, restricted to those rows, at a fraction of the cost).
    method : {'auto', 'sklearn', 'torch', 'faiss'}, default='auto'
        'auto': tensors and most dense data use the blocked 'torch' engine, very
        low-dimensional and sparse data scikit-learn (:func:`choose_method`). 'faiss' needs
        the optional ``faiss-cpu`` package.
    block_size : int, optional
        Tile side of the blocked engine (default 1024; a multiple of 16).
    n_jobs : int, optional
        Threads to use at most; -1 means all cores. None keeps the limits in force
        (threadpoolctl's and torch's, whichever is lower).

    Returns
    -------
    distances : array of shape (n_queries, n_neighbors)
        Euclidean distances, ascending. float32 for float32 input, float64 otherwise; a tensor
        on X's device for tensor input.
    indices : array of int64, shape (n_queries, n_neighbors)
        Row indices into ``X``; equal distances are ordered by index.

    Raises
    ------
    InvalidParameterError
        If ``n_neighbors`` is not a positive int or exceeds the number of candidates, or for an
        unknown method.
    InvalidInputError
        If X holds NaN or infinite values.

    Notes
    -----
    The ranking is by the float64 squared distance ``sum((x - q)^2)`` of the original values,
    whatever the back end computed first: the blocked engine's float32 distances only choose
    candidates, with a margin that provably contains every true neighbour.

    Memory: the blocked engine never holds an ``n x n`` matrix. Its working memory is one
    float32 copy of the data (``(n_reference + n_queries) x (d + 2)`` floats, twice), one
    ``block_size^2`` tile (4 MiB by default), about ``16 k`` bytes per query row for the
    candidates, and 12 MiB for the re-ranking; :func:`equipoise._knn_dense.plan_search` states
    the bound for a given shape.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [3.0], [6.0]])
    >>> d, i = kneighbors(X, 2)
    >>> i.tolist()
    [[1, 2], [0, 2], [1, 0], [2, 1]]
    >>> kneighbors(X, 1, query_indices=[3])[1].tolist()
    [[2]]
    """
    _load_engines()
    if query is not None and query_indices is not None:
        raise InvalidParameterError("Pass either query or query_indices to kneighbors, not both.")
    n_reference = X.shape[0]
    exclude_self = query is None
    available = n_reference - 1 if exclude_self else n_reference
    validate_params("kneighbors", {"n_neighbors": n_neighbors}, _CONSTRAINTS)
    n_neighbors = int(n_neighbors)
    if n_neighbors > available:
        raise InvalidParameterError(
            f"n_neighbors={n_neighbors} asks for more neighbours than there are candidates "
            f"({available}{' other' if exclude_self else ''} rows); lower n_neighbors."
        )
    if method not in ("auto", "sklearn", "torch", "faiss"):
        raise InvalidParameterError(
            f"method must be 'auto', 'sklearn', 'torch' or 'faiss'; got {short_repr(method)}."
        )
    validate_params("kneighbors", {"n_jobs": n_jobs, "block_size": block_size}, _CONSTRAINTS)
    rows = None
    if query_indices is not None:
        rows = _check_rows(query_indices, n_reference)

    if is_torch_tensor(X):
        if method == "sklearn":
            raise InvalidParameterError(
                "method='sklearn' cannot take torch tensors; use 'torch' or 'auto'."
            )
        return _run_torch(X, n_neighbors, query, rows, block_size, n_jobs, tensors=True)
    if method == "auto":
        method = choose_method(n_reference, X.shape[1], n_neighbors, sparse=sp.issparse(X))  # type: ignore[assignment]
        if not _TORCH:
            method = "sklearn"
    if method == "torch" and not _TORCH:
        from ._extras import missing_dependency

        raise missing_dependency("torch", "kneighbors(method='torch')")
    if method in ("torch", "faiss") and sp.issparse(X):
        raise InvalidParameterError(
            f"method={short_repr(method)} needs dense X; use 'sklearn' for sparse input."
        )
    if method == "faiss":
        from ._knn_faiss import faiss_kneighbors

        _check_finite(X, query)
        with thread_limits(n_jobs) as workers:
            return faiss_kneighbors(
                np.asarray(X), n_neighbors, query=query, rows=rows, n_threads=workers
            )
    if method == "torch":
        return _run_torch(X, n_neighbors, query, rows, block_size, n_jobs, tensors=False)
    if n_jobs is None:
        return _sklearn_kneighbors(X, n_neighbors, query, rows, None)
    with thread_limits(n_jobs, single_threaded_kernels=False) as workers:
        return _sklearn_kneighbors(X, n_neighbors, query, rows, workers)


_IMPORT_LOCK = threading.Lock()
_LOADED = False
_TORCH = True
"""False once :func:`_load_engines` found no torch (the extra ``equipoise[torch]``)."""


def _load_engines() -> None:
    """Import torch once, under a lock: searches may start in several threads at once (Dask
    tasks), and concurrent first imports of torch can see it half-initialised. The engines'
    modules are imported where they are used (Python's import lock covers them)."""
    global _LOADED, _TORCH
    if _LOADED:
        return
    with _IMPORT_LOCK:
        try:
            import torch  # noqa: F401
        except ModuleNotFoundError as exc:  # the base install: scikit-learn's searches only
            if (exc.name or "").split(".")[0] != "torch":
                raise
            _TORCH = False
        _LOADED = True


def _check_rows(query_indices: Any, n_reference: int) -> np.ndarray:
    if is_torch_tensor(query_indices):
        query_indices = query_indices.detach().cpu().numpy()
    rows = np.asarray(query_indices)
    if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise InvalidParameterError(
            f"query_indices must be a 1-D array of row indices; got shape {rows.shape} and dtype {rows.dtype}."
        )
    rows = rows.astype(np.int64, copy=False)
    if rows.size and (rows.min() < 0 or rows.max() >= n_reference):
        raise InvalidParameterError(
            f"query_indices must lie in [0, {n_reference}); got values from {rows.min()} to {rows.max()}."
        )
    return rows


def _check_finite(X: Any, query: Any) -> None:
    for name, values in (("X", X), ("query", query)):
        if values is None:
            continue
        if is_torch_tensor(values):
            finite = bool(values.isfinite().all()) if values.is_floating_point() else True
        else:
            data = values.data if sp.issparse(values) else np.asarray(values)
            finite = data.dtype.kind not in "fc" or bool(np.isfinite(data).all())
        if not finite:
            raise InvalidInputError(
                f"kneighbors got NaN or infinite values in {name}; distances to them are undefined. "
                "Impute or drop those values first."
            )


# ---------------------------------------------------------------------- threads
_CONTROLLER: Any = None


def _controller() -> Any:
    """One threadpoolctl controller, made after numpy, scipy and torch have loaded their pools."""
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = _make_controller()
    return _CONTROLLER


def _make_controller() -> Any:
    """A threadpoolctl controller of the BLAS and OpenMP libraries loaded in this process.

    threadpoolctl resolves the path of every loaded shared library before it looks at its name;
    with torch loaded that is over 200 libraries and most of the 20 ms the first search of a
    session would otherwise spend here. The controller made here looks only at the libraries
    whose file name is one threadpoolctl knows (its own list of prefixes), and falls back to
    the plain controller when threadpoolctl's internals differ from those of the versions
    tested (3.x).
    """
    import threadpoolctl

    prefixes = getattr(threadpoolctl, "_ALL_PREFIXES", None)
    plain = threadpoolctl.ThreadpoolController
    if not prefixes or not callable(getattr(plain, "_make_controller_from_path", None)):
        return plain()
    known = tuple(str(prefix).lower() for prefix in prefixes)

    class _KnownLibraries(plain):  # type: ignore[misc, valid-type]
        def _make_controller_from_path(self, filepath: str) -> None:
            if os.path.basename(filepath).lower().startswith(known):
                super()._make_controller_from_path(filepath)

    try:
        return _KnownLibraries()
    except Exception:  # noqa: BLE001 - any change inside threadpoolctl: its own scan
        return plain()


def current_thread_limit() -> int:
    """The thread limit in force: the lowest of torch's and the BLAS/OpenMP pools' settings."""
    limits = [os.cpu_count() or 1]
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        limits.append(torch.get_num_threads())
    limits += [int(pool["num_threads"]) for pool in _controller().info() if pool.get("num_threads")]
    return max(1, min(limits))


@contextlib.contextmanager
def thread_limits(n_jobs: int | None, *, single_threaded_kernels: bool = True) -> Iterator[int]:
    """Decide how many threads a search may use, and set the pools for it.

    Yields the number of workers. With ``single_threaded_kernels`` (the blocked engine) the
    BLAS, OpenMP and torch pools are set to one thread for the duration, since the engine runs
    its own workers; otherwise they are capped at the number of workers. Restored on exit.
    """
    import sys

    torch = sys.modules.get("torch")  # absent in the base install: only the BLAS/OpenMP pools

    cores = os.cpu_count() or 1
    workers = (
        current_thread_limit()
        if n_jobs is None
        else (cores if n_jobs == -1 else min(int(n_jobs), cores))
    )
    kernel_threads = 1 if single_threaded_kernels else workers
    previous = torch.get_num_threads() if torch is not None else 0
    with _controller().limit(limits=kernel_threads):
        if torch is not None:
            torch.set_num_threads(kernel_threads)
        try:
            yield workers
        finally:
            if torch is not None:
                torch.set_num_threads(previous)


# ---------------------------------------------------------------------- back ends
_PARALLEL_PAIRS = 2**24
"""From this many (query, reference) pairs at 20 features on, the blocked engine runs its worker
threads (scaled by ``22 / (d + 2)``: the work of a pair grows with the dimension)."""


def _parallel(n_reference: int, n_queries: int, n_features: int) -> bool:
    """Whether a search is large enough for worker threads (a second thread costs waiting)."""
    return n_reference * n_queries * (n_features + 2) >= _PARALLEL_PAIRS * 22


def _run_torch(
    X: Any,
    k: int,
    query: Any,
    rows: np.ndarray | None,
    block_size: int | None,
    n_jobs: int | None,
    *,
    tensors: bool,
) -> tuple[Any, Any]:
    import torch

    from ._knn_small import SMALL_PAIRS, SMALL_REFERENCE, small_kneighbors

    _check_finite(X, query)
    if tensors:
        Xt = (X if torch.is_floating_point(X) else X.to(torch.float64)).detach()
        Qt = None if query is None else torch.as_tensor(query).to(device=Xt.device)
        out_dtype = X.dtype if torch.is_floating_point(X) else torch.float64
    else:
        X = np.asarray(X)
        Xt = torch.from_numpy(
            np.ascontiguousarray(X if X.dtype.kind == "f" else X.astype(np.float64))
        )
        Qt = (
            None
            if query is None
            else torch.from_numpy(np.ascontiguousarray(np.asarray(query, dtype=Xt.numpy().dtype)))
        )
        out_dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    if Qt is not None:
        n_queries = Qt.shape[0]
    else:
        n_queries = Xt.shape[0] if rows is None else len(rows)
    small = Xt.shape[0] <= SMALL_REFERENCE or Xt.shape[0] * n_queries <= SMALL_PAIRS
    if Xt.device.type == "cpu" and small and block_size is None:
        # Single-threaded kernels; worker threads over the query blocks only when there is
        # enough work (on a busy machine a second thread for small work only adds waiting).
        with thread_limits(
            n_jobs if _parallel(Xt.shape[0], n_queries, Xt.shape[1]) else 1
        ) as workers:
            sq_np, ind_np = small_kneighbors(
                Xt.numpy(),
                k,
                query=None if Qt is None else Qt.numpy(),
                rows=rows,
                n_workers=workers,
            )
        dist_np = np.sqrt(sq_np).astype(
            np.float32 if out_dtype == torch.float32 else np.float64, copy=False
        )
        if tensors:
            return torch.from_numpy(dist_np).to(out_dtype), torch.from_numpy(ind_np)
        return dist_np, ind_np
    from ._knn_dense import dense_kneighbors  # the small searches above never need it

    rows_t = None if rows is None else torch.from_numpy(rows).to(Xt.device)
    # Small searches run on one thread: their kernels are too small to be worth splitting, and
    # on a busy machine waiting for a second thread costs more than the work.
    if Xt.device.type != "cpu":
        limits: Any = contextlib.nullcontext(1)
    else:
        limits = thread_limits(n_jobs if _parallel(Xt.shape[0], n_queries, Xt.shape[1]) else 1)
    with limits as workers:
        sq, ind = dense_kneighbors(
            Xt, k, query=Qt, query_indices=rows_t, tile=block_size, n_workers=workers
        )
        dist = sq.sqrt_().to(out_dtype)
    if tensors:
        return dist, ind
    return dist.numpy(), ind.numpy()


def _sklearn_kneighbors(
    X: Any, k: int, query: Any, rows: np.ndarray | None, workers: int | None
) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.neighbors import NearestNeighbors

    n_reference = X.shape[0]
    exclude_self = query is None
    available = n_reference - 1 if exclude_self else n_reference
    # scikit-learn's distances are exact: one extra candidate is enough to detect a tie at the
    # k-th place, which is then resolved by an exact pass over that row.
    k_query = k + min(1, available - k)
    # Dense data: the k-d tree (it computes each distance directly, as sum((x - q)^2)) on
    # centred data; the candidates' distances are then recomputed from the original values.
    fit_X, shift = X, None
    if not sp.issparse(X):
        shift = np.asarray(X).mean(axis=0)
        fit_X = np.asarray(X) - shift
    nn = NearestNeighbors(
        n_neighbors=k_query, algorithm="brute" if sp.issparse(X) else "kd_tree", n_jobs=workers
    )
    nn.fit(fit_X)
    out_dtype = np.float32 if X.dtype == np.float32 else np.float64
    if not exclude_self:
        dist, ind = nn.kneighbors(
            query if shift is None else np.asarray(query) - shift, n_neighbors=k_query
        )
        return _finalise(X, query, dist, ind, k, None, out_dtype)
    # Query the rows with one more neighbour and drop each row's own index. When exact
    # duplicates with smaller indices crowd a row out of its own list, drop that list's
    # farthest entry instead.
    self_rows = np.arange(n_reference) if rows is None else rows
    queries = X if rows is None else X[rows]
    dist, ind = nn.kneighbors(fit_X if rows is None else fit_X[rows], n_neighbors=k_query + 1)
    is_self = ind == self_rows[:, None]
    is_self[~is_self.any(axis=1), -1] = True
    keep = ~is_self
    dist = dist[keep].reshape(len(self_rows), k_query)
    ind = ind[keep].reshape(len(self_rows), k_query)
    return _finalise(X, queries, dist, ind, k, self_rows, out_dtype)


def _finalise(
    X: Any,
    queries: Any,
    dist: np.ndarray,
    ind: np.ndarray,
    k: int,
    self_rows: np.ndarray | None,
    out_dtype: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Order candidates by (distance, index); fix rows whose boundary ties leave the candidate set.

    For dense data the candidates' distances are recomputed exactly in float64 first (a brute
    force scikit-learn search expands ``|q|^2 + |x|^2 - 2 q.x``, which cancels for large offsets).
    """
    if not sp.issparse(X):
        Xd = np.asarray(X)
        diff = Xd[ind].astype(np.float64) - np.asarray(queries, dtype=np.float64)[:, None, :]
        dist = np.sqrt((diff * diff).sum(axis=2))
    else:
        dist = _sparse_candidate_distances(X, queries, ind)
    order = np.lexsort((ind, dist), axis=1)
    dist = np.take_along_axis(dist, order, axis=1)
    ind = np.take_along_axis(ind, order, axis=1)
    if dist.shape[1] > k:
        tied = np.flatnonzero(dist[:, k - 1] == dist[:, k])
        for row in tied:
            own = None if self_rows is None else int(self_rows[row])
            dist[row, :k], ind[row, :k] = _exact_row(X, queries[row], k, own)
    return dist[:, :k].astype(out_dtype, copy=False), ind[:, :k].astype(np.int64, copy=False)


# Dense rows materialised at once when sparse distances are recomputed exactly (bounded memory).
_SPARSE_BLOCK_VALUES = 1 << 20


def _dense_row(q: Any) -> np.ndarray:
    """One query row as a dense float64 vector (from a sparse 1 x d matrix or an array)."""
    return (
        (q.toarray() if sp.issparse(q) else np.asarray(q, dtype=np.float64))
        .astype(np.float64)
        .ravel()
    )


def _sparse_candidate_distances(X: Any, queries: Any, ind: np.ndarray) -> np.ndarray:
    """Exact float64 ``sqrt(sum((x - q)^2))`` of each query's candidates, as the dense path computes.

    scikit-learn's sparse brute force expands ``|q|^2 + |x|^2 - 2 q.x``, whose rounding can split
    exact ties or order them against the index; recomputing from the original values (in blocks
    of densified rows) makes sparse and dense input rank the same neighbours.
    """
    n_q, k = ind.shape
    d = X.shape[1]
    out = np.empty((n_q, k), dtype=np.float64)
    rows = max(1, _SPARSE_BLOCK_VALUES // max(k * d, 1))
    Xc = X.tocsr()
    for start in range(0, n_q, rows):
        stop = min(n_q, start + rows)
        block = ind[start:stop]
        cand = Xc[block.ravel()].toarray().astype(np.float64).reshape(stop - start, k, d)
        q = queries[start:stop]
        qd = (q.toarray() if sp.issparse(q) else np.asarray(q)).astype(np.float64)
        diff = cand - qd[:, None, :]
        out[start:stop] = np.sqrt((diff * diff).sum(axis=2))
    return out


def _exact_row(X: Any, q: Any, k: int, self_index: int | None) -> tuple[np.ndarray, np.ndarray]:
    if sp.issparse(X):
        # Scipy cannot broadcast a 1-row sparse matrix against X: densify q, and X in blocks.
        qd = _dense_row(q)
        Xc = X.tocsr()
        rows = max(1, _SPARSE_BLOCK_VALUES // max(X.shape[1], 1))
        d = np.empty(X.shape[0], dtype=np.float64)
        for start in range(0, X.shape[0], rows):
            diff = Xc[start : start + rows].toarray().astype(np.float64) - qd
            d[start : start + rows] = np.sqrt((diff * diff).sum(axis=1))
    else:
        d = np.sqrt(
            ((np.asarray(X, dtype=np.float64) - np.asarray(q, dtype=np.float64)) ** 2).sum(axis=1)
        )
    if self_index is not None:
        d[self_index] = np.inf
    idx = np.argsort(d, kind="stable")[:k]
    return d[idx], idx
