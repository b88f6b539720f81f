"""ML-ROS, ML-RUS, MLSMOTE and REMEDIAL: worked cases, the papers' stated properties (MeanIR goes
down, originals kept, synthetic rows on segments between a seed row and one of its k nearest
same-label neighbours), containers and clear errors."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.neighbors import NearestNeighbors

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.profile import profile
from equipoise.resample import MLROS, MLRUS, MLSMOTE, REMEDIAL, RESAMPLERS, make_resampler

rng0 = np.random.default_rng(0)
X = rng0.normal(size=(300, 4))
Y = (rng0.random((300, 5)) < [0.6, 0.3, 0.1, 0.05, 0.03]).astype(np.int64)


def build(name, **params):
    params.setdefault("random_state", 0)
    return make_resampler(name, **params) if name != "remedial" else make_resampler(name)


def test_registered():
    assert {n: RESAMPLERS.get(n) for n in ("ml-ros", "ml-rus", "mlsmote", "remedial")} == {
        "ml-ros": MLROS,
        "ml-rus": MLRUS,
        "mlsmote": MLSMOTE,
        "remedial": REMEDIAL,
    }


def test_mlros_worked_case():
    # counts a=8, b=2: IRLbl (1, 4), MeanIR 2.5; b's bag closes after c clones with (8+c)/(2+c) <= 2.5: c = 2
    Xs = np.arange(16.0).reshape(8, 2)
    Ys = np.array([[1, 0]] * 6 + [[1, 1]] * 2)
    sampler = MLROS(percentage=50, random_state=0)
    X_res, Y_res = sampler.fit_resample(Xs, Ys)
    assert X_res.shape == (10, 2) and Y_res.tolist() == Ys.tolist() + [[1, 1], [1, 1]]
    np.testing.assert_array_equal(sampler.sample_indices_[:8], np.arange(8))
    assert set(sampler.sample_indices_[8:]) <= {6, 7}
    np.testing.assert_array_equal(X_res, Xs[sampler.sample_indices_])
    # the clone budget bounds it: 10% of 8 rows is 0 clones
    assert MLROS(percentage=10, random_state=0).fit_resample(Xs, Ys)[0].shape == (8, 2)


def test_mlrus_worked_case():
    # counts a=6, b=2: IRLbl (1, 3), MeanIR 2: a's bag closes when its IRLbl reaches 2, i.e. one a row left
    Xs = np.arange(16.0).reshape(8, 2)
    Ys = np.array([[1, 0]] * 6 + [[0, 1]] * 2)
    X_res, Y_res = MLRUS(percentage=25, random_state=0).fit_resample(Xs, Ys)
    assert Y_res.sum(axis=0).tolist() == [4, 2]  # 25% of 8 rows: 2 deleted, both from a's bag
    sampler = MLRUS(percentage=99, random_state=0)
    X_res, Y_res = sampler.fit_resample(Xs, Ys)
    assert Y_res.sum(axis=0).tolist() == [1, 2]
    np.testing.assert_array_equal(X_res, Xs[sampler.sample_indices_])
    assert list(sampler.sample_indices_) == sorted(sampler.sample_indices_)


def test_remedial_worked_case():
    # IRLbl (1, 4), MeanIR 2.5; SCUMBLE of an {a, b} row = 1 - sqrt(1 * 4) / 2.5 = 0.2 > mean 0.05
    Xs = np.arange(16.0).reshape(8, 2)
    Ys = np.array([[1, 0]] * 6 + [[1, 1]] * 2)
    sampler = REMEDIAL()
    X_res, Y_res = sampler.fit_resample(Xs, Ys)
    assert Y_res.tolist() == [[1, 0]] * 8 + [[0, 1]] * 2
    np.testing.assert_array_equal(sampler.sample_indices_, [0, 1, 2, 3, 4, 5, 6, 7, 6, 7])
    np.testing.assert_array_equal(X_res, Xs[sampler.sample_indices_])
    assert profile(Ys).scumble == pytest.approx(0.05) and profile(Y_res).scumble == 0.0
    assert sampler.n_decoupled_ == 2


def test_remedial_lowers_scumble_and_keeps_label_counts():
    X_res, Y_res = REMEDIAL().fit_resample(X, Y)
    assert profile(Y_res).scumble < profile(Y).scumble
    np.testing.assert_array_equal(Y_res.sum(axis=0), Y.sum(axis=0))


@pytest.mark.parametrize("name", ["ml-ros", "mlsmote"])
def test_over_samplers_lower_mean_ir_and_keep_originals(name):
    sampler = build(name)
    X_res, Y_res = sampler.fit_resample(X, Y)
    assert profile(Y_res).mean_ir < profile(Y).mean_ir
    np.testing.assert_array_equal(X_res[:300], X)
    np.testing.assert_array_equal(Y_res[:300], Y)
    X_again, Y_again = build(name).fit_resample(X, Y)
    np.testing.assert_array_equal(X_again, X_res)
    np.testing.assert_array_equal(Y_again, Y_res)
    assert not np.array_equal(build(name, random_state=1).fit_resample(X, Y)[0], X_res)


def test_mlrus_lowers_mean_ir_on_single_label_like_data():
    Ys = np.zeros((100, 3), int)
    Ys[:70, 0] = 1
    Ys[70:90, 1] = 1
    Ys[90:, 2] = 1
    _, Y_res = MLRUS(percentage=30, random_state=0).fit_resample(np.zeros((100, 1)), Ys)
    assert profile(Y_res).mean_ir < profile(Ys).mean_ir and len(Y_res) == 70


def test_mlsmote_rows_lie_on_segments_to_same_label_neighbours():
    sampler = MLSMOTE(k_neighbors=3, random_state=0)
    X_res, Y_res = sampler.fit_resample(X, Y)
    rm = sampler._row_map_
    n_new = sampler.n_synthetic_
    assert n_new == len(rm.sources) == X_res.shape[0] - 300 > 0
    np.testing.assert_allclose(
        X_res[300:], X[rm.sources] + rm.gaps[:, None] * (X[rm.partners] - X[rm.sources])
    )
    assert ((rm.gaps >= 0) & (rm.gaps < 1)).all()
    p = profile(Y)
    minority = [j for j in range(5) if p.irlbl[j] > p.mean_ir]
    tables = {}
    for j in minority:
        bag = np.flatnonzero(Y[:, j])
        nn = (
            NearestNeighbors(n_neighbors=4)
            .fit(X[bag])
            .kneighbors(X[bag], return_distance=False)[:, 1:]
        )
        tables[j] = {int(bag[i]): set(bag[nn[i]].tolist()) for i in range(len(bag))}
    # each (seed, partner) pair: the partner is one of the seed's 3 nearest rows sharing a minority label
    assert all(
        any(int(t) in tables[j].get(int(s), ()) for j in minority)
        for s, t in zip(rm.sources, rm.partners)
    )
    # every synthetic row has its seed's minority label (ranking: all k + 1 rows have it)
    seeds_labels = Y_res[300:]
    assert seeds_labels[:, minority].sum() > 0
    # resample_like interpolates any row-aligned array the same way
    np.testing.assert_allclose(sampler.resample_like(X[:, 0], synthetic="interpolate"), X_res[:, 0])


def test_mlsmote_label_generation_worked_case():
    # a: 8 rows; b: 3 rows {b}, {a, b}, {a, b} (minority: IRLbl 8/3 > MeanIR 11/6); k = 2: every
    # seed sees the whole bag: votes a = 2, b = 3 of k + 1 = 3 rows
    Xs = np.r_[np.arange(6.0), [10.0, 11.0, 12.0]].reshape(-1, 1)
    Ys = np.array([[1, 0]] * 6 + [[0, 1], [1, 1], [1, 1]])
    expect = {"ranking": [1, 1], "union": [1, 1], "intersection": [0, 1]}
    for rule, row in expect.items():
        _, Y_res = MLSMOTE(k_neighbors=2, label_generation=rule, random_state=0).fit_resample(
            Xs, Ys
        )
        assert Y_res[9:].tolist() == [row] * 3, rule


@pytest.mark.parametrize("name", ["ml-ros", "ml-rus", "mlsmote", "remedial"])
def test_same_container_out_as_in(name):
    frame_X = pd.DataFrame(X[:120], columns=list("pqrs"), index=np.arange(1000, 1120))
    frame_Y = pd.DataFrame(Y[:120].astype(bool), columns=list("abcde"), index=frame_X.index)
    X_df, Y_df = build(name).fit_resample(frame_X, frame_Y)
    X_np, Y_np = build(name).fit_resample(X[:120], Y[:120])
    assert list(Y_df.columns) == list("abcde") and all(t == np.dtype(bool) for t in Y_df.dtypes)
    assert Y_df.index.equals(X_df.index) and list(X_df.columns) == list("pqrs")
    np.testing.assert_allclose(X_df.to_numpy(), X_np)
    np.testing.assert_array_equal(Y_df.to_numpy(), Y_np)
    X_t, Y_t = build(name).fit_resample(
        torch.tensor(X[:120], dtype=torch.float32), torch.tensor(Y[:120])
    )
    assert X_t.dtype == torch.float32 and Y_t.dtype == torch.int64 and Y_t.shape == Y_np.shape
    _, Y_sp = build(name).fit_resample(X[:120], sp.csr_matrix(Y[:120]))
    assert sp.issparse(Y_sp) and (Y_sp.toarray() == Y_np).all()


@pytest.mark.filterwarnings("ignore:MLROS. 2 label")
def test_clear_errors():
    with pytest.raises(InvalidInputError, match="single-label API"):
        MLROS().fit_resample(X, Y[:, 0])
    with pytest.raises(InvalidInputError, match="requires y to be passed"):
        MLSMOTE().fit_resample(X, None)
    with pytest.raises(InvalidInputError, match="not a 0/1 indicator"):
        MLROS().fit_resample(X[:2], [[2, 0], [0, 1]])
    with pytest.raises(InvalidInputError, match="inconsistent|same number|samples"):
        MLROS().fit_resample(X[:10], Y[:9])
    with pytest.raises(InvalidParameterError, match="'percentage' parameter of MLRUS"):
        MLRUS(percentage=100).fit_resample(X, Y)
    with pytest.raises(InvalidParameterError, match="'label_generation' parameter of MLSMOTE"):
        MLSMOTE(label_generation="vote").fit_resample(X, Y)
