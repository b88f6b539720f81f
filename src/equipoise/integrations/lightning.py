"""PyTorch Lightning callbacks: deferred re-weighting and per-epoch online resampling.

``pip install 'equipoise[lightning]'``. Two callbacks:

- :class:`DeferredReweightingCallback` switches an equipoise loss's class weights on at the
  schedule's epoch (LDAM-DRW; Cao et al. 2019), on every rank, also after a resume;
- :class:`ResampleEveryEpoch` gives every :class:`equipoise.online.ResampledDataset` of the
  training loaders the trainer's epoch before each epoch (a fresh over-sampling or SMOTE
  plan, in the DataLoader workers too), and refuses single-process equipoise samplers where
  every DDP rank would draw the same rows.

How equipoise samplers meet ``Trainer(use_distributed_sampler=...)`` (see docs/lightning.md):

- ``True`` (Lightning's default): a ``DistributedSampler`` subclass
  (:class:`~equipoise.samplers.DistributedClassBalancedSampler`) is left in place; any other
  sampler (:class:`~equipoise.samplers.ClassBalancedSampler`,
  :class:`~equipoise.online.EpochSampler`) is wrapped in Lightning's
  ``DistributedSamplerWrapper``: every rank iterates the same draw (give a ``seed``) and keeps
  its own positions of it; batch samplers are re-created with a ``DistributedSampler`` as
  ``sampler=``, which :class:`~equipoise.samplers.DistributedBalancedBatchSampler` reads its
  rank from (build it inside ``train_dataloader()``).
- ``False``: Lightning leaves loaders alone; use the distributed samplers, which read the
  world size and rank from the process group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from torch import nn
from torch.utils.data import ConcatDataset, DataLoader, Subset

from .._validation import validate_params
from ..exceptions import InvalidParameterError
from ..losses import DeferredReweighting
from ..losses._common import SupportsSetWeight
from ..online import EpochSampler, ResampledDataset
from ..samplers import (
    BalancedBatchSampler,
    ClassBalancedSampler,
    DistributedBalancedBatchSampler,
)
from ..samplers._labels import world_size
from ._extras import require

if TYPE_CHECKING:  # type checkers read the framework itself; at run time it is an optional extra
    import lightning.pytorch as pl
else:
    pl = require("lightning.pytorch", "lightning", "PyTorch Lightning (the 'lightning' package)")

__all__ = ["DeferredReweightingCallback", "ResampleEveryEpoch"]


class DeferredReweightingCallback(pl.Callback):
    r"""Apply a :class:`~equipoise.losses.DeferredReweighting` schedule to a loss every epoch.

    At the start of training and of every epoch, ``schedule.apply(loss, trainer.current_epoch)``:
    no class weights before ``start_epoch``, the class-balanced weights of Cui et al. from then
    on (LDAM-DRW, Cao et al. 2019). Every rank applies the same weights. The loss's weight is a
    buffer of the LightningModule, saved in checkpoints and restored by ``ckpt_path=`` and
    ``load_from_checkpoint`` (a checkpoint taken after the switch loads into a freshly built
    loss).

    Parameters
    ----------
    schedule : DeferredReweighting
    loss : str or torch.nn.Module, default="loss_fn"
        The loss (any equipoise loss with ``set_weight``: LDAM, cross-entropy, focal), or the
        name of the LightningModule attribute that holds it (robust to the module being
        re-created, as in ``load_from_checkpoint``).

    Examples
    --------
    >>> from equipoise.losses import DeferredReweighting
    >>> cb = DeferredReweightingCallback(DeferredReweighting([500, 50, 5], start_epoch=160))
    >>> cb
    DeferredReweightingCallback(DeferredReweighting(start_epoch=160, beta=0.9999), loss='loss_fn')
    """

    def __init__(self, schedule: DeferredReweighting, loss: str | nn.Module = "loss_fn") -> None:
        if not isinstance(schedule, DeferredReweighting):
            raise InvalidParameterError(
                f"The 'schedule' parameter of {type(self).__name__} must be an "
                f"equipoise.losses.DeferredReweighting; got {type(schedule).__name__}."
            )
        if not isinstance(loss, (str, nn.Module)):
            raise InvalidParameterError(
                f"The 'loss' parameter of {type(self).__name__} must be a loss module or the name of "
                f"the LightningModule attribute holding it; got {type(loss).__name__}."
            )
        self.schedule = schedule
        self.loss = loss

    def _loss(self, pl_module: Any) -> SupportsSetWeight:
        loss = getattr(pl_module, self.loss, None) if isinstance(self.loss, str) else self.loss
        if not hasattr(loss, "set_weight"):
            where = f"pl_module.{self.loss}" if isinstance(self.loss, str) else "the loss given"
            raise InvalidParameterError(
                f"{type(self).__name__} needs a loss with set_weight (LDAMLoss, CrossEntropyLoss, "
                f"FocalLoss); {where} is {type(loss).__name__}."
            )
        return cast(SupportsSetWeight, loss)  # it has set_weight (checked just above)

    def _apply(self, trainer: Any, pl_module: Any) -> None:
        self.schedule.apply(self._loss(pl_module), trainer.current_epoch)

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        self._apply(trainer, pl_module)

    def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        self._apply(trainer, pl_module)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.schedule!r}, loss={self.loss!r})"


def _loaders(obj: Any) -> Iterator[DataLoader]:
    """Every DataLoader inside what ``trainer.train_dataloader`` returns (dicts, lists, ...)."""
    if isinstance(obj, DataLoader):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _loaders(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _loaders(value)
    elif hasattr(obj, "iterables"):  # a CombinedLoader
        yield from _loaders(obj.iterables)


def _resampled(dataset: Any) -> Iterator[ResampledDataset]:
    if isinstance(dataset, ResampledDataset):
        yield dataset
    elif isinstance(dataset, Subset):
        yield from _resampled(dataset.dataset)
    elif isinstance(dataset, ConcatDataset):
        for part in dataset.datasets:
            yield from _resampled(part)


def _single_process_samplers(loader: DataLoader) -> Iterator[Any]:
    """equipoise samplers of ``loader`` that would give every rank the same rows."""
    candidates = [getattr(loader, "sampler", None), getattr(loader, "batch_sampler", None)]
    for s in candidates:
        if isinstance(s, (ClassBalancedSampler, EpochSampler)) or (
            isinstance(s, BalancedBatchSampler)
            and not isinstance(s, DistributedBalancedBatchSampler)
        ):
            yield s


class ResampleEveryEpoch(pl.Callback):
    """Give every ResampledDataset of the training loaders the trainer's epoch, every epoch.

    At the start of training and of every epoch, ``dataset.set_epoch(trainer.current_epoch)``
    for each :class:`~equipoise.online.ResampledDataset` found in the training loaders (also
    inside ``Subset`` and ``ConcatDataset``). The dataset's epoch lives in shared memory, so
    DataLoader workers, persistent ones included, draw the new plan; every rank (same ``seed``)
    draws the same plan and its ``DistributedSampler`` takes its share. Loaders that use
    ``dataset.epoch_sampler()`` need no callback (Lightning calls ``set_epoch`` on samplers).

    Parameters
    ----------
    check_samplers : bool, default=True
        Under DDP with ``Trainer(use_distributed_sampler=False)``, raise when a training loader
        uses a single-process equipoise sampler (``ClassBalancedSampler``,
        ``BalancedBatchSampler``, ``EpochSampler``): Lightning would not shard it, so every
        rank would draw the same rows. Use the distributed samplers there.

    Notes
    -----
    With ``num_workers > 0`` Lightning starts the first iterator of a run before any callback
    or ``set_epoch`` runs; for a fresh run that is epoch 0 anyway, but a run resumed at epoch
    ``k`` would prefetch its first batches from epoch 0's draw (this holds for every sampler,
    ``DistributedSampler`` included). Build the loader in ``train_dataloader()`` and call
    ``set_epoch(self.trainer.current_epoch)`` on its sampler or dataset there.

    Examples
    --------
    >>> ResampleEveryEpoch()
    ResampleEveryEpoch(check_samplers=True)
    """

    def __init__(self, check_samplers: bool = True) -> None:
        validate_params(
            type(self).__name__, {"check_samplers": check_samplers}, {"check_samplers": ["boolean"]}
        )
        self.check_samplers = check_samplers

    def _set(self, trainer: Any) -> None:
        for loader in _loaders(trainer.train_dataloader):
            for dataset in _resampled(loader.dataset):
                dataset.set_epoch(trainer.current_epoch)

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        if self.check_samplers and world_size() > 1:
            connector = getattr(trainer, "_accelerator_connector", None)
            if connector is not None and not getattr(connector, "use_distributed_sampler", True):
                for loader in _loaders(trainer.train_dataloader):
                    for sampler in _single_process_samplers(loader):
                        raise InvalidParameterError(
                            f"A training loader uses {type(sampler).__name__}, a single-process sampler, "
                            f"under DDP with {world_size()} processes and "
                            "Trainer(use_distributed_sampler=False): every rank would draw the same "
                            "rows. Use DistributedClassBalancedSampler or "
                            "DistributedBalancedBatchSampler, or use_distributed_sampler=True."
                        )
        self._set(trainer)

    def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
        self._set(trainer)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(check_samplers={self.check_samplers})"
