"""One run of a comparison: one recipe on one split, from raw rows to a :class:`RunRecord`.

1. the preprocessor is fitted on the rows the model trains on (never on validation or test
   rows) and applied to the others;
2. the recipe's resample step sees those training rows only;
3. the model step trains on them, selecting on the validation split (holdout), or on inner
   folds of the training fold whose out-of-fold predictions then fit the decision (inner-cv);
4. the decision step turns the test logits into labels, fitted on the selection predictions;
5. the test rows are scored once with :func:`equipoise.metrics.imbalance_report`'s metrics, the
   calibration metrics of the decision step's probabilities, and the same after the closed-form
   prior correction (:func:`corrected_probabilities`).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import EquipoiseError, InvalidInputError
from . import _preprocess
from .journal import RunRecord
from .recipes import Recipe
from .splits import Split, run_seed
from .statistics import weighted_metrics
from .steps import FitRequest, Fitted, Plan
from .training import RunEnv, steps_per_epoch

__all__ = [
    "run_one",
    "score_run",
    "Failure",
    "run_task",
    "run_steps",
    "run_group",
    "run_group_task",
    "SHOT_METRICS",
    "CALIBRATION_COLUMNS",
    "CORRECTED_COLUMNS",
]

SHOT_METRICS = ("many_shot_acc", "medium_shot_acc", "few_shot_acc")
"""Mean recall over the many-, medium- and few-shot classes (Liu et al. 2019)."""

CALIBRATION_COLUMNS = ("brier", "log_loss", "ece")
"""Calibration metrics of the probabilities the recipe's decision step returns (lower is better)."""

CORRECTED_COLUMNS = ("brier_corrected", "log_loss_corrected", "ece_corrected")
"""The same after the closed-form prior correction back to the training fold's class prior
(:func:`equipoise.calibration.correct_proba` from :func:`~equipoise.compare._probabilities.probability_prior`);
NaN for recipes whose prior shift has no closed form (focal, LDAM, class-balanced losses, DRW,
per-batch quotas)."""


def _take(X: Any, idx: np.ndarray) -> Any:
    return X.iloc[idx] if isinstance(X, pd.DataFrame) else X[idx]


_CACHE: OrderedDict[tuple[Any, ...], list[np.ndarray]] = OrderedDict()
_CACHE_ENTRIES = 2 * 16  # a group's splits (runner.MAX_GROUP_RUNS), and those of the next
_CACHE_BYTES = 256 * 2**20  # the arrays kept stay under this (the last ones always kept)


def _rows_key(rows: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(rows, dtype=np.int64).tobytes()).hexdigest()


def _transformed(
    data: _preprocess.PreparedData,
    fit_rows: np.ndarray,
    parts: Sequence[tuple[_preprocess.PreparedData, np.ndarray]],
) -> list[np.ndarray]:
    """Fit the preprocessor on ``fit_rows`` of ``data``; transform them and each ``(source, rows)``.

    Every recipe of a split needs the same arrays: the last ones are kept per process (keyed by
    the data's token and the rows; at most :data:`_CACHE_ENTRIES` and about
    :data:`_CACHE_BYTES`), so the runs of one split preprocess once while they fit. Callers
    must not modify the arrays (resamplers return new ones).
    """
    key = (data.token, _rows_key(fit_rows), *((src.token, _rows_key(rows)) for src, rows in parts))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    pre = _preprocess.make_preprocessor(data)
    pre.fit(_take(data.X, fit_rows))
    out = [np.asarray(pre.transform(_take(data.X, fit_rows)), dtype=np.float32)]
    out += [np.asarray(pre.transform(_take(src.X, rows)), dtype=np.float32) for src, rows in parts]
    _CACHE[key] = out
    kept = sum(a.nbytes for arrays in _CACHE.values() for a in arrays)
    while len(_CACHE) > 1 and (len(_CACHE) > _CACHE_ENTRIES or kept > _CACHE_BYTES):
        _, dropped = _CACHE.popitem(last=False)
        kept -= sum(a.nbytes for a in dropped)
    return out


