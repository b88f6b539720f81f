"""Shared checks over the resampler registry.

imbalanced-learn's own checks run for real on every sampler. Several of them choose what to
assert with ``isinstance`` against imbalanced-learn's base classes, so for third-party samplers
they assert nothing; the checks below assert those properties for real, per sampler family.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from common.resamplers import build, family, prepare_X, registered_names
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from equipoise.resample import RESAMPLERS

NAMES = registered_names()


@parametrize_with_checks([build(name) for name in NAMES])
def test_imbalanced_learn_checks(estimator, check):
    check(estimator)


def _data(name=None, n=600, weights=(0.7, 0.2, 0.1), seed=0, dtype=np.float64):
    X, y = make_classification(
        n_samples=n,
        n_classes=len(weights),
        weights=list(weights),
        n_informative=4,
        n_redundant=0,
        n_features=6,
        class_sep=1.0,
        random_state=seed,
    )
    return prepare_X(name, X.astype(dtype)), y


@pytest.mark.parametrize("name", NAMES)
def test_class_counts_by_family(name):
    X, y = _data(name)
    sampler = build(name)
    before = Counter(y)
    _, y_res = sampler.fit_resample(X, y)
    after = Counter(y_res)
    kind = family(sampler)
    majority, minority = max(before, key=before.get), min(before, key=before.get)
    if kind == "over":
        assert all(after[c] == before[majority] for c in before)
    elif kind == "adaptive":
        # ADASYN rounds each row's share (as imbalanced-learn does): totals land within a few rows
        assert all(abs(after[c] - before[majority]) <= 0.05 * before[majority] for c in before)
        assert all(after[c] > before[c] for c in before if c != majority)
    elif kind == "under":
        assert all(after[c] == before[minority] for c in before)
    elif kind == "under-at-least":  # rows tied with the threshold are kept
        assert after[minority] == before[minority]
        assert all(before[minority] <= after[c] <= before[c] for c in before)
        assert sum(after.values()) < sum(before.values())
    elif kind == "clean":
        assert after[minority] == before[minority]
        assert all(after[c] <= before[c] for c in before)
        assert sum(after.values()) < sum(before.values())
    else:  # combine: over-sample, then clean
        assert all(after[c] <= before[majority] for c in before)
        assert after[minority] > before[minority]


@pytest.mark.parametrize("name", NAMES)
def test_strategy_leaves_other_classes_alone(name):
    X, y = _data(name)
    sampler = build(name)
    kind = family(sampler)
    strategy = {
        "over": {2: 300},
        "adaptive": {2: 300},
        "combine": {2: 300},
        "under": {0: 100},
        "under-at-least": {0: 100},
        "clean": [0],
    }[kind]
    sampler.set_params(sampling_strategy=strategy)
    _, y_res = sampler.fit_resample(X, y)
    if kind == "combine":
        return  # the cleaning step may touch every class by design
    untouched = {
        "over": [0, 1],
        "adaptive": [0, 1],
        "under": [1, 2],
        "under-at-least": [1, 2],
        "clean": [1, 2],
    }[kind]
    for c in untouched:
        assert Counter(y_res)[c] == Counter(y)[c]


@pytest.mark.parametrize("name", NAMES)
def test_sample_indices_or_originals_first(name):
    X, y = _data(name)
    sampler = build(name)
    X_res, y_res = sampler.fit_resample(X, y)
    if sampler._generates:
        assert not hasattr(sampler, "sample_indices_")
        if family(sampler) in ("over", "adaptive"):
            np.testing.assert_array_equal(X_res[: len(X)], X)
            np.testing.assert_array_equal(y_res[: len(y)], y)
    else:
        np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
        np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize("name", NAMES)
def test_dtype_pandas_and_string_labels(name):
    X, y = _data(name, dtype=np.float32)
    frame = pd.DataFrame(
        X, columns=[f"c{i}" for i in range(X.shape[1])], index=np.arange(len(X)) * 3
    )
    labels = pd.Series(np.array(["maj", "mid", "rare"])[y], name="target", dtype=object)
    sampler = build(name)
    X_res, y_res = sampler.fit_resample(frame, labels)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(frame.columns)
    assert (X_res.dtypes == np.float32).all()
    # kept rows keep their index labels; synthetic rows are numbered after the largest label
    n_new = getattr(sampler, "n_synthetic_", 0)
    rows = sampler.resample_like(np.arange(len(X)))
    n_kept = len(X_res) - n_new
    expected = np.concatenate(
        [frame.index.to_numpy()[rows[:n_kept]], frame.index.max() + 1 + np.arange(n_new)]
    )
    np.testing.assert_array_equal(X_res.index.to_numpy(), expected)
    np.testing.assert_array_equal(y_res.index.to_numpy()[:n_kept], rows[:n_kept])
    assert y_res.name == "target" and set(y_res) <= {"maj", "mid", "rare"}
    X_np, y_np = build(name).fit_resample(X, np.array(["maj", "mid", "rare"])[y])
    assert X_np.dtype == np.float32
    np.testing.assert_array_equal(X_np, X_res.to_numpy())
    np.testing.assert_array_equal(y_np, y_res.to_numpy())


@pytest.mark.parametrize("name", NAMES)
def test_torch_tensor_in_tensor_out(name):
    X, y = _data(name, dtype=np.float32)
    X_res, y_res = build(name).fit_resample(torch.from_numpy(X), torch.from_numpy(y))
    X_ref, y_ref = build(name).fit_resample(X, y)
    assert (
        isinstance(X_res, torch.Tensor)
        and X_res.dtype == torch.float32
        and X_res.device.type == "cpu"
    )
    np.testing.assert_array_equal(X_res.numpy(), X_ref)
    np.testing.assert_array_equal(y_res.numpy(), y_ref)


@pytest.mark.parametrize("name", NAMES)
def test_input_never_modified_and_deterministic(name):
    X, y = _data(name)
    X_copy, y_copy = X.copy(), y.copy()
    first = build(name).fit_resample(X, y)
    second = build(name).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def _comparable(params):
    """Parameters with estimator values replaced by (class, their parameters): clone copies them."""
    return {
        key: (type(value), value.get_params()) if hasattr(value, "get_params") else value
        for key, value in params.items()
    }


@pytest.mark.parametrize("name", NAMES)
def test_clone_params_and_pipeline(name):
    sampler = build(name)
    twin = clone(sampler)
    assert _comparable(twin.get_params(deep=False)) == _comparable(sampler.get_params(deep=False))
    X, y = _data(name)
    pipe = make_pipeline(sampler, LogisticRegression(max_iter=500))
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.5


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.full((20, 2), np.nan), np.repeat([0, 1], 10), "NaN"),
        (np.ones((20, 2)), np.zeros(20), "class"),
        (np.ones((20, 2)), np.repeat([0, 1], 9), "different lengths"),
        (np.ones((20, 2)), np.linspace(0, 1, 20), "continuous"),
        (np.ones((0, 2)), np.zeros(0), "empty"),
    ],
    ids=["nan", "one-class", "length", "continuous", "empty"],
)
def test_bad_input_clear_error(name, X, y, match):
    sampler = build(name)
    if match == "NaN" and not sampler._requires_numeric():
        # Row selectors never compute on X, so NaN rows pass through untouched (as in
        # imbalanced-learn): an imputer can come after them in a pipeline.
        X_res, _ = sampler.fit_resample(X, y)
        assert np.isnan(X_res).all()
        return
    with pytest.raises(ValueError, match=match):
        sampler.fit_resample(X, y)


def test_registry_names_are_the_documented_ones():
    expected = {"random-over", "random-under"}
    assert expected <= set(RESAMPLERS.names())


def test_make_resampler_seeds_only_random_resamplers_and_explains_bad_params():
    from equipoise.exceptions import InvalidParameterError
    from equipoise.resample import make_resampler

    assert make_resampler("tomek-links", random_state=3).get_params() == {
        "sampling_strategy": "auto",
        "n_jobs": None,
    }
    assert make_resampler("smote", random_state=3).random_state == 3
    with pytest.raises(InvalidParameterError, match=r"has no parameter\(s\) \['k_neighbours'\]"):
        make_resampler("smote", k_neighbours=3)
    with pytest.raises(InvalidParameterError, match="categorical_features"):
        make_resampler("smotenc")
