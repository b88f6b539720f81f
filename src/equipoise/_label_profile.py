"""Multi-label imbalance measures (Charte et al. 2015, 2019) and :class:`LabelProfile`.

For an indicator matrix ``Y`` (``n`` rows, ``q`` labels) with ``n_l = sum_i Y[i, l]``:

- ``IRLbl(l) = max_l' n_l' / n_l`` (1 for the most frequent label, larger for rarer ones);
- ``MeanIR = mean_l IRLbl(l)``, ``MaxIR = max_l IRLbl(l)``;
- ``CVIR = sigma / MeanIR`` with ``sigma = sqrt(sum_l (IRLbl(l) - MeanIR)^2 / (q - 1))``;
- ``SCUMBLE_i = 1 - G_i / A_i``: one minus the geometric over the arithmetic mean of the IRLbl
  of the labels of row ``i`` (0 for a row with fewer than two labels); ``SCUMBLE`` is its mean
  over the rows, and a label's SCUMBLE the mean over the rows that have it.

Labels with no positive row have an infinite IRLbl; they are left out of MeanIR, MaxIR, CVIR
and SCUMBLE (and named in the warnings).

References
----------
Charte, Rivera, del Jesus, Herrera (2015). Addressing imbalance in multilabel classification:
measures and random resampling algorithms. Neurocomputing 163, 3-16.
Charte, Rivera, del Jesus, Herrera (2019). Dealing with difficult minority labels in imbalanced
multilabel data sets. Neurocomputing 326-327, 39-53.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._validation import short_repr

__all__ = ["LabelProfile", "irlbl", "scumble_rows", "label_profile"]


def irlbl(Y: np.ndarray) -> np.ndarray:
    """IRLbl of every label of the indicator matrix ``Y`` (``inf`` for a label with no positive)."""
    counts = np.asarray(Y, dtype=np.int64).sum(axis=0)
    with np.errstate(divide="ignore"):
        return np.where(counts > 0, counts.max() / np.maximum(counts, 1), np.inf).astype(np.float64)


def scumble_rows(Y: np.ndarray, ir: np.ndarray | None = None) -> np.ndarray:
    """SCUMBLE of each row: ``1 - geometric mean / arithmetic mean`` of its labels' IRLbl."""
    Y = np.asarray(Y, dtype=bool)
    ir = irlbl(Y) if ir is None else ir
    finite = np.where(np.isfinite(ir), ir, 1.0)
    k = Y.sum(axis=1)
    logs = np.where(Y, np.log(finite), 0.0).sum(axis=1)
    sums = np.where(Y, finite, 0.0).sum(axis=1)
    out = np.zeros(Y.shape[0])
    many = k >= 2
    out[many] = 1.0 - np.exp(logs[many] / k[many]) / (sums[many] / k[many])
    return np.clip(out, 0.0, 1.0)