def score_run(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    probs: np.ndarray,
    n_classes: int,
    shots: Sequence[str] | None,
    corrected: np.ndarray | None = None,
) -> dict[str, float]:
    """The metrics of one run: :func:`equipoise.metrics.imbalance_report`'s summary (and the
    shot accuracies), computed by the vectorised
    :func:`~equipoise.compare.statistics.weighted_metrics` with unit weights, which equals it
    (tested) at a fraction of the cost.

    The calibration metrics (:data:`CALIBRATION_COLUMNS`) score ``probs``, the probabilities
    the decision step returns: the softmax of the logits for 'argmax' and 'threshold-tuned'
    (a threshold moves the decision, not the probabilities), the softmax of the adjusted logits
    for 'posthoc-logit-adjustment'. :data:`CORRECTED_COLUMNS` score ``corrected`` (NaN without).
    """
    names = [
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "weighted_f1",
        "g_mean",
        "mcc",
        "roc_auc",
        "pr_auc",
    ]
    if n_classes == 2:
        names += ["sensitivity", "specificity"]
    names += list(CALIBRATION_COLUMNS)
    score = probs[:, 1] if n_classes == 2 else probs
    ones = np.ones((1, len(y_true)))
    values = weighted_metrics(
        y_true, y_pred, score, ones, n_classes=n_classes, names=names, shots=shots
    )
    keys = names + (list(SHOT_METRICS) if shots is not None else [])
    out = {k: float(values[k][0]) for k in keys}
    if corrected is not None:
        fixed = weighted_metrics(
            y_true,
            y_pred,
            corrected[:, 1] if n_classes == 2 else corrected,
            ones,
            n_classes=n_classes,
            names=list(CALIBRATION_COLUMNS),
        )
    for name, column in zip(CALIBRATION_COLUMNS, CORRECTED_COLUMNS):
        out[column] = float(fixed[name][0]) if corrected is not None else float("nan")
    return out


def corrected_probabilities(
    plan: Plan, probs: np.ndarray, counts: np.ndarray, train_counts: np.ndarray
) -> np.ndarray | None:
    """``probs`` moved from the prior the recipe makes them reflect back to the training fold's
    class prior (None when no closed form applies)."""
    from ..calibration import correct_proba
    from ._probabilities import probability_prior

    prior = probability_prior(plan, counts)
    if prior is None:
        return None
    target = train_counts / train_counts.sum()
    return np.asarray(
        correct_proba(np.asarray(probs, dtype=np.float64), train_prior=prior, target_prior=target)
    )


FitStep = Generator[tuple[Plan, FitRequest], Fitted, tuple[Fitted, np.ndarray]]
"""Part of a run that resamples and asks for one fit: it yields ``(plan, request)`` and is sent
the :class:`Fitted` model; returns it with the class counts it trained on."""

RunSteps = Generator[tuple[Plan, FitRequest], Fitted, RunRecord]
"""A whole run as a generator of its fits (see :func:`run_steps`)."""


def _fit(
    plan: Plan,
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_classes: int,
    batch_size: int,
    seed: int,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    epochs: int | None = None,
) -> FitStep:
    """Resample ``(X, y)``, then ask for the model; returns it and the class counts it trained on."""
    X_res, y_res = plan.resample.apply(X, y, seed=seed)  # type: ignore[attr-defined]  # (Plan's fields are typed as the Step base)
    request = FitRequest(
        X=X_res,
        y=y_res,
        n_fit=len(y),
        n_classes=n_classes,
        batch_size=batch_size,
        seed=seed,
        X_val=X_val,
        y_val=y_val,
        epochs=epochs,
    )
    fitted = yield plan, request
    return fitted, np.bincount(y_res, minlength=n_classes)


