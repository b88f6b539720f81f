"""make_long_tailed: counts follow the formula exactly; the test part is balanced and disjoint."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.datasets import LongTailedSplit, long_tail_counts, make_long_tailed
from equipoise.exceptions import InvalidInputError, InvalidParameterError


def _pool(per_class=(60, 70, 80, 90), n_features=3):
    y = np.concatenate([np.full(n, c) for c, n in enumerate(per_class)])
    X = np.arange(len(y) * n_features, dtype=np.float64).reshape(len(y), n_features)
    return X, y


def test_cifar10_lt_counts_of_cao_et_al():
    # CIFAR-10-LT, ratio 100 and 10 (Cao et al. 2019, LDAM-DRW code: int(5000 * (1/rho)^(i/9))).
    assert long_tail_counts(5000, 10, 100) == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    assert long_tail_counts(5000, 10, 10) == [
        5000,
        3871,
        2997,
        2320,
        1796,
        1391,
        1077,
        834,
        645,
        500,
    ]


def test_step_profile_counts():
    assert long_tail_counts(100, 4, 10, "step") == [100, 100, 10, 10]
    assert long_tail_counts(100, 5, 4, "step") == [100, 100, 100, 25, 25]
    assert long_tail_counts(100, 5, 4, "step", step_fraction=0.8) == [100, 25, 25, 25, 25]


def test_counts_match_formula_for_many_settings():
    for n_max in (7, 50, 333):
        for k in (2, 3, 10):
            for rho in (1.0, 2.5, 7.0):
                expected = [math.floor(n_max * rho ** (-i / (k - 1)) + 1e-9) for i in range(k)]
                assert long_tail_counts(n_max, k, rho) == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"imbalance_ratio": 0.5},
            r"'imbalance_ratio' parameter of long_tail_counts must be a float in the range \[1, inf\)",
        ),
        ({"imbalance_ratio": 200}, r"must be at most n_max=100 so the smallest class keeps a row"),
        ({"n_classes": 1}, r"'n_classes' parameter"),
        ({"profile": "linear"}, r"'profile' parameter"),
        ({"profile": "step", "step_fraction": 0.1}, r"at least one head and one tail class"),
    ],
)
def test_long_tail_counts_errors(kwargs, match):
    params = {"n_max": 100, "n_classes": 4, "imbalance_ratio": 10, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        long_tail_counts(**params)


def test_split_counts_disjoint_balanced_and_rows_kept():
    X, y = _pool()
    split = make_long_tailed(X, y, 5, n_max=40, n_test_per_class=15, random_state=0)
    assert isinstance(split, LongTailedSplit)
    assert split.class_order == [0, 1, 2, 3]
    expected = long_tail_counts(40, 4, 5)
    assert expected == [40, 23, 13, 8]
    assert np.bincount(split.y_train).tolist() == expected
    assert split.train_counts == dict(zip([0, 1, 2, 3], expected))
    assert np.bincount(split.y_test).tolist() == [15, 15, 15, 15]
    assert not set(split.train_indices) & set(split.test_indices)
    np.testing.assert_array_equal(split.X_train, X[split.train_indices])
    np.testing.assert_array_equal(split.y_test, y[split.test_indices])
    assert np.all(np.diff(split.train_indices) > 0)  # original order
    X_tr, y_tr, X_te, y_te = split
    assert X_tr is split.X_train and y_te is split.y_test


def test_defaults_use_test_fraction_of_smallest_class():
    X, y = _pool()
    split = make_long_tailed(X, y, 10, random_state=0)
    assert split.n_test_per_class == 12  # floor(0.2 * 60)
    assert split.train_counts[0] == 48  # 60 - 12
    assert split.train_counts[3] == 4  # floor(48 / 10)


def test_same_seed_same_output_and_seeds_differ():
    X, y = _pool()
    a = make_long_tailed(X, y, 5, random_state=3)
    b = make_long_tailed(X, y, 5, random_state=3)
    c = make_long_tailed(X, y, 5, random_state=4)
    np.testing.assert_array_equal(a.train_indices, b.train_indices)
    np.testing.assert_array_equal(a.test_indices, b.test_indices)
    assert not np.array_equal(a.train_indices, c.train_indices)


def test_order_by_size_and_explicit():
    X, y = _pool(per_class=(30, 90, 60))
    by_size = make_long_tailed(X, y, 4, n_max=40, n_test_per_class=5, order="size", random_state=0)
    assert by_size.class_order == [1, 2, 0]
    assert by_size.train_counts == {1: 40, 2: 20, 0: 10}
    explicit = make_long_tailed(
        X, y, 4, n_max=20, n_test_per_class=5, order=[2, 0, 1], random_state=0
    )
    assert explicit.train_counts == {2: 20, 0: 10, 1: 5}


def test_step_profile_split():
    X, y = _pool()
    split = make_long_tailed(X, y, 4, "step", n_max=40, n_test_per_class=10, random_state=0)
    assert np.bincount(split.y_train).tolist() == [40, 40, 10, 10]


def test_same_type_out_pandas_torch_list_and_images():
    X, y = _pool()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(city="x")
    labels = pd.Series([f"c{v}" for v in y], name="label")
    split = make_long_tailed(frame, labels, 5, random_state=0)
    assert isinstance(split.X_train, pd.DataFrame) and list(split.X_train.columns) == [
        "a",
        "b",
        "c",
        "city",
    ]
    assert isinstance(split.y_test, pd.Series) and split.y_test.name == "label"
    assert split.class_order == ["c0", "c1", "c2", "c3"]
    tensor_split = make_long_tailed(
        torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y), 5, random_state=0
    )
    assert tensor_split.X_train.dtype == torch.float32
    np.testing.assert_array_equal(tensor_split.train_indices, split.train_indices)
    images = np.zeros((len(y), 1, 4, 4), dtype=np.float32)
    assert make_long_tailed(images, list(y), 5, random_state=0).X_test.shape[1:] == (1, 4, 4)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"imbalance_ratio": 0.9},
            InvalidParameterError,
            r"'imbalance_ratio' parameter of make_long_tailed",
        ),
        (
            {"imbalance_ratio": 5, "n_max": 70},
            InvalidInputError,
            r"Class 0 has 60 rows but make_long_tailed needs 70 for training plus 12",
        ),
        (
            {"imbalance_ratio": 5, "n_test_per_class": 60},
            InvalidInputError,
            r"no rows left for training",
        ),
        (
            {"imbalance_ratio": 5, "order": [0, 1, 2]},
            InvalidParameterError,
            r"list every label of y exactly once",
        ),
        (
            {"imbalance_ratio": 5, "order": "random"},
            InvalidParameterError,
            r"'label', 'size' or a sequence",
        ),
        (
            {"imbalance_ratio": 5, "random_state": "seed"},
            InvalidParameterError,
            r"'random_state' parameter",
        ),
    ],
)
def test_make_long_tailed_errors(kwargs, error, match):
    X, y = _pool()
    with pytest.raises(error, match=match):
        make_long_tailed(X, y, **kwargs)


def test_length_mismatch_and_single_class():
    X, y = _pool()
    with pytest.raises(InvalidInputError, match="different lengths"):
        make_long_tailed(X[:-1], y, 5)
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        make_long_tailed(X, np.zeros(len(y)), 5)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(25, 60), min_size=2, max_size=6),
    ratio=st.floats(1, 5),
    n_test=st.integers(0, 4),
    seed=st.integers(0, 2**16),
)
def test_property_counts_disjoint_balanced(sizes, ratio, n_test, seed):
    y = np.repeat(np.arange(len(sizes)), sizes)
    X = np.arange(len(y))[:, None]
    split = make_long_tailed(X, y, ratio, n_test_per_class=n_test, random_state=seed)
    expected = long_tail_counts(min(sizes) - n_test, len(sizes), ratio)
    assert np.bincount(split.y_train, minlength=len(sizes)).tolist() == expected
    assert np.bincount(split.y_test, minlength=len(sizes)).tolist() == [n_test] * len(sizes)
    assert len(np.intersect1d(split.train_indices, split.test_indices)) == 0
    assert expected[0] / expected[-1] >= ratio - 1e-9  # floor never shrinks the ratio