@dataclass(frozen=True)
class LabelProfile:
    """Label counts of a multi-label target and the imbalance measures of Charte et al.

    Attributes
    ----------
    counts : dict
        ``{label: number of rows that have it}``, in column order.
    n_samples : int
    n_labels : int
    irlbl : dict
        ``{label: IRLbl}`` (``max count / count``; ``inf`` for a label with no positive).
    mean_ir, max_ir, cvir : float
        MeanIR, MaxIR and CVIR over the labels with at least one positive.
    scumble : float
        Mean SCUMBLE of the rows: how much rare and frequent labels share rows (0: never).
    scumble_per_label : dict
        ``{label: mean SCUMBLE of the rows that have it}`` (0 for a label with no positive).
    cardinality : float
        Mean number of labels per row.
    density : float
        ``cardinality / n_labels``.
    warnings : list of str
        Labels with no positive row; labels that only ever appear together with the head label.
    """

    counts: dict[Any, int]
    n_samples: int
    irlbl: dict[Any, float]
    scumble: float
    scumble_per_label: dict[Any, float]
    cardinality: float
    warnings: list[str] = field(default_factory=list)

    @property
    def n_labels(self) -> int:
        return len(self.counts)

    def _finite_ir(self) -> np.ndarray:
        values = np.array(list(self.irlbl.values()), dtype=np.float64)
        return values[np.isfinite(values)]

    @property
    def mean_ir(self) -> float:
        ir = self._finite_ir()
        return float(ir.mean()) if ir.size else float("nan")

    @property
    def max_ir(self) -> float:
        ir = self._finite_ir()
        return float(ir.max()) if ir.size else float("nan")

    @property
    def cvir(self) -> float:
        ir = self._finite_ir()
        if ir.size < 2:
            return 0.0
        return float(ir.std(ddof=1) / ir.mean())

    @property
    def density(self) -> float:
        return self.cardinality / self.n_labels

    @property
    def head(self) -> Any:
        """The most frequent label (the first in column order on ties)."""
        return max(self.counts, key=self.counts.__getitem__)

    def minority_labels(self) -> list[Any]:
        """Labels with ``IRLbl > MeanIR`` (the minority labels of ML-ROS, ML-RUS and MLSMOTE)."""
        mean = self.mean_ir
        return [label for label, ir in self.irlbl.items() if np.isfinite(ir) and ir > mean]

    def to_frame(self) -> pd.DataFrame:
        """One row per label: ``count``, ``proportion``, ``irlbl``, ``scumble``."""
        frame = pd.DataFrame(
            {
                "count": list(self.counts.values()),
                "proportion": [c / self.n_samples for c in self.counts.values()],
                "irlbl": list(self.irlbl.values()),
                "scumble": list(self.scumble_per_label.values()),
            },
            index=pd.Index(list(self.counts), name="label"),
        )
        return frame

    def __str__(self) -> str:
        width = max(len(str(label)) for label in self.counts)
        lines = [
            f"{self.n_samples} samples, {self.n_labels} labels, cardinality {self.cardinality:.2f}, "
            f"density {self.density:.3f}",
            f"MeanIR {self.mean_ir:.2f}, MaxIR {self.max_ir:.2f}, CVIR {self.cvir:.2f}, SCUMBLE {self.scumble:.3f}",
        ]
        biggest = max(max(self.counts.values()), 1)
        for label, row in self.to_frame().iterrows():
            bar = "#" * max(1, round(30 * row["count"] / biggest)) if row["count"] else ""
            lines.append(
                f"  {str(label):>{width}}  {int(row['count']):>8}  {row['proportion']:6.1%}  "
                f"IRLbl {row['irlbl']:8.2f}  {bar}"
            )
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def label_profile(Y: np.ndarray, names: list[Any]) -> LabelProfile:
    """Build the :class:`LabelProfile` of a validated uint8 indicator matrix."""
    Yb = np.asarray(Y, dtype=bool)
    counts = Yb.sum(axis=0).astype(np.int64)
    ir = irlbl(Yb)
    rows = scumble_rows(Yb, ir)
    per_label = [float(rows[Yb[:, j]].mean()) if counts[j] else 0.0 for j in range(Yb.shape[1])]
    warnings: list[str] = []
    empty = [names[j] for j in np.flatnonzero(counts == 0)]
    if empty:
        warnings.append(
            f"{len(empty)} label(s) have no positive row ({', '.join(short_repr(x) for x in empty[:5])}): "
            "they cannot be learned, balanced or scored."
        )
    head = int(np.argmax(counts))
    for j in np.flatnonzero(counts > 0):
        if j != head and bool(np.all(Yb[Yb[:, j], head])):
            warnings.append(
                f"label {short_repr(names[j])} ({int(counts[j])} rows) only ever appears together with the head "
                f"label {short_repr(names[head])}: copying its rows also copies the head (high SCUMBLE; "
                "see REMEDIAL)."
            )
    return LabelProfile(
        counts={n: int(c) for n, c in zip(names, counts)},
        n_samples=int(Yb.shape[0]),
        irlbl={n: float(v) for n, v in zip(names, ir)},
        scumble=float(rows.mean()),
        scumble_per_label=dict(zip(names, per_label)),
        cardinality=float(Yb.sum() / Yb.shape[0]),
        warnings=warnings,
    )
