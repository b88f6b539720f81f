"""The reference models are the scikit-learn learners they claim to be, fitted on the rows given."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score

from equipoise.compare import TrainSettings
from equipoise.compare.steps import MODELS
from equipoise.compare.steps._model import FitRequest, UnweightedBins
from equipoise.compare.training import RunEnv


def _request(X, y, seed=0):
    return FitRequest(X=X, y=y, n_fit=len(X), n_classes=2, batch_size=128, seed=seed)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=700, n_features=3, n_informative=2, n_redundant=0, weights=[0.85], random_state=3
    )
    return X[:400], y[:400], X[400:], y[400:]


def test_logistic_regression_reference_is_sklearns(data):
    from sklearn.linear_model import LogisticRegression

    X, y, X_test, _ = data
    step = MODELS.get("logistic-regression")("logistic-regression", {"class_weight": "balanced"})
    fitted = step.fit(None, _request(X, y), RunEnv(TrainSettings()))
    ours = np.exp(fitted.logits(X_test))
    theirs = (
        LogisticRegression(class_weight="balanced", max_iter=1000).fit(X, y).predict_proba(X_test)
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-10)


def test_weighted_boosting_bins_without_weights_and_scores_like_sklearn(data):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, X_test, y_test = data
    step = MODELS.get("hist-gradient-boosting")(
        "hist-gradient-boosting", {"class_weight": "balanced", "max_iter": 30}
    )
    est = step.estimator(0)
    assert isinstance(est.steps[0][1], UnweightedBins) and est.steps[0][1].max_bins == 255
    fitted = step.fit(None, _request(X, y), RunEnv(TrainSettings()))
    ours = balanced_accuracy_score(y_test, fitted.logits(X_test).argmax(1))
    native = HistGradientBoostingClassifier(
        class_weight="balanced", max_iter=30, random_state=0
    ).fit(X, y)
    theirs = balanced_accuracy_score(y_test, native.predict(X_test))
    assert abs(ours - theirs) < 0.04, (ours, theirs)
    # unweighted boosting is scikit-learn's estimator itself
    plain = MODELS.get("hist-gradient-boosting")("hist-gradient-boosting", {}).estimator(0)
    assert isinstance(plain, HistGradientBoostingClassifier)


def test_unweighted_bins_are_the_boosters_own_binning():
    # on unweighted data, binning first changes nothing: the booster's predictions are identical,
    # with continuous, few-valued, binary (one-hot) and missing values
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 4))
    X[:, 0] = np.round(X[:, 0], 1)
    X[:, 1] = rng.random(600) < 0.1
    X[rng.random(X.shape) < 0.02] = np.nan
    y = (np.nan_to_num(X[:, 2]) + rng.normal(size=600) > 1).astype(int)
    plain = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y).predict_proba(X)
    binned = make_pipeline(
        UnweightedBins(), HistGradientBoostingClassifier(max_iter=20, random_state=0)
    )
    np.testing.assert_array_equal(binned.fit(X, y).predict_proba(X), plain)
    codes = UnweightedBins().fit_transform(X)
    binary = codes[:, 1][~np.isnan(codes[:, 1])]
    assert np.isnan(codes[np.isnan(X)]).all() and set(np.unique(binary)) == {0.0, 1.0}


@pytest.mark.parametrize("max_bins", ["a", 1, 256, 2.5])
def test_unweighted_bins_refuses_bad_max_bins(max_bins):
    from equipoise.exceptions import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'max_bins' parameter of UnweightedBins"):
        UnweightedBins(max_bins=max_bins).fit(np.zeros((3, 2)))
