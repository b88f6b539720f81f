from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from sklearn.datasets import make_classification

from equipoise.resample import RandomOverSampler, RandomUnderSampler

X, Y = make_classification(
    n_samples=600, n_classes=3, n_informative=4, weights=[0.7, 0.2, 0.1], random_state=0
)

STRATEGIES_OVER = ["auto", "minority", "not majority", "all", {1: 300, 2: 250}, lambda y: {2: 200}]
STRATEGIES_UNDER = ["auto", "majority", "not minority", "all", {0: 100, 1: 60}, lambda y: {0: 80}]


@pytest.mark.parametrize("strategy", STRATEGIES_OVER)
def test_over_counts_match_imblearn(strategy):
    _, y_res = RandomOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, Y)
    _, y_ref = ImbROS(sampling_strategy=strategy, random_state=0).fit_resample(X, Y)
    assert Counter(y_res) == Counter(y_ref)


@pytest.mark.parametrize("strategy", STRATEGIES_UNDER)
def test_under_counts_match_imblearn(strategy):
    _, y_res = RandomUnderSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, Y)
    _, y_ref = ImbRUS(sampling_strategy=strategy, random_state=0).fit_resample(X, Y)
    assert Counter(y_res) == Counter(y_ref)


@pytest.mark.parametrize("ratio", [0.5, 1.0])
def test_binary_float_counts_match(ratio):
    Xb, yb = X[Y != 1], Y[Y != 1]
    for ours, ref in ((RandomOverSampler, ImbROS), (RandomUnderSampler, ImbRUS)):
        _, y_res = ours(sampling_strategy=ratio, random_state=1).fit_resample(Xb, yb)
        _, y_ref = ref(sampling_strategy=ratio, random_state=1).fit_resample(Xb, yb)
        assert Counter(y_res) == Counter(y_ref)


def test_over_keeps_originals_first_and_duplicates_real_rows():
    sampler = RandomOverSampler(random_state=3)
    X_res, y_res = sampler.fit_resample(X, Y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, Y[sampler.sample_indices_])
    extra = sampler.sample_indices_[len(X) :]
    assert set(Y[extra]) == {1, 2}


def test_under_keeps_rows_in_original_order_without_replacement():
    sampler = RandomUnderSampler(random_state=3)
    X_res, y_res = sampler.fit_resample(X, Y)
    idx = sampler.sample_indices_
    assert np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(X_res, X[idx])
    n_min = min(Counter(Y).values())
    assert Counter(y_res) == {0: n_min, 1: n_min, 2: n_min}
    rep = RandomUnderSampler(random_state=3, replacement=True).fit(X, Y)
    assert rep.sampling_strategy_ == {0: n_min, 1: n_min}


def test_same_seed_same_output_different_seed_different_output():
    a = RandomOverSampler(random_state=5).fit_resample(X, Y)[0]
    b = RandomOverSampler(random_state=5).fit_resample(X, Y)[0]
    c = RandomOverSampler(random_state=6).fit_resample(X, Y)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    gen = np.random.default_rng(0)
    first = RandomUnderSampler(random_state=gen).fit_resample(X, Y)[0]
    second = RandomUnderSampler(random_state=gen).fit_resample(X, Y)[0]
    assert not np.array_equal(first, second)  # a Generator is advanced, as in numpy


def test_shrinkage_smoothed_bootstrap_scale():
    Xb = np.random.default_rng(0).normal(size=(2000, 2)) * [1.0, 10.0]
    yb = np.array([0] * 1900 + [1] * 100)
    sampler = RandomOverSampler(random_state=0, shrinkage=1.0)
    X_res, y_res = sampler.fit_resample(Xb, yb)
    np.testing.assert_array_equal(X_res[:2000], Xb)
    new = X_res[2000:]
    src = Xb[sampler.sample_indices_[2000:]]
    noise = new - src
    n_c, d = 100, 2
    h = (4 / ((d + 2) * n_c)) ** (1 / (d + 4))
    expected = h * Xb[1900:].std(axis=0, ddof=1)
    np.testing.assert_allclose(noise.std(axis=0), expected, rtol=0.1)
    assert sampler.shrinkage_ == {1: 1.0}
    zero = RandomOverSampler(random_state=0, shrinkage=0.0).fit_resample(Xb, yb)[0]
    np.testing.assert_array_equal(zero[2000:], src)


def test_shrinkage_errors():
    with pytest.raises(ValueError, match="missing"):
        RandomOverSampler(shrinkage={7: 1.0}).fit_resample(X, Y)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(X, Y)
    Xs = np.array([["a"], ["b"], ["c"], ["d"]], dtype=object)
    with pytest.raises(ValueError, match="numeric"):
        RandomOverSampler(shrinkage=1.0).fit_resample(Xs, [0, 0, 0, 1])


def test_containers_and_any_dtype():
    frame = pd.DataFrame(
        {"f32": X[:, 0].astype(np.float32), "i": np.arange(len(X)), "s": ["x"] * len(X)},
        index=np.arange(len(X)) + 1000,
    )
    target = pd.Series(np.where(Y == 0, "maj", "min"), name="label")
    sampler = RandomOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(frame, target)
    assert list(X_res.columns) == ["f32", "i", "s"]
    assert X_res.dtypes.tolist() == frame.dtypes.tolist()
    assert X_res.index.equals(frame.index[sampler.sample_indices_])  # duplicates repeat their label
    assert y_res.name == "label" and set(y_res) == {"maj", "min"}
    Xt = torch.tensor(X, dtype=torch.float32)
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(Xt, torch.tensor(Y))
    assert isinstance(X_res, torch.Tensor) and X_res.dtype == torch.float32
    assert isinstance(y_res, torch.Tensor)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from equipoise.resample import resolve_sampling_strategy  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=2, max_size=5),
    n_features=st.integers(1, 6),
    name=st.sampled_from(["auto", "all", "not minority", "not majority"]),
    over=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_random_samplers_follow_the_strategy(sizes, n_features, name, over, seed):
    y = np.repeat(np.arange(len(sizes)), sizes)
    X = np.random.default_rng(seed).normal(size=(len(y), n_features))
    cls = RandomOverSampler if over else RandomUnderSampler
    sampler = cls(sampling_strategy=name, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    kind = "over-sampling" if over else "under-sampling"
    target = resolve_sampling_strategy(name, y, kind)
    before = Counter(y.tolist())
    after = Counter(y_res.tolist())
    for label, n in before.items():
        expected = n + target.get(label, 0) if over else target.get(label, n)
        assert after[label] == expected
    # every output row is an input row of the same class
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
