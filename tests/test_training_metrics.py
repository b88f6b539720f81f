"""Stateful training-loop metrics against scikit-learn and equipoise.metrics.imbalance_report."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, recall_score

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.metrics import imbalance_report
from equipoise.training_metrics import (
    BalancedAccuracy,
    ConfusionMatrix,
    ManyMediumFewAccuracy,
    PerClassRecall,
)

C = 5
TRAIN_COUNTS = [400, 150, 60, 15, 4]


def _stream(seed=0, batches=6):
    g = torch.Generator().manual_seed(seed)
    for _ in range(batches):
        n = int(torch.randint(5, 40, (1,), generator=g))
        target = torch.randint(0, C, (n,), generator=g)
        logits = torch.randn(n, C, generator=g) + 2.0 * torch.nn.functional.one_hot(target, C) * (
            target < 3
        ).unsqueeze(1)
        yield logits, target


def test_batches_accumulate_to_sklearn():
    metrics = [
        ConfusionMatrix(C),
        BalancedAccuracy(C),
        PerClassRecall(C),
        ManyMediumFewAccuracy(TRAIN_COUNTS),
    ]
    preds, trues = [], []
    for logits, target in _stream():
        for m in metrics:
            m.update(logits, target.to(torch.int32))
        preds.append(logits.argmax(1))
        trues.append(target)
    y_pred, y_true = torch.cat(preds).numpy(), torch.cat(trues).numpy()
    np.testing.assert_array_equal(
        metrics[0].compute().numpy(), confusion_matrix(y_true, y_pred, labels=range(C))
    )
    assert metrics[1].compute().item() == pytest.approx(
        balanced_accuracy_score(y_true, y_pred), abs=1e-12
    )
    np.testing.assert_allclose(
        metrics[2].compute().numpy(), recall_score(y_true, y_pred, average=None, labels=range(C))
    )
    report = imbalance_report(
        y_true, y_pred, train_counts=dict(enumerate(TRAIN_COUNTS)), labels=list(range(C))
    )
    shots = metrics[3].compute()
    for group in ("many", "medium", "few"):
        assert shots[group].item() == pytest.approx(report.summary[f"{group}_shot_acc"], abs=1e-12)
    assert metrics[3].groups == {"many": [0, 1], "medium": [2], "few": [3, 4]}
    for m in metrics:
        m.reset()
    assert metrics[0].compute().sum() == 0 and math.isnan(metrics[1].compute().item())


def test_dense_predictions_labels_and_ignore_index():
    g = torch.Generator().manual_seed(2)
    logits = torch.randn(2, C, 4, 3, generator=g)
    target = torch.randint(0, C, (2, 4, 3), generator=g).to(torch.uint8).long()
    target[0, 0, 0] = 255
    m = BalancedAccuracy(C, ignore_index=255)
    m.update(logits, target)
    keep = target.reshape(-1) != 255
    y_true = target.reshape(-1)[keep].numpy()
    y_pred = logits.argmax(1).reshape(-1)[keep].numpy()
    assert m.compute().item() == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    labels_only = BalancedAccuracy(C, ignore_index=255)
    labels_only.update(logits.argmax(1), target)  # predicted labels instead of scores
    assert labels_only.compute().item() == m.compute().item()


def test_absent_classes_are_nan_in_recall_and_skipped_in_balanced_accuracy():
    m = PerClassRecall(3)
    m.update(torch.tensor([0, 0, 2]), torch.tensor([0, 2, 2]))
    recall = m.compute()
    assert recall[0] == 1.0 and math.isnan(recall[1]) and recall[2] == 0.5
    b = BalancedAccuracy(3)
    b.update(torch.tensor([0, 0, 2]), torch.tensor([0, 2, 2]))
    assert b.compute().item() == pytest.approx(0.75)
    shots = ManyMediumFewAccuracy([500, 50, 30], few=40)
    shots.update(torch.tensor([0, 1]), torch.tensor([0, 1]))
    assert shots.groups["few"] == [2] and math.isnan(shots.compute()["few"].item())


def test_moves_with_its_module_and_keeps_no_checkpoint_state():
    model = torch.nn.Module()
    model.metric = BalancedAccuracy(3)
    assert "metric.confusion" not in model.state_dict()
    model.double()  # buffers of int dtype keep their dtype
    assert model.metric.confusion.dtype == torch.int64


def test_errors():
    m = BalancedAccuracy(3)
    with pytest.raises(InvalidInputError, match="outside \\[0, 3\\)"):
        m.update(torch.tensor([0, 1]), torch.tensor([0, 3]))
    with pytest.raises(InvalidInputError, match="3 classes but the scores have 4 columns"):
        m.update(torch.zeros(2, 4), torch.tensor([0, 1]))
    with pytest.raises(InvalidInputError, match="integer class indices"):
        m.update(torch.zeros(2, 3), torch.tensor([0.0, 1.0]))
    with pytest.raises(InvalidInputError, match="shape"):
        m.update(torch.tensor([0, 1, 2]), torch.tensor([0, 1]))
    with pytest.raises(InvalidParameterError, match="'num_classes' parameter of BalancedAccuracy"):
        BalancedAccuracy(1)
    with pytest.raises(InvalidParameterError, match="'train_counts' parameter"):
        ManyMediumFewAccuracy([10, -1])
    with pytest.raises(InvalidParameterError, match="keyed by the class indices"):
        ManyMediumFewAccuracy({"a": 3, "b": 4})
