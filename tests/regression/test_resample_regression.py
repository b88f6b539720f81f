"""SMOTER, SMOGN and random over/under-sampling of continuous targets; checked against smogn."""

import sys
import types

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import (
    RESAMPLERS,
    SMOGN,
    SMOTER,
    RandomOverSamplerRegression,
    RandomUnderSamplerRegression,
    box_plot_control_points,
    make_resampler,
    relevance_function,
)

ALL = [SMOTER, SMOGN, RandomOverSamplerRegression, RandomUnderSamplerRegression]


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(X[:, 0] + 0.3 * rng.normal(size=n))
    return X, y


def _smogn_package():
    smogn = pytest.importorskip("smogn")
    # smogn 0.1.2 calls numpy.quantile(interpolation=...), removed in numpy 2: give it the new spelling
    module = sys.modules["smogn.box_plot_stats"]
    shim = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
    shim.quantile = lambda a, q, interpolation="linear": np.quantile(a, q, method=interpolation)
    module.np = shim
    # ... and int()/float() of one-element arrays, an error in numpy 2.4: draw scalars for size=1
    rnd = types.SimpleNamespace(
        choice=lambda a, size=None, replace=True, p=None: (
            np.random.choice(a, None, replace, p)  # noqa: NPY002
            if size == 1
            else np.random.choice(a, size, replace, p)  # noqa: NPY002
        ),
        normal=lambda loc=0.0, scale=1.0, size=None: np.random.normal(  # noqa: NPY002
            loc, scale, None if size == 1 else size
        ),
    )
    over = sys.modules["smogn.over_sampling"]
    over_np = types.SimpleNamespace(
        **{k: getattr(np, k) for k in dir(np) if not k.startswith("__")}
    )
    over_np.random = rnd
    over.np = over_np
    return smogn


def test_registered_by_name():
    for name, cls in [
        ("smoter", SMOTER),
        ("smogn", SMOGN),
        ("random-over-regression", RandomOverSamplerRegression),
        ("random-under-regression", RandomUnderSamplerRegression),
    ]:
        assert RESAMPLERS.get(name) is cls
        assert make_resampler(name, random_state=3).random_state == 3


@pytest.mark.parametrize("extremes", ["both", "high", "low"])
def test_relevance_matches_the_smogn_package(extremes):
    _smogn_package()
    from smogn.phi import phi
    from smogn.phi_ctrl_pts import phi_ctrl_pts

    rng = np.random.default_rng(0)
    y = np.sort(
        np.r_[
            rng.normal(size=300), rng.exponential(3, size=40) + 2, -rng.exponential(2, size=10) - 2
        ]
    )
    params = phi_ctrl_pts(pd.Series(y), xtrm_type=extremes)
    points = box_plot_control_points(y, extremes=extremes)
    np.testing.assert_allclose(points, np.reshape(params["ctrl_pts"], (-1, 3)))
    np.testing.assert_allclose(relevance_function(points)(y), phi(pd.Series(y), params), atol=1e-12)


def test_relevance_from_user_points():
    phi = relevance_function([[0.0, 0.0], [10.0, 1.0]])
    np.testing.assert_allclose(
        phi(np.array([-1.0, 0.0, 2.5, 5.0, 10.0, 11.0])), [0, 0, 0.15625, 0.5, 1, 1]
    )
    for bad in ([[0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]], [[0.0, 2.0], [1.0, 0.0]], "x"):
        with pytest.raises(InvalidParameterError):
            relevance_function(bad)


@pytest.mark.parametrize("strategy", ["balance", "extreme"])
def test_synthetic_counts_per_region_match_the_smogn_package(strategy):
    smogn = _smogn_package()
    X, y = _data(n=200)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y)
    import contextlib
    import io
    import random

    state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    np.random.seed(0)  # noqa: NPY002 (the package draws from the global generators)
    random.seed(0)
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # its tqdm bars
            ref = smogn.smoter(
                data=frame, y="y", k=5, samp_method=strategy, under_samp=False, rel_thres=0.8
            )
    finally:
        np.random.set_state(state)  # noqa: NPY002
        random.setstate(py_state)
    # with under_samp=False the package returns only the synthetic rows of the over-sampled regions
    ours = SMOGN(sampling_strategy=strategy, under_sampling=False, random_state=0)
    X_res, y_res = ours.fit_resample(X, y)
    assert ours.n_synthetic_ == len(ref)
    rare = [r for r in ours.regions_ if r["rare"]]
    assert sum(r["target"] - r["n"] for r in rare) == len(ref)
    np.testing.assert_array_equal(X_res[:200], X)  # originals kept, first, unchanged

    # interpolated synthetic targets lie inside a rare region, as the package's mostly do
    def inside(values):
        hit = np.zeros(len(values), bool)
        for r in rare:
            hit |= (values >= r["low"] - 1e-9) & (values <= r["high"] + 1e-9)
        return hit

    interpolated = ours._row_map_.partners >= 0
    assert inside(y_res[200:][interpolated]).all()
    assert inside(ref["y"].to_numpy()).mean() > 0.8


