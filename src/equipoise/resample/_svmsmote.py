"""SVM-SMOTE: SMOTE from the support vectors of an SVM, extrapolating where the class is safe.

References
----------
Nguyen, H. M., Cooper, E. W. and Kamei, K. (2011). "Borderline over-sampling for imbalanced
data classification." International Journal of Knowledge Engineering and Soft Data Paradigms
3(1), 4-21.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from .._types import RandomStateLike, SamplingStrategy
from .._validation import HasMethods, Interval, short_repr
from ..exceptions import InvalidInputError, InvalidParameterError
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices
from ._iht import seed_unset_random_states
from ._neighbors_param import NEIGHBORS_PARAM, resolve_n_neighbors
from ._smote import (
    _BaseSMOTE,
    _SyntheticRows,
    _targets,
    check_whole_set_size,
    interpolate,
    neighbours_excluding_self,
)

__all__ = ["SVMSMOTE"]


@RESAMPLERS.register("svm-smote")
class SVMSMOTE(_BaseSMOTE):
    """SVM-SMOTE: synthetic rows around the support vectors of an SVM (Nguyen et al. 2011).

    An SVM is fitted to the whole training set. For a class ``c`` with ``G`` rows to generate,
    take its support vectors and, for each, the number ``m'`` of its ``m = m_neighbors`` nearest
    rows in the whole set that belong to other classes:

    * ``m' = m``: **noise**, dropped;
    * ``m/2 <= m' < m``: **danger** (on the border): interpolate towards one of its
      ``k = k_neighbors`` nearest rows of ``c``, ``x_new = x + u (x_nn - x)``, ``u ~ U(0, 1)``;
    * ``m' < m/2``: **safe**: extrapolate away from it, ``x_new = x + u (x - x_nn)`` with
      ``u ~ U(0, out_step)``, which widens the class's region towards the others.

    A fraction ``f ~ Beta(10, 10)`` of the rows, ``floor(f (G + 1))``, comes from danger support
    vectors and the rest from safe ones; base vectors and neighbours are drawn uniformly. When one
    of the two groups is empty, all ``G`` rows come from the other.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the draws and the default SVM (or a ``svm_estimator``'s ``random_state`` left at None).
    k_neighbors : int or NearestNeighbors-like object, default=5
        Same-class neighbours to interpolate or extrapolate with. An object counts as in
        imbalanced-learn: ``NearestNeighbors(n_neighbors=m)`` means ``m - 1``.
    m_neighbors : int or NearestNeighbors-like object, default=10
        Neighbours in the whole set that classify a support vector as noise, danger or safe.
    svm_estimator : estimator with ``fit`` and a fitted ``support_``, default=None
        Cloned and fitted to the whole set. By default ``sklearn.svm.SVC(gamma='scale')``.
    out_step : float, default=0.5
        Largest extrapolation step.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows}``.
    svm_estimator_ : estimator
        The fitted SVM.
    support_indices_ : dict
        ``{label: the non-noise support vectors of that class (input row indices)}``.
    danger_indices_ : dict
        ``{label: the support vectors in danger}`` (a subset of ``support_indices_``).
    n_synthetic_ : int
        Synthetic rows; they are the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    Raises
    ------
    InvalidInputError
        When every support vector of a class is noise.

    Notes
    -----
    The rule is imbalanced-learn 0.14's (which also defines the defaults). Differences: when a
    class has no danger (or no safe) support vector, imbalanced-learn makes only the rows meant
    for the other group, fewer than ``G``; here the class always gets ``G``. It refits the SVM
    for every over-sampled class (the same fit); here it is fitted once. Neighbours come from
    :func:`equipoise.neighbors.kneighbors` (a row is never its own neighbour; equal distances:
    the smaller index). "Other classes" is one-vs-rest.

    References
    ----------
    Nguyen, H. M., Cooper, E. W. and Kamei, K. (2011). "Borderline over-sampling for imbalanced
    data classification." International Journal of Knowledge Engineering and Soft Data
    Paradigms 3(1), 4-21.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal(1.5, 1, (30, 2))])
    >>> y = np.array([0] * 150 + [1] * 30)
    >>> sampler = SVMSMOTE(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), sampler.n_synthetic_
    ([150, 150], 120)
    """

    # A tensor X arrives as a numpy copy: its SVM is a scikit-learn estimator.
    _accepts_tensors = False

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "k_neighbors": NEIGHBORS_PARAM,
        "m_neighbors": NEIGHBORS_PARAM,
        "svm_estimator": [HasMethods(("fit",)), None],
        "out_step": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: Any = 5,
        m_neighbors: Any = 10,
        svm_estimator: Any = None,
        out_step: float = 0.5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step

    def _counts(self) -> tuple[int, int]:
        k = resolve_n_neighbors(
            self.k_neighbors, owner="SVMSMOTE", parameter="k_neighbors", counts_itself=True
        )
        m = resolve_n_neighbors(
            self.m_neighbors, owner="SVMSMOTE", parameter="m_neighbors", counts_itself=True
        )
        return k, m

    def _check_params(self) -> None:
        self._counts()

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        from sklearn.svm import SVC

        k, m = self._counts()
        groups = class_indices(y)
        targets = _targets(self)
        self._check_sizes(groups, targets, "k_neighbors", k)
        check_whole_set_size(len(y), "m_neighbors", m, "SVMSMOTE")
        out = _SyntheticRows(X, y)
        self.support_indices_, self.danger_indices_ = {}, {}
        if not targets:
            return out.plan(self)
        if self.svm_estimator is None:
            svm = SVC(gamma="scale", random_state=int(rng.integers(np.iinfo(np.int32).max)))
        else:
            svm = seed_unset_random_states(clone(self.svm_estimator), rng)
        svm.fit(X, y)
        support = getattr(svm, "support_", None)
        if support is None:
            raise InvalidParameterError(
                f"The 'svm_estimator' of SVMSMOTE must expose the fitted attribute 'support_' (the "
                f"support vectors' row indices), as sklearn.svm.SVC does; {type(svm).__name__} does not."
            )
        self.svm_estimator_ = svm
        support = np.sort(np.asarray(support, dtype=np.int64))
        for label, n_new in targets.items():
            members = groups[label]
            vectors = support[y[support] == label]
            if len(vectors):
                nn = neighbours_excluding_self(X, vectors, m)
                n_other = np.count_nonzero(y[nn] != label, axis=1)
            else:
                n_other = np.empty(0, dtype=np.int64)
            vectors, n_other = vectors[n_other < m], n_other[n_other < m]
            if not len(vectors):
                raise InvalidInputError(
                    f"SVMSMOTE found only noise among the support vectors of class {short_repr(label)}: each has "
                    f"all of its {m} nearest neighbours in other classes, so there is nothing safe to "
                    "interpolate from. Lower m_neighbors, or use SMOTE or BorderlineSMOTE."
                )
            danger = 2 * n_other >= m
            self.support_indices_[label] = vectors
            self.danger_indices_[label] = vectors[danger]
            n_danger = int(rng.beta(10, 10) * (n_new + 1))
            if not danger.any():
                n_danger = 0
            elif danger.all():
                n_danger = n_new
            X_class = X[members]
            positions = np.searchsorted(members, vectors)
            for group, count, sign in ((danger, n_danger, 1.0), (~danger, n_new - n_danger, -1.0)):
                if count == 0:
                    continue
                at = positions[group]
                nn_class = neighbours_excluding_self(X_class, at, k)
                base = rng.integers(0, len(at), size=count)
                partner = nn_class[base, rng.integers(0, k, size=count)]
                gap = rng.random(count)
                if sign < 0:
                    gap *= -float(self.out_step)
                out.add(
                    interpolate(X_class[at[base]], X_class[partner], gap),
                    label,
                    base=members[at[base]],
                    partner=members[partner],
                    gap=gap,
                )
        return out.plan(self)
