"""The SQLite journal: storage round trip, configuration changes, and real resumption."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

from equipoise.compare import RECIPES, Recipe, compare, register_recipe
from equipoise.compare import executors as executors_module
from equipoise.compare.journal import Journal, RunRecord
from equipoise.exceptions import InvalidParameterError

from ._compare_data import FAST, tiny_binary


def _record(recipe="baseline", fold=0, seed=0, score=True):
    rng = np.random.default_rng(fold)
    probs = rng.random((5, 2)).astype(np.float32)
    return RunRecord(
        recipe=recipe,
        fold=fold,
        seed=seed,
        recipe_hash="abc",
        metrics={"balanced_accuracy": 0.1 + fold / 3, "roc_auc": float("nan")},
        fit_seconds=1.5,
        y_true=np.array([0, 1, 1, 0, 1]),
        y_pred=np.array([0, 1, 0, 0, 1]),
        y_score=probs if score else None,
        train_counts=[8, 2],
        resampled_counts=[8, 8],
    )


def test_round_trip_is_exact_and_never_pickles(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path, {"folds": 2}) as j:
        j.add(_record(fold=0))
        j.add(_record(fold=1, score=False))
        assert j.done() == {("baseline", 0, 0), ("baseline", 1, 0)}
    with Journal(path, {"folds": 2}) as j:  # reopened: same configuration, runs still there
        recs = j.records()
    assert [r.fold for r in recs] == [0, 1]
    orig = _record(fold=0)
    assert recs[0].metrics["balanced_accuracy"] == orig.metrics["balanced_accuracy"]
    assert np.isnan(recs[0].metrics["roc_auc"])
    np.testing.assert_array_equal(recs[0].y_score, orig.y_score)  # bit-exact floats
    assert recs[0].y_score.dtype == np.float32
    np.testing.assert_array_equal(recs[0].y_pred, orig.y_pred)
    assert recs[1].y_score is None
    assert recs[0].resampled_counts == [8, 8]
    blob = sqlite3.connect(path).execute("SELECT y_score FROM runs WHERE fold = 0").fetchone()[0]
    assert blob[:6] == b"\x93NUMPY"  # .npy bytes, not a pickle


def test_changed_configuration_is_refused_then_fresh_starts_over(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path, {"folds": 5, "seeds": 1}) as j:
        j.add(_record())
    with pytest.raises(
        InvalidParameterError, match=r"different configuration \(changed: folds 5 -> 3\).*--fresh"
    ):
        Journal(path, {"folds": 3, "seeds": 1})
    with Journal(path, {"folds": 3, "seeds": 1}, fresh=True) as j:
        assert j.done() == set()


def test_changed_recipe_definition_is_refused(tmp_path):
    with Journal(tmp_path / "j.sqlite", {"folds": 2}) as j:
        j.add(_record())
        j.check_recipes({"baseline": "abc", "other": "zzz"})  # same definition: fine
        with pytest.raises(InvalidParameterError, match="recipe 'baseline' is defined differently"):
            j.check_recipes({"baseline": "def"})


def test_compare_refuses_to_mix_configurations(tmp_path):
    X, y = tiny_binary()
    compare(X, y, recipes=["baseline"], out=tmp_path, **FAST)
    with pytest.raises(InvalidParameterError, match="different configuration"):
        compare(X, y, recipes=["baseline"], out=tmp_path, **{**FAST, "folds": 3})
    with pytest.raises(InvalidParameterError, match="different configuration"):
        compare(X[::-1].copy(), y[::-1].copy(), recipes=["baseline"], out=tmp_path, **FAST)
    res = compare(X, y, recipes=["baseline"], out=tmp_path, fresh=True, **{**FAST, "folds": 3})
    assert res.n_computed == 3


def test_changing_the_metric_reuses_every_run(tmp_path):
    X, y = tiny_binary()
    a = compare(X, y, recipes=["baseline", "focal"], out=tmp_path, **FAST)
    b = compare(X, y, recipes=["baseline", "focal"], out=tmp_path, metric="mcc", **FAST)
    assert a.n_computed == 4 and b.n_computed == 0
    assert b.summary["metric"] == "mcc"
    pd.testing.assert_frame_equal(a.results, b.results)


def test_redefined_recipe_is_not_mixed(tmp_path):
    X, y = tiny_binary()
    register_recipe(Recipe("test-journal-focal", "d", loss="focal", loss_params={"gamma": 2.0}))
    try:
        compare(X, y, recipes=["test-journal-focal"], out=tmp_path, **FAST)
        register_recipe(
            Recipe("test-journal-focal", "d", loss="focal", loss_params={"gamma": 1.0}),
            replace=True,
        )
        with pytest.raises(InvalidParameterError, match="defined differently"):
            compare(X, y, recipes=["test-journal-focal"], out=tmp_path, **FAST)
    finally:
        RECIPES.unregister("test-journal-focal")


class _Killed(BaseException):
    """Stands for the process being killed (not an Exception: nothing may catch it)."""


def test_resume_after_interruption_recomputes_nothing_done(tmp_path, monkeypatch):
    X, y = tiny_binary()
    recipes = ["baseline", "random-over", "focal"]
    settings = {**FAST, "seeds": 2}  # 3 recipes x 2 folds x 2 seeds = 12 runs
    reference = compare(X, y, recipes=recipes, out=tmp_path / "uninterrupted", **settings)

    real = executors_module.run_group_task
    calls: list[tuple[str, int, int]] = []
    groups = 0

    def dying_after_three_groups(data, splits, recipe, kwargs):
        nonlocal groups
        if groups == 3:
            raise _Killed
        groups += 1
        calls.extend((recipe.name, s.fold, s.seed) for s in splits)
        return real(data, splits, recipe, kwargs)

    monkeypatch.setattr(executors_module, "run_group_task", dying_after_three_groups)
    out = tmp_path / "interrupted"
    with pytest.raises(_Killed):
        compare(X, y, recipes=recipes, out=out, **settings)
    with Journal(out / "journal.sqlite", reference.config) as j:
        assert j.done() == set(calls)  # every finished run was written at once
    assert 0 < len(calls) < 12
    assert not (out / "results.csv").exists()

    n_done = len(calls)
    calls.clear()
    monkeypatch.setattr(
        executors_module,
        "run_group_task",
        lambda *a: (calls.extend((a[2].name, s.fold, s.seed) for s in a[1]), real(*a))[1],
    )
    resumed = compare(X, y, recipes=recipes, out=out, **settings)
    assert len(calls) == 12 - n_done and resumed.n_computed == 12 - n_done
    cols = [c for c in reference.results.columns if c != "fit_seconds"]
    pd.testing.assert_frame_equal(resumed.results[cols], reference.results[cols])
    assert resumed.summary["ranking"] == reference.summary["ranking"]
    assert resumed.summary["vs_baseline"] == reference.summary["vs_baseline"]

    calls.clear()
    again = compare(X, y, recipes=recipes, out=out, **settings)  # everything done: nothing runs
    assert calls == [] and again.n_computed == 0


def test_a_journal_of_another_schema_version_is_refused_clearly(tmp_path):
    path = tmp_path / "journal.sqlite"
    con = sqlite3.connect(str(path))
    con.executescript(
        "CREATE TABLE meta (config_hash TEXT PRIMARY KEY, config TEXT, created REAL, schema_version INTEGER);"
        "INSERT INTO meta VALUES ('x', '{}', 0, 1);"
        "CREATE TABLE runs (config_hash TEXT, recipe TEXT, fold INTEGER, seed INTEGER);"
    )
    con.commit()
    con.close()
    with pytest.raises(
        InvalidParameterError,
        match=r"journal schema version 1 \(this equipoise writes version 2\).*--fresh",
    ):
        Journal(path, {"folds": 2})
    with Journal(path, {"folds": 2}, fresh=True) as j:  # --fresh starts over
        j.add(_record())
        assert j.done() == {("baseline", 0, 0)}


def test_the_configuration_names_the_software_versions(tmp_path):
    X, y = tiny_binary()
    res = compare(X, y, recipes=["baseline"], out=tmp_path, **FAST)
    assert set(res.config["versions"]) == {"equipoise", "torch", "scikit-learn", "numpy"}
