"""Resamplers with imbalanced-learn's contract: ``fit_resample(X, y) -> (X_res, y_res)``.

Every class here is registered in :data:`RESAMPLERS` under a public name; build one by name
with :func:`make_resampler`.
"""

from ._base import RESAMPLERS, BaseResampler, make_resampler
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._combine import SMOTEENN, SMOTETomek
from ._nearmiss import NearMiss
from ._random import RandomOverSampler, RandomUnderSampler
from ._smote import ADASYN, SMOTE, BorderlineSMOTE
from ._smotenc import SMOTENC
from ._strategy import resolve_sampling_strategy

__all__ = [
    "RESAMPLERS",
    "BaseResampler",
    "make_resampler",
    "resolve_sampling_strategy",
    "RandomOverSampler",
    "RandomUnderSampler",
    "SMOTE",
    "BorderlineSMOTE",
    "ADASYN",
    "SMOTENC",
    "TomekLinks",
    "EditedNearestNeighbours",
    "NearMiss",
    "SMOTETomek",
    "SMOTEENN",
]
