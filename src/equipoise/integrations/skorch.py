"""skorch: equipoise losses as ``criterion`` with probabilities from ``predict_proba``, and samplers.

``pip install 'equipoise[skorch]'``. skorch's ``NeuralNetClassifier`` turns outputs into
probabilities only for ``torch.nn.CrossEntropyLoss`` (softmax) and the BCE losses; with any
other criterion ``predict_proba`` returns the raw module outputs (logits).
:class:`ImbalancedNeuralNetClassifier` knows the equipoise losses (:func:`predict_nonlinearity`)
and draws its training batches with an equipoise sampler built, at every fit, from the labels
of the *training split* (skorch's internal ``ValidSplit`` holds some rows out: a sampler built
from the full ``y`` would draw them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch.utils.data import Sampler, Subset

from ..exceptions import InvalidParameterError
from ..losses import BinaryFocalLoss, LDAMLoss
from ..losses._common import LossModule
from ..samplers import make_sampler
from ..samplers._labels import _dataset_labels
from ._extras import require

if TYPE_CHECKING:  # type checkers read the framework itself; at run time it is an optional extra
    import skorch
else:
    skorch = require("skorch", "skorch", "skorch")

__all__ = ["ImbalancedNeuralNetClassifier", "predict_nonlinearity"]


def _softmax(x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    return torch.softmax(x * scale if scale != 1.0 else x, dim=-1)


def _sigmoid_two_columns(x: torch.Tensor) -> torch.Tensor:
    p = torch.sigmoid(x.reshape(-1))
    return torch.stack([1 - p, p], dim=1)


def predict_nonlinearity(loss: Any) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The function that turns a module's outputs into class probabilities for ``loss``.

    - :class:`~equipoise.losses.LDAMLoss`: ``softmax(s * x)``, the distribution the loss trains
      (the module outputs cosines; ``softmax(x)`` would be nearly uniform);
    - :class:`~equipoise.losses.BinaryFocalLoss`: ``sigmoid(x)`` as two columns ``[1 - p, p]``;
    - every other equipoise loss, and ``torch.nn.CrossEntropyLoss``: ``softmax(x)`` over the
      last dimension. For :class:`~equipoise.losses.LogitAdjustedLoss` and
      :class:`~equipoise.losses.BalancedSoftmaxLoss` this estimates the class posterior under a
      *uniform* prior (Menon et al. 2021); correct it to another prior with
      :mod:`equipoise.calibration`.

    Returns None for a loss it does not know.

    Parameters
    ----------
    loss : torch.nn.Module

    Examples
    --------
    >>> import torch
    >>> from equipoise.losses import LDAMLoss
    >>> f = predict_nonlinearity(LDAMLoss.from_counts([10, 1], s=30.0))
    >>> f(torch.tensor([[0.1, 0.0]])).sum().item()
    1.0
    """
    loss = getattr(loss, "_orig_mod", loss)  # torch.compile'd
    if isinstance(loss, LDAMLoss):
        return partial(_softmax, scale=loss.s)
    if isinstance(loss, BinaryFocalLoss):
        return _sigmoid_two_columns
    if isinstance(loss, (LossModule, torch.nn.CrossEntropyLoss)):
        return _softmax
    return None


def _split_labels(dataset: Any) -> np.ndarray:
    """Labels of a skorch training split: a skorch Dataset, or a Subset of one (ValidSplit)."""
    if isinstance(dataset, Subset):
        parent = _split_labels(dataset.dataset)
        return parent[np.asarray(dataset.indices, dtype=np.int64)]
    y = getattr(dataset, "y", None)
    if y is None:
        y = _dataset_labels(dataset, "ImbalancedNeuralNetClassifier")
    if y is None:
        raise InvalidParameterError(
            "ImbalancedNeuralNetClassifier cannot read the labels of its training data to build the "
            "sampler; fit it with y, or with a Dataset that has a 'y', 'targets' or 'labels' attribute."
        )
    return y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)