def run_steps(
    data: _preprocess.PreparedData,
    split: Split,
    recipe: Recipe,
    *,
    env: RunEnv,
    random_state: int = 0,
    test: _preprocess.PreparedData | None = None,
    shots: Sequence[str] | None = None,
) -> RunSteps:
    """Preprocess, resample, train, decide and score one recipe on one split, as a generator:
    it yields each model it needs as ``(plan, request)``, is sent the :class:`Fitted` model,
    and returns the :class:`RunRecord` (``StopIteration.value``).

    The fits are left to the caller so that the runs of a group train together
    (:func:`run_group`); :func:`run_one` drives one run alone. Torch and BLAS threads are the
    caller's to set.

    Parameters
    ----------
    data : PreparedData
        The comparison's (training) data.
    split : Split
    recipe : Recipe
    env : RunEnv
        Training settings, device, model factory and threads.
    random_state : int
    test : PreparedData, optional
        A separate test set; ``split.test`` then indexes it.
    shots : sequence of {'many', 'medium', 'few'}, optional
        The shot group of each encoded class; adds :data:`SHOT_METRICS`.

    Returns
    -------
    RunSteps
        A generator whose return value is the run's record (``fit_seconds`` left 0: the
        driver times the run).
    """
    plan = recipe.plan()
    n_classes = len(data.classes)
    seed = run_seed(random_state, split.seed, split.fold)
    y = data.y_encoded
    scored = test if test is not None else data
    y_te = scored.y_encoded[split.test]
    batch = env.settings.batch_for(len(split.train))
    inner = split.selection == "inner-cv" and (
        plan.model.has_epochs or plan.decision.needs_selection  # type: ignore[attr-defined]
    )
    chosen = None
    if inner:
        epochs: list[int | None] = []
        sel_logits: list[np.ndarray] = []
        sel_y: list[np.ndarray] = []
        for k, (tr, va) in enumerate(split.inner):
            X_in, X_iv = _transformed(data, tr, [(data, va)])
            fitted, _ = yield from _fit(
                plan,
                X_in,
                y[tr],
                n_classes=n_classes,
                batch_size=batch,
                seed=run_seed(seed, k + 1, 0),
                X_val=X_iv,
                y_val=y[va],
            )
            epochs.append(fitted.best_epoch)
            assert fitted.val_logits is not None  # each inner fit had validation rows
            sel_logits.append(fitted.val_logits)
            sel_y.append(y[va])
        if plan.model.has_epochs:  # type: ignore[attr-defined]
            chosen = max(1, int(round(float(np.mean([e for e in epochs if e is not None])))))
        X_tr, X_te = _transformed(data, split.train, [(scored, split.test)])
        fitted, counts = yield from _fit(
            plan,
            X_tr,
            y[split.train],
            n_classes=n_classes,
            batch_size=batch,
            seed=seed,
            epochs=chosen,
        )
        selection_logits: np.ndarray | None = np.concatenate(sel_logits)
        selection_y: np.ndarray | None = np.concatenate(sel_y)
    else:
        has_val = len(split.val) > 0
        X_tr, X_va, X_te = _transformed(
            data, split.train, [(data, split.val), (scored, split.test)]
        )
        fitted, counts = yield from _fit(
            plan,
            X_tr,
            y[split.train],
            n_classes=n_classes,
            batch_size=batch,
            seed=seed,
            X_val=X_va if has_val else None,
            y_val=y[split.val] if has_val else None,
            epochs=None if has_val else env.settings.max_epochs,
        )
        chosen = fitted.best_epoch
        selection_logits = fitted.val_logits
        selection_y = y[split.val] if has_val else None
    if np.any(counts == 0):
        raise InvalidInputError(
            f"recipe {recipe.name!r} left class(es) {list(data.classes[counts == 0])} with no "
            f"training sample in fold {split.fold}."
        )
    prior = counts / counts.sum()
    if plan.decision.needs_selection and selection_logits is None:  # type: ignore[attr-defined]
        selection_logits = fitted.logits(X_tr)  # no selection rows at all: the training rows
        selection_y = y[split.train]
    y_pred, probs = plan.decision.decide(  # type: ignore[attr-defined]
        fitted.logits(X_te),
        selection_logits=selection_logits,
        selection_y=selection_y,
        prior=prior,
    )
    train_counts = np.bincount(y[split.train], minlength=n_classes)
    corrected = corrected_probabilities(plan, probs, counts, train_counts)
    metrics = score_run(
        y_te, np.asarray(y_pred, dtype=np.int64), probs, n_classes, shots, corrected
    )
    details = {
        "selection": split.selection,
        "chosen_epochs": None if chosen is None else int(chosen),
        "epochs_run": fitted.epochs_run,
        "batch_size": int(batch),
        "steps_per_epoch": steps_per_epoch(len(split.train), batch)
        if plan.model.has_epochs  # type: ignore[attr-defined]
        else None,
        "val_rows": int(len(split.val)),
        "enlarged": [int(c) for c in split.enlarged],
    }
    return RunRecord(
        recipe=recipe.name,
        fold=split.fold,
        seed=split.seed,
        recipe_hash=recipe.fingerprint(),
        metrics=metrics,
        fit_seconds=0.0,
        y_true=y_te.astype(np.int64),
        y_pred=np.asarray(y_pred, dtype=np.int64),
        y_score=probs.astype(np.float32),
        train_counts=[int(c) for c in np.bincount(y[split.train], minlength=n_classes)],
        resampled_counts=[int(c) for c in counts],
        details=details,
    )


class Failure:
    """A run that could not finish (a resampler that cannot run on this data): reported, not
    fatal to the whole comparison."""

    def __init__(self, recipe: str, fold: int, seed: int, message: str) -> None:
        self.recipe, self.fold, self.seed, self.message = recipe, fold, seed, message


_FAILURES = (EquipoiseError, ValueError, RuntimeError)
"""What a run may raise and be reported for (a :class:`Failure`) without ending the comparison."""


@contextmanager
def _threads(env: RunEnv) -> Iterator[None]:
    """Torch and BLAS/OpenMP threads of ``env.threads`` (unchanged when None) for a block."""
    import torch
    from threadpoolctl import threadpool_limits

    old_threads = torch.get_num_threads()
    if env.threads is not None:
        torch.set_num_threads(max(1, int(env.threads)))
    try:
        with threadpool_limits(limits=env.threads):
            yield
    finally:
        if env.threads is not None:
            torch.set_num_threads(old_threads)


