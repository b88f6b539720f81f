"""A Hugging Face ``Trainer`` with equipoise losses, class weights and samplers.

``pip install 'equipoise[transformers]'`` (transformers with accelerate). :class:`ImbalancedTrainer`
is ``transformers.Trainer`` with three more arguments:

- ``loss``: any equipoise loss (or a :data:`~equipoise.losses.LOSSES` name, built from the
  training labels' counts), or any callable ``(logits, labels) -> loss``;
- ``class_weights``: per-class weights (or a :data:`~equipoise.weights.WEIGHT_SCHEMES` name)
  for a weighted cross-entropy; exclusive with ``loss``;
- ``sampler``: any equipoise sampler (or a :data:`~equipoise.samplers.SAMPLERS` name, built from
  the training labels with the run's seed), batch samplers included.

Under DDP (``torchrun``, ``accelerate launch``), Accelerate gives each process every
``world_size``-th batch of the loader: a single-process sampler with the run's seed draws the
same stream on every rank, so the ranks get disjoint shares of one global draw. A distributed
sampler (which shards itself) is not sharded again. ``set_epoch`` reaches the sampler, and a
:class:`~equipoise.online.ResampledDataset`, at the start of every epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler, Sampler

from ..exceptions import InvalidInputError, InvalidParameterError
from ..losses import LOSSES, CrossEntropyLoss
from ..online import ResampledDataset
from ..samplers import DistributedBalancedBatchSampler, make_sampler
from ..samplers._labels import _dataset_labels
from ._extras import require

if TYPE_CHECKING:  # type checkers read the framework itself; at run time it is an optional extra
    import transformers
else:
    transformers = require(
        "transformers", "transformers", "Hugging Face Transformers (and accelerate)"
    )

__all__ = ["ImbalancedTrainer", "train_labels"]

LossLike = nn.Module | Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | str | None


def train_labels(dataset: Any) -> np.ndarray:
    """The class label of every row of a training set, as the Trainer sees it.

    Where datasets keep labels (``get_labels()``, ``targets``, ``labels``, a Hugging Face
    dataset's ``label``/``labels`` column, a ``TensorDataset``'s second tensor), else one pass
    reading ``item["labels"]`` (or ``item["label"]``) of dict items, the Trainer's format.

    Examples
    --------
    >>> train_labels([{"input_ids": [1, 2], "labels": 1}, {"input_ids": [3], "labels": 0}]).tolist()
    [1, 0]
    """
    found = _dataset_labels(dataset, "ImbalancedTrainer")
    if found is None:
        found = []
        for i in range(len(dataset)):
            item = dataset[i]
            key = "labels" if isinstance(item, dict) and "labels" in item else "label"
            if not isinstance(item, dict) or key not in item:
                raise InvalidInputError(
                    "ImbalancedTrainer cannot find the training labels: the dataset has no labels "
                    "attribute or column and its items are not dicts with a 'labels' (or 'label') key. "
                    "Pass train_labels=... to ImbalancedTrainer."
                )
            value = item[key]
            found.append(value.item() if isinstance(value, torch.Tensor) else value)
    labels = found.detach().cpu().numpy() if isinstance(found, torch.Tensor) else np.asarray(found)
    return labels.reshape(-1)


def _is_distributed(sampler: Any) -> bool:
    return isinstance(sampler, (DistributedSampler, DistributedBalancedBatchSampler))


class _EpochSync(transformers.TrainerCallback):
    """At every epoch start: ``set_epoch(epoch)`` on the equipoise sampler and ResampledDataset."""

    def __init__(self, trainer: ImbalancedTrainer) -> None:
        self.trainer = trainer

    def on_epoch_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        epoch = int(math.floor(state.epoch + 1e-9)) if state.epoch is not None else 0
        sampler = self.trainer._equipoise_sampler
        if sampler is not None and hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        if isinstance(self.trainer.train_dataset, ResampledDataset):
            self.trainer.train_dataset.set_epoch(epoch)


class ImbalancedTrainer(transformers.Trainer):
    r"""``transformers.Trainer`` with an equipoise loss or class weights, and an equipoise sampler.

    Parameters
    ----------
    *args, **kwargs
        Everything ``transformers.Trainer`` takes (``model``, ``args``, ``train_dataset``, ...).
    loss : loss module, callable, str or None
        The training loss on the model's logits and the batch's ``labels``: an equipoise loss
        (``LogitAdjustedLoss.from_counts(counts)``, ``FocalLoss(gamma=2)``, ...), any callable
        ``(logits, labels) -> scalar``, or a :data:`~equipoise.losses.LOSSES` name built with
        ``from_counts`` from the training labels' counts (``loss_params`` are passed on).
        Token-classification logits ``(N, L, C)`` are given to the loss as ``(N, C, L)``, the
        layout of ``torch.nn.CrossEntropyLoss``. None (and no ``class_weights``): the model's own
        loss, as ``Trainer`` computes it.
    class_weights : array-like of shape (C,) or str, optional
        Per-class weights for a cross-entropy (torch's weighted mean), or a
        :data:`~equipoise.weights.WEIGHT_SCHEMES` name computed from the training counts and
        normalised to mean 1 over the classes (``"balanced"``, ``"effective_number"``, ...).
        Exclusive with ``loss``.
    sampler : Sampler, str or None
        The training sampler: an equipoise sampler (or any ``torch.utils.data.Sampler``), or a
        :data:`~equipoise.samplers.SAMPLERS` name built from the training labels with
        ``seed=args.data_seed`` (else ``args.seed``) and ``sampler_params``. Batch samplers
        (``balanced-batch``) set the batch size themselves.
    loss_params, sampler_params : dict, optional
        Passed to ``from_counts`` and ``make_sampler``.
    train_labels : array-like, optional
        The training labels, when :func:`train_labels` cannot read them from the dataset.

    Notes
    -----
    The loss is the per-batch mean the equipoise loss computes, divided by the number of
    gradient-accumulation steps like any per-batch loss (``loss_is_scaled_for_ga=False``); DDP
    averages the ranks' gradients. Hugging Face's ``num_items_in_batch`` token averaging is not
    applied (it would change what the losses' ``'mean'`` divides by).

    Examples
    --------
    A complete run on a two-layer BERT built from its config is in docs/transformers.md::

        trainer = ImbalancedTrainer(
            model=model, args=args, train_dataset=train,
            loss="logit-adjusted",       # LogitAdjustedLoss.from_counts(training counts)
            sampler="square-root",       # ClassBalancedSampler(labels, q=0.5, seed=args.seed)
        )
        trainer.train()
    """

    def __init__(
        self,
        *args: Any,
        loss: LossLike = None,
        class_weights: Any = None,
        sampler: Sampler | str | None = None,
        loss_params: dict[str, Any] | None = None,
        sampler_params: dict[str, Any] | None = None,
        train_labels: Any = None,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        if loss is not None and class_weights is not None:
            raise InvalidParameterError(
                f"{owner} takes 'loss' or 'class_weights', not both (class_weights builds a weighted "
                "cross-entropy)."
            )
        if loss is not None and not (isinstance(loss, str) or callable(loss)):
            raise InvalidParameterError(
                f"The 'loss' parameter of {owner} must be a loss module, a callable (logits, labels) -> "
                f"loss or a LOSSES name; got {type(loss).__name__}."
            )
        if sampler is not None and not isinstance(sampler, (str, Sampler)):
            raise InvalidParameterError(
                f"The 'sampler' parameter of {owner} must be a torch Sampler or a SAMPLERS name; got "
                f"{type(sampler).__name__}."
            )
        if kwargs.get("compute_loss_func") is not None and (
            loss is not None or class_weights is not None
        ):
            raise InvalidParameterError(
                f"{owner} takes 'loss'/'class_weights' or 'compute_loss_func', not both."
            )
        super().__init__(*args, **kwargs)
        self._train_labels = None if train_labels is None else np.asarray(train_labels).reshape(-1)
        self._equipoise_loss = self._build_loss(loss, class_weights, dict(loss_params or {}))
        if self._equipoise_loss is not None:
            self.loss_is_scaled_for_ga = False
        self._sampler_spec = sampler
        self._sampler_params = dict(sampler_params or {})
        self._equipoise_sampler: Any = None
        self.add_callback(_EpochSync(self))

    # ---------------------------------------------------------------- labels, loss, sampler

    def _labels(self) -> np.ndarray:
        if self._train_labels is None:
            if self.train_dataset is None:
                raise InvalidParameterError(
                    f"{type(self).__name__} builds the loss or sampler from the training labels; give "
                    "train_dataset (or train_labels)."
                )
            self._train_labels = train_labels(self.train_dataset)
        return self._train_labels

    def _counts(self) -> list[int]:
        labels = self._labels()
        if labels.dtype.kind not in "iu" or labels.min() < 0:
            raise InvalidInputError(
                f"{type(self).__name__} needs class indices 0..C-1 as training labels; got dtype "
                f"{labels.dtype} with minimum {labels.min()}."
            )
        return np.bincount(labels.astype(np.int64)).tolist()

    def _build_loss(self, loss: LossLike, weights: Any, params: dict[str, Any]) -> Any:
        if isinstance(loss, str):
            return LOSSES.get(loss).from_counts(self._counts(), **params)
        if loss is not None:
            return loss
        if weights is None:
            return None
        if isinstance(weights, str):
            return CrossEntropyLoss.from_counts(self._counts(), weight=weights)
        return CrossEntropyLoss(
            weight=torch.as_tensor(np.asarray(weights, dtype=np.float64), dtype=torch.float32)
        )

    @property
    def equipoise_loss(self) -> Any:
        """The loss this trainer computes (None: the model's own)."""
        return self._equipoise_loss

    def _build_sampler(self) -> Any:
        spec = self._sampler_spec
        if isinstance(spec, str):
            seed = (
                self.args.data_seed
                if getattr(self.args, "data_seed", None) is not None
                else self.args.seed
            )
            return make_sampler(spec, self._labels(), **{"seed": seed, **self._sampler_params})
        return spec

    # ---------------------------------------------------------------- Trainer hooks

    def get_train_dataloader(self) -> DataLoader:
        """The training loader with the equipoise sampler, prepared by Accelerate."""
        if self._sampler_spec is None:
            return super().get_train_dataloader()
        if self.train_dataset is None:
            raise ValueError("Trainer: training requires a train_dataset.")
        if self._equipoise_sampler is None:
            self._equipoise_sampler = self._build_sampler()
        sampler = self._equipoise_sampler
        dataset = self.train_dataset
        collator = self.data_collator
        try:
            import datasets

            hf_dataset = getattr(datasets, "Dataset", None)  # None if another 'datasets' shadows it
        except ImportError:
            hf_dataset = None
        is_hf_dataset = hf_dataset is not None and isinstance(dataset, hf_dataset)
        if is_hf_dataset:
            dataset = self._remove_unused_columns(dataset, description="training")
        else:
            collator = self._get_collator_with_removed_columns(collator, description="training")
        params: dict[str, Any] = {
            "collate_fn": collator,
            "num_workers": self.args.dataloader_num_workers,
            "pin_memory": self.args.dataloader_pin_memory,
            "persistent_workers": self.args.dataloader_persistent_workers,
        }
        if self.args.dataloader_num_workers > 0:
            params["prefetch_factor"] = self.args.dataloader_prefetch_factor
            from transformers.trainer_utils import seed_worker

            params["worker_init_fn"] = partial(
                seed_worker,
                num_workers=self.args.dataloader_num_workers,
                rank=self.args.process_index,
            )
        if getattr(sampler, "yields_batches", False):
            params["batch_sampler"] = sampler
        else:
            params.update(
                batch_size=self._train_batch_size,
                sampler=sampler,
                drop_last=self.args.dataloader_drop_last,
            )
        loader = self.accelerator.prepare(DataLoader(dataset, **params))
        if _is_distributed(sampler):
            # it shards itself: make Accelerate's BatchSamplerShard a passthrough (as Trainer does
            # for its own rank-aware BatchRebalanceSampler)
            shard = getattr(loader, "batch_sampler", None)
            if shard is not None and hasattr(shard, "num_processes"):
                shard.num_processes = 1
                shard.process_index = 0
        return loader

    def compute_loss(
        self,
        model: nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Any:
        """The equipoise loss of the model's logits against ``inputs["labels"]``."""
        loss_fn = self._equipoise_loss
        if loss_fn is None:
            return super().compute_loss(
                model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch
            )
        if "labels" not in inputs:
            raise InvalidInputError(
                f"{type(self).__name__} computes its loss from inputs['labels']; the batch has none."
            )
        inputs = dict(inputs)
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
        if logits.ndim > 2 and logits.ndim == labels.ndim + 1:  # (N, L, C) -> (N, C, L)
            logits = logits.movedim(-1, 1)
        if isinstance(loss_fn, nn.Module):
            buffer = next(loss_fn.buffers(), None)
            if buffer is not None and buffer.device != logits.device:
                loss_fn.to(logits.device)
        loss = loss_fn(logits, labels)
        return (loss, outputs) if return_outputs else loss
