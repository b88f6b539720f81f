"""Resamplers for continuous targets: SMOTER, SMOGN and random over/under-sampling by relevance.

A relevance function :math:`\\phi` (:mod:`equipoise.resample._relevance`; by default the
authors' box-plot one) marks the rows with :math:`\\phi(y) \\ge t` as rare (``t =
relevance_threshold``, 0.8 as in Branco et al. 2017). Sorting the rows by target, consecutive
rows with the same status form a *region* (a "bump" in the authors' code). With
``sampling_strategy='balance'`` every region ends with :math:`b = \\mathrm{round}(n / n_\\text{regions})`
rows: a rare region of :math:`n_r < b` rows gains :math:`\\lfloor p - 1 \\rfloor n_r +
\\lfloor n_r (p - 1 - \\lfloor p - 1 \\rfloor) \\rfloor` synthetic rows, :math:`p = b / n_r`
(every row seeds :math:`\\lfloor p - 1 \\rfloor` of them, then randomly chosen rows one more, as
in the authors' code); a normal region of :math:`n_r > b` rows keeps :math:`\\lfloor p\\, n_r
\\rfloor` of them, drawn without replacement. ``'extreme'`` is the authors' second strategy
(:math:`o_r \\propto b^2 / n_r`, scaled to keep :math:`n` rows in total, :math:`p = o_r / n_r`
rounded to one decimal). The originals of rare regions are always kept.

Synthetic rows (SMOTER, Torgo et al. 2013): a seed :math:`x_s` of a rare region, one of its
``k_neighbors`` nearest rows :math:`x_n` *of the same region* (equipoise's exact k-NN), a gap
:math:`u \\sim U(0, 1)`:

.. math:: x = x_s + u (x_n - x_s), \\qquad
   y = \\frac{d_n\\, y_s + d_s\\, y_n}{d_s + d_n}, \\quad d_s = \\lVert x - x_s \\rVert,\\ d_n = \\lVert x - x_n \\rVert

(the mean of the two targets when both distances are 0), so a synthetic target lies between its
two parents' targets. SMOGN (Branco et al. 2017) interpolates only when the neighbour is
*safe*, closer than :math:`\\mathrm{maxD} = \\mathrm{median}_j\\, d(x_s, x_j) / 2` (half the
median distance from the seed to the rows of its region, itself included, as in the authors'
code); otherwise it adds Gaussian noise to the
seed: :math:`x_j = x_{s,j} + \\mathcal N(0, 1)\\, \\sigma_j\\, \\delta`, :math:`y = y_s + \\mathcal N(0,
1)\\, \\sigma_y\\, \\delta`, with :math:`\\sigma` the region's standard deviations and
:math:`\\delta = \\min(\\text{perturbation}, \\mathrm{maxD})` (perturbation 0.02 by default).

Differences from the Python ``smogn`` package (0.1.2), on purpose: it drops the originals of
over-sampled regions and, when under-sampling, keeps every row *except* the drawn ones; it
measures the target-weighting distances on the last feature only. We follow the papers; the counts of synthetic rows per region are the same.

References
----------
.. [1] L. Torgo, R. P. Ribeiro, B. Pfahringer and P. Branco, "SMOTE for Regression", EPIA 2013.
.. [2] P. Branco, L. Torgo and R. P. Ribeiro, "SMOGN: a Pre-processing Approach for Imbalanced
   Regression", LIDTA workshop, PMLR 74, 2017.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from .._validation import Interval, Options, check_continuous_target, short_repr
from ..exceptions import InvalidInputError, InvalidParameterError
from ..neighbors import kneighbors
from ._base import RESAMPLERS, BaseResampler, Resampled
from ._relevance import _check_points, box_plot_control_points, relevance_function

__all__ = ["SMOTER", "SMOGN", "RandomOverSamplerRegression", "RandomUnderSamplerRegression"]

_COMMON: dict[str, list] = {
    "relevance": [Options(("auto",)), "callable", list, tuple, np.ndarray],
    "relevance_threshold": [Interval(float, 0, 1, closed="right")],
    "extremes": [Options(("both", "high", "low"))],
    "coef": [Interval(float, 0, None, closed="neither")],
    "sampling_strategy": [Options(("balance", "extreme"))],
    "random_state": ["random_state"],
}


class _RelevanceResampler(BaseResampler):
    """Shared part: the continuous target, its relevance, the regions and their target counts.

    Fitted attributes: ``relevance_`` (phi of each input row), ``control_points_`` (None for a
    callable relevance), ``regions_`` (list of dicts ``low, high, n, rare, target``: target is
    the region's row count after resampling), ``sampling_strategy_`` (``{region: target}``).
    """

    _target_kind: ClassVar[str] = "continuous"
    _over: ClassVar[bool] = True
    _under: ClassVar[bool] = True

    def _check_y(self, y: Any, owner: str) -> np.ndarray:
        check_continuous_target(y, owner=owner)  # the checks; the values keep their dtype
        values = np.asarray(y)
        return values.ravel() if values.ndim == 2 else values

    def _check_params(self) -> None:
        if isinstance(self.relevance, (list, tuple, np.ndarray)):
            relevance_function(self.relevance, owner=type(self).__name__)

    def _strategy_from_data(self, X: Any, y: np.ndarray, owner: str) -> dict:
        if sp.issparse(X):
            raise InvalidInputError(
                f"{owner} needs dense X (its neighbour and noise steps work on dense rows); got a sparse "
                "matrix. Convert it with X.toarray()."
            )
        values = y.astype(np.float64)
        if callable(self.relevance):
            self.control_points_ = None
            phi = np.asarray(self.relevance(values), dtype=np.float64).ravel()
            if (
                phi.shape != values.shape
                or not np.all(np.isfinite(phi))
                or np.any((phi < 0) | (phi > 1))
            ):
                raise InvalidParameterError(
                    f"The 'relevance' callable of {owner} must return one value in [0, 1] per target; "
                    f"got {short_repr(phi)}."
                )
        else:
            points = (
                box_plot_control_points(values, extremes=self.extremes, coef=self.coef)
                if isinstance(self.relevance, str)
                else self.relevance
            )
            self.control_points_ = _check_points(points, owner)
            phi = relevance_function(points, owner=owner)(values)
        self.relevance_ = phi
        rare = phi >= self.relevance_threshold
        if rare.all() or not rare.any():
            which = "every" if rare.all() else "no"
            raise InvalidInputError(
                f"{owner}'s relevance function marks {which} row as rare (phi >= {self.relevance_threshold}), "
                "so there is nothing to balance. Lower or raise relevance_threshold, or give control points "
                "[[y, phi], ...] as relevance."
            )
        order = np.argsort(values, kind="stable")
        change = np.flatnonzero(rare[order][1:] != rare[order][:-1]) + 1
        groups = np.split(order, change)
        n, k = len(values), len(groups)
        b = round(n / k)
        if self.sampling_strategy == "balance":
            ratios = [b / len(g) for g in groups]
        else:
            raw = [b * b / len(g) for g in groups]
            scale = k * b / sum(raw)
            ratios = [round(round(r * scale, 2) / len(g), 1) for r, g in zip(raw, groups)]
        self._groups = [np.sort(g) for g in groups]
        self.regions_ = []
        strategy = {}
        for r, (g, ratio) in enumerate(zip(groups, ratios)):
            is_rare = bool(rare[g[0]])
            m = len(g)
            if is_rare and ratio > 1 and self._over:
                whole = int(ratio - 1)
                target = m + whole * m + int(m * (ratio - 1 - whole))
            elif not is_rare and ratio < 1 and self._under and self._under_enabled():
                target = int(ratio * m)
            else:
                target = m
            strategy[r] = target
            self.regions_.append(
                {
                    "low": float(values[g].min()),
                    "high": float(values[g].max()),
                    "n": m,
                    "rare": is_rare,
                    "target": target,
                }
            )
        return strategy

    def _under_enabled(self) -> bool:
        return bool(getattr(self, "under_sampling", True))

    def _kept_rows(self, rng: np.random.Generator) -> np.ndarray:
        keep = []
        for r, g in enumerate(self._groups):
            target = self.sampling_strategy_[r]
            if target < len(g):
                keep.append(np.sort(rng.choice(g, size=target, replace=False)))
            else:
                keep.append(g)
        return np.sort(np.concatenate(keep)).astype(np.int64)


def _median_distances(X: np.ndarray) -> np.ndarray:
    """Median Euclidean distance from each row to every row of ``X`` (itself included), in blocks."""
    out = np.empty(len(X))
    sq = np.einsum("ij,ij->i", X, X)
    block = max(1, 4_000_000 // max(len(X), 1))
    for start in range(0, len(X), block):
        part = X[start : start + block]
        d2 = sq[start : start + block, None] + sq[None, :] - 2.0 * part @ X.T
        out[start : start + block] = np.median(np.sqrt(np.maximum(d2, 0.0)), axis=1)
    return out


class _SyntheticRegression(_RelevanceResampler):
    _sampling_type = "over-sampling"
    _generates = True
    _gaussian: ClassVar[bool] = False

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        owner = type(self).__name__
        keep = self._kept_rows(rng)
        values = y.astype(np.float64)
        rows, targets, sources, partners, gaps = [], [], [], [], []
        for r, g in enumerate(self._groups):
            m = len(g)
            n_new = self.sampling_strategy_[r] - m
            if n_new <= 0:
                continue
            k = self.k_neighbors
            if k >= m:
                raise InvalidInputError(
                    f"The 'k_neighbors' parameter of {owner} must be smaller than the number of rows of every "
                    f"rare region; got {k}. The region [{values[g].min():.4g}, {values[g].max():.4g}] has {m} "
                    f"row(s): lower k_neighbors to at most {max(m - 1, 1)} or use RandomOverSamplerRegression."
                )
            Xg = np.asarray(X[g], dtype=np.float64)
            dist, nn = kneighbors(Xg, k)
            whole = n_new // m
            seeds = np.r_[
                np.repeat(np.arange(m), whole), rng.choice(m, size=n_new - whole * m, replace=False)
            ]
            pick = rng.integers(0, k, size=len(seeds))
            partner = nn[seeds, pick]
            gap = rng.random(len(seeds))
            x_new = Xg[seeds] + gap[:, None] * (Xg[partner] - Xg[seeds])
            d_s = np.linalg.norm(x_new - Xg[seeds], axis=1)
            d_n = np.linalg.norm(x_new - Xg[partner], axis=1)
            total = d_s + d_n
            y_s, y_n = values[g][seeds], values[g][partner]
            safe_total = np.where(total > 0, total, 1.0)
            y_new = np.where(total > 0, (d_n * y_s + d_s * y_n) / safe_total, 0.5 * (y_s + y_n))
            partner_global = g[partner]
            if self._gaussian:
                max_d = _median_distances(Xg) / 2.0
                noisy = ~(dist[seeds, pick] < max_d[seeds])
                if noisy.any():
                    delta = np.minimum(self.perturbation, max_d[seeds[noisy]])
                    sd_x = Xg.std(axis=0)
                    sd_y = values[g].std()
                    x_new[noisy] = (
                        Xg[seeds[noisy]]
                        + rng.standard_normal((int(noisy.sum()), Xg.shape[1]))
                        * sd_x
                        * delta[:, None]
                    )
                    y_new[noisy] = y_s[noisy] + rng.standard_normal(int(noisy.sum())) * sd_y * delta
                    partner_global = np.where(noisy, -1, partner_global)
                    gap = np.where(noisy, 0.0, gap)
                self.n_noise_ = getattr(self, "n_noise_", 0) + int(noisy.sum())
            rows.append(x_new)
            targets.append(y_new)
            sources.append(g[seeds])
            partners.append(partner_global)
            gaps.append(gap)
        if not rows:
            self.n_synthetic_ = 0
            return Resampled(indices=keep)
        y_out = np.concatenate(targets)
        if y.dtype.kind in "iub":
            y_out = np.rint(y_out)
        X_new = np.concatenate(rows).astype(
            X.dtype if np.asarray(X).dtype.kind == "f" else np.float64, copy=False
        )
        self.n_synthetic_ = int(len(y_out))
        return Resampled(
            indices=keep,
            X_new=X_new,
            y_new=y_out,
            new_sources=np.concatenate(sources),
            new_partners=np.concatenate(partners),
            new_gaps=np.concatenate(gaps),
        )


@RESAMPLERS.register("smoter")
class SMOTER(_SyntheticRegression):
    """SMOTE for regression (Torgo et al. 2013): interpolate rare rows, under-sample the others.

    Parameters
    ----------
    relevance : 'auto', callable or array-like of shape (n_points, 2 or 3), default='auto'
        'auto': the authors' box-plot control points (:mod:`equipoise.resample._relevance`);
        control points ``[[y, phi], ...]`` (slopes optional); or ``phi(y) -> [0, 1]``.
    relevance_threshold : float, default=0.8
        Rows with ``phi(y) >= relevance_threshold`` are rare (Branco et al. 2017).
    extremes : {'both', 'high', 'low'}, default='both'
        Which tail the automatic relevance marks.
    coef : float, default=1.5
        Box-plot whisker length (IQRs).
    sampling_strategy : {'balance', 'extreme'}, default='balance'
        The authors' two ways to size the regions (module docstring).
    under_sampling : bool, default=True
        Under-sample the normal regions (False: only add synthetic rare rows).
    k_neighbors : int, default=5
    random_state : int, Generator, RandomState or None

    Attributes
    ----------
    relevance_, control_points_, regions_, sampling_strategy_, n_synthetic_, n_features_in_

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2)); y = np.exp(X[:, 0] + 0.1 * rng.normal(size=300))
    >>> X_res, y_res = SMOTER(random_state=0).fit_resample(X, y)
    >>> bool(X_res.shape[0] == len(y_res)), bool(SMOTER(random_state=0).fit_resample(X, y)[1].sum() == y_res.sum())
    (True, True)
    """

    _parameter_constraints = {
        **_COMMON,
        "k_neighbors": [Interval(int, 1, None, closed="left")],
        "under_sampling": ["boolean"],
    }

    def __init__(
        self,
        *,
        relevance: Any = "auto",
        relevance_threshold: float = 0.8,
        extremes: str = "both",
        coef: float = 1.5,
        sampling_strategy: str = "balance",
        under_sampling: bool = True,
        k_neighbors: int = 5,
        random_state: Any = None,
    ) -> None:
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.extremes = extremes
        self.coef = coef
        self.sampling_strategy = sampling_strategy
        self.under_sampling = under_sampling
        self.k_neighbors = k_neighbors
        self.random_state = random_state


@RESAMPLERS.register("smogn")
class SMOGN(_SyntheticRegression):
    """SMOTER with Gaussian noise for unsafe neighbours (Branco et al. 2017).

    Parameters
    ----------
    relevance, relevance_threshold, extremes, coef, sampling_strategy, under_sampling, k_neighbors, random_state
        As in :class:`SMOTER`.
    perturbation : float, default=0.02
        Noise scale :math:`\\delta` (in standard deviations of each column), capped at maxD.

    Attributes
    ----------
    relevance_, control_points_, regions_, sampling_strategy_, n_synthetic_, n_noise_ (rows made by noise)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2)); y = np.exp(X[:, 0] + 0.1 * rng.normal(size=300))
    >>> smogn = SMOGN(random_state=0)
    >>> X_res, y_res = smogn.fit_resample(X, y)
    >>> smogn.n_synthetic_ > 0
    True
    """

    _gaussian = True
    _parameter_constraints = {
        **SMOTER._parameter_constraints,
        "perturbation": [Interval(float, 0, 1, closed="right")],
    }

    def __init__(
        self,
        *,
        relevance: Any = "auto",
        relevance_threshold: float = 0.8,
        extremes: str = "both",
        coef: float = 1.5,
        sampling_strategy: str = "balance",
        under_sampling: bool = True,
        k_neighbors: int = 5,
        perturbation: float = 0.02,
        random_state: Any = None,
    ) -> None:
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.extremes = extremes
        self.coef = coef
        self.sampling_strategy = sampling_strategy
        self.under_sampling = under_sampling
        self.k_neighbors = k_neighbors
        self.perturbation = perturbation
        self.random_state = random_state

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        self.n_noise_ = 0
        return super()._fit_resample(X, y, rng=rng)


class _RandomRegression(_RelevanceResampler):
    _needs_numeric_X = False

    def __init__(
        self,
        *,
        relevance: Any = "auto",
        relevance_threshold: float = 0.8,
        extremes: str = "both",
        coef: float = 1.5,
        sampling_strategy: str = "balance",
        random_state: Any = None,
    ) -> None:
        self.relevance = relevance
        self.relevance_threshold = relevance_threshold
        self.extremes = extremes
        self.coef = coef
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    def _fit_resample(self, X: Any, y: np.ndarray, *, rng: np.random.Generator) -> Resampled:
        keep = self._kept_rows(rng)
        extra = [
            rng.choice(g, size=self.sampling_strategy_[r] - len(g), replace=True)
            for r, g in enumerate(self._groups)
            if self.sampling_strategy_[r] > len(g)
        ]
        indices = np.concatenate([keep, *extra]).astype(np.int64) if extra else keep
        return Resampled(indices=indices)


@RESAMPLERS.register("random-over-regression")
class RandomOverSamplerRegression(_RandomRegression):
    """Random over-sampling of the rare regions of a continuous target (duplicates, originals kept).

    Each rare region grows to its target count (module docstring) by rows drawn with
    replacement from it; normal regions are untouched. Parameters as in :class:`SMOTER`
    (no ``k_neighbors``, ``under_sampling``).

    Parameters
    ----------
    relevance, relevance_threshold, extremes, coef, sampling_strategy, random_state
        As in :class:`SMOTER`.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.random.default_rng(0).normal(size=95), [8.0, 9.0, 10.0, 11.0, 12.0]]
    >>> X = y.reshape(-1, 1)
    >>> sampler = RandomOverSamplerRegression(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> bool((y_res >= 8).sum() > 5)
    True
    """

    _sampling_type = "over-sampling"
    _under = False
    _parameter_constraints = dict(_COMMON)


@RESAMPLERS.register("random-under-regression")
class RandomUnderSamplerRegression(_RandomRegression):
    """Random under-sampling of the normal regions of a continuous target (rare rows all kept).

    Parameters
    ----------
    relevance, relevance_threshold, extremes, coef, sampling_strategy, random_state
        As in :class:`SMOTER`.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.random.default_rng(0).normal(size=95), [8.0, 9.0, 10.0, 11.0, 12.0]]
    >>> X_res, y_res = RandomUnderSamplerRegression(random_state=0).fit_resample(y.reshape(-1, 1), y)
    >>> bool(len(y_res) < 100 and (y_res >= 8).sum() == 5)
    True
    """

    _sampling_type = "under-sampling"
    _over = False
    _parameter_constraints = dict(_COMMON)
