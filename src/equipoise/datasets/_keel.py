"""A reader for the KEEL data format (``.dat``).

A KEEL file is a header followed by comma-separated rows::

    @relation yeast4
    @attribute Mcg real [0.11, 1.0]
    @attribute Sex {M, F, I}
    @attribute Rings integer [1, 29]
    @attribute Class {positive, negative}
    @inputs Mcg, Sex, Rings
    @outputs Class
    @data
    0.58, M, 7, negative

Keywords are case-insensitive; ``@inputs``/``@outputs`` (or ``@input``/``@output``) are
optional (without them the last attribute is the output); spacing around commas and braces
varies between files; ``?`` and ``<null>`` mark missing values.

References
----------
.. [1] J. Alcalá-Fdez, A. Fernández, J. Luengo, J. Derrac, S. García, L. Sánchez, F. Herrera.
   "KEEL Data-Mining Software Tool: Data Set Repository, Integration of Algorithms and
   Experimental Analysis Framework". Journal of Multiple-Valued Logic and Soft Computing
   17:2-3 (2011) 255-287.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError

__all__ = ["KeelAttribute", "KeelData", "parse_keel", "read_keel"]

_MISSING = frozenset({"?", "<null>", ""})
_NUMERIC_TYPES = {"real": "real", "numeric": "real", "integer": "integer"}
_ATTRIBUTE = re.compile(r"""^@attribute\s+('[^']*'|"[^"]*"|[^\s{]+)\s*(.*)$""", re.IGNORECASE)


@dataclass(frozen=True)
class KeelAttribute:
    """One ``@attribute`` line.

    Attributes
    ----------
    name : str
    kind : {'nominal', 'real', 'integer'}
    values : tuple of str or None
        The declared categories of a nominal attribute, in file order.
    """

    name: str
    kind: Literal["nominal", "real", "integer"]
    values: tuple[str, ...] | None = None

    @property
    def is_categorical(self) -> bool:
        """True for nominal attributes."""
        return self.kind == "nominal"


@dataclass(frozen=True)
class KeelData:
    """A parsed KEEL file.

    Attributes
    ----------
    relation : str
        The ``@relation`` name.
    attributes : tuple of KeelAttribute
        Every declared attribute, in file order.
    inputs : tuple of str
        Input attribute names (``@inputs``, or every attribute but the last).
    output : str
        The output (class) attribute name.
    X : pandas.DataFrame
        The inputs; nominal columns have ``category`` dtype with the declared categories in file
        order, ``real`` columns float64, ``integer`` columns int64 (float64 when a value is
        missing).
    y : pandas.Series
        The output labels as strings (``category`` dtype), named after the output attribute.
    """

    relation: str
    attributes: tuple[KeelAttribute, ...]
    inputs: tuple[str, ...]
    output: str
    X: pd.DataFrame
    y: pd.Series

    @property
    def categorical(self) -> tuple[str, ...]:
        """Names of the nominal input columns."""
        kinds = {a.name: a for a in self.attributes}
        return tuple(name for name in self.inputs if kinds[name].is_categorical)


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        return name[1:-1]
    return name


def _parse_attribute(line: str, lineno: int, source: str) -> KeelAttribute:
    match = _ATTRIBUTE.match(line)
    if match is None or not match.group(2):
        raise InvalidInputError(
            f"{source}, line {lineno}: cannot read the attribute declaration {line!r}; "
            "expected '@attribute NAME real|integer [lo, hi]' or '@attribute NAME {a, b, ...}'."
        )
    name, spec = _unquote(match.group(1)), match.group(2).strip()
    if spec.startswith("{"):
        if not spec.endswith("}"):
            raise InvalidInputError(
                f"{source}, line {lineno}: the nominal attribute {name!r} has no closing brace; "
                f"got {spec!r}."
            )
        parts = (_unquote(v.strip()) for v in spec[1:-1].split(",") if v.strip())
        values = tuple(dict.fromkeys(parts))  # a value declared twice counts once
        return KeelAttribute(name, "nominal", values)
    kind = spec.split("[", 1)[0].split()[0].lower() if spec.split() else ""
    if kind not in _NUMERIC_TYPES:
        raise InvalidInputError(
            f"{source}, line {lineno}: the attribute {name!r} has type {kind!r}; expected "
            "'real', 'integer', 'numeric' or a {nominal, value, list}."
        )
    return KeelAttribute(name, _NUMERIC_TYPES[kind], None)  # type: ignore[arg-type]


def _name_list(rest: str) -> tuple[str, ...]:
    return tuple(_unquote(v.strip()) for v in rest.split(",") if v.strip())


def _column(
    attribute: KeelAttribute, raw: list[str], first_line: list[int], source: str
) -> pd.Series | pd.Categorical:
    missing = np.fromiter((v in _MISSING for v in raw), dtype=bool, count=len(raw))
    if attribute.is_categorical:
        declared = attribute.values or ()
        allowed = set(declared)
        for i, value in enumerate(raw):
            if not missing[i] and value not in allowed:
                raise InvalidInputError(
                    f"{source}, line {first_line[i]}: the value {value!r} of the nominal attribute "
                    f"{attribute.name!r} is not among its declared values {list(declared)}; fix the "
                    "row or add the value to the @attribute line."
                )
        values = [None if m else v for v, m in zip(raw, missing)]
        return pd.Categorical(values, categories=list(declared))
    numbers = np.empty(len(raw), dtype=np.float64)
    for i, value in enumerate(raw):
        if missing[i]:
            numbers[i] = np.nan
            continue
        try:
            numbers[i] = float(value)
        except ValueError:
            raise InvalidInputError(
                f"{source}, line {first_line[i]}: the value {value!r} of the {attribute.kind} "
                f"attribute {attribute.name!r} is not a number; fix the row or declare the "
                "attribute nominal."
            ) from None
    if attribute.kind == "integer" and not missing.any() and np.all(numbers == np.round(numbers)):
        return pd.Series(numbers.astype(np.int64))
    return pd.Series(numbers)


