r"""Undo the prior shift that rebalancing causes, in closed form.

A model trained where class :math:`c` has prior :math:`\pi'_c` (after resampling, re-weighting
or a balanced sampler) but deployed where it has prior :math:`\pi_c` estimates
:math:`p'(c \mid x) \propto p(x \mid c)\,\pi'_c`. When only the prior changed (random over- or
under-sampling, class weights, class-balanced samplers: :math:`p(x \mid c)` is untouched), Bayes'
rule gives the deployment posterior exactly (Saerens, Latinne & Decaestecker 2002, eq. 2.4):

.. math:: p(c \mid x) = \frac{p'(c \mid x)\, \pi_c / \pi'_c}{\sum_k p'(k \mid x)\, \pi_k / \pi'_k}.

In logit space this adds :math:`\log \pi_c - \log \pi'_c` to each logit: post-hoc logit
adjustment (:func:`equipoise.posthoc.logit_adjust`) with prior :math:`\pi' / \pi` and
:math:`\tau = 1`, which is the one implementation both modules use. For two classes with the
majority (class 0) under-sampled at rate :math:`\beta` it reduces to Dal Pozzolo et al. (2015):
:math:`p = \beta p_s / ((\beta - 1) p_s + 1)`.
"""

from __future__ import annotations

import math
from functools import singledispatch
from typing import Any

import numpy as np

from .._types import ArrayLike
from .._validation import Interval, as_numpy, is_torch_tensor, validate_call
from ..exceptions import InvalidInputError, InvalidParameterError, NotFittedError

__all__ = [
    "check_prior",
    "prior_from_counts",
    "prior_from_class_weights",
    "correct_logits",
    "correct_proba",
    "correct_undersampling",
    "induced_prior",
]

_SUM_TOL = 1e-6


def check_prior(
    prior: Any, n_classes: int | None = None, *, name: str = "prior", owner: str = "check_prior"
) -> np.ndarray:
    """A class prior as a float64 vector, or a clear error.

    A prior must be 1-D, finite, positive for every class (a zero prior makes the correction
    divide by zero, or wipes a class out) and sum to one (within 1e-6).

    Parameters
    ----------
    prior : array-like of shape (n_classes,)
        Probabilities (numpy, list, torch tensor). Counts are refused: use :func:`prior_from_counts`.
    n_classes : int, optional
        The number of classes it must describe.
    name, owner : str
        For the error message.

    Returns
    -------
    numpy.ndarray of float64
    """
    arr = as_numpy(prior).astype(np.float64).ravel() if prior is not None else None
    if arr is None or arr.size == 0:
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must be a vector of class probabilities; got {prior!r}."
        )
    if n_classes is not None and arr.size != n_classes:
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must have one entry per class ({n_classes}); got "
            f"{arr.size} entries {arr.tolist()}."
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must be finite; got {arr.tolist()}."
        )
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must be positive for every class; class index(es) "
            f"{bad.tolist()} have {arr[bad].tolist()}. A class with prior 0 cannot be corrected: "
            "drop it, or give it a small positive prior."
        )
    total = float(arr.sum())
    if abs(total - 1.0) > _SUM_TOL:
        raise InvalidParameterError(
            f"The '{name}' parameter of {owner} must sum to one; got {arr.tolist()} (sum {total:.6g}). "
            "Pass probabilities: prior_from_counts(counts) turns class counts into a prior."
        )
    return arr


def prior_from_counts(counts: ArrayLike) -> np.ndarray:
    """Class counts -> class prior ``counts / counts.sum()`` (every count must be > 0).

    Examples
    --------
    >>> prior_from_counts([90, 10])
    array([0.9, 0.1])
    """
    arr = as_numpy(counts).astype(np.float64).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InvalidParameterError(
            f"The 'counts' parameter of prior_from_counts must be positive finite counts, one per "
            f"class; got {arr.tolist()}. A class with no sample has no prior to correct."
        )
    return arr / arr.sum()


