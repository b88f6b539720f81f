"""The one error for a missing optional framework (see :mod:`equipoise._extras`)."""

from __future__ import annotations

import importlib
from typing import Any

from ..exceptions import MissingDependencyError

__all__ = ["require"]


def require(module: str, extra: str, what: str) -> Any:
    """Import ``module`` or raise a :class:`~equipoise.exceptions.MissingDependencyError` (an
    ``ImportError``) naming ``pip install 'equipoise[extra]'``.

    Typed ``Any`` (not ``ModuleType``): callers subclass and call the framework's classes
    (``pl.Callback``), which a type checker can only see through the imported module itself.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"equipoise.integrations.{extra} needs {what}, which is not installed: "
            f"pip install 'equipoise[{extra}]'"
        ) from exc
