"""Many runs of the default MLP trained as one batched computation, each run as if alone.

A comparison trains one small network per recipe, fold and seed, and at these sizes a step's
time is the cost of calling things, not arithmetic. The runs of one recipe (its folds and
seeds) build the same MLP, so their parameters are stacked along a leading *run* axis and every
step of all of them is one chain of batched matrix products
(:func:`torch.baddbmm`), one backward pass and one AdamW kernel call.

**Each run gives bit-for-bit what it gives trained alone** (a group of one), whatever the other
runs of its group, because nothing in a step mixes runs:

- a batched matrix product computes each run's slice with the same kernel whatever the number
  of slices, on one intra-op thread (the engine runs with one; with more, the kernel's split
  of the work, and so the rounding, changes with the number of slices);
- ReLU, dropout and AdamW (``torch._fused_adamw_``) act element by element, so an element's
  result does not depend on where it sits in the stack;
- each run's loss is its own module (built from its own class counts, changed by its own
  schedule) called on its own slice of the logits; the slices' gradients are joined by
  ``unbind`` and ``stack`` (copies, never sums across runs);
- each run's randomness is its own: the initial weights from ``torch.manual_seed(seed)`` as
  :func:`~equipoise.compare.training.make_model` builds them, the batches from the recipe's
  batch stream, and the dropout masks from a NumPy generator of the run's seed;
- each run keeps its own epochs (``ceil(n_fit / batch)`` steps), schedule, selection and early
  stopping; a run that stops leaves the stack, and the others go on unchanged. Runs whose
  batches differ in length in a step are computed in one product per length, on the rows of
  the stacked parameters they own (``index_select``, whose gradient is a copy back).

``tests/compare/test_stacked.py`` trains groups of runs with different data, batch sizes,
epochs, losses, schedules and heads and checks every run against the same run trained alone:
the same logits, the same early-stopping decisions, bit for bit; and checks the engine against
a plain ``nn.Module`` loop fed the same batches and dropout masks (equal to float32 rounding,
since ``bmm`` and ``addmm`` round differently).

Everything else (a user's ``model_factory``, images, CUDA, where grouping is not exact) trains
one run at a time (:func:`~equipoise.compare.training.train_network`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["StackedRun", "mlp_layout", "train_stacked"]

_PREDICT_ROWS = 4096
_DROPOUT_STREAM = 7  # spawn key of the dropout generator: apart from the batches' stream
_MASK_VALUES = 1 << 20  # dropout mask values drawn at a time per layer (4 MiB of float32)


@dataclass(frozen=True)
class MLPLayout:
    """What must agree for runs to share a stack: every parameter's shape, the head, the
    dropout rates, and the parameters' dtype and device."""

    shapes: tuple[tuple[int, ...], ...]
    normed: bool
    dropout: tuple[float, float]
    dtype: Any
    device: Any


def mlp_layout(model: Any) -> tuple[MLPLayout, list[Any]] | None:
    """The layout and parameters of a default :class:`~equipoise.compare.models.MLP`, or None.

    The parameters, in the engine's order: first layer weight and bias, second layer weight
    and bias, head weight (and bias, for a linear head). ``None`` for any other model, a body
    of another shape, or a module with hooks (whose calls the engine would skip).
    """
    from torch import nn
    from torch.nn.modules import module as module_globals

    from ..losses import NormedLinear
    from .models import MLP

    if type(model) is not MLP or not isinstance(model.body, nn.Sequential) or len(model.body) != 6:
        return None
    layers: list[Any] = list(model.body)
    kinds = [nn.Linear, nn.ReLU, nn.Dropout, nn.Linear, nn.ReLU, nn.Dropout]
    head: Any = model.head
    if any(type(m) is not k for m, k in zip(layers, kinds)) or type(head) not in (
        nn.Linear,
        NormedLinear,
    ):
        return None
    hooks = (
        "_forward_hooks",
        "_forward_pre_hooks",
        "_backward_hooks",
        "_backward_pre_hooks",
        "_forward_hooks_with_kwargs",
    )
    if any(getattr(m, h, None) for m in model.modules() for h in hooks):
        return None
    global_hooks = (
        "_global_forward_hooks",
        "_global_forward_pre_hooks",
        "_global_backward_hooks",
        "_global_backward_pre_hooks",
    )
    if any(getattr(module_globals, h, None) for h in global_hooks):
        return None
    lin1, _, drop1, lin2, _, drop2 = layers
    normed = type(head) is NormedLinear
    if lin1.bias is None or lin2.bias is None or (not normed and head.bias is None):
        return None
    params = [lin1.weight, lin1.bias, lin2.weight, lin2.bias, head.weight]
    if not normed:
        params.append(head.bias)
    if len({(p.dtype, p.device) for p in params}) != 1:
        return None
    layout = MLPLayout(
        shapes=tuple(tuple(p.shape) for p in params),
        normed=normed,
        dropout=(float(drop1.p), float(drop2.p)),
        dtype=params[0].dtype,
        device=params[0].device,
    )
    return layout, [p.detach() for p in params]


