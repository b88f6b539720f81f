"""Continuous targets: validation, profile (binned density, rare ranges, shots), LDS and DenseWeight."""

import numpy as np
import pandas as pd
import pytest
from scipy.ndimage import convolve1d

from equipoise._validation import check_continuous_target, target_kind
from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.profile import ClassProfile, TargetProfile, profile
from equipoise.weights import (
    dense_weights,
    kde_density,
    lds_density,
    lds_kernel_window,
    lds_weights,
)


def _long_tail(n=600, seed=0):
    rng = np.random.default_rng(seed)
    return np.r_[rng.normal(size=n - n // 6), rng.exponential(3, size=n // 6) + 2]


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "bad, words",
    [
        (None, "got None"),
        (3.5, "single value"),
        ([[0, 1], [1, 0]], "0/1 indicator matrix (multi-label)"),
        (np.ones((3, 2)) * 0.5, "not a 0/1 indicator"),
        (np.array(["a", "b"], dtype=object), "non-numeric values (e.g. 'a')"),
        ([1.0, np.nan, 2.0], "1 NaN or infinite"),
        ([1.0, np.inf], "NaN or infinite"),
        ([1.5], "at least 2"),
        (np.array([1 + 2j, 3j]), "complex"),
    ],
)
def test_check_continuous_target_refuses_clearly(bad, words):
    with pytest.raises(InvalidInputError) as info:
        check_continuous_target(bad, owner="T")
    assert words in str(info.value)


def test_check_continuous_target_accepts_every_spelling():
    expected = np.array([1.0, 2.5, 4.0])
    for y in (
        [1, 2.5, 4],
        pd.Series(expected),
        pd.DataFrame({"t": expected}),
        expected.reshape(-1, 1),
    ):
        out = check_continuous_target(y)
        assert out.dtype == np.float64 and out.ndim == 1
        np.testing.assert_array_equal(out, expected)
    source = expected.copy()
    check_continuous_target(source)[0] = 99.0  # a copy, never the user's array
    assert source[0] == 1.0


# ------------------------------------------------------------------------------ profile
def test_profile_dispatches_on_target_kind():
    y = _long_tail()
    assert target_kind(y) == "continuous"
    p = profile(y, bins=10)
    assert isinstance(p, TargetProfile) and p.n_samples == len(y) and p.n_bins == 10
    assert isinstance(profile(np.arange(30.0) % 3), ClassProfile)  # integer-valued floats: classes
    ages = np.repeat(np.arange(20.0), 5)
    assert isinstance(profile(ages, kind="continuous"), TargetProfile)
    with pytest.raises(InvalidParameterError, match="kind='continuous'"):
        profile([0, 1, 1], bins=3)
    with pytest.raises(InvalidParameterError, match="'kind'"):
        profile(y, kind="ordinal")


def test_profile_bins_density_shots_and_rare_ranges():
    # 150 rows in [0, 1), 50 in [1, 2), 10 in [2, 3), 0 in [3, 4), 1 at 4
    y = np.r_[np.linspace(0, 0.9, 150), np.linspace(1, 1.9, 50), np.linspace(2, 2.9, 10), [4.0]]
    p = profile(y, bin_width=1.0)
    np.testing.assert_allclose(p.edges, [0, 1, 2, 3, 4, 5])
    assert p.counts.tolist() == [150, 50, 10, 0, 1, 0][: p.n_bins]
    assert p.shots.tolist()[:3] == ["many", "medium", "few"]
    np.testing.assert_allclose((p.density * p.bin_width).sum(), 1.0)
    # uniform share is 211 / 5 = 42.2 rows; rare: fewer than a quarter of it (10.55)
    assert p.rare.tolist() == [False, False, True, True, True]
    assert p.rare_ranges == [(2.0, 5.0)]
    assert p.many_medium_few() == {"many": [0], "medium": [1], "few": [2, 3, 4]}
    np.testing.assert_array_equal(
        p.shot_of([0.5, 1.5, 2.5, 99.0]), ["many", "medium", "few", "few"]
    )
    frame = p.to_frame()
    assert list(frame.columns) == [
        "low",
        "high",
        "count",
        "density",
        "relative_density",
        "shot",
        "rare",
    ]
    text = str(p)
    assert "211 samples" in text and "rare ranges" in text and "1 of 5 bins are empty" in text


def test_profile_refuses_bad_options():
    y = _long_tail()
    with pytest.raises(InvalidParameterError, match="'bin_width'"):
        profile(y, bin_width=-1.0)
    with pytest.raises(InvalidParameterError, match="'bins'"):
        profile(y, bins=0)
    with pytest.raises(InvalidParameterError, match="'few'"):
        profile(y, many=5, few=50)


# ------------------------------------------------------------------------------ LDS
def _reference_gaussian_window(ks, sigma):
    # the reference code smooths a unit impulse with scipy's gaussian_filter1d (mode 'reflect',
    # radius int(4 sigma + 0.5)) and scales it to a peak of 1; written out by hand here
    radius = int(4 * sigma + 0.5)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    impulse = np.zeros(ks)
    impulse[ks // 2] = 1.0
    padded = np.pad(impulse, radius, mode="symmetric")
    out = np.array([padded[i : i + 2 * radius + 1] @ taps[::-1] for i in range(ks)])
    return out / out.max()


@pytest.mark.parametrize("ks, sigma", [(5, 2.0), (3, 1.0), (9, 1.5)])
def test_lds_windows_follow_the_reference_formulas(ks, sigma):
    np.testing.assert_allclose(
        lds_kernel_window("gaussian", ks, sigma), _reference_gaussian_window(ks, sigma), rtol=1e-12
    )
    half = ks // 2
    laplace = np.exp(-np.abs(np.arange(-half, half + 1)) / sigma)
    np.testing.assert_allclose(lds_kernel_window("laplace", ks, sigma), laplace / laplace.max())
    triang = 1 - np.abs(np.arange(-half, half + 1)) / (half + 1)  # scipy's odd-length triangle
    np.testing.assert_allclose(lds_kernel_window("triang", ks, sigma), triang)
    with pytest.raises(InvalidParameterError, match="odd"):
        lds_kernel_window("gaussian", 4)


@pytest.mark.parametrize("reweight", ["sqrt_inverse", "inverse"])
@pytest.mark.parametrize("kernel", ["gaussian", "triang", "laplace"])
def test_lds_weights_match_the_reference_procedure(reweight, kernel):
    # the reference: integer-age bins, sqrt (or clip to [5, 1000]) of the counts, convolution with
    # zero padding, weight 1 / smoothed value, scaled so the weights sum to n
    rng = np.random.default_rng(1)
    ages = np.floor(np.clip(rng.gamma(3.0, 8.0, size=800), 0, 99)).astype(float)
    counts = np.bincount(ages.astype(int) - int(ages.min())).astype(float)
    values = np.sqrt(counts) if reweight == "sqrt_inverse" else np.clip(counts, 5, 1000)
    smoothed = convolve1d(values, lds_kernel_window(kernel, 5, 2.0), mode="constant")
    per_row = 1.0 / smoothed[ages.astype(int) - int(ages.min())]
    expected = per_row * len(per_row) / per_row.sum()
    clip = (5, 1000) if reweight == "inverse" else None
    got = lds_weights(ages, bin_width=1.0, kernel=kernel, reweight=reweight, clip=clip)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.isclose(got.mean(), 1.0)
    edges, _, sm = lds_density(ages, bin_width=1.0, kernel=kernel, reweight=reweight, clip=clip)
    assert edges[0] == ages.min() and len(sm) == len(edges) - 1


def test_lds_weights_containers_and_errors():
    import torch

    y = _long_tail()
    series = pd.Series(y, index=np.arange(len(y)) * 2, name="price")
    out = lds_weights(series)
    assert isinstance(out, pd.Series) and out.index.equals(series.index) and out.name == "price"
    t = lds_weights(torch.as_tensor(y))
    assert isinstance(t, torch.Tensor) and t.dtype == torch.get_default_dtype()
    assert isinstance(lds_weights(y, output="tensor"), torch.Tensor)
    np.testing.assert_allclose(t.numpy(), lds_weights(y), rtol=1e-6)
    with pytest.raises(InvalidParameterError, match="'reweight'"):
        lds_weights(y, reweight="log")
    with pytest.raises(InvalidParameterError, match="'clip'"):
        lds_weights(y, reweight="inverse", clip=(0, 3))
    with pytest.raises(InvalidParameterError, match="'output'"):
        lds_weights(y, output="list")
    with pytest.raises(InvalidInputError, match="NaN"):
        lds_weights([1.0, np.nan, 3.0])


# ------------------------------------------------------------------------------ DenseWeight
def test_dense_weight_formula_on_a_worked_case():
    y = np.array([0.0, 0.1, 0.2, 3.0])
    h = 0.5
    dens = np.array([np.exp(-0.5 * ((t - y) / h) ** 2).sum() for t in y]) / (
        len(y) * h * np.sqrt(2 * np.pi)
    )
    np.testing.assert_allclose(kde_density(y, bandwidth=h), dens)
    scaled = (dens - dens.min()) / (dens.max() - dens.min())
    raw = np.maximum(1 - 0.8 * scaled, 1e-6)
    np.testing.assert_allclose(dense_weights(y, alpha=0.8, bandwidth=h), raw / raw.mean())
    np.testing.assert_allclose(dense_weights(y, alpha=0.0), 1.0)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_dense_weight_agrees_with_the_denseweight_package(alpha, seed):
    denseweight = pytest.importorskip("denseweight")
    y = _long_tail(seed=seed)
    ref = denseweight.DenseWeight(alpha=alpha).fit(y)
    ours = dense_weights(y, alpha=alpha)
    # the package evaluates an FFT KDE on a 4096-point grid and normalises over the grid; we
    # evaluate exactly and normalise over the training targets (the paper's definition)
    assert np.abs(ours - ref).max() < 0.01 * ref.max()
    assert np.corrcoef(ours, ref)[0, 1] > 0.9999


def test_kde_grid_path_matches_the_exact_one(monkeypatch):
    import equipoise._regression_weights as module

    y = np.random.default_rng(0).normal(size=3000)
    exact = kde_density(y)
    monkeypatch.setattr(module, "_EXACT_KDE_MAX", 100)
    approx = kde_density(y)
    np.testing.assert_allclose(approx, exact, atol=1e-4 * exact.max())


def test_dense_weights_refuse_bad_parameters():
    y = _long_tail()
    for kwargs, name in [
        ({"alpha": -1.0}, "'alpha'"),
        ({"eps": 0.0}, "'eps'"),
        ({"bandwidth": 0.0}, "'bandwidth'"),
    ]:
        with pytest.raises(InvalidParameterError, match=name):
            dense_weights(y, **kwargs)
