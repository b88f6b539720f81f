"""CondensedNearestNeighbour and OneSidedSelection: for the seeds they drew, the rows a direct
implementation with scikit-learn's KNeighborsClassifier (and imbalanced-learn's TomekLinks for
OSS) keeps; Hart's consistency; multiclass, k > 1, sparse input; clear errors."""

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import TomekLinks as ImbTomek
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from equipoise.datasets import load_dataset
from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import CondensedNearestNeighbour, OneSidedSelection

SETS = {
    "glass1": load_dataset("glass1"),
    "ecoli1": load_dataset("ecoli1"),
    "3-class": make_classification(
        n_samples=300,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        random_state=0,
    ),
}


def _minority(y):
    counts = Counter(y.tolist())
    return min(sorted(counts), key=counts.get)


def _hart(X, y, seeds, k):
    """Hart's pass with a KNeighborsClassifier refitted after every addition."""
    minority = _minority(y)
    kept = []
    for label in sorted(set(y.tolist())):
        rows = np.flatnonzero(y == label)
        if label not in seeds:
            kept += rows.tolist()
            continue
        C = np.flatnonzero(y == minority).tolist() + seeds[label].tolist()
        knn = KNeighborsClassifier(k).fit(X[C], y[C])
        for i in rows:
            if i in C:
                continue
            if knn.predict(X[i : i + 1])[0] != label:
                C.append(i)
                knn = KNeighborsClassifier(k).fit(X[C], y[C])
        kept += [i for i in C if y[i] == label]
    return sorted(kept)


def _oss(X, y, seeds, k):
    minority = _minority(y)
    kept = []
    for label in sorted(set(y.tolist())):
        rows = np.flatnonzero(y == label)
        if label not in seeds:
            kept += rows.tolist()
            continue
        C = np.r_[np.flatnonzero(y == minority), seeds[label]]
        others = np.setdiff1d(rows, seeds[label])
        wrong = KNeighborsClassifier(k).fit(X[C], y[C]).predict(X[others]) != label
        kept += seeds[label].tolist() + others[wrong].tolist()
    kept = np.sort(kept)
    tomek = ImbTomek(sampling_strategy=list(seeds))
    tomek.fit_resample(X[kept], y[kept])
    return sorted(kept[tomek.sample_indices_].tolist())


CASES = [("glass1", 1), ("ecoli1", 3), ("3-class", 1), ("3-class", 3)]


@pytest.mark.parametrize("data, k", [("glass1", 1), ("3-class", 3)])
def test_cnn_is_harts_rule_and_consistent(data, k):
    X, y = SETS[data]
    cnn = CondensedNearestNeighbour(n_neighbors=k, n_seeds_S=2, random_state=0)
    X_res, y_res = cnn.fit_resample(X, y)
    kept = cnn.sample_indices_
    assert kept.tolist() == _hart(X, y, cnn.seed_indices_, k)
    np.testing.assert_array_equal(X_res, X[kept])
    minority = _minority(y)
    assert Counter(y_res.tolist())[minority] == Counter(y.tolist())[minority]
    for label, seeds in cnn.seed_indices_.items():
        assert (
            len(seeds) == 2
            and set(seeds.tolist()) <= set(kept.tolist())
            and np.all(y[seeds] == label)
        )
        # Consistent: the rule on the kept rows (plus the minority) classifies every dropped row correctly.
        C = np.r_[np.flatnonzero(y == minority), kept[y[kept] == label]]
        dropped = np.setdiff1d(np.flatnonzero(y == label), kept)
        assert len(dropped) > 0
        assert np.all(KNeighborsClassifier(k).fit(X[C], y[C]).predict(X[dropped]) == label)


@pytest.mark.parametrize("data, k", CASES)
def test_oss_is_the_imbalanced_learn_rule(data, k):
    X, y = SETS[data]
    oss = OneSidedSelection(n_neighbors=k, n_seeds_S=3, random_state=1)
    oss.fit_resample(X, y)
    assert oss.sample_indices_.tolist() == _oss(X, y, oss.seed_indices_, k)
    assert len(oss.sample_indices_) < len(y)


def test_seeds_are_random_but_reproducible():
    X, y = SETS["3-class"]
    first = CondensedNearestNeighbour(random_state=3)
    first.fit_resample(X, y)
    again = CondensedNearestNeighbour(random_state=3)
    again.fit_resample(X, y)
    other = CondensedNearestNeighbour(random_state=4)
    other.fit_resample(X, y)
    assert first.sample_indices_.tolist() == again.sample_indices_.tolist()
    assert {k: v.tolist() for k, v in first.seed_indices_.items()} != {
        k: v.tolist() for k, v in other.seed_indices_.items()
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda: CondensedNearestNeighbour(random_state=0, n_neighbors=3),
        lambda: OneSidedSelection(random_state=0),
    ],
)
def test_sparse_equals_dense_and_neighbour_objects(make):
    X, y = SETS["glass1"]
    dense, sparse = make(), make()
    X_dense, _ = dense.fit_resample(X, y)
    X_sparse, _ = sparse.fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse)
    np.testing.assert_array_equal(sparse.sample_indices_, dense.sample_indices_)
    # A KNeighborsClassifier counts as its n_neighbors (imbalanced-learn uses it directly).
    k = 3 if isinstance(dense, CondensedNearestNeighbour) else 1
    by_object = make().set_params(n_neighbors=KNeighborsClassifier(n_neighbors=k))
    by_object.fit_resample(X, y)
    np.testing.assert_array_equal(by_object.sample_indices_, dense.sample_indices_)


def test_errors():
    X, y = SETS["glass1"]
    with pytest.raises(
        InvalidInputError, match=r"'n_seeds_S' parameter of CondensedNearestNeighbour.*at most 138"
    ):
        CondensedNearestNeighbour(n_seeds_S=139).fit_resample(X, y)
    with pytest.raises(
        InvalidInputError, match=r"'n_neighbors' parameter of OneSidedSelection.*77 rows"
    ):
        OneSidedSelection(n_neighbors=78).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match=r"weights='distance'.*pass n_neighbors=3"):
        CondensedNearestNeighbour(
            n_neighbors=KNeighborsClassifier(3, weights="distance")
        ).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'n_neighbors' parameter"):
        OneSidedSelection(n_neighbors="3").fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'n_seeds_S' parameter"):
        OneSidedSelection(n_seeds_S=0).fit_resample(X, y)
    assert OneSidedSelection(n_neighbors=NearestNeighbors(n_neighbors=1)).fit_resample(X, y)[
        0
    ].shape[0] < len(y)


def test_tomek_search_of_oss_finds_every_link():
    # OSS finds the links from the rows outside the largest class only: the same links as
    # TomekLinks (which searches every row), ties included (integer grids).
    from equipoise.resample import TomekLinks
    from equipoise.resample._condensed import tomek_link_members

    rng = np.random.default_rng(0)
    for trial in range(30):
        n = int(rng.integers(5, 60))
        X = rng.integers(0, 6, size=(n, 2)).astype(float) if trial % 2 else rng.normal(size=(n, 3))
        X = np.unique(X, axis=0)
        y = rng.choice([0, 0, 0, 1, 2], size=len(X))
        if len(np.unique(y)) < 2:
            continue
        tomek = TomekLinks(sampling_strategy="all")
        tomek.fit_resample(X, y)
        np.testing.assert_array_equal(
            np.flatnonzero(~tomek_link_members(X, y)), tomek.sample_indices_
        )
