"""The comparison report: one self-contained HTML page per comparison run.

:func:`write_report` turns what the runner measured (per-run results, the summary with intervals,
corrected paired tests, ties and the recommendation, pooled test predictions and the class counts
after each resampler) into ``report.html``.

The work is split in two. The functions of this module build a plain *view* per section: dicts
and lists of strings with every number already formatted and every figure a PNG data URI drawn
by :mod:`equipoise.compare._plots`. Jinja2 templates under ``templates/`` lay the views out, with
autoescaping on, so every user string (title, recipe names and descriptions, class labels,
dataset name, configuration values, warnings, the recommendation) is escaped where it is
printed; no template builds HTML from strings. The stylesheet ``templates/report.css`` is inlined
at render time: the page loads nothing, has no JavaScript, and its Content-Security-Policy
forbids anything but inline CSS and ``data:`` images.

The page is the sections of :data:`SECTIONS` in order. Each pairs a template with the function
that builds its view, or returns None when the section has nothing to show (no shots block, no
per-class recall, ...). A new section is a new :class:`Section`, not a new branch.
"""

from __future__ import annotations

import functools
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_curve

from ..exceptions import InvalidInputError
from ..metrics import greater_is_better, metric_label
from . import _plots
from .summary import KEY_COLUMNS
from .summary import NON_METRIC_COLUMNS as RUN_FACT_COLUMNS

__all__ = [
    "write_report",
    "render_report",
    "Section",
    "SECTIONS",
    "METRIC_ORDER",
    "CALIBRATION_COLUMNS",
    "NON_METRIC_COLUMNS",
    "metric_label",
]

METRIC_ORDER: tuple[str, ...] = (
    "balanced_accuracy",
    "macro_f1",
    "g_mean",
    "mcc",
    "roc_auc",
    "pr_auc",
    "accuracy",
    "sensitivity",
    "specificity",
    "minority_recall",
    "log_loss",
    "brier",
    "ece",
    "classwise_ece",
    "brier_corrected",
    "ece_corrected",
    "log_loss_corrected",
    "many_shot_acc",
    "medium_shot_acc",
    "few_shot_acc",
)
"""The column order of the metric table (display names: :func:`equipoise.metrics.metric_label`;
which values are best: :func:`equipoise.metrics.greater_is_better`)."""

CALIBRATION_COLUMNS: tuple[str, ...] = (
    "brier",
    "brier_corrected",
    "ece",
    "ece_corrected",
    "log_loss",
    "log_loss_corrected",
)
"""Columns of the calibration table (the ``*_corrected`` ones appear only there)."""

MAX_RELIABILITY = 3
"""Recipes (baseline included) drawn on the reliability diagram."""

NON_METRIC_COLUMNS: frozenset[str] = frozenset(KEY_COLUMNS) | frozenset(RUN_FACT_COLUMNS)
"""Columns of ``results.csv`` (and keys of a summary's metrics) that are not scores."""

SHOT_GROUPS = ("many", "medium", "few")
"""The long-tail groups of ``summary["shots"]``, head to tail."""

MAX_FEATURED = 4
"""Recipes (baseline included) that get PR curves and confusion matrices."""

MAX_RECALL_LINES = 5
"""Recipes (baseline included) drawn on the per-class recall plot."""

TALL_ROWS = 15
"""Tables with more rows than this scroll inside a box with a sticky header."""

_VERDICTS = {"better": "better", "worse": "worse", "tied": "tied", "no clear difference": "tied"}
_REQUIRED_SUMMARY_KEYS = ("metric", "baseline", "recipes", "ranking")
_MISSING = object()
_SELECTION_METHODS = {
    "holdout": "a hold-out validation split inside the training fold",
    "inner-cv": "out-of-fold predictions of an inner cross-validation",
}


# --------------------------------------------------------------------------------------------
# Formatting: every number reaches the templates as a string
# --------------------------------------------------------------------------------------------


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
    return "< 0.001" if number < 0.001 else f"{number:.3f}"


def _fmt_p_is(value: Any) -> str:
    """``p = 0.034``, ``p < 0.001`` or ``p n/a``."""
    text = _fmt_p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}" if text != "n/a" else "p n/a"


def _fmt_ci(low: Any, high: Any, *, signed: bool = False) -> str:
    """``[0.790, 0.830]``, or an empty string when neither bound is known."""
    if not (math.isfinite(_num(low)) or math.isfinite(_num(high))):
        return ""
    return f"[{_fmt(low, signed=signed)}, {_fmt(high, signed=signed)}]"


def _fmt_int(value: Any) -> str:
    number = _num(value)
    return f"{int(number):,}" if math.isfinite(number) else "n/a"


def _count(value: Any) -> int:
    """A non-negative count, 0 when missing."""
    number = _num(value)
    return max(int(number), 0) if math.isfinite(number) else 0


def _config_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _verdict(value: Any) -> dict[str, str]:
    """A verdict badge: better, worse or tied (the legacy "no clear difference" is "tied")."""
    cls = _VERDICTS.get(str(value), "na")
    return {"label": cls if cls != "na" else "n/a", "cls": cls}


def _figure(uri: str, alt: str, caption: str = "") -> dict[str, str]:
    return {"uri": uri, "alt": alt, "caption": caption}


class _Figures:
    """The page's figures, drawn once every section's view is built.

    A view gets a placeholder from :meth:`add` where the figure's data URI goes; :meth:`fill`
    draws every figure (:func:`~equipoise.compare._plots.draw_all`: on this process and, when
    given, an executor's processes at once) and puts each URI in its placeholder's place in the
    page. The placeholders carry a random token, so no user string in the page can be one.
    """

    def __init__(self) -> None:
        self._token = uuid.uuid4().hex
        self._drawings: list[_plots.Drawing] = []

    def add(self, chart: Callable[..., str], *args: Any, **kwargs: Any) -> str:
        """Queue ``chart(*args, **kwargs)`` (a chart function of :mod:`._plots`); its placeholder."""
        self._drawings.append(functools.partial(chart, *args, **kwargs))
        return f"figure-{self._token}-{len(self._drawings) - 1}"

    def fill(self, page: str, executor: Executor | None) -> str:
        uris = _plots.draw_all(self._drawings, executor)
        return re.sub(f"figure-{self._token}-([0-9]+)", lambda m: uris[int(m.group(1))], page)


