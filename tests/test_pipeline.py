"""Pipeline and FunctionSampler: resamplers act in fit only; parity with imbalanced-learn."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn import FunctionSampler as ImbFunctionSampler
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score, cross_validate
from sklearn.preprocessing import StandardScaler

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.pipeline import FunctionSampler, Pipeline, make_pipeline
from equipoise.resample import SMOTE, RandomUnderSampler

X, Y = make_classification(n_samples=300, weights=[0.8, 0.2], n_features=6, random_state=0)
# liblinear: a fast, single-threaded solver (lbfgs is 20x slower on a loaded machine)
ROW_ID = np.c_[np.arange(len(Y)), X]  # column 0 names the row, so a spy can tell which rows it saw

SPY_LOG: list[
    np.ndarray
] = []  # module-level: a spy's parameters must not change, or caching would miss


class SpyResampler(BaseEstimator):
    """Records the row ids it resamples, then under-samples like RandomUnderSampler."""

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit_resample(self, X, y):
        SPY_LOG.append(np.asarray(X)[:, 0].astype(int).copy())
        sampler = RandomUnderSampler(random_state=self.random_state)
        X_res, y_res = sampler.fit_resample(X, y)
        self.sample_indices_ = sampler.sample_indices_
        return X_res, y_res


class WeightSpy(ClassifierMixin, BaseEstimator):
    """A classifier that remembers the sample weights and rows it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.rows_ = np.asarray(X)[:, 0].astype(int)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.fixture(autouse=True)
def _clear_spy():
    SPY_LOG.clear()


def test_resampler_sees_only_training_folds_and_never_runs_at_predict():
    pipe = make_pipeline(SpyResampler(), LogisticRegression(solver="liblinear"))
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    result = cross_validate(
        pipe, ROW_ID, Y, cv=cv, scoring="balanced_accuracy", return_estimator=True
    )
    folds = list(cv.split(ROW_ID, Y))
    assert len(SPY_LOG) == len(folds)  # one call per fit, none while scoring
    for seen, (train, test) in zip(SPY_LOG, folds):
        np.testing.assert_array_equal(np.sort(seen), train)
        assert not set(seen) & set(test)
    fitted = result["estimator"][0]
    calls = len(SPY_LOG)
    fitted.predict(ROW_ID)
    fitted.predict_proba(ROW_ID)
    fitted.decision_function(ROW_ID)
    fitted.score(ROW_ID, Y)
    assert fitted.predict(ROW_ID).shape == (len(Y),)  # every test row is predicted
    assert len(SPY_LOG) == calls


def test_grid_search_over_a_nested_resampler_parameter():
    pipe = make_pipeline(
        StandardScaler(), SMOTE(random_state=0), LogisticRegression(solver="liblinear")
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(
        pipe, {"smote__k_neighbors": [2, 7]}, cv=cv, scoring="balanced_accuracy"
    ).fit(X, Y)
    for k, mean in zip([2, 7], grid.cv_results_["mean_test_score"]):
        manual = cross_val_score(
            clone(pipe).set_params(smote__k_neighbors=k), X, Y, cv=cv, scoring="balanced_accuracy"
        )
        assert mean == pytest.approx(manual.mean())
    assert (
        grid.best_estimator_.named_steps["smote"].k_neighbors
        == grid.best_params_["smote__k_neighbors"]
    )


def test_clone_and_pickle_round_trip():
    pipe = make_pipeline(
        StandardScaler(),
        SMOTE(random_state=0, k_neighbors=3),
        LogisticRegression(solver="liblinear"),
    )
    twin = clone(pipe)
    assert twin.get_params()["smote__k_neighbors"] == 3 and twin.steps[1][1] is not pipe.steps[1][1]
    pipe.fit(X, Y)
    restored = pickle.loads(pickle.dumps(pipe))
    assert isinstance(restored, Pipeline)
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))


