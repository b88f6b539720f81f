"""Multi-label resamplers: ML-ROS, ML-RUS, MLSMOTE (Charte et al. 2015) and REMEDIAL (2019).

They take an indicator matrix ``Y`` (``n`` rows, ``q`` labels; numpy, sparse, DataFrame, torch)
instead of a 1-D ``y``, and use the imbalance levels of :mod:`equipoise._label_profile`:
``IRLbl(l) = max_l' n_l' / n_l`` and ``MeanIR``, its mean over the labels. A *minority* label has
``IRLbl > MeanIR``, a *majority* label ``IRLbl < MeanIR``.

References
----------
Charte, Rivera, del Jesus, Herrera (2015). Addressing imbalance in multilabel classification:
measures and random resampling algorithms. Neurocomputing 163, 3-16.
Charte, Rivera, del Jesus, Herrera (2015). MLSMOTE: approaching imbalanced multilabel learning
through synthetic instance generation. Knowledge-Based Systems 89, 385-397.
Charte, Rivera, del Jesus, Herrera (2019). Dealing with difficult minority labels in imbalanced
multilabel data sets. Neurocomputing 326-327, 39-53.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._containers import _continued_index, numeric_array
from .._label_profile import irlbl, scumble_rows
from .._validation import (
    Interval,
    Options,
    check_consistent_length,
    check_indicator_target,
    check_random_state,
    check_X,
    is_torch_tensor,
    validate_params,
)
from ..exceptions import InvalidInputError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled, _check_room, _read_X, _RowMap
from ._strategy import SamplingType

__all__ = ["MLROS", "MLRUS", "MLSMOTE", "REMEDIAL"]


class _MultiLabelResampler(BaseResampler):
    """``fit_resample(X, Y)`` for a binary indicator ``Y``; subclasses implement ``_plan``.

    ``_plan(X, Y, rng)`` returns ``(Resampled, Y_out)``: the rows of ``X`` to output (and any
    synthetic rows), and the full output indicator matrix (uint8, one row per output row).
    """

    _target_kind: ClassVar[str] = "multilabel"
    _sampling_type: ClassVar[SamplingType] = "over-sampling"

    def fit(self, X: Any, y: Any) -> _MultiLabelResampler:
        """Validate ``X`` and ``Y`` without resampling (scikit-learn compatibility)."""
        self._prepare(X, y)
        return self

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Resample ``X`` and the indicator matrix ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix, torch.Tensor} of shape (n_samples, n_features)
        y : {array-like, sparse matrix, DataFrame, torch.Tensor} of shape (n_samples, n_labels)
            0/1 (or bool) indicator matrix with at least two label columns.

        Returns
        -------
        X_resampled : same kind as X
            The original rows (exact), then copies or synthetic rows.
        y_resampled : same kind as y
            The indicator matrix of the output rows (a DataFrame keeps its columns, dtypes and
            ``X``'s index rule; a tensor its device and dtype).
        """
        X_arr, container, Y = self._prepare(X, y)
        rng = check_random_state(getattr(self, "random_state", None))
        plan, Y_out = self._plan(X_arr, Y, rng)
        if not self._generates:
            self.sample_indices_ = np.asarray(plan.indices, dtype=np.int64)
        else:
            self.n_synthetic_ = plan.n_new
        self._row_map_ = _RowMap.from_plan(Y.shape[0], plan, type(self).__name__)
        X_res = container.assemble(plan.indices, plan.X_new if plan.n_new else None)
        return X_res, _restore_indicator(Y_out, y, plan.indices, plan.n_new)

    def _prepare(self, X: Any, y: Any) -> tuple[Any, Any, np.ndarray]:
        name = type(self).__name__
        validate_params(name, self.get_params(deep=False), self._parameter_constraints)
        if y is None:
            raise InvalidInputError(
                f"{name} requires y to be passed, but the target y is None. A multi-label resampler "
                "balances the labels, so it needs the indicator matrix: call fit_resample(X, Y)."
            )
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        X_arr, container = _read_X(X, name)
        if self._needs_numeric_X:
            X_arr = numeric_array(X_arr, container, owner=name)
            if sp.issparse(X_arr) and X_arr.dtype.kind in "biu":
                X_arr = X_arr.astype(np.float64)
        X_arr = check_X(
            X_arr, owner=name, numeric=self._needs_numeric_X, allow_nan=not self._needs_numeric_X
        )
        Y, self.labels_ = check_indicator_target(y, owner=name)
        check_consistent_length(X_arr, Y, owner=name)
        self.n_features_in_ = int(X_arr.shape[1])
        self.n_labels_in_ = int(Y.shape[1])
        if hasattr(self, "sample_indices_"):
            del self.sample_indices_
        return X_arr, container, Y

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        raise NotImplementedError("multi-label resamplers implement _plan")  # pragma: no cover

    def _plan(
        self, X: Any, Y: np.ndarray, rng: np.random.Generator
    ) -> tuple[Resampled, np.ndarray]:
        raise NotImplementedError  # pragma: no cover


