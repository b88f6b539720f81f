"""Integrations with training frameworks, each behind an optional extra.

===============================================  ==================================
module                                           install
===============================================  ==================================
:mod:`equipoise.integrations.lightning`          ``pip install 'equipoise[lightning]'``
:mod:`equipoise.integrations.transformers`       ``pip install 'equipoise[transformers]'``
:mod:`equipoise.integrations.skorch`             ``pip install 'equipoise[skorch]'``
===============================================  ==================================

They import the library, never the other way round; importing one without its framework
raises an ``ImportError`` that names the extra to install.
"""

__all__ = ["lightning", "transformers", "skorch"]

try:
    import torch  # noqa: F401  (every integration needs the extra equipoise[torch])
except ModuleNotFoundError as _exc:
    from .._extras import missing_dependency

    raise missing_dependency("torch", "equipoise.integrations", cause=_exc) from None