def test_memory_caches_the_resampler(tmp_path):
    pipe = make_pipeline(
        StandardScaler(),
        SpyResampler(),
        LogisticRegression(solver="liblinear"),
        memory=str(tmp_path),
    )
    first = pipe.fit(ROW_ID, Y).predict_proba(ROW_ID)
    assert len(SPY_LOG) == 1
    second = clone(pipe).fit(ROW_ID, Y).predict_proba(ROW_ID)
    assert len(SPY_LOG) == 1  # loaded from the cache, not refitted
    np.testing.assert_array_equal(first, second)
    clone(pipe).set_params(spyresampler__random_state=1).fit(ROW_ID, Y)
    assert len(SPY_LOG) == 2  # new parameters, new fit


@pytest.mark.parametrize(
    "sampler",
    [SMOTE(random_state=0), ImbRUS(random_state=0)],
    ids=["equipoise-smote", "imblearn-rus"],
)
def test_predictions_equal_imbalanced_learn_pipeline(sampler):
    steps = [StandardScaler(), sampler, PCA(n_components=4), LogisticRegression(solver="liblinear")]
    ours = make_pipeline(*[clone(s) for s in steps]).fit(X, Y)
    theirs = imb_make_pipeline(*[clone(s) for s in steps]).fit(X, Y)
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))
    np.testing.assert_array_equal(ours[:-1].transform(X), theirs[:-1].transform(X))
    ours_r = make_pipeline(StandardScaler(), clone(sampler)).fit_resample(X, Y)
    theirs_r = imb_make_pipeline(StandardScaler(), clone(sampler)).fit_resample(X, Y)
    np.testing.assert_array_equal(ours_r[0], theirs_r[0])
    np.testing.assert_array_equal(ours_r[1], theirs_r[1])


def test_sample_weight_follows_the_rows_the_resampler_keeps():
    weights = np.arange(len(Y), dtype=float)
    for params in ({"sample_weight": weights}, {"weightspy__sample_weight": weights}):
        pipe = make_pipeline(RandomUnderSampler(random_state=0), WeightSpy()).fit(
            ROW_ID, Y, **params
        )
        spy = pipe.named_steps["weightspy"]
        kept = pipe.named_steps["randomundersampler"].sample_indices_
        np.testing.assert_array_equal(spy.rows_, kept)
        np.testing.assert_array_equal(spy.sample_weight_, weights[kept])
    from imblearn.over_sampling import SMOTE as ImbSMOTE

    with pytest.raises(
        InvalidInputError, match="synthesises rows"
    ):  # a foreign generator: no row map
        make_pipeline(ImbSMOTE(random_state=0), WeightSpy()).fit(X, Y, sample_weight=weights)
    pipe = make_pipeline(SMOTE(random_state=0), WeightSpy()).fit(X, Y, sample_weight=weights)
    smote = pipe.named_steps["smote"]
    np.testing.assert_array_equal(
        pipe.named_steps["weightspy"].sample_weight_, smote.resample_like(weights)
    )
    with pytest.raises(InvalidParameterError, match="stepname__parameter"):
        make_pipeline(SMOTE(), WeightSpy()).fit(X, Y, weights=weights)


def test_ending_in_a_resampler_transform_skips_it_and_set_output():
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0)).set_output(
        transform="pandas"
    )
    X_res, y_res = pipe.fit_resample(X, Y)
    assert np.bincount(y_res).tolist() == [min(np.bincount(Y))] * 2
    out = pipe.transform(X)  # the resampler is skipped: one row per input row
    assert isinstance(out, pd.DataFrame) and out.shape == X.shape
    assert pipe.__sklearn_tags__().estimator_type == "sampler"


def test_invalid_steps_are_explained():
    class Both(BaseEstimator):
        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return X

        def fit_resample(self, X, y):
            return X, y

    with pytest.raises(InvalidParameterError, match="both transform and fit_resample"):
        make_pipeline(Both(), LogisticRegression(solver="liblinear")).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="must be a transformer"):
        make_pipeline(
            LogisticRegression(solver="liblinear"), LogisticRegression(solver="liblinear")
        ).fit(X, Y)


