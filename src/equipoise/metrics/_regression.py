"""Metrics for imbalanced regression: MAE, RMSE, geometric mean of errors, split by training density.

Yang et al. (2021) report, beside the overall errors, each metric on the test rows whose
target falls in a many-shot (> 100 training rows), medium-shot or few-shot (< 20 training
rows) bin of the *training* target; :func:`regression_report` does the same with the bins of
:func:`equipoise._target_profile.target_bins` and puts a percentile-bootstrap interval
(:func:`equipoise.metrics.bootstrap_ci`, rows resampled within each group) around every number.

- MAE :math:`= \\frac1n \\sum |e_i|`, RMSE :math:`= \\sqrt{\\frac1n \\sum e_i^2}`,
- GM (geometric mean of the absolute errors) :math:`= \\exp(\\frac1n \\sum \\log |e_i|)`, 0 when
  some error is exactly 0 (Yang et al.'s ``gmean`` of the L1 errors).

References
----------
.. [1] Y. Yang, K. Zha, Y.-C. Chen, H. Wang and D. Katabi, "Delving into Deep Imbalanced
   Regression", ICML 2021.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._target_profile import DEFAULT_BINS, TargetProfile, continuous_profile
from .._validation import check_continuous_target, check_random_state
from ..exceptions import InvalidInputError
from ._report import ConfidenceInterval, bootstrap_ci

__all__ = [
    "mean_absolute_error",
    "root_mean_squared_error",
    "geometric_mean_absolute_error",
    "RegressionReport",
    "regression_report",
    "error_by_range_plot",
    "REGRESSION_METRICS",
]


def _pair(y_true: Any, y_pred: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    yt = check_continuous_target(y_true, owner=owner, min_samples=1)
    yp = check_continuous_target(y_pred, owner=owner, min_samples=1)
    if yt.shape != yp.shape:
        raise InvalidInputError(
            f"y_true and y_pred passed to {owner} have different lengths ({len(yt)} and {len(yp)})."
        )
    return yt, yp


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """:math:`\\frac1n \\sum_i |y_i - \\hat y_i|` (scikit-learn's ``mean_absolute_error``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)

    Returns
    -------
    float
    """
    yt, yp = _pair(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(yt - yp)))


def root_mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """:math:`\\sqrt{\\frac1n \\sum_i (y_i - \\hat y_i)^2}`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)

    Returns
    -------
    float
    """
    yt, yp = _pair(y_true, y_pred, "root_mean_squared_error")
    return float(np.sqrt(np.mean((yt - yp) ** 2)))


def geometric_mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """:math:`\\exp(\\frac1n \\sum_i \\log |y_i - \\hat y_i|)`; 0 when an error is exactly 0.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)

    Returns
    -------
    float

    Examples
    --------
    >>> round(geometric_mean_absolute_error([0.0, 0.0], [1.0, 4.0]), 6)
    2.0
    """
    yt, yp = _pair(y_true, y_pred, "geometric_mean_absolute_error")
    err = np.abs(yt - yp)
    if np.any(err == 0):
        return 0.0
    return float(np.exp(np.mean(np.log(err))))


REGRESSION_METRICS = {
    "mae": mean_absolute_error,
    "rmse": root_mean_squared_error,
    "gmean_ae": geometric_mean_absolute_error,
}
"""The regression metrics by short name (all lower is better)."""

GROUPS = ("all", "many", "medium", "few")


@dataclass
class RegressionReport:
    """Errors overall and per shot group, with bootstrap intervals.

    Attributes
    ----------
    summary : dict
        ``{"mae": ..., "rmse": ..., "gmean_ae": ..., "mae_many": ..., "mae_few": ..., ...}``
        (NaN for a group without test rows).
    intervals : dict
        The same keys, each a :class:`ConfidenceInterval` ``(estimate, low, high)``.
    by_shot : pandas.DataFrame
        One row per group (``all, many, medium, few``): ``n`` and each metric.
    profile : TargetProfile
        The training-target bins the groups come from.
    """

    summary: dict[str, float]
    intervals: dict[str, ConfidenceInterval]
    by_shot: pd.DataFrame
    profile: TargetProfile
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{'group':<8}{'n':>7}" + "".join(f"{m:>26}" for m in REGRESSION_METRICS)]
        for group in GROUPS:
            key = "" if group == "all" else f"_{group}"
            cells = []
            for metric in REGRESSION_METRICS:
                ci = self.intervals[f"{metric}{key}"]
                cells.append(f"{ci.estimate:>10.4g} [{ci.low:.4g}, {ci.high:.4g}]".rjust(26))
            lines.append(f"{group:<8}{int(self.by_shot.loc[group, 'n']):>7}" + "".join(cells))
        return "\n".join(lines)


def regression_report(
    y_true: Any,
    y_pred: Any,
    *,
    y_train: Any = None,
    bins: int = DEFAULT_BINS,
    bin_width: float | None = None,
    many: int = 100,
    few: int = 20,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: Any = None,
) -> RegressionReport:
    """MAE, RMSE and GM overall and on many/medium/few-shot test rows, with bootstrap intervals.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Test targets and predictions.
    y_train : array-like, optional
        The training targets whose bin counts define the shot groups (Yang et al. 2021). Without
        it the test targets are binned (say so in a paper).
    bins, bin_width, many, few
        As in :func:`equipoise.profile.profile` for a continuous target.
    n_resamples, confidence, random_state
        As in :func:`equipoise.metrics.bootstrap_ci` (not stratified; resampled within each group).

    Returns
    -------
    RegressionReport

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y_train = rng.exponential(size=2000); y = rng.exponential(size=500)
    >>> report = regression_report(y, y + rng.normal(size=500) * (1 + y), y_train=y_train, n_resamples=100, random_state=0)
    >>> report.summary["mae_few"] > report.summary["mae_many"]
    True
    """
    owner = "regression_report"
    yt, yp = _pair(y_true, y_pred, owner)
    train = yt if y_train is None else check_continuous_target(y_train, owner=owner)
    prof = continuous_profile(train, bins=bins, bin_width=bin_width, many=many, few=few)
    shots = prof.shot_of(yt)
    summary: dict[str, float] = {}
    intervals: dict[str, ConfidenceInterval] = {}
    rows = []
    rng = check_random_state(random_state)
    for group in GROUPS:
        mask = np.ones(len(yt), bool) if group == "all" else shots == group
        key = "" if group == "all" else f"_{group}"
        row: dict[str, float] = {"n": int(mask.sum())}
        for name, func in REGRESSION_METRICS.items():
            if mask.sum() == 0:
                ci = ConfidenceInterval(math.nan, math.nan, math.nan)
            else:
                ci = bootstrap_ci(
                    func,
                    yt[mask],
                    yp[mask],
                    n_resamples=n_resamples,
                    confidence=confidence,
                    random_state=rng,
                    stratified=False,
                )
            intervals[f"{name}{key}"] = ci
            summary[f"{name}{key}"] = ci.estimate
            row[name] = ci.estimate
        rows.append(row)
    by_shot = pd.DataFrame(rows, index=pd.Index(list(GROUPS), name="group"))
    notes = [] if y_train is not None else ["shot groups from the test targets (no y_train given)"]
    return RegressionReport(
        summary=summary, intervals=intervals, by_shot=by_shot, profile=prof, notes=notes
    )


def error_by_range_plot(
    y_true: Any,
    y_pred: Any | dict[str, Any],
    *,
    y_train: Any = None,
    bins: int = DEFAULT_BINS,
    bin_width: float | None = None,
    ax: Any = None,
    label: str | None = None,
) -> Any:
    """Plot the MAE per target bin (lines) over the training count per bin (grey bars).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_pred : array-like of shape (n_samples,), or ``{name: y_pred}`` for several models
    y_train : array-like, optional
        Training targets (bins and bar heights); the test targets when None.
    bins, bin_width
        As in :func:`regression_report`.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend text of a single model.

    Returns
    -------
    matplotlib Axes
    """
    preds = dict(y_pred) if isinstance(y_pred, dict) else {label or "model": y_pred}
    yt = check_continuous_target(y_true, owner="error_by_range_plot", min_samples=1)
    train = yt if y_train is None else check_continuous_target(y_train, owner="error_by_range_plot")
    prof = continuous_profile(train, bins=bins, bin_width=bin_width)
    if ax is None:
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - matplotlib is an extra
            raise ImportError(
                "error_by_range_plot needs matplotlib (pip install matplotlib)."
            ) from exc
        _, ax = plt.subplots(figsize=(6.5, 4.0))
    centres = (prof.edges[:-1] + prof.edges[1:]) / 2
    counts_ax = ax.twinx()
    counts_ax.bar(centres, prof.counts, width=prof.bin_width * 0.9, color="0.85", zorder=0)
    counts_ax.set_ylabel("training rows per bin")
    ax.set_zorder(counts_ax.get_zorder() + 1)
    ax.patch.set_visible(False)
    from .._target_profile import assign_bins

    idx = assign_bins(np.clip(yt, prof.edges[0], prof.edges[-1]), prof.edges)
    for name, pred in preds.items():
        _, yp = _pair(yt, pred, "error_by_range_plot")
        err = np.abs(yt - yp)
        mae = np.array(
            [err[idx == b].mean() if np.any(idx == b) else np.nan for b in range(prof.n_bins)]
        )
        ax.plot(
            centres,
            mae,
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=f"{name} (MAE {err.mean():.3g})",
        )
    ax.set_xlabel("target")
    ax.set_ylabel("mean absolute error")
    ax.set_title(f"error by target range ({prof.n_bins} bins of width {prof.bin_width:.3g})")
    ax.legend(loc="upper left", fontsize="small")
    return ax
