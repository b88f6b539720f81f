"""Random over/under-sampling and SMOTE for Dask collections larger than memory.

One pass counts the classes of every partition; the driver then sets per-partition quotas so
that each class ends with *exactly* the number of rows the strategy asks for:

* under-sampling keeps ``n_target`` rows of a class, spread over partitions by a multivariate
  hypergeometric draw (the same law as picking ``n_target`` rows of the whole class uniformly
  without replacement), then each partition picks its quota uniformly;
* over-sampling adds ``n_new`` copies, spread by a multinomial draw with probabilities
  proportional to the class's rows per partition (uniform draws with replacement over the class);
* SMOTE collects only the classes it over-samples (they must fit in memory), finds neighbours with
  :func:`equipoise.neighbors.kneighbors` on the workers (one task per block of query rows, each
  against the whole collected class), and creates the synthetic rows lazily as new partitions.
  Majority rows are never brought to the driver, and the driver runs no search.

Each partition (and each synthetic chunk) draws from its own generator seeded by
``(seed, partition index)``, where ``seed`` is drawn once from ``random_state``: the result is
reproducible for a given ``random_state`` and partitioning.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._types import RandomStateLike, SamplingStrategy
from .._validation import Interval, check_class_sizes
from ..exceptions import InvalidInputError
from ..neighbors import kneighbors
from ..resample._base import ParameterTemplate
from ._partitions import PartitionedXY, partition_rng, root_seed, split_partitions

__all__ = ["RandomOverSampler", "RandomUnderSampler", "SMOTE"]


# Seed domains: the driver's quota draws, each partition's selection, each synthetic chunk.
_DRIVER, _PARTITION, _SYNTHETIC = 0, 1, 2


class _DaskResampler(ParameterTemplate):
    """The resamplers' template (:class:`~equipoise.resample._base.ParameterTemplate`) on Dask
    collections: validate, count once, resolve the strategy, then build lazy output."""

    _needs_finite: ClassVar[bool] = False

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Resample Dask collections lazily.

        Parameters
        ----------
        X : dask.dataframe.DataFrame or dask.array.Array of shape (n_samples, n_features)
        y : dask.dataframe.Series or 1-D dask.array.Array
            Partitioned like ``X`` (same number of partitions, same rows per partition).

        Returns
        -------
        X_resampled, y_resampled : lazy Dask collections of the same kinds as X and y
            Nothing is computed beyond the class-count pass (and, for SMOTE, the collection of
            the over-sampled classes).
        """
        self._validate_params()
        parts = split_partitions(X, y, owner=type(self).__name__, check_finite=self._needs_finite)
        self.class_counts_ = parts.totals
        self.n_partitions_ = parts.n_partitions
        self._resolve_strategy(y, counts=parts.totals)
        return self._resample(X, y, parts, root_seed(self.random_state))

    def _resample(self, X: Any, y: Any, parts: PartitionedXY, seed: int) -> tuple[Any, Any]:
        raise NotImplementedError


def _select_partition(
    x_part: Any, y_part: Any, quotas: dict, mode: str, seed: int, index: int
) -> tuple[Any, Any]:
    """Keep (under) or append copies of (over) rows of one partition.

    ``quotas`` maps a label to ``(rows of it here, share)``: the rows to keep, or copies to add.
    """
    rng = partition_rng(seed, _PARTITION, index)
    labels = np.asarray(y_part)
    if mode == "under":
        keep = np.ones(len(labels), dtype=bool)
        for label, (_, n_keep) in quotas.items():
            rows = np.flatnonzero(labels == label)
            keep[rows] = False
            keep[rows[rng.choice(len(rows), size=n_keep, replace=False)]] = True
        idx = np.flatnonzero(keep)
    else:
        extra = [
            np.flatnonzero(labels == label)[rng.integers(0, count, size=n_new)]
            for label, (count, n_new) in quotas.items()
            if n_new
        ]
        idx = np.concatenate([np.arange(len(labels)), *extra])
    return _take(x_part, idx), _take(y_part, idx)


def _take(part: Any, idx: np.ndarray) -> Any:
    return part.iloc[idx] if isinstance(part, (pd.DataFrame, pd.Series)) else np.asarray(part)[idx]


