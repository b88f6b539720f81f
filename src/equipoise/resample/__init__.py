"""Resamplers with imbalanced-learn's contract: ``fit_resample(X, y) -> (X_res, y_res)``.

Every class here is registered in :data:`RESAMPLERS` under a public name; build one by name
with :func:`make_resampler`.
"""

from ._base import RESAMPLERS, BaseResampler, make_resampler
from ._random import RandomOverSampler, RandomUnderSampler
from ._strategy import resolve_sampling_strategy

__all__ = [
    "RESAMPLERS",
    "BaseResampler",
    "make_resampler",
    "resolve_sampling_strategy",
    "RandomOverSampler",
    "RandomUnderSampler",
]
