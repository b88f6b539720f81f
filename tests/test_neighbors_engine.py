"""The blocked k-NN engine against a brute-force float64 oracle (ties included), its memory
plan, its threads, and tensors kept on their device through the samplers."""

import importlib.util

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise._knn_dense import dense_kneighbors, plan_search
from equipoise.exceptions import InvalidParameterError
from equipoise.neighbors import choose_method, kneighbors

HAS_FAISS = importlib.util.find_spec("faiss") is not None


def brute_force(X, k, query=None, rows=None):
    """float64 oracle: every squared distance sum((x - q)^2), then a stable sort (ties by index)."""
    X = np.asarray(X, dtype=np.float64)
    if query is not None:
        Q, exclude = np.asarray(query, dtype=np.float64), None
    elif rows is not None:
        Q, exclude = X[rows], np.asarray(rows)
    else:
        Q, exclude = X, np.arange(len(X))
    diff = Q[:, None, :] - X[None, :, :]
    sq = (diff * diff).sum(axis=-1)
    if exclude is not None:
        sq[np.arange(len(Q)), exclude] = np.inf
    order = np.argsort(sq, axis=1, kind="stable")[:, :k]
    return np.sqrt(np.take_along_axis(sq, order, axis=1)), order


@st.composite
def problems(draw):
    n = draw(st.integers(2, 90))
    d = draw(st.integers(1, 7))
    kind = draw(st.sampled_from(["gauss", "integers", "duplicates", "offset", "float32"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "integers":  # many exact ties
        X = rng.integers(0, draw(st.integers(2, 4)), size=(n, d)).astype(np.float64)
    elif kind == "duplicates":
        X = rng.normal(size=(max(1, n // 3), d))[rng.integers(0, max(1, n // 3), size=n)]
    elif kind == "offset":  # large common offset: float32 cancellation without centring
        X = 1e7 + rng.normal(size=(n, d))
    else:
        X = rng.normal(size=(n, d))
    if kind == "float32":
        X = X.astype(np.float32)
    mode = draw(st.sampled_from(["self", "rows", "query"]))
    k = draw(st.integers(1, n if mode == "query" else n - 1))
    return X, k, mode, rng


@settings(max_examples=60, deadline=None)
@given(
    problem=problems(),
    engine=st.sampled_from(["tiles", "small", "sklearn"] + (["faiss"] if HAS_FAISS else [])),
)
def test_engine_equals_brute_force_float64(problem, engine):
    X, k, mode, rng = problem
    n = len(X)
    kwargs = {}
    if mode == "rows":
        kwargs["query_indices"] = rng.integers(0, n, size=int(rng.integers(1, 2 * n)))
    elif mode == "query":
        kwargs["query"] = np.vstack(
            [X[rng.integers(0, n, size=3)], rng.normal(size=(4, X.shape[1]))]
        ).astype(X.dtype)
    if engine == "tiles":  # 16-row tiles: many tile borders, both halves of the symmetric sweep
        dist, ind = kneighbors(X, k, method="torch", block_size=16, **kwargs)
    elif engine == "small":
        dist, ind = kneighbors(X, k, method="torch", **kwargs)
    else:
        dist, ind = kneighbors(X, k, method=engine, **kwargs)
    ref_d, ref_i = brute_force(X, k, kwargs.get("query"), kwargs.get("query_indices"))
    np.testing.assert_array_equal(ind, ref_i)
    np.testing.assert_allclose(
        dist, ref_d, rtol=1e-6 if X.dtype == np.float32 else 1e-12, atol=1e-9
    )
    assert dist.dtype == (np.float32 if X.dtype == np.float32 else np.float64)


def test_large_problem_through_tiles_and_workers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 8)).astype(np.float32)
    X[600:650] = X[:50]  # duplicates across tiles
    ref_d, ref_i = brute_force(X, 4)
    for n_jobs in (1, 2):
        d, i = kneighbors(X, 4, method="torch", block_size=128, n_jobs=n_jobs)
        np.testing.assert_array_equal(i, ref_i)
    # Two workers, each with its own candidates, merged at the end.
    sq, i = dense_kneighbors(torch.from_numpy(X), 4, tile=128, n_workers=2)
    np.testing.assert_array_equal(i.numpy(), ref_i)
    np.testing.assert_allclose(np.sqrt(sq.numpy()), ref_d, rtol=1e-12)
    rows = rng.choice(1200, 300, replace=False)
    np.testing.assert_array_equal(
        kneighbors(X, 4, query_indices=rows, block_size=256)[1], ref_i[rows]
    )


def test_few_query_blocks_split_the_reference_columns_among_workers():
    """Queries of 2 tiles against 19 reference tiles: each of two workers sweeps both query
    blocks against its half of the columns; merged, re-ranked on the workers, the oracle's answer."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(1200, 6)).astype(np.float32)
    X[700:740] = X[:40]  # duplicates in the other worker's columns: ties across the split
    rows = rng.choice(1200, 100, replace=False)
    query = np.vstack([X[rows[:30]], rng.normal(size=(70, 6)).astype(np.float32)])
    for kwargs in ({"query_indices": torch.from_numpy(rows)}, {"query": torch.from_numpy(query)}):
        sq, i = dense_kneighbors(torch.from_numpy(X), 5, tile=64, n_workers=2, **kwargs)
        sq1, i1 = dense_kneighbors(torch.from_numpy(X), 5, tile=64, n_workers=1, **kwargs)
        ref_d, ref_i = brute_force(
            X, 5, query if "query" in kwargs else None, rows if "query" not in kwargs else None
        )
        np.testing.assert_array_equal(i.numpy(), ref_i)
        assert torch.equal(i, i1) and torch.equal(sq, sq1)


@pytest.mark.parametrize("m", [37, 70, 200])
def test_few_queries_use_query_blocks_no_taller_than_needed(m):
    """Query blocks of fewer rows than the tile side (37 rows: one block of 48; 70: two of 48;
    200: four of 64 under 64-column tiles): the oracle's answer, on one worker and two."""
    rng = np.random.default_rng(m)
    X = rng.normal(size=(700, 5)).astype(np.float32)
    X[400:420] = X[:20]  # duplicates: ties at distance 0 across column blocks
    rows = np.sort(rng.choice(700, m, replace=False))
    query = np.vstack([X[rows[: m // 2]], rng.normal(size=(m - m // 2, 5)).astype(np.float32)])
    for kwargs, ref in (
        ({"query_indices": torch.from_numpy(rows)}, brute_force(X, 6, rows=rows)),
        ({"query": torch.from_numpy(query)}, brute_force(X, 6, query)),
    ):
        for workers in (1, 2):
            sq, i = dense_kneighbors(torch.from_numpy(X), 6, tile=64, n_workers=workers, **kwargs)
            np.testing.assert_array_equal(i.numpy(), ref[1])
            np.testing.assert_allclose(np.sqrt(sq.numpy()), ref[0], rtol=1e-12)


@pytest.mark.parametrize("d", [60, 260])
def test_narrower_groups_at_high_dimension_change_nothing(monkeypatch, d):
    """From 48 features on the groups are 8 columns wide, from 256 on 4: the same neighbours and
    the same distances, bit for bit, as 16-column groups, and the oracle's answer."""
    from equipoise import _knn_dense

    rng = np.random.default_rng(d)
    X = rng.normal(size=(160, d)).astype(np.float32)
    X[100:110] = X[:10]  # duplicates across tiles
    assert plan_search(160, d, 160, 3).group == (8 if d < 256 else 4)
    results = []
    for group in (None, 16):
        if group is not None:
            monkeypatch.setattr(_knn_dense, "_group", lambda n_features, s=group: s)
        sq, i = dense_kneighbors(torch.from_numpy(X), 3, tile=64, n_workers=2)
        results.append((sq, i))
    assert torch.equal(results[0][0], results[1][0]) and torch.equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][1].numpy(), brute_force(X, 3)[1])


def test_the_thread_controller_finds_the_libraries_threadpoolctl_finds():
    """The controller that looks only at the file names threadpoolctl knows sees the same BLAS
    and OpenMP libraries as threadpoolctl's own scan of every loaded library."""
    from threadpoolctl import ThreadpoolController

    from equipoise.neighbors import _make_controller

    def libraries(controller):
        return sorted((lib["internal_api"], lib["filepath"]) for lib in controller.info())

    assert libraries(_make_controller()) == libraries(ThreadpoolController())
    assert libraries(_make_controller())  # numpy's BLAS at least


def test_memory_plan_is_bounded_never_n_squared():
    for n in (100_000, 1_000_000):
        plan = plan_search(n, 20, n, 10)
        assert plan.tile_bytes <= 20 * 2**20  # one tile and its folds, whatever n
        assert plan.peak_bytes < 4 * n * n / 50  # far below an n x n float32 matrix
        # Linear in n: doubling the data at most doubles the bound.
        assert plan_search(2 * n, 20, 2 * n, 10).peak_bytes <= 2 * plan.peak_bytes


def test_thread_limits_are_restored_and_n_jobs_checked():
    before = torch.get_num_threads()
    X = np.random.default_rng(1).normal(size=(2100, 30))
    kneighbors(X, 3, n_jobs=1)
    kneighbors(X, 3, n_jobs=-1)
    assert torch.get_num_threads() == before
    for bad in (0, -2, 1.5, True):
        with pytest.raises(InvalidParameterError, match="n_jobs"):
            kneighbors(X, 3, n_jobs=bad)
    with pytest.raises(InvalidParameterError, match="query_indices"):
        kneighbors(X, 3, query_indices=[len(X)])
    with pytest.raises(InvalidParameterError, match="not both"):
        kneighbors(X, 3, query=X[:2], query_indices=[0])


def test_choose_method_is_the_measured_rule():
    assert choose_method(100_000, 5, 5) == "sklearn"  # very low d: the k-d tree
    assert choose_method(100_000, 6, 5) == "torch"
    assert choose_method(100_000, 20, 5) == "torch"
    assert choose_method(1_000, 8, 5) == "sklearn"  # small inputs: the tree up to d = 8
    assert choose_method(1_000, 9, 5) == "torch"
    assert choose_method(1_000, 10, 200) == "sklearn"  # most of the reference is asked for
    assert choose_method(100_000, 20, 5, sparse=True) == "sklearn"


def test_nan_is_a_clear_error():
    from equipoise.exceptions import InvalidInputError

    X = np.ones((5, 2))
    X[2, 1] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        kneighbors(X, 1, method="torch")


# ---------------------------------------------------------------------- tensors stay put
def _samplers():
    from equipoise.resample import (
        ADASYN,
        SMOTE,
        SMOTEENN,
        BorderlineSMOTE,
        EditedNearestNeighbours,
        NearMiss,
        SMOTETomek,
        TomekLinks,
    )

    return [
        SMOTE(random_state=0),
        BorderlineSMOTE(random_state=0, kind="borderline-2"),
        ADASYN(random_state=0),
        TomekLinks(),
        EditedNearestNeighbours(),
        NearMiss(),
        SMOTETomek(random_state=0),
        SMOTEENN(random_state=0),
    ]


def _data():
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=400,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        weights=[0.8],
        class_sep=0.5,
        random_state=0,
    )
    return X.astype(np.float32), y


@pytest.mark.parametrize("sampler", _samplers(), ids=lambda s: type(s).__name__)
def test_tensor_input_is_never_copied_to_numpy_and_equals_numpy(sampler, monkeypatch):
    import equipoise.resample._base as base

    X, y = _data()
    expected = sampler.fit_resample(X, y)

    def refuse(values):
        if torch.is_tensor(values):
            raise AssertionError("X was copied off its device")
        return original(values)

    original = base.to_numpy_container
    monkeypatch.setattr(base, "to_numpy_container", refuse)
    X_res, y_res = sampler.fit_resample(torch.from_numpy(X), torch.from_numpy(y))
    assert isinstance(X_res, torch.Tensor) and X_res.dtype == torch.float32
    np.testing.assert_array_equal(X_res.numpy(), expected[0])
    np.testing.assert_array_equal(y_res.numpy(), expected[1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("sampler", _samplers(), ids=lambda s: type(s).__name__)
def test_cuda_end_to_end_matches_cpu(sampler):
    X, y = _data()
    cpu = sampler.fit_resample(torch.from_numpy(X), torch.from_numpy(y))
    gpu = sampler.fit_resample(torch.from_numpy(X).cuda(), torch.from_numpy(y).cuda())
    assert gpu[0].device.type == "cuda"
    np.testing.assert_array_equal(gpu[1].cpu().numpy(), cpu[1].numpy())
    np.testing.assert_allclose(gpu[0].cpu().numpy(), cpu[0].numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_engine_equals_brute_force():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(1500, 6)).astype(np.float32)
    d, i = kneighbors(torch.from_numpy(X).cuda(), 5)
    assert i.device.type == "cuda"
    np.testing.assert_array_equal(i.cpu().numpy(), brute_force(X, 5)[1])
