"""compare for continuous targets: the protocol, the verdict logic, the dispatch and the CLI."""

import numpy as np
import pandas as pd
import pytest

from equipoise.compare import TrainSettings, compare
from equipoise.compare.regression import (
    REGRESSION_RECIPES,
    RegressionComparison,
    _summarise,
    compare_regression,
)
from equipoise.exceptions import InvalidParameterError, UnknownNameError

FAST = TrainSettings(max_epochs=2, batch_size=64)


def test_pure_noise_gives_no_recommendation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = rng.exponential(size=150) + 1e-3 * rng.random(150)  # independent of X
    res = compare_regression(X, y, recipes=["lds", "balanced-mse"], folds=3, train=FAST)
    assert res.recommended is None and "No recipe beats the baseline" in res.verdict
    assert set(res.summary["verdict"]) <= {"baseline", "tied"}
    assert len(res.results) == 3 * 3
    assert res.results["n_few"].sum() > 0 and res.summary["mae_few"].notna().all()


def _fake(maes):
    rng = np.random.default_rng(0)
    rows = [
        {
            "recipe": r,
            "seed": 0,
            "fold": f,
            "mae": m + 0.03 * rng.normal(),
            "mae_few": m * 2,
            "rmse": m,
            "n_test": 50,
            "n_few": 5,
        }
        for r, ms in maes.items()
        for f, m in enumerate(ms)
    ]
    return pd.DataFrame(rows)


def test_verdict_recommends_the_simplest_recipe_tied_with_the_best():
    base = [1.0] * 10
    results = _fake(
        {"baseline": base, "smogn": [0.5] * 10, "lds": [0.51] * 10, "dense-weight": [1.0] * 10}
    )
    res = _summarise(results, ["baseline", "smogn", "lds", "dense-weight"], ratio=0.25, alpha=0.05)
    assert (
        res.summary.loc["smogn", "verdict"] == "better"
        and res.summary.loc["lds", "verdict"] == "better"
    )
    assert res.summary.loc["dense-weight", "verdict"] == "tied"
    assert res.recommended == "lds"  # simpler than smogn and not significantly worse than it
    worse = _summarise(
        _fake({"baseline": base, "smoter": [2.0] * 10}),
        ["baseline", "smoter"],
        ratio=0.25,
        alpha=0.05,
    )
    assert worse.summary.loc["smoter", "verdict"] == "worse" and worse.recommended is None


def test_compare_dispatches_on_task():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 2))
    y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=120)
    res = compare(
        X, y, task="regression", recipes="lds", folds=2, seeds=1, train=FAST, progress=False
    )
    assert isinstance(res, RegressionComparison) and list(res.summary.index) == ["baseline", "lds"]
    again = compare_regression(X, y, recipes=["lds"], folds=2, train=FAST)
    pd.testing.assert_frame_equal(again.results, res.results)  # same seed, same runs
    ages = np.round(np.exp(X[:, 0]) * 10)  # integer-valued: classes unless told
    res = compare(
        X, ages, task="regression", recipes=["smoter"], folds=2, seeds=1, train=FAST, progress=False
    )
    assert isinstance(res, RegressionComparison)
    with pytest.raises(InvalidParameterError, match="'task'"):
        compare(X, y, task="ranking")
    with pytest.raises(UnknownNameError):
        compare_regression(X, y, recipes=["focal"])
    assert REGRESSION_RECIPES.names()[0] == "baseline"


def test_cli_compare_task_regression():
    from click.testing import CliRunner

    from equipoise.cli import main

    out = CliRunner().invoke(
        main,
        [
            "compare",
            "diabetes-lt",
            "--task",
            "regression",
            "--recipes",
            "lds",
            "--folds",
            "2",
            "--seeds",
            "1",
            "--max-epochs",
            "2",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "lds" in out.output and "baseline" in out.output


def test_cli_compare_task_regression_on_a_csv(tmp_path):
    """A CSV with a continuous target column runs from the command line (load_table task='regression')."""
    from click.testing import CliRunner

    from equipoise.cli import main
    from equipoise.datasets import load_table
    from equipoise.exceptions import InvalidInputError

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(120, 3)), columns=["a", "b", "c"])
    frame["price"] = np.exp(frame["a"] + 0.1 * rng.normal(size=120))  # long right tail
    path = tmp_path / "houses.csv"
    frame.to_csv(path, index=False)
    X, y = load_table(path, "price", task="regression")
    assert y.dtype == np.float64 and list(X.columns) == ["a", "b", "c"]
    with pytest.raises(InvalidInputError, match="task='regression'"):
        load_table(path, "price")
    frame.loc[3, "price"] = np.nan
    frame.to_csv(tmp_path / "gaps.csv", index=False)
    with pytest.raises(InvalidInputError, match=r"a number in every row .*rows \[3\]"):
        load_table(tmp_path / "gaps.csv", "price", task="regression")
    out = CliRunner().invoke(
        main,
        [
            "compare",
            str(path),
            "--target",
            "price",
            "--task",
            "regression",
            "--recipes",
            "lds",
            "--folds",
            "2",
            "--seeds",
            "1",
            "--max-epochs",
            "2",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "lds" in out.output and "baseline" in out.output
