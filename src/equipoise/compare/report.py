"""The comparison report: one self-contained HTML page per comparison run.

:func:`write_report` turns what the runner measured (per-fold results, the summary with
confidence intervals and paired tests against the baseline, pooled test-fold predictions and the
class counts after each resampler) into ``report.html``. The page has no external resources: CSS
is inline, figures are base64 PNG data URIs drawn by :mod:`equipoise.compare._plots`, there is no
JavaScript, and a Content-Security-Policy forbids loading anything else. Every user-provided
string (title, recipe names and descriptions, class labels, dataset name, config values,
warnings, the recommendation) is HTML-escaped.

The page is a sequence of sections, each built by one function listed in :data:`SECTIONS`; a new
section is a new function in that tuple, not a new branch.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_curve

from ..exceptions import InvalidInputError
from . import _plots

__all__ = ["write_report", "render_report", "SECTIONS", "METRIC_NAMES", "LOWER_IS_BETTER"]

METRIC_NAMES: dict[str, str] = {
    "balanced_accuracy": "Balanced accuracy",
    "macro_f1": "Macro F1",
    "g_mean": "G-mean",
    "mcc": "MCC",
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "accuracy": "Accuracy",
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
    "minority_recall": "Minority recall",
    "log_loss": "Log loss",
    "brier": "Brier score",
}
"""Display names of the usual metrics, in the column order of the metric table."""

LOWER_IS_BETTER: frozenset[str] = frozenset(
    {"log_loss", "brier", "brier_score", "ece", "expected_calibration_error", "fit_seconds"}
)
"""Metrics whose best value is the smallest (highlighted accordingly)."""

MAX_DETAIL_RECIPES = 3
"""Recipes besides the baseline that get PR curves and confusion matrices."""

_VERDICT_CLASS = {"better": "better", "worse": "worse", "no clear difference": "same"}

_REQUIRED_SUMMARY_KEYS = ("metric", "baseline", "recipes", "ranking")


# --------------------------------------------------------------------------------------------
# Small formatting helpers
# --------------------------------------------------------------------------------------------


def _esc(value: object) -> str:
    """HTML-escape ``str(value)``, quotes included (safe in text and in attribute values)."""
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float:
    """A float, with None and non-numbers as NaN (JSON writes NaN as null)."""
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _fmt(value: Any, digits: int = 3, *, signed: bool = False) -> str:
    """``0.812``, ``+0.012`` or ``n/a`` for NaN/None."""
    number = _num(value)
    if not math.isfinite(number):
        return "n/a"
    return f"{number:+.{digits}f}" if signed else f"{number:.{digits}f}"


def _fmt_p(value: Any) -> str:
    number = _num(value)
    if not math.isfinite(number):
        return "n/a"
    return "&lt; 0.001" if number < 0.001 else f"{number:.3f}"


def metric_label(name: str) -> str:
    """Display name of a metric: ``"macro_f1" -> "Macro F1"``; unknown names are de-snaked."""
    return METRIC_NAMES.get(name, str(name).replace("_", " ").capitalize())


TALL_ROWS = 15
"""Tables with more rows than this scroll inside a box with a sticky header."""


def _table(headers: Sequence[str], rows: Sequence[str], *, caption: str, cls: str = "") -> str:
    """A scrollable table; ``headers`` are already-escaped cell contents, ``rows`` ready ``<tr>``."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    wrap = "table-wrap tall" if len(rows) > TALL_ROWS else "table-wrap"
    return (
        f'<div class="{wrap} {cls}"><table class="{cls}"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _figure(uri: str, alt: str, caption: str = "") -> str:
    """An image with escaped alt text; ``caption`` is already-escaped HTML shown above it."""
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure>{cap}<img src="{uri}" alt="{_esc(alt)}"></figure>'


# --------------------------------------------------------------------------------------------
# Inputs gathered once
# --------------------------------------------------------------------------------------------


@dataclass
class _Report:
    """Everything a section needs, checked and normalised once."""

    title: str
    profile: Any
    results: pd.DataFrame
    summary: Mapping[str, Any]
    predictions: Mapping[str, Mapping[str, Any]]
    resampled_counts: Mapping[str, Mapping[Any, Any]]
    config: Mapping[str, Any]
    generated: datetime
    order: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)

    @property
    def metric(self) -> str:
        return str(self.summary["metric"])

    @property
    def baseline(self) -> str:
        return str(self.summary["baseline"])

    def stat(self, recipe: str, metric: str) -> dict[str, float]:
        """``{"mean", "low", "high", "n"}`` of one recipe and metric (NaN when missing)."""
        entry = self.summary["recipes"].get(recipe, {}).get("metrics", {}).get(metric, {}) or {}
        return {key: _num(entry.get(key)) for key in ("mean", "low", "high", "n")}

    def detail_recipes(self) -> list[str]:
        """The best few recipes (ranking order) and the baseline, each once."""
        chosen = [r for r in self.order if r != self.baseline][:MAX_DETAIL_RECIPES]
        if self.baseline in self.order or self.baseline in self.predictions:
            chosen.append(self.baseline)
        return chosen

    def class_order(self) -> list[Any]:
        """Class labels: the profile's order, then any label only the resamplers produced."""
        labels = list(_profile_counts(self).keys())
        seen = {str(label) for label in labels}
        for counts in self.resampled_counts.values():
            for label in counts:
                if str(label) not in seen:
                    seen.add(str(label))
                    labels.append(label)
        return labels


