"""imbalanced-learn's metrics in equipoise.metrics: equal to imbalanced-learn on worked and random
cases, correct where imbalanced-learn is not, and every METRICS entry usable as a scorer."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from imblearn import metrics as imb
from sklearn.datasets import make_classification
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.naive_bayes import GaussianNB

from equipoise import metrics as eq
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError

LABEL_FUNCS = [
    "sensitivity_specificity_support",
    "sensitivity_score",
    "specificity_score",
    "geometric_mean_score",
]


def _draw(seed: int):
    """A random case: 2-4 classes, sometimes a class missing from y_pred or from y_true, weights
    summing exactly to n (imbalanced-learn's specificity is only right then), label subsets."""
    rng = np.random.default_rng(seed)
    k, n = int(rng.integers(2, 5)), int(rng.integers(6, 40)) // 2 * 2
    y_true, y_pred = rng.integers(0, k, n), rng.integers(0, k, n)
    if seed % 5 == 0:
        y_pred[y_pred == 0] = 1  # class 0 never predicted
    if seed % 7 == 0:
        y_true[y_true == k - 1] = 0  # class k-1 never true
    weight = None
    if seed % 2:
        weight = 1 + np.resize([0.5, -0.5], n)
        rng.shuffle(weight)
    labels = (
        None if seed % 3 else [int(v) for v in rng.permutation(k + 1)[:k]]
    )  # may name an absent class
    return y_true, y_pred, weight, labels


def _same(ours, theirs):
    if isinstance(ours, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(
                    np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-12
                )
    else:
        np.testing.assert_allclose(
            np.asarray(ours, float), np.asarray(theirs, float), rtol=1e-12, atol=1e-12
        )


def _both(name, *args, **kwargs):
    outcome = []
    for module in (eq, imb):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                outcome.append(getattr(module, name)(*args, **kwargs))
            except (ValueError, ZeroDivisionError) as exc:  # both must refuse the same inputs
                outcome.append(exc)
    return outcome


@pytest.mark.parametrize("seed", range(16))
def test_random_cases_equal_imbalanced_learn(seed):
    y_true, y_pred, weight, labels = _draw(seed)
    binary = len(np.unique(np.r_[y_true, y_pred])) <= 2
    for average in [None, "macro", "micro", "weighted", "samples"] + ["binary"] * binary:
        for name in LABEL_FUNCS:
            ours, theirs = _both(
                name, y_true, y_pred, labels=labels, average=average, sample_weight=weight
            )
            if isinstance(theirs, Exception):
                assert isinstance(ours, ValueError), (name, average, theirs)
                continue
            _same(ours, theirs)
    for correction in (0.0, 0.05):
        _same(
            *_both(
                "geometric_mean_score",
                y_true,
                y_pred,
                labels=labels,
                correction=correction,
                sample_weight=weight,
            )
        )
    for alpha, squared in ((0.1, True), (0.5, False)):
        ours_iba = eq.make_index_balanced_accuracy(alpha=alpha, squared=squared)
        theirs_iba = imb.make_index_balanced_accuracy(alpha=alpha, squared=squared)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for average in (None, "macro", "multiclass"):
                _same(
                    ours_iba(eq.geometric_mean_score)(
                        y_true, y_pred, average=average, sample_weight=weight
                    ),
                    theirs_iba(imb.geometric_mean_score)(
                        y_true, y_pred, average=average, sample_weight=weight
                    ),
                )
            if binary:
                _same(
                    ours_iba(accuracy_score)(y_true, y_pred),
                    theirs_iba(accuracy_score)(y_true, y_pred),
                )
    report = _both(
        "classification_report_imbalanced",
        y_true,
        y_pred,
        labels=labels,
        sample_weight=weight,
        digits=3,
    )
    if not isinstance(
        report[1], Exception
    ):  # imbalanced-learn divides by zero when no label is true
        assert report[0] == report[1]
        ours_d, theirs_d = _both(
            "classification_report_imbalanced",
            y_true,
            y_pred,
            labels=labels,
            sample_weight=weight,
            output_dict=True,
        )
        assert ours_d.keys() == theirs_d.keys()
        for key in ours_d:
            _same(
                list(ours_d[key].values()) if isinstance(ours_d[key], dict) else ours_d[key],
                list(theirs_d[key].values()) if isinstance(theirs_d[key], dict) else theirs_d[key],
            )
    ordinal_true, ordinal_pred = (
        y_true + 1,
        np.where(np.isin(y_pred, y_true), y_pred, y_true[0]) + 1,
    )
    _same(
        *_both(
            "macro_averaged_mean_absolute_error", ordinal_true, ordinal_pred, sample_weight=weight
        )
    )


def test_worked_binary_case():
    # 3 positives (1), 2 negatives (0): TP = 2, FN = 1, TN = 1, FP = 1.
    y_true, y_pred = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    sen, spe, support = eq.sensitivity_specificity_support(y_true, y_pred)
    np.testing.assert_allclose(sen, [1 / 2, 2 / 3])
    np.testing.assert_allclose(spe, [2 / 3, 1 / 2])
    assert support.tolist() == [2, 3]
    assert eq.sensitivity_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert eq.specificity_score(y_true, y_pred) == pytest.approx(1 / 2)
    assert eq.geometric_mean_score(y_true, y_pred) == pytest.approx(np.sqrt(2 / 3 * 1 / 2))
    iba = eq.make_index_balanced_accuracy(alpha=0.1, squared=True)(eq.geometric_mean_score)
    dominance = (1 / 2 + 2 / 3) / 2 - (
        2 / 3 + 1 / 2
    ) / 2  # macro sensitivity - macro specificity = 0
    assert iba(y_true, y_pred) == pytest.approx((1 + 0.1 * dominance) * (2 / 3 * 1 / 2))


def test_worked_multiclass_gmean_correction_and_mae():
    y_true, y_pred = [0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]  # recalls 1, 0, 0
    assert eq.geometric_mean_score(y_true, y_pred) == 0.0
    assert eq.geometric_mean_score(y_true, y_pred, correction=0.001) == pytest.approx(
        (1 * 0.001 * 0.001) ** (1 / 3)
    )
    # Baccianella et al.: class 1 errors 0 and 1 (mean 0.5), class 2 errors 0 (mean 0): MAE^M = 0.25
    assert eq.macro_averaged_mean_absolute_error([1, 1, 2, 2], [1, 2, 2, 2]) == pytest.approx(0.25)
    # A label predicted but never true has no true samples: it is not averaged over.
    assert eq.macro_averaged_mean_absolute_error([1, 1, 2], [1, 3, 2]) == pytest.approx(
        (1.0 + 0.0) / 2
    )


def test_specificity_does_not_depend_on_the_scale_of_the_weights():
    y_true, y_pred = np.array([0, 0, 1, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 2, 0, 2])
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 1.0, 2.0])
    base = eq.sensitivity_specificity_support(y_true, y_pred, sample_weight=w)
    scaled = eq.sensitivity_specificity_support(y_true, y_pred, sample_weight=10 * w)
    _same(scaled[:2], base[:2])
    np.testing.assert_allclose(scaled[2], 10 * base[2])  # the support is the weighted count
    # Weighted counts by hand for class 0: N = 11, T = 3, P = 2, TP = 1 -> TN = 7, spec = 7 / 8.
    assert base[1][0] == pytest.approx(7 / 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = imb.sensitivity_specificity_support(y_true, y_pred, sample_weight=10 * w)[1]
    assert not np.allclose(theirs, base[1])  # imbalanced-learn uses n_samples, not sum(w), for N


def test_edge_cases_warn_or_explain():
    with pytest.warns(UndefinedMetricWarning, match="Sensitivity is ill-defined"):
        sen = eq.sensitivity_score([0, 0, 1], [0, 0, 1], labels=[0, 1, 7], average=None)
    assert sen[2] == 0.0
    assert eq.sensitivity_specificity_support([0, 0, 0], [0, 0, 0], average="binary") == (
        0.0,
        0.0,
        0,
    )
    with pytest.raises(InvalidParameterError, match="binary target"):
        eq.sensitivity_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(InvalidParameterError, match="pos_label"):
        eq.sensitivity_score(["a", "b"], ["a", "b"])
    with pytest.raises(InvalidParameterError, match="'average' parameter"):
        eq.geometric_mean_score([0, 1], [0, 1], average="mean")
    with pytest.raises(InvalidParameterError, match="multilabel"):
        eq.specificity_score([0, 1], [0, 1], average="samples")
    with pytest.raises(InvalidInputError, match="multilabel"):
        eq.specificity_score(np.eye(3), np.eye(3))
    with pytest.raises(InvalidInputError, match="class labels"):
        eq.geometric_mean_score([0.1, 0.7], [0.2, 0.3])
    with pytest.raises(InvalidInputError, match="numeric"):
        eq.macro_averaged_mean_absolute_error(["a", "b"], ["a", "b"])
    with pytest.raises(InvalidParameterError, match="scores"):
        eq.make_index_balanced_accuracy()(roc_auc_score)
    with pytest.warns(UndefinedMetricWarning, match="None of the reported labels"):
        report = eq.classification_report_imbalanced([0, 1], [0, 1], labels=[5], output_dict=True)
    assert np.isnan(report["avg_pre"])


def test_iba_honours_the_average_it_is_called_with():
    y_true, y_pred = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    iba_f1 = eq.make_index_balanced_accuracy(alpha=0.1, squared=False)(f1_score)
    sen, spe, _ = eq.sensitivity_specificity_support(y_true, y_pred, average="macro")
    expected = (1 + 0.1 * (sen - spe)) * f1_score(y_true, y_pred, average="macro")
    assert iba_f1(y_true, y_pred, average="macro") == pytest.approx(expected)


# --------------------------------------------------------------------------------------------
# Scorers
# --------------------------------------------------------------------------------------------

X2, Y2 = make_classification(n_samples=240, weights=[0.8, 0.2], random_state=0)
X3, Y3 = make_classification(
    n_samples=240, n_classes=3, n_informative=4, weights=[0.6, 0.3, 0.1], random_state=0
)
CV = StratifiedKFold(3, shuffle=True, random_state=0)


@pytest.mark.parametrize("name", eq.METRICS.names())
def test_every_registered_metric_is_a_scorer(name):
    metric = eq.METRICS.get(name)
    X, y = (X2, Y2) if metric.binary_only else (X3, Y3)
    model = GaussianNB()  # no decision_function: ranking metrics fall back to predict_proba
    scores = cross_val_score(model, X, y, cv=CV, scoring=eq.get_scorer(name))
    # The same numbers by hand: fit per fold, predict, score with the metric itself.
    expected = []
    for train, test in CV.split(X, y):
        fitted = GaussianNB().fit(X[train], y[train])
        out = fitted.predict_proba(X[test]) if metric.needs_score else fitted.predict(X[test])
        expected.append(
            metric(y[test], y[test], y_score=out) if metric.needs_score else metric(y[test], out)
        )
    sign = 1 if metric.greater_is_better else -1  # losses (Brier, log loss, ECE) are negated
    np.testing.assert_allclose(scores, sign * np.asarray(expected))
    assert pickle.loads(pickle.dumps(eq.get_scorer(name)))._sign == sign


def test_scorer_agrees_with_scikit_learn_and_names_are_checked():
    model = LogisticRegression(solver="liblinear")  # has decision_function: ranking metrics use it
    ours = cross_val_score(model, X2, Y2, cv=CV, scoring=eq.get_scorer("balanced_accuracy"))
    np.testing.assert_allclose(
        ours, cross_val_score(model, X2, Y2, cv=CV, scoring="balanced_accuracy")
    )
    auc = cross_val_score(model, X2, Y2, cv=CV, scoring=eq.get_scorer("roc_auc"))
    np.testing.assert_allclose(auc, cross_val_score(model, X2, Y2, cv=CV, scoring="roc_auc"))
    assert eq.get_scorer("roc_auc")._response_method == ("decision_function", "predict_proba")
    assert eq.get_scorer("g_mean")._response_method == "predict"
    with pytest.raises(UnknownNameError, match="g_mean"):
        eq.get_scorer("gmean")
