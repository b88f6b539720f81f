"""Figures for the comparison report, rendered to base64 PNG data URIs.

Every figure is a bare :class:`matplotlib.figure.Figure` drawn on the Agg canvas: nothing is
registered with ``pyplot``, so rendering a report never leaves open figures behind, never
touches the user's interactive backend, and is safe in threads. A fixed style (matplotlib's
``"default"`` plus :data:`STYLE`) is applied around each figure, so a user's rcParams do not
change the report. PNG metadata is stripped so the same inputs give the same bytes.

The inputs are plain Python/numpy values already prepared by :mod:`equipoise.compare.report`;
this module only draws. Text that comes from users (recipe names, class labels) goes through
:func:`mpl_text`, which neutralises matplotlib's ``$...$`` mathtext and shortens long names.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib.style
import numpy as np
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "STYLE",
    "PRCurve",
    "mpl_text",
    "class_distribution_chart",
    "metric_bar_chart",
    "pr_curve_chart",
    "confusion_matrix_chart",
]

PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#8C6D31",
    "#000000",
)
"""Okabe-Ito colour-blind-safe colours (yellow swapped for brown, which reads on white)."""

STYLE: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#d0d7de",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.usetex": False,
}
"""The rcParams every report figure is drawn with (on top of matplotlib's defaults)."""

MAX_LABEL_CHARS = 28
"""Longest recipe or class name drawn on a figure; longer ones end with an ellipsis."""

MAX_SERIES = 8
"""Most distributions drawn on the class-distribution chart (the table lists all)."""

_DPI = 110


def mpl_text(value: object, max_chars: int = MAX_LABEL_CHARS) -> str:
    """Make a user string safe to draw: no mathtext, bounded length.

    Parameters
    ----------
    value : object
        A recipe name, class label or title; converted with ``str``.
    max_chars : int, default=MAX_LABEL_CHARS
        Longer strings are cut and end with an ellipsis.

    Returns
    -------
    str
        The text with every ``$`` escaped (matplotlib would otherwise parse ``$x$`` as math and
        can raise on malformed input).

    Examples
    --------
    >>> mpl_text("cost $5")
    'cost \\\\$5'
    >>> mpl_text("a" * 40, max_chars=10)
    'aaaaaaaaa…'
    """
    text = str(value)
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text.replace("$", r"\$")


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    """A styled, pyplot-free figure; the caller renders it with :func:`_to_data_uri`."""
    with matplotlib.style.context(["default", STYLE]):
        fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
        FigureCanvasAgg(fig)
        yield fig


def _to_data_uri(fig: Figure) -> str:
    """PNG bytes of ``fig`` as a ``data:image/png;base64,...`` URI; clears the figure after."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    finally:
        fig.clear()
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _rotate_ticks(n: int, names: Sequence[str]) -> bool:
    """Slant x tick labels when they would collide: many classes, or several long names."""
    longest = max((len(name) for name in names), default=0)
    return n > 12 or (n > 4 and longest > 3) or longest > 8


def _use_log_scale(values: np.ndarray) -> bool:
    positive = values[values > 0]
    return positive.size > 0 and positive.max() / positive.min() > 50


def class_distribution_chart(
    classes: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]
) -> str:
    """Class counts before and after each resampler.

    Parameters
    ----------
    classes : sequence of str
        Class labels, in display order.
    series : sequence of (name, counts)
        One distribution per entry, the original training counts first; ``counts[j]`` is the
        count of ``classes[j]``. At most :data:`MAX_SERIES` are drawn.

    Returns
    -------
    str
        A PNG data URI. Up to 15 classes give grouped bars; more give one line per distribution
        over the classes in the order given (sorted by original count, a long-tail curve). The
        y axis is logarithmic when counts span more than a factor 50.
    """
    series = list(series)[:MAX_SERIES]
    n_classes = len(classes)
    values = np.array([np.asarray(c, dtype=float) for _, c in series])
    grouped = n_classes <= 15
    width = min(12.0, max(6.5, 0.28 * n_classes * (len(series) if grouped else 0.5) + 3))
    with _figure(width, 3.8) as fig:
        ax = fig.add_subplot()
        positions = np.arange(n_classes)
        if grouped:
            bar_width = 0.8 / len(series)
            for i, (name, _) in enumerate(series):
                offset = (i - (len(series) - 1) / 2) * bar_width
                ax.bar(positions + offset, values[i], width=bar_width, label=mpl_text(name, 40))
        else:
            for i, (name, _) in enumerate(series):
                ax.plot(positions, values[i], marker="o", markersize=3, label=mpl_text(name, 40))
        ax.set_xticks(positions)
        rotate = _rotate_ticks(n_classes, [str(c) for c in classes])
        fontsize = 8 if n_classes <= 30 else 6
        ax.set_xticklabels(
            [mpl_text(c, 16) for c in classes],
            rotation=60 if rotate else 0,
            ha="right" if rotate else "center",
            fontsize=fontsize,
        )
        if _use_log_scale(values):
            ax.set_yscale("log")
            ax.set_ylabel("training samples (log scale)")
        else:
            ax.set_ylabel("training samples")
        ax.set_xlabel("class")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _to_data_uri(fig)


def metric_bar_chart(
    names: Sequence[str],
    means: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    metric_label: str,
    baseline_mean: float | None,
    highlight: Sequence[bool],
    fold_values: Sequence[Sequence[float]] | None = None,
) -> str:
    """Horizontal bars of the primary metric per recipe with 95% CI whiskers.

    Parameters
    ----------
    names, means, lows, highs : sequences of equal length
        Recipes from best (top) to worst, their mean and interval bounds; NaN bars are left
        empty and labelled "n/a".
    metric_label : str
        Axis label.
    baseline_mean : float or None
        Drawn as a dashed vertical line when finite.
    highlight : sequence of bool
        Bars drawn in the accent colour (the baseline is drawn grey, the rest blue).
    fold_values : sequence of sequences of float, optional
        Per-fold (and per-seed) scores drawn as small dots on each bar.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(names)
    mean = np.asarray(means, dtype=float)
    low = np.asarray(lows, dtype=float)
    high = np.asarray(highs, dtype=float)
    y = np.arange(n)[::-1]
    colours = [PALETTE[1] if h else PALETTE[0] for h in highlight]
    with _figure(8.0, max(2.2, 0.36 * n + 1.1)) as fig:
        ax = fig.add_subplot()
        bar_values = np.nan_to_num(mean, nan=0.0)
        ax.barh(y, bar_values, color=colours, height=0.62, alpha=0.9)
        lower = np.where(np.isfinite(low), mean - low, 0.0)
        upper = np.where(np.isfinite(high), high - mean, 0.0)
        finite = np.isfinite(mean)
        ax.errorbar(
            mean[finite],
            y[finite],
            xerr=np.vstack([lower[finite], upper[finite]]).clip(min=0),
            fmt="none",
            ecolor="#24292f",
            capsize=3,
            linewidth=1,
        )
        if fold_values is not None:
            for yi, vals in zip(y, fold_values):
                vals = np.asarray(vals, dtype=float)
                vals = vals[np.isfinite(vals)]
                if vals.size:
                    ax.scatter(vals, np.full(vals.size, yi), s=9, color="#24292f", alpha=0.55, zorder=3)
        for yi, m in zip(y, mean):
            if not np.isfinite(m):
                ax.text(0.01, yi, "n/a", va="center", fontsize=8)
        if baseline_mean is not None and np.isfinite(baseline_mean):
            ax.axvline(baseline_mean, color="#57606a", linestyle="--", linewidth=1.2, label="baseline mean")
            ax.legend(loc="lower right")
        ax.set_yticks(y)
        ax.set_yticklabels([mpl_text(name) for name in names], fontsize=8.5 if n <= 15 else 7.5)
        ax.set_xlabel(f"{mpl_text(metric_label, 40)} (mean, 95% CI)")
        ax.grid(axis="y", visible=False)
        candidates = np.concatenate([low[np.isfinite(low)], mean[finite]])
        if candidates.size and candidates.min() >= 0 and np.nanmax(np.append(high, mean)) <= 1.0:
            lo = max(0.0, float(candidates.min()) - 0.1)
            ax.set_xlim(lo, 1.0)
        return _to_data_uri(fig)


@dataclass(frozen=True)
class PRCurve:
    """One precision-recall curve to draw.

    Attributes
    ----------
    name : str
        Recipe name (legend entry).
    recall, precision : numpy.ndarray
        Curve points, as returned by :func:`sklearn.metrics.precision_recall_curve` (or a
        macro average of such curves on a recall grid).
    average_precision : float
        Area summary shown in the legend.
    is_baseline : bool
        Drawn dashed and grey.
    interpolated : bool
        The points are on a recall grid (drawn as a line) rather than the raw step curve.
    """

    name: str
    recall: np.ndarray
    precision: np.ndarray
    average_precision: float
    is_baseline: bool = False
    interpolated: bool = False


def pr_curve_chart(curves: Sequence[PRCurve], *, prevalence: float | None, title: str) -> str:
    """Precision-recall curves of several recipes on one axes.

    Parameters
    ----------
    curves : sequence of PRCurve
        The recipes to draw.
    prevalence : float or None
        Share of the positive class: a random scorer's precision, drawn as a dotted line.
    title : str
        Axes title (already safe for matplotlib).

    Returns
    -------
    str
        A PNG data URI.
    """
    with _figure(6.4, 4.4) as fig:
        ax = fig.add_subplot()
        colour_index = 0
        for curve in curves:
            if curve.is_baseline:
                colour, style = "#57606a", "--"
            else:
                colour, style = PALETTE[colour_index % len(PALETTE)], "-"
                colour_index += 1
            ap = "n/a" if not np.isfinite(curve.average_precision) else f"{curve.average_precision:.3f}"
            ax.plot(
                curve.recall,
                curve.precision,
                drawstyle="default" if curve.interpolated else "steps-post",
                color=colour,
                linestyle=style,
                linewidth=1.6,
                label=f"{mpl_text(curve.name)} (AP {ap})",
            )
        if prevalence is not None and np.isfinite(prevalence):
            ax.axhline(prevalence, color="#8c959f", linestyle=":", linewidth=1, label=f"random ({prevalence:.3f})")
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.02)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title(title)
        ax.legend(loc="lower left")
        return _to_data_uri(fig)


