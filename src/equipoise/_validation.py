"""The one place that checks X, y, labels, random states and devices.

Two tiers, as in scikit-learn's ``_param_validation``:

1. *Parameter constraints* are declared as data on each estimator (``_parameter_constraints``)
   and checked by :func:`validate_params` when ``fit_resample`` starts.
2. *Data checks* (:func:`check_X`, :func:`check_target`, :func:`check_consistent_length`) look at
   the data itself: NaN, a single class, a continuous target, a length mismatch, empty input.

Every message says what is wrong, the value seen, and how to fix it.

The *container round trip* (:func:`to_numpy_container`, :class:`Container`: same kind of container
out as in, with the user's exact values) lives in :mod:`equipoise._containers` and is re-exported
here, so "same type out as in" still has one place.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._containers import Container, to_numpy_container
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = [
    "Interval",
    "Options",
    "HasMethods",
    "validate_params",
    "validate_call",
    "ParameterConstraints",
    "check_random_state",
    "check_X",
    "check_target",
    "check_consistent_length",
    "check_class_sizes",
    "to_numpy_container",
    "Container",
    "is_torch_tensor",
    "resolve_device",
    "label_counts",
    "encode_labels",
    "as_numpy",
    "check_labels",
    "check_output_size",
    "short_repr",
    "first_non_numeric",
    "TargetKind",
    "target_kind",
    "check_indicator_target",
    "check_continuous_target",
]


# --------------------------------------------------------------------------------------------
# Tier 1: parameter constraints declared as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A numeric range constraint, e.g. ``Interval(int, 1, None, closed="left")`` for k >= 1.

    NaN is never in range, and neither is +-infinity unless ``allow_inf=True`` (an open bound
    ``None`` means "unbounded", not "infinity is a valid value"). ``description`` replaces the
    generated wording in messages ("a positive int" instead of "an int in the range [1, inf)").
    """

    type: type
    left: float | None
    right: float | None
    closed: Literal["left", "right", "both", "neither"] = "both"
    allow_inf: bool = False
    description: str | None = None

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return False
        integral = self.type is int or (
            isinstance(self.type, type) and issubclass(self.type, numbers.Integral)
        )
        if integral and not isinstance(value, numbers.Integral):
            return False
        if not isinstance(value, numbers.Real):  # float, numbers.Real: any real number
            return False
        if value != value:  # NaN passes every comparison below: never in range
            return False
        if not self.allow_inf and isinstance(value, numbers.Real) and not math.isfinite(value):
            return False
        # Every numbers.Real orders against a float at run time (int, float, numpy scalars,
        # Fraction, Decimal); typeshed's ABC just does not declare the comparison operators.
        value = cast(float, value)
        if self.left is not None:
            if self.closed in ("left", "both") and value < self.left:
                return False
            if self.closed in ("right", "neither") and value <= self.left:
                return False
        if self.right is not None:
            if self.closed in ("right", "both") and value > self.right:
                return False
            if self.closed in ("left", "neither") and value >= self.right:
                return False
        return True

    def __str__(self) -> str:
        if self.description is not None:
            return self.description
        integral = self.type is int or (
            isinstance(self.type, type) and issubclass(self.type, numbers.Integral)
        )
        kind = "an int" if integral else "a float"
        if self.left is None and self.right is None:
            return f"a finite {kind[kind.index(' ') + 1 :]}" if not self.allow_inf else kind
        lo = "-inf" if self.left is None else self.left
        hi = "inf" if self.right is None else self.right
        lb = "[" if self.closed in ("left", "both") and self.left is not None else "("
        rb = "]" if self.closed in ("right", "both") and self.right is not None else ")"
        return f"{kind} in the range {lb}{lo}, {hi}{rb}"


@dataclass(frozen=True)
class Options:
    """A constraint that accepts only the listed values."""

    values: tuple

    def accepts(self, value: Any) -> bool:
        for allowed in self.values:
            if isinstance(allowed, type):
                if isinstance(value, allowed):
                    return True
            elif type(value) is type(allowed) and value == allowed:
                return True
        return False

    def __str__(self) -> str:
        return "one of " + ", ".join(
            v.__name__ if isinstance(v, type) else repr(v) for v in self.values
        )


@dataclass(frozen=True)
class HasMethods:
    """A constraint that accepts any object with the listed methods (duck typing).

    ``HasMethods(("fit", "predict_proba"))`` accepts every classifier with probabilities;
    ``HasMethods(("kneighbors",))`` a NearestNeighbors-like object.
    """

    methods: tuple

    def accepts(self, value: Any) -> bool:
        return not isinstance(value, type) and all(
            callable(getattr(value, m, None)) for m in self.methods
        )

    def __str__(self) -> str:
        listed = ", ".join(f"{short_repr(m)}" for m in self.methods)
        return f"an object with the method{'s' if len(self.methods) > 1 else ''} {listed}"


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, type):
        return f"an instance of {constraint.__name__}"
    if constraint == "random_state":
        return "an int, a numpy Generator, a RandomState or None"
    if constraint == "callable":
        return "a callable"
    if constraint == "boolean":
        return "a bool"
    if constraint == "array-like":
        return "an array-like"
    return str(constraint)


