"""MultiLabelBalancedSampler: label draw frequencies, P(row), the epoch rule, shards."""

import numpy as np
import pytest
import torch

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.samplers import SAMPLERS, MultiLabelBalancedSampler, make_sampler

# disjoint labels: 600, 300, 100 rows, so each drawn row names its label
Y = np.zeros((1000, 3), dtype=np.int64)
Y[:600, 0] = 1
Y[600:900, 1] = 1
Y[900:, 2] = 1


@pytest.mark.parametrize(
    "q, expected",
    [
        (1.0, [1 / 3] * 3),
        (0.0, [0.6, 0.3, 0.1]),
        (0.5, np.sqrt([600, 300, 100]) / np.sqrt([600, 300, 100]).sum()),
    ],
)
def test_label_draw_frequencies(q, expected):
    sampler = MultiLabelBalancedSampler(Y, q=q, num_samples=60_000, seed=0)
    np.testing.assert_allclose(sampler.label_probabilities().numpy(), expected)
    drawn = sampler.sample_indices().numpy()
    freq = Y[drawn].mean(axis=0)
    np.testing.assert_allclose(freq, expected, atol=0.01)
    # rows are uniform within their label
    within = np.bincount(drawn[drawn >= 900] - 900, minlength=100)
    assert within.min() > 0.5 * within.mean()


def test_row_probability_with_overlapping_labels():
    # rows {a}, {a, b}, {b}, {b}: p_a = p_b = 1/2; P(row) = sum over its labels of p_l / n_l
    Ys = torch.tensor([[1, 0], [1, 1], [0, 1], [0, 1]])
    drawn = MultiLabelBalancedSampler(Ys, num_samples=80_000, seed=3).sample_indices().numpy()
    expected = [0.5 / 2, 0.5 / 2 + 0.5 / 3, 0.5 / 3, 0.5 / 3]
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 80_000, expected, atol=0.01)


def test_epoch_rule_and_determinism():
    a = MultiLabelBalancedSampler(Y, seed=5)
    b = MultiLabelBalancedSampler(Y, seed=5)
    first, second = list(a), list(a)
    assert first == list(b) and first != second and a.epoch == 2
    a.set_epoch(0)
    assert list(a) == first
    g = MultiLabelBalancedSampler(Y, generator=torch.Generator().manual_seed(1))
    h = MultiLabelBalancedSampler(Y, generator=torch.Generator().manual_seed(1))
    assert list(g) == list(h)
    assert SAMPLERS.get("multilabel-balanced") is MultiLabelBalancedSampler
    assert list(make_sampler("multilabel-balanced", Y, seed=5)) == first


def test_shards_are_disjoint_and_cover_the_global_draw():
    shards = [
        MultiLabelBalancedSampler(Y, num_samples=1001, seed=7, num_replicas=3, rank=r)
        for r in range(3)
    ]
    draws = [list(s) for s in shards]
    assert [len(d) for d in draws] == [len(s) for s in shards] == [334] * 3
    glob = shards[0].global_indices().numpy()
    assert len(glob) == 1002
    rebuilt = np.empty(1002, dtype=np.int64)
    for r, d in enumerate(draws):
        rebuilt[r::3] = d
    np.testing.assert_array_equal(rebuilt, glob)
    assert list(shards[0]) == draws[0]  # a sharded sampler stays at the epoch last set
    shards[0].set_epoch(1)
    assert list(shards[0]) != draws[0]


def test_clear_errors():
    with pytest.raises(
        InvalidParameterError, match="'seed' parameter of MultiLabelBalancedSampler"
    ):
        MultiLabelBalancedSampler(Y, num_replicas=2, rank=0)
    with pytest.raises(InvalidParameterError, match="'rank' is missing"):
        MultiLabelBalancedSampler(Y, num_replicas=2, seed=0)
    with pytest.raises(InvalidParameterError, match="'rank' parameter"):
        MultiLabelBalancedSampler(Y, num_replicas=2, rank=2, seed=0)
    with pytest.raises(InvalidParameterError, match="'q' parameter"):
        MultiLabelBalancedSampler(Y, q=float("nan"))
    with pytest.raises(InvalidInputError, match="single-label API"):
        MultiLabelBalancedSampler(Y[:, 0])
    with pytest.raises(InvalidParameterError, match="either 'seed' or 'generator'"):
        MultiLabelBalancedSampler(Y, seed=1, generator=torch.Generator())
