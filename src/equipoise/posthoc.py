"""Correct decisions after training: logit adjustment, tau-normalisation, thresholds, bias init.

A model trained on imbalanced data learns the training prior; these tools change how its scores
become labels without re-training it (or, for :func:`init_output_bias`, before training starts):

- :func:`logit_adjust` subtracts ``tau * log(prior)`` from the logits (Menon et al. 2021);
- :func:`tau_normalize` rescales each class row of the classifier weight by ``1 / ||w||^tau``
  (Kang et al. 2020);
- :func:`init_output_bias` starts the output bias at the log prior, so the first steps do not
  spend themselves learning the class frequencies;
- :class:`ThresholdTuner` picks the decision threshold (binary) or per-class offsets
  (multiclass) that maximise a metric on validation data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from sklearn.base import BaseEstimator

from ._label_thresholds import LabelThresholdTuner, tune_label_thresholds
from ._types import ArrayLike
from ._validation import (
    Interval,
    as_numpy,
    check_target,
    is_torch_tensor,
    short_repr,
    validate_params,
)
from .exceptions import InvalidInputError, InvalidParameterError, NotFittedError
from .metrics import METRICS, Metric, get_metric
from .metrics._confusion import confusion_metric_name, metrics_from_confusion, metrics_from_counts

__all__ = [
    "logit_adjust",
    "tau_normalize",
    "tau_normalize_",
    "init_output_bias",
    "ThresholdTuner",
    "tune_label_thresholds",
    "LabelThresholdTuner",
]


def _check_prior(prior: Any, n_classes: int, owner: str) -> np.ndarray:
    """Counts or probabilities -> probabilities (float64), with clear errors."""
    if is_torch_tensor(prior):
        prior = prior.detach().cpu().numpy()
    raw = np.asarray(prior) if not isinstance(prior, (dict, str)) else np.asarray(None)
    if raw.dtype.kind not in "biuf":
        raise InvalidInputError(
            f"The 'prior' passed to {owner} must be one count or probability per class (numbers, in the "
            f"order of the logits' columns); got {short_repr(prior)}."
        )
    arr = raw.astype(np.float64).ravel()
    if arr.shape[0] != n_classes:
        raise InvalidInputError(
            f"The 'prior' passed to {owner} must have one entry per class ({n_classes}); got "
            f"{arr.shape[0]} entries."
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError(
            f"The 'prior' passed to {owner} contains NaN or infinity; got {short_repr(arr.tolist())}."
        )
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        raise InvalidInputError(
            f"The 'prior' passed to {owner} must be positive for every class (log(0) is -inf); "
            f"class index(es) {bad.tolist()} have {arr[bad].tolist()}. Add a pseudo-count "
            "(e.g. counts + 1) for classes absent from the training set."
        )
    return arr / arr.sum()


def _check_tau(tau: Any, owner: str) -> float:
    validate_params(owner, {"tau": tau}, {"tau": [Interval(float, 0, None, closed="left")]})
    if not math.isfinite(tau):
        raise InvalidParameterError(
            f"The 'tau' parameter of {owner} must be finite; got {short_repr(tau)}."
        )
    return float(tau)


def logit_adjust(logits: ArrayLike, prior: ArrayLike, tau: float = 1.0) -> ArrayLike:
    """Post-hoc logit adjustment: subtract the scaled log prior from the logits.

    .. math:: \\tilde f_y(x) = f_y(x) - \\tau \\log \\pi_y

    where :math:`\\pi` is the training class prior. With :math:`\\tau = 1` the arg-max of the
    adjusted logits is the Bayes-optimal prediction for the *balanced* error (Menon et al. 2021,
    eq. 8), i.e. it maximises balanced accuracy when the model is calibrated.

    Parameters
    ----------
    logits : numpy.ndarray or torch.Tensor of shape (..., n_classes)
        Raw scores of a model trained with the ordinary (unadjusted) loss.
    prior : array-like of shape (n_classes,)
        Training class counts or probabilities (normalised here); every entry must be > 0.
    tau : float, default=1.0
        Strength of the adjustment; 0 returns the logits unchanged. The paper tunes it on
        validation data and reports :math:`\\tau = 1` as a strong default.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Same kind, shape, dtype (floating) and device as ``logits``; differentiable for tensors.

    References
    ----------
    .. [1] Menon, A. K., Jayasumana, S., Rawat, A. S., Jain, H., Veit, A. & Kumar, S. (2021).
       Long-tail learning via logit adjustment. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> logits = np.array([[2.0, 1.0]])
    >>> logit_adjust(logits, prior=[90, 10]).round(3)  # 2 - log .9, 1 - log .1
    array([[2.105, 3.303]])
    """
    owner = "logit_adjust"
    tau = _check_tau(tau, owner)
    if is_torch_tensor(logits):
        if logits.ndim == 0:
            raise InvalidInputError(
                f"logits passed to {owner} must have a class dimension; got a scalar."
            )
        log_prior = np.log(_check_prior(prior, logits.shape[-1], owner))
        dtype = logits.dtype if logits.is_floating_point() else None
        import torch

        shift = torch.as_tensor(
            tau * log_prior, device=logits.device, dtype=dtype or torch.get_default_dtype()
        )
        _no_nan(logits, "logits", owner)
        return logits - shift
    arr = np.asarray(logits)
    if arr.ndim == 0:
        raise InvalidInputError(
            f"logits passed to {owner} must have a class dimension; got a scalar."
        )
    _real(arr, "logits", owner)
    _no_nan(arr, "logits", owner)
    if arr.dtype.kind not in "f":
        arr = arr.astype(np.float64)
    log_prior = np.log(_check_prior(prior, arr.shape[-1], owner))
    return arr - (tau * log_prior).astype(arr.dtype)


def _weight_of(weight: Any, owner: str) -> Any:
    import torch

    if isinstance(weight, torch.nn.Linear):
        return weight.weight.detach()
    if is_torch_tensor(weight) or isinstance(weight, np.ndarray):
        if weight.ndim != 2:
            raise InvalidInputError(
                f"{owner} expects a classifier weight of shape (n_classes, n_features); got shape "
                f"{tuple(weight.shape)}."
            )
        return weight
    raise InvalidInputError(
        f"{owner} expects a torch.nn.Linear, a torch tensor or a numpy array of shape "
        f"(n_classes, n_features); got {type(weight).__name__}."
    )


def tau_normalize(weight: Any, tau: float) -> Any:
    """Tau-normalised classifier weight: each class row divided by its L2 norm to the power tau.

    .. math:: \\tilde w_i = \\frac{w_i}{\\lVert w_i \\rVert_2^{\\tau}}

    A classifier trained on long-tailed data grows larger weight norms for frequent classes;
    :math:`\\tau = 1` gives every class a unit-norm row, :math:`\\tau = 0` changes nothing, and
    values between interpolate (Kang et al. 2020 pick :math:`\\tau` on validation data, see
    :func:`equipoise.decoupled.tune_tau`). Rows of zero norm stay zero. The bias is not part of
    the formula and is left alone; the paper's classifiers score with :math:`\\tilde W f`.

    Parameters
    ----------
    weight : torch.nn.Linear, torch.Tensor or numpy.ndarray of shape (n_classes, n_features)
        For a layer its ``weight`` is used; the layer is not modified (see :func:`tau_normalize_`).
    tau : float >= 0

    Returns
    -------
    torch.Tensor or numpy.ndarray
        A new array of the same shape, dtype and device. For a tensor the operation is
        differentiable; for a layer the result is detached from its parameter.

    References
    ----------
    .. [1] Kang, B., Xie, S., Rohrbach, M., Yan, Z., Gordo, A., Feng, J. & Kalantidis, Y.
       (2020). Decoupling representation and classifier for long-tailed recognition. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> tau_normalize(np.array([[3.0, 4.0], [0.6, 0.8]]), tau=1.0)
    array([[0.6, 0.8],
           [0.6, 0.8]])
    """
    owner = "tau_normalize"
    tau = _check_tau(tau, owner)
    w = _weight_of(weight, owner)
    if isinstance(w, np.ndarray):
        _real(w, "weight", owner)
    elif w.is_complex():
        raise InvalidInputError(
            f"weight passed to {owner} must hold real numbers; got dtype {w.dtype}."
        )
    _no_nan(w, "weight", owner)
    if isinstance(w, np.ndarray):
        w = w if w.dtype.kind == "f" else w.astype(np.float64)
        norms = np.linalg.norm(w, axis=1, keepdims=True)
        scale = np.where(norms > 0, norms, 1.0) ** tau
        return w / scale
    if not w.is_floating_point():
        w = w.double()
    norms = w.norm(dim=1, keepdim=True)
    scale = norms.where(norms > 0, norms.new_ones(())).pow(tau)
    return w / scale


def tau_normalize_(layer: Any, tau: float) -> Any:
    """In-place :func:`tau_normalize` of an ``nn.Linear``'s weight; returns the layer.

    Examples
    --------
    >>> import torch
    >>> layer = torch.nn.Linear(4, 3)
    >>> _ = tau_normalize_(layer, 1.0)
    >>> torch.allclose(layer.weight.norm(dim=1), torch.ones(3))
    True
    """
    import torch

    if not isinstance(layer, torch.nn.Linear):
        raise InvalidInputError(
            f"tau_normalize_ modifies a torch.nn.Linear in place; got {type(layer).__name__}. "
            "Use tau_normalize for tensors and arrays."
        )
    new = tau_normalize(layer, tau)
    with torch.no_grad():
        layer.weight.copy_(new)
    return layer


def init_output_bias(layer: Any, prior: ArrayLike) -> Any:
    """Initialise the output bias at the class prior, in place; returns the layer.

    - Softmax head (``out_features == n_classes``): :math:`b_c = \\log \\pi_c`, so the initial
      softmax output equals the prior when the weights are small.
    - Single-output sigmoid head (``out_features == 1``): :math:`b = \\log(p / (1 - p))` with
      :math:`p` the positive-class share, so the initial sigmoid output is :math:`p`.

    Starting there saves the first iterations from learning the class frequencies and avoids
    the large initial loss of a uniform prediction on rare positives (TensorFlow tutorial
    "Classification on imbalanced data"; Lin et al. 2017 use the same "prior" initialisation
    for focal loss).

    Parameters
    ----------
    layer : torch.nn.Linear
        The output layer; it must have a bias.
    prior : array-like or float
        Class counts or probabilities, one per output (``n_classes``). For a single-output
        head: the two entries ``[negative, positive]`` (counts or probabilities), or the
        positive share as a float in (0, 1).

    Returns
    -------
    torch.nn.Linear
        The same layer, with its bias overwritten.

    References
    ----------
    .. [1] TensorFlow tutorial, "Classification on imbalanced data" (optional: set the correct
       initial bias). https://www.tensorflow.org/tutorials/structured_data/imbalanced_data
    .. [2] Lin, T.-Y., Goyal, P., Girshick, R., He, K. & Dollár, P. (2017). Focal loss for dense
       object detection. ICCV.

    Examples
    --------
    >>> import torch
    >>> head = init_output_bias(torch.nn.Linear(8, 1), prior=[990, 10])
    >>> round(head.bias.item(), 3)  # log(0.01 / 0.99)
    -4.595
    """
    import torch

    owner = "init_output_bias"
    if not isinstance(layer, torch.nn.Linear):
        raise InvalidInputError(f"{owner} expects a torch.nn.Linear; got {type(layer).__name__}.")
    if layer.bias is None:
        raise InvalidInputError(
            f"{owner} needs a layer with a bias; this one was built with bias=False. "
            "Build it as nn.Linear(in_features, out_features, bias=True)."
        )
    out = layer.out_features
    if out == 1:
        if np.ndim(prior) == 0 and not is_torch_tensor(prior):
            p = float(prior)
            if not 0 < p < 1:
                raise InvalidInputError(
                    f"A scalar 'prior' passed to {owner} is the positive-class share and must be in "
                    f"(0, 1); got {short_repr(p)}."
                )
        else:
            p = float(_check_prior(prior, 2, owner)[1])
        value = np.array([math.log(p / (1 - p))])
    else:
        value = np.log(_check_prior(prior, out, owner))
    with torch.no_grad():
        layer.bias.copy_(torch.as_tensor(value, dtype=layer.bias.dtype, device=layer.bias.device))
    return layer


# --------------------------------------------------------------------------------------------
# Threshold tuning
# --------------------------------------------------------------------------------------------

_LOG_FLOOR = 1e-12


class ThresholdTuner(BaseEstimator):
    """Choose decision thresholds on validation data to maximise an imbalance-aware metric.

    **Binary** (scores = probability, or any score, of the positive class, the larger label):
    predict positive when ``score >= threshold_``. Every distinct validation score is tried when
    there are at most ``max_candidates`` of them (the exact optimum on the validation data),
    otherwise ``max_candidates`` quantiles of the scores; the first (lowest) best threshold wins
    ties. This is the rule of :class:`sklearn.model_selection.TunedThresholdClassifierCV` (which
    also predicts positive on ``score >= threshold``) applied to fixed scores, with a
    data-driven grid instead of 100 evenly spaced points.

    **Multiclass** (scores = probabilities of shape (n_samples, n_classes)): predict

    .. math:: \\hat y = \\arg\\max_c \\; \\log p_c + b_c

    i.e. multiplicative class weights :math:`e^{b_c}` on the probabilities. The offsets
    :math:`b` start at 0 and are improved by coordinate ascent: for one class at a time, every
    offset at which some validation sample changes its prediction is tried (midpoints between
    those breakpoints, capped at ``max_candidates`` quantiles), the best is kept, and rounds
    repeat until a round improves the metric by less than ``tol`` or ``max_iter`` rounds pass.
    A candidate is kept only when it beats the best score so far by more than ``tol``, in
    candidate order (lowest offset first). Probabilities are floored at 1e-12 before the log.

    **How candidates are scored.** For a registered label metric (every name in
    :data:`equipoise.metrics.METRICS` that scores labels) all candidates of a step are scored
    at once: binary, the confusion counts of every threshold come from one sort of the scores
    (the positives and negatives scoring at least the threshold); multiclass, the predictions of
    every offset of the class being tuned are formed together and counted into one confusion
    matrix per candidate; the metric of all those matrices is one vectorised computation that
    equals the registered metric bit for bit, so the thresholds chosen, ties included, are those
    of calling the metric once per candidate. A user callable (or a :class:`Metric` with its own
    function) is called once per candidate.

    Parameters
    ----------
    metric : str or callable, default="f1"
        A name from :data:`equipoise.metrics.METRICS` that scores labels (``"f1"``,
        ``"g_mean"``, ``"balanced_accuracy"``, ``"macro_f1"``, ``"mcc"``, ``"accuracy"``, ...;
        ``"f1"`` is the positive-class F1 for binary, macro F1 for multiclass), or a callable
        ``metric(y_true, y_pred) -> float``, higher is better.
    max_candidates : int, default=100
        Most thresholds (per class, per round) evaluated. With a user callable each costs one
        call, so multiclass fitting makes about ``max_candidates * n_classes * rounds`` calls;
        a registered metric scores them in one vectorised pass per class and round.
    max_iter : int, default=10
        Coordinate-ascent rounds (multiclass).
    tol : float, default=1e-6
        Minimum improvement that keeps coordinate ascent going.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Sorted labels seen in ``fit``; for binary problems ``classes_[1]`` is the positive class.
    threshold_ : float or numpy.ndarray
        Binary: the score threshold. Multiclass: the per-class offsets (same as ``offsets_``).
    offsets_ : numpy.ndarray of shape (n_classes,) or None
        Multiclass offsets on log-probabilities; None for binary problems.
    best_score_ : float
        The metric on the validation data at the chosen thresholds.
    default_score_ : float
        The metric at the default rule (threshold 0.5 / plain argmax), for comparison.

    References
    ----------
    .. [1] Collell, G., Prelec, D. & Patil, K. R. (2018). A simple plug-in bagging ensemble
       based on threshold-moving for classifying binary and multiclass imbalanced data.
       Neurocomputing.
    .. [2] Lipton, Z. C., Elkan, C. & Naryanaswamy, B. (2014). Optimal thresholding of
       classifiers to maximize F1 measure. ECML PKDD.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> p = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.45, 0.4, 0.6])
    >>> tuner = ThresholdTuner(metric="f1").fit(y, p)
    >>> float(tuner.threshold_), float(tuner.best_score_)
    (0.4, 0.8)
    >>> tuner.predict([0.39, 0.41])
    array([0, 1])
    """

    threshold_: float | np.ndarray

    _parameter_constraints: dict[str, list] = {
        "metric": [str, Metric, "callable"],
        "max_candidates": [Interval(int, 2, None, closed="left")],
        "max_iter": [Interval(int, 1, None, closed="left")],
        "tol": [Interval(float, 0, None, closed="left")],
    }

    def __init__(
        self,
        metric: str | Callable[[Any, Any], float] = "f1",
        *,
        max_candidates: int = 100,
        max_iter: int = 10,
        tol: float = 1e-6,
    ) -> None:
        self.metric = metric
        self.max_candidates = max_candidates
        self.max_iter = max_iter
        self.tol = tol

    # -- helpers ------------------------------------------------------------------------------

    def _check_metric(self, n_classes: int) -> Metric | None:
        """Validate the parameters and that ``metric`` can score labels of ``n_classes`` classes
        (without data); returns the registered metric, or None for a user callable."""
        validate_params("ThresholdTuner", self.get_params(deep=False), self._parameter_constraints)
        if not isinstance(self.metric, (str, Metric)):
            return None
        m = get_metric(self.metric)
        if m.needs_score:
            raise InvalidParameterError(
                f"The 'metric' parameter of ThresholdTuner must score labels; {short_repr(m.name)} ranks "
                "scores and does not depend on the threshold. Use one of "
                f"{[n for n, e in METRICS.items() if not e.needs_score]}."
            )
        if m.binary_only and n_classes != 2:
            raise InvalidParameterError(
                f"metric {short_repr(m.name)} is defined for binary problems; got {n_classes} classes."
            )
        return m

    def _scorer(
        self, m: Metric | None, classes: np.ndarray
    ) -> Callable[[np.ndarray, np.ndarray], float]:
        """One call of the metric on labels: ``m`` from :meth:`_check_metric`, None for the
        user's callable."""
        if m is not None:
            return lambda yt, yp: m.func(yt, yp, None, classes)
        # Names resolve to a Metric above (or raise); what reaches here is the user's callable.
        user = cast(Callable[[Any, Any], float], self.metric)
        return lambda yt, yp: float(user(yt, yp))

    def _binary_scores(self, scores: Any, n_classes: int) -> np.ndarray:
        s = _numpy(scores)
        if s.ndim == 2 and s.shape[1] == 2:
            s = s[:, 1]
        elif s.ndim == 2 and s.shape[1] == 1:
            s = s.ravel()
        if s.ndim != 1:
            raise InvalidInputError(
                "ThresholdTuner expects binary scores of shape (n_samples,) (the positive-class "
                f"score) or (n_samples, 2); got {s.shape}."
            )
        return s

    def _multi_scores(self, scores: Any, n_classes: int) -> np.ndarray:
        s = _numpy(scores)
        if s.ndim != 2 or s.shape[1] != n_classes:
            raise InvalidInputError(
                f"ThresholdTuner expects multiclass scores of shape (n_samples, {n_classes}), one "
                f"column per class in sorted label order; got {s.shape}."
            )
        if np.any(s < 0):
            raise InvalidInputError(
                "ThresholdTuner expects multiclass probabilities (non-negative); got negative "
                "values. Apply softmax to logits first."
            )
        return np.log(np.maximum(s, _LOG_FLOOR))

    def _grid(self, values: np.ndarray) -> np.ndarray:
        uniq = np.unique(values)
        if uniq.size > self.max_candidates:
            uniq = np.unique(np.quantile(values, np.linspace(0, 1, self.max_candidates)))
        return uniq

    # -- public API ---------------------------------------------------------------------------

    def fit(
        self, y_true: ArrayLike, scores: ArrayLike, *, labels: ArrayLike | None = None
    ) -> ThresholdTuner:
        """Choose the thresholds on validation labels and scores; returns self.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
        scores : array-like of shape (n_samples,) or (n_samples, n_classes)
            Binary: positive-class scores ((n_samples, 2) probabilities are accepted).
            Multiclass: class probabilities, columns in the order of ``labels`` (default:
            sorted label order).
        labels : array-like, optional
            Every class, in the column order of ``scores``; for binary problems ``labels[1]``
            is the positive class. Pass it when a class may be absent from ``y_true`` (a small
            validation split): an absent class keeps offset 0 (binary: the threshold is chosen
            on the classes present). Default: the sorted classes of ``y_true``.
        """
        return self._fit(y_true, scores, labels, vectorised=True)

    def _fit_loop(
        self, y_true: ArrayLike, scores: ArrayLike, *, labels: ArrayLike | None = None
    ) -> ThresholdTuner:
        """:meth:`fit` scoring every candidate with one call of the metric function (the path
        of user callables; for registered metrics the reference the vectorised path equals)."""
        return self._fit(y_true, scores, labels, vectorised=False)

    def _fit(
        self, y_true: ArrayLike, scores: ArrayLike, labels: ArrayLike | None, *, vectorised: bool
    ) -> ThresholdTuner:
        validate_params("ThresholdTuner", self.get_params(deep=False), self._parameter_constraints)
        if labels is None:
            y, classes, y_idx = check_target(y_true, owner="ThresholdTuner")
        else:
            classes = as_numpy(labels).ravel()
            if len(classes) < 2 or len(np.unique(classes)) != len(classes):
                raise InvalidParameterError(
                    "The 'labels' parameter of ThresholdTuner.fit must list at least two classes, each "
                    f"once; got {classes.tolist()}."
                )
            y, _, _ = check_target(y_true, owner="ThresholdTuner", min_classes=1)
            unknown = np.setdiff1d(np.unique(y), classes)
            if unknown.size:
                raise InvalidInputError(
                    f"y_true passed to ThresholdTuner.fit has classes {unknown.tolist()} that are not "
                    f"in labels={classes.tolist()}; list every class in labels."
                )
            y_idx = _encode(y, classes)
        n = len(y)
        m = self._check_metric(len(classes))
        score = self._scorer(m, classes)
        name = confusion_metric_name(m.func) if (vectorised and m is not None) else None
        self.classes_ = classes
        present = np.isin(classes, y)
        if len(classes) == 2:
            s = self._binary_scores(scores, 2)
            _check_rows(s, n)
            self.offsets_ = None
            grid = self._grid(s) if present.all() else np.empty(0)
            if name is None:
                default = float(score(y, classes[(s >= 0.5).astype(np.int64)]))
                values = [score(y, classes[(s >= t).astype(np.int64)]) for t in grid]
            else:
                default, *values = _binary_values(name, y_idx, s, np.r_[0.5, grid])
            self.default_score_ = float(default)
            if not present.all():  # one class only: nothing to trade off, keep the default rule
                self.threshold_, self.best_score_ = 0.5, self.default_score_
                return self
            best_t, best = -math.inf, -math.inf
            for t, value in zip(grid.tolist(), values):
                if value > best:  # the first (lowest) best threshold wins ties
                    best_t, best = float(t), value
            self.threshold_ = best_t
            self.best_score_ = float(best)
            return self
        logp = self._multi_scores(scores, len(classes))
        _check_rows(logp, n)
        offsets = np.zeros(len(classes))
        plain = np.argmax(logp, axis=1)
        if name is None:
            best = score(y, classes[plain])
        else:
            best = _label_values(name, y_idx, plain[None, :], len(classes))[0]
        self.default_score_ = float(best)
        for _ in range(self.max_iter):
            start = best
            for c in np.flatnonzero(present):  # an absent class keeps offset 0
                rest = logp + offsets
                rest[:, c] = -np.inf  # the other columns (the log-probabilities are finite)
                others = rest.max(axis=1)
                breaks = np.unique(others - logp[:, c])
                grid = self._grid(breaks)
                mids = np.concatenate(
                    [[grid[0] - 1.0], (grid[:-1] + grid[1:]) / 2, [grid[-1] + 1.0]]
                )
                if name is None:
                    values = []
                    for b in mids:
                        trial = offsets.copy()
                        trial[c] = b
                        values.append(score(y, classes[np.argmax(logp + trial, axis=1)]))
                else:
                    values = _offset_values(name, y_idx, logp[:, c], rest, others, int(c), mids)
                # sequential acceptance, in candidate order: what scoring them one by one gives
                chosen = None
                for b, value in zip(mids.tolist(), values):
                    if value > best + self.tol:
                        best, chosen = value, b
                if chosen is not None:
                    offsets = offsets.copy()
                    offsets[c] = chosen
            if best - start <= self.tol:
                break
        # Offsets matter only relative to each other: centre the tuned ones, so a class absent
        # from y_true (offset 0) keeps its place relative to the average tuned class.
        offsets[present] -= offsets[present].mean()
        self.offsets_ = offsets
        self.threshold_ = offsets
        self.best_score_ = float(best)
        return self

    def predict(self, scores: ArrayLike) -> np.ndarray:
        """Labels (from ``classes_``) for new scores, with the fitted thresholds."""
        if not hasattr(self, "classes_"):
            raise NotFittedError(
                "This ThresholdTuner is not fitted yet; call fit(y_val, scores_val) first."
            )
        if self.offsets_ is None:
            s = self._binary_scores(scores, 2)
            return self.classes_[(s >= self.threshold_).astype(np.int64)]
        logp = self._multi_scores(scores, len(self.classes_))
        return self.classes_[np.argmax(logp + self.offsets_, axis=1)]

    def fit_predict(self, y_true: ArrayLike, scores: ArrayLike) -> np.ndarray:
        """``fit(y_true, scores).predict(scores)``."""
        return self.fit(y_true, scores).predict(scores)


