"""Measure a continuous (regression) target: binned density, rare ranges, many/medium/few-shot bins.

The classification :class:`equipoise.profile.ClassProfile` counts classes; a continuous target
has no classes, so :class:`TargetProfile` counts the rows in equal-width bins of the target and
applies the same many/medium/few split to the bins, as Yang et al. (2021) do for imbalanced
regression: a bin with more than ``many`` training rows is many-shot, fewer than ``few``
few-shot, the rest medium-shot (their defaults: 100 and 20).

:func:`target_bins` and :meth:`TargetProfile.shot_of` are the one binning rule the weights, the
regression metrics and ``compare``'s folds share.

References
----------
.. [1] Y. Yang, K. Zha, Y.-C. Chen, H. Wang and D. Katabi, "Delving into Deep Imbalanced
   Regression", ICML 2021.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validation import Interval, check_continuous_target, validate_params
from .exceptions import InvalidParameterError

__all__ = ["TargetProfile", "continuous_profile", "target_bins", "assign_bins"]

DEFAULT_BINS = 20
"""Default number of equal-width bins of a continuous target."""
DEFAULT_RARE_BELOW = 0.25
"""Default rare-range threshold: a bin holding less than a quarter of the uniform share."""


def target_bins(
    y: Any, *, bins: int = DEFAULT_BINS, bin_width: float | None = None, owner: str = "target_bins"
) -> np.ndarray:
    """Edges of equal-width bins that cover ``y``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous target.
    bins : int, default=20
        Number of equal-width bins over ``[min(y), max(y)]`` (ignored when ``bin_width`` is given).
    bin_width : float, optional
        Width of each bin; the edges start at ``min(y)`` and the last edge reaches ``max(y)``.
        Yang et al. use width 1 for ages (AgeDB, IMDB-WIKI).
    owner : str
        Name used in messages.

    Returns
    -------
    numpy.ndarray of float64
        ``n_bins + 1`` increasing edges; bin ``b`` is ``[edges[b], edges[b+1])``, the last one closed.
    """
    values = check_continuous_target(y, owner=owner, min_samples=1)
    validate_params(owner, {"bins": bins}, {"bins": [Interval(int, 1, None, closed="left")]})
    low, high = float(values.min()), float(values.max())
    if bin_width is not None:
        if (
            isinstance(bin_width, bool)
            or not isinstance(bin_width, (int, float))
            or not np.isfinite(bin_width)
            or bin_width <= 0
        ):
            raise InvalidParameterError(
                f"The 'bin_width' parameter of {owner} must be a positive finite number or None; got {bin_width!r}."
            )
        n_bins = max(1, int(np.ceil((high - low) / bin_width)))
        if low + n_bins * bin_width <= high:  # max(y) must fall inside the last, closed bin
            n_bins += 1
        if n_bins > 100_000:
            raise InvalidParameterError(
                f"The 'bin_width' parameter of {owner} makes {n_bins} bins over [{low:g}, {high:g}]; "
                "use a wider bin (at most 100,000 bins)."
            )
        return low + bin_width * np.arange(n_bins + 1, dtype=np.float64)
    if high == low:
        return np.array([low - 0.5, low + 0.5])
    return np.linspace(low, high, bins + 1)


def assign_bins(values: Any, edges: np.ndarray) -> np.ndarray:
    """Bin index of each value (int64); values outside ``[edges[0], edges[-1]]`` get -1."""
    v = np.asarray(values, dtype=np.float64)
    idx = np.searchsorted(edges, v, side="right") - 1
    idx[v == edges[-1]] = len(edges) - 2  # the last bin is closed
    idx[(v < edges[0]) | (v > edges[-1])] = -1
    return idx.astype(np.int64)


@dataclass(frozen=True)
class TargetProfile:
    """Binned density of a continuous target and what it implies.

    Attributes
    ----------
    edges : numpy.ndarray
        Bin edges (``n_bins + 1``), equal width.
    counts : numpy.ndarray of int64
        Rows per bin.
    many, few : int
        Shot thresholds: many-shot bins have more than ``many`` rows, few-shot fewer than ``few``
        (Yang et al. 2021: 100 and 20).
    rare_below : float
        A bin is rare when its relative density, ``count / (n / n_bins)``, is below this.
    warnings : list of str
    """

    edges: np.ndarray
    counts: np.ndarray
    many: int = 100
    few: int = 20
    rare_below: float = DEFAULT_RARE_BELOW
    warnings: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return int(self.counts.sum())

    @property
    def n_bins(self) -> int:
        return len(self.counts)

    @property
    def bin_width(self) -> float:
        return float(self.edges[1] - self.edges[0])

    @property
    def density(self) -> np.ndarray:
        """Histogram density: ``count / (n * width)`` (integrates to 1)."""
        return self.counts / (self.n_samples * self.bin_width)

    @property
    def relative_density(self) -> np.ndarray:
        """``count / (n / n_bins)``: 1 for a uniform target, below ``rare_below`` for a rare bin."""
        return self.counts / (self.n_samples / self.n_bins)

    @property
    def rare(self) -> np.ndarray:
        """Boolean mask of the rare bins."""
        return self.relative_density < self.rare_below

    @property
    def rare_ranges(self) -> list[tuple[float, float]]:
        """Contiguous rare bins merged into ``(low, high)`` target ranges."""
        out: list[tuple[float, float]] = []
        start = None
        for b, is_rare in enumerate(self.rare):
            if is_rare and start is None:
                start = b
            if not is_rare and start is not None:
                out.append((float(self.edges[start]), float(self.edges[b])))
                start = None
        if start is not None:
            out.append((float(self.edges[start]), float(self.edges[-1])))
        return out

    @property
    def imbalance_ratio(self) -> float:
        """Largest bin count divided by the smallest non-empty one."""
        filled = self.counts[self.counts > 0]
        return float(filled.max() / filled.min())

    @property
    def shots(self) -> np.ndarray:
        """``'many'``, ``'medium'`` or ``'few'`` per bin."""
        return np.where(
            self.counts > self.many, "many", np.where(self.counts < self.few, "few", "medium")
        )

    def many_medium_few(
        self, many: int | None = None, few: int | None = None
    ) -> dict[str, list[int]]:
        """Bin indices per shot group (``{"many": [...], "medium": [...], "few": [...]}``)."""
        many = self.many if many is None else many
        few = self.few if few is None else few
        groups: dict[str, list[int]] = {"many": [], "medium": [], "few": []}
        for b, n in enumerate(self.counts):
            groups["many" if n > many else "few" if n < few else "medium"].append(b)
        return groups

    def shot_of(self, values: Any) -> np.ndarray:
        """Shot group of each target value by the density of its training bin.

        Values outside the profiled range have no training rows in their bin: ``'few'``.
        """
        idx = assign_bins(values, self.edges)
        shots = self.shots
        return np.where(idx >= 0, shots[np.clip(idx, 0, None)], "few")

    def to_frame(self) -> pd.DataFrame:
        """One row per bin: ``low, high, count, density, relative_density, shot, rare``."""
        return pd.DataFrame(
            {
                "low": self.edges[:-1],
                "high": self.edges[1:],
                "count": self.counts,
                "density": self.density,
                "relative_density": self.relative_density,
                "shot": self.shots,
                "rare": self.rare,
            },
            index=pd.RangeIndex(self.n_bins, name="bin"),
        )

    def __str__(self) -> str:
        groups = self.many_medium_few()
        lines = [
            f"{self.n_samples} samples, continuous target in [{self.edges[0]:.4g}, {self.edges[-1]:.4g}], "
            f"{self.n_bins} bins of width {self.bin_width:.4g}; bins many/medium/few-shot "
            f"(> {self.many} / {self.few}..{self.many} / < {self.few} rows): "
            f"{len(groups['many'])}/{len(groups['medium'])}/{len(groups['few'])}"
        ]
        biggest = max(int(self.counts.max()), 1)
        for b in range(self.n_bins):
            n = int(self.counts[b])
            bar = "#" * (round(30 * n / biggest) if n else 0)
            flag = "  rare" if self.rare[b] else ""
            lines.append(
                f"  [{self.edges[b]:>10.4g}, {self.edges[b + 1]:>10.4g})  {n:>8}  {self.shots[b]:<6}  {bar}{flag}"
            )
        if self.rare_ranges:
            ranges = ", ".join(f"[{lo:.4g}, {hi:.4g}]" for lo, hi in self.rare_ranges)
            lines.append(f"rare ranges (relative density < {self.rare_below:g}): {ranges}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def continuous_profile(
    y: Any,
    *,
    bins: int = DEFAULT_BINS,
    bin_width: float | None = None,
    many: int = 100,
    few: int = 20,
    rare_below: float = DEFAULT_RARE_BELOW,
) -> TargetProfile:
    """Profile a continuous target (what :func:`equipoise.profile.profile` calls for one).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    bins : int, default=20
        Number of equal-width bins (ignored when ``bin_width`` is given).
    bin_width : float, optional
        Width of the bins instead of their number.
    many, few : int, default=100, 20
        Shot thresholds in rows per bin (Yang et al. 2021).
    rare_below : float, default=0.25
        A bin is rare when it holds fewer than ``rare_below * n / n_bins`` rows.

    Returns
    -------
    TargetProfile
    """
    owner = "profile"
    validate_params(
        owner,
        {"many": many, "few": few, "rare_below": rare_below},
        {
            "many": [Interval(int, 0, None, closed="left")],
            "few": [Interval(int, 0, None, closed="left")],
            "rare_below": [Interval(float, 0, None, closed="neither")],
        },
    )
    if few > many + 1:
        raise InvalidParameterError(
            f"The 'few' parameter of {owner} must be at most many + 1 (few-shot bins have fewer than "
            f"'few' rows, many-shot more than 'many'); got few={few}, many={many}."
        )
    values = check_continuous_target(y, owner=owner)
    edges = target_bins(values, bins=bins, bin_width=bin_width, owner=owner)
    counts = np.bincount(assign_bins(values, edges), minlength=len(edges) - 1).astype(np.int64)
    prof = TargetProfile(
        edges=edges, counts=counts, many=many, few=few, rare_below=float(rare_below)
    )
    return TargetProfile(
        edges=edges,
        counts=counts,
        many=many,
        few=few,
        rare_below=float(rare_below),
        warnings=_warnings(prof),
    )


def _warnings(p: TargetProfile) -> list[str]:
    out: list[str] = []
    empty = int(np.sum(p.counts == 0))
    if empty:
        out.append(
            f"{empty} of {p.n_bins} bins are empty: a model sees no example of those target values."
        )
    rare_rows = int(p.counts[p.rare].sum())
    if p.rare.any():
        out.append(
            f"{rare_rows} rows ({rare_rows / p.n_samples:.1%}) lie in rare ranges: mean errors hide how the model "
            "does there; judge with the few-shot MAE (equipoise.metrics.regression_report)."
        )
    groups = p.many_medium_few()
    if len(groups["few"]) == p.n_bins:
        out.append(
            f"every bin is few-shot (< {p.few} rows): use wider bins (bins= or bin_width=) for a meaningful split."
        )
    return out
