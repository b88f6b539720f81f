r"""Calibration fitted on held-out logits: temperature scaling and its bias-corrected variant.

Temperature scaling (Guo et al. 2017) divides the logits by one scalar :math:`T > 0` fitted
by minimising the negative log-likelihood (NLL) of held-out labels; bias-corrected temperature
scaling (BCTS, Alexandari, Kundaje & Shrikumar 2020) adds one bias per class,
:math:`\mathrm{softmax}(z / T + b)`, which also corrects a systematic prior error of the model
(SMOTE and its family change :math:`p(x \mid y)`, so the closed-form prior correction is not
exact for them). Both are fitted with :func:`scipy.optimize.minimize` (L-BFGS-B) on the exact
gradient of the mean NLL; the temperature is optimised on the log scale so it stays positive.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator

from .._types import ArrayLike
from .._validation import as_numpy, is_torch_tensor
from ..exceptions import InvalidInputError, NotFittedError

__all__ = ["TemperatureScaling", "BiasCorrectedTemperatureScaling"]


def _logits_2d(logits: Any, owner: str) -> np.ndarray:
    z = as_numpy(logits).astype(np.float64)
    if z.ndim != 2 or z.shape[1] < 2:
        raise InvalidInputError(
            f"logits passed to {owner} must have shape (n_samples, n_classes) with n_classes >= 2; got "
            f"shape {z.shape}. For one binary logit s, pass numpy.column_stack([numpy.zeros_like(s), s])."
        )
    if z.shape[0] == 0:
        raise InvalidInputError(f"{owner} got no logits; pass at least one sample.")
    if not np.all(np.isfinite(z)):
        raise InvalidInputError(f"logits passed to {owner} contain NaN or infinity.")
    return z


def _targets(y: Any, n: int, n_classes: int, owner: str) -> np.ndarray:
    t = as_numpy(y).ravel()
    if t.shape[0] != n:
        raise InvalidInputError(
            f"y passed to {owner} has {t.shape[0]} labels but there are {n} rows of logits."
        )
    if t.dtype.kind not in "iub" or t.min() < 0 or t.max() >= n_classes:
        raise InvalidInputError(
            f"y passed to {owner} must be class indices in [0, {n_classes}) (the logit columns); got "
            f"values of dtype {t.dtype} in [{t.min()}, {t.max()}]."
        )
    return t.astype(np.int64)


class _Scaling(BaseEstimator):
    """Shared fit / transform / predict_proba of the scaling calibrators."""

    _with_bias = False

    def __init__(self, *, max_iter: int = 200) -> None:
        self.max_iter = max_iter

    def fit(self, logits: ArrayLike, y: ArrayLike) -> _Scaling:
        """Fit on held-out ``logits`` (n_samples, n_classes) and class indices ``y``."""
        owner = type(self).__name__
        z = _logits_2d(logits, owner)
        n, k = z.shape
        t = _targets(y, n, k, owner)
        onehot = np.zeros_like(z)
        onehot[np.arange(n), t] = 1.0

        def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
            a = np.exp(params[0])  # a = 1 / T
            b = params[1:] if self._with_bias else 0.0
            q = a * z + b
            logp = log_softmax(q, axis=1)
            loss = -float(np.mean(logp[np.arange(n), t]))
            resid = (np.exp(logp) - onehot) / n  # d loss / d q
            grad = [a * float(np.sum(resid * z))]
            if self._with_bias:
                grad.extend(resid.sum(axis=0))
            return loss, np.asarray(grad)

        x0 = np.zeros(1 + (k if self._with_bias else 0))
        res = minimize(
            nll, x0, jac=True, method="L-BFGS-B", options={"maxiter": int(self.max_iter)}
        )
        self.temperature_ = float(np.exp(-res.x[0]))
        if self._with_bias:
            self.bias_ = res.x[1:] - res.x[1:].mean()  # softmax ignores a common shift
        self.n_classes_ = int(k)
        self.nll_ = float(res.fun)
        self.n_iter_ = int(res.nit)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "temperature_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(logits, y) on held-out logits first."
            )

    def transform(self, logits: ArrayLike) -> Any:
        """Calibrated logits, same kind (numpy / torch on its device, differentiable) as the input."""
        self._check_fitted()
        owner = type(self).__name__
        if is_torch_tensor(logits):
            import torch

            if logits.ndim != 2 or logits.shape[1] != self.n_classes_:
                raise InvalidInputError(
                    f"logits passed to {owner} must have shape (n_samples, {self.n_classes_}); got {tuple(logits.shape)}."
                )
            out = logits / self.temperature_
            if self._with_bias:
                out = out + torch.as_tensor(self.bias_, dtype=out.dtype, device=out.device)
            return out
        z = _logits_2d(logits, owner)
        if z.shape[1] != self.n_classes_:
            raise InvalidInputError(
                f"logits passed to {owner} must have {self.n_classes_} columns (as in fit); got {z.shape[1]}."
            )
        out = z / self.temperature_
        if self._with_bias:
            out = out + self.bias_
        return out

    def predict_proba(self, logits: ArrayLike) -> Any:
        """Calibrated probabilities ``softmax(transform(logits))``."""
        out = self.transform(logits)
        if is_torch_tensor(out):
            return out.softmax(dim=-1)
        return softmax(out, axis=1)


class TemperatureScaling(_Scaling):
    r"""Temperature scaling: :math:`p = \mathrm{softmax}(z / T)`, :math:`T` fitted on held-out NLL.

    One parameter, so it cannot over-fit a small validation set and never changes the arg-max
    (Guo et al. 2017). Fit it on logits of rows the model did not train on, drawn from the
    deployment distribution (not resampled); the result then also undoes the prior shift only
    partly: for rebalanced models apply :func:`correct_logits` first, or use
    :class:`BiasCorrectedTemperatureScaling`.

    Parameters
    ----------
    max_iter : int, default=200
        Iterations of L-BFGS-B.

    Attributes
    ----------
    temperature_ : float
    n_classes_ : int
    nll_ : float
        Mean held-out negative log-likelihood at the optimum.
    n_iter_ : int

    References
    ----------
    .. [1] Guo, C., Pleiss, G., Sun, Y. & Weinberger, K. Q. (2017). On calibration of modern
       neural networks. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 2000)
    >>> logits = 3.0 * (np.eye(3)[y] + rng.normal(size=(2000, 3)))  # over-confident
    >>> ts = TemperatureScaling().fit(logits, y)
    >>> bool(ts.temperature_ > 1)
    True
    """


class BiasCorrectedTemperatureScaling(_Scaling):
    r"""Bias-corrected temperature scaling (BCTS): :math:`p = \mathrm{softmax}(z / T + b)`.

    One temperature and one bias per class, fitted on held-out NLL (Alexandari et al. 2020);
    the biases are centred (softmax ignores a common shift). It is the calibration those
    authors found "hard to beat" before EM prior-shift adaptation
    (:func:`estimate_prior_em`), and it absorbs a prior error of the model, so fitted on
    unresampled held-out rows it maps a rebalanced model back to the training prior.

    Parameters
    ----------
    max_iter : int, default=200

    Attributes
    ----------
    temperature_ : float
    bias_ : numpy.ndarray of shape (n_classes,)
    n_classes_, nll_, n_iter_

    References
    ----------
    .. [1] Alexandari, A., Kundaje, A. & Shrikumar, A. (2020). Maximum likelihood with
       bias-corrected calibration is hard-to-beat at label shift adaptation. ICML.
    """

    _with_bias = True
