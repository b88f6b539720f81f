"""Tests of equipoise.compare.report: the self-contained HTML comparison report."""

from __future__ import annotations

import base64
import html
import importlib.util
import math
import re
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve

from equipoise.compare import _plots
from equipoise.compare.report import (
    LOWER_IS_BETTER,
    SECTIONS,
    _pr_curve,  # the curve maths, checked against sklearn
    metric_label,
    render_report,
    write_report,
)
from equipoise.exceptions import InvalidInputError


def _load_inputs_module():
    path = Path(__file__).with_name("_report_inputs.py")
    spec = importlib.util.spec_from_file_location("equipoise_tests_report_inputs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


inputs = _load_inputs_module()
make_inputs = inputs.make_inputs

FIXED_TIME = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
SECTION_IDS = ["recommendation", "profile", "distribution", "metrics", "vs-baseline", "chart", "pr-curves", "confusion", "how-to-read"]
EVIL = "<script>alert(1)</script>"
QUOTES = "\"&'"


class _Tables(HTMLParser):
    """Collect each table as {"class": ..., "rows": [(tr_attrs, [cell texts])], "cells": [[(tag, attrs)]]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.images: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attrs.get("class", ""), "rows": []})
        elif tag == "tr" and self.tables:
            self._row = [attrs, [], []]
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row[2].append((tag, attrs))
        elif tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(tuple(self._row))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def table(self, cls: str) -> dict:
        matches = [t for t in self.tables if cls in t["class"].split()]
        assert len(matches) == 1, f"expected one table of class {cls}; found {len(matches)}"
        return matches[0]


def parse(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


@pytest.fixture
def no_figures(monkeypatch):
    """Skip the matplotlib drawing (the slow part) in tests that only read the tables."""
    stub = "data:image/png;base64,iVBORw0KGgo="
    for name in ("class_distribution_chart", "metric_bar_chart", "pr_curve_chart", "confusion_matrix_chart"):
        monkeypatch.setattr(_plots, name, lambda *args, **kwargs: stub)


@pytest.fixture(scope="module")
def binary_page() -> tuple[dict, str]:
    kwargs = make_inputs(n_recipes=3, n_folds=3)
    return kwargs, render_report(generated=FIXED_TIME, **kwargs)


# --------------------------------------------------------------------------------------------
# File, structure, self-containment
# --------------------------------------------------------------------------------------------


def test_write_report_to_directory_and_to_file(tmp_path, no_figures):
    kwargs = make_inputs()
    out = write_report(tmp_path / "run", **kwargs)
    assert out == tmp_path / "run" / "report.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    named = write_report(tmp_path / "a" / "b" / "custom.html", **kwargs)
    assert named == tmp_path / "a" / "b" / "custom.html" and named.is_file()


def test_page_is_self_contained(binary_page):
    _, page = binary_page
    lowered = page.lower()
    assert 'src="http' not in lowered and "src='http" not in lowered
    assert "<link" not in lowered
    assert "url(" not in lowered
    assert "<script" not in lowered
    assert "@import" not in lowered
    assert "http://" not in lowered and "https://" not in lowered
    assert "default-src 'none'" in page  # the CSP forbids loading anything else
    images = parse(page).images
    assert len(images) >= 6  # distribution, bar chart, PR curves, 3 confusion matrices
    for image in images:
        assert image["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert image.get("alt")


def test_every_section_present_in_order(binary_page):
    _, page = binary_page
    positions = [page.index(f'<section id="{sid}"') for sid in SECTION_IDS]
    assert positions == sorted(positions)
    assert page.index("<header>") < positions[0]
    assert len(SECTIONS) == len(SECTION_IDS) + 2  # plus header and footer


def test_header_shows_title_dataset_date_and_config(binary_page):
    kwargs, page = binary_page
    assert "<title>Comparison on demo data</title>" in page
    assert "2026-01-02 03:04 UTC" in page
    config = parse(page).table("config")
    settings = {row[1][0]: row[1][1] for row in config["rows"][1:]}
    assert settings["folds"] == "3"
    assert settings["recipes"] == '["baseline", "smote-focal", "class-weights"]'
    assert settings["equipoise_version"] == "0.1.0"


def test_same_inputs_same_bytes(binary_page):
    kwargs, page = binary_page
    assert render_report(generated=FIXED_TIME, **kwargs) == page


# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("evil", [EVIL, QUOTES])
def test_every_user_string_is_escaped(evil):
    names = ["baseline", f"smote{evil}", f"weights {evil}"]
    kwargs = make_inputs(labels=[f"a{evil}", f"b{evil}"], recipe_names=names, title=f"T{evil}", dataset_name=f"d{evil}")
    kwargs["summary"]["recommendation"] = f"Use {evil} now"
    kwargs["summary"]["recipes"][names[1]]["description"] = f"desc {evil}"
    kwargs["config"]["data"] = f"path/{evil}.csv"
    kwargs["config"][f"key{evil}"] = {"nested": evil}
    kwargs["profile"].warnings.append(f"warn {evil}")
    page = render_report(generated=FIXED_TIME, **kwargs)
    assert evil not in page
    assert "<script" not in page.lower()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;" if evil == EVIL else "&quot;&amp;&#x27;"
    # title, dataset, recommendation, description, 2 recipes, 2 labels, config, warning
    assert page.count(escaped) >= 10
    parsed = parse(page)
    assert html.unescape(page.split("<title>")[1].split("</title>")[0]) == f"T{evil}"
    rows = parsed.table("metrics")["rows"][1:]
    assert {row[0]["data-recipe"] for row in rows} == set(names)  # attributes round-trip intact
    for image in parsed.images:
        assert image["src"].startswith("data:image/png;base64,")


def test_mathtext_dollar_signs_are_drawn_literally():
    assert _plots.mpl_text("cost $5 $x$") == r"cost \$5 \$x\$"
    assert _plots.mpl_text("a" * 40, max_chars=10) == "a" * 9 + "…"
    kwargs = make_inputs(labels=["$lo", "$hi$"], recipe_names=["baseline", "$a$", "b$^"])
    page = render_report(generated=FIXED_TIME, **kwargs)  # would raise on unescaped mathtext
    assert "$a$" in page


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def test_metric_table_matches_summary(binary_page):
    kwargs, page = binary_page
    summary = kwargs["summary"]
    table = parse(page).table("metrics")
    header, rows = table["rows"][0], table["rows"][1:]
    assert header[1][:3] == ["rank", "recipe", "Balanced accuracy primary"]
    assert [row[0]["data-recipe"] for row in rows] == summary["ranking"]
    metrics = ["balanced_accuracy", "macro_f1", "g_mean", "mcc", "roc_auc", "pr_auc", "accuracy"]
    for rank, row in enumerate(rows, start=1):
        recipe = row[0]["data-recipe"]
        assert row[1][0] == str(rank)
        for j, metric in enumerate(metrics):
            stat = summary["recipes"][recipe]["metrics"][metric]
            expected = f"{stat['mean']:.3f} [{stat['low']:.3f}, {stat['high']:.3f}]"
            assert row[1][2 + j].startswith(expected), (recipe, metric, row[1][2 + j])
            assert row[2][2 + j][1]["data-metric"] == metric
        fit = kwargs["results"].query("recipe == @recipe")["fit_seconds"].mean()
        assert row[1][-1] == f"{fit:.2f}"


def test_best_value_per_column_is_highlighted(no_figures):
    kwargs = make_inputs(n_recipes=3)
    stats = kwargs["summary"]["recipes"]
    # Make a different recipe best on macro_f1, and add a lower-is-better metric.
    stats["baseline"]["metrics"]["macro_f1"]["mean"] = 0.99
    for i, name in enumerate(stats):
        stats[name]["metrics"]["log_loss"] = {"mean": 0.5 + i, "low": 0.4 + i, "high": 0.6 + i, "n": 3}
    parsed = parse(render_report(generated=FIXED_TIME, **kwargs))
    table = parsed.table("metrics")
    header = table["rows"][0][1]
    best = {}
    for row in table["rows"][1:]:
        for (_tag, attrs), text, col in zip(row[2], row[1], header):
            if "best" in attrs.get("class", "").split():
                best.setdefault(col, []).append(row[0]["data-recipe"])
                assert text.endswith("(best)")
    assert best["Macro F1"] == ["baseline"]
    assert best["Log loss"] == ["baseline"]  # smallest wins
    assert "log_loss" in LOWER_IS_BETTER
    top = kwargs["summary"]["ranking"][0]
    assert best["Balanced accuracy primary"] == [top]


@pytest.mark.parametrize("missing", [float("nan"), None])
def test_missing_values_print_as_na(missing, no_figures):
    kwargs = make_inputs(n_recipes=3)
    name = kwargs["summary"]["ranking"][-1]
    kwargs["summary"]["recipes"][name]["metrics"]["roc_auc"] = {"mean": missing, "low": missing, "high": missing, "n": 3}
    kwargs["summary"]["vs_baseline"] = {r: {**v, "p_value": missing} for r, v in kwargs["summary"]["vs_baseline"].items()}
    table = parse(render_report(generated=FIXED_TIME, **kwargs))
    row = next(r for r in table.table("metrics")["rows"][1:] if r[0]["data-recipe"] == name)
    assert row[1][2 + 4] == "n/a"
    for row in table.table("baseline")["rows"][1:]:
        assert row[1][2] == "n/a"
    assert "nan" not in " ".join(" ".join(r[1]) for r in table.table("metrics")["rows"]).lower()


def test_baseline_comparison_table_and_verdict_colours(no_figures):
    kwargs = make_inputs(n_recipes=4)
    names = list(kwargs["summary"]["recipes"])
    kwargs["summary"]["vs_baseline"] = {
        names[1]: {"diff": 0.05, "low": 0.01, "high": 0.09, "p_value": 0.0004, "verdict": "better"},
        names[2]: {"diff": -0.031, "low": -0.06, "high": -0.002, "p_value": 0.04, "verdict": "worse"},
        names[3]: {"diff": 0.004, "low": -0.01, "high": 0.018, "p_value": 0.61, "verdict": "no clear difference"},
    }
    page = render_report(generated=FIXED_TIME, **kwargs)
    parsed = parse(page)
    rows = {row[0]["data-recipe"]: row for row in parsed.table("baseline")["rows"][1:]}
    assert set(rows) == set(names[1:])  # the baseline is not compared with itself
    assert rows[names[1]][1][1:] == ["+0.050 [+0.010, +0.090]", "< 0.001", "better"]
    assert rows[names[2]][1][1:] == ["-0.031 [-0.060, -0.002]", "0.040", "worse"]
    assert rows[names[3]][1][1:] == ["+0.004 [-0.010, +0.018]", "0.610", "no clear difference"]
    assert '<span class="verdict better">better</span>' in page
    assert '<span class="verdict worse">worse</span>' in page
    assert '<span class="verdict same">no clear difference</span>' in page


def test_recommendation_is_up_front(binary_page):
    kwargs, page = binary_page
    text = kwargs["summary"]["recommendation"]
    assert f'<p class="recommendation">{text}</p>' in page
    assert page.index(text) < page.index('<section id="profile"')


def test_profile_and_distribution_tables(no_figures):
    kwargs = make_inputs(n_classes=3, n_recipes=3)
    profile = kwargs["profile"]
    parsed = parse(render_report(generated=FIXED_TIME, **kwargs))
    rows = parsed.table("profile")["rows"][1:]
    assert [r[1][:3] for r in rows] == [[str(k), str(v), f"{100 * v / profile.n_samples:.1f}%"] for k, v in profile.counts.items()]
    dist = parsed.table("dist")["rows"]
    assert dist[0][1] == ["distribution", "0", "1", "2", "total"]
    by_name = {r[1][0].replace(" before", ""): r[1][1:] for r in dist[1:]}
    for name, counts in kwargs["resampled_counts"].items():
        expected = [str(counts[k]) for k in profile.counts] + [str(sum(counts.values()))]
        assert by_name[name] == expected


def test_profile_none_falls_back_to_dataset_counts(no_figures):
    kwargs = make_inputs()
    kwargs["profile"] = None
    parsed = parse(render_report(generated=FIXED_TIME, **kwargs))
    rows = parsed.table("profile")["rows"][1:]
    assert [r[1][:2] for r in rows] == [["neg", "908"], ["pos", "503"]]


# --------------------------------------------------------------------------------------------
# Curves and confusion matrices: reference values from scikit-learn
# --------------------------------------------------------------------------------------------


def _alt(page: str, prefix: str) -> list[str]:
    return [img["alt"] for img in parse(page).images if img["alt"].startswith(prefix)]


def test_binary_pr_curve_average_precision_matches_sklearn(binary_page):
    kwargs, page = binary_page
    (alt,) = _alt(page, "Precision-recall curves")
    for name, pred in kwargs["predictions"].items():
        y = np.array(pred["y_true"]) == pred["labels"][-1]
        expected = average_precision_score(y, pred["y_score"])
        assert f"{name} AP {expected:.3f}" in alt
    assert "Positive class: <strong>pos</strong>" in page


def test_multiclass_pr_curve_is_macro_average():
    kwargs = make_inputs(n_classes=4, n_recipes=3)
    page = render_report(generated=FIXED_TIME, **kwargs)
    assert "macro average" in page
    (alt,) = _alt(page, "Precision-recall curves")
    for name, pred in kwargs["predictions"].items():
        onehot = np.equal.outer(pred["y_true"], pred["labels"]).astype(int)
        expected = average_precision_score(onehot, np.array(pred["y_score"]), average="macro")
        assert f"{name} AP {expected:.3f}" in alt


def test_binary_curve_points_are_sklearns():
    pred = make_inputs()["predictions"]["baseline"]
    curve, prevalence = _pr_curve(pred, "baseline", "baseline")
    y = np.array(pred["y_true"]) == "pos"
    precision, recall, _ = precision_recall_curve(y, pred["y_score"])
    np.testing.assert_allclose(curve.precision, precision[::-1])
    np.testing.assert_allclose(curve.recall, recall[::-1])
    assert prevalence == pytest.approx(y.mean())
    assert curve.is_baseline


def test_confusion_matrix_recall_by_hand(no_figures):
    kwargs = make_inputs(n_recipes=2)
    hand = {"y_true": ["neg", "neg", "neg", "pos", "pos"], "y_pred": ["neg", "neg", "pos", "pos", "neg"], "y_score": None, "labels": ["neg", "pos"]}
    kwargs["predictions"] = {name: hand for name in kwargs["predictions"]}
    page = render_report(generated=FIXED_TIME, **kwargs)
    alts = _alt(page, "Confusion matrix of")
    assert len(alts) == 2
    for alt in alts:
        assert "Recall per class: neg 67%, pos 50%." in alt
    assert "No recipe recorded scores" in page  # y_score None: no PR curves, said plainly


def test_detail_sections_show_top_three_and_baseline(no_figures):
    kwargs = make_inputs(n_recipes=5)
    page = render_report(generated=FIXED_TIME, **kwargs)
    ranking = kwargs["summary"]["ranking"]
    expected = [r for r in ranking if r != "baseline"][:3] + ["baseline"]
    shown = [re.match(r"Confusion matrix of (.+?), normalised", a).group(1) for a in _alt(page, "Confusion matrix of")]
    assert shown == expected


# --------------------------------------------------------------------------------------------
# Sizes and edge cases
# --------------------------------------------------------------------------------------------


def test_fifty_classes_thirty_recipes():
    kwargs = make_inputs(n_classes=50, n_recipes=30, n_folds=2)
    page = render_report(generated=FIXED_TIME, **kwargs)
    parsed = parse(page)
    assert len(parsed.table("metrics")["rows"]) == 31
    assert len(parsed.table("profile")["rows"]) == 51
    assert "table-wrap tall" in page  # long tables scroll in a box
    assert "grid wide" in page


def test_only_the_baseline(no_figures):
    kwargs = make_inputs(n_recipes=1)
    page = render_report(generated=FIXED_TIME, **kwargs)
    assert "Only the baseline was run" in page
    assert len(parse(page).table("metrics")["rows"]) == 2


def test_failed_recipes_are_listed(no_figures):
    kwargs = make_inputs(n_recipes=2)
    kwargs["summary"]["failed"] = {"smote<x>": "class 'b' has 3 samples; lower k_neighbors"}
    page = render_report(generated=FIXED_TIME, **kwargs)
    assert "<li><strong>smote&lt;x&gt;</strong>: class &#x27;b&#x27; has 3 samples; lower k_neighbors</li>" in page


def test_missing_predictions_and_counts_are_explained(no_figures):
    kwargs = make_inputs(n_recipes=3)
    kwargs["predictions"] = {}
    kwargs["resampled_counts"] = {}
    page = render_report(generated=FIXED_TIME, **kwargs)
    assert "No class counts were recorded." in page
    assert "No predictions recorded for" in page


def test_no_figures_left_open_and_style_untouched(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    rc_before = dict(matplotlib.rcParams)
    with matplotlib.rc_context({"font.size": 30, "axes.grid": False}):
        write_report(tmp_path, **make_inputs(n_classes=3))
    assert plt.get_fignums() == before
    after = dict(matplotlib.rcParams)
    assert after.keys() == rc_before.keys()
    assert all(after[k] == rc_before[k] or (isinstance(after[k], float) and math.isnan(after[k])) for k in after)


def test_user_rcparams_do_not_change_the_figures(binary_page):
    kwargs, plain = binary_page
    with matplotlib.rc_context({"font.size": 30, "lines.linewidth": 9, "axes.facecolor": "black"}):
        styled = render_report(generated=FIXED_TIME, **kwargs)
    assert plain == styled


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda k: k["summary"].pop("ranking"), "missing \\['ranking'\\]"),
        (lambda k: k["summary"].update(recipes={}), "at least one recipe"),
        (lambda k: k.update(results=k["results"].drop(columns="recipe")), "'recipe' column"),
        (lambda k: k.update(results=[1, 2]), "DataFrame"),
        (lambda k: k.update(summary=[1]), "must be a dict; got list"),
        (lambda k: k.update(config=None), "'config' argument of write_report must be a dict"),
    ],
)
def test_invalid_inputs_raise_clear_errors(tmp_path, change, message, no_figures):
    kwargs = make_inputs()
    change(kwargs)
    with pytest.raises(InvalidInputError, match=message):
        write_report(tmp_path, **kwargs)


def test_metric_labels():
    assert metric_label("macro_f1") == "Macro F1"
    assert metric_label("some_new_metric") == "Some new metric"
