"""skorch: equipoise losses give probabilities; samplers see only skorch's training split."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from skorch import NeuralNetClassifier  # noqa: E402
from skorch.dataset import Dataset, ValidSplit  # noqa: E402

from equipoise.exceptions import InvalidParameterError  # noqa: E402
from equipoise.integrations.skorch import ImbalancedNeuralNetClassifier, predict_nonlinearity  # noqa: E402
from equipoise.losses import (  # noqa: E402
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    CrossEntropyLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    NormedLinear,
)
from equipoise.samplers import ClassBalancedSampler  # noqa: E402

COUNTS = [90, 24, 6]
Y = np.repeat(np.arange(3), COUNTS)
RNG = np.random.default_rng(0)
X = (RNG.normal(size=(len(Y), 3)) + Y[:, None]).astype(np.float32)


class Recorder(torch.nn.Module):
    """A linear model whose last input column is the row id, recorded in training mode."""

    def __init__(self, head=None):
        super().__init__()
        self.head = head or torch.nn.Linear(3, 3)
        self.seen: list[list[int]] = []

    def forward(self, x):
        if self.training:
            self.seen.append(x[:, -1].long().tolist())
        return self.head(x[:, :-1])


def _with_ids(X):
    return np.hstack([X, np.arange(len(X), dtype=np.float32)[:, None]])


LOSSES = [
    CrossEntropyLoss.from_counts(COUNTS, weight="balanced"),
    FocalLoss(gamma=2.0),
    ClassBalancedLoss.from_counts(COUNTS),
    LogitAdjustedLoss.from_counts(COUNTS),
    BalancedSoftmaxLoss.from_counts(COUNTS),
]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda m: type(m).__name__)
def test_predict_proba_returns_probabilities(loss):
    net = ImbalancedNeuralNetClassifier(
        torch.nn.Linear(3, 3), criterion=loss, max_epochs=2, lr=0.1, verbose=0
    )
    net.fit(X, Y)
    proba = net.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    with torch.no_grad():
        logits = net.module_(torch.as_tensor(X))
    np.testing.assert_allclose(proba, torch.softmax(logits, 1).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(net.predict(X), logits.argmax(1).numpy())
    # skorch's own classifier returns the raw logits for any criterion but nn.CrossEntropyLoss
    stock = NeuralNetClassifier(torch.nn.Linear(3, 3), criterion=loss, max_epochs=1, verbose=0).fit(
        X, Y
    )
    assert not np.allclose(stock.predict_proba(X).sum(axis=1), 1.0)


def test_ldam_probabilities_use_the_scale():
    loss = LDAMLoss.from_counts(COUNTS, s=10.0)
    head = NormedLinear(3, 3, generator=torch.Generator().manual_seed(0))
    net = ImbalancedNeuralNetClassifier(head, criterion=loss, max_epochs=2, lr=0.1, verbose=0).fit(
        X, Y
    )
    with torch.no_grad():
        cosines = net.module_(torch.as_tensor(X))
    np.testing.assert_allclose(
        net.predict_proba(X), torch.softmax(10.0 * cosines, 1).numpy(), rtol=1e-5, atol=1e-6
    )
    assert predict_nonlinearity(torch.nn.MSELoss()) is None


def test_sampler_draws_only_the_training_split_and_changes_every_epoch():
    split = ValidSplit(4, stratified=True)  # deterministic folds
    train_rows = set(split(Dataset(X, Y), Y)[0].indices)
    module = Recorder()
    net = ImbalancedNeuralNetClassifier(
        module,
        max_epochs=3,
        batch_size=30,
        lr=0.1,
        train_split=split,
        sampler="class-balanced",
        sampler__seed=3,
        verbose=0,
    )
    net.fit(_with_ids(X), Y)
    local_rows = sorted(train_rows)
    assert len(local_rows) == 90
    assert net.sampler_.class_counts.tolist() == np.bincount(Y[local_rows]).tolist() == [67, 18, 5]
    epochs = [sum(module.seen[i * 3 : (i + 1) * 3], []) for i in range(3)]  # 90 rows = 3 batches
    for e, rows in enumerate(epochs):
        assert set(rows) <= train_rows  # never a validation row
        assert len(rows) == 90  # len(split) rows per epoch
        drawn = ClassBalancedSampler(Y[local_rows], seed=3).sample_indices(e).tolist()
        assert rows == [local_rows[i] for i in drawn]  # epoch e of the sampler, on the split
    assert epochs[0] != epochs[1] != epochs[2]
    counts = np.bincount(Y[sum(epochs, [])], minlength=3)
    assert counts.min() > 50  # about 90 of each class over 270 draws


def test_batch_sampler_clone_and_errors():
    module = Recorder()
    net = ImbalancedNeuralNetClassifier(
        module,
        max_epochs=1,
        lr=0.1,
        sampler="balanced-batch",
        sampler__batch_size=9,
        sampler__seed=0,
        verbose=0,
        train_split=None,
    )
    net.fit(_with_ids(X), Y)
    assert all(np.bincount(Y[b], minlength=3).tolist() == [3, 3, 3] for b in module.seen)
    twin = clone(net)
    assert twin.sampler == "balanced-batch" and twin.sampler__seed == 0
    bad = ImbalancedNeuralNetClassifier(
        torch.nn.Linear(3, 3), max_epochs=1, verbose=0, sampler=ClassBalancedSampler(Y, seed=0)
    )
    with pytest.raises(InvalidParameterError, match="built at fit time from the training split"):
        bad.fit(X, Y)
