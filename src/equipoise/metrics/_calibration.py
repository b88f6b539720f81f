r"""Calibration metrics: Brier score, log loss, expected calibration error (ECE), class-wise ECE.

All four are *lower is better* and score probabilities (rows summing to one). Definitions:

- **Brier score** (Brier 1950): binary, the mean of :math:`(p_i - y_i)^2` with :math:`p_i`
  the probability of the positive class; multiclass, the mean squared error to the one-hot
  target, :math:`\frac1n \sum_i \sum_c (p_{ic} - 1[y_i = c])^2` (range [0, 2]). Both are
  :func:`sklearn.metrics.brier_score_loss` (its default ``scale_by_half='auto'``).
- **log loss**: :math:`-\frac1n \sum_i \log p_{i, y_i}`, probabilities clipped to
  :math:`[\epsilon, 1 - \epsilon]` with :math:`\epsilon` the float64 machine epsilon, as
  :func:`sklearn.metrics.log_loss`.
- **ECE** (top-label, Guo et al. 2017; Naeini et al. 2015): the confidence
  :math:`\hat p_i = \max_c p_{ic}` is put in one of :math:`M = 15` equal-width bins
  (bin :math:`m` holds :math:`((m-1)/M, m/M]`, a confidence of 0 the first), and
  :math:`\mathrm{ECE} = \sum_m \frac{|B_m|}{n} |\mathrm{acc}(B_m) - \mathrm{conf}(B_m)|`.
  For two classes the confidence is :math:`\max(p, 1 - p)`.
- **class-wise ECE** (Kull et al. 2019): the ECE of each class's probability
  :math:`p_{ic}` against :math:`1[y_i = c]`, same 15 bins over [0, 1], averaged over classes.

The per-row terms (:func:`calibration_rows`) are shared with the bootstrap of ``compare``
(:func:`equipoise.compare.statistics.weighted_metrics`), which reweights rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._types import ArrayLike
from .._validation import Interval, as_numpy, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = [
    "CALIBRATION_METRICS",
    "DEFAULT_N_BINS",
    "brier_score",
    "log_loss",
    "expected_calibration_error",
    "classwise_ece",
    "calibration_bins",
    "calibration_rows",
    "weighted_calibration",
]

CALIBRATION_METRICS = ("brier", "log_loss", "ece", "classwise_ece")
"""Names of the calibration metrics in :data:`~equipoise.metrics.METRICS` (lower is better)."""

DEFAULT_N_BINS = 15
"""Equal-width bins of the ECE (Guo et al. 2017 use 15)."""


_N_BINS = Interval(int, 1, None, closed="left", description="an int >= 1")


def _check_bins(n_bins: Any, owner: str) -> int:
    validate_params(owner, {"n_bins": n_bins}, {"n_bins": [_N_BINS]})
    return int(n_bins)


def proba_2d(score: np.ndarray | None, n_classes: int, owner: str) -> np.ndarray:
    """Validated probabilities as (n, n_classes); a binary 1-D score is the positive column."""
    if score is None:
        raise InvalidInputError(f"{owner} needs (n_samples, {n_classes}) probabilities; got None.")
    p = np.asarray(score, dtype=np.float64)
    if p.ndim == 1:
        if n_classes != 2:
            raise InvalidInputError(
                f"{owner} needs (n_samples, {n_classes}) probabilities; got a 1-D array."
            )
        p = np.stack([1.0 - p, p], axis=1)
    if p.ndim != 2 or p.shape[1] != n_classes:
        raise InvalidInputError(
            f"{owner} needs (n_samples, {n_classes}) probabilities; got shape {p.shape}."
        )
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise InvalidInputError(
            f"{owner} scores probabilities in [0, 1]; got values in [{np.nanmin(p):.4g}, {np.nanmax(p):.4g}]. "
            "Pass predict_proba output (or the softmax of logits), not decision scores."
        )
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3):
        raise InvalidInputError(
            f"{owner} needs probability rows summing to one (one column per class); row sums range over "
            f"[{sums.min():.4g}, {sums.max():.4g}]."
        )
    return p


def _bin_index(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin m (0-based) holds (m / M, (m + 1) / M]; 0 goes to the first bin."""
    return np.clip(np.ceil(values * n_bins).astype(np.int64) - 1, 0, n_bins - 1)


