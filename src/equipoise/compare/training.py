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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import resolve_device
from .selection import CalibratedBalancedLogLoss
from .settings import TrainSettings
from .steps import FitRequest, Fitted

__all__ = ["RunEnv", "train_network", "steps_per_epoch", "make_model"]

_PREDICT_ROWS = 4096


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


def make_model(model_factory: Callable[..., Any] | None, shape: tuple[int, ...], n_classes: int) -> Any:
    """The default network for samples of ``shape``, or the user's ``model_factory``."""
    from .models import default_model_factory

    if model_factory is None:
        return default_model_factory(shape, n_classes)
    return model_factory(shape[0] if len(shape) == 1 else shape, n_classes)


def _predict(model: Any, x: Any, scale: float) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        parts = [model(x[i : i + _PREDICT_ROWS]).float() for i in range(0, len(x), _PREDICT_ROWS)]
    out = torch.cat(parts) if parts else torch.empty((0,))
    return out.cpu().numpy().astype(np.float64) * scale


def train_network(plan: Any, request: FitRequest, env: RunEnv) -> Fitted:
    """Train the network of one run (see the module docstring).

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
    counts = np.maximum(np.bincount(request.y, minlength=request.n_classes), 1)  # absent class: 1
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(request.seed)
        model = plan.head.apply(make_model(env.model_factory, tuple(request.X.shape[1:]), request.n_classes)).to(dev)
        loss_fn = plan.loss.build(counts).to(dev)
        scale = plan.head.logit_scale(loss_fn)
        schedule = plan.schedule.begin(loss_fn, counts, settings.max_epochs)
        # the fused kernel: one call for all parameters (a quarter less time per step on small models)
        fused: dict[str, Any] = {"fused": True} if dev.type in ("cpu", "cuda") else {}
        opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay, **fused)
        xt = torch.as_tensor(request.X, device=dev)
        yt = torch.as_tensor(request.y, device=dev)
        stream = plan.batches.stream(request.y, request.batch_size, seed=request.seed)
        per_epoch = steps_per_epoch(request.n_fit, request.batch_size)
        selecting = request.epochs is None and request.X_val is not None
        n_epochs = settings.max_epochs if request.epochs is None else int(request.epochs)
        xv = torch.as_tensor(request.X_val, device=dev) if selecting else None
        criterion = CalibratedBalancedLogLoss(request.y_val, request.n_classes) if selecting and request.y_val is not None else None
        best, best_state, best_epoch, best_val, since = math.inf, None, None, None, 0
        epochs_run = 0
        for epoch in range(n_epochs):
            schedule.on_epoch(epoch)
            if epoch == schedule.judged_from:  # the loss changed: judge from here on
                best, since = math.inf, 0
            model.train()
            for _ in range(per_epoch):
                idx = torch.as_tensor(next(stream), device=dev)
                opt.zero_grad(set_to_none=True)
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