def _accepts(constraint: Any, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, (Interval, Options, HasMethods)):
        return constraint.accepts(value)
    if isinstance(constraint, type):
        return isinstance(value, constraint) and not (
            constraint is not bool and isinstance(value, bool) and constraint in (int, float)
        )
    if constraint == "random_state":
        return (
            value is None
            or isinstance(value, (numbers.Integral, np.random.Generator, np.random.RandomState))
            and not isinstance(value, bool)
        )
    if constraint == "callable":
        return callable(value)
    if constraint == "boolean":
        return isinstance(value, (bool, np.bool_))
    if constraint == "array-like":
        return hasattr(value, "__len__") or hasattr(value, "shape")
    raise TypeError(f"Unknown constraint {short_repr(constraint)}")


ParameterConstraints = Mapping[str, Sequence[Any]]
"""``{parameter name: [constraint, ...]}`` (a value must satisfy at least one constraint)."""

_F = TypeVar("_F", bound=Callable[..., Any])


def validate_params(
    owner: str, params: Mapping[str, Any], constraints: ParameterConstraints
) -> None:
    """Check each parameter against its declared constraints.

    Parameters
    ----------
    owner : str
        Name shown in the message (the class or function name).
    params : mapping
        Parameter values, e.g. ``estimator.get_params(deep=False)``.
    constraints : mapping
        ``{name: [constraint, ...]}``; a value must satisfy at least one constraint.

    Raises
    ------
    InvalidParameterError
        "The 'k_neighbors' parameter of SMOTE must be an int in the range [1, inf); got 0."
    """
    for name, allowed in constraints.items():
        if name not in params:
            continue
        value = params[name]
        if any(_accepts(c, value) for c in allowed):
            continue
        described = [_describe(c) for c in allowed]
        expected = (
            described[0]
            if len(described) == 1
            else ", ".join(described[:-1]) + " or " + described[-1]
        )
        raise InvalidParameterError(
            f"The {short_repr(name)} parameter of {owner} must be {expected}; got {short_repr(value)}."
            + _hint(value, allowed)
        )


def validate_call(
    constraints: ParameterConstraints, *, owner: str | None = None
) -> Callable[[_F], _F]:
    """Decorator: check a public function's arguments against ``constraints`` when it is called.

    The function form of :func:`validate_params` (as scikit-learn's ``validate_params``
    decorator is for its functions): the arguments given, bound to the signature, are checked
    before the body runs; defaults are not re-checked. Arguments that do not bind (a missing or
    unknown one) reach the function unchanged, so Python's own ``TypeError`` is raised.

    Parameters
    ----------
    constraints : mapping
        ``{parameter: [constraint, ...]}``, as for :func:`validate_params`; every key must be a
        parameter of the decorated function.
    owner : str, optional
        Name in messages (default: the function's name).

    Examples
    --------
    >>> @validate_call({"k": [Interval(int, 1, None, closed="left")]})
    ... def first(values, k=1):
    ...     return values[:k]
    >>> first([3, 1, 2], k=2)
    [3, 1]
    >>> first([3, 1, 2], k=0)
    Traceback (most recent call last):
    ...
    equipoise.exceptions.InvalidParameterError: The 'k' parameter of first must be an int in the range [1, inf); got 0.
    """

    def decorate(func: _F) -> _F:
        signature = inspect.signature(func)
        unknown = sorted(set(constraints) - set(signature.parameters))
        if unknown:
            raise TypeError(f"validate_call: {func.__qualname__} has no parameters {unknown}.")
        name = owner or func.__name__

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return func(*args, **kwargs)  # Python's own error for a call that does not bind
            validate_params(name, bound.arguments, constraints)
            return func(*args, **kwargs)

        return cast(_F, checked)

    return decorate


def _hint(value: Any, allowed: Sequence[Any]) -> str:
    """How to fix the most common slips: a number given as a string, NaN/inf, a float count."""
    numeric = [c for c in allowed if isinstance(c, Interval)]
    if not numeric:
        return ""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return " Pass a number, not a string."
        plain = int(number) if number.is_integer() else number
        return f" Pass a number, not a string: write {plain}, not {short_repr(value, 20)}."
    if (
        isinstance(value, numbers.Real)
        and not isinstance(value, (bool, np.bool_))
        and not math.isfinite(value)
    ):
        return " NaN and infinite values are not accepted: pass a finite number."
    if (
        isinstance(value, numbers.Real)
        and not isinstance(value, numbers.Integral)
        and all(c.type is int for c in numeric)
    ):
        return " Pass a whole number (an int)."
    return ""


