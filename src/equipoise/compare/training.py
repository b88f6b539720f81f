"""The training loop of a comparison's network: one budget of steps, one selection criterion.

For every recipe of a split:

- the batch size ``B`` and the steps of an epoch, ``ceil(n_fit / B)``, come from the training
  rows *before* resampling, so every recipe gets the same number of optimiser steps (an
  over-sampled set is not seen twice as often, an under-sampled one is cycled through);
- the batches come from the recipe's batch step (shuffled passes, or a sampler read pass after
  pass), the loss from its loss step (built from the counts after resampling), the schedule
  changes the loss before each epoch, the head sets the output layer;
- after every epoch the validation logits are scored by
  :class:`~equipoise.compare.selection.CalibratedBalancedLogLoss`; training stops after
  ``patience`` epochs without improvement and the best epoch's weights are kept. With a fixed
  ``epochs`` (inner-cv's final model) it trains exactly that long.

**Per-step overhead.** The models of a comparison are small, so a step's time is mostly the
cost of calling things, not arithmetic.

- The default :class:`~equipoise.compare.models.MLP` of every run of a recipe (its folds and
  seeds, sent together by :func:`~equipoise.compare.run.run_group`) is trained in one stacked,
  batched computation (:mod:`equipoise.compare._stacked`): one chain of batched matrix
  products, one backward pass and one AdamW kernel call per step for all of them, each run
  getting bit-for-bit what it gets trained alone (``tests/compare/test_stacked.py``).
- Any other network (a ``model_factory``, the image CNN) trains one run at a time in
  :func:`_train_module`, with two trims that give bit-for-bit the plain loop's results
  (``tests/compare/test_training_exact.py``): the optimiser step calls the kernel
  ``torch.optim.AdamW(fused=True)`` runs (``torch._foreach_add_`` of the step counts, then
  ``torch._fused_adamw_``) directly (:class:`_FusedAdamW`), without the ``Optimizer``
  machinery around it, and gradients are dropped by setting them to None, as
  ``zero_grad(set_to_none=True)`` does.
- In both, the loss's value checks are off during training (``set_value_checks('never')``):
  the targets are the comparison's own encoded labels, checked once before the loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import resolve_device
from .selection import CalibratedBalancedLogLoss
from .settings import TrainSettings
from .steps import FitRequest, Fitted

__all__ = ["RunEnv", "train_network", "train_networks", "steps_per_epoch", "make_model"]

_PREDICT_ROWS = 4096

ENGINE = "stacked-mlp-2"
"""The training engine's version, part of a comparison's journal configuration: a journal of
runs trained by another engine (whose seeds give other weights, or whose selection criterion
rounds differently) is not resumed into a mix. 2: the binary selection criterion solved in its
two-parameter form."""


@dataclass(frozen=True)
class RunEnv:
    """Settings shared by every run of a comparison (picklable: sent to workers)."""

    settings: TrainSettings
    device: str = "cpu"
    model_factory: Callable[..., Any] | None = None
    threads: int | None = None


def steps_per_epoch(n_fit: int, batch_size: int) -> int:
    """Optimiser steps of one epoch: ``ceil(n_fit / batch_size)``.

    Examples
    --------
    >>> steps_per_epoch(1000, 128)
    8
    """
    return max(1, int(math.ceil(n_fit / batch_size)))


def make_model(
    model_factory: Callable[..., Any] | None, shape: tuple[int, ...], n_classes: int
) -> Any:
    """The default network for samples of ``shape``, or the user's ``model_factory``."""
    from .models import default_model_factory

    if model_factory is None:
        return default_model_factory(shape, n_classes)
    return model_factory(shape[0] if len(shape) == 1 else shape, n_classes)