def _rebuild(parts: PartitionedXY, tasks: list, sizes: list[int]) -> tuple[Any, Any]:
    """Turn per-partition delayed (x, y) pairs back into Dask collections of the input kinds."""
    import dask.array as da
    import dask.dataframe as dd

    xs = [task[0] for task in tasks]
    ys = [task[1] for task in tasks]
    if parts.x_kind == "frame":
        X_res = dd.from_delayed(xs, meta=parts.x_meta, verify_meta=False)
    else:
        n_features, dtype = parts.x_meta
        X_res = da.concatenate(
            [da.from_delayed(x, shape=(n, n_features), dtype=dtype) for x, n in zip(xs, sizes)]
        )
    if parts.y_kind == "series":
        y_res = dd.from_delayed(ys, meta=parts.y_meta, verify_meta=False)
    else:
        dtype = parts.y_meta[1]
        y_res = da.concatenate(
            [da.from_delayed(v, shape=(n,), dtype=dtype) for v, n in zip(ys, sizes)]
        )
    return X_res, y_res


class _RandomDaskResampler(_DaskResampler):
    """Row selection with exact totals: the driver allocates each class's quota over partitions
    (``_allocate``), then every partition selects (under) or copies (over) its share."""

    _mode: ClassVar[str]

    def _allocate(self, rng: np.random.Generator, column: np.ndarray, target: int) -> np.ndarray:
        raise NotImplementedError

    def _resample(self, X: Any, y: Any, parts: PartitionedXY, seed: int) -> tuple[Any, Any]:
        import dask

        rng = partition_rng(seed, _DRIVER)
        per_part: list[dict] = [{} for _ in range(parts.n_partitions)]
        sizes = parts.counts.sum(axis=1).copy()
        for c, label in enumerate(parts.labels):
            if label not in self.sampling_strategy_:
                continue
            column = parts.counts[:, c]
            share = self._allocate(rng, column, self.sampling_strategy_[label])
            sizes += share - column if self._mode == "under" else share
            for p in np.flatnonzero(column):
                per_part[p][label] = (int(column[p]), int(share[p]))
        select = dask.delayed(_select_partition, nout=2, pure=True)
        tasks = [
            select(xp, yp, quotas, self._mode, seed, p)
            for p, (xp, yp, quotas) in enumerate(zip(parts.x_parts, parts.y_parts, per_part))
        ]
        return _rebuild(parts, tasks, [int(size) for size in sizes])


