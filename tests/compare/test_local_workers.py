"""The local executor with several workers: the driver computes groups itself beside ``jobs - 1``
loky processes. Every run is computed once, with the numbers it has in process, and an error
ends the comparison without leaving workers behind."""

from __future__ import annotations

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