# --------------------------------------------------------------------------------------------
# The inputs, checked and normalised once
# --------------------------------------------------------------------------------------------


class _Inputs:
    """The arguments of :func:`render_report`, with what every section derives from them."""

    def __init__(
        self,
        *,
        title: str,
        profile: Any,
        results: pd.DataFrame,
        summary: Mapping[str, Any],
        predictions: Mapping[str, Mapping[str, Any]],
        resampled_counts: Mapping[str, Mapping[Any, Any]],
        config: Mapping[str, Any],
        generated: datetime,
    ) -> None:
        self.title, self.profile, self.results, self.summary = title, profile, results, summary
        self.figures = _Figures()
        self.predictions, self.resampled_counts, self.config, self.generated = (
            predictions,
            resampled_counts,
            config,
            generated,
        )
        s = summary
        self.recipes: dict[str, dict[str, Any]] = {
            str(name): dict(entry or {}) for name, entry in s["recipes"].items()
        }
        self.order = [str(r) for r in s["ranking"] if str(r) in self.recipes]
        self.order += [r for r in self.recipes if r not in self.order]
        self.metric = str(s["metric"])
        self.baseline = None if s["baseline"] is None else str(s["baseline"])
        self.has_baseline = self.baseline in self.recipes
        best = s.get("best")
        self.best = str(best) if best is not None and str(best) in self.recipes else self.order[0]
        self.tied: list[str] | None = None  # None: the summary does not say (schema 1)
        if "tied_with_best" in s:
            self.tied = [
                str(r)
                for r in s.get("tied_with_best") or []
                if str(r) in self.recipes and str(r) != self.best
            ]
        recommended = s.get("recommended", _MISSING)
        self.recommended: Any = recommended if recommended in (_MISSING, None) else str(recommended)
        self.references = [r for r in self.order if self.recipes[r].get("family") == "reference"]
        self.dataset: dict[str, Any] = dict(s.get("dataset") or {})
        self.design: dict[str, Any] = dict(s.get("design") or {})
        self.selection: dict[str, Any] = dict(s.get("selection") or {})
        self.shots: dict[str, Any] | None = dict(s["shots"]) if s.get("shots") else None
        self.vs_baseline: dict[str, Any] = {
            str(k): v or {} for k, v in (s.get("vs_baseline") or {}).items()
        }
        self.vs_best: dict[str, Any] = {
            str(k): v or {} for k, v in (s.get("vs_best") or {}).items()
        }
        counts = (
            dict(profile.counts)
            if profile is not None
            else dict(self.dataset.get("class_counts") or {})
        )
        self.counts: dict[str, int] = {str(k): _count(v) for k, v in counts.items()}
        self.positive = self._positive_class()
        self.collapsed = self._collapsed_runs()

    def _collapsed_runs(self) -> dict[str, tuple[int, int | None]]:
        """``{recipe: (runs whose predictions collapsed, runs)}`` for the recipes with any: from
        the summary, else from the ``collapsed`` column of the results."""
        flags = self.run_values("collapsed")
        out = {}
        for name, entry in self.recipes.items():
            if "collapsed_runs" in entry:
                runs = _num(entry.get("n_runs"))
                counted = (
                    _count(entry["collapsed_runs"]),
                    int(runs) if math.isfinite(runs) else None,
                )
            elif name in flags:
                counted = (int(np.sum(np.asarray(flags[name], dtype=bool))), len(flags[name]))
            else:
                continue
            if counted[0] > 0:
                out[name] = counted
        return out

    def _positive_class(self) -> str | None:
        if self.dataset.get("positive_class") is not None:
            return str(self.dataset["positive_class"])
        if len(self.counts) == 2:
            for pred in self.predictions.values():
                if pred.get("labels") is not None and len(pred["labels"]) == 2:
                    return str(list(pred["labels"])[-1])
        return None

    def stat(self, recipe: str, metric: str) -> dict[str, float]:
        """``{"mean", "low", "high", "n"}`` of one recipe and metric (NaN when missing)."""
        entry = (self.recipes.get(recipe, {}).get("metrics") or {}).get(metric) or {}
        return {key: _num(entry.get(key)) for key in ("mean", "low", "high", "n")}

    def tags(self, recipe: str) -> list[dict[str, str]]:
        """The badges beside a recipe's name."""
        tags = []
        if recipe == self.baseline:
            tags.append({"label": "baseline", "cls": ""})
        if recipe in self.references:
            tags.append({"label": "reference", "cls": "ref"})
        if recipe == self.recommended:
            tags.append({"label": "recommended", "cls": "rec"})
        if recipe in self.collapsed:
            runs, total = self.collapsed[recipe]
            tags.append(
                {
                    "label": f"collapsed {runs}{'' if total is None else f'/{total}'} runs",
                    "cls": "warn",
                }
            )
        return tags

    def featured(self, limit: int) -> list[str]:
        """The best, the recommended, the best reference, the tied and the next in the ranking,
        then the baseline: at most ``limit`` recipes."""
        wanted = [
            self.best,
            self.recommended,
            *self.references[:1],
            *(self.tied or []),
            *self.order,
        ]
        chosen: list[str] = []
        for name in wanted:
            if (
                isinstance(name, str)
                and name in self.recipes
                and name != self.baseline
                and name not in chosen
            ):
                chosen.append(name)
        chosen = chosen[: limit - 1 if self.has_baseline else limit]
        return (
            [*chosen, self.baseline] if self.has_baseline and self.baseline is not None else chosen
        )

    def class_order(self) -> list[str]:
        """Class labels: the profile's order, then any label only the resamplers produced."""
        labels = list(self.counts)
        for counts in self.resampled_counts.values():
            labels += [str(k) for k in counts if str(k) not in labels]
        return labels

    def head_to_tail(self) -> list[str]:
        """Class labels, largest class first (stable for equal counts)."""
        return sorted(self.counts, key=lambda label: -self.counts[label])

    def shot_group(self) -> dict[str, str]:
        """``{label: "many" | "medium" | "few"}`` from ``summary["shots"]`` (empty without one)."""
        groups: dict[str, str] = {}
        for group in SHOT_GROUPS:
            for label in ((self.shots or {}).get("classes") or {}).get(group) or []:
                groups[str(label)] = group
        return groups

    def metric_columns(self) -> list[str]:
        """Metrics of the metric table: the primary first, then the known ones, then the rest.
        Non-score columns are left out, and so are the shot accuracies when their own table
        shows them."""
        present: set[str] = set()
        for entry in self.recipes.values():
            present.update(str(m) for m in entry.get("metrics") or {})
        present -= NON_METRIC_COLUMNS
        if self.shots:
            present -= {f"{g}_shot_accuracy" for g in SHOT_GROUPS}
        present -= {
            c for c in CALIBRATION_COLUMNS if c.endswith("_corrected")
        }  # the calibration section shows them
        ordered = [m for m in METRIC_ORDER if m in present] + sorted(
            present.difference(METRIC_ORDER)
        )
        return [self.metric, *(m for m in ordered if m != self.metric)]

    def run_values(self, column: str) -> dict[str, np.ndarray]:
        """``{recipe: values of results[column]}`` (empty when the column is absent)."""
        if column not in self.results.columns:
            return {}
        return {
            str(name): group.to_numpy()
            for name, group in self.results.groupby("recipe", sort=False)[column]
        }


