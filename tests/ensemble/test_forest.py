"""BalancedRandomForestClassifier: balancing per tree, any resampler, scikit-learn behaviour."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.ensemble import BalancedRandomForestClassifier as ImbBRF
from sklearn.base import clone
from sklearn.datasets import make_classification

from equipoise.ensemble import BalancedRandomForestClassifier
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
from equipoise.resample import SMOTE, RandomUnderSampler, TomekLinks

X, Y = make_classification(
    n_samples=400, n_classes=3, weights=[0.7, 0.2, 0.1], n_informative=4, random_state=0
)


def test_every_tree_sees_a_balanced_bootstrap_of_each_class():
    forest = BalancedRandomForestClassifier(n_estimators=6, random_state=0).fit(X, Y)
    n_min = min(Counter(Y).values())
    for tree, sampler, rows in zip(
        forest.estimators_, forest.samplers_, forest.estimators_samples_
    ):
        counts = Counter(Y[rows])
        assert set(counts.values()) == {n_min}  # 'all': every class shrunk to the minority's size
        assert len(np.unique(rows)) < len(rows)  # replacement=True: a bootstrap, duplicates drawn
        np.testing.assert_array_equal(rows, sampler.sample_indices_)
        assert tree.tree_.n_node_samples[0] == 3 * n_min
    # Each tree got its own draw.
    assert not np.array_equal(forest.estimators_samples_[0], forest.estimators_samples_[1])


def test_defaults_match_imbalanced_learn():
    ours = BalancedRandomForestClassifier().get_params()
    theirs = ImbBRF().get_params()
    assert ours.pop("sampler") is None
    assert ours == theirs


def test_same_seed_same_forest_and_generator_seed():
    a = BalancedRandomForestClassifier(n_estimators=5, random_state=3).fit(X, Y).predict_proba(X)
    b = BalancedRandomForestClassifier(n_estimators=5, random_state=3).fit(X, Y).predict_proba(X)
    c = BalancedRandomForestClassifier(n_estimators=5, random_state=4).fit(X, Y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    g1 = BalancedRandomForestClassifier(n_estimators=5, random_state=np.random.default_rng(1))
    g2 = BalancedRandomForestClassifier(n_estimators=5, random_state=np.random.default_rng(1))
    np.testing.assert_array_equal(g1.fit(X, Y).predict_proba(X), g2.fit(X, Y).predict_proba(X))
    assert isinstance(
        g1.get_params()["random_state"], np.random.Generator
    )  # the user's object, restored


def test_warm_start_grows_the_same_forest_as_one_fit():
    cold = BalancedRandomForestClassifier(n_estimators=6, random_state=0).fit(X, Y)
    warm = BalancedRandomForestClassifier(n_estimators=3, random_state=0, warm_start=True).fit(X, Y)
    warm.set_params(n_estimators=6).fit(X, Y)
    np.testing.assert_array_equal(cold.predict_proba(X), warm.predict_proba(X))


@pytest.mark.parametrize("sampler", ["smote", SMOTE(k_neighbors=3), "tomek-links"])
def test_any_resampler_by_name_or_instance(sampler):
    forest = BalancedRandomForestClassifier(n_estimators=4, random_state=0, sampler=sampler).fit(
        X, Y
    )
    assert forest.score(X, Y) > 0.9
    fitted = forest.samplers_[0]
    if isinstance(fitted, SMOTE):
        # 'all' for an over-sampler: every class grown to the majority's size
        assert forest.estimators_[0].tree_.n_node_samples[0] == 3 * max(Counter(Y).values())
        assert forest.samplers_[0].random_state != forest.samplers_[1].random_state
    else:
        assert isinstance(fitted, TomekLinks)
    if not isinstance(sampler, str):
        assert sampler.get_params()["sampling_strategy"] == "auto"  # the user's object is untouched


def test_strategy_in_user_labels_and_none_keeps_the_samplers_own():
    labels = np.array(["bird", "cat", "dog"])[Y]
    forest = BalancedRandomForestClassifier(
        n_estimators=3, random_state=0, sampling_strategy={"bird": 50, "cat": 40, "dog": 30}
    ).fit(X, labels)
    assert Counter(labels[forest.estimators_samples_[0]]) == {"bird": 50, "cat": 40, "dog": 30}
    assert set(forest.predict(X)) <= {"bird", "cat", "dog"}
    own = RandomUnderSampler(sampling_strategy={"bird": 60})
    forest = BalancedRandomForestClassifier(
        n_estimators=2, random_state=0, sampler=own, sampling_strategy=None
    ).fit(X, labels)
    assert Counter(labels[forest.estimators_samples_[0]])["bird"] == 60
    picked = BalancedRandomForestClassifier(
        n_estimators=2,
        random_state=0,
        sampling_strategy=lambda y: {"bird": int((y == "bird").sum() // 2)},
    ).fit(X, labels)
    assert Counter(labels[picked.estimators_samples_[0]])["bird"] == Counter(labels)["bird"] // 2


def test_pandas_and_feature_names():
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    forest = BalancedRandomForestClassifier(n_estimators=3, random_state=0).fit(frame, pd.Series(Y))
    assert list(forest.feature_names_in_) == list(frame.columns)
    assert forest.predict(frame).shape == (len(frame),)


def test_bootstrap_after_balancing_and_out_of_bag_score():
    forest = BalancedRandomForestClassifier(
        n_estimators=20, random_state=0, bootstrap=True, replacement=False, oob_score=True
    ).fit(X, Y)
    n_min = min(Counter(Y).values())
    for rows, sampler in zip(forest.estimators_samples_, forest.samplers_):
        assert len(rows) == 3 * n_min and set(rows) <= set(sampler.sample_indices_)
    # Out of bag: rows the tree did not learn from, including the majority rows the sampler dropped.
    assert forest.oob_decision_function_.shape == (len(Y), 3)
    np.testing.assert_allclose(forest.oob_decision_function_.sum(axis=1), 1.0)
    assert 0.6 < forest.oob_score_ < 1.0
    assert forest.get_params()["bootstrap"] is True and forest.get_params()["oob_score"] is True


def test_sample_weight_follows_the_kept_rows_and_balanced_subsample():
    weights = np.where(Y == 2, 0.0, 1.0)
    weights[Y == 2] = 0.0
    forest = BalancedRandomForestClassifier(n_estimators=3, random_state=0).fit(
        X, Y, sample_weight=weights
    )
    # Class 2 rows carry no weight: no tree can predict it with a positive probability.
    assert forest.predict_proba(X)[:, 2].max() == 0.0
    sub = BalancedRandomForestClassifier(
        n_estimators=3, random_state=0, class_weight="balanced_subsample"
    )
    assert sub.fit(X, Y).get_params()["class_weight"] == "balanced_subsample"


def test_clear_errors():
    with pytest.raises(InvalidParameterError, match="synthesises rows"):
        BalancedRandomForestClassifier(n_estimators=2, sampler="smote").fit(
            X, Y, sample_weight=np.arange(len(Y)) + 1.0
        )
    with pytest.raises(InvalidParameterError, match="oob_score needs a sampler that selects rows"):
        BalancedRandomForestClassifier(
            n_estimators=2, sampler="smote", bootstrap=True, oob_score=True
        ).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="needs bootstrap=True"):
        BalancedRandomForestClassifier(max_samples=0.5).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="bootstrap=True"):
        BalancedRandomForestClassifier(oob_score=True).fit(X, Y)
    with pytest.raises(InvalidInputError, match="one target column"):
        BalancedRandomForestClassifier().fit(X, np.c_[Y, Y])
    with pytest.raises(UnknownNameError, match="smote"):
        BalancedRandomForestClassifier(sampler="smot").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="not in y"):
        BalancedRandomForestClassifier(sampling_strategy={7: 3}).fit(X, Y)
    with pytest.raises(InvalidInputError, match="left no sample"):
        BalancedRandomForestClassifier(n_estimators=2, sampling_strategy={0: 5, 1: 0}).fit(X, Y)


def test_clone_keeps_the_sampler_unfitted():
    sampler = SMOTE(k_neighbors=2)
    forest = BalancedRandomForestClassifier(n_estimators=2, sampler=sampler, random_state=0)
    twin = clone(forest)
    assert twin.sampler is not sampler and twin.sampler.get_params() == sampler.get_params()
    twin.fit(X, Y)
    assert not hasattr(sampler, "sampling_strategy_")


def test_parallel_trees_give_the_same_forest():
    serial = BalancedRandomForestClassifier(n_estimators=4, random_state=0).fit(X, Y)
    threads = BalancedRandomForestClassifier(n_estimators=4, random_state=0, n_jobs=2).fit(X, Y)
    np.testing.assert_array_equal(serial.predict_proba(X), threads.predict_proba(X))
