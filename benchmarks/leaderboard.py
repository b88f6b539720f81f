"""Technique leaderboard: every equipoise recipe and compare's reference models, over a suite.

Tabular problems (KEEL binary sets shipped with equipoise) run through
:func:`equipoise.compare.compare` (repeated stratified k-fold), whose reference models
(logistic regression, histogram gradient boosting with balanced weights and with a tuned
threshold, a balanced random forest) train on exactly the rows the recipes train on. Long-tailed image sets follow the
literature's protocol through ``compare(test=...)``: train on the long-tailed set, test on the
balanced test set, repeated over seeds. Per dataset, compare's own verdicts (Nadeau-Bengio or
a paired bootstrap, Holm across recipes) give win/tie/loss against ``baseline``; across
datasets the script reports mean ranks, the Friedman test and a Nemenyi critical-difference
plot (Demšar 2006), and prints the Markdown of the two "Technique leaderboard" sections of
docs/benchmarks.md.

    .venv/bin/python benchmarks/leaderboard.py --quick            # < 15 min on 2 cores
    .venv/bin/python benchmarks/leaderboard.py --jobs 2           # full suite, hours, resumable

Everything is resumable: each dataset has its own compare journal under
``--out/<dataset>/`` (default ``equipoise-results/leaderboard/``, gitignored).

References
----------
.. [1] Demšar, J. (2006). Statistical comparisons of classifiers over multiple data sets. JMLR.
.. [2] Cao, K. et al. (2019). Learning imbalanced datasets with label-distribution-aware margin
   loss. NeurIPS.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _leaderboard_runs import METRICS, DatasetRuns, run_images, run_tabular  # noqa: E402
from _leaderboard_stats import (  # noqa: E402
    critical_difference,
    format_ci,
    friedman,
    markdown_table,
    mean_ranks,
    plot_critical_difference,
    recommended_and_tied,
    win_tie_loss,
)

from equipoise.compare import DEFAULT_RECIPES, REFERENCE_RECIPES  # noqa: E402
from equipoise.datasets import list_datasets, load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUICK_TABULAR = ("glass1", "ecoli1", "yeast-2_vs_4", "glass4", "winequality-red-8_vs_6")
QUICK_IMAGES = ("digits-lt-100",)
QUICK_RECIPES = (
    "baseline",
    "class-weights",
    "smote",
    "focal",
    "balanced-softmax",
    "logit-adjusted",
)
FULL_IMAGES = ("digits-lt-10", "digits-lt-100", "mnist-lt-10", "mnist-lt-100")
LABELS = {"balanced_accuracy": "balanced accuracy", "g_mean": "G-mean", "pr_auc": "PR-AUC"}
HEADERS = ("## Technique leaderboard (tabular)", "## Technique leaderboard (long-tailed images)")


def full_suite(n: int = 30, max_samples: int = 5000, min_minority: int = 10) -> list[str]:
    """``n`` KEEL problems with at most ``max_samples`` rows and ``min_minority`` minority rows,
    spread evenly over the imbalance ratio (sorted by IR, every ``len/n``-th), returned smallest
    first so that an interrupted run has finished as many datasets as possible."""
    table = list_datasets()
    table = table[(table["kind"] == "tabular") & (table["name"] != "example")]
    table = table[(table["n_samples"] <= max_samples) & (table["n_minority"] >= min_minority)]
    table = table.sort_values(["imbalance_ratio", "name"]).reset_index(drop=True)
    pick = np.unique(np.linspace(0, len(table) - 1, min(n, len(table))).round().astype(int))
    return table.iloc[pick].sort_values(["n_samples", "name"])["name"].tolist()


def load_tabular(name: str) -> tuple[object, object]:
    """A KEEL set as numbers, or as a DataFrame with its categorical columns when it has some
    (so compare and the references one-hot encode them instead of scaling ordinal codes)."""
    from equipoise.datasets import dataset_info

    return load_dataset(name, as_frame=dataset_info(name).n_categorical > 0)


def _log(msg: str, start: float) -> None:
    print(f"[{time.perf_counter() - start:7.1f} s] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------


def per_dataset_table(frame: pd.DataFrame, order: Sequence[str]) -> str:
    """Markdown table: one row per method, mean [95% CI] of each metric over folds x seeds."""
    rows = []
    for method in order:
        sub = frame[frame["method"] == method]
        if sub.empty:
            continue
        rows.append({"method": method, **{LABELS[m]: format_ci(sub[m]) for m in METRICS}})
    return markdown_table(pd.DataFrame(rows), align=["l", "r", "r", "r"])


def cross_dataset(
    runs: dict[str, DatasetRuns], methods: Sequence[str]
) -> tuple[str, dict[str, pd.DataFrame], list[str]]:
    """Summary table across datasets, the score matrices used for ranks, and the methods left
    out of ranks/Friedman because they have no score on some dataset."""
    per_fold = {d: r.frame for d, r in runs.items()}
    means = {
        m: pd.DataFrame({d: f.groupby("method")[m].mean() for d, f in per_fold.items()}).T.reindex(
            columns=list(methods)
        )
        for m in METRICS
    }
    complete = [
        c
        for c in methods
        if not means["g_mean"][c].isna().any() and not means["balanced_accuracy"][c].isna().any()
    ]
    dropped = [c for c in methods if c not in complete]
    ranks = (
        {m: mean_ranks(means[m][complete]) for m in ("g_mean", "balanced_accuracy")}
        if per_fold and complete
        else {}
    )
    rows = []
    for c in methods:
        row: dict[str, object] = {
            "method": c,
            "datasets": int(means["balanced_accuracy"][c].notna().sum()),
        }
        for m in METRICS:
            row[f"mean {LABELS[m]}"] = float(means[m][c].mean())
        for m in ("balanced_accuracy", "g_mean"):
            row[f"rank {LABELS[m]}"] = float(ranks[m][c]) if ranks and c in ranks[m] else math.nan
        for m in ("balanced_accuracy", "g_mean"):
            summaries = {d: r.summaries[m] for d, r in runs.items() if m in r.summaries}
            w, t, lo = win_tie_loss(summaries, c)
            row[f"W/T/L vs baseline ({LABELS[m]})"] = "-" if c == "baseline" else f"{w}/{t}/{lo}"
        summaries = {
            d: r.summaries["balanced_accuracy"]
            for d, r in runs.items()
            if "balanced_accuracy" in r.summaries
        }
        rec, tied = recommended_and_tied(summaries, c)
        row["recommended / tied with best"] = f"{rec} / {tied}"
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(
        ["rank balanced accuracy", "mean balanced accuracy"],
        ascending=[True, False],
        na_position="last",
    )
    md = markdown_table(table, align=["l"] + ["r"] * (len(table.columns) - 1))
    return md, {m: means[m][complete] for m in METRICS}, dropped


def verdict_counts(runs: dict[str, DatasetRuns], metric: str = "balanced_accuracy") -> str:
    """How often compare recommended something, nothing, or found a reference as good."""
    summaries = [r.summaries[metric] for r in runs.values() if metric in r.summaries]
    none = sum(s.get("recommended") is None for s in summaries)
    refs = [s.get("references") or {} for s in summaries]
    ref_tied = sum(r.get("verdict") == "tied" for r in refs)
    ref_better = sum(r.get("verdict") == "better" for r in refs)
    ref_worse = sum(r.get("verdict") == "worse" for r in refs)
    return (
        f"compare's verdicts on {LABELS[metric]} over {len(summaries)} datasets: a recipe recommended on "
        f"{len(summaries) - none}, nothing beyond the baseline on {none}. The best reference model against "
        f"the recommended (or best neural) recipe: better on {ref_better}, tied on {ref_tied}, worse on {ref_worse}."
    )


def friedman_text(scores: pd.DataFrame, metric: str, plot: Path | None, link: str | None) -> str:
    """Friedman + Iman-Davenport + Nemenyi CD on one score matrix, with the CD plot."""
    n, k = scores.shape
    if n < 2 or k < 3:
        return f"Friedman test on {LABELS[metric]}: n/a ({n} dataset(s), {k} method(s); needs >= 2 and >= 3)."
    fr = friedman(scores)
    cd = critical_difference(k, n)
    text = (
        f"Friedman test on {LABELS[metric]} ({k} methods, {n} datasets): chi2_F = {fr.statistic:.2f}, "
        f"p = {fr.p_value:.3g}; Iman-Davenport F_F = {fr.iman_davenport:.2f}, p = {fr.iman_davenport_p:.3g}. "
        f"Nemenyi critical difference at alpha = 0.05: CD = {cd:.2f} mean-rank units"
    )
    if plot is not None:
        plot_critical_difference(
            mean_ranks(scores),
            cd,
            plot,
            title=f"Mean rank on {LABELS[metric]} over {n} datasets (CD = {cd:.2f})",
        )
        text += f"; diagram: [{plot.name}]({link})\n\n![critical difference diagram]({link})"
    else:
        text += "."
    return text


def target_text_images(runs: dict[str, DatasetRuns]) -> str:
    """Ratio-100 sets: logit-adjusted / balanced-softmax against plain cross-entropy, by
    compare's verdict (paired bootstrap over test rows and seeds, Holm)."""
    lines = []
    for name, r in runs.items():
        if not name.endswith("-lt-100") or "balanced_accuracy" not in r.summaries:
            continue
        s = r.summaries["balanced_accuracy"]
        base = (
            s["recipes"]
            .get("baseline", {})
            .get("metrics", {})
            .get("balanced_accuracy", {})
            .get("mean")
        )
        for recipe in ("logit-adjusted", "balanced-softmax"):
            v = s["vs_baseline"].get(recipe)
            if v is None:
                continue
            lines.append(
                f"- {name}: baseline {base:.3f}; {recipe} vs baseline {v['diff']:+.3f} [{v['low']:+.3f}, "
                f"{v['high']:+.3f}], Holm-adjusted p = {v['p_holm']:.3g}: **{v['verdict']}**"
            )
    if not lines:
        return "Ratio-100 sets: n/a (none ran)."
    return (
        "Ratio-100 sets, logit-adjusted or balanced-softmax against plain cross-entropy on balanced accuracy:\n\n"
        + "\n".join(lines)
    )