@pytest.mark.parametrize("cls", [SMOTER, SMOGN])
def test_synthetic_targets_lie_between_their_parents(cls):
    X, y = _data()
    sampler = cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    row_map = sampler._row_map_
    n_kept = len(row_map.indices)
    new_y = y_res[n_kept:]
    base, partner, gap = row_map.sources, row_map.partners, row_map.gaps
    interp = partner >= 0
    assert interp.sum() > 0
    lo = np.minimum(y[base], np.where(interp, y[partner], y[base]))
    hi = np.maximum(y[base], np.where(interp, y[partner], y[base]))
    assert np.all(new_y[interp] >= lo[interp] - 1e-12) and np.all(
        new_y[interp] <= hi[interp] + 1e-12
    )
    # x on the segment, and the distance-weighted target equals (1 - u) y_s + u y_n there
    np.testing.assert_allclose(
        X_res[n_kept:][interp], X[base][interp] + gap[interp, None] * (X[partner] - X[base])[interp]
    )
    np.testing.assert_allclose(
        new_y[interp], ((1 - gap) * y[base] + gap * np.where(interp, y[partner], 0))[interp]
    )
    if cls is SMOTER:
        assert interp.all()
    else:
        assert sampler.n_noise_ == int((~interp).sum())
    # every synthetic row comes from a rare row; rare originals are all kept
    rare_rows = np.flatnonzero(sampler.relevance_ >= 0.8)
    assert np.isin(base, rare_rows).all() and np.isin(rare_rows, row_map.indices).all()


@pytest.mark.parametrize("cls", ALL)
def test_counts_follow_the_regions_and_seeds_repeat(cls):
    X, y = _data()
    sampler = cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert len(X_res) == len(y_res) == sum(sampler.sampling_strategy_.values())
    for r in sampler.regions_:
        assert r["target"] >= r["n"] if r["rare"] else r["target"] <= r["n"]
    again = cls(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(again[0], X_res)
    np.testing.assert_array_equal(again[1], y_res)
    if cls in (RandomOverSamplerRegression, RandomUnderSamplerRegression):
        np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
        np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize("cls", ALL)
def test_containers_come_back_in_kind(cls):
    import torch

    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(300) * 2)
    series = pd.Series(y.astype(np.float32), index=frame.index, name="price")
    X_res, y_res = cls(random_state=0).fit_resample(frame, series)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["a", "b", "c"]
    assert isinstance(y_res, pd.Series) and y_res.name == "price" and y_res.dtype == np.float32
    assert X_res.index.equals(y_res.index)
    Xt, yt = cls(random_state=0).fit_resample(
        torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    )
    assert isinstance(Xt, torch.Tensor) and Xt.dtype == torch.float32 and yt.dtype == torch.float64


def test_integer_targets_get_rounded_synthetic_values():
    X, y = _data()
    counts = np.round(y * 10).astype(np.int64)
    _, y_res = SMOTER(random_state=0).fit_resample(X, counts)
    assert y_res.dtype == np.int64


def test_user_relevance_and_thresholds():
    X, y = _data()
    sampler = SMOTER(relevance=[[1.0, 0.0], [4.0, 1.0]], relevance_threshold=0.5, random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.control_points_.shape == (2, 3)
    rare = [r for r in sampler.regions_ if r["rare"]]
    assert len(rare) == 1 and rare[0]["low"] >= 2.5
    called = SMOTER(relevance=lambda v: (v > 3).astype(float), random_state=0)
    called.fit_resample(X, y)
    assert called.control_points_ is None and [r["rare"] for r in called.regions_] == [False, True]


@pytest.mark.parametrize(
    "sampler, X_fn, y_fn, words",
    [
        (SMOTER(k_neighbors=50), None, None, "'k_neighbors'"),
        (SMOTER(relevance=lambda v: np.ones_like(v)), None, None, "marks every row"),
        (SMOTER(relevance=lambda v: np.zeros_like(v)), None, None, "marks no row"),
        (SMOTER(), None, lambda y: np.where(y > 1, "a", "b"), "non-numeric"),
        (SMOTER(), None, lambda y: np.r_[y[:-1], np.nan], "NaN"),
        (SMOTER(), sp.csr_matrix, None, "dense X"),
        (SMOTER(relevance=lambda v: v * 10), None, None, "one value in [0, 1]"),
    ],
)
def test_clear_errors(sampler, X_fn, y_fn, words):
    X, y = _data()
    X = X_fn(X) if X_fn else X
    y = y_fn(y) if y_fn else y
    with pytest.raises((InvalidInputError, InvalidParameterError)) as info:
        sampler.fit_resample(X, y)
    assert words in str(info.value)
    for params, name in [
        ({"relevance_threshold": 0.0}, "relevance_threshold"),
        ({"sampling_strategy": "auto"}, "sampling_strategy"),
        ({"relevance": [[0.0, 0.0]]}, "relevance"),
        ({"extremes": "left"}, "extremes"),
    ]:
        with pytest.raises(InvalidParameterError, match=name):
            SMOTER(**params).fit_resample(*_data())
    with pytest.raises(InvalidInputError, match="requires y"):
        SMOTER().fit_resample(X, None)


def test_zero_inflated_target_gets_distinct_control_points():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(80), rng.exponential(5, size=20) + 0.1]  # Q1 = median = Q3 = 0
    points = box_plot_control_points(y)
    assert (
        points[0].tolist() == [0.0, 0.0, 0.0]
        and points[-1][0] == y[y > 0].min()
        and points[-1][1] == 1.0
    )
    sampler = SMOTER(random_state=0)
    sampler.fit_resample(y.reshape(-1, 1) + rng.normal(size=(100, 1)), y)
    assert [r["rare"] for r in sampler.regions_] == [False, True]
