"""What :func:`~equipoise.compare.compare` returns: :class:`ComparisonResult`; and
:func:`csv_safe`, which every CSV equipoise writes goes through."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ComparisonResult", "csv_safe", "CSV_FORMULA_PREFIXES"]

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _risky(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(CSV_FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def _neutral(value: Any) -> Any:
    return "'" + value if _risky(value) else value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to open in a spreadsheet: CSV formula injection neutralised.

    Following OWASP's CSV injection guidance, a **text** cell that starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a single quote in front (``=HYPERLINK(...)``
    is written ``'=HYPERLINK(...)``), so a spreadsheet shows it as text instead of running it.
    Only text cells change: numeric, boolean and datetime columns are written as they are
    (a negative number is data), and a text cell that is a plain number (``-3``, ``+1.5e3``)
    is left alone too, since no spreadsheet reads it as a formula. Column names are
    neutralised by the same rule.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        The same frame (not copied) when nothing needed a change.

    Examples
    --------
    >>> import pandas as pd
    >>> csv_safe(pd.DataFrame({"name": ["=1+1", "-x", "-3", "ok"], "v": [-1.0, 2.0, 3.0, 4.0]}))
        name    v
    0  '=1+1 -1.0
    1    '-x  2.0
    2     -3  3.0
    3     ok  4.0
    """
    out = frame
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        dtype = series.dtype
        if not (
            pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(dtype)
        ):
            continue
        values = series.to_numpy(dtype=object)
        risky = [i for i, value in enumerate(values) if _risky(value)]
        if risky:
            fixed = values.copy()
            fixed[risky] = ["'" + values[i] for i in risky]
            if out is frame:
                out = frame.copy()
            out.isetitem(
                position, pd.Series(fixed, index=frame.index, name=series.name, dtype=object)
            )
    renamed = {c: _neutral(c) for c in out.columns if isinstance(c, str) and _neutral(c) != c}
    if renamed:
        out = out.rename(columns=renamed)
    return out


@dataclass
class ComparisonResult:
    """The runs, the summary and where they were written.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per recipe x fold x seed: ``recipe, fold, seed``, one column per metric, and
        ``family``, ``collapsed``, ``selection``, ``chosen_epochs``, ``fit_seconds`` (the
        ``results.csv`` content).
    summary : dict
        The ``summary.json`` content: intervals, corrected tests against the baseline and the
        best, ties, the recommended recipe, the references, and the recommendation text.
    out : pathlib.Path or None
        The output folder (None when nothing was written).
    config : dict
        The settings that determine the runs (hashed in the journal).
    n_computed : int
        Runs computed by this call (the rest came from the journal).
    predictions : dict
        ``{recipe: {"y_true", "y_pred", "y_score", "labels"}}`` of the first seed, pooled over
        its test folds (the report's curves and confusion matrices).
    notes : list of str
        What the call changed or could not do, in plain words (``jobs`` lowered to the usable
        cores and the runs; a read-only output folder not rewritten); the CLI prints them.
    written : bool
        Whether ``results.csv``, ``summary.json`` (and ``report.html``) were written to ``out``.
    """

    results: pd.DataFrame
    summary: dict[str, Any]
    out: Path | None
    config: dict[str, Any]
    n_computed: int = 0
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def metric(self) -> str:
        """The primary metric."""
        return str(self.summary["metric"])

    @property
    def recommendation(self) -> str:
        """The plain-language verdict."""
        return str(self.summary["recommendation"])

    @property
    def recommended(self) -> str | None:
        """The recommended recipe, or None when no recipe beats the baseline beyond noise."""
        return self.summary.get("recommended")

    @property
    def ranking(self) -> list[str]:
        """Recipe names, best mean primary metric first."""
        return list(self.summary["ranking"])

    def table(self) -> pd.DataFrame:
        """One row per recipe (ranked): its family, the mean and 95% interval of the primary
        metric, the difference against the baseline with its interval, the raw and
        Holm-adjusted p-values, the verdict, whether it ties the best, and collapsed runs."""
        rows = []
        tied = set(self.summary.get("tied_with_best") or [])
        for name in self.ranking:
            entry = self.summary["recipes"][name]
            m = entry["metrics"][self.metric]
            vs = self.summary["vs_baseline"].get(name, {})
            rows.append(
                {
                    "recipe": name,
                    "family": entry.get("family", "neural"),
                    "mean": m["mean"],
                    "low": m["low"],
                    "high": m["high"],
                    "diff": vs.get("diff", math.nan),
                    "diff_low": vs.get("low", math.nan),
                    "diff_high": vs.get("high", math.nan),
                    "p_value": vs.get("p_value", math.nan),
                    "p_holm": vs.get("p_holm", math.nan),
                    "verdict": vs.get(
                        "verdict", "baseline" if name == self.summary["baseline"] else ""
                    ),
                    "ties_best": name in tied,
                    "collapsed_runs": entry.get("collapsed_runs", 0),
                }
            )
        return pd.DataFrame(rows).set_index("recipe")

    def __str__(self) -> str:
        return (
            self.table().to_string(float_format=lambda v: f"{v:.3f}") + "\n\n" + self.recommendation
        )
