"""The rounding-error bound of the k-NN engines' float32 distances (no torch needed).

:mod:`equipoise._knn_dense` and :mod:`equipoise._knn_small` compute squared distances as one
float32 matrix product and keep every pair within twice this bound of a row's running ``k``-th
smallest value, which provably contains the exact neighbours (see :mod:`equipoise._knn_dense`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["error_bound"]


def error_bound(sq_norm_q: Any, max_sq_norm_x: float, inner: int, unit: float) -> Any:
    """A bound on ``|approximate - exact|`` of one (scaled) squared distance, per query row.

    The product sums ``inner = d + 2`` terms whose magnitudes add up to at most
    ``|q|^2 + |x|^2 + 2 |q| |x| <= 2 (|q|^2 + |x|^2)``; any summation order errs by at most
    ``gamma_inner = inner u / (1 - inner u)`` times that (Higham 2002, *Accuracy and Stability of
    Numerical Algorithms*, sec. 3.1), and rounding the centred inputs and the norms to float32
    adds a few ``u`` more. We take ``4 (inner + 4) u (|q|^2 + max |x|^2)``, at least twice that
    bound, plus an absolute term for values near float32's underflow threshold.

    Parameters
    ----------
    sq_norm_q : numpy.ndarray or torch.Tensor of float64
        ``|q|^2`` of each query row (centred and scaled).
    max_sq_norm_x : float
        The largest ``|x|^2`` of the reference rows.
    inner : int
        Terms of each dot product (``d + 2``).
    unit : float
        Unit roundoff of the product (``2**-24`` for float32).

    Returns
    -------
    the bound per query row, of the type of ``sq_norm_q``
    """
    return 4.0 * (inner + 4) * unit * (sq_norm_q + max_sq_norm_x) + (inner + 4) * 2.0**-100
