"""Statistics and Markdown for the technique leaderboard (pure functions, no training).

Comparing several methods over several datasets follows Demšar (2006):

* per dataset, methods are ranked by their mean score (rank 1 = best, ties share the average
  rank); the **mean rank** of method :math:`j` is :math:`R_j = \\frac{1}{N}\\sum_i r_i^j`;
* the **Friedman test** asks whether all methods are equivalent,
  :math:`\\chi^2_F = \\frac{12N}{k(k+1)}\\left[\\sum_j R_j^2 - \\frac{k(k+1)^2}{4}\\right]`
  (``scipy.stats.friedmanchisquare``), with the Iman-Davenport correction
  :math:`F_F = \\frac{(N-1)\\chi^2_F}{N(k-1) - \\chi^2_F}` on :math:`(k-1, (k-1)(N-1))` degrees of
  freedom;
* the **Nemenyi critical difference** :math:`CD = q_\\alpha\\sqrt{k(k+1)/(6N)}`, with
  :math:`q_\\alpha` the studentized range quantile divided by :math:`\\sqrt 2`: two methods whose
  mean ranks differ by less than CD are not significantly different.

Win / tie / loss against the baseline counts, over datasets, compare's own verdicts: the
Nadeau-Bengio corrected resampled t-test (a paired bootstrap on a fixed test set) with Holm's
correction across the recipes of the dataset.

References
----------
.. [1] Demšar, J. (2006). Statistical comparisons of classifiers over multiple data sets.
   Journal of Machine Learning Research 7, 1-30.
.. [2] Iman, R. L. & Davenport, J. M. (1980). Approximations of the critical region of the
   Friedman statistic. Communications in Statistics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.metrics import mean_ci

__all__ = [
    "FriedmanResult",
    "critical_difference",
    "format_ci",
    "friedman",
    "markdown_table",
    "mean_ranks",
    "nemenyi_q",
    "plot_critical_difference",
    "win_tie_loss",
]


def mean_ranks(scores: pd.DataFrame) -> pd.Series:
    """Mean rank of every method (column) over datasets (rows); rank 1 = highest score.

    Parameters
    ----------
    scores : DataFrame of shape (n_datasets, n_methods)
        One mean score per dataset and method, higher is better, no missing values.

    Returns
    -------
    Series
        Mean rank per method, sorted best (lowest) first.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [0.9, 0.8], "b": [0.7, 0.8], "c": [0.5, 0.6]})
    >>> mean_ranks(s).to_dict()
    {'a': 1.25, 'b': 1.75, 'c': 3.0}
    """
    from scipy.stats import rankdata

    _check_complete(scores, "mean_ranks")
    ranks = np.vstack([rankdata(-row) for row in scores.to_numpy(dtype=float)])
    return pd.Series(ranks.mean(axis=0), index=scores.columns, name="mean_rank").sort_values(
        kind="stable"
    )


@dataclass(frozen=True)
class FriedmanResult:
    """Friedman test over ``n_datasets`` blocks and ``n_methods`` treatments."""

    statistic: float
    p_value: float
    iman_davenport: float
    iman_davenport_p: float
    n_datasets: int
    n_methods: int


def friedman(scores: pd.DataFrame) -> FriedmanResult:
    """Friedman test (``scipy.stats.friedmanchisquare``) plus the Iman-Davenport F.

    Parameters
    ----------
    scores : DataFrame of shape (n_datasets, n_methods)
        At least 2 datasets and 3 methods.

    Returns
    -------
    FriedmanResult

    Examples
    --------
    >>> s = pd.DataFrame({"a": [3, 3, 3, 3], "b": [2, 2, 2, 2], "c": [1, 1, 1, 1]})
    >>> round(friedman(s).statistic, 3)
    8.0
    """
    from scipy import stats

    _check_complete(scores, "friedman")
    n, k = scores.shape
    if n < 2 or k < 3:
        raise InvalidInputError(
            f"friedman needs at least 2 datasets and 3 methods; got {n} and {k}."
        )
    chi2, p = stats.friedmanchisquare(*(scores[c].to_numpy(dtype=float) for c in scores.columns))
    chi2, p = float(chi2), float(p)
    denom = n * (k - 1) - chi2
    if denom <= 0:  # every dataset ranks the methods identically
        ff, ff_p = math.inf, 0.0
    else:
        ff = (n - 1) * chi2 / denom
        ff_p = float(stats.f.sf(ff, k - 1, (k - 1) * (n - 1)))
    return FriedmanResult(chi2, p, float(ff), ff_p, n, k)


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Critical value :math:`q_\\alpha` of the Nemenyi test for ``k`` methods.

    The studentized range quantile on infinite degrees of freedom divided by :math:`\\sqrt 2`
    (Demšar 2006, Table 5a: 1.960 for k=2, 2.728 for k=5, 3.164 for k=10 at alpha=0.05).

    Examples
    --------
    >>> round(nemenyi_q(5), 3)
    2.728
    """
    from scipy.stats import studentized_range

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise InvalidParameterError(
            f"The 'k' parameter of nemenyi_q must be an int >= 2; got {k!r}."
        )
    if not 0 < alpha < 1:
        raise InvalidParameterError(
            f"The 'alpha' parameter of nemenyi_q must be in (0, 1); got {alpha!r}."
        )
    return float(studentized_range.ppf(1 - alpha, int(k), np.inf) / math.sqrt(2))


def critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference :math:`CD = q_\\alpha\\sqrt{k(k+1)/(6N)}` (Demšar 2006).

    Examples
    --------
    >>> round(critical_difference(4, 14), 3)  # Demšar's worked example
    1.254
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidParameterError(
            f"The 'n' parameter of critical_difference must be an int >= 1; got {n!r}."
        )
    return nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n))


