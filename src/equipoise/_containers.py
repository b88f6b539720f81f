"""The container round trip: same kind of container out as in, with the user's exact values.

:func:`to_numpy_container` records what the user passed and gives the numpy (or CSR) view the
computations use; the returned :class:`Container` keeps a reference to the original object, so
the output is built from it:

* :meth:`Container.take` returns rows of the *original* object (bit-identical values, the same
  dtypes, the pandas index labels, the tensor's device);
* :meth:`Container.assemble` returns those rows followed by synthetic rows, cast into the input's
  dtypes by one rule (:func:`cast_synthetic`);
* :meth:`Container.restore` turns a computed array back into the same kind (fresh index).

Accepted containers: numpy arrays, lists (of rows), scipy sparse matrices, torch tensors, pandas
DataFrames and Series, and every eager dataframe or series that narwhals supports (polars,
pyarrow, modin, cuDF), which comes back as the same library's object. Anything else raises
:class:`~equipoise.exceptions.InvalidInputError` naming these.

Synthetic rows (generators) and the pandas index
------------------------------------------------
Synthetic values are computed in floating point and cast per column into the input dtype:
float columns are cast (float16 / float32 stay so); integer columns (numpy or pandas nullable)
are rounded to the nearest integer (halves to even, :func:`numpy.rint`) and clipped into the
dtype's range; bool columns are rounded the same way (a value of 0.5 or less is ``False``); a
pandas ``category`` column whose categories are numbers takes the category nearest the computed
value (the smaller one on a tie); other columns (strings, objects, categories set by SMOTENC or
SMOTEN) take the values given. Synthetic values of integer columns above 2**53 are therefore
as exact as float64 allows; kept rows always are exact.

A pandas index survives: kept rows keep their labels (duplicated rows repeat theirs). When rows
are appended and the index is integer-valued (``RangeIndex`` or any integer dtype), the new rows
are labelled ``max + 1, max + 2, ...``; any other index (strings, dates, floats, MultiIndex)
cannot be continued, so the whole output gets a fresh ``RangeIndex`` and
``resampler.resample_like(X.index)`` gives the original label of each output row (the base
row's label for a synthetic row).
"""

from __future__ import annotations

import numbers
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .exceptions import InvalidInputError

__all__ = [
    "Container",
    "DeferredRows",
    "to_numpy_container",
    "cast_synthetic",
    "numeric_array",
    "ACCEPTED_CONTAINERS",
]

ACCEPTED_CONTAINERS = (
    "a numpy array, a list of rows, a scipy sparse matrix, a torch tensor, a pandas DataFrame or "
    "Series, or an eager dataframe/series supported by narwhals (polars, pyarrow, modin, cuDF)"
)


