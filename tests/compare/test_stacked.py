"""The stacked engine: the default MLP's runs trained together give bit-for-bit what each gives
alone, and the engine trains what a plain ``nn.Module`` loop trains."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from equipoise.compare import TrainSettings, _stacked, compare, get_recipe
from equipoise.compare import runner as runner_module
from equipoise.compare.models import MLP
from equipoise.compare.steps import FitRequest
from equipoise.compare.training import RunEnv, make_model, steps_per_epoch, train_networks

from ._compare_data import tiny_binary, tiny_multiclass


def _items(recipe: str, data, n_runs: int) -> tuple[list, np.ndarray]:
    """Runs of one recipe that differ as a group's runs do: rows, sizes (so epochs have
    different step counts), batch sizes (so a step has batches of two lengths), seeds, and a
    fixed-epoch run without validation rows (inner-cv's final fit)."""
    X, y = data()
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    y = y.astype(np.int64)
    items = []
    for r in range(n_runs):
        rows = np.random.default_rng(r).permutation(len(y))[: len(y) - r % 3]
        cut = int(0.75 * len(rows))
        fit, val = rows[:cut], rows[cut:]
        plan = get_recipe(recipe).plan()
        X_fit, y_fit = plan.resample.apply(X[fit], y[fit], seed=r)
        fixed = r == 2
        items.append(
            (
                plan,
                FitRequest(
                    X=X_fit,
                    y=y_fit,
                    n_fit=len(fit),
                    n_classes=int(y.max()) + 1,
                    batch_size=16 + 4 * (r % 2),
                    seed=100 + r,
                    X_val=None if fixed else X[val],
                    y_val=None if fixed else y[val],
                    epochs=3 if fixed else None,
                ),
            )
        )
    return items, X


@pytest.mark.parametrize(
    ("recipe", "data"),
    [
        ("baseline", tiny_binary),
        ("balanced-sampler", tiny_multiclass),  # batches from a sampler
        ("ldam-drw", tiny_multiclass),  # cosine head, a schedule re-weighting the loss mid-way
        ("random-over", tiny_binary),  # resampled rows: a different row count per run
        ("class-weights", tiny_multiclass),  # each run's loss weighted by its own counts
        ("focal", tiny_binary),
    ],
)
def test_a_run_in_a_group_is_bit_for_bit_the_run_alone(recipe, data):
    items, X = _items(recipe, data, 5)
    env = RunEnv(TrainSettings(max_epochs=9, patience=3))
    together = train_networks(items, env)
    for item, got in zip(items, together):
        alone = train_networks([item], env)[0]
        assert (got.best_epoch, got.epochs_run) == (alone.best_epoch, alone.epochs_run)
        if alone.val_logits is None:
            assert got.val_logits is None
        else:
            assert np.array_equal(got.val_logits, alone.val_logits)
        assert np.array_equal(got.logits(X), alone.logits(X))
    # the group really was heterogeneous: runs stopped at different epochs
    assert len({f.epochs_run for f in together}) > 1


def test_results_do_not_depend_on_the_callers_thread_count():
    items, X = _items("baseline", tiny_binary, 3)
    env = RunEnv(TrainSettings(max_epochs=4, patience=3))
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = [f.logits(X) for f in train_networks(items, env)]
        torch.set_num_threads(2)
        two = [f.logits(X) for f in train_networks(items, env)]
    finally:
        torch.set_num_threads(previous)
    assert all(np.array_equal(a, b) for a, b in zip(one, two))


def _plain_loop(plan, request, env):
    """The textbook loop on the same initial weights and batches, without dropout."""
    settings = env.settings
    counts = np.maximum(np.bincount(request.y, minlength=request.n_classes), 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(request.seed)
        model = plan.head.apply(make_model(None, tuple(request.X.shape[1:]), request.n_classes))
    model.body[2].p = model.body[5].p = 0.0
    loss_fn = plan.loss.build(counts)
    schedule = plan.schedule.begin(loss_fn, counts, settings.max_epochs)
    opt = torch.optim.AdamW(
        model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay, fused=True
    )
    xt, yt = torch.as_tensor(request.X), torch.as_tensor(request.y)
    stream = plan.batches.stream(request.y, request.batch_size, seed=request.seed)
    model.train()
    for epoch in range(request.epochs):
        schedule.on_epoch(epoch)
        for _ in range(steps_per_epoch(request.n_fit, request.batch_size)):
            idx = torch.as_tensor(next(stream))
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()
    return model, plan.head.logit_scale(loss_fn)


@pytest.mark.parametrize("recipe", ["baseline", "ldam-drw"])
def test_the_engine_trains_what_a_plain_module_loop_trains(recipe, monkeypatch):
    """Equal to float32 rounding: batched and plain matrix products round differently."""
    X, y = tiny_multiclass()
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    y = y.astype(np.int64)
    plan = get_recipe(recipe).plan()
    request = FitRequest(X=X, y=y, n_fit=len(y), n_classes=3, batch_size=16, seed=3, epochs=4)
    env = RunEnv(TrainSettings(max_epochs=4))
    monkeypatch.setattr(_stacked.StackedRun, "_draw", lambda self, rows, width, p: None)
    (got,) = train_networks([(plan, request)], env)
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model, scale = _plain_loop(get_recipe(recipe).plan(), request, env)
    finally:
        torch.set_num_threads(previous)
    with torch.no_grad():
        want = model(torch.as_tensor(X)).double().numpy() * scale
    np.testing.assert_allclose(got.logits(X), want, rtol=1e-4, atol=1e-4 * scale)


def test_dropout_masks_drop_at_rate_p_and_rescale():
    model = MLP(5, 2)
    layout, initial = _stacked.mlp_layout(model)
    run = _stacked.StackedRun(
        X=None,
        y=None,
        initial=initial,
        layout=layout,
        loss_fn=None,
        scale=1.0,
        schedule=None,
        stream=iter(()),
        per_epoch=50,
        n_epochs=1,
        batch_size=64,
        seed=0,
        patience=1,
    )
    masks = np.concatenate([run.step_masks(64)[0] for run.step in range(50)])
    assert masks.shape == (50 * 64, layout.shapes[0][0])
    assert set(np.unique(masks)) == {np.float32(0.0), np.float32(1 / 0.9)}
    assert abs(float((masks == 0).mean()) - 0.1) < 0.01


def test_stacked_adamw_gives_each_run_its_alone_update():
    """Per-run tensors to the kernel: a 2-value bias is scalar tail alone, a vector block when
    four runs' biases are one tensor; each run must get its alone update."""
    torch.manual_seed(0)
    shapes = [(7, 5), (1, 7), (2, 7), (1, 2)]
    runs = 4
    params = [torch.randn(runs, *s) for s in shapes]
    grads = [[torch.randn(runs, *s) * 10.0 ** (k % 5 - 3) for s in shapes] for k in range(12)]

    def train(ps, gs):
        ps = [p.clone().requires_grad_() for p in ps]
        opt = _stacked._StackedAdamW(ps, lr=3e-3, weight_decay=1e-4)
        for g in gs:
            for p, gp in zip(ps, g):
                p.grad = gp.clone()
            opt.step()
        return [p.detach() for p in ps]

    together = train(params, grads)
    for r in range(runs):
        alone = train([p[r : r + 1] for p in params], [[g[r : r + 1] for g in gs] for gs in grads])
        assert all(torch.equal(t[r : r + 1], a) for t, a in zip(together, alone))


def test_other_models_are_not_stacked():
    assert _stacked.mlp_layout(torch.nn.Sequential(torch.nn.Linear(3, 2))) is None
    hooked = MLP(3, 2)
    hooked.body[0].register_forward_hook(lambda *a: None)
    assert _stacked.mlp_layout(hooked) is None
    assert _stacked.mlp_layout(MLP(3, 2)) is not None


def test_compare_gives_the_same_results_grouped_and_run_by_run(monkeypatch, tmp_path):
    X, y = tiny_binary()
    settings = {
        "recipes": ["baseline", "ldam-drw", "threshold-tuned", "logistic-regression"],
        "folds": 2,
        "seeds": 2,
        "train": TrainSettings(max_epochs=4, patience=2),
        "jobs": 1,
        "progress": False,
        "report": False,
    }
    grouped = compare(X, y, out=tmp_path / "grouped", **settings)
    monkeypatch.setattr(runner_module, "MAX_GROUP_RUNS", 1)
    alone = compare(X, y, out=tmp_path / "alone", **settings)
    cols = [c for c in grouped.results.columns if c != "fit_seconds"]
    pd.testing.assert_frame_equal(grouped.results[cols], alone.results[cols])
    assert grouped.summary["ranking"] == alone.summary["ranking"]


def test_groups_only_where_they_pay_and_within_memory(monkeypatch):
    from equipoise.compare import _preprocess

    X, y = tiny_binary()
    data = _preprocess.prepare_data(X, y)
    network, reference = get_recipe("baseline"), get_recipe("logistic-regression")
    assert runner_module.group_limit(data, network, None, "cpu") == runner_module.MAX_GROUP_RUNS
    assert runner_module.group_limit(data, reference, None, "cpu") == 1  # nothing to stack
    assert runner_module.group_limit(data, network, lambda d, c: None, "cpu") == 1
    assert runner_module.group_limit(data, network, None, "cuda") == 1
    # the group's copies of the data stay within GROUP_BYTES
    per_run = 6 * 4 * data.n_samples * X.shape[1]
    monkeypatch.setattr(runner_module, "GROUP_BYTES", 3 * per_run)
    assert runner_module.group_limit(data, network, None, "cpu") == 3
    monkeypatch.setattr(runner_module, "GROUP_BYTES", per_run // 2)
    assert runner_module.group_limit(data, network, None, "cpu") == 1


def test_a_run_whose_fit_fails_is_reported_and_the_others_are_unchanged(monkeypatch):
    from equipoise.compare import _preprocess
    from equipoise.compare.run import Failure, run_group, run_one
    from equipoise.compare.splits import make_splits
    from equipoise.compare.steps._model import NetworkModel

    X, y = tiny_binary()
    data = _preprocess.prepare_data(X, y)
    settings = TrainSettings(max_epochs=3, patience=2)
    splits = make_splits(data.y_encoded, folds=3, seeds=1, settings=settings, random_state=0)
    env = RunEnv(settings, threads=1)
    recipe = get_recipe("baseline")
    alone = [run_one(data, s, recipe, env=env) for s in splits]
    bad_seed = None
    real = NetworkModel.fit_many

    def failing(self, items, env):
        nonlocal bad_seed
        bad_seed = items[1][1].seed if bad_seed is None else bad_seed
        if any(request.seed == bad_seed for _, request in items):
            raise ValueError("this run's loss cannot be built")
        return real(self, items, env)

    monkeypatch.setattr(NetworkModel, "fit_many", failing)
    got = run_group(data, splits, recipe, env=env)
    assert isinstance(got[1], Failure) and "cannot be built" in got[1].message
    for k in (0, 2):
        assert got[k].metrics == alone[k].metrics
        assert np.array_equal(got[k].y_score, alone[k].y_score)
