"""metrics_from_confusion: the registered label metrics of stacked confusion matrices, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _confusion_cases import BINARY, MULTI, random_labels, same

from equipoise.metrics import get_metric
from equipoise.metrics._confusion import (
    CONFUSION_METRICS,
    metrics_from_confusion,
    metrics_from_counts,
)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@pytest.mark.filterwarnings("ignore:A single label was found")
def test_metrics_from_confusion_equal_the_registered_metrics():
    rng = np.random.default_rng(1)
    for trial in range(40):
        n_classes = int(rng.choice([2, 3, 5, 9]))  # 9: sums of more than 8 terms pair up
        classes = random_labels(rng, n_classes)
        present = rng.choice(n_classes, size=int(rng.integers(1, n_classes + 1)), replace=False)
        n = int(rng.integers(1, 50))
        yt = rng.choice(present, size=n)
        yp = yt.copy() if trial % 7 == 0 else rng.integers(0, n_classes, size=n)
        conf = np.zeros((1, n_classes, n_classes))
        np.add.at(conf, (0, yt, yp), 1)
        names = BINARY if n_classes == 2 else MULTI
        got = metrics_from_confusion(conf, names)
        for name in names:
            want = get_metric(name).func(classes[yt], classes[yp], None, classes)
            assert same(float(got[name][0]), want), (name, trial, got[name][0], want)


def test_metrics_from_confusion_stacks_and_rejects():
    conf = np.array([[[3, 1], [2, 4]], [[0, 0], [0, 5]], [[0, 0], [0, 0]]], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # undefined values are NaN, without numpy's warnings
        out = metrics_from_confusion(conf, list(CONFUSION_METRICS), ["many", "few"])
    np.testing.assert_allclose(out["accuracy"][:2], [0.7, 1.0])
    np.testing.assert_allclose(out["f1"], [8 / 11, 1.0, 0.0])  # positive class, 0 if undefined
    np.testing.assert_allclose(out["g_mean"][:2], [np.sqrt(0.75 * 4 / 6), 1.0])
    assert np.isnan(out["g_mean"][2]) and out["mcc"][1] == 0.0
    np.testing.assert_allclose(out["few_shot_acc"], [4 / 6, 1.0, np.nan])
    assert np.isnan(out["medium_shot_acc"]).all()
    with pytest.raises(ValueError, match="unknown confusion metric 'roc_auc'"):
        metrics_from_confusion(conf, ["roc_auc"])
    with pytest.raises(ValueError, match="two classes"):
        metrics_from_confusion(np.ones((1, 3, 3)), ["sensitivity"])
    with pytest.raises(ValueError, match=r"\(B, C, C\)"):
        metrics_from_confusion(np.ones((3, 3)), ["accuracy"])
    with pytest.raises(ValueError, match="same shape"):
        metrics_from_counts(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 3)), ["accuracy"])
    counts = metrics_from_counts(
        np.diagonal(conf, axis1=1, axis2=2), conf.sum(axis=2), conf.sum(axis=1), ["mcc"]
    )
    np.testing.assert_array_equal(counts["mcc"], out["mcc"])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_weighted_replicates_equal_the_registered_metric_of_the_repeated_rows():
    # compare's bootstrap: confusion matrices of row multiplicities (here in Fortran order, as
    # weighted_metrics builds them) score as the registered metric of the repeated rows; with 10
    # classes the sums over classes pair up, so the order of the additions is checked too.
    from equipoise.compare.statistics import bootstrap_weights, weighted_metrics

    rng = np.random.default_rng(5)
    n, n_classes = 120, 10
    y = rng.integers(0, n_classes, n)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, n_classes, n))
    W = bootstrap_weights(n, 12, rng)
    names = ["balanced_accuracy", "macro_f1", "weighted_f1", "g_mean", "mcc", "accuracy"]
    got = weighted_metrics(y, pred, None, W, n_classes=n_classes, names=names)
    labels = np.arange(n_classes)
    for b in range(len(W)):
        rows = np.repeat(np.arange(n), W[b].astype(int))
        for name in names:
            want = get_metric(name).func(y[rows], pred[rows], None, labels)
            assert got[name][b] == want, (name, b)
    conf = np.zeros((len(W), n_classes, n_classes))
    for b in range(len(W)):
        np.add.at(conf[b], (y, pred), W[b])
    fortran = np.asfortranarray(conf)
    for name in names:
        np.testing.assert_array_equal(
            metrics_from_confusion(fortran, [name])[name], got[name], err_msg=name
        )
