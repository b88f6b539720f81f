"""Steps that change what the model sees: the resampler (data level) and the batch order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..._validation import validate_params
from ...exceptions import InvalidInputError
from ._base import Step, StepContext

__all__ = [
    "ResampleStep",
    "NoResample",
    "BatchStep",
    "ShuffledBatches",
    "resample_step",
    "batch_step",
]


class NoResample(Step):
    """The training data as it is."""

    kind = "resample"
    identity = True

    def apply(self, X: np.ndarray, y: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        return X, y


class ResampleStep(Step):
    """An :mod:`equipoise.resample` resampler, fitted on the training rows of one run only.

    Parameters
    ----------
    name : str
        A name in :data:`equipoise.resample.RESAMPLERS`.
    params : mapping
        Its parameters; ``random_state`` is set to the run's seed for random resamplers.
    """

    kind = "resample"

    def __init__(self, name: str, params: Any = None) -> None:
        from ...resample import RESAMPLERS

        RESAMPLERS.get(name)
        super().__init__(name, params)

    def _build(self, seed: int | None) -> Any:
        from ...resample import make_resampler

        return make_resampler(self.name, **{"random_state": seed, **self.params})

    def check(self, context: StepContext) -> None:
        resampler = self._build(0)
        constraints = getattr(resampler, "_parameter_constraints", None)
        if constraints:
            validate_params(type(resampler).__name__, resampler.get_params(deep=False), constraints)

    def apply(self, X: np.ndarray, y: np.ndarray, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Resample flattened rows; images come back in their sample shape."""
        shape = X.shape[1:]
        X_res, y_res = self._build(seed).fit_resample(X.reshape(len(X), -1), y)
        return np.asarray(X_res, dtype=np.float32).reshape((-1, *shape)), np.asarray(
            y_res, dtype=np.int64
        )


def resample_step(name: str | None, params: Any = None) -> Step:
    """The resample step of a recipe field (``None``: no resampling)."""
    return NoResample("none") if name is None else ResampleStep(name, params)


class ShuffledBatches(Step):
    """Plain shuffled batches: a fresh permutation of the training rows every pass."""

    kind = "batches"
    identity = True

    def stream(self, y: np.ndarray, batch_size: int, *, seed: int) -> Iterator[np.ndarray]:
        """An endless stream of index batches; passes follow each other without a gap."""
        rng = np.random.default_rng(seed)
        n = len(y)
        buffer = np.empty(0, dtype=np.int64)
        while True:
            while len(buffer) < batch_size:
                buffer = np.concatenate([buffer, rng.permutation(n)])
            yield buffer[:batch_size]
            buffer = buffer[batch_size:]


class BatchStep(Step):
    """An :mod:`equipoise.samplers` sampler deciding which rows each batch holds.

    Samplers of indices are read pass after pass (``set_epoch(0)``, ``set_epoch(1)``, ...) and
    cut into batches of the run's batch size; batch samplers give their own batches.
    """

    kind = "batches"

    def __init__(self, name: str, params: Any = None) -> None:
        from ...samplers import SAMPLERS

        SAMPLERS.get(name)
        super().__init__(name, params)

    def _build(self, y: np.ndarray, seed: int) -> Any:
        from ...samplers import make_sampler

        return make_sampler(self.name, y, **{"seed": seed, **self.params})

    def check(self, context: StepContext) -> None:
        labels = np.repeat(np.arange(context.n_classes), 4)
        self._build(labels, 0)

    def stream(self, y: np.ndarray, batch_size: int, *, seed: int) -> Iterator[np.ndarray]:
        sampler = self._build(y, seed)
        epoch = 0
        buffer = np.empty(0, dtype=np.int64)
        while True:
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(epoch)
            items = list(iter(sampler))
            epoch += 1
            if not items:
                raise InvalidInputError(
                    f"batch sampler {self.name!r} drew no rows; check its parameters {self.params}."
                )
            if hasattr(items[0], "__len__"):  # a batch sampler: its own batches
                for batch in items:
                    yield np.asarray(batch, dtype=np.int64)
                continue
            buffer = np.concatenate([buffer, np.asarray(items, dtype=np.int64)])
            while len(buffer) >= batch_size:
                yield buffer[:batch_size]
                buffer = buffer[batch_size:]


def batch_step(name: str | None, params: Any = None) -> Step:
    """The batch step of a recipe field (``None``: shuffled batches)."""
    return ShuffledBatches("shuffle") if name is None else BatchStep(name, params)
