"""Input checks and the per-fold preprocessing of a comparison.

The preprocessor is *built* here and *fitted* by the runner on the training part of each fold
only: numeric columns are standardised, categorical columns one-hot encoded (categories unseen
in training become all zeros), optional imputation (median / most frequent) learned from the
training part as well. Images are standardised per channel.

Classes are encoded in sorted order, except for binary targets, where the **positive class**
comes last (index 1, the class that sensitivity, PR-AUC and the reported score describe): the
minority by default, or ``pos_label``. A separate test set (:func:`prepare_test`) must have the
training data's columns and only its classes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .._validation import check_consistent_length, check_target, is_torch_tensor
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = ["PreparedData", "prepare_data", "prepare_test", "make_preprocessor", "ImageStandardizer"]

_OWNER = "compare"


@dataclass
class PreparedData:
    """Validated comparison input.

    Attributes
    ----------
    X : pandas.DataFrame or numpy.ndarray
        Tables as a DataFrame (column names are strings); images as a float32 array
        ``(n, channels, height, width)``.
    y : numpy.ndarray
        The original labels.
    classes : numpy.ndarray
        Distinct labels in encoding order: sorted, except that a binary target's positive class
        is last.
    y_encoded : numpy.ndarray of int64
        ``classes[y_encoded] == y``.
    kind : {'table', 'image'}
    numeric, categorical : list of str
        Column roles for tables (empty for images).
    impute : bool
    """

    X: Any
    y: np.ndarray
    classes: np.ndarray
    y_encoded: np.ndarray
    kind: str
    numeric: list[str]
    categorical: list[str]
    impute: bool
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Identifies this prepared data across processes (keys the per-split preprocessing cache)."""

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def positive(self) -> Any:
        """The positive class of a binary target (``classes[1]``), else None."""
        return _py(self.classes[1]) if len(self.classes) == 2 else None


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _plain(values: Any) -> list[Any]:
    return [_py(v) for v in values]


