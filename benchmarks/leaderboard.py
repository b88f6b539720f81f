"""Technique leaderboard: every equipoise recipe against practitioner references, over a suite.

Tabular problems (KEEL binary sets shipped with equipoise) run through
:func:`equipoise.compare.compare` (repeated stratified k-fold); beside the recipes, two
references run on the very same folds: imbalanced-learn ``SMOTE`` + scikit-learn
``MLPClassifier`` in an imblearn ``Pipeline`` (preprocessing fitted per training fold) and
``HistGradientBoostingClassifier(class_weight='balanced')``. Long-tailed image sets follow the
literature's protocol: train on the long-tailed set, test on the balanced test set, one run per
seed. Across datasets the script reports mean ranks, win/tie/loss against ``baseline``, the
Friedman test and a Nemenyi critical-difference plot (Demšar 2006), and prints the Markdown of
the two "Technique leaderboard" sections of docs/benchmarks.md.

    .venv/bin/python benchmarks/leaderboard.py --quick            # < 10 min on 2 cores
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

from _leaderboard_runs import METRICS, REFERENCES, run_fixed_test, run_references, run_tabular  # noqa: E402
from _leaderboard_stats import (  # noqa: E402
    critical_difference,
    format_ci,
    friedman,
    markdown_table,
    mean_ranks,
    plot_critical_difference,
    win_tie_loss,
)

from equipoise.compare import DEFAULT_RECIPES  # noqa: E402
from equipoise.datasets import list_datasets, load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUICK_TABULAR = ("glass1", "ecoli1", "yeast-2_vs_4", "glass4", "winequality-red-8_vs_6")
QUICK_IMAGES = ("digits-lt-100",)
QUICK_RECIPES = ("baseline", "class-weights", "smote", "focal", "balanced-softmax", "logit-adjusted")
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


def cross_dataset(per_fold: dict[str, pd.DataFrame], methods: Sequence[str]) -> tuple[str, dict[str, pd.DataFrame], list[str]]:
    """Summary table across datasets, the score matrices used for ranks, and the methods left
    out of ranks/Friedman because they have no score on some dataset."""
    means = {m: pd.DataFrame({d: f.groupby("method")[m].mean() for d, f in per_fold.items()}).T.reindex(columns=list(methods)) for m in METRICS}
    complete = [c for c in methods if not means["g_mean"][c].isna().any() and not means["balanced_accuracy"][c].isna().any()]
    dropped = [c for c in methods if c not in complete]
    ranks = {m: mean_ranks(means[m][complete]) for m in ("g_mean", "balanced_accuracy")} if len(per_fold) >= 1 and complete else {}
    rows = []
    for c in methods:
        row: dict[str, object] = {"method": c, "datasets": int(means["balanced_accuracy"][c].notna().sum())}
        for m in METRICS:
            row[f"mean {LABELS[m]}"] = float(means[m][c].mean())
        for m in ("g_mean", "balanced_accuracy"):
            row[f"rank {LABELS[m]}"] = float(ranks[m][c]) if ranks and c in ranks[m] else math.nan
        for m in ("g_mean", "balanced_accuracy"):
            w, t, lo = win_tie_loss(per_fold, c, "baseline", m) if c != "baseline" else (0, 0, 0)
            row[f"W/T/L vs baseline ({LABELS[m]})"] = "-" if c == "baseline" else f"{w}/{t}/{lo}"
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(["rank G-mean", "mean G-mean"], ascending=[True, False], na_position="last")
    md = markdown_table(table, align=["l"] + ["r"] * (len(table.columns) - 1))
    return md, {m: means[m][complete] for m in METRICS}, dropped


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
        plot_critical_difference(mean_ranks(scores), cd, plot, title=f"Mean rank on {LABELS[metric]} over {n} datasets (CD = {cd:.2f})")
        text += f"; diagram: [{plot.name}]({link})\n\n![critical difference diagram]({link})"
    else:
        text += "."
    return text


def target_text_tabular(per_fold: dict[str, pd.DataFrame], scores: dict[str, pd.DataFrame], recipes: Sequence[str]) -> str:
    """Does the best equipoise recipe (mean G-mean over datasets) beat SMOTE + MLPClassifier?"""
    g = scores["g_mean"]
    ref = "imblearn-smote+mlp"
    ours = [r for r in recipes if r in g.columns]
    if ref not in g.columns or not ours:
        return "Target (best recipe beats SMOTE + MLPClassifier on mean G-mean): n/a (missing scores)."
    means = g[ours].mean()
    best = means.idxmax()
    verdict = "met" if means[best] > g[ref].mean() else "missed"
    w, t, lo = win_tie_loss({d: per_fold[d] for d in g.index}, best, ref, "g_mean")
    hgb = f"; HistGradientBoosting(class_weight='balanced') {g['sklearn-hgb-balanced'].mean():.3f}" if "sklearn-hgb-balanced" in g else ""
    return (
        f"Target, best equipoise recipe vs imbalanced-learn SMOTE + MLPClassifier on mean G-mean over "
        f"{len(g)} datasets: **{verdict}** ({best} {means[best]:.3f} vs {g[ref].mean():.3f}{hgb}). "
        f"Dataset by dataset, {best} against SMOTE + MLPClassifier on G-mean: {w} wins, {t} ties, {lo} losses "
        f"(paired over folds x seeds, p < 0.05)."
    )


def target_text_images(per_fold: dict[str, pd.DataFrame]) -> str:
    from equipoise.metrics import paired_difference

    lines = []
    for name, frame in per_fold.items():
        if not name.endswith("-lt-100"):
            continue
        base = frame[frame["method"] == "baseline"].set_index("seed")["balanced_accuracy"]
        for r in ("logit-adjusted", "balanced-softmax"):
            sub = frame[frame["method"] == r].set_index("seed")["balanced_accuracy"]
            if base.empty or sub.empty:
                continue
            j = pd.concat([sub.rename("a"), base.rename("b")], axis=1, join="inner")
            diff = f"{(j['a'] - j['b']).mean():+.3f}"
            sig = ""
            if len(j) >= 2:
                pdiff = paired_difference(j["a"], j["b"])
                sig = f" [{pdiff.low:+.3f}, {pdiff.high:+.3f}], p = {pdiff.p_value:.3g}"
            higher = (j["a"] - j["b"]).mean() > 0
            significant = len(j) >= 2 and paired_difference(j["a"], j["b"]).significant
            verdict = ("met, beyond noise" if significant else "met on the mean, within seed noise") if higher else "missed"
            lines.append(f"- {name}: {r} vs baseline on balanced accuracy {diff}{sig} (**{verdict}**)")
    if not lines:
        return "Target (logit-adjusted / balanced-softmax beat baseline at ratio 100): n/a (no ratio-100 set ran)."
    return "Target, logit-adjusted or balanced-softmax beats plain cross-entropy on balanced accuracy at ratio 100:\n\n" + "\n".join(lines)


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


def _section(title: str, intro: str, per_fold: dict[str, pd.DataFrame], methods: list[str], recipes: list[str],
             failures: dict[str, dict[str, str]], plot: Path | None, link: str | None, target: str, info: dict[str, str]) -> str:
    parts = [title, "", intro, ""]
    if not per_fold:
        return "\n".join([*parts, "No dataset finished yet.", ""])
    md, scores, dropped = cross_dataset(per_fold, methods)
    parts += ["Across datasets (`datasets`: how many the method ran on; means are over those, so compare "
              "them only between methods with the same count; rank 1 = best; W/T/L = datasets where the "
              "paired fold-by-fold difference against `baseline` is significantly positive / not "
              "significant / significantly negative, paired t-test p < 0.05):", "", md, ""]
    if dropped:
        parts += [f"Left out of ranks and the Friedman test (no score on some dataset): {', '.join(dropped)}.", ""]
    parts += [friedman_text(scores["g_mean"], "g_mean", plot, link), "",
              friedman_text(scores["balanced_accuracy"], "balanced_accuracy", None, None), "", target, ""]
    parts += ["Per dataset (mean [95% CI] over the runs: folds x seeds for tables, seeds for images; Student t):", ""]
    for name, frame in per_fold.items():
        order = [m for m in methods if m in set(frame["method"])]
        parts += [f"<details><summary>{name} ({info.get(name, '')})</summary>", "", per_dataset_table(frame, order), ""]
        if failures.get(name):
            parts += ["Could not run: " + "; ".join(f"{k}: {v[:160]}" for k, v in failures[name].items()), ""]
        parts += ["</details>", ""]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> str:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="5 small KEEL sets + digits-lt-100, 6 recipes, 3 folds x 2 seeds")
    p.add_argument("--datasets", help="comma-separated tabular datasets, or 'none' (default: the suite of the mode)")
    p.add_argument("--images", help="comma-separated image sets, or 'none'")
    p.add_argument("--recipes", help="comma-separated recipes (default: all shipped, or the quick subset)")
    p.add_argument("--folds", type=int)
    p.add_argument("--seeds", type=int)
    p.add_argument("--image-seeds", type=int)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--max-epochs", type=int, default=40)
    p.add_argument("--out", default=str(ROOT / "equipoise-results" / "leaderboard"))
    p.add_argument("--plot", default=str(ROOT / "docs" / "img" / "leaderboard_cd.png"))
    p.add_argument("--only-finished", action="store_true",
                   help="report only datasets whose runs already finished (no training): for pasting a partial run")
    p.add_argument("--write-docs", action="store_true", help="replace the two leaderboard sections of docs/benchmarks.md")
    args = p.parse_args(argv)

    start = time.perf_counter()
    quick = args.quick
    tab = [] if args.datasets == "none" else (args.datasets.split(",") if args.datasets else list(QUICK_TABULAR if quick else full_suite()))
    imgs = [] if args.images == "none" else (args.images.split(",") if args.images else list(QUICK_IMAGES if quick else FULL_IMAGES))
    recipes = args.recipes.split(",") if args.recipes else list(QUICK_RECIPES if quick else DEFAULT_RECIPES)
    if "baseline" not in recipes:
        recipes = ["baseline", *recipes]
    folds = args.folds or (3 if quick else 5)
    seeds = args.seeds or 2
    image_seeds = args.image_seeds or 3
    out = Path(args.out)
    methods = [*recipes, *REFERENCES]
    info = list_datasets().set_index("name")

    tab_runs: dict[str, pd.DataFrame] = {}
    tab_fail: dict[str, dict[str, str]] = {}
    n_tab, n_img = len(tab), len(imgs)
    if args.only_finished:  # references are written last, once a dataset's runs are all done
        tab = [d for d in tab if (out / d / "references.csv").exists()]
        imgs = [d for d in imgs if (out / d / "references.csv").exists()]
    for i, name in enumerate(tab, 1):
        try:
            X, y = load_tabular(name)
            runs, failed = run_tabular(X, y, name=name, recipes=recipes, folds=folds, seeds=seeds, jobs=args.jobs,
                                       out=out / name, max_epochs=args.max_epochs)
            refs, ref_failed = run_references(X, y, folds=folds, seeds=seeds, out=out / name)
            tab_runs[name] = pd.concat([runs, refs], ignore_index=True)
            tab_fail[name] = {**failed, **ref_failed}
            _log(f"tabular {i}/{len(tab)} {name} done", start)
        except Exception:  # one dataset's failure must not lose the others
            _log(f"tabular {name} FAILED:\n{traceback.format_exc()}", start)
    img_runs: dict[str, pd.DataFrame] = {}
    img_fail: dict[str, dict[str, str]] = {}
    for name in imgs:
        try:
            Xtr, ytr = load_dataset(name)
            Xte, yte = load_dataset(name, split="test")
            img_runs[name], img_fail[name] = run_fixed_test(Xtr, ytr, Xte, yte, recipes=recipes, seeds=image_seeds,
                                                            out=out / name, max_epochs=args.max_epochs)
            _log(f"images {name} done", start)
        except Exception:
            _log(f"images {name} FAILED:\n{traceback.format_exc()}", start)
    wall = time.perf_counter() - start

    cmd = "python benchmarks/leaderboard.py " + " ".join(argv if argv is not None else sys.argv[1:])
    setting = (f"Command: `.venv/bin/{cmd.strip()}` (CPU, torch 2.13.0, 2 shared cores; this invocation "
               f"{wall / 60:.1f} min wall-clock, runs already in the journals are reused). Recipes: "
               f"{', '.join(recipes)}; references: imbalanced-learn `SMOTE` + `MLPClassifier` in an imblearn "
               f"`Pipeline` (`imblearn-smote+mlp`) and `HistGradientBoostingClassifier(class_weight='balanced')` "
               f"(`sklearn-hgb-balanced`), both with the per-fold standardise/one-hot preprocessing compare uses.")
    tab_info = {d: f"n={int(info.loc[d, 'n_samples'])}, IR={info.loc[d, 'imbalance_ratio']:.1f}" for d in tab_runs}
    img_info = {d: f"train n={int(info.loc[d, 'n_samples'])}, IR={info.loc[d, 'imbalance_ratio']:.0f}, balanced test" for d in img_runs}
    plot = Path(args.plot)
    link = "img/" + plot.name
    tab_intro = (f"{setting}\n\nCoverage: {len(tab_runs)} of {n_tab} tabular datasets finished. Protocol: "
                 f"`equipoise.compare.compare`, stratified {folds}-fold x {seeds} seeds; the references are fitted on "
                 f"the whole training fold (training part + validation split) of the same `make_splits` folds and "
                 f"scored with `equipoise.metrics.imbalance_report` on the same test folds.")
    tab_md = _section(HEADERS[0], tab_intro, tab_runs, methods, recipes, tab_fail, plot if len(tab_runs) >= 2 else None, link,
                      target_text_tabular(tab_runs, cross_dataset(tab_runs, methods)[1], recipes) if tab_runs else "", tab_info)
    img_plot = plot.with_name(plot.stem + "_images.png")
    img_intro = (f"Coverage: {len(img_runs)} of {n_img} image sets finished. Protocol (Cui et al. 2019; Cao et al. "
                 f"2019): train on the long-tailed training split of `load_dataset(name)`, test on its balanced "
                 f"`split='test'`, {image_seeds} seeds (different validation split, initial weights and shuffles); "
                 f"each class keeps `min(n_c - 1, round(0.2 n_c))` images for early stopping. k-fold on the "
                 f"long-tailed set is impossible at ratio 100 (the rarest digits have 1-2 images). Small CNN "
                 f"(compare's default), at most {args.max_epochs} epochs. Intervals are over seeds only.")
    img_md = _section(HEADERS[1], img_intro, img_runs, methods, recipes, img_fail, img_plot if len(img_runs) >= 2 else None,
                      "img/" + img_plot.name, target_text_images(img_runs), img_info)
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
