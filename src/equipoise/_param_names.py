"""scikit-learn's parameter names, read once per class.

``BaseEstimator._get_param_names`` reads the keywords of ``__init__`` with
:func:`inspect.signature` on every call, and ``get_params``, ``set_params`` and ``clone`` all
call it: a :class:`~equipoise.ensemble.BalancedRandomForestClassifier` of 100 trees calls it
about 800 times per fit (each tree and its sampler are cloned, seeded and validated). A class's
``__init__`` signature does not change, so :class:`CachedParamNames` computes it once.
"""

from __future__ import annotations

__all__ = ["CachedParamNames"]


class CachedParamNames:
    """Mixin before a scikit-learn base class: ``_get_param_names`` computed once per class
    (the same sorted list; a class that scikit-learn refuses, with ``*args`` in its
    ``__init__``, still raises, at every call)."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        names = _NAMES.get(cls)
        if names is None:
            names = _NAMES[cls] = tuple(super()._get_param_names())  # type: ignore[misc]
        return list(names)


_NAMES: dict[type, tuple[str, ...]] = {}
