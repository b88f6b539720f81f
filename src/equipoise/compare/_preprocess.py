"""Input checks and the per-fold preprocessing of a comparison.

The preprocessor is *built* here and *fitted* by the runner on the training part of each fold
only: numeric columns are standardised, categorical columns one-hot encoded (categories unseen
in training become all zeros), optional imputation (median / most frequent) learned from the
training part as well. Images are standardised per channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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

__all__ = ["PreparedData", "prepare_data", "make_preprocessor", "ImageStandardizer"]

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
        Sorted distinct labels.
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

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        frame = X.copy(deep=False)
        frame.columns = [str(c) for c in frame.columns]
        if len(set(frame.columns)) != frame.shape[1]:
            raise InvalidInputError("X passed to compare has duplicate column names; rename them first.")
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


def _column_roles(frame: pd.DataFrame, categorical: Sequence[Any] | None) -> tuple[list[str], list[str]]:
    if categorical is None:
        cat = [
            c
            for c in frame.columns
            if not (pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]))
        ]
    else:
        if isinstance(categorical, (str, int)):
            categorical = [categorical]
        cat = []
        for c in categorical:
            name = frame.columns[c] if isinstance(c, (int, np.integer)) and str(c) not in frame.columns else str(c)
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


def prepare_data(X: Any, y: Any, *, categorical: Sequence[Any] | None = None, impute: bool = False) -> PreparedData:
    """Validate ``X`` and ``y`` for a comparison and decide the column roles.

    Raises
    ------
    InvalidInputError
        For a bad target (one class, continuous), mismatched lengths, or missing values
        without ``impute``.
    """
    if is_torch_tensor(X):
        X = X.detach().cpu().numpy()
    y_arr, classes, y_enc = check_target(y, owner=_OWNER)
    if not isinstance(X, pd.DataFrame) and np.asarray(X).ndim == 4:
        arr = np.asarray(X)
        check_consistent_length(arr, y_arr, owner=_OWNER)
        if arr.dtype.kind not in "biuf":
            raise InvalidInputError(f"image X passed to compare must be numeric; got dtype {arr.dtype}.")
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
