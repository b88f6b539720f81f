"""The library's error classes.

Every error equipoise raises on bad input derives from :class:`EquipoiseError` and from the
built-in class a user would catch anyway (``ValueError``, ``TypeError``), so both
``except ValueError`` and ``except EquipoiseError`` work.
"""

from __future__ import annotations

__all__ = [
    "EquipoiseError",
    "InvalidParameterError",
    "InvalidInputError",
    "MissingDependencyError",
    "NotFittedError",
    "UnknownNameError",
]


class EquipoiseError(Exception):
    """Base class of every error raised by equipoise."""


class InvalidParameterError(EquipoiseError, ValueError):
    """A constructor or call parameter has a value outside what it accepts."""


class InvalidInputError(EquipoiseError, ValueError):
    """The data (X, y, labels, a file) cannot be used as given."""


class UnknownNameError(EquipoiseError, KeyError):
    """A name looked up in a registry (resampler, loss, recipe, dataset) does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain.
        return str(self.args[0]) if self.args else ""


class NotFittedError(EquipoiseError, AttributeError):
    """A fitted attribute was used before ``fit``/``fit_resample`` was called."""


class MissingDependencyError(EquipoiseError, ImportError):
    """An optional dependency is not installed; the message names the extra to install
    (``pip install 'equipoise[torch]'``)."""
