"""SMOTEN, SVMSMOTE and KMeansSMOTE: their rules checked against imbalanced-learn's pieces (VDM,
support vectors, danger/noise sets, cluster sparsity), class counts, where the synthetic rows
lie, categorical containers, clear errors."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics.pairwise import ValueDifferenceMetric
from imblearn.over_sampling import SMOTEN as ImbSMOTEN
from imblearn.over_sampling import SVMSMOTE as ImbSVMSMOTE
from imblearn.over_sampling import KMeansSMOTE as ImbKMeansSMOTE
from scipy.stats import mode
from sklearn.cluster import MiniBatchKMeans
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OrdinalEncoder
from sklearn.svm import SVC

from equipoise.datasets import load_dataset
from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import SMOTEN, SVMSMOTE, KMeansSMOTE


def _on_segment(points, a, b, low=0.0, high=1.0, tol=1e-6):
    """Whether each point is a + t (b - a) for some t in [low, high]."""
    d = b - a
    t = np.einsum("ij,ij->i", points - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-300)
    close = np.linalg.norm(a + t[:, None] * d - points, axis=1) <= tol * (
        1 + np.linalg.norm(points, axis=1)
    )
    return close & (t >= low - tol) & (t <= high + tol)


# ------------------------------------------------------------------ SMOTEN
@pytest.mark.parametrize("name", ["car-good", "flare-F", "kr-vs-k-zero_vs_eight"])
def test_smoten_rows_are_vdm_neighbourhood_modes(name):
    X, y = load_dataset(name, as_frame=True)
    sampler = SMOTEN(k_neighbors=3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    X_ref, y_ref = ImbSMOTEN(k_neighbors=3, random_state=0).fit_resample(
        X.astype(object).to_numpy(), y.to_numpy()
    )
    assert Counter(y_res.tolist()) == Counter(y_ref.tolist())
    assert isinstance(X_res, pd.DataFrame) and X_res.dtypes.equals(X.dtypes)  # categories kept
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X.reset_index(drop=True))
    # Oracle: imbalanced-learn's VDM, the 4 nearest rows of the class (itself included, equal
    # distances by index), each column's most frequent value (scipy.stats.mode: the smallest).
    encoder = OrdinalEncoder(dtype=np.int32)
    codes = encoder.fit_transform(X.astype(object).to_numpy())
    vdm = ValueDifferenceMetric(n_categories=[len(c) for c in encoder.categories_]).fit(
        codes, y.to_numpy()
    )
    minority = np.flatnonzero(y.to_numpy() == 1)
    neighbourhood = np.argsort(vdm.pairwise(codes[minority]), axis=1, kind="stable")[:, :4]
    modes = mode(codes[minority][neighbourhood], axis=1, keepdims=False).mode
    possible = set(map(tuple, encoder.inverse_transform(modes).tolist()))
    made = X_res.iloc[len(X) :].astype(object).to_numpy()
    assert len(made) == sampler.n_synthetic_ > 0
    assert set(map(tuple, made.tolist())) <= possible


def test_smoten_vdm_and_worked_example():
    # 'red' occurs with both classes half the time, 'blue' only with class 1: delta(red, blue) = 1.
    X = np.array([["red"], ["red"], ["red"], ["red"], ["blue"], ["blue"]], dtype=object)
    y = np.array([0, 0, 1, 1, 1, 1])
    sampler = SMOTEN(k_neighbors=1, random_state=0, sampling_strategy={0: 4})
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.categories_[0].tolist() == ["blue", "red"]
    np.testing.assert_allclose(sampler.class_probabilities_[0], [[0.0, 1.0], [0.5, 0.5]])
    assert X_res[6:].ravel().tolist() == ["red", "red"] and y_res.tolist() == [
        0,
        0,
        1,
        1,
        1,
        1,
        0,
        0,
    ]
    # Numeric codes, NaN as a category, and tensors of codes work the same way.
    X_num = np.array(
        [
            [0.0, 1.0],
            [0.0, np.nan],
            [1.0, 1.0],
            [1.0, np.nan],
            [0.0, 1.0],
            [1.0, 1.0],
            [0.0, np.nan],
            [1.0, 1.0],
        ]
    )
    X_new, _ = SMOTEN(k_neighbors=2, random_state=0).fit_resample(
        X_num, np.array([0, 0, 0, 0, 0, 1, 1, 1])
    )
    assert X_new.dtype == np.float64 and set(np.unique(X_new[8:, 0])) <= {0.0, 1.0}
    with pytest.raises(InvalidInputError, match="sparse"):
        import scipy.sparse as sp

        SMOTEN().fit_resample(sp.csr_matrix(np.eye(10)), np.r_[np.zeros(7), np.ones(3)])
    with pytest.raises(
        InvalidInputError,
        match=r"'k_neighbors' parameter of SMOTEN.*Class 0 has 2 sample\(s\): lower k_neighbors to at most 1",
    ):
        SMOTEN().fit_resample(X, y)


# ------------------------------------------------------------------ SVMSMOTE
@pytest.mark.parametrize("name", ["ecoli1", "pima", "glass1"])
def test_svmsmote_support_vectors_and_where_rows_lie(name):
    X, y = load_dataset(name)
    sampler = SVMSMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == Counter(
        ImbSVMSMOTE(random_state=0).fit_resample(X, y)[1].tolist()
    )
    # Support vectors and the danger / noise split of imbalanced-learn's rule, m = 10.
    svm = SVC(gamma="scale").fit(X, y)
    vectors = np.sort(svm.support_[y[svm.support_] == 1])
    others = (
        y[
            NearestNeighbors(n_neighbors=11)
            .fit(X)
            .kneighbors(X[vectors], return_distance=False)[:, 1:]
        ]
        != 1
    ).sum(axis=1)
    assert sampler.support_indices_[1].tolist() == vectors[others < 10].tolist()
    assert sampler.danger_indices_[1].tolist() == vectors[(others >= 5) & (others < 10)].tolist()
    # Each synthetic row: on a segment from a danger vector towards one of its 5 class neighbours
    # (u in [0, 1]), or beyond a safe vector away from one (x + u (x - x_nn), u in [0, 0.5]).
    minority = np.flatnonzero(y == 1)
    nn = NearestNeighbors(n_neighbors=6).fit(X[minority])
    new = X_res[len(X) :]
    explained = np.zeros(len(new), dtype=bool)
    danger = set(sampler.danger_indices_[1].tolist())
    for v in sampler.support_indices_[1]:
        for j in nn.kneighbors(X[v : v + 1], return_distance=False)[0, 1:]:
            a, b = np.broadcast_to(X[v], new.shape), np.broadcast_to(X[minority[j]], new.shape)
            explained |= (
                _on_segment(new, a, b) if v in danger else _on_segment(new, a, 2 * a - b, 0.0, 0.5)
            )
    assert explained.all()


def test_svmsmote_errors_and_one_sided_groups():
    X, y = make_classification(
        n_samples=200,
        n_features=2,
        n_informative=2,
        n_redundant=0,
        weights=[0.9],
        class_sep=3.0,
        random_state=0,
    )
    sampler = SVMSMOTE(random_state=0)
    _, y_res = sampler.fit_resample(X, y)  # well separated: every support vector is safe
    assert (
        len(sampler.danger_indices_[1]) == 0
        and Counter(y_res.tolist())[1] == Counter(y.tolist())[0]
    )
    rng = np.random.default_rng(0)
    X_noise = rng.normal(size=(120, 2))
    y_noise = np.r_[np.zeros(110, int), np.ones(10, int)]
    with pytest.raises(InvalidInputError, match="only noise among the support vectors of class 1"):
        SVMSMOTE(m_neighbors=3).fit_resample(np.r_[X_noise[:110], X_noise[:10] + 1e-3], y_noise)
    with pytest.raises(InvalidParameterError, match="'support_'"):
        SVMSMOTE(svm_estimator=MiniBatchKMeans(2)).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'out_step' parameter"):
        SVMSMOTE(out_step=-1.0).fit_resample(X, y)
    same = SVMSMOTE(k_neighbors=NearestNeighbors(n_neighbors=6), random_state=0).fit_resample(X, y)[
        0
    ]
    np.testing.assert_array_equal(same, SVMSMOTE(random_state=0).fit_resample(X, y)[0])


# ------------------------------------------------------------------ KMeansSMOTE
@pytest.mark.parametrize("name", ["glass1", "pima", "yeast1"])
def test_kmeans_smote_clusters_weights_and_segments(name):
    X, y = load_dataset(name)
    clusterer = MiniBatchKMeans(n_clusters=6, random_state=0)
    sampler = KMeansSMOTE(kmeans_estimator=clusterer, cluster_balance_threshold=0.3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    counts = Counter(y.tolist())
    assert Counter(y_res.tolist()) == {0: counts[0], 1: counts[0]}  # exactly the requested rows
    ref = ImbKMeansSMOTE(kmeans_estimator=clusterer, cluster_balance_threshold=0.3, random_state=0)
    _, y_ref = ref.fit_resample(X, y)
    assert (
        0 <= Counter(y_ref.tolist())[1] - counts[0] < len(sampler.cluster_weights_[1])
    )  # it rounds up
    # Same clusters kept, same weights (imbalanced-learn's sparsity, normalised).
    labels = sampler.cluster_labels_
    np.testing.assert_array_equal(labels, ref.kmeans_estimator_.labels_)
    kept = sampler.cluster_weights_[1]
    sparsity = {c: ref._find_cluster_sparsity(X[(labels == c) & (y == 1)]) for c in kept}
    total = sum(sparsity.values())
    assert kept == pytest.approx({c: s / total for c, s in sparsity.items()})
    for c in set(labels.tolist()) - set(kept):
        in_cluster = labels == c
        assert (y[in_cluster] == 1).mean() < 0.3 or (y[in_cluster] == 1).sum() < 3
    # Every synthetic row lies on a segment between a row and one of its 2 nearest same-class rows
    # of the same cluster.
    new = X_res[len(X) :]
    explained = np.zeros(len(new), dtype=bool)
    for c in kept:
        members = np.flatnonzero((labels == c) & (y == 1))
        nn = (
            NearestNeighbors(n_neighbors=3)
            .fit(X[members])
            .kneighbors(X[members], return_distance=False)[:, 1:]
        )
        for i, row in enumerate(members):
            for j in nn[i]:
                explained |= _on_segment(
                    new,
                    np.broadcast_to(X[row], new.shape),
                    np.broadcast_to(X[members[j]], new.shape),
                )
    assert explained.all()


def test_largest_remainder_and_errors():
    from equipoise.resample._kmeans_smote import largest_remainder

    assert largest_remainder(10, np.array([0.55, 0.3, 0.15])).tolist() == [6, 3, 1]
    assert largest_remainder(3, np.array([0.5, 0.5])).tolist() == [2, 1]
    assert largest_remainder(7, np.full(3, 1 / 3)).sum() == 7
    X, y = load_dataset("ecoli1")
    with pytest.raises(
        InvalidInputError,
        match=r"no cluster to over-sample class 1.*Lower cluster_balance_threshold",
    ):
        KMeansSMOTE(
            kmeans_estimator=3, cluster_balance_threshold=0.99, random_state=0
        ).fit_resample(X, y)
    single = KMeansSMOTE(kmeans_estimator=1, random_state=0)
    _, y_res = single.fit_resample(X, y)  # one cluster: plain SMOTE
    assert single.cluster_balance_threshold_[1] == -np.inf and Counter(y_res.tolist())[1] == 259
    with pytest.raises(InvalidParameterError, match="'density_exponent' parameter"):
        KMeansSMOTE(density_exponent="features").fit_resample(X, y)
    # Clusters whose minority rows coincide (zero sparsity everywhere) share the rows equally.
    X_dup = np.r_[np.zeros((20, 2)), np.full((5, 2), 10.0), np.full((5, 2), -10.0)]
    y_dup = np.r_[np.zeros(20, int), np.ones(10, int)]
    dup = KMeansSMOTE(kmeans_estimator=3, random_state=0)
    _, y_new = dup.fit_resample(X_dup, y_dup)
    assert (
        sorted(dup.cluster_weights_[1].values()) == [0.5, 0.5] and Counter(y_new.tolist())[1] == 20
    )