def _positive_order(
    y: np.ndarray, classes: np.ndarray, y_enc: np.ndarray, pos_label: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Put a binary target's positive class last: ``pos_label``, or else the minority (the
    larger label on a tie)."""
    if pos_label is None:
        if len(classes) != 2:
            return classes, y_enc
        counts = np.bincount(y_enc, minlength=2)
        positive = 0 if counts[0] < counts[1] else 1
    else:
        if len(classes) != 2:
            raise InvalidParameterError(
                f"The 'pos_label' parameter of compare (--pos-label) is for binary targets; this target "
                f"has {len(classes)} classes {_plain(classes)[:10]}. Drop pos_label."
            )
        matches = [
            i
            for i, c in enumerate(classes)
            if _py(c) == pos_label and type(_py(c)) is type(pos_label)
        ]
        if not matches:
            matches = [i for i, c in enumerate(classes) if str(_py(c)) == str(pos_label)]
        if not matches:
            raise InvalidParameterError(
                f"The 'pos_label' parameter of compare (--pos-label) must be one of the classes "
                f"{_plain(classes)}; got {pos_label!r}."
            )
        positive = matches[0]
    if positive == 1:
        return classes, y_enc
    return classes[::-1].copy(), (1 - y_enc).astype(np.int64)


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        frame = X.copy(deep=False)
        frame.columns = [str(c) for c in frame.columns]
        if len(set(frame.columns)) != frame.shape[1]:
            raise InvalidInputError(
                "X passed to compare has duplicate column names; rename them first."
            )
        return frame.reset_index(drop=True)
    arr = np.asarray(X)
    if arr.ndim == 1:
        raise InvalidInputError(
            f"compare expects a 2-D X of shape (n_samples, n_features); got a 1-D array of shape "
            f"({arr.shape[0]},). Reshape it with X.reshape(-1, 1) for a single feature."
        )
    if arr.ndim != 2:
        raise InvalidInputError(
            f"compare expects tables (n_samples, n_features) or images (n_samples, channels, height, "
            f"width); got X of shape {arr.shape}."
        )
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def _column_roles(
    frame: pd.DataFrame, categorical: Sequence[Any] | None
) -> tuple[list[str], list[str]]:
    if categorical is None:
        cat = [
            c
            for c in frame.columns
            if not (
                pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            )
        ]
    else:
        if isinstance(categorical, (str, int)):
            categorical = [categorical]
        cat = []
        for c in categorical:
            name = (
                frame.columns[c]
                if isinstance(c, (int, np.integer)) and str(c) not in frame.columns
                else str(c)
            )
            if name not in frame.columns:
                raise InvalidParameterError(
                    f"The 'categorical' parameter of compare names column {c!r}, which X does not have; "
                    f"columns are {list(frame.columns)[:20]}."
                )
            cat.append(name)
    numeric = [c for c in frame.columns if c not in cat]
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise InvalidInputError(
                f"column {c!r} of X is neither numeric nor declared categorical; list it in categorical=[...]."
            )
    return numeric, cat


def _check_missing(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> None:
    bad: dict[str, int] = {}
    for c in numeric:
        values = frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        n = int(np.sum(~np.isfinite(values)))
        if n:
            bad[c] = n
    for c in categorical:
        n = int(frame[c].isna().sum())
        if n:
            bad[c] = n
    if bad:
        total = sum(bad.values())
        shown = ", ".join(f"{k!r} ({v})" for k, v in list(bad.items())[:5])
        more = "" if len(bad) <= 5 else f" and {len(bad) - 5} more column(s)"
        raise InvalidInputError(
            f"X has {total} missing or infinite value(s) in column(s) {shown}{more}; drop those rows, "
            "or pass impute=True (--impute) to fill them from each training fold (median / most frequent)."
        )


def prepare_data(
    X: Any,
    y: Any,
    *,
    categorical: Sequence[Any] | None = None,
    impute: bool = False,
    pos_label: Any = None,
) -> PreparedData:
    """Validate ``X`` and ``y`` for a comparison and decide the column roles.

    Parameters
    ----------
    pos_label : label, optional
        Binary targets: the positive class (default: the minority). Matched exactly, or by its
        string form (``'1'`` finds the label ``1``, as the command line passes it).

    Raises
    ------
    InvalidInputError
        For a bad target (one class, continuous), mismatched lengths, or missing values
        without ``impute``.
    InvalidParameterError
        For a ``pos_label`` that is not a class, or one given for a multiclass target.
    """
    if is_torch_tensor(X):
        X = X.detach().cpu().numpy()
    y_arr, classes, y_enc = check_target(y, owner=_OWNER)
    classes, y_enc = _positive_order(y_arr, classes, y_enc, pos_label)
    if not isinstance(X, pd.DataFrame) and np.asarray(X).ndim == 4:
        arr = np.asarray(X)
        check_consistent_length(arr, y_arr, owner=_OWNER)
        if arr.dtype.kind not in "biuf":
            raise InvalidInputError(
                f"image X passed to compare must be numeric; got dtype {arr.dtype}."
            )
        arr = arr.astype(np.float32, copy=False)
        if not np.all(np.isfinite(arr)):
            raise InvalidInputError("image X passed to compare contains NaN or infinite pixels.")
        return PreparedData(arr, y_arr, classes, y_enc, "image", [], [], impute)
    frame = _as_frame(X)
    check_consistent_length(frame, y_arr, owner=_OWNER)
    numeric, cat = _column_roles(frame, categorical)
    for c in cat:  # one type per column for the encoder (mixed ints/strings otherwise fail)
        missing = frame[c].isna().to_numpy()
        values = frame[c].astype(str).to_numpy(dtype=object, copy=True)
        values[missing] = np.nan
        frame[c] = values
    if not impute:
        _check_missing(frame, numeric, cat)
    return PreparedData(frame, y_arr, classes, y_enc, "table", numeric, cat, bool(impute))


def prepare_test(data: PreparedData, X: Any, y: Any) -> PreparedData:
    """Validate a separate test set against the training data ``data``.

    The test set must have the same kind of samples (the same columns, or images of the same
    shape), and only classes the training data has; it is encoded with the training data's
    classes and column roles.

    Raises
    ------
    InvalidInputError
        Naming the columns or classes that differ, or the shape that does not match.
    """
    owner = "compare's test set"
    if is_torch_tensor(X):
        X = X.detach().cpu().numpy()
    y_arr, _, _ = check_target(y, owner=owner, min_classes=1)
    known = {str(_py(c)): i for i, c in enumerate(data.classes)}
    exact = {_py(c): i for i, c in enumerate(data.classes)}
    codes = []
    unknown: list[Any] = []
    for label in y_arr.tolist():
        code = exact.get(label)
        if code is None:  # a CSV may read "1" where the training data had 1
            code = known.get(str(label))
        if code is None:
            unknown.append(label)
        codes.append(-1 if code is None else code)
    if unknown:
        raise InvalidInputError(
            f"the test set has classes {sorted(set(map(str, unknown)))[:10]} that the training data does "
            f"not have (training classes: {_plain(data.classes)[:20]}); test only on known classes."
        )
    y_enc = np.asarray(codes, dtype=np.int64)
    if data.kind == "image":
        arr = np.asarray(X)
        if arr.ndim != 4 or arr.shape[1:] != data.X.shape[1:]:
            raise InvalidInputError(
                f"the test set must hold images of the training shape {tuple(data.X.shape[1:])}; got X of "
                f"shape {tuple(arr.shape)}."
            )
        check_consistent_length(arr, y_arr, owner=owner)
        arr = arr.astype(np.float32, copy=False)
        if not np.all(np.isfinite(arr)):
            raise InvalidInputError("the test set's images contain NaN or infinite pixels.")
        return PreparedData(arr, y_arr, data.classes, y_enc, "image", [], [], data.impute)
    frame = _as_frame(X)
    check_consistent_length(frame, y_arr, owner=owner)
    columns = list(data.X.columns)
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing[:10]}")
        if extra:
            parts.append(f"unexpected {extra[:10]}")
        raise InvalidInputError(
            f"the test set's columns differ from the training data's ({'; '.join(parts)}); give the "
            "test set the same feature columns (and the same target column name)."
        )
    frame = frame[columns].copy()
    for c in data.numeric:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(
            frame[c]
        ) != pd.api.types.is_bool_dtype(data.X[c]):
            raise InvalidInputError(
                f"column {c!r} is numeric in the training data but {frame[c].dtype} in the test set; "
                "give both the same column types."
            )
    for c in data.categorical:
        missing_values = frame[c].isna().to_numpy()
        values = frame[c].astype(str).to_numpy(dtype=object, copy=True)
        values[missing_values] = np.nan
        frame[c] = values
    if not data.impute:
        _check_missing(frame, data.numeric, data.categorical)
    return PreparedData(
        frame,
        y_arr,
        data.classes,
        y_enc,
        "table",
        list(data.numeric),
        list(data.categorical),
        data.impute,
    )


class ImageStandardizer(TransformerMixin, BaseEstimator):
    """Per-channel standardisation of ``(n, channels, H, W)`` images, learned in ``fit``."""

    def fit(self, X: np.ndarray, y: Any = None) -> ImageStandardizer:
        self.mean_ = X.mean(axis=(0, 2, 3), keepdims=True).astype(np.float32)
        self.scale_ = X.std(axis=(0, 2, 3), keepdims=True).astype(np.float32)
        self.scale_[self.scale_ == 0] = 1.0
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean_) / self.scale_).astype(np.float32)


def make_preprocessor(data: PreparedData) -> Any:
    """An unfitted transformer for ``data``: fit it on a training part, then transform any part.

    Returns a ``ColumnTransformer`` (standardise numeric, one-hot categorical, optional
    imputation) for tables and an :class:`ImageStandardizer` for images. Its output is float32.
    """
    if data.kind == "image":
        return ImageStandardizer()
    parts = []
    if data.numeric:
        steps = ([SimpleImputer(strategy="median")] if data.impute else []) + [StandardScaler()]
        parts.append(("numeric", make_pipeline(*steps), data.numeric))
    if data.categorical:
        steps = ([SimpleImputer(strategy="most_frequent")] if data.impute else []) + [
            OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        ]
        parts.append(("categorical", make_pipeline(*steps), data.categorical))
    return ColumnTransformer(parts, sparse_threshold=0.0)
