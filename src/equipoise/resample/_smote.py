"""SMOTE and its neighbour-driven variants: BorderlineSMOTE and ADASYN.

Every method here makes a synthetic row by interpolation between a row ``x_i`` of the class
being over-sampled and one of its neighbours ``x_nn``:

.. math:: x_{new} = x_i + u \\, (x_{nn} - x_i), \\qquad u \\sim U(0, 1)

The methods differ in which rows serve as ``x_i``, how often, and where ``x_nn`` may come from.
All neighbour searches go through :func:`equipoise.neighbors.kneighbors` (the exact blocked
engine, or scikit-learn's trees for very low-dimensional or sparse data), once per class, and
the sampling itself is vectorised (no Python loop over rows). A torch tensor X stays on its
device: the searches and the interpolation run there, and only indices and labels come to the
host (the random draws are made there, so a seed gives the same rows on every device).

Synthetic rows are appended after the original rows: in the output of ``fit_resample`` rows
``[:n_original]`` are the input, unchanged, and the last ``n_synthetic_`` rows are synthetic.
Integer and bool columns keep their dtype: the interpolated value is rounded to the nearest
integer (``numpy.rint``) and clipped into the dtype's range; a numeric ``category`` column takes
the nearest category (:func:`equipoise._containers.cast_synthetic`). Each synthetic row's base
row, neighbour and gap are recorded, so ``resample_like`` carries groups and weights along.

References
----------
Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357.

Han, H., Wang, W.-Y. and Mao, B.-H. (2005). "Borderline-SMOTE: a new over-sampling method in
imbalanced data sets learning." ICIC 2005, LNCS 3644, 878-887.

He, H., Bai, Y., Garcia, E. A. and Li, S. (2008). "ADASYN: adaptive synthetic sampling approach
for imbalanced learning." IJCNN 2008, 1322-1328.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from .._containers import DeferredRows
from .._types import RandomStateLike, SamplingStrategy
from .._validation import Interval, Options, check_class_sizes, is_torch_tensor, short_repr
from ..exceptions import InvalidInputError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled, class_indices

__all__ = ["SMOTE", "BorderlineSMOTE", "ADASYN"]

_N_NEIGHBORS = [Interval(int, 1, None, closed="left")]


# ---------------------------------------------------------------------- shared machinery
def take_rows(X: Any, rows: np.ndarray) -> Any:
    """``X[rows]`` for numpy, CSR or a torch tensor (which stays on its device)."""
    if is_torch_tensor(X):
        import torch

        return X.index_select(0, torch.as_tensor(rows, device=X.device))
    return X[rows]


def as_index_array(indices: Any) -> np.ndarray:
    """Neighbour indices as a numpy int64 array (tensors come to the host: indices only, not X)."""
    if is_torch_tensor(indices):
        return indices.cpu().numpy()
    return np.asarray(indices, dtype=np.int64)


def neighbours_excluding_self(
    X_ref: Any, members: np.ndarray | None, k: int, n_jobs: int | None = None
) -> np.ndarray:
    """The ``k`` nearest rows of ``X_ref`` to each row ``X_ref[members]``, that row excluded.

    Parameters
    ----------
    X_ref : numpy.ndarray, scipy.sparse.csr_matrix or torch.Tensor of shape (n, d)
    members : numpy.ndarray of int or None
        Rows of ``X_ref`` to query; None queries every row.
    k : int
    n_jobs : int, optional
        Threads for the search (None: the limits in force).

    Returns
    -------
    numpy.ndarray of int64, shape (len(members), k)
        Indices into ``X_ref``, nearest first, ties by smaller index. The query row itself is
        removed by index (a duplicate of it is a legitimate neighbour at distance 0).
    """
    return as_index_array(kneighbors(X_ref, k, query_indices=members, n_jobs=n_jobs)[1])


def interpolate(base: Any, neighbour: Any, gap: np.ndarray) -> Any:
    """Row-wise ``base + gap * (neighbour - base)``, dense, CSR or tensor (same arithmetic, same bits).

    ``gap`` is cast to the dtype of ``base`` so float32 data is computed and returned in float32;
    for a tensor it is moved to the tensor's device, where the rows are made.
    """
    if is_torch_tensor(base):
        import torch

        gap_t = torch.as_tensor(gap).to(device=base.device, dtype=base.dtype)
        out = neighbour - base
        out *= gap_t[:, None]
        out += base
        return out
    gap = gap.astype(base.dtype, copy=False)
    if sp.issparse(base):
        return (base + sp.diags(gap) @ (neighbour - base)).tocsr()
    out = neighbour - base
    out *= gap[:, None]
    out += base
    return out


def check_whole_set_size(n_samples: int, parameter: str, value: int, owner: str) -> None:
    """Raise when a whole-training-set neighbour search asks for more rows than exist."""
    if value >= n_samples:
        raise InvalidInputError(
            f"The {short_repr(parameter)} parameter of {owner} must be smaller than the number of samples "
            f"({n_samples}); got {value}. Lower {parameter} to at most {n_samples - 1}."
        )


_FILL_ELEMENTS = 1 << 16
"""Values per chunk when synthetic rows are generated in place (256 KiB of float32: in cache)."""


def fill_interpolated(
    out: np.ndarray, X_src: np.ndarray, base: np.ndarray, partner: np.ndarray, gap: np.ndarray
) -> None:
    """``out[i] = X_src[base[i]] + gap[i] (X_src[partner[i]] - X_src[base[i]])``, written in place.

    The same arithmetic as :func:`interpolate` (the same bits), but without its temporaries: the
    base rows are gathered straight into ``out`` and the differences are made chunk by chunk in a
    small buffer that stays in cache, so each synthetic value is written to memory once.
    ``out`` and ``X_src`` are dense floating-point arrays of one dtype; ``gap`` is cast to it.
    """
    n, d = out.shape
    if n == 0:
        return
    gap = gap.astype(out.dtype, copy=False)
    step = max(1, _FILL_ELEMENTS // max(d, 1))
    buffer = np.empty((min(step, n), d), dtype=out.dtype)
    for start in range(0, n, step):
        stop = min(start + step, n)
        rows = out[start:stop]
        # mode='clip': the indices are valid rows, and for the default mode='raise' numpy
        # buffers `out` (one more copy per call: 12x slower at 128 x 512 float32).
        np.take(X_src, base[start:stop], axis=0, out=rows, mode="clip")
        diff = np.take(X_src, partner[start:stop], axis=0, out=buffer[: stop - start], mode="clip")
        diff -= rows
        diff *= gap[start:stop, None]
        rows += diff


class _SyntheticRows:
    """Collects the synthetic rows of each class and turns them into a :class:`Resampled`.

    Each batch records, per synthetic row, its base row, its neighbour (-1: none) and its gap,
    as input row indices: three numbers a row, which :meth:`BaseResampler.resample_like` uses.
    Interpolations of dense numpy data (:meth:`add_interpolated`) are only recorded; :meth:`plan`
    generates all of them into one preallocated array (no per-batch arrays, no concatenation).
    """

    def __init__(self, X: Any, y: np.ndarray) -> None:
        self.X, self.y = X, y
        self.rows: list[Any] = []
        self.labels: list[np.ndarray] = []
        self.sources: list[np.ndarray] = []
        self.partners: list[np.ndarray] = []
        self.gaps: list[np.ndarray] = []

    def add(
        self,
        X_new: Any,
        label: Any,
        *,
        base: np.ndarray,
        partner: np.ndarray | None = None,
        gap: np.ndarray | None = None,
    ) -> None:
        """Append rows ``X_new`` of class ``label`` made from input rows ``base`` (and ``partner``, ``gap``)."""
        self._record(X_new, X_new.shape[0], label, base, partner, gap)

    def add_interpolated(
        self,
        X_src: Any,
        at_base: np.ndarray,
        at_partner: np.ndarray,
        gap: np.ndarray,
        label: Any,
        *,
        base: np.ndarray,
        partner: np.ndarray,
    ) -> None:
        """Append ``X_src[at_base] + gap (X_src[at_partner] - X_src[at_base])`` (input rows ``base``, ``partner``).

        Dense floating-point numpy data of the input's dtype is generated later, in place, by
        :meth:`plan`; anything else (CSR, tensors) is interpolated now by :func:`interpolate`.
        """
        if self._fills(X_src):
            self._record((X_src, at_base, at_partner, gap), len(at_base), label, base, partner, gap)
        else:
            X_new = interpolate(take_rows(X_src, at_base), take_rows(X_src, at_partner), gap)
            self._record(X_new, X_new.shape[0], label, base, partner, gap)

    def _fills(self, X_src: Any) -> bool:
        return (
            isinstance(X_src, np.ndarray)
            and isinstance(self.X, np.ndarray)
            and X_src.dtype.kind == "f"
            and X_src.dtype == self.X.dtype
            and X_src.ndim == 2
        )

    def _record(
        self,
        rows: Any,
        n: int,
        label: Any,
        base: np.ndarray,
        partner: np.ndarray | None,
        gap: np.ndarray | None,
    ) -> None:
        self.rows.append(rows)
        self.labels.append(np.full(n, label, dtype=self.y.dtype))
        self.sources.append(np.asarray(base, dtype=np.int64).reshape(n))
        self.partners.append(
            np.full(n, -1, dtype=np.int64)
            if partner is None
            else np.asarray(partner, dtype=np.int64).reshape(n)
        )
        self.gaps.append(
            np.zeros(n) if gap is None else np.asarray(gap, dtype=np.float64).reshape(n)
        )

    def _dense_rows(self) -> np.ndarray | DeferredRows:
        """All batches as one array, or as :class:`~equipoise._containers.DeferredRows` when
        some are interpolations still to make: the output assembly then allocates the whole
        result once and they are generated straight into its tail (no array of their own, no
        concatenation)."""
        if len(self.rows) == 1 and isinstance(self.rows[0], np.ndarray):
            return self.rows[0]
        sizes = [len(labels) for labels in self.labels]
        shape = (sum(sizes), self.X.shape[1])
        if all(isinstance(part, np.ndarray) for part in self.rows):
            out = np.empty(shape, dtype=self.X.dtype)
            self._fill(out, sizes)
            return out
        return DeferredRows(shape, self.X.dtype, lambda out: self._fill(out, sizes))

    def _fill(self, out: np.ndarray, sizes: list[int]) -> None:
        start = 0
        for part, size in zip(self.rows, sizes):
            if isinstance(part, tuple):
                fill_interpolated(out[start : start + size], *part)
            else:
                out[start : start + size] = part
            start += size

    def plan(self, sampler: BaseResampler) -> Resampled:
        n = self.X.shape[0]
        keep = np.arange(n, dtype=np.int64)
        if not self.rows:
            sampler.n_synthetic_ = 0
            return Resampled(indices=keep)
        if sp.issparse(self.X):
            X_new = sp.vstack(self.rows, format="csr")
        elif is_torch_tensor(self.X):
            import torch

            X_new = torch.cat(self.rows, dim=0)
        elif all(isinstance(part, np.ndarray) for part in self.rows) and not all(
            part.dtype == self.X.dtype for part in self.rows
        ):
            X_new = np.concatenate(self.rows, axis=0)
        else:
            X_new = self._dense_rows()
        sampler.n_synthetic_ = int(X_new.shape[0])
        return Resampled(
            indices=keep,
            X_new=X_new,
            y_new=np.concatenate(self.labels),
            new_sources=np.concatenate(self.sources),
            new_partners=np.concatenate(self.partners),
            new_gaps=np.concatenate(self.gaps),
        )


def _targets(sampler: BaseResampler) -> dict[Any, int]:
    """The classes that receive at least one synthetic row, with their counts."""
    return {label: n for label, n in sampler.sampling_strategy_.items() if n > 0}


class _BaseSMOTE(BaseResampler):
    """Shared declarations of the interpolating over-samplers."""

    _sampling_type = "over-sampling"
    _generates = True
    _accepts_tensors = True

    def _check_sizes(self, groups: dict, targets: dict, parameter: str, value: int) -> None:
        check_class_sizes(
            {label: len(groups[label]) for label in targets},
            value + 1,
            owner=type(self).__name__,
            parameter=parameter,
            value=value,
        )


# ---------------------------------------------------------------------- SMOTE
@RESAMPLERS.register("smote")
class SMOTE(_BaseSMOTE):
    """Synthetic Minority Over-sampling TEchnique (Chawla et al., 2002).

    For each class to over-sample, the ``k_neighbors`` nearest rows of the *same class* are
    found for every row of that class (the row itself excluded). Each synthetic row picks a base
    row ``x_i`` of the class uniformly, one of its ``k`` neighbours ``x_nn`` uniformly, and a gap
    ``u ~ U(0, 1)``:

    .. math:: x_{new} = x_i + u \\, (x_{nn} - x_i)

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics; the resolved
        ``sampling_strategy_`` holds the number of rows to generate per class).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seed of the draws; the same seed gives the same output.
    k_neighbors : int, default=5
        Same-class neighbours per row (the paper's k = 5). Only an int is accepted (unlike
        imbalanced-learn, no NearestNeighbors object): every search goes through
        :func:`equipoise.neighbors.kneighbors`, which is exact and picks the fastest back end.
        Every over-sampled class needs at least ``k_neighbors + 1`` rows.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows}``.
    n_synthetic_ : int
        Number of synthetic rows; they are the last ``n_synthetic_`` rows of the output
        (rows ``[:n_original]`` are the input rows, unchanged and in order).
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray of str
        Only when X was a DataFrame with string column names.

    References
    ----------
    Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002). "SMOTE: synthetic
    minority over-sampling technique." Journal of Artificial Intelligence Research 16, 321-357.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2)); y = np.array([0] * 50 + [1] * 10)
    >>> sampler = SMOTE(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), sampler.n_synthetic_
    ([50, 50], 40)
    >>> bool(np.array_equal(X_res[:60], X))
    True
    """

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "k_neighbors": _N_NEIGHBORS,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: int = 5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k = int(self.k_neighbors)
        groups = class_indices(y)
        targets = _targets(self)
        self._check_sizes(groups, targets, "k_neighbors", k)
        out = _SyntheticRows(X, y)
        for label, n_new in targets.items():
            X_class = take_rows(X, groups[label])
            nn = neighbours_excluding_self(X_class, None, k)
            base = rng.integers(0, X_class.shape[0], size=n_new)
            partner = nn[base, rng.integers(0, k, size=n_new)]
            gap = rng.random(n_new)
            out.add_interpolated(
                X_class,
                base,
                partner,
                gap,
                label,
                base=groups[label][base],
                partner=groups[label][partner],
            )
        return out.plan(self)


# ---------------------------------------------------------------------- Borderline-SMOTE
@RESAMPLERS.register("borderline-smote")
class BorderlineSMOTE(_BaseSMOTE):
    """Borderline-SMOTE: SMOTE from the minority rows that sit on the class border (Han et al., 2005).

    For a row ``x_i`` of the class being over-sampled, let ``m'`` be the number of its
    ``m_neighbors`` nearest rows in the *whole* training set that belong to other classes. The
    row is in **danger** when ``m / 2 <= m' < m`` (mostly surrounded by other classes, but not
    noise, ``m' = m``). Synthetic rows start from danger rows only, chosen uniformly:

    * ``'borderline-1'``: ``x_nn`` is one of the ``k_neighbors`` nearest rows of the same class,
      ``x_new = x_i + u (x_nn - x_i)`` with ``u ~ U(0, 1)``;
    * ``'borderline-2'``: ``x_nn`` is one of the ``k_neighbors`` nearest rows of the whole set;
      the gap is ``u ~ U(0, 1)`` when ``x_nn`` is of the same class and ``u ~ U(0, 0.5)`` when it
      is of another class, so the new row stays closer to the minority side.

    When a class has no danger row, no synthetic row is made for it and a ``UserWarning`` says
    so (imbalanced-learn 0.14 skips such a class silently); its final count is then lower than
    ``sampling_strategy_`` asks. ``n_synthetic_`` always holds the number actually made.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    k_neighbors : int, default=5
        Neighbours to interpolate with (the paper's k = 5). With 'borderline-1' every
        over-sampled class needs ``k_neighbors + 1`` rows.
    m_neighbors : int, default=10
        Neighbours in the whole set that decide whether a row is in danger (the paper's m).
    kind : {'borderline-1', 'borderline-2'}, default='borderline-1'

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows requested}``.
    danger_indices_ : dict
        ``{label: indices (into the input rows) of that class's danger rows}``.
    n_synthetic_ : int
        Synthetic rows made; they are the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    Notes
    -----
    The gap of 'borderline-2' towards another class follows the paper, ``U(0, 0.5)``;
    imbalanced-learn draws it as the product of ``U(0, 1)`` and ``U(0, 0.5)``: the range is the
    same, the distribution is not. Danger rows and neighbour sets are the same as
    imbalanced-learn's.

    References
    ----------
    Han, H., Wang, W.-Y. and Mao, B.-H. (2005). "Borderline-SMOTE: a new over-sampling method
    in imbalanced data sets learning." ICIC 2005, LNCS 3644, 878-887.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (80, 2)), rng.normal(1, 1, (20, 2))])
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> X_res, y_res = BorderlineSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [80, 80]
    """

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "k_neighbors": _N_NEIGHBORS,
        "m_neighbors": _N_NEIGHBORS,
        "kind": [Options(("borderline-1", "borderline-2"))],
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        k_neighbors: int = 5,
        m_neighbors: int = 10,
        kind: Literal["borderline-1", "borderline-2"] = "borderline-1",
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.kind = kind

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k, m = int(self.k_neighbors), int(self.m_neighbors)
        name = type(self).__name__
        groups = class_indices(y)
        targets = _targets(self)
        check_whole_set_size(len(y), "m_neighbors", m, name)
        if self.kind == "borderline-1":
            self._check_sizes(groups, targets, "k_neighbors", k)
        else:
            check_whole_set_size(len(y), "k_neighbors", k, name)
        # One search of the whole set serves both the danger test (m neighbours) and, for
        # 'borderline-2', the interpolation partners (k neighbours: the first k of the same list).
        whole_k = max(m, k) if self.kind == "borderline-2" else m
        self.danger_indices_, whole = self._danger_rows(X, y, groups, targets, m, whole_k)
        out = _SyntheticRows(X, y)
        for label, n_new in targets.items():
            danger = self.danger_indices_[label]
            if len(danger) == 0:
                warnings.warn(
                    f"{name} found no borderline ('danger') sample in class {short_repr(label)}: none of its "
                    f"rows has between m/2 and m-1 of its {m} nearest neighbours in other classes. "
                    "No synthetic sample was made for it; use SMOTE to over-sample it anyway.",
                    UserWarning,
                    stacklevel=3,
                )
                continue
            base = rng.integers(0, len(danger), size=n_new)
            column = rng.integers(0, k, size=n_new)
            gap = rng.random(n_new)
            if self.kind == "borderline-1":
                members = groups[label]
                X_class = take_rows(X, members)
                danger_in_class = np.searchsorted(members, danger)
                nn = neighbours_excluding_self(X_class, danger_in_class, k)
                at_partner = nn[base, column]
                out.add_interpolated(
                    X_class,
                    danger_in_class[base],
                    at_partner,
                    gap,
                    label,
                    base=danger[base],
                    partner=members[at_partner],
                )
            else:
                nn = whole[1][whole[0][danger], :k]
                partner = nn[base, column]
                gap[y[partner] != label] *= 0.5
                out.add_interpolated(
                    X, danger[base], partner, gap, label, base=danger[base], partner=partner
                )
        return out.plan(self)

    @staticmethod
    def _danger_rows(
        X: Any, y: np.ndarray, groups: dict, targets: dict, m: int, whole_k: int
    ) -> tuple[dict[Any, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """Rows with ``m/2 <= (# of m nearest in other classes) < m``; one search for all classes.

        Returns the danger rows per class and ``(position, table)``: ``table[position[i]]`` is
        the list of the ``whole_k >= m`` nearest rows of the whole set to row ``i`` (for the rows
        of the targeted classes).
        """
        position = np.full(len(y), -1, dtype=np.int64)
        if not targets:
            return {}, (position, np.zeros((0, whole_k), dtype=np.int64))
        queries = np.concatenate([groups[label] for label in targets])
        position[queries] = np.arange(len(queries))
        table = neighbours_excluding_self(X, queries, whole_k)
        nn = table[:, :m]
        n_other = np.count_nonzero(y[nn] != y[queries][:, None], axis=1)
        is_danger = (2 * n_other >= m) & (n_other < m)
        bounds = np.cumsum([len(groups[label]) for label in targets])[:-1]
        danger = {
            label: rows[flags]
            for label, rows, flags in zip(
                targets, np.split(queries, bounds), np.split(is_danger, bounds)
            )
        }
        whole = (position, table)
        return danger, whole


# ---------------------------------------------------------------------- ADASYN
@RESAMPLERS.register("adasyn")
class ADASYN(_BaseSMOTE):
    """ADAptive SYNthetic sampling: more synthetic rows where the class is harder (He et al., 2008).

    For each class to over-sample with ``G`` rows to generate, and each of its rows ``x_i``:

    * ``r_i = Delta_i / K``, with ``Delta_i`` the number of its ``K = n_neighbors`` nearest rows in
      the whole training set that belong to other classes (one-vs-rest);
    * ``\\hat r_i = r_i / sum_j r_j`` and ``g_i = rint(\\hat r_i G)`` synthetic rows start from
      ``x_i`` (numpy's round-half-to-even, as imbalanced-learn does);
    * each is ``x_i + u (x_nn - x_i)``, ``u ~ U(0, 1)``, ``x_nn`` uniform among the ``K`` nearest
      rows of the same class.

    Because of the rounding, the number made for a class, ``sum_i g_i``, can differ slightly
    from ``sampling_strategy_``; it is exactly the count imbalanced-learn 0.14 makes, and
    ``n_synthetic_`` holds the total.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to over-sample and by how much (imbalanced-learn semantics).
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
    n_neighbors : int, default=5
        ``K``, used both for the difficulty ratio and the interpolation. Every over-sampled class
        needs ``n_neighbors + 1`` rows.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows requested}``.
    n_synthetic_ : int
        Synthetic rows made (after rounding); they are the last ``n_synthetic_`` output rows.
    n_features_in_ : int

    Raises
    ------
    InvalidInputError
        When no row of a class has a neighbour of another class (the ratios are all 0 and the
        density is undefined), or when the rounding leaves nothing to generate.

    References
    ----------
    He, H., Bai, Y., Garcia, E. A. and Li, S. (2008). "ADASYN: adaptive synthetic sampling
    approach for imbalanced learning." IJCNN 2008, 1322-1328.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (80, 2)), rng.normal(1, 1, (20, 2))])
    >>> y = np.array([0] * 80 + [1] * 20)
    >>> sampler = ADASYN(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> abs(sampler.n_synthetic_ - 60) <= 10
    True
    """

    _parameter_constraints = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "n_neighbors": _N_NEIGHBORS,
    }

    def __init__(
        self,
        *,
        sampling_strategy: SamplingStrategy = "auto",
        random_state: RandomStateLike = None,
        n_neighbors: int = 5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        k = int(self.n_neighbors)
        name = type(self).__name__
        groups = class_indices(y)
        targets = _targets(self)
        self._check_sizes(groups, targets, "n_neighbors", k)
        check_whole_set_size(len(y), "n_neighbors", k, name)
        out = _SyntheticRows(X, y)
        if not targets:
            return out.plan(self)
        queries = np.concatenate([groups[label] for label in targets])
        nn_all = neighbours_excluding_self(X, queries, k)
        start = 0
        for label, n_new in targets.items():
            members = groups[label]
            nn = nn_all[start : start + len(members)]
            start += len(members)
            per_row = self._rows_per_sample(y[nn] != label, n_new, label)
            total = int(per_row.sum())
            X_class = take_rows(X, members)
            nn_class = neighbours_excluding_self(X_class, None, k)
            base = np.repeat(np.arange(len(members)), per_row)
            partner = nn_class[base, rng.integers(0, k, size=total)]
            gap = rng.random(total)
            out.add_interpolated(
                X_class, base, partner, gap, label, base=members[base], partner=members[partner]
            )
        return out.plan(self)

    def _rows_per_sample(self, is_other: np.ndarray, n_new: int, label: Any) -> np.ndarray:
        name, k = type(self).__name__, is_other.shape[1]
        ratio = np.count_nonzero(is_other, axis=1) / k
        if not ratio.sum():
            raise InvalidInputError(
                f"{name} cannot weight class {short_repr(label)}: none of its rows has a neighbour of another "
                f"class among its {k} nearest, so every difficulty ratio is 0 and the density is "
                "undefined. The class is well separated: use SMOTE (or RandomOverSampler) instead, "
                "or raise n_neighbors."
            )
        ratio /= ratio.sum()
        per_row = np.rint(ratio * n_new).astype(np.int64)
        if not per_row.sum():
            raise InvalidInputError(
                f"{name} would generate no sample for class {short_repr(label)}: {n_new} requested sample(s) "
                f"spread over {len(ratio)} rows all round to 0. Ask for more samples in "
                "sampling_strategy or use SMOTE."
            )
        return per_row
