"""equipoise: train deep-learning models on imbalanced data.

Measure the imbalance (:func:`profile`), fix it where it can be fixed (``equipoise.resample``,
``equipoise.weights``, ``equipoise.losses``, ``equipoise.samplers``, ``equipoise.posthoc``), judge
fairly (``equipoise.metrics``), and choose on your own data (``equipoise.compare``).
"""

from __future__ import annotations

from .profile import ClassProfile, profile

__version__ = "0.1.0"

__all__ = ["ClassProfile", "profile", "__version__"]
