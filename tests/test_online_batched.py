"""Batched fetching (``__getitems__``) of ResampledDataset and BatchedTensorDataset: the same
items, and the same collated batches, as fetching item by item."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset, default_collate

from equipoise.exceptions import InvalidInputError
from equipoise.online import BatchedTensorDataset, ResampledDataset
from equipoise.samplers import BalancedBatchSampler, ClassBalancedSampler


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 4)).astype(np.float32)
    y = np.repeat([0, 1, 2], [200, 70, 30])
    return X, y


def _same(a, b):
    """Equal values, dtypes and shapes, nested (tuples of an item may be tuple subclasses)."""
    assert isinstance(b, type(a)), (type(a), type(b))
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    elif torch.is_tensor(a):
        assert a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    else:
        assert np.asarray(a).dtype == np.asarray(b).dtype and np.array_equal(a, b)


class _ItemDataset(Dataset):
    """A dataset without known columns (items built in __getitem__), with an extra field."""

    def __init__(self, X, y):
        self.X, self.y = torch.from_numpy(X), y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i] * 2, int(self.y[i]), f"row{i}"


def _datasets():
    X, y = _data()
    images = torch.tensor(
        np.random.default_rng(1).integers(0, 256, (300, 3, 2, 2)), dtype=torch.uint8
    )
    return {
        "numpy pair": (X, y),
        "tensor pair": (torch.from_numpy(X), torch.from_numpy(y)),
        "float64 pair": (X.astype(np.float64), y),
        "TensorDataset": TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
        "BatchedTensorDataset": BatchedTensorDataset(X, y),
        "uint8 images": TensorDataset(images, torch.from_numpy(y)),
        "generic": _ItemDataset(X, y),
    }


@pytest.mark.parametrize("kind", list(_datasets()))
@pytest.mark.parametrize("sampler", ["smote", "over", "under"])
def test_getitems_equals_item_by_item(kind, sampler):
    data = _datasets()[kind]
    ds = ResampledDataset(data, sampler, labels=_data()[1], seed=3, k_neighbors=3)
    rng = np.random.default_rng(0)
    for epoch in (0, 1):
        ds.set_epoch(epoch)
        idx = rng.integers(-len(ds), len(ds), size=257).tolist()
        idx += list(range(len(ds) - 5, len(ds)))  # synthetic items sit at the end
        one_by_one = [ds[i] for i in idx]
        batched = ds.__getitems__(idx)
        _same(one_by_one, list(batched))
        _same(default_collate(one_by_one), default_collate(batched))


def test_dataloader_batches_equal_item_by_item_and_stay_o_n():
    X, y = _data()

    class ItemByItem(Dataset):
        def __init__(self, ds):
            self.ds = ds

        def __len__(self):
            return len(self.ds)

        def __getitem__(self, i):
            return self.ds[i]

    ds = ResampledDataset(
        (torch.from_numpy(X), torch.from_numpy(y)), "smote", k_neighbors=3, seed=0
    )
    fast = DataLoader(ds, batch_size=64, sampler=ds.epoch_sampler())
    held = ds.extra_nbytes()
    for epoch in range(2):
        batches = list(fast)
        ds.set_epoch(epoch)
        slow = list(DataLoader(ItemByItem(ds), batch_size=64, sampler=list(ds.epoch_sampler())))
        assert ds.epoch == epoch
        _same(slow, batches)
    assert ds.extra_nbytes() == held  # batched reads keep nothing: memory stays the O(n) plan


def test_batched_fetch_errors_and_odd_indices():
    X, y = _data()
    ds = ResampledDataset((X, y), "smote", k_neighbors=3, seed=0)
    with pytest.raises(IndexError, match="out of range"):
        ds.__getitems__([0, len(ds)])
    _same([ds[1], ds[2]], list(ds.__getitems__([torch.tensor(1), np.int64(2)])))
    assert list(ds.__getitems__([])) == []


def test_batched_tensor_dataset_items_samplers_and_workers():
    X, y = _data()
    ds = BatchedTensorDataset(X, y)
    reference = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    assert len(ds) == 300 and ds.tensors[0].data_ptr() == torch.from_numpy(X).data_ptr()  # no copy
    _same(reference[7], ds[7])
    for make in (
        lambda: {"sampler": ClassBalancedSampler(y, seed=0), "batch_size": 64},
        lambda: {"batch_sampler": BalancedBatchSampler(y, 30, seed=0)},
    ):
        _same(list(DataLoader(reference, **make())), list(DataLoader(ds, **make())))
    # a worker process collates into shared memory; the batches are the same
    with_worker = list(DataLoader(ds, batch_size=100, num_workers=1))
    _same(list(DataLoader(reference, batch_size=100)), with_worker)
    readonly = X.copy()
    readonly.flags.writeable = False
    _same(ds[3], BatchedTensorDataset(readonly, y)[3])


def test_batched_tensor_dataset_errors():
    with pytest.raises(InvalidInputError, match="at least one"):
        BatchedTensorDataset()
    with pytest.raises(InvalidInputError, match="same number of rows"):
        BatchedTensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(InvalidInputError, match="first \\(row\\) dimension"):
        BatchedTensorDataset(torch.tensor(1.0))
    with pytest.raises(InvalidInputError, match="numeric arrays"):
        BatchedTensorDataset(np.array(["a", "b"], dtype=object))
