"""No test-fold row ever reaches a resampler or a fitted preprocessor.

A spy resampler, registered under a test-only recipe, records the rows it is given; a spy
preprocessor records the rows it is fitted on and passes them through unchanged, so column 0
(the row id) survives to the spy. Both are checked against the splits the runner used.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from equipoise.compare import RECIPES, Recipe, _preprocess, compare, register_recipe
from equipoise.compare.splits import make_splits
from equipoise.resample import RESAMPLERS, make_resampler

from ._compare_data import FAST, FAST_TRAIN, tiny_binary

SEEN_BY_RESAMPLER: list[np.ndarray] = []
FITTED_ON: list[np.ndarray] = []


class SpyResampler(BaseEstimator):
    """Records the row ids (column 0) it sees, then random over-samples like the real one."""

    def __init__(self, *, random_state=None):
        self.random_state = random_state

    def fit_resample(self, X, y):
        SEEN_BY_RESAMPLER.append(np.asarray(X)[:, 0].round().astype(np.int64).copy())
        return make_resampler("random-over", random_state=self.random_state).fit_resample(X, y)


class SpyPreprocessor(TransformerMixin, BaseEstimator):
    """Identity transform that records the row ids it is fitted on."""

    def fit(self, X, y=None):
        FITTED_ON.append(np.asarray(X)[:, 0].round().astype(np.int64).copy())
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float32)


@pytest.fixture
def spies(monkeypatch):
    SEEN_BY_RESAMPLER.clear()
    FITTED_ON.clear()
    RESAMPLERS.register("test-spy", SpyResampler)
    register_recipe(Recipe("test-spy-recipe", "spy", resampler="test-spy"))
    monkeypatch.setattr(_preprocess, "make_preprocessor", lambda data: SpyPreprocessor())
    yield
    RECIPES.unregister("test-spy-recipe")
    RESAMPLERS.unregister("test-spy")


def test_no_test_or_validation_row_reaches_the_resampler(spies):
    X, y = tiny_binary(n=120)
    X = np.column_stack([np.arange(len(y)), X])  # column 0: the row id
    settings = {**FAST, "folds": 3, "seeds": 2}
    res = compare(X, y, recipes=["test-spy-recipe"], **settings)
    splits = make_splits(
        np.unique(y, return_inverse=True)[1], folds=3, seeds=2, settings=FAST_TRAIN, random_state=0
    )
    assert len(SEEN_BY_RESAMPLER) == len(splits) == 6
    for seen, fitted, split in zip(SEEN_BY_RESAMPLER, FITTED_ON, splits):
        assert not np.intersect1d(seen, split.test).size  # no test-fold row
        assert not np.intersect1d(seen, split.val).size  # validation carved before resampling
        np.testing.assert_array_equal(np.sort(seen), split.train)  # exactly the training part
        np.testing.assert_array_equal(np.sort(fitted), split.train)  # preprocessing: same rows
    # the test fold is never resampled: each row is predicted once per seed, with its true label
    for seed in (0, 1):
        pooled = res.results[res.results.seed == seed]
        assert len(pooled) == 3
    pred = res.predictions["test-spy-recipe"]  # seed 0, pooled over the folds
    assert len(pred["y_true"]) == len(y)
    order = np.concatenate([s.test for s in splits if s.seed == 0])
    np.testing.assert_array_equal(pred["y_true"], y[order])


def test_real_preprocessor_is_fitted_on_the_training_part_only(monkeypatch):
    X, y = tiny_binary(n=120)
    fitted = []
    real = _preprocess.make_preprocessor

    def recording(data):
        pre = real(data)
        fit = pre.fit

        def spy_fit(Xp, yp=None):
            fitted.append(np.asarray(Xp, dtype=np.float64))
            return fit(Xp, yp)

        pre.fit = spy_fit
        return pre

    monkeypatch.setattr(_preprocess, "make_preprocessor", recording)
    compare(X, y, recipes=["baseline"], **FAST)
    splits = make_splits(y, folds=2, seeds=1, settings=FAST_TRAIN, random_state=0)
    for rows, split in zip(fitted, splits):
        np.testing.assert_allclose(rows, X[split.train])


def test_inner_folds_never_see_the_test_fold(spies):
    from equipoise.compare import TrainSettings

    X, y = tiny_binary(n=120)
    X = np.column_stack([np.arange(len(y)), X])
    settings = {**FAST, "folds": 3, "train": TrainSettings(max_epochs=2, selection="inner-cv")}
    compare(X, y, recipes=["test-spy-recipe"], **settings)
    splits = make_splits(
        np.unique(y, return_inverse=True)[1],
        folds=3,
        seeds=1,
        settings=TrainSettings(selection="inner-cv"),
        random_state=0,
    )
    assert len(SEEN_BY_RESAMPLER) == len(FITTED_ON) == 3 * 4  # three inner models and the final one
    for k, split in enumerate(splits):
        seen = SEEN_BY_RESAMPLER[4 * k : 4 * k + 4]
        fitted = FITTED_ON[4 * k : 4 * k + 4]
        for (inner_train, _), s, f in zip(split.inner, seen[:3], fitted[:3]):
            np.testing.assert_array_equal(np.sort(s), np.sort(inner_train))
            np.testing.assert_array_equal(np.sort(f), np.sort(inner_train))
        np.testing.assert_array_equal(
            np.sort(seen[3]), split.train
        )  # the final model: the whole fold
        for rows in (*seen, *fitted):
            assert not np.intersect1d(rows, split.test).size
