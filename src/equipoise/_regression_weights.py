"""Per-sample weights for imbalanced regression: LDS and DenseWeight.

Both turn an estimate of the target's density into one weight per training row, larger where
the target is rare, normalised to mean 1 so a weighted loss keeps its unweighted scale.

- **LDS** (label-distribution smoothing; Yang et al. 2021): bin the target, convolve the bin
  counts with a symmetric kernel (Gaussian, size 5, sigma 2 by default; triangular or Laplace),
  and weight each row by the inverse (or square-root inverse) of its bin's smoothed count:

  .. math:: \\tilde n_b = \\sum_{k} \\kappa_k\\, c_{b-k}, \\qquad w_i \\propto 1 / \\tilde n_{b(i)}

  where :math:`c_b` is the bin count (``reweight='sqrt_inverse'``: :math:`\\sqrt{\\text{count}}`;
  ``'inverse'``: the count, optionally clipped to ``clip``) and :math:`\\kappa` the kernel
  window, scaled to a peak of 1. These are the reference code's formulas (YyzHarry/imbalanced-regression,
  ``get_lds_kernel_window`` and ``_prepare_weights``): the Gaussian window is
  ``scipy.ndimage.gaussian_filter1d`` of a unit impulse of length ``kernel_size`` (so its tails
  carry the reflected mass), the triangular one ``scipy.signal.windows.triang``, the Laplace one
  :math:`e^{-|k|/\\sigma}`; the convolution pads with zeros.
- **DenseWeight** (Steininger et al. 2021): a Gaussian kernel density estimate :math:`p` of the
  target (Silverman's bandwidth :math:`1.06\\,\\hat\\sigma\\, n^{-1/5}` by default), min-max
  normalised over the training targets to :math:`p' \\in [0, 1]`, then

  .. math:: w_i \\propto \\max(1 - \\alpha\\, p'(y_i),\\ \\epsilon)

  (``alpha=1``, ``eps=1e-6`` as in the paper's package ``denseweight``). ``alpha=0`` gives
  uniform weights.

References
----------
.. [1] Y. Yang, K. Zha, Y.-C. Chen, H. Wang and D. Katabi, "Delving into Deep Imbalanced
   Regression", ICML 2021.
.. [2] M. Steininger, K. Kobs, P. Davidson, A. Krause and A. Hotho, "Density-based weighting for
   imbalanced regression", Machine Learning 110, 2021.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ._target_profile import assign_bins, target_bins
from ._validation import (
    Interval,
    Options,
    check_continuous_target,
    is_torch_tensor,
    validate_params,
)
from .exceptions import InvalidParameterError

__all__ = ["lds_kernel_window", "lds_density", "lds_weights", "dense_weights", "kde_density"]

Kernel = Literal["gaussian", "triang", "laplace"]
Reweight = Literal["sqrt_inverse", "inverse"]
WeightOutput = Literal["auto", "array", "tensor"]
_EXACT_KDE_MAX = 20_000
"""Above this many rows the KDE is evaluated on a 4096-point grid (linear binning), not exactly."""


def lds_kernel_window(
    kernel: Kernel = "gaussian", kernel_size: int = 5, sigma: float = 2.0
) -> np.ndarray:
    """The LDS kernel window of ``kernel_size`` taps, scaled to a peak of 1 (Yang et al. 2021).

    Parameters
    ----------
    kernel : {'gaussian', 'triang', 'laplace'}, default='gaussian'
    kernel_size : int, default=5
        Odd number of taps.
    sigma : float, default=2.0
        Gaussian standard deviation / Laplace scale, in bins (unused by 'triang').

    Returns
    -------
    numpy.ndarray of float64, shape (kernel_size,)

    Examples
    --------
    >>> lds_kernel_window("triang", 5).tolist()
    [0.3333333333333333, 0.6666666666666666, 1.0, 0.6666666666666666, 0.3333333333333333]
    """
    owner = "lds_kernel_window"
    validate_params(
        owner,
        {"kernel": kernel, "kernel_size": kernel_size, "sigma": sigma},
        {
            "kernel": [Options(("gaussian", "triang", "laplace"))],
            "kernel_size": [Interval(int, 1, None, closed="left")],
            "sigma": [Interval(float, 0, None, closed="neither")],
        },
    )
    if kernel_size % 2 == 0:
        raise InvalidParameterError(
            f"The 'kernel_size' parameter of {owner} must be an odd int (a window centred on its bin); got {kernel_size}."
        )
    half = (kernel_size - 1) // 2
    if kernel == "gaussian":
        from scipy.ndimage import gaussian_filter1d

        impulse = np.zeros(kernel_size)
        impulse[half] = 1.0
        window = gaussian_filter1d(impulse, sigma=sigma)
    elif kernel == "triang":
        from scipy.signal.windows import triang

        window = triang(kernel_size)
    else:
        window = np.exp(-np.abs(np.arange(-half, half + 1)) / sigma)
    return np.asarray(window / window.max(), dtype=np.float64)


def lds_density(
    y: Any,
    *,
    bins: int = 50,
    bin_width: float | None = None,
    kernel: Kernel = "gaussian",
    kernel_size: int = 5,
    sigma: float = 2.0,
    reweight: Reweight = "sqrt_inverse",
    clip: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The LDS effective density: bin edges, the (transformed) bin counts and their smoothed values.

    Returns
    -------
    edges : numpy.ndarray, shape (n_bins + 1,)
    counts : numpy.ndarray, shape (n_bins,)
        Bin counts after the ``reweight`` transform (square root, or clipping for 'inverse').
    smoothed : numpy.ndarray, shape (n_bins,)
        ``counts`` convolved with :func:`lds_kernel_window` (zero padding).
    """
    owner = "lds_weights"
    values = check_continuous_target(y, owner=owner)
    validate_params(
        owner, {"reweight": reweight}, {"reweight": [Options(("sqrt_inverse", "inverse"))]}
    )
    window = lds_kernel_window(kernel, kernel_size, sigma)
    edges = target_bins(values, bins=bins, bin_width=bin_width, owner=owner)
    counts = np.bincount(assign_bins(values, edges), minlength=len(edges) - 1).astype(np.float64)
    if reweight == "sqrt_inverse":
        counts = np.sqrt(counts)
    elif clip is not None:
        low, high = _check_clip(clip, owner)
        counts = np.clip(counts, low, high)
    from scipy.ndimage import convolve1d

    smoothed = convolve1d(counts, window, mode="constant")
    return edges, counts, smoothed


