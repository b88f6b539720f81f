"""Per-label thresholds and multi-label metrics, checked against scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, f1_score, hamming_loss, recall_score

from equipoise.exceptions import InvalidInputError, InvalidParameterError, NotFittedError
from equipoise.metrics import label_groups, multilabel_report
from equipoise.posthoc import LabelThresholdTuner, tune_label_thresholds

rng = np.random.default_rng(0)
Y = (rng.random((200, 5)) < [0.5, 0.3, 0.1, 0.05, 0.02]).astype(int)
S = np.clip(Y * 0.3 + rng.random((200, 5)) * 0.8, 0, 1).round(2)  # ties on purpose
P = (S >= 0.5).astype(int)


def test_metrics_agree_with_sklearn():
    r = multilabel_report(Y, P, S, n_resamples=0)
    s = r.summary
    assert s["micro_f1"] == pytest.approx(f1_score(Y, P, average="micro"))
    assert s["macro_f1"] == pytest.approx(f1_score(Y, P, average="macro", zero_division=0))
    assert s["weighted_f1"] == pytest.approx(f1_score(Y, P, average="weighted", zero_division=0))
    assert s["hamming_loss"] == pytest.approx(hamming_loss(Y, P))
    assert s["macro_recall"] == pytest.approx(recall_score(Y, P, average="macro", zero_division=0))
    aps = [average_precision_score(Y[:, j], S[:, j]) for j in range(5)]
    np.testing.assert_allclose(r.per_label["ap"], aps)
    assert s["map"] == pytest.approx(np.mean(aps))
    np.testing.assert_allclose(
        r.per_label["recall"], recall_score(Y, P, average=None, zero_division=0)
    )


def test_head_medium_tail_and_absent_labels():
    counts = [500, 150, 60, 10, 3]
    assert label_groups(counts).tolist() == ["head", "head", "medium", "tail", "tail"]
    r = multilabel_report(Y, P, train_counts=counts, n_resamples=0)
    f1 = f1_score(Y, P, average=None, zero_division=0)
    assert r.summary["head_f1"] == pytest.approx(f1[:2].mean())
    assert r.summary["medium_f1"] == pytest.approx(f1[2])
    assert r.summary["tail_f1"] == pytest.approx(f1[3:].mean())
    Yz = Y.copy()
    Yz[:, 4] = 0  # a label absent from the test rows is left out of the macro averages
    rz = multilabel_report(Yz, P, n_resamples=0)
    assert rz.summary["macro_f1"] == pytest.approx(
        f1_score(Yz[:, :4], P[:, :4], average="macro", zero_division=0)
    )


def test_bootstrap_intervals_cover_and_are_seeded():
    r = multilabel_report(Y, P, S, n_resamples=200, random_state=0)
    again = multilabel_report(
        torch.tensor(Y), torch.tensor(P), torch.tensor(S), n_resamples=200, random_state=0
    )
    for key, ci in r.ci.items():
        assert ci.low <= ci.estimate <= ci.high or np.isnan(ci.low), key
        assert ci == again.ci[key]
    assert r.ci["macro_f1"].high - r.ci["macro_f1"].low > 0
    assert "macro_f1" in str(r)


def _f1(y, p):
    tp = np.sum((y == 1) & (p == 1))
    denom = np.sum(y == 1) + np.sum(p == 1)
    return 2 * tp / denom if denom else 0.0


def test_thresholds_maximise_f1_exactly():
    th = tune_label_thresholds(Y, S)
    for j in range(5):
        best = max(_f1(Y[:, j], (S[:, j] >= t).astype(int)) for t in np.unique(S[:, j]))
        assert f1_score(Y[:, j], S[:, j] >= th[j], zero_division=0) == pytest.approx(best)
    tuned = LabelThresholdTuner().fit(Y, S)
    np.testing.assert_array_equal(tuned.thresholds_, th)
    assert (
        multilabel_report(Y, tuned.predict(S), n_resamples=0).summary["macro_f1"]
        >= multilabel_report(Y, P, n_resamples=0).summary["macro_f1"]
    )
    # a chosen metric (a callable); with F1 it finds cuts as good as the exact search
    generic = tune_label_thresholds(Y, S, metric=_f1)
    for j in range(5):
        assert _f1(Y[:, j], S[:, j] >= generic[j]) == pytest.approx(_f1(Y[:, j], S[:, j] >= th[j]))
    recall_first = tune_label_thresholds(
        Y, S, metric=lambda y, p: np.mean(p[y == 1]) - 0.01 * np.mean(p)
    )
    assert (recall_first <= th).all()


def test_threshold_errors_and_defaults():
    Yz = Y.copy()
    Yz[:, 1] = 0
    assert tune_label_thresholds(Yz, S, default=0.7)[1] == 0.7
    with pytest.raises(InvalidInputError, match="needs scores of shape"):
        tune_label_thresholds(Y, S[:, :3])
    with pytest.raises(InvalidParameterError, match="'metric' parameter"):
        tune_label_thresholds(Y, S, metric="accuracy")
    with pytest.raises(NotFittedError):
        LabelThresholdTuner().predict(S)
    with pytest.raises(InvalidInputError, match="Y_pred passed to multilabel_report"):
        multilabel_report(Y, P[:, :4])
