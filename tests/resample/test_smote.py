"""SMOTE, BorderlineSMOTE and ADASYN: imbalanced-learn's checks, agreement with imbalanced-learn,
and the geometric invariants (every synthetic row on a segment the method allows)."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn import over_sampling as imb
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import ADASYN, SMOTE, BorderlineSMOTE, make_resampler
from equipoise.resample._smote import neighbours_excluding_self

X3, Y3 = make_classification(
    n_samples=600,
    n_classes=3,
    n_features=5,
    n_informative=4,
    n_redundant=0,
    weights=[0.7, 0.2, 0.1],
    class_sep=0.8,
    random_state=0,
)
XB, YB = X3[Y3 != 1], Y3[Y3 != 1]

SAMPLERS = {
    "smote": (lambda **p: SMOTE(**p), lambda **p: imb.SMOTE(**p)),
    "borderline-1": (lambda **p: BorderlineSMOTE(**p), lambda **p: imb.BorderlineSMOTE(**p)),
    "borderline-2": (
        lambda **p: BorderlineSMOTE(kind="borderline-2", **p),
        lambda **p: imb.BorderlineSMOTE(kind="borderline-2", **p),
    ),
    "adasyn": (lambda **p: ADASYN(**p), lambda **p: imb.ADASYN(**p)),
}
STRATEGIES = ["auto", "minority", "not majority", "all", {1: 300, 2: 250}, lambda y: {2: 200}]


@parametrize_with_checks(
    [
        SMOTE(random_state=0),
        BorderlineSMOTE(random_state=0),
        BorderlineSMOTE(kind="borderline-2", random_state=0),
        ADASYN(random_state=0),
    ]
)
def test_imbalanced_learn_checks(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------- agreement with imblearn
@pytest.mark.parametrize("name", SAMPLERS)
@pytest.mark.parametrize(
    "strategy", STRATEGIES, ids=["auto", "minority", "not-majority", "all", "dict", "callable"]
)
def test_class_counts_match_imblearn(name, strategy):
    ours, ref = SAMPLERS[name]
    _, y_res = ours(sampling_strategy=strategy, random_state=0).fit_resample(X3, Y3)
    _, y_ref = ref(sampling_strategy=strategy, random_state=0).fit_resample(X3, Y3)
    assert Counter(y_res) == Counter(y_ref)


@pytest.mark.parametrize("name", SAMPLERS)
@pytest.mark.parametrize("ratio", [0.5, 0.8, 1.0])
def test_float_strategy_counts_match_imblearn(name, ratio):
    ours, ref = SAMPLERS[name]
    _, y_res = ours(sampling_strategy=ratio, random_state=1).fit_resample(XB, YB)
    _, y_ref = ref(sampling_strategy=ratio, random_state=1).fit_resample(XB, YB)
    assert Counter(y_res) == Counter(y_ref)


def test_adasyn_count_differs_from_request_exactly_like_imblearn():
    sampler = ADASYN(random_state=0)
    _, y_res = sampler.fit_resample(X3, Y3)
    _, y_ref = imb.ADASYN(random_state=0).fit_resample(X3, Y3)
    assert sampler.n_synthetic_ == len(y_ref) - len(Y3) == len(y_res) - len(Y3)
    assert sampler.n_synthetic_ != sum(sampler.sampling_strategy_.values())  # rounding shows here


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_danger_rows_match_imblearn(kind):
    ours = BorderlineSMOTE(kind=kind, random_state=0)
    ref = imb.BorderlineSMOTE(kind=kind, random_state=0)
    ours.fit_resample(X3, Y3)
    ref.fit_resample(X3, Y3)
    assert set(ours.danger_indices_) == set(ref.in_danger_indices)
    for label, rows in ref.in_danger_indices.items():
        np.testing.assert_array_equal(ours.danger_indices_[label], rows)


# ---------------------------------------------------------------------- geometry
def _segment_hits(S, A, B, *, tol=1e-7):
    """For each row s of S, the gaps u in [0-ish, 1] of the pairs (a, b) with s = a + u (b - a)."""
    D = B - A
    rel = S[:, None, :] - A[None, :, :]
    norm2 = (D * D).sum(axis=1)
    u = (rel * D[None]).sum(axis=2) / np.where(norm2 > 0, norm2, 1.0)
    residual = np.linalg.norm(rel - u[:, :, None] * D[None], axis=2)
    on_line = residual < tol * (1 + np.linalg.norm(S, axis=1))[:, None]
    return np.where(on_line, u, np.nan)


def _pairs(X_class, k, bases=None):
    nn = NearestNeighbors(n_neighbors=k + 1).fit(X_class)
    idx = nn.kneighbors(X_class if bases is None else X_class[bases], return_distance=False)[:, 1:]
    rows = np.arange(len(X_class)) if bases is None else bases
    a = np.repeat(rows, k)
    return X_class[a], X_class[idx.ravel()]


@pytest.mark.parametrize("make", [lambda: SMOTE(random_state=3), lambda: ADASYN(random_state=3)])
def test_synthetic_rows_on_same_class_segments(make):
    sampler = make()
    X_res, y_res = sampler.fit_resample(X3, Y3)
    n = len(Y3)
    assert sampler.n_synthetic_ == len(y_res) - n
    for label in (1, 2):
        S = X_res[n:][y_res[n:] == label]
        A, B = _pairs(X3[Y3 == label], 5)
        u = _segment_hits(S, A, B)
        ok = np.any((u >= -1e-9) & (u <= 1 + 1e-9), axis=1)
        assert ok.all(), (
            f"{(~ok).sum()} synthetic rows of class {label} are off every allowed segment"
        )


def test_borderline1_starts_from_danger_rows_towards_same_class():
    sampler = BorderlineSMOTE(random_state=5)
    X_res, y_res = sampler.fit_resample(X3, Y3)
    n = len(Y3)
    for label in (1, 2):
        members = np.flatnonzero(Y3 == label)
        danger = np.searchsorted(members, sampler.danger_indices_[label])
        A, B = _pairs(X3[members], 5, bases=danger)
        u = _segment_hits(X_res[n:][y_res[n:] == label], A, B)
        assert np.any((u >= -1e-9) & (u <= 1 + 1e-9), axis=1).all()


def test_danger_rule_by_hand():
    m = 10
    nn = NearestNeighbors(n_neighbors=m + 1).fit(X3)
    members = np.flatnonzero(Y3 == 2)
    idx = nn.kneighbors(X3[members], return_distance=False)[:, 1:]
    n_other = (Y3[idx] != 2).sum(axis=1)
    expected = members[(n_other >= m / 2) & (n_other < m)]
    got = BorderlineSMOTE(m_neighbors=m, random_state=0)
    got.fit_resample(X3, Y3)
    assert 0 < len(expected) < len(members)
    np.testing.assert_array_equal(got.danger_indices_[2], expected)


def test_borderline2_segments_to_any_class_with_short_gap_to_others():
    sampler = BorderlineSMOTE(kind="borderline-2", random_state=2)
    X_res, y_res = sampler.fit_resample(X3, Y3)
    n = len(Y3)
    nn = NearestNeighbors(n_neighbors=6).fit(X3)
    saw_other = False
    for label in (1, 2):
        danger = sampler.danger_indices_[label]
        idx = nn.kneighbors(X3[danger], return_distance=False)[:, 1:]
        A, B = X3[np.repeat(danger, 5)], X3[idx.ravel()]
        same = (Y3[idx.ravel()] == label)[None, :]
        u = _segment_hits(X_res[n:][y_res[n:] == label], A, B)
        allowed = (u >= -1e-9) & np.where(same, u <= 1 + 1e-9, u <= 0.5 + 1e-9)
        assert allowed.any(axis=1).all()
        saw_other |= bool(((u > 1e-6) & ~same).any())
    assert saw_other  # the variant does interpolate towards other classes


def test_smote_worked_example_two_points():
    # Class 1 has two points; each is the other's only neighbour, so every synthetic row lies on
    # the segment [(0, 0), (2, 4)], i.e. on the line x2 = 2 x1 with 0 <= x1 <= 2.
    X = np.array([[0.0, 0.0], [2.0, 4.0], [9, 9], [9, 8], [8, 9], [8, 8]])
    y = np.array([1, 1, 0, 0, 0, 0])
    X_res, y_res = SMOTE(k_neighbors=1, random_state=0).fit_resample(X, y)
    new = X_res[6:]
    assert new.shape == (2, 2) and (y_res[6:] == 1).all()
    np.testing.assert_allclose(new[:, 1], 2 * new[:, 0])
    assert ((new[:, 0] >= 0) & (new[:, 0] <= 2)).all()


def test_neighbours_excluding_self_with_duplicates():
    X = np.array([[0.0], [0.0], [0.0], [5.0]])
    nn = neighbours_excluding_self(X, np.array([2, 3]), 2)
    assert nn.tolist() == [[0, 1], [0, 1]]
    assert neighbours_excluding_self(X, None, 2)[2].tolist() == [0, 1]


# ---------------------------------------------------------------------- containers and dtypes
@pytest.mark.parametrize("name", SAMPLERS)
def test_originals_first_deterministic_and_seed_dependent(name):
    make = SAMPLERS[name][0]
    X, y = X3.copy(), Y3.copy()
    a_X, a_y = make(random_state=7).fit_resample(X, y)
    b_X, b_y = make(random_state=7).fit_resample(X, y)
    c_X, _ = make(random_state=8).fit_resample(X, y)
    np.testing.assert_array_equal(X, X3)  # input untouched
    np.testing.assert_array_equal(y, Y3)
    np.testing.assert_array_equal(a_X[: len(X)], X)
    np.testing.assert_array_equal(a_y[: len(y)], y)
    np.testing.assert_array_equal(a_X, b_X)
    np.testing.assert_array_equal(a_y, b_y)
    assert not np.array_equal(a_X[len(X) :], c_X[len(X) :])


@pytest.mark.parametrize("name", SAMPLERS)
def test_sparse_equals_dense_and_float32_kept(name):
    make = SAMPLERS[name][0]
    X32 = X3.astype(np.float32)
    dense, y_dense = make(random_state=0).fit_resample(X32, Y3)
    sparse, y_sparse = make(random_state=0).fit_resample(sp.csr_matrix(X32), Y3)
    assert dense.dtype == np.float32 and sparse.dtype == np.float32 and sp.issparse(sparse)
    np.testing.assert_array_equal(sparse.toarray(), dense)
    np.testing.assert_array_equal(y_sparse, y_dense)


@pytest.mark.parametrize("name", SAMPLERS)
def test_pandas_torch_string_labels(name):
    make = SAMPLERS[name][0]
    frame = pd.DataFrame(X3, columns=list("abcde")).astype({"a": np.float32})
    labels = pd.Series(np.array(["big", "mid", "rare"])[Y3], name="target")
    X_res, y_res = make(random_state=0).fit_resample(frame, labels)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list("abcde")
    assert X_res.dtypes["a"] == np.float32 and X_res.dtypes["b"] == np.float64
    assert y_res.name == "target" and set(y_res) == {"big", "mid", "rare"}
    pd.testing.assert_frame_equal(X_res.iloc[: len(frame)], frame.reset_index(drop=True))

    Xt, yt = torch.from_numpy(X3.astype(np.float32)), torch.from_numpy(Y3)
    Xt_res, yt_res = make(random_state=0).fit_resample(Xt, yt)
    X_np, y_np = make(random_state=0).fit_resample(X3.astype(np.float32), Y3)
    assert isinstance(Xt_res, torch.Tensor) and Xt_res.dtype == torch.float32
    np.testing.assert_array_equal(Xt_res.numpy(), X_np)
    np.testing.assert_array_equal(yt_res.numpy(), y_np)


def test_high_dimensional_data_uses_exact_neighbours():
    # d >= 64 sends the searches to the torch engine; the geometry must be the same.
    X, y = make_classification(
        n_samples=300, n_features=80, n_informative=10, weights=[0.8, 0.2], random_state=1
    )
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    A, B = _pairs(X[y == 1], 5)
    u = _segment_hits(X_res[300:], A, B, tol=1e-6)
    assert np.any((u >= -1e-9) & (u <= 1 + 1e-9), axis=1).all()


def test_registry_names():
    assert type(make_resampler("smote")) is SMOTE
    assert type(make_resampler("borderline-smote", kind="borderline-2")) is BorderlineSMOTE
    assert type(make_resampler("adasyn")) is ADASYN


# ---------------------------------------------------------------------- errors and warnings
@pytest.mark.parametrize(
    "sampler, parameter",
    [(SMOTE(), "k_neighbors"), (BorderlineSMOTE(), "k_neighbors"), (ADASYN(), "n_neighbors")],
)
def test_class_smaller_than_k_plus_one(sampler, parameter):
    X = np.random.default_rng(0).normal(size=(24, 2))
    y = np.array(["a"] * 20 + ["b"] * 4)
    with pytest.raises(
        InvalidInputError,
        match=rf"'{parameter}'.*got 5\. Class 'b' has 4 sample\(s\).*RandomOverSampler",
    ):
        sampler.fit_resample(X, y)


def test_small_class_not_oversampled_is_fine():
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.array([0] * 30 + [1] * 7 + [2] * 3)
    _, y_res = SMOTE(sampling_strategy={1: 30}, random_state=0).fit_resample(X, y)
    assert Counter(y_res) == {0: 30, 1: 30, 2: 3}


@pytest.mark.parametrize(
    "bad", [{"k_neighbors": 0}, {"k_neighbors": 2.5}, {"kind": "borderline-3"}, {"m_neighbors": -1}]
)
def test_bad_parameters(bad):
    cls = SMOTE if set(bad) == {"k_neighbors"} else BorderlineSMOTE
    with pytest.raises(
        InvalidParameterError, match=f"'{next(iter(bad))}' parameter of {cls.__name__}"
    ):
        cls(**bad).fit_resample(X3, Y3)


def test_m_neighbors_larger_than_dataset():
    with pytest.raises(
        InvalidInputError, match="'m_neighbors'.*smaller than the number of samples"
    ):
        BorderlineSMOTE(m_neighbors=600).fit_resample(X3, Y3)


@pytest.mark.parametrize("name", SAMPLERS)
def test_nan_and_single_class(name):
    make = SAMPLERS[name][0]
    X = X3.copy()
    X[3, 1] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        make().fit_resample(X, Y3)
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        make().fit_resample(X3, np.zeros(len(X3)))


def _separated():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.1, (40, 2)), rng.normal(10, 0.1, (10, 2))])
    return X, np.array([0] * 40 + [1] * 10)


def test_adasyn_clear_error_without_other_class_neighbours():
    X, y = _separated()
    with pytest.raises(
        InvalidInputError, match="class 1.*no.*neighbour of another class.*use SMOTE"
    ):
        ADASYN().fit_resample(X, y)
    with pytest.raises(RuntimeError, match="Not any neigbours"):
        imb.ADASYN().fit_resample(X, y)  # the reference also refuses


def test_borderline_without_danger_rows_warns_and_skips_like_imblearn():
    X, y = _separated()
    sampler = BorderlineSMOTE(random_state=0)
    with pytest.warns(UserWarning, match="no borderline"):
        X_res, y_res = sampler.fit_resample(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, y_ref = imb.BorderlineSMOTE(random_state=0).fit_resample(X, y)
    assert Counter(y_res) == Counter(y_ref) == Counter(y)
    assert sampler.n_synthetic_ == 0 and X_res.shape == X.shape


# ---------------------------------------------------------------------- properties
@settings(max_examples=20, deadline=None)
@given(
    sizes=st.lists(st.integers(6, 40), min_size=2, max_size=4),
    n_features=st.integers(1, 6),
    strategy=st.sampled_from(["auto", "minority", "not majority", "all"]),
    name=st.sampled_from(["smote", "borderline-1", "adasyn"]),
    seed=st.integers(0, 2**16),
)
def test_properties(sizes, n_features, strategy, name, seed):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(sizes)), sizes)
    X = rng.normal(size=(len(y), n_features)) + y[:, None] * 0.5
    sampler = SAMPLERS[name][0](sampling_strategy=strategy, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            X_res, y_res = sampler.fit_resample(X, y)
        except InvalidInputError as exc:  # ADASYN: separated class, or everything rounds to 0
            assert name == "adasyn" and ("another class" in str(exc) or "round to 0" in str(exc))
            return
    n = len(y)
    np.testing.assert_array_equal(X_res[:n], X)
    assert len(y_res) - n == sampler.n_synthetic_
    counts = Counter(y_res[n:].tolist())
    if name == "smote":
        assert counts == {k: v for k, v in sampler.sampling_strategy_.items() if v}
    assert set(counts) <= set(sampler.sampling_strategy_)
    for label in counts:  # interpolation never leaves the class's bounding box
        new, old = X_res[n:][y_res[n:] == label], X[y == label]
        assert (new >= old.min(axis=0) - 1e-9).all() and (new <= old.max(axis=0) + 1e-9).all()