def _restore_indicator(Y_out: np.ndarray, original: Any, indices: np.ndarray, n_new: int) -> Any:
    """``Y_out`` in the container of the user's ``Y`` (index rule of ``X`` for a DataFrame)."""
    if isinstance(original, pd.DataFrame):
        frame = pd.DataFrame(Y_out, columns=original.columns)
        frame = frame.astype(original.dtypes.to_dict())
        index = _continued_index(original.index, np.asarray(indices, dtype=np.int64), n_new)
        if index is not None:
            frame.index = index
        return frame
    if is_torch_tensor(original):
        import torch

        return torch.as_tensor(Y_out).to(device=original.device, dtype=original.dtype)
    if sp.issparse(original):
        return sp.csr_matrix(Y_out.astype(original.dtype)).asformat(original.format)
    if isinstance(original, (list, tuple)):
        return Y_out.astype(np.asarray(original).dtype).tolist()
    return Y_out.astype(np.asarray(original).dtype, copy=False)


def _minority(Y: np.ndarray) -> tuple[np.ndarray, float]:
    ir = irlbl(Y)
    finite = ir[np.isfinite(ir)]
    return ir, float(finite.mean())


_PERCENT = [Interval(numbers.Real, 0, None, closed="neither")]


@RESAMPLERS.register("ml-ros")
class MLROS(_MultiLabelResampler):
    """ML-ROS: random over-sampling of the rows of minority labels (Charte et al. 2015).

    Clones ``P% * n`` rows. The minority bags are the labels with ``IRLbl > MeanIR`` (MeanIR of
    the input, fixed); rounds go over the bags still open, each cloning one random row that has
    the bag's label. A bag closes once its label's IRLbl, recomputed on the grown data, is no
    longer above MeanIR; cloning stops when all bags are closed.

    Parameters
    ----------
    percentage : float, default=25
        Size of the increase, in percent of the number of rows (the paper's ``P``; 25 is the
        default of its reference implementation, mldr.resampling).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None

    Attributes
    ----------
    sample_indices_ : numpy.ndarray of int64
        The original row of every output row (``0..n-1``, then the clones).
    labels_ : list
        The label names (DataFrame columns or ``0..q-1``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(16.0).reshape(8, 2)
    >>> Y = np.array([[1, 0]] * 6 + [[1, 1]] * 2)
    >>> X_res, Y_res = MLROS(percentage=50, random_state=0).fit_resample(X, Y)
    >>> X_res.shape, int(Y_res[:, 1].sum())  # IRLbl of label 1: 8/2 = 4 -> 10/4 = 2.5 = MeanIR
    ((10, 2), 4)
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "percentage": _PERCENT,
        "random_state": ["random_state"],
    }

    def __init__(self, *, percentage: float = 25, random_state: Any = None) -> None:
        self.percentage = percentage
        self.random_state = random_state

    def _plan(
        self, X: Any, Y: np.ndarray, rng: np.random.Generator
    ) -> tuple[Resampled, np.ndarray]:
        n = Y.shape[0]
        to_clone = int(n * self.percentage / 100)
        _check_room(X, n + to_clone, type(self).__name__)
        ir, mean_ir = _minority(Y)
        bags = [int(j) for j in np.flatnonzero(np.isfinite(ir) & (ir > mean_ir))]
        rows = {j: np.flatnonzero(Y[:, j]) for j in bags}
        counts = Y.sum(axis=0).astype(np.int64)
        clones: list[int] = []
        while to_clone > 0 and bags:
            for j in list(bags):
                if to_clone == 0:
                    break
                row = int(rows[j][rng.integers(len(rows[j]))])
                clones.append(row)
                counts += Y[row]
                to_clone -= 1
                if counts.max() / counts[j] <= mean_ir:
                    bags.remove(j)
        indices = np.concatenate([np.arange(n), np.asarray(clones, dtype=np.int64)])
        return Resampled(indices=indices), Y[indices]


@RESAMPLERS.register("ml-rus")
class MLRUS(_MultiLabelResampler):
    """ML-RUS: random under-sampling of the rows of majority labels (Charte et al. 2015).

    Deletes up to ``P% * n`` rows. The majority bags are the labels with ``IRLbl < MeanIR``
    (MeanIR of the input, fixed); rounds go over the open bags, each deleting one random
    remaining row that has the bag's label. A bag closes once its label's IRLbl, recomputed on
    the remaining rows, reaches MeanIR. As the paper notes, a deleted row may also carry
    minority labels.

    Parameters
    ----------
    percentage : float, default=25
        Rows to delete, in percent of the number of rows (below 100).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None

    Attributes
    ----------
    sample_indices_ : numpy.ndarray of int64
        The kept original rows, in input order.
    """

    _sampling_type: ClassVar[SamplingType] = "under-sampling"
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "percentage": [Interval(numbers.Real, 0, 100, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, percentage: float = 25, random_state: Any = None) -> None:
        self.percentage = percentage
        self.random_state = random_state

    def _plan(
        self, X: Any, Y: np.ndarray, rng: np.random.Generator
    ) -> tuple[Resampled, np.ndarray]:
        n = Y.shape[0]
        to_delete = int(n * self.percentage / 100)
        ir, mean_ir = _minority(Y)
        bags = [int(j) for j in np.flatnonzero(np.isfinite(ir) & (ir < mean_ir))]
        alive = np.ones(n, dtype=bool)
        counts = Y.sum(axis=0).astype(np.int64)
        while to_delete > 0 and bags:
            for j in list(bags):
                if to_delete == 0:
                    break
                candidates = np.flatnonzero(alive & (Y[:, j] == 1))
                if len(candidates) <= 1:  # never delete a label's last row
                    bags.remove(j)
                    continue
                row = int(candidates[rng.integers(len(candidates))])
                alive[row] = False
                counts -= Y[row]
                to_delete -= 1
                with np.errstate(divide="ignore"):
                    if counts.max() / counts[j] >= mean_ir:
                        bags.remove(j)
        indices = np.flatnonzero(alive).astype(np.int64)
        return Resampled(indices=indices), Y[indices]


@RESAMPLERS.register("mlsmote")
class MLSMOTE(_MultiLabelResampler):
    """MLSMOTE: synthetic rows for the minority labels (Charte et al. 2015, Knowledge-Based Systems).

    For every minority label ``l`` (``IRLbl(l) > MeanIR``) and every row ``x`` that has it: find
    its ``k`` nearest neighbours among the rows that have ``l`` (Euclidean,
    :func:`equipoise.neighbors.kneighbors`), pick one, ``x_nn``, at random and make
    ``x_new = x + u (x_nn - x)`` with ``u ~ U(0, 1)``. The new row's labels come from ``x`` and
    its ``k`` neighbours:

    - ``'ranking'`` (the paper's default): the labels present in more than half of those
      ``k + 1`` rows;
    - ``'union'``: every label of any of them; ``'intersection'``: the labels all of them share.

    One gap ``u`` per row (the paper draws one per attribute), so every synthetic row lies on the
    segment between its seed row and the chosen neighbour, as in SMOTE. A label with fewer than
    two rows makes none (listed in ``skipped_labels_``); one with at most ``k`` rows uses all the
    others as neighbours.

    Parameters
    ----------
    k_neighbors : int, default=5
        Neighbours per seed row (the paper's 5).
    label_generation : {'ranking', 'union', 'intersection'}, default='ranking'
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None

    Attributes
    ----------
    n_synthetic_ : int
    skipped_labels_ : list
        Minority labels with a single row.
    labels_ : list
    """

    _generates = True
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "label_generation": [Options(("ranking", "union", "intersection"))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        k_neighbors: int = 5,
        label_generation: Literal["ranking", "union", "intersection"] = "ranking",
        random_state: Any = None,
    ) -> None:
        self.k_neighbors = k_neighbors
        self.label_generation = label_generation
        self.random_state = random_state

    def _plan(
        self, X: Any, Y: np.ndarray, rng: np.random.Generator
    ) -> tuple[Resampled, np.ndarray]:
        n = Y.shape[0]
        ir, mean_ir = _minority(Y)
        minority = np.flatnonzero(np.isfinite(ir) & (ir > mean_ir))
        sizes = Y[:, minority].sum(axis=0)
        _check_room(X, n + int(sizes.sum()), type(self).__name__)
        sources, partners, gaps, label_rows = [], [], [], []
        self.skipped_labels_ = []
        for j in minority:
            bag = np.flatnonzero(Y[:, j])
            if len(bag) < 2:
                self.skipped_labels_.append(self.labels_[j])
                continue
            k = min(int(self.k_neighbors), len(bag) - 1)
            _, nn = kneighbors(X[bag], k)
            nn = bag[np.asarray(nn)]
            pick = nn[np.arange(len(bag)), rng.integers(0, k, size=len(bag))]
            sources.append(bag)
            partners.append(pick)
            gaps.append(rng.random(len(bag)))
            votes = Y[bag].astype(np.int64) + Y[nn].astype(np.int64).sum(axis=1)
            if self.label_generation == "ranking":
                new = votes > (k + 1) / 2
            elif self.label_generation == "union":
                new = votes > 0
            else:
                new = votes == k + 1
            label_rows.append(new.astype(np.uint8))
        keep = np.arange(n, dtype=np.int64)
        if not sources:
            return Resampled(indices=keep), Y.copy()
        src, par, gap = np.concatenate(sources), np.concatenate(partners), np.concatenate(gaps)
        if sp.issparse(X):
            base = X[src]
            X_new = (base + sp.diags(gap.astype(X.dtype)) @ (X[par] - base)).tocsr()
        else:
            base = np.asarray(X[src], dtype=np.float64)
            X_new = base + gap[:, None] * (np.asarray(X[par], dtype=np.float64) - base)
        plan = Resampled(indices=keep, X_new=X_new, new_sources=src, new_partners=par, new_gaps=gap)
        return plan, np.concatenate([Y, *label_rows])


@RESAMPLERS.register("remedial")
class REMEDIAL(_MultiLabelResampler):
    """REMEDIAL: decouple the rows where rare and frequent labels meet (Charte et al. 2019).

    Every row whose ``SCUMBLE_i`` is above the mean SCUMBLE of the data, and which has both
    minority (``IRLbl > MeanIR``) and majority labels, is split in two: the row keeps its
    majority labels only, and a copy (same features) appended at the end gets the minority
    labels only. Deterministic. The features of every output row are an original row's.

    Attributes
    ----------
    sample_indices_ : numpy.ndarray of int64
        ``0..n-1`` then the decoupled rows.
    n_decoupled_ : int
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _needs_numeric_X = False

    def __init__(self) -> None:
        pass

    def _plan(
        self, X: Any, Y: np.ndarray, rng: np.random.Generator
    ) -> tuple[Resampled, np.ndarray]:
        n = Y.shape[0]
        ir, mean_ir = _minority(Y)
        rows = scumble_rows(Y, ir)
        minority = np.isfinite(ir) & (ir > mean_ir)
        has_min = (Y[:, minority] == 1).any(axis=1)
        has_maj = (Y[:, ~minority] == 1).any(axis=1)
        split = np.flatnonzero((rows > rows.mean()) & has_min & has_maj)
        self.n_decoupled_ = len(split)
        Y_kept = Y.copy()
        Y_kept[np.ix_(split, np.flatnonzero(minority))] = 0
        Y_clone = Y[split].copy()
        Y_clone[:, ~minority] = 0
        indices = np.concatenate([np.arange(n), split]).astype(np.int64)
        return Resampled(indices=indices), np.concatenate([Y_kept, Y_clone])
