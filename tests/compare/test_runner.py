"""The comparison runner: protocol, outputs, summary statistics and input errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from equipoise.compare import TrainSettings, compare
from equipoise.compare.run import run_one
from equipoise.compare.splits import make_splits
from equipoise.compare.training import RunEnv
from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError

from ._compare_data import FAST, FAST_TRAIN, tiny_binary, tiny_multiclass


def test_make_splits_partition_and_stratify():
    y = np.array([0] * 40 + [1] * 60)
    splits = make_splits(y, folds=5, seeds=2, settings=TrainSettings(val_size=0.25), random_state=0)
    assert len(splits) == 10
    for seed in (0, 1):
        tests = [s.test for s in splits if s.seed == seed]
        assert np.array_equal(
            np.sort(np.concatenate(tests)), np.arange(100)
        )  # each row tested once
    for s in splits:
        parts = [set(s.train), set(s.val), set(s.test)]
        assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
        assert len(s.train) + len(s.val) + len(s.test) == 100
        assert np.bincount(y[s.test]).tolist() == [8, 12]  # stratified
        assert np.bincount(y[s.val], minlength=2).tolist() == [8, 12]  # a 0.25 share of each class
        assert s.selection == "holdout" and s.enlarged == ()
    # a different seed shuffles differently
    assert not np.array_equal(splits[0].test, splits[5].test)


def test_small_classes_get_enlarged_validation_rows():
    y = np.array([0] * 200 + [1] * 15)  # 12 minority rows per training fold: 0.2 would give 2
    for s in make_splits(y, folds=5, seeds=1, settings=TrainSettings(), random_state=0):
        assert s.selection == "holdout" and s.enlarged == (1,)
        assert np.bincount(y[s.val]).tolist() == [32, 5]
        assert (y[s.train] == 1).sum() == 7


def test_too_small_classes_select_out_of_fold():
    y = np.array([0] * 200 + [1] * 10)  # 8 minority rows per training fold: no 5 + 5
    for s in make_splits(y, folds=5, seeds=1, settings=TrainSettings(), random_state=0):
        assert s.selection == "inner-cv" and len(s.val) == 0 and len(s.inner) == 3
        fold = set(s.train)
        held = np.concatenate([va for _, va in s.inner])
        assert sorted(held) == sorted(fold)  # inner folds partition the training fold
        for tr, va in s.inner:
            assert not set(tr) & set(va) and set(tr) | set(va) == fold
            assert not set(tr) & set(s.test)
    forced = make_splits(
        y, folds=5, seeds=1, settings=TrainSettings(selection="holdout"), random_state=0
    )
    assert all(s.selection == "holdout" and (y[s.val] == 1).sum() >= 1 for s in forced)


def test_make_splits_small_class_error():
    y = np.array([0] * 20 + [1] * 3)
    with pytest.raises(InvalidInputError, match=r"smallest class has 3 sample.*--test"):
        make_splits(y, folds=5, seeds=1, settings=TrainSettings(), random_state=0)


def test_compare_outputs_and_schema(tmp_path):
    X, y = tiny_binary()
    res = compare(X, y, recipes=["baseline", "class-weights", "random-over"], out=tmp_path, **FAST)
    df = res.results
    assert len(df) == 3 * 2
    assert list(df.columns[:3]) == ["recipe", "fold", "seed"]
    for col in (
        "balanced_accuracy",
        "macro_f1",
        "g_mean",
        "mcc",
        "roc_auc",
        "pr_auc",
        "fit_seconds",
        "family",
        "collapsed",
        "selection",
        "chosen_epochs",
    ):
        assert col in df.columns
        assert df[col].notna().all()
    assert set(df["selection"]) == {"holdout"} and (df["chosen_epochs"] >= 1).all()
    assert df["balanced_accuracy"].between(0, 1).all()
    # files
    on_disk = pd.read_csv(tmp_path / "results.csv")
    pd.testing.assert_frame_equal(on_disk, df, check_dtype=False)
    summary = json.loads(
        (tmp_path / "summary.json").read_text()
    )  # strict JSON: NaN written as null
    for key in (
        "schema_version",
        "metric",
        "baseline",
        "n_folds",
        "n_seeds",
        "design",
        "dataset",
        "selection",
        "shots",
        "recipes",
        "vs_baseline",
        "vs_best",
        "best",
        "tied_with_best",
        "recommended",
        "references",
        "ranking",
        "recommendation",
        "elapsed_seconds",
    ):
        assert key in summary
    assert summary["schema_version"] == 2 and summary["design"]["kind"] == "cv"
    assert summary["dataset"]["positive_class"] == "1"  # the minority
    assert summary["n_folds"] == 2 and summary["n_seeds"] == 1
    assert sorted(summary["ranking"]) == ["baseline", "class-weights", "random-over"]
    assert set(summary["vs_baseline"]) == {"class-weights", "random-over"}
    assert summary["dataset"]["class_counts"] == {
        "0": int((y == 0).sum()),
        "1": int((y == 1).sum()),
    }
    m = summary["recipes"]["baseline"]["metrics"]["balanced_accuracy"]
    assert set(m) == {"mean", "low", "high", "n"} and m["n"] == 2
    entry = summary["recipes"]["random-over"]
    assert entry["family"] == "neural" and entry["steps"]["resample"] == "random-over"
    assert (
        entry["collapsed_runs"] == 0
        and entry["n_runs"] == 2
        and set(entry["per_class_recall"]) == {"0", "1"}
    )
    vals = df.loc[df.recipe == "baseline", "balanced_accuracy"]
    assert m["mean"] == pytest.approx(vals.mean())
    for v in summary["vs_baseline"].values():
        assert v["verdict"] in ("better", "worse", "tied") and "p_holm" in v
    assert "baseline" in res.table().index
    # predictions kept for the report: pooled test folds cover every row exactly once
    pred = res.predictions["random-over"]
    assert len(pred["y_true"]) == len(y) and sorted(pred["labels"]) == [0, 1]
    assert len(pred["y_score"]) == len(y) and all(0 <= s <= 1 for s in pred["y_score"])


def test_compare_is_deterministic():
    X, y = tiny_binary()
    a = compare(X, y, recipes=["baseline", "focal"], **FAST)
    b = compare(X, y, recipes=["baseline", "focal"], **FAST)
    cols = [c for c in a.results.columns if c != "fit_seconds"]
    pd.testing.assert_frame_equal(a.results[cols], b.results[cols])


def test_compare_does_not_touch_global_torch_rng():
    X, y = tiny_binary()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    compare(X, y, recipes=["baseline"], **FAST)
    assert torch.equal(torch.rand(3), expected)


def test_multiclass_decisions_heads_and_samplers():
    X, y = tiny_multiclass()
    recipes = [
        "baseline",
        "ldam-drw",
        "posthoc-logit-adjustment",
        "threshold-tuned",
        "balanced-sampler",
        "balanced-softmax",
    ]
    res = compare(X, y, recipes=recipes, metric="macro_f1", **FAST)
    assert set(res.results["recipe"]) == set(recipes)
    assert res.summary["metric"] == "macro_f1"
    assert "failed" not in res.summary
    pred = res.predictions["threshold-tuned"]
    assert np.asarray(pred["y_score"]).shape == (len(y), 3)


def test_dataframe_with_categorical_and_impute():
    X, y = tiny_binary()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame["colour"] = np.where(X[:, 0] > 0, "red", "blue")
    frame.loc[3, "f1"] = np.nan
    with pytest.raises(InvalidInputError, match=r"missing or infinite value.*impute"):
        compare(frame, y, recipes=["baseline"], **FAST)
    res = compare(frame, y, recipes=["baseline"], impute=True, **FAST)
    assert res.config["categorical"] == ["colour"]
    assert len(res.results) == 2


def test_custom_model_factory_is_used():
    X, y = tiny_binary()
    calls = []

    def factory(n_features, n_classes):
        calls.append((n_features, n_classes))
        return torch.nn.Sequential(
            torch.nn.Linear(n_features, 8), torch.nn.ReLU(), torch.nn.Linear(8, n_classes)
        )

    compare(X, y, recipes=["baseline", "ldam-drw"], model_factory=factory, **FAST)
    assert calls and all(c == (5, 2) for c in calls)


def test_image_input_uses_a_cnn():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 10)
    X = rng.normal(size=(40, 1, 8, 8)).astype(np.float32)
    X[y == 1, :, 2:5, 2:5] += 3.0
    res = compare(X, y, recipes=["baseline", "random-over"], **FAST)
    assert len(res.results) == 4


def test_run_one_counts_before_and_after_resampling():
    from equipoise.compare._preprocess import prepare_data
    from equipoise.compare.recipes import RECIPES

    X, y = tiny_binary()
    data = prepare_data(X, y)
    split = make_splits(data.y_encoded, folds=2, seeds=1, settings=FAST_TRAIN, random_state=0)[0]
    rec = run_one(data, split, RECIPES.get("random-over"), env=RunEnv(TrainSettings(max_epochs=2)))
    assert rec.train_counts == np.bincount(data.y_encoded[split.train]).tolist()
    assert rec.resampled_counts == [max(rec.train_counts)] * 2
    assert len(rec.y_true) == len(split.test)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"metric": "balanced_acc"}, UnknownNameError, "unknown metric 'balanced_acc'"),
        ({"recipes": ["baseline", "smot"]}, UnknownNameError, "unknown recipe 'smot'"),
        ({"recipes": []}, InvalidParameterError, "at least one recipe"),
        ({"folds": 1}, InvalidParameterError, "'folds' parameter"),
        ({"jobs": 0}, InvalidParameterError, "'jobs' parameter"),
        ({"train": {"max_epochs": 3}}, InvalidParameterError, "'train' parameter"),
        (
            {"pos_label": "z"},
            InvalidParameterError,
            r"'pos_label' parameter of compare .* one of the classes \[0, 1\]; got 'z'",
        ),
        ({"test": (np.zeros((3, 5)),)}, InvalidParameterError, "'test' parameter"),
        (
            {"recipes": ["baseline"], "references": "yes"},
            InvalidParameterError,
            "'references' parameter",
        ),
    ],
)
def test_bad_settings_fail_before_training(kwargs, error, match):
    X, y = tiny_binary()
    settings = {**FAST, **kwargs}
    with pytest.raises(error, match=match):
        compare(X, y, **settings)


def test_bad_targets():
    X, _ = tiny_binary()
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        compare(X, np.zeros(len(X)), recipes=["baseline"], **FAST)
    with pytest.raises(InvalidInputError, match="continuous"):
        compare(X, np.linspace(0, 1, len(X)), recipes=["baseline"], **FAST)
    with pytest.raises(InvalidInputError, match="different lengths"):
        compare(X, np.arange(len(X) - 1) % 2, recipes=["baseline"], **FAST)


def test_train_settings_are_validated():
    with pytest.raises(InvalidParameterError, match="'val_size' parameter of TrainSettings"):
        TrainSettings(val_size=1.5)
    with pytest.raises(InvalidParameterError, match="'lr' parameter of TrainSettings"):
        TrainSettings(lr=float("nan"))
    with pytest.raises(InvalidParameterError, match="'selection' parameter"):
        TrainSettings(selection="cv")
