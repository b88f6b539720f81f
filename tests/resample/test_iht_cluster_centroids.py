"""InstanceHardnessThreshold and ClusterCentroids: given the same classifier and folds (resp. the
same clustering), the rows and centroids imbalanced-learn 0.14 gives; their formulas on worked
cases; sparse input; clear errors."""

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import ClusterCentroids as ImbClusterCentroids
from imblearn.under_sampling import InstanceHardnessThreshold as ImbIHT
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import SVC

from equipoise.datasets import load_dataset
from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import ClusterCentroids, InstanceHardnessThreshold

KEEL = ["ecoli1", "glass1", "pima"]


# ------------------------------------------------------------------ InstanceHardnessThreshold
@pytest.mark.parametrize("name", KEEL + ["digits-lt-10"])
def test_iht_keeps_the_rows_imbalanced_learn_keeps(name):
    X, y = load_dataset(name)
    # imbalanced-learn builds StratifiedKFold(cv, shuffle=True, random_state=RandomState(0)); an
    # estimator without random_state leaves that RandomState untouched, so these folds are its folds.
    ours = InstanceHardnessThreshold(
        estimator=GaussianNB(), cv=StratifiedKFold(5, shuffle=True, random_state=0)
    )
    ours.fit_resample(X, y)
    ref = ImbIHT(estimator=GaussianNB(), cv=5, random_state=0)
    ref.fit_resample(X, y)
    assert set(ours.sample_indices_.tolist()) == set(ref.sample_indices_.tolist())


def test_iht_keeps_the_easiest_rows_by_cross_validated_probability():
    X, y = load_dataset("pima")
    folds = StratifiedKFold(4, shuffle=True, random_state=1)
    iht = InstanceHardnessThreshold(estimator=GaussianNB(), cv=folds, sampling_strategy={0: 300})
    iht.fit_resample(X, y)
    proba = cross_val_predict(GaussianNB(), X, y, cv=folds, method="predict_proba")
    np.testing.assert_allclose(iht.instance_hardness_, 1 - proba[np.arange(len(y)), y])
    majority = np.flatnonzero(y == 0)
    easiest = majority[np.argsort(-proba[majority, 0], kind="stable")[:300]]
    kept = iht.sample_indices_
    assert set(kept[y[kept] == 0].tolist()) == set(
        easiest.tolist()
    )  # distinct probabilities: exactly 300
    assert Counter(y[kept].tolist()) == {0: 300, 1: 268}
    assert iht.thresholds_[0] == pytest.approx(
        np.percentile(proba[majority, 0], 100 * (1 - 300 / 500))
    )


def test_iht_ties_at_the_threshold_are_kept():
    # A classifier that is sure about every row of class 0: all tie at p=1, all are kept.
    X = np.r_[np.zeros((40, 1)), np.ones((10, 1)) * 5]
    y = np.r_[np.zeros(40, int), np.ones(10, int)]
    iht = InstanceHardnessThreshold(estimator=GaussianNB(), random_state=0)
    iht.fit_resample(X + np.random.default_rng(0).normal(0, 1e-3, X.shape), y)
    assert Counter(y[iht.sample_indices_].tolist()) == {0: 40, 1: 10}
    assert iht.thresholds_[0] == pytest.approx(1.0)