def calibration_rows(
    y_enc: np.ndarray, proba: np.ndarray, n_bins: int = DEFAULT_N_BINS
) -> dict[str, Any]:
    """Per-row terms of the calibration metrics (encoded labels, validated 2-D probabilities).

    Returns ``brier`` (n,), ``log_loss`` (n,), ``ece_bin`` (n,) and ``ece_gap`` (n,)
    (correct minus confidence), ``cw_bin`` (n, C) and ``cw_gap`` (n, C) (indicator minus
    probability), ``n_bins``: each metric is a weighted sum of them (:func:`weighted_calibration`).
    """
    n, k = proba.shape
    onehot = np.zeros_like(proba)
    onehot[np.arange(n), y_enc] = 1.0
    if k == 2:
        brier = (proba[:, 1] - onehot[:, 1]) ** 2
    else:
        brier = np.sum((proba - onehot) ** 2, axis=1)
    eps = np.finfo(np.float64).eps
    log_loss = -np.log(np.clip(proba[np.arange(n), y_enc], eps, 1 - eps))
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_enc).astype(np.float64)
    return {
        "brier": brier,
        "log_loss": log_loss,
        "ece_bin": _bin_index(conf, n_bins),
        "ece_gap": correct - conf,
        "cw_bin": _bin_index(proba, n_bins),
        "cw_gap": onehot - proba,
        "n_bins": n_bins,
    }


def weighted_calibration(rows: dict[str, Any], W: np.ndarray, name: str) -> np.ndarray:
    """Metric ``name`` of :data:`CALIBRATION_METRICS` under each row-weight vector of ``W`` (B, n)."""
    total = W.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if name in ("brier", "log_loss"):
            return W @ rows[name] / total
        M = rows["n_bins"]
        if name == "ece":
            onehot = np.zeros((len(rows["ece_bin"]), M))
            onehot[np.arange(len(rows["ece_bin"])), rows["ece_bin"]] = rows["ece_gap"]
            return np.abs(W @ onehot).sum(axis=1) / total
        if name == "classwise_ece":
            n, k = rows["cw_gap"].shape
            per_class = []
            for c in range(k):
                onehot = np.zeros((n, M))
                onehot[np.arange(n), rows["cw_bin"][:, c]] = rows["cw_gap"][:, c]
                per_class.append(np.abs(W @ onehot).sum(axis=1) / total)
            return np.mean(per_class, axis=0)
    raise InvalidParameterError(
        f"unknown calibration metric {name!r}; expected one of {list(CALIBRATION_METRICS)}."
    )


