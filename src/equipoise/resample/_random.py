"""Random over- and under-sampling: select or duplicate rows, nothing computed from X.

References
----------
Japkowicz, N. and Stephen, S. (2002). "The class imbalance problem: a systematic study."
Intelligent Data Analysis 6(5), 429-449.

Menardi, G. and Torelli, N. (2014). "Training and assessing classification rules with imbalanced
data." Data Mining and Knowledge Discovery 28, 92-122 (smoothed bootstrap, ROSE).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._types import RandomStateLike, SamplingStrategy
from .._validation import Interval, short_repr
from ..exceptions import InvalidParameterError
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices

__all__ = ["RandomOverSampler", "RandomUnderSampler"]

_SHRINKAGE = Interval(float, 0, None, closed="left")
"""One class's shrinkage in a dict: a finite float >= 0."""


@RESAMPLERS.register("random-over")
class RandomOverSampler(BaseResampler):
    """Over-sample by drawing rows of each targeted class with replacement.

    With ``shrinkage`` set, the drawn copies are perturbed with Gaussian noise (a smoothed
    bootstrap, Menardi & Torelli 2014): for class c with n_c rows and d features, each copy is
    ``x + shrinkage * h_c * sigma_c * z`` with ``z ~ N(0, I)``, ``sigma_c`` the per-feature
    standard deviation of the class and Silverman's bandwidth
    ``h_c = (4 / ((d + 2) * n_c)) ** (1 / (d + 4))`` -- imbalanced-learn's definition.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and to what size (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    shrinkage : float, dict or None, default=None
        None duplicates rows exactly; a float (>= 0) applies the same shrinkage to every
        class; a dict ``{label: shrinkage}`` per targeted class.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of rows to add}``.
    sample_indices_ : numpy.ndarray of int64
        The original row behind each output row (originals first, then the drawn copies).
    shrinkage_ : dict or None
        The shrinkage applied per class.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(20.0).reshape(10, 2); y = np.array([0] * 8 + [1] * 2)
    >>> X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [8, 8]
    """

    _sampling_type = "over-sampling"
    _needs_numeric_X = False
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "shrinkage": [_SHRINKAGE, dict, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        shrinkage: Any = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.shrinkage = shrinkage

    def _requires_numeric(self) -> bool:
        return self.shrinkage is not None

    def _resolve_shrinkage(self) -> dict | None:
        if self.shrinkage is None:
            return None
        if isinstance(self.shrinkage, Mapping):
            missing = set(self.sampling_strategy_) - set(self.shrinkage)
            if missing:
                raise InvalidParameterError(
                    f"The shrinkage dict of RandomOverSampler must give a value for every over-sampled class; "
                    f"missing {sorted(missing)}."
                )
            for label, value in self.shrinkage.items():
                if not _SHRINKAGE.accepts(value):
                    raise InvalidParameterError(
                        f"The shrinkage of RandomOverSampler for class {short_repr(label)} must be a finite "
                        f"float >= 0; got {short_repr(value)}. Pass a finite number (0 copies rows as they are)."
                    )
            return {label: float(self.shrinkage[label]) for label in self.sampling_strategy_}
        return {label: float(self.shrinkage) for label in self.sampling_strategy_}

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        self.shrinkage_ = self._resolve_shrinkage()
        groups = class_indices(y)
        drawn = []
        for label, n_new in self.sampling_strategy_.items():
            rows = groups[label]
            drawn.append(rows[rng.integers(0, len(rows), size=n_new)])
        extra = np.concatenate(drawn) if drawn else np.empty(0, dtype=np.int64)
        keep = np.arange(len(y), dtype=np.int64)
        if self.shrinkage_ is None:
            return Resampled(indices=np.concatenate([keep, extra]))
        return self._smoothed(X, y, keep, drawn, groups, rng, self.shrinkage_)

    def _smoothed(
        self,
        X: Any,
        y: np.ndarray,
        keep: np.ndarray,
        drawn: list,
        groups: dict,
        rng: np.random.Generator,
        shrinkage: dict[Any, float],
    ) -> Resampled:
        sparse = sp.issparse(X)
        n_features = X.shape[1]
        dense = (lambda rows: X[rows].toarray()) if sparse else (lambda rows: X[rows])
        new_rows, new_labels = [], []
        for (label, shrink), sources in zip(shrinkage.items(), drawn):
            class_X = dense(groups[label])
            n_c = class_X.shape[0]
            bandwidth = (4 / ((n_features + 2) * n_c)) ** (1 / (n_features + 4))
            scale = shrink * bandwidth * class_X.std(axis=0, ddof=1 if n_c > 1 else 0)
            noise = rng.standard_normal(size=(len(sources), n_features))
            new_rows.append(dense(sources) + noise * scale)
            new_labels.append(np.full(len(sources), label, dtype=object))
        X_new = np.concatenate(new_rows).astype(X.dtype, copy=False)
        if sparse:
            X_new = sp.csr_matrix(X_new)
        y_new = np.concatenate(new_labels)
        return Resampled(indices=keep, X_new=X_new, y_new=y_new, new_sources=np.concatenate(drawn))


@RESAMPLERS.register("random-under")
class RandomUnderSampler(BaseResampler):
    """Under-sample by keeping a random subset of the rows of each targeted class.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to shrink and to what size (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    replacement : bool, default=False
        Draw the kept rows with replacement (bootstrap) instead of a subset.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of rows to keep}``.
    sample_indices_ : numpy.ndarray of int64
        The kept original rows, in their original order.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(20.0).reshape(10, 2); y = np.array([0] * 8 + [1] * 2)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [2, 2]
    """

    _sampling_type = "under-sampling"
    _needs_numeric_X = False
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "replacement": ["boolean"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        replacement: bool = False,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.replacement = replacement

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        groups = class_indices(y)
        if self.replacement:
            kept = [
                rows[rng.integers(0, len(rows), size=self.sampling_strategy_[label])]
                if label in self.sampling_strategy_
                else rows
                for label, rows in groups.items()
            ]
            return Resampled(indices=np.sort(np.concatenate(kept), kind="stable"))
        # Without replacement: mark the kept rows and read them back in original order (O(n), no sort).
        keep = np.ones(len(y), dtype=bool)
        for label, n_keep in self.sampling_strategy_.items():
            rows = groups[label]
            keep[rows] = False
            keep[rows[rng.choice(len(rows), size=n_keep, replace=False)]] = True
        return Resampled(indices=np.flatnonzero(keep))
