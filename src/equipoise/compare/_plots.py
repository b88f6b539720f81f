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
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future
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
    "confusion_cell_text",
    "MAX_ANNOTATED_CLASSES",
    "RecallSeries",
    "recall_by_class_chart",
    "reliability_chart",
    "value_axis_start",
    "Drawing",
    "draw_all",
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


def value_axis_start(
    lows: Sequence[float], means: Sequence[float], highs: Sequence[float]
) -> float:
    """Where the value axis of :func:`metric_bar_chart` starts.

    A score in [0, 1] whose bars and intervals all lie well above 0 gets an axis that starts a
    little below the smallest value (rounded down to a multiple of 0.05), so that differences
    stay visible; the chart then marks the truncation. Anything else starts at 0 (or lower, for
    negative values, where matplotlib's own limits are kept).

    Parameters
    ----------
    lows, means, highs : sequences of float
        Interval bounds and means of the bars; NaN entries are ignored.

    Returns
    -------
    float
        The axis start: 0.0 for an untruncated axis.

    Examples
    --------
    >>> value_axis_start([0.71, 0.80], [0.75, 0.83], [0.79, 0.86])
    0.65
    >>> value_axis_start([0.05], [0.2], [0.3])
    0.0
    """
    values = np.asarray([*lows, *means, *highs], dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0 or values.min() < 0 or values.max() > 1.0:
        return 0.0
    start = np.floor((values.min() - 0.05) / 0.05) * 0.05
    return float(round(start, 2)) if start >= 0.15 else 0.0


def _axis_break(ax, *, axis: str = "x") -> None:
    """Two short slanted strokes at the start of the value axis: the axis does not start at 0."""
    kwargs = {"transform": ax.transAxes, "color": "#24292f", "linewidth": 1.1, "clip_on": False}
    for offset in (0.0, 0.012):
        if axis == "x":
            ax.plot([0.006 + offset, 0.018 + offset], [-0.025, 0.025], **kwargs)
        else:
            ax.plot([-0.012, 0.012], [0.006 + offset, 0.03 + offset], **kwargs)


def metric_bar_chart(
    names: Sequence[str],
    means: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    metric_label: str,
    baseline_mean: float | None,
    highlight: Sequence[bool],
    hatched: Sequence[bool] | None = None,
    fold_values: Sequence[Sequence[float] | np.ndarray] | None = None,
    axis_start: float = 0.0,
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
        Bars drawn in the accent colour (recipes better than the baseline); the rest are blue.
    hatched : sequence of bool, optional
        Bars drawn hatched (the reference models).
    fold_values : sequence of sequences of float, optional
        Per-fold (and per-seed) scores drawn as small dots on each bar.
    axis_start : float, default=0.0
        Start of the value axis (see :func:`value_axis_start`). Above 0 the axis ends at 1, a
        break mark is drawn at its start and the axis label says where it starts.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(names)
    mean = np.asarray(means, dtype=float)
    low = np.asarray(lows, dtype=float)
    high = np.asarray(highs, dtype=float)
    hatched = list(hatched) if hatched is not None else [False] * n
    y = np.arange(n)[::-1]
    colours = [PALETTE[1] if h else PALETTE[0] for h in highlight]
    with _figure(8.0, max(2.2, 0.36 * n + 1.1)) as fig:
        ax = fig.add_subplot()
        bars = ax.barh(y, np.nan_to_num(mean, nan=0.0), color=colours, height=0.62, alpha=0.9)
        for bar, hatch in zip(bars, hatched):
            if hatch:
                bar.set_hatch("///")
                bar.set_edgecolor("white")
        finite = np.isfinite(mean)
        lower = np.where(np.isfinite(low), mean - low, 0.0)
        upper = np.where(np.isfinite(high), high - mean, 0.0)
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
            for yi, given in zip(y, fold_values):
                vals = np.asarray(given, dtype=float)
                vals = vals[np.isfinite(vals)]
                if vals.size:
                    ax.scatter(
                        vals, np.full(vals.size, yi), s=9, color="#24292f", alpha=0.55, zorder=3
                    )
        for yi, m in zip(y, mean):
            if not np.isfinite(m):
                ax.text(
                    0.01, yi, "n/a", va="center", fontsize=8, transform=ax.get_yaxis_transform()
                )
        if baseline_mean is not None and np.isfinite(baseline_mean):
            ax.axvline(
                baseline_mean, color="#57606a", linestyle="--", linewidth=1.2, label="baseline mean"
            )
            ax.legend(loc="lower right")
        ax.set_yticks(y)
        ax.set_yticklabels([mpl_text(name) for name in names], fontsize=8.5 if n <= 15 else 7.5)
        label = f"{mpl_text(metric_label, 40)} (mean, 95% CI)"
        ax.grid(axis="y", visible=False)
        values = np.concatenate([low, mean, high])
        values = values[np.isfinite(values)]
        if axis_start > 0 or (values.size and values.min() >= 0 and values.max() <= 1):
            ax.set_xlim(axis_start, 1.0)
        if axis_start > 0:
            _axis_break(ax)
            label += f"; axis starts at {axis_start:.2f}, not 0"
        ax.set_xlabel(label)
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
            ap = (
                "n/a"
                if not np.isfinite(curve.average_precision)
                else f"{curve.average_precision:.3f}"
            )
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
            ax.axhline(
                prevalence,
                color="#8c959f",
                linestyle=":",
                linewidth=1,
                label=f"random ({prevalence:.3f})",
            )
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.02)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title(title)
        ax.legend(loc="lower left")
        return _to_data_uri(fig)


MAX_ANNOTATED_CLASSES = 20
"""Confusion matrices up to this many classes print share and count in every cell."""


def confusion_cell_text(counts: np.ndarray) -> list[list[str]]:
    """The text of each confusion-matrix cell: the share of the true class above the count.

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_classes, n_classes)
        Row ``i``, column ``j``: test rows of true class ``i`` predicted as ``j``.

    Returns
    -------
    list of list of str
        ``"67%\\n2"`` for a cell holding 2 of its row's 3 rows; a row without test rows shows 0%.

    Examples
    --------
    >>> confusion_cell_text(np.array([[2, 1], [0, 0]]))
    [['67%\\n2', '33%\\n1'], ['0%\\n0', '0%\\n0']]
    """
    counts = np.asarray(counts, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return [
        [f"{100 * s:.0f}%\n{int(c)}" for s, c in zip(srow, crow)]
        for srow, crow in zip(shares, counts)
    ]


def confusion_matrix_chart(counts: np.ndarray, labels: Sequence[str]) -> str:
    """A confusion matrix as a heat map of shares of the true class, annotated with counts.

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_classes, n_classes)
        Row ``i``, column ``j``: number of test rows of true class ``i`` predicted as ``j``.
    labels : sequence of str
        Class labels.

    Returns
    -------
    str
        A PNG data URI (the recipe's name goes in the HTML caption). The colour of a cell is
        its share of the row (the true class; rows of a class absent from the test rows are
        0). Up to :data:`MAX_ANNOTATED_CLASSES` classes every cell prints the share and, below
        it, the count; with more classes the cells are only coloured, a colour bar gives the
        scale, and above 25 classes only every k-th tick label is printed.
    """
    counts = np.asarray(counts, dtype=float)
    n = len(labels)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    annotate = n <= MAX_ANNOTATED_CLASSES
    size = min(9.5, max(3.6, (0.5 if annotate else 0.3) * n + 2.2))
    text_size = 11 if n <= 4 else 9 if n <= 8 else 7.5 if n <= 12 else 6
    tick_size = 10 if n <= 8 else 8 if n <= 20 else 6.5
    with _figure(size + (0.2 if annotate else 0.9), size) as fig:
        ax = fig.add_subplot()
        image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
        if not annotate:  # annotated cells carry their numbers; a colour bar would only take room
            fig.colorbar(image, ax=ax, shrink=0.8, label="share of true class")
        step = 1 if n <= 25 else int(np.ceil(n / 25))
        ticks = np.arange(0, n, step)
        names = [mpl_text(labels[int(i)], 14) for i in ticks]
        rotate = _rotate_ticks(n, names)
        ax.set_xticks(ticks)
        ax.set_xticklabels(
            names,
            rotation=60 if rotate else 0,
            ha="right" if rotate else "center",
            fontsize=tick_size,
        )
        ax.set_yticks(ticks)
        ax.set_yticklabels(names, fontsize=tick_size)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.grid(False)
        if annotate:
            text = confusion_cell_text(counts)
            for i in range(n):
                for j in range(n):
                    share = shares[i, j]
                    ax.text(
                        j,
                        i,
                        text[i][j],
                        ha="center",
                        va="center",
                        fontsize=text_size,
                        linespacing=1.1,
                        color="white" if share > 0.55 else "#24292f",
                    )
        return _to_data_uri(fig)


@dataclass(frozen=True)
class RecallSeries:
    """Per-class recall of one recipe, in the class order of the chart.

    Attributes
    ----------
    name : str
        Recipe name (legend entry).
    recall : numpy.ndarray
        Recall of each class (NaN where unknown).
    is_baseline : bool
        Drawn dashed and grey.
    """

    name: str
    recall: np.ndarray
    is_baseline: bool = False


def recall_by_class_chart(
    classes: Sequence[str],
    train_counts: Sequence[float],
    series: Sequence[RecallSeries],
    *,
    groups: Sequence[str] | None = None,
) -> str:
    """Per-class recall of a few recipes over the classes ordered head to tail.

    Parameters
    ----------
    classes : sequence of str
        Class labels, largest training class first.
    train_counts : sequence of float
        Training samples of each class, drawn as grey bars on a second axis (logarithmic when
        the counts span more than a factor 50).
    series : sequence of RecallSeries
        One line per recipe.
    groups : sequence of str, optional
        The many/medium/few-shot group of each class; a dotted line separates consecutive
        groups and each group is named at the top.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(classes)
    positions = np.arange(n)
    counts = np.asarray(train_counts, dtype=float)
    width = min(12.0, max(6.5, 0.22 * n + 4.5))
    with _figure(width, 4.2) as fig:
        ax = fig.add_subplot()
        twin = ax.twinx()
        twin.bar(positions, counts, width=0.7, color="#d0d7de", zorder=0)
        twin.set_ylabel(
            "training samples" + (" (log scale)" if _use_log_scale(counts) else ""), color="#57606a"
        )
        if _use_log_scale(counts):
            twin.set_yscale("log")
        twin.grid(False)
        twin.spines["right"].set_visible(True)
        ax.set_zorder(twin.get_zorder() + 1)
        ax.patch.set_visible(False)
        colour_index = 0
        for line in series:
            if line.is_baseline:
                colour, style = "#57606a", "--"
            else:
                colour, style = PALETTE[colour_index % len(PALETTE)], "-"
                colour_index += 1
            ax.plot(
                positions,
                np.asarray(line.recall, dtype=float),
                color=colour,
                linestyle=style,
                marker="o",
                markersize=3.5 if n <= 30 else 2,
                linewidth=1.5,
                label=mpl_text(line.name),
            )
        if groups is not None and len(groups) == n:
            starts = [0] + [i for i in range(1, n) if groups[i] != groups[i - 1]]
            for k, start in enumerate(starts):
                if start:
                    ax.axvline(start - 0.5, color="#57606a", linestyle=":", linewidth=1)
                end = starts[k + 1] if k + 1 < len(starts) else n
                ax.text(
                    (start + end - 1) / 2,
                    1.0,
                    mpl_text(groups[start], 12),
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="#57606a",
                )
        ax.set_ylim(0.0, 1.05)
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylabel("recall (share of the class found)")
        ax.set_xlabel("class, largest training class first")
        step = 1 if n <= 40 else int(np.ceil(n / 40))
        ticks = positions[::step]
        names = [mpl_text(classes[i], 16) for i in ticks]
        rotate = _rotate_ticks(n, names)
        ax.set_xticks(ticks)
        ax.set_xticklabels(
            names,
            rotation=60 if rotate else 0,
            ha="right" if rotate else "center",
            fontsize=8 if n <= 30 else 6,
        )
        ax.grid(axis="x", visible=False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), ncol=min(len(series), 3))
        return _to_data_uri(fig)


def reliability_chart(curves: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """Reliability diagram (accuracy against confidence, 15 equal-width bins) of each recipe's
    pooled test predictions: :func:`equipoise.calibration.reliability_diagram` on one axes.

    Parameters
    ----------
    curves : mapping of name to (y_true, proba)
        Class codes ``(n,)`` and predicted probabilities ``(n, n_classes)``; names already
        passed through :func:`mpl_text`.

    Returns
    -------
    str
        A PNG data URI.
    """
    from ..calibration import reliability_diagram

    with _figure(5.2, 4.6) as fig:
        ax = fig.add_subplot()
        reliability_diagram(dict(curves), ax=ax, labels=None)
        return _to_data_uri(fig)


Drawing = Callable[[], str]
"""One figure to draw: a chart function of this module with its arguments
(``functools.partial(metric_bar_chart, ...)``), picklable when its arguments are."""


def draw_all(drawings: Sequence[Drawing], executor: Executor | None = None) -> list[str]:
    """The data URI of every drawing, in order.

    With an ``executor`` (a process pool, such as the command line's idle workers), its
    processes draw too: one drawing at a time is handed to it, from the end of the list, while
    this process draws from the front, until none is left. A figure's bytes do not depend on
    the process that drew it (fixed style, no metadata). A drawing the executor could not
    finish (its process gone) is drawn here; an error of the drawing itself is raised.

    Parameters
    ----------
    drawings : sequence of Drawing
        Chart functions of this module with their arguments (``functools.partial``).
    executor : concurrent.futures.Executor, optional
        Processes that have this module's dependencies; None draws everything here.
    """
    uris: list[str | None] = [None] * len(drawings)
    left = deque(range(len(drawings)))
    lock = threading.Lock()
    arrived: queue.Queue[tuple[int, Future[str] | None]] = queue.Queue()
    out = 0  # drawings handed to the executor and not yet collected

    def hand_next() -> None:
        nonlocal out
        with lock:  # taking a drawing and counting it out are one step
            if not left:
                return
            i = left.pop()
            out += 1
        try:
            future = executor.submit(drawings[i])  # type: ignore[union-attr]
        except RuntimeError:  # the pool is shutting down: drawn here
            arrived.put((i, None))
            return

        def ended(done: Future[str], i: int = i) -> None:
            arrived.put((i, done))
            hand_next()  # its process takes the next one at once

        future.add_done_callback(ended)

    if executor is not None and len(drawings) > 1:
        hand_next()
    while True:
        with lock:
            if not left:
                break
            i = left.popleft()
        uris[i] = drawings[i]()
    while True:
        with lock:
            if out == 0:
                break
        i, done = arrived.get()
        with lock:
            out -= 1
        try:
            uris[i] = drawings[i]() if done is None else done.result()
        except BrokenExecutor:  # its process was killed: drawn here
            uris[i] = drawings[i]()
    drawn = [uri for uri in uris if uri is not None]
    assert len(drawn) == len(drawings)  # every drawing was drawn here or collected
    return drawn
