"""Tests for equipoise.posthoc."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import TunedThresholdClassifierCV

from equipoise.exceptions import InvalidInputError, InvalidParameterError, NotFittedError
from equipoise.metrics import METRICS
from equipoise.posthoc import (
    ThresholdTuner,
    init_output_bias,
    logit_adjust,
    tau_normalize,
    tau_normalize_,
)

# --------------------------------------------------------------------------------------------
# logit_adjust
# --------------------------------------------------------------------------------------------


def test_logit_adjust_worked_values():
    logits = np.array([[2.0, 1.0, 0.0]])
    out = logit_adjust(logits, prior=[0.5, 0.3, 0.2], tau=2.0)
    expected = logits - 2.0 * np.log([0.5, 0.3, 0.2])
    np.testing.assert_allclose(out, expected)
    # counts are normalised: the same as probabilities
    np.testing.assert_allclose(logit_adjust(logits, [50, 30, 20], tau=2.0), expected)
    np.testing.assert_array_equal(logit_adjust(logits, [5, 3, 2], tau=0.0), logits)


def test_logit_adjust_flips_to_minority_under_uniform_logits():
    # equal logits: the adjusted arg-max is the rarest class.
    out = logit_adjust(np.zeros((1, 3)), [100, 10, 1])
    assert out.argmax() == 2


def test_logit_adjust_numpy_dtype_kept():
    logits = np.ones((4, 2), dtype=np.float32)
    out = logit_adjust(logits, [3, 1])
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    assert logit_adjust(np.ones((2, 2), dtype=np.int64), [1, 1]).dtype == np.float64


def test_logit_adjust_torch_same_device_dtype_and_grad():
    logits = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    out = logit_adjust(logits, torch.tensor([60.0, 30.0, 10.0]))
    assert (
        isinstance(out, torch.Tensor) and out.dtype == torch.float64 and out.device == logits.device
    )
    np.testing.assert_allclose(
        out.detach().numpy(), logits.detach().numpy() - np.log([0.6, 0.3, 0.1]), rtol=1e-12
    )
    out.sum().backward()
    torch.testing.assert_close(logits.grad, torch.ones_like(logits))
    half = logit_adjust(torch.zeros(2, 3, dtype=torch.float16), [1, 2, 3])
    assert half.dtype == torch.float16


@pytest.mark.parametrize(
    "prior, match",
    [
        ([1, 2], "one entry per class"),
        ([1, 0, 2], r"class index\(es\) \[1\]"),
        ([1, -1, 2], "positive"),
        ([1, np.nan, 2], "NaN"),
    ],
)
def test_logit_adjust_bad_prior(prior, match):
    with pytest.raises(InvalidInputError, match=match):
        logit_adjust(np.zeros((2, 3)), prior)


def test_logit_adjust_bad_tau():
    with pytest.raises(InvalidParameterError, match="'tau' parameter of logit_adjust"):
        logit_adjust(np.zeros((2, 2)), [1, 1], tau=-1.0)


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, (6, 4), elements=st.floats(-5, 5)),
    arrays(np.float64, 4, elements=st.floats(0.01, 100)),
    st.floats(0, 3),
)
def test_logit_adjust_property_softmax(logits, prior, tau):
    # softmax(adjusted) is proportional to softmax(logits) / prior^tau
    out = logit_adjust(logits, prior, tau)
    p = prior / prior.sum()
    a = np.exp(out - out.max(axis=1, keepdims=True))
    b = np.exp(logits - logits.max(axis=1, keepdims=True)) / p**tau
    np.testing.assert_allclose(a / a.sum(1, keepdims=True), b / b.sum(1, keepdims=True), rtol=1e-9)


# --------------------------------------------------------------------------------------------
# tau_normalize
# --------------------------------------------------------------------------------------------


def test_tau_normalize_worked_values():
    w = np.array([[3.0, 4.0], [0.0, 2.0]])
    np.testing.assert_allclose(tau_normalize(w, 1.0), [[0.6, 0.8], [0.0, 1.0]])
    np.testing.assert_allclose(
        tau_normalize(w, 0.5), [[3 / math.sqrt(5), 4 / math.sqrt(5)], [0.0, 2 / math.sqrt(2)]]
    )
    np.testing.assert_array_equal(tau_normalize(w, 0.0), w)
    np.testing.assert_array_equal(tau_normalize(np.zeros((2, 2)), 1.0), np.zeros((2, 2)))


def test_tau_normalize_torch_and_layer():
    layer = torch.nn.Linear(5, 3)
    before = layer.weight.detach().clone()
    out = tau_normalize(layer, 1.0)
    assert not out.requires_grad
    torch.testing.assert_close(out.norm(dim=1), torch.ones(3))
    torch.testing.assert_close(layer.weight.detach(), before)  # layer untouched
    w = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: tau_normalize(t, 0.7), (w,))
    assert tau_normalize(torch.randn(3, 4, dtype=torch.float32), 1.0).dtype == torch.float32
    assert tau_normalize_(layer, 1.0) is layer
    torch.testing.assert_close(layer.weight.detach().norm(dim=1), torch.ones(3))


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, (5, 3), elements=st.floats(-10, 10)).filter(
        lambda a: np.all(np.linalg.norm(a, axis=1) > 1e-3)
    ),
    st.floats(0, 2),
)
def test_tau_normalize_property_norms(w, tau):
    out = tau_normalize(w, tau)
    norms = np.linalg.norm(w, axis=1)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), norms ** (1 - tau), rtol=1e-9)


def test_tau_normalize_errors():
    with pytest.raises(InvalidInputError, match="shape"):
        tau_normalize(np.ones(3), 1.0)
    with pytest.raises(InvalidInputError, match="got list"):
        tau_normalize([[1.0]], 1.0)
    with pytest.raises(InvalidInputError, match="in place"):
        tau_normalize_(torch.ones(2, 2), 1.0)


# --------------------------------------------------------------------------------------------
# init_output_bias
# --------------------------------------------------------------------------------------------


def test_init_output_bias_softmax_gives_prior():
    layer = torch.nn.Linear(4, 3)
    torch.nn.init.zeros_(layer.weight)
    init_output_bias(layer, [70, 20, 10])
    torch.testing.assert_close(layer.bias.detach(), torch.log(torch.tensor([0.7, 0.2, 0.1])))
    torch.testing.assert_close(
        torch.softmax(layer(torch.randn(2, 4)), 1), torch.tensor([[0.7, 0.2, 0.1]] * 2)
    )


def test_init_output_bias_binary_logit():
    layer = init_output_bias(torch.nn.Linear(4, 1), [900, 100])
    assert layer.bias.item() == pytest.approx(math.log(0.1 / 0.9))
    assert init_output_bias(torch.nn.Linear(4, 1), 0.25).bias.item() == pytest.approx(
        math.log(1 / 3)
    )
    assert layer.bias.requires_grad


@pytest.mark.parametrize(
    "layer, prior, match",
    [
        (torch.nn.Linear(2, 3, bias=False), [1, 1, 1], "bias=False"),
        (torch.nn.Linear(2, 3), [1, 1], "one entry per class"),
        (torch.nn.Linear(2, 1), 1.5, r"\(0, 1\)"),
        (torch.nn.Conv1d(2, 2, 1), [1, 1], "nn.Linear"),
    ],
)
def test_init_output_bias_errors(layer, prior, match):
    with pytest.raises(InvalidInputError, match=match):
        init_output_bias(layer, prior)


# --------------------------------------------------------------------------------------------
# ThresholdTuner
# --------------------------------------------------------------------------------------------


def _binary_data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.15).astype(int)
    s = np.clip(rng.normal(0.3 + 0.3 * y, 0.15), 0, 1)
    return y, s


@pytest.mark.parametrize("metric", ["f1", "g_mean", "balanced_accuracy", "mcc"])
def test_binary_threshold_is_brute_force_optimum(metric):
    y, s = _binary_data(n=120)
    tuner = ThresholdTuner(metric=metric, max_candidates=200).fit(y, s)
    m = METRICS.get(metric)
    brute = max(m(y, (s >= t).astype(int)) for t in np.unique(s))
    assert tuner.best_score_ == pytest.approx(brute)
    assert m(y, tuner.predict(s)) == pytest.approx(brute)
    assert tuner.best_score_ >= tuner.default_score_


def test_binary_f1_matches_or_beats_sklearn_tuned_threshold():
    class ColumnProba(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict_proba(self, X):
            return np.column_stack([1 - X[:, 0], X[:, 0]])

    y, s = _binary_data()
    X = s[:, None]
    idx = np.arange(len(y))
    ref = TunedThresholdClassifierCV(
        FrozenEstimator(ColumnProba().fit(X, y)),
        scoring="f1",
        cv=[(idx, idx)],
        refit=False,
        thresholds=200,
    ).fit(X, y)
    ours = ThresholdTuner("f1").fit(y, s)
    assert ours.best_score_ >= ref.best_score_ - 1e-12
    assert f1_score(y, ours.predict(s)) == pytest.approx(ours.best_score_)
    # same decision rule: with sklearn's threshold, our predict equals sklearn's predict
    ours.threshold_ = ref.best_threshold_
    np.testing.assert_array_equal(ours.predict(s), ref.predict(X))


def test_binary_hand_example_and_inputs():
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    p = np.array([0.05, 0.1, 0.2, 0.3, 0.35, 0.45, 0.4, 0.6])
    tuner = ThresholdTuner().fit(y, p)
    assert tuner.threshold_ == 0.4 and tuner.best_score_ == pytest.approx(0.8)
    two = ThresholdTuner().fit(y, np.column_stack([1 - p, p]))
    assert two.threshold_ == 0.4
    labels = np.array(["neg", "pos"])[y]
    named = ThresholdTuner().fit(labels, torch.tensor(p))
    assert list(named.classes_) == ["neg", "pos"]
    assert list(named.predict([0.1, 0.5])) == ["neg", "pos"]


def test_max_candidates_caps_the_grid():
    y, s = _binary_data(n=300)
    coarse = ThresholdTuner("f1", max_candidates=5).fit(y, s)
    fine = ThresholdTuner("f1").fit(y, s)
    assert coarse.best_score_ <= fine.best_score_
    assert coarse.threshold_ in set(np.unique(np.quantile(s, np.linspace(0, 1, 5))))


def test_multiclass_offsets_improve_balanced_accuracy():
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=300, p=[0.8, 0.15, 0.05])
    logits = rng.normal(size=(300, 3)) + 1.2 * np.eye(3)[y] + np.log([0.8, 0.15, 0.05]) * 1.0
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    tuner = ThresholdTuner("balanced_accuracy", max_candidates=40, max_iter=3).fit(y, proba)
    base = balanced_accuracy_score(y, proba.argmax(1))
    assert tuner.default_score_ == pytest.approx(base)
    assert tuner.best_score_ > base + 0.05
    assert balanced_accuracy_score(y, tuner.predict(proba)) == pytest.approx(tuner.best_score_)
    assert tuner.offsets_.shape == (3,) and tuner.threshold_ is tuner.offsets_
    # offsets act as multiplicative weights on the probabilities
    np.testing.assert_array_equal(tuner.predict(proba), (proba * np.exp(tuner.offsets_)).argmax(1))


def test_multiclass_coordinate_step_is_optimal_for_one_class():
    # The first coordinate step is an exact search over class 0's offset, so after it (and
    # later steps only improve) the score is at least that of a brute-force scan over b_0.
    rng = np.random.default_rng(3)
    y = rng.choice(3, size=90, p=[0.7, 0.2, 0.1])
    proba = rng.dirichlet(np.ones(3), size=90)
    proba[np.arange(90), y] += 0.3
    proba /= proba.sum(1, keepdims=True)
    tuner = ThresholdTuner("macro_f1", max_iter=1).fit(y, proba)
    logp = np.log(proba)
    m = METRICS.get("macro_f1")
    brute = max(
        m(y, (logp + np.array([b, 0, 0])).argmax(1), labels=[0, 1, 2])
        for b in np.linspace(-5, 5, 201)
    )
    assert tuner.best_score_ >= brute - 1e-12


def test_sklearn_api_and_errors():
    tuner = ThresholdTuner("g_mean", max_iter=3)
    assert tuner.get_params() == {
        "metric": "g_mean",
        "max_candidates": 100,
        "max_iter": 3,
        "tol": 1e-6,
    }
    with pytest.raises(NotFittedError):
        tuner.predict([0.1])
    y, s = _binary_data(n=50)
    with pytest.raises(InvalidParameterError, match="ranks scores"):
        ThresholdTuner("roc_auc").fit(y, s)
    with pytest.raises(InvalidParameterError, match="'max_candidates'"):
        ThresholdTuner(max_candidates=1).fit(y, s)
    with pytest.raises(InvalidInputError, match="rows"):
        ThresholdTuner().fit(y, s[:-1])
    with pytest.raises(InvalidInputError, match=r"\(n_samples, 3\)"):
        ThresholdTuner().fit([0, 1, 2, 2], np.ones((4, 2)))
    with pytest.raises(InvalidInputError, match="softmax"):
        ThresholdTuner().fit([0, 1, 2], -np.ones((3, 3)))
    custom = ThresholdTuner(metric=lambda t, p: f1_score(t, p)).fit(y, s)
    assert custom.best_score_ == pytest.approx(ThresholdTuner("f1").fit(y, s).best_score_)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_stay_on_device():
    logits = torch.randn(4, 3, device="cuda", dtype=torch.float16)
    out = logit_adjust(logits, [5, 3, 2])
    assert out.device == logits.device and out.dtype == torch.float16
    w = tau_normalize(torch.randn(3, 4, device="cuda"), 1.0)
    assert w.device.type == "cuda"
    layer = init_output_bias(torch.nn.Linear(4, 3).cuda(), [5, 3, 2])
    assert layer.bias.device.type == "cuda"


def test_public_surface_and_clone():
    from sklearn.base import clone

    import equipoise.posthoc as mod

    assert set(mod.__all__) == {
        "logit_adjust",
        "tau_normalize",
        "tau_normalize_",
        "init_output_bias",
        "ThresholdTuner",
        "tune_label_thresholds",
        "LabelThresholdTuner",  # multi-label (tests/multilabel)
    }
    tuner = ThresholdTuner("mcc", max_candidates=7)
    assert clone(tuner).get_params() == tuner.get_params()


def test_threshold_tuner_with_every_class_listed():
    from equipoise.posthoc import ThresholdTuner

    rng = np.random.default_rng(0)
    y = np.array([0, 0, 0, 0, 2, 2])  # class 1 absent from the validation rows
    p = rng.dirichlet([1, 1, 1], 6)
    tuner = ThresholdTuner(metric="balanced_accuracy").fit(y, p, labels=[0, 1, 2])
    assert tuner.offsets_[1] == 0.0
    assert tuner.offsets_[[0, 2]].mean() == pytest.approx(0.0)  # tuned offsets centred
    assert set(tuner.predict(p)) <= {0, 1, 2}
    binary = ThresholdTuner(metric="balanced_accuracy").fit(
        [0, 0, 0], [0.1, 0.5, 0.7], labels=[0, 1]
    )
    assert binary.threshold_ == 0.5  # one class only: the default rule
    with pytest.raises(InvalidInputError, match=r"classes \[5\] that are not in labels"):
        ThresholdTuner().fit([0, 5], [0.1, 0.2], labels=[0, 1])
    with pytest.raises(InvalidParameterError, match="'labels' parameter of ThresholdTuner.fit"):
        ThresholdTuner().fit([0, 1], [0.1, 0.2], labels=[0, 0])