def win_tie_loss(summaries: Mapping[str, Mapping[str, Any]], method: str) -> tuple[int, int, int]:
    """Datasets where compare's verdict for ``method`` against the baseline is better / tied / worse.

    Parameters
    ----------
    summaries : mapping of dataset name to compare's summary (for one primary metric)
        The verdicts there account for overlapping folds (Nadeau-Bengio; a paired bootstrap on
        a fixed test set) and for the number of recipes compared (Holm).
    method : str

    Returns
    -------
    (wins, ties, losses)
        Datasets where ``method`` has no verdict (not run, or the baseline itself) are skipped.
    """
    wins = ties = losses = 0
    for summary in summaries.values():
        verdict = (summary.get("vs_baseline") or {}).get(method, {}).get("verdict")
        if verdict == "better":
            wins += 1
        elif verdict == "worse":
            losses += 1
        elif verdict is not None:
            ties += 1
    return wins, ties, losses


def recommended_and_tied(
    summaries: Mapping[str, Mapping[str, Any]], method: str
) -> tuple[int, int]:
    """Datasets where compare recommended ``method``, and where it tied the best neural recipe."""
    rec = sum(s.get("recommended") == method for s in summaries.values())
    tied = sum(method in (s.get("tied_with_best") or []) for s in summaries.values())
    return rec, tied


def format_ci(values: Sequence[float] | np.ndarray, digits: int = 3) -> str:
    """``mean [low, high]`` of per-fold scores (Student t, :func:`equipoise.metrics.mean_ci`).

    Examples
    --------
    >>> format_ci([0.8, 0.82, 0.78, 0.81, 0.79])
    '0.800 [0.780, 0.820]'
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return "n/a"
    if x.size == 1:
        return f"{x[0]:.{digits}f}"
    mean, low, high = mean_ci(x)
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def markdown_table(frame: pd.DataFrame, *, align: Sequence[str] | None = None) -> str:
    """A GitHub Markdown table of ``frame`` (index ignored; cells rendered with ``str``).

    Parameters
    ----------
    frame : DataFrame
    align : sequence of {'l', 'r'}, optional
        Per column; default left for object columns, right otherwise.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"m": ["a"], "x": [1]})))
    | m | x |
    |---|---:|
    | a | 1 |
    """
    cols = list(frame.columns)
    if align is None:
        align = [
            "l" if frame[c].dtype == object or str(frame[c].dtype).startswith("str") else "r"
            for c in cols
        ]
    if len(align) != len(cols):
        raise InvalidParameterError(
            f"markdown_table got {len(align)} alignments for {len(cols)} columns."
        )
    head = "| " + " | ".join(str(c) for c in cols) + " |"
    rule = "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"
    body = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.3f}"
    return str(value).replace("|", "\\|")


def _check_complete(scores: pd.DataFrame, owner: str) -> None:
    if not isinstance(scores, pd.DataFrame) or scores.empty:
        raise InvalidInputError(
            f"{owner} needs a non-empty DataFrame of scores (datasets x methods)."
        )
    if scores.isna().to_numpy().any():
        raise InvalidInputError(
            f"{owner} needs a score for every dataset and method; missing: "
            f"{[c for c in scores.columns if scores[c].isna().any()]}."
        )


def plot_critical_difference(
    ranks: pd.Series, cd: float, path: str | Path, *, title: str = ""
) -> Path:
    """Draw a critical-difference diagram (Demšar 2006, Fig. 1) with matplotlib.

    Methods sit on a rank axis (best on the left); thick bars join groups of methods whose
    mean ranks differ by less than ``cd`` (not significantly different by Nemenyi).

    Parameters
    ----------
    ranks : Series
        Mean rank per method.
    cd : float
        The critical difference, drawn as a scale bar above the axis.
    path : str or Path
        PNG to write (parent folders are created).

    Returns
    -------
    Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranks = ranks.sort_values(kind="stable")
    k = len(ranks)
    lo, hi = 1, max(k, 2)
    half = (k + 1) // 2
    height = 1.2 + 0.22 * half
    fig, ax = plt.subplots(figsize=(8, height))
    ax.set_xlim(lo - 0.5, hi + 0.5)
    ax.set_ylim(-(0.28 * half + 0.6), 1.6)
    ax.axis("off")
    ax.hlines(0, lo, hi, color="black", lw=1)
    for t in range(lo, hi + 1):
        ax.vlines(t, 0, 0.12, color="black", lw=1)
        ax.text(t, 0.2, str(t), ha="center", va="bottom", fontsize=8)
    ax.hlines(1.1, lo, lo + cd, color="black", lw=1.5)
    ax.text(lo + cd / 2, 1.2, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=8)
    for i, (name, r) in enumerate(ranks.items()):
        left = i < half
        row = -(i if left else k - 1 - i) * 0.28 - 0.5
        x_text = lo - 0.4 if left else hi + 0.4
        ax.plot([r, r, x_text], [0, row, row], color="black", lw=0.7)
        ax.text(
            x_text,
            row,
            f"{name} ({r:.2f})",
            ha="right" if left else "left",
            va="center",
            fontsize=7,
        )
    # cliques: maximal runs of consecutive methods within cd of each other
    values = ranks.to_numpy()
    cliques = []
    for i in range(k):
        j = i
        while j + 1 < k and values[j + 1] - values[i] < cd:
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in cliques):
            cliques.append((i, j))
    for n, (i, j) in enumerate(cliques):
        y = -0.15 - 0.1 * n
        ax.hlines(y, values[i] - 0.03, values[j] + 0.03, color="tab:red", lw=3)
    if title:
        ax.set_title(title, fontsize=9)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return out
