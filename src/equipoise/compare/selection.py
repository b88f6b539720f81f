r"""The model-selection criterion of a comparison, fair to every recipe.

Recipes train under different class priors: plain cross-entropy learns the imbalanced prior, a
resampled or re-weighted one a balanced prior, logit-adjusted and balanced-softmax losses
subtract the prior inside the loss, LDAM scales cosines by ``s`` and focal loss changes the
logits' scale. A criterion on the raw logits (their balanced cross-entropy, say) therefore
favours some recipes: a plain cross-entropy model looks worst right after its first epoch
and keeps that epoch's weights. This module measures each epoch by what no such prior or scale
can change: the class-balanced log loss of the validation logits **after the best affine
re-calibration** of them,

.. math::

    \mathcal{L}(z) = \min_{a \ge 0,\, b \in \mathbb{R}^C}
        \sum_{i} w_i \Big[\log \sum_c e^{a z_{ic} + b_c} - a z_{i y_i} - b_{y_i}\Big],
    \qquad w_i = \frac{1}{C' \, n_{y_i}},

with :math:`n_c` the validation rows of class :math:`c` and :math:`C'` the classes present.
A shift :math:`b = -\tau\log\pi` is exactly a prior correction (Saerens et al. 2002; Menon et
al. 2021) and :math:`a` a temperature (Guo et al. 2017), so two models whose logits differ only
by a prior or a temperature score the same, and the criterion ranks epochs by how well they
separate the classes, with every class weighing the same. The problem is convex in
:math:`(a, b)`; it is solved by Newton's method, warm-started from the previous epoch (a few
iterations each). :math:`a \ge 0` keeps a model that inverts the classes from looking good.

With two classes only the margin :math:`m_i = u_{i1} - u_{i0} = a\,d_i + c` matters
(:math:`d_i = z_{i1} - z_{i0}`, :math:`c = b_1 - b_0`), and the ridge on :math:`b` is least at
:math:`b = (-c/2, c/2)`, so the problem is the two-parameter weighted logistic regression

.. math::

    \min_{a \ge 0,\, c}\ \sum_i w_i \log\big(1 + e^{-s_i (a d_i + c)}\big)
        + \tfrac{\rho}{2}\big((a - 1)^2 + c^2/2\big), \qquad s_i = \pm 1,

with the same minimum. It is solved in that form: a 2x2 Newton system on vectors instead of a
3x3 one on matrices, a fifth of the time per call (``benchmarks/selection_criterion.py``).

References
----------
.. [1] Saerens, M., Latinne, P. & Decaestecker, C. (2002). Adjusting the outputs of a
   classifier to new a priori probabilities: a simple procedure. Neural Computation.
.. [2] Guo, C., Pleiss, G., Sun, Y. & Weinberger, K. Q. (2017). On calibration of modern
   neural networks. ICML.
.. [3] Menon, A. K. et al. (2021). Long-tail learning via logit adjustment. ICLR.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["CalibratedBalancedLogLoss", "CRITERION_TEXT"]

CRITERION_TEXT = (
    "class-balanced validation log loss after the best temperature and per-class shift "
    "(prior correction) of the logits: no recipe is favoured by the class prior or the logit "
    "scale its training implies"
)
"""One sentence for the summary and the report."""

_RIDGE = 1e-6
_MAX_ITER = 30
_TOL = 1e-9  # relative: far below the differences between epochs that selection reads


def _solve(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(hess, grad)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(hess, grad, rcond=None)[0]


def _log_softmax(u: np.ndarray) -> np.ndarray:
    top = u.max(axis=1, keepdims=True)
    return u - top - np.log(np.exp(u - top).sum(axis=1, keepdims=True))


class CalibratedBalancedLogLoss:
    """The selection criterion for one set of validation labels (see the module docstring).

    Parameters
    ----------
    y : numpy.ndarray of int64
        Encoded validation labels.
    n_classes : int

    Attributes
    ----------
    params_ : numpy.ndarray of shape (n_classes + 1,)
        ``(a, b_0, ..., b_{C-1})`` at the last evaluation (the warm start of the next one).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 1, 0, 1])
    >>> z = np.array([[2.0, 0.0], [1.5, 0.0], [0.2, 0.0], [0.0, 1.0], [0.0, 0.5], [1.0, 0.0]])
    >>> value = CalibratedBalancedLogLoss(y, 2)(z)
    >>> shifted = z + np.array([0.0, -3.0])  # the same model under another prior
    >>> bool(np.isclose(CalibratedBalancedLogLoss(y, 2)(shifted), value, atol=1e-6))
    True
    >>> bool(np.isclose(CalibratedBalancedLogLoss(y, 2)(7.5 * z), value, atol=1e-6))  # a temperature
    True

    Logits that separate the classes perfectly have no finite best temperature; the small ridge
    on ``(a, b)`` that keeps the solve finite then leaves differences of a few ``1e-5`` between
    such models, far below the differences between epochs that selection reads.
    """

    def __init__(self, y: np.ndarray, n_classes: int) -> None:
        self.y = np.asarray(y, dtype=np.int64)
        self.n_classes = int(n_classes)
        counts = np.bincount(self.y, minlength=self.n_classes).astype(np.float64)
        present = int(np.sum(counts > 0))
        self.w = (1.0 / (max(present, 1) * np.maximum(counts, 1.0)))[self.y]
        self.onehot = np.zeros((len(self.y), self.n_classes))
        self.onehot[np.arange(len(self.y)), self.y] = 1.0
        self._true_cells = np.arange(len(self.y)) * self.n_classes + self.y  # z[i, y_i], flat
        self.params_ = np.concatenate([[1.0], np.zeros(self.n_classes)])
        self._sign = 2.0 * self.y - 1.0  # s_i of the binary form: +1 for class 1, -1 for 0

    def _value(self, z: np.ndarray, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """The objective at ``theta`` and the log-softmax it computed (reused by the caller)."""
        logp = _log_softmax(theta[0] * z + theta[1:])
        nll = -logp.ravel()[self._true_cells]
        ridge = 0.5 * _RIDGE * (theta[1:] @ theta[1:] + (theta[0] - 1.0) ** 2)
        return float(self.w @ nll + ridge), logp

    def _newton(
        self, z: np.ndarray, theta: np.ndarray, free_a: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Newton's method from ``theta``; returns the solution and its log-softmax."""
        w = self.w
        value, logp = self._value(z, theta)
        for _ in range(_MAX_ITER):
            p = np.exp(logp)  # the softmax at theta (computed with its value)
            r = p - self.onehot  # d nll_i / d u_i
            grad_b = w @ r + _RIDGE * theta[1:]
            wp = p * w[:, None]
            h_bb = np.diag(wp.sum(axis=0)) - p.T @ wp + _RIDGE * np.eye(self.n_classes)
            if free_a:
                grad_a = float(w @ (r * z).sum(axis=1)) + _RIDGE * (theta[0] - 1.0)
                pz = (p * z).sum(axis=1)
                h_ab = (wp * (z - pz[:, None])).sum(axis=0)
                h_aa = float(w @ ((p * z * z).sum(axis=1) - pz**2)) + _RIDGE
                grad = np.concatenate([[grad_a], grad_b])
                hess = np.empty((self.n_classes + 1, self.n_classes + 1))
                hess[0, 0], hess[0, 1:], hess[1:, 0], hess[1:, 1:] = h_aa, h_ab, h_ab, h_bb
                step = _solve(hess, grad)
            else:
                grad = np.concatenate([[0.0], grad_b])
                step = np.concatenate([[0.0], _solve(h_bb, grad_b)])
            t = 1.0
            while True:  # backtracking line search; keeps a >= 0
                trial = theta - t * step
                if free_a and trial[0] < 0:
                    trial[0] = 0.0
                new, trial_logp = self._value(z, trial)
                if new <= value - 1e-4 * t * float(grad @ step) or t < 1e-8:
                    break
                t *= 0.5
            if new > value:
                break
            improvement = value - new
            theta, value, logp = trial, new, trial_logp
            if improvement < _TOL * max(1.0, abs(value)):
                break
        return theta, logp

    def _binary_value(self, d: np.ndarray, a: float, c: float) -> tuple[float, np.ndarray]:
        """The binary form's objective at ``(a, c)`` and its ``-s_i m_i``."""
        t = -self._sign * (a * d + c)
        ridge = 0.5 * _RIDGE * ((a - 1.0) ** 2 + 0.5 * c * c)
        return float(self.w @ np.logaddexp(0.0, t)) + ridge, t

    def _binary_newton(
        self, d: np.ndarray, a: float, c: float, free_a: bool
    ) -> tuple[float, float, np.ndarray]:
        """Newton's method on the binary form from ``(a, c)``; returns ``a, c`` and ``-s m``."""
        w, sign = self.w, self._sign
        value, t = self._binary_value(d, a, c)
        for _ in range(_MAX_ITER):
            q = expit(t)  # sigmoid(-s m): minus s times it is d nll / d m
            g = -w * sign * q
            h = w * q * (1.0 - q)
            grad_c = float(g.sum()) + 0.5 * _RIDGE * c
            h_cc = float(h.sum()) + 0.5 * _RIDGE
            if free_a:
                grad_a = float(g @ d) + _RIDGE * (a - 1.0)
                hd = h * d
                h_ac = float(hd.sum())
                h_aa = float(hd @ d) + _RIDGE
                det = h_aa * h_cc - h_ac * h_ac
                step_a = (h_cc * grad_a - h_ac * grad_c) / det
                step_c = (h_aa * grad_c - h_ac * grad_a) / det
                decrease = grad_a * step_a + grad_c * step_c
            else:
                grad_a = step_a = 0.0
                step_c = grad_c / h_cc
                decrease = grad_c * step_c
            size = 1.0
            while True:  # backtracking line search; keeps a >= 0
                trial_a, trial_c = a - size * step_a, c - size * step_c
                if free_a and trial_a < 0:
                    trial_a = 0.0
                new, trial_t = self._binary_value(d, trial_a, trial_c)
                if new <= value - 1e-4 * size * decrease or size < 1e-8:
                    break
                size *= 0.5
            if new > value:
                break
            improvement = value - new
            a, c, value, t = trial_a, trial_c, new, trial_t
            if improvement < _TOL * max(1.0, abs(value)):
                break
        return a, c, t

    def _binary(self, z: np.ndarray) -> float:
        d = z[:, 1] - z[:, 0]
        a, c = float(self.params_[0]), float(self.params_[2] - self.params_[1])
        a, c, t = self._binary_newton(d, a, c, free_a=True)
        if a <= 0.0:  # no positive temperature helps: the best constant model
            a, c, t = self._binary_newton(d, 0.0, c, free_a=False)
        self.params_ = np.array([a, -0.5 * c, 0.5 * c])
        return float(self.w @ np.logaddexp(0.0, t))

    def _general(self, z: np.ndarray) -> float:
        """The criterion in its ``C + 1``-parameter form (any number of classes)."""
        z = z - z.mean(axis=1, keepdims=True)  # softmax ignores a per-row constant
        theta, logp = self._newton(z, self.params_.copy(), free_a=True)
        if theta[0] <= 0.0:  # no positive temperature helps: the best constant model
            theta, logp = self._newton(z, np.concatenate([[0.0], theta[1:]]), free_a=False)
        self.params_ = theta
        nll = -logp.ravel()[self._true_cells]
        return float(self.w @ nll)

    def __call__(self, logits: np.ndarray) -> float:
        """The criterion for validation ``logits`` of shape (n_val, n_classes); lower is better."""
        z = np.asarray(logits, dtype=np.float64)
        if self.n_classes == 2 and z.ndim == 2 and z.shape[1] == 2:
            return self._binary(z)  # the same minimum, in two parameters
        return self._general(z)
