"""BalancedBaggingClassifier, EasyEnsembleClassifier and RUSBoostClassifier."""

from collections import Counter

import numpy as np
import pytest
from imblearn import ensemble as imb
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier

from equipoise.ensemble import BalancedBaggingClassifier, EasyEnsembleClassifier, RUSBoostClassifier
from equipoise.exceptions import InvalidParameterError
from equipoise.pipeline import FunctionSampler, Pipeline
from equipoise.resample import SMOTE, RandomOverSampler

X, Y = make_classification(
    n_samples=300, n_classes=3, weights=[0.7, 0.2, 0.1], n_informative=4, random_state=0
)
ROW_ID = np.c_[np.arange(len(Y)), X]


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (BalancedBaggingClassifier, imb.BalancedBaggingClassifier),
        (EasyEnsembleClassifier, imb.EasyEnsembleClassifier),
        (RUSBoostClassifier, imb.RUSBoostClassifier),
    ],
)
def test_defaults_match_imbalanced_learn(ours, theirs):
    mine, ref = ours().get_params(), theirs().get_params()
    assert mine.pop("sampler") is None and ref.pop("sampler", None) is None
    ref.pop("algorithm", None)  # SAMME.R is gone from scikit-learn; imblearn keeps it deprecated
    assert mine == ref


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
def test_bagging_balances_each_bootstrap_sample():
    bag = BalancedBaggingClassifier(n_estimators=4, random_state=0).fit(ROW_ID, Y)
    for member, sampler, drawn in zip(bag.estimators_, bag.samplers_, bag.estimators_samples_):
        assert isinstance(member, Pipeline) and member[0] is sampler
        kept = ROW_ID[drawn][sampler.sample_indices_, 0].astype(
            int
        )  # original ids of the kept rows
        assert set(kept) <= set(drawn)
        counts = Counter(Y[kept])
        assert len(set(counts.values())) == 1 and len(counts) == 3  # balanced
    assert (
        0.0
        < BalancedBaggingClassifier(n_estimators=8, oob_score=True, random_state=0)
        .fit(X, Y)
        .oob_score_
        <= 1.0
    )


@pytest.mark.parametrize("sampler", ["smote", RandomOverSampler(), FunctionSampler()])
def test_bagging_takes_any_sampler(sampler):
    bag = BalancedBaggingClassifier(n_estimators=3, random_state=0, sampler=sampler).fit(X, Y)
    assert bag.score(X, Y) > 0.8
    if not isinstance(sampler, (str, FunctionSampler)):
        assert bag.samplers_[0].random_state != bag.samplers_[1].random_state
        assert sampler.random_state is None


def test_strategy_with_user_labels_and_generator_seed():
    labels = np.array(["a", "b", "c"])[Y]
    bag = BalancedBaggingClassifier(
        n_estimators=2,
        random_state=np.random.default_rng(0),
        bootstrap=False,
        sampling_strategy={"a": 20},
    ).fit(X, labels)
    kept = bag.estimators_samples_[0][bag.samplers_[0].sample_indices_]
    assert Counter(labels[kept])["a"] == 20 and Counter(labels[kept])["c"] == Counter(labels)["c"]
    assert set(bag.predict(X)) <= {"a", "b", "c"}
    keep_own = BalancedBaggingClassifier(
        n_estimators=2,
        random_state=0,
        bootstrap=False,
        sampler=SMOTE(sampling_strategy={"c": 100}),
        sampling_strategy=None,
    ).fit(X, labels)
    assert (
        Counter(keep_own.samplers_[0].fit_resample(X, np.searchsorted(["a", "b", "c"], labels))[1])[
            2
        ]
        == 100
    )


def test_easy_ensemble_members_see_every_row_then_under_sample():
    easy = EasyEnsembleClassifier(
        n_estimators=3, estimator=AdaBoostClassifier(n_estimators=5), random_state=0
    ).fit(X, Y)
    n_min = min(Counter(Y).values())
    for member, drawn in zip(easy.estimators_, easy.estimators_samples_):
        assert sorted(drawn) == list(range(len(Y)))  # no bootstrap: all rows, permuted
        assert isinstance(member[-1], AdaBoostClassifier)
        assert Counter(Y[drawn][member[0].sample_indices_]) == {0: n_min, 1: n_min, 2: n_min}
    assert easy.predict_proba(X).shape == (len(Y), 3)


class WeightRecorder(ClassifierMixin, BaseEstimator):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        self.weights_ = sample_weight
        self.tree_ = DecisionTreeClassifier(max_depth=1, random_state=0).fit(
            X, y, sample_weight=sample_weight
        )
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, X):
        return self.tree_.predict(X)


def test_rusboost_rounds_learn_from_balanced_subsets_and_are_scored_on_all_rows():
    boost = RUSBoostClassifier(estimator=WeightRecorder(), n_estimators=3, random_state=0).fit(X, Y)
    n_min = min(Counter(Y).values())
    first, sampler = boost.estimators_[0], boost.samplers_[0]
    assert Counter(Y[sampler.sample_indices_]) == {0: n_min, 1: n_min, 2: n_min}
    np.testing.assert_allclose(
        first.weights_, np.full(3 * n_min, 1 / len(Y))
    )  # 1/n, kept rows only
    # The round's error is its weighted error on the full training set, as in SAMME.
    assert boost.estimator_errors_[0] == pytest.approx(np.mean(first.predict(X) != Y))
    alpha = np.log((1 - boost.estimator_errors_[0]) / boost.estimator_errors_[0]) + np.log(2)
    assert boost.estimator_weights_[0] == pytest.approx(alpha)
    assert len(boost.samplers_) == len(boost.estimators_)
    labels = np.array(["a", "b", "c"])[Y]
    named = RUSBoostClassifier(n_estimators=2, random_state=0, sampling_strategy={"a": 50}).fit(
        X, labels
    )
    assert Counter(labels[named.samplers_[0].sample_indices_])["a"] == 50
    assert named.feature_importances_.shape == (X.shape[1],)


def test_rusboost_needs_a_row_selecting_sampler_and_weights():
    with pytest.raises(InvalidParameterError, match="synthesises rows"):
        RUSBoostClassifier(sampler="smote").fit(X, Y)

    class NoWeights(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.raises(InvalidParameterError, match="sample_weight"):
        RUSBoostClassifier(estimator=NoWeights()).fit(X, Y)