class RandomUnderSampler(_RandomDaskResampler):
    """Random under-sampling of Dask collections with exact class totals.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        imbalanced-learn semantics (the values are the rows to keep); a callable receives the
        Dask ``y``.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: rows to keep}``.
    class_counts_ : dict
        Global ``{label: count}`` before resampling.
    n_partitions_ : int

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> df = dd.from_pandas(pd.DataFrame({"x": range(100), "t": [0] * 90 + [1] * 10}), npartitions=4)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(df[["x"]], df["t"])
    >>> y_res.value_counts().compute().sort_index().tolist()
    [10, 10]
    """

    _sampling_type = "under-sampling"
    _parameter_constraints = {
        **ParameterTemplate._parameter_constraints,
        "random_state": ["random_state"],
    }

    def __init__(
        self, *, sampling_strategy: SamplingStrategy = "auto", random_state: RandomStateLike = None
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    _mode = "under"

    def _allocate(self, rng: np.random.Generator, column: np.ndarray, target: int) -> np.ndarray:
        """Rows to keep per partition: ``target`` rows of the class drawn without replacement."""
        return rng.multivariate_hypergeometric(column, target)


class RandomOverSampler(_RandomDaskResampler):
    """Random over-sampling of Dask collections with exact class totals.

    Copies are appended inside the partition of the row they copy.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        imbalanced-learn semantics (the values are the rows to add).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: rows to add}``.
    class_counts_ : dict
    n_partitions_ : int
    """

    _sampling_type = "over-sampling"
    _parameter_constraints = {
        **ParameterTemplate._parameter_constraints,
        "random_state": ["random_state"],
    }

    def __init__(
        self, *, sampling_strategy: SamplingStrategy = "auto", random_state: RandomStateLike = None
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    _mode = "over"

    def _allocate(self, rng: np.random.Generator, column: np.ndarray, target: int) -> np.ndarray:
        """Copies to add per partition: ``target`` uniform draws with replacement over the class."""
        return rng.multinomial(target, column / column.sum())


def _class_rows(x_part: Any, y_part: Any, labels: list) -> dict:
    mask_source = np.asarray(y_part)
    values = x_part.to_numpy() if isinstance(x_part, pd.DataFrame) else np.asarray(x_part)
    return {label: values[mask_source == label] for label in labels}


_SEARCH_BLOCK_ROWS = 8192
"""Query rows per neighbour-search task: each task is one exact search of its block of the
class against the whole class (:func:`equipoise.neighbors.kneighbors` with ``query_indices``)."""


def _neighbour_block(class_X: np.ndarray, start: int, stop: int, k: int) -> np.ndarray:
    """The ``k`` nearest same-class rows of the class rows ``start..stop`` (run on a worker)."""
    rows = np.arange(start, stop)
    return np.asarray(kneighbors(class_X, k, query_indices=rows)[1])


def _join_blocks(*blocks: np.ndarray) -> np.ndarray:
    return np.concatenate(blocks, axis=0)


def _smote_chunk(
    class_X: np.ndarray,
    neighbours: np.ndarray,
    n_rows: int,
    seed: int,
    keys: tuple,
    like: Any,
    first_index: int,
) -> Any:
    """``n_rows`` synthetic rows x_i + u (x_nn - x_i) of one class, for one new partition.

    Pandas output is indexed ``first_index, first_index + 1, ...``: synthetic partitions continue
    after the input rows, so X and y can be re-joined on the index.
    """
    rng = partition_rng(seed, *keys)
    base = rng.integers(0, class_X.shape[0], size=n_rows)
    chosen = neighbours[base, rng.integers(0, neighbours.shape[1], size=n_rows)]
    gap = rng.random(n_rows)[:, None]
    rows = class_X[base] + gap * (class_X[chosen] - class_X[base])
    kind, columns, dtypes = like[:3]
    if kind == "frame":
        index = pd.RangeIndex(first_index, first_index + n_rows)
        frame = pd.DataFrame(rows, columns=columns, index=index)
        for column, dtype in dtypes.items():
            if isinstance(dtype, np.dtype) and dtype.kind in "iu":
                frame[column] = np.rint(frame[column].to_numpy())
        return frame.astype(dtypes.to_dict())
    return np.rint(rows).astype(dtypes) if np.dtype(dtypes).kind in "iu" else rows.astype(dtypes)


def _label_chunk(n_rows: int, label: Any, like: Any, first_index: int) -> Any:
    """The labels of one synthetic partition (no neighbour search needed to make them)."""
    y_is_series, y_name, y_dtype = like[3:]
    if y_is_series:
        index = pd.RangeIndex(first_index, first_index + n_rows)
        return pd.Series(np.full(n_rows, label, dtype=object), name=y_name, index=index).astype(
            y_dtype
        )
    return np.full(n_rows, label, dtype=y_dtype)


class SMOTE(_DaskResampler):
    """SMOTE (Chawla et al. 2002) for Dask collections whose over-sampled classes fit in memory.

    For each over-sampled class, its rows are collected on the driver, the ``k_neighbors``
    nearest same-class neighbours of each row are found once with
    :func:`equipoise.neighbors.kneighbors` by tasks on the workers (blocks of 8,192 query rows
    against the whole class), and synthetic rows
    ``x_new = x_i + u (x_nn - x_i)``, ``u ~ U(0, 1)``, are generated lazily as new partitions of
    about ``rows_per_partition`` rows appended after the original partitions.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    k_neighbors : int, default=5
    max_minority_bytes : int, default=2**31
        Refuse (with a clear error) to collect over-sampled classes larger than this.
    rows_per_partition : int, optional
        Size of the synthetic partitions; defaults to the median input partition size.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: rows to generate}``.
    class_counts_ : dict
    n_partitions_ : int

    References
    ----------
    Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
    minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357.
    """

    _sampling_type = "over-sampling"
    _needs_finite = True
    _parameter_constraints = {
        **ParameterTemplate._parameter_constraints,
        "random_state": ["random_state"],
        "k_neighbors": [Interval(int, 1, None, closed="left")],
        "max_minority_bytes": [Interval(int, 1, None, closed="left")],
        "rows_per_partition": [Interval(int, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: int = 5,
        max_minority_bytes: int = 2**31,
        rows_per_partition: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.max_minority_bytes = max_minority_bytes
        self.rows_per_partition = rows_per_partition

    def _like(self, X: Any, y: Any, parts: PartitionedXY) -> tuple:
        if parts.x_kind == "frame":
            non_numeric = [
                c for c, t in parts.x_meta.dtypes.items() if not pd.api.types.is_numeric_dtype(t)
            ]
            if non_numeric:
                raise InvalidInputError(
                    f"SMOTE interpolates and needs numeric columns; {non_numeric} are not. Encode them "
                    "first, or use equipoise.resample.SMOTENC on an in-memory sample."
                )
            x_like = ("frame", parts.x_meta.columns, parts.x_meta.dtypes)
        else:
            if parts.x_meta[1].kind not in "biuf":
                raise InvalidInputError(
                    f"SMOTE needs a numeric Dask array; got dtype {parts.x_meta[1]}."
                )
            x_like = ("array", None, parts.x_meta[1])
        if parts.y_kind == "series":
            return (*x_like, True, parts.y_meta.name, parts.y_meta.dtype)
        return (*x_like, False, None, parts.y_meta[1])

    def _resample(self, X: Any, y: Any, parts: PartitionedXY, seed: int) -> tuple[Any, Any]:
        import dask
        import dask.array as da
        import dask.dataframe as dd

        like = self._like(X, y, parts)
        targets = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        if not targets:
            return X, y
        totals = parts.totals
        check_class_sizes(
            totals,
            self.k_neighbors + 1,
            owner="SMOTE",
            parameter="k_neighbors",
            value=self.k_neighbors,
            classes=list(targets),
        )
        n_features = parts.x_meta.shape[1] if parts.x_kind == "frame" else parts.x_meta[0]
        needed = sum(totals[label] for label in targets) * n_features * 8
        if needed > self.max_minority_bytes:
            raise InvalidInputError(
                f"SMOTE must hold the classes it over-samples in memory: {sum(totals[t] for t in targets):,} "
                f"rows x {n_features} features is about {needed / 2**30:.2f} GiB, above "
                f"max_minority_bytes={self.max_minority_bytes:,}. Raise max_minority_bytes if this machine "
                "has the memory, or use equipoise.dask.RandomOverSampler, which needs none."
            )
        collect = dask.delayed(_class_rows, pure=True)
        labels = list(targets)
        pieces = dask.compute(
            *[collect(xp, yp, labels) for xp, yp in zip(parts.x_parts, parts.y_parts)]
        )
        chunk_rows = self.rows_per_partition or max(1, int(np.median(parts.counts.sum(axis=1))))
        make = dask.delayed(_smote_chunk, pure=True)
        make_labels = dask.delayed(_label_chunk, pure=True)
        search = dask.delayed(_neighbour_block, pure=True)
        join = dask.delayed(_join_blocks, pure=True)
        x_tasks, y_tasks, new_sizes = [], [], []
        next_index = int(parts.counts.sum())
        for code, label in enumerate(labels):
            class_X = np.concatenate([piece[label] for piece in pieces]).astype(
                np.float64, copy=False
            )
            class_X_d = dask.delayed(class_X)
            # The search runs on the workers, block by block against the collected class.
            n_class = class_X.shape[0]
            blocks = [
                search(class_X_d, start, min(start + _SEARCH_BLOCK_ROWS, n_class), self.k_neighbors)
                for start in range(0, n_class, _SEARCH_BLOCK_ROWS)
            ]
            neighbours_d = join(*blocks)
            n_new = targets[label]
            n_chunks = -(-n_new // chunk_rows)
            sizes = np.full(n_chunks, n_new // n_chunks) + (np.arange(n_chunks) < n_new % n_chunks)
            for j, n_rows in enumerate(sizes):
                x_tasks.append(
                    make(
                        class_X_d,
                        neighbours_d,
                        int(n_rows),
                        seed,
                        (_SYNTHETIC, code, j),
                        like,
                        next_index,
                    )
                )
                y_tasks.append(make_labels(int(n_rows), label, like, next_index))
                new_sizes.append(int(n_rows))
                next_index += int(n_rows)
        if parts.x_kind == "frame":
            X_new = dd.from_delayed(x_tasks, meta=parts.x_meta, verify_meta=False)
            X_res = dd.concat([X, X_new])
        else:
            blocks = [
                da.from_delayed(t, shape=(n, n_features), dtype=parts.x_meta[1])
                for t, n in zip(x_tasks, new_sizes)
            ]
            X_res = da.concatenate([X, *blocks])
        if parts.y_kind == "series":
            y_new = dd.from_delayed(y_tasks, meta=parts.y_meta, verify_meta=False)
            y_res = dd.concat([y, y_new])
        else:
            blocks = [
                da.from_delayed(t, shape=(n,), dtype=parts.y_meta[1])
                for t, n in zip(y_tasks, new_sizes)
            ]
            y_res = da.concatenate([y, *blocks])
        return X_res, y_res