def _check_inputs(
    summary: Any, results: Any, predictions: Any, resampled_counts: Any, config: Any
) -> None:
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
    for name, value in (
        ("predictions", predictions),
        ("resampled_counts", resampled_counts),
        ("config", config),
    ):
        if not isinstance(value, Mapping):
            raise InvalidInputError(
                f"The '{name}' argument of write_report must be a dict; got {type(value).__name__}."
            )


# --------------------------------------------------------------------------------------------
# Section views
# --------------------------------------------------------------------------------------------


def _evaluation(inp: _Inputs) -> str:
    """One line: how the scores were obtained."""
    if inp.design.get("description"):
        return str(inp.design["description"])
    folds, seeds = inp.summary.get("n_folds", "?"), inp.summary.get("n_seeds", "?")
    return f"{folds} folds x {seeds} seed(s)"


def _source(inp: _Inputs) -> str:
    """Where the pooled predictions come from, to end a sentence."""
    if inp.design.get("kind") == "fixed-test" or _test_set(inp):
        return "on the test set, first seed"
    return "pooled over the test folds of the first seed"


def _test_set(inp: _Inputs) -> dict[str, Any] | None:
    test = inp.dataset.get("test_set")
    return dict(test) if isinstance(test, Mapping) else None


def _view_header(inp: _Inputs) -> dict[str, Any]:
    d = inp.dataset
    facts = [
        ("Dataset", d.get("name", "n/a")),
        ("Samples", _fmt_int(d["n_samples"]) if "n_samples" in d else "n/a"),
        ("Features", _fmt_int(d["n_features"]) if "n_features" in d else "n/a"),
        ("Classes", str(len(inp.counts))),
        ("Primary metric", metric_label(inp.metric)),
        ("Baseline", inp.baseline if inp.baseline is not None else "none"),
        ("Evaluation", _evaluation(inp)),
    ]
    test = _test_set(inp)
    if test:
        facts.append(
            ("Test set", f"{test.get('name', 'n/a')} ({_fmt_int(test.get('n_samples'))} rows)")
        )
    if inp.positive is not None:
        facts.append(("Positive class", inp.positive))
    facts.append(("Generated", inp.generated.strftime("%Y-%m-%d %H:%M UTC")))
    elapsed = _num(inp.summary.get("elapsed_seconds"))
    if math.isfinite(elapsed):
        facts.append(("Run time", f"{elapsed:.1f} s"))
    config = [(str(key), _config_value(value)) for key, value in inp.config.items()]
    return {"title": inp.title, "facts": [(k, str(v)) for k, v in facts], "config": config}


def _collapsed_sentence(inp: _Inputs, recipe: str) -> str | None:
    if recipe not in inp.collapsed:
        return None
    runs, total = inp.collapsed[recipe]
    return (
        f"The predictions of {recipe} collapsed to a single class in {runs}{'' if total is None else f' of {total}'} runs: "
        "every test row got the same label there, so its scores in those runs are those of a constant predictor."
    )


def _view_recommendation(inp: _Inputs) -> dict[str, Any]:
    best = inp.stat(inp.best, inp.metric)
    view: dict[str, Any] = {
        "text": str(inp.summary.get("recommendation") or "No recommendation was produced."),
        "metric": metric_label(inp.metric),
        "best": {
            "name": inp.best,
            "tags": inp.tags(inp.best),
            "mean": _fmt(best["mean"]),
            "ci": _fmt_ci(best["low"], best["high"]),
        },
        "baseline": None,
        "verdict": None,
        "tied": inp.tied,
        "recommended": None,
        "references": None,
        "warnings": [],
    }
    if inp.has_baseline and inp.baseline is not None and inp.best != inp.baseline:
        base = inp.stat(inp.baseline, inp.metric)
        view["baseline"] = {
            "name": inp.baseline,
            "mean": _fmt(base["mean"]),
            "ci": _fmt_ci(base["low"], base["high"]),
        }
        entry = inp.vs_baseline.get(inp.best)
        if entry:
            p = entry.get("p_holm", entry.get("p_value"))
            view["verdict"] = {
                **_verdict(entry.get("verdict")),
                "p": _fmt_p_is(p),
                "holm": "p_holm" in entry,
            }
    if inp.recommended is None:
        view["recommended"] = {"name": None, "reason": "no recipe is recommended over the baseline"}
    elif inp.recommended is not _MISSING:
        name = inp.recommended
        if name == inp.best:
            reason = "the best recipe" + (
                ", and the simplest of those tied with it" if inp.tied else ""
            )
        elif name in (inp.tied or []):
            reason = f"the simplest of the recipes tied with {inp.best}"
        elif name == inp.baseline:
            reason = "the baseline"
        else:
            reason = ""
        view["recommended"] = {"name": name, "reason": reason}
    refs = inp.summary.get("references")
    if isinstance(refs, Mapping):
        detail = None
        if refs.get("best") is not None and refs.get("against") is not None:
            detail = {
                "reference": str(refs["best"]),
                "against": str(refs["against"]),
                "diff": _fmt(refs.get("diff"), signed=True),
                "ci": _fmt_ci(refs.get("low"), refs.get("high"), signed=True),
                "p": _fmt_p_is(refs.get("p_value")),
                "verdict": _verdict(refs.get("verdict")),
            }
        view["references"] = {"sentence": str(refs.get("sentence") or ""), "detail": detail}
    for name in dict.fromkeys([inp.best, inp.recommended]):
        if isinstance(name, str):
            sentence = _collapsed_sentence(inp, name)
            if sentence:
                view["warnings"].append(sentence)
    return view