def test_iht_default_forest_is_seeded_and_errors():
    X, y = load_dataset("glass1")
    default = InstanceHardnessThreshold(random_state=0, cv=2)
    default.fit_resample(X, y)
    assert (
        isinstance(default.estimator_, RandomForestClassifier)
        and default.estimator_.n_estimators == 100
    )
    assert default.estimator_.random_state is not None
    small = RandomForestClassifier(n_estimators=5)
    first = InstanceHardnessThreshold(estimator=small, random_state=0, cv=3)
    first.fit_resample(X, y)
    again = InstanceHardnessThreshold(estimator=small, random_state=0, cv=3)
    again.fit_resample(X, y)
    assert first.sample_indices_.tolist() == again.sample_indices_.tolist()
    assert small.random_state is None  # the user's estimator is cloned, not changed
    fixed = InstanceHardnessThreshold(
        estimator=RandomForestClassifier(n_estimators=5, random_state=7), random_state=0
    )
    fixed.fit_resample(X, y)
    assert fixed.estimator_.random_state == 7  # a seed the user set is kept
    with pytest.raises(
        InvalidInputError, match=r"'cv' parameter of InstanceHardnessThreshold.*at most 76"
    ):
        InstanceHardnessThreshold(cv=77).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
        InstanceHardnessThreshold(estimator=KMeans()).fit_resample(X, y)
    with pytest.raises(
        InvalidParameterError, match=r"methods 'fit', 'predict_proba' or None; got SVC\(\)"
    ):
        InstanceHardnessThreshold(estimator=SVC()).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'cv' parameter"):
        InstanceHardnessThreshold(cv=1).fit_resample(X, y)


# ------------------------------------------------------------------ ClusterCentroids
def _rows(X, y):
    return sorted(map(tuple, np.c_[X, y].round(9).tolist()))


@pytest.mark.parametrize("name", KEEL)
def test_cluster_centroids_match_imbalanced_learn(name):
    X, y = load_dataset(name)
    for voting in ("soft", "hard"):
        ours = ClusterCentroids(estimator=KMeans(n_init=1, random_state=0), voting=voting)
        X_res, y_res = ours.fit_resample(X, y)
        X_ref, y_ref = ImbClusterCentroids(
            estimator=KMeans(n_init=1, random_state=0), voting=voting
        ).fit_resample(X, y)
        assert X_res.dtype == X.dtype
        if voting == "soft" or name in ("ecoli1", "glass1"):
            assert _rows(X_res, y_res) == _rows(X_ref, y_ref)
        else:
            # Two-row clusters put their centroid midway between them: the nearest row is a tie,
            # which we give to the smaller row index; every chosen row is as near as imbalanced-learn's.
            assert Counter(y_res.tolist()) == Counter(y_ref.tolist())
        if voting == "soft":
            n_orig = len(y_res) - ours.n_synthetic_
            assert ours.n_synthetic_ == Counter(y.tolist()).most_common()[-1][1] * (
                len(set(y.tolist())) - 1
            )
            minority = min(Counter(y.tolist()), key=Counter(y.tolist()).get)
            assert np.all(y_res[:n_orig] == minority) and not hasattr(ours, "sample_indices_")
        else:
            np.testing.assert_array_equal(X_res, X[ours.sample_indices_])


def test_cluster_centroids_are_kmeans_centroids_and_sparse_means_hard():
    X, y = load_dataset("ecoli1")
    cc = ClusterCentroids(random_state=0)
    X_res, y_res = cc.fit_resample(X, y)
    assert cc.voting_ == "soft" and isinstance(cc.estimator_, KMeans)
    centres = X_res[-cc.n_synthetic_ :]
    km = KMeans(n_clusters=77, random_state=cc.estimator_.random_state).fit(X[y == 0])
    np.testing.assert_allclose(np.sort(centres, axis=0), np.sort(km.cluster_centers_, axis=0))
    hard = ClusterCentroids(estimator=KMeans(n_init=1, random_state=0))
    X_sparse, y_sparse = hard.fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse) and hard.voting_ == "hard" and hard.n_synthetic_ == 0
    np.testing.assert_array_equal(X_sparse.toarray(), X[hard.sample_indices_])
    explicit = ClusterCentroids(estimator=KMeans(n_init=1, random_state=0), voting="hard")
    explicit.fit_resample(X, y)
    np.testing.assert_array_equal(explicit.sample_indices_, hard.sample_indices_)
    with pytest.raises(InvalidParameterError, match="n_clusters"):
        ClusterCentroids(estimator=GaussianNB()).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'voting' parameter"):
        ClusterCentroids(voting="majority").fit_resample(X, y)
