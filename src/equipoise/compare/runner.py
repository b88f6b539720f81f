"""Run recipes side by side, leakage-free, on the user's data: :func:`compare`.

Protocol, for every run (one recipe on one split, :mod:`equipoise.compare.splits`):

1. the rows the model trains on, the rows it is selected on (a validation split, or inner folds)
   and the scored rows (a test fold, or a separate test set) are fixed before anything is fitted;
2. the preprocessor and the recipe's resampler are fitted on the training rows only;
3. every recipe gets the same budget of optimiser steps and the same selection criterion, one
   that no class prior favours (:mod:`equipoise.compare.selection`);
4. the decision rule is fitted on the selection rows; the scored rows are predicted once.

Every recipe sees the same splits and the same initial weights for a given split, so the
differences between recipes are paired; the verdict accounts for the overlap of training sets
and for the number of recipes compared (:mod:`equipoise.compare.summary`).
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._local_workers import lent_workers, worker_threads
from .._validation import Interval, resolve_device, target_kind, validate_params
from ..exceptions import InvalidInputError, InvalidParameterError
from . import _preprocess
from .designs import CVDesign, FixedTestDesign
from .executors import EXECUTORS, Executor, check_executor, usable_cores
from .fingerprint import data_fingerprint, software_versions
from .journal import JOURNAL_NAME, Journal, RunRecord, lock_output_folder
from .recipes import DEFAULT_RECIPES, REFERENCE_RECIPES, Recipe, get_recipe
from .regression import RegressionComparison
from .result import ComparisonResult, csv_safe
from .run import Failure
from .selection import CRITERION_TEXT
from .settings import TrainSettings
from .splits import Split, make_fixed_test_splits, make_splits
from .summary import KEY_COLUMNS, RecipeInfo, build_summary, collapsed
from .training import ENGINE as TRAINING_ENGINE
from .training import RunEnv, steps_per_epoch

__all__ = ["compare", "shot_groups", "OUTPUT_FILES"]

_LOG = logging.getLogger("equipoise.compare")

OUTPUT_FILES = ("results.csv", "summary.json", "report.html")
"""What :func:`compare` writes into ``out`` beside the journal."""

_SHOT_REFERENCE_HEAD = 500
"""CIFAR-100-LT's head class: Liu et al.'s thresholds (100, 20) are 20% and 4% of it."""


def shot_groups(counts: Sequence[float] | np.ndarray) -> dict[str, Any] | None:
    """Many / medium / few-shot classes for training ``counts`` (one per encoded class).

    Liu et al. (2019): many-shot classes have more than 100 training rows, few-shot fewer than
    20. Those thresholds assume a head class of hundreds of rows; on smaller data they are
    scaled by ``n_max / 500`` (CIFAR-100-LT's head), i.e. ``min(100, 0.2 n_max)`` and
    ``min(20, 0.04 n_max)``. None for fewer than three classes or when every class falls in
    one group (nothing long-tailed to split).

    Examples
    --------
    >>> shot_groups([400, 239, 143, 86, 51, 30, 18, 11, 6, 4])["classes"]
    {'many': [0, 1, 2, 3], 'medium': [4, 5, 6], 'few': [7, 8, 9]}
    """
    values = np.asarray(counts, dtype=np.float64)
    if values.size < 3:
        return None
    n_max = float(values.max())
    many, few = min(100.0, 0.2 * n_max), min(20.0, 0.04 * n_max)
    groups = ["many" if n > many else "few" if n < few else "medium" for n in values]
    if len(set(groups)) < 2:
        return None
    scaled = n_max < _SHOT_REFERENCE_HEAD
    rule = (
        f"many-shot: more than {many:g} training rows; few-shot: fewer than {few:g}; medium-shot: the rest"
        + (
            f" (Liu et al. 2019's 100 and 20, scaled by the largest class, {n_max:g} rows, over 500)"
            if scaled
            else " (Liu et al. 2019)"
        )
    )
    return {
        "thresholds": {"many": many, "few": few},
        "rule": rule,
        "groups": groups,
        "classes": {
            g: [i for i, x in enumerate(groups) if x == g] for g in ("many", "medium", "few")
        },
    }


def _resolve_recipes(
    recipes: Iterable[str | Recipe] | str | None, references: bool
) -> list[Recipe]:
    if recipes is None:
        names: list[str | Recipe] = list(DEFAULT_RECIPES)
    elif isinstance(recipes, str):
        names = [r.strip() for r in recipes.split(",") if r.strip()]
    else:
        names = list(recipes)
    if not names:
        raise InvalidParameterError(
            "The 'recipes' parameter of compare must name at least one recipe; got none."
        )
    resolved = [get_recipe(r) for r in names]
    seen: set[str] = set()
    for r in resolved:
        if r.name in seen:
            raise InvalidParameterError(f"recipe {r.name!r} is listed twice in 'recipes'.")
        seen.add(r.name)
        r.check_components()
    if references:
        resolved += [get_recipe(n) for n in REFERENCE_RECIPES if n not in seen]
    return resolved


def _check_int(name: str, value: Any, low: int) -> int:
    validate_params(
        "compare",
        {name: value},
        {name: [Interval(int, low, None, closed="left", description=f"an int >= {low}")]},
    )
    return int(value)


def _predictions_for_report(
    records: list[RunRecord], classes: np.ndarray
) -> dict[str, dict[str, Any]]:
    labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
    out: dict[str, dict[str, Any]] = {}
    for rec in records:
        if rec.seed != 0:
            continue
        entry = out.setdefault(
            rec.recipe, {"y_true": [], "y_pred": [], "y_score": [], "labels": labels}
        )
        entry["y_true"].extend(labels[i] for i in rec.y_true)
        entry["y_pred"].extend(labels[i] for i in rec.y_pred)
        if rec.y_score is None:
            entry["y_score"] = None
        elif entry["y_score"] is not None:
            score = rec.y_score[:, 1] if len(labels) == 2 else rec.y_score
            entry["y_score"].extend(score.astype(float).tolist())
    return out


def _progress(total: int, enabled: bool) -> Any:
    from rich.console import Console
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
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )


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


def _label(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _selection_block(
    records: list[RunRecord], splits: list[Split], settings: TrainSettings, classes: np.ndarray
) -> dict[str, Any]:
    methods = Counter(rec.details.get("selection", "holdout") for rec in records)
    enlarged = sorted({c for s in splits for c in s.enlarged})
    inner_splits = sum(s.selection == "inner-cv" for s in splits)
    notes = []
    if enlarged:
        notes.append(
            f"The validation split was enlarged to {settings.min_val_rows} rows of class(es) "
            f"{[_label(classes[c]) for c in enlarged]} (a {settings.val_size:g} share would have given fewer)."
        )
    if inner_splits:
        notes.append(
            f"{inner_splits} of {len(splits)} split(s) have a class with fewer than {2 * settings.min_val_rows} "
            f"training rows, too few for {settings.min_val_rows} validation rows: their epoch and decision were "
            f"chosen from out-of-fold predictions of {settings.inner_folds} inner folds, and the final model "
            "trained on the whole training fold for the mean of the inner folds' best epochs."
        )
    first = splits[0]
    batch = settings.batch_for(len(first.train))
    per_epoch = steps_per_epoch(len(first.train), batch)
    return {
        "criterion": CRITERION_TEXT,
        "batch_size": batch,
        "steps_per_epoch": per_epoch,
        "budget_steps": per_epoch * settings.max_epochs,
        "methods": {
            "holdout": int(methods.get("holdout", 0)),
            "inner-cv": int(methods.get("inner-cv", 0)),
        },
        "note": " ".join(notes),
    }


def compare(
    X: Any = None,
    y: Any = None,
    *,
    recipes: Iterable[str | Recipe] | str | None = None,
    references: bool = True,
    test: tuple[Any, Any] | None = None,
    folds: int = 5,
    seeds: int = 3,
    metric: str = "balanced_accuracy",
    baseline: str = "baseline",
    pos_label: Any = None,
    train: TrainSettings | None = None,
    jobs: int = 1,
    device: str = "cpu",
    out: str | Path | None = None,
    model_factory: Callable[..., Any] | None = None,
    categorical: Sequence[Any] | None = None,
    impute: bool = False,
    random_state: int = 0,
    threads: int | None = None,
    fresh: bool = False,
    progress: bool = True,
    report: bool = True,
    dataset_name: str | None = None,
    test_name: str | None = None,
    executor: Executor = "local",
    scheduler: Any = None,
    task: str | None = None,
) -> ComparisonResult | RegressionComparison:
    """Compare imbalance recipes on your data, leakage-free, and say which fix works.

    Every recipe, and every reference model, is trained on the same rows with the same budget
    of optimiser steps, selected by a criterion that no class prior favours, and scored on the
    same held-out rows (see the module docstring and ``docs/compare.md``). A difference is called
    real only after a test that accounts for overlapping training folds (Nadeau-Bengio) or, on a
    fixed test set, for test-set sampling (a paired bootstrap), and for the number of recipes
    compared (Holm); otherwise the verdict says "tied". The simplest recipe tied with the best
    that beats the baseline is recommended.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), DataFrame, or (n, channels, H, W) images
        None runs the tutorial dataset :func:`equipoise.datasets.load_example`.
    y : array-like of shape (n_samples,)
        A multi-label indicator matrix (``target_kind(y) == 'multilabel'``) runs
        :func:`equipoise.compare.multilabel.compare_multilabel` instead (folds, seeds,
        random_state and metric passed on; the default metric becomes 'macro_f1') and returns
        its :class:`~equipoise.compare.multilabel.MultiLabelComparison`.
    recipes : iterable of names or :class:`Recipe`, or a comma-separated string, optional
        Default: every shipped neural recipe (:data:`~equipoise.compare.recipes.DEFAULT_RECIPES`).
    references : bool, default=True
        Add the reference models (:data:`~equipoise.compare.recipes.REFERENCE_RECIPES`:
        logistic regression, histogram gradient boosting with balanced weights and with a tuned
        threshold, a balanced random forest), trained on exactly the rows the recipes train on.
    test : (X_test, y_test), optional
        A separate test set: every run trains (and selects) on all of ``X, y`` and is scored on
        it, repeated over ``seeds`` (the long-tailed protocol: train on the long-tailed data,
        test on a balanced set). Same columns (or image shape) as ``X``, only known classes.
        Default: stratified ``folds``-fold cross-validation.
    folds : int, default=5
        Cross-validation folds (ignored with ``test``).
    seeds : int, default=3
        Repetitions with different shuffles, selection rows and initial weights.
    metric : str, default='balanced_accuracy'
        The primary metric (a name in :data:`equipoise.metrics.METRICS`) for the ranking, the
        tests and the recommendation. Changing it does not invalidate stored runs.
    baseline : str, default='baseline'
        The recipe every other is tested against.
    pos_label : label, optional
        Binary targets: the positive class, the one sensitivity and PR-AUC describe. Default:
        the minority class.
    train : TrainSettings, optional
        How every model is trained and selected (epochs, patience, batch size, learning rate,
        validation share, selection rule). Default: ``TrainSettings()``.
    jobs : int, default=1
        Parallel workers (joblib loky); -1 uses every core. With ``executor='dask'``: the worker
        processes of the LocalCluster started when ``scheduler`` is None.
    device : str, default='cpu'
        Torch device for training ('cpu', 'cuda', 'cuda:1', 'mps', 'auto').
    out : str or Path, optional
        Output folder: ``journal.sqlite``, ``results.csv``, ``summary.json``, ``report.html``.
        None keeps the journal in a temporary folder and writes nothing.
    model_factory : callable, optional
        ``model_factory(n_features, n_classes) -> torch.nn.Module`` (for images the first
        argument is the sample shape ``(channels, H, W)``). Default: an MLP for tables, a small
        CNN for images.
    categorical : sequence of column names or positions, optional
        Columns to one-hot encode; default: every non-numeric column of a DataFrame.
    impute : bool, default=False
        Fill missing values (median / most frequent, learned on each run's training rows).
    random_state : int, default=0
        Seed of the splits, resamplers, samplers and initial weights.
    threads : int, optional
        Torch (and BLAS/OpenMP) threads per worker; default ``max(1, cores // jobs)``.
    fresh : bool, default=False
        Delete the runs stored in ``out`` first.
    progress : bool, default=True
        Show a progress bar on stderr (runs done, time left).
    report : bool, default=True
        Write ``report.html`` (when ``out`` is given).
    dataset_name, test_name : str, optional
        Shown in the summary and report.
    executor : {'local', 'dask'}, default='local'
        Where the runs execute: this machine, or a Dask cluster through joblib's dask backend
        (results come back to this process, which writes the journal). Needs
        ``pip install 'equipoise[dask]'`` for 'dask'.
    scheduler : str or distributed.Client, optional
        With ``executor='dask'``: the scheduler address or a connected Client; None starts a
        ``LocalCluster`` of ``jobs`` single-threaded workers.
    task : {'classification', 'regression'}, optional
        'regression' runs the regression recipes
        (:func:`equipoise.compare.regression.compare_regression` with ``recipes``, ``folds``,
        ``seeds``, ``train``, ``random_state``, ``threads``) and returns a ``RegressionComparison``.

    Returns
    -------
    ComparisonResult or RegressionComparison

    Raises
    ------
    InvalidInputError, InvalidParameterError, UnknownNameError
        For bad data, settings, recipes or their parameters, or unknown names (before any
        training).

    References
    ----------
    .. [1] Nadeau, C. & Bengio, Y. (2003). Inference for the generalization error. Machine Learning.
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Stat.
    .. [3] Liu, Z. et al. (2019). Large-scale long-tailed recognition in an open world. CVPR.

    Examples
    --------
    >>> from equipoise.compare import compare, TrainSettings
    >>> res = compare(recipes=["baseline", "class-weights"], folds=2, seeds=1,
    ...               train=TrainSettings(max_epochs=3), progress=False)  # doctest: +SKIP
    >>> res.recommended  # doctest: +SKIP
    'class-weights'
    """
    from ..metrics import METRICS

    if _is_regression(task, y):
        from .regression import compare_regression

        names = (
            None if recipes is None else [recipes] if isinstance(recipes, str) else list(recipes)
        )
        if names is not None and not all(isinstance(name, str) for name in names):
            raise InvalidParameterError(
                "The 'recipes' parameter of compare takes recipe names for a regression target "
                f"(see equipoise.compare.regression.REGRESSION_RECIPES); got {names!r}."
            )
        return compare_regression(
            X,
            y,
            recipes=[str(name) for name in names] if names is not None else None,
            folds=folds,
            seeds=seeds,
            train=train,
            random_state=random_state,
            threads=threads or 1,
        )
    started = time.perf_counter()
    folds = _check_int("folds", folds, 2)
    seeds = _check_int("seeds", seeds, 1)
    if jobs != -1:
        jobs = _check_int("jobs", jobs, 1)
    cores = usable_cores()
    n_workers = cores if jobs == -1 else jobs
    notes: list[str] = []
    if n_workers > cores and not (executor == "dask" and scheduler is not None):
        notes.append(f"jobs={jobs} lowered to {cores}, the usable CPU cores of this machine.")
        warnings.warn(notes[-1], UserWarning, stacklevel=2)
        n_workers = cores
    _check_int("random_state", random_state, 0)
    if threads is not None:
        _check_int("threads", threads, 1)
    settings = TrainSettings() if train is None else train
    if not isinstance(settings, TrainSettings):
        raise InvalidParameterError(
            f"The 'train' parameter of compare must be a TrainSettings or None; got {train!r}."
        )
    validate_params("compare", {"references": references}, {"references": ["boolean"]})
    METRICS.get(metric)
    resolve_device(device)
    check_executor(executor, scheduler)
    recipe_list = _resolve_recipes(recipes, references)

    if y is not None and np.ndim(y) == 2 and target_kind(y, owner="compare") == "multilabel":
        from .multilabel import compare_multilabel  # an indicator Y: the multi-label protocol

        return compare_multilabel(
            X,
            y,
            folds=folds,
            seeds=seeds,
            random_state=random_state,  # type: ignore[return-value]
            metric="macro_f1" if metric == "balanced_accuracy" else metric,
        )
    # The output folder is locked before the data is read: a second compare on it is refused at
    # once, and a stray results.csv before any work.
    folder_lock = ExitStack()
    writable = True
    if out is not None:
        writable = folder_lock.enter_context(lock_output_folder(_check_out(out)))
    with folder_lock:
        if out is not None and writable and not fresh:
            _check_no_stray_outputs(Path(out))
        if report and out is not None:
            # imported now, while other workers still import, not after the runs on this
            # process alone (matplotlib and Jinja2: about 0.8 s)
            from . import report as _report_module  # noqa: F401
        if X is None:
            if y is not None:
                raise InvalidParameterError(
                    "compare got y without X; pass both, or neither for the tutorial dataset."
                )
            from ..datasets import load_example

            X, y = load_example()
            dataset_name = dataset_name or "example"
        elif y is None:
            raise InvalidParameterError("compare got X without y; pass the labels as y.")
        data = _preprocess.prepare_data(
            X, y, categorical=categorical, impute=impute, pos_label=pos_label
        )
        test_data = None
        if test is not None:
            if not isinstance(test, (tuple, list)) or len(test) != 2:
                raise InvalidParameterError(
                    f"The 'test' parameter of compare must be a pair (X_test, y_test) or None; got {type(test).__name__}."
                )
            test_data = _preprocess.prepare_test(data, test[0], test[1])
        n_classes = len(data.classes)
        for r in recipe_list:
            r.check(n_classes, data.kind)
        if test_data is None:
            splits = make_splits(
                data.y_encoded,
                folds=folds,
                seeds=seeds,
                settings=settings,
                random_state=random_state,
            )
            counts: np.ndarray = (
                np.bincount(data.y_encoded, minlength=n_classes) * (folds - 1) / folds
            )
        else:
            splits = make_fixed_test_splits(
                data.y_encoded,
                len(test_data.y),
                seeds=seeds,
                settings=settings,
                random_state=random_state,
            )
            counts = np.bincount(data.y_encoded, minlength=n_classes)
        shots = shot_groups(counts)

        factory_name = None
        if model_factory is not None:
            factory_name = f"{getattr(model_factory, '__module__', '?')}.{getattr(model_factory, '__qualname__', repr(model_factory))}"
        config = {
            "data": data_fingerprint(data),
            "n_samples": data.n_samples,
            "classes": [str(c) for c in data.classes],
            "design": "cv" if test_data is None else "fixed-test",
            "test": None if test_data is None else data_fingerprint(test_data),
            "folds": folds if test_data is None else None,
            "seeds": seeds,
            "random_state": random_state,
            "train": settings.to_dict(),
            "model": factory_name or "default",
            "categorical": list(data.categorical),
            "impute": bool(impute),
            "versions": software_versions(),
            "engine": TRAINING_ENGINE,
        }

        tmp = None
        if out is None:
            tmp = tempfile.TemporaryDirectory(prefix="equipoise-")
            folder = Path(tmp.name)
        else:
            folder = _check_out(out)
        try:
            with ExitStack() as outer:
                journal = outer.enter_context(
                    Journal(folder / JOURNAL_NAME, config, fresh=fresh, read_only=not writable)
                )
                journal.check_recipes({r.name: r.fingerprint() for r in recipe_list})
                done = journal.done()
                tasks = group_runs(
                    splits,
                    recipe_list,
                    done,
                    n_workers,
                    lambda r: group_limit(data, r, model_factory, device),
                )
                n_runs = sum(len(group) for group, _ in tasks)
                if tasks and not writable:
                    raise InvalidInputError(
                        f"the output folder {str(folder)!r} cannot be written and {n_runs} of "
                        f"{len(splits) * len(recipe_list)} run(s) are not in its journal; make it writable "
                        "or use another output folder (--out DIR / out=...)."
                    )
                if not (executor == "dask" and scheduler is not None) and len(tasks) < n_workers:
                    n_workers = max(1, len(tasks))  # no idle worker processes
                if threads is None and executor == "local":  # dask: chosen on each worker
                    threads = worker_threads(n_workers, cores)
                kwargs = {
                    "env": RunEnv(
                        settings=settings,
                        device=device,
                        model_factory=model_factory,
                        threads=threads,
                    ),
                    "random_state": random_state,
                    "test": test_data,
                    "shots": None if shots is None else shots["groups"],
                }
                failures: dict[str, str] = {}
                total = len(splits) * len(recipe_list)
                with ExitStack() as stack:
                    # No run left (a finished comparison resumed): no cluster is contacted.
                    run_tasks = (
                        stack.enter_context(EXECUTORS[executor](scheduler, n_workers))
                        if tasks
                        else None
                    )
                    bar = stack.enter_context(_progress(total, progress))
                    task_id = bar.add_task("comparing", total=total, completed=total - n_runs)
                    _LOG.info(
                        "compare: %d run(s) to compute of %d (%d recipe(s)) in %d group(s), "
                        "%d worker(s)",
                        n_runs,
                        total,
                        len(recipe_list),
                        len(tasks),
                        n_workers,
                    )
                    for n_done, result in enumerate(
                        run_tasks(tasks, data, kwargs) if run_tasks is not None else (), 1
                    ):
                        if isinstance(result, Failure):
                            failures.setdefault(result.recipe, result.message)
                        else:
                            journal.add(result)  # committed at once, on the driver
                        bar.advance(task_id)
                        _LOG.info("compare: run %d/%d done (%s)", n_done, n_runs, result.recipe)
                wanted = {(r.name, s.fold, s.seed) for s in splits for r in recipe_list}
                records = [rec for rec in journal.records(wanted) if rec.recipe not in failures]
                # still under the folder's lock: results.csv, summary.json and report.html
                return _finish(
                    records,
                    data=data,
                    test_data=test_data,
                    splits=splits,
                    settings=settings,
                    recipe_list=recipe_list,
                    metric=metric,
                    baseline=baseline,
                    folds=folds,
                    seeds=seeds,
                    shots=shots,
                    config=config,
                    failures=failures,
                    out=None if out is None else folder,
                    writable=writable,
                    notes=notes,
                    report=report,
                    dataset_name=dataset_name,
                    test_name=test_name,
                    random_state=random_state,
                    started=started,
                    n_computed=n_runs,
                )
        finally:
            if tmp is not None:
                tmp.cleanup()


MAX_GROUP_RUNS = 16
"""Most runs of one recipe sent to a worker as one task (their networks train together)."""

GROUP_BYTES = 2**30
"""About the most memory the runs of one group hold at once (their preprocessed and resampled
rows are alive together while their networks train): groups are smaller on large data."""

_GROUPS_PER_WORKER = 4  # enough tasks per worker that the last ones finish close together
_RUN_COPIES = 6  # float32 copies of the data one run holds: train/val/test, resampled, stacked


def group_limit(
    data: _preprocess.PreparedData, recipe: Recipe, model_factory: Any, device: str
) -> int:
    """Most runs of ``recipe`` per task: one where grouping gains nothing (a reference model,
    a ``model_factory``'s or the image network, CUDA), else :data:`MAX_GROUP_RUNS`, fewer when
    the group's copies of the data would pass :data:`GROUP_BYTES`."""
    if recipe.model != "network" or model_factory is not None or data.kind != "table":
        return 1
    if str(device).startswith("cuda"):
        return 1
    width = len(data.numeric) + len(data.categorical)  # one-hot categories widen it: a floor
    per_run = _RUN_COPIES * 4 * max(1, data.n_samples) * max(1, width)
    return int(max(1, min(MAX_GROUP_RUNS, GROUP_BYTES // per_run)))


def group_runs(
    splits: Sequence[Split],
    recipes: Sequence[Recipe],
    done: set[tuple[str, int, int]],
    workers: int,
    limit: Callable[[Recipe], int] = lambda recipe: MAX_GROUP_RUNS,
) -> list[tuple[list[Split], Recipe]]:
    """The runs still to compute, as tasks of one recipe on a group of splits.

    A recipe's runs not in ``done`` are cut into consecutive groups of at most
    ``limit(recipe)`` (:func:`group_limit`), smaller when there would otherwise be fewer than
    four tasks per worker; the networks of a group train as one stacked computation, each run
    with the results it has alone, so the grouping changes the time, never a result.

    Examples
    --------
    >>> from equipoise.compare import get_recipe
    >>> from equipoise.compare.splits import Split
    >>> import numpy as np
    >>> rows = np.arange(4)
    >>> splits = [Split(f, s, rows, rows, rows) for s in range(3) for f in range(5)]
    >>> tasks = group_runs(splits, [get_recipe("baseline")], set(), workers=1)
    >>> [len(group) for group, _ in tasks]
    [3, 4, 4, 4]
    """
    pending = [(r, [s for s in splits if (r.name, s.fold, s.seed) not in done]) for r in recipes]
    n_runs = sum(len(todo) for _, todo in pending)
    balanced = math.ceil(n_runs / (_GROUPS_PER_WORKER * max(1, workers)))
    tasks = []
    for recipe, todo in pending:
        size = max(1, min(limit(recipe), MAX_GROUP_RUNS, balanced))
        n_groups = math.ceil(len(todo) / size)
        for k in range(n_groups):  # as even as possible: sizes differ by at most one
            group = todo[k * len(todo) // n_groups : (k + 1) * len(todo) // n_groups]
            tasks.append((group, recipe))
    return tasks


def _is_regression(task: str | None, y: Any) -> bool:
    """``task='regression'`` (a continuous ``y`` without it is refused by the classification checks)."""
    if task not in (None, "classification", "regression"):
        raise InvalidParameterError(
            f"The 'task' parameter of compare must be 'classification', 'regression' or None; got {task!r}."
        )
    return task == "regression"


def _results_frame(records: list[RunRecord], recipe_list: list[Recipe]) -> pd.DataFrame:
    family = {r.name: r.family for r in recipe_list}
    metric_names: list[str] = list(dict.fromkeys(k for rec in records for k in rec.metrics))
    rows = [
        {
            "recipe": rec.recipe,
            "fold": rec.fold,
            "seed": rec.seed,
            **{m: rec.metrics.get(m, math.nan) for m in metric_names},
            "family": family[rec.recipe],
            "collapsed": collapsed(rec),
            "selection": rec.details.get("selection", "holdout"),
            "chosen_epochs": rec.details.get("chosen_epochs"),
            "fit_seconds": rec.fit_seconds,
        }
        for rec in records
    ]
    return pd.DataFrame(
        rows,
        columns=[
            *KEY_COLUMNS,
            *metric_names,
            "family",
            "collapsed",
            "selection",
            "chosen_epochs",
            "fit_seconds",
        ],
    )


def _finish(records: list[RunRecord], **kwargs: Any) -> ComparisonResult:
    """The comparison's result and output files, from its runs' records.

    Inside the command line, its workers are idle once the runs are done: they are lent
    (:func:`~equipoise._local_workers.lent_workers`) from here on, so they import the charts
    while the summary is built and then draw some of the report's figures.
    """
    lend = lent_workers() if kwargs["report"] and kwargs["out"] is not None else nullcontext()
    with lend as workers:
        return _outputs(records, workers=workers, **kwargs)


def _outputs(
    records: list[RunRecord],
    *,
    workers: Any,
    data: _preprocess.PreparedData,
    test_data: _preprocess.PreparedData | None,
    splits: list[Split],
    settings: TrainSettings,
    recipe_list: list[Recipe],
    metric: str,
    baseline: str,
    folds: int,
    seeds: int,
    shots: dict[str, Any] | None,
    config: dict[str, Any],
    failures: dict[str, str],
    out: Path | None,
    writable: bool,
    notes: list[str],
    report: bool,
    dataset_name: str | None,
    test_name: str | None,
    random_state: int,
    started: float,
    n_computed: int,
) -> ComparisonResult:
    from ..profile import profile

    order = {r.name: i for i, r in enumerate(recipe_list)}
    records = sorted(records, key=lambda r: (order[r.recipe], r.seed, r.fold))
    if not records:
        detail = "; ".join(f"{k}: {v}" for k, v in failures.items())
        raise InvalidInputError(f"every recipe failed on this data ({detail}).")
    results = _results_frame(records, recipe_list)
    if metric not in results.columns:
        raise InvalidParameterError(
            f"metric {metric!r} is not defined for this problem (e.g. sensitivity needs two classes); "
            f"choose one of {[c for c in results.columns if c in records[0].metrics]}."
        )
    labels = [_label(c) for c in data.classes]
    prof = profile(data.y, kind="classes")
    dataset: dict[str, Any] = {
        "name": dataset_name or "data",
        "n_samples": data.n_samples,
        "n_features": int(data.X.shape[1]) if data.kind == "table" else list(data.X.shape[1:]),
        "class_counts": {str(k): int(v) for k, v in prof.counts.items()},
        "imbalance_ratio": float(prof.imbalance_ratio),
        "positive_class": None if data.positive is None else str(data.positive),
        "test_set": None,
    }
    n_classes = len(labels)
    if test_data is None:
        train_rows = np.mean([len(s.train) + len(s.val) for s in splits])
        test_rows = np.mean([len(s.test) for s in splits])
        design: CVDesign | FixedTestDesign = CVDesign(
            results, test_train_ratio=float(test_rows / train_rows), n_folds=folds, n_seeds=seeds
        )
    else:
        test_counts = np.bincount(test_data.y_encoded, minlength=n_classes)
        dataset["test_set"] = {
            "name": test_name or "test set",
            "n_samples": int(len(test_data.y)),
            "class_counts": {str(lab): int(c) for lab, c in zip(labels, test_counts)},
        }
        design = FixedTestDesign(
            records,
            n_classes=n_classes,
            test_name=test_name or "test set",
            shots=None if shots is None else shots["groups"],
            random_state=random_state,
        )
    shots_block = None
    if shots is not None:
        shots_block = {
            "thresholds": shots["thresholds"],
            "rule": shots["rule"],
            "classes": {
                g: [str(labels[i]) for i in members] for g, members in shots["classes"].items()
            },
        }
    infos = {}
    for r in recipe_list:
        plan = r.plan()
        infos[r.name] = RecipeInfo(r.description, plan.family, plan.complexity, plan.describe())
    summary = build_summary(
        results,
        records=records,
        design=design,
        metric=metric,
        baseline=baseline,
        recipes=infos,
        dataset=dataset,
        labels=labels,
        n_folds=folds if test_data is None else 1,
        n_seeds=seeds,
        selection=_selection_block(records, splits, settings, data.classes),
        shots=shots_block,
        elapsed_seconds=time.perf_counter() - started,
        failed=failures,
    )
    predictions = _predictions_for_report(records, data.classes)
    first = [rec for rec in records if rec.seed == 0 and rec.fold == 0]
    resampled: dict[str, dict[Any, int]] = {}
    if first:
        resampled["original"] = dict(zip(labels, first[0].train_counts))
        for rec in first:
            resampled[rec.recipe] = dict(zip(labels, rec.resampled_counts))
    written = False
    if out is not None and not writable:
        notes.append(
            f"the output folder {str(out)!r} cannot be written: the summary comes from its journal, and "
            f"{', '.join(OUTPUT_FILES)} were not rewritten."
        )
    elif out is not None:
        written = True
        out.mkdir(parents=True, exist_ok=True)
        csv_safe(results).to_csv(out / "results.csv", index=False)
        (out / "summary.json").write_text(
            json.dumps(_json_safe(summary), indent=2), encoding="utf-8"
        )
        if report:
            from .report import write_report

            write_report(
                out / "report.html",
                title=f"equipoise comparison: {dataset['name']}",
                profile=prof,
                results=results,
                summary=_json_safe(summary),
                predictions=predictions,
                resampled_counts=resampled,
                config={**config, "metric": metric, "recipes": [r.name for r in recipe_list]},
                executor=workers,
            )
    return ComparisonResult(
        results, summary, out, config, n_computed, predictions, notes=notes, written=written
    )


def _check_out(out: Any) -> Path:
    """The output folder: a non-empty path that is not an existing file."""
    if not isinstance(out, (str, Path)) or not str(out).strip():
        raise InvalidParameterError(
            f"The 'out' parameter of compare must name a folder (--out DIR); got {out!r}. Use '.' "
            "to write into the current folder, or leave it out (out=None) to write nothing."
        )
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InvalidParameterError(
            f"the output path {str(folder)!r} exists and is not a folder; choose another --out."
        )
    return folder


def _check_no_stray_outputs(folder: Path) -> None:
    """Refuse to overwrite a results.csv (summary.json, report.html) equipoise did not write:
    ours always sit beside the journal."""
    if (folder / JOURNAL_NAME).exists():
        return
    strays = [name for name in OUTPUT_FILES if (folder / name).exists()]
    if strays:
        raise InvalidParameterError(
            f"the output folder {str(folder)!r} holds {', '.join(strays)} but no {JOURNAL_NAME}: not "
            "written by equipoise compare (or its journal was removed), and would be overwritten. Use "
            "another output folder (--out DIR / out=...), or pass --fresh (fresh=True) to overwrite them."
        )