def _view_design(inp: _Inputs) -> dict[str, Any]:
    d, sel = inp.design, inp.selection
    items = [("Evaluation", _evaluation(inp))]
    test = _test_set(inp)
    if test:
        counts = test.get("class_counts") or {}
        items.append(
            (
                "Test set",
                f"{test.get('name', 'n/a')}: {_fmt_int(test.get('n_samples'))} rows"
                + (
                    f" in {len(counts)} classes, {_fmt_int(min(counts.values()))} to {_fmt_int(max(counts.values()))} per class"
                    if counts
                    else ""
                )
                + ". Training never sees it; every run is scored on all of it.",
            )
        )
    if d.get("test"):
        test_line = str(d["test"])
        if d.get("correction"):
            test_line += f", {d['correction']} correction across the recipes compared"
        if math.isfinite(_num(d.get("alpha"))):
            test_line += f", significance level {_num(d['alpha']):g}"
        items.append(("Statistical test", test_line))
    if sel.get("criterion"):
        items.append(("Epoch selection", str(sel["criterion"])))
    budget, per_epoch, batch = (
        _num(sel.get(k)) for k in ("budget_steps", "steps_per_epoch", "batch_size")
    )
    if math.isfinite(budget):
        line = f"{int(budget):,} optimiser steps per run, whatever resampling did to the row count"
        extras = []
        if math.isfinite(per_epoch) and per_epoch > 0:
            extras.append(f"{int(per_epoch):,} steps per epoch, {budget / per_epoch:g} epochs")
        if math.isfinite(batch):
            extras.append(f"batch size {int(batch)}")
        items.append(("Training budget", line + (f" ({', '.join(extras)})" if extras else "")))
    methods = {str(k): int(_num(v)) for k, v in (sel.get("methods") or {}).items() if _num(v) > 0}
    if methods:
        items.append(
            (
                "Validation",
                "; ".join(
                    f"{_SELECTION_METHODS.get(k, k)}: {v:,} runs" for k, v in methods.items()
                ),
            )
        )
    steps = inp.run_values("chosen_epochs")
    selection = inp.run_values("selection")
    rows = []
    for name in inp.order:
        values = np.asarray([_num(v) for v in steps.get(name, [])], dtype=float)
        values = values[np.isfinite(values)]
        if not values.size:
            continue
        kinds = pd.Series(selection.get(name, []), dtype=object).value_counts(sort=False)
        rows.append(
            {
                "name": name,
                "tags": inp.tags(name),
                "runs": str(values.size),
                "median": f"{int(np.median(values)):,}",
                "range": f"{int(values.min()):,} to {int(values.max()):,}",
                "selection": ", ".join(f"{k} ({v})" for k, v in kinds.items()),
            }
        )
    return {
        "facts": items,
        "note": str(sel.get("note") or ""),
        "steps": rows,
        "tall": len(rows) > TALL_ROWS,
    }


def _view_profile(inp: _Inputs) -> dict[str, Any]:
    counts = inp.counts
    total = sum(counts.values()) or 1
    if inp.profile is not None:
        proportions = {str(k): _num(v) for k, v in dict(inp.profile.proportions).items()}
        ratio = _num(inp.profile.imbalance_ratio)
        minority, majority = str(inp.profile.minority), str(inp.profile.majority)
        warnings = [str(w) for w in inp.profile.warnings]
        n_samples, n_classes = int(inp.profile.n_samples), int(inp.profile.n_classes)
    else:
        proportions = {k: v / total for k, v in counts.items()}
        ratio = _num(inp.dataset.get("imbalance_ratio"))
        minority = min(counts, key=counts.__getitem__) if counts else "n/a"
        majority = max(counts, key=counts.__getitem__) if counts else "n/a"
        warnings, n_samples, n_classes = [], total, len(counts)
    test = _test_set(inp) or {}
    test_counts = {str(k): v for k, v in (test.get("class_counts") or {}).items()}
    groups = inp.shot_group()
    largest = max(counts.values(), default=0) or 1
    rows = []
    for label, count in counts.items():
        share = proportions.get(label, math.nan)
        tags = [{"label": "positive", "cls": "rec"}] if label == inp.positive else []
        rows.append(
            {
                "label": label,
                "tags": tags,
                "count": f"{count:,}",
                "share": f"{100 * share:.1f}%" if math.isfinite(share) else "n/a",
                "width": f"{100 * count / largest:.1f}",
                "test": _fmt_int(test_counts.get(label, 0)) if test_counts else None,
                "group": groups.get(label, "") if groups else None,
            }
        )
    return {
        "n_samples": f"{n_samples:,}",
        "n_classes": str(n_classes),
        "ratio": _fmt(ratio, 2),
        "majority": majority,
        "minority": minority,
        "positive": inp.positive,
        "rows": rows,
        "test_name": str(test.get("name", "test set")) if test_counts else None,
        "has_groups": bool(groups),
        "warnings": warnings,
        "tall": len(rows) > TALL_ROWS,
    }


def _view_distribution(inp: _Inputs) -> dict[str, Any]:
    if not inp.resampled_counts:
        return {"rows": []}
    labels = inp.class_order()

    def vector(counts: Mapping[Any, Any]) -> list[int]:
        by_str = {str(k): int(_num(v)) if math.isfinite(_num(v)) else 0 for k, v in counts.items()}
        return [by_str.get(label, 0) for label in labels]

    names = [n for n in ("original", *inp.order) if n in inp.resampled_counts]
    names += [str(n) for n in inp.resampled_counts if str(n) not in names]
    vectors = {name: vector(inp.resampled_counts[name]) for name in names}
    # Recipes with the same counts share one series on the chart (most leave the data as is).
    series: dict[tuple[int, ...], list[str]] = {}
    for name in names:
        series.setdefault(tuple(vectors[name]), []).append(name)
    shown = [
        (
            ", ".join(members[:3]) + (f" + {len(members) - 3} more" if len(members) > 3 else ""),
            list(vec),
        )
        for vec, members in series.items()
    ]
    order = list(range(len(labels)))
    if "original" in vectors and len(labels) > 15:
        order = sorted(order, key=lambda i: -vectors["original"][i])
    uri = inp.figures.add(
        _plots.class_distribution_chart,
        [labels[i] for i in order],
        [(n, [v[i] for i in order]) for n, v in shown],
    )
    alt = "Training class counts before resampling and after each resampler: " + "; ".join(
        f"{name}: " + ", ".join(f"{k}={c}" for k, c in list(zip(labels, vec))[:12])
        for name, vec in shown[:8]
    )
    rows = [
        {
            "name": name,
            "before": name == "original",
            "counts": [f"{c:,}" for c in vectors[name]],
            "total": f"{sum(vectors[name]):,}",
        }
        for name in names
    ]
    note = (
        f"The chart shows the first {_plots.MAX_SERIES} of {len(shown)} distinct distributions; the table lists all."
        if len(shown) > _plots.MAX_SERIES
        else ""
    )
    return {
        "figure": _figure(uri, alt),
        "labels": labels,
        "rows": rows,
        "note": note,
        "tall": len(rows) > TALL_ROWS,
    }