def first_non_numeric(values: Any) -> str:
    """``short_repr`` of the first value that is not a real number (for messages; error path only)."""
    for v in np.asarray(values, dtype=object).ravel():
        try:
            if isinstance(v, (complex, np.complexfloating)):
                raise TypeError
            float(v)
        except (TypeError, ValueError):
            return short_repr(v, 40)
    return "a value that is not a real number"


def short_repr(value: Any, limit: int = 80) -> str:
    """A short, plain rendering of ``value`` for error messages.

    numpy scalars print as Python numbers (``0.1257``, not ``np.float64(0.1257)``); arrays,
    tensors and frames print as a summary of their kind, shape and dtype, never their contents;
    anything else is cut to ``limit`` characters.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray) or is_torch_tensor(value) or sp.issparse(value):
        shape = _shape_str(tuple(value.shape))
        return f"an array of shape {shape} and dtype {value.dtype}"
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return f"a {type(value).__name__} of shape {_shape_str(value.shape)}"
    if isinstance(value, (list, tuple)) and len(value) > 8:
        head = ", ".join(short_repr(v, 20) for v in value[:5])
        return f"a {type(value).__name__} of {len(value)} items ({head}, ...)"
    if isinstance(value, list):
        text = repr([_py(v) for v in value])
    elif isinstance(value, tuple):
        text = repr(tuple(_py(v) for v in value))
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# Randomness
# --------------------------------------------------------------------------------------------


def check_random_state(random_state: Any) -> np.random.Generator:
    """Turn ``random_state`` into a ``numpy.random.Generator``, once per call.

    Parameters
    ----------
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        None draws fresh OS entropy; an int seeds a new PCG64 generator (same seed, same
        output); a ``Generator`` is used as is (and advanced); a ``RandomState`` is used to draw
        the seed of a new generator (and is advanced), so legacy code keeps working.

    Returns
    -------
    numpy.random.Generator
    """
    if (
        random_state is None
        or isinstance(random_state, numbers.Integral)
        and not isinstance(random_state, bool)
    ):
        if random_state is not None and random_state < 0:
            raise InvalidParameterError(
                f"random_state must be a non-negative int, a Generator, a RandomState or None; got {short_repr(random_state)}."
            )
        return np.random.default_rng(None if random_state is None else int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise InvalidParameterError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState; got {short_repr(random_state)} of type {type(random_state).__name__}."
    )


# --------------------------------------------------------------------------------------------
# Containers: same type out as in
# --------------------------------------------------------------------------------------------


def is_torch_tensor(obj: Any) -> bool:
    """True if ``obj`` is a ``torch.Tensor`` (without importing torch when it is not loaded)."""
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def as_numpy(values: Any) -> np.ndarray:
    """A numpy view of ``values``: torch tensors (from any device), pandas objects, lists.

    The one conversion every layer uses for labels, scores and counts; containers that must come
    back in kind go through :func:`to_numpy_container` instead.
    """
    if is_torch_tensor(values):
        return values.detach().cpu().numpy()
    if isinstance(values, (pd.Series, pd.DataFrame, pd.Index)):
        return values.to_numpy()
    return np.asarray(values)


def resolve_device(device: Any = None) -> Any:
    """Return a ``torch.device``: 'auto'/None picks CUDA when available, else CPU.

    Raises
    ------
    InvalidParameterError
        If the device string is not understood or CUDA is asked for but absent.
    """
    import torch

    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InvalidParameterError(
            f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got {short_repr(device)}."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"device {short_repr(device)} was asked for but CUDA is not available here; use device='cpu'."
        )
    return dev


# Container and to_numpy_container live in equipoise._containers (re-exported above).


# --------------------------------------------------------------------------------------------
# Tier 2: data checks
# --------------------------------------------------------------------------------------------


def _shape_str(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def check_X(
    X: Any,
    *,
    owner: str = "this estimator",
    numeric: bool = True,
    allow_nan: bool = False,
    accept_sparse: bool = True,
    ensure_2d: bool = True,
) -> np.ndarray:
    """Validate a feature matrix already converted by :func:`to_numpy_container`.

    Parameters
    ----------
    X : numpy.ndarray or scipy.sparse matrix
    owner : str
        Name used in messages.
    numeric : bool, default=True
        Require numbers (SMOTE interpolates); random samplers may pass ``False`` to accept any
        dtype (strings, objects) since they only select rows.
    allow_nan : bool, default=False
        Accept NaN/inf (only meaningful when ``numeric``).
    accept_sparse : bool, default=True
    ensure_2d : bool, default=True

    Returns
    -------
    numpy.ndarray or scipy.sparse matrix
        The same object when no conversion was needed. float32 stays float32; integer and bool
        input is returned as float64 only when ``numeric`` is set (interpolation needs floats).
        The input is never modified in place.
    """
    if is_torch_tensor(X):
        return _check_tensor_X(X, owner=owner, numeric=numeric, allow_nan=allow_nan)
    if sp.issparse(X):
        if not accept_sparse:
            raise InvalidInputError(
                f"{owner} does not accept sparse input; convert it with X.toarray() first."
            )
        if X.shape[0] == 0:
            raise InvalidInputError(
                f"{owner} got an empty X (0 rows); pass at least one sample per class."
            )
        if numeric and X.dtype.kind not in "biuf":
            raise InvalidInputError(
                f"{owner} needs real-valued numeric features; got a sparse X of dtype {X.dtype}. "
                + (
                    _COMPLEX_FIX
                    if X.dtype.kind == "c"
                    else "Convert it with X.astype(float) first."
                )
            )
        if numeric and not allow_nan and X.nnz and not np.all(np.isfinite(X.data)):
            raise InvalidInputError(
                f"X passed to {owner} contains NaN or infinity; impute or drop those values first "
                "(e.g. sklearn.impute.SimpleImputer)."
            )
        return X
    X = np.asarray(X)
    if ensure_2d:
        if X.ndim == 1:
            raise InvalidInputError(
                f"{owner} expects a 2-D X of shape (n_samples, n_features); got a 1-D array of shape "
                f"{_shape_str(X.shape)}. Reshape it with X.reshape(-1, 1) for a single feature."
            )
        if X.ndim != 2:
            raise InvalidInputError(
                f"{owner} expects a 2-D X of shape (n_samples, n_features); got shape {_shape_str(X.shape)}. "
                "Flatten images or embeddings first, e.g. X.reshape(len(X), -1)."
            )
    if X.shape[0] == 0:
        raise InvalidInputError(
            f"{owner} got an empty X (0 rows); pass at least one sample per class."
        )
    if ensure_2d and X.shape[1] == 0:
        raise InvalidInputError(f"{owner} got X with 0 features; pass at least one feature column.")
    if numeric:
        if X.dtype.kind in "biu":
            X = X.astype(np.float64)
        elif X.dtype.kind == "O":
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError):
                raise InvalidInputError(
                    f"{owner} needs numeric features but X has non-numeric values (e.g. {first_non_numeric(X)}). "
                    "Encode categorical columns first or use SMOTENC with categorical_features=..."
                ) from None
        elif X.dtype.kind == "c":
            raise InvalidInputError(
                f"{owner} needs real-valued features; got X of shape {_shape_str(X.shape)} and complex dtype "
                f"{X.dtype}. " + _COMPLEX_FIX
            )
        elif X.dtype.kind != "f":
            raise InvalidInputError(
                f"{owner} needs numeric features; got X of dtype {X.dtype}. Encode the columns first "
                "(e.g. sklearn.preprocessing.OrdinalEncoder or OneHotEncoder)."
            )
        if not allow_nan and not np.all(np.isfinite(X)):
            bad = int(np.sum(~np.isfinite(X)))
            raise InvalidInputError(
                f"X passed to {owner} contains {bad} NaN or infinite value(s); impute or drop them first "
                "(e.g. sklearn.impute.SimpleImputer)."
            )
    return X


_COMPLEX_FIX = "Split complex values into real features first, e.g. np.hstack([X.real, X.imag])."


def _check_tensor_X(X: Any, *, owner: str, numeric: bool, allow_nan: bool) -> Any:
    """:func:`check_X` for a torch tensor kept on its device (samplers that compute in torch).

    The same checks and messages; integer and bool tensors become float64 when ``numeric``, as
    numpy input does; the values never leave the device (the finiteness test is one reduction).
    """
    import torch

    X = X.detach()
    if X.ndim != 2:
        raise InvalidInputError(
            f"{owner} expects a 2-D X of shape (n_samples, n_features); got a tensor of shape "
            f"{_shape_str(tuple(X.shape))}. Reshape it first, e.g. X.reshape(len(X), -1)."
        )
    if X.shape[0] == 0:
        raise InvalidInputError(
            f"{owner} got an empty X (0 rows); pass at least one sample per class."
        )
    if X.shape[1] == 0:
        raise InvalidInputError(f"{owner} got X with 0 features; pass at least one feature column.")
    if numeric:
        if X.is_complex():
            raise InvalidInputError(
                f"{owner} needs real-valued features; got a tensor of complex dtype {X.dtype}. "
                "Split complex values into real features first, e.g. torch.cat([X.real, X.imag], dim=1)."
            )
        if not X.is_floating_point():
            X = X.to(torch.float64)
        if not allow_nan:
            bad = int((~torch.isfinite(X)).sum())
            if bad:
                raise InvalidInputError(
                    f"X passed to {owner} contains {bad} NaN or infinite value(s); impute or drop them "
                    "first (e.g. sklearn.impute.SimpleImputer)."
                )
    return X


def check_target(
    y: Any,
    *,
    owner: str = "this estimator",
    min_classes: int = 2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a classification target.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
        Integer, string, bool or object labels. A column vector is accepted and flattened.
    owner : str
        Name used in messages.
    min_classes : int, default=2
        Raise when fewer distinct classes are present.

    Returns
    -------
    y : numpy.ndarray of shape (n_samples,)
        The labels as a 1-D array (a view when possible, never modified).
    classes : numpy.ndarray
        Sorted distinct labels.
    y_encoded : numpy.ndarray of int64
        ``classes[y_encoded] == y``.

    Raises
    ------
    InvalidInputError
        For empty, multi-output, continuous or single-class targets.
    """
    if isinstance(y, pd.DataFrame) and y.shape[1] != 1:
        raise InvalidInputError(
            f"{owner} supports a single target column; got a DataFrame with {y.shape[1]} columns. "
            "Resample each output separately or encode them into one label."
        )
    if y is None:
        raise InvalidInputError(f"{owner} needs class labels y; got None.")
    y = check_labels(y, owner=owner)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise InvalidInputError(
            f"{owner} supports a single target column; got y of shape {_shape_str(y.shape)} "
            "(multi-output or multilabel). Resample each output separately or combine them into one label."
        )
    if y.shape[0] == 0:
        raise InvalidInputError(
            f"{owner} got an empty y (0 labels); pass at least one sample per class."
        )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise InvalidInputError(
            f"y passed to {owner} contains NaN or infinity; drop the unlabelled rows first."
        )
    if y.dtype.kind == "O" and pd.isna(y).any():
        raise InvalidInputError(
            f"y passed to {owner} contains missing labels; drop the unlabelled rows first."
        )
    if y.dtype.kind == "f" and np.any(y != np.floor(y)):
        n_unique = len(np.unique(y))
        raise InvalidInputError(
            f"{owner} needs class labels but y looks continuous ({n_unique} distinct float values, "
            f"e.g. {short_repr(y[np.flatnonzero(y != np.floor(y))[0]])}). For a regression target use the regression tools "
            "(compare(..., task='regression'), SMOTER, SMOGN, lds_weights), or bin the target (pandas.cut), or cast "
            "integer-valued floats to int."
        )
    if y.dtype.kind == "c":
        raise InvalidInputError(f"{owner} needs class labels; got complex numbers in y.")
    classes, y_encoded = encode_labels(y, owner=owner)
    if len(classes) < min_classes:
        raise InvalidInputError(
            f"{owner} needs at least {min_classes} classes in y; got only class {short_repr(classes[0])} "
            f"({len(y)} samples). Check the target column, or that the data was not filtered to one class."
        )
    return y, classes, y_encoded


