r"""Stateful metrics for the training loop: update per batch, compute per epoch, reset.

Each metric accumulates a confusion matrix of counts on the device of the predictions (no host
synchronisation in :meth:`~ConfusionMatrix.update`), and :meth:`~ConfusionMatrix.compute` sums
the matrices of every ``torch.distributed`` rank with one ``all_reduce`` before computing, so
the result is the metric of the whole evaluation set, whatever the sharding (a mean of
per-rank balanced accuracies would not be).

- :class:`BalancedAccuracy`: the mean per-class recall over the classes present,
  :math:`\frac{1}{|K|}\sum_{c \in K} \frac{n_{cc}}{\sum_j n_{cj}}`, as
  ``sklearn.metrics.balanced_accuracy_score``;
- :class:`PerClassRecall`: :math:`n_{cc} / \sum_j n_{cj}` per class (NaN for a class with no
  sample);
- :class:`ManyMediumFewAccuracy`: the mean per-class recall over the many-shot (more than
  ``many`` training samples), medium-shot and few-shot (fewer than ``few``) classes, as
  :func:`equipoise.metrics.imbalance_report` computes ``many_shot_acc`` and friends (Liu et al.
  2019).

They are ``torch.nn.Module`` objects (the counts are a non-persistent buffer), so a
LightningModule that holds one moves it to its device. ``compute()`` is a collective under DDP:
call it on every rank.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

try:
    import torch  # noqa: F401  (the extra equipoise[torch])
except ModuleNotFoundError as _exc:
    from ._extras import missing_dependency

    raise missing_dependency("torch", "equipoise.training_metrics", cause=_exc) from None

from torch import nn

from ._validation import Interval, validate_params
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = ["ConfusionMatrix", "BalancedAccuracy", "PerClassRecall", "ManyMediumFewAccuracy"]


def _float_dtype(device: torch.device) -> torch.dtype:
    return torch.float32 if device.type == "mps" else torch.float64


class ConfusionMatrix(nn.Module):
    r"""Counts :math:`n_{ij}` of targets of class :math:`i` predicted as :math:`j`, summed over batches.

    Parameters
    ----------
    num_classes : int >= 2
    ignore_index : int, optional
        Target value that is not counted (e.g. -100, or 255 in segmentation masks).
    sync : bool, default=True
        Sum the counts of every ``torch.distributed`` rank in :meth:`compute` (when a process
        group of more than one process is initialised).

    Attributes
    ----------
    confusion : torch.Tensor of int64, shape (num_classes, num_classes)
        This process's counts (rows: true class, columns: predicted class).

    Examples
    --------
    >>> import torch
    >>> m = ConfusionMatrix(3)
    >>> m.update(torch.tensor([0, 2, 1, 1]), torch.tensor([0, 1, 1, 2]))
    >>> m.compute().tolist()
    [[1, 0, 0], [0, 1, 1], [0, 1, 0]]
    """

    confusion: torch.Tensor

    def __init__(
        self, num_classes: int, *, ignore_index: int | None = None, sync: bool = True
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        validate_params(
            owner,
            {"num_classes": num_classes, "ignore_index": ignore_index, "sync": sync},
            {
                "num_classes": [Interval(int, 2, None, closed="left")],
                "ignore_index": [int, None],
                "sync": ["boolean"],
            },
        )
        self.num_classes = int(num_classes)
        self.ignore_index = ignore_index
        self.sync = bool(sync)
        self.register_buffer(
            "confusion", torch.zeros(num_classes, num_classes, dtype=torch.int64), persistent=False
        )

    def reset(self) -> None:
        """Set every count back to zero."""
        self.confusion.zero_()

    @torch.no_grad()
    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch.

        Parameters
        ----------
        preds : torch.Tensor
            Scores (logits or probabilities) of shape ``(N, C, d1, ...)``, whose argmax over
            dimension 1 is the prediction, or predicted class indices of the target's shape.
        target : torch.Tensor of integers, shape (N, d1, ...)
            True class indices (any integer dtype); entries equal to ``ignore_index`` are skipped.
        """
        owner = type(self).__name__
        if not isinstance(preds, torch.Tensor) or not isinstance(target, torch.Tensor):
            raise InvalidInputError(f"{owner}.update expects torch tensors (preds, target).")
        if target.is_floating_point() or target.dtype == torch.bool:
            raise InvalidInputError(
                f"{owner}.update expects integer class indices as target; got dtype {target.dtype}."
            )
        if preds.is_floating_point():
            if preds.ndim != target.ndim + 1 or preds.shape[:1] + preds.shape[2:] != target.shape:
                raise InvalidInputError(
                    f"{owner}.update expects scores of shape (N, C, d1, ...) for a target of shape "
                    f"(N, d1, ...); got {tuple(preds.shape)} and {tuple(target.shape)}."
                )
            if preds.shape[1] != self.num_classes:
                raise InvalidInputError(
                    f"{owner} counts {self.num_classes} classes but the scores have {preds.shape[1]} columns."
                )
            preds = preds.argmax(dim=1)
        elif preds.shape != target.shape:
            raise InvalidInputError(
                f"{owner}.update expects predicted labels of the target's shape {tuple(target.shape)}; "
                f"got {tuple(preds.shape)}."
            )
        if self.confusion.device != preds.device:  # a metric that was not moved with its module
            self.confusion = self.confusion.to(preds.device)
        pred = preds.reshape(-1).long()
        true = target.reshape(-1).to(pred.device).long()
        valid = (
            true != self.ignore_index
            if self.ignore_index is not None
            else torch.ones_like(true, dtype=torch.bool)
        )
        if pred.device.type == "cpu" and not torch.compiler.is_compiling():
            k = self.num_classes
            bad = valid & ((true < 0) | (true >= k) | (pred < 0) | (pred >= k))
            if bool(bad.any()):
                raise InvalidInputError(
                    f"{owner}.update got a class index outside [0, {k}) (ignore_index={self.ignore_index})."
                )
        cell = torch.where(valid, true * self.num_classes + pred, torch.zeros_like(true))
        self.confusion.view(-1).scatter_add_(0, cell, valid.long())

    def _synced(self) -> torch.Tensor:
        counts = self.confusion.clone()
        if self.sync:
            import torch.distributed as dist

            if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
                dist.all_reduce(counts, op=dist.ReduceOp.SUM)
        return counts

    def compute(self) -> torch.Tensor:
        """The counts of every rank, summed (a collective under DDP: call it on every rank)."""
        return self._synced()

    def _recall(self) -> torch.Tensor:
        counts = self._synced().to(_float_dtype(self.confusion.device))
        support = counts.sum(dim=1)
        return torch.where(
            support > 0,
            counts.diagonal() / support.clamp_min(1),
            torch.full_like(support, math.nan),
        )

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, ignore_index={self.ignore_index}"