class ImbalancedNeuralNetClassifier(skorch.NeuralNetClassifier):
    """``skorch.NeuralNetClassifier`` for equipoise losses and samplers.

    Parameters
    ----------
    module, *args, **kwargs
        As ``skorch.NeuralNetClassifier``; ``criterion`` may be any equipoise loss class (with
        ``criterion__*`` parameters) or instance, e.g.
        ``criterion=LogitAdjustedLoss.from_counts(counts)``. The module returns logits.
    criterion : loss class or instance, default=equipoise.losses.CrossEntropyLoss
    sampler : str or callable, optional
        Draws the training batches: a :data:`~equipoise.samplers.SAMPLERS` name, built with
        ``make_sampler(name, labels, **sampler__params)`` (``sampler__seed=0``,
        ``sampler__q=0.5``, ``sampler__batch_size=...`` for batch samplers), or a callable
        ``labels -> Sampler``. It is built at every fit from the labels of the training split,
        after skorch's ``train_split`` has held the validation rows out, and told the epoch
        (``set_epoch(len(history) - 1)``) before every epoch, so ``partial_fit`` and
        ``warm_start`` continue its epochs. None: skorch's own iterator (shuffled batches).
    predict_nonlinearity : 'auto', callable or None, default='auto'
        'auto' uses :func:`predict_nonlinearity` for equipoise losses (so ``predict_proba``
        returns probabilities), skorch's own rule otherwise.

    Attributes
    ----------
    sampler_ : torch.utils.data.Sampler
        The sampler of the last fit.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from equipoise.losses import FocalLoss
    >>> X = np.random.default_rng(0).normal(size=(120, 4)).astype(np.float32)
    >>> y = (X[:, 0] > 1.0).astype(np.int64)
    >>> net = ImbalancedNeuralNetClassifier(
    ...     torch.nn.Linear(4, 2), criterion=FocalLoss, criterion__gamma=2.0, max_epochs=2,
    ...     sampler="class-balanced", sampler__seed=0, verbose=0)
    >>> proba = net.fit(X, y).predict_proba(X)
    >>> bool(np.allclose(proba.sum(axis=1), 1.0))
    True
    """

    prefixes_ = [*skorch.NeuralNetClassifier.prefixes_, "sampler"]

    def __init__(
        self, module: Any, *args: Any, criterion: Any = None, sampler: Any = None, **kwargs: Any
    ) -> None:
        if criterion is None:
            from ..losses import CrossEntropyLoss

            criterion = CrossEntropyLoss
        super().__init__(module, *args, criterion=criterion, **kwargs)
        self.sampler = sampler

    def _get_predict_nonlinearity(self) -> Callable[[torch.Tensor], torch.Tensor]:
        if self.predict_nonlinearity == "auto":
            self.check_is_fitted()
            criteria = getattr(self, "_criteria", ["criterion"])
            if len(criteria) == 1:
                found = predict_nonlinearity(getattr(self, criteria[0] + "_", None))
                if found is not None:
                    return found
        return super()._get_predict_nonlinearity()

    def _build_sampler(self, dataset: Any) -> Sampler:
        spec = self.sampler
        labels = _split_labels(dataset)
        params = self.get_params_for("sampler")
        if isinstance(spec, str):
            return make_sampler(spec, labels, **params)
        if isinstance(spec, Sampler) or not callable(spec):
            raise InvalidParameterError(
                "The 'sampler' parameter of ImbalancedNeuralNetClassifier must be a SAMPLERS name or a "
                "callable labels -> Sampler, built at fit time from the training split's labels (a sampler "
                f"built beforehand would draw the validation rows skorch holds out); got {type(spec).__name__}."
            )
        return spec(labels, **params)

    def get_iterator(self, dataset: Any, training: bool = False) -> Any:
        if not training or self.sampler is None:
            return super().get_iterator(dataset, training=training)
        if getattr(self, "_sampler_dataset", None) is not dataset:
            self.sampler_ = self._build_sampler(dataset)
            self._sampler_dataset = dataset
        sampler = self.sampler_
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(max(len(self.history) - 1, 0))
        kwargs = self.get_params_for("iterator_train")
        kwargs.pop("shuffle", None)
        if getattr(sampler, "yields_batches", False):
            kwargs.pop("batch_size", None)
            kwargs.pop("drop_last", None)
            kwargs["batch_sampler"] = sampler
        else:
            kwargs.setdefault("batch_size", self.batch_size)
            if kwargs["batch_size"] == -1:
                kwargs["batch_size"] = len(dataset)
            kwargs["sampler"] = sampler
        return self.iterator_train(dataset, **kwargs)
