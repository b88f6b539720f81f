"""Tests of equipoise.compare.report: the self-contained HTML comparison report.

Two preset runs (``_report_inputs.py``) are rendered once with real figures and shared with the
browser test: cross-validation on a binary problem with references and ties, and a fixed
balanced test set with 10 long-tailed classes, shots and a collapsed baseline. Tests that only
read tables stub the figures out (``no_figures``): drawing is the slow part.
"""

from __future__ import annotations

import base64
import importlib.util
import math
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, confusion_matrix, precision_recall_curve

from equipoise.compare import _plots
from equipoise.compare.report import (
    NON_METRIC_COLUMNS,
    SECTIONS,
    _confusion_counts,
    _environment,
    _pr_curve,
    _stylesheet,
    metric_label,
    render_report,
    write_report,
)
from equipoise.exceptions import InvalidInputError
from equipoise.metrics import METRICS, greater_is_better


def _inputs_module():
    name = "equipoise_tests_report_inputs"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("_report_inputs.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


inputs = _inputs_module()
make_inputs = inputs.make_inputs
FIXED_TIME = inputs.FIXED_TIME
TEMPLATES = Path(_plots.__file__).with_name("templates")
HOSTILE = ["<script>alert(1)</script>", '" onload="alert(2)', "</style><b>x</b>", "$x^$ &amp; 'q'"]
BLOCKS = frozenset(
    "div dt dd p li ul dl th td tr h1 h2 h3 caption figcaption section header footer".split()
)
STUB = "data:image/png;base64,iVBORw0KGgo="


class Page(HTMLParser):
    """The parsed page: tables by class, images, section ids, every attribute and all text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.images: list[dict] = []
        self.sections: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.text.append(" ")
        self.tags.append(tag)
        self.attributes += [(tag, k, v) for k, v in attrs]
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs["id"])
        elif tag == "table":
            self.tables.append({"class": attrs.get("class", ""), "rows": []})
        elif tag == "tr" and self.tables:
            self._row = [attrs, [], []]
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row[2].append(attrs)
        elif tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.text.append(" ")
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(tuple(self._row))
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table(self, cls: str) -> dict:
        matches = [t for t in self.tables if cls in t["class"].split()]
        assert len(matches) == 1, f"expected one table of class {cls}; found {len(matches)}"
        return matches[0]

    def rows(self, cls: str) -> dict[str, list[str]]:
        """``{data-recipe or first cell: cell texts}`` of a table's body."""
        body = self.table(cls)["rows"][1:]
        return {(attrs.get("data-recipe") or cells[0]): cells for attrs, cells, _ in body}

    def header(self, cls: str) -> list[str]:
        return self.table(cls)["rows"][0][1]

    def alt(self, prefix: str) -> list[str]:
        return [img["alt"] for img in self.images if img["alt"].startswith(prefix)]

    def all_text(self) -> str:
        return " ".join("".join(self.text).split())


def section_text(page: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}".*?</section>', page, re.S)
    assert match, f"no section {sid}"
    return Page(match.group(0)).all_text()


@pytest.fixture
def no_figures(monkeypatch):
    """Skip the matplotlib drawing in tests that only read the tables."""
    for name in (
        "class_distribution_chart",
        "metric_bar_chart",
        "pr_curve_chart",
        "confusion_matrix_chart",
        "recall_by_class_chart",
        "reliability_chart",
    ):
        monkeypatch.setattr(_plots, name, lambda *args, **kwargs: STUB)


@pytest.fixture(scope="module")
def binary():
    kwargs, page = inputs.rendered("binary")
    return kwargs, page, Page(page)


@pytest.fixture(scope="module")
def longtail():
    kwargs, page = inputs.rendered("longtail")
    return kwargs, page, Page(page)


def render(kwargs) -> str:
    return render_report(generated=FIXED_TIME, **kwargs)


# --------------------------------------------------------------------------------------------
# File, structure, self-containment, templates
# --------------------------------------------------------------------------------------------


def test_write_report_to_directory_and_to_file(tmp_path, no_figures):
    kwargs = make_inputs()
    out = write_report(tmp_path / "run", **kwargs)
    assert out == tmp_path / "run" / "report.html"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    named = write_report(tmp_path / "a" / "b" / "custom.html", generated=FIXED_TIME, **kwargs)
    assert named == tmp_path / "a" / "b" / "custom.html"
    assert named.read_text(encoding="utf-8") == render(kwargs)


@pytest.mark.parametrize("case", ["binary", "longtail"])
def test_page_is_self_contained(case, request):
    _, page, parsed = request.getfixturevalue(case)
    lowered = page.lower()
    for forbidden in (
        "<link",
        "url(",
        "<script",
        "@import",
        "http://",
        "https://",
        "<iframe",
        "<object",
    ):
        assert forbidden not in lowered, forbidden
    csp = [
        v
        for tag, k, v in parsed.attributes
        if tag == "meta" and k == "content" and "default-src" in (v or "")
    ]
    assert csp == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]
    assert page.count("<style>") == 1 and page.count("</style>") == 1
    assert _stylesheet().strip() in page  # the stylesheet file, inlined verbatim
    assert len(parsed.images) >= 8  # distribution, bars, recall, PR, 4 confusion matrices
    for image in parsed.images:
        assert image["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert image.get("alt")


def test_sections_in_order(binary, longtail):
    order = [s.id for s in SECTIONS if s.id not in ("header", "footer")]
    for _, page, parsed in (binary, longtail):
        assert parsed.sections == [s for s in order if s in parsed.sections]
        assert (
            page.index("<header>")
            < page.index('<section id="recommendation"')
            < page.index("<footer>")
        )
    assert (
        "shots" not in binary[2].sections and "shots" in longtail[2].sections
    )  # shots: null is not shown
    assert {"design", "vs-best", "recall"} <= set(binary[2].sections) & set(longtail[2].sections)


def test_templates_autoescape_and_never_mark_strings_safe():
    env = _environment()
    assert env.autoescape is True
    sources = [p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.j2")]
    assert len(sources) == len(SECTIONS) + 2  # a template per section, the page, the macros
    for source in sources:
        assert not re.search(r"\|\s*safe|autoescape\s+false|Markup|\{%\s*raw", source)
    assert "</" not in (TEMPLATES / "report.css").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert (TEMPLATES / section.template).is_file()


def test_same_inputs_same_bytes_whatever_the_users_matplotlib_state(tmp_path):
    import matplotlib.pyplot as plt

    kwargs = make_inputs(n_recipes=1)
    plain = render(kwargs)
    before, rc_before = plt.get_fignums(), dict(matplotlib.rcParams)
    with matplotlib.rc_context(
        {"font.size": 30, "lines.linewidth": 9, "axes.facecolor": "black", "axes.grid": False}
    ):
        styled = render(kwargs)
    assert styled == plain
    assert plt.get_fignums() == before
    after = dict(matplotlib.rcParams)
    assert all(
        after[k] == rc_before[k] or (isinstance(after[k], float) and math.isnan(after[k]))
        for k in after
    )


# --------------------------------------------------------------------------------------------
# Escaping: every user string is text, never markup
# --------------------------------------------------------------------------------------------


def test_every_user_string_is_escaped():
    names = ["baseline", f"smote{HOSTILE[0]}", f"ref {HOSTILE[1]}"]
    kwargs = make_inputs(
        labels=[f"a{HOSTILE[2]}", f"b{HOSTILE[3]}"],
        recipe_names=names,
        references=(names[2],),
        title=f"T{HOSTILE[0]}",
        dataset_name=f"d{HOSTILE[1]}",
        positive_class=f"b{HOSTILE[3]}",
        design="fixed-test",
        shots={"many": 100, "few": 20},
        collapsed={names[1]: 1},
    )
    s = kwargs["summary"]
    s["recommendation"] = f"Use {HOSTILE[0]} now"
    s["recipes"][names[1]]["description"] = f"desc {HOSTILE[2]}"
    s["recipes"][names[1]]["steps"]["loss"] = f"loss {HOSTILE[1]}"
    s["references"] = {
        **(s["references"] or {}),
        "best": names[2],
        "against": names[1],
        "sentence": f"refs {HOSTILE[2]}",
        "verdict": "tied",
    }
    s["shots"]["rule"] = f"rule {HOSTILE[0]}"
    s["selection"].update(
        criterion=f"crit {HOSTILE[1]}", note=f"note {HOSTILE[2]}", methods={f"m{HOSTILE[0]}": 3}
    )
    s["design"]["description"] = f"design {HOSTILE[3]}"
    s["dataset"]["test_set"]["name"] = f"test {HOSTILE[2]}"
    s["failed"] = {f"f{HOSTILE[0]}": f"boom {HOSTILE[1]}"}
    kwargs["config"]["data"] = f"path/{HOSTILE[2]}.csv"
    kwargs["config"][f"key{HOSTILE[1]}"] = {"nested": HOSTILE[0]}
    kwargs["profile"].warnings.append(f"warn {HOSTILE[1]}")
    page = render(kwargs)  # real figures: matplotlib would raise on unescaped $...$ mathtext
    for evil in HOSTILE[:3]:
        assert evil not in page
    assert page.count("<style>") == 1 and page.count("</style>") == 1
    parsed = Page(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert {k for _, k, _ in parsed.attributes} <= {
        "lang",
        "charset",
        "http-equiv",
        "content",
        "name",
        "id",
        "class",
        "aria-labelledby",
        "aria-hidden",
        "role",
        "scope",
        "data-recipe",
        "data-metric",
        "style",
        "src",
        "alt",
    }
    text = parsed.all_text()  # after unescaping, every hostile string is there as plain text
    for expected in (
        f"T{HOSTILE[0]}",
        f"Use {HOSTILE[0]} now",
        f"desc {HOSTILE[2]}",
        f"rule {HOSTILE[0]}",
        f"crit {HOSTILE[1]}",
        f"note {HOSTILE[2]}",
        f"design {HOSTILE[3]}",
        f"refs {HOSTILE[2]}",
        f"warn {HOSTILE[1]}",
        f"boom {HOSTILE[1]}",
        f"path/{HOSTILE[2]}.csv",
        f"a{HOSTILE[2]}",
        f"d{HOSTILE[1]}",
        f"test {HOSTILE[2]}",
        f"loss {HOSTILE[1]}",
    ):
        assert expected in text, expected
    assert [row[0]["data-recipe"] for row in parsed.table("metrics")["rows"][1:]] == s["ranking"]
    assert any(f"smote{HOSTILE[0]}" in alt for alt in parsed.alt("Confusion matrix of"))
    assert _plots.mpl_text("cost $5 $x$") == r"cost \$5 \$x\$"
    assert _plots.mpl_text("a" * 40, max_chars=10) == "a" * 9 + "…"


# --------------------------------------------------------------------------------------------
# The verdict: best, ties, recommended, references
# --------------------------------------------------------------------------------------------


def test_verdict_states_best_ties_recommended_and_references(binary):
    kwargs, page, _ = binary
    s = kwargs["summary"]
    text = section_text(page, "recommendation")
    tied = [r for r in s["tied_with_best"] if r != s["best"]]
    assert (
        len(tied) >= 2 and s["recommended"] in tied
    )  # the preset ties and recommends a simpler one
    assert s["recommendation"] in text
    best = s["recipes"][s["best"]]["metrics"]["balanced_accuracy"]
    assert (
        f"Best on Balanced accuracy {s['best']}: {best['mean']:.3f} [{best['low']:.3f}, {best['high']:.3f}]"
        in text
    )
    assert (
        f"Tied with the best {', '.join(tied)}: no significant difference from {s['best']}" in text
    )
    assert (
        f"Recommended {s['recommended']}, the simplest of the recipes tied with {s['best']}" in text
    )
    refs = s["references"]
    assert refs["sentence"] in text
    assert (
        f"({refs['best']} minus {refs['against']}: {refs['diff']:+.3f} [{refs['low']:+.3f}, {refs['high']:+.3f}]"
        in text
    )
    assert (
        f"against the baseline: {s['vs_baseline'][s['best']]['verdict']} (adjusted p < 0.001)"
        in text
    )


def test_verdict_without_recommendation_and_with_a_collapsed_best(no_figures):
    kwargs = make_inputs(n_recipes=3, collapsed={"class-weights": 2})
    s = kwargs["summary"]
    s.update(recommended=None, best="class-weights", tied_with_best=["class-weights"])
    text = section_text(render(kwargs), "recommendation")
    assert "Recommended none: no recipe is recommended over the baseline" in text
    assert "Tied with the best none: no other recipe is tied with class-weights" in text
    assert "The predictions of class-weights collapsed to a single class in 2 of 3 runs" in text


@pytest.mark.parametrize(
    ("verdict", "shown"),
    [
        ("better", "better"),
        ("worse", "worse"),
        ("tied", "tied"),
        ("no clear difference", "tied"),
        ("odd", "n/a"),
    ],
)
def test_verdict_badges(verdict, shown, no_figures):
    kwargs = make_inputs(n_recipes=2)
    kwargs["summary"]["vs_baseline"]["smote-focal"].update(
        verdict=verdict, diff=0.05, low=0.01, high=0.09, p_value=0.0004, p_holm=0.0008
    )
    page = render(kwargs)
    row = Page(page).rows("baseline")["smote-focal"]
    assert row[1:] == ["+0.050 [+0.010, +0.090]", "< 0.001", "< 0.001", shown]
    assert f'<span class="verdict {shown if shown != "n/a" else "na"}">{shown}</span>' in page


# --------------------------------------------------------------------------------------------
# Numbers in the tables
# --------------------------------------------------------------------------------------------


def test_metric_table_matches_summary_and_leaves_out_non_metrics(binary):
    kwargs, _, parsed = binary
    s = kwargs["summary"]
    header = parsed.header("metrics")
    assert (
        header[:3] == ["rank", "recipe", "Balanced accuracy primary"]
        and header[-1] == "fit time (s)"
    )
    assert not {metric_label(c) for c in NON_METRIC_COLUMNS} & set(header)
    assert set(kwargs["results"].columns) >= {
        "collapsed",
        "selection",
        "chosen_epochs",
        "fit_seconds",
    }
    body = parsed.table("metrics")["rows"][1:]
    assert [row[0]["data-recipe"] for row in body] == s["ranking"]
    metrics = ["balanced_accuracy", "macro_f1", "g_mean", "mcc", "roc_auc", "pr_auc", "accuracy"]
    for rank, (attrs, cells, _) in enumerate(body, start=1):
        assert cells[0] == str(rank)
        for j, metric in enumerate(metrics):
            st = s["recipes"][attrs["data-recipe"]]["metrics"][metric]
            assert cells[2 + j].startswith(f"{st['mean']:.3f} [{st['low']:.3f}, {st['high']:.3f}]")
        fit = kwargs["results"].groupby("recipe")["fit_seconds"].mean()[attrs["data-recipe"]]
        assert cells[-1] == f"{fit:.2f}"
    tags = parsed.rows("metrics")
    for name, entry in s["recipes"].items():
        assert ("reference" in tags[name][1]) == (entry["family"] == "reference")
    assert "recommended" in tags[s["recommended"]][1]
    assert (
        "resample smote" in tags["smote"][1] and "loss cross-entropy" not in tags["smote"][1]
    )  # steps beyond the baseline's


def test_best_value_per_column_and_lower_is_better(no_figures):
    kwargs = make_inputs(n_recipes=3)
    s = kwargs["summary"]
    for i, name in enumerate(s["recipes"]):
        s["recipes"][name]["metrics"]["log_loss"] = {
            "mean": 0.3 + 0.1 * i,
            "low": 0.2 + 0.1 * i,
            "high": 0.4 + 0.1 * i,
            "n": 3,
        }
        s["recipes"][name]["metrics"]["macro_f1"]["mean"] = 0.9 - 0.1 * i
    table = Page(render(kwargs)).table("metrics")
    header = table["rows"][0][1]
    best = {}
    for attrs, texts, cells in table["rows"][1:]:
        for cell, text, col in zip(cells, texts, header):
            if "best" in cell.get("class", "").split():
                best.setdefault(col, []).append(attrs["data-recipe"])
                assert text.endswith("(best)")
    assert best["Macro F1"] == ["baseline"] and best["Log loss"] == ["baseline"]  # smallest wins
    assert not greater_is_better("log_loss") and METRICS.get("log_loss").direction == "lower"
    assert best["Balanced accuracy primary"] == [s["ranking"][0]]


@pytest.mark.parametrize("missing", [float("nan"), None])
def test_missing_values_print_as_na(missing, no_figures):
    kwargs = make_inputs(n_recipes=3)
    name = kwargs["summary"]["ranking"][-1]
    kwargs["summary"]["recipes"][name]["metrics"]["roc_auc"] = {
        "mean": missing,
        "low": missing,
        "high": missing,
        "n": 3,
    }
    for entry in kwargs["summary"]["vs_baseline"].values():
        entry.update(p_value=missing, p_holm=missing)
    parsed = Page(render(kwargs))
    assert parsed.rows("metrics")[name][2 + 4] == "n/a"
    for row in parsed.rows("baseline").values():
        assert row[2] == row[3] == "n/a"
    assert "nan" not in parsed.all_text().lower().replace("nadeau", "")


def test_against_the_best_table(binary):
    kwargs, page, parsed = binary
    s = kwargs["summary"]
    rows = parsed.rows("against-best")
    assert set(rows) == set(s["vs_best"]) and s["best"] not in rows
    for name, entry in s["vs_best"].items():
        assert rows[name][1] == f"{entry['diff']:+.3f} [{entry['low']:+.3f}, {entry['high']:+.3f}]"
        assert rows[name][-1] == entry["verdict"]
    assert {r[-1] for r in rows.values()} == {"tied", "worse"}
    assert parsed.header("against-best")[3] == "p (Holm)"


def test_design_and_selection(binary, longtail):
    b = section_text(binary[1], "design")
    assert "stratified 5-fold cross-validation x 3 seeds" in b
    assert (
        "Nadeau-Bengio corrected resampled t-test, Holm correction across the recipes compared, significance level 0.05"
        in b
    )
    assert (
        "480 optimiser steps per run" in b and "(12 steps per epoch, 40 epochs, batch size 64)" in b
    )
    methods = binary[0]["summary"]["selection"]["methods"]
    assert f"a hold-out validation split inside the training fold: {methods['holdout']} runs" in b
    assert binary[0]["summary"]["selection"]["criterion"] in b
    steps = binary[2].rows("steps")
    chosen = binary[0]["results"].groupby("recipe")["chosen_epochs"]
    for name, row in steps.items():
        assert row[1:4] == [
            "15",
            f"{int(chosen.median()[name]):,}",
            f"{chosen.min()[name]:,} to {chosen.max()[name]:,}",
        ]
    lt = section_text(longtail[1], "design")
    assert "paired bootstrap over test rows and seeds" in lt
    assert "digits-lt-100-test: 500 rows in 10 classes, 50 to 50 per class" in lt


def test_profile_with_positive_class_test_set_and_groups(binary, longtail):
    rows = binary[2].rows("profile")
    assert rows["fraud positive"][:3] == ["fraud positive", "100", "5.0%"]
    assert "Positive class (for sensitivity, PR AUC and the PR curves): fraud" in section_text(
        binary[1], "profile"
    )
    assert "<dt>Positive class</dt><dd>fraud</dd>" in binary[1]  # in the header facts too
    header = longtail[2].header("profile")
    assert header[:5] == ["class", "samples", "share", "digits-lt-100-test", "group"]
    counts = longtail[0]["profile"].counts
    assert {k: v[1:5] for k, v in longtail[2].rows("profile").items()} == {
        str(label): [
            f"{n:,}",
            f"{100 * n / sum(counts.values()):.1f}%",
            "50",
            "many" if n > 100 else "few" if n < 20 else "medium",
        ]
        for label, n in counts.items()
    }


def test_profile_and_distribution_tables(no_figures):
    kwargs = make_inputs(n_classes=3, n_recipes=3)
    profile = kwargs["profile"]
    parsed = Page(render(kwargs))
    rows = parsed.table("profile")["rows"][1:]
    assert [r[1][:3] for r in rows] == [
        [str(k), f"{v:,}", f"{100 * v / profile.n_samples:.1f}%"] for k, v in profile.counts.items()
    ]
    dist = parsed.table("dist")["rows"]
    assert dist[0][1] == ["distribution", "0", "1", "2", "total"]
    by_name = {r[1][0].replace(" before", ""): r[1][1:] for r in dist[1:]}
    for name, counts in kwargs["resampled_counts"].items():
        assert by_name[name] == [f"{counts[k]:,}" for k in profile.counts] + [
            f"{sum(counts.values()):,}"
        ]


def test_profile_none_falls_back_to_dataset_counts(no_figures):
    kwargs = make_inputs()
    kwargs["profile"] = None
    rows = Page(render(kwargs)).table("profile")["rows"][1:]
    assert [r[1][:2] for r in rows] == [
        ["neg", "908"],
        ["pos positive", "503"],
    ]  # binary: labels[-1] is positive


# --------------------------------------------------------------------------------------------
# Long tail: shots, per-class recall head to tail, collapsed predictions
# --------------------------------------------------------------------------------------------


def test_shots_table_states_thresholds_and_matches_summary(longtail):
    kwargs, page, parsed = longtail
    s = kwargs["summary"]
    text = section_text(page, "shots")
    assert (
        "thresholds at 100 (many-shot) and 20 (few-shot) samples" in text
        and s["shots"]["rule"] in text
    )
    groups = parsed.rows("shot-groups")
    counts = kwargs["profile"].counts
    for group in ("many", "medium", "few"):
        labels = s["shots"]["classes"][group]
        assert groups[f"{group}-shot"][1:] == [
            str(len(labels)),
            ", ".join(f"{c} ({counts[c]:,})" for c in labels),
        ]
    rows = parsed.rows("shots")
    assert list(rows) == s["ranking"]
    for name, row in rows.items():
        for j, metric in enumerate(
            ("many_shot_accuracy", "medium_shot_accuracy", "few_shot_accuracy")
        ):
            assert row[1 + j].startswith(f"{s['recipes'][name]['metrics'][metric]['mean']:.3f}")
    assert not any("shot" in h for h in parsed.header("metrics"))  # shown once, in their own table


def test_recall_per_class_is_ordered_head_to_tail(longtail):
    kwargs, _, parsed = longtail
    s = kwargs["summary"]
    header = parsed.header("recall")
    shown = header[3:]
    assert 2 <= len(shown) <= 5 and {s["best"], s["recommended"], s["baseline"]} <= set(shown)
    rows = parsed.table("recall")["rows"][1:]
    counts = [int(r[1][1].replace(",", "")) for r in rows]
    assert counts == sorted(counts, reverse=True) and len(rows) == 10
    for _, cells, _ in rows:
        for name, value in zip(shown, cells[3:]):
            assert value == f"{s['recipes'][name]['per_class_recall'][cells[0]]:.2f}"
    (alt,) = parsed.alt("Recall per class, largest class first")
    assert alt.index(f"{s['best']}: 0 ") < alt.index(" 9 ")


def test_collapsed_recipe_is_flagged(longtail):
    kwargs, page, parsed = longtail
    assert "collapsed 3/3 runs" in parsed.rows("metrics")["baseline"][1]
    assert "The predictions of baseline collapsed to a single class in 3 of 3 runs" in section_text(
        page, "metrics"
    )
    assert "collapsed 3/3 runs" in parsed.rows("against-best")["baseline"][0]


# --------------------------------------------------------------------------------------------
# Figures: truncated axis, curves and confusion matrices (reference values from scikit-learn)
# --------------------------------------------------------------------------------------------


def test_truncated_value_axis_is_stated(binary, longtail):
    kwargs, page, parsed = binary
    stats = [
        kwargs["summary"]["recipes"][r]["metrics"]["balanced_accuracy"]
        for r in kwargs["summary"]["ranking"]
    ]
    start = _plots.value_axis_start(
        [s["low"] for s in stats], [s["mean"] for s in stats], [s["high"] for s in stats]
    )
    assert 0.15 <= start <= min(s["low"] for s in stats) - 0.05 + 1e-9
    assert f"The value axis starts at {start:.2f}, not 0" in section_text(page, "chart")
    assert parsed.alt("Balanced accuracy per recipe")[0].endswith(
        f"The value axis starts at {start:.2f}, not 0."
    )
    assert "value axis starts" not in section_text(
        longtail[1], "chart"
    )  # the collapsed baseline sits near 0.1
    assert _plots.value_axis_start([0.05], [0.2], [0.3]) == 0.0
    assert _plots.value_axis_start([-0.2], [0.4], [0.9]) == 0.0  # MCC below 0: never truncated
    assert _plots.value_axis_start([0.71, 0.80], [0.75, 0.83], [0.79, 0.86]) == 0.65


def test_binary_pr_curve_average_precision_matches_sklearn(binary):
    kwargs, page, parsed = binary
    (alt,) = parsed.alt("Precision-recall curves")
    for name in ("smote", "threshold-tuned", "hgb-balanced", "baseline"):
        pred = kwargs["predictions"][name]
        expected = average_precision_score(np.array(pred["y_true"]) == "fraud", pred["y_score"])
        assert f"{name} AP {expected:.3f}" in alt
    assert "Positive class: fraud" in section_text(page, "pr-curves")


def test_multiclass_pr_curve_is_macro_average(longtail):
    kwargs, page, parsed = longtail
    assert "macro average" in section_text(page, "pr-curves")
    (alt,) = parsed.alt("Precision-recall curves")
    for name in ("logit-adjusted", "baseline"):
        pred = kwargs["predictions"][name]
        onehot = np.equal.outer(pred["y_true"], pred["labels"]).astype(int)
        assert (
            f"{name} AP {average_precision_score(onehot, np.array(pred['y_score']), average='macro'):.3f}"
            in alt
        )


def test_binary_curve_points_are_sklearns():
    pred = make_inputs()["predictions"]["baseline"]
    curve, prevalence = _pr_curve(pred, "baseline", "baseline")
    y = np.array(pred["y_true"]) == "pos"
    precision, recall, _ = precision_recall_curve(y, pred["y_score"])
    np.testing.assert_allclose(curve.precision, precision[::-1])
    np.testing.assert_allclose(curve.recall, recall[::-1])
    assert prevalence == pytest.approx(y.mean()) and curve.is_baseline


def test_confusion_matrices_show_counts_beside_shares(no_figures):
    kwargs = make_inputs(n_recipes=2)
    hand = {
        "y_true": ["neg", "neg", "neg", "pos", "pos"],
        "y_pred": ["neg", "neg", "pos", "pos", "neg"],
        "y_score": None,
        "labels": ["neg", "pos"],
    }
    kwargs["predictions"] = {name: hand for name in kwargs["predictions"]}
    page = render(kwargs)
    alts = Page(page).alt("Confusion matrix of")
    assert len(alts) == 2 and all(
        "Recall per class: neg 67% (2 of 3), pos 50% (1 of 2)." in a for a in alts
    )
    assert "Each cell prints that share and, below it, the number of test rows." in section_text(
        page, "confusion"
    )
    assert "No recipe recorded scores" in page  # y_score None: no PR curves, said plainly
    counts, labels = _confusion_counts(hand)
    np.testing.assert_array_equal(
        counts, confusion_matrix(hand["y_true"], hand["y_pred"], labels=["neg", "pos"])
    )
    assert _plots.confusion_cell_text(counts) == [["67%\n2", "33%\n1"], ["50%\n1", "50%\n1"]]


def test_confusion_matrices_beyond_twenty_classes_say_what_is_shown(no_figures):
    page = render(make_inputs(n_classes=25, n_recipes=2, n_folds=2))
    assert (
        "With 25 classes the cells are only coloured (numbers are printed up to 20 classes)"
        in section_text(page, "confusion")
    )


def test_featured_recipes_best_recommended_reference_then_baseline(binary):
    kwargs, _, parsed = binary
    s = kwargs["summary"]
    shown = [
        re.match(r"Confusion matrix of (.+?)( \(\w+\))?, rows", a).group(1)
        for a in parsed.alt("Confusion matrix of")
    ]
    assert shown == [s["best"], s["recommended"], s["references"]["best"], s["baseline"]]


# --------------------------------------------------------------------------------------------
# Older summaries, sizes and edge cases
# --------------------------------------------------------------------------------------------


def test_legacy_summary_renders_without_the_new_blocks(no_figures):
    kwargs = inputs.binary_cv_inputs()
    kwargs["summary"] = inputs.legacy_summary(kwargs["summary"])
    kwargs["summary"]["recipes"]["smote"]["metrics"]["fit_seconds"] = {
        "mean": 1.0,
        "low": 0.9,
        "high": 1.1,
        "n": 15,
    }
    results = kwargs["results"] = kwargs["results"].copy()
    results.loc[results.index[results["recipe"] == "focal"][:2], "collapsed"] = True
    page = render(kwargs)
    parsed = Page(page)
    assert not {"vs-best", "shots", "recall"} & set(parsed.sections)
    verdict = section_text(page, "recommendation")
    assert (
        "Tied with the best" not in verdict
        and "Recommended" not in verdict
        and "References" not in verdict
    )
    assert "Fit seconds" not in parsed.header("metrics")
    assert "tied" in {row[-1] for row in parsed.rows("baseline").values()}
    assert "5 folds x 3 seed(s)" in section_text(page, "design")
    assert "collapsed 2/15 runs" in parsed.rows("metrics")["focal"][1]  # counted from results.csv


def test_fifty_classes_thirty_recipes(no_figures):
    kwargs = make_inputs(n_classes=50, n_recipes=30, n_folds=2, shots={"many": 100, "few": 20})
    for pred in kwargs["predictions"].values():
        pred["y_score"] = None  # 50-class PR curves cost time and are covered by the 10-class case
    page = render(kwargs)
    parsed = Page(page)
    assert len(parsed.table("metrics")["rows"]) == 31 and len(parsed.table("profile")["rows"]) == 51
    assert '<div class="table-wrap metrics tall">' in page  # long tables scroll inside a box
    assert len(parsed.header("recall")) == 3 + 5  # at most five recipes on the recall plot


def test_fifty_class_figures_draw():
    labels = [f"class-{i}" for i in range(50)]
    counts = np.diag(np.arange(1, 51)) + 1
    for uri in (
        _plots.confusion_matrix_chart(counts, labels),
        _plots.recall_by_class_chart(
            labels,
            list(range(500, 0, -10)),
            [
                _plots.RecallSeries("a", np.linspace(1, 0, 50)),
                _plots.RecallSeries("b", np.full(50, 0.5), True),
            ],
            groups=["many"] * 10 + ["medium"] * 20 + ["few"] * 20,
        ),
    ):
        assert base64.b64decode(uri.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_only_the_baseline(no_figures):
    page = render(make_inputs(n_recipes=1))
    assert "Only the baseline was run" in page
    assert len(Page(page).table("metrics")["rows"]) == 2


def test_no_baseline(no_figures):
    kwargs = make_inputs(n_recipes=3)
    kwargs["summary"].update(baseline=None, vs_baseline={})
    page = render(kwargs)
    assert "No baseline was run; there is nothing to compare the recipes with." in section_text(
        page, "vs-baseline"
    )
    assert "<dt>Baseline</dt><dd>none</dd>" in page
    assert (
        len(Page(page).alt("Confusion matrix of")) == 3
    )  # featured recipes, none of them a baseline


def test_failed_recipes_are_listed(no_figures):
    kwargs = make_inputs(n_recipes=2)
    kwargs["summary"]["failed"] = {"smote<x>": "class 'b' has 3 samples; lower k_neighbors"}
    assert (
        "Recipes that failed smote<x>: class 'b' has 3 samples; lower k_neighbors"
        in section_text(render(kwargs), "metrics")
    )


def test_missing_predictions_and_counts_are_explained(no_figures):
    kwargs = make_inputs(n_recipes=3)
    kwargs["predictions"], kwargs["resampled_counts"] = {}, {}
    page = render(kwargs)
    assert "No class counts were recorded." in page and "No predictions recorded for" in page


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
    assert (
        metric_label("macro_f1") == "Macro F1"
        and metric_label("few_shot_acc") == "Few-shot accuracy"
    )
    assert metric_label("some_new_metric") == "Some new metric"
