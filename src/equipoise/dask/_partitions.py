"""Partition plumbing: global class counts in one pass, exact quotas, per-partition seeds.

Everything here works on the *partition level*: a Dask DataFrame/Series is a list of pandas
partitions, a Dask Array a list of row blocks. We compute per-partition class counts once,
decide per-partition quotas on the driver so that the totals per class are exactly what the
strategy asks for, and give each partition its own generator seeded from
``(seed, partition_index)`` so a result is reproducible for a given partitioning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validation import _py, check_random_state
from ..exceptions import InvalidInputError

__all__ = ["PartitionedXY", "split_partitions", "partition_rng", "root_seed"]


def _import_dask() -> Any:
    try:
        import dask
        import dask.array  # noqa: F401
        import dask.dataframe  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        from ..exceptions import MissingDependencyError

        raise MissingDependencyError(
            "equipoise.dask needs Dask: pip install 'equipoise[dask]' (dask[dataframe] and distributed)."
        ) from exc
    return dask


def is_dask_collection(obj: Any) -> bool:
    return type(obj).__module__.startswith("dask")


@dataclass
class PartitionedXY:
    """X and y cut into aligned partitions, with what is needed to rebuild collections.

    Attributes
    ----------
    x_parts, y_parts : list of dask.delayed.Delayed
        Aligned partitions (pandas objects or numpy blocks).
    x_kind, y_kind : {'frame', 'array'} and {'series', 'array'}
    x_meta, y_meta : empty pandas objects (frames) or (n_features, dtype) (arrays)
    labels : list
        Sorted class labels (Python scalars).
    counts : numpy.ndarray of int64, shape (n_partitions, n_classes)
        Rows of each class in each partition.
    """

    x_parts: list
    y_parts: list
    x_kind: str
    y_kind: str
    x_meta: Any
    y_meta: Any
    labels: list
    counts: np.ndarray

    @property
    def totals(self) -> dict[Any, int]:
        return {label: int(n) for label, n in zip(self.labels, self.counts.sum(axis=0))}

    @property
    def n_partitions(self) -> int:
        return len(self.x_parts)


def _count_partition(y_part: Any) -> dict:
    values, counts = np.unique(np.asarray(y_part), return_counts=True)
    return {_py(v): int(c) for v, c in zip(values, counts)}


def _partition_health(x_part: Any, check_finite: bool) -> tuple[int, bool]:
    """Rows of a partition, and whether it holds NaN/inf (only computed when asked)."""
    n = len(x_part)
    if not check_finite or n == 0:
        return n, True
    values = x_part.to_numpy() if isinstance(x_part, pd.DataFrame) else np.asarray(x_part)
    return n, bool(np.isfinite(values.astype(np.float64, copy=False)).all())


def split_partitions(X: Any, y: Any, *, owner: str, check_finite: bool) -> PartitionedXY:
    """Cut X and y into aligned delayed partitions and count classes in one pass.

    Raises
    ------
    InvalidInputError
        When X or y is not a Dask collection of a supported kind, their partitions do not line up,
        y is not 1-D, X holds NaN/inf (when ``check_finite``), or y has fewer than two classes.
    """
    dask = _import_dask()
    import dask.array as da
    import dask.dataframe as dd

    # Unoptimised graphs keep the source's task names, so a partition that X and y share (read
    # from one file, generated once) is computed once per pass, and X and y rows can never come
    # from two separate readings. (Column pruning at the reader is the price.)
    if isinstance(X, da.Array) and len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    if isinstance(X, dd.DataFrame):
        x_kind, x_parts, x_meta = "frame", list(X.to_delayed(optimize_graph=False)), X._meta
    elif isinstance(X, da.Array):
        if X.ndim != 2:
            raise InvalidInputError(f"{owner} expects a 2-D Dask array X; got {X.ndim} dimensions.")
        x_kind, x_parts, x_meta = (
            "array",
            list(X.to_delayed(optimize_graph=False)[:, 0]),
            (X.shape[1], X.dtype),
        )
    else:
        raise InvalidInputError(
            f"{owner} from equipoise.dask takes a dask.dataframe.DataFrame or dask.array.Array X; got "
            f"{type(X).__name__}. For in-memory data use equipoise.resample."
        )
    if isinstance(y, dd.Series):
        y_kind, y_parts, y_meta = "series", list(y.to_delayed(optimize_graph=False)), y._meta
    elif isinstance(y, da.Array):
        if y.ndim != 1:
            raise InvalidInputError(
                f"{owner} supports a 1-D target; got a Dask array with shape {y.shape}."
            )
        y_kind, y_parts, y_meta = "array", list(y.to_delayed(optimize_graph=False)), (None, y.dtype)
    elif isinstance(y, dd.DataFrame):
        raise InvalidInputError(
            f"{owner} supports a single target column; pass a Dask Series (df['target'])."
        )
    else:
        raise InvalidInputError(
            f"{owner} from equipoise.dask takes a Dask Series or 1-D Dask array y; got {type(y).__name__}."
        )
    if len(x_parts) != len(y_parts):
        raise InvalidInputError(
            f"X and y passed to {owner} have different partitionings ({len(x_parts)} vs {len(y_parts)} "
            "partitions); build them from the same frame (X = df.drop(columns='target'), y = df['target'])."
        )
    count_tasks = [dask.delayed(_count_partition)(part) for part in y_parts]
    health_tasks = [dask.delayed(_partition_health)(part, check_finite) for part in x_parts]
    y_len_tasks = [dask.delayed(len)(part) for part in y_parts]
    per_part, health, y_lens = dask.compute(count_tasks, health_tasks, y_len_tasks)
    for p, ((n_x, finite), n_y) in enumerate(zip(health, y_lens)):
        if n_x != n_y:
            raise InvalidInputError(
                f"X and y passed to {owner} disagree in partition {p}: {n_x} rows vs {n_y} labels. "
                "Build them from the same frame so their partitions line up."
            )
        if not finite:
            raise InvalidInputError(
                f"X passed to {owner} contains NaN or infinite values (first seen in partition {p}); "
                "impute or drop them first (e.g. df.fillna / df.dropna)."
            )
    labels = sorted(
        {label for part in per_part for label in part}, key=lambda v: (type(v).__name__, v)
    )
    if sum(y_lens) == 0:
        raise InvalidInputError(f"{owner} got an empty y (0 labels).")
    if len(labels) < 2:
        raise InvalidInputError(
            f"{owner} needs at least 2 classes in y; got only {labels}. Check the target column."
        )
    counts = np.array(
        [[part.get(label, 0) for label in labels] for part in per_part], dtype=np.int64
    )
    return PartitionedXY(x_parts, y_parts, x_kind, y_kind, x_meta, y_meta, labels, counts)


def root_seed(random_state: Any) -> int:
    """One integer seed drawn from ``random_state``; partitions derive theirs from it."""
    return int(check_random_state(random_state).integers(0, 2**63 - 1))


def partition_rng(seed: int, *keys: int) -> np.random.Generator:
    """The generator for one partition (or one synthetic chunk): seeded by ``(seed, *keys)``."""
    return np.random.default_rng([seed, *keys])
