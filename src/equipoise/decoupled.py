"""Decoupled training (Kang et al. 2020): keep the representation, re-balance the classifier.

Kang et al. found that a backbone trained with plain instance-balanced sampling learns good
features even on long-tailed data; what the imbalance spoils is the classifier. Two cheap fixes
on top of a trained model:

- :func:`retrain_classifier` (cRT): freeze the backbone, re-initialise the linear head and
  re-train only the head with class-balanced sampling, for a budget of optimiser steps;
- :func:`tune_tau` (tau-normalisation): rescale the head's class rows by ``1 / ||w||^tau``
  (:func:`equipoise.posthoc.tau_normalize`), with tau picked on validation data.
"""

from __future__ import annotations

import math
from collections.abc import Sized
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._types import ArrayLike
from ._validation import Interval, is_torch_tensor, resolve_device, validate_params
from .exceptions import InvalidInputError, InvalidParameterError
from .metrics import get_metric
from .posthoc import tau_normalize

__all__ = ["retrain_classifier", "TauSearchResult", "tune_tau", "CRT_MIN_STEPS"]

CRT_MIN_STEPS = 500
"""Fewest optimiser steps :func:`retrain_classifier` takes by default (see ``steps``)."""

_RETRAIN_CONSTRAINTS: dict[str, list] = {
    "steps": [Interval(int, 1, None, closed="left"), None],
    "epochs": [Interval(int, 1, None, closed="left"), None],
    "batch_size": [Interval(int, 1, None, closed="left")],
    "lr": [Interval(float, 0, None, closed="neither")],
    "momentum": [Interval(float, 0, 1, closed="left")],
    "weight_decay": [Interval(float, 0, None, closed="left")],
    "q": [Interval(float, 0, 1, closed="both")],
    "reinit": ["boolean"],
    "seed": [Interval(int, 0, None, closed="left"), None],
}


def _reinit_linear(head: Any, generator: Any) -> None:
    """Re-draw an ``nn.Linear``'s parameters with PyTorch's default scheme, from ``generator``."""
    import torch

    with torch.no_grad():
        torch.nn.init.kaiming_uniform_(head.weight, a=math.sqrt(5), generator=generator)
        if head.bias is not None:
            bound = 1.0 / math.sqrt(head.in_features) if head.in_features > 0 else 0.0
            torch.nn.init.uniform_(head.bias, -bound, bound, generator=generator)


def _as_dataset(data: Any, labels: Any, owner: str) -> tuple[Any, np.ndarray]:
    """Return a Dataset of (x, y) pairs and the labels (int64 numpy) in dataset order."""
    import torch
    from torch.utils.data import Dataset, TensorDataset

    if labels is None and isinstance(data, Dataset):
        from .samplers._labels import _dataset_labels

        labels = _dataset_labels(data, owner)
        if labels is None:
            raise InvalidInputError(
                f"{owner} needs the label of every dataset row for class-balanced sampling; pass "
                "labels=... (the dataset has no get_labels(), 'targets' or 'labels' and is not a "
                "TensorDataset or Subset of one)."
            )
    if labels is None:
        raise InvalidInputError(f"{owner} needs labels=... when data is a tensor or array.")
    y = labels.detach().cpu().numpy() if is_torch_tensor(labels) else np.asarray(labels)
    y = y.ravel()
    if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)):
        raise InvalidInputError(
            f"labels passed to {owner} must be integer class indices (the head's output index); "
            f"got dtype {y.dtype}. Encode them first, e.g. numpy.unique(y, return_inverse=True)."
        )
    y = y.astype(np.int64)
    if isinstance(data, Dataset):
        if not isinstance(data, Sized):
            raise InvalidInputError(
                f"data passed to {owner} must be a map-style Dataset with a length; got "
                f"{type(data).__name__}, which has no __len__."
            )
        if len(data) != len(y):
            raise InvalidInputError(
                f"data passed to {owner} has {len(data)} rows but labels has {len(y)} entries."
            )
        return data, y
    if is_torch_tensor(data):
        x = data
    else:  # numpy float64 becomes torch's default dtype, as nn.Linear weights are
        arr = np.asarray(data)
        x = torch.as_tensor(arr)
        if x.is_floating_point():
            x = x.to(torch.get_default_dtype())
    if x.shape[0] != len(y):
        raise InvalidInputError(
            f"data passed to {owner} has {x.shape[0]} rows but labels has {len(y)} entries."
        )
    return TensorDataset(x, torch.as_tensor(y)), y


def retrain_classifier(
    backbone: Any,
    head: Any,
    data: Any,
    labels: ArrayLike | None = None,
    *,
    steps: int | None = None,
    epochs: int | None = None,
    batch_size: int = 128,
    lr: float = 0.1,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    q: float = 1.0,
    reinit: bool = True,
    device: Any = None,
    seed: int | None = None,
) -> Any:
    """Classifier re-training (cRT): re-train only the linear head with class-balanced batches.

    The backbone is put in ``eval()`` mode (frozen batch-norm statistics), its features are
    computed under ``torch.no_grad()`` and it is never updated; its previous train/eval mode is
    restored at the end. The head is optionally re-initialised (the paper's cRT does), then
    trained with cross-entropy, SGD with momentum and a cosine learning-rate schedule over
    ``epochs`` epochs, each epoch drawing ``len(data)`` rows from
    :class:`equipoise.samplers.ClassBalancedSampler` with exponent ``q`` (class :math:`j` drawn
    with probability :math:`\\propto n_j^{1-q}`; ``q=1`` class-balanced as in the paper).

    Features that were already extracted can be passed as ``data`` with
    ``backbone=torch.nn.Identity()``, which is the fastest way on CPU.

    Parameters
    ----------
    backbone : torch.nn.Module
        The trained feature extractor; ``backbone(x)`` returns (batch, in_features) features.
    head : torch.nn.Linear
        The classifier; trained in place and returned.
    data : torch.utils.data.Dataset, torch.Tensor or numpy.ndarray
        Training inputs. A Dataset must yield ``(x, y)`` pairs.
    labels : array-like of int, optional
        Class index (0 .. out_features - 1) of every row, in order; optional for a Dataset with
        a ``targets`` attribute.
    steps : int, optional
        Optimiser steps. Default: ``max(500, 10 * ceil(len(data) / batch_size))``.
    epochs : int, optional
        The budget as epochs instead (``epochs * ceil(len(data) / batch_size)`` steps); exclusive
        with ``steps``.
    batch_size : int, default=128
    lr, momentum, weight_decay : float, default=0.1, 0.9, 5e-4
        SGD settings; the learning rate follows a cosine schedule down to 0.
    q : float in [0, 1], default=1.0
        Sampling exponent of ``ClassBalancedSampler``.
    reinit : bool, default=True
        Re-initialise the head (PyTorch's default ``nn.Linear`` scheme) before re-training.
    device : str or torch.device, optional
        Where to train; default: where the head's parameters are. Backbone and head are moved
        there (in place, as ``Module.to`` does).
    seed : int, optional
        Seeds the re-initialisation and the sampler; same seed, same head. None: drawn from
        torch's default generator.

    Returns
    -------
    torch.nn.Linear
        ``head``, re-trained.

    References
    ----------
    .. [1] Kang, B., Xie, S., Rohrbach, M., Yan, Z., Gordo, A., Feng, J. & Kalantidis, Y.
       (2020). Decoupling representation and classifier for long-tailed recognition. ICLR.

    Examples
    --------
    >>> import torch
    >>> features = torch.randn(200, 8)
    >>> labels = (features[:, 0] > 1.0).long()  # about 16% positives
    >>> head = retrain_classifier(torch.nn.Identity(), torch.nn.Linear(8, 2), features, labels,
    ...                           steps=30, seed=0)
    >>> head.weight.shape
    torch.Size([2, 8])
    """
    import torch
    from torch.utils.data import DataLoader

    from .samplers import ClassBalancedSampler

    owner = "retrain_classifier"
    if not isinstance(backbone, torch.nn.Module):
        raise InvalidInputError(
            f"{owner} expects the backbone to be a torch.nn.Module; got {type(backbone).__name__}."
        )
    if not isinstance(head, torch.nn.Linear):
        raise InvalidInputError(
            f"{owner} expects the head to be a torch.nn.Linear; got {type(head).__name__}."
        )
    validate_params(
        owner,
        {
            "steps": steps,
            "epochs": epochs,
            "batch_size": batch_size,
            "lr": lr,
            "momentum": momentum,
            "weight_decay": weight_decay,
            "q": q,
            "reinit": reinit,
            "seed": seed,
        },
        _RETRAIN_CONSTRAINTS,
    )
    if steps is not None and epochs is not None:
        raise InvalidParameterError(
            f"{owner} takes its budget as 'steps' or as 'epochs', not both; got steps={steps} and "
            f"epochs={epochs}."
        )
    dataset, y = _as_dataset(data, labels, owner)
    steps_per_epoch = -(-len(y) // batch_size)
    if steps is None:
        steps = (
            epochs * steps_per_epoch
            if epochs is not None
            else max(CRT_MIN_STEPS, 10 * steps_per_epoch)
        )
    if y.min() < 0 or y.max() >= head.out_features:
        raise InvalidInputError(
            f"labels passed to {owner} must be class indices in [0, {head.out_features - 1}] "
            f"(the head has {head.out_features} outputs); got values from {y.min()} to {y.max()}."
        )
    dev = head.weight.device if device is None else resolve_device(device)
    backbone.to(dev)
    head.to(dev)
    if reinit:
        gen = None
        if seed is not None:
            gen = torch.Generator(device=head.weight.device).manual_seed(seed)
        _reinit_linear(head, gen)

    sampler = ClassBalancedSampler(y, q=q, seed=seed)
    batches = _batches(dataset, sampler, batch_size, DataLoader)
    optimizer = torch.optim.SGD(
        head.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay
    )
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    backbone_was_training, head_was_training = backbone.training, head.training
    backbone.eval()
    head.train()
    try:
        done = 0
        while done < steps:  # each pass is a fresh epoch of the sampler
            for x, target in batches():
                x, target = x.to(dev), target.to(dev, dtype=torch.long)
                with torch.no_grad():
                    features = backbone(x)
                loss = torch.nn.functional.cross_entropy(head(features), target)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                scheduler.step()
                done += 1
                if done == steps:
                    break
    finally:
        backbone.train(backbone_was_training)
        head.train(head_was_training)
    return head


def _batches(dataset: Any, sampler: Any, batch_size: int, loader_cls: Any) -> Any:
    """A callable giving one pass of ``(x, y)`` batches drawn by ``sampler``.

    In-memory tensors (what arrays and tensors become) are sliced with the pass's indices;
    other datasets go through a ``DataLoader``, item by item.
    """
    import torch
    from torch.utils.data import TensorDataset

    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        x_all, y_all = dataset.tensors

        def tensor_pass() -> Any:
            order = torch.as_tensor(list(sampler), dtype=torch.long)
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                yield x_all[idx], y_all[idx]

        return tensor_pass
    loader = loader_cls(dataset, batch_size=batch_size, sampler=sampler)
    return lambda: iter(loader)


@dataclass(frozen=True)
class TauSearchResult:
    """Result of :func:`tune_tau`.

    Attributes
    ----------
    best_tau : float
        The tau with the highest validation score (the smallest on ties).
    best_score : float
    scores : pandas.Series
        Validation score per tau (index named ``"tau"``).
    metric : str
    """

    best_tau: float
    best_score: float
    scores: pd.Series
    metric: str


def _to_numpy_2d(values: Any, name: str, owner: str) -> np.ndarray:
    arr = values.detach().cpu().numpy() if is_torch_tensor(values) else np.asarray(values)
    if arr.ndim != 2:
        raise InvalidInputError(f"{name} passed to {owner} must be 2-D; got shape {arr.shape}.")
    return arr.astype(np.float64, copy=False)


def tune_tau(
    weight: Any,
    features_val: ArrayLike,
    y_val: ArrayLike,
    taus: ArrayLike | None = None,
    metric: str = "balanced_accuracy",
    *,
    bias: ArrayLike | None = None,
) -> TauSearchResult:
    """Pick the tau of tau-normalisation on validation data.

    For each ``tau`` in the grid, predict :math:`\\arg\\max_c \\tilde w_c^\\top f (+ b_c)` with
    :math:`\\tilde w_c = w_c / \\lVert w_c \\rVert^\\tau` (:func:`equipoise.posthoc.tau_normalize`)
    and score the predictions with ``metric``; Kang et al. (2020) choose tau this way on a
    validation split. Apply the winner with ``tau_normalize_(head, result.best_tau)``.

    Parameters
    ----------
    weight : torch.nn.Linear, torch.Tensor or numpy.ndarray of shape (n_classes, n_features)
    features_val : array-like of shape (n_samples, n_features)
        Backbone features of the validation rows.
    y_val : array-like of int, shape (n_samples,)
        Class indices (rows of ``weight``).
    taus : array-like of float >= 0, default=numpy.linspace(0, 2, 21)
    metric : str, default="balanced_accuracy"
        A label-based name from :data:`equipoise.metrics.METRICS`.
    bias : array-like of shape (n_classes,), optional
        Added to the scores when given (e.g. ``head.bias``); the bias of an ``nn.Linear`` is
        *not* used unless passed here, as in the paper's formula, which has none.

    Returns
    -------
    TauSearchResult

    References
    ----------
    .. [1] Kang, B. et al. (2020). Decoupling representation and classifier for long-tailed
       recognition. ICLR.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[4.0, 0.0], [0.0, 1.0]])  # the frequent class 0 has the larger norm
    >>> F = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 0.0], [2.0, 0.5]])
    >>> res = tune_tau(W, F, [1, 1, 0, 0], taus=[0.0, 1.0])
    >>> res.best_tau, res.scores.tolist()
    (1.0, [0.5, 1.0])
    """
    owner = "tune_tau"
    m = get_metric(metric)
    if m.needs_score:
        raise InvalidInputError(f"{owner} scores predicted labels; metric {m.name!r} ranks scores.")
    grid = np.linspace(0.0, 2.0, 21) if taus is None else np.asarray(taus, dtype=np.float64).ravel()
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise InvalidInputError(
            f"The 'taus' passed to {owner} must be finite values >= 0; got {grid.tolist()}."
        )
    w = tau_normalize(weight, 0.0)
    w = _to_numpy_2d(w, "weight", owner)
    feats = _to_numpy_2d(features_val, "features_val", owner)
    if feats.shape[1] != w.shape[1]:
        raise InvalidInputError(
            f"features_val passed to {owner} has {feats.shape[1]} features but the weight expects {w.shape[1]}."
        )
    y = y_val.detach().cpu().numpy() if is_torch_tensor(y_val) else np.asarray(y_val)
    y = y.ravel().astype(np.int64)
    if len(y) != len(feats):
        raise InvalidInputError(f"y_val and features_val passed to {owner} have different lengths.")
    if y.min() < 0 or y.max() >= w.shape[0]:
        raise InvalidInputError(
            f"y_val passed to {owner} must hold class indices in [0, {w.shape[0] - 1}]; got {y.min()}..{y.max()}."
        )
    b = (
        0.0
        if bias is None
        else _to_numpy_2d(
            (bias.detach() if is_torch_tensor(bias) else np.asarray(bias)).reshape(1, -1),
            "bias",
            owner,
        )
    )
    classes = np.arange(w.shape[0])
    scores = []
    for tau in grid:
        pred = np.argmax(feats @ tau_normalize(w, float(tau)).T + b, axis=1)
        scores.append(m.func(y, pred, None, classes))
    series = pd.Series(scores, index=pd.Index(grid, name="tau"), name=m.name)
    best = int(np.nanargmax(series.to_numpy()))
    return TauSearchResult(float(grid[best]), float(series.iloc[best]), series, m.name)