def fused_adamw_kernel(
    params: list[Any],
    grads: list[Any],
    avgs: list[Any],
    sqs: list[Any],
    steps: list[Any],
    *,
    lr: float,
    weight_decay: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> None:
    """One AdamW update of ``params`` in place: the kernel ``torch.optim.AdamW(fused=True)``
    calls (``torch._fused_adamw_``, no AMSGrad, no gradient scaling), with the step counts
    ``steps`` already advanced. Call it under ``torch.no_grad()``."""
    import torch

    torch._fused_adamw_(
        params,
        grads,
        avgs,
        sqs,
        [],
        steps,
        amsgrad=False,
        lr=lr,
        beta1=betas[0],
        beta2=betas[1],
        weight_decay=weight_decay,
        eps=eps,
        maximize=False,
        grad_scale=None,
        found_inf=None,
    )


class _FusedAdamW:
    """``torch.optim.AdamW(params, lr, weight_decay=..., fused=True)`` as two kernel calls a step.

    The same state (``step`` as a 0-d float32 tensor on the parameter's device, ``exp_avg``,
    ``exp_avg_sq`` zeros like the parameter, created at a parameter's first gradient), the same
    kernel (``torch._fused_adamw_``) with the same arguments, and like ``AdamW`` a parameter
    without a gradient is skipped. So every parameter after every step is bit-for-bit what
    ``AdamW`` gives (tested). Used only where :func:`fused_adamw_usable` holds.
    """

    def __init__(
        self,
        params: list[Any],
        *,
        lr: float,
        weight_decay: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.lr, self.weight_decay, self.betas, self.eps = (
            float(lr),
            float(weight_decay),
            betas,
            float(eps),
        )
        self.state: dict[int, tuple[Any, Any, Any]] = {}

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        import torch

        params, grads, avgs, sqs, steps = [], [], [], [], []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if i not in self.state:
                step = torch.zeros((), dtype=torch.float32, device=p.device)
                self.state[i] = (
                    step,
                    torch.zeros_like(p, memory_format=torch.preserve_format),
                    torch.zeros_like(p, memory_format=torch.preserve_format),
                )
            step, avg, sq = self.state[i]
            params.append(p)
            grads.append(p.grad)
            avgs.append(avg)
            sqs.append(sq)
            steps.append(step)
        if not params:
            return
        with torch.no_grad():
            torch._foreach_add_(steps, 1)
            fused_adamw_kernel(
                params,
                grads,
                avgs,
                sqs,
                steps,
                lr=self.lr,
                weight_decay=self.weight_decay,
                betas=self.betas,
                eps=self.eps,
            )


def fused_adamw_usable(params: list[Any], device: Any) -> bool:
    """Whether :class:`_FusedAdamW` can stand for ``AdamW(fused=True)``: the kernel exists, the
    device is CPU or CUDA, and every parameter is a dense floating tensor of one dtype there."""
    import torch

    if not hasattr(torch, "_fused_adamw_") or device.type not in ("cpu", "cuda") or not params:
        return False
    dtypes = {p.dtype for p in params}
    return (
        len(dtypes) == 1
        and next(iter(dtypes)) in (torch.float32, torch.float64, torch.float16, torch.bfloat16)
        and all(p.device == params[0].device and p.layout == torch.strided for p in params)
    )


def _predict(model: Any, x: Any, scale: float) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        parts = [model(x[i : i + _PREDICT_ROWS]).float() for i in range(0, len(x), _PREDICT_ROWS)]
    out = torch.cat(parts) if parts else torch.empty((0,))
    return out.cpu().numpy().astype(np.float64) * scale


def _check_labels(request: FitRequest) -> np.ndarray:
    """The training class counts (an absent class counts 1), after checking the labels."""
    counts = np.maximum(np.bincount(request.y, minlength=request.n_classes), 1)
    if len(request.y) and (int(request.y.min()) < 0 or int(request.y.max()) >= request.n_classes):
        raise ValueError(
            f"training labels must be class codes in [0, {request.n_classes}); got {request.y.min()}..{request.y.max()}."
        )
    return counts


def train_network(plan: Any, request: FitRequest, env: RunEnv) -> Fitted:
    """Train the network of one run: :func:`train_networks` of that run alone."""
    return train_networks([(plan, request)], env)[0]


def train_networks(items: Sequence[tuple[Any, FitRequest]], env: RunEnv) -> list[Fitted]:
    """Train the networks of several runs; the default MLP's runs on the CPU train together.

    Runs whose network is the default :class:`~equipoise.compare.models.MLP` with the same
    layout (the tables of one recipe: its folds and seeds) are stacked and trained as one
    batched computation (:mod:`equipoise.compare._stacked`); each gives bit-for-bit what it
    gives trained alone. On CUDA each such run trains alone on the same engine; other models
    (a ``model_factory``, the image CNN) train one at a time in :func:`_train_module`.

    Parameters
    ----------
    items : sequence of (Plan, FitRequest)
        The recipe's steps and the rows, budget and seed of each run.
    env : RunEnv

    Returns
    -------
    list of Fitted
        In the order of ``items``.
    """
    import torch

    from ..losses import set_value_checks
    from ._stacked import StackedRun, mlp_layout, train_stacked

    settings = env.settings
    dev = resolve_device(env.device)
    fitted: list[Fitted | None] = [None] * len(items)
    groups: dict[Any, list[tuple[int, StackedRun, bool]]] = {}
    previous_checks = set_value_checks("never")  # targets checked in _check_labels, once
    try:
        for i, (plan, request) in enumerate(items):
            counts = _check_labels(request)
            found = None
            if env.model_factory is None and request.X.ndim == 2:
                with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
                    torch.manual_seed(request.seed)
                    model = plan.head.apply(
                        make_model(None, tuple(request.X.shape[1:]), request.n_classes)
                    ).to(dev)
                params = list(model.parameters())
                found = mlp_layout(model) if fused_adamw_usable(params, dev) else None
            if found is None:
                fitted[i] = _train_module(plan, request, env, counts)
                continue
            layout, initial = found
            loss_fn = plan.loss.build(counts).to(dev)
            selecting = request.epochs is None and request.X_val is not None
            run = StackedRun(
                X=torch.as_tensor(request.X, device=dev),
                y=torch.as_tensor(request.y, device=dev),
                initial=initial,
                layout=layout,
                loss_fn=loss_fn,
                scale=plan.head.logit_scale(loss_fn),
                schedule=plan.schedule.begin(loss_fn, counts, settings.max_epochs),
                stream=plan.batches.stream(request.y, request.batch_size, seed=request.seed),
                per_epoch=steps_per_epoch(request.n_fit, request.batch_size),
                n_epochs=settings.max_epochs if request.epochs is None else int(request.epochs),
                batch_size=request.batch_size,
                seed=request.seed,
                patience=settings.patience,
                X_val=torch.as_tensor(request.X_val, device=dev) if selecting else None,
                criterion=(
                    CalibratedBalancedLogLoss(np.asarray(request.y_val), request.n_classes)
                    if selecting and request.y_val is not None
                    else None
                ),
            )
            key = (layout, i) if dev.type != "cpu" else layout  # CUDA: no exactness proof
            groups.setdefault(key, []).append((i, run, selecting))
        for members in groups.values():
            train_stacked(
                [run for _, run, _ in members], lr=settings.lr, weight_decay=settings.weight_decay
            )
            for i, run, selecting in members:
                fitted[i] = Fitted(
                    _stacked_logits(run, dev),
                    run.best_val,
                    run.best_epoch if selecting else run.epochs_run,
                    run.epochs_run,
                )
    finally:
        set_value_checks(previous_checks)  # type: ignore[arg-type]
    assert all(f is not None for f in fitted)  # every item went one way or the other
    return [f for f in fitted if f is not None]


def _stacked_logits(run: Any, dev: Any) -> Callable[[np.ndarray], np.ndarray]:
    import torch

    def logits(X: np.ndarray) -> np.ndarray:
        previous = torch.get_num_threads()
        torch.set_num_threads(1)  # as in training: the same logits whatever the caller's threads
        try:
            return run.logits(
                run.kept, torch.as_tensor(np.asarray(X, dtype=np.float32), device=dev)
            )
        finally:
            torch.set_num_threads(previous)

    return logits


def _train_module(plan: Any, request: FitRequest, env: RunEnv, counts: np.ndarray) -> Fitted:
    """Train the network of one run as an ``nn.Module`` (see the module docstring).

    Parameters
    ----------
    plan : Plan
        The recipe's steps (batches, loss, schedule, head are used here).
    request : FitRequest
        Rows, budget, seed and the validation rows (or a fixed number of epochs).
    env : RunEnv

    Returns
    -------
    Fitted
        Logits of new rows with the kept weights, the validation logits at the kept epoch and
        the epochs kept / run.
    """
    import torch

    settings = env.settings
    dev = resolve_device(env.device)
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(request.seed)
        model = plan.head.apply(
            make_model(env.model_factory, tuple(request.X.shape[1:]), request.n_classes)
        ).to(dev)
        loss_fn = plan.loss.build(counts).to(dev)
        scale = plan.head.logit_scale(loss_fn)
        schedule = plan.schedule.begin(loss_fn, counts, settings.max_epochs)
        params = list(model.parameters())
        opt: Any
        if fused_adamw_usable(params, dev):
            opt = _FusedAdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)
        else:  # the fused kernel where the device has it: one call for all parameters
            fused: dict[str, Any] = {"fused": True} if dev.type in ("cpu", "cuda") else {}
            opt = torch.optim.AdamW(
                params, lr=settings.lr, weight_decay=settings.weight_decay, **fused
            )
        xt = torch.as_tensor(request.X, device=dev)
        yt = torch.as_tensor(request.y, device=dev)
        stream = plan.batches.stream(request.y, request.batch_size, seed=request.seed)
        per_epoch = steps_per_epoch(request.n_fit, request.batch_size)
        selecting = request.epochs is None and request.X_val is not None
        n_epochs = settings.max_epochs if request.epochs is None else int(request.epochs)
        xv = torch.as_tensor(request.X_val, device=dev) if selecting else None
        criterion = (
            CalibratedBalancedLogLoss(np.asarray(request.y_val), request.n_classes)
            if selecting and request.y_val is not None
            else None
        )
        best, best_state, best_epoch, best_val, since = math.inf, None, None, None, 0
        epochs_run = 0
        for epoch in range(n_epochs):
            schedule.on_epoch(epoch)
            if epoch == schedule.judged_from:  # the loss changed: judge from here on
                best, since = math.inf, 0
            model.train()
            for _ in range(per_epoch):
                idx = torch.as_tensor(next(stream), device=dev)
                opt.zero_grad(set_to_none=True) if isinstance(
                    opt, torch.optim.Optimizer
                ) else opt.zero_grad()
                loss = loss_fn(model(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
            epochs_run = epoch + 1
            if criterion is None:
                continue
            val_logits = _predict(model, xv, scale)
            value = criterion(val_logits)
            if value < best - 1e-9:
                best, since, best_epoch, best_val = value, 0, epoch + 1, val_logits
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                since += 1
                if since >= settings.patience and epoch + 1 > schedule.judged_from:
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()

    def logits(X: np.ndarray) -> np.ndarray:
        return _predict(model, torch.as_tensor(np.asarray(X, dtype=np.float32), device=dev), scale)

    if not selecting:
        best_epoch = epochs_run
    return Fitted(logits, best_val, best_epoch, epochs_run)
