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
