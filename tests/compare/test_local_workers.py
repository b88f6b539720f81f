"""The local executor with several workers: the driver computes groups itself beside ``jobs - 1``
loky processes. Every run is computed once, with the numbers it has in process, and an error
ends the comparison without leaving workers behind."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from equipoise.compare import TrainSettings, compare, executors

from ._compare_data import tiny_binary

SETTINGS = {
    "recipes": ["baseline", "random-over", "logistic-regression"],  # + the other 3 references
    "folds": 2,
    "seeds": 2,
    "train": TrainSettings(max_epochs=3, patience=2),
    "progress": False,
    "report": False,
}


def test_two_workers_give_the_results_of_one(tmp_path, monkeypatch):
    X, y = tiny_binary()
    seen = {"tasks": 0, "driver": 0}
    real_task, real_execute = executors.run_group_task, executors._execute

    def on_driver(*args, **kwargs):  # the tasks computed here (the other worker's are not seen)
        seen["driver"] += 1
        return real_task(*args, **kwargs)

    def execute(tasks, data, kwargs, jobs):
        seen["tasks"] = len(tasks)
        return real_execute(tasks, data, kwargs, jobs)

    monkeypatch.setattr(executors, "run_group_task", on_driver)
    monkeypatch.setattr(executors, "_execute", execute)
    one = compare(X, y, out=tmp_path / "one", jobs=1, **SETTINGS)
    seen["driver"] = 0
    two = compare(X, y, out=tmp_path / "two", jobs=2, **SETTINGS)
    cols = [c for c in one.results.columns if c != "fit_seconds"]
    key = ["recipe", "seed", "fold"]
    pd.testing.assert_frame_equal(
        one.results[cols].sort_values(key).reset_index(drop=True),
        two.results[cols].sort_values(key).reset_index(drop=True),
    )
    assert len(two.results) == 6 * 2 * 2  # 3 recipes and 3 more references: every run, once
    assert not two.results.duplicated(key).any()
    assert 1 <= seen["driver"] < seen["tasks"]  # the driver and the other worker both computed


# killing the workers while loky's manager thread hands one a task can end that thread with a
# KeyError (loky's own race; joblib.Parallel's abort kills its workers the same way)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_error_on_the_driver_ends_the_comparison_and_its_workers(tmp_path, monkeypatch):
    X, y = tiny_binary()
    ended = []

    def failing(*args, **kwargs):
        raise RuntimeError("the driver's task failed")

    from joblib.executor import MemmappingExecutor

    original = MemmappingExecutor.terminate

    def terminate(self, kill_workers=False):
        ended.append(kill_workers)
        return original(self, kill_workers=kill_workers)

    monkeypatch.setattr(executors, "run_group_task", failing)
    monkeypatch.setattr(MemmappingExecutor, "terminate", terminate)
    with pytest.raises(RuntimeError, match="the driver's task failed"):
        compare(X, y, out=tmp_path / "out", jobs=2, **SETTINGS)
    assert ended == [True]  # the other worker was killed, not left running its task


def test_workers_started_early_are_the_ones_the_comparison_computes_on(tmp_path, monkeypatch):
    from equipoise import _local_workers

    X, y = tiny_binary()
    used = []
    real_pool = executors.worker_pool

    def pool_of_the_comparison(*args, **kwargs):
        pool = real_pool(*args, **kwargs)
        used.append((pool, set(pool._processes)))
        return pool

    monkeypatch.setattr(executors, "worker_pool", pool_of_the_comparison)
    with _local_workers.local_workers(2):
        early = _local_workers.worker_pool(1, _local_workers.worker_threads(2))
        started = dict(early._processes)  # pid -> process, before any task
        assert len(started) == 1
        compare(X, y, out=tmp_path / "out", jobs=2, **SETTINGS)
    assert [(pool, pids) for pool, pids in used] == [(early, set(started))]
    deadline = time.monotonic() + 10
    while any(p.is_alive() for p in started.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_alive() for p in started.values())  # killed as the block ended


def test_no_worker_is_started_early_for_one_job():
    from equipoise import _local_workers

    with _local_workers.local_workers(1):
        pass  # nothing to start, nothing to end


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"jobs": 2, "executor": "local", "task": None, "multilabel": False}, 2),
        ({"jobs": 8, "executor": "local", "task": None, "multilabel": False}, 3),  # the cores
        ({"jobs": -1, "executor": "local", "task": None, "multilabel": False}, 3),
        ({"jobs": 1, "executor": "local", "task": None, "multilabel": False}, 1),
        ({"jobs": 2, "executor": "dask", "task": None, "multilabel": False}, 1),
        ({"jobs": 2, "executor": "local", "task": "regression", "multilabel": False}, 1),
        ({"jobs": 2, "executor": "local", "task": None, "multilabel": True}, 1),
        ({"jobs": 0, "executor": "local", "task": None, "multilabel": False}, 1),  # refused later
        ({"jobs": -5, "executor": "local", "task": None, "multilabel": False}, 1),
    ],
)
def test_the_command_line_starts_the_workers_its_comparison_uses(monkeypatch, args, expected):
    from equipoise import _local_workers, cli

    monkeypatch.setattr(_local_workers, "usable_cores", lambda: 3)
    assert cli._early_workers(**args) == expected


def _files_in(folders):
    return [name for folder in folders if os.path.isdir(folder) for name in os.listdir(folder)]


def test_the_memory_mapped_copies_of_a_comparison_are_removed_as_it_ends(tmp_path):
    from sklearn.datasets import make_classification

    from equipoise import _local_workers

    # 3.2 MB of float64: above joblib's 1 MB threshold, so the data reaches the worker mapped
    X, y = make_classification(n_samples=20_000, n_features=20, weights=[0.9], random_state=0)
    settings = {**SETTINGS, "recipes": ["baseline"], "references": False, "folds": 2, "seeds": 1}
    settings["train"] = TrainSettings(max_epochs=1)
    compare(X, y, jobs=2, **settings)
    pool = _local_workers.worker_pool(1, _local_workers.worker_threads(2))
    manager = pool._temp_folder_manager
    folders = list(manager._cached_temp_folders.values())
    compare(X, y, jobs=2, **settings)
    assert _files_in(folders + list(manager._cached_temp_folders.values())) == []


def test_the_report_borrows_the_command_lines_workers_only(tmp_path, monkeypatch):
    from equipoise import _local_workers
    from equipoise.compare import report

    X, y = tiny_binary()
    lent = []
    real = report.write_report

    def write_report(*args, executor=None, **kwargs):
        lent.append(executor)
        return real(*args, executor=executor, **kwargs)

    monkeypatch.setattr(report, "write_report", write_report)
    settings = {**SETTINGS, "report": True}
    compare(X, y, out=tmp_path / "library", jobs=2, **settings)
    with _local_workers.local_workers(2):
        early = _local_workers.worker_pool(1, _local_workers.worker_threads(2))
        compare(X, y, out=tmp_path / "cli", jobs=2, **settings)
    assert lent == [None, early]
    with _local_workers.lent_workers() as none:
        assert none is None  # outside a local_workers block