def prior_from_class_weights(weights: ArrayLike, prior: ArrayLike) -> np.ndarray:
    r"""The prior a class-weighted loss trains for: :math:`\pi'_c \propto \pi_c w_c`.

    Weighting the loss of every sample of class :math:`c` by :math:`w_c` turns the empirical
    risk :math:`\sum_c w_c n_c\, \mathbb{E}[\ell \mid y = c]` into the risk of data in which class
    :math:`c` has :math:`w_c n_c` samples (Elkan 2001, Theorem 1: re-weighting is re-sampling
    in expectation). A proper loss (cross-entropy) then estimates the posterior under the prior
    :math:`\pi_c w_c / \sum_k \pi_k w_k`. 'Balanced' weights :math:`n / (k n_c)` give the
    uniform prior.

    Parameters
    ----------
    weights : array-like of shape (n_classes,)
        Positive per-class weights (any scale).
    prior : array-like of shape (n_classes,)
        The class prior of the (unweighted) training data.

    References
    ----------
    .. [1] Elkan, C. (2001). The foundations of cost-sensitive learning. IJCAI.

    Examples
    --------
    >>> prior_from_class_weights([1.0, 9.0], [0.9, 0.1])
    array([0.5, 0.5])
    """
    pi = check_prior(prior, name="prior", owner="prior_from_class_weights")
    w = as_numpy(weights).astype(np.float64).ravel()
    if w.size != pi.size or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise InvalidParameterError(
            f"The 'weights' parameter of prior_from_class_weights must be {pi.size} positive finite "
            f"weights, one per class; got {w.tolist()}."
        )
    out = pi * w
    return out / out.sum()


def correct_logits(logits: ArrayLike, *, train_prior: ArrayLike, target_prior: ArrayLike) -> Any:
    r"""Move logits from the training prior to the target prior: :math:`z_c + \log \pi_c - \log \pi'_c`.

    The softmax of the result is :math:`p(c \mid x)` under ``target_prior`` when the model's
    softmax was :math:`p'(c \mid x)` under ``train_prior`` (Saerens et al. 2002). Computed by
    :func:`equipoise.posthoc.logit_adjust` with prior :math:`\pi' / \pi` and :math:`\tau = 1`.

    Parameters
    ----------
    logits : numpy.ndarray or torch.Tensor of shape (..., n_classes)
    train_prior : array-like of shape (n_classes,)
        The prior the model's probabilities reflect (:func:`induced_prior` gives it).
    target_prior : array-like of shape (n_classes,)
        The prior to move to (the true training prior, or a deployment prior).

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Same kind, shape, device and floating dtype as ``logits`` (differentiable for tensors).

    Examples
    --------
    >>> import numpy as np
    >>> correct_logits(np.array([[0.0, 0.0]]), train_prior=[0.5, 0.5], target_prior=[0.8, 0.2]).round(4)
    array([[ 0.47  , -0.9163]])
    """
    from ..posthoc import logit_adjust

    owner = "correct_logits"
    shape = tuple(logits.shape) if is_torch_tensor(logits) else np.shape(logits)
    if len(shape) == 0:
        raise InvalidInputError(
            f"logits passed to {owner} must have a class dimension; got a scalar."
        )
    n_classes = shape[-1]
    source = check_prior(train_prior, n_classes, name="train_prior", owner=owner)
    target = check_prior(target_prior, n_classes, name="target_prior", owner=owner)
    # logit_adjust subtracts log(ratio / sum(ratio)); the constant is a softmax-invariant shift
    ratio = source / target
    shifted = logit_adjust(logits, ratio / ratio.sum(), tau=1.0)
    const = math.log(ratio.sum())
    if is_torch_tensor(shifted):
        return shifted - const
    return shifted - np.asarray(const, dtype=shifted.dtype)


def _check_proba(proba: Any, owner: str) -> tuple[Any, bool]:
    """Validate probabilities; returns them 2-D (binary 1-D input gets the ``1 - p`` column)."""
    if is_torch_tensor(proba):
        import torch

        p = proba if proba.is_floating_point() else proba.double()
        values = p.detach()
        if (
            not bool(torch.isfinite(values).all())
            or bool((values < 0).any())
            or bool((values > 1).any())
        ):
            raise InvalidInputError(
                f"proba passed to {owner} must be probabilities in [0, 1]; got values outside it "
                "(pass logits to correct_logits instead)."
            )
        one_d = p.ndim == 1
        if one_d:
            p = torch.stack([1 - p, p], dim=-1)
        if not one_d and not torch.allclose(
            values.sum(-1), torch.ones((), dtype=values.dtype, device=values.device), atol=1e-4
        ):
            raise InvalidInputError(f"proba passed to {owner} must have rows summing to one.")
        return p, one_d
    p = np.asarray(proba)
    if p.dtype.kind not in "f":
        p = p.astype(np.float64)
    if p.ndim == 0 or p.size == 0:
        raise InvalidInputError(
            f"proba passed to {owner} must be an (n_samples, n_classes) array; got shape {p.shape}."
        )
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise InvalidInputError(
            f"proba passed to {owner} must be probabilities in [0, 1]; got values in "
            f"[{np.nanmin(p):.4g}, {np.nanmax(p):.4g}]. Pass logits to correct_logits instead."
        )
    one_d = p.ndim == 1
    if one_d:
        p = np.stack([1 - p, p], axis=-1)
    elif not np.allclose(p.sum(axis=-1), 1.0, atol=1e-4):
        raise InvalidInputError(
            f"proba passed to {owner} must have rows summing to one (one column per class); row sums "
            f"range over [{p.sum(axis=-1).min():.4g}, {p.sum(axis=-1).max():.4g}]."
        )
    return p, one_d