class PerClassRecall(ConfusionMatrix):
    r"""Recall of each class, :math:`n_{cc} / \sum_j n_{cj}`, over everything seen since the last reset.

    ``compute()`` returns a float tensor of shape ``(num_classes,)``, NaN for a class that had
    no sample. Parameters as in :class:`ConfusionMatrix`.

    Examples
    --------
    >>> import torch
    >>> m = PerClassRecall(3)
    >>> m.update(torch.tensor([[2.0, 0.1, 0.0], [0.0, 0.5, 0.2]]), torch.tensor([0, 2]))
    >>> m.compute().tolist()
    [1.0, nan, 0.0]
    """

    def compute(self) -> torch.Tensor:
        return self._recall()


class BalancedAccuracy(ConfusionMatrix):
    r"""Balanced accuracy: the mean per-class recall over the classes that had samples.

    The same number as ``sklearn.metrics.balanced_accuracy_score`` on everything seen since the
    last reset, across every rank. ``compute()`` returns a 0-d float tensor (NaN before any
    sample). Parameters as in :class:`ConfusionMatrix`.

    Examples
    --------
    >>> import torch
    >>> m = BalancedAccuracy(2)
    >>> m.update(torch.tensor([0, 0, 0, 1]), torch.tensor([0, 0, 1, 1]))
    >>> m.compute().item()
    0.75
    """

    def compute(self) -> torch.Tensor:
        return self._recall().nanmean()  # NaN when no class had a sample


