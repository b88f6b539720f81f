"""In-place generation of synthetic rows gives the bits of the plain interpolation; restricted
neighbour searches give the answers of the full ones."""

import numpy as np
import pytest

from equipoise.resample import _smote
from equipoise.resample._smote import _SyntheticRows, fill_interpolated, interpolate, take_rows


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("chunk", [7, 1 << 16])
def test_fill_interpolated_matches_interpolate(monkeypatch, dtype, chunk):
    monkeypatch.setattr(_smote, "_FILL_ELEMENTS", chunk)
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((50, 3)) * 1e3).astype(dtype)
    base, partner, gap = rng.integers(0, 50, 200), rng.integers(0, 50, 200), rng.random(200)
    out = np.empty((200, 3), dtype=dtype)
    fill_interpolated(out, X, base, partner, gap)
    expected = interpolate(take_rows(X, base), take_rows(X, partner), gap)
    assert out.dtype == expected.dtype and np.array_equal(out, expected)


def test_batches_land_in_one_array_in_order():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 4)).astype(np.float32)
    y = np.repeat([0, 1, 2], [20, 10, 10])
    rows = _SyntheticRows(X, y)
    b1, p1, g1 = rng.integers(0, 10, 5), rng.integers(0, 10, 5), rng.random(5)
    fixed = rng.standard_normal((3, 4)).astype(np.float32)
    b2, p2, g2 = rng.integers(0, 40, 6), rng.integers(0, 40, 6), rng.random(6)
    X1 = X[20:30]
    rows.add_interpolated(X1, b1, p1, g1, 1, base=b1 + 20, partner=p1 + 20)
    rows.add(fixed, 2, base=np.array([30, 31, 32]))
    rows.add_interpolated(X, b2, p2, g2, 0, base=b2, partner=p2)

    class Sink:
        pass

    plan = rows.plan(Sink())
    expected = np.concatenate(
        [interpolate(X1[b1], X1[p1], g1), fixed, interpolate(X[b2], X[p2], g2)]
    )
    assert np.array_equal(plan.X_new, expected) and plan.X_new.dtype == np.float32
    assert plan.y_new.tolist() == [1] * 5 + [2] * 3 + [0] * 6
    assert plan.new_sources.tolist() == (b1 + 20).tolist() + [30, 31, 32] + b2.tolist()
    assert plan.new_partners.tolist() == (p1 + 20).tolist() + [-1] * 3 + p2.tolist()


