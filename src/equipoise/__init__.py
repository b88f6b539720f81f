"""equipoise: train deep-learning models on imbalanced data.

Measure the imbalance (:func:`profile`), fix it where it can be fixed (``equipoise.resample``,
``equipoise.weights``, ``equipoise.losses``, ``equipoise.samplers``, ``equipoise.online``,
``equipoise.posthoc``, ``equipoise.decoupled``), judge fairly (``equipoise.metrics``), and choose on
your own data (:func:`compare`, or ``equipoise compare`` on the command line).

The handful of names most users need are importable from here; the heavier ones (anything that
imports torch) load on first use, so ``import equipoise`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from .profile import ClassProfile, profile

__version__ = "0.1.0"

# The library logs long work (comparisons, resampling of large inputs, dataset loading) to
# logging.getLogger("equipoise"); silent unless the application configures logging
# (`equipoise -v` on the command line).
logging.getLogger("equipoise").addHandler(logging.NullHandler())

# name -> module that defines it, imported on first access
_LAZY = {
    "compare": "equipoise.compare",
    "imbalance_report": "equipoise.metrics",
    "class_weights": "equipoise.weights",
    "load_dataset": "equipoise.datasets",
    "load_example": "equipoise.datasets",
    "make_resampler": "equipoise.resample",
    "make_loss": "equipoise.losses",
    "make_sampler": "equipoise.samplers",
}

__all__ = ["ClassProfile", "profile", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'equipoise' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