def correct_proba(proba: ArrayLike, *, train_prior: ArrayLike, target_prior: ArrayLike) -> Any:
    r"""Move class probabilities from the training prior to the target prior (Saerens et al. 2002).

    .. math:: p(c \mid x) = \frac{p'(c \mid x)\, \pi_c / \pi'_c}{\sum_k p'(k \mid x)\, \pi_k / \pi'_k}

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes), or (n_samples,) for two classes
        Probabilities of the model (rows sum to one); a 1-D array is the probability of class 1.
    train_prior : array-like of shape (n_classes,)
        :math:`\pi'`, the prior the probabilities reflect (:func:`induced_prior`).
    target_prior : array-like of shape (n_classes,)
        :math:`\pi`, the prior to move to.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Same shape and kind as ``proba``. The correction is monotone in each class's odds, so
        for two classes ROC-AUC is unchanged.

    References
    ----------
    .. [1] Saerens, M., Latinne, P. & Decaestecker, C. (2002). Adjusting the outputs of a
       classifier to new a priori probabilities: a simple procedure. Neural Computation 14(1).

    Examples
    --------
    >>> import numpy as np
    >>> correct_proba(np.array([[0.5, 0.5]]), train_prior=[0.5, 0.5], target_prior=[0.9, 0.1])
    array([[0.9, 0.1]])
    """
    owner = "correct_proba"
    p, one_d = _check_proba(proba, owner)
    if is_torch_tensor(p):
        import torch

        out = torch.softmax(
            correct_logits(torch.log(p), train_prior=train_prior, target_prior=target_prior), dim=-1
        )
        return out[..., 1] if one_d else out
    with np.errstate(divide="ignore"):
        log_p = np.log(p)
    z = correct_logits(log_p, train_prior=train_prior, target_prior=target_prior)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out = e / e.sum(axis=-1, keepdims=True)
    return out[..., 1] if one_d else out


@validate_call(
    {"beta": [Interval(float, 0, None, closed="neither", description="a finite float > 0")]}
)
def correct_undersampling(proba: ArrayLike, beta: float) -> Any:
    r"""Dal Pozzolo et al. (2015): undo under-sampling of the majority class 0 at rate ``beta``.

    .. math:: p = \frac{\beta\, p_s}{(\beta - 1)\, p_s + 1}

    where :math:`p_s` is the minority (class 1) probability of the model trained on the
    under-sampled data and :math:`\beta = P(\text{kept} \mid y = 0)`. Over-sampling the minority
    ``k``-fold is the same shift with :math:`\beta = 1 / k`. This is :func:`correct_proba` with
    :math:`\pi' / \pi \propto (\beta, 1)` (the same code).

    Parameters
    ----------
    proba : array-like of shape (n_samples,)
        Probability of class 1 (the minority).
    beta : float > 0
        The majority's sampling rate, e.g. ``n_minority / n_majority`` for a balanced under-sample.

    References
    ----------
    .. [1] Dal Pozzolo, A., Caelen, O., Johnson, R. A. & Bontempi, G. (2015). Calibrating
       probability with undersampling for unbalanced classification. IEEE SSCI.

    Examples
    --------
    >>> import numpy as np
    >>> correct_undersampling(np.array([0.5]), beta=0.1).round(4)  # 0.05 / (-0.45 + 1)
    array([0.0909])
    """
    p = proba if is_torch_tensor(proba) else np.asarray(proba)
    if p.ndim != 1:
        raise InvalidInputError(
            f"proba passed to correct_undersampling must be the 1-D probability of class 1; got shape {tuple(p.shape)}."
        )
    train = np.array([beta, 1.0]) / (1.0 + beta)
    return correct_proba(p, train_prior=train, target_prior=[0.5, 0.5])


