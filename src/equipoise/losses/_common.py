"""Checks and helpers shared by the losses: parameters, logits/targets, buffers, reductions."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from .._types import ArrayLike
from .._validation import Interval, Options, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError
from ..registry import Registry
from ..weights import class_weights, resolve_counts

__all__ = [
    "LOSSES",
    "REDUCTIONS",
    "check_param",
    "check_finite_float",
    "check_n_classes",
    "check_logits_target",
    "check_class_vector",
    "check_buffer_device",
    "counts_tensor",
    "prior_from_counts",
    "resolve_weight",
    "reduce_loss",
]

LOSSES: Registry[Any] = Registry("loss")
"""Registry of loss classes; each has ``from_counts(counts, **params)``."""

REDUCTIONS = ("none", "mean", "sum")

_CONSTRAINTS: dict[str, list[Any]] = {
    "gamma": [Interval(float, 0.0, None, closed="left")],
    "s": [Interval(float, 0.0, None, closed="neither")],
    "max_m": [Interval(float, 0.0, None, closed="neither")],
    "beta": [Interval(float, 0.0, 1.0, closed="left")],
    "reduction": [Options(REDUCTIONS)],
    "ignore_index": [int],
    "start_epoch": [Interval(int, 0, None, closed="left")],
    "epoch": [Interval(int, 0, None, closed="left")],
}


def check_param(owner: str, **params: Any) -> None:
    """Validate loss parameters by name (``gamma``, ``s``, ``max_m``, ``reduction``, ...).

    Floats must also be finite: ``Interval`` accepts ``inf``, a loss must not.
    """
    validate_params(owner, params, _CONSTRAINTS)
    for name, value in params.items():
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isfinite(value):
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be a finite number; got {value!r}."
            )


def check_finite_float(owner: str, name: str, value: Any) -> float:
    """A finite real number (used for ``tau``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a finite real number; got {value!r}."
        )
    return float(value)


def check_logits_target(owner: str, input: torch.Tensor, target: torch.Tensor, ignore_index: int | None) -> torch.Tensor:
    """Check multiclass logits ``(N, C)`` and int64 targets ``(N,)`` with values in ``[0, C)``.

    Returns
    -------
    torch.Tensor of bool, shape (N,)
        Mask of the targets that count (not equal to ``ignore_index``).
    """
    if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise InvalidInputError(
            f"{owner} expects torch tensors (logits, target); got {type(input).__name__} and "
            f"{type(target).__name__}."
        )
    if input.ndim != 2:
        raise InvalidInputError(
            f"{owner} expects logits of shape (N, C); got shape {tuple(input.shape)}. "
            "Flatten extra dimensions first, e.g. logits.movedim(1, -1).reshape(-1, C)."
        )
    if not input.is_floating_point():
        raise InvalidInputError(f"{owner} expects floating-point logits; got dtype {input.dtype}.")
    if target.dtype != torch.int64:
        raise InvalidInputError(
            f"{owner} expects an int64 target of class indices; got dtype {target.dtype}. "
            "Use target.long()."
        )
    if target.ndim != 1 or target.shape[0] != input.shape[0]:
        raise InvalidInputError(
            f"{owner} expects a target of shape (N,) = ({input.shape[0]},) matching the logits "
            f"{tuple(input.shape)}; got shape {tuple(target.shape)}."
        )
    n_classes = input.shape[1]
    valid = target != ignore_index if ignore_index is not None else torch.ones_like(target, dtype=torch.bool)
    bad = valid & ((target < 0) | (target >= n_classes))
    if bool(bad.any()):
        value = int(target[bad][0])
        raise InvalidInputError(
            f"{owner} got a target value {value} outside [0, {n_classes}) for logits with "
            f"{n_classes} classes (ignore_index={ignore_index})."
        )
    return valid


def check_class_vector(owner: str, name: str, value: Any, n_classes: int | None = None, *, positive: bool = False) -> torch.Tensor | None:
    """Turn a per-class vector (list, numpy, tensor) into a 1-D floating tensor, or keep None."""
    if value is None:
        return None
    tensor = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value, dtype=np.float64), dtype=torch.get_default_dtype())
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.get_default_dtype())
    if tensor.ndim != 1 or tensor.numel() == 0:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a 1-D vector with one value per class; "
            f"got shape {tuple(tensor.shape)}."
        )
    if n_classes is not None and tensor.numel() != n_classes:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} has {tensor.numel()} values but there are "
            f"{n_classes} classes."
        )
    if tensor.device.type != "meta":
        finite = bool(torch.isfinite(tensor).all())
        low = bool((tensor <= 0).any()) if positive else bool((tensor < 0).any())
        if not finite or low:
            kind = "positive" if positive else "non-negative"
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must hold finite {kind} values; got "
                f"{tensor.tolist()}."
            )
    return tensor


def check_buffer_device(owner: str, name: str, buffer: torch.Tensor | None, input: torch.Tensor) -> torch.Tensor | None:
    """Cast a buffer to the logits' dtype; raise a clear error when it lives on another device."""
    if buffer is None:
        return None
    if buffer.device != input.device:
        raise InvalidInputError(
            f"The {name!r} buffer of {owner} is on {buffer.device} but the logits are on "
            f"{input.device}; move the loss with loss.to(logits.device)."
        )
    return buffer.to(input.dtype)


def check_n_classes(owner: str, name: str, vector: torch.Tensor | None, input: torch.Tensor) -> None:
    """Raise when a per-class vector does not have one entry per logit column."""
    if vector is not None and vector.numel() != input.shape[1]:
        raise InvalidInputError(
            f"{owner} has a {name!r} for {vector.numel()} classes but the logits have "
            f"{input.shape[1]} columns."
        )


def counts_tensor(counts: ArrayLike | Mapping[Any, Any], owner: str) -> np.ndarray:
    """Positive per-class counts (float64 numpy), in class order, from any accepted spelling."""
    return resolve_counts(counts=counts, owner=owner)[1]


def prior_from_counts(counts: ArrayLike | Mapping[Any, Any], owner: str) -> torch.Tensor:
    """Class prior :math:`\\pi_c = n_c / n` as a tensor of the default float dtype."""
    values = counts_tensor(counts, owner)
    return torch.as_tensor(values / values.sum(), dtype=torch.get_default_dtype())


def resolve_weight(
    owner: str,
    weight: Any,
    counts: ArrayLike | Mapping[Any, Any],
    n_classes: int,
    name: str = "weight",
) -> torch.Tensor | None:
    """``weight`` given to ``from_counts``: None, a per-class vector, or a scheme name.

    A string is a :data:`equipoise.weights.WEIGHT_SCHEMES` name, computed from ``counts`` with
    ``normalize='classes'``, so ``CrossEntropyLoss.from_counts(counts, weight="balanced")``
    builds a weighted cross-entropy.
    """
    if isinstance(weight, str):
        weight = class_weights(counts=counts, scheme=weight, normalize="classes", output="tensor").to(
            torch.get_default_dtype()
        )
    return check_class_vector(owner, name, weight, n_classes)


def reduce_loss(loss: torch.Tensor, reduction: str, denominator: torch.Tensor | float) -> torch.Tensor:
    """Apply ``reduction`` to per-sample losses; 'mean' divides by ``denominator``."""
    return _REDUCERS[reduction](loss, denominator)


_REDUCERS = {
    "none": lambda loss, denominator: loss,
    "sum": lambda loss, denominator: loss.sum(),
    "mean": lambda loss, denominator: loss.sum() / denominator,
}