def _prepare(y_true: Any, proba: Any, labels: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    from ._report import _check_inputs

    y = as_numpy(y_true).ravel()
    yt, _, score, labs = _check_inputs(y, y, proba, labels, owner)
    enc = np.searchsorted(labs, yt)
    return enc, proba_2d(score, len(labs), owner)


def _one(name: str, y_true: Any, proba: Any, labels: Any, n_bins: int, owner: str) -> float:
    enc, p = _prepare(y_true, proba, labels, owner)
    rows = calibration_rows(enc, p, _check_bins(n_bins, owner))
    return float(weighted_calibration(rows, np.ones((1, len(enc))), name)[0])


def brier_score(y_true: ArrayLike, proba: ArrayLike, *, labels: ArrayLike | None = None) -> float:
    """Brier score (binary: mean squared error of the positive-class probability; multiclass:
    mean squared error to the one-hot target, range [0, 2]); equals
    :func:`sklearn.metrics.brier_score_loss`. Lower is better.

    Examples
    --------
    >>> round(brier_score([0, 1, 1], [0.2, 0.6, 1.0]), 4)  # (0.04 + 0.16 + 0) / 3
    0.0667
    """
    return _one("brier", y_true, proba, labels, DEFAULT_N_BINS, "brier_score")


def log_loss(y_true: ArrayLike, proba: ArrayLike, *, labels: ArrayLike | None = None) -> float:
    """Mean negative log-likelihood of the true class (:func:`sklearn.metrics.log_loss`). Lower is better.

    Examples
    --------
    >>> round(log_loss([0, 1], [[0.8, 0.2], [0.5, 0.5]]), 4)  # -(log 0.8 + log 0.5) / 2
    0.4581
    """
    return _one("log_loss", y_true, proba, labels, DEFAULT_N_BINS, "log_loss")


def expected_calibration_error(
    y_true: ArrayLike,
    proba: ArrayLike,
    *,
    n_bins: int = DEFAULT_N_BINS,
    labels: ArrayLike | None = None,
) -> float:
    """Top-label expected calibration error over ``n_bins`` equal-width confidence bins (Guo et al. 2017).

    References
    ----------
    .. [1] Guo, C., Pleiss, G., Sun, Y. & Weinberger, K. Q. (2017). On calibration of modern
       neural networks. ICML.
    .. [2] Naeini, M. P., Cooper, G. & Hauskrecht, M. (2015). Obtaining well calibrated
       probabilities using Bayesian binning. AAAI.

    Examples
    --------
    >>> # confidences 0.9, 0.9 (one right) and 0.6 (right): |0.5 - 0.9| * 2/3 + |1 - 0.6| * 1/3
    >>> round(expected_calibration_error([0, 1, 1], [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]]), 4)
    0.4
    """
    return _one("ece", y_true, proba, labels, n_bins, "expected_calibration_error")


def classwise_ece(
    y_true: ArrayLike,
    proba: ArrayLike,
    *,
    n_bins: int = DEFAULT_N_BINS,
    labels: ArrayLike | None = None,
) -> float:
    """Class-wise ECE (Kull et al. 2019): the mean over classes of the ECE of each class's probability.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    proba : array-like of shape (n_samples, n_classes), or (n_samples,) for two classes
    n_bins : int, default=15
        Equal-width bins of [0, 1] for every class's probability.
    labels : array-like, optional
        The class of each column (sorted labels of ``y_true`` by default).

    References
    ----------
    .. [1] Kull, M., Perello-Nieto, M., Kängsepp, M., Silva Filho, T., Song, H. & Flach, P.
       (2019). Beyond temperature scaling: obtaining well-calibrated multiclass probabilities
       with Dirichlet calibration. NeurIPS.
    """
    return _one("classwise_ece", y_true, proba, labels, n_bins, "classwise_ece")


def calibration_bins(
    y_true: ArrayLike,
    proba: ArrayLike,
    *,
    n_bins: int = DEFAULT_N_BINS,
    labels: ArrayLike | None = None,
) -> dict[str, np.ndarray]:
    """Per-bin ``count``, mean ``confidence`` and ``accuracy`` of the top-label confidence
    (NaN in empty bins), and the bin ``edges``: the data of a reliability diagram.

    Examples
    --------
    >>> bins = calibration_bins([0, 1, 1], [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]])
    >>> bins["count"][13], bins["accuracy"][13]
    (np.float64(2.0), np.float64(0.5))
    """
    owner = "calibration_bins"
    n_bins = _check_bins(n_bins, owner)
    enc, p = _prepare(y_true, proba, labels, owner)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == enc).astype(np.float64)
    b = _bin_index(conf, n_bins)
    count = np.bincount(b, minlength=n_bins).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(b, weights=conf, minlength=n_bins) / count
        accuracy = np.bincount(b, weights=correct, minlength=n_bins) / count
    return {
        "edges": np.linspace(0.0, 1.0, n_bins + 1),
        "count": count,
        "confidence": confidence,
        "accuracy": accuracy,
    }


def _register() -> None:
    from ._report import METRICS, Metric

    bounds = {
        "brier": (0.0, 2.0),
        "log_loss": (0.0, float("inf")),
        "ece": (0.0, 1.0),
        "classwise_ece": (0.0, 1.0),
    }
    labels = {
        "brier": "Brier score",
        "log_loss": "Log loss",
        "ece": "ECE",
        "classwise_ece": "Class-wise ECE",
    }
    for name in CALIBRATION_METRICS:

        def func(
            y_true: np.ndarray,
            y_pred: np.ndarray,
            y_score: np.ndarray | None,
            labels: np.ndarray,
            _name: str = name,
        ) -> float:
            enc = np.searchsorted(labels, y_true)
            rows = calibration_rows(enc, proba_2d(y_score, len(labels), f"metric {_name!r}"))
            return float(weighted_calibration(rows, np.ones((1, len(enc))), _name)[0])

        METRICS.register(
            name,
            Metric(
                name,
                func,
                needs_score=True,
                bounds=bounds[name],
                greater_is_better=False,
                needs_proba=True,
                label=labels[name],
            ),
        )


_register()
