"""Tests for equipoise.metrics: references against scikit-learn and imbalanced-learn."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.metrics import geometric_mean_score
from scipy import stats
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
from equipoise.metrics import (
    METRICS,
    ConfidenceInterval,
    ImbalanceReport,
    bootstrap_ci,
    get_metric,
    imbalance_report,
    mean_ci,
    paired_difference,
)


@pytest.fixture
def multiclass():
    rng = np.random.default_rng(0)
    y = rng.choice(4, size=300, p=[0.6, 0.25, 0.1, 0.05])
    logits = rng.normal(size=(300, 4)) + 1.5 * np.eye(4)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, proba.argmax(axis=1), proba


@pytest.fixture
def binary():
    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.1).astype(int)
    score = np.clip(0.3 * y + rng.normal(0.3, 0.15, size=400), 0, 1)
    return y, (score >= 0.45).astype(int), score


# --------------------------------------------------------------------------------------------
# Worked example by hand
# --------------------------------------------------------------------------------------------


def test_hand_computed_binary():
    # 4 negatives all right; 2 positives, one found. TP=1 FN=1 FP=0 TN=4.
    report = imbalance_report([0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1])
    s = report.summary
    assert s["accuracy"] == pytest.approx(5 / 6)
    assert s["balanced_accuracy"] == pytest.approx((1.0 + 0.5) / 2)
    assert s["sensitivity"] == pytest.approx(0.5)
    assert s["specificity"] == pytest.approx(1.0)
    assert s["g_mean"] == pytest.approx(math.sqrt(0.5))
    # F1(pos) = 2/3, F1(neg) = 2*0.8*1/1.8 = 8/9
    assert s["macro_f1"] == pytest.approx((2 / 3 + 8 / 9) / 2)
    assert report.per_class.loc[1, "precision"] == 1.0
    assert report.per_class.loc[0, "support"] == 4
    assert "roc_auc" not in s and "many_shot_acc" not in s


def test_accuracy_misleads_on_majority_predictor():
    y = np.array([0] * 95 + [1] * 5)
    report = imbalance_report(y, np.zeros(100, dtype=int))
    assert report.summary["accuracy"] == pytest.approx(0.95)
    assert report.summary["balanced_accuracy"] == pytest.approx(0.5)
    assert report.summary["g_mean"] == 0.0
    assert report.summary["mcc"] == 0.0


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------


def test_multiclass_against_sklearn_and_imblearn(multiclass):
    y, pred, proba = multiclass
    s = imbalance_report(y, pred, proba).summary
    assert s["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert s["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert s["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert s["weighted_f1"] == pytest.approx(skm.f1_score(y, pred, average="weighted"))
    assert s["g_mean"] == pytest.approx(geometric_mean_score(y, pred))
    assert s["mcc"] == pytest.approx(skm.matthews_corrcoef(y, pred))
    assert s["roc_auc"] == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")
    )
    assert s["pr_auc"] == pytest.approx(skm.average_precision_score(y, proba, average="macro"))
    assert "sensitivity" not in s


def test_binary_against_sklearn_and_imblearn(binary):
    y, pred, score = binary
    report = imbalance_report(y, pred, score)
    s = report.summary
    assert s["roc_auc"] == pytest.approx(skm.roc_auc_score(y, score))
    assert s["pr_auc"] == pytest.approx(skm.average_precision_score(y, score))
    assert s["g_mean"] == pytest.approx(geometric_mean_score(y, pred))
    assert s["sensitivity"] == pytest.approx(skm.recall_score(y, pred, pos_label=1))
    assert s["specificity"] == pytest.approx(skm.recall_score(y, pred, pos_label=0))
    p, r, f, n = skm.precision_recall_fscore_support(y, pred)
    np.testing.assert_allclose(
        report.per_class[["precision", "recall", "f1"]].to_numpy().T, [p, r, f]
    )
    np.testing.assert_array_equal(report.per_class["support"], n)
    # (N, 2) probabilities give the same AUC as the positive column.
    two = np.column_stack([1 - score, score])
    assert imbalance_report(y, pred, two).summary["roc_auc"] == pytest.approx(s["roc_auc"])


def test_positive_class_is_larger_label_for_strings():
    y = np.array(["fraud", "ok", "ok", "ok", "fraud"])
    pred = np.array(["ok", "ok", "ok", "ok", "fraud"])
    s = imbalance_report(y, pred).summary
    # labels sorted: ['fraud', 'ok'] -> positive is 'ok' (recall 1), negative 'fraud' (0.5).
    assert s["sensitivity"] == 1.0 and s["specificity"] == 0.5


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=8, max_size=40),
    st.randoms(use_true_random=False),
)
def test_property_matches_references(y, rnd):
    y = np.array(y)
    pred = np.array([rnd.randint(0, 3) for _ in y])
    if len(np.unique(np.concatenate([y, pred]))) < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = imbalance_report(y, pred, labels=np.unique(y) if set(pred) <= set(y) else None).summary
        assert s["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
        assert s["mcc"] == pytest.approx(skm.matthews_corrcoef(y, pred))
        assert s["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
        if set(pred) <= set(y):
            assert s["g_mean"] == pytest.approx(geometric_mean_score(y, pred), abs=1e-12)
    assert 0.0 <= s["g_mean"] <= s["balanced_accuracy"] + 1e-12  # AM-GM


# --------------------------------------------------------------------------------------------
# Shots, missing classes, containers
# --------------------------------------------------------------------------------------------


def test_shot_accuracies_by_hand():
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 1, 0, 0, 0])
    report = imbalance_report(y, pred, train_counts={0: 500, 1: 50, 2: 5})
    assert report.summary["many_shot_acc"] == 1.0
    assert report.summary["medium_shot_acc"] == 0.5
    assert report.summary["few_shot_acc"] == 0.0
    assert list(report.per_class["shot"]) == ["many", "medium", "few"]
    # thresholds are parameters; a sequence aligned with labels works too.
    r2 = imbalance_report(y, pred, train_counts=[500, 50, 5], many=40, few=2)
    assert r2.summary["many_shot_acc"] == pytest.approx(0.75)
    assert math.isnan(r2.summary["few_shot_acc"])


def test_absent_class_gives_nan_and_warning(multiclass):
    y, pred, proba = multiclass
    keep = y != 3
    with pytest.warns(UndefinedMetricWarning, match=r"\[3\]"):
        report = imbalance_report(y[keep], pred[keep], proba[keep], labels=[0, 1, 2, 3])
    assert math.isnan(report.per_class.loc[3, "recall"])
    assert report.per_class.loc[3, "support"] == 0
    yt, yp = y[keep], pred[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert report.summary["balanced_accuracy"] == pytest.approx(
            skm.balanced_accuracy_score(yt, yp)
        )
    # one-vs-rest AUC over the classes present
    aucs = [skm.roc_auc_score(yt == c, proba[keep][:, c]) for c in range(3)]
    assert report.summary["roc_auc"] == pytest.approx(np.mean(aucs))


def test_containers_pandas_and_torch(binary):
    torch = pytest.importorskip("torch")
    y, pred, score = binary
    ref = imbalance_report(y, pred, score).summary
    s_pd = imbalance_report(pd.Series(y), pd.Series(pred), pd.Series(score)).summary
    s_t = imbalance_report(torch.tensor(y), torch.tensor(pred), torch.tensor(score)).summary
    assert s_pd == pytest.approx(ref) and s_t == pytest.approx(ref)


def test_report_outputs(multiclass):
    y, pred, proba = multiclass
    report = imbalance_report(y, pred, proba, train_counts=[900, 300, 40, 10])
    assert isinstance(report, ImbalanceReport)
    d = report.to_dict()
    assert set(d) == {"summary", "per_class"} and d["per_class"][0]["support"] == int(
        (y == 0).sum()
    )
    frame = report.to_frame()
    assert list(frame.index) == [0, 1, 2, 3] and frame is not report.per_class
    text = str(report)
    assert "balanced_accuracy" in text and "few_shot_acc" in text
    assert report.confusion.to_numpy().sum() == len(y)
    assert all(isinstance(v, float) for v in report.summary.values())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"y_true": [0, 1], "y_pred": [0, 1, 1]}, "different lengths"),
        (
            {"y_true": [0, 1, 2], "y_pred": [0, 1, 2], "y_score": np.ones((3, 2))},
            r"\(n_samples, 3\)",
        ),
        ({"y_true": [0, 0], "y_pred": [0, 0]}, "at least two classes"),
        ({"y_true": [0, 1], "y_pred": [0, 5], "labels": [0, 1]}, "not in 'labels'"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "train_counts": [1, 2, 3]}, "3 entries"),
        (
            {"y_true": [0, 1], "y_pred": [0, 1], "train_counts": {0: 4}},
            r"no count for classes \[1\]",
        ),
        ({"y_true": [0, 1], "y_pred": [[0.2, 0.8], [0.1, 0.9]]}, "1-D class labels"),
    ],
)
def test_input_errors(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        imbalance_report(**kwargs)


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


def test_registry_names_match_summary_keys(binary):
    y, pred, score = binary
    summary = imbalance_report(y, pred, score).summary
    for name, metric in METRICS.items():
        if (
            name == "f1" or metric.needs_proba
        ):  # calibration metrics score probabilities, not in the report
            continue
        assert metric(y, pred, score) == pytest.approx(summary[name]), name
    assert METRICS.get("f1")(y, pred) == pytest.approx(skm.f1_score(y, pred))
    with pytest.raises(UnknownNameError, match="g_mean"):
        get_metric("gmean")
    with pytest.raises(InvalidInputError, match="pass y_score"):
        METRICS.get("roc_auc")(y, pred)
    with pytest.raises(InvalidInputError, match="binary"):
        METRICS.get("sensitivity")([0, 1, 2], [0, 1, 2])


# --------------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------------


def test_bootstrap_ci_reproducible_and_brackets(binary):
    y, pred, score = binary
    a = bootstrap_ci("balanced_accuracy", y, pred, n_resamples=100, random_state=3)
    b = bootstrap_ci("balanced_accuracy", y, pred, n_resamples=100, random_state=3)
    assert isinstance(a, ConfidenceInterval) and a == b
    assert a.low <= a.estimate <= a.high
    assert a.estimate == pytest.approx(skm.balanced_accuracy_score(y, pred))
    narrow = bootstrap_ci(
        "balanced_accuracy", y, pred, n_resamples=100, confidence=0.5, random_state=3
    )
    assert a.high - a.low > narrow.high - narrow.low


def test_bootstrap_ci_percentiles_by_hand():
    # A metric that is the mean of y_pred: the stratified bootstrap of each class is known.
    y = np.array([0] * 50 + [1] * 50)
    pred = np.r_[np.zeros(25), np.ones(25), np.ones(50)]
    rng = np.random.default_rng(7)
    means = []
    for _ in range(300):
        idx = np.concatenate([rng.integers(0, 50, 50), 50 + rng.integers(0, 50, 50)])
        means.append(pred[idx].mean())
    expected = np.percentile(means, [2.5, 97.5])
    est, low, high = bootstrap_ci(lambda t, p: p.mean(), y, pred, n_resamples=300, random_state=7)
    assert est == pytest.approx(0.75)
    assert (low, high) == pytest.approx(tuple(expected))


def test_bootstrap_ci_with_scores_and_callables(binary):
    y, pred, score = binary
    est, low, high = bootstrap_ci("roc_auc", y, pred, score, n_resamples=100, random_state=0)
    assert est == pytest.approx(skm.roc_auc_score(y, score)) and low < est < high
    est2, *_ = bootstrap_ci(
        lambda t, p, s: skm.roc_auc_score(t, s), y, pred, score, n_resamples=20, random_state=0
    )
    assert est2 == pytest.approx(est)


def test_bootstrap_ci_unstratified_warns_on_undefined():
    y = np.array([0] * 30 + [1])
    score = np.linspace(0, 1, 31)
    with pytest.warns(UndefinedMetricWarning, match="dropped"):
        bootstrap_ci("roc_auc", y, y, score, n_resamples=50, stratified=False, random_state=0)


def test_bootstrap_ci_parameter_errors(binary):
    y, pred, _ = binary
    with pytest.raises(InvalidParameterError, match="'confidence'"):
        bootstrap_ci("g_mean", y, pred, confidence=95)
    with pytest.raises(InvalidParameterError, match="'n_resamples'"):
        bootstrap_ci("g_mean", y, pred, n_resamples=0)
    with pytest.raises(UnknownNameError):
        bootstrap_ci("balanced_acc", y, pred)


def test_mean_ci_against_scipy():
    values = np.array([0.71, 0.74, 0.69, 0.77, 0.72])
    mean, low, high = mean_ci(values, confidence=0.9)
    ref = stats.t.interval(0.9, df=4, loc=values.mean(), scale=stats.sem(values))
    assert mean == pytest.approx(values.mean())
    assert (low, high) == pytest.approx(ref)
    with pytest.warns(UserWarning):
        single = mean_ci([0.5])
    assert single.estimate == 0.5 and math.isnan(single.low)


def test_paired_difference_against_scipy():
    a = np.array([0.80, 0.82, 0.79, 0.85, 0.81, 0.83, 0.78])
    b = np.array([0.78, 0.80, 0.80, 0.81, 0.79, 0.80, 0.77])
    res = paired_difference(a, b)
    assert res.mean_diff == pytest.approx((a - b).mean())
    assert res.p_value == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert res.wilcoxon_p == pytest.approx(stats.wilcoxon(a, b).pvalue)
    assert (res.low, res.high) == pytest.approx(tuple(mean_ci(a - b)[1:]))
    assert res.significant == (res.p_value < 0.05) and res.n == 7
    # fewer than 6 pairs: no Wilcoxon
    assert math.isnan(paired_difference(a[:5], b[:5]).wilcoxon_p)


def test_paired_difference_degenerate_and_errors():
    same = paired_difference([0.5, 0.6, 0.7], [0.5, 0.6, 0.7])
    assert same.p_value == 1.0 and not same.significant and same.mean_diff == 0.0
    shifted = paired_difference([0.6, 0.7, 0.8], [0.5, 0.6, 0.7])
    assert shifted.significant and shifted.low == pytest.approx(0.1)
    with pytest.raises(InvalidInputError, match="one score per shared fold"):
        paired_difference([1, 2, 3], [1, 2])
    with pytest.raises(InvalidInputError, match="NaN"):
        paired_difference([1, np.nan], [1, 2])


def test_public_surface():
    import equipoise.metrics as mod

    assert set(mod.__all__) == {
        "Metric",
        "METRICS",
        "get_metric",
        "ImbalanceReport",
        "imbalance_report",
        "ConfidenceInterval",
        "bootstrap_ci",
        "mean_ci",
        "PairedComparison",
        "paired_difference",
        "get_scorer",
        "sensitivity_specificity_support",
        "sensitivity_score",
        "specificity_score",
        "geometric_mean_score",
        "make_index_balanced_accuracy",
        "classification_report_imbalanced",
        "macro_averaged_mean_absolute_error",
        "CALIBRATION_METRICS",
        "DEFAULT_N_BINS",
        "brier_score",
        "log_loss",
        "expected_calibration_error",
        "classwise_ece",
        "calibration_bins",
        "metric_label",
        "greater_is_better",
        "MultiLabelReport",
        "multilabel_report",
        "label_groups",  # multi-label (tests/multilabel)
        "REGRESSION_METRICS",
        "RegressionReport",
        "regression_report",
        "mean_absolute_error",
        "root_mean_squared_error",
        "geometric_mean_absolute_error",
        "error_by_range_plot",
    }
    assert all(hasattr(mod, name) for name in mod.__all__)


def test_mean_ci_clipped_to_metric_bounds():
    from equipoise.metrics import METRICS, mean_ci

    mean, low, high = mean_ci(
        [1.0, 0.99, 1.0, 0.98, 1.0], bounds=METRICS.get("balanced_accuracy").bounds
    )
    assert high == 1.0 and low < mean < high
    unclipped = mean_ci([1.0, 0.99, 1.0, 0.98, 1.0])
    assert unclipped.high > 1.0
    assert METRICS.get("mcc").bounds == (-1.0, 1.0)


def test_every_metric_has_a_label_and_a_direction():
    from equipoise.compare import report, summary
    from equipoise.metrics import METRICS, greater_is_better, metric_label

    lower = {name for name, m in METRICS.items() if not m.greater_is_better}
    assert lower == {"brier", "log_loss", "ece", "classwise_ece"}
    for name, m in METRICS.items():
        assert m.label and m.label == metric_label(name) and "_" not in m.label
        assert (
            m.direction == ("higher" if name not in lower else "lower")
            and greater_is_better(name) is m.greater_is_better
        )
        assert greater_is_better(f"{name}_corrected") is m.greater_is_better
    # one function behind the summary's sentences, the report's headers and the CLI's title
    assert summary.metric_label is report.metric_label is metric_label
    assert metric_label("brier_corrected") == "Brier score (prior-corrected)"
    assert metric_label("many_shot_acc") == "Many-shot accuracy" and greater_is_better(
        "many_shot_acc"
    )
    assert [
        metric_label(n, in_sentence=True)
        for n in ("balanced_accuracy", "mcc", "g_mean", "roc_auc", "log_loss")
    ] == ["balanced accuracy", "MCC", "G-mean", "ROC AUC", "log loss"]
    assert metric_label("some_new_metric") == "Some new metric"


def test_cli_metric_help_lists_the_registry():
    from click.testing import CliRunner

    from equipoise.cli import main
    from equipoise.metrics import METRICS

    text = " ".join(CliRunner().invoke(main, ["compare", "--help"]).output.split())
    for name in METRICS.names():
        assert name in text
