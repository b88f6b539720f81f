"""Balanced random forest (Chen, Liaw & Breiman 2004): every tree grows on a balanced sample.

The forest is scikit-learn's :class:`~sklearn.ensemble.RandomForestClassifier`: its fitting loop,
parallelism, warm start, prediction, ``apply``, ``decision_path`` and feature importances are
used as they are. The one change is the tree: each tree is a
:class:`~sklearn.tree.DecisionTreeClassifier` that first passes its training set through its own
copy of the sampler (and, with ``bootstrap=True``, then draws a bootstrap sample of the
resampled rows), so the balancing happens per tree, inside scikit-learn's loop.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import compute_sample_weight
from sklearn.utils.validation import check_is_fitted, validate_data

from .._param_names import CachedParamNames
from .._validation import as_numpy
from ..exceptions import InvalidInputError, InvalidParameterError
from ._common import (
    RANDOM_STATE_CONSTRAINTS,
    SAMPLER_CONSTRAINTS,
    STRATEGY_CONSTRAINTS,
    derived_seed,
    resolve_sampler,
    sampler_allows_nan,
    sklearn_seed,
    temporarily,
)

__all__ = ["BalancedRandomForestClassifier"]

_SAMPLER_STREAM = 1
_BOOTSTRAP_STREAM = 2


@dataclass
class _TreePlan:
    """How one tree builds its training sample (set by the forest, dropped after fitting)."""

    sampler: Any
    n_classes: int
    bootstrap: bool
    n_samples_bootstrap: int | None
    balanced_subsample: bool
    owner: str


class _ResamplingTree(CachedParamNames, DecisionTreeClassifier):
    """A decision tree that resamples its training set before growing (one tree of the forest).

    Fitted attributes besides the tree's own: ``sampler_`` (the fitted sampler) and
    ``_in_bag`` (the original rows the tree learned from, repeated as drawn; ``None`` when the
    sampler synthesises rows, since then every row it saw shaped the tree).
    """

    def _fit(self, X, y, sample_weight=None, check_input=True, missing_values_in_feature_mask=None):
        plan = getattr(self, "_plan", None)
        if plan is None:  # used as a plain tree
            return super()._fit(X, y, sample_weight, check_input, missing_values_in_feature_mask)
        codes = np.asarray(y[:, 0], dtype=np.intp)
        sampler = plan.sampler
        X_res, codes_res = sampler.fit_resample(X, codes)
        codes_res = np.asarray(codes_res, dtype=np.intp)
        counts = np.bincount(codes_res, minlength=plan.n_classes)
        if not counts.all():
            raise InvalidInputError(
                f"The sampler of {plan.owner} left no sample of class code(s) "
                f"{np.flatnonzero(counts == 0).tolist()} for one tree; every tree needs every class. "
                "Use a sampling_strategy that keeps at least one sample per class."
            )
        rows = getattr(sampler, "sample_indices_", None)
        weight = None
        if sample_weight is not None:
            if rows is not None:
                weight = np.asarray(sample_weight, dtype=np.float64)[rows]
            elif not np.all(sample_weight == sample_weight[0]):
                raise InvalidParameterError(
                    f"{plan.owner} got sample weights (sample_weight or class_weight) with a sampler "
                    f"that synthesises rows ({type(sampler).__name__}): synthetic rows have no weight. "
                    "Use a sampler that selects rows (it sets sample_indices_), or drop the weights."
                )
        in_bag = None if rows is None else np.asarray(rows, dtype=np.int64)
        drawn = None
        if plan.bootstrap:
            n_res = len(codes_res)
            rng = np.random.default_rng(derived_seed(self.random_state, _BOOTSTRAP_STREAM))
            n_draw = min(plan.n_samples_bootstrap, n_res)
            if weight is None:
                drawn = rng.integers(0, n_res, size=n_draw)
            else:  # scikit-learn >= 1.9: weights are the bootstrap's drawing probabilities
                drawn = rng.choice(n_res, size=n_draw, replace=True, p=weight / weight.sum())
            weight = np.bincount(drawn, minlength=n_res).astype(np.float64)
            if in_bag is not None:
                in_bag = in_bag[drawn]
        if plan.balanced_subsample:
            balanced = compute_sample_weight("balanced", codes_res, indices=drawn)
            weight = balanced if weight is None else weight * balanced
        if sp.issparse(X_res):
            X_res = sp.csc_matrix(X_res, dtype=np.float32)
            X_res.sort_indices()
            mask = None
        else:
            X_res = np.ascontiguousarray(X_res, dtype=np.float32)
            mask = (
                None
                if missing_values_in_feature_mask is None
                else self._compute_missing_values_in_feature_mask(X_res)
            )
        y_res = np.ascontiguousarray(codes_res, dtype=np.float64).reshape(-1, 1)
        super()._fit(
            X_res,
            y_res,
            sample_weight=weight,
            check_input=False,
            missing_values_in_feature_mask=mask,
        )
        self.sampler_ = sampler
        self._in_bag = in_bag
        del self._plan
        return self


class BalancedRandomForestClassifier(RandomForestClassifier):
    """A random forest whose every tree is grown on a class-balanced sample.

    Chen, Liaw & Breiman (2004): for each tree, draw a bootstrap sample of the minority class and
    the same number of rows, with replacement, from every other class; grow an unpruned tree on
    it with ``max_features`` candidate features per split; predict by averaging the trees' class
    probabilities. With ``n_min`` the smallest class count, each tree sees
    ``n_classes * n_min`` rows (``sampling_strategy="all"``, ``replacement=True``: the defaults).

    Any equipoise resampler can take the place of the random under-sampler (``sampler="smote"``
    grows each tree on its own SMOTE sample); each tree gets its own copy, seeded from the
    forest's ``random_state``.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    criterion, max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf, \
max_features, max_leaf_nodes, min_impurity_decrease, ccp_alpha, monotonic_cst
        Tree parameters, as in :class:`~sklearn.ensemble.RandomForestClassifier`
        (``max_features="sqrt"``, the paper's ``mtry``).
    bootstrap : bool, default=False
        After balancing, draw a bootstrap sample of the balanced rows for each tree. False by
        default: with ``replacement=True`` the sampler's draw already is the bootstrap of the paper.
    oob_score : bool or callable, default=False
        Score the forest on the rows each tree did not learn from (needs ``bootstrap=True``).
    sampling_strategy : float, str, dict, list, callable or None, default="all"
        Set on the sampler (imbalanced-learn semantics, labels as in ``y``). ``"all"`` shrinks
        every class to the minority's size. ``None`` keeps the given sampler's own strategy.
    replacement : bool, default=True
        Draw with replacement (the default sampler, a ``RandomUnderSampler``, only).
    n_jobs : int or None, default=None
        Trees fitted in parallel (threads), as in scikit-learn.
    random_state : int, numpy.random.Generator, RandomState or None, default=None
        Seeds the trees, their samplers and their bootstrap draws.
    verbose, warm_start, class_weight, max_samples
        As in :class:`~sklearn.ensemble.RandomForestClassifier`. ``class_weight="balanced"`` is
        computed on the training set, ``"balanced_subsample"`` on each tree's own sample.
        ``max_samples`` sizes the bootstrap (at most the number of balanced rows).
    sampler : None, str or resampler, default=None
        ``None``: ``RandomUnderSampler(replacement=replacement)``. A name from
        :data:`~equipoise.resample.RESAMPLERS` or any object with ``fit_resample``. Samplers that
        synthesise rows cannot be combined with sample weights, ``class_weight`` or ``oob_score``.

    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
    sampler_ : resampler
        The configured, unfitted sampler each tree received a copy of.
    samplers_ : list of resamplers
        The fitted sampler of each tree.
    classes_, n_classes_, n_features_in_, feature_names_in_, n_outputs_, feature_importances_
        As in scikit-learn.
    estimators_samples_ : list of numpy.ndarray
        The original rows each tree learned from (repeated as drawn).
    oob_score_, oob_decision_function_ : float, numpy.ndarray
        With ``oob_score``.

    Notes
    -----
    Differences from :class:`imblearn.ensemble.BalancedRandomForestClassifier` (0.14), whose
    defaults and balancing are otherwise the same:

    * ``sampler`` is new: imbalanced-learn always under-samples. ``sampling_strategy=None`` is new.
    * Every parameter is keyword-only; ``random_state`` also takes a numpy ``Generator``.
    * Out-of-bag rows are all rows a tree did not learn from, including those the sampler dropped;
      imbalanced-learn only scores the balanced rows its bootstrap missed. ``estimators_samples_``
      lists what each tree learned from, not a bootstrap of the full training set.
    * The fitted samplers are ``samplers_`` (imbalanced-learn also keeps ``pipelines_``), the
      template is ``sampler_`` (imbalanced-learn: ``base_sampler_``).
    * Multi-output targets are rejected (imbalanced-learn fails later, inside the sampler).

    References
    ----------
    .. [1] Chen, C., Liaw, A. & Breiman, L. (2004). Using random forest to learn imbalanced
       data. Technical Report 666, Department of Statistics, University of California, Berkeley.

    Examples
    --------
    >>> from equipoise.datasets import load_example
    >>> X, y = load_example()
    >>> forest = BalancedRandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> forest.samplers_[0].sample_indices_.shape  # 100 of each class
    (200,)
    >>> forest.predict(X[:3]).tolist()
    [0, 0, 0]
    """

    _parameter_constraints: dict = {
        **copy.deepcopy(RandomForestClassifier._parameter_constraints),
        "random_state": RANDOM_STATE_CONSTRAINTS,
        "sampling_strategy": STRATEGY_CONSTRAINTS,
        "replacement": ["boolean"],
        "sampler": SAMPLER_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        n_estimators: int = 100,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = "sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = False,
        oob_score: Any = False,
        sampling_strategy: Any = "all",
        replacement: bool = True,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: int | float | None = None,
        monotonic_cst: Any = None,
        sampler: Any = None,
    ) -> None:
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
            monotonic_cst=monotonic_cst,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BalancedRandomForestClassifier:
        """Grow the forest, each tree on its own balanced sample of ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (one target).
        sample_weight : array-like of shape (n_samples,), optional
            Follows the rows the sampler keeps; with ``bootstrap=True`` it sets each row's
            chance of being drawn.

        Returns
        -------
        self
        """
        self._validate_params()
        name = type(self).__name__
        if not self.bootstrap and self.max_samples is not None:
            raise InvalidParameterError(
                f"The 'max_samples' parameter of {name} sizes the bootstrap sample and needs "
                f"bootstrap=True; got max_samples={self.max_samples!r} with bootstrap=False."
            )
        if not self.bootstrap and self.oob_score:
            raise InvalidParameterError(
                f"{name} computes out-of-bag scores only with bootstrap=True; got oob_score="
                f"{self.oob_score!r} with bootstrap=False."
            )
        y_arr = as_numpy(y)
        if y_arr.ndim == 2 and y_arr.shape[1] > 1:
            raise InvalidInputError(
                f"{name} supports one target column; got y of shape {y_arr.shape}. Fit one forest "
                "per output."
            )
        self._requested = {
            "bootstrap": self.bootstrap,
            "max_samples": self.max_samples,
            "oob_score": self.oob_score,
            "balanced_subsample": self.class_weight == "balanced_subsample",
        }
        # The trees draw their own bootstrap sample after balancing, so scikit-learn's forest
        # must not draw one first; oob scores are computed below from what each tree saw.
        with temporarily(
            self,
            bootstrap=False,
            max_samples=None,
            oob_score=False,
            class_weight=None if self._requested["balanced_subsample"] else self.class_weight,
            random_state=sklearn_seed(self.random_state),
        ):
            super().fit(X, y, sample_weight=sample_weight)
        if self.oob_score:
            self._set_oob_score_and_attributes(X, y)
        return self

    # ------------------------------------------------------------------ scikit-learn hooks
    def _validate_estimator(self, default: Any = None) -> None:
        from ..resample import RandomUnderSampler

        classes = np.asarray(self.classes_[0])
        self.sampler_ = resolve_sampler(
            self.sampler,
            owner=type(self).__name__,
            default=lambda: RandomUnderSampler(replacement=self.replacement),
            sampling_strategy=self.sampling_strategy,
            classes=classes,
        )
        if self._requested["oob_score"] and getattr(self.sampler_, "_generates", False):
            raise InvalidParameterError(
                f"oob_score needs a sampler that selects rows; {type(self.sampler_).__name__} "
                "synthesises rows from all of them, so no row is out of bag."
            )
        n_bootstrap = self._n_samples
        max_samples = self._requested["max_samples"]
        if isinstance(max_samples, (int, np.integer)):
            n_bootstrap = int(max_samples)
        elif max_samples is not None:
            n_bootstrap = max(round(self._n_samples * float(max_samples)), 1)
        self._tree_plan = dict(
            n_classes=len(classes),
            bootstrap=self._requested["bootstrap"],
            n_samples_bootstrap=n_bootstrap,
            balanced_subsample=self._requested["balanced_subsample"],
            owner=type(self).__name__,
        )
        self.estimator_ = _ResamplingTree()

    def _make_estimator(self, append: bool = True, random_state: Any = None) -> _ResamplingTree:
        tree = super()._make_estimator(append=append, random_state=random_state)
        sampler = copy.deepcopy(self.sampler_)
        if "random_state" in sampler.get_params(deep=False):
            sampler.set_params(random_state=derived_seed(tree.random_state, _SAMPLER_STREAM))
        tree._plan = _TreePlan(sampler=sampler, **self._tree_plan)
        return tree

    def _set_oob_score_and_attributes(self, X: Any, y: Any, scoring_function: Any = None) -> None:
        if any(tree._in_bag is None for tree in self.estimators_):
            raise InvalidParameterError(
                "oob_score needs a sampler that selects rows (sets sample_indices_); this sampler "
                "synthesises rows, so no row is out of bag."
            )
        X = validate_data(
            self, X, dtype=np.float32, accept_sparse="csr", reset=False, ensure_all_finite=False
        )
        y_codes = np.searchsorted(self.classes_, as_numpy(y).ravel())
        n = X.shape[0]
        total = np.zeros((n, self.n_classes_), dtype=np.float64)
        votes = np.zeros(n, dtype=np.int64)
        for tree in self.estimators_:
            seen = np.zeros(n, dtype=bool)
            seen[tree._in_bag] = True
            oob = np.flatnonzero(~seen)
            if oob.size:
                total[oob] += tree.predict_proba(X[oob], check_input=False)
                votes[oob] += 1
        if (votes == 0).any():
            warnings.warn(
                "Some inputs do not have OOB scores: every tree learned from them. Use more trees.",
                UserWarning,
                stacklevel=3,
            )
            votes[votes == 0] = 1
        self.oob_decision_function_ = total / votes[:, None]
        score = scoring_function or (self.oob_score if callable(self.oob_score) else accuracy_score)
        self.oob_score_ = score(y_codes, np.argmax(self.oob_decision_function_, axis=1))

    def _get_estimators_indices(self):
        for tree in self.estimators_:
            if tree._in_bag is None:
                yield np.arange(self._n_samples, dtype=np.int64)
            else:
                yield tree._in_bag

    @property
    def samplers_(self) -> list:
        """The fitted sampler of each tree."""
        check_is_fitted(self)
        return [tree.sampler_ for tree in self.estimators_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_label = False
        tags.input_tags.allow_nan = tags.input_tags.allow_nan and sampler_allows_nan(self.sampler)
        return tags