class ManyMediumFewAccuracy(ConfusionMatrix):
    r"""Mean per-class recall over the many-, medium- and few-shot classes (Liu et al. 2019).

    A class is many-shot with more than ``many`` training samples, few-shot with fewer than
    ``few``, medium-shot otherwise, as :meth:`equipoise.profile.ClassProfile.many_medium_few`
    splits them; the numbers are those of ``many_shot_acc``, ``medium_shot_acc`` and
    ``few_shot_acc`` in :func:`equipoise.metrics.imbalance_report`.

    Parameters
    ----------
    train_counts : sequence of int or {class index: count}
        Training samples per class, in class-index order (``num_classes`` is its length).
    many, few : int, default=100 and 20
    ignore_index, sync
        As in :class:`ConfusionMatrix`.

    Attributes
    ----------
    groups : dict of str to list of int
        The class indices of each group.

    Examples
    --------
    >>> import torch
    >>> m = ManyMediumFewAccuracy([500, 50, 5])
    >>> m.update(torch.tensor([0, 1, 0, 2]), torch.tensor([0, 1, 1, 2]))
    >>> {k: round(v.item(), 2) for k, v in m.compute().items()}
    {'many': 1.0, 'medium': 0.5, 'few': 1.0}

    References
    ----------
    .. [1] Z. Liu, Z. Miao, X. Zhan, J. Wang, B. Gong, S. X. Yu, "Large-Scale Long-Tailed
       Recognition in an Open World", CVPR 2019.
    """

    def __init__(
        self,
        train_counts: Any,
        *,
        many: int = 100,
        few: int = 20,
        ignore_index: int | None = None,
        sync: bool = True,
    ) -> None:
        owner = type(self).__name__
        if isinstance(train_counts, Mapping):
            keys = sorted(train_counts)
            if keys != list(range(len(keys))):
                raise InvalidParameterError(
                    f"The 'train_counts' parameter of {owner} must be keyed by the class indices 0..C-1; "
                    f"got keys {keys}."
                )
            train_counts = [train_counts[k] for k in keys]
        counts = np.asarray(
            train_counts.detach().cpu() if isinstance(train_counts, torch.Tensor) else train_counts
        )
        if (
            counts.ndim != 1
            or counts.size < 2
            or counts.dtype.kind not in "iuf"
            or np.any(counts < 0)
            or np.any(counts % 1)
        ):
            raise InvalidParameterError(
                f"The 'train_counts' parameter of {owner} must be non-negative whole counts, one per class "
                f"(at least 2); got {np.asarray(train_counts).tolist()!r}."
            )
        validate_params(
            owner,
            {"many": many, "few": few},
            {
                "many": [Interval(int, 0, None, closed="left")],
                "few": [Interval(int, 0, None, closed="left")],
            },
        )
        if few > many + 1:
            raise InvalidParameterError(
                f"The 'few' parameter of {owner} must be at most many + 1 = {many + 1}; got {few}."
            )
        super().__init__(int(counts.size), ignore_index=ignore_index, sync=sync)
        self.train_counts = counts.astype(np.int64).tolist()
        self.many, self.few = int(many), int(few)
        self.groups: dict[str, list[int]] = {"many": [], "medium": [], "few": []}
        for c, n in enumerate(self.train_counts):
            self.groups["many" if n > many else "few" if n < few else "medium"].append(c)

    # One value per group instead of one tensor: the update/reset/sync protocol is what this
    # metric shares with ConfusionMatrix, not the shape of compute()'s result.
    def compute(self) -> dict[str, torch.Tensor]:  # type: ignore[override]
        """``{"many": ..., "medium": ..., "few": ...}`` 0-d tensors; NaN for an empty group."""
        recall = self._recall()
        out = {}
        for group, members in self.groups.items():
            values = recall[members] if members else recall.new_empty(0)
            values = values[torch.isfinite(values)]
            out[group] = values.mean() if values.numel() else recall.new_tensor(math.nan)
        return out

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, many={self.many}, few={self.few}"
