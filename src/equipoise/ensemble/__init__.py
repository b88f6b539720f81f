"""Ensembles that balance every member's training sample (imbalanced-learn's four, any resampler).

Each is a scikit-learn classifier built on scikit-learn's own machinery: the random forest
(:class:`BalancedRandomForestClassifier`), bagging (:class:`BalancedBaggingClassifier`,
:class:`EasyEnsembleClassifier`) and AdaBoost (:class:`RUSBoostClassifier`). Where
imbalanced-learn takes a sampler, these take any equipoise resampler, by instance or by name.
"""

from ._bagging import BalancedBaggingClassifier
from ._easy_ensemble import EasyEnsembleClassifier
from ._forest import BalancedRandomForestClassifier
from ._weight_boosting import RUSBoostClassifier

__all__ = [
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassifier",
    "EasyEnsembleClassifier",
    "RUSBoostClassifier",
]