TargetKind = Literal["classes", "multilabel", "continuous"]
"""The three target types equipoise handles; every module dispatches on :func:`target_kind`."""


def target_kind(y: Any, *, owner: str = "this estimator") -> TargetKind:
    """Say which kind of target ``y`` is: the one place that dispatches on the target type.

    - ``"multilabel"``: a 2-D binary indicator matrix with at least two columns (numpy, scipy
      sparse, pandas DataFrame, torch tensor; values 0/1 or bool).
    - ``"continuous"``: a 1-D target of floats with at least one non-integer value.
    - ``"classes"``: anything else 1-D (or a single column): labels, integers, integer-valued floats.

    Integer-valued floats count as classes, as in :func:`check_target`; callers that know the
    target is a regression target (``compare(..., task="regression")``) say so instead of asking.

    Raises
    ------
    InvalidInputError
        For a 2-D target that is not a 0/1 indicator matrix (multi-output), or ``None``.

    Examples
    --------
    >>> target_kind([0, 1, 1])
    'classes'
    >>> target_kind([[1, 0], [0, 1], [1, 1]])
    'multilabel'
    >>> target_kind([0.5, 1.25, 3.0])
    'continuous'
    """
    if y is None:
        raise InvalidInputError(f"{owner} needs a target y; got None.")
    if sp.issparse(y):
        values = np.asarray(y.data)
        shape: tuple[int, ...] = tuple(y.shape)
    else:
        values = (
            as_numpy(y)
            if is_torch_tensor(y)
            else np.asarray(y.to_numpy() if isinstance(y, pd.DataFrame) else y)
        )
        shape = values.shape
    if len(shape) == 2 and shape[1] == 1:
        values, shape = values.ravel(), (shape[0],)
    if len(shape) == 2:
        binary = values.dtype.kind == "b" or (
            values.dtype.kind in "iuf" and bool(np.all((values == 0) | (values == 1)))
        )
        if not binary:
            raise InvalidInputError(
                f"{owner} got a 2-D target of shape {_shape_str(shape)} that is not a 0/1 indicator "
                "matrix (multi-output targets are not supported). Pass one column per label with "
                "values 0/1 for multi-label data, or one target column."
            )
        return "multilabel"
    if len(shape) != 1:
        raise InvalidInputError(
            f"{owner} needs a 1-D target or a 2-D indicator matrix; got shape {_shape_str(shape)}."
        )
    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        if finite.size and np.any(finite != np.floor(finite)):
            return "continuous"
    return "classes"