def _fit_many(items: list[tuple[Plan, FitRequest]], env: RunEnv) -> list[Fitted | Exception]:
    """The models of ``items`` (one recipe): together where the model step can, else one by one.

    A failure of the joint fit is retried run by run, so it is reported for the run(s) that
    cause it and the others are unaffected (a run gives the same alone as in a group).
    """
    model = items[0][0].model
    try:
        return list(model.fit_many(items, env))  # type: ignore[attr-defined]
    except _FAILURES:
        if len(items) == 1:
            raise
    out: list[Fitted | Exception] = []
    for item in items:
        try:
            out.append(model.fit_many([item], env)[0])  # type: ignore[attr-defined]
        except _FAILURES as exc:
            out.append(exc)
    return out


def run_group(
    data: _preprocess.PreparedData,
    splits: Sequence[Split],
    recipe: Recipe,
    *,
    env: RunEnv,
    random_state: int = 0,
    test: _preprocess.PreparedData | None = None,
    shots: Sequence[str] | None = None,
) -> list[RunRecord | Failure]:
    """Run ``recipe`` on each of ``splits``, training their models together.

    Each run is :func:`run_steps`; the runs advance in lockstep, and every round the models
    they ask for are fitted in one call of the model step's ``fit_many`` (the default MLP's
    runs as one stacked computation, :mod:`equipoise.compare._stacked`). A run's record is
    the same as :func:`run_one` gives it alone, except ``fit_seconds``: its own time plus an
    equal share of each joint fit it took part in. A run that fails becomes a
    :class:`Failure` and leaves the others running.

    Returns
    -------
    list of RunRecord or Failure
        In the order of ``splits``.
    """
    results: list[RunRecord | Failure | None] = [None] * len(splits)
    seconds = [0.0] * len(splits)
    pending: dict[int, tuple[RunSteps, tuple[Plan, FitRequest]]] = {}

    def advance(i: int, gen: RunSteps, value: Fitted | Exception | None) -> None:
        start = time.perf_counter()
        try:
            if isinstance(value, Exception):
                item = gen.throw(value)
            else:
                item = gen.send(value)  # type: ignore[arg-type]  # None starts the generator
        except StopIteration as stop:
            record: RunRecord = stop.value
            record.fit_seconds = seconds[i] + time.perf_counter() - start
            results[i] = record
            pending.pop(i, None)
        except _FAILURES as exc:
            split = splits[i]
            message = f"{type(exc).__name__}: {exc}"
            results[i] = Failure(recipe.name, split.fold, split.seed, message)
            pending.pop(i, None)
        else:
            pending[i] = (gen, item)
        finally:
            seconds[i] += time.perf_counter() - start

    with _threads(env):
        for i, split in enumerate(splits):
            advance(
                i,
                run_steps(
                    data, split, recipe, env=env, random_state=random_state, test=test, shots=shots
                ),
                None,
            )
        while pending:
            order = sorted(pending)
            start = time.perf_counter()
            fits = _fit_many([pending[i][1] for i in order], env)
            share = (time.perf_counter() - start) / len(order)
            for i, fitted in zip(order, fits):
                seconds[i] += share
                advance(i, pending[i][0], fitted)
    assert all(r is not None for r in results)  # every run ended as a record or a failure
    return [r for r in results if r is not None]


def run_one(
    data: _preprocess.PreparedData,
    split: Split,
    recipe: Recipe,
    *,
    env: RunEnv,
    random_state: int = 0,
    test: _preprocess.PreparedData | None = None,
    shots: Sequence[str] | None = None,
) -> RunRecord:
    """Preprocess, resample, train, decide and score one recipe on one split (see
    :func:`run_steps` for the arguments); a failing run raises."""
    start = time.perf_counter()
    with _threads(env):
        gen = run_steps(
            data, split, recipe, env=env, random_state=random_state, test=test, shots=shots
        )
        try:
            item = next(gen)
            while True:
                item = gen.send(item[0].model.fit_many([item], env)[0])  # type: ignore[attr-defined]
        except StopIteration as stop:
            record: RunRecord = stop.value
    record.fit_seconds = time.perf_counter() - start
    return record


def run_task(
    data: _preprocess.PreparedData, split: Split, recipe: Recipe, kwargs: dict[str, Any]
) -> RunRecord | Failure:
    """Worker entry point for one run: :func:`run_group_task` of that run alone."""
    return run_group_task(data, [split], recipe, kwargs)[0]


def run_group_task(
    data: _preprocess.PreparedData,
    splits: Sequence[Split],
    recipe: Recipe,
    kwargs: dict[str, Any],
) -> list[RunRecord | Failure]:
    """Worker entry point: :func:`run_group` of ``recipe`` on ``splits``, failures reported."""
    return run_group(data, splits, recipe, **kwargs)
