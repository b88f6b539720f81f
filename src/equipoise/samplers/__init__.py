"""``torch.utils.data`` samplers for imbalanced data.

* :class:`ClassBalancedSampler`: class j drawn with probability ∝ n_j^(1-q) (q=0 instance-,
  q=0.5 square-root, q=1 class-balanced), with no 2**24 limit on the number of rows.
* :class:`ProgressiveSampler`: instance- to class-balanced over the epochs (Kang et al. 2020).
* :class:`BalancedBatchSampler`: batches with a per-class quota (P classes x K samples).
* :class:`DistributedClassBalancedSampler`: the class-balanced draw sharded across DDP ranks.

All take ``set_epoch(epoch)``; the draw of epoch ``e`` is a function of ``seed + e`` only.
``SAMPLERS`` names them for :func:`make_sampler`.
"""

from ._batch import BalancedBatchSampler
from ._class_balanced import (
    ClassBalancedSampler,
    ProgressiveSampler,
    instance_balanced_sampler,
    square_root_sampler,
)
from ._distributed import DistributedClassBalancedSampler
from ._registry import SAMPLERS, dataloader_kwargs, make_sampler

__all__ = [
    "ClassBalancedSampler",
    "ProgressiveSampler",
    "BalancedBatchSampler",
    "DistributedClassBalancedSampler",
    "square_root_sampler",
    "instance_balanced_sampler",
    "SAMPLERS",
    "make_sampler",
    "dataloader_kwargs",
]
