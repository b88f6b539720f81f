"""RepeatedEditedNearestNeighbours, AllKNN and NeighbourhoodCleaningRule: the rows imbalanced-learn
removes (KEEL sets, 3-class data, a 10-class 64-feature set), a brute-force oracle with tied
distances, the stopping rules, NearestNeighbors objects and clear errors."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import AllKNN as ImbAllKNN
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import NeighbourhoodCleaningRule as ImbNCR
from imblearn.under_sampling import RepeatedEditedNearestNeighbours as ImbRENN
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from equipoise.datasets import load_dataset
from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import (
    AllKNN,
    EditedNearestNeighbours,
    NeighbourhoodCleaningRule,
    RepeatedEditedNearestNeighbours,
)

# KEEL sets without duplicate rows (2-decimal features: many tied distances), a 3-class set and
# digits with 10 classes and 64 features (the k-NN engine's torch path).
KEEL = ["ecoli1", "glass1", "pima", "abalone9-18"]


def _sets():
    out = {name: load_dataset(name) for name in KEEL}
    out["3-class"] = make_classification(
        n_samples=300,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        class_sep=0.7,
        random_state=0,
    )
    out["digits-lt-10"] = load_dataset("digits-lt-10")
    return out


SETS = _sets()


def _same_rows(ours, ref, X, y):
    ours.fit_resample(X, y)
    ref.fit_resample(X, y)
    assert set(ours.sample_indices_.tolist()) == set(ref.sample_indices_.tolist()), ours
    assert np.all(np.diff(ours.sample_indices_) > 0)  # original order
    return len(y) - len(ours.sample_indices_)


@pytest.mark.parametrize("data", list(SETS))
def test_same_rows_as_imbalanced_learn(data):
    X, y = SETS[data]
    configs = (
        [("all", 3, "auto")]
        if data == "digits-lt-10"
        else [("all", 3, "auto"), ("mode", 5, "all"), ("all", 1, "not majority")]
    )
    removed = 0
    for kind, k, strategy in configs:
        removed += _same_rows(
            RepeatedEditedNearestNeighbours(
                n_neighbors=k, kind_sel=kind, sampling_strategy=strategy
            ),
            ImbRENN(n_neighbors=k, kind_sel=kind, sampling_strategy=strategy),
            X,
            y,
        )
        removed += _same_rows(
            AllKNN(n_neighbors=k, kind_sel=kind, sampling_strategy=strategy),
            ImbAllKNN(n_neighbors=k, kind_sel=kind, sampling_strategy=strategy),
            X,
            y,
        )
        threshold = 3.0 if k == 1 else 0.5
        ours = NeighbourhoodCleaningRule(
            n_neighbors=k, sampling_strategy=strategy, threshold_cleaning=threshold
        )
        ref = ImbNCR(n_neighbors=k, sampling_strategy=strategy, threshold_cleaning=threshold)
        removed += _same_rows(ours, ref, X, y)
        assert sorted(ours.classes_to_clean_) == sorted(ref.classes_to_clean_)
    if data == "3-class":
        _same_rows(
            NeighbourhoodCleaningRule(
                edited_nearest_neighbours=EditedNearestNeighbours(n_neighbors=4)
            ),
            ImbNCR(edited_nearest_neighbours=ImbENN(n_neighbors=4)),
            X,
            y,
        )
    assert removed > 0


def test_renn_stops_when_nothing_changes_and_counts_its_passes():
    X, y = load_dataset("vehicle0")
    renn = RepeatedEditedNearestNeighbours()
    renn.fit_resample(X, y)
    ref = ImbRENN()
    ref.fit_resample(X, y)
    assert renn.n_iter_ == ref.n_iter_ > 1
    # A final pass over the result changes nothing ... unless a stopping rule fired earlier.
    X_res, y_res = X[renn.sample_indices_], y[renn.sample_indices_]
    again = EditedNearestNeighbours().fit(X_res, y_res)
    again.fit_resample(X_res, y_res)
    stopped_early = min(Counter(y_res.tolist()).values()) < min(Counter(y.tolist()).values())
    assert stopped_early or len(again.sample_indices_) == len(y_res)
    one = RepeatedEditedNearestNeighbours(max_iter=1)
    one.fit_resample(X, y)
    enn = EditedNearestNeighbours()
    enn.fit_resample(X, y)
    assert one.n_iter_ == 1 and one.sample_indices_.tolist() == enn.sample_indices_.tolist()


def test_stopping_rules_worked_example():
    # Class 1 (0, 2, 4) is the minority. ENN with k=1 removes the class-0 rows whose nearest
    # neighbour is class 1 (0.9 and 3.1): class 0 is left with 2 rows < 3, so both RENN and AllKNN
    # stop after that pass (and keep its result).
    X = np.array([[0.0], [0.9], [2.0], [3.1], [4.0], [7.0], [8.0]])
    y = np.array([1, 0, 1, 0, 1, 0, 0])
    renn = RepeatedEditedNearestNeighbours(n_neighbors=1)
    renn.fit_resample(X, y)
    assert renn.sample_indices_.tolist() == [0, 2, 4, 5, 6] and renn.n_iter_ == 1
    allknn = AllKNN(n_neighbors=3)
    allknn.fit_resample(X, y)
    assert allknn.sample_indices_.tolist() == [0, 2, 4, 5, 6] and allknn.n_iter_ == 1
    # allow_minority=True goes on with k=2 and k=3. 'auto' is re-resolved before every pass (as in
    # imbalanced-learn): class 0 is now the minority, so class 1 is edited, until it is gone.
    free = AllKNN(n_neighbors=3, allow_minority=True)
    free.fit_resample(X, y)
    assert free.sample_indices_.tolist() == [5, 6] and free.n_iter_ == 3
    for ours, ref in (
        (renn, ImbRENN(n_neighbors=1)),
        (allknn, ImbAllKNN(n_neighbors=3)),
        (free, ImbAllKNN(n_neighbors=3, allow_minority=True)),
    ):
        ref.fit_resample(X, y)
        assert set(ours.sample_indices_.tolist()) == set(ref.sample_indices_.tolist())


def test_ncr_worked_example_and_its_two_steps():
    # k=3. A1 (ENN, mode): 5.5 (class 0) sits between 5.0 (class 1) and 6.0, 4.0 -> kept by mode;
    # the class-1 row 5.0 votes {itself, 5.5, 4.0} -> misclassified, so its 3 nearest other rows
    # 5.5, 6.0, 4.0 (class 0, which has 7 > 0.5 * 3 rows) go in A2.
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [5.5], [6.0], [9.0], [10.0]])
    y = np.array([0, 0, 0, 0, 0, 1, 0, 0, 1, 1])
    ncr = NeighbourhoodCleaningRule(n_neighbors=3)
    ncr.fit_resample(X, y)
    assert ncr.sample_indices_.tolist() == [0, 1, 2, 3, 5, 8, 9]
    assert ncr.classes_to_clean_ == [0]
    assert ncr.edited_nearest_neighbours_.sample_indices_.tolist() == list(range(10))
    ref = ImbNCR(n_neighbors=3)
    ref.fit_resample(X, y)
    assert set(ref.sample_indices_.tolist()) == set(ncr.sample_indices_.tolist())
    # A class with fewer than threshold_cleaning * n_minority rows is not cleaned in step 2.
    strict = NeighbourhoodCleaningRule(n_neighbors=3, threshold_cleaning=7 / 3)
    strict.fit_resample(X, y)
    assert strict.classes_to_clean_ == [] and len(strict.sample_indices_) == 10


# ------------------------------------------------------------------ oracle with tied distances
def _oracle_enn_pass(X, y, rows, k, kind_sel, targeted):
    """ENN on X[rows] by (distance, position); returns the kept rows grouped by class."""
    Xs, ys = X[rows], y[rows]
    d = np.sqrt(((Xs[:, None] - Xs[None]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1, kind="stable")[:, :k]
    keep = []
    for i in range(len(rows)):
        labels = ys[nn[i]]
        if ys[i] not in targeted:
            keep.append(i)
        elif kind_sel == "all":
            if np.all(labels == ys[i]):
                keep.append(i)
        else:
            counts = Counter(labels.tolist())
            if min(c for c in counts if counts[c] == max(counts.values())) == ys[i]:
                keep.append(i)
    kept = rows[keep]
    return kept[np.argsort(y[kept], kind="stable")]


def _not_minority(y):
    counts = Counter(y.tolist())
    minority = min(sorted(counts), key=counts.get)
    return {c for c in counts if c != minority}


def _oracle_renn(X, y, k, kind_sel, max_iter=100):
    counts = Counter(y.tolist())
    minority = min(sorted(counts), key=counts.get)
    rows = np.arange(len(y))
    for _ in range(max_iter):
        kept = _oracle_enn_pass(X, y, rows, k, kind_sel, _not_minority(y[rows]))
        converged = len(kept) == len(rows)
        rows = kept
        now = Counter(y[rows].tolist())
        if (
            converged
            or any(n < counts[minority] for c, n in now.items() if c != minority)
            or len(now) < len(counts)
        ):
            break
    return sorted(rows.tolist())


def _oracle_ncr(X, y, k, threshold=0.5):
    counts = Counter(y.tolist())
    minority = min(sorted(counts), key=counts.get)
    targeted = _not_minority(y)
    d = np.sqrt(((X[:, None] - X[None]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1, kind="stable")[:, :k]
    removed = set(range(len(y))) - set(
        _oracle_enn_pass(X, y, np.arange(len(y)), k, "mode", targeted).tolist()
    )
    clean = {c for c in targeted if counts[c] > threshold * counts[minority]}
    for i in np.flatnonzero(y == minority):
        votes = Counter([minority] + y[nn[i, : k - 1]].tolist())
        predicted = min(c for c in votes if votes[c] == max(votes.values()))
        if predicted != minority:
            removed |= {j for j in nn[i].tolist() if y[j] in clean}
    return sorted(set(range(len(y))) - removed)


@st.composite
def _labelled_grid(draw):
    n = draw(st.integers(8, 30))
    coords = draw(
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=n, max_size=n, unique=True
        )
    )
    y = np.array(draw(st.lists(st.sampled_from([0, 0, 1, 2]), min_size=n, max_size=n)))
    if len(np.unique(y)) < 2:
        y[0] = 2 - y[0]
    return np.array(coords, dtype=float), y


@settings(max_examples=25, deadline=None)
@given(data=_labelled_grid(), k=st.integers(1, 3), kind_sel=st.sampled_from(["all", "mode"]))
def test_matches_brute_force_oracle_with_ties(data, k, kind_sel):
    X, y = data
    renn = RepeatedEditedNearestNeighbours(n_neighbors=k, kind_sel=kind_sel)
    try:
        renn.fit_resample(X, y)
    except InvalidInputError:  # a pass left k rows or fewer
        return
    assert renn.sample_indices_.tolist() == _oracle_renn(X, y, k, kind_sel)
    ncr = NeighbourhoodCleaningRule(n_neighbors=k)
    ncr.fit_resample(X, y)
    assert ncr.sample_indices_.tolist() == _oracle_ncr(X, y, k)


# ------------------------------------------------------------------ parameters and errors
def test_nearest_neighbors_objects_count_as_in_imbalanced_learn():
    X, y = SETS["ecoli1"]
    for cls in (RepeatedEditedNearestNeighbours, AllKNN, NeighbourhoodCleaningRule):
        with_object = cls(n_neighbors=NearestNeighbors(n_neighbors=4))
        with_object.fit_resample(X, y)
        with_int = cls(n_neighbors=3)
        with_int.fit_resample(X, y)
        assert with_object.sample_indices_.tolist() == with_int.sample_indices_.tolist()
    with pytest.raises(InvalidParameterError, match=r"metric='manhattan'.*pass n_neighbors=3"):
        AllKNN(n_neighbors=NearestNeighbors(n_neighbors=4, metric="manhattan")).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="leaves 0 neighbour"):
        RepeatedEditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=1)).fit_resample(
            X, y
        )
    with pytest.raises(InvalidParameterError, match="Pass the int you mean"):
        NeighbourhoodCleaningRule(n_neighbors=KNeighborsClassifier(3)).fit_resample(X, y)


def test_callable_strategy_and_errors():
    X, y = SETS["3-class"]
    by_list = AllKNN(sampling_strategy=[0])
    by_list.fit_resample(X, y)
    by_callable = AllKNN(sampling_strategy=lambda labels: [0])
    by_callable.fit_resample(X, y)
    assert by_list.sample_indices_.tolist() == by_callable.sample_indices_.tolist()
    with pytest.raises(InvalidParameterError, match="must return a list of the classes"):
        RepeatedEditedNearestNeighbours(sampling_strategy=lambda labels: {0: 10}).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="cleaning method"):
        NeighbourhoodCleaningRule(sampling_strategy={0: 10}).fit_resample(X, y)
    small_X, small_y = X[:6], np.array([0, 0, 0, 1, 1, 1])
    for sampler in (
        RepeatedEditedNearestNeighbours(n_neighbors=6),
        AllKNN(n_neighbors=6),
        NeighbourhoodCleaningRule(n_neighbors=6),
    ):
        with pytest.raises(
            InvalidInputError, match=r"'n_neighbors' parameter of \w+ must be smaller.*at most 5"
        ):
            sampler.fit_resample(small_X, small_y)
    with pytest.raises(InvalidParameterError, match="'max_iter' parameter"):
        RepeatedEditedNearestNeighbours(max_iter=0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'threshold_cleaning' parameter"):
        NeighbourhoodCleaningRule(threshold_cleaning=0.0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter"):
        AllKNN(n_jobs=0).fit_resample(X, y)
    default = AllKNN()
    default.fit_resample(X, y)
    for n_jobs in (1, -1):
        threaded = AllKNN(n_jobs=n_jobs)
        threaded.fit_resample(X, y)
        assert threaded.sample_indices_.tolist() == default.sample_indices_.tolist()