# --------------------------------------------------------------------------------------------
# The prior a resampler, sampler, loss or weighted estimator makes the model learn
# --------------------------------------------------------------------------------------------


@singledispatch
def induced_prior(
    obj: Any, y: ArrayLike | None = None, *, prior: ArrayLike | None = None
) -> np.ndarray:
    r"""The class prior a model trained through ``obj`` learns (in sorted class order).

    Rules (one per type, registered with ``induced_prior.register``):

    - **labels** (an array of the labels the model trained on, e.g. a resampler's output
      ``y_res``): their class frequencies;
    - **fitted resampler** of :mod:`equipoise.resample` with the labels ``y`` it was fitted on:
      the class frequencies of its output, from ``sample_indices_`` (row selectors) or
      ``sampling_strategy_`` (over-samplers: original counts plus the samples generated);
    - **class-level samplers** of :mod:`equipoise.samplers` (``class_probabilities()``): the
      probability of drawing each class, :math:`\propto n_c^{1-q}`;
    - **losses**: :class:`~equipoise.losses.BalancedSoftmaxLoss` and
      :class:`~equipoise.losses.LogitAdjustedLoss` train :math:`\mathrm{softmax}(z + \tau\log\pi)`
      to be the posterior, so the raw logits estimate
      :math:`\mathrm{softmax}(z)_c \propto p(x \mid c)\, q_c\, \pi_c^{-\tau}` (Menon et al. 2021,
      Ren et al. 2020) with :math:`q` the prior of the data the loss sees (``prior=``; default
      the loss's own :math:`\pi`): the prior :math:`\propto \pi^{1-\tau}`, uniform at
      :math:`\tau = 1`;
      :class:`~equipoise.losses.CrossEntropyLoss` with class weights :math:`w` and the
      training ``prior``: :func:`prior_from_class_weights`;
    - **scikit-learn estimators** with a ``class_weight`` parameter and the training labels
      ``y``: :func:`prior_from_class_weights` of
      :func:`sklearn.utils.class_weight.compute_class_weight`.

    Focal, LDAM and class-balanced focal losses change the loss shape, not just the class
    weights: they imply no closed-form prior, and this function refuses them (calibrate on
    held-out data instead: :class:`~equipoise.calibration.TemperatureScaling`).

    Parameters
    ----------
    obj : labels, resampler, sampler, loss or estimator
    y : array-like, optional
        The original training labels (resamplers, estimators).
    prior : array-like, optional
        The training prior (weighted cross-entropy; other losses carry their own).

    Returns
    -------
    numpy.ndarray of float64, summing to one

    Examples
    --------
    >>> from equipoise.resample import RandomOverSampler
    >>> y = [0] * 90 + [1] * 10
    >>> ros = RandomOverSampler(random_state=0)
    >>> _ = ros.fit_resample([[i] for i in range(100)], y)
    >>> induced_prior(ros, y)
    array([0.5, 0.5])
    """
    if _register_torch_rules():
        return induced_prior(obj, y, prior=prior)
    if (
        isinstance(obj, (list, tuple, np.ndarray))
        or is_torch_tensor(obj)
        or hasattr(obj, "to_numpy")
    ):
        labels = as_numpy(obj).ravel()
        if labels.size == 0:
            raise InvalidInputError(
                "induced_prior got no labels; pass the labels the model trained on."
            )
        _, counts = np.unique(labels, return_counts=True)
        return counts / counts.sum()
    raise InvalidParameterError(
        f"induced_prior does not know which prior a {type(obj).__name__} induces. It knows labels, "
        "fitted equipoise resamplers, class-level samplers, balanced-softmax / logit-adjusted / "
        "weighted cross-entropy losses and scikit-learn estimators with class_weight. Pass the "
        "labels the model trained on, or calibrate on held-out data (TemperatureScaling)."
    )