def _best_value(inp: _Inputs, metric: str) -> float:
    finite = [v for v in (inp.stat(r, metric)["mean"] for r in inp.order) if math.isfinite(v)]
    if not finite:
        return math.nan
    return max(finite) if greater_is_better(metric) else min(finite)


def _metric_cell(inp: _Inputs, recipe: str, metric: str, best: float) -> dict[str, Any]:
    stat = inp.stat(recipe, metric)
    return {
        "metric": metric,
        "mean": _fmt(stat["mean"]),
        "ci": _fmt_ci(stat["low"], stat["high"]),
        "best": math.isfinite(stat["mean"]) and stat["mean"] == best,
    }


def _steps_line(inp: _Inputs, recipe: str) -> str:
    """The recipe's steps, ``resample smote · loss focal``: those that differ from the
    baseline's (all of them for the baseline and the references)."""
    steps = inp.recipes[recipe].get("steps")
    if not isinstance(steps, Mapping):
        return ""
    base = inp.recipes.get(inp.baseline or "", {}).get("steps")
    base = (
        base
        if isinstance(base, Mapping) and recipe != inp.baseline and recipe not in inp.references
        else {}
    )
    if recipe not in inp.references:
        base = {**base, "model": steps.get("model")}  # every neural recipe trains the same network
    return " · ".join(
        f"{k} {v}" for k, v in steps.items() if v is not None and (k not in base or base[k] != v)
    )


def _view_metrics(inp: _Inputs) -> dict[str, Any]:
    metrics = inp.metric_columns()
    best = {m: _best_value(inp, m) for m in metrics}
    fit = {
        name: float(np.nanmean(np.asarray(v, dtype=float)))
        for name, v in inp.run_values("fit_seconds").items()
        if len(v)
    }
    rows = []
    for rank, recipe in enumerate(inp.order, start=1):
        entry = inp.recipes[recipe]
        rows.append(
            {
                "rank": str(rank),
                "name": recipe,
                "top": rank == 1,
                "tags": inp.tags(recipe),
                "description": str(entry.get("description") or ""),
                "steps": _steps_line(inp, recipe),
                "cells": [_metric_cell(inp, recipe, m, best[m]) for m in metrics],
                "fit": _fmt(fit.get(recipe), 2) if fit else None,
            }
        )
    headers = [
        {"label": metric_label(m), "tag": "primary" if m == inp.metric else ""} for m in metrics
    ]
    collapsed = [s for s in (_collapsed_sentence(inp, r) for r in inp.order) if s]
    failed = [(str(k), str(v)) for k, v in (inp.summary.get("failed") or {}).items()]
    return {
        "headers": headers,
        "rows": rows,
        "has_fit": bool(fit),
        "collapsed": collapsed,
        "failed": failed,
        "tall": len(rows) > TALL_ROWS,
    }


def _comparison_rows(
    inp: _Inputs, table: Mapping[str, Mapping[str, Any]], skip: str | None
) -> list[dict[str, Any]]:
    rows = []
    for recipe in inp.order:
        if recipe == skip:
            continue
        entry = table.get(recipe)
        row: dict[str, Any] = {"name": recipe, "tags": inp.tags(recipe)}
        if entry:
            row.update(
                diff=_fmt(entry.get("diff"), signed=True),
                ci=_fmt_ci(entry.get("low"), entry.get("high"), signed=True),
                p=_fmt_p(entry.get("p_value")),
                p_holm=_fmt_p(entry.get("p_holm")),
                verdict=_verdict(entry.get("verdict")),
            )
        else:
            row.update(
                diff="n/a",
                ci="",
                p="n/a",
                p_holm="n/a",
                verdict={"label": "not compared", "cls": "na"},
            )
        rows.append(row)
    return rows


def _view_vs_baseline(inp: _Inputs) -> dict[str, Any]:
    rows = _comparison_rows(inp, inp.vs_baseline, inp.baseline) if inp.has_baseline else []
    return {
        "baseline": inp.baseline,
        "metric": metric_label(inp.metric),
        "rows": rows,
        "has_holm": any("p_holm" in v for v in inp.vs_baseline.values()),
        "test": str(inp.design.get("test") or ""),
        "correction": str(inp.design.get("correction") or ""),
        "tall": len(rows) > TALL_ROWS,
    }


def _view_vs_best(inp: _Inputs) -> dict[str, Any] | None:
    if not inp.vs_best:
        return None
    rows = [
        row for row in _comparison_rows(inp, inp.vs_best, inp.best) if row["name"] in inp.vs_best
    ]
    return {
        "best": inp.best,
        "metric": metric_label(inp.metric),
        "rows": rows,
        "has_holm": any("p_holm" in v for v in inp.vs_best.values()),
        "correction": str(inp.design.get("correction") or ""),
        "tall": len(rows) > TALL_ROWS,
    }


