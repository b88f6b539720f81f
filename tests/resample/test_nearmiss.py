"""NearMiss 1, 2 and 3: exact agreement with imbalanced-learn, hand-computed values, a
brute-force oracle, containers and clear errors."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import NearMiss as ImbNearMiss
from imblearn.utils.estimator_checks import parametrize_with_checks, sample_dataset_generator
from sklearn.datasets import make_classification

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import RESAMPLERS, NearMiss

BINARY = [
    make_classification(
        n_samples=240,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        weights=[0.8],
        class_sep=0.6,
        random_state=seed,
    )
    for seed in range(2)
]
MULTI = [
    make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        class_sep=0.7,
        random_state=seed,
    )
    for seed in range(2)
]


@pytest.mark.filterwarnings("ignore:NearMiss-3 short-listed:UserWarning")
@parametrize_with_checks([NearMiss(version=3)])
def test_imbalanced_learn_checks_version_3(estimator, check):
    check(estimator)


def test_registered_name():
    assert RESAMPLERS.get("near-miss") is NearMiss


# ------------------------------------------------------------------ reference: imbalanced-learn
def _kept_sets(X, y, **params):
    ours = NearMiss(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NearMiss-3 "fewer samples" warnings
        X_res, y_res = ours.fit_resample(X, y)
        ref = ImbNearMiss(**params)
        ref.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[ours.sample_indices_])
    assert np.all(np.diff(ours.sample_indices_) > 0)  # original order
    return set(ours.sample_indices_.tolist()), set(ref.sample_indices_.tolist())


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize(
    "data, strategies",
    [(BINARY, ["auto", 0.5, {0: 60}]), (MULTI, ["auto", "all", "majority", {0: 50, 1: 20}])],
    ids=["binary", "3-class"],
)
def test_keeps_exactly_what_imblearn_keeps(version, data, strategies):
    for X, y in data:
        for strategy in strategies:
            for k in (1, 3, 5):
                params = dict(sampling_strategy=strategy, version=version, n_neighbors=k)
                if version == 3:
                    params["n_neighbors_ver3"] = 4 - k // 2
                ours, ref = _kept_sets(X, y, **params)
                assert ours == ref, params


# ------------------------------------------------------------------ hand-computed values
X_LINE = np.array([[0.0], [1.0], [2.0], [9.0], [10.0], [3.0], [3.5]])
Y_LINE = np.array([0, 0, 0, 0, 0, 1, 1])  # minority class 1 at 3.0 and 3.5


def test_version_1_worked_example():
    # Mean distance to the 2 nearest minority rows: 0.0 -> 3.25, 1.0 -> 2.25, 2.0 -> 1.25,
    # 9.0 -> 5.75, 10.0 -> 6.75. Keep the two smallest: 2.0 and 1.0.
    sampler = NearMiss(n_neighbors=2)
    sampler.fit_resample(X_LINE, Y_LINE)
    assert sampler.sample_indices_.tolist() == [1, 2, 5, 6]
    assert sampler.sampling_strategy_ == {0: 2}


def test_version_2_uses_the_farthest_minority_rows():
    # Minority at 0.0 and 10.0; with k=1 version 1 scores by the nearest one (0.5 and 9.5 both
    # score 0.5 -> tie, stable order keeps the smaller index), version 2 by the farthest one
    # (5.0 scores 5.0, the smallest possible).
    X = np.array([[0.5], [5.0], [9.5], [4.0], [0.0], [10.0]])
    y = np.array([0, 0, 0, 0, 1, 1])
    v1 = NearMiss(version=1, n_neighbors=1, sampling_strategy={0: 1})
    v1.fit_resample(X, y)
    assert v1.sample_indices_.tolist() == [0, 4, 5]
    v2 = NearMiss(version=2, n_neighbors=1, sampling_strategy={0: 1})
    v2.fit_resample(X, y)
    assert v2.sample_indices_.tolist() == [1, 4, 5]
    v2.set_params(sampling_strategy={0: 2}).fit_resample(X, y)
    assert v2.sample_indices_.tolist() == [1, 3, 4, 5]  # 4.0 scores 6.0, next after 5.0
    for version, expected in ((1, {0, 4, 5}), (2, {1, 4, 5})):
        ref = ImbNearMiss(version=version, n_neighbors=1, sampling_strategy={0: 1})
        ref.fit_resample(X, y)
        assert set(ref.sample_indices_.tolist()) == expected


def test_version_3_short_list_then_farthest():
    # Each minority row short-lists its nearest majority row: 3.0 -> 2.0, 3.5 -> 2.0 (tie with
    # none), so only 2.0 is short-listed; a warning says fewer rows than asked are kept.
    sampler = NearMiss(version=3, n_neighbors=2, n_neighbors_ver3=1)
    with pytest.warns(UserWarning, match="short-listed only 1 rows of class 0"):
        sampler.fit_resample(X_LINE, Y_LINE)
    assert sampler.sample_indices_.tolist() == [2, 5, 6]
    # With 2 per minority row: {2.0, 1.0} short-listed; both kept.
    sampler.set_params(n_neighbors_ver3=2).fit_resample(X_LINE, Y_LINE)
    assert sampler.sample_indices_.tolist() == [1, 2, 5, 6]
    # With 3: {0.0, 1.0, 2.0}; keep the 2 with the LARGEST score (0.0 -> 3.25, 1.0 -> 2.25).
    sampler.set_params(n_neighbors_ver3=3).fit_resample(X_LINE, Y_LINE)
    assert sampler.sample_indices_.tolist() == [0, 1, 5, 6]


# ------------------------------------------------------------------ imblearn checks, for real
@pytest.mark.parametrize("version", [1, 2, 3])
def test_check_dataset_counts(version):
    X, y = sample_dataset_generator()
    before = Counter(y.tolist())
    n_min = min(before.values())
    sampler = NearMiss(version=version)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = sampler.fit_resample(X, y)
    after = Counter(y_res.tolist())
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    if version == 3:  # the short list can be smaller than the target (documented, warned)
        assert all(after[c] <= n_min for c in before) and after[0] == n_min
    else:
        assert all(after[c] == n_min for c in before)
    sampler.set_params(sampling_strategy={2: 201, 0: 201})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist())[1] == before[1]


# ------------------------------------------------------------------ brute-force oracle
@st.composite
def _imbalanced(draw):
    n_min = draw(st.integers(3, 8))
    n_maj = draw(st.integers(n_min, 25))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_min + n_maj, 2))
    y = np.array([1] * n_min + [0] * n_maj)
    return X, y[rng.permutation(len(y))]


@settings(max_examples=30, deadline=None)
@given(data=_imbalanced(), version=st.sampled_from([1, 2]), k=st.integers(1, 3))
def test_versions_1_2_match_brute_force(data, version, k):
    X, y = data
    sampler = NearMiss(version=version, n_neighbors=k)
    X_res, y_res = sampler.fit_resample(X, y)
    minority_rows, majority_rows = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    d = np.sqrt(((X[majority_rows, None, :] - X[None, minority_rows, :]) ** 2).sum(axis=2))
    d.sort(axis=1)
    score = d[:, :k].sum(axis=1) if version == 1 else d[:, -k:].sum(axis=1)
    chosen = majority_rows[np.argsort(score, kind="stable")[: len(minority_rows)]]
    expected = np.sort(np.concatenate([chosen, minority_rows]))
    np.testing.assert_array_equal(sampler.sample_indices_, expected)
    assert Counter(y_res.tolist()) == {0: len(minority_rows), 1: len(minority_rows)}
    np.testing.assert_array_equal(X_res[y_res == 1], X[minority_rows])  # minority untouched


# ------------------------------------------------------------------ containers and dtypes
@pytest.mark.parametrize("version", [1, 3])
def test_sparse_equals_dense(version):
    X, y = MULTI[0]
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = NearMiss(version=version)
    sparse = NearMiss(version=version)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_dense, _ = dense.fit_resample(X, y)
        X_sparse, _ = sparse.fit_resample(sp.csr_matrix(X), y)
    np.testing.assert_array_equal(sparse.sample_indices_, dense.sample_indices_)
    np.testing.assert_array_equal(X_sparse.toarray(), X_dense)


def test_containers_round_trip():
    X, y = MULTI[1]
    X32 = X.astype(np.float32)
    names = np.array(["dog", "cat", "emu"], dtype=object)
    X_ref, y_ref = NearMiss().fit_resample(X32, y)
    assert X_ref.dtype == np.float32
    frame = pd.DataFrame(X32, columns=[f"f{i}" for i in range(X.shape[1])])
    X_df, y_s = NearMiss().fit_resample(frame, pd.Series(names[y], name="animal"))
    assert list(X_df.columns) == list(frame.columns) and (X_df.dtypes == np.float32).all()
    np.testing.assert_array_equal(X_df.to_numpy(), X_ref)
    np.testing.assert_array_equal(y_s.to_numpy(), names[y_ref])
    X_t, y_t = NearMiss().fit_resample(torch.from_numpy(X32), torch.from_numpy(y))
    assert isinstance(X_t, torch.Tensor) and X_t.dtype == torch.float32
    np.testing.assert_array_equal(X_t.numpy(), X_ref)
    X_list, y_list = NearMiss().fit_resample(X.tolist(), names[y].tolist())
    assert (
        isinstance(X_list, list)
        and list(y_list) == names[NearMiss().fit_resample(X, y)[1]].tolist()
    )


# ------------------------------------------------------------------ errors
def test_errors():
    X, y = X_LINE, Y_LINE
    with pytest.raises(
        InvalidInputError, match=r"'n_neighbors' parameter of NearMiss.*got 3\. Class 1 has 2"
    ):
        NearMiss(n_neighbors=3).fit_resample(X, y)
    with pytest.raises(
        InvalidInputError, match=r"'n_neighbors_ver3' parameter of NearMiss.*got 6\. Class 0 has 5"
    ):
        NearMiss(version=3, n_neighbors=1, n_neighbors_ver3=6).fit_resample(X, y)
    NearMiss(version=2, n_neighbors=2).fit_resample(X, y)  # the largest that fits
    with pytest.raises(InvalidParameterError, match="'version' parameter of NearMiss"):
        NearMiss(version=4).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'sampling_strategy' parameter of NearMiss"):
        NearMiss(sampling_strategy=[0]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="cannot add samples"):
        NearMiss(sampling_strategy={0: 9}).fit_resample(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        NearMiss().fit_resample(X_nan, y)
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        NearMiss().fit_resample(X, np.zeros(len(y), dtype=int))
