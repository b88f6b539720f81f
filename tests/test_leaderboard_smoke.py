"""Smoke tests of the leaderboard's pure functions (ranks, Friedman, CD, W/T/L, Markdown).

No training: the runs themselves are exercised by ``benchmarks/leaderboard.py --quick``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _leaderboard_stats as st  # noqa: E402
import leaderboard as lb  # noqa: E402

from equipoise.exceptions import InvalidInputError, InvalidParameterError  # noqa: E402


def test_mean_ranks_hand_computed_with_ties():
    scores = pd.DataFrame({"a": [0.9, 0.8, 0.7], "b": [0.7, 0.8, 0.9], "c": [0.5, 0.5, 0.1]})
    # dataset 1: a=1 b=2 c=3; dataset 2: a=b=1.5 c=3; dataset 3: b=1 a=2 c=3
    ranks = st.mean_ranks(scores)
    assert ranks.to_dict() == pytest.approx({"a": 1.5, "b": 1.5, "c": 3.0})
    assert list(ranks.index)[-1] == "c"
    assert ranks.sum() == pytest.approx(3 * 4 / 2)  # ranks of k methods always sum to k(k+1)/2


def test_mean_ranks_rejects_missing():
    with pytest.raises(InvalidInputError, match="missing"):
        st.mean_ranks(pd.DataFrame({"a": [0.1, np.nan], "b": [0.2, 0.3]}))


def test_friedman_matches_formula_and_scipy():
    rng = np.random.default_rng(0)
    scores = pd.DataFrame(rng.random((8, 4)), columns=list("abcd"))
    res = st.friedman(scores)
    n, k = scores.shape
    R = st.mean_ranks(scores)
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(R.to_numpy() ** 2) - k * (k + 1) ** 2 / 4)
    assert res.statistic == pytest.approx(chi2)  # no ties among random floats
    assert res.iman_davenport == pytest.approx((n - 1) * chi2 / (n * (k - 1) - chi2))
    assert 0 <= res.p_value <= 1 and 0 <= res.iman_davenport_p <= 1


def test_friedman_perfect_agreement_and_too_small():
    scores = pd.DataFrame({"a": [3, 3, 3, 3], "b": [2, 2, 2, 2], "c": [1, 1, 1, 1]})
    res = st.friedman(scores)
    assert res.statistic == pytest.approx(8.0)  # 12*4/12 * (1+4+9 - 12) = 8
    assert math.isinf(res.iman_davenport) and res.iman_davenport_p == 0.0
    with pytest.raises(InvalidInputError, match="at least 2 datasets and 3 methods"):
        st.friedman(scores[["a", "b"]])


@pytest.mark.parametrize(("k", "q"), [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (10, 3.164)])
def test_nemenyi_q_matches_demsar_table(k, q):
    assert st.nemenyi_q(k) == pytest.approx(q, abs=2e-3)


def test_critical_difference_demsar_example_and_validation():
    # Demšar (2006), section 3.2.2: k = 4 classifiers, N = 14 data sets -> CD = 1.25
    assert st.critical_difference(4, 14) == pytest.approx(2.569 * math.sqrt(20 / 84), abs=2e-3)
    with pytest.raises(InvalidParameterError, match="'k' parameter of nemenyi_q"):
        st.nemenyi_q(1)
    with pytest.raises(InvalidParameterError, match="'n' parameter"):
        st.critical_difference(3, 0)


def test_win_tie_loss_reads_compares_verdicts():
    summaries = {
        "win": {"vs_baseline": {"x": {"verdict": "better"}}},
        "loss": {"vs_baseline": {"x": {"verdict": "worse"}}},
        "tie": {"vs_baseline": {"x": {"verdict": "tied"}}},
        "missing": {"vs_baseline": {}},
    }
    assert st.win_tie_loss(summaries, "x") == (1, 1, 1)
    assert st.recommended_and_tied(
        {"a": {"recommended": "x", "tied_with_best": ["y", "x"]}, "b": {"recommended": None}}, "x"
    ) == (1, 1)


def test_format_ci_and_markdown_table():
    assert st.format_ci([0.8, 0.82, 0.78, 0.81, 0.79]) == "0.800 [0.780, 0.820]"
    assert st.format_ci([np.nan]) == "n/a"
    assert st.format_ci([0.5]) == "0.500"
    md = st.markdown_table(pd.DataFrame({"m": ["a|b"], "x": [1.23456], "y": [math.nan]}))
    assert md.splitlines() == ["| m | x | y |", "|---|---:|---:|", "| a\\|b | 1.235 | n/a |"]
    with pytest.raises(InvalidParameterError, match="alignments"):
        st.markdown_table(pd.DataFrame({"m": [1]}), align=["l", "r"])


def test_cd_plot_writes_png(tmp_path):
    ranks = pd.Series({"a": 1.2, "b": 1.9, "c": 2.9, "d": 4.0})
    path = st.plot_critical_difference(ranks, 1.0, tmp_path / "sub" / "cd.png", title="t")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_replace_sections_keeps_other_sections():
    doc = "# B\n\n## Other\nkeep\n\n## Technique leaderboard (tabular)\nold\n\n## Tail\nkeep too\n"
    new = "## Technique leaderboard (tabular)\nnew\n\n## Technique leaderboard (long-tailed images)\nimg\n"
    text = lb.replace_sections(doc, new)
    assert "old" not in text and "new" in text and "keep\n" in text and "keep too" in text
    assert (
        text.index("new") < text.index("## Tail") < text.index("img")
    )  # replaced in place, missing appended
    assert lb.replace_sections(text, new) == text  # idempotent


def test_cross_dataset_table_ranks_and_wtl():
    import _leaderboard_runs as runs

    def frame(vals: dict[str, list[float]]) -> pd.DataFrame:
        parts = [
            pd.DataFrame(
                {
                    "method": m,
                    "fold": range(3),
                    "seed": 0,
                    "balanced_accuracy": v,
                    "g_mean": v,
                    "pr_auc": v,
                }
            )
            for m, v in vals.items()
        ]
        return pd.concat(parts, ignore_index=True)

    summary = {
        "vs_baseline": {"x": {"verdict": "better"}, "y": {"verdict": "tied"}},
        "recommended": "x",
        "tied_with_best": ["x"],
    }
    per_dataset = {
        "d1": runs.DatasetRuns(
            frame({"baseline": [0.5, 0.51, 0.49], "x": [0.9, 0.92, 0.91], "y": [0.6, 0.6, 0.61]}),
            {"balanced_accuracy": summary, "g_mean": summary},
        ),
        "d2": runs.DatasetRuns(
            frame({"baseline": [0.5, 0.51, 0.49], "x": [0.8, 0.81, 0.83], "y": [0.7, 0.7, 0.71]}),
            {"balanced_accuracy": summary, "g_mean": summary},
        ),
    }
    md, scores, dropped = lb.cross_dataset(per_dataset, ["baseline", "x", "y", "z"])
    assert dropped == ["z"]
    assert list(scores["g_mean"].columns) == ["baseline", "x", "y"]
    first_row = md.splitlines()[2]
    assert (
        first_row.startswith("| x | 2 |")
        and "| 1.000 | 1.000 | 2/0/0 | 2/0/0 | 2 / 2 |" in first_row
    )
    assert "recommended on 2, nothing beyond the baseline on 0" in lb.verdict_counts(per_dataset)


def test_full_suite_is_deterministic_and_bounded():
    suite = lb.full_suite()
    assert len(suite) == 30 and len(set(suite)) == 30 and suite == lb.full_suite()
