import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors

from equipoise.exceptions import InvalidParameterError
from equipoise.neighbors import kneighbors


def _reference(X, k, query=None):
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X)
    return nn.kneighbors(None if query is None else query, n_neighbors=k)


@pytest.mark.parametrize("d", [3, 20, 80])
@pytest.mark.parametrize("method", ["auto", "sklearn", "torch"])
def test_matches_sklearn_brute_force(d, method):
    rng = np.random.default_rng(d)
    X = rng.normal(size=(400, d))
    dist, ind = kneighbors(X, 5, method=method)
    ref_d, ref_i = _reference(X, 5)
    np.testing.assert_array_equal(ind, ref_i)
    np.testing.assert_allclose(dist, ref_d, rtol=1e-10, atol=1e-10)
    Q = rng.normal(size=(17, d))
    dist, ind = kneighbors(X, 3, query=Q, method=method)
    ref_d, ref_i = _reference(X, 3, Q)
    np.testing.assert_array_equal(ind, ref_i)


def test_float32_kept_and_small_blocks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 70)).astype(np.float32)
    d_all, i_all = kneighbors(X, 4, method="torch")
    d_blk, i_blk = kneighbors(X, 4, method="torch", block_size=7)
    assert d_all.dtype == np.float32 and i_all.dtype == np.int64
    np.testing.assert_array_equal(i_all, i_blk)
    np.testing.assert_array_equal(i_all, _reference(X.astype(np.float64), 4)[1])


def test_torch_in_torch_out():
    X = torch.randn(100, 8, dtype=torch.float64)
    d, i = kneighbors(X, 3)
    assert isinstance(d, torch.Tensor) and d.device == X.device and i.dtype == torch.int64
    np.testing.assert_array_equal(i.numpy(), _reference(X.numpy(), 3)[1])


def test_sparse_input():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 5)) * (rng.random((60, 5)) > 0.5)
    d, i = kneighbors(sp.csr_matrix(X), 3)
    np.testing.assert_array_equal(i, kneighbors(X, 3)[1])


def test_ties_broken_by_smaller_index_on_every_backend():
    X = np.array([[0.0], [1.0], [-1.0], [1.0], [-1.0], [5.0]])
    for method in ("sklearn", "torch"):
        _, ind = kneighbors(X, 2, method=method)
        assert ind[0].tolist() == [1, 2], method  # four points at distance 1: lowest indices win
        _, ind = kneighbors(X, 1, method=method)
        assert ind[1].tolist() == [3], method  # exact duplicate of row 1


@settings(max_examples=25, deadline=None)
@given(n=st.integers(3, 40), d=st.integers(1, 6), k=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_integer_grid_ties_are_deterministic(n, d, k, seed):
    k = min(k, n - 1)
    X = np.random.default_rng(seed).integers(0, 3, size=(n, d)).astype(float)
    d1, i1 = kneighbors(X, k, method="sklearn")
    d2, i2 = kneighbors(X, k, method="torch")
    np.testing.assert_array_equal(i1, i2)
    # Reference: stable sort of the full distance row, self excluded.
    full = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(full, np.inf)
    expected = np.argsort(full, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(i1, expected)


def test_errors():
    X = np.zeros((4, 2))
    with pytest.raises(InvalidParameterError, match="more neighbours than there are candidates"):
        kneighbors(X, 4)
    with pytest.raises(InvalidParameterError, match="positive int"):
        kneighbors(X, 0)
    with pytest.raises(InvalidParameterError, match="method"):
        kneighbors(X, 1, method="ball")
