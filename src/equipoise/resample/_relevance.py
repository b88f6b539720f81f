"""The relevance function of imbalanced regression: which target values are rare (Ribeiro 2011).

A relevance function :math:`\\phi: y \\mapsto [0, 1]` says how much a target value matters;
SMOTER and SMOGN over-sample the rows with :math:`\\phi(y) \\ge t` (threshold ``t``, 0.8 in
Branco et al. 2017) and under-sample the others.

The authors' default (R package UBL, ``phi.control(method="extremes")``) places control points
on the target's box plot: the median gets relevance 0, the lower and upper whisker ends
(:math:`Q_1 - 1.5\\,\\mathrm{IQR}` and :math:`Q_3 + 1.5\\,\\mathrm{IQR}`, clipped to the data)
get relevance 1 when there are outliers beyond them, and :math:`\\phi` between the points is the
piecewise cubic Hermite interpolant with Fritsch-Carlson monotone slopes (zero slopes at the
points, so :math:`\\phi` is a smooth step). Quartiles use the "midpoint" rule, as the Python
``smogn`` package does. User control points ``[[y, phi], ...]`` (or ``[[y, phi, slope], ...]``)
replace them. Outside the control points :math:`\\phi` is constant.

References
----------
.. [1] R. P. Ribeiro, "Utility-based Regression", PhD thesis, University of Porto, 2011.
.. [2] P. Branco, L. Torgo and R. P. Ribeiro, "SMOGN: a Pre-processing Approach for Imbalanced
   Regression", LIDTA workshop, PMLR 74, 2017.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from ..exceptions import InvalidParameterError

__all__ = ["box_plot_control_points", "relevance_function", "Extremes"]

Extremes = Literal["both", "high", "low"]


def box_plot_control_points(
    y: np.ndarray, *, extremes: Extremes = "both", coef: float = 1.5
) -> np.ndarray:
    """The authors' automatic control points ``[[y, phi, slope], ...]`` from the box plot of ``y``.

    Parameters
    ----------
    y : numpy.ndarray of shape (n_samples,)
    extremes : {'both', 'high', 'low'}, default='both'
        Which tail is relevant.
    coef : float, default=1.5
        Whisker length in IQRs.

    Returns
    -------
    numpy.ndarray of shape (n_points, 3)
    """
    q1, median, q3 = (float(np.quantile(y, q, method="midpoint")) for q in (0.25, 0.5, 0.75))
    iqr = q3 - q1
    inside_low = y[y >= q1 - coef * iqr]
    inside_high = y[y <= q3 + coef * iqr]
    low_whisker, high_whisker = float(inside_low.min()), float(inside_high.max())
    lo, hi = float(y.min()), float(y.max())
    points: list[list[float]] = []
    if extremes in ("both", "low") and lo < low_whisker:
        points.append([low_whisker, 1.0, 0.0])
    else:
        points.append([lo, 0.0, 0.0])
    if median != lo:
        points.append([median, 0.0, 0.0])
    if extremes in ("both", "high") and hi > high_whisker:
        points.append([high_whisker, 1.0, 0.0])
    elif median != hi:
        points.append([hi, 0.0, 0.0])
    # A whisker on the median (more than half the rows share one value, e.g. zero-inflated
    # targets) would give two points at one y; the authors' code then fails. Move the relevance-1
    # point to the first value beyond the whisker, so exactly the outliers are relevant.
    if len(points) >= 2 and points[0][0] == points[1][0] and points[0][1] == 1.0:
        points[0][0] = float(y[y < low_whisker].max())
    if len(points) >= 2 and points[-1][0] == points[-2][0] and points[-1][1] == 1.0:
        points[-1][0] = float(y[y > high_whisker].min())
    return np.asarray(points, dtype=np.float64)


def _monotone_slopes(x: np.ndarray, phi: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """Fritsch-Carlson (1980) adjustment of the given slopes so each piece stays monotone."""
    m = slopes.astype(np.float64).copy()
    for k in range(len(x) - 1):
        delta = (phi[k + 1] - phi[k]) / (x[k + 1] - x[k])
        if delta == 0:
            m[k] = m[k + 1] = 0.0
            continue
        if m[k] / delta < 0:
            m[k] = -m[k]
        if m[k + 1] / delta < 0:
            m[k + 1] = -m[k + 1]
        a, b = m[k] / delta, m[k + 1] / delta
        if a * a + b * b > 9:  # outside the monotonicity circle: scale back onto it
            tau = 3.0 / np.sqrt(a * a + b * b)
            m[k], m[k + 1] = tau * a * delta, tau * b * delta
    return m


def _check_points(points: Any, owner: str) -> np.ndarray:
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.empty((0, 0))
    if (
        arr.ndim != 2
        or arr.shape[1] not in (2, 3)
        or arr.shape[0] < 2
        or not np.all(np.isfinite(arr))
    ):
        raise InvalidParameterError(
            f"The 'relevance' parameter of {owner} must be 'auto', a callable, or control points "
            "[[y, phi], ...] / [[y, phi, slope], ...] with at least two finite rows; "
            f"got {points!r}."
        )
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    if np.any(np.diff(arr[:, 0]) <= 0):
        raise InvalidParameterError(
            f"The control points of {owner}'s 'relevance' must have distinct y values; got {arr[:, 0].tolist()}."
        )
    if np.any((arr[:, 1] < 0) | (arr[:, 1] > 1)):
        raise InvalidParameterError(
            f"The relevance values of {owner}'s control points must lie in [0, 1]; got {arr[:, 1].tolist()}."
        )
    if arr.shape[1] == 2:  # no slopes given: zero slopes (a smooth step between the points)
        arr = np.c_[arr, np.zeros(len(arr))]
    return arr


def relevance_function(
    points: Any, *, owner: str = "relevance_function"
) -> Callable[[np.ndarray], np.ndarray]:
    """:math:`\\phi(y)`: the monotone piecewise cubic Hermite interpolant of the control points.

    Parameters
    ----------
    points : array-like of shape (n_points, 2) or (n_points, 3)
        ``[y, phi]`` or ``[y, phi, slope]`` rows (slopes default to 0).
    owner : str
        Name used in messages.

    Returns
    -------
    callable
        ``phi(values) -> float64 array`` in [0, 1]; constant beyond the first and last point.

    Examples
    --------
    >>> phi = relevance_function([[0.0, 0.0], [10.0, 1.0]])
    >>> phi(np.array([-1.0, 0.0, 5.0, 10.0, 20.0])).tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    """
    arr = _check_points(points, owner)
    x, phi = arr[:, 0], arr[:, 1]
    slopes = _monotone_slopes(x, phi, arr[:, 2])
    from scipy.interpolate import CubicHermiteSpline

    spline = CubicHermiteSpline(x, phi, slopes, extrapolate=False)

    def evaluate(values: np.ndarray) -> np.ndarray:
        v = np.asarray(values, dtype=np.float64)
        out = np.asarray(spline(np.clip(v, x[0], x[-1])), dtype=np.float64)
        return np.clip(out, 0.0, 1.0)

    return evaluate
