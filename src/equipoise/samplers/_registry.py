"""The ``SAMPLERS`` registry and the factory the comparison runner uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch.utils.data import Sampler

from .._validation import short_repr
from ..exceptions import InvalidParameterError
from ..registry import Registry

__all__ = ["SAMPLERS", "make_sampler", "dataloader_kwargs"]

SAMPLERS: Registry[Callable[..., Sampler]] = Registry("batch sampler")
"""Name -> callable ``(labels, **params) -> Sampler``; filled next to each class."""


def make_sampler(name: str, labels: Any, **params: Any) -> Sampler:
    """Build the sampler registered as ``name`` for ``labels``.

    Parameters
    ----------
    name : str
        One of ``SAMPLERS.names()``: 'class-balanced', 'square-root', 'instance-balanced',
        'progressive', 'balanced-batch', 'distributed-class-balanced'.
    labels : array-like of shape (n_samples,)
        The training labels, in dataset order.
    **params
        Passed to the sampler (``q``, ``num_samples``, ``batch_size``, ``seed``, ...).

    Returns
    -------
    torch.utils.data.Sampler
        Pass it to ``DataLoader`` with :func:`dataloader_kwargs`.

    Raises
    ------
    UnknownNameError
        If ``name`` is not registered (the message lists the known names).
    InvalidParameterError
        If a parameter is unknown to the sampler or a required one is missing.

    Examples
    --------
    >>> s = make_sampler("square-root", [0, 0, 0, 1], seed=0)
    >>> len(s)
    4
    """
    factory = SAMPLERS.get(name)
    try:
        return factory(labels, **params)
    except TypeError as exc:
        raise InvalidParameterError(
            f"cannot build batch sampler {short_repr(name)}: {exc}."
        ) from None


def dataloader_kwargs(sampler: Sampler) -> dict[str, Sampler]:
    """``{"batch_sampler": s}`` for samplers that yield batches, ``{"sampler": s}`` otherwise.

    Examples
    --------
    >>> s = make_sampler("balanced-batch", [0, 0, 1, 1], batch_size=2, seed=0)
    >>> list(dataloader_kwargs(s))
    ['batch_sampler']
    """
    key = "batch_sampler" if getattr(sampler, "yields_batches", False) else "sampler"
    return {key: sampler}
