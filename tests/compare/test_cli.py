"""The ``equipoise`` command: help, listings, a tiny comparison, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from equipoise.cli import main
from equipoise.compare import RECIPES

from ._compare_data import tiny_binary


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def table(tmp_path):
    X, y = tiny_binary(n=120)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame["label"] = np.where(y == 1, "rare", "common")
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _one_line_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    "command", [[], ["compare"], ["profile"], ["resample"], ["recipes"], ["datasets"]]
)
def test_help_is_complete_with_examples(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: equipoise" in result.output and "Example" in result.output


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == "equipoise 0.1.0"


def test_recipes_lists_every_recipe_one_line_each(runner):
    result = runner.invoke(main, ["recipes"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == RECIPES.names()


def test_datasets_lists_builtin_sets(runner):
    result = runner.invoke(main, ["datasets"])
    assert result.exit_code == 0 and "example" in result.output


def test_profile(runner, table):
    result = runner.invoke(main, ["profile", str(table), "--target", "label"])
    assert result.exit_code == 0, result.stderr
    assert "common" in result.output and "rare" in result.output


def test_resample_writes_csv_and_parquet(runner, table, tmp_path):
    out = tmp_path / "over.csv"
    result = runner.invoke(
        main, ["resample", str(table), "-t", "label", "-m", "random-over", "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    written = pd.read_csv(out)
    assert written["label"].value_counts().to_dict() == {"common": 96, "rare": 96}
    assert list(written.columns[:-1]) == [f"f{i}" for i in range(5)]
    pq = tmp_path / "under.parquet"
    result = runner.invoke(
        main,
        [
            "resample",
            str(table),
            "-t",
            "label",
            "-m",
            "random-under",
            "-p",
            "sampling_strategy=1.0",
            "-o",
            str(pq),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert pd.read_parquet(pq)["label"].value_counts().to_dict() == {"common": 24, "rare": 24}


def test_compare_file_writes_outputs_and_resumes(runner, table, tmp_path):
    out = tmp_path / "res"
    args = [
        "compare",
        str(table),
        "--target",
        "label",
        "--recipes",
        "baseline,random-over",
        "--folds",
        "2",
        "--seeds",
        "1",
        "--max-epochs",
        "3",
        "--jobs",
        "1",
        "--out",
        str(out),
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert "random-over" in result.stdout
    assert any(
        "hist-gradient-boosting" in line and "reference" in line
        for line in result.stdout.splitlines()
    )
    assert "Positive class (sensitivity, PR-AUC): rare" in result.stdout
    text = " ".join(result.stdout.split())
    assert "Recommended:" in text or "keep the baseline" in text
    assert "comparing" not in result.stdout  # the progress bar goes to stderr
    for name in ("results.csv", "summary.json", "report.html", "journal.sqlite"):
        assert (out / name).exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dataset"]["name"] == "data.csv"
    assert summary["dataset"]["class_counts"] == {"common": 96, "rare": 24}
    again = runner.invoke(main, [*args, "--quiet"])
    assert again.exit_code == 0 and again.output == ""
    changed = runner.invoke(main, [*args[:-4], "--folds", "3", "--out", str(out)])
    _one_line_error(changed, "different configuration", "--fresh")


def test_compare_recipe_file(runner, table, tmp_path):
    recipe_file = tmp_path / "mine.toml"
    recipe_file.write_text(
        '[recipe.test-cli-focal]\ndescription = "focal, gamma 1"\nloss = "focal"\n'
        "loss_params = { gamma = 1.0 }\n"
    )
    try:
        result = runner.invoke(
            main,
            [
                "compare",
                str(table),
                "-t",
                "label",
                "--recipe-file",
                str(recipe_file),
                "-r",
                "baseline,test-cli-focal",
                "-k",
                "2",
                "-s",
                "1",
                "--no-references",
                "--max-epochs",
                "2",
                "-j",
                "1",
                "-o",
                str(tmp_path / "o"),
                "-q",
            ],
        )
        assert result.exit_code == 0, result.stderr
    finally:
        if "test-cli-focal" in RECIPES:
            RECIPES.unregister("test-cli-focal")


@pytest.fixture
def bad_tables(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    frames = {
        "one_class": pd.DataFrame({"a": X[:, 0], "y": 1}),
        "floats": pd.DataFrame({"a": X[:, 0], "y": rng.random(500)}),
        "nan": pd.DataFrame(
            {"a": np.where(np.arange(500) == 7, np.nan, X[:, 0]), "y": np.arange(500) % 3 == 0}
        ),
        "other_columns": pd.DataFrame({"b": X[:, 0], "y": np.arange(500) % 3 == 0}),
        "other_classes": pd.DataFrame(
            {"a": X[:, 0], "y": np.where(np.arange(500) % 3 == 0, 7, True)}
        ),
    }
    paths = {}
    for name, frame in frames.items():
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["compare", "missing.csv", "--target", "y"], ["file not found: 'missing.csv'"]),
        (["compare", "{nan}", "--target", "nope"], ["nope"]),
        (["compare", "{one_class}", "--target", "y"], ["at least 2 classes"]),
        (["compare", "{floats}", "--target", "y"], ["continuous"]),
        (["compare", "{nan}", "--target", "y", "--recipes", "baseline"], ["missing", "--impute"]),
        (
            ["compare", "{nan}", "--target", "y", "--recipes", "baseline,smot"],
            ["unknown recipe 'smot'"],
        ),
        (["compare", "{nan}", "--target", "y", "--metric", "acc"], ["unknown metric 'acc'"]),
        (["compare", "{nan}"], ["--target COLUMN is required"]),
        (["compare", "--folds", "1"], ["--folds"]),
        (["compare", "--val-size", "1.5"], ["--val-size must be a share in (0, 0.9); got 1.5"]),
        (
            ["compare", "{nan}", "-t", "y", "--impute", "--pos-label", "maybe"],
            ["'pos_label' parameter", "got 'maybe'"],
        ),
        (
            ["compare", "{nan}", "-t", "y", "--impute", "--test", "{other_columns}"],
            ["test set's columns differ", "missing ['a']"],
        ),
        (
            ["compare", "{nan}", "-t", "y", "--impute", "--test", "{other_classes}"],
            ["test set has classes ['7']"],
        ),
        (["compare", "--test", "{nan}"], ["--test needs DATA"]),
        (["compare", "--bogus"], ["No such option"]),
        (["profile", "missing.csv", "--target", "y"], ["missing.csv"]),
        (
            ["resample", "{nan}", "-t", "y", "-m", "smot", "-o", "x.csv"],
            ["unknown resampler 'smot'"],
        ),
        (
            ["resample", "{nan}", "-t", "y", "-m", "random-over", "-o", "x.txt"],
            [".csv or .parquet"],
        ),
        (["frobnicate"], ["No such command"]),
    ],
)
def test_bad_input_is_one_line_error_with_exit_code_2(runner, bad_tables, args, fragments):
    args = [a.format(**{k: str(v) for k, v in bad_tables.items()}) for a in args]
    result = runner.invoke(main, args)
    _one_line_error(result, *fragments)


def test_resample_deterministic_method_and_bad_parameter(tmp_path):
    import numpy as np
    import pandas as pd
    from click.testing import CliRunner

    from equipoise.cli import main

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    frame["label"] = [0] * 45 + [1] * 15
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    runner = CliRunner()
    ok = runner.invoke(
        main,
        [
            "resample",
            str(data),
            "--target",
            "label",
            "--method",
            "near-miss",
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert pd.read_csv(tmp_path / "o.csv")["label"].value_counts().to_dict() == {0: 15, 1: 15}
    bad = runner.invoke(
        main,
        [
            "resample",
            str(data),
            "--target",
            "label",
            "--method",
            "random-over",
            "-p",
            "k_neighbours=3",
            "-o",
            str(tmp_path / "p.csv"),
        ],
    )
    assert bad.exit_code == 2
    assert "has no parameter(s) ['k_neighbours']" in bad.output
    assert "Traceback" not in bad.output
