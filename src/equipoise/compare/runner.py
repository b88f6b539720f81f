"""Run recipes side by side, leakage-free, on the user's data: :func:`compare`.

Protocol, for every seed ``s`` and fold ``k`` of a stratified k-fold split:

1. the fold's training rows are split (stratified) into a *training part* and a *validation
   split*, before anything is fitted;
2. the preprocessor (standardisation, one-hot, optional imputation) is fitted on the training
   part only and applied to the three parts;
3. the recipe's resampler sees the training part only; the validation split and the test fold
   are never resampled;
4. the model trains on the (resampled) training part, with early stopping on the validation
   loss; the validation split also fits a tuned threshold when the recipe asks for one;
5. the test fold is predicted once and scored with :func:`equipoise.metrics.imbalance_report`.

Every recipe sees the same splits and the same initial weights for a given fold and seed, so
the run-by-run differences against the baseline are paired.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._validation import resolve_device
from ..exceptions import EquipoiseError, InvalidInputError, InvalidParameterError
from . import _preprocess
from .journal import JOURNAL_NAME, Journal, RunRecord
from .recipes import DEFAULT_RECIPES, Recipe, get_recipe
from .summary import KEY_COLUMNS, build_summary

__all__ = ["compare", "ComparisonResult", "TrainSettings", "run_one", "make_splits", "Split"]


# --------------------------------------------------------------------------------------------
# Settings and splits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainSettings:
    """How each model is trained (the same for every recipe).

    Attributes
    ----------
    max_epochs : int
        Upper bound on epochs; early stopping usually ends sooner.
    patience : int
        Epochs without a lower class-balanced validation cross-entropy before stopping (counted from the DRW start for
        recipes with deferred re-weighting).
    batch_size : int
        Largest batch; small training sets use ``clip(n // 8, 16, batch_size)`` so every
        epoch has about eight optimiser steps.
    lr, weight_decay : float
        AdamW settings.
    val_size : float
        Fraction of each training fold held out (stratified) for early stopping and threshold
        tuning.
    """

    max_epochs: int = 40
    patience: int = 6
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    val_size: float = 0.2

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Split:
    """Row indices of one fold of one seed: ``train`` (training part), ``val``, ``test``."""

    fold: int
    seed: int
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def _run_seed(random_state: int, seed: int, fold: int) -> int:
    digest = hashlib.sha256(f"{random_state}:{seed}:{fold}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def make_splits(y_encoded: np.ndarray, *, folds: int, seeds: int, val_size: float, random_state: int) -> list[Split]:
    """Stratified k-fold splits per seed, each training fold split again into train / validation.

    Raises
    ------
    InvalidInputError
        When a class has fewer samples than ``folds`` or too few for a validation split.
    """
    from sklearn.model_selection import StratifiedKFold, train_test_split

    counts = np.bincount(y_encoded)
    smallest = int(counts.min())
    if smallest < folds:
        raise InvalidInputError(
            f"the smallest class has {smallest} sample(s), fewer than folds={folds}: every test fold "
            f"needs at least one. "
            + (f"Use folds={smallest} or fewer, or gather more data." if smallest >= 2 else
               "A class with a single sample cannot be cross-validated: gather more data or drop that class.")
        )
    min_train = smallest - math.ceil(smallest / folds)
    if min_train * val_size < 1 or min_train * (1 - val_size) < 1:
        raise InvalidInputError(
            f"the smallest class has {smallest} sample(s): too few to keep at least one in both the "
            f"training part and the validation split of every fold (val_size={val_size}, folds={folds})."
        )
    splits = []
    for seed in range(seeds):
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state + seed)
        for fold, (train_idx, test_idx) in enumerate(skf.split(np.zeros(len(y_encoded)), y_encoded)):
            tr, va = train_test_split(
                train_idx,
                test_size=val_size,
                stratify=y_encoded[train_idx],
                random_state=_run_seed(random_state, seed, fold),
            )
            splits.append(Split(fold, seed, np.sort(tr), np.sort(va), np.sort(test_idx)))
    return splits


# --------------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------------


def _take(X: Any, idx: np.ndarray) -> Any:
    return X.iloc[idx] if isinstance(X, pd.DataFrame) else X[idx]


def _batches(sampler: Any, batch_size: int) -> list[np.ndarray]:
    """Index batches from a sampler of indices (chunked) or a batch sampler (used as is)."""
    items = list(iter(sampler))
    if items and hasattr(items[0], "__len__"):
        return [np.asarray(b, dtype=np.int64) for b in items]
    idx = np.asarray([int(i) for i in items], dtype=np.int64)
    return [idx[i : i + batch_size] for i in range(0, len(idx), batch_size)]


def _batch_size(n_train: int, largest: int) -> int:
    """At least ~8 optimiser steps per epoch on small (e.g. under-sampled) training sets:
    ``clip(n_train // 8, 16, largest)``."""
    return int(min(max(n_train // 8, 16), largest))


class _BalancedValLoss:
    r"""Early-stopping criterion: class-balanced cross-entropy of the validation split.

    :math:`\frac{1}{C}\sum_c \frac{1}{n_c}\sum_{i: y_i = c} -\log p_{y_i}(x_i)`, on the logits
    the recipe decides with (logit-adjusted ones for post-hoc adjustment, ``s``-scaled cosines
    for a normed head). Every class weighs the same, so the criterion favours neither the
    imbalanced prior of plain training nor the balanced prior of a resampled training set,
    and it does not depend on the primary metric (which can change without rerunning).
    """

    def __init__(self, y_val: np.ndarray, n_classes: int, recipe: Recipe, loss_fn: Any, *, prior: np.ndarray, device: Any) -> None:
        import torch

        counts = np.bincount(y_val, minlength=n_classes).astype(np.float64)
        weight = np.where(counts > 0, 1.0 / np.maximum(counts, 1.0), 0.0) / max(1, int(np.sum(counts > 0)))
        self.target = torch.as_tensor(y_val, device=device)
        self.sample_weight = torch.as_tensor(weight[y_val], dtype=torch.float32, device=device)
        self.scale = float(getattr(loss_fn, "s", 1.0)) if recipe.head == "normed" else 1.0
        self.shift = None
        if recipe.decision == "posthoc-logit-adjustment":
            tau = float(recipe.decision_params.get("tau", 1.0))
            self.shift = torch.as_tensor(tau * np.log(prior), dtype=torch.float32, device=device)

    def __call__(self, logits: Any) -> float:
        import torch.nn.functional as F

        logits = logits.float() * self.scale
        if self.shift is not None:
            logits = logits - self.shift
        per_sample = F.cross_entropy(logits, self.target, reduction="none")
        return float((per_sample * self.sample_weight).sum())


def _make_model(model_factory: Callable[..., Any] | None, shape: tuple[int, ...], n_classes: int, recipe: Recipe) -> Any:
    from .models import default_model_factory, replace_head

    if model_factory is None:
        model = default_model_factory(shape, n_classes)
    else:
        arg = shape[0] if len(shape) == 1 else shape
        model = model_factory(arg, n_classes)
    if recipe.head == "normed":
        from ..losses import NormedLinear

        model = replace_head(model, lambda i, o: NormedLinear(i, o))
    return model


def _decide(recipe: Recipe, logits: Any, val_logits: Any, y_val: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Test-fold predictions (class indices) and scores (probabilities) under the recipe's rule."""
    import torch

    if recipe.decision == "posthoc-logit-adjustment":
        from ..posthoc import logit_adjust

        tau = recipe.decision_params.get("tau", 1.0)
        adjusted = logit_adjust(logits, torch.as_tensor(prior, dtype=logits.dtype), tau=tau)
        probs = torch.softmax(adjusted, dim=1).numpy()
        return probs.argmax(axis=1), probs
    probs = torch.softmax(logits, dim=1).numpy()
    if recipe.decision == "threshold-tuned":
        from ..posthoc import ThresholdTuner

        val_probs = torch.softmax(val_logits, dim=1).numpy()
        params = dict(recipe.decision_params)
        binary = probs.shape[1] == 2
        tuner = ThresholdTuner(**params).fit(y_val, val_probs[:, 1] if binary else val_probs)
        pred = np.asarray(tuner.predict(probs[:, 1] if binary else probs)).astype(np.int64)
        return pred, probs
    return probs.argmax(axis=1), probs


def run_one(
    data: _preprocess.PreparedData,
    split: Split,
    recipe: Recipe,
    *,
    settings: TrainSettings,
    random_state: int = 0,
    device: str = "cpu",
    model_factory: Callable[..., Any] | None = None,
    threads: int | None = None,
) -> RunRecord:
    """Preprocess, resample, train and score one recipe on one fold of one seed.

    Returns
    -------
    RunRecord
        Metrics, test-fold predictions and the class counts before/after resampling.
    """
    import torch

    from ..losses import LOSSES, DeferredReweighting
    from ..metrics import imbalance_report

    start = time.perf_counter()
    old_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(max(1, int(threads)))
    try:
        n_classes = len(data.classes)
        run_seed = _run_seed(random_state, split.seed, split.fold)
        pre = _preprocess.make_preprocessor(data)
        pre.fit(_take(data.X, split.train))
        X_tr = np.asarray(pre.transform(_take(data.X, split.train)), dtype=np.float32)
        X_va = np.asarray(pre.transform(_take(data.X, split.val)), dtype=np.float32)
        X_te = np.asarray(pre.transform(_take(data.X, split.test)), dtype=np.float32)
        y_tr = data.y_encoded[split.train]
        y_va = data.y_encoded[split.val]
        y_te = data.y_encoded[split.test]
        train_counts = np.bincount(y_tr, minlength=n_classes)

        if recipe.resampler is not None:
            from ..resample import make_resampler

            sample_shape = X_tr.shape[1:]
            resampler = make_resampler(recipe.resampler, **{"random_state": run_seed, **recipe.resampler_params})  # seeds only random resamplers
            X_res, y_res = resampler.fit_resample(X_tr.reshape(len(X_tr), -1), y_tr)
            X_tr = np.asarray(X_res, dtype=np.float32).reshape((-1, *sample_shape))
            y_tr = np.asarray(y_res, dtype=np.int64)
        resampled_counts = np.bincount(y_tr, minlength=n_classes)
        if np.any(resampled_counts == 0):
            raise InvalidInputError(
                f"recipe {recipe.name!r} left class(es) {list(data.classes[resampled_counts == 0])} with no "
                f"training sample in fold {split.fold}."
            )

        dev = resolve_device(device)
        with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
            torch.manual_seed(run_seed)
            model = _make_model(model_factory, tuple(X_tr.shape[1:]), n_classes, recipe).to(dev)
            loss_fn = LOSSES.get(recipe.loss).from_counts([int(c) for c in resampled_counts], **recipe.loss_params).to(dev)
            drw = None
            drw_epoch = 0
            if recipe.drw_start is not None:
                drw_epoch = int(math.ceil(recipe.drw_start * settings.max_epochs))
                drw = DeferredReweighting([int(c) for c in resampled_counts], start_epoch=drw_epoch)
            sampler = None
            if recipe.batch_sampler is not None:
                from ..samplers import make_sampler

                sampler = make_sampler(
                    recipe.batch_sampler, y_tr, **{"seed": run_seed, **recipe.batch_sampler_params}
                )
            opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
            xt = torch.as_tensor(X_tr, device=dev)
            yt = torch.as_tensor(y_tr, device=dev)
            xv = torch.as_tensor(X_va, device=dev)
            gen = torch.Generator().manual_seed(run_seed)
            batch_size = _batch_size(len(y_tr), settings.batch_size)
            monitor = _BalancedValLoss(y_va, n_classes, recipe, loss_fn, prior=resampled_counts / resampled_counts.sum(), device=dev)
            best_loss, best_state, since_best = math.inf, None, 0
            for epoch in range(settings.max_epochs):
                if drw is not None:
                    drw.apply(loss_fn, epoch)
                    if epoch == drw_epoch:  # the loss changed: judge from here on
                        best_loss, since_best = math.inf, 0
                if sampler is not None:
                    if hasattr(sampler, "set_epoch"):
                        sampler.set_epoch(epoch)
                    batches = _batches(sampler, batch_size)
                else:
                    perm = torch.randperm(len(y_tr), generator=gen).numpy()
                    batches = [perm[i : i + batch_size] for i in range(0, len(perm), batch_size)]
                model.train()
                for b in batches:
                    bi = torch.as_tensor(b, device=dev)
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(xt[bi]), yt[bi])
                    loss.backward()
                    opt.step()
                model.eval()
                with torch.no_grad():
                    val_loss = monitor(model(xv))
                if val_loss < best_loss - 1e-6:
                    best_loss, since_best = val_loss, 0
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    since_best += 1
                    if since_best >= settings.patience and (drw is None or epoch >= drw_epoch):
                        break
            if best_state is not None:
                model.load_state_dict(best_state)
            model.eval()
            with torch.no_grad():
                logits = model(torch.as_tensor(X_te, device=dev)).float().cpu()
                val_logits = model(xv).float().cpu()

        prior = resampled_counts / resampled_counts.sum()
        y_pred, probs = _decide(recipe, logits, val_logits, y_va, prior)
        score = probs[:, 1] if n_classes == 2 else probs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = imbalance_report(y_te, y_pred, score, labels=np.arange(n_classes))
        metrics = {k: float(v) for k, v in report.summary.items()}
    finally:
        if threads is not None:
            torch.set_num_threads(old_threads)
    return RunRecord(
        recipe=recipe.name,
        fold=split.fold,
        seed=split.seed,
        recipe_hash=recipe.fingerprint(),
        metrics=metrics,
        fit_seconds=time.perf_counter() - start,
        y_true=y_te.astype(np.int64),
        y_pred=np.asarray(y_pred, dtype=np.int64),
        y_score=probs.astype(np.float32),
        train_counts=[int(c) for c in train_counts],
        resampled_counts=[int(c) for c in resampled_counts],
    )


@dataclass
class _Failure:
    recipe: str
    fold: int
    seed: int
    message: str


def _run_task(
    data: _preprocess.PreparedData, split: Split, recipe: Recipe, kwargs: dict[str, Any]
) -> RunRecord | _Failure:
    """Worker entry point: a failing recipe (a resampler that cannot run on this data) is
    reported, not fatal to the whole comparison."""
    try:
        return run_one(data, split, recipe, **kwargs)
    except (EquipoiseError, ValueError, RuntimeError) as exc:
        return _Failure(recipe.name, split.fold, split.seed, f"{type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------


@dataclass
class ComparisonResult:
    """What :func:`compare` returns.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per recipe x fold x seed: ``recipe, fold, seed``, one column per metric, and
        ``fit_seconds`` (the ``results.csv`` content).
    summary : dict
        The ``summary.json`` content: intervals, paired comparisons against the baseline,
        ranking and recommendation.
    out : pathlib.Path or None
        The output folder (None when nothing was written).
    config : dict
        The settings that determine the runs (hashed in the journal).
    n_computed : int
        Runs computed by this call (the rest came from the journal).
    """

    results: pd.DataFrame
    summary: dict[str, Any]
    out: Path | None
    config: dict[str, Any]
    n_computed: int = 0
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def metric(self) -> str:
        return self.summary["metric"]

    @property
    def recommendation(self) -> str:
        """The plain-language recommendation."""
        return self.summary["recommendation"]

    @property
    def ranking(self) -> list[str]:
        """Recipe names, best mean primary metric first."""
        return list(self.summary["ranking"])

    def table(self) -> pd.DataFrame:
        """One row per recipe (ranked): mean and 95% CI of the primary metric, the difference
        against the baseline with its CI, p-value and verdict."""
        rows = []
        for name in self.ranking:
            m = self.summary["recipes"][name]["metrics"][self.metric]
            vs = self.summary["vs_baseline"].get(name, {})
            rows.append(
                {
                    "recipe": name,
                    "mean": m["mean"],
                    "low": m["low"],
                    "high": m["high"],
                    "diff": vs.get("diff", math.nan),
                    "diff_low": vs.get("low", math.nan),
                    "diff_high": vs.get("high", math.nan),
                    "p_value": vs.get("p_value", math.nan),
                    "verdict": vs.get("verdict", "baseline" if name == self.summary["baseline"] else ""),
                }
            )
        return pd.DataFrame(rows).set_index("recipe")

    def __str__(self) -> str:
        return self.table().to_string(float_format=lambda v: f"{v:.3f}") + "\n\n" + self.recommendation


def _fingerprint(data: _preprocess.PreparedData) -> str:
    h = hashlib.sha256()
    if data.kind == "table":
        frame = data.X
        h.update(repr(list(frame.columns)).encode())
        h.update(repr([str(t) for t in frame.dtypes]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    else:
        h.update(repr(data.X.shape).encode())
        h.update(np.ascontiguousarray(data.X).tobytes())
    h.update(pd.util.hash_pandas_object(pd.Series(data.y.astype(str)), index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def _resolve_recipes(recipes: Iterable[str | Recipe] | str | None) -> list[Recipe]:
    if recipes is None:
        names: Sequence[str | Recipe] = DEFAULT_RECIPES
    elif isinstance(recipes, str):
        names = [r.strip() for r in recipes.split(",") if r.strip()]
    else:
        names = list(recipes)
    resolved = [get_recipe(r) for r in names]
    if not resolved:
        raise InvalidParameterError("The 'recipes' parameter of compare must name at least one recipe; got none.")
    seen: set[str] = set()
    for r in resolved:
        if r.name in seen:
            raise InvalidParameterError(f"recipe {r.name!r} is listed twice in 'recipes'.")
        seen.add(r.name)
        r.check_components()
        if r.drw_start is not None:
            from ..losses import LOSSES

            if not hasattr(LOSSES.get(r.loss), "set_weight"):
                raise InvalidParameterError(
                    f"recipe {r.name!r} asks for deferred re-weighting (drw_start) but loss {r.loss!r} "
                    "cannot change its weights (no set_weight); use loss='ldam' or drop drw_start."
                )
    return resolved


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidParameterError(f"The {name!r} parameter of compare must be an int >= {low}; got {value!r}.")
    return int(value)


def _predictions_for_report(records: list[RunRecord], classes: np.ndarray) -> dict[str, dict[str, Any]]:
    labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
    out: dict[str, dict[str, Any]] = {}
    for rec in records:
        if rec.seed != 0:
            continue
        entry = out.setdefault(rec.recipe, {"y_true": [], "y_pred": [], "y_score": [], "labels": labels})
        entry["y_true"].extend(labels[i] for i in rec.y_true)
        entry["y_pred"].extend(labels[i] for i in rec.y_pred)
        if rec.y_score is None:
            entry["y_score"] = None
        elif entry["y_score"] is not None:
            score = rec.y_score[:, 1] if len(labels) == 2 else rec.y_score
            entry["y_score"].extend(score.astype(float).tolist())
    return out


def _progress(total: int, enabled: bool) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


def _execute(tasks: list[tuple[Split, Recipe]], data: Any, kwargs: dict[str, Any], jobs: int) -> Iterator[RunRecord | _Failure]:
    if jobs == 1:
        for split, recipe in tasks:
            yield _run_task(data, split, recipe, kwargs)
        return
    from joblib import Parallel, delayed

    yield from Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")(
        delayed(_run_task)(data, split, recipe, kwargs) for split, recipe in tasks
    )


# --------------------------------------------------------------------------------------------
# Executors: where the runs happen. The driver always journals, as each result comes back.
# --------------------------------------------------------------------------------------------

Executor = Literal["local", "dask"]
TaskRunner = Callable[[list[tuple[Split, Recipe]], Any, dict[str, Any]], Iterator["RunRecord | _Failure"]]

_DASK_INSTALL = "pip install 'equipoise[dask]'"
_CONNECT_TIMEOUT_S = 10.0
_DASK_PORT = 8786


@contextmanager
def _local_executor(scheduler: Any, n_workers: int) -> Iterator[TaskRunner]:
    """Runs on this machine: in process (``jobs=1``) or on ``n_workers`` loky processes."""
    yield lambda tasks, data, kwargs: _execute(tasks, data, kwargs, n_workers)


def _import_distributed() -> Any:
    """``distributed``, or an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"executor='dask' (--executor dask) needs Dask's distributed scheduler: {_DASK_INSTALL}."
        ) from exc
    return distributed


def _unreachable(address: str, reason: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"cannot reach the Dask scheduler at {address!r} ({reason}); check the address "
        f"(tcp://HOST:{_DASK_PORT}) and that 'dask scheduler' runs there, or leave out the "
        "scheduler (--scheduler) to start a local cluster."
    )


def _probe_scheduler(address: str, timeout: float) -> None:
    """Fail at once when a TCP scheduler address refuses connections.

    ``distributed.Client`` retries a refused connection until its timeout; a plain socket
    connect tells a wrong address or port in milliseconds. Other protocols (tls, ucx, inproc)
    are left to the client.
    """
    import socket

    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme != "tcp":
            return
        host, port = parse_host_port(location, default_port=_DASK_PORT)
    except ValueError as exc:
        raise _unreachable(address, f"not an address: {exc}") from exc
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise _unreachable(address, exc.strerror or type(exc).__name__) from exc


def _dask_client(distributed: Any, scheduler: Any, n_workers: int, stack: ExitStack) -> Any:
    """The user's Client as is; a Client of the address; or a LocalCluster of ``n_workers``
    single-threaded processes. What is opened here is closed with ``stack``."""
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if scheduler is None:
        import logging

        with warnings.catch_warnings():
            # without a dashboard the scheduler still serves /health on :8787 and warns when
            # the port is taken (another cluster runs); it falls back to a free port
            warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        stack.enter_context(cluster)
        return stack.enter_context(distributed.Client(cluster, set_as_default=False))
    _probe_scheduler(scheduler, _CONNECT_TIMEOUT_S)
    try:
        client = distributed.Client(scheduler, timeout=_CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise _unreachable(scheduler, f"no answer within {_CONNECT_TIMEOUT_S:g} s") from exc
    return stack.enter_context(client)


def _run_dask_task(
    data: _preprocess.PreparedData,
    split: Split,
    recipe: Recipe,
    kwargs: dict[str, Any],
    slots_per_host: dict[str, int],
) -> RunRecord | _Failure:
    """Dask worker entry point: picks the torch threads on the worker, then runs the task.

    Without an explicit ``threads``, each run gets ``max(1, cores // slots)``, where ``cores``
    is the worker machine's CPU count and ``slots`` the number of runs the cluster executes at
    once on that machine (every worker thread there), so co-located workers do not
    oversubscribe it.

    joblib runs each task under its dask backend, so scikit-learn's own joblib calls inside a
    run (column transformer, metrics) would become sub-tasks spread over the cluster; the
    run is made sequential instead, as it is on the local executor.
    """
    from joblib import parallel_config

    if kwargs.get("threads") is None:
        from distributed import get_worker
        from distributed.comm import get_address_host

        try:
            slots = slots_per_host.get(get_address_host(get_worker().address), 1)
        except ValueError:  # not on a worker (a client running tasks in process)
            slots = 1
        kwargs = {**kwargs, "threads": max(1, (os.cpu_count() or 1) // max(1, slots))}
    with parallel_config(backend="sequential"):
        return _run_task(data, split, recipe, kwargs)


@contextmanager
def _dask_executor(scheduler: Any, n_workers: int) -> Iterator[TaskRunner]:
    """Runs on a Dask cluster through joblib's dask backend; results come back to the driver.

    The prepared data is scattered to the cluster once (joblib does it for large arguments);
    each run is its own task (``batch_size=1``) and is yielded as soon as it finishes, so the
    driver journals it at once and a killed driver loses only the runs in flight.
    """
    distributed = _import_distributed()
    from distributed.comm import get_address_host
    from joblib import Parallel, delayed, parallel_config

    with ExitStack() as stack:
        client = _dask_client(distributed, scheduler, n_workers, stack)

        def run(tasks: list[tuple[Split, Recipe]], data: Any, kwargs: dict[str, Any]) -> Iterator[RunRecord | _Failure]:
            slots: Counter[str] = Counter()
            for address, n_threads in client.nthreads().items():
                slots[get_address_host(address)] += int(n_threads)
            with parallel_config(backend="dask", client=client):
                parallel = Parallel(n_jobs=-1, batch_size=1, return_as="generator_unordered")
            return parallel(delayed(_run_dask_task)(data, split, recipe, kwargs, dict(slots)) for split, recipe in tasks)

        yield run


_EXECUTORS: dict[str, Callable[[Any, int], AbstractContextManager[TaskRunner]]] = {
    "local": _local_executor,
    "dask": _dask_executor,
}


def _check_executor(executor: Any, scheduler: Any) -> None:
    """Validate ``executor`` and ``scheduler`` before any work (and Dask's presence)."""
    if executor not in _EXECUTORS:
        raise InvalidParameterError(
            f"The 'executor' parameter of compare must be one of {sorted(_EXECUTORS)}; got {executor!r}."
        )
    if executor != "dask":
        if scheduler is not None:
            raise InvalidParameterError(
                f"The 'scheduler' parameter of compare is only for executor='dask' (--executor dask); "
                f"got scheduler={scheduler!r} with executor={executor!r}."
            )
        return
    distributed = _import_distributed()
    if scheduler is not None and not isinstance(scheduler, (str, distributed.Client)):
        raise InvalidParameterError(
            "The 'scheduler' parameter of compare must be a scheduler address such as "
            f"'tcp://10.0.0.5:{_DASK_PORT}', a distributed.Client, or None; got {scheduler!r}."
        )
    if isinstance(scheduler, str) and not scheduler.strip():
        raise InvalidParameterError("The 'scheduler' parameter of compare must not be empty; got ''.")


def compare(
    X: Any = None,
    y: Any = None,
    *,
    recipes: Iterable[str | Recipe] | str | None = None,
    folds: int = 5,
    seeds: int = 1,
    metric: str = "balanced_accuracy",
    baseline: str = "baseline",
    jobs: int = 1,
    device: str = "cpu",
    out: str | Path | None = None,
    model_factory: Callable[..., Any] | None = None,
    categorical: Sequence[Any] | None = None,
    impute: bool = False,
    max_epochs: int = 40,
    patience: int = 6,
    batch_size: int = 128,
    lr: float = 3e-3,
    val_size: float = 0.2,
    random_state: int = 0,
    threads: int | None = None,
    fresh: bool = False,
    progress: bool = True,
    report: bool = True,
    dataset_name: str | None = None,
    executor: Executor = "local",
    scheduler: Any = None,
) -> ComparisonResult:
    """Compare imbalance recipes on your data with leakage-free cross-validation.

    Each recipe is trained and scored on every fold of a stratified k-fold split, repeated over
    ``seeds``; see the module docstring for the protocol. Results carry a 95% interval per
    metric and a paired test against ``baseline`` on the primary ``metric``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), DataFrame, or (n, channels, H, W) images
        None runs the tutorial dataset :func:`equipoise.datasets.load_example`.
    y : array-like of shape (n_samples,)
    recipes : iterable of names or :class:`Recipe`, or a comma-separated string, optional
        Default: every shipped recipe (:data:`~equipoise.compare.recipes.DEFAULT_RECIPES`).
    folds : int, default=5
    seeds : int, default=1
        Repetitions of the k-fold split with different shuffles (and initial weights).
    metric : str, default='balanced_accuracy'
        The primary metric (a name in :data:`equipoise.metrics.METRICS`) used for the ranking,
        the paired tests and the recommendation. Changing it does not invalidate stored runs.
    baseline : str, default='baseline'
        The recipe the others are tested against (skipped when it is not run).
    jobs : int, default=1
        Parallel workers (joblib loky); -1 uses every core. Each worker gets
        ``max(1, cores // jobs)`` torch threads. With ``executor='dask'``: the number of
        worker processes of the LocalCluster started when ``scheduler`` is None (ignored
        with a scheduler, whose workers set the parallelism).
    device : str, default='cpu'
        Torch device for training ('cpu', 'cuda', 'cuda:1', 'mps', 'auto').
    out : str or Path, optional
        Output folder: ``journal.sqlite``, ``results.csv``, ``summary.json``, ``report.html``.
        None keeps the journal in a temporary folder and writes nothing.
    model_factory : callable, optional
        ``model_factory(n_features, n_classes) -> torch.nn.Module`` (for images the first
        argument is the sample shape ``(channels, H, W)``). Default: :class:`~.models.MLP` for
        tables, :class:`~.models.SmallCNN` for images.
    categorical : sequence of column names or positions, optional
        Columns to one-hot encode; default: every non-numeric column of a DataFrame.
    impute : bool, default=False
        Fill missing values (median / most frequent, learned per training fold). Without it,
        missing values are an error.
    max_epochs, patience, batch_size, lr : training settings (see :class:`TrainSettings`).
    val_size : float, default=0.2
    random_state : int, default=0
        Seed of the splits, resamplers, samplers and initial weights.
    threads : int, optional
        Torch threads per worker; default ``max(1, cores // jobs)`` so workers do not
        oversubscribe the cores. Small models on a busy machine often run fastest with 1.
        With ``executor='dask'`` the default is set on each worker: its machine's cores
        divided by the worker threads the cluster runs there.
    fresh : bool, default=False
        Delete the runs stored in ``out`` first.
    progress : bool, default=True
        Show a progress bar (runs done, time left).
    report : bool, default=True
        Write ``report.html`` (when ``out`` is given).
    dataset_name : str, optional
        Shown in the summary and report.
    executor : {'local', 'dask'}, default='local'
        Where the runs execute. 'local': this machine (``jobs`` loky workers). 'dask': a Dask
        cluster through joblib's dask backend; results come back to this process, which
        writes the journal, so a cluster run resumes like a local one. Needs
        ``pip install 'equipoise[dask]'``.
    scheduler : str or distributed.Client, optional
        With ``executor='dask'``: the scheduler address (``'tcp://host:8786'``, connected
        with a 10 s timeout) or a connected Client (left open). None starts a
        ``LocalCluster`` of ``jobs`` single-threaded worker processes for this call.

    Returns
    -------
    ComparisonResult

    Raises
    ------
    InvalidInputError, InvalidParameterError, UnknownNameError
        For bad data, settings, or unknown recipe / metric names (before any training).

    References
    ----------
    .. [1] Dietterich, T. G. (1998). Approximate statistical tests for comparing supervised
       classification learning algorithms. Neural Computation.
    .. [2] Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. Machine Learning.

    Examples
    --------
    >>> from equipoise.compare import compare
    >>> res = compare(recipes=["baseline", "random-over"], folds=2, max_epochs=3,
    ...               progress=False)  # doctest: +SKIP
    >>> res.recommendation  # doctest: +SKIP
    'No recipe beats the baseline beyond noise ...'
    """
    from ..metrics import METRICS

    started = time.perf_counter()
    folds = _check_int("folds", folds, 2)
    seeds = _check_int("seeds", seeds, 1)
    if jobs != -1:
        jobs = _check_int("jobs", jobs, 1)
    cores = os.cpu_count() or 1
    n_workers = cores if jobs == -1 else jobs
    for name, value in (("max_epochs", max_epochs), ("patience", patience), ("batch_size", batch_size)):
        _check_int(name, value, 1)
    _check_int("random_state", random_state, 0)
    if threads is not None:
        _check_int("threads", threads, 1)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise InvalidParameterError(f"The 'lr' parameter of compare must be a positive float; got {lr!r}.")
    if isinstance(val_size, bool) or not isinstance(val_size, float) or not 0 < val_size < 1:
        raise InvalidParameterError(f"The 'val_size' parameter of compare must be a float in (0, 1); got {val_size!r}.")
    METRICS.get(metric)
    resolve_device(device)
    _check_executor(executor, scheduler)
    recipe_list = _resolve_recipes(recipes)

    if X is None:
        if y is not None:
            raise InvalidParameterError("compare got y without X; pass both, or neither for the tutorial dataset.")
        from ..datasets import load_example

        X, y = load_example()
        dataset_name = dataset_name or "example"
    elif y is None:
        raise InvalidParameterError("compare got X without y; pass the labels as y.")
    data = _preprocess.prepare_data(X, y, categorical=categorical, impute=impute)
    settings = TrainSettings(max_epochs, patience, batch_size, float(lr), 1e-4, float(val_size))
    splits = make_splits(data.y_encoded, folds=folds, seeds=seeds, val_size=settings.val_size, random_state=random_state)

    factory_name = None
    if model_factory is not None:
        factory_name = f"{getattr(model_factory, '__module__', '?')}.{getattr(model_factory, '__qualname__', repr(model_factory))}"
    config = {
        "data": _fingerprint(data),
        "n_samples": data.n_samples,
        "classes": [str(c) for c in data.classes],
        "folds": folds,
        "seeds": seeds,
        "random_state": random_state,
        "train": settings.to_dict(),
        "model": factory_name or "default",
        "categorical": list(data.categorical),
        "impute": bool(impute),
    }

    tmp = None
    if out is None:
        tmp = tempfile.TemporaryDirectory(prefix="equipoise-")
        folder = Path(tmp.name)
    else:
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise InvalidParameterError(f"the output path {str(folder)!r} exists and is not a folder; choose another --out.")
    try:
        with Journal(folder / JOURNAL_NAME, config, fresh=fresh) as journal:
            journal.check_recipes({r.name: r.fingerprint() for r in recipe_list})
            done = journal.done()
            tasks = [(s, r) for s in splits for r in recipe_list if (r.name, s.fold, s.seed) not in done]
            if threads is None and executor == "local":  # dask: chosen on each worker
                threads = max(1, cores // max(1, n_workers))
            kwargs = {
                "settings": settings,
                "random_state": random_state,
                "device": device,
                "model_factory": model_factory,
                "threads": threads,
            }
            failures: dict[str, str] = {}
            total = len(splits) * len(recipe_list)
            with ExitStack() as stack:
                # No run left (a finished comparison resumed): no cluster is contacted.
                run_tasks = stack.enter_context(_EXECUTORS[executor](scheduler, n_workers)) if tasks else None
                bar = stack.enter_context(_progress(total, progress))
                task_id = bar.add_task("comparing", total=total, completed=total - len(tasks))
                for result in run_tasks(tasks, data, kwargs) if run_tasks is not None else ():
                    if isinstance(result, _Failure):
                        failures.setdefault(result.recipe, result.message)
                    else:
                        journal.add(result)  # committed at once, on the driver
                    bar.advance(task_id)
            wanted = {(r.name, s.fold, s.seed) for s in splits for r in recipe_list}
            records = [rec for rec in journal.records(wanted) if rec.recipe not in failures]
        return _finish(
            records,
            data=data,
            recipe_list=recipe_list,
            metric=metric,
            baseline=baseline,
            folds=folds,
            seeds=seeds,
            config=config,
            failures=failures,
            out=None if out is None else folder,
            report=report,
            dataset_name=dataset_name,
            started=started,
            n_computed=len(tasks),
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


def _json_safe(value: Any) -> Any:
    """NaN/inf -> None (strict JSON), numpy scalars -> Python, keys -> str."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _finish(
    records: list[RunRecord],
    *,
    data: _preprocess.PreparedData,
    recipe_list: list[Recipe],
    metric: str,
    baseline: str,
    folds: int,
    seeds: int,
    config: dict[str, Any],
    failures: dict[str, str],
    out: Path | None,
    report: bool,
    dataset_name: str | None,
    started: float,
    n_computed: int,
) -> ComparisonResult:
    import json

    from ..profile import profile

    order = {r.name: i for i, r in enumerate(recipe_list)}
    records = sorted(records, key=lambda r: (order[r.recipe], r.seed, r.fold))
    if not records:
        detail = "; ".join(f"{k}: {v}" for k, v in failures.items())
        raise InvalidInputError(f"every recipe failed on this data ({detail}).")
    metric_names: list[str] = list(dict.fromkeys(k for rec in records for k in rec.metrics))
    rows = [
        {"recipe": rec.recipe, "fold": rec.fold, "seed": rec.seed, **{m: rec.metrics.get(m, math.nan) for m in metric_names}, "fit_seconds": rec.fit_seconds}
        for rec in records
    ]
    results = pd.DataFrame(rows, columns=[*KEY_COLUMNS, *metric_names, "fit_seconds"])
    if metric not in results.columns:
        raise InvalidParameterError(
            f"metric {metric!r} is not defined for this problem (e.g. sensitivity needs two classes); "
            f"choose one of {metric_names}."
        )
    prof = profile(data.y)
    dataset = {
        "name": dataset_name or "data",
        "n_samples": data.n_samples,
        "n_features": int(data.X.shape[1]) if data.kind == "table" else list(data.X.shape[1:]),
        "class_counts": {str(k): int(v) for k, v in prof.counts.items()},
        "imbalance_ratio": float(prof.imbalance_ratio),
    }
    summary = build_summary(
        results,
        metric=metric,
        baseline=baseline,
        descriptions={r.name: r.description for r in recipe_list},
        dataset=dataset,
        n_folds=folds,
        n_seeds=seeds,
        elapsed_seconds=time.perf_counter() - started,
        failed=failures,
    )
    predictions = _predictions_for_report(records, data.classes)
    labels = [c.item() if isinstance(c, np.generic) else c for c in data.classes]
    first = [rec for rec in records if rec.seed == 0 and rec.fold == 0]
    resampled: dict[str, dict[Any, int]] = {}
    if first:
        resampled["original"] = dict(zip(labels, first[0].train_counts))
        for rec in first:
            resampled[rec.recipe] = dict(zip(labels, rec.resampled_counts))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / "results.csv", index=False)
        (out / "summary.json").write_text(json.dumps(_json_safe(summary), indent=2), encoding="utf-8")
        if report:
            from .report import write_report

            write_report(
                out / "report.html",
                title=f"equipoise comparison: {dataset['name']}",
                profile=prof,
                results=results,
                summary=summary,
                predictions=predictions,
                resampled_counts=resampled,
                config={**config, "metric": metric, "recipes": [r.name for r in recipe_list]},
            )
    return ComparisonResult(results, summary, out, config, n_computed, predictions)