def parse_keel(text: str, *, source: str = "KEEL data") -> KeelData:
    """Parse the text of a KEEL ``.dat`` file.

    Parameters
    ----------
    text : str
        The whole file.
    source : str, default="KEEL data"
        Name used in error messages (the file name).

    Returns
    -------
    KeelData
        Inputs as a DataFrame (nominal attributes as ``category`` columns) and the output labels.

    Raises
    ------
    InvalidInputError
        On a malformed header, a row with the wrong number of fields, a non-number in a numeric
        column, or a nominal value that was not declared. Messages give the line number.

    References
    ----------
    .. [1] Alcalá-Fdez et al., "KEEL Data-Mining Software Tool: Data Set Repository ...",
       J. Multiple-Valued Logic and Soft Computing 17 (2011) 255-287.

    Examples
    --------
    >>> text = '''@relation toy
    ... @attribute colour {red, blue}
    ... @attribute size real [0.0, 9.0]
    ... @attribute Class {positive, negative}
    ... @data
    ... red,  1.5 , negative
    ... blue,2.0,positive
    ... '''
    >>> data = parse_keel(text)
    >>> data.categorical
    ('colour',)
    >>> data.X["size"].tolist(), data.y.tolist()
    ([1.5, 2.0], ['negative', 'positive'])
    """
    relation = ""
    attributes: list[KeelAttribute] = []
    inputs: tuple[str, ...] | None = None
    outputs: tuple[str, ...] | None = None
    lines = text.splitlines()
    data_start = None
    for lineno, raw_line in enumerate(lines, start=1):
        line = raw_line.strip()
        if not line or line.startswith("%"):
            continue
        keyword = line.split(None, 1)[0].lower()
        rest = line[len(keyword) :].strip()
        if keyword == "@relation":
            relation = _unquote(rest)
        elif keyword == "@attribute":
            attributes.append(_parse_attribute(line, lineno, source))
        elif keyword in ("@inputs", "@input"):
            inputs = _name_list(rest)
        elif keyword in ("@outputs", "@output"):
            outputs = _name_list(rest)
        elif keyword == "@data":
            data_start = lineno
            break
        else:
            raise InvalidInputError(
                f"{source}, line {lineno}: expected a header line (@relation, @attribute, "
                f"@inputs, @outputs or @data); got {line[:60]!r}."
            )
    if data_start is None:
        raise InvalidInputError(f"{source} has no '@data' line; it is not a KEEL .dat file.")
    if len(attributes) < 2:
        raise InvalidInputError(
            f"{source} declares {len(attributes)} attribute(s); a KEEL classification file needs "
            "at least one input and one output."
        )
    by_name = {a.name: a for a in attributes}
    if outputs is None:
        outputs = (attributes[-1].name,)
    if len(outputs) != 1:
        raise InvalidInputError(
            f"{source} declares {len(outputs)} outputs {list(outputs)}; only single-output "
            "classification files are supported."
        )
    output = outputs[0]
    if inputs is None:
        inputs = tuple(a.name for a in attributes if a.name != output)
    for name in (*inputs, output):
        if name not in by_name:
            raise InvalidInputError(
                f"{source}: @inputs/@outputs name {name!r}, which no @attribute declares; "
                f"declared: {list(by_name)}."
            )

    columns: list[list[str]] = [[] for _ in attributes]
    line_of_row: list[int] = []
    width = len(attributes)
    for lineno in range(data_start + 1, len(lines) + 1):
        line = lines[lineno - 1].strip()
        if not line or line.startswith("%"):
            continue
        fields = line.split(",")
        if len(fields) != width:
            raise InvalidInputError(
                f"{source}, line {lineno}: expected {width} comma-separated values (one per "
                f"@attribute); got {len(fields)}: {line[:80]!r}."
            )
        for column, value in zip(columns, fields):
            column.append(value.strip())
        line_of_row.append(lineno)
    if not line_of_row:
        raise InvalidInputError(f"{source} has a header but no data rows after '@data'.")

    parsed = {a.name: _column(a, raw, line_of_row, source) for a, raw in zip(attributes, columns)}
    X = pd.DataFrame({name: parsed[name] for name in inputs})
    y = pd.Series(parsed[output], name=output)
    if y.isna().any():
        first = line_of_row[int(np.flatnonzero(y.isna().to_numpy())[0])]
        raise InvalidInputError(
            f"{source}, line {first}: the output {output!r} is missing; every row needs a label."
        )
    return KeelData(relation, tuple(attributes), tuple(inputs), output, X, y)


def read_keel(path: str | PathLike[str]) -> KeelData:
    """Read a KEEL ``.dat`` file (or ``.dat.gz``) from disk; see :func:`parse_keel`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    KeelData
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"read_keel could not find the file {str(path)!r}; check the path.")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return parse_keel(raw.decode("latin-1"), source=path.name)
