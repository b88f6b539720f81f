"""The trimmed training loop of compare gives bit-for-bit the results of the plain loop.

A network other than the default MLP (a ``model_factory``'s, the image CNN) trains one run at a
time: the loop calls the fused AdamW kernel directly and turns the losses' value checks off (see
the module docstring of ``equipoise.compare.training``). The reference here is the plain loop:
``torch.optim.AdamW(fused=True)``, ``zero_grad(set_to_none=True)``, ``model(x)``, value checks
as configured. Every validation logit, every early-stopping decision and every prediction must
be identical. (The default MLP trains on the stacked engine: ``test_stacked.py``.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from equipoise.compare import TrainSettings, get_recipe
from equipoise.compare.selection import CalibratedBalancedLogLoss
from equipoise.compare.steps import FitRequest
from equipoise.compare.training import (
    RunEnv,
    _FusedAdamW,
    _predict,
    make_model,
    steps_per_epoch,
    train_network,
)

from ._compare_data import tiny_binary, tiny_multiclass


@pytest.fixture(autouse=True)
def _one_thread():
    """compare trains with one torch thread per worker; two spin-wait badly on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _reference_train(plan, request, env):
    """The loop as it was: torch.optim.AdamW and nn.Module calls."""
    settings = env.settings
    counts = np.maximum(np.bincount(request.y, minlength=request.n_classes), 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(request.seed)
        model = plan.head.apply(
            make_model(env.model_factory, tuple(request.X.shape[1:]), request.n_classes)
        )
        loss_fn = plan.loss.build(counts)
        scale = plan.head.logit_scale(loss_fn)
        schedule = plan.schedule.begin(loss_fn, counts, settings.max_epochs)
        opt = torch.optim.AdamW(
            model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay, fused=True
        )
        xt, yt = torch.as_tensor(request.X), torch.as_tensor(request.y)
        stream = plan.batches.stream(request.y, request.batch_size, seed=request.seed)
        per_epoch = steps_per_epoch(request.n_fit, request.batch_size)
        xv = torch.as_tensor(request.X_val)
        criterion = CalibratedBalancedLogLoss(request.y_val, request.n_classes)
        best, best_state, best_epoch, best_val, since, epochs_run = math.inf, None, None, None, 0, 0
        for epoch in range(settings.max_epochs):
            schedule.on_epoch(epoch)
            if epoch == schedule.judged_from:
                best, since = math.inf, 0
            model.train()
            for _ in range(per_epoch):
                idx = torch.as_tensor(next(stream))
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xt[idx]), yt[idx]).backward()
                opt.step()
            epochs_run = epoch + 1
            val_logits = _predict(model, xv, scale)
            value = criterion(val_logits)
            if value < best - 1e-9:
                best, since, best_epoch, best_val = value, 0, epoch + 1, val_logits
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                since += 1
                if since >= settings.patience and epoch + 1 > schedule.judged_from:
                    break
        model.load_state_dict(best_state)
        model.eval()
    return model, scale, best_val, best_epoch, epochs_run


def small_net(n_features: int, n_classes: int) -> torch.nn.Module:
    """A user's network (not the default MLP): trained by the one-run-at-a-time loop."""
    return torch.nn.Sequential(
        torch.nn.Linear(n_features, 12),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(12, n_classes),
    )


@pytest.mark.parametrize(
    ("recipe", "data"),
    [
        ("baseline", tiny_binary),
        ("balanced-sampler", tiny_multiclass),  # batches from a sampler, 3 classes
        ("ldam-drw", tiny_multiclass),  # cosine head and a schedule that re-weights the loss
    ],
)
def test_trimmed_loop_is_bit_for_bit_the_plain_loop(recipe, data):
    X, y = data()
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    y = y.astype(np.int64)
    fit, val = np.arange(len(y)) % 4 != 0, np.arange(len(y)) % 4 == 0
    plan = get_recipe(recipe).plan()
    X_fit, y_fit = plan.resample.apply(X[fit], y[fit], seed=5)
    n_classes = int(y.max()) + 1
    request = FitRequest(
        X=X_fit,
        y=y_fit,
        n_fit=int(fit.sum()),
        n_classes=n_classes,
        batch_size=16,
        seed=11,
        X_val=X[val],
        y_val=y[val],
    )
    env = RunEnv(TrainSettings(max_epochs=8, patience=3), model_factory=small_net)
    got = train_network(plan, request, env)
    model, scale, best_val, best_epoch, epochs_run = _reference_train(plan, request, env)
    assert got.best_epoch == best_epoch and got.epochs_run == epochs_run
    assert np.array_equal(got.val_logits, best_val)
    assert np.array_equal(got.logits(X), _predict(model, torch.as_tensor(X), scale))


def test_direct_fused_adamw_equals_torch_adamw_including_params_without_grad():
    torch.manual_seed(0)
    shapes = [(7, 5), (5,), (3, 7), (2,)]
    ours = [torch.randn(s, requires_grad=True) for s in shapes]
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    opt_ours = _FusedAdamW(ours, lr=3e-3, weight_decay=1e-4)
    opt_theirs = torch.optim.AdamW(theirs, lr=3e-3, weight_decay=1e-4, fused=True)
    for step in range(25):
        opt_ours.zero_grad()
        opt_theirs.zero_grad(set_to_none=True)
        grads = [torch.randn(s) for s in shapes]
        for i, (a, b, g) in enumerate(zip(ours, theirs, grads)):
            if i == 3 and step < 10:  # unused at first: skipped, its step count starts later
                continue
            a.grad, b.grad = g.clone(), g.clone()
        opt_ours.step()
        opt_theirs.step()
        for a, b in zip(ours, theirs):
            assert torch.equal(a, b)
    assert int(opt_ours.state[3][0]) == int(opt_theirs.state[theirs[3]]["step"]) == 15
