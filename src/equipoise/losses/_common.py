"""Checks and helpers shared by the losses: parameters, logits/targets, buffers, reductions."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple, Protocol, overload

import numpy as np
import torch
from torch import nn

from .._types import ArrayLike, Reduction
from .._validation import Interval, Options, short_repr, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError
from ..registry import Registry
from ..weights import class_weights, resolve_counts

__all__ = [
    "LOSSES",
    "REDUCTIONS",
    "check_param",
    "check_finite_float",
    "check_n_classes",
    "prepare_input",
    "Prepared",
    "class_view",
    "flatten_classes",
    "finish",
    "check_label_smoothing",
    "checks_values",
    "set_value_checks",
    "VALUE_CHECK_MODES",
    "LossModule",
    "check_class_vector",
    "check_buffer_device",
    "counts_tensor",
    "prior_from_counts",
    "resolve_weight",
    "reduce_loss",
]

LOSSES: Registry[Any] = Registry("loss")
"""Registry of loss classes; each has ``from_counts(counts, **params)``."""

REDUCTIONS: tuple[Reduction, ...] = ("none", "mean", "sum")

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

    Floats must be finite (``Interval`` refuses NaN and inf too; this says it in a loss's words).
    """
    for name, value in params.items():
        if (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and not math.isfinite(value)
        ):
            raise InvalidParameterError(
                f"The {short_repr(name)} parameter of {owner} must be a finite number; got {short_repr(value)}."
            )
    validate_params(owner, params, _CONSTRAINTS)


_FINITE = Interval(float, None, None)


def check_finite_float(owner: str, name: str, value: Any) -> float:
    """A finite real number (used for ``tau``)."""
    if not _FINITE.accepts(value):
        raise InvalidParameterError(
            f"The {short_repr(name)} parameter of {owner} must be a finite real number; got {short_repr(value)}."
        )
    return float(value)


# --------------------------------------------------------------------------------------------
# Value checks: on by default where they cost no device synchronisation
# --------------------------------------------------------------------------------------------

VALUE_CHECK_MODES = ("auto", "always", "never")

_ENV_VALUE_CHECKS = "EQUIPOISE_LOSS_VALUE_CHECKS"


def _mode_from_env() -> str:
    mode = os.environ.get(_ENV_VALUE_CHECKS, "auto").strip().lower() or "auto"
    return mode if mode in VALUE_CHECK_MODES else "auto"


_value_checks = {"mode": _mode_from_env()}


def set_value_checks(mode: Literal["auto", "always", "never"]) -> str:
    """Choose when the losses check the *values* of their inputs; returns the previous mode.

    Shapes, dtypes and devices are always checked (that costs nothing). Values (targets inside
    ``[0, C)``, soft targets non-negative, per-class vectors passed to a functional loss finite
    and non-negative) need a reduction read back on the host, which on an accelerator stalls the
    stream and under ``torch.compile(fullgraph=True)`` is a graph break. So:

    - ``'auto'`` (default): check CPU tensors in eager mode; skip accelerator tensors (torch's
      own kernels still stop an out-of-range target with a device-side assert) and everything
      traced by ``torch.compile``.
    - ``'always'``: check on every device in eager mode (a debugging switch: one host sync per
      call on a GPU).
    - ``'never'``: check nothing.

    The environment variable ``EQUIPOISE_LOSS_VALUE_CHECKS`` sets the initial mode.

    Examples
    --------
    >>> from equipoise.losses import set_value_checks
    >>> previous = set_value_checks("always")
    >>> set_value_checks(previous)
    'always'
    """
    if mode not in VALUE_CHECK_MODES:
        raise InvalidParameterError(
            f"The 'mode' parameter of set_value_checks must be one of {list(VALUE_CHECK_MODES)}; got {short_repr(mode)}."
        )
    previous = _value_checks["mode"]
    _value_checks["mode"] = mode
    return previous


def checks_values(tensor: torch.Tensor) -> bool:
    """Whether value checks run for ``tensor`` now (see :func:`set_value_checks`)."""
    if torch.compiler.is_compiling():
        return False
    mode = _value_checks["mode"]
    if mode == "never" or tensor.device.type == "meta":
        return False
    return mode == "always" or tensor.device.type == "cpu"


# --------------------------------------------------------------------------------------------
# Logits and targets
# --------------------------------------------------------------------------------------------

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _autocast_on(device_type: str) -> bool:
    return torch.amp.is_autocast_available(device_type) and torch.is_autocast_enabled(device_type)