def lds_weights(
    y: Any,
    *,
    bins: int = 50,
    bin_width: float | None = None,
    kernel: Kernel = "gaussian",
    kernel_size: int = 5,
    sigma: float = 2.0,
    reweight: Reweight = "sqrt_inverse",
    clip: tuple[float, float] | None = None,
    output: WeightOutput = "auto",
) -> Any:
    """Label-distribution-smoothing weights, one per row, mean 1 (Yang et al. 2021).

    :math:`w_i = n / \\tilde n_{b(i)} \\big/ \\sum_j 1 / \\tilde n_{b(j)}`, with :math:`\\tilde n`
    the kernel-smoothed (square-root) bin counts of :func:`lds_density`.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous training target (numpy, list, pandas Series, torch tensor).
    bins : int, default=50
        Number of equal-width bins over the target's range (ignored when ``bin_width`` is given).
    bin_width : float, optional
        Bin width instead (the paper bins ages by 1 year).
    kernel : {'gaussian', 'triang', 'laplace'}, default='gaussian'
    kernel_size : int, default=5
    sigma : float, default=2.0
    reweight : {'sqrt_inverse', 'inverse'}, default='sqrt_inverse'
        Weight by the inverse of the smoothed square-root counts (the paper's default) or of the
        smoothed counts.
    clip : (float, float), optional
        With ``reweight='inverse'``, clip the counts to ``[low, high]`` before smoothing (the
        reference code uses (5, 1000) on AgeDB).
    output : {'auto', 'array', 'tensor'}, default='auto'
        'auto': the kind of ``y`` (float64 numpy for numpy/lists, a Series with ``y``'s index for a
        Series, a tensor of the default float dtype on ``y``'s device for a tensor); 'array':
        numpy; 'tensor': a torch tensor.

    Returns
    -------
    numpy.ndarray, pandas.Series or torch.Tensor of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> w = lds_weights(np.r_[np.zeros(90), np.ones(10) * 5.0], bins=6)
    >>> round(float(w.mean()), 6), bool(w[-1] > w[0])
    (1.0, True)
    """
    _check_output(output, "lds_weights")
    values = check_continuous_target(y, owner="lds_weights")
    edges, _, smoothed = lds_density(
        values,
        bins=bins,
        bin_width=bin_width,
        kernel=kernel,
        kernel_size=kernel_size,
        sigma=sigma,
        reweight=reweight,
        clip=clip,
    )
    inverse = 1.0 / smoothed[assign_bins(values, edges)]
    return _container(inverse * (len(inverse) / inverse.sum()), y, output)


