"""Run one resampler inside another, on data that is already validated.

Composite samplers (RepeatedEditedNearestNeighbours, AllKNN, OneSidedSelection,
NeighbourhoodCleaningRule with a user's ENN) call other samplers many times on subsets of the
data. :func:`plan_inner` checks the inner sampler's parameters and resolves its
``sampling_strategy_`` against the labels it is given, exactly as ``fit_resample`` would, but
skips the data validation and the container round trip that the outer sampler already did.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import validate_params
from ._base import BaseResampler, Resampled
from ._strategy import resolve_sampling_strategy

__all__ = ["plan_inner"]


def plan_inner(step: BaseResampler, X: Any, y: np.ndarray, rng: np.random.Generator) -> Resampled:
    """``step``'s plan for validated numeric ``X`` (numpy or CSR) and 1-D ``y``.

    Sets the fitted attributes ``fit_resample`` would set (``sampling_strategy_``,
    ``n_features_in_``, ``sample_indices_`` for row selectors).
    """
    name = type(step).__name__
    validate_params(name, step.get_params(deep=False), step._parameter_constraints)
    step._check_params()
    step.n_features_in_ = int(X.shape[1])
    step.sampling_strategy_ = resolve_sampling_strategy(
        step.sampling_strategy, y, step._sampling_type, owner=name
    )
    plan = step._fit_resample(X, y, rng=rng)
    if not step._generates:
        step.sample_indices_ = np.asarray(plan.indices, dtype=np.int64)
    return plan