def _real(arr: np.ndarray, what: str, owner: str) -> None:
    """Refuse non-numeric arrays (strings, objects, complex) with a clear message."""
    if arr.dtype.kind not in "biuf":
        raise InvalidInputError(
            f"{what} passed to {owner} must hold real numbers; got an array of dtype {arr.dtype}. "
            "Pass the model's raw scores (a float array)."
        )


def _no_nan(values: Any, what: str, owner: str) -> None:
    """Refuse NaN (infinite logits, e.g. masked classes, are left alone)."""
    if is_torch_tensor(values):
        bad = values.is_floating_point() and bool(values.isnan().any())
    else:
        bad = values.dtype.kind == "f" and bool(np.isnan(values).any())
    if bad:
        raise InvalidInputError(
            f"{what} passed to {owner} contain NaN; find where the model produced it (or drop those rows) "
            "first: a NaN score has no adjusted value."
        )


def _numpy(values: Any) -> np.ndarray:
    arr = as_numpy(values)
    _real(arr, "scores", "ThresholdTuner")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise InvalidInputError("scores passed to ThresholdTuner contain NaN or infinity.")
    return arr


def _encode(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Position of each label of ``y`` in ``classes`` (any order; every label is in it)."""
    order = np.argsort(classes, kind="stable")
    return order[np.searchsorted(classes[order], y)].astype(np.int64)


def _binary_values(name: str, y_idx: np.ndarray, s: np.ndarray, thresholds: np.ndarray) -> list:
    """Metric ``name`` of the rule ``score >= t`` for every threshold, from the confusion counts
    (the positives and negatives scoring at least ``t``, by binary search in the sorted scores)."""
    pos = np.sort(s[y_idx == 1])
    neg = np.sort(s[y_idx == 0])
    tp = len(pos) - np.searchsorted(pos, thresholds, side="left")
    fp = len(neg) - np.searchsorted(neg, thresholds, side="left")
    conf = np.empty((len(thresholds), 2, 2))
    conf[:, 1, 1], conf[:, 1, 0] = tp, len(pos) - tp
    conf[:, 0, 1], conf[:, 0, 0] = fp, len(neg) - fp
    return metrics_from_confusion(conf, [name])[name].tolist()


def _label_values(name: str, y_idx: np.ndarray, pred: np.ndarray, n_classes: int) -> list:
    """Metric ``name`` of each row of predicted class indices ``pred`` (T, n)."""
    t = len(pred)
    cells = np.arange(t)[:, None] * n_classes + pred
    predicted = np.bincount(cells.ravel(), minlength=t * n_classes).reshape(t, n_classes)
    tp = np.bincount(cells[pred == y_idx], minlength=t * n_classes).reshape(t, n_classes)
    support = np.broadcast_to(np.bincount(y_idx, minlength=n_classes), (t, n_classes))
    return metrics_from_counts(tp, support, predicted, [name])[name].tolist()


def _offset_values(
    name: str,
    y_idx: np.ndarray,
    col: np.ndarray,
    rest: np.ndarray,
    best_other: np.ndarray,
    c: int,
    mids: np.ndarray,
) -> list:
    """Metric ``name`` of ``argmax(logp + offsets)`` with offset ``b`` for class ``c``, for every
    ``b`` in ``mids`` (ascending), from per-class counts. ``col`` is ``logp[:, c]``, ``rest`` is
    ``logp + offsets`` with column ``c`` at -inf and ``best_other`` its row maxima.

    ``argmax`` takes the first of tied columns, so class ``c`` wins a row when its shifted
    score ``logp[:, c] + b`` (the same floating-point sum) beats the best other column, or ties
    it and comes before that column; otherwise the row keeps that best other column. The sum
    is non-decreasing in ``b``, so each row has a first candidate from which ``c`` wins, found
    by a binary search over the candidates; the counts (correct, predicted, true per class) of
    candidate ``j`` are those of no row moving to ``c`` plus the rows whose first winning
    candidate is at most ``j``: ``O(n log T + T C)`` for ``T`` candidates and ``C`` classes.
    """
    n_classes = rest.shape[1]
    arg = rest.argmax(axis=1)  # the first best other column
    first = c < arg
    t = len(mids)
    lo, hi = np.zeros(len(col), dtype=np.int64), np.full(len(col), t, dtype=np.int64)
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        value = col + mids[np.minimum(mid, t - 1)]  # as (logp + trial)[:, c]
        wins = (value > best_other) | ((value == best_other) & first)
        hi = np.where(open_ & wins, mid, hi)
        lo = np.where(open_ & ~wins, mid + 1, lo)
    # lo: the first candidate at which the row predicts c (t: none). The per-class counts of
    # candidate j: every row at its best other column, plus the rows with lo <= j moved to c.
    moved = lo < t
    at, y_m, arg_m = lo[moved] * n_classes, y_idx[moved], arg[moved]

    def cumulative(plus: np.ndarray, minus: np.ndarray) -> np.ndarray:
        size = t * n_classes
        step = np.bincount(plus, minlength=size) - np.bincount(minus, minlength=size)
        return np.cumsum(step.reshape(t, n_classes), axis=0)

    predicted = np.bincount(arg, minlength=n_classes) + cumulative(at + c, at + arg_m)
    hit_c, hit_arg = y_m == c, y_m == arg_m
    tp = np.bincount(arg[arg == y_idx], minlength=n_classes) + cumulative(
        at[hit_c] + c, at[hit_arg] + arg_m[hit_arg]
    )
    support = np.broadcast_to(np.bincount(y_idx, minlength=n_classes), (t, n_classes))
    return metrics_from_counts(tp, support, predicted, [name])[name].tolist()


def _check_rows(scores: np.ndarray, n: int) -> None:
    if scores.shape[0] != n:
        raise InvalidInputError(
            f"scores passed to ThresholdTuner have {scores.shape[0]} rows but y_true has {n} labels."
        )