def kde_density(y: Any, *, bandwidth: float | None = None, query: Any = None) -> np.ndarray:
    """Gaussian kernel density estimate of ``y``, evaluated at ``query`` (default: at ``y``).

    :math:`p(t) = \\frac{1}{n h \\sqrt{2\\pi}} \\sum_j e^{-(t - y_j)^2 / (2 h^2)}`, with Silverman's
    rule :math:`h = 1.06\\, \\hat\\sigma\\, n^{-1/5}` when ``bandwidth`` is None. Exact up to
    20,000 rows; above, evaluated on a 4096-point grid (linear binning) and interpolated.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The sample the density is estimated from.
    bandwidth : float, optional
        Kernel standard deviation :math:`h`.
    query : array-like, optional
        Where to evaluate the density (default: at ``y``).

    Returns
    -------
    numpy.ndarray of float64
    """
    owner = "dense_weights"
    values = check_continuous_target(y, owner=owner)
    n = len(values)
    if bandwidth is None:
        std = float(np.std(values))
        h = 1.06 * std * n ** (-0.2) if std > 0 else 1.0
    else:
        validate_params(
            owner,
            {"bandwidth": bandwidth},
            {"bandwidth": [Interval(float, 0, None, closed="neither")]},
        )
        h = float(bandwidth)
    points = values if query is None else np.asarray(query, dtype=np.float64).ravel()
    norm = 1.0 / (n * h * np.sqrt(2 * np.pi))
    if n <= _EXACT_KDE_MAX:
        out = np.empty(len(points))
        block = max(1, 2_000_000 // n)
        for start in range(0, len(points), block):
            diff = (points[start : start + block, None] - values[None, :]) / h
            out[start : start + block] = np.exp(-0.5 * diff * diff).sum(axis=1)
        return out * norm
    grid = np.linspace(values.min() - 4 * h, values.max() + 4 * h, 4096)
    step = grid[1] - grid[0]
    pos = (values - grid[0]) / step
    left = np.floor(pos).astype(np.int64)
    frac = pos - left
    mass = np.bincount(left, weights=1 - frac, minlength=len(grid)) + np.bincount(
        np.minimum(left + 1, len(grid) - 1), weights=frac, minlength=len(grid)
    )
    radius = int(np.ceil(8 * h / step))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) * step / h) ** 2)
    from scipy.signal import fftconvolve

    dens = fftconvolve(mass, taps, mode="same")[: len(grid)] * norm
    return np.interp(points, grid, dens)


def dense_weights(
    y: Any,
    *,
    alpha: float = 1.0,
    bandwidth: float | None = None,
    eps: float = 1e-6,
    output: WeightOutput = "auto",
) -> Any:
    """DenseWeight: :math:`w_i \\propto \\max(1 - \\alpha p'(y_i), \\epsilon)`, mean 1 (Steininger et al. 2021).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous training target.
    alpha : float, default=1.0
        Strength: 0 gives uniform weights; at 1 the densest target value gets weight ``eps``.
    bandwidth : float, optional
        KDE bandwidth; Silverman's rule by default (as ``denseweight``).
    eps : float, default=1e-6
        Smallest raw weight (keeps every row in the loss).
    output : {'auto', 'array', 'tensor'}, default='auto'
        As in :func:`lds_weights`.

    Returns
    -------
    numpy.ndarray, pandas.Series or torch.Tensor of shape (n_samples,)

    Notes
    -----
    :math:`p'` is the KDE min-max normalised over the training targets, as in the paper; the
    ``denseweight`` package normalises over its FFT grid, which reaches past the data, so its
    :math:`p'` is slightly lower at the rarest rows (the weights agree closely; see the tests).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.random.default_rng(0).exponential(size=200)
    >>> w = dense_weights(y)
    >>> round(float(w.mean()), 6), bool(w[np.argmax(y)] > w[np.argmin(np.abs(y - 0.3))])
    (1.0, True)
    """
    owner = "dense_weights"
    validate_params(
        owner,
        {"alpha": alpha, "eps": eps},
        {
            "alpha": [Interval(float, 0, None, closed="left")],
            "eps": [Interval(float, 0, None, closed="neither")],
        },
    )
    _check_output(output, owner)
    values = check_continuous_target(y, owner=owner)
    dens = kde_density(values, bandwidth=bandwidth)
    span = dens.max() - dens.min()
    scaled = (dens - dens.min()) / span if span > 0 else np.zeros_like(dens)
    raw = np.maximum(1.0 - alpha * scaled, eps)
    return _container(raw / raw.mean(), y, output)


def _check_clip(clip: Any, owner: str) -> tuple[float, float]:
    ok = (
        isinstance(clip, (tuple, list))
        and len(clip) == 2
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in clip
        )
    )
    if not ok or not 0 < clip[0] <= clip[1]:
        raise InvalidParameterError(
            f"The 'clip' parameter of {owner} must be None or a pair (low, high) with 0 < low <= high; got {clip!r}."
        )
    return float(clip[0]), float(clip[1])


def _check_output(output: Any, owner: str) -> None:
    validate_params(owner, {"output": output}, {"output": [Options(("auto", "array", "tensor"))]})


def _container(w: np.ndarray, y: Any, output: str) -> Any:
    if output == "tensor" or (output == "auto" and is_torch_tensor(y)):
        import torch

        device = y.device if is_torch_tensor(y) else None
        return torch.as_tensor(w, dtype=torch.get_default_dtype(), device=device)
    if output == "auto":
        import pandas as pd

        if isinstance(y, pd.Series):
            return pd.Series(w, index=y.index, name=y.name)
    return w
