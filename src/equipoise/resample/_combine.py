"""Over-sample with SMOTE, then clean the result: SMOTETomek and SMOTEENN (Batista et al.).

SMOTE fills in the minority class but also creates synthetic rows inside the other classes'
regions; a cleaning pass over the *over-sampled* set removes the rows that end up on the
wrong side (Tomek links or Wilson's edited nearest neighbours), originals and synthetic alike.

References
----------
Batista, G. E. A. P. A., Bazzan, A. L. C. and Monard, M. C. (2003). "Balancing training data
for automated annotation of keywords: a case study." Proceedings of the 2nd Brazilian Workshop
on Bioinformatics, 10-18.

Batista, G. E. A. P. A., Prati, R. C. and Monard, M. C. (2004). "A study of the behavior of
several methods for balancing machine learning training data." ACM SIGKDD Explorations
Newsletter 6(1), 20-29.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from .._containers import DeferredRows
from .._types import RandomStateLike, SamplingStrategy
from .._validation import Interval, check_random_state, is_torch_tensor
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled
from ._cleaning import EditedNearestNeighbours, TomekLinks, _NeighbourCleaner
from ._smote import SMOTE, as_index_array, take_rows

__all__ = ["SMOTETomek", "SMOTEENN"]


def _plan_inner(
    step: BaseResampler,
    X: Any,
    y: np.ndarray,
    rng: np.random.Generator,
    *,
    n_jobs: int | None = None,
) -> Resampled:
    """Run one inner resampler on already validated numeric ``X`` and 1-D ``y``.

    The parameters are checked and ``sampling_strategy_`` is resolved against ``y`` exactly as
    ``fit_resample`` would, but the data is not validated or converted a second time. A
    neighbour cleaner gets its all-points neighbour table from one symmetric search of ``X``
    (each pair computed once) and decides from it.
    """
    step._validate_params()
    step.n_features_in_ = int(X.shape[1])
    step._resolve_strategy(y)
    if isinstance(step, _NeighbourCleaner):
        step._check_size(len(y))
        table = as_index_array(
            kneighbors(
                X,
                step._n_neighbours_needed(),
                n_jobs=step.n_jobs if step.n_jobs is not None else n_jobs,
            )[1]
        )
        plan = step._clean(y, table)
    else:
        plan = step._fit_resample(X, y, rng=rng)
    if not step._generates:
        step.sample_indices_ = plan.indices
    return plan


def _kept_rows(X_over: Any, rows: np.ndarray) -> Any:
    """Rows ``rows`` of the over-sampled set: for dense numpy data deferred, so the output
    assembly copies them straight into the result (no array of their own)."""
    if isinstance(X_over, np.ndarray) and X_over.dtype.kind == "f":
        return DeferredRows(
            (len(rows), X_over.shape[1]),
            X_over.dtype,
            lambda out: np.take(X_over, rows, axis=0, out=out, mode="clip"),  # unbuffered
        )
    return take_rows(X_over, rows)


def _kept(values: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    """The entries of an optional per-synthetic-row array that the cleaner kept."""
    return None if values is None else values[rows]


class _SMOTEThenClean(BaseResampler):
    """SMOTE, then a cleaning sampler over the over-sampled set (originals + synthetic rows)."""

    _sampling_type = "over-sampling"
    _generates = True
    _accepts_tensors = True
    _cleaner_param: ClassVar[str]
    """Name of the constructor argument holding the cleaner ('tomek' or 'enn')."""

    def _default_cleaner(self) -> BaseResampler:
        raise NotImplementedError

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        if self.smote is None:
            smote = SMOTE(sampling_strategy=self.sampling_strategy, random_state=self.random_state)
        else:  # a user's SMOTE brings its own strategy and random_state (as in imbalanced-learn)
            smote = clone(self.smote)
            rng = check_random_state(smote.random_state)
        given = getattr(self, self._cleaner_param)
        cleaner = self._default_cleaner() if given is None else clone(given)

        over = _plan_inner(smote, X, y, rng)
        n_orig = len(over.indices)
        X_over, y_over = take_rows(X, over.indices), y[over.indices]
        if over.n_new:
            if is_torch_tensor(X):
                import torch

                X_over = torch.cat([X_over, over.X_new.to(X.dtype)])
            elif isinstance(over.X_new, DeferredRows) and over.X_new.dtype == X.dtype:
                # The over-sampled set in one allocation, the synthetic rows generated into it.
                X_over = np.empty((n_orig + over.n_new, X.shape[1]), dtype=X.dtype)
                np.take(X, over.indices, axis=0, out=X_over[:n_orig], mode="clip")
                over.X_new.fill(X_over[n_orig:])
            else:
                stack = sp.vstack if sp.issparse(X) else np.concatenate
                X_new = (
                    over.X_new.materialise() if isinstance(over.X_new, DeferredRows) else over.X_new
                )
                X_over = stack([X_over, X_new.astype(X.dtype, copy=False)])
            y_over = np.concatenate([y_over, np.asarray(over.y_new).astype(y.dtype, copy=False)])
            if sp.issparse(X_over):
                X_over = X_over.tocsr()
        kept = _plan_inner(cleaner, X_over, y_over, rng, n_jobs=self.n_jobs).indices

        self.smote_ = smote
        setattr(self, f"{self._cleaner_param}_", cleaner)
        self.sampling_strategy_ = smote.sampling_strategy_
        kept_new = kept[kept >= n_orig] - n_orig
        self.n_synthetic_ = int(len(kept_new))
        if not over.n_new:
            return Resampled(indices=over.indices[kept])
        return Resampled(  # the cleaner's choice composed with SMOTE's row map
            indices=over.indices[kept[kept < n_orig]],
            X_new=_kept_rows(X_over, n_orig + kept_new),
            y_new=np.asarray(over.y_new)[kept_new],
            new_sources=_kept(over.new_sources, kept_new),
            new_partners=_kept(over.new_partners, kept_new),
            new_gaps=_kept(over.new_gaps, kept_new),
        )


@RESAMPLERS.register("smote-tomek")
class SMOTETomek(_SMOTEThenClean):
    """SMOTE, then remove both members of every Tomek link of the over-sampled set.

    The over-sampled set ``S = X + synthetic rows`` is cleaned with
    :class:`TomekLinks(sampling_strategy='all') <equipoise.resample.TomekLinks>`: every pair
    ``(a, b)`` of ``S`` with different labels that are each other's nearest neighbour in ``S``
    is removed, whatever the classes (Batista et al. 2003). The output is the kept original rows
    in their original order, then the kept synthetic rows, so class counts are SMOTE's minus
    the link members.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        SMOTE's target (imbalanced-learn semantics); ignored when ``smote`` is given.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the default SMOTE; ignored when ``smote`` is given (its own ``random_state`` is used).
    smote : SMOTE, optional
        The over-sampler to use (cloned); by default ``SMOTE(sampling_strategy=sampling_strategy,
        random_state=random_state)`` with ``k_neighbors=5``.
    tomek : TomekLinks, optional
        The cleaner to use (cloned); by default ``TomekLinks(sampling_strategy='all')``.
    n_jobs : int, optional
        Threads for the cleaner's neighbour search when the cleaner does not set its own
        (-1: all cores; None: the limits in force).

    Attributes
    ----------
    smote_ : SMOTE
        The fitted over-sampler.
    tomek_ : TomekLinks
        The fitted cleaner; its ``sample_indices_`` index the over-sampled set.
    sampling_strategy_ : dict
        ``smote_.sampling_strategy_``: the number of rows SMOTE generated per class.
    n_synthetic_ : int
        How many synthetic rows survived the cleaning: the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    References
    ----------
    Batista, G. E. A. P. A., Bazzan, A. L. C. and Monard, M. C. (2003). "Balancing training data
    for automated annotation of keywords: a case study." Proceedings of the 2nd Brazilian
    Workshop on Bioinformatics, 10-18.

    Batista, G. E. A. P. A., Prati, R. C. and Monard, M. C. (2004). "A study of the behavior of
    several methods for balancing machine learning training data." ACM SIGKDD Explorations
    Newsletter 6(1), 20-29.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=300, n_features=2, n_informative=2, n_redundant=0,
    ...                            weights=[0.9], class_sep=0.5, random_state=0)
    >>> sampler = SMOTETomek(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> Counter(y.tolist()), Counter(y_res.tolist())
    (Counter({0: 270, 1: 30}), Counter({0: 261, 1: 261}))
    >>> sampler.n_synthetic_  # the last 232 rows of X_res are synthetic
    232
    """

    _cleaner_param = "tomek"
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "smote": [SMOTE, None],
        "tomek": [TomekLinks, None],
        "n_jobs": [Interval(int, -1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        smote: SMOTE | None = None,
        tomek: TomekLinks | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.tomek = tomek
        self.n_jobs = n_jobs

    def _default_cleaner(self) -> BaseResampler:
        return TomekLinks(sampling_strategy="all")


@RESAMPLERS.register("smote-enn")
class SMOTEENN(_SMOTEThenClean):
    """SMOTE, then Wilson's edited nearest neighbours over the over-sampled set.

    The over-sampled set ``S = X + synthetic rows`` is cleaned with
    :class:`EditedNearestNeighbours(sampling_strategy='all', n_neighbors=3, kind_sel='all')
    <equipoise.resample.EditedNearestNeighbours>`: a row of ``S``, of any class, original or
    synthetic, is removed unless all of its 3 nearest neighbours in ``S`` share its label
    (Batista et al. 2004). ENN removes more than Tomek links, so the result is cleaner but no
    longer exactly balanced. The output is the kept original rows in their original order, then
    the kept synthetic rows.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        SMOTE's target (imbalanced-learn semantics); ignored when ``smote`` is given.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the default SMOTE; ignored when ``smote`` is given (its own ``random_state`` is used).
    smote : SMOTE, optional
        The over-sampler to use (cloned); by default ``SMOTE(sampling_strategy=sampling_strategy,
        random_state=random_state)`` with ``k_neighbors=5``.
    enn : EditedNearestNeighbours, optional
        The cleaner to use (cloned); by default ``EditedNearestNeighbours(sampling_strategy='all')``.
    n_jobs : int, optional
        Threads for the cleaner's neighbour search when the cleaner does not set its own
        (-1: all cores; None: the limits in force).

    Attributes
    ----------
    smote_ : SMOTE
        The fitted over-sampler.
    enn_ : EditedNearestNeighbours
        The fitted cleaner; its ``sample_indices_`` index the over-sampled set.
    sampling_strategy_ : dict
        ``smote_.sampling_strategy_``: the number of rows SMOTE generated per class.
    n_synthetic_ : int
        How many synthetic rows survived the cleaning: the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    References
    ----------
    Batista, G. E. A. P. A., Prati, R. C. and Monard, M. C. (2004). "A study of the behavior of
    several methods for balancing machine learning training data." ACM SIGKDD Explorations
    Newsletter 6(1), 20-29.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=300, n_features=2, n_informative=2, n_redundant=0,
    ...                            weights=[0.9], class_sep=0.5, random_state=0)
    >>> X_res, y_res = SMOTEENN(random_state=0).fit_resample(X, y)
    >>> Counter(y_res.tolist())
    Counter({1: 248, 0: 245})
    """

    _cleaner_param = "enn"
    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "smote": [SMOTE, None],
        "enn": [EditedNearestNeighbours, None],
        "n_jobs": [Interval(int, -1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        smote: SMOTE | None = None,
        enn: EditedNearestNeighbours | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.enn = enn
        self.n_jobs = n_jobs

    def _default_cleaner(self) -> BaseResampler:
        return EditedNearestNeighbours(sampling_strategy="all")