def replace_sections(doc: str, new: str, headers: Sequence[str] = HEADERS) -> str:
    """Replace (or append) the leaderboard sections of ``doc`` with those in ``new``.

    A section runs from its ``## `` header to the next ``## `` header that is not one of
    ``headers``-sections being replaced, or to the end; other sections are kept verbatim.
    """

    def split(text: str) -> list[tuple[str, str]]:
        parts, current, buf = [], None, []
        for line in text.splitlines(keepends=True):
            if line.startswith("## "):
                parts.append((current, "".join(buf)))
                current, buf = line.rstrip("\n"), [line]
            else:
                buf.append(line)
        parts.append((current, "".join(buf)))
        return parts

    fresh = {h: body for h, body in split(new) if h in headers}
    out, seen = [], set()
    for header, body in split(doc):
        if header in fresh:
            out.append(fresh[header].rstrip("\n") + "\n\n")
            seen.add(header)
        else:
            out.append(body)
    text = "".join(out)
    for h in headers:
        if h in fresh and h not in seen:
            text = text.rstrip("\n") + "\n\n" + fresh[h].rstrip("\n") + "\n"
    return text.rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def _section(
    title: str,
    intro: str,
    runs: dict[str, DatasetRuns],
    methods: list[str],
    plot: Path | None,
    link: str | None,
    target: str,
    info: dict[str, str],
) -> str:
    parts = [title, "", intro, ""]
    if not runs:
        return "\n".join([*parts, "No dataset finished yet.", ""])
    md, scores, dropped = cross_dataset(runs, methods)
    parts += [
        "Across datasets (`datasets`: how many the method ran on; means are over those, so compare "
        "them only between methods with the same count; rank 1 = best; W/T/L = datasets where "
        "compare's verdict against `baseline` is better / tied / worse (Nadeau-Bengio corrected "
        "resampled t-test, or a paired bootstrap on a fixed test set, Holm-adjusted over the "
        "recipes of the dataset, alpha = 0.05); recommended / tied with best = datasets where "
        "compare recommended the method / named it tied with the best neural recipe):",
        "",
        md,
        "",
    ]
    if dropped:
        parts += [
            f"Left out of ranks and the Friedman test (no score on some dataset): {', '.join(dropped)}.",
            "",
        ]
    parts += [
        verdict_counts(runs),
        "",
        friedman_text(scores["balanced_accuracy"], "balanced_accuracy", plot, link),
        "",
        friedman_text(scores["g_mean"], "g_mean", None, None),
        "",
    ]
    if target:
        parts += [target, ""]
    parts += [
        "Per dataset (mean [95% CI] over the runs, Student t over folds x seeds or seeds; compare's "
        "own intervals are wider, corrected for overlapping folds):",
        "",
    ]
    for name, r in runs.items():
        order = [m for m in methods if m in set(r.frame["method"])]
        verdict = r.summaries.get("balanced_accuracy", {}).get("recommendation", "")
        parts += [
            f"<details><summary>{name} ({info.get(name, '')})</summary>",
            "",
            per_dataset_table(r.frame, order),
            "",
            f"compare's verdict: {verdict}",
            "",
        ]
        if r.failed:
            parts += [
                "Could not run: " + "; ".join(f"{k}: {v[:160]}" for k, v in r.failed.items()),
                "",
            ]
        parts += ["</details>", ""]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> str:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="5 small KEEL sets + digits-lt-100, 6 recipes, 3 folds x 2 seeds",
    )
    p.add_argument(
        "--datasets",
        help="comma-separated tabular datasets, or 'none' (default: the suite of the mode)",
    )
    p.add_argument("--images", help="comma-separated image sets, or 'none'")
    p.add_argument(
        "--recipes", help="comma-separated recipes (default: all shipped, or the quick subset)"
    )
    p.add_argument("--folds", type=int)
    p.add_argument("--seeds", type=int)
    p.add_argument("--image-seeds", type=int)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--max-epochs", type=int, default=40)
    p.add_argument("--out", default=str(ROOT / "equipoise-results" / "leaderboard"))
    p.add_argument("--plot", default=str(ROOT / "docs" / "img" / "leaderboard_cd.png"))
    p.add_argument(
        "--only-finished",
        action="store_true",
        help="report only datasets whose runs already finished (no training): for pasting a partial run",
    )
    p.add_argument(
        "--write-docs",
        action="store_true",
        help="replace the two leaderboard sections of docs/benchmarks.md",
    )
    args = p.parse_args(argv)

    start = time.perf_counter()
    quick = args.quick
    tab = (
        []
        if args.datasets == "none"
        else (
            args.datasets.split(",")
            if args.datasets
            else list(QUICK_TABULAR if quick else full_suite())
        )
    )
    imgs = (
        []
        if args.images == "none"
        else (
            args.images.split(",") if args.images else list(QUICK_IMAGES if quick else FULL_IMAGES)
        )
    )
    recipes = (
        args.recipes.split(",")
        if args.recipes
        else list(QUICK_RECIPES if quick else DEFAULT_RECIPES)
    )
    if "baseline" not in recipes:
        recipes = ["baseline", *recipes]
    folds = args.folds or (3 if quick else 5)
    seeds = args.seeds or (2 if quick else 3)
    image_seeds = args.image_seeds or 3
    out = Path(args.out)
    methods = [*recipes, *REFERENCE_RECIPES]
    info = list_datasets().set_index("name")

    n_tab, n_img = len(tab), len(imgs)
    if args.only_finished:  # the summary is written once a dataset's runs are all done
        tab = [d for d in tab if (out / d / "summary.json").exists()]
        imgs = [d for d in imgs if (out / d / "summary.json").exists()]
    tab_runs: dict[str, DatasetRuns] = {}
    for i, name in enumerate(tab, 1):
        try:
            X, y = load_tabular(name)
            tab_runs[name] = run_tabular(
                X,
                y,
                name=name,
                recipes=recipes,
                folds=folds,
                seeds=seeds,
                jobs=args.jobs,
                out=out / name,
                max_epochs=args.max_epochs,
            )
            _log(f"tabular {i}/{len(tab)} {name} done", start)
        except Exception:  # one dataset's failure must not lose the others
            _log(f"tabular {name} FAILED:\n{traceback.format_exc()}", start)
    img_runs: dict[str, DatasetRuns] = {}
    for name in imgs:
        try:
            Xtr, ytr = load_dataset(name, as_image=True)
            Xte, yte = load_dataset(name, as_image=True, split="test")
            img_runs[name] = run_images(
                Xtr,
                ytr,
                Xte,
                yte,
                name=name,
                recipes=recipes,
                seeds=image_seeds,
                jobs=args.jobs,
                out=out / name,
                max_epochs=args.max_epochs,
            )
            _log(f"images {name} done", start)
        except Exception:
            _log(f"images {name} FAILED:\n{traceback.format_exc()}", start)
    wall = time.perf_counter() - start

    cmd = "python benchmarks/leaderboard.py " + " ".join(argv if argv is not None else sys.argv[1:])
    setting = (
        f"Command: `.venv/bin/{cmd.strip()}` (CPU, torch 2.13.0, 2 shared cores; this invocation "
        f"{wall / 60:.1f} min wall-clock, runs already in the journals are reused). Recipes: "
        f"{', '.join(recipes)}; references inside compare, trained on the same rows: {', '.join(REFERENCE_RECIPES)}."
    )
    tab_info = {
        d: f"n={int(info.loc[d, 'n_samples'])}, IR={info.loc[d, 'imbalance_ratio']:.1f}"
        for d in tab_runs
    }
    img_info = {
        d: f"train n={int(info.loc[d, 'n_samples'])}, IR={info.loc[d, 'imbalance_ratio']:.0f}, balanced test"
        for d in img_runs
    }
    plot = Path(args.plot)
    link = "img/" + plot.name
    tab_intro = (
        f"{setting}\n\nCoverage: {len(tab_runs)} of {n_tab} tabular datasets finished. Protocol: "
        f"`equipoise.compare.compare`, stratified {folds}-fold x {seeds} seeds, every model with the same "
        f"budget of optimiser steps and selected by the prior-free criterion (docs/compare.md). "
        f"With {folds} folds x {seeds} seed(s) per dataset the corrected t-test has {folds * seeds - 1} degrees "
        f"of freedom and Holm corrects over every recipe of the dataset, so a per-dataset verdict needs a "
        f"large and consistent difference (most are ties); the mean ranks and the Friedman test pool "
        f"the datasets and separate the methods far better."
    )
    tab_md = _section(
        HEADERS[0],
        tab_intro,
        tab_runs,
        methods,
        plot if len(tab_runs) >= 2 else None,
        link,
        "",
        tab_info,
    )
    img_plot = plot.with_name(plot.stem + "_images.png")
    img_intro = (
        f"Coverage: {len(img_runs)} of {n_img} image sets finished. Protocol (Cui et al. 2019; Cao et al. "
        f"2019): `compare(X_lt, y_lt, test=balanced test split)`: train on the long-tailed training split of "
        f"`load_dataset(name)`, score on its balanced `split='test'`, {image_seeds} seeds. Classes with fewer "
        f"than 10 images cannot give 5 validation images, so the epoch and the decision come from "
        f"out-of-fold predictions of 3 inner folds. Small CNN (compare's default), at most {args.max_epochs} epochs."
    )
    img_md = _section(
        HEADERS[1],
        img_intro,
        img_runs,
        methods,
        img_plot if len(img_runs) >= 2 else None,
        "img/" + img_plot.name,
        target_text_images(img_runs),
        img_info,
    )
    md = tab_md.rstrip() + "\n\n" + img_md.rstrip() + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "leaderboard.md").write_text(md, encoding="utf-8")
    if args.write_docs:
        doc = ROOT / "docs" / "benchmarks.md"
        doc.write_text(replace_sections(doc.read_text(encoding="utf-8"), md), encoding="utf-8")
    print(md)
    _log(f"wrote {out / 'leaderboard.md'}", start)
    return md


if __name__ == "__main__":
    main()
