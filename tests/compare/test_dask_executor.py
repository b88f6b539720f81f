"""``compare(executor="dask")`` / ``equipoise compare --executor dask``: same results as the local
executor, every run journaled by the driver, resume, and one-line errors for bad input."""

from __future__ import annotations

import io
import sqlite3
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from equipoise.cli import main
from equipoise.compare import TrainSettings, compare
from equipoise.compare import executors as executors_module
from equipoise.compare.training import RunEnv
from equipoise.exceptions import InvalidParameterError

from ._compare_data import tiny_binary

SETTINGS = {
    "recipes": ["baseline", "random-over"],
    "folds": 2,
    "seeds": 1,
    "references": False,
    "train": TrainSettings(max_epochs=3, patience=2),
    "threads": 1,
    "progress": False,
    "report": False,
}
REFUSED = "tcp://127.0.0.1:1"  # nothing listens on port 1: connections are refused at once


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as c,
    ):
        yield c


def _journal_rows(folder) -> dict[tuple[str, int, int], tuple[list[int], np.ndarray]]:
    con = sqlite3.connect(str(folder / "journal.sqlite"))
    try:
        rows = con.execute("SELECT recipe, fold, seed, y_pred, y_score FROM runs").fetchall()
    finally:
        con.close()
    return {(r, f, s): (pred, np.load(io.BytesIO(score))) for r, f, s, pred, score in rows}


def _metrics(result) -> pd.DataFrame:
    return result.results.drop(columns="fit_seconds")


def test_dask_matches_local_journals_every_run_and_resumes(tmp_path, client):
    from distributed import get_task_stream

    X, y = tiny_binary(n=120)
    local = compare(X, y, out=tmp_path / "local", **SETTINGS)
    with get_task_stream(client) as stream:
        on_dask = compare(
            X, y, out=tmp_path / "dask", executor="dask", scheduler=client, **SETTINGS
        )
    # every run ran on the cluster, one task per group of runs (the driver trained nothing);
    # 4 runs are too few to group (at least four tasks per worker): one task each
    run_tasks = [t for t in stream.data if "_run_dask_task" in str(t["key"])]
    assert len(run_tasks) == 4, [t["key"] for t in stream.data]
    assert on_dask.n_computed == 4
    # the runner is deterministic per run: the same metrics as the local executor
    pd.testing.assert_frame_equal(
        _metrics(on_dask), _metrics(local), check_exact=False, rtol=0, atol=1e-6
    )
    assert on_dask.results["recipe"].tolist() == ["baseline"] * 2 + ["random-over"] * 2

    # the driver journaled every run, with the same predictions and scores as the local run
    local_rows, dask_rows = _journal_rows(tmp_path / "local"), _journal_rows(tmp_path / "dask")
    keys = {(r, f, 0) for r in SETTINGS["recipes"] for f in (0, 1)}
    assert set(dask_rows) == keys
    for key in keys:
        assert dask_rows[key][0] == local_rows[key][0]
        np.testing.assert_allclose(dask_rows[key][1], local_rows[key][1], rtol=0, atol=1e-6)

    # a run lost (killed in flight): the rerun, by address, computes only that one
    con = sqlite3.connect(str(tmp_path / "dask" / "journal.sqlite"))
    with con:
        con.execute("DELETE FROM runs WHERE recipe = 'random-over' AND fold = 1")
    con.close()
    address = client.scheduler.address
    partial = compare(X, y, out=tmp_path / "dask", executor="dask", scheduler=address, **SETTINGS)
    assert partial.n_computed == 1
    pd.testing.assert_frame_equal(_metrics(partial), _metrics(on_dask))

    # everything done: nothing is computed (and the cluster is not needed)
    again = compare(X, y, out=tmp_path / "dask", executor="dask", scheduler=REFUSED, **SETTINGS)
    assert again.n_computed == 0
    pd.testing.assert_frame_equal(_metrics(again), _metrics(on_dask))


def test_worker_threads_default_from_cores_and_slots(monkeypatch):
    seen = {}

    def fake_run_group_task(data, splits, recipe, kwargs):
        seen.update(kwargs)
        return "ran"

    monkeypatch.setattr(executors_module, "run_group_task", fake_run_group_task)
    monkeypatch.setattr(executors_module.os, "cpu_count", lambda: 8)
    # outside a worker the task counts itself as the only slot: every core
    assert (
        executors_module._run_dask_task(None, [], None, {"env": RunEnv(TrainSettings())}, {})
        == "ran"
    )
    assert seen["env"].threads == 8
    # an explicit threads= is kept
    executors_module._run_dask_task(None, [], None, {"env": RunEnv(TrainSettings(), threads=3)}, {})
    assert seen["env"].threads == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"executor": "spark"},
            "'executor' parameter of compare must be one of ['dask', 'local']; got 'spark'",
        ),
        ({"scheduler": REFUSED}, "only for executor='dask'"),
        ({"executor": "dask", "scheduler": 8786}, "must be a scheduler address"),
        (
            {"executor": "dask", "scheduler": REFUSED},
            "cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'",
        ),
    ],
)
def test_bad_executor_settings(tmp_path, kwargs, message):
    pytest.importorskip("distributed")
    X, y = tiny_binary(n=120)
    with pytest.raises(InvalidParameterError) as info:
        compare(X, y, out=tmp_path, **{**SETTINGS, **kwargs})
    assert message in str(info.value)


# --------------------------------------------------------------------------------------------
# CLI: one line on stderr, exit status 2
# --------------------------------------------------------------------------------------------


@pytest.fixture
def table(tmp_path):
    X, y = tiny_binary(n=120)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame["label"] = y
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _cli_error(args, *fragments):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_cli_scheduler_needs_dask_executor(table, tmp_path):
    _cli_error(
        ["compare", str(table), "-t", "label", "-o", str(tmp_path / "o"), "--scheduler", REFUSED],
        "--scheduler needs --executor dask",
    )
    assert not (tmp_path / "o").exists()  # refused before any work


def test_cli_unreachable_scheduler(table, tmp_path):
    pytest.importorskip("distributed")
    _cli_error(
        [
            "compare",
            str(table),
            "-t",
            "label",
            "-o",
            str(tmp_path / "o"),
            "-q",
            "-r",
            "baseline",
            "--executor",
            "dask",
            "--scheduler",
            REFUSED,
        ],
        "cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'",
        "dask scheduler",
    )


def test_cli_dask_not_installed(table, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    _cli_error(
        ["compare", str(table), "-t", "label", "-o", str(tmp_path / "o"), "--executor", "dask"],
        "pip install 'equipoise[dask]'",
    )
    with pytest.raises(ImportError, match=r"pip install 'equipoise\[dask\]'"):
        compare(*tiny_binary(n=120), executor="dask", **SETTINGS)