def _view_chart(inp: _Inputs) -> dict[str, Any]:
    stats = [inp.stat(r, inp.metric) for r in inp.order]
    means, lows, highs = ([s[k] for s in stats] for k in ("mean", "low", "high"))
    start = _plots.value_axis_start(lows, means, highs)
    folds = inp.run_values(inp.metric)
    uri = inp.figures.add(
        _plots.metric_bar_chart,
        inp.order,
        means,
        lows,
        highs,
        metric_label=metric_label(inp.metric),
        baseline_mean=inp.stat(inp.baseline, inp.metric)["mean"]
        if inp.has_baseline and inp.baseline is not None
        else None,
        highlight=[
            _verdict((inp.vs_baseline.get(r) or {}).get("verdict"))["cls"] == "better"
            for r in inp.order
        ],
        hatched=[r in inp.references for r in inp.order],
        fold_values=[np.asarray(folds.get(r, []), dtype=float) for r in inp.order]
        if folds
        else None,
        axis_start=start,
    )
    alt = f"{metric_label(inp.metric)} per recipe, best first: " + "; ".join(
        f"{r} {_fmt(s['mean'])} {_fmt_ci(s['low'], s['high'])}".rstrip()
        for r, s in list(zip(inp.order, stats))[:30]
    )
    if start > 0:
        alt += f". The value axis starts at {start:.2f}, not 0."
    return {
        "metric": metric_label(inp.metric),
        "figure": _figure(uri, alt),
        "axis_start": f"{start:.2f}" if start > 0 else None,
        "has_references": bool(inp.references),
    }


def _view_shots(inp: _Inputs) -> dict[str, Any] | None:
    if not inp.shots:
        return None
    thresholds = inp.shots.get("thresholds") or {}
    classes = inp.shots.get("classes") or {}
    groups = [
        {
            "name": f"{group}-shot",
            "classes": ", ".join(
                f"{label} ({inp.counts[str(label)]:,})" if str(label) in inp.counts else str(label)
                for label in classes.get(group) or []
            )
            or "none",
            "n": str(len(classes.get(group) or [])),
        }
        for group in SHOT_GROUPS
    ]
    metrics = [f"{g}_shot_accuracy" for g in SHOT_GROUPS]
    best = {m: _best_value(inp, m) for m in metrics}
    rows = [
        {
            "name": r,
            "tags": inp.tags(r),
            "cells": [_metric_cell(inp, r, m, best[m]) for m in metrics],
        }
        for r in inp.order
    ]
    return {
        "many": _fmt_int(thresholds.get("many")),
        "few": _fmt_int(thresholds.get("few")),
        "rule": str(inp.shots.get("rule") or ""),
        "groups": groups,
        "rows": rows,
        "tall": len(rows) > TALL_ROWS,
    }


def _view_recall(inp: _Inputs) -> dict[str, Any] | None:
    with_recall = [r for r in inp.order if inp.recipes[r].get("per_class_recall")]
    if not with_recall or not inp.counts:
        return None
    shown = [r for r in inp.featured(MAX_RECALL_LINES) if r in with_recall]
    classes = inp.head_to_tail()
    recall = {
        r: {str(k): _num(v) for k, v in inp.recipes[r]["per_class_recall"].items()} for r in shown
    }
    groups = inp.shot_group()
    series = [
        _plots.RecallSeries(
            r, np.array([recall[r].get(c, math.nan) for c in classes]), r == inp.baseline
        )
        for r in shown
    ]
    uri = inp.figures.add(
        _plots.recall_by_class_chart,
        classes,
        [inp.counts[c] for c in classes],
        series,
        groups=[f"{groups.get(c, '')}-shot" if c in groups else "" for c in classes]
        if groups
        else None,
    )
    alt = "Recall per class, largest class first: " + "; ".join(
        f"{r}: "
        + ", ".join(f"{c} {_fmt(recall[r].get(c), 2)}" for c in classes[:12])
        + (" ..." if len(classes) > 12 else "")
        for r in shown
    )
    rows = [
        {
            "label": c,
            "count": f"{inp.counts[c]:,}",
            "group": groups.get(c, ""),
            "cells": [_fmt(recall[r].get(c), 2) for r in shown],
        }
        for c in classes
    ]
    return {
        "figure": _figure(uri, alt),
        "recipes": shown,
        "rows": rows,
        "has_groups": bool(groups),
        "tall": len(rows) > TALL_ROWS,
    }


def _average_precision(precision: np.ndarray, recall: np.ndarray) -> float:
    """AP = sum_n (R_n - R_{n-1}) P_n over a curve from precision_recall_curve (recall falling)."""
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def _pr_curve(
    pred: Mapping[str, Any], name: str, baseline: str | None
) -> tuple[_plots.PRCurve, float] | None:
    """The PR curve of one recipe (binary: positive class ``labels[-1]``) or the macro average
    of its one-vs-rest curves (multiclass), with the positive share (NaN when multiclass)."""
    score = pred.get("y_score")
    if score is None:
        return None
    y_true = np.asarray(pred["y_true"], dtype=object)
    labels = list(pred.get("labels") or sorted(set(y_true.tolist()), key=str))
    score = np.asarray(score, dtype=float)
    if score.ndim == 2 and score.shape[1] == 2 and len(labels) == 2:
        score = score[:, 1]
    columns = [(labels[-1], score)] if score.ndim == 1 else list(zip(labels, score.T))
    curves = []
    for label, column in columns:
        target = y_true == label
        if target.all() or not target.any():
            continue
        precision, recall, _ = precision_recall_curve(target, column)
        curves.append((precision, recall))
    if not curves:
        return None
    if score.ndim == 1:
        precision, recall = curves[0]
        ap = _average_precision(precision, recall)
        return _plots.PRCurve(name, recall[::-1], precision[::-1], ap, name == baseline), float(
            np.mean(y_true == labels[-1])
        )
    grid = np.linspace(0.0, 1.0, 201)
    # Interpolated precision: the best precision at any recall >= r (a monotone envelope);
    # recall decreases along the arrays, so the running maximum runs from their start.
    interpolated = [np.interp(grid, r[::-1], np.maximum.accumulate(p)[::-1]) for p, r in curves]
    ap = float(np.mean([_average_precision(p, r) for p, r in curves]))
    return _plots.PRCurve(
        name, grid, np.mean(interpolated, axis=0), ap, name == baseline, interpolated=True
    ), math.nan