def _forward(params: list[Any], x: Any, masks: tuple[Any, Any] | None, normed: bool) -> Any:
    """Logits ``(R, L, C)`` of ``x`` ``(R, L, d)`` for stacked ``params`` (biases ``(R, 1, h)``).

    The MLP's ``Linear, ReLU, Dropout, Linear, ReLU, Dropout, head``, with the dropout as a
    multiplication by masks of 0 and ``1 / (1 - p)`` (None: evaluation).
    """
    import torch
    import torch.nn.functional as F

    z = torch.baddbmm(params[1], x, params[0].transpose(1, 2)).relu_()
    if masks is not None and masks[0] is not None:
        z = z * masks[0]
    z = torch.baddbmm(params[3], z, params[2].transpose(1, 2)).relu_()
    if masks is not None and masks[1] is not None:
        z = z * masks[1]
    if normed:  # NormedLinear: cosines of the unit-norm features and class vectors
        return torch.bmm(F.normalize(z, dim=2), F.normalize(params[4], dim=2).transpose(1, 2))
    return torch.baddbmm(params[5], z, params[4].transpose(1, 2))


def _stack_params(runs: list[StackedRun]) -> list[Any]:
    """Leaf tensors ``(R, ...)`` of the runs' current parameters (biases as ``(R, 1, h)``)."""
    import torch

    out = []
    for j in range(len(runs[0].initial)):
        parts = [r.initial[j] for r in runs]
        stacked = torch.stack([p.unsqueeze(0) if p.dim() == 1 else p for p in parts])
        out.append(stacked.contiguous().requires_grad_(True))
    return out


class _StackedAdamW:
    """AdamW on stacked parameters: ``torch._fused_adamw_`` (the kernel of
    ``torch.optim.AdamW(fused=True)``) once per step for every run.

    The kernel is handed each run's slice of each parameter as a tensor of its own (views from
    ``unbind``), never the stacked tensor: it vectorises a tensor in blocks and rounds its last
    partial block in scalar code, which can differ in the last bit, so an element must sit where
    it sits when its run is alone (a head bias of 2 values is all tail alone, and would be one
    vector block in a stack of four). Its state is per element, so a run's rows can be taken
    out (:meth:`keep`) without changing the others.
    """

    def __init__(self, params: list[Any], *, lr: float, weight_decay: float) -> None:
        import torch

        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.avgs = [torch.zeros_like(p) for p in params]
        self.sqs = [torch.zeros_like(p) for p in params]
        self.steps = torch.zeros(
            len(params) * len(params[0]), dtype=torch.float32, device=params[0].device
        )
        self._bind(params)

    def _bind(self, params: list[Any]) -> None:
        self.params = params
        self._views = [v for p in params for v in p.detach().unbind(0)]
        self._avg_views = [v for a in self.avgs for v in a.unbind(0)]
        self._sq_views = [v for q in self.sqs for v in q.unbind(0)]
        self._step_views = list(self.steps.unbind(0))  # one 0-d count per tensor, as AdamW

    def step(self) -> None:
        import torch

        from .training import fused_adamw_kernel

        with torch.no_grad():
            self.steps.add_(1)  # every view's count
            fused_adamw_kernel(
                self._views,
                [v for p in self.params for v in p.grad.unbind(0)],
                self._avg_views,
                self._sq_views,
                self._step_views,
                lr=self.lr,
                weight_decay=self.weight_decay,
            )

    def keep(self, rows: Any) -> list[Any]:
        """Keep only the runs at ``rows``: new parameter leaves, and the state to match."""
        import torch

        params = [p.detach().index_select(0, rows).requires_grad_(True) for p in self.params]
        self.avgs = [a.index_select(0, rows) for a in self.avgs]
        self.sqs = [q.index_select(0, rows) for q in self.sqs]
        self.steps = torch.full(
            (len(params) * len(rows),),
            float(self.steps[0]),
            dtype=torch.float32,
            device=self.steps.device,
        )
        self._bind(params)
        return params