@pytest.mark.parametrize("n, d", [(3000, 8), (9000, 10), (2500, 3)])
def test_tomek_links_from_the_rows_outside_the_largest_class_equal_the_full_search(n, d):
    """TomekLinks queries only the rows outside the largest class and the rows they point to;
    the kept rows equal the rule applied to the all-points table (small, tiled and tree paths)."""
    from equipoise.neighbors import kneighbors
    from equipoise.resample import TomekLinks

    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, d))
    if d <= 3:
        X = np.round(X, 1)  # many exact ties
    X[5::97] = X[6]  # duplicates: ties at distance 0
    y = np.zeros(n, dtype=np.int64)
    y[: n // 12] = 1
    y[n // 12 : n // 12 + n // 30] = 2
    X[y == 1] += 0.4
    for strategy in ("auto", "all"):
        sampler = TomekLinks(sampling_strategy=strategy)
        sampler.fit_resample(X, y)
        sampler_full = TomekLinks(sampling_strategy=strategy)
        sampler_full.fit(X, y)
        full = sampler_full._clean(y, kneighbors(X, 1)[1]).indices
        assert np.array_equal(sampler.sample_indices_, full)
        assert len(full) < n  # links were found and removed


# ---------------------------------------------------------------------- the final output, once
GENERATORS = ["smote", "borderline-smote", "adasyn", "smote-tomek", "smote-enn"]


def _generator_data(dtype):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((120, 5)).astype(dtype)
    y = np.r_[np.zeros(90, dtype=np.int64), np.ones(30, dtype=np.int64)]
    X[y == 1] += 0.8
    return X, y


def _build(name):
    from equipoise.resample import make_resampler

    return make_resampler(name, random_state=0)


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_output_is_allocated_once_with_the_synthetic_rows_written_into_it(
    monkeypatch, name, dtype
):
    """Numpy in: the plan defers its synthetic rows and the template writes them into the one
    output array (never materialised on their own, never concatenated); the values are those
    of the deferred rows, after the kept originals."""
    from equipoise._containers import DeferredRows

    X, y = _generator_data(dtype)
    plans = []
    sampler = _build(name)
    original = type(sampler)._fit_resample

    def spy(self, *args, **kwargs):
        plans.append(original(self, *args, **kwargs))
        return plans[-1]

    monkeypatch.setattr(type(sampler), "_fit_resample", spy)
    expected_new = []

    def no_materialise(self):
        raise AssertionError("deferred rows materialised on the numpy path")

    real_materialise = DeferredRows.materialise
    monkeypatch.setattr(DeferredRows, "materialise", no_materialise)
    X_res, y_res = sampler.fit_resample(X, y)
    plan = plans[0]
    assert isinstance(plan.X_new, DeferredRows) and plan.X_new.dtype == dtype
    expected_new = real_materialise(plan.X_new)
    expected = np.concatenate([X[plan.indices], expected_new])
    assert X_res.dtype == dtype and X_res.flags.c_contiguous
    assert np.array_equal(X_res, expected) and len(y_res) == len(X_res)
    assert sampler.n_synthetic_ == len(expected_new) > 0


@pytest.mark.parametrize("name", GENERATORS)
def test_every_container_gets_the_bits_of_the_numpy_output(name):
    """The other containers (and numpy layouts the fast path does not take: Fortran order,
    a strided view, integers) get the deferred rows materialised: the same values as numpy."""
    import pandas as pd
    import polars as pl
    import torch

    X, y = _generator_data(np.float32)
    X_np, y_np = _build(name).fit_resample(X, y)
    runs = {
        "pandas": lambda: _build(name).fit_resample(pd.DataFrame(X), y)[0].to_numpy(),
        "polars": lambda: _build(name).fit_resample(pl.DataFrame(X), y)[0].to_numpy(),
        "torch": lambda: _build(name).fit_resample(torch.from_numpy(X), y)[0].numpy(),
        "fortran": lambda: _build(name).fit_resample(np.asfortranarray(X), y)[0],
        "strided": lambda: _build(name).fit_resample(np.repeat(X, 2, axis=1)[:, ::2], y)[0],
    }
    for kind, run in runs.items():
        out = run()
        assert np.array_equal(out, X_np), kind
    # A list of rows is read as float64: the float64 numpy output, as Python values.
    X64_np = _build(name).fit_resample(X.astype(np.float64), y)[0]
    assert np.array_equal(np.asarray(_build(name).fit_resample(X.tolist(), y)[0]), X64_np)
    # float64 computation cast back into int columns: the same rule as before (materialised).
    X_int = np.rint(X * 10).astype(np.int64)
    out_int = _build(name).fit_resample(X_int, y)[0]
    as_float = _build(name).fit_resample(X_int.astype(np.float64), y)[0]
    assert out_int.dtype == np.int64 and np.array_equal(out_int, np.rint(as_float))


def test_deferred_rows_refuse_an_array_of_another_shape_or_dtype():
    from equipoise._containers import DeferredRows

    rows = DeferredRows((3, 2), np.float32, lambda out: out.fill(1.5))
    assert np.array_equal(np.asarray(rows), np.full((3, 2), 1.5, np.float32))
    assert len(rows) == 3 and rows.shape == (3, 2)
    with pytest.raises(ValueError, match="cannot fill"):
        rows.fill(np.empty((3, 2), np.float64))
    with pytest.raises(ValueError, match="cannot fill"):
        rows.fill(np.empty((2, 2), np.float32))