def _profile_counts(report: _Report) -> dict[Any, int]:
    if report.profile is not None:
        return dict(report.profile.counts)
    return dict(report.summary.get("dataset", {}).get("class_counts", {}) or {})


def _check_inputs(summary: Any, results: Any, predictions: Any, resampled_counts: Any, config: Any) -> None:
    if not isinstance(summary, Mapping):
        raise InvalidInputError(
            f"The 'summary' argument of write_report must be a dict; got {type(summary).__name__}."
        )
    missing = [key for key in _REQUIRED_SUMMARY_KEYS if key not in summary]
    if missing:
        raise InvalidInputError(
            f"The 'summary' argument of write_report must contain the keys "
            f"{list(_REQUIRED_SUMMARY_KEYS)}; missing {missing} (got keys {sorted(summary)})."
        )
    if not isinstance(summary["recipes"], Mapping) or not summary["recipes"]:
        raise InvalidInputError(
            "The 'summary' argument of write_report must map at least one recipe name under "
            f"'recipes'; got {summary['recipes']!r}."
        )
    if not isinstance(results, pd.DataFrame) or "recipe" not in results.columns:
        got = list(results.columns) if isinstance(results, pd.DataFrame) else type(results).__name__
        raise InvalidInputError(
            f"The 'results' argument of write_report must be a DataFrame with a 'recipe' column; got {got}."
        )
    for name, value in (("predictions", predictions), ("resampled_counts", resampled_counts), ("config", config)):
        if not isinstance(value, Mapping):
            raise InvalidInputError(
                f"The '{name}' argument of write_report must be a dict; got {type(value).__name__}."
            )


def _recipe_order(summary: Mapping[str, Any]) -> list[str]:
    order = [str(r) for r in summary["ranking"] if str(r) in summary["recipes"]]
    order += [str(r) for r in summary["recipes"] if str(r) not in order]
    return order


def _metric_order(summary: Mapping[str, Any]) -> list[str]:
    present: set[str] = set()
    for entry in summary["recipes"].values():
        present.update((entry or {}).get("metrics", {}) or {})
    known = [m for m in METRIC_NAMES if m in present]
    rest = sorted(present.difference(known))
    ordered = known + rest
    primary = str(summary["metric"])
    if primary in ordered:
        ordered.remove(primary)
    return [primary, *ordered]


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


