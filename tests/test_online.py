"""Tests for equipoise.online.ResampledDataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.neighbors import NearestNeighbors
from torch.utils.data import DataLoader, Dataset, TensorDataset

from equipoise.exceptions import InvalidInputError, InvalidParameterError, UnknownNameError
from equipoise.online import ONLINE_RESAMPLERS, ResampledDataset


def _data(n_major=200, n_minor=(20, 10), d=3, seed=0):
    rng = np.random.default_rng(seed)
    sizes = (n_major, *n_minor)
    X = np.concatenate([rng.normal(3 * c, 1.0, size=(n, d)) for c, n in enumerate(sizes)])
    y = np.repeat(np.arange(len(sizes)), sizes)
    return X, y


def _counts(ds: ResampledDataset) -> np.ndarray:
    ys = [int(ds[i][1]) for i in range(len(ds))]
    return np.bincount(ys)


@pytest.mark.parametrize(
    ("name", "reference", "strategy"),
    [
        ("smote", SMOTE(k_neighbors=3), "auto"),
        ("smote", SMOTE(k_neighbors=3, sampling_strategy={1: 100, 2: 50}), {1: 100, 2: 50}),
        ("over", RandomOverSampler(), "auto"),
        ("under", RandomUnderSampler(), "auto"),
        ("under", RandomUnderSampler(sampling_strategy={0: 50}), {0: 50}),
    ],
)
def test_class_counts_match_imbalanced_learn(name, reference, strategy):
    X, y = _data()
    ds = ResampledDataset(
        (torch.tensor(X), torch.tensor(y)), name, sampling_strategy=strategy, k_neighbors=3, seed=0
    )
    _, y_ref = reference.fit_resample(X, y)
    assert len(ds) == len(y_ref)
    np.testing.assert_array_equal(_counts(ds), np.bincount(y_ref))


def test_float_strategy_binary():
    X, y = _data(n_minor=(20,))
    ds = ResampledDataset((X, y), "smote", sampling_strategy=0.5, seed=0)
    _, y_ref = SMOTE(sampling_strategy=0.5).fit_resample(X, y)
    np.testing.assert_array_equal(_counts(ds), np.bincount(y_ref))


def test_originals_kept_and_synthetic_points_on_segments_to_same_class_neighbours():
    X, y = _data()
    k = 4
    ds = ResampledDataset((torch.tensor(X), torch.tensor(y)), "smote", k_neighbors=k, seed=1)
    n = len(y)
    for i in range(n):  # the first n items are the original rows, untouched
        x, label = ds[i]
        assert torch.equal(x, torch.tensor(X[i])) and int(label) == y[i]
    source = ds.sample_indices_
    assert ds.n_synthetic_ == len(ds) - n
    for i in range(n, len(ds)):
        x, label = ds[i]
        base = int(source[i])
        assert int(label) == y[base]
        same = np.flatnonzero(y == y[base])
        nn = NearestNeighbors(n_neighbors=k + 1).fit(X[same])
        _, idx = nn.kneighbors(X[base : base + 1])
        neighbours = set(same[idx[0]].tolist()) - {base}
        # x = x_b + u (x_nn - x_b) for one neighbour and one u in [0, 1]
        diff = x.numpy() - X[base]
        ok = False
        for j in neighbours:
            step = X[j] - X[base]
            u = diff @ step / (step @ step)
            if 0 <= u <= 1 and np.allclose(diff, u * step, atol=1e-10):
                ok = True
        assert ok


def test_same_epoch_same_plan_new_epoch_new_plan():
    X, y = _data()
    a = ResampledDataset((X, y), "smote", seed=3)
    b = ResampledDataset((X, y), "smote", seed=3)
    last = len(a) - 1
    np.testing.assert_array_equal(a[last][0], b[last][0])
    first_plan = a.sample_indices_.copy()
    first_item = a[last][0]
    a.set_epoch(1)
    assert len(a) == len(b)
    assert not np.array_equal(a.sample_indices_, first_plan)
    a.set_epoch(0)
    np.testing.assert_array_equal(a.sample_indices_, first_plan)
    np.testing.assert_array_equal(a[last][0], first_item)
    assert isinstance(first_item, np.ndarray)  # numpy in, numpy out


def test_under_sampling_keeps_distinct_rows():
    X, y = _data()
    ds = ResampledDataset((X, y), "under", seed=0)
    rows = ds.sample_indices_
    assert len(set(rows.tolist())) == len(rows) == 30
    np.testing.assert_array_equal(np.bincount(y[rows]), [10, 10, 10])


def test_images_keep_shape_and_dtype():
    rng = np.random.default_rng(0)
    images = torch.tensor(rng.integers(0, 256, size=(60, 3, 8, 8)), dtype=torch.uint8)
    labels = torch.tensor([0] * 50 + [1] * 10)
    ds = ResampledDataset(TensorDataset(images, labels), "smote", k_neighbors=3, seed=0)
    assert len(ds) == 100
    x, label = ds[99]
    base = images[int(ds.sample_indices_[99])]
    assert x.shape == (3, 8, 8) and x.dtype == torch.uint8 and int(label) == 1
    assert (x.int() - base.int()).abs().max() <= 255
    loader = DataLoader(ds, batch_size=25, shuffle=True, generator=torch.Generator().manual_seed(0))
    batch_x, batch_y = next(iter(loader))
    assert batch_x.shape == (25, 3, 8, 8) and batch_x.dtype == torch.uint8


class _DictFreeDataset(Dataset):
    """A map-style dataset without .targets: labels are read by one pass."""

    def __init__(self, X, y):
        self.X, self.y = torch.tensor(X, dtype=torch.float32), y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], int(self.y[i]), f"row{i}"


def test_generic_dataset_feature_fn_and_extra_fields():
    X, y = _data()
    calls = []

    def first_feature(x):
        calls.append(1)
        return x[:1]  # neighbours by the first feature only

    ds = ResampledDataset(
        _DictFreeDataset(X, y), "smote", k_neighbors=3, feature_fn=first_feature, seed=0
    )
    assert len(calls) == 30  # one call per row of the over-sampled classes
    table = ds.neighbors_
    minority = np.flatnonzero(y == 2)
    offset = 20  # class 1's 20 rows come first in the table
    for j, row in enumerate(minority):
        expected = (
            NearestNeighbors(n_neighbors=4)
            .fit(X[minority, :1])
            .kneighbors(X[row : row + 1, :1])[1][0]
        )
        assert set(table[offset + j].tolist()) == set(minority[expected].tolist()) - {row}
    x, label, tag = ds[len(ds) - 1]
    assert x.dtype == torch.float32 and label == 2 and tag.startswith("row")


def test_targets_attribute_is_used():
    X, y = _data()

    class WithTargets(_DictFreeDataset):
        @property
        def targets(self):
            return self.y

    ds = ResampledDataset(WithTargets(X, y), "over", seed=0)
    np.testing.assert_array_equal(np.bincount(y[ds.sample_indices_]), [200, 200, 200])


def test_extra_memory_is_small_compared_with_materialised_smote():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2100, 32))
    y = np.array([0] * 2000 + [1] * 100)  # 1:20
    ds = ResampledDataset((X, y), "smote", seed=0)
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    assert len(ds) == len(y_res)
    assert ds.extra_nbytes() * 5 <= X_res.nbytes + y_res.nbytes


def test_registry_names():
    assert set(ONLINE_RESAMPLERS.names()) == {"over", "under", "smote"}


def test_errors():
    X, y = _data()
    with pytest.raises(UnknownNameError, match="unknown online resampler 'smot'"):
        ResampledDataset((X, y), "smot")
    with pytest.raises(
        InvalidInputError, match="'k_neighbors' parameter of ResampledDataset .* Class 2 has 10"
    ):
        ResampledDataset((X, y), "smote", k_neighbors=10)
    with pytest.raises(
        InvalidParameterError, match="'k_neighbors' parameter .* positive int; got 0"
    ):
        ResampledDataset((X, y), "smote", k_neighbors=0)
    with pytest.raises(InvalidInputError, match="different lengths"):
        ResampledDataset((X, y[:-1]), "over")
    with pytest.raises(
        InvalidInputError, match="labels passed to ResampledDataset have 229 entries"
    ):
        ResampledDataset(TensorDataset(torch.tensor(X)), "over", labels=y[:-1])
    with pytest.raises(InvalidParameterError, match="over-sampler and cannot remove samples"):
        ResampledDataset((X, y), "over", sampling_strategy={1: 5})
    with pytest.raises(InvalidParameterError, match="'feature_fn'"):
        ResampledDataset((X, y), "smote", feature_fn=3)
    ds = ResampledDataset((X, y), "over", seed=0)
    with pytest.raises(IndexError):
        ds[len(ds)]
    with pytest.raises(InvalidParameterError, match="set_epoch"):
        ds.set_epoch(-2)
