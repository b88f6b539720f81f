"""TomekLinks and EditedNearestNeighbours: exact agreement with imbalanced-learn, a brute-force
oracle (ties included), containers, and clear errors.

The default configurations also run through imbalanced-learn's checks in test_common.py; here
they run for a non-default configuration, and the properties those checks only assert for
imbalanced-learn's own classes are asserted for real.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import TomekLinks as ImbTomek
from imblearn.utils.estimator_checks import parametrize_with_checks, sample_dataset_generator
from sklearn.datasets import make_classification

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import RESAMPLERS, EditedNearestNeighbours, TomekLinks


def _datasets():
    """Continuous random data (no distance ties): binary and 3-class, several seeds."""
    out = []
    for seed in range(3):
        out.append(
            make_classification(
                n_samples=250,
                n_features=4,
                n_informative=3,
                n_redundant=0,
                weights=[0.8],
                class_sep=0.6,
                random_state=seed,
            )
        )
        out.append(
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
        )
    return out


DATASETS = _datasets()
STRATEGIES = ["auto", "all", "majority", "not majority", "not minority", [1], [0, 1]]


@parametrize_with_checks([EditedNearestNeighbours(n_neighbors=5, kind_sel="mode")])
def test_imbalanced_learn_checks_non_default(estimator, check):
    check(estimator)


def test_registered_names():
    assert RESAMPLERS.get("tomek-links") is TomekLinks
    assert RESAMPLERS.get("edited-nearest-neighbours") is EditedNearestNeighbours


# ------------------------------------------------------------------ reference: imbalanced-learn
@pytest.mark.parametrize("data", range(len(DATASETS)))
def test_tomek_removes_exactly_what_imblearn_removes(data):
    X, y = DATASETS[data]
    for strategy in STRATEGIES:
        ours = TomekLinks(sampling_strategy=strategy)
        X_res, y_res = ours.fit_resample(X, y)
        ref = ImbTomek(sampling_strategy=strategy).fit(X, y)
        ref.fit_resample(X, y)
        assert set(ours.sample_indices_.tolist()) == set(ref.sample_indices_.tolist()), strategy
        assert np.all(np.diff(ours.sample_indices_) > 0)  # original order
        np.testing.assert_array_equal(X_res, X[ours.sample_indices_])
        np.testing.assert_array_equal(y_res, y[ours.sample_indices_])


@pytest.mark.parametrize("data", range(len(DATASETS)))
@pytest.mark.parametrize("kind_sel", ["all", "mode"])
def test_enn_removes_exactly_what_imblearn_removes(data, kind_sel):
    X, y = DATASETS[data]
    removed_any = False
    for strategy in ["auto", "all", "not majority", [1]]:
        for k in range(1, 6):
            ours = EditedNearestNeighbours(
                sampling_strategy=strategy, n_neighbors=k, kind_sel=kind_sel
            )
            ours.fit_resample(X, y)
            ref = ImbENN(sampling_strategy=strategy, n_neighbors=k, kind_sel=kind_sel)
            ref.fit_resample(X, y)
            assert set(ours.sample_indices_.tolist()) == set(ref.sample_indices_.tolist()), (
                strategy,
                k,
            )
            assert np.all(np.diff(ours.sample_indices_) > 0)
            removed_any |= len(ours.sample_indices_) < len(y)
    assert removed_any  # the comparison is not vacuous


# ------------------------------------------------------------------ hand-computed values
def test_tomek_worked_example():
    # 1-D: 2.0 (class 0) and 2.4 (class 1) are mutual nearest neighbours; 4.0 and 7.0 are not
    # (4.0's nearest is 2.4).
    X = np.array([[0.0], [1.0], [2.0], [2.4], [4.0], [7.0]])
    y = np.array([0, 0, 0, 1, 1, 0])
    sampler = TomekLinks()
    X_res, _ = sampler.fit_resample(X, y)
    assert sampler.sample_indices_.tolist() == [0, 1, 3, 4, 5]
    assert sampler.sampling_strategy_ == {0: 2}
    both = TomekLinks(sampling_strategy="all").fit(X, y)
    both.fit_resample(X, y)
    assert both.sample_indices_.tolist() == [0, 1, 4, 5]
    minority_only = TomekLinks(sampling_strategy=[1])
    minority_only.fit_resample(X, y)
    assert minority_only.sample_indices_.tolist() == [0, 1, 2, 4, 5]


def test_tomek_link_between_two_non_minority_classes():
    # Classes 0 and 1 (both non-minority) form a link: under 'auto' both members go.
    X = np.array([[0.0], [0.5], [0.6], [1.6], [3.0], [4.5], [9.0], [20.0], [21.0], [22.0]])
    y = np.array([0, 0, 1, 1, 1, 0, 2, 2, 0, 1])
    sampler = TomekLinks()
    sampler.fit_resample(X, y)
    # Links: (0.5, 0.6) classes 0/1 -> both removed; (20, 21) classes 2/0 -> 21 removed (2 is the
    # minority, kept); (21, 22)? 22's nearest is 21 but 21's nearest is 20 (tie 1.0: smaller index).
    assert sorted(set(range(10)) - set(sampler.sample_indices_.tolist())) == [1, 2, 8]


def test_enn_worked_example_and_mode_tie():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0], [12.0], [13.0]])
    y = np.array([0, 0, 1, 0, 1, 1, 1, 1])
    enn = EditedNearestNeighbours(sampling_strategy="all", kind_sel="mode")
    enn.fit_resample(X, y)
    assert enn.sample_indices_.tolist() == [0, 1, 3, 4, 5, 6, 7]
    enn.set_params(kind_sel="all").fit_resample(X, y)
    assert enn.sample_indices_.tolist() == [4, 5, 6, 7]
    # Two neighbours with labels {0, 1}: the tie goes to the smaller label (scipy.stats.mode's
    # rule, which imbalanced-learn uses), so the class-0 row survives and the class-1 row does not.
    X2 = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    y2 = np.array([0, 1, 0, 1, 1, 1])
    for label_row in (0, 1):
        enn = EditedNearestNeighbours(sampling_strategy="all", n_neighbors=2, kind_sel="mode")
        enn.fit_resample(X2, y2)
        ref = ImbENN(sampling_strategy="all", n_neighbors=2, kind_sel="mode")
        ref.fit_resample(X2, y2)
        assert set(enn.sample_indices_.tolist()) == set(ref.sample_indices_.tolist())
        assert (label_row in enn.sample_indices_) == (y2[label_row] == 0)


# ------------------------------------------------------------------ imblearn checks, for real
@pytest.mark.parametrize(
    "sampler",
    [
        TomekLinks(),
        EditedNearestNeighbours(),
        EditedNearestNeighbours(n_neighbors=5, kind_sel="mode"),
    ],
)
def test_check_dataset_cleaning_properties(sampler):
    X, y = sample_dataset_generator()
    before = Counter(y.tolist())
    X_res, y_res = sampler.fit_resample(X, y)
    after = Counter(y_res.tolist())
    minority = min(before, key=before.get)
    assert after[minority] == before[minority]
    assert all(after[c] < before[c] for c in before if c != minority)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    sampler.set_params(sampling_strategy=[2, 0])
    _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist())[1] == before[1]


# ------------------------------------------------------------------ brute-force oracle, with ties
def _oracle_neighbours(X, k):
    """k nearest other rows by (distance, index), from the full distance matrix."""
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


def _oracle_tomek(X, y, targeted):
    nn = _oracle_neighbours(X, 1)[:, 0]
    return [
        i for i in range(len(y)) if not (y[i] in targeted and y[nn[i]] != y[i] and nn[nn[i]] == i)
    ]


def _oracle_enn(X, y, targeted, k, kind_sel):
    nn = _oracle_neighbours(X, k)
    kept = []
    for i in range(len(y)):
        labels = y[nn[i]].tolist()
        if y[i] not in targeted:
            kept.append(i)
        elif kind_sel == "all" and all(label == y[i] for label in labels):
            kept.append(i)
        elif kind_sel == "mode":
            counts = Counter(labels)
            top = max(counts.values())
            if min(c for c in counts if counts[c] == top) == y[i]:
                kept.append(i)
    return kept


@st.composite
def _labelled_grid(draw):
    """Small integer grids: many equal distances, so the tie rule is exercised."""
    n = draw(st.integers(6, 30))
    coords = draw(
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=n, max_size=n, unique=True
        )
    )
    y = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    if len(np.unique(y)) < 2:
        y[0] = (y[0] + 1) % 3
    return np.array(coords, dtype=float), y


@settings(max_examples=25, deadline=None)
@given(
    data=_labelled_grid(),
    strategy=st.sampled_from(["auto", "all", "not majority"]),
    k=st.integers(1, 4),
    kind_sel=st.sampled_from(["all", "mode"]),
)
def test_matches_brute_force_oracle_with_ties(data, strategy, k, kind_sel):
    X, y = data
    tomek = TomekLinks(sampling_strategy=strategy)
    X_res, y_res = tomek.fit_resample(X, y)
    targeted = set(tomek.sampling_strategy_)
    assert tomek.sample_indices_.tolist() == _oracle_tomek(X, y, targeted)
    untouched = [c for c in np.unique(y).tolist() if c not in targeted]
    for c in untouched:  # classes not targeted are kept in full
        assert np.sum(y_res == c) == np.sum(y == c)
    k = min(k, len(y) - 1)
    enn = EditedNearestNeighbours(sampling_strategy=strategy, n_neighbors=k, kind_sel=kind_sel)
    X_res, y_res = enn.fit_resample(X, y)
    assert enn.sample_indices_.tolist() == _oracle_enn(X, y, targeted, k, kind_sel)
    np.testing.assert_array_equal(X_res, X[enn.sample_indices_])
    for c in untouched:
        assert np.sum(y_res == c) == np.sum(y == c)


# ------------------------------------------------------------------ containers and dtypes
@pytest.mark.parametrize("make", [TomekLinks, lambda: EditedNearestNeighbours(kind_sel="mode")])
def test_sparse_equals_dense(make):
    X, y = DATASETS[1]
    X = np.where(np.abs(X) < 0.5, 0.0, X)  # really sparse
    dense_sampler, sparse_sampler = make(), make()
    X_dense, y_dense = dense_sampler.fit_resample(X, y)
    X_sparse, y_sparse = sparse_sampler.fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse) and X_sparse.format == "csr"
    np.testing.assert_array_equal(sparse_sampler.sample_indices_, dense_sampler.sample_indices_)
    np.testing.assert_array_equal(X_sparse.toarray(), X_dense)
    np.testing.assert_array_equal(y_sparse, y_dense)
    X_csc, _ = make().fit_resample(sp.csc_matrix(X), y)
    assert X_csc.format == "csc"


@pytest.mark.parametrize("make", [TomekLinks, EditedNearestNeighbours])
def test_containers_round_trip(make):
    X, y = DATASETS[1]
    X32 = X.astype(np.float32)
    names = np.array(["dog", "cat", "emu"], dtype=object)
    ref = make()
    X_ref, y_ref = ref.fit_resample(X32, y)
    assert X_ref.dtype == np.float32
    frame = pd.DataFrame(
        X32, columns=[f"f{i}" for i in range(X.shape[1])], index=np.arange(len(y)) + 100
    )
    X_df, y_s = make().fit_resample(frame, pd.Series(names[y], name="animal"))
    assert list(X_df.columns) == list(frame.columns) and (X_df.dtypes == np.float32).all()
    assert (
        X_df.index.equals(frame.index[ref.sample_indices_]) and y_s.name == "animal"
    )  # labels kept
    np.testing.assert_array_equal(X_df.to_numpy(), X_ref)
    np.testing.assert_array_equal(y_s.to_numpy(), names[y_ref])
    X_t, y_t = make().fit_resample(torch.from_numpy(X32), torch.from_numpy(y))
    assert isinstance(X_t, torch.Tensor) and X_t.dtype == torch.float32
    np.testing.assert_array_equal(X_t.numpy(), X_ref)
    np.testing.assert_array_equal(y_t.numpy(), y_ref)
    X_list, y_list = make().fit_resample(X.tolist(), names[y].tolist())
    assert isinstance(X_list, list) and list(y_list) == names[make().fit_resample(X, y)[1]].tolist()


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("make", [TomekLinks, EditedNearestNeighbours])
def test_bad_data_errors(make):
    X, y = DATASETS[0]
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        make().fit_resample(X_nan, y)
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        make().fit_resample(X, np.zeros(len(y), dtype=int))
    with pytest.raises(InvalidParameterError, match="cleaning method"):
        make(sampling_strategy={0: 10}).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="not in y"):
        make(sampling_strategy=[7]).fit_resample(X, y)


def test_enn_parameter_errors():
    X = np.arange(10.0).reshape(5, 2)
    y = np.array([0, 0, 0, 1, 1])
    with pytest.raises(
        InvalidInputError,
        match=r"'n_neighbors' parameter of EditedNearestNeighbours.*got 5.*at most 4",
    ):
        EditedNearestNeighbours(n_neighbors=5).fit_resample(X, y)
    EditedNearestNeighbours(n_neighbors=4).fit_resample(X, y)  # the largest that fits
    with pytest.raises(
        InvalidParameterError, match=r"'n_neighbors' parameter .* range \[1, inf\); got 0"
    ):
        EditedNearestNeighbours(n_neighbors=0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'kind_sel' parameter"):
        EditedNearestNeighbours(kind_sel="majority").fit_resample(X, y)


def test_high_dimensional_data_uses_the_torch_back_end_and_still_agrees():
    # High-dimensional dense data goes to the blocked torch engine.
    from imblearn.under_sampling import NearMiss as ImbNearMiss

    from equipoise.neighbors import choose_method
    from equipoise.resample import NearMiss

    assert choose_method(300, 70, 4) == "torch"
    X, y = make_classification(
        n_samples=300,
        n_features=70,
        n_informative=10,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        random_state=4,
    )
    pairs = [
        (TomekLinks(sampling_strategy="all"), ImbTomek(sampling_strategy="all")),
        (
            EditedNearestNeighbours(n_neighbors=4, kind_sel="mode"),
            ImbENN(n_neighbors=4, kind_sel="mode"),
        ),
        (NearMiss(version=2), ImbNearMiss(version=2)),
    ]
    for ours, ref in pairs:
        ours.fit_resample(X, y)
        ref.fit_resample(X, y)
        assert set(ours.sample_indices_.tolist()) == set(ref.sample_indices_.tolist()), type(
            ours
        ).__name__