def _is_tensor(obj: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def _narwhals(obj: Any) -> Any:
    """``obj`` as an eager narwhals DataFrame or Series, or None when narwhals does not know it."""
    module = type(obj).__module__.split(".")[0]
    if module in ("numpy", "builtins", "scipy", "torch", "pandas"):
        return None
    try:
        import narwhals.stable.v2 as nw
    except ImportError:  # pragma: no cover - narwhals is a runtime dependency
        return None
    try:
        return nw.from_native(obj, eager_only=True, allow_series=True)
    except TypeError:
        return None


# ---------------------------------------------------------------------- casting rule
def _int_bounds(dtype: np.dtype) -> tuple[float, float]:
    info = np.iinfo(dtype)
    return float(info.min), float(info.max)


def cast_synthetic(values: Any, dtype: Any) -> Any:
    """Computed (floating-point) values of synthetic rows, cast into ``dtype`` by the module's rule.

    Parameters
    ----------
    values : numpy.ndarray
        Any shape; object arrays (SMOTENC's mixed rows) are accepted.
    dtype : numpy dtype or pandas extension dtype

    Returns
    -------
    numpy.ndarray or pandas ExtensionArray
        Floats cast; integers rounded to nearest (``numpy.rint``) and clipped into the dtype's
        range; bools rounded (``> 0.5`` is True); numeric categories snapped to the nearest
        category; any other dtype given the values as they are.
    """
    values = np.asarray(values)
    if isinstance(dtype, pd.CategoricalDtype):
        return _to_category(values, dtype)
    if isinstance(dtype, np.dtype):
        if dtype.kind == "b":
            return np.rint(_as_float(values)) != 0
        if dtype.kind in "iu":
            low, high = _int_bounds(dtype)
            return np.clip(np.rint(_as_float(values)), low, high).astype(dtype)
        return values.astype(dtype, copy=False)
    # pandas extension dtypes (Int64, UInt8, boolean, Float32, string, ...)
    if pd.api.types.is_bool_dtype(dtype):
        return pd.array(np.rint(_as_float(values)) != 0, dtype=dtype)
    if pd.api.types.is_integer_dtype(dtype):
        numpy_dtype = np.dtype(dtype.numpy_dtype)
        low, high = _int_bounds(numpy_dtype)
        return pd.array(
            np.clip(np.rint(_as_float(values)), low, high).astype(numpy_dtype), dtype=dtype
        )
    if pd.api.types.is_float_dtype(dtype):
        return pd.array(_as_float(values), dtype=dtype)
    return pd.array(values, dtype=dtype)


def _cast_exact(values: Any, dtype: Any) -> Any:
    """Values already of the input's kind (labels): ``astype``, no rounding."""
    values = np.asarray(values)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(values, dtype=dtype)
    if isinstance(dtype, np.dtype):
        return values.astype(dtype, copy=False)
    return pd.array(values, dtype=dtype)


def _as_float(values: np.ndarray) -> np.ndarray:
    return values if values.dtype.kind == "f" else values.astype(np.float64)


def _to_category(values: np.ndarray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    categories = dtype.categories
    if values.dtype.kind == "O" and pd.api.types.is_numeric_dtype(categories):
        try:  # SMOTENC's mixed rows: a numeric category column it interpolated as continuous
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            pass
    if (
        values.dtype.kind in "biuf"
        and pd.api.types.is_numeric_dtype(categories)
        and len(categories)
    ):
        order = np.argsort(categories.to_numpy(dtype=np.float64), kind="stable")
        sorted_cats = categories.to_numpy(dtype=np.float64)[order]
        x = _as_float(values).ravel()
        right = (
            np.clip(np.searchsorted(sorted_cats, x), 1, len(sorted_cats) - 1)
            if len(sorted_cats) > 1
            else np.zeros(len(x), dtype=np.int64)
        )
        if len(sorted_cats) > 1:
            left = right - 1
            nearer_left = (x - sorted_cats[left]) <= (sorted_cats[right] - x)
            position = np.where(nearer_left, left, right)
        else:
            position = right
        return pd.Categorical.from_codes(order[position].reshape(values.shape), dtype=dtype)
    return pd.Categorical(values, dtype=dtype)


def _cast_sparse(new: Any, dtype: np.dtype) -> Any:
    new = sp.csr_matrix(new, copy=True)
    new.data = cast_synthetic(new.data, np.dtype(dtype))
    return new.astype(dtype, copy=False)


# ---------------------------------------------------------------------- pandas index rule
def _continued_index(index: pd.Index, rows: np.ndarray, n_new: int) -> pd.Index | None:
    """Kept labels then ``max + 1, ...`` for an integer index; None (use a RangeIndex) otherwise."""
    kept = index.take(rows)
    if n_new == 0:
        return kept
    if isinstance(index, pd.MultiIndex) or not pd.api.types.is_integer_dtype(index.dtype):
        return None
    start = int(index.max()) + 1 if len(index) else 0
    if start + n_new - 1 > np.iinfo(np.int64).max:
        return None
    return kept.append(pd.RangeIndex(start, start + n_new))


# ---------------------------------------------------------------------- deferred synthetic rows
class DeferredRows:
    """Synthetic rows a sampler has decided but not yet written: their shape, dtype and a writer.

    ``fill(out)`` writes the rows into ``out``, any writable array of :attr:`shape` and
    :attr:`dtype`. :meth:`Container.assemble` of a numpy container allocates the whole output
    (kept rows, then these rows) once, copies the kept rows into its head and fills its tail in
    place, so the synthetic rows are written to memory once and never concatenated. Every other
    consumer gets an ordinary array from :meth:`materialise` (or ``numpy.asarray``), with the
    same values, bit for bit.

    Parameters
    ----------
    shape : tuple of int
        ``(n_rows, n_features)``.
    dtype : numpy dtype
    fill : callable
        ``fill(out)`` writes every value of ``out``.
    """

    ndim = 2

    def __init__(self, shape: tuple[int, int], dtype: Any, fill: Any) -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)
        self._fill = fill

    def fill(self, out: np.ndarray) -> None:
        """Write the rows into ``out`` (shape :attr:`shape`, dtype :attr:`dtype`)."""
        if out.shape != self.shape or out.dtype != self.dtype:
            raise ValueError(
                f"DeferredRows of shape {self.shape} and dtype {self.dtype} cannot fill an array "
                f"of shape {out.shape} and dtype {out.dtype}."
            )
        self._fill(out)

    def materialise(self) -> np.ndarray:
        """The rows as a new C-contiguous array."""
        out = np.empty(self.shape, dtype=self.dtype)
        self._fill(out)
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.materialise()
        return out if dtype is None else out.astype(dtype, copy=False)

    def __len__(self) -> int:
        return self.shape[0]


# ---------------------------------------------------------------------- the container
@dataclass
class Container:
    """What the user passed, so results come back in the same kind of container.

    Attributes
    ----------
    kind : {'numpy', 'pandas', 'torch', 'list', 'sparse', 'narwhals'}
    columns : pandas Index or None
        DataFrame columns for pandas input.
    dtypes : pandas Series or dtype or None
        DataFrame dtypes (a Series' dtype), restored on output.
    is_series : bool
        The input was a pandas (or narwhals-supported) Series.
    name : Any
        The Series' name.
    device, torch_dtype : torch device and dtype for tensor input.
    sparse_format : str or None
        scipy sparse format ('csr', 'csc', ...) for sparse input.
    source : Any
        The object the user passed (not a copy); rows of the output are taken from it.
    """

    kind: str
    columns: Any = None
    dtypes: Any = None
    is_series: bool = False
    name: Any = None
    device: Any = None
    torch_dtype: Any = None
    sparse_format: str | None = None
    extra: dict = field(default_factory=dict)
    source: Any = field(default=None, repr=False)

    # ------------------------------------------------------------------ computed arrays back
    def restore(self, array: Any) -> Any:
        """Return ``array`` (numpy or sparse) in the container kind recorded at input."""
        if self.kind == "numpy":
            return array
        if self.kind == "sparse":
            return array.asformat(self.sparse_format) if sp.issparse(array) else array
        if self.kind == "list":
            return array
        if self.kind == "torch":
            import torch

            return torch.as_tensor(np.ascontiguousarray(array)).to(
                device=self.device, dtype=self.torch_dtype
            )
        if self.kind == "pandas":
            if self.is_series:
                return pd.Series(array, name=self.name).astype(self.dtypes)
            frame = pd.DataFrame(array, columns=self.columns)
            return frame.astype(self.dtypes.to_dict())
        if self.kind == "narwhals":
            array = np.asarray(array.toarray() if sp.issparse(array) else array)
            fits = (
                array.ndim == 1
                if self.is_series
                else array.ndim == 2 and array.shape[1] == len(self.columns)
            )
            return self._narwhals_from_values(array, cast=False) if fits else array
        raise AssertionError(self.kind)

    # ------------------------------------------------------------------ rows of the original
    def take(self, rows: np.ndarray) -> Any:
        """Rows ``rows`` of the original object, exact, in its own kind (pandas labels kept)."""
        return self.assemble(rows)

    def assemble(
        self,
        rows: np.ndarray,
        new: Any = None,
        *,
        copied: np.ndarray | None = None,
        exact: bool = False,
    ) -> Any:
        """Original rows ``rows`` followed by synthetic rows, in the input's kind.

        Parameters
        ----------
        rows : numpy.ndarray of int
            Original rows to output first, in order (duplicates allowed).
        new : numpy.ndarray, scipy sparse matrix, torch.Tensor or DeferredRows, optional
            Computed values of the synthetic rows, cast by :func:`cast_synthetic`. Deferred rows
            of a numpy input's floating dtype are written straight into the output's tail.
        copied : numpy.ndarray of int, optional
            Instead of ``new``: synthetic rows that carry the exact values of these original
            rows (labelled as new rows in a pandas index).
        exact : bool, default=False
            ``new`` already holds values of the input's kind (labels): cast them with ``astype``,
            never rounded.
        """
        rows = np.asarray(rows, dtype=np.int64)
        n_new = 0 if new is None else new.shape[0]
        if copied is not None:
            n_new = len(copied)
        if n_new == 0:
            new, copied = None, None
        if isinstance(new, DeferredRows) and not (
            self.kind == "numpy" and _fills_in_place(self.source, new)
        ):
            new = new.materialise()
        self._cast = _cast_exact if exact else cast_synthetic
        try:
            return getattr(self, f"_assemble_{self.kind}")(rows, new, copied)
        finally:
            del self._cast

    def _assemble_numpy(self, rows, new, copied):
        src = self.source
        identity = _is_identity(rows, src.shape[0])
        if new is None and copied is None:
            return src.copy() if identity else src[rows]
        if isinstance(new, DeferredRows):  # one allocation: kept rows, then the rows filled in
            out = np.empty((len(rows) + new.shape[0], src.shape[1]), dtype=src.dtype)
            if identity:
                out[: len(rows)] = src
            else:
                # mode='clip': valid rows, and no buffered copy (numpy buffers out for 'raise')
                np.take(src, rows, axis=0, out=out[: len(rows)], mode="clip")
            new.fill(out[len(rows) :])
            return out
        tail = src[copied] if copied is not None else self._cast(new, src.dtype)
        return np.concatenate([src if identity else src[rows], tail], axis=0)

    def _assemble_list(self, rows, new, copied):
        src = self.source
        out = [_copy_row(src[i]) for i in rows]
        if copied is not None:
            out.extend(_copy_row(src[i]) for i in copied)
        elif new is not None:
            out.extend(self._cast(new, self.extra["dtype"]).tolist())
        return out

    def _assemble_sparse(self, rows, new, copied):
        src = self.extra["csr"]
        parts = [src[rows]]
        if copied is not None:
            parts.append(src[copied])
        elif new is not None:
            parts.append(_cast_sparse(new, src.dtype))
        out = parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")
        return out.asformat(self.sparse_format)

    def _assemble_torch(self, rows, new, copied):
        import torch

        src = self.source
        index = torch.as_tensor(rows, device=src.device)
        kept = src.index_select(0, index)
        if copied is not None:
            return torch.cat(
                [kept, src.index_select(0, torch.as_tensor(copied, device=src.device))]
            )
        if new is None:
            return kept
        return torch.cat([kept, _cast_tensor(new, src)], dim=0)

    def _assemble_pandas(self, rows, new, copied):
        src = self.source
        kept = src.iloc[rows]
        if new is None and copied is None:
            return kept
        n_new = len(copied) if copied is not None else new.shape[0]
        if copied is not None:
            tail = src.iloc[copied]
        elif self.is_series:
            tail = pd.Series(self._cast(np.asarray(new).reshape(-1), src.dtype), name=src.name)
        else:
            new = new.toarray() if sp.issparse(new) else np.asarray(new)
            tail = pd.DataFrame(
                {j: self._cast(new[:, j], dtype) for j, dtype in enumerate(src.dtypes)}
            )
            tail.columns = src.columns
        index = _continued_index(src.index, rows, n_new)
        out = pd.concat([kept, tail], ignore_index=True)
        out.index = pd.RangeIndex(len(out)) if index is None else index
        return out

    def _assemble_narwhals(self, rows, new, copied):
        import narwhals.stable.v2 as nw

        src = self.extra["frame"]
        kept = src[rows.tolist()] if self.is_series else src[rows]
        if new is None and copied is None:
            return nw.to_native(kept)
        if copied is not None:
            tail = src[copied.tolist()] if self.is_series else src[copied]
            return nw.to_native(_nw_concat([kept, tail], self.is_series))
        tail = self._narwhals_from_values(
            np.asarray(new), cast=self._cast is cast_synthetic, native=False
        )
        return nw.to_native(_nw_concat([kept, tail], self.is_series))

    def _narwhals_from_values(self, values: np.ndarray, *, cast: bool, native: bool = True) -> Any:
        import narwhals.stable.v2 as nw

        src = self.extra["frame"]
        backend = src.implementation
        if self.is_series:
            data = (
                cast_synthetic(values.reshape(-1), _numpy_twin(src.dtype))
                if cast
                else values.reshape(-1)
            )
            series = nw.new_series(src.name, data, dtype=src.dtype, backend=backend)
            return nw.to_native(series) if native else series
        else:
            schema = src.schema
            data = {}
            for j, (column, dtype) in enumerate(schema.items()):
                col = values[:, j]
                data[column] = cast_synthetic(col, _numpy_twin(dtype)) if cast else col
            frame = nw.from_dict(data, backend=backend)
            out = frame.with_columns(*[nw.col(c).cast(t) for c, t in schema.items()])
        return nw.to_native(out) if native else out


def _nw_concat(parts: list, is_series: bool) -> Any:
    import narwhals.stable.v2 as nw

    if is_series:
        frames = [p.to_frame() for p in parts]
        return nw.concat(frames, how="vertical")[parts[0].name]
    return nw.concat(parts, how="vertical")


def _numpy_twin(dtype: Any) -> np.dtype:
    """The numpy dtype whose casting rule a narwhals dtype follows."""
    if dtype.is_integer():
        name = str(dtype).lower()
        return np.dtype(name)
    if dtype == _nw_boolean():
        return np.dtype(bool)
    if dtype.is_float():
        return np.dtype(str(dtype).lower())
    return np.dtype(object)


def _nw_boolean() -> Any:
    import narwhals.stable.v2 as nw

    return nw.Boolean


def _cast_tensor(new: Any, src: Any) -> Any:
    import torch

    if not _is_tensor(new):
        new = torch.as_tensor(np.ascontiguousarray(new.toarray() if sp.issparse(new) else new))
    new = new.to(device=src.device)
    if src.is_floating_point() or src.is_complex():
        return new.to(src.dtype)
    rounded = new.to(torch.float64).round()
    if src.dtype == torch.bool:
        return rounded != 0
    info = torch.iinfo(src.dtype)
    return rounded.clamp(info.min, info.max).to(src.dtype)


def _fills_in_place(src: Any, new: DeferredRows) -> bool:
    """Whether deferred rows can be written into a numpy output of ``src``'s dtype unchanged
    (:func:`cast_synthetic` leaves floats of the same dtype as they are)."""
    return (
        isinstance(src, np.ndarray)
        and src.ndim == 2
        and src.dtype.kind == "f"
        and src.dtype == new.dtype
        and src.shape[1] == new.shape[1]
    )


def _is_identity(rows: np.ndarray, n: int) -> bool:
    return (
        len(rows) == n
        and n > 0
        and rows[0] == 0
        and rows[-1] == n - 1
        and bool(np.all(np.diff(rows) == 1))
    )


def _copy_row(row: Any) -> Any:
    if isinstance(row, (list, tuple)):
        return list(row)
    return row


# ---------------------------------------------------------------------- entry point
def to_numpy_container(X: Any) -> tuple[Any, Container]:
    """Convert ``X`` to a numpy array (or keep it sparse) and remember what it was.

    Returns
    -------
    array : numpy.ndarray or scipy.sparse matrix
        The values as numpy sees them (``DataFrame.to_numpy()``, a CPU copy of a tensor, ...);
        computations use it, the output is built from the original (see :class:`Container`).
    container : Container
        Use ``container.restore(result)`` or ``container.assemble(rows, new)``.

    Raises
    ------
    InvalidInputError
        For a container that is none of :data:`ACCEPTED_CONTAINERS` (a dict, a lazy frame, a
        set, a string, ...).
    """
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(), Container("pandas", columns=X.columns, dtypes=X.dtypes, source=X)
    if isinstance(X, pd.Series):
        return X.to_numpy(), Container(
            "pandas", is_series=True, name=X.name, dtypes=X.dtype, source=X
        )
    if _is_tensor(X):
        return X.detach().cpu().numpy(), Container(
            "torch", device=X.device, torch_dtype=X.dtype, source=X
        )
    if sp.issparse(X):
        csr = X.tocsr()
        return csr, Container("sparse", sparse_format=X.format, source=X, extra={"csr": csr})
    if isinstance(X, np.ndarray):
        return X, Container("numpy", source=X)
    if isinstance(X, (list, tuple)):
        array = np.asarray(X)
        return array, Container("list", source=X, extra={"dtype": array.dtype})
    frame = _narwhals(X)
    if frame is not None:
        import narwhals.stable.v2 as nw

        is_series = isinstance(frame, nw.Series)
        container = Container(
            "narwhals",
            is_series=is_series,
            name=frame.name if is_series else None,
            columns=None if is_series else list(frame.columns),
            extra={"frame": frame},
            source=X,
        )
        return frame.to_numpy(), container
    if isinstance(X, (numbers.Number, np.generic)) or (
        hasattr(X, "__array__") and not isinstance(X, (dict, set, frozenset, str, bytes))
    ):
        array = np.asarray(X)
        return array, Container("numpy", source=array)
    hint = ""
    if hasattr(X, "collect"):
        hint = " A lazy frame must be collected first (X.collect())."
    elif isinstance(X, dict):
        hint = " Build a DataFrame from the dict first (e.g. pandas.DataFrame(X))."
    raise InvalidInputError(
        f"Cannot use an object of type {type(X).__module__}.{type(X).__qualname__} as data; expected "
        f"{ACCEPTED_CONTAINERS}.{hint}"
    )


# ---------------------------------------------------------------------- numbers for computing
def numeric_array(array: Any, container: Container, *, owner: str) -> Any:
    """A floating-point (or plain numeric) copy of the values for distance and interpolation.

    Only pandas input needs more than ``array``: nullable extension columns (``Int64``,
    ``Float64``, ``boolean``) become float64, a ``category`` column whose categories are numbers
    becomes those numbers. A missing value (``pd.NA``) in such a column, or a column that is not
    numeric, raises :class:`~equipoise.exceptions.InvalidInputError` naming the column. The
    output is always built from the original values (:meth:`Container.assemble`), never from
    this copy.
    """
    if container.kind != "pandas":
        return array
    source = container.source
    frame = source.to_frame() if container.is_series else source
    if all(isinstance(t, np.dtype) and t.kind in "biuf" for t in frame.dtypes):
        return array
    columns = []
    for j, (name, dtype) in enumerate(frame.dtypes.items()):
        column = frame.iloc[:, j]
        if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
            columns.append(column.to_numpy(dtype=np.float64))
            continue
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories
            if not pd.api.types.is_numeric_dtype(categories.dtype):
                shown = ", ".join(repr(c) for c in list(categories[:3]))
                raise InvalidInputError(
                    f"{owner} needs numeric features, but column {name!r} is a category column of "
                    f"non-numbers ({shown}, ...). Encode it first, or use SMOTENC with "
                    "categorical_features=... (SMOTEN for all-categorical data)."
                )
            codes = column.cat.codes.to_numpy()
            values = np.where(
                codes >= 0, categories.to_numpy(dtype=np.float64)[np.maximum(codes, 0)], np.nan
            )
        elif pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            n_missing = int(column.isna().sum())
            if n_missing:
                raise InvalidInputError(
                    f"Column {name!r} of X passed to {owner} ({dtype}) has {n_missing} missing value(s) "
                    "(pd.NA); impute or drop them first (e.g. sklearn.impute.SimpleImputer)."
                )
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            try:
                values = column.to_numpy(dtype=np.float64)
            except (TypeError, ValueError):
                raise InvalidInputError(
                    f"{owner} needs numeric features, but column {name!r} has dtype {dtype} with "
                    "non-numeric values. Encode it first, or use SMOTENC with categorical_features=..."
                ) from None
        columns.append(values)
    out = np.column_stack(columns) if columns else np.empty((len(frame), 0))
    return out[:, 0] if container.is_series else out