def check_continuous_target(
    y: Any, *, owner: str = "this estimator", min_samples: int = 2
) -> np.ndarray:
    """Validate a regression target and return it as a 1-D float64 array (a copy).

    Accepts numpy, lists, pandas Series / one-column DataFrames and torch tensors of real numbers
    (integers and bools are converted to float). A 2-D 0/1 indicator matrix is refused with the
    advice to use the multi-label tools (the dispatch of :func:`target_kind`).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, 1)
    owner : str
        Name used in messages.
    min_samples : int, default=2
        Raise when fewer values are given.

    Returns
    -------
    numpy.ndarray of float64, shape (n_samples,)

    Raises
    ------
    InvalidInputError
        For None, a multi-output target, non-numeric or complex values, NaN or infinity, or
        fewer than ``min_samples`` values.

    Examples
    --------
    >>> check_continuous_target([1, 2.5, 4])
    array([1. , 2.5, 4. ])
    """
    if y is None:
        raise InvalidInputError(f"{owner} needs a continuous target y; got None.")
    if np.ndim(y) == 0:
        raise InvalidInputError(
            f"{owner} needs one target value per sample; got a single value ({short_repr(y)})."
        )
    values = check_labels(y, owner=owner)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1:
        kind = (
            "a 0/1 indicator matrix (multi-label)"
            if values.ndim == 2 and target_kind(values, owner=owner) == "multilabel"
            else "a multi-output target"
        )
        raise InvalidInputError(
            f"{owner} needs a 1-D continuous target; got y of shape {_shape_str(values.shape)}, "
            f"{kind}. Pass one target column."
        )
    if values.dtype.kind == "c":
        raise InvalidInputError(f"{owner} needs real target values; got complex numbers in y.")
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"{owner} needs a numeric continuous target; y has non-numeric values (e.g. {first_non_numeric(values)}). "
                "Encode the target as numbers (a classification target belongs to the class tools)."
            ) from None
    out = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        bad = int(np.sum(~np.isfinite(out)))
        raise InvalidInputError(
            f"y passed to {owner} contains {bad} NaN or infinite value(s); drop those rows or impute the target first."
        )
    if out.shape[0] < min_samples:
        raise InvalidInputError(
            f"{owner} needs at least {min_samples} target values; got {out.shape[0]}."
        )
    return out


