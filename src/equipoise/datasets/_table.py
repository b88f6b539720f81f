"""Load a user's CSV or Parquet table into ``(X, y)`` for classification."""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._validation import Options, short_repr, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError, MissingDependencyError

__all__ = ["columns_with_nan", "load_table"]

_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_CATEGORICAL_KINDS = "OSUb"  # object, bytes, unicode, bool


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (*_CSV_SUFFIXES, *_PARQUET_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _read(path: Path, suffix: str) -> pd.DataFrame:
    """Read the file; every way it can fail to parse becomes one InvalidInputError naming it."""
    try:
        return _read_raw(path, suffix)
    except (InvalidInputError, ImportError):
        raise
    except UnicodeDecodeError:
        raise InvalidInputError(_decode_error(path)) from None
    except pd.errors.ParserError as exc:
        reason = " ".join(str(exc).split()).replace("Error tokenizing data. C error: ", "")
        raise InvalidInputError(
            f"cannot parse {path.name!r} as CSV: {reason}; check its quoting (a quote left open) and "
            "that every row has as many fields as the header."
        ) from None
    except Exception as exc:
        if type(exc).__module__.split(".")[0] != "pyarrow":
            raise
        reason = " ".join(str(exc).split()).replace(f"'{path}'", repr(path.name)).rstrip(".")
        raise InvalidInputError(
            f"cannot read {path.name!r} as Parquet: {reason[:300]}; check that it is a complete Parquet "
            "file (not a CSV or another format renamed .parquet)."
        ) from None


def _read_raw(path: Path, suffix: str) -> pd.DataFrame:
    if suffix in _PARQUET_SUFFIXES:
        if importlib.util.find_spec("pyarrow") is None:
            raise MissingDependencyError(
                f"load_table reads Parquet files ({path.name!r}) with pyarrow, which is not "
                "installed; install it with pip install 'equipoise[parquet]' or save the table as CSV."
            )
        return pd.read_parquet(path)
    sep = "\t" if suffix.startswith(".tsv") else ","
    try:
        return pd.read_csv(path, sep=sep)
    except pd.errors.EmptyDataError:
        raise InvalidInputError(
            f"load_table got an empty file {path.name!r} (no header, no rows); check that the "
            "export finished."
        ) from None


def _first_bad_utf8(path: Path) -> tuple[int, int, int] | None:
    """``(byte offset, line, byte)`` of the first byte of ``path`` that is not UTF-8, or None."""
    import codecs
    import gzip

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start, line + chunk[: exc.start].count(b"\n"), chunk[exc.start]
            offset += len(chunk)
            line += chunk.count(b"\n")
    return None


def _decode_error(path: Path) -> str:
    """Why ``path`` is not UTF-8 (UTF-16, or the first bad byte), and how to convert it."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        not path.name.lower().endswith(".gz") and head.count(b"\x00") > len(head) // 4
    ):
        return (
            f"cannot read {path.name!r}: it is UTF-16 text (a UTF-16 byte-order mark, or a NUL byte in every other place), "
            f"and equipoise reads UTF-8; save it as UTF-8 (iconv -f UTF-16 -t UTF-8 {path.name} > utf8.csv)."
        )
    where = _first_bad_utf8(path)
    at = f" (byte {where[2]:#04x} on line {where[1]}, offset {where[0]})" if where else ""
    return (
        f"cannot read {path.name!r}: it is not UTF-8 text{at}; it was probably saved as Latin-1, "
        f"Windows-1252 or UTF-16. Save it as UTF-8 (spreadsheets: 'CSV UTF-8'; or iconv -f "
        f"ENCODING -t UTF-8 {path.name} > utf8.csv)."
    )


def _is_categorical(series: pd.Series) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return True
    return dtype.kind in _CATEGORICAL_KINDS


def _continuous_target(y: pd.Series, target: str, path: Path) -> pd.Series:
    where = f"the target column {target!r} of {path.name!r}"
    values = pd.to_numeric(y, errors="coerce")
    bad = np.flatnonzero(~np.isfinite(values.to_numpy(dtype=np.float64)))
    if bad.size:
        rows = bad[:5].tolist()
        raise InvalidInputError(
            f"load_table needs a number in every row of {where} for a regression target; "
            f"{bad.size} row(s) hold missing, infinite or non-numeric values (rows {rows}..., e.g. "
            f"{short_repr(y.iloc[rows[0]])}). Drop or fill them before loading."
        )
    return values.astype(np.float64).rename(target)


def _check_target(y: pd.Series, target: str, path: Path) -> None:
    where = f"the target column {target!r} of {path.name!r}"
    n_missing = int(y.isna().sum())
    if n_missing:
        rows = np.flatnonzero(y.isna().to_numpy())[:5].tolist()
        raise InvalidInputError(
            f"load_table found {n_missing} missing value(s) in {where} (rows {rows}...); "
            "drop the unlabelled rows or fill them in before loading."
        )
    if pd.api.types.is_float_dtype(y.dtype):
        values = y.to_numpy(dtype=np.float64)
        if np.any(values != np.round(values)):
            n_unique = int(pd.unique(values).size)
            raise InvalidInputError(
                f"load_table needs class labels but {where} looks continuous ({n_unique} distinct "
                f"float values, e.g. {values[0]!r}); for a regression target pass task='regression' "
                "(the CLI's --task regression), or bin it (pandas.cut), or pick the label column."
            )
    n_classes = int(y.nunique())
    if n_classes < 2:
        raise InvalidInputError(
            f"load_table needs at least 2 classes but {where} holds only {y.iloc[0]!r} "
            f"({len(y)} rows); check the column, or that the file was not filtered to one class."
        )


def load_table(
    path: str | PathLike[str],
    target: str,
    *,
    categorical: Sequence[str] | None = None,
    task: Literal["classification", "regression"] = "classification",
) -> tuple[pd.DataFrame, pd.Series]:
    """Read a CSV or Parquet file and split it into features and a class label (or a continuous target).

    The format follows the suffix: ``.csv``, ``.csv.gz``, ``.txt`` (comma separated), ``.tsv``,
    ``.tsv.gz`` (tab separated), ``.parquet``/``.pq`` (needs pyarrow). pandas infers the column
    types; columns of object, string, bool or category dtype become ``category`` columns.
    Integer columns stay numeric unless named in ``categorical`` (low-cardinality codes such as
    ``{1, 2, 3}`` are ambiguous, so only the user can say).

    Parameters
    ----------
    path : str or path-like
    target : str
        Name of the label column.
    categorical : sequence of str, optional
        Extra feature columns to treat as categorical (on top of the detected ones).
    task : {'classification', 'regression'}, default='classification'
        'regression': the target is a continuous number (finite floats or integers, no missing
        values), returned as float64; the class checks (at least two classes, no fractional
        labels) do not apply.

    Returns
    -------
    X : pandas.DataFrame
        Every column but ``target``; categorical columns have ``category`` dtype.
    y : pandas.Series
        The labels, named ``target``, as read (ints, strings, ...).

    Raises
    ------
    InvalidInputError
        Missing file, unsupported suffix, empty file, a file that is not UTF-8 (with the first
        bad byte, or "UTF-16 text"), a CSV that does not parse (a quote left open, a row with
        extra fields), a file that is not Parquet, no ``target`` column (with the closest
        match), a target with NaN, one class, or continuous values. The encoding is never
        guessed.
    InvalidParameterError
        ``categorical`` names a column that does not exist or is the target.
    ImportError
        A Parquet file without pyarrow installed.

    Notes
    -----
    NaN in the features is not an error here (some models accept it); see
    :func:`columns_with_nan`.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "toy.csv")
    >>> _ = open(path, "w").write("age,city,label\\n31,Oslo,0\\n45,Rome,1\\n22,Oslo,0\\n")
    >>> X, y = load_table(path, "label")
    >>> X.dtypes.astype(str).tolist(), y.tolist()
    (['int64', 'category'], [0, 1, 0])
    """
    owner = "load_table"
    validate_params(owner, {"task": task}, {"task": [Options(("classification", "regression"))]})
    if not isinstance(target, str):
        raise InvalidParameterError(
            f"The 'target' parameter of {owner} must be a column name (str); got {target!r}."
        )
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(
            f"{owner} could not find the file {str(path)!r} (resolved to {str(path.absolute())!r}); "
            "check the path and the working directory."
        )
    suffix = _suffix(path)
    if suffix not in (*_CSV_SUFFIXES, *_PARQUET_SUFFIXES):
        supported = ", ".join((*_CSV_SUFFIXES, *_PARQUET_SUFFIXES))
        raise InvalidInputError(
            f"{owner} reads files ending in {supported}; got {path.name!r}. Save the table as CSV "
            "or Parquet."
        )
    frame = _read(path, suffix)
    if target not in frame.columns:
        available = [str(c) for c in frame.columns]
        by_lower = {c.lower(): c for c in available}
        close = difflib.get_close_matches(target.lower(), list(by_lower), n=1, cutoff=0.6)
        hint = f" Did you mean {by_lower[close[0]]!r}?" if close else ""
        raise InvalidInputError(
            f"{owner} found no target column {target!r} in {path.name!r}; columns are "
            f"{available}.{hint}"
        )
    if len(frame) == 0:
        raise InvalidInputError(
            f"{owner} got {path.name!r} with a header but no rows; check that the export finished."
        )
    if frame.shape[1] < 2:
        raise InvalidInputError(
            f"{owner} found only the target column {target!r} in {path.name!r}; there are no "
            "feature columns."
        )
    y = frame[target].reset_index(drop=True)
    if task == "regression":
        y = _continuous_target(y, target, path)
    else:
        _check_target(y, target, path)
    X = frame.drop(columns=[target]).reset_index(drop=True)
    extra = list(categorical or ())
    for column in extra:
        if column == target or column not in X.columns:
            raise InvalidParameterError(
                f"The 'categorical' parameter of {owner} must name feature columns of "
                f"{path.name!r}; got {column!r}. Feature columns: {[str(c) for c in X.columns]}."
            )
    for column in X.columns:
        if column in extra or _is_categorical(X[column]):
            X[column] = X[column].astype("category")
    return X, y.rename(target)


def columns_with_nan(X: pd.DataFrame) -> dict[str, int]:
    """Columns of ``X`` that hold missing values, with how many.

    Parameters
    ----------
    X : pandas.DataFrame

    Returns
    -------
    dict
        ``{column: n_missing}`` for the columns with at least one NaN/None, in column order.

    Examples
    --------
    >>> columns_with_nan(pd.DataFrame({"a": [1.0, None], "b": [1, 2]}))
    {'a': 1}
    """
    if not isinstance(X, pd.DataFrame):
        raise InvalidParameterError(
            f"columns_with_nan expects a pandas DataFrame; got {type(X).__name__}."
        )
    counts = X.isna().sum()
    return {str(c): int(n) for c, n in counts.items() if n > 0}