def _view_pr_curves(inp: _Inputs) -> dict[str, Any]:
    curves, skipped, prevalence, positive = [], [], math.nan, None
    for recipe in inp.featured(MAX_FEATURED):
        pred = inp.predictions.get(recipe)
        result = _pr_curve(pred, recipe, inp.baseline) if pred else None
        if pred is None or result is None:
            skipped.append(recipe)
            continue
        curves.append(result[0])
        if math.isfinite(result[1]):
            prevalence, positive = result[1], str(list(pred["labels"])[-1])
    view: dict[str, Any] = {
        "figure": None,
        "skipped": skipped,
        "positive": positive,
        "multiclass": False,
        "source": _source(inp),
    }
    if curves:
        view["multiclass"] = positive is None
        title = (
            "macro-averaged one-vs-rest PR curves"
            if positive is None
            else f"precision-recall curves, positive class {_plots.mpl_text(positive, 20)}"
        )
        uri = inp.figures.add(
            _plots.pr_curve_chart,
            curves,
            prevalence=prevalence if positive is not None else None,
            title=title,
        )
        alt = "Precision-recall curves: " + "; ".join(
            f"{c.name} AP {_fmt(c.average_precision)}" for c in curves
        )
        view["figure"] = _figure(uri, alt)
        view["prevalence"] = _fmt(prevalence)
    return view


def _confusion_counts(pred: Mapping[str, Any]) -> tuple[np.ndarray, list[str]]:
    y_true = np.asarray(pred["y_true"], dtype=object)
    y_pred = np.asarray(pred["y_pred"], dtype=object)
    labels = list(
        pred.get("labels") or sorted(set(y_true.tolist()) | set(y_pred.tolist()), key=str)
    )
    index = {label: i for i, label in enumerate(labels)}
    true_idx = np.array([index.get(t, -1) for t in y_true])
    pred_idx = np.array([index.get(p, -1) for p in y_pred])
    keep = (true_idx >= 0) & (pred_idx >= 0)
    counts = confusion_matrix(true_idx[keep], pred_idx[keep], labels=np.arange(len(labels)))
    return counts, [str(label) for label in labels]


def _view_confusion(inp: _Inputs) -> dict[str, Any]:
    figures, skipped, n_classes = [], [], 0
    for recipe in inp.featured(MAX_FEATURED):
        pred = inp.predictions.get(recipe)
        if not pred or not len(pred.get("y_true", [])):
            skipped.append(recipe)
            continue
        counts, names = _confusion_counts(pred)
        n_classes = max(n_classes, len(names))
        totals = counts.sum(axis=1)
        recalls = ", ".join(
            f"{n} {100 * counts[i, i] / totals[i]:.0f}% ({counts[i, i]} of {totals[i]})"
            if totals[i]
            else f"{n} n/a"
            for i, n in enumerate(names[:12])
        )
        more = f" and {len(names) - 12} more classes" if len(names) > 12 else ""
        tag = (
            " (baseline)"
            if recipe == inp.baseline
            else " (reference)"
            if recipe in inp.references
            else ""
        )
        alt = f"Confusion matrix of {recipe}{tag}, rows true class, columns predicted class. Recall per class: {recalls}{more}."
        uri = inp.figures.add(_plots.confusion_matrix_chart, counts, names)
        figures.append(_figure(uri, alt, recipe + tag))
    return {
        "figures": figures,
        "skipped": skipped,
        "n_classes": str(n_classes),
        "annotated": n_classes <= _plots.MAX_ANNOTATED_CLASSES,
        "wide": n_classes > 8,
        "source": _source(inp),
    }


def _reliability_figure(inp: _Inputs, recipes: Sequence[str]) -> dict[str, str] | None:
    """Reliability diagram (15 equal-width bins) of the pooled test predictions of ``recipes``."""
    from ..metrics import expected_calibration_error

    curves, alts = {}, []
    for recipe in recipes:
        pred = inp.predictions.get(recipe) or {}
        score = pred.get("y_score")
        if score is None or not len(pred.get("y_true", [])):
            continue
        labels = list(pred.get("labels") or [])
        y_true = (
            np.asarray([labels.index(t) for t in pred["y_true"]])
            if labels
            else np.asarray(pred["y_true"])
        )
        proba = np.asarray(score, dtype=float)
        try:
            ece = expected_calibration_error(
                y_true, proba, labels=np.arange(len(labels)) if labels else None
            )
        except (InvalidInputError, ValueError):
            continue
        tag = " (baseline)" if recipe == inp.baseline and recipe != "baseline" else ""
        curves[_plots.mpl_text(recipe) + tag] = (y_true, proba)
        alts.append(f"{recipe}{tag} ECE {_fmt(ece)}")
    if not curves:
        return None
    return _figure(
        inp.figures.add(_plots.reliability_chart, curves),
        "Reliability diagram, accuracy against confidence in 15 bins: " + "; ".join(alts) + ".",
    )


def _view_calibration(inp: _Inputs) -> dict[str, Any] | None:
    present = [
        c
        for c in CALIBRATION_COLUMNS
        if any(c in (e.get("metrics") or {}) for e in inp.recipes.values())
    ]
    if "brier" not in present:
        return None
    best = {m: _best_value(inp, m) for m in present}
    rows = [
        {
            "name": r,
            "tags": inp.tags(r),
            "cells": [_metric_cell(inp, r, m, best[m]) for m in present],
        }
        for r in inp.order
    ]
    featured = [inp.best, *(n for n in inp.order if n not in (inp.best, inp.baseline))][
        : MAX_RELIABILITY - 1
    ]
    if inp.has_baseline and inp.baseline is not None:
        featured.append(inp.baseline)
    return {
        "headers": [metric_label(m) for m in present],
        "rows": rows,
        "figure": _reliability_figure(inp, featured),
        "source": _source(inp),
        "corrected": any(c.endswith("_corrected") for c in present),
        "tall": len(rows) > TALL_ROWS,
    }


def _view_howto(inp: _Inputs) -> dict[str, Any]:
    return {
        "test": str(inp.design.get("test") or ""),
        "correction": str(inp.design.get("correction") or ""),
        "references": bool(inp.references),
        "shots": bool(inp.shots),
    }


def _view_footer(inp: _Inputs) -> dict[str, Any]:
    version = inp.config.get("equipoise_version") or inp.config.get("version") or ""
    return {
        "made": f"equipoise {version}" if version else "equipoise",
        "generated": inp.generated.strftime("%Y-%m-%d %H:%M UTC"),
    }


@dataclass(frozen=True)
class Section:
    """One part of the page: a template under ``templates/sections/`` and its view builder.

    Attributes
    ----------
    id : str
        The HTML id of the section (``header`` and ``footer`` are the page's own elements).
    template : str
        Template file name, relative to ``templates/``.
    build : callable
        ``build(inputs) -> dict | None``: the section's view, or None to leave it out.
    """

    id: str
    template: str
    build: Callable[[_Inputs], dict[str, Any] | None]