@dataclass(eq=False)
class StackedRun:
    """One run of a group: its data, loss, schedule, batches, selection and progress.

    Built by :func:`~equipoise.compare.training.train_networks`; the fields after ``layout``
    are the run's state during training.
    """

    X: Any  # training rows on the device, (n, d)
    y: Any  # labels on the device, (n,)
    initial: list[Any]  # parameters in mlp_layout's order
    layout: MLPLayout
    loss_fn: Any
    scale: float
    schedule: Any
    stream: Iterator[np.ndarray]
    per_epoch: int
    n_epochs: int
    batch_size: int
    seed: int
    patience: int
    X_val: Any = None
    criterion: Callable[[np.ndarray], float] | None = None
    # state
    step: int = 0
    epoch: int = 0
    epochs_run: int = 0
    best: float = math.inf
    since: int = 0
    best_epoch: int | None = None
    best_val: np.ndarray | None = None
    best_state: list[Any] | None = None
    done: bool = False
    masks: list[np.ndarray | None] = field(default_factory=list)
    masks_from: int = 0
    masks_until: int = 0
    kept: list[Any] = field(default_factory=list)
    offset: int = 0

    def __post_init__(self) -> None:
        seq = np.random.SeedSequence(int(self.seed), spawn_key=(_DROPOUT_STREAM,))
        self._dropout_rng = np.random.default_rng(seq)

    def _draw(self, rows: int, width: int, p: float) -> np.ndarray | None:
        if p == 0.0:
            return None
        keep = self._dropout_rng.random((rows, width), dtype=np.float32) >= np.float32(p)
        return keep.astype(np.float32) * np.float32(1.0 / (1.0 - p))

    def begin_epoch(self) -> None:
        """The schedule's change for this epoch; its dropout masks are drawn from here on."""
        self.schedule.on_epoch(self.epoch)
        if self.epoch == self.schedule.judged_from:  # the loss changed: judge from here on
            self.best, self.since = math.inf, 0
        self.masks_until = 0

    def step_masks(self, length: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """This step's masks for a batch of ``length`` rows.

        Masks are drawn for up to :data:`_MASK_VALUES` values per layer at a time (the next
        steps of the epoch, ``batch_size`` rows each) and read a step at a time; a batch longer
        than the batch size (a batch sampler's) gets fresh masks of its own.
        """
        widths = (self.layout.shapes[0][0], self.layout.shapes[2][0])
        if length > self.batch_size:
            a, b = (self._draw(length, w, p) for w, p in zip(widths, self.layout.dropout))
            return a, b
        if self.step >= self.masks_until:
            chunk = max(1, _MASK_VALUES // (self.batch_size * max(widths)))
            n_steps = min(chunk, self.per_epoch - self.step)
            rows = n_steps * self.batch_size
            self.masks = [self._draw(rows, w, p) for w, p in zip(widths, self.layout.dropout)]
            self.masks_from, self.masks_until = self.step, self.step + n_steps
        start = (self.step - self.masks_from) * self.batch_size
        m1, m2 = self.masks
        return (
            None if m1 is None else m1[start : start + length],
            None if m2 is None else m2[start : start + length],
        )

    def logits(self, params: list[Any], X: Any) -> np.ndarray:
        """Evaluation logits (float64, times the head's scale) of ``X`` with ``params`` of
        this run only (each ``(1, ...)``)."""
        import torch

        with torch.no_grad():
            parts = [
                _forward(params, X[i : i + _PREDICT_ROWS].unsqueeze(0), None, self.layout.normed)[
                    0
                ].float()
                for i in range(0, len(X), _PREDICT_ROWS)
            ]
        out = torch.cat(parts) if parts else torch.empty((0,))
        return out.cpu().numpy().astype(np.float64) * self.scale

    def end_epoch(self, params: list[Any]) -> None:
        """Score the epoch on the validation rows; keep the best weights; decide to stop."""
        self.epoch += 1
        self.epochs_run = self.epoch
        self.step = 0
        if self.criterion is not None:
            val_logits = self.logits(params, self.X_val)
            value = self.criterion(val_logits)
            if value < self.best - 1e-9:
                self.best, self.since = value, 0
                self.best_epoch, self.best_val = self.epoch, val_logits
                self.best_state = [p.detach().clone() for p in params]
            else:
                self.since += 1
                if self.since >= self.patience and self.epoch > self.schedule.judged_from:
                    self.done = True
        if self.epoch >= self.n_epochs:
            self.done = True
        if self.done:
            self.kept = (
                self.best_state
                if self.best_state is not None
                else [p.detach().clone() for p in params]
            )


def _gather(rows: list[np.ndarray], runs: list[StackedRun], Xcat: Any, ycat: Any) -> Any:
    import torch

    index = np.concatenate([r + run.offset for r, run in zip(rows, runs)])
    it = torch.from_numpy(index).to(Xcat.device)
    n, length = len(runs), len(rows[0])
    return (
        Xcat.index_select(0, it).view(n, length, *Xcat.shape[1:]),
        ycat.index_select(0, it).view(n, length),
    )


def _masks(parts: list[tuple[np.ndarray | None, np.ndarray | None]], device: Any) -> Any:
    """The group's masks of each dropout layer as one ``(R, L, h)`` tensor (None: no dropout)."""
    import torch

    out: list[Any] = []
    for layer in range(2):
        arrays = [p[layer] for p in parts]
        if any(a is None for a in arrays):
            out.append(None)  # one layout, one rate: then every run's is None
            continue
        stacked = np.stack([a for a in arrays if a is not None])
        out.append(torch.from_numpy(stacked).to(device, non_blocking=True))
    return tuple(out)


def train_stacked(runs: list[StackedRun], *, lr: float, weight_decay: float) -> None:
    """Train ``runs`` (one layout) together; each run's ``kept`` parameters, ``best_val``,
    ``best_epoch`` and ``epochs_run`` are set when it ends (see the module docstring)."""
    import torch

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: a slice's rounding must not depend on the others
    try:
        offset = 0
        for run in runs:
            run.offset = offset
            offset += len(run.X)
        Xcat = torch.cat([run.X for run in runs])
        ycat = torch.cat([run.y for run in runs])
        active = list(runs)
        params = _stack_params(active)
        opt = _StackedAdamW(params, lr=lr, weight_decay=weight_decay)
        normed = active[0].layout.normed
        device = Xcat.device
        while active:
            for run in active:
                if run.step == 0:
                    run.begin_epoch()
            rows = [np.asarray(next(run.stream), dtype=np.int64) for run in active]
            by_length: dict[int, list[int]] = {}
            for i, r in enumerate(rows):
                by_length.setdefault(len(r), []).append(i)
            for p in params:
                p.grad = None
            losses = []
            for length, members in by_length.items():
                if len(members) == len(active):
                    own = params
                else:  # a product per batch length, on the runs' own rows
                    pick = torch.as_tensor(members, device=device)
                    own = [p.index_select(0, pick) for p in params]
                group = [active[i] for i in members]
                x, y = _gather([rows[i] for i in members], group, Xcat, ycat)
                masks = _masks([run.step_masks(length) for run in group], device)
                logits = _forward(own, x, masks, normed)
                losses += [
                    run.loss_fn(z, t) for run, z, t in zip(group, logits.unbind(0), y.unbind(0))
                ]
            torch.stack(losses).sum().backward()  # d(sum)/d(loss) = 1: each run's own gradient
            opt.step()
            for i, run in enumerate(active):
                run.step += 1
                if run.step == run.per_epoch:
                    run.end_epoch([p[i : i + 1] for p in params])
            if any(run.done for run in active):
                keep = [i for i, run in enumerate(active) if not run.done]
                active = [active[i] for i in keep]
                if active:
                    params = opt.keep(torch.as_tensor(keep, device=device))
    finally:
        torch.set_num_threads(previous_threads)
