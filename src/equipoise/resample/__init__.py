"""Resamplers with imbalanced-learn's contract: ``fit_resample(X, y) -> (X_res, y_res)``.

The multi-label ones (:class:`MLROS`, :class:`MLRUS`, :class:`MLSMOTE`, :class:`REMEDIAL`;
``_target_kind == 'multilabel'``) take a binary indicator matrix ``Y`` instead of ``y``.

Every class here is registered in :data:`RESAMPLERS` under a public name; build one by name
with :func:`make_resampler`.
"""

from ._base import RESAMPLERS, BaseResampler, make_resampler
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._cluster_centroids import ClusterCentroids
from ._combine import SMOTEENN, SMOTETomek
from ._condensed import CondensedNearestNeighbour, OneSidedSelection
from ._iht import InstanceHardnessThreshold
from ._kmeans_smote import KMeansSMOTE
from ._multilabel import MLROS, MLRUS, MLSMOTE, REMEDIAL
from ._ncr import NeighbourhoodCleaningRule
from ._nearmiss import NearMiss
from ._random import RandomOverSampler, RandomUnderSampler
from ._regression import SMOGN, SMOTER, RandomOverSamplerRegression, RandomUnderSamplerRegression
from ._relevance import box_plot_control_points, relevance_function
from ._repeated_editing import AllKNN, RepeatedEditedNearestNeighbours
from ._smote import ADASYN, SMOTE, BorderlineSMOTE
from ._smoten import SMOTEN
from ._smotenc import SMOTENC
from ._strategy import resolve_sampling_strategy
from ._svmsmote import SVMSMOTE

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
    "SMOTEN",
    "SVMSMOTE",
    "KMeansSMOTE",
    "TomekLinks",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "AllKNN",
    "NeighbourhoodCleaningRule",
    "CondensedNearestNeighbour",
    "OneSidedSelection",
    "InstanceHardnessThreshold",
    "NearMiss",
    "ClusterCentroids",
    "SMOTETomek",
    "SMOTEENN",
    "MLROS",
    "MLRUS",
    "MLSMOTE",
    "REMEDIAL",
    "SMOTER",
    "SMOGN",
    "RandomOverSamplerRegression",
    "RandomUnderSamplerRegression",
    "box_plot_control_points",
    "relevance_function",
]