class Prepared(NamedTuple):
    """Logits and target after :func:`prepare_input`.

    ``input`` is in the compute dtype (float32 for float16/bfloat16 logits) with a batch
    dimension; ``target`` is int64 class indices ``(N, d1, ...)`` or, when ``soft``, class
    probabilities with the logits' shape and dtype; ``out_dtype`` is the dtype to return
    (float32 under autocast, as torch's losses do, else the logits' dtype); ``unbatched`` marks
    a ``(C,)`` input that was given a batch dimension of 1.
    """

    input: torch.Tensor
    target: torch.Tensor
    soft: bool
    out_dtype: torch.dtype
    unbatched: bool


def prepare_input(
    owner: str,
    input: torch.Tensor,
    target: torch.Tensor,
    ignore_index: int | None,
    *,
    soft_error: str | None = None,
) -> Prepared:
    """Check logits ``(N, C, d1, ...)`` and targets as ``torch.nn.CrossEntropyLoss`` takes them.

    Targets are class indices of any integer dtype with shape ``(N, d1, ...)`` (values in
    ``[0, C)`` or ``ignore_index``), or class probabilities with the logits' shape (floating
    point). ``soft_error`` is the reason given when the loss is not defined for probabilities
    (None: they are accepted). An unbatched ``(C,)`` input with a ``()`` target is accepted.
    """
    if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise InvalidInputError(
            f"{owner} expects torch tensors (logits, target); got {type(input).__name__} and "
            f"{type(target).__name__}."
        )
    if not input.is_floating_point():
        raise InvalidInputError(f"{owner} expects floating-point logits; got dtype {input.dtype}.")
    if input.ndim == 0:
        raise InvalidInputError(
            f"{owner} expects logits of shape (N, C) or (N, C, d1, ...) (class scores in dimension 1); "
            "got a 0-d tensor."
        )
    unbatched = input.ndim == 1
    if unbatched:
        input = input.unsqueeze(0)
        target = target.unsqueeze(0)
    soft = target.is_floating_point()
    if soft:
        if soft_error is not None:
            raise InvalidInputError(
                f"{owner} does not take probability (soft) targets: {soft_error} Pass class indices "
                f"of shape {_index_shape(input, unbatched)}."
            )
        if target.shape != input.shape:
            raise InvalidInputError(
                f"{owner} got floating-point targets, read as class probabilities, which must have "
                f"the logits' shape {_shape(input, unbatched)}; got shape {_shape(target, unbatched)}. "
                "For class indices use an integer dtype."
            )
        target = target.to(input.dtype)
    else:
        if target.dtype == torch.bool or target.is_complex():
            raise InvalidInputError(
                f"{owner} expects class indices of an integer dtype (or class probabilities); got "
                f"dtype {target.dtype}. Use target.long()."
            )
        expected = input.shape[:1] + input.shape[2:]
        if target.shape != expected:
            raise InvalidInputError(
                f"{owner} expects a target of shape {_index_shape(input, unbatched)} matching the "
                f"logits {_shape(input, unbatched)} (class scores in dimension 1); got shape "
                f"{_shape(target, unbatched)}."
            )
        target = target.long()
    if checks_values(target):
        _check_target_values(owner, input.shape[1], target, soft, ignore_index)
    autocast = _autocast_on(input.device.type)
    out_dtype = torch.float32 if autocast and input.dtype in _LOW_PRECISION else input.dtype
    if input.dtype in _LOW_PRECISION:
        input = input.float()
        if soft:
            target = target.float()
    return Prepared(input, target, soft, out_dtype, unbatched)


def _shape(t: torch.Tensor, unbatched: bool) -> tuple[int, ...]:
    return tuple(t.shape[1:]) if unbatched else tuple(t.shape)


def _index_shape(input: torch.Tensor, unbatched: bool) -> tuple[int, ...]:
    return _shape(input, unbatched)[:0] if unbatched else (input.shape[0], *input.shape[2:])


def _check_target_values(
    owner: str, n_classes: int, target: torch.Tensor, soft: bool, ignore_index: int | None
) -> None:
    if soft:
        if bool((target < 0).any()) or not bool(torch.isfinite(target).all()):
            raise InvalidInputError(
                f"{owner} got class-probability targets with negative or non-finite values."
            )
        return
    valid = (
        target != ignore_index
        if ignore_index is not None
        else torch.ones_like(target, dtype=torch.bool)
    )
    bad = valid & ((target < 0) | (target >= n_classes))
    if bool(bad.any()):
        value = int(target[bad][0])
        raise InvalidInputError(
            f"{owner} got a target value {value} outside [0, {n_classes}) for logits with "
            f"{n_classes} classes (ignore_index={ignore_index})."
        )


