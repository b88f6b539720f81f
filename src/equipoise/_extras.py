"""The one error for a missing optional dependency, and the extra that installs it.

The base install (numpy, scipy, scikit-learn, pandas, joblib, threadpoolctl, narwhals) runs
the resamplers, metrics, weights, profile, pipeline, ensembles and datasets. Everything else
is an extra; a module that needs one calls :func:`require` (at its top when the whole module
needs it, inside a function otherwise), which raises :class:`MissingDependencyError` with the
``pip install`` line.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .exceptions import MissingDependencyError

__all__ = ["EXTRAS", "MissingDependencyError", "extra_for", "missing_dependency", "require"]

EXTRAS: dict[str, tuple[str, str]] = {
    # top-level module -> (extra, what it is)
    "torch": ("torch", "torch"),
    "click": ("cli", "click"),
    "rich": ("cli", "rich"),
    "matplotlib": ("cli", "matplotlib"),
    "jinja2": ("cli", "Jinja2"),
    "pyarrow": ("parquet", "pyarrow"),
    "mlxtend": ("data", "mlxtend"),
    "dask": ("dask", "Dask"),
    "distributed": ("dask", "Dask's distributed scheduler"),
    "lightning": ("lightning", "PyTorch Lightning (the 'lightning' package)"),
    "transformers": ("transformers", "Hugging Face Transformers (and accelerate)"),
    "accelerate": ("transformers", "accelerate"),
    "skorch": ("skorch", "skorch"),
    "faiss": ("faiss", "faiss-cpu"),
}
"""Which extra installs each optional top-level module."""


def extra_for(module: str | None) -> str | None:
    """The extra that installs ``module`` (a dotted name; its top level is looked up), or None."""
    if not module:
        return None
    entry = EXTRAS.get(module.split(".")[0])
    return entry[0] if entry else None


def missing_dependency(
    module: str, what: str, *, extra: str | None = None, cause: ImportError | None = None
) -> MissingDependencyError:
    """The error ``"<what> needs <module>: pip install 'equipoise[<extra>]'"``.

    With ``cause`` (the ``ModuleNotFoundError`` caught), a cause that is about another module
    than ``module`` (a broken install, not a missing extra) is raised again unchanged.

    Examples
    --------
    >>> print(missing_dependency("torch", "equipoise.losses"))
    equipoise.losses needs torch, which is not installed: pip install 'equipoise[torch]'
    """
    top = module.split(".")[0]
    if cause is not None and (getattr(cause, "name", None) or "").split(".")[0] != top:
        raise cause
    extra = extra or extra_for(top) or top
    name = EXTRAS.get(top, (extra, top))[1]
    error = MissingDependencyError(
        f"{what} needs {name}, which is not installed: pip install 'equipoise[{extra}]'"
    )
    error.name = top
    return error


def require(module: str, what: str, *, extra: str | None = None) -> ModuleType:
    """Import ``module``, or raise :class:`MissingDependencyError` naming the extra.

    Only a module that is *absent* is turned into that error; one that is installed but fails
    to import (a broken build) raises its own error unchanged.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"torch"`` or ``"lightning.pytorch"``.
    what : str
        Who needs it, for the message (``"equipoise.losses"``).
    extra : str, optional
        The extra to name; default: looked up from the module's top-level name in :data:`EXTRAS`.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise missing_dependency(module, what, extra=extra, cause=exc) from None
