"""The correction for torch models: a module that turns a model's logits into corrected logits."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._types import ArrayLike
from .._validation import Interval, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError
from ._prior import check_prior

__all__ = ["PriorCorrection"]


def _module_base() -> type:
    try:
        import torch
    except ModuleNotFoundError as exc:  # pragma: no cover - torch is an extra
        from .._extras import missing_dependency

        raise missing_dependency("torch", "PriorCorrection", cause=exc) from None
    return torch.nn.Module


class PriorCorrection(_module_base()):  # type: ignore[misc]
    r"""``nn.Module`` applied to logits: :math:`z / T + b + \log \pi - \log \pi'`.

    Put it after a model trained on rebalanced data (``nn.Sequential(model, PriorCorrection(...))``):
    the softmax of its output is the posterior under ``target_prior`` (Saerens et al. 2002).
    A fitted :class:`TemperatureScaling` / :class:`BiasCorrectedTemperatureScaling` folds in
    with :meth:`from_calibrator`. Buffers (saved in ``state_dict``): ``log_ratio``,
    ``temperature``, ``bias``. Differentiable; works on any device and floating dtype.

    Parameters
    ----------
    train_prior : array-like of shape (n_classes,)
        :math:`\pi'`, the prior the logits reflect (:func:`induced_prior`).
    target_prior : array-like of shape (n_classes,)
        :math:`\pi`, the prior to move to.
    temperature : float > 0, default=1.0
    bias : array-like of shape (n_classes,), optional

    Examples
    --------
    >>> import torch
    >>> layer = PriorCorrection(train_prior=[0.5, 0.5], target_prior=[0.9, 0.1])
    >>> layer(torch.zeros(1, 2)).softmax(-1)
    tensor([[0.9000, 0.1000]])
    """

    def __init__(
        self,
        train_prior: ArrayLike,
        target_prior: ArrayLike,
        *,
        temperature: float = 1.0,
        bias: ArrayLike | None = None,
    ) -> None:
        import torch

        super().__init__()
        owner = "PriorCorrection"
        source = check_prior(train_prior, name="train_prior", owner=owner)
        target = check_prior(target_prior, len(source), name="target_prior", owner=owner)
        validate_params(
            owner,
            {"temperature": temperature},
            {
                "temperature": [
                    Interval(float, 0, None, closed="neither", description="a finite float > 0")
                ]
            },
        )
        b = np.zeros(len(source)) if bias is None else np.asarray(bias, dtype=np.float64).ravel()
        if b.shape != source.shape or not np.all(np.isfinite(b)):
            raise InvalidParameterError(
                f"The 'bias' parameter of {owner} must be {len(source)} finite numbers; got {b.tolist()}."
            )
        dtype = torch.get_default_dtype()
        self.register_buffer(
            "log_ratio", torch.as_tensor(np.log(target) - np.log(source), dtype=dtype)
        )
        self.register_buffer("temperature", torch.as_tensor(float(temperature), dtype=dtype))
        self.register_buffer("bias", torch.as_tensor(b, dtype=dtype))

    @classmethod
    def from_calibrator(
        cls, calibrator: Any, train_prior: ArrayLike, target_prior: ArrayLike
    ) -> PriorCorrection:
        """Fold a fitted scaling calibrator (its temperature and bias) into the module."""
        calibrator._check_fitted()
        return cls(
            train_prior,
            target_prior,
            temperature=calibrator.temperature_,
            bias=getattr(calibrator, "bias_", None),
        )

    def forward(self, logits: Any) -> Any:
        if logits.ndim == 0 or logits.shape[-1] != self.log_ratio.shape[0]:
            raise InvalidInputError(
                f"PriorCorrection expects logits with {self.log_ratio.shape[0]} classes in the last dimension; "
                f"got shape {tuple(logits.shape)}."
            )
        shift = (self.bias + self.log_ratio).to(dtype=logits.dtype)
        return logits / self.temperature.to(dtype=logits.dtype) + shift

    def extra_repr(self) -> str:
        return f"n_classes={self.log_ratio.shape[0]}, temperature={float(self.temperature):.4g}"