def _labels_and_counts(y: Any, owner: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if y is None:
        raise InvalidInputError(f"induced_prior of a {owner} needs y, the labels it was fitted on.")
    y_arr = as_numpy(y).ravel()
    classes, encoded, counts = np.unique(y_arr, return_inverse=True, return_counts=True)
    return classes, encoded, counts


def _register_resampler() -> None:
    from ..resample._base import BaseResampler

    @induced_prior.register(BaseResampler)
    def _(obj: Any, y: ArrayLike | None = None, *, prior: ArrayLike | None = None) -> np.ndarray:
        name = type(obj).__name__
        if not hasattr(obj, "sampling_strategy_"):
            raise NotFittedError(
                f"This {name} is not fitted yet; call fit_resample(X, y) before induced_prior."
            )
        classes, encoded, counts = _labels_and_counts(y, name)
        if hasattr(obj, "sample_indices_"):
            idx = np.asarray(obj.sample_indices_)
            if idx.size and idx.max() >= len(encoded):
                raise InvalidInputError(
                    f"y passed to induced_prior has {len(encoded)} labels but {name} was fitted on more rows."
                )
            out = np.bincount(encoded[idx], minlength=len(classes)).astype(np.float64)
        elif obj._sampling_type == "over-sampling":
            lookup = {
                c.item() if isinstance(c, np.generic) else c: i for i, c in enumerate(classes)
            }
            out = counts.astype(np.float64)
            for label, n in obj.sampling_strategy_.items():
                out[lookup[label]] += n
        else:
            raise InvalidParameterError(
                f"induced_prior cannot tell the output counts of {name} from its fitted state; pass "
                "the resampled labels instead: induced_prior(y_res)."
            )
        if np.any(out <= 0):
            raise InvalidInputError(
                f"{name} left a class with no sample; its prior is 0 and cannot be corrected."
            )
        return out / out.sum()


def _register_samplers() -> None:
    from ..samplers import ClassBalancedSampler, DistributedClassBalancedSampler

    def _from_sampler(
        obj: Any, y: ArrayLike | None = None, *, prior: ArrayLike | None = None
    ) -> np.ndarray:
        probs = obj.class_probabilities()
        return np.asarray(
            probs.detach().cpu().numpy() if is_torch_tensor(probs) else probs, dtype=np.float64
        )

    induced_prior.register(ClassBalancedSampler)(_from_sampler)
    induced_prior.register(DistributedClassBalancedSampler)(_from_sampler)


def _register_losses() -> None:
    from ..losses import CrossEntropyLoss
    from ..losses._prior import _PriorLoss

    @induced_prior.register(_PriorLoss)
    def _(obj: Any, y: ArrayLike | None = None, *, prior: ArrayLike | None = None) -> np.ndarray:
        pi = obj.prior.detach().cpu().double().numpy()
        data = (
            pi
            if prior is None
            else check_prior(prior, len(pi), name="prior", owner="induced_prior")
        )
        out = data * pi ** (-float(obj._tau))
        return out / out.sum()

    @induced_prior.register(CrossEntropyLoss)
    def _(obj: Any, y: ArrayLike | None = None, *, prior: ArrayLike | None = None) -> np.ndarray:
        if prior is None:
            raise InvalidInputError(
                "induced_prior of a CrossEntropyLoss needs prior=, the class prior of its training data."
            )
        if obj.weight is None:
            return check_prior(prior, name="prior", owner="induced_prior")
        return prior_from_class_weights(obj.weight.detach().cpu().double().numpy(), prior)


def _register_estimators() -> None:
    from sklearn.base import BaseEstimator

    @induced_prior.register(BaseEstimator)
    def _(obj: Any, y: ArrayLike | None = None, *, prior: ArrayLike | None = None) -> np.ndarray:
        from sklearn.utils.class_weight import compute_class_weight

        params = obj.get_params(deep=False)
        if "class_weight" not in params:
            raise InvalidParameterError(
                f"induced_prior does not know which prior a {type(obj).__name__} induces (it has no "
                "class_weight parameter); pass the labels the model trained on."
            )
        classes, _, counts = _labels_and_counts(y, type(obj).__name__)
        pi = counts / counts.sum()
        if params["class_weight"] is None:
            return pi
        weights = compute_class_weight(
            params["class_weight"], classes=classes, y=as_numpy(y).ravel()
        )
        return prior_from_class_weights(weights, pi)


_TORCH_RULES = False


def _register_torch_rules() -> bool:
    """Register the loss and sampler rules once torch is loaded (a torch object cannot exist
    before); True when they were registered by this call (dispatch again)."""
    global _TORCH_RULES
    import sys

    if _TORCH_RULES or "torch" not in sys.modules:
        return False
    _TORCH_RULES = True
    _register_losses()
    _register_samplers()
    return True


_register_estimators()
_register_resampler()