def test_verbose_reports_every_step(capsys):
    make_pipeline(
        StandardScaler(),
        RandomUnderSampler(random_state=0),
        LogisticRegression(solver="liblinear"),
        verbose=True,
    ).fit(X, Y)
    out = capsys.readouterr().out
    assert "(step 2 of 3) Processing randomundersampler" in out and out.count("[Pipeline]") == 3


# --------------------------------------------------------------------------------------------
# FunctionSampler
# --------------------------------------------------------------------------------------------


def _keep_first(X, y, n=10):
    return X[:n], y[:n]


def test_function_sampler_matches_imbalanced_learn():
    for kw in (None, {"n": 7}):
        ours = FunctionSampler(func=_keep_first, kw_args=kw).fit_resample(X, Y)
        theirs = ImbFunctionSampler(func=_keep_first, kw_args=kw).fit_resample(X, Y)
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
    identity = FunctionSampler().fit_resample(X, Y)
    np.testing.assert_array_equal(identity[0], X)
    assert FunctionSampler().get_params() == ImbFunctionSampler().get_params()


def test_function_sampler_containers_sparse_and_validate():
    frame = pd.DataFrame(X.astype(np.float32), columns=list("abcdef"))
    labels = pd.Series(Y, name="target")
    X_res, y_res = FunctionSampler(func=lambda X, y: (X[:5], y[:5])).fit_resample(frame, labels)
    assert list(X_res.columns) == list("abcdef") and (X_res.dtypes == np.float32).all()
    assert isinstance(y_res, pd.Series) and y_res.name == "target"
    seen = []
    raw = FunctionSampler(func=lambda X, y: (seen.append(type(X)) or X, y), validate=False)
    assert raw.fit_resample(frame, labels)[0] is frame and seen == [pd.DataFrame]
    with pytest.raises(InvalidInputError, match="sparse"):
        FunctionSampler(accept_sparse=False).fit_resample(sp.csr_matrix(X), Y)
    assert sp.issparse(FunctionSampler().fit_resample(sp.csr_matrix(X), Y)[0])
    with pytest.raises(InvalidInputError, match="pair"):
        FunctionSampler(func=lambda X, y: X).fit_resample(X, Y)
    with pytest.raises(InvalidInputError, match="different lengths"):
        FunctionSampler(func=lambda X, y: (X[:3], y[:4])).fit_resample(X, Y)
    with pytest.raises(InvalidParameterError, match="'func' parameter"):
        FunctionSampler(func=3).fit_resample(X, Y)


def test_function_sampler_in_a_pipeline_runs_at_fit_only():
    calls = []

    def drop_half(X, y):
        calls.append(len(y))
        return X[::2], y[::2]

    pipe = make_pipeline(
        StandardScaler(), FunctionSampler(func=drop_half), LogisticRegression(solver="liblinear")
    ).fit(X, Y)
    pipe.predict(X)
    assert calls == [len(Y)]
    # Nested parameters reach the function's keyword arguments.
    pipe = make_pipeline(FunctionSampler(func=_keep_first), WeightSpy())
    pipe.set_params(functionsampler__kw_args={"n": 40}).fit(ROW_ID, Y)
    assert len(pipe.named_steps["weightspy"].rows_) == 40


@pytest.mark.parametrize("spelling", ["sample_weight", "lr__sample_weight"])
def test_sample_weight_of_the_wrong_length_is_refused_before_resampling(spelling):
    from sklearn.linear_model import LogisticRegression

    from equipoise.exceptions import InvalidInputError
    from equipoise.pipeline import Pipeline
    from equipoise.resample import RandomUnderSampler

    X = np.random.default_rng(0).random((50, 3))
    y = np.r_[np.zeros(40), np.ones(10)]
    pipe = Pipeline([("r", RandomUnderSampler(random_state=0)), ("lr", LogisticRegression())])
    with pytest.raises(InvalidInputError, match="has 30 values but X has 50 rows"):
        pipe.fit(X, y, **{spelling: np.ones(30)})
