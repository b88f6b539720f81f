"""Per-class and per-sample weights for imbalanced classification.

Every scheme turns the class counts :math:`n_1, \\dots, n_k` (with :math:`n = \\sum_c n_c`) into one
weight per class. The schemes live in the :data:`WEIGHT_SCHEMES` registry:

============================  ================================================================
``'balanced'``                :math:`w_c = n / (k\\, n_c)` (scikit-learn's ``'balanced'``)
``'inverse'``                 :math:`w_c = 1 / n_c` (inverse frequency; King & Zeng 2001 [1]_)
``'sqrt_inverse'``            :math:`w_c = 1 / \\sqrt{n_c}`
``'effective_number'``        :math:`w_c = (1 - \\beta) / (1 - \\beta^{n_c})` (Cui et al. 2019 [2]_)
``'median_frequency'``        :math:`w_c = \\operatorname{median}_j(f_j) / f_c`, :math:`f_c = n_c / n`
                              (Eigen & Fergus 2015 [3]_)
============================  ================================================================

The raw weights can then be rescaled (``normalize``): ``'classes'`` makes them average 1 over the
classes (:math:`\\sum_c w_c = k`, how Cui et al. normalise), ``'samples'`` makes them average 1 over
the training samples (:math:`\\sum_c n_c w_c = n`, so the loss keeps its unweighted scale).

References
----------
.. [1] G. King and L. Zeng, "Logistic Regression in Rare Events Data", Political Analysis 9(2), 2001.
.. [2] Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced Loss Based on Effective
   Number of Samples", CVPR 2019.
.. [3] D. Eigen and R. Fergus, "Predicting Depth, Surface Normals and Semantic Labels with a Common
   Multi-Scale Convolutional Architecture", ICCV 2015.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._regression_weights import (
    dense_weights,
    kde_density,
    lds_density,
    lds_kernel_window,
    lds_weights,
)
from ._types import ArrayLike
from ._validation import (
    Interval,
    Options,
    _py,
    check_target,
    is_torch_tensor,
    to_numpy_container,
    validate_params,
)
from .exceptions import InvalidInputError, InvalidParameterError
from .registry import Registry

__all__ = [
    "WEIGHT_SCHEMES",
    "WeightScheme",
    "class_weights",
    "resolve_counts",
    "sample_weights",
    "lds_weights",
    "lds_density",
    "lds_kernel_window",
    "dense_weights",
    "kde_density",
]

Normalize = Literal["classes", "samples"] | None
Output = Literal["array", "tensor", "dict"]


# --------------------------------------------------------------------------------------------
# Schemes (registry)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightScheme:
    """One way to turn class counts into class weights.

    Attributes
    ----------
    name : str
        Registry name.
    compute : callable
        ``compute(counts, beta=...) -> weights``; ``counts`` is a positive float64 array.
        Schemes other than ``'effective_number'`` ignore ``beta``.
    formula : str
        The formula, for docs and ``repr``.
    reference : str
        Where it comes from.
    """

    name: str
    compute: Callable[..., np.ndarray]
    formula: str
    reference: str

    def __call__(self, counts: np.ndarray, *, beta: float = 0.9999) -> np.ndarray:
        return self.compute(counts, beta=beta)


WEIGHT_SCHEMES: Registry[WeightScheme] = Registry("weight scheme")
"""Registry of class-weight schemes: ``WEIGHT_SCHEMES.names()`` lists them."""


def _register(
    name: str, formula: str, reference: str
) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    def deco(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        WEIGHT_SCHEMES.register(name, WeightScheme(name, fn, formula, reference))
        return fn

    return deco


@_register(
    "balanced", "n / (k * n_c)", "scikit-learn compute_class_weight('balanced'); King & Zeng 2001"
)
def _balanced(counts: np.ndarray, *, beta: float = 0.9999) -> np.ndarray:
    return counts.sum() / (len(counts) * counts)


@_register("inverse", "1 / n_c", "inverse class frequency; King & Zeng 2001")
def _inverse(counts: np.ndarray, *, beta: float = 0.9999) -> np.ndarray:
    return 1.0 / counts


@_register("sqrt_inverse", "1 / sqrt(n_c)", "square-root inverse frequency (Mahajan et al. 2018)")
def _sqrt_inverse(counts: np.ndarray, *, beta: float = 0.9999) -> np.ndarray:
    return 1.0 / np.sqrt(counts)


@_register(
    "effective_number",
    "(1 - beta) / (1 - beta ** n_c)",
    "Cui et al., Class-Balanced Loss Based on Effective Number of Samples, CVPR 2019",
)
def _effective_number(counts: np.ndarray, *, beta: float = 0.9999) -> np.ndarray:
    # 1 - beta**n computed as -expm1(n * log(beta)): accurate when beta is close to 1.
    with np.errstate(divide="ignore"):
        log_beta = np.log(beta)  # -inf for beta == 0, which gives 1 - 0**n = 1
    effective = -np.expm1(counts * log_beta)
    return (1.0 - beta) / effective


@_register(
    "median_frequency",
    "median(f) / f_c with f_c = n_c / n",
    "Eigen & Fergus, ICCV 2015 (median frequency balancing)",
)
def _median_frequency(counts: np.ndarray, *, beta: float = 0.9999) -> np.ndarray:
    freq = counts / counts.sum()
    return np.median(freq) / freq


# --------------------------------------------------------------------------------------------
# Normalisation and output (tables, not if-chains)
# --------------------------------------------------------------------------------------------


def _norm_none(w: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return w


def _norm_classes(w: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return w * (len(w) / w.sum())


def _norm_samples(w: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return w * (counts.sum() / np.dot(counts, w))


_NORMALIZERS: dict[Any, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    None: _norm_none,
    "classes": _norm_classes,
    "samples": _norm_samples,
}


def _out_array(w: np.ndarray, labels: list[Any]) -> np.ndarray:
    return w


def _out_tensor(w: np.ndarray, labels: list[Any]) -> Any:
    import torch

    return torch.as_tensor(w, dtype=torch.float32)


def _out_dict(w: np.ndarray, labels: list[Any]) -> dict[Any, float]:
    return {_py(label): float(v) for label, v in zip(labels, w)}


_OUTPUTS: dict[str, Callable[[np.ndarray, list[Any]], Any]] = {
    "array": _out_array,
    "tensor": _out_tensor,
    "dict": _out_dict,
}

_CONSTRAINTS: dict[str, list[Any]] = {
    "beta": [Interval(float, 0.0, 1.0, closed="left")],
    "normalize": [None, Options(("classes", "samples"))],
    "output": [Options(("array", "tensor", "dict"))],
    "scheme": [str],
}


# --------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------


def _counts_from_labels(y: ArrayLike, owner: str) -> tuple[list[Any], np.ndarray]:
    _, classes, y_encoded = check_target(y, owner=owner, min_classes=1)
    counts = np.bincount(y_encoded, minlength=len(classes)).astype(np.float64)
    return [_py(c) for c in classes], counts


def _check_count_values(values: np.ndarray, owner: str) -> np.ndarray:
    if values.dtype.kind == "b" or values.dtype.kind not in "iuf":
        raise InvalidInputError(
            f"The class counts given to {owner} must be numbers; got dtype {values.dtype}."
        )
    if values.ndim != 1:
        raise InvalidInputError(
            f"The class counts given to {owner} must be 1-D (one count per class, in class order); "
            f"got shape {tuple(values.shape)}."
        )
    if values.size == 0:
        raise InvalidInputError(
            f"The class counts given to {owner} are empty; give one count per class."
        )
    values = values.astype(np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InvalidInputError(
            f"The class counts given to {owner} must be finite and non-negative; "
            f"got {values.tolist()}."
        )
    return values


def resolve_counts(
    y: ArrayLike | None = None,
    counts: ArrayLike | Mapping[Any, Any] | None = None,
    *,
    owner: str = "class_weights",
    positive: bool = True,
) -> tuple[list[Any], np.ndarray]:
    """Turn labels ``y`` or per-class ``counts`` into ``(labels, counts)``.

    Shared by :func:`class_weights`, :func:`sample_weights` and ``equipoise.losses`` so class
    counts are read in one place.

    Parameters
    ----------
    y : array-like of shape (n_samples,), optional
        Class labels. Exactly one of ``y`` and ``counts`` must be given.
    counts : array-like, torch tensor or mapping, optional
        Per-class counts in class order (labels are then ``0 .. k-1``), or ``{label: count}``
        (labels are sorted).
    owner : str, default='class_weights'
        Name used in error messages.
    positive : bool, default=True
        Raise when a class has a count of 0 (every weight scheme divides by the counts).

    Returns
    -------
    labels : list
        Class labels as Python scalars, in sorted order.
    counts : numpy.ndarray of float64
        ``counts[i]`` is the number of samples of ``labels[i]``.
    """
    if (y is None) == (counts is None):
        given = "both" if y is not None else "neither"
        raise InvalidParameterError(
            f"{owner} needs exactly one of 'y' (the labels) and 'counts' (one count per class); "
            f"got {given}."
        )
    if y is not None:
        labels, values = _counts_from_labels(y, owner)
    elif isinstance(counts, Mapping):
        try:
            labels = sorted(counts)
        except TypeError as exc:
            raise InvalidInputError(
                f"The labels (keys) of the counts given to {owner} cannot be sorted ({exc}); "
                "use labels of one kind (all ints or all strings)."
            ) from None
        values = _check_count_values(np.asarray([counts[k] for k in labels]), owner)
        labels = [_py(k) for k in labels]
    else:
        assert counts is not None  # exactly one of y and counts was given (checked above)
        array = (
            counts.detach().cpu().numpy()
            if is_torch_tensor(counts)
            else to_numpy_container(counts)[0]
        )
        values = _check_count_values(np.asarray(array), owner)
        labels = list(range(len(values)))
    if positive and np.any(values == 0):
        empty = [labels[i] for i in np.flatnonzero(values == 0)]
        raise InvalidInputError(
            f"{owner} divides by the class counts, but class(es) {empty} have a count of 0. "
            "Drop the empty classes, or give them a count of at least 1."
        )
    return labels, values


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def _weights(counts: np.ndarray, scheme: str, beta: float, normalize: Normalize) -> np.ndarray:
    weights = WEIGHT_SCHEMES.get(scheme)(counts, beta=beta)
    return _NORMALIZERS[normalize](weights, counts)


def class_weights(
    y: ArrayLike | None = None,
    *,
    counts: ArrayLike | Mapping[Any, Any] | None = None,
    scheme: str = "balanced",
    beta: float = 0.9999,
    normalize: Normalize = None,
    output: Output = "array",
) -> Any:
    r"""One weight per class, from the labels or the class counts.

    Parameters
    ----------
    y : array-like of shape (n_samples,), optional
        Class labels (numpy, list, pandas, torch). Give either ``y`` or ``counts``.
    counts : array-like, torch tensor or mapping, optional
        Number of samples per class, in class order (``[900, 100]``), or ``{label: count}``.
    scheme : str, default='balanced'
        A name in :data:`WEIGHT_SCHEMES`:

        - ``'balanced'``: :math:`w_c = n / (k\, n_c)`, scikit-learn's definition.
        - ``'inverse'``: :math:`w_c = 1 / n_c` (King & Zeng 2001).
        - ``'sqrt_inverse'``: :math:`w_c = 1/\sqrt{n_c}`.
        - ``'effective_number'``: :math:`w_c = (1-\beta)/(1-\beta^{n_c})` (Cui et al. 2019).
        - ``'median_frequency'``: :math:`w_c = \mathrm{median}(f)/f_c`, :math:`f_c = n_c/n`
          (Eigen & Fergus 2015 [3]_).
    beta : float in [0, 1), default=0.9999
        Only for ``'effective_number'``. ``beta=0`` gives equal weights; ``beta -> 1`` tends to
        inverse frequency. Cui et al. use 0.9, 0.99, 0.999 or 0.9999.
    normalize : {None, 'classes', 'samples'}, default=None
        ``None`` keeps the scheme's raw values; ``'classes'`` rescales so the weights average 1
        over classes (:math:`\sum_c w_c = k`, as Cui et al. do); ``'samples'`` rescales so the
        weights average 1 over the training samples (:math:`\sum_c n_c w_c = n`).
    output : {'array', 'tensor', 'dict'}, default='array'
        A float64 numpy array in sorted-label order, a float32 ``torch.Tensor`` (for
        ``torch.nn.CrossEntropyLoss(weight=...)``) or ``{label: weight}`` with Python scalar
        keys and values (usable as Keras' ``class_weight``).

    Returns
    -------
    numpy.ndarray, torch.Tensor or dict
        The class weights.

    Raises
    ------
    InvalidParameterError
        Both or neither of ``y`` and ``counts``; a parameter out of range.
    InvalidInputError
        Negative or non-finite counts, or a class with a count of 0.
    UnknownNameError
        An unknown ``scheme``.

    References
    ----------
    .. [1] G. King and L. Zeng, "Logistic Regression in Rare Events Data", Political Analysis, 2001.
    .. [2] Y. Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019.
    .. [3] D. Eigen and R. Fergus, "Predicting Depth, Surface Normals and Semantic Labels with a
       Common Multi-Scale Convolutional Architecture", ICCV 2015.

    Examples
    --------
    >>> from equipoise.weights import class_weights
    >>> class_weights(["a", "a", "a", "b"], output="dict")
    {'a': 0.6666666666666666, 'b': 2.0}
    >>> class_weights(counts=[900, 100], scheme="inverse", normalize="classes").round(2)
    array([0.2, 1.8])
    """
    validate_params(
        "class_weights",
        {"beta": beta, "normalize": normalize, "output": output, "scheme": scheme},
        _CONSTRAINTS,
    )
    labels, values = resolve_counts(y, counts, owner="class_weights")
    weights = _weights(values, scheme, beta, normalize)
    return _OUTPUTS[output](weights, labels)


def sample_weights(
    y: ArrayLike,
    *,
    scheme: str = "balanced",
    beta: float = 0.9999,
    normalize: Normalize = None,
) -> Any:
    """One weight per sample: the weight of its class under ``scheme``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels.
    scheme, beta, normalize
        As in :func:`class_weights`. ``normalize='samples'`` makes the returned weights average
        exactly 1.

    Returns
    -------
    numpy.ndarray, pandas.Series or torch.Tensor of shape (n_samples,)
        float64 numpy for numpy or list input; a float64 Series with the same index and name for
        a pandas Series; a tensor of the default float dtype on ``y``'s device for a tensor.
        ``scheme='balanced'`` gives the same numbers as
        ``sklearn.utils.class_weight.compute_sample_weight('balanced', y)``.

    Examples
    --------
    >>> from equipoise.weights import sample_weights
    >>> sample_weights([0, 0, 0, 1]).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    validate_params(
        "sample_weights",
        {"beta": beta, "normalize": normalize, "scheme": scheme},
        _CONSTRAINTS,
    )
    _, classes, y_encoded = check_target(y, owner="sample_weights", min_classes=1)
    counts = np.bincount(y_encoded, minlength=len(classes)).astype(np.float64)
    rows = _weights(counts, scheme, beta, normalize)[y_encoded]
    if is_torch_tensor(y):
        import torch

        return torch.as_tensor(rows, dtype=torch.get_default_dtype(), device=y.device)
    import pandas as pd

    if isinstance(y, pd.Series):
        return pd.Series(rows, index=y.index, name=y.name)
    return rows