def encode_labels(y: np.ndarray, *, owner: str = "this estimator") -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct labels and each row's position among them (int64), in O(n) for small ints.

    Equivalent to ``numpy.unique(y, return_inverse=True)``; non-negative integer labels with a
    modest range (the common case) take a bincount path instead of a sort. Labels that cannot be
    ordered (strings mixed with numbers in an object array) raise the error of
    :func:`check_labels`.
    """
    if y.dtype.kind in "iu" and y.size:
        low, high = int(y.min()), int(y.max())
        if low >= 0 and high <= max(4 * y.size, 1024):
            present = np.bincount(y, minlength=high + 1) > 0
            classes = np.flatnonzero(present).astype(y.dtype)
            lookup = np.cumsum(present) - 1
            return classes, lookup[y].astype(np.int64, copy=False)
    try:
        classes, y_encoded = np.unique(y, return_inverse=True)
    except TypeError:
        raise _mixed_labels_error(y, owner, "y") from None
    return classes, y_encoded.astype(np.int64, copy=False).ravel()


# Kinds of label that order among themselves: numbers (bool, int, float), strings, bytes.
def _label_kind(value: Any) -> str:
    if isinstance(value, (numbers.Real, np.bool_)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes):
        return "bytes"
    return type(value).__name__


def _mixed_labels_error(values: Any, owner: str, name: str) -> InvalidInputError:
    seen: dict[str, None] = {}
    for v in itertools.islice(
        values.ravel() if isinstance(values, np.ndarray) else values, 100_000
    ):
        if v is None or (isinstance(v, float) and v != v):
            continue
        seen.setdefault(type(_py(v)).__name__, None)
        if len(seen) >= 6:
            break
    return InvalidInputError(
        f"{name} passed to {owner} mixes label types ({', '.join(seen)}): labels must be all numbers or "
        f"all strings to be sorted and counted. Cast them to one type first, e.g. {name}.astype(str) "
        f"(numpy, pandas) or [str(v) for v in {name}] (a list)."
    )


def check_labels(values: Any, *, owner: str = "this estimator", name: str = "y") -> np.ndarray:
    """Labels as a numpy array, refusing a mix of label types (the one rule for every entry point).

    Lists, tuples, numpy object arrays and pandas object Series whose labels mix numbers with
    strings (or other kinds that cannot be ordered together, e.g. ``[0, 'a', 2.5]``) raise a clear
    :class:`InvalidInputError` instead of being silently turned into strings (lists) or failing
    in a sort (arrays). Numbers of different types (bool, int, float) mix freely, as in numpy.
    Missing values are left for the caller to report. Torch tensors cannot mix types.

    Returns
    -------
    numpy.ndarray
        ``as_numpy(values)`` (for lists of mixed numbers, numpy's usual promotion).
    """
    if is_torch_tensor(values):
        return values.detach().cpu().numpy()
    if isinstance(values, (pd.Series, pd.DataFrame, pd.Index)):
        arr = values.to_numpy()
    elif isinstance(values, np.ndarray):
        arr = values
    else:
        if isinstance(values, (list, tuple)) and values and _is_mixed(values):
            raise _mixed_labels_error(values, owner, name)
        arr = np.asarray(values)
    if arr.dtype.kind == "O" and arr.size and _is_mixed(arr.ravel()):
        raise _mixed_labels_error(arr, owner, name)
    return arr


def _is_mixed(values: Any) -> bool:
    """Whether the labels mix kinds that cannot be ordered together (a C-speed type scan first)."""
    try:
        inferred = pd.api.types.infer_dtype(values, skipna=True)
    except (TypeError, ValueError):
        inferred = "mixed"
    if inferred not in ("mixed", "mixed-integer"):
        return False
    kinds = {_label_kind(v) for v in values if not (v is None or (isinstance(v, float) and v != v))}
    return len(kinds) > 1


def check_output_size(
    n_rows: int, n_features: int, itemsize: int, *, owner: str, what: str = "the resampled X"
) -> None:
    """Refuse a result that cannot fit in memory, before anything is allocated.

    The estimate is ``n_rows * n_features * itemsize`` bytes; above the memory this machine has
    available (``MemAvailable`` on Linux, else the physical memory) the call raises an
    :class:`InvalidParameterError` saying how much it would need, instead of a ``MemoryError``
    half-way (or the machine swapping).
    """
    needed = int(n_rows) * max(int(n_features), 1) * int(itemsize)
    available = _available_memory()
    if available is not None and needed > available:
        raise InvalidParameterError(
            f"{owner} would build {what} with {int(n_rows):,} rows x {int(n_features):,} columns, about "
            f"{needed / 2**30:,.1f} GiB, but this machine has about {available / 2**30:,.1f} GiB available. "
            "Ask for fewer samples (sampling_strategy / num_samples), or resample a subset."
        )


def _available_memory() -> int | None:
    """Bytes of memory available for new allocations (best effort; None when unknown).

    The smaller of the machine's ``MemAvailable`` and, inside a container, the room left under
    its cgroup (v2) limit.
    """
    found: list[int] = []
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as fh:
                found.append(max(int(limit) - int(fh.read().strip()), 0))
    except (OSError, ValueError):
        pass
    if found:
        return min(found)
    try:
        import os

        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        return None


def check_consistent_length(X: Any, y: Any, *, owner: str = "this estimator") -> None:
    """Raise when X and y do not have the same number of rows."""
    n_x = X.shape[0]
    if np.ndim(y) == 0:
        raise InvalidInputError(
            f"y passed to {owner} must hold one label per row of X; got a single value "
            f"({short_repr(y)}). Pass an array of {n_x} labels."
        )
    n_y = len(y)
    if n_x != n_y:
        raise InvalidInputError(
            f"X and y passed to {owner} have different lengths: X has {n_x} rows and y has {n_y} labels. "
            "They must describe the same samples, in the same order."
        )


def check_class_sizes(
    counts: Mapping[Any, int],
    needed: int,
    *,
    owner: str,
    parameter: str,
    value: int,
    classes: Sequence[Any] | None = None,
    alternative: str = "use RandomOverSampler",
) -> None:
    """Raise when a class is too small for a neighbour-based method.

    "The 'k_neighbors' parameter of SMOTE must be smaller than the number of samples of every
    class it over-samples; got 5. Class 'b' has 4 samples: lower k_neighbors or use
    RandomOverSampler."
    """
    check = counts if classes is None else {c: counts[c] for c in classes}
    for label, n in check.items():
        if n < needed:
            raise InvalidInputError(
                f"The {short_repr(parameter)} parameter of {owner} must be smaller than the number of samples of "
                f"every class it works on; got {value}. Class {short_repr(label)} has {n} sample(s): "
                + (
                    f"lower {parameter} to at most {n - 1} or {alternative}."
                    if n >= 2
                    else f"{alternative}."
                )
            )


def label_counts(y_encoded: np.ndarray, classes: np.ndarray) -> dict[Any, int]:
    """``{label: count}`` in sorted label order, labels as Python scalars where possible."""
    counts = np.bincount(y_encoded, minlength=len(classes))
    return {_py(c): int(n) for c, n in zip(classes, counts)}


def _py(value: Any) -> Any:
    """numpy scalar -> Python scalar (so dict keys print as 'b', not np.str_('b'))."""
    return value.item() if isinstance(value, np.generic) else value


def check_indicator_target(
    y: Any, *, owner: str = "this estimator"
) -> tuple[np.ndarray, list[Any]]:
    """Validate a multi-label target: a binary indicator matrix, one column per label.

    Accepts a numpy array, a scipy sparse matrix, a pandas DataFrame (its column names are the
    label names) or a torch tensor, with values 0/1 or bool. The kind is decided by
    :func:`target_kind`, the one dispatch on target type.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_labels)
    owner : str
        Name used in messages.

    Returns
    -------
    Y : numpy.ndarray of uint8, shape (n_samples, n_labels)
        A new array (the input is never modified).
    label_names : list
        The DataFrame's column names, else ``[0, 1, ..., n_labels - 1]``.

    Raises
    ------
    InvalidInputError
        For values other than 0/1, fewer than two label columns (use the single-label API),
        no rows, or a 1-D target.

    Warns
    -----
    UserWarning
        For a label with no positive row (it cannot be learned or balanced).

    Examples
    --------
    >>> Y, names = check_indicator_target([[1, 0], [0, 1], [1, 1]])
    >>> Y.dtype, names
    (dtype('uint8'), [0, 1])
    """
    import warnings

    if y is None:
        raise InvalidInputError(f"{owner} needs a label indicator matrix Y; got None.")
    if isinstance(y, (list, tuple)):
        try:
            y = np.asarray(y)
        except ValueError:
            raise InvalidInputError(
                f"{owner} needs a label indicator matrix Y of shape (n_samples, n_labels); its rows "
                "have different lengths."
            ) from None
    shape = tuple(y.shape) if hasattr(y, "shape") else np.shape(y)
    if len(shape) != 2 or shape[1] < 2:
        raise InvalidInputError(
            f"{owner} needs a multi-label indicator matrix Y with at least two label columns; got shape "
            f"{_shape_str(shape)}. For one label per sample use the single-label API (a 1-D y of class labels)."
        )
    if shape[0] == 0:
        raise InvalidInputError(f"{owner} got an empty Y (0 rows); pass at least one sample.")
    names: list[Any] = list(range(shape[1]))
    if sp.issparse(y):
        values = np.asarray(y.toarray())
    elif isinstance(y, pd.DataFrame):
        names = [_py(c) for c in y.columns]
        values = y.to_numpy()
    elif is_torch_tensor(y):
        values = as_numpy(y)
    else:
        values = np.asarray(y)
    if values.dtype.kind == "O":  # a DataFrame mixing bool and int columns, nullable columns
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            values = np.full(values.shape, np.nan)
    kind = target_kind(values, owner=owner)
    if kind != "multilabel":  # target_kind raises for non-binary 2-D targets; kept as a guard
        raise InvalidInputError(
            f"{owner} needs a multi-label indicator matrix Y; got a {kind} target."
        )
    Y = np.ascontiguousarray(values, dtype=np.uint8)
    empty = np.flatnonzero(Y.sum(axis=0) == 0)
    if len(empty):
        shown = ", ".join(short_repr(names[j]) for j in empty[:5])
        warnings.warn(
            f"{owner}: {len(empty)} label(s) have no positive row ({shown}{', ...' if len(empty) > 5 else ''}); "
            "they cannot be learned or balanced. Drop those columns or check the label encoding.",
            UserWarning,
            stacklevel=2,
        )
    return Y, names
