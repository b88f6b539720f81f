"""The one error for a missing optional framework (see :mod:`equipoise._extras`)."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..exceptions import MissingDependencyError

__all__ = ["require"]


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import ``module`` or raise a :class:`~equipoise.exceptions.MissingDependencyError` (an
    ``ImportError``) naming ``pip install 'equipoise[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"equipoise.integrations.{extra} needs {what}, which is not installed: "
            f"pip install 'equipoise[{extra}]'"
        ) from exc
