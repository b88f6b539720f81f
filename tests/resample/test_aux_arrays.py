"""resample_like: row-aligned arrays (groups, weights, ids) carried through the last resampling
(imbalanced-learn issue 457), and the Pipeline's sample_weight after a generator."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import torch
from common.resamplers import build, prepare_X, registered_names
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from equipoise.exceptions import InvalidInputError, InvalidParameterError, NotFittedError
from equipoise.pipeline import make_pipeline
from equipoise.resample import (
    SMOTE,
    SMOTEENN,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
    RandomUnderSampler,
    SMOTETomek,
)

N = 150


def _data(name=None, seed=0):
    X, y = make_classification(
        n_samples=N,
        n_classes=3,
        weights=[0.6, 0.25, 0.15],
        n_informative=4,
        n_redundant=0,
        n_features=5,
        class_sep=1.0,
        random_state=seed,
    )
    return prepare_X(name, X), y


def _fit(sampler, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sampler.fit_resample(X, y)


def _cases():
    cases = [(name, lambda name=name: build(name)) for name in registered_names()]
    cases.append(("smotenc", lambda: SMOTENC(categorical_features=[4], random_state=0)))
    cases.append(
        ("random-over-shrinkage", lambda: RandomOverSampler(shrinkage=0.5, random_state=0))
    )
    cases.append(("borderline-2", lambda: BorderlineSMOTE(kind="borderline-2", random_state=0)))
    return cases


INTERPOLATING = {
    "smote",
    "borderline-smote",
    "borderline-2",
    "adasyn",
    "svm-smote",
    "kmeans-smote",
    "smote-tomek",
    "smote-enn",
}


@pytest.mark.parametrize("name, make", _cases(), ids=[c[0] for c in _cases()])
def test_resample_like_of_row_numbers_matches_the_returned_rows(name, make):
    X, y = _data(name)
    if name == "smotenc":
        X = X.copy()
        X[:, 4] = np.round(X[:, 4])
    sampler = make()
    X_res, y_res = _fit(sampler, X, y)
    rows = sampler.resample_like(np.arange(N))
    assert rows.shape == (len(y_res),) and rows.dtype == np.arange(N).dtype
    n_new = getattr(sampler, "n_synthetic_", 0) if hasattr(sampler, "n_synthetic_") else 0
    if name == "random-over-shrinkage":
        n_new = len(y_res) - N
    n_kept = len(y_res) - n_new
    np.testing.assert_array_equal(
        X_res[:n_kept], X[rows[:n_kept]]
    )  # kept rows: X_res row is X[value]
    np.testing.assert_array_equal(y_res, y[rows])  # every base row is in the output row's class
    if hasattr(sampler, "sample_indices_"):
        np.testing.assert_array_equal(rows, sampler.sample_indices_)
    if name in INTERPOLATING and n_new:
        # the features' own interpolation, replayed from the recorded base row, neighbour and gap
        np.testing.assert_array_equal(sampler.resample_like(X, synthetic="interpolate"), X_res)
    if name in ("smote", "adasyn", "smote-tomek", "smote-enn", "smotenc") and n_new:
        partners = sampler._row_map_.partners
        assert (partners >= 0).all() and (
            y[partners] == y_res[n_kept:]
        ).all()  # same-class neighbours


def test_weights_interpolated_lie_between_the_two_rows_weights():
    X, y = _data()
    weights = np.random.default_rng(0).uniform(1, 5, size=N)
    smote = SMOTE(random_state=0)
    smote.fit_resample(X, y)
    interpolated = smote.resample_like(weights, synthetic="interpolate")[N:]
    base = smote.resample_like(weights)[N:]
    m = smote._row_map_
    lo, hi = (
        np.minimum(weights[m.sources], weights[m.partners]),
        np.maximum(weights[m.sources], weights[m.partners]),
    )
    assert ((interpolated >= lo - 1e-12) & (interpolated <= hi + 1e-12)).all()
    np.testing.assert_array_equal(base, weights[m.sources])
    np.testing.assert_allclose(
        interpolated, weights[m.sources] + m.gaps * (weights[m.partners] - weights[m.sources])
    )


def test_containers_of_resample_like():
    X, y = _data()
    frame_index = np.arange(N) * 2 + 1
    smote = SMOTE(random_state=0)
    X_res, _ = smote.fit_resample(pd.DataFrame(X, index=frame_index), y)
    n_new = smote.n_synthetic_
    groups = pd.Series(np.arange(N) % 7, index=frame_index, name="g", dtype="Int64")
    g_res = smote.resample_like(groups)
    assert g_res.dtype == "Int64" and g_res.name == "g" and g_res.index.equals(X_res.index)
    g2 = smote.resample_like(np.c_[np.arange(N), -np.arange(N)])  # 2-D
    assert g2.shape == (N + n_new, 2) and (g2[:, 1] == -g2[:, 0]).all()
    t = smote.resample_like(torch.arange(N))
    assert isinstance(t, torch.Tensor) and t.dtype == torch.int64 and len(t) == N + n_new
    p = smote.resample_like(pl.Series("id", np.arange(N)))
    assert isinstance(p, pl.Series) and p.name == "id" and p.len() == N + n_new
    lst = smote.resample_like([f"row{i}" for i in range(N)])
    assert (
        isinstance(lst, list)
        and lst[:N] == [f"row{i}" for i in range(N)]
        and lst[N].startswith("row")
    )
    strings = smote.resample_like(np.array([f"s{i}" for i in range(N)]))
    assert strings.dtype.kind == "U"
    counts = smote.resample_like(np.arange(N, dtype=np.int64), synthetic="interpolate")
    assert counts.dtype == np.int64  # interpolated integers are rounded, as integer features are


def test_resample_like_errors():
    X, y = _data()
    smote = SMOTE(random_state=0)
    with pytest.raises(NotFittedError, match="call fit_resample"):
        smote.resample_like(np.arange(N))
    smote.fit(X, y)
    with pytest.raises(NotFittedError):  # fit alone resamples nothing
        smote.resample_like(np.arange(N))
    smote.fit_resample(X, y)
    with pytest.raises(
        InvalidInputError, match=r"one value per input row .*\(150 rows\); got 149 rows"
    ):
        smote.resample_like(np.arange(N - 1))
    with pytest.raises(InvalidInputError, match="got a scalar"):
        smote.resample_like(3)
    with pytest.raises(InvalidParameterError, match="'synthetic' parameter.*'base', 'interpolate'"):
        smote.resample_like(np.arange(N), synthetic="mean")
    with pytest.raises(InvalidInputError, match="needs numbers.*synthetic='base'"):
        smote.resample_like(
            np.array([f"s{i}" for i in range(N)], dtype=object), synthetic="interpolate"
        )
    with pytest.raises(InvalidInputError, match="expected a numpy array"):
        smote.resample_like({"a": 1})


def test_a_second_fit_resample_replaces_the_map():
    X, y = _data()
    rus = RandomUnderSampler(random_state=0)
    rus.fit_resample(X, y)
    first = rus.resample_like(np.arange(N))
    rus.fit_resample(X[:120], y[:120])
    assert len(rus.resample_like(np.arange(120))) != len(first) or not np.array_equal(
        rus.resample_like(np.arange(120)), first
    )


# ---------------------------------------------------------------------- the Pipeline
class _WeightSpy(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_, self.y_, self.sample_weight_, self.groups_ = X, y, sample_weight, groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize(
    "sampler",
    [
        SMOTE(random_state=0),
        SMOTETomek(random_state=0),
        SMOTEENN(random_state=0),
        RandomOverSampler(shrinkage=1.0, random_state=0),
    ],
    ids=lambda s: type(s).__name__,
)
def test_pipeline_sample_weight_reaches_the_final_step_after_a_generator(sampler):
    X, y = _data()
    weights = np.arange(N, dtype=float) + 1
    groups = np.arange(N) % 5
    pipe = make_pipeline(sampler, _WeightSpy()).fit(
        X, y, sample_weight=weights, _weightspy__groups=groups
    )
    fitted = pipe.steps[0][1]
    spy = pipe.named_steps["_weightspy"]
    rows = fitted.resample_like(np.arange(N))
    np.testing.assert_array_equal(spy.sample_weight_, weights[rows])  # base row's weight
    np.testing.assert_array_equal(spy.groups_, groups[rows])  # any sample-aligned fit parameter
    assert len(spy.sample_weight_) == len(spy.y_)


def test_pipeline_weighted_fit_equals_fitting_on_the_resampled_rows_by_hand():
    X, y = _data()
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=N)
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=500))
    pipe.fit(X, y, logisticregression__sample_weight=weights)
    smote = SMOTE(random_state=0)
    X_res, y_res = smote.fit_resample(X, y)
    by_hand = LogisticRegression(max_iter=500).fit(
        X_res, y_res, sample_weight=smote.resample_like(weights)
    )
    np.testing.assert_allclose(pipe[-1].coef_, by_hand.coef_)


def test_a_subclass_that_records_no_base_rows_gets_a_clear_error():
    from equipoise.resample._base import Resampled

    class Appender(SMOTE):
        def _fit_resample(self, X, y, *, rng):
            return Resampled(indices=np.arange(len(y)), X_new=X[:2] * 2, y_new=y[:2])

    X, y = _data()
    sampler = Appender()
    X_res, _ = sampler.fit_resample(X, y)
    assert len(X_res) == N + 2
    with pytest.raises(InvalidInputError, match="without recording their base rows"):
        sampler.resample_like(np.arange(N))