SECTIONS: tuple[Section, ...] = (
    Section("header", "sections/header.html.j2", _view_header),
    Section("recommendation", "sections/recommendation.html.j2", _view_recommendation),
    Section("design", "sections/design.html.j2", _view_design),
    Section("profile", "sections/profile.html.j2", _view_profile),
    Section("distribution", "sections/distribution.html.j2", _view_distribution),
    Section("chart", "sections/chart.html.j2", _view_chart),
    Section("metrics", "sections/metrics.html.j2", _view_metrics),
    Section("vs-baseline", "sections/vs_baseline.html.j2", _view_vs_baseline),
    Section("vs-best", "sections/vs_best.html.j2", _view_vs_best),
    Section("shots", "sections/shots.html.j2", _view_shots),
    Section("recall", "sections/recall.html.j2", _view_recall),
    Section("pr-curves", "sections/pr_curves.html.j2", _view_pr_curves),
    Section("confusion", "sections/confusion.html.j2", _view_confusion),
    Section("calibration", "sections/calibration.html.j2", _view_calibration),
    Section("how-to-read", "sections/howto.html.j2", _view_howto),
    Section("footer", "sections/footer.html.j2", _view_footer),
)
"""The parts of the page, in order."""


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("equipoise.compare", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def _stylesheet() -> markupsafe.Markup:
    """``templates/report.css``, trusted package text (never user input), inlined in <style>."""
    env = _environment()
    assert env.loader is not None  # _environment() builds it with the package's loader
    css, _, _ = env.loader.get_source(env, "report.css")
    if "</" in css:  # would end the <style> element early
        raise RuntimeError("report.css must not contain '</'.")
    return markupsafe.Markup(css.strip())


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
    executor: Executor | None = None,
) -> str:
    """Build the report page as a string; :func:`write_report` documents the arguments.

    Parameters
    ----------
    generated : datetime, optional
        Time stamp printed on the page; the current UTC time by default (pass one to get
        byte-identical pages from identical inputs).
    executor : concurrent.futures.Executor, optional
        Processes that draw some of the figures while this one draws the others (the page is
        the same byte for byte).

    Returns
    -------
    str
        A complete HTML5 document.
    """
    _check_inputs(summary, results, predictions, resampled_counts, config)
    inputs = _Inputs(
        title=str(title),
        profile=profile,
        results=results,
        summary=summary,
        predictions=predictions,
        resampled_counts=resampled_counts,
        config=config,
        generated=generated or datetime.now(timezone.utc),
    )
    sections = []
    for section in SECTIONS:
        view = section.build(inputs)
        if view is not None:
            sections.append({"id": section.id, "template": section.template, "view": view})
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(title=inputs.title, css=_stylesheet(), sections=sections)
    )
    return inputs.figures.fill(page, executor).rstrip("\n") + "\n"


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
    executor: Executor | None = None,
) -> Path:
    """Write the comparison report as one self-contained HTML file.

    The page shows, in order: the run (title, dataset, evaluation design, date, configuration),
    the verdict (best recipe, the recipes tied with it, the recommended one, the references), how
    the recipes were compared (test, correction, epoch selection, budget), the class profile,
    the class distribution after each resampler, a bar chart of the primary metric, every metric
    with its 95% interval, the paired comparisons with the baseline and with the best recipe,
    many/medium/few-shot accuracy, per-class recall from head to tail, precision-recall curves
    and confusion matrices of the featured recipes, the calibration of every recipe (Brier
    score, ECE and log loss, before and after the prior correction) with a reliability diagram
    of the best recipes and the baseline, and a guide to reading it. Blocks the
    summary does not have are left out. See ``docs/report.md``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (``.html`` or ``.htm``), or a directory that receives ``report.html``.
        Missing parent directories are created.
    title : str
        Page title.
    profile : ClassProfile or None
        Class profile of the training data (``equipoise.profile``); only ``counts``,
        ``proportions``, ``imbalance_ratio``, ``minority``, ``majority``, ``n_samples``,
        ``n_classes`` and ``warnings`` are read. When None, ``summary["dataset"]["class_counts"]``
        is used.
    results : pandas.DataFrame
        One row per recipe x fold x seed: ``recipe``, ``fold``, ``seed``, one column per metric,
        and optionally ``family``, ``collapsed``, ``selection``, ``chosen_epochs`` and ``fit_seconds`` (never
        shown as metrics; see :data:`NON_METRIC_COLUMNS`).
    summary : dict
        The runner's ``summary.json`` (schema version 2, see ``docs/compare.md``). Required:
        ``metric``, ``baseline`` (a name or None), ``recipes``
        (``{name: {"description", "metrics": {metric: {"mean", "low", "high", "n"}}, ...}}``)
        and ``ranking`` (best first). Read when present: ``design``, ``dataset`` (with
        ``positive_class`` and ``test_set``), ``selection``, ``shots``, per recipe ``family``,
        ``steps``, ``per_class_recall``, ``collapsed_runs`` and ``n_runs``, ``vs_baseline`` and
        ``vs_best`` (``{name: {"diff", "low", "high", "p_value", "p_holm", "verdict"}}``;
        the legacy verdict "no clear difference" reads as "tied"), ``best``,
        ``tied_with_best``, ``recommended``, ``references`` (``diff`` is ``best`` minus
        ``against``: the reference minus the neural recipe), ``recommendation``, ``n_folds``, ``n_seeds``, ``elapsed_seconds``,
        ``failed``. NaN or None values print as "n/a".
    predictions : dict
        ``{recipe: {"y_true", "y_pred", "y_score", "labels"}}`` pooled over the test folds of
        the first seed (or seed 0 on the fixed test set). ``y_score`` is None, the
        positive-class scores (binary; the positive class is ``labels[-1]``), or per-class
        probabilities (multiclass).
    resampled_counts : dict
        ``{recipe: {label: count}}`` after each recipe's resampler on the training part of fold 0,
        plus ``"original"``: the counts before resampling.
    config : dict
        Settings of the run, shown in the header (values that are not strings as JSON).
    generated : datetime, optional
        Time stamp printed on the page (default: now, UTC).
    executor : concurrent.futures.Executor, optional
        Processes that draw some of the figures while this one draws the others, for example
        a ``ProcessPoolExecutor``; the page is the same byte for byte. ``equipoise compare``
        lends the workers it has started.

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
        executor=executor,
    )
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