def confusion_matrix_chart(matrix: np.ndarray, labels: Sequence[str]) -> str:
    """A confusion matrix normalised by true class, as a heat map.

    Parameters
    ----------
    matrix : numpy.ndarray of shape (n_classes, n_classes)
        Row ``i``, column ``j``: share of true class ``i`` predicted as ``j`` (rows sum to 1).
    labels : sequence of str
        Class labels.

    Returns
    -------
    str
        A PNG data URI (the recipe's name goes in the HTML caption). Cells are annotated with
        percentages up to 12 classes; above 25 classes only every k-th tick label is shown.
    """
    n = len(labels)
    size = min(7.5, max(3.4, 0.3 * n + 2.2))
    text_size = 12 if n <= 4 else 9.5 if n <= 8 else 7
    tick_size = 10 if n <= 8 else 8 if n <= 20 else 6.5
    with _figure(size + 0.9, size) as fig:
        ax = fig.add_subplot()
        image = ax.imshow(matrix, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
        fig.colorbar(image, ax=ax, shrink=0.8, label="share of true class")
        step = 1 if n <= 25 else int(np.ceil(n / 25))
        ticks = np.arange(0, n, step)
        names = [mpl_text(labels[i], 14) for i in ticks]
        rotate = _rotate_ticks(n, names)
        ax.set_xticks(ticks)
        ax.set_xticklabels(names, rotation=60 if rotate else 0, ha="right" if rotate else "center", fontsize=tick_size)
        ax.set_yticks(ticks)
        ax.set_yticklabels(names, fontsize=tick_size)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.grid(False)
        if n <= 12:
            for i in range(n):
                for j in range(n):
                    value = matrix[i, j]
                    ax.text(
                        j,
                        i,
                        f"{100 * value:.0f}%",
                        ha="center",
                        va="center",
                        fontsize=text_size,
                        color="white" if value > 0.55 else "#24292f",
                    )
        return _to_data_uri(fig)
