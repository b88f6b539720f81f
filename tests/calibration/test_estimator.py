"""RebalancedClassifier: scikit-learn's estimator checks, Pipeline and cross_validate, the correction."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from equipoise.calibration import RebalancedClassifier, reliability_diagram
from equipoise.datasets import load_example
from equipoise.exceptions import InvalidParameterError
from equipoise.metrics import get_scorer
from equipoise.pipeline import make_pipeline

_REFUSED = "a resampler changes the rows: sample_weight is refused with one (use class_weight)"
_WITH_RESAMPLER = {
    name: _REFUSED
    for name in (
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
        "check_sample_weights_not_an_array",
        "check_sample_weights_list",
        "check_sample_weights_shape",
        "check_sample_weights_not_overwritten",
        "check_sample_weights_invariance",
        "check_sample_weights_pandas_series",
    )
}
_WITH_RESAMPLER["check_estimators_empty_data_messages"] = (
    "equipoise's resamplers word the zero-feature error their own way"
)
_WITH_RESAMPLER["check_class_weight_classifiers"] = (
    "the check sets class_weight, which is exclusive with a resampler"
)
_WITH_WEIGHTS = {
    "check_class_weight_classifiers": (
        "by design the prior correction undoes the class weights' shift of the decision "
        "(target_prior='uniform' keeps the weighted decision)"
    ),
}


def _expected(est):
    return _WITH_RESAMPLER if est.resampler is not None else _WITH_WEIGHTS


@parametrize_with_checks(
    [
        RebalancedClassifier(LogisticRegression(), resampler="random-over", random_state=0),
        RebalancedClassifier(LogisticRegression(), class_weight="balanced"),
    ],
    expected_failed_checks=_expected,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_cross_validate_and_correction():
    X, y = load_example()
    pipe = make_pipeline(
        StandardScaler(),
        RebalancedClassifier(LogisticRegression(), resampler="random-over", random_state=0),
    )
    res = cross_validate(
        pipe, X, y, cv=3, scoring={"brier": get_scorer("brier"), "roc_auc": get_scorer("roc_auc")}
    )
    raw = make_pipeline(
        StandardScaler(),
        RebalancedClassifier(
            LogisticRegression(), resampler="random-over", correction=False, random_state=0
        ),
    )
    res_raw = cross_validate(
        raw, X, y, cv=3, scoring={"brier": get_scorer("brier"), "roc_auc": get_scorer("roc_auc")}
    )
    plain = cross_validate(
        make_pipeline(StandardScaler(), LogisticRegression()),
        X,
        y,
        cv=3,
        scoring={"brier": get_scorer("brier")},
    )
    corrected, rebalanced, baseline = (
        -res["test_brier"].mean(),
        -res_raw["test_brier"].mean(),
        -plain["test_brier"].mean(),
    )
    assert corrected < rebalanced  # the correction improves the Brier score of the rebalanced model
    assert abs(corrected - baseline) < abs(rebalanced - baseline)
    np.testing.assert_allclose(
        res["test_roc_auc"], res_raw["test_roc_auc"]
    )  # monotone: ranking unchanged


def test_class_weight_calibration_and_target_prior():
    X, y = load_example()
    clf = RebalancedClassifier(LogisticRegression(), class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(clf.induced_prior_, [0.5, 0.5])
    uniform = RebalancedClassifier(
        LogisticRegression(), class_weight="balanced", target_prior="uniform"
    ).fit(X, y)
    np.testing.assert_allclose(uniform.predict_proba(X), clf.estimator_.predict_proba(X))
    cal = RebalancedClassifier(
        LogisticRegression(), resampler="smote", calibration="isotonic", cv=3, random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(cal.induced_prior_, cal.train_prior_)
    assert cal.predict_proba(X).shape == (len(y), 2)
    weighted = RebalancedClassifier(
        LogisticRegression(), class_weight="balanced", calibration="sigmoid", cv=3
    ).fit(X, y)
    raw = RebalancedClassifier(LogisticRegression(), class_weight="balanced", correction=False).fit(
        X, y
    )
    # calibrated on unweighted held-out folds: the mean probability is near the base rate again
    assert abs(weighted.predict_proba(X)[:, 1].mean() - np.mean(y == 1)) < abs(
        raw.predict_proba(X)[:, 1].mean() - np.mean(y == 1)
    )
    with pytest.raises(InvalidParameterError, match="sample_weight"):
        RebalancedClassifier(LogisticRegression(), calibration="sigmoid").fit(
            X, y, sample_weight=np.ones(len(y))
        )
    with pytest.raises(InvalidParameterError, match="not both"):
        RebalancedClassifier(
            LogisticRegression(), resampler="random-over", class_weight="balanced"
        ).fit(X, y)
    with pytest.raises(InvalidParameterError, match="sum to one"):
        RebalancedClassifier(LogisticRegression(), target_prior=[0.2, 0.2]).fit(X, y)


def test_reliability_diagram():
    rng = np.random.default_rng(0)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    ax = reliability_diagram(
        {"calibrated": (y, p), "over-confident": (y, (p > 0.5).astype(float) * 0.98 + 0.01)}
    )
    assert len(ax.get_legend().get_texts()) == 3
    assert "ECE" in ax.get_legend().get_texts()[1].get_text()