def _config_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _section_header(report: _Report) -> str:
    dataset = report.summary.get("dataset", {}) or {}
    facts = [
        ("Dataset", dataset.get("name", "n/a")),
        ("Samples", dataset.get("n_samples", "n/a")),
        ("Features", dataset.get("n_features", "n/a")),
        ("Primary metric", metric_label(report.metric)),
        ("Baseline", report.baseline),
        ("Cross-validation", f"{report.summary.get('n_folds', '?')} folds x {report.summary.get('n_seeds', '?')} seed(s)"),
        ("Generated", report.generated.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    elapsed = _num(report.summary.get("elapsed_seconds"))
    if math.isfinite(elapsed):
        facts.append(("Run time", f"{elapsed:.1f} s"))
    fact_html = "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in facts)
    config_rows = [
        f'<tr><th scope="row">{_esc(key)}</th><td><code>{_esc(_config_value(value))}</code></td></tr>'
        for key, value in report.config.items()
    ]
    config_html = (
        "<details><summary>Run configuration</summary>"
        + _table(["setting", "value"], config_rows, caption="Settings of this run", cls="config")
        + "</details>"
        if config_rows
        else ""
    )
    return (
        f'<header><h1>{_esc(report.title)}</h1><dl class="facts">{fact_html}</dl>{config_html}</header>'
    )


def _section_recommendation(report: _Report) -> str:
    text = report.summary.get("recommendation") or "No recommendation was produced."
    best = report.order[0]
    stat = report.stat(best, report.metric)
    base = report.stat(report.baseline, report.metric)
    line = (
        f"Top of the ranking on {_esc(metric_label(report.metric))}: <strong>{_esc(best)}</strong>, "
        f"{_fmt(stat['mean'])} (95% CI {_fmt(stat['low'])} to {_fmt(stat['high'])})"
    )
    if best != report.baseline and report.baseline in report.summary["recipes"]:
        line += f"; baseline {_fmt(base['mean'])} ({_fmt(base['low'])} to {_fmt(base['high'])})"
        verdict = (report.summary.get("vs_baseline", {}) or {}).get(best)
        if verdict:
            v = str(verdict.get("verdict", ""))
            line += (
                f'; against the baseline: <span class="verdict {_VERDICT_CLASS.get(v, "same")}">'
                f"{_esc(v)}</span> (p = {_fmt_p(verdict.get('p_value'))})"
            )
    return (
        '<section id="recommendation" aria-labelledby="h-recommendation" class="callout">'
        '<h2 id="h-recommendation">Recommendation</h2>'
        f'<p class="recommendation">{_esc(text)}</p><p class="headline">{line}.</p></section>'
    )


def _section_profile(report: _Report) -> str:
    counts = _profile_counts(report)
    total = sum(int(c) for c in counts.values()) or 1
    if report.profile is not None:
        proportions = {str(k): v for k, v in dict(report.profile.proportions).items()}
        ratio = _num(report.profile.imbalance_ratio)
        minority, majority = report.profile.minority, report.profile.majority
        warnings = list(report.profile.warnings)
        n_samples, n_classes = report.profile.n_samples, report.profile.n_classes
    else:
        proportions = {str(k): int(v) / total for k, v in counts.items()}
        ratio = _num((report.summary.get("dataset", {}) or {}).get("imbalance_ratio"))
        minority = min(counts, key=counts.__getitem__) if counts else "n/a"
        majority = max(counts, key=counts.__getitem__) if counts else "n/a"
        warnings, n_samples, n_classes = [], total, len(counts)
    rows = []
    largest = max((int(c) for c in counts.values()), default=0) or 1
    for label, count in counts.items():
        share = _num(proportions.get(str(label)))
        percent = 0.0 if not math.isfinite(share) else 100 * share
        width = 100 * int(count) / largest
        rows.append(
            f'<tr><th scope="row">{_esc(label)}</th><td class="num">{int(count)}</td>'
            f'<td class="num">{percent:.1f}%</td><td class="bar-cell" aria-hidden="true">'
            f'<span class="bar" style="width:{width:.1f}%"></span></td></tr>'
        )
    table = _table(
        ["class", "samples", "share", '<span class="sr-only">bar</span>'],
        rows,
        caption="Class counts of the whole dataset",
        cls="profile",
    )
    warning_html = (
        '<div class="warnings" role="note"><h3>Warnings</h3><ul>'
        + "".join(f"<li>{_esc(w)}</li>" for w in warnings)
        + "</ul></div>"
        if warnings
        else "<p>No warnings.</p>"
    )
    return (
        '<section id="profile" aria-labelledby="h-profile"><h2 id="h-profile">Class profile</h2>'
        f"<p>{int(n_samples)} samples in {int(n_classes)} classes. Imbalance ratio "
        f"(largest class / smallest class): <strong>{_fmt(ratio, 2)}</strong>; majority class "
        f"<strong>{_esc(majority)}</strong>, minority class <strong>{_esc(minority)}</strong>.</p>"
        f"{table}{warning_html}</section>"
    )


def _section_distribution(report: _Report) -> str:
    if not report.resampled_counts:
        return (
            '<section id="distribution" aria-labelledby="h-distribution"><h2 id="h-distribution">'
            "Class distribution after resampling</h2><p>No class counts were recorded.</p></section>"
        )
    labels = report.class_order()
    keys = [str(label) for label in labels]

    def vector(counts: Mapping[Any, Any]) -> list[int]:
        by_str = {str(k): int(_num(v)) if math.isfinite(_num(v)) else 0 for k, v in counts.items()}
        return [by_str.get(k, 0) for k in keys]

    names = [n for n in ("original", *report.order) if n in report.resampled_counts]
    names += [str(n) for n in report.resampled_counts if str(n) not in names]
    vectors = {name: vector(report.resampled_counts[name]) for name in names}

    # Recipes with the same counts share one series on the chart (most leave the data as is).
    series: list[tuple[list[str], list[int]]] = []
    for name in names:
        for members, vec in series:
            if vec == vectors[name]:
                members.append(name)
                break
        else:
            series.append(([name], vectors[name]))
    chart_series = []
    for members, vec in series:
        shown = ", ".join(members[:3]) + (f" + {len(members) - 3} more" if len(members) > 3 else "")
        chart_series.append((shown, vec))
    if "original" in report.resampled_counts:
        original = np.asarray(vectors["original"])
        order = np.argsort(-original, kind="stable") if len(keys) > 15 else np.arange(len(keys))
    else:
        order = np.arange(len(keys))
    uri = _plots.class_distribution_chart(
        [keys[i] for i in order], [(n, [v[i] for i in order]) for n, v in chart_series]
    )
    note = ""
    if len(chart_series) > _plots.MAX_SERIES:
        note = f" The chart shows the first {_plots.MAX_SERIES} of {len(chart_series)} distinct distributions; the table lists all."
    alt = "Training class counts per class before resampling and after each resampler: " + "; ".join(
        f"{name}: " + ", ".join(f"{k}={c}" for k, c in list(zip(keys, vec))[:12]) for name, vec in chart_series[:8]
    )
    headers = ["distribution", *(_esc(k) for k in keys), "total"]
    rows = []
    for name in names:
        vec = vectors[name]
        label = _esc(name) + (' <span class="tag">before</span>' if name == "original" else "")
        cells = "".join(f'<td class="num">{c}</td>' for c in vec)
        rows.append(f'<tr><th scope="row">{label}</th>{cells}<td class="num">{sum(vec)}</td></tr>')
    table = _table(headers, rows, caption="Training samples per class in fold 0: &ldquo;original&rdquo; before resampling, then after each recipe's resampler",
        cls="dist",
    )
    return (
        '<section id="distribution" aria-labelledby="h-distribution"><h2 id="h-distribution">'
        "Class distribution before and after resampling</h2>"
        "<p>Counts in the training part of the first fold, before any resampling and after each "
        f"recipe's resampler. Recipes that leave the data unchanged share one series.{note}</p>"
        f"{_figure(uri, alt)}{table}</section>"
    )


def _best_values(report: _Report, metric: str) -> float:
    values = [report.stat(r, metric)["mean"] for r in report.order]
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return math.nan
    return min(finite) if metric in LOWER_IS_BETTER else max(finite)


def _fit_seconds(report: _Report) -> dict[str, float]:
    if "fit_seconds" not in report.results.columns:
        return {}
    means = report.results.groupby("recipe", sort=False)["fit_seconds"].mean()
    return {str(k): float(v) for k, v in means.items()}


def _section_metrics(report: _Report) -> str:
    best = {m: _best_values(report, m) for m in report.metrics}
    fit = _fit_seconds(report)
    headers = ["rank", "recipe"]
    for m in report.metrics:
        primary = ' <span class="tag">primary</span>' if m == report.metric else ""
        headers.append(f"{_esc(metric_label(m))}{primary}")
    if fit:
        headers.append("fit time (s)")
    rows = []
    for rank, recipe in enumerate(report.order, start=1):
        description = (report.summary["recipes"].get(recipe) or {}).get("description", "")
        desc_html = f'<span class="desc">{_esc(description)}</span>' if description else ""
        base_tag = ' <span class="tag">baseline</span>' if recipe == report.baseline else ""
        cells = []
        for m in report.metrics:
            stat = report.stat(recipe, m)
            is_best = math.isfinite(stat["mean"]) and stat["mean"] == best[m]
            cls = "num best" if is_best else "num"
            ci = (
                f' <span class="ci">[{_fmt(stat["low"])}, {_fmt(stat["high"])}]</span>'
                if math.isfinite(stat["low"]) or math.isfinite(stat["high"])
                else ""
            )
            mark = '<span class="sr-only"> (best)</span>' if is_best else ""
            cells.append(
                f'<td class="{cls}" data-metric="{_esc(m)}"><span class="mean">{_fmt(stat["mean"])}</span>{ci}{mark}</td>'
            )
        if fit:
            cells.append(f'<td class="num">{_fmt(fit.get(recipe), 2)}</td>')
        row_cls = ' class="top"' if rank == 1 else ""
        rows.append(
            f'<tr{row_cls} data-recipe="{_esc(recipe)}"><td class="num">{rank}</td>'
            f'<th scope="row">{_esc(recipe)}{base_tag}{desc_html}</th>{"".join(cells)}</tr>'
        )
    table = _table(
        headers,
        rows,
        caption="Mean over folds and seeds with 95% confidence interval; best value per column highlighted",
        cls="metrics",
    )
    failed = report.summary.get("failed") or {}
    failed_html = (
        '<div class="warnings" role="note"><h3>Recipes that failed</h3><ul>'
        + "".join(f"<li><strong>{_esc(name)}</strong>: {_esc(message)}</li>" for name, message in failed.items())
        + "</ul></div>"
        if failed
        else ""
    )
    return (
        '<section id="metrics" aria-labelledby="h-metrics"><h2 id="h-metrics">All metrics</h2>'
        "<p>Recipes in ranking order (best first, by the primary metric). Each cell is the mean "
        'over test folds with its 95% confidence interval in brackets; "n/a" means the metric '
        "could not be computed (for instance ROC AUC without scores).</p>"
        f"{table}{failed_html}</section>"
    )


def _section_baseline(report: _Report) -> str:
    vs = report.summary.get("vs_baseline", {}) or {}
    rows = []
    for recipe in report.order:
        if recipe == report.baseline:
            continue
        entry = vs.get(recipe)
        if not entry:
            rows.append(
                f'<tr data-recipe="{_esc(recipe)}"><th scope="row">{_esc(recipe)}</th>'
                '<td class="num">n/a</td><td class="num">n/a</td><td>not compared</td></tr>'
            )
            continue
        verdict = str(entry.get("verdict", ""))
        cls = _VERDICT_CLASS.get(verdict, "same")
        rows.append(
            f'<tr data-recipe="{_esc(recipe)}"><th scope="row">{_esc(recipe)}</th>'
            f'<td class="num">{_fmt(entry.get("diff"), signed=True)} '
            f'<span class="ci">[{_fmt(entry.get("low"), signed=True)}, {_fmt(entry.get("high"), signed=True)}]</span></td>'
            f'<td class="num">{_fmt_p(entry.get("p_value"))}</td>'
            f'<td><span class="verdict {cls}">{_esc(verdict)}</span></td></tr>'
        )
    if rows:
        body = _table(
            ["recipe", "difference [95% CI]", "p-value", "verdict"],
            rows,
            caption=f"Paired difference in {_esc(metric_label(report.metric))} against the baseline "
            f"&ldquo;{_esc(report.baseline)}&rdquo; (recipe minus baseline, same folds)",
            cls="baseline",
        )
    else:
        body = "<p>Only the baseline was run; there is nothing to compare it with.</p>"
    return (
        '<section id="vs-baseline" aria-labelledby="h-vs-baseline"><h2 id="h-vs-baseline">'
        "Against the baseline</h2><p>Each recipe is compared with the baseline on the same "
        "folds and seeds. A positive difference means the recipe scored higher. The verdict is "
        "&ldquo;better&rdquo; or &ldquo;worse&rdquo; only when the interval excludes zero.</p>"
        f"{body}</section>"
    )


def _section_chart(report: _Report) -> str:
    metric = report.metric
    stats = [report.stat(r, metric) for r in report.order]
    fold_values = None
    if metric in report.results.columns:
        grouped = report.results.groupby("recipe", sort=False)[metric]
        by_recipe = {str(k): v.to_numpy(dtype=float) for k, v in grouped}
        fold_values = [by_recipe.get(r, np.array([])) for r in report.order]
    vs = report.summary.get("vs_baseline", {}) or {}
    highlight = [(vs.get(r) or {}).get("verdict") == "better" for r in report.order]
    uri = _plots.metric_bar_chart(
        report.order,
        [s["mean"] for s in stats],
        [s["low"] for s in stats],
        [s["high"] for s in stats],
        metric_label=metric_label(metric),
        baseline_mean=report.stat(report.baseline, metric)["mean"],
        highlight=highlight,
        fold_values=fold_values,
    )
    alt = f"{metric_label(metric)} per recipe, best first: " + "; ".join(
        f"{r} {_fmt(s['mean'])} [{_fmt(s['low'])}, {_fmt(s['high'])}]" for r, s in list(zip(report.order, stats))[:30]
    )
    return (
        '<section id="chart" aria-labelledby="h-chart"><h2 id="h-chart">'
        f"{_esc(metric_label(metric))} per recipe</h2>"
        "<p>Bars are means, whiskers the 95% confidence interval, dots the individual folds; "
        "the dashed line is the baseline's mean. Orange bars are recipes judged better than the "
        "baseline.</p>"
        f"{_figure(uri, alt)}</section>"
    )


def _pr_curve(pred: Mapping[str, Any], name: str, baseline: str) -> tuple[_plots.PRCurve, float] | None:
    """The PR curve of one recipe (binary) or its macro average of one-vs-rest curves."""
    score = pred.get("y_score")
    if score is None:
        return None
    y_true = np.asarray(pred["y_true"], dtype=object)
    labels = list(pred.get("labels") or sorted(set(y_true.tolist()), key=str))
    score = np.asarray(score, dtype=float)
    if score.ndim == 2 and score.shape[1] == 2 and len(labels) == 2:
        score = score[:, 1]
    if score.ndim == 1:
        positive = labels[-1]
        target = np.array([t == positive for t in y_true])
        if target.all() or not target.any():
            return None
        precision, recall, _ = precision_recall_curve(target, score)
        ap = float(average_precision_score(target, score))
        return _plots.PRCurve(name, recall[::-1], precision[::-1], ap, name == baseline), float(target.mean())
    grid = np.linspace(0.0, 1.0, 201)
    interpolated, aps = [], []
    for j, label in enumerate(labels[: score.shape[1]]):
        target = np.array([t == label for t in y_true])
        if target.all() or not target.any():
            continue
        precision, recall, _ = precision_recall_curve(target, score[:, j])
        # Interpolated precision: the best precision at any recall >= r (a monotone envelope).
        envelope = np.maximum.accumulate(precision)  # recall is decreasing along the arrays
        interpolated.append(np.interp(grid, recall[::-1], envelope[::-1]))
        aps.append(average_precision_score(target, score[:, j]))
    if not interpolated:
        return None
    curve = _plots.PRCurve(
        name, grid, np.mean(interpolated, axis=0), float(np.mean(aps)), name == baseline, interpolated=True
    )
    return curve, math.nan


def _section_pr_curves(report: _Report) -> str:
    curves, skipped, prevalence = [], [], math.nan
    multiclass = False
    for recipe in report.detail_recipes():
        pred = report.predictions.get(recipe)
        result = _pr_curve(pred, recipe, report.baseline) if pred else None
        if result is None:
            skipped.append(recipe)
            continue
        curve, prev = result
        curves.append(curve)
        multiclass = multiclass or not math.isfinite(prev)
        if math.isfinite(prev):
            prevalence = prev
    heading = '<section id="pr-curves" aria-labelledby="h-pr"><h2 id="h-pr">Precision-recall curves</h2>'
    skipped_note = (
        f"<p class=\"muted\">No curve for {', '.join(_esc(s) for s in skipped)}: no scores were recorded "
        "or a class is missing from the test folds.</p>"
        if skipped
        else ""
    )
    if not curves:
        return heading + "<p>No recipe recorded scores, so there are no curves.</p>" + skipped_note + "</section>"
    if multiclass:
        explain = (
            "One curve per recipe: the macro average over classes of the one-vs-rest curves "
            "(interpolated precision on a common recall grid); AP is the macro average precision. "
            "Pooled over the test folds of the first seed."
        )
        title = "macro-averaged one-vs-rest PR curves"
    else:
        positive = next(iter(report.predictions.values())).get("labels", ["?"])[-1]
        explain = (
            f"Positive class: <strong>{_esc(positive)}</strong>. Pooled over the test folds of the "
            "first seed; AP is the average precision. The dotted line is a random scorer "
            "(precision equal to the class share)."
        )
        title = "precision-recall curves"
    uri = _plots.pr_curve_chart(curves, prevalence=prevalence if not multiclass else None, title=title)
    alt = "Precision-recall curves: " + "; ".join(f"{c.name} AP {_fmt(c.average_precision)}" for c in curves)
    return heading + f"<p>{explain}</p>{_figure(uri, alt)}{skipped_note}</section>"


def _section_confusion(report: _Report) -> str:
    figures, skipped, n_classes = [], [], 0
    for recipe in report.detail_recipes():
        pred = report.predictions.get(recipe)
        if not pred or not len(pred.get("y_true", [])):
            skipped.append(recipe)
            continue
        y_true = np.asarray(pred["y_true"], dtype=object)
        y_pred = np.asarray(pred["y_pred"], dtype=object)
        labels = list(pred.get("labels") or sorted(set(y_true.tolist()) | set(y_pred.tolist()), key=str))
        index = {label: i for i, label in enumerate(labels)}
        true_idx = np.array([index.get(t, -1) for t in y_true])
        pred_idx = np.array([index.get(p, -1) for p in y_pred])
        keep = (true_idx >= 0) & (pred_idx >= 0)
        matrix = confusion_matrix(true_idx[keep], pred_idx[keep], labels=np.arange(len(labels)), normalize="true")
        names = [str(label) for label in labels]
        n_classes = max(n_classes, len(names))
        tag = " (baseline)" if recipe == report.baseline and "baseline" not in recipe.lower() else ""
        uri = _plots.confusion_matrix_chart(matrix, names)
        recalls = ", ".join(f"{n} {100 * matrix[i, i]:.0f}%" for i, n in enumerate(names[:12]))
        more = f" and {len(names) - 12} more classes" if len(names) > 12 else ""
        alt = f"Confusion matrix of {recipe}{tag}, normalised by true class. Recall per class: {recalls}{more}."
        figures.append(_figure(uri, alt, _esc(recipe + tag)))
    skipped_note = (
        f"<p class=\"muted\">No predictions recorded for {', '.join(_esc(s) for s in skipped)}.</p>" if skipped else ""
    )
    return (
        '<section id="confusion" aria-labelledby="h-confusion"><h2 id="h-confusion">Confusion matrices</h2>'
        "<p>Rows are true classes, columns predicted classes; each row sums to 100%, so the "
        "diagonal is the recall of each class. Shown for the best recipes and the baseline, "
        "pooled over the test folds of the first seed.</p>"
        f'<div class="grid{" wide" if n_classes > 12 else ""}">{"".join(figures)}</div>{skipped_note}</section>'
    )


def _section_howto(report: _Report) -> str:
    return (
        '<section id="how-to-read" aria-labelledby="h-howto"><h2 id="h-howto">How to read this report</h2><ul>'
        "<li><strong>Rank by the primary metric, decide with the intervals.</strong> Two recipes whose "
        "95% confidence intervals overlap widely may not really differ on data like yours.</li>"
        "<li><strong>The paired comparison is the sharper test.</strong> Recipe and baseline were scored "
        "on the same folds, so their difference is less noisy than either mean. &ldquo;No clear "
        "difference&rdquo; means the interval of the difference contains zero.</li>"
        "<li><strong>Accuracy is misleading under imbalance.</strong> Predicting the majority class "
        "everywhere scores its share in accuracy; balanced accuracy, macro F1, G-mean and MCC do not "
        "reward that.</li>"
        "<li><strong>PR curves show the minority's trade-off.</strong> A curve above another is better at "
        "every recall; the dotted random line sits at the positive class's share.</li>"
        "<li><strong>Read the confusion matrix diagonal.</strong> It is the recall of each class; a "
        "recipe that lifts a minority class often costs some recall on the majority.</li>"
        "<li><strong>Resampling changes only training data.</strong> Test folds always keep the "
        "original distribution, so scores are comparable across recipes.</li>"
        "</ul></section>"
    )


def _footer(report: _Report) -> str:
    version = report.config.get("equipoise_version") or report.config.get("version") or ""
    made = f"equipoise {_esc(version)}" if version else "equipoise"
    return f"<footer>Made by {made} on {report.generated.strftime('%Y-%m-%d %H:%M UTC')}.</footer>"


SECTIONS: tuple[Callable[[_Report], str], ...] = (
    _section_header,
    _section_recommendation,
    _section_profile,
    _section_distribution,
    _section_metrics,
    _section_baseline,
    _section_chart,
    _section_pr_curves,
    _section_confusion,
    _section_howto,
    _footer,
)
"""The builders of the page, in order; each takes the normalised inputs and returns HTML."""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--accent:#0969da;
--good:#1a7f37;--good-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--same-bg:#eaeef2;--best:#fff8c5}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.7rem;margin:0 0 .6rem}
h2{font-size:1.25rem;margin:2.2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:.8rem 0 .3rem}
p{margin:.4rem 0 .8rem}
.facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin:0 0 .8rem}
.facts div{min-width:120px}
.facts dt{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
details{margin:.4rem 0}
summary{cursor:pointer;color:var(--accent)}
.callout{background:var(--soft);border:1px solid var(--line);border-left:5px solid var(--accent);
border-radius:6px;padding:4px 18px 8px;margin-top:1.4rem}
.callout h2{border:0;margin-top:.8rem}
.recommendation{font-size:1.08rem;font-weight:600}
.table-wrap{overflow-x:auto;margin:.6rem 0 1rem;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.88rem}
caption{caption-side:top;text-align:left;padding:6px 10px;color:var(--muted);font-size:.82rem}
th,td{padding:6px 10px;border-top:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--soft);border-top:0;white-space:nowrap;font-weight:600}
tbody th{font-weight:600;overflow-wrap:anywhere;min-width:11rem}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.best{background:var(--best);font-weight:700}
tr.top th{box-shadow:inset 4px 0 0 var(--accent)}
.ci{display:block;color:var(--muted);font-size:.78rem;font-weight:400}
.desc{display:block;color:var(--muted);font-weight:400;font-size:.8rem}
.tag{display:inline-block;font-size:.7rem;font-weight:600;padding:0 6px;border-radius:10px;
background:var(--same-bg);color:var(--muted);vertical-align:middle}
.verdict{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:.82rem;white-space:nowrap}
.verdict.better{background:var(--good-bg);color:var(--good)}
.verdict.worse{background:var(--bad-bg);color:var(--bad)}
.verdict.same{background:var(--same-bg);color:var(--muted)}
.baseline td .ci{display:inline}
.table-wrap.profile{max-width:640px}
.table-wrap.tall{max-height:32rem;overflow-y:auto}
.tall thead th{position:sticky;top:0;z-index:2}
.dist tbody th{position:sticky;left:0;background:var(--bg);z-index:1}
.bar-cell{width:40%}
.bar{display:block;height:10px;background:var(--accent);border-radius:2px;min-width:1px}
.warnings{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:2px 16px}
.warnings ul{margin:.3rem 0 .6rem;padding-left:1.2rem}
.muted{color:var(--muted)}
figure{margin:.6rem 0 1rem}
figure img{max-width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:6px}
figcaption{font-weight:600;margin-bottom:4px;overflow-wrap:anywhere}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
.grid.wide{grid-template-columns:repeat(auto-fit,minmax(480px,1fr))}
.config code{font-size:.82rem;overflow-wrap:anywhere}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{margin-top:2.5rem;color:var(--muted);font-size:.8rem}
@media (max-width:640px){body{font-size:14px}main{padding:14px 10px}th,td{padding:5px 6px}}
"""


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def render_report(
    *,
    title: str,
    profile: Any,
    results: pd.DataFrame,
    summary: Mapping[str, Any],
    predictions: Mapping[str, Mapping[str, Any]],
    resampled_counts: Mapping[str, Mapping[Any, Any]],
    config: Mapping[str, Any],
    generated: datetime | None = None,
) -> str:
    """Build the report page as a string; :func:`write_report` documents the arguments.

    Parameters
    ----------
    generated : datetime, optional
        Time stamp printed on the page; the current UTC time by default (pass one to get
        byte-identical pages from identical inputs).

    Returns
    -------
    str
        A complete HTML5 document.
    """
    _check_inputs(summary, results, predictions, resampled_counts, config)
    report = _Report(
        title=str(title),
        profile=profile,
        results=results,
        summary=summary,
        predictions=predictions,
        resampled_counts=resampled_counts,
        config=config,
        generated=generated or datetime.now(timezone.utc),
        order=_recipe_order(summary),
        metrics=_metric_order(summary),
    )
    body = "".join(section(report) for section in SECTIONS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="equipoise">'
        f"<title>{_esc(report.title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def write_report(
    path: str | Path,
    *,
    title: str,
    profile: Any,
    results: pd.DataFrame,
    summary: Mapping[str, Any],
    predictions: Mapping[str, Mapping[str, Any]],
    resampled_counts: Mapping[str, Mapping[Any, Any]],
    config: Mapping[str, Any],
    generated: datetime | None = None,
) -> Path:
    """Write the comparison report as one self-contained HTML file.

    The page shows, in order: the run (title, dataset, date, configuration), the recommendation,
    the class profile, the class distribution before and after each resampler, every metric
    with its 95% confidence interval, the paired comparison with the baseline, a bar chart of the
    primary metric, precision-recall curves and confusion matrices of the best recipes and the
    baseline, and a guide to reading it. See ``docs/report.md``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (``.html`` or ``.htm``), or a directory that receives ``report.html``.
        Missing parent directories are created.
    title : str
        Page title.
    profile : ClassProfile or None
        Class profile of the whole dataset (``equipoise.profile``); only ``counts``,
        ``proportions``, ``imbalance_ratio``, ``minority``, ``majority``, ``n_samples``,
        ``n_classes`` and ``warnings`` are read. When None, ``summary["dataset"]["class_counts"]``
        is used.
    results : pandas.DataFrame
        One row per recipe x fold x seed with columns ``recipe``, ``fold``, ``seed``, the metrics
        (snake_case, possibly NaN) and ``fit_seconds``.
    summary : dict
        The runner's ``summary.json`` content: ``metric``, ``baseline``, ``recipes``
        (``{name: {"description", "metrics": {metric: {"mean", "low", "high", "n"}}}}``),
        ``ranking`` (best first), and optionally ``vs_baseline``
        (``{name: {"diff", "low", "high", "p_value", "verdict"}}``), ``dataset``, ``n_folds``,
        ``n_seeds``, ``recommendation``, ``elapsed_seconds``. NaN or None values print as "n/a".
    predictions : dict
        ``{recipe: {"y_true", "y_pred", "y_score", "labels"}}`` pooled over the test folds of
        the first seed. ``y_score`` is None, the positive-class scores (binary; the positive
        class is ``labels[-1]``), or per-class probabilities (multiclass).
    resampled_counts : dict
        ``{recipe: {label: count}}`` after each recipe's resampler on the training part of fold 0,
        plus ``"original"``: the counts before resampling.
    config : dict
        Settings of the run, shown in the header (values that are not strings as JSON).
    generated : datetime, optional
        Time stamp printed on the page (default: now, UTC).

    Returns
    -------
    pathlib.Path
        The path of the written file.

    Raises
    ------
    equipoise.exceptions.InvalidInputError
        When ``summary`` lacks ``metric``, ``baseline``, ``recipes`` or ``ranking``, when
        ``results`` is not a DataFrame with a ``recipe`` column, or when another argument is not
        a dict.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = {"metric": "balanced_accuracy", "baseline": "baseline",
    ...            "ranking": ["baseline"], "recipes": {"baseline": {"description": "as is",
    ...            "metrics": {"balanced_accuracy": {"mean": 0.7, "low": 0.6, "high": 0.8, "n": 5}}}}}
    >>> results = pd.DataFrame({"recipe": ["baseline"], "fold": [0], "seed": [0],
    ...                         "balanced_accuracy": [0.7], "fit_seconds": [0.1]})
    >>> import tempfile
    >>> out = write_report(tempfile.mkdtemp(), title="demo", profile=None, results=results,
    ...                    summary=summary, predictions={}, resampled_counts={}, config={})
    >>> out.name
    'report.html'
    """
    page = render_report(
        title=title,
        profile=profile,
        results=results,
        summary=summary,
        predictions=predictions,
        resampled_counts=resampled_counts,
        config=config,
        generated=generated,
    )
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
