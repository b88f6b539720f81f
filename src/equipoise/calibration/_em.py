r"""Prior shift at test time: estimate the deployment prior from unlabelled predictions (EM).

Saerens, Latinne & Decaestecker (2002): with calibrated probabilities :math:`p'(c \mid x_i)`
under the training prior :math:`\pi'`, iterate

.. math::

    p^{(s)}(c \mid x_i) = \frac{p'(c \mid x_i)\, \pi^{(s)}_c / \pi'_c}
                             {\sum_k p'(k \mid x_i)\, \pi^{(s)}_k / \pi'_k}, \qquad
    \pi^{(s+1)}_c = \frac{1}{n} \sum_i p^{(s)}(c \mid x_i),

from :math:`\pi^{(0)} = \pi'`: each step raises the likelihood of the unlabelled test rows,
and the fixed point is the maximum-likelihood deployment prior. The E-step is
:func:`correct_proba`. Alexandari et al. (2020) show the estimate is only as good as the
calibration: calibrate with :class:`BiasCorrectedTemperatureScaling` on held-out rows first
(:class:`PriorShiftAdapter` does both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator

from .._types import ArrayLike
from .._validation import Interval, as_numpy, validate_params
from ..exceptions import InvalidParameterError, NotFittedError
from ._prior import _check_proba, check_prior, correct_proba
from ._scaling import BiasCorrectedTemperatureScaling, TemperatureScaling, _logits_2d, _targets

__all__ = ["EMPriorResult", "estimate_prior_em", "PriorShiftAdapter"]


@dataclass(frozen=True)
class EMPriorResult:
    """Result of :func:`estimate_prior_em`.

    Attributes
    ----------
    prior : numpy.ndarray
        The estimated deployment prior.
    proba : numpy.ndarray
        The test probabilities under it.
    n_iter : int
    converged : bool
        The largest change of a prior entry fell below ``tol``.
    """

    prior: np.ndarray
    proba: np.ndarray
    n_iter: int
    converged: bool


_EM_CONSTRAINTS = {
    "max_iter": [Interval(int, 1, None, closed="left", description="an int >= 1")],
    "tol": [Interval(float, 0, None, closed="neither", allow_inf=True, description="a float > 0")],
}


def estimate_prior_em(
    proba: ArrayLike, train_prior: ArrayLike, *, max_iter: int = 1000, tol: float = 1e-8
) -> EMPriorResult:
    """EM estimate of the test prior from probabilities of unlabelled test rows (Saerens et al. 2002).

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Calibrated probabilities of the test rows under ``train_prior``.
    train_prior : array-like of shape (n_classes,)
        The prior the probabilities reflect.
    max_iter : int, default=1000
    tol : float, default=1e-8
        Stop when no prior entry moves by more than ``tol``.

    Returns
    -------
    EMPriorResult

    References
    ----------
    .. [1] Saerens, M., Latinne, P. & Decaestecker, C. (2002). Adjusting the outputs of a
       classifier to new a priori probabilities: a simple procedure. Neural Computation 14(1).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> res = estimate_prior_em(p, [0.5, 0.5])
    >>> bool(res.converged), round(float(res.prior.sum()), 6)
    (True, 1.0)
    """
    owner = "estimate_prior_em"
    p, _ = _check_proba(as_numpy(proba), owner)
    source = check_prior(train_prior, p.shape[1], name="train_prior", owner=owner)
    validate_params(owner, {"max_iter": max_iter, "tol": tol}, _EM_CONSTRAINTS)
    prior = source.copy()
    current = p
    converged = False
    n_iter = 0
    floor = 1e-12  # keeps a vanishing class's prior positive (the correction needs pi > 0)
    while n_iter < max_iter:
        n_iter += 1
        current = correct_proba(p, train_prior=source, target_prior=prior)
        new = np.maximum(current.mean(axis=0), floor)
        new = new / new.sum()
        change = float(np.max(np.abs(new - prior)))
        prior = new
        if change < tol:
            converged = True
            break
    current = correct_proba(p, train_prior=source, target_prior=prior)
    return EMPriorResult(prior=prior, proba=current, n_iter=n_iter, converged=converged)


class PriorShiftAdapter(BaseEstimator):
    """Calibrate on held-out logits, then adapt to an unknown test prior by EM (Alexandari et al. 2020).

    ``fit(val_logits, val_y)`` fits the calibrator on held-out rows of the *training*
    distribution and records its prior (the validation label frequencies, or ``train_prior``);
    ``predict_proba(test_logits)`` calibrates the test logits, estimates the test prior with
    :func:`estimate_prior_em` (stored as ``prior_``) and returns the probabilities under it.

    Parameters
    ----------
    calibration : {'bcts', 'temperature'}, default='bcts'
    train_prior : array-like, optional
        The prior of the data the calibrator sees; default: the class frequencies of ``val_y``.
    max_iter, tol : EM settings (see :func:`estimate_prior_em`).

    Attributes
    ----------
    calibrator_ : BiasCorrectedTemperatureScaling or TemperatureScaling
    train_prior_ : numpy.ndarray
    prior_ : numpy.ndarray
        The test prior estimated by the last ``predict_proba``.

    References
    ----------
    .. [1] Alexandari, A., Kundaje, A. & Shrikumar, A. (2020). Maximum likelihood with
       bias-corrected calibration is hard-to-beat at label shift adaptation. ICML.
    """

    def __init__(
        self,
        *,
        calibration: Literal["bcts", "temperature"] = "bcts",
        train_prior: ArrayLike | None = None,
        max_iter: int = 1000,
        tol: float = 1e-8,
    ) -> None:
        self.calibration = calibration
        self.train_prior = train_prior
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, logits: ArrayLike, y: ArrayLike) -> PriorShiftAdapter:
        owner = type(self).__name__
        makers = {"bcts": BiasCorrectedTemperatureScaling, "temperature": TemperatureScaling}
        if self.calibration not in makers:
            raise InvalidParameterError(
                f"The 'calibration' parameter of {owner} must be one of {sorted(makers)}; got {self.calibration!r}."
            )
        z = _logits_2d(logits, owner)
        t = _targets(y, len(z), z.shape[1], owner)
        self.calibrator_ = makers[self.calibration]().fit(z, t)
        if self.train_prior is None:
            counts = np.bincount(t, minlength=z.shape[1]).astype(np.float64)
            self.train_prior_ = check_prior(
                counts / counts.sum(), z.shape[1], name="validation label frequencies", owner=owner
            )
        else:
            self.train_prior_ = check_prior(
                self.train_prior, z.shape[1], name="train_prior", owner=owner
            )
        return self

    def predict_proba(self, logits: ArrayLike) -> Any:
        if not hasattr(self, "calibrator_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit(val_logits, val_y) first."
            )
        proba = self.calibrator_.predict_proba(_logits_2d(logits, type(self).__name__))
        res = estimate_prior_em(proba, self.train_prior_, max_iter=self.max_iter, tol=self.tol)
        self.prior_ = res.prior
        self.n_iter_ = res.n_iter
        return res.proba
