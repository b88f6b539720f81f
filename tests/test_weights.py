"""Tests for equipoise.weights: worked values, scikit-learn references, properties, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
from equipoise.weights import WEIGHT_SCHEMES, class_weights, resolve_counts, sample_weights

SCHEMES = ["balanced", "inverse", "sqrt_inverse", "effective_number", "median_frequency"]

# counts [1, 3, 4]: n = 8, k = 3
WORKED = {
    "balanced": [8 / 3, 8 / 9, 8 / 12],
    "inverse": [1.0, 1 / 3, 1 / 4],
    "sqrt_inverse": [1.0, 1 / math.sqrt(3), 1 / 2],
    # beta = 0.5: (1 - 0.5) / (1 - 0.5**n)
    "effective_number": [0.5 / 0.5, 0.5 / (1 - 0.125), 0.5 / (1 - 0.0625)],
    # freq = 1/8, 3/8, 4/8; median = 3/8
    "median_frequency": [3.0, 1.0, 0.75],
}


def test_public_surface():
    import equipoise.weights as weights

    assert set(weights.__all__) == {
        "WEIGHT_SCHEMES",
        "WeightScheme",
        "class_weights",
        "resolve_counts",
        "sample_weights",
        "lds_weights",
        "lds_density",
        "lds_kernel_window",
        "dense_weights",
        "kde_density",
    }


def test_registry_lists_every_scheme():
    assert WEIGHT_SCHEMES.names() == SCHEMES


@pytest.mark.parametrize("scheme", SCHEMES)
def test_worked_values(scheme):
    got = class_weights(counts=[1, 3, 4], scheme=scheme, beta=0.5)
    np.testing.assert_allclose(got, WORKED[scheme], rtol=1e-12)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_labels_and_counts_agree(scheme):
    y = ["b"] * 3 + ["a"] + ["c"] * 4
    from_y = class_weights(y, scheme=scheme, beta=0.5)
    from_counts = class_weights(counts={"c": 4, "a": 1, "b": 3}, scheme=scheme, beta=0.5)
    np.testing.assert_allclose(from_y, WORKED[scheme], rtol=1e-12)
    np.testing.assert_allclose(from_counts, from_y, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_balanced_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.choice(["cat", "dog", "emu", "fox"], size=200, p=[0.6, 0.25, 0.1, 0.05])
    classes = np.unique(y)
    np.testing.assert_allclose(
        class_weights(y), compute_class_weight("balanced", classes=classes, y=y), rtol=1e-12
    )
    np.testing.assert_allclose(sample_weights(y), compute_sample_weight("balanced", y), rtol=1e-12)


def test_effective_number_limits():
    counts = np.array([1000.0, 100.0, 10.0])
    np.testing.assert_allclose(
        class_weights(counts=counts, scheme="effective_number", beta=0.0), 1.0
    )
    # beta -> 1: proportional to 1 / n_c
    near_one = class_weights(
        counts=counts, scheme="effective_number", beta=1 - 1e-9, normalize="classes"
    )
    inverse = class_weights(counts=counts, scheme="inverse", normalize="classes")
    np.testing.assert_allclose(near_one, inverse, rtol=1e-5)
    # n_c = 1 gives exactly 1 for any beta, with no cancellation near beta = 1
    assert class_weights(counts=[1, 5], scheme="effective_number", beta=0.9999)[0] == pytest.approx(
        1.0, rel=1e-12
    )


def test_cui_normalisation_worked():
    # counts [2, 1], beta 0.5: raw = 0.5/0.75, 0.5/0.5 = 2/3, 1 -> scaled to sum 2: 0.8, 1.2
    got = class_weights(counts=[2, 1], scheme="effective_number", beta=0.5, normalize="classes")
    np.testing.assert_allclose(got, [0.8, 1.2], rtol=1e-12)


def test_normalize_samples_worked():
    # inverse on [1, 3]: raw 1, 1/3; sum n_c w_c = 2, n = 4 -> scale 2: [2, 2/3]
    np.testing.assert_allclose(
        class_weights(counts=[1, 3], scheme="inverse", normalize="samples"),
        [2.0, 2 / 3],
        rtol=1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 10_000), min_size=1, max_size=8),
    scheme=st.sampled_from(SCHEMES),
    beta=st.floats(0.0, 0.99999),
)
def test_normalisations_and_monotonicity(counts, scheme, beta):
    counts = np.asarray(counts, dtype=float)
    raw = class_weights(counts=counts, scheme=scheme, beta=beta)
    assert np.all(np.isfinite(raw)) and np.all(raw > 0)
    by_class = class_weights(counts=counts, scheme=scheme, beta=beta, normalize="classes")
    assert by_class.sum() == pytest.approx(len(counts), rel=1e-9)
    by_sample = class_weights(counts=counts, scheme=scheme, beta=beta, normalize="samples")
    assert np.dot(counts, by_sample) == pytest.approx(counts.sum(), rel=1e-9)
    # rarer classes never get less weight
    order = np.argsort(counts, kind="stable")
    assert np.all(np.diff(raw[order]) <= 1e-12 * raw.max())


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(1, 1000), min_size=2, max_size=6), factor=st.integers(2, 50))
def test_frequency_schemes_are_scale_free(counts, factor):
    counts = np.asarray(counts)
    for scheme in ("balanced", "median_frequency"):
        np.testing.assert_allclose(
            class_weights(counts=counts, scheme=scheme),
            class_weights(counts=counts * factor, scheme=scheme),
            rtol=1e-10,
        )
    # balanced already averages 1 over samples
    w = class_weights(counts=counts)
    assert np.dot(counts, w) == pytest.approx(counts.sum())


def test_outputs():
    y = np.array([3, 3, 3, 7])
    as_dict = class_weights(y, output="dict")
    assert as_dict == {3: pytest.approx(4 / 6), 7: pytest.approx(2.0)}
    assert all(type(k) is int for k in as_dict) and all(type(v) is float for v in as_dict.values())
    tensor = class_weights(y, output="tensor")
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float32
    torch.testing.assert_close(tensor, torch.tensor([4 / 6, 2.0]))
    array = class_weights(y)
    assert isinstance(array, np.ndarray) and array.dtype == np.float64


@pytest.mark.parametrize(
    "counts",
    [[5, 1, 2], np.array([5, 1, 2]), torch.tensor([5, 1, 2]), (5, 1, 2), pd.Series([5, 1, 2])],
)
def test_counts_spellings(counts):
    np.testing.assert_allclose(class_weights(counts=counts, scheme="inverse"), [0.2, 1.0, 0.5])
    labels, _ = resolve_counts(counts=counts)
    assert labels == [0, 1, 2]


def test_count_dict_labels_sorted():
    assert list(class_weights(counts={"z": 1, "a": 4}, output="dict")) == ["a", "z"]


def test_sample_weights_containers():
    series = pd.Series(["a", "b", "a", "a"], index=[10, 11, 12, 13], name="label")
    out = sample_weights(series, normalize="samples")
    assert isinstance(out, pd.Series) and list(out.index) == [10, 11, 12, 13]
    assert out.mean() == pytest.approx(1.0)
    tensor = sample_weights(torch.tensor([0, 0, 1]), scheme="inverse")
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.get_default_dtype()
    torch.testing.assert_close(tensor, torch.tensor([0.5, 0.5, 1.0]))
    np.testing.assert_allclose(sample_weights([1, 1, 2], scheme="inverse"), [0.5, 0.5, 1.0])


def test_single_class_is_allowed():
    np.testing.assert_allclose(class_weights([4, 4, 4]), [1.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, InvalidParameterError, "got neither"),
        ({"y": [0, 1], "counts": [1, 1]}, InvalidParameterError, "got both"),
        ({"counts": [3, 0]}, InvalidInputError, r"class\(es\) \[1\] have a count of 0"),
        ({"counts": {"a": 3, "b": 0}}, InvalidInputError, r"\['b'\]"),
        ({"counts": [3, -1]}, InvalidInputError, "non-negative"),
        ({"counts": [3, np.nan]}, InvalidInputError, "finite"),
        ({"counts": [[1, 2]]}, InvalidInputError, "1-D"),
        ({"counts": []}, InvalidInputError, "empty"),
        ({"counts": ["a", "b"]}, InvalidInputError, "numbers"),
        (
            {"counts": [1, 2], "beta": 1.0},
            InvalidParameterError,
            "'beta' parameter of class_weights",
        ),
        ({"counts": [1, 2], "normalize": "mean"}, InvalidParameterError, "'normalize'"),
        ({"counts": [1, 2], "output": "list"}, InvalidParameterError, "'output'"),
        ({"counts": [1, 2], "scheme": "balance"}, UnknownNameError, "Did you mean 'balanced'"),
        ({"y": [0.5, 1.5, 2.5]}, InvalidInputError, "continuous"),
    ],
)
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        class_weights(**kwargs)


def test_sample_weights_errors():
    with pytest.raises(InvalidParameterError, match="'beta' parameter of sample_weights"):
        sample_weights([0, 1], beta=-0.1)
    with pytest.raises(UnknownNameError):
        sample_weights([0, 1], scheme="nope")
