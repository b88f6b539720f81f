"""``torch.utils.data`` samplers for imbalanced data.

* :class:`ClassBalancedSampler`: class j drawn with probability ∝ n_j^(1-q) (q=0 instance-,
  q=0.5 square-root, q=1 class-balanced), with no 2**24 limit on the number of rows.
* :class:`ProgressiveSampler`: instance- to class-balanced over the epochs (Kang et al. 2020).
* :class:`BalancedBatchSampler`: batches with a per-class quota (P classes x K samples).
* :class:`DistributedClassBalancedSampler`: the class-balanced draw sharded across DDP ranks.
* :class:`DistributedBalancedBatchSampler`: per-class quota batches, each rank its own share.
* :class:`MultiLabelBalancedSampler`: multi-label indicator targets: a label drawn with
  probability ∝ n_label^q (q=0: every label equally often), then a row that has it; sharded
  for DDP with ``num_replicas``/``rank``.

All take the labels or the dataset itself, and ``set_epoch(epoch)``. The epoch rule, the same
everywhere: the draw of epoch ``e`` is a function of ``seed + e`` only; ``set_epoch(e)`` says
which epoch the next pass draws; a pass without ``set_epoch`` before it draws the epoch after
the previous pass's, except in the distributed samplers, which (like ``DistributedSampler``)
stay at the epoch last set. ``SAMPLERS`` names them for :func:`make_sampler`.
"""

try:
    import torch  # noqa: F401  (the extra equipoise[torch])
except ModuleNotFoundError as _exc:
    from .._extras import missing_dependency

    raise missing_dependency("torch", "equipoise.samplers", cause=_exc) from None

from ._batch import BalancedBatchSampler, DistributedBalancedBatchSampler
from ._class_balanced import (
    ClassBalancedSampler,
    ProgressiveSampler,
    instance_balanced_sampler,
    square_root_sampler,
)
from ._distributed import DistributedClassBalancedSampler
from ._multilabel import MultiLabelBalancedSampler
from ._registry import SAMPLERS, dataloader_kwargs, make_sampler

__all__ = [
    "ClassBalancedSampler",
    "ProgressiveSampler",
    "BalancedBatchSampler",
    "DistributedClassBalancedSampler",
    "DistributedBalancedBatchSampler",
    "MultiLabelBalancedSampler",
    "square_root_sampler",
    "instance_balanced_sampler",
    "SAMPLERS",
    "make_sampler",
    "dataloader_kwargs",
]