def class_view(vector: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """A per-class vector shaped to broadcast along dimension 1 of ``input`` (N, C, d1, ...)."""
    return vector.view((1, -1) + (1,) * (input.ndim - 2))


def flatten_classes(input: torch.Tensor) -> torch.Tensor:
    """``(N, C, d1, ...)`` -> ``(N * d1 * ..., C)``: one row per scored element."""
    if input.ndim == 2:
        return input
    return input.movedim(1, -1).reshape(-1, input.shape[1])


def finish(loss: torch.Tensor, prepared: Prepared, reduction: str) -> torch.Tensor:
    """Cast to the output dtype; undo the batch dimension of an unbatched 'none' result."""
    if reduction == "none" and prepared.unbatched:
        loss = loss.squeeze(0)
    return loss.to(prepared.out_dtype)


_LABEL_SMOOTHING = Interval(float, 0.0, 1.0, closed="both")


def check_label_smoothing(owner: str, value: Any) -> float:
    """``label_smoothing`` in [0, 1] (torch's range)."""
    if not _LABEL_SMOOTHING.accepts(value):
        raise InvalidParameterError(
            f"The 'label_smoothing' parameter of {owner} must be a float in [0, 1]; got {short_repr(value)}."
        )
    return float(value)


@overload
def check_class_vector(
    owner: str,
    name: str,
    value: None,
    n_classes: int | None = ...,
    *,
    positive: bool = ...,
    per_call: bool = ...,
) -> None: ...


@overload
def check_class_vector(
    owner: str,
    name: str,
    value: torch.Tensor,
    n_classes: int | None = ...,
    *,
    positive: bool = ...,
    per_call: bool = ...,
) -> torch.Tensor: ...


@overload
def check_class_vector(
    owner: str,
    name: str,
    value: Any,
    n_classes: int | None = ...,
    *,
    positive: bool = ...,
    per_call: bool = ...,
) -> torch.Tensor | None: ...


def check_class_vector(
    owner: str,
    name: str,
    value: Any,
    n_classes: int | None = None,
    *,
    positive: bool = False,
    per_call: bool = False,
) -> torch.Tensor | None:
    """Turn a per-class vector (list, numpy, tensor) into a 1-D floating tensor, or keep None.

    Values are checked (finite, non-negative or positive) at construction on any real device;
    ``per_call=True`` (a functional loss's argument) checks them only where
    :func:`checks_values` allows, so the hot path never waits on the device.
    """
    if value is None:
        return None
    tensor = (
        value
        if isinstance(value, torch.Tensor)
        else torch.as_tensor(np.asarray(value, dtype=np.float64), dtype=torch.get_default_dtype())
    )
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.get_default_dtype())
    if tensor.ndim != 1 or tensor.numel() == 0:
        raise InvalidParameterError(
            f"The {short_repr(name)} parameter of {owner} must be a 1-D vector with one value per class; "
            f"got shape {tuple(tensor.shape)}."
        )
    if n_classes is not None and tensor.numel() != n_classes:
        raise InvalidParameterError(
            f"The {short_repr(name)} parameter of {owner} has {tensor.numel()} values but there are "
            f"{n_classes} classes."
        )
    check_values = checks_values(tensor) if per_call else tensor.device.type != "meta"
    if check_values:
        finite = bool(torch.isfinite(tensor).all())
        low = bool((tensor <= 0).any()) if positive else bool((tensor < 0).any())
        if not finite or low:
            kind = "positive" if positive else "non-negative"
            raise InvalidParameterError(
                f"The {short_repr(name)} parameter of {owner} must hold finite {kind} values; got "
                f"{tensor.tolist()}."
            )
    return tensor


@overload
def check_buffer_device(owner: str, name: str, buffer: None, input: torch.Tensor) -> None: ...


@overload
def check_buffer_device(
    owner: str, name: str, buffer: torch.Tensor, input: torch.Tensor
) -> torch.Tensor: ...


@overload
def check_buffer_device(
    owner: str, name: str, buffer: torch.Tensor | None, input: torch.Tensor
) -> torch.Tensor | None: ...


def check_buffer_device(
    owner: str, name: str, buffer: torch.Tensor | None, input: torch.Tensor
) -> torch.Tensor | None:
    """Cast a buffer to the (compute) dtype of ``input``; raise a clear error when it lives on another device."""
    if buffer is None:
        return None
    if buffer.device != input.device:
        raise InvalidInputError(
            f"The {short_repr(name)} buffer of {owner} is on {buffer.device} but the logits are on "
            f"{input.device}; move the loss with loss.to(logits.device)."
        )
    return buffer.to(input.dtype)


