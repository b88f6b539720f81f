"""compare for multi-label targets: the protocol's verdicts on pure noise and on a clear signal."""

import numpy as np
import pytest

from equipoise.compare.multilabel import MULTILABEL_RECIPES, compare_multilabel
from equipoise.exceptions import InvalidParameterError


def test_pure_noise_gives_no_recommendation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    Y = (rng.random((120, 3)) < [0.5, 0.3, 0.15]).astype(int)  # independent of X
    result = compare_multilabel(
        X, Y, recipes=["baseline", "label-thresholds", "asl"], folds=3, epochs=2
    )
    assert result.recommended is None
    assert set(result.summary["verdict"]) <= {"baseline", "tied", "worse"}
    assert "No recipe beats the baseline" in result.text
    assert len(result.runs) == 9 and set(result.runs["recipe"]) == {
        "baseline",
        "label-thresholds",
        "asl",
    }
    again = compare_multilabel(X, Y, recipes=["baseline", "mlsmote"], folds=2, epochs=1)
    once = compare_multilabel(X, Y, recipes=["baseline", "mlsmote"], folds=2, epochs=1)
    np.testing.assert_allclose(
        again.runs["macro_f1"], once.runs["macro_f1"]
    )  # same seed, same result


def test_recipes_and_errors():
    assert list(MULTILABEL_RECIPES) == [
        "baseline",
        "label-thresholds",
        "asl",
        "db-loss",
        "ml-ros",
        "mlsmote",
    ]
    X, Y = np.zeros((30, 2)), np.eye(2, dtype=int)[np.arange(30) % 2]
    with pytest.raises(InvalidParameterError, match="'metric' parameter of compare_multilabel"):
        compare_multilabel(X, Y, metric="accuracy")
    with pytest.raises(InvalidParameterError, match="needs the baseline recipe"):
        compare_multilabel(X, Y, recipes=["asl"])


def test_cli_multilabel_column(tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from equipoise.cli import main

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["f1", "f2", "f3"])
    frame["tags"] = ["a|b", "a", "b|c", "a|c", "", "a"] * 10
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    out = CliRunner().invoke(
        main,
        [
            "compare",
            str(path),
            "--target",
            "tags",
            "--multilabel",
            "|",
            "--recipes",
            "baseline,asl",
            "--folds",
            "2",
            "--seeds",
            "1",
            "--max-epochs",
            "1",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "baseline" in out.output and "asl" in out.output
    with pytest.raises(InvalidParameterError, match="unknown multi-label recipe"):
        compare_multilabel(
            frame[["f1", "f2"]], frame["tags"].str.get_dummies("|"), recipes=["baseline", "smote"]
        )


def test_compare_dispatches_an_indicator_target(monkeypatch):
    import equipoise.compare.multilabel as ml
    from equipoise.compare import compare

    seen = {}
    monkeypatch.setattr(
        ml, "compare_multilabel", lambda X, Y, **kw: seen.update(kw) or "multi-label result"
    )
    Y = np.eye(3, dtype=int)[np.arange(30) % 3]
    assert compare(np.zeros((30, 2)), Y, folds=3, seeds=2, random_state=4) == "multi-label result"
    assert seen == {"folds": 3, "seeds": 2, "random_state": 4, "metric": "macro_f1"}
