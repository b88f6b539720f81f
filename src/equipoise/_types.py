"""Type aliases shared across the package."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Union

import numpy as np

ArrayLike = Any
"""Anything array-like: numpy array, pandas DataFrame/Series, torch tensor, list."""

RandomStateLike = Union[None, int, np.random.Generator, np.random.RandomState]
"""What ``random_state`` accepts: None, a seed, a ``Generator`` or a ``RandomState``."""

StrategyName = Literal["auto", "minority", "not minority", "not majority", "all", "majority"]

SamplingStrategy = Union[
    float, StrategyName, Mapping[Any, int], Sequence[Any], Callable[[Any], Any]
]
"""imbalanced-learn's ``sampling_strategy``: a float (binary), a name, a dict ``{label: n}``, a
list of classes (cleaning methods), or a callable of ``y`` returning a dict (or, for cleaning
methods, a list)."""

Reduction = Literal["none", "mean", "sum"]
"""Loss reduction, as in ``torch.nn``."""
