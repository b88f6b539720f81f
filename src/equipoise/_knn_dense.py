"""The blocked matrix-product k-NN search behind :func:`equipoise.neighbors.kneighbors`.

Exact Euclidean k nearest neighbours of dense data, on any torch device, in three steps:

1. **Approximate squared distances in float32, one GEMM per tile.** The data is centred and
   scaled by a power of two once; with ``a = [x, |x|^2, 1]`` and ``b = [-2x, 1, |x|^2]`` one
   matrix product gives ``|q|^2 + |x|^2 - 2 q.x`` for a ``T x T`` tile of pairs.
2. **A fused partial top-k: group minima.** While a tile is in cache it is folded into group
   minima: the elementwise minimum of its ``S`` column slices, so group ``g`` of a column block
   holds the columns ``g, g + T/S, g + 2T/S, ...``. Per query row we keep the groups whose minimum
   is at most ``tau + 2 delta``, where ``tau`` is the k-th smallest group minimum seen so far
   (an upper bound of the row's k-th smallest approximate distance: k groups each hold a value
   ``<= tau``) and ``delta`` a rigorous bound on the float32 error of step 1
   (:func:`equipoise._knn_bound.error_bound`). ``tau`` only falls as tiles arrive, so nothing
   kept too little.
3. **Exact float64 re-ranking.** Every true neighbour, ties at the k-th distance included, has an
   approximate squared distance ``<= tau + 2 delta`` and so lies in a kept group. The members of
   the kept groups (about ``k S`` per row) get their exact squared distances
   ``sum((x - q)^2)`` in float64 from the *original* values and are ordered by (distance, index):
   the result is the brute-force float64 answer, ties broken by the smaller index, whatever the
   float32 rounding did.

Self-queries (every row a query of its own set) are symmetric: tile ``(I, J)`` and tile
``(J, I)`` hold the same pairs, so only the upper block triangle is computed and each tile is
folded both ways, by columns for the rows of ``I`` and by rows for the rows of ``J``.

Memory is bounded by the plan, never ``n x n``: one float32 working copy of the data
(``(n + m) x (d + 2)``), one ``T x T`` float32 tile and its two folds, the kept groups (a few
times ``k`` per query row, compacted whenever they grow), and the re-ranking in pieces of at most
``_CAND_ELEMENTS`` float64 values. :func:`plan_search` states the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ._knn_bound import error_bound

__all__ = ["dense_kneighbors", "plan_search", "SearchPlan"]

_GROUP = 16
"""S below 48 features (columns folded into one group minimum), and the granularity of tiles
and query blocks."""
_GROUPS_BY_FEATURES = ((256, 4), (48, 8))
"""``(from d features on, S)``: the members of a kept group are re-ranked in float64 at ``d``
values each, so at high ``d`` narrower groups (fewer candidates per query) pay for their larger
folds. Measured on 10,000-row self-searches, k = 4, 2 workers (docs/benchmarks.md, "The
neighbour engine"): at d = 512, S = 4 or 8 took 1.8-2.2 s against 3.4 s with S = 16; at d = 64,
S = 8 0.6 s against 0.65-0.9 s; at d = 20, S = 16 0.3 s against 0.47 s with S = 8."""
_TILE = 1024
"""T: rows and columns of one distance tile (4 MiB of float32: stays in cache)."""
_CAND_ELEMENTS = 2**19
"""At most this many float64 values (candidate pairs x features, 4 MiB) are re-ranked at a time:
small enough for the allocator to reuse the memory instead of mapping fresh pages each time."""
_BATCH = 16
"""Tiles whose folds are gathered before the candidate bookkeeping runs once for all of them."""
_COMPACT_FACTOR = 4
"""Kept groups are compacted when they exceed this many times ``k`` per query row."""
_BYTES_PER_KEPT = 16
"""Row (int64), group (int32) and minimum (float32) of one kept group."""
_SPLIT_ROWS_FROM = 8
"""A search against other points with fewer than this many query blocks per worker splits the
reference columns among the workers instead of the query blocks."""


@dataclass(frozen=True)
class SearchPlan:
    """How a search is cut into tiles, and the working memory of each piece, in bytes."""

    tile: int
    group: int
    working_copy_bytes: int
    tile_bytes: int
    kept_bytes: int
    rerank_bytes: int

    @property
    def peak_bytes(self) -> int:
        """Working memory of the search beyond its input and output (an upper bound)."""
        return self.working_copy_bytes + self.tile_bytes + self.kept_bytes + self.rerank_bytes


def plan_search(
    n_reference: int,
    n_features: int,
    n_queries: int,
    n_neighbors: int,
    tile: int | None = None,
    *,
    n_workers: int = 1,
) -> SearchPlan:
    """The tiling of a search and a bound on its peak working memory (see :class:`SearchPlan`).

    Parameters
    ----------
    n_reference, n_features, n_queries, n_neighbors : int
    tile : int, optional
        Tile side ``T`` (a multiple of 16); by default 1024, or less for small inputs.
    n_workers : int, default=1
        Each worker holds its own tile buffers and kept groups.

    Notes
    -----
    The terms: the float32 working copy ``[x, |x|^2, 1]`` of the data and its transposed twin
    (plus the queries' rows when they are not the data), per worker one ``T x T`` float32 tile
    and the folds of ``_BATCH`` tiles, per worker the kept groups (16 bytes each; compacted when
    they exceed ``16 k`` per query row, so at most twice that while compacting; in practice
    ``k`` to ``2 k`` per row), and the re-ranking pieces (three arrays of ``_CAND_ELEMENTS``
    float64 values). None of them grows with ``n_reference x n_queries``.

    Examples
    --------
    >>> plan = plan_search(100_000, 20, 100_000, 5, n_workers=2)
    >>> plan.tile, round(plan.peak_bytes / 2**20)
    (1024, 560)
    """
    if tile is None:
        tile = min(_TILE, _round_up(max(n_reference, n_queries, 1), _GROUP))
    tile = max(_GROUP, _round_up(tile, _GROUP))
    group = _group(n_features)
    per_block = tile // group
    n_pad = _round_up(max(n_reference, 1), tile)
    m_pad = _round_up(max(n_queries, 1), tile)
    inner = n_features + 2
    # The tile, two batches of folds, their reshaped copy and the hit mask.
    tile_bytes = 4 * tile * tile + (3 * 4 + 1) * _BATCH * tile * per_block
    kept_entries = max(16 * max(n_neighbors, 1) * n_queries, 1 << 20)
    return SearchPlan(
        tile=tile,
        group=group,
        working_copy_bytes=4 * inner * (2 * n_pad + m_pad),
        tile_bytes=n_workers * tile_bytes,
        kept_bytes=n_workers * 2 * _BYTES_PER_KEPT * kept_entries,
        rerank_bytes=8 * _CAND_ELEMENTS * 3,
    )


def _group(n_features: int) -> int:
    """S, the columns of one group, for data of ``n_features`` (``_GROUPS_BY_FEATURES``). Any S
    gives the same neighbours and distances: it only decides how many candidates reach the
    exact re-ranking (module docstring)."""
    for start, group in _GROUPS_BY_FEATURES:
        if n_features >= start:
            return group
    return _GROUP


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _unit_roundoff(device: torch.device, compute: torch.dtype) -> float:
    """Relative rounding error of one matmul step (TF32 or bf16 where CUDA allows it)."""
    if compute == torch.float64:
        return 2.0**-53
    if device.type == "cuda":
        precision = torch.get_float32_matmul_precision()
        if precision == "medium":
            return 2.0**-8
        if precision == "high" or torch.backends.cuda.matmul.allow_tf32:
            return 2.0**-11
    return 2.0**-24


class _Matmul:
    """``out = a @ b`` for tiles: OpenBLAS through numpy on the CPU (measured 1.3-2x faster than
    torch's MKL at d + 2 = 22 on this project's AMD machine), torch elsewhere."""

    def __init__(self, device: torch.device) -> None:
        self.cpu = device.type == "cpu"

    def __call__(self, a: torch.Tensor, b: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        if self.cpu:
            np.matmul(a.numpy(), b.numpy(), out=out.numpy())
            return out
        return torch.mm(a, b, out=out)


class _Kept:
    """The groups kept per query row, as (row, group, minimum), and each row's ``tau``.

    ``best[r]`` holds the k smallest group minima row ``r`` has seen (distinct groups), so
    ``tau[r] = max(best[r])`` tightens after every tile at a cost proportional to the hits.
    """

    def __init__(self, n_rows: int, k: int, delta: torch.Tensor, dtype: torch.dtype) -> None:
        self.k, self.dtype = k, dtype
        self.delta2 = 2.0 * delta  # float64
        device = delta.device
        self.best = torch.full((n_rows, k), math.inf, dtype=dtype, device=device)
        self.threshold = torch.full((n_rows,), math.inf, dtype=dtype, device=device)
        self.rows: list[torch.Tensor] = []
        self.groups: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []
        self.size = 0
        self.limit = max(16 * k * n_rows, 1 << 20)

    def _update(self, rows: torch.Tensor | slice, candidates: torch.Tensor) -> None:
        """Merge new group minima (one line per row, ``inf``-padded) into ``best`` and ``threshold``."""
        merged = torch.cat([self.best[rows], candidates], dim=1)
        best = merged.topk(self.k, dim=1, largest=False, sorted=False).values
        self.best[rows] = best
        # tau + 2 delta, rounded up so the float rounding never lowers the threshold.
        up = (best.amax(dim=1).to(torch.float64) + self.delta2[rows]).to(self.dtype)
        self.threshold[rows] = torch.nextafter(up, torch.full_like(up, math.inf))

    def add(self, minima: torch.Tensor, row0: int, group0: int, *, first: bool) -> None:
        """Keep the groups of ``minima`` (rows ``row0 + i``, groups ``group0 + j``) under threshold.

        ``first``: the rows have not seen this tile's groups through a hit yet, and ``best`` is
        refreshed from the tile's own k smallest minima (for the first tile of a row it is all
        ``inf``); otherwise only the hits are merged into ``best``.
        """
        n_rows = minima.shape[0]
        rows = slice(row0, row0 + n_rows)
        if first:
            smallest = minima.topk(
                min(self.k, minima.shape[1]), dim=1, largest=False, sorted=False
            ).values
            self._update(rows, smallest)
        hit = torch.nonzero(minima <= self.threshold[rows][:, None])
        if hit.shape[0] == 0:
            return
        r, g = hit[:, 0], hit[:, 1]
        values = minima[r, g]
        self.values.append(values)
        self.rows.append(r + row0)
        self.groups.append((g + group0).to(torch.int32))
        self.size += hit.shape[0]
        if len(self.rows) >= 64:
            # Few large long-lived blocks instead of many small ones between the temporaries
            # (which would fragment the heap and grow the resident memory with every tile).
            self.rows, self.groups, self.values = (
                [torch.cat(self.rows)],
                [torch.cat(self.groups)],
                [torch.cat(self.values)],
            )
        if not first:
            # Hits come row by row (nonzero is row-major): lay them out one line per row.
            hit_rows, counts = torch.unique_consecutive(r, return_counts=True)
            starts = torch.cumsum(counts, 0) - counts
            line = torch.repeat_interleave(torch.arange(hit_rows.shape[0], device=r.device), counts)
            position = torch.arange(r.shape[0], device=r.device) - starts[line]
            lines = torch.full(
                (hit_rows.shape[0], int(counts.max())), math.inf, dtype=self.dtype, device=r.device
            )
            lines[line, position] = values
            self._update(hit_rows + row0, lines)
        if self.size > self.limit:
            self.compact()

    def merge(self, other: _Kept) -> None:
        """Take over the groups another worker kept (the same rows, other groups)."""
        self.rows += other.rows
        self.groups += other.groups
        self.values += other.values
        self.size += other.size
        self._update(slice(None), other.best)

    def compact(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Drop the kept groups above the current threshold.

        Returns the kept ``(rows, groups, counts)``, ordered by row; ``counts[r]`` is the number
        of groups kept for row ``r``.
        """
        device = self.best.device
        n_rows = self.best.shape[0]
        if not self.rows:
            empty = torch.empty(0, dtype=torch.int64, device=device)
            return (
                empty,
                empty.to(torch.int32),
                torch.zeros(n_rows, dtype=torch.int64, device=device),
            )
        rows, groups, values = torch.cat(self.rows), torch.cat(self.groups), torch.cat(self.values)
        keep = values <= self.threshold[rows]
        rows, groups, values = rows[keep], groups[keep], values[keep]
        order = torch.argsort(rows, stable=True)
        rows, groups, values = rows[order], groups[order], values[order]
        self.rows, self.groups, self.values = [rows], [groups], [values]
        self.size = rows.shape[0]
        self.limit = max(self.limit, 2 * self.size)
        return rows, groups, torch.bincount(rows, minlength=n_rows)


def dense_kneighbors(
    X: torch.Tensor,
    k: int,
    *,
    query: torch.Tensor | None = None,
    query_indices: torch.Tensor | None = None,
    tile: int | None = None,
    n_workers: int = 1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact k-NN of dense ``X`` by the three steps of the module docstring.

    Parameters
    ----------
    X : torch.Tensor of shape (n, d), floating point, on any device
    k : int
        Neighbours per query; the caller has checked that each query has at least ``k``
        candidates.
    query : torch.Tensor of shape (m, d), optional
        Separate query points (no row excluded).
    query_indices : torch.Tensor of int64, shape (m,), optional
        Query the rows ``X[query_indices]``, each excluding its own row (by index). With neither
        ``query`` nor ``query_indices`` every row is a query and excludes itself.
    tile : int, optional
        Tile side (tests use small tiles to cross many tile borders).
    n_workers : int, default=1
        CPU only: threads that share the tiles, each running single-threaded kernels (the caller
        sets the thread limits; see :func:`equipoise.neighbors.kneighbors`).

    Returns
    -------
    squared_distances : torch.Tensor of shape (m, k), float64
        Exact ``sum((x - q)^2)``, ascending per row.
    indices : torch.Tensor of shape (m, k), int64
        Ties ordered by the smaller index.
    """
    device = X.device
    n, d = X.shape
    symmetric = query is None and query_indices is None
    if query is not None:
        Q, exclude = query.to(device=device), None
    elif query_indices is not None:
        Q, exclude = X[query_indices], query_indices
    else:
        Q, exclude = X, torch.arange(n, device=device)
    m = Q.shape[0]
    if m == 0:
        empty = torch.empty((0, k), dtype=torch.float64, device=device)
        return empty, empty.to(torch.int64)
    plan = plan_search(n, d, m, k, tile)
    T = plan.tile

    # Centre, then scale by a power of two (exact) so float32 neither overflows nor underflows.
    mean = X.mean(dim=0, dtype=torch.float64)
    peak = 0.0
    for values in (X,) if symmetric else (X, Q):
        if d:
            spread = torch.maximum(
                values.amax(dim=0).to(torch.float64) - mean,
                mean - values.amin(dim=0).to(torch.float64),
            )
            peak = max(peak, float(spread.max()))
    scale = 2.0 ** -math.floor(math.log2(peak)) if peak > 0 else 1.0
    compute = torch.float32 if peak * scale < 2.0**60 else torch.float64
    x_left, x_right, x_sq = _augment(X, mean, scale, compute, T)
    assert x_right is not None  # right=True (the default) always builds the column operand
    # Query blocks of R rows: T for a symmetric sweep; otherwise the m rows in as many blocks as
    # tiles of T would need, each no taller than it must be (few queries are not padded to T).
    R = T if symmetric else _round_up(-(-m // -(-m // T)), _GROUP)
    q_left, q_sq = (
        (x_left, x_sq) if symmetric else _augment(Q, mean, scale, compute, R, right=False)[::2]
    )
    delta = error_bound(q_sq[:m], float(x_sq[:n].max()), d + 2, _unit_roundoff(device, compute))

    sweep = _Sweep(x_left, x_right, q_left, n, m, T, plan.group, symmetric, exclude, rows=R)
    workers = max(1, n_workers) if device.type == "cpu" else 1
    row_blocks = list(range(-(-m // R)))
    n_col_blocks = -(-n // T)
    by_columns = (
        not symmetric
        and len(row_blocks) < _SPLIT_ROWS_FROM * workers
        and n_col_blocks >= 2 * workers
    )
    if workers == 1 or (len(row_blocks) == 1 and not by_columns):
        kept = sweep.run(row_blocks, _Kept(m, k, delta, compute))
        return _rerank(*kept.compact(), X, Q, exclude, k, T, plan.group, n)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        if by_columns:
            # Few query blocks against many reference blocks: each worker sweeps every query
            # block against its own share of the reference columns, so the work splits evenly
            # (interleaved query blocks would leave a worker idle when they do not divide evenly).
            bounds = [round(w * n_col_blocks / workers) for w in range(workers + 1)]
            parts = list(
                pool.map(
                    lambda w: sweep.run(
                        row_blocks, _Kept(m, k, delta, compute), columns=(bounds[w], bounds[w + 1])
                    ),
                    range(workers),
                )
            )
        else:
            # Interleaved row blocks: with the triangle of a symmetric sweep, the work stays balanced.
            parts = list(
                pool.map(
                    lambda w: sweep.run(row_blocks[w::workers], _Kept(m, k, delta, compute)),
                    range(workers),
                )
            )
        kept = parts[0]
        for other in parts[1:]:
            kept.merge(other)
        return _rerank(*kept.compact(), X, Q, exclude, k, T, plan.group, n, pool=pool)


class _Sweep:
    """The tiles of one search: GEMM, masks, folds, handed to a :class:`_Kept`."""

    def __init__(
        self,
        x_left: torch.Tensor,
        x_right: torch.Tensor,
        q_left: torch.Tensor,
        n: int,
        m: int,
        tile: int,
        group: int,
        symmetric: bool,
        exclude: torch.Tensor | None,
        *,
        rows: int | None = None,
    ) -> None:
        self.x_left, self.x_right, self.q_left = x_left, x_right, q_left
        self.n, self.m, self.T, self.S = n, m, tile, group
        self.R = tile if rows is None else rows
        """Rows of a query block (``T`` for a symmetric sweep, whose tiles are square)."""
        self.symmetric, self.exclude = symmetric, exclude
        self.matmul = _Matmul(x_left.device)

    def run(
        self, row_blocks: list[int], kept: _Kept, columns: tuple[int, int] | None = None
    ) -> _Kept:
        """Sweep the tiles of ``row_blocks`` (against every column block, or the upper triangle).

        ``columns``: only the column blocks ``[start, stop)`` (searches against other points).
        The folds of ``_BATCH`` consecutive tiles are gathered before they are handed to
        ``kept``, so its bookkeeping runs once per batch rather than once per tile.
        """
        T, R, S, n, m = self.T, self.R, self.S, self.n, self.m
        per_block = T // S
        n_col_blocks = -(-n // T)
        col_start = 0
        if columns is not None:
            col_start, n_col_blocks = columns
        dtype, device = self.x_left.dtype, self.x_left.device
        buffer = torch.empty((R, T), dtype=dtype, device=device)
        by_columns = torch.empty((_BATCH, R, per_block), dtype=dtype, device=device)
        by_rows = (
            torch.empty((_BATCH, T, per_block), dtype=dtype, device=device)
            if self.symmetric
            else None
        )
        flat = torch.empty((R, _BATCH * per_block), dtype=dtype, device=device)
        for bi in row_blocks:
            r0, r1 = bi * R, min((bi + 1) * R, m)
            left = self.q_left[bi * R : (bi + 1) * R]
            first_col = bi if self.symmetric else col_start
            for j0 in range(first_col, n_col_blocks, _BATCH):
                batch = range(j0, min(j0 + _BATCH, n_col_blocks))
                for slot, bj in enumerate(batch):
                    c0, c1 = bj * T, min((bj + 1) * T, n)
                    tile = self.matmul(left, self.x_right[:, bj * T : (bj + 1) * T], buffer)
                    if c1 - c0 < T:
                        tile[:, c1 - c0 :] = math.inf
                    if r1 - r0 < R:
                        tile[r1 - r0 :, :] = math.inf
                    if self.symmetric:
                        if bi == bj:
                            tile.diagonal().fill_(math.inf)
                    elif self.exclude is not None:
                        _mask_excluded(tile, self.exclude[r0:r1], c0, c1)
                    torch.amin(tile.view(R, S, per_block), dim=1, out=by_columns[slot])
                    if by_rows is not None and bi != bj:
                        by_rows[slot].copy_(torch.amin(tile.view(S, per_block, T), dim=0).T)
                used = len(batch)
                # Rows of block bi against the groups of the batch's column blocks.
                minima = flat[:, : used * per_block]
                minima.view(R, used, per_block).copy_(by_columns[:used].permute(1, 0, 2))
                kept.add(minima[: r1 - r0], r0, j0 * per_block, first=j0 == first_col)
                if by_rows is not None:
                    # Rows of the batch's blocks against the groups of block bi (the transpose).
                    start = 1 if j0 == bi else 0
                    if used > start:
                        rows0 = (j0 + start) * T
                        minima = by_rows[start:used].reshape(-1, per_block)[
                            : min(n, (j0 + used) * T) - rows0
                        ]
                        kept.add(minima, rows0, bi * per_block, first=bi == row_blocks[0])
        return kept


def _augment(
    X: torch.Tensor,
    mean: torch.Tensor,
    scale: float,
    compute: torch.dtype,
    tile: int,
    *,
    right: bool = True,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """``[x, |x|^2, 1]`` (rows), ``[-2x, 1, |x|^2]^T`` (contiguous columns) and ``|x|^2`` (float64)
    of the centred, scaled rows, padded with zero rows to a multiple of the tile (the padded
    pairs are masked as infinite). Built in chunks: no float64 copy of the whole data."""
    n, d = X.shape
    n_pad = _round_up(max(n, 1), tile)
    left = torch.zeros((n_pad, d + 2), dtype=compute, device=X.device)
    right_t = torch.zeros((d + 2, n_pad), dtype=compute, device=X.device) if right else None
    sq = torch.empty(n, dtype=torch.float64, device=X.device)
    step = max(1, _CAND_ELEMENTS // max(d, 1))
    for start in range(0, n, step):
        stop = min(start + step, n)
        xs = ((X[start:stop].to(torch.float64) - mean) * scale).to(compute)
        sq[start:stop] = (xs.to(torch.float64) ** 2).sum(dim=1)
        left[start:stop, :d] = xs
        left[start:stop, d] = sq[start:stop].to(compute)
        if right_t is not None:
            right_t[:d, start:stop] = xs.T * -2.0
            right_t[d + 1, start:stop] = sq[start:stop].to(compute)
    left[:n, d + 1] = 1.0
    if right_t is not None:
        right_t[d, :n] = 1.0
    return left, right_t, sq


def _mask_excluded(tile: torch.Tensor, exclude: torch.Tensor, c0: int, c1: int) -> None:
    inside = (exclude >= c0) & (exclude < c1)
    rows = torch.nonzero(inside).squeeze(1)
    if rows.numel():
        tile[rows, exclude[rows] - c0] = math.inf


def _rerank(
    rows: torch.Tensor,
    groups: torch.Tensor,
    counts: torch.Tensor,
    X64: torch.Tensor,
    Q64: torch.Tensor,
    exclude: torch.Tensor | None,
    k: int,
    T: int,
    S: int,
    n: int,
    *,
    pool: Any = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact float64 distances of the kept groups' members, then each row's k smallest by
    (distance, index).

    ``rows`` is sorted, so the groups of a row are contiguous. Rows are laid out densely, one
    row per line, ``width`` groups wide; the few rows with more groups (ties of many points at
    the k-th distance) are ranked on their own, one line each. With ``pool`` (an executor) the
    pieces of lines are ranked by its threads (each piece writes its own rows of the result).
    """
    device = X64.device
    m = counts.shape[0]
    starts = torch.cumsum(counts, 0) - counts
    position = torch.arange(rows.shape[0], device=device) - starts[rows]
    width = int(min(int(counts.max()), 2 * k + 2))
    dense = torch.full((m, width), -1, dtype=torch.int64, device=device)
    fits = position < width
    dense[rows[fits], position[fits]] = groups[fits].to(torch.int64)
    out_sq = torch.empty((m, k), dtype=torch.float64, device=device)
    out_ind = torch.empty((m, k), dtype=torch.int64, device=device)
    every = torch.arange(m, device=device)
    wide = torch.nonzero(counts > width).squeeze(1)
    narrow = every if wide.numel() == 0 else every[counts <= width]
    step = max(1, _CAND_ELEMENTS // max(width * S * max(X64.shape[1], 1), 1))

    def piece(start: int) -> None:
        lines = narrow[start : start + step]
        sq, ind = _rank_lines(dense[lines], lines, X64, Q64, exclude, k, T, S, n)
        out_sq[lines], out_ind[lines] = sq, ind

    starts_ = range(0, narrow.shape[0], step)
    if pool is not None and len(starts_) > 1:
        list(pool.map(piece, starts_))
    else:
        for start in starts_:
            piece(start)
    for row in wide.tolist():
        line = groups[starts[row] : starts[row] + counts[row]].to(torch.int64)[None, :]
        sq, ind = _rank_lines(line, every[row : row + 1], X64, Q64, exclude, k, T, S, n)
        out_sq[row], out_ind[row] = sq[0], ind[0]
    return out_sq, out_ind


def _rank_lines(
    line_groups: torch.Tensor,
    lines: torch.Tensor,
    X64: torch.Tensor,
    Q64: torch.Tensor,
    exclude: torch.Tensor | None,
    k: int,
    T: int,
    S: int,
    n: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """For each query row of ``lines`` and its groups (``-1`` = none), the k nearest members."""
    per_block = T // S
    base = (line_groups // per_block) * T + line_groups % per_block
    offsets = torch.arange(S, device=X64.device) * per_block
    cols = (base[:, :, None] + offsets).reshape(lines.shape[0], -1)
    valid = (line_groups[:, :, None] >= 0).expand(-1, -1, S).reshape(cols.shape) & (cols < n)
    if exclude is not None:
        valid &= cols != exclude[lines][:, None]
    cols = torch.where(valid, cols, 0)
    d = X64.shape[1]
    # Gathered in the data's own dtype (half the traffic for float32), exact in float64.
    diff = (
        X64.index_select(0, cols.reshape(-1))
        .to(torch.float64)
        .view(cols.shape[0], cols.shape[1], d)
    )
    diff -= Q64.index_select(0, lines).to(torch.float64)[:, None, :]
    sq = diff.mul_(diff).sum(dim=2)
    sq = torch.where(valid, sq, math.inf)
    cols = torch.where(valid, cols, n)
    return _order_lines(sq, cols, k)


def _order_lines(sq: torch.Tensor, cols: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k smallest entries of each line by (distance, index), ascending.

    One partial top-k by distance; the lines where it meets equal distances (its k + 1
    smallest are not all distinct) are ordered again by a full (distance, index) sort.
    """
    width = sq.shape[1]
    take = min(k + 1, width)
    top_sq, at = sq.topk(take, dim=1, largest=False, sorted=True)
    top_cols = cols.gather(1, at)
    if take > 1:
        tied = torch.nonzero((top_sq[:, 1:] == top_sq[:, :-1]).any(dim=1)).squeeze(1)
        if tied.numel():
            t_cols, by_index = torch.sort(cols[tied], dim=1, stable=True)
            t_sq = sq[tied].gather(1, by_index)
            t_sq, by_dist = torch.sort(t_sq, dim=1, stable=True)
            top_sq[tied] = t_sq[:, :take]
            top_cols[tied] = t_cols.gather(1, by_dist)[:, :take]
    return top_sq[:, :k], top_cols[:, :k]
