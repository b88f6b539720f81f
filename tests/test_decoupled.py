"""Tests for equipoise.decoupled: classifier re-training (cRT) and tau search."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import balanced_accuracy_score
from torch.utils.data import Dataset, TensorDataset

from equipoise.decoupled import CRT_MIN_STEPS, TauSearchResult, retrain_classifier, tune_tau
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
from equipoise.posthoc import tau_normalize


def _long_tailed(n_per_class=(400, 60, 12), dim=6, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=1.5, size=(len(n_per_class), dim))
    X = np.concatenate([rng.normal(size=(n, dim)) + centers[c] for c, n in enumerate(n_per_class)])
    y = np.concatenate([np.full(n, c) for c, n in enumerate(n_per_class)])
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


def _bacc(backbone, head, X, y):
    with torch.no_grad():
        pred = head(backbone(X)).argmax(1)
    return balanced_accuracy_score(y.numpy(), pred.numpy())


def _biased_head(dim, n_classes):
    """A head that strongly favours class 0, as an instance-balanced head on long-tailed data does."""
    head = torch.nn.Linear(dim, n_classes)
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.tensor([5.0] + [0.0] * (n_classes - 1)))
    return head


# --------------------------------------------------------------------------------------------
# retrain_classifier
# --------------------------------------------------------------------------------------------


def test_crt_rebalances_and_freezes_backbone():
    X, y = _long_tailed()
    with torch.random.fork_rng():  # a fixed random backbone, without touching the global RNG
        torch.manual_seed(0)
        backbone = torch.nn.Sequential(
            torch.nn.Linear(6, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU()
        )
    backbone.train()
    frozen = {k: v.clone() for k, v in backbone.state_dict().items()}
    head = _biased_head(8, 3)
    before = _bacc(backbone.eval(), head, X, y)
    backbone.train()
    out = retrain_classifier(backbone, head, X, y, epochs=8, batch_size=64, lr=0.05, seed=0)
    assert out is head
    assert backbone.training  # mode restored
    for k, v in backbone.state_dict().items():  # weights and BN running stats untouched
        torch.testing.assert_close(v, frozen[k])
    after = _bacc(backbone.eval(), head, X, y)
    assert before == pytest.approx(1 / 3)
    assert after > 0.7


def test_crt_same_seed_same_head_and_reinit():
    X, y = _long_tailed(seed=1)

    def run(seed):
        head = torch.nn.Linear(6, 3)
        return retrain_classifier(
            torch.nn.Identity(), head, X, y, epochs=2, seed=seed
        ).weight.detach()

    torch.testing.assert_close(run(5), run(5))
    assert not torch.equal(run(5), run(6))
    # reinit=False starts from the given weights: zero epochs of change is impossible, but a
    # tiny learning rate keeps it close to the start.
    head = _biased_head(6, 3)
    start = head.weight.detach().clone()
    retrain_classifier(torch.nn.Identity(), head, X, y, epochs=1, lr=1e-6, reinit=False, seed=0)
    torch.testing.assert_close(head.weight.detach(), start, atol=1e-4, rtol=0)


def test_crt_balanced_batches_are_used():
    # A head trained only on what the sampler gives: with q=1 each class is drawn equally
    # often, so the learned bias is close to uniform even on 50:1 data and a feature-free input.
    y = torch.tensor([0] * 500 + [1] * 10)
    X = torch.zeros(len(y), 1)
    head = torch.nn.Linear(1, 2)
    retrain_classifier(torch.nn.Identity(), head, X, y, epochs=5, lr=0.05, weight_decay=0.0, seed=0)
    p = torch.softmax(head(torch.zeros(1, 1)), 1)[0]
    assert abs(p[0].item() - 0.5) < 0.1
    head0 = torch.nn.Linear(1, 2)
    retrain_classifier(
        torch.nn.Identity(), head0, X, y, epochs=5, lr=0.05, weight_decay=0.0, q=0.0, seed=0
    )
    assert (
        torch.softmax(head0(torch.zeros(1, 1)), 1)[0, 0].item() > 0.8
    )  # close to the data share 500/510


class _Rows(Dataset):
    def __init__(self, X, y):
        self.X, self.targets = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.targets[i]


def test_crt_accepts_datasets_and_numpy():
    X, y = _long_tailed(seed=2)
    h1 = retrain_classifier(
        torch.nn.Identity(), torch.nn.Linear(6, 3), _Rows(X, y), epochs=1, seed=0
    )
    h2 = retrain_classifier(
        torch.nn.Identity(), torch.nn.Linear(6, 3), TensorDataset(X, y), y, epochs=1, seed=0
    )
    h3 = retrain_classifier(
        torch.nn.Identity(), torch.nn.Linear(6, 3), X.numpy(), y.numpy(), epochs=1, seed=0
    )
    torch.testing.assert_close(h1.weight, h2.weight)
    torch.testing.assert_close(h1.weight, h3.weight)


def test_crt_errors():
    X, y = _long_tailed()
    ident = torch.nn.Identity()
    with pytest.raises(InvalidInputError, match="labels="):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X)
    with pytest.raises(InvalidInputError, match="no get_labels\\(\\), 'targets' or 'labels'"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), TensorDataset(X))
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        retrain_classifier(ident, torch.nn.Linear(6, 2), X, y)
    with pytest.raises(InvalidInputError, match="integer class indices"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X, np.array(["a"] * len(y)))
    with pytest.raises(InvalidInputError, match="rows"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X[:-1], y)
    with pytest.raises(InvalidInputError, match="nn.Linear"):
        retrain_classifier(ident, torch.nn.Conv1d(1, 1, 1), X, y)
    with pytest.raises(InvalidParameterError, match="'epochs'"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X, y, epochs=0)
    with pytest.raises(InvalidParameterError, match="'q'"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X, y, q=2.0)
    with pytest.raises(InvalidParameterError, match="'steps' or as 'epochs', not both"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X, y, steps=5, epochs=1)
    with pytest.raises(InvalidParameterError, match="'steps'"):
        retrain_classifier(ident, torch.nn.Linear(6, 3), X, y, steps=0)


class _CountingHead(torch.nn.Linear):
    """A head that counts its training forward passes (one per optimiser step in cRT)."""

    calls = 0

    def forward(self, x):
        if self.training:
            self.calls += 1
        return super().forward(x)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"steps": 7}, 7),  # fewer than one pass
        ({"steps": 23}, 23),  # several passes of 4 batches, cut inside the last
        ({"epochs": 4}, 16),  # 4 passes x 4 batches
        ({}, 60),  # the default: 10 epochs would be 40 steps, the floor (60 here) wins
    ],
)
def test_crt_budget_is_in_optimiser_steps(kwargs, expected, monkeypatch):
    import equipoise.decoupled as decoupled

    assert CRT_MIN_STEPS == 500
    monkeypatch.setattr(decoupled, "CRT_MIN_STEPS", 60)  # the rule, at a tenth of the cost
    X, y = _long_tailed()
    assert len(y) == 472  # ceil(472 / 128) = 4 batches per pass
    head = _CountingHead(6, 3)
    lrs = []
    original = torch.optim.SGD.step

    def step(self, *args, **kw):
        lrs.append(self.param_groups[0]["lr"])
        return original(self, *args, **kw)

    torch.optim.SGD.step = step
    try:
        retrain_classifier(torch.nn.Identity(), head, X, y, seed=0, **kwargs)
    finally:
        torch.optim.SGD.step = original
    assert head.calls == expected == len(lrs)
    # the cosine schedule spans the whole budget: from lr down towards 0, one step at a time
    assert lrs[0] == pytest.approx(0.1)
    assert lrs[-1] == pytest.approx(0.05 * (1 + math.cos(math.pi * (expected - 1) / expected)))


# --------------------------------------------------------------------------------------------
# tune_tau
# --------------------------------------------------------------------------------------------


def test_tune_tau_hand_example():
    W = np.array([[4.0, 0.0], [0.0, 1.0]])
    F = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 0.0], [2.0, 0.5]])
    res = tune_tau(W, F, [1, 1, 0, 0], taus=[0.0, 0.5, 1.0])
    assert isinstance(res, TauSearchResult)
    # tau=0.5: rows [2, 0] and [0, 1]: sample [1, 2] -> 2 vs 2 tie -> class 0; [1, 3] -> class 1.
    assert res.scores.tolist() == [0.5, 0.75, 1.0]
    assert res.best_tau == 1.0 and res.best_score == 1.0 and res.metric == "balanced_accuracy"
    assert res.scores.index.name == "tau"


def test_tune_tau_matches_manual_scan_and_bias():
    rng = np.random.default_rng(0)
    head = torch.nn.Linear(5, 4)
    F = torch.randn(200, 5)
    y = torch.tensor(rng.integers(0, 4, 200))
    taus = np.linspace(0, 2, 5)
    res = tune_tau(head, F, y, taus=taus, metric="macro_f1", bias=head.bias)
    from sklearn.metrics import f1_score

    for tau, score in res.scores.items():
        with torch.no_grad():
            pred = (F @ tau_normalize(head, tau).T + head.bias).argmax(1)
        assert score == pytest.approx(f1_score(y, pred, average="macro", labels=range(4)))
    assert res.best_score == res.scores.max()
    assert res.best_tau == res.scores.idxmax()  # first (smallest) tau on ties
    default = tune_tau(head.weight, F.numpy(), y.numpy())
    assert len(default.scores) == 21 and isinstance(default.scores, pd.Series)


def test_tune_tau_errors():
    W = np.eye(2)
    with pytest.raises(InvalidInputError, match="features"):
        tune_tau(W, np.ones((3, 3)), [0, 1, 0])
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        tune_tau(W, np.ones((3, 2)), [0, 1, 2])
    with pytest.raises(InvalidInputError, match="taus"):
        tune_tau(W, np.ones((3, 2)), [0, 1, 0], taus=[-1.0])
    with pytest.raises(InvalidInputError, match="ranks scores"):
        tune_tau(W, np.ones((3, 2)), [0, 1, 0], metric="roc_auc")
    with pytest.raises(UnknownNameError):
        tune_tau(W, np.ones((3, 2)), [0, 1, 0], metric="bacc")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_crt_on_cuda():
    X, y = _long_tailed()
    head = retrain_classifier(
        torch.nn.Identity(), torch.nn.Linear(6, 3), X, y, epochs=1, device="cuda", seed=0
    )
    assert head.weight.device.type == "cuda"
    res = tune_tau(head, X.cuda(), y.cuda(), taus=[0.0, 1.0])
    assert res.best_tau in (0.0, 1.0)


def test_public_surface():
    import equipoise.decoupled as mod

    assert set(mod.__all__) == {
        "retrain_classifier",
        "TauSearchResult",
        "tune_tau",
        "CRT_MIN_STEPS",
    }
