"""Reliability diagrams (matplotlib), usable on their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._types import ArrayLike

__all__ = ["reliability_diagram"]


def reliability_diagram(
    y_true: ArrayLike | Mapping[str, tuple[ArrayLike, ArrayLike]],
    proba: ArrayLike | None = None,
    *,
    n_bins: int = 15,
    ax: Any = None,
    label: str | None = None,
    labels: ArrayLike | None = None,
) -> Any:
    """Plot accuracy against confidence per bin (Guo et al. 2017), with the ECE in the legend.

    The top-label confidence :math:`\\max_c p_c` of each row is binned into ``n_bins``
    equal-width bins of [0, 1] (:func:`equipoise.metrics.calibration_bins`); each bin's marker
    sits at (mean confidence, accuracy), sized by its share of rows; the diagonal is perfect
    calibration.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,), or a mapping ``{name: (y_true, proba)}``
        True labels; a mapping draws one curve per entry on the same axes.
    proba : array-like of shape (n_samples, n_classes) or (n_samples,) for two classes
    n_bins : int, default=15
    ax : matplotlib Axes, optional
        A new figure's axes when None.
    label : str, optional
        Legend text of the single curve.
    labels : array-like, optional
        The class labels of the columns (sorted order by default).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..metrics import calibration_bins, expected_calibration_error

    curves = dict(y_true) if isinstance(y_true, Mapping) else {label or "model": (y_true, proba)}
    if ax is None:
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - matplotlib is an extra
            from .._extras import missing_dependency

            raise missing_dependency("matplotlib", "reliability_diagram", cause=exc) from None
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.6", linewidth=1, label="perfect calibration")
    for name, (yt, p) in curves.items():
        bins = calibration_bins(yt, p, n_bins=n_bins, labels=labels)
        ece = expected_calibration_error(yt, p, n_bins=n_bins, labels=labels)
        keep = bins["count"] > 0
        share = bins["count"][keep] / bins["count"].sum()
        (line,) = ax.plot(
            bins["confidence"][keep],
            bins["accuracy"][keep],
            marker=None,
            linewidth=1.2,
            label=f"{name} (ECE {ece:.3f})",
        )
        ax.scatter(
            bins["confidence"][keep],
            bins["accuracy"][keep],
            s=20 + 200 * share,
            color=line.get_color(),
            zorder=3,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (top-label probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(f"reliability diagram ({n_bins} equal-width bins)")
    ax.legend(loc="upper left", fontsize="small")
    ax.set_aspect("equal")
    return ax