def check_n_classes(
    owner: str, name: str, vector: torch.Tensor | None, input: torch.Tensor
) -> None:
    """Raise when a per-class vector does not have one entry per logit column."""
    if vector is not None and vector.numel() != input.shape[1]:
        raise InvalidInputError(
            f"{owner} has a {short_repr(name)} for {vector.numel()} classes but the logits have "
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
        weight = class_weights(
            counts=counts, scheme=weight, normalize="classes", output="tensor"
        ).to(torch.get_default_dtype())
    return check_class_vector(owner, name, weight, n_classes)


def reduce_loss(
    loss: torch.Tensor, reduction: str, denominator: torch.Tensor | float
) -> torch.Tensor:
    """Apply ``reduction`` to per-sample losses; 'mean' divides by ``denominator``."""
    return _REDUCERS[reduction](loss, denominator)


_REDUCERS = {
    "none": lambda loss, denominator: loss,
    "sum": lambda loss, denominator: loss.sum(),
    "mean": lambda loss, denominator: loss.sum() / denominator,
}


# --------------------------------------------------------------------------------------------
# Modules: optional buffers survive a state_dict round trip
# --------------------------------------------------------------------------------------------


class SupportsSetWeight(Protocol):
    """A loss whose per-class weight can be replaced (None switches weighting off), e.g. by DRW."""

    def set_weight(self, weight: torch.Tensor | None) -> None: ...


class LossModule(nn.Module):
    """Base of the loss modules: ``reduction``, ``ignore_index`` and per-class buffers.

    The shape of ``torch.nn.modules.loss._Loss``: the constructor validates and stores
    ``reduction`` (one of :data:`REDUCTIONS`) and, for losses over class indices,
    ``ignore_index`` (an int; pass None for a loss without one, such as the sigmoid
    :class:`~equipoise.losses.BinaryFocalLoss`). A subclass checks its own scalar parameters
    first, then calls ``super().__init__(reduction=..., ignore_index=...)``, then registers its
    per-class buffers (``weight``, ``margins``, ``prior``, ``alpha``), which it declares as
    class-level annotations so that type checkers see tensors, not ``Tensor | Module``.

    Parameters
    ----------
    reduction : {'none', 'mean', 'sum'}, default='mean'
        As in ``torch.nn``.
    ignore_index : int or None, default=None
        Target value whose rows count neither in the loss nor in the 'mean' denominator; None
        for a loss that has no such parameter.

    Notes
    -----

    A buffer that may be None (``weight`` switched on by deferred re-weighting, an optional
    ``alpha``) is absent from ``state_dict`` while it is None. Loading therefore follows the
    checkpoint in both directions: a key present in the checkpoint but None here is adopted
    (a checkpoint taken after DRW switched on loads into a freshly built loss), and a key absent
    from a saved state of this module (one made by ``state_dict()``, which records per-module
    metadata) but set here is reset to None (a checkpoint taken before DRW loads into a
    re-weighted loss). A hand-made partial dict without that metadata leaves it alone. Adopted tensors go to the device and dtype
    of the module's other buffers when it has any.
    """

    _optional_buffers: tuple[str, ...] = ()
    reduction: Reduction
    ignore_index: int

    def __init__(self, reduction: Reduction = "mean", ignore_index: int | None = None) -> None:
        owner = type(self).__name__
        if ignore_index is None:
            check_param(owner, reduction=reduction)
        else:
            check_param(owner, reduction=reduction, ignore_index=ignore_index)
        super().__init__()
        self.reduction = reduction
        if ignore_index is not None:
            self.ignore_index = ignore_index

    def _reference_buffer(self) -> torch.Tensor | None:
        return next((b for b in self._buffers.values() if b is not None), None)

    def _place(self, tensor: torch.Tensor) -> torch.Tensor:
        ref = self._reference_buffer()
        if ref is None:
            return tensor
        return tensor.to(
            device=ref.device, dtype=ref.dtype if tensor.is_floating_point() else tensor.dtype
        )

    def _checked_weight(self, weight: Any) -> torch.Tensor | None:
        """A replacement ``weight``: one value per class, on the other buffers' device and dtype."""
        n_classes = next((b.numel() for b in self._buffers.values() if b is not None), None)
        weight = check_class_vector(type(self).__name__, "weight", weight, n_classes)
        return None if weight is None else self._place(weight)

    def _load_from_state_dict(
        self,
        state_dict: Mapping[str, Any],
        prefix: str,
        local_metadata: Any,
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        # torch passes strict=True to every module whatever the caller asked; the metadata that
        # Module.state_dict() records for each module tells a saved state of this module (where
        # an absent optional buffer means None) from a hand-made partial dict (left alone).
        described = bool(local_metadata)
        for name in self._optional_buffers:
            key = prefix + name
            current = self._buffers.get(name)
            if key in state_dict and current is None:
                value = state_dict[key]
                if isinstance(value, torch.Tensor):
                    self._buffers[name] = self._place(value.detach().clone())
            elif key not in state_dict and current is not None and described:
                self._buffers[name] = None
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )
