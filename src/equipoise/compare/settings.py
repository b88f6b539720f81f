"""How every model of a comparison is trained and selected: :class:`TrainSettings`.

The settings are the same for every recipe, so the comparison is fair:

- **one budget of optimiser steps.** The batch size and the number of steps per epoch are
  fixed by the size of the training part *before* resampling, so an over-sampled recipe does not
  get twice the steps of the baseline and an under-sampled one does not get a tenth;
- **one selection criterion** (:mod:`equipoise.compare.selection`), chosen after every epoch of
  steps, that does not depend on the class prior a recipe's training implies;
- **one validation rule**: at least ``min_val_rows`` rows of every class in the validation split,
  or, where the data cannot give that, the epoch and the decision chosen from out-of-fold
  predictions inside the training fold (:mod:`equipoise.compare.splits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from .._validation import Interval, Options, validate_params

__all__ = ["TrainSettings", "Selection"]

Selection = Literal["auto", "holdout", "inner-cv"]


@dataclass(frozen=True)
class TrainSettings:
    """How each model is trained (the same for every recipe).

    Parameters
    ----------
    max_epochs : int, default=40
        Upper bound on epochs. An *epoch* is ``steps_per_epoch`` optimiser steps, where
        ``steps_per_epoch = ceil(n_fit / batch)`` and ``n_fit`` is the number of rows of the
        training part before resampling: the same budget for every recipe, whatever resampling
        did to the row count.
    patience : int, default=6
        Epochs without a better selection criterion before training stops (counted from the
        start of deferred re-weighting for recipes that have it).
    batch_size : int, default=128
        Largest batch. Small training parts use ``clip(n_fit // 8, 16, batch_size)`` so an
        epoch has about eight steps; the size is the same for every recipe of a split.
    lr : float, default=3e-3
    weight_decay : float, default=1e-4
        AdamW settings.
    val_size : float, default=0.2
        Share of each class of the training fold held out for selection (epoch, threshold).
    min_val_rows : int, default=5
        Fewest validation rows of each class. A class whose share would give fewer gets
        ``min_val_rows`` (the split is enlarged, never taking more than half of a class's rows);
        a class with fewer than ``2 * min_val_rows`` rows cannot, and then the run selects from
        out-of-fold predictions instead (see ``selection``).
    selection : {'auto', 'holdout', 'inner-cv'}, default='auto'
        ``'holdout'``: early stopping and the decision on the validation split.
        ``'inner-cv'``: ``inner_folds`` models trained on folds of the training fold choose the
        number of epochs (the mean of their best epochs) and fit the decision on their pooled
        out-of-fold predictions; the final model trains on the whole training fold for that many
        epochs. ``'auto'``: holdout where every class can keep ``min_val_rows`` validation rows,
        inner-cv otherwise.
    inner_folds : int, default=3
        Folds of the inner cross-validation.

    Examples
    --------
    >>> TrainSettings(max_epochs=10).patience
    6
    >>> TrainSettings(val_size=1.5)
    Traceback (most recent call last):
    ...
    equipoise.exceptions.InvalidParameterError: The 'val_size' parameter of TrainSettings must be a float in the range (0.0, 0.9); got 1.5.
    """

    max_epochs: int = 40
    patience: int = 6
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    val_size: float = 0.2
    min_val_rows: int = 5
    selection: Selection = "auto"
    inner_folds: int = 3

    _constraints: ClassVar[dict[str, list[Any]]] = {
        "max_epochs": [Interval(int, 1, None, closed="left")],
        "patience": [Interval(int, 1, None, closed="left")],
        "batch_size": [Interval(int, 1, None, closed="left")],
        "lr": [Interval(float, 0.0, None, closed="neither")],
        "weight_decay": [Interval(float, 0.0, None, closed="left")],
        "val_size": [Interval(float, 0.0, 0.9, closed="neither")],
        "min_val_rows": [Interval(int, 1, None, closed="left")],
        "selection": [Options(("auto", "holdout", "inner-cv"))],
        "inner_folds": [Interval(int, 2, None, closed="left")],
    }

    def __post_init__(self) -> None:
        validate_params("TrainSettings", self.to_dict(), self._constraints)
        for name in ("lr", "weight_decay", "val_size"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (hashed into the journal's configuration)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def batch_for(self, n_fit: int) -> int:
        """Batch size for a training part of ``n_fit`` rows: ``clip(n_fit // 8, 16, batch_size)``.

        Examples
        --------
        >>> TrainSettings().batch_for(80), TrainSettings().batch_for(10_000)
        (16, 128)
        """
        return int(min(max(n_fit // 8, 16), self.batch_size))
