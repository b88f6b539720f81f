"""equipoise.dask: exact totals, reproducibility, laziness, and a real 2-process LocalCluster."""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")

from equipoise import profile  # noqa: E402
from equipoise.dask import SMOTE, RandomOverSampler, RandomUnderSampler  # noqa: E402
from equipoise.neighbors import kneighbors  # noqa: E402

SAMPLERS = [RandomUnderSampler, RandomOverSampler, SMOTE]


def _frame(n=6000, minority=(0.04, 0.01), seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)).astype(np.float32), columns=["a", "b", "c"])
    df["count"] = rng.integers(0, 10, size=n)
    u = rng.random(n)
    df["target"] = np.where(u < minority[1], "rare", np.where(u < sum(minority), "some", "many"))
    return df


@pytest.fixture(scope="module")
def frames():
    df = _frame()
    ddf = dd.from_pandas(df, npartitions=6)
    return df, ddf.drop(columns="target"), ddf["target"]


def _expected_totals(sampler, counts):
    if sampler._sampling_type == "under-sampling":
        return {c: sampler.sampling_strategy_.get(c, n) for c, n in counts.items()}
    return {c: n + sampler.sampling_strategy_.get(c, 0) for c, n in counts.items()}


@pytest.mark.parametrize("cls", SAMPLERS)
@pytest.mark.parametrize("strategy", ["auto", "not majority", "all"])
def test_totals_match_strategy_exactly(frames, cls, strategy):
    df, X, y = frames
    if cls is RandomUnderSampler and strategy == "not majority":
        strategy = "majority"
    sampler = cls(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    with dask.config.set(scheduler="synchronous"):
        X_c, y_c = dask.compute(X_res, y_res)
    counts = df["target"].value_counts().to_dict()
    assert sampler.class_counts_ == counts
    assert y_c.value_counts().to_dict() == _expected_totals(sampler, counts)
    assert len(X_c) == len(y_c)
    assert list(X_c.columns) == ["a", "b", "c", "count"]
    assert X_c.dtypes.tolist() == df.drop(columns="target").dtypes.tolist()


def test_dict_strategy_exact_and_rows_are_real(frames):
    df, X, y = frames
    sampler = RandomUnderSampler(sampling_strategy={"many": 500, "some": 100}, random_state=3)
    X_c, y_c = dask.compute(*sampler.fit_resample(X, y), scheduler="synchronous")
    assert y_c.value_counts().to_dict() == {
        "many": 500,
        "some": 100,
        "rare": int((df.target == "rare").sum()),
    }
    # every kept row is an original row with its own label (index labels are kept)
    original = df.loc[X_c.index]
    np.testing.assert_array_equal(original.drop(columns="target").to_numpy(), X_c.to_numpy())
    np.testing.assert_array_equal(original["target"].to_numpy(), y_c.to_numpy())
    assert X_c.index.is_unique


@pytest.mark.parametrize("cls", SAMPLERS)
def test_same_seed_same_result_different_seed_different(frames, cls):
    _, X, y = frames
    first = dask.compute(*cls(random_state=1).fit_resample(X, y), scheduler="synchronous")
    second = dask.compute(*cls(random_state=1).fit_resample(X, y), scheduler="synchronous")
    other = dask.compute(*cls(random_state=2).fit_resample(X, y), scheduler="synchronous")
    pd.testing.assert_frame_equal(first[0], second[0])
    assert not first[0].reset_index(drop=True).equals(other[0].reset_index(drop=True))


def test_smote_rows_on_segments_between_class_neighbours(frames):
    df, X, y = frames
    X_c, y_c = dask.compute(
        *SMOTE(random_state=0, k_neighbors=3).fit_resample(X[["a", "b", "c"]], y),
        scheduler="synchronous",
    )
    n = len(df)
    originals = X_c.iloc[:n].to_numpy()
    np.testing.assert_array_equal(originals, df[["a", "b", "c"]].to_numpy())
    for label in ("rare", "some"):
        class_X = df.loc[df.target == label, ["a", "b", "c"]].to_numpy(np.float64)
        _, nn = kneighbors(class_X, 3)
        new = X_c.iloc[n:][(y_c.iloc[n:] == label).to_numpy()].to_numpy(np.float64)
        assert len(new) > 0
        # each synthetic row lies on a segment from some class row to one of its neighbours
        for row in new[:50]:
            ok = False
            for i in range(len(class_X)):
                for j in nn[i]:
                    d = class_X[j] - class_X[i]
                    t = np.dot(row - class_X[i], d) / np.dot(d, d)
                    if -1e-5 <= t <= 1 + 1e-5 and np.allclose(class_X[i] + t * d, row, atol=1e-4):
                        ok = True
                        break
                if ok:
                    break
            assert ok


def test_arrays_in_arrays_out_with_known_chunks():
    df = _frame(n=3000)
    Xa = da.from_array(df[["a", "b", "c"]].to_numpy(), chunks=(700, 2))
    ya = da.from_array(df["target"].map({"many": 0, "some": 1, "rare": 2}).to_numpy(), chunks=700)
    for cls in SAMPLERS:
        X_res, y_res = cls(random_state=0).fit_resample(Xa, ya)
        assert isinstance(X_res, da.Array) and not np.isnan(X_res.shape[0])
        X_c, y_c = dask.compute(X_res, y_res, scheduler="synchronous")
        assert X_c.dtype == np.float32 and X_c.shape[0] == len(y_c) == X_res.shape[0]
        assert len(set(np.bincount(y_c))) == 1


def test_lazy_until_computed(frames):
    _, X, y = frames
    X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
    assert type(X_res).__module__.startswith("dask") and type(y_res).__module__.startswith("dask")


def test_profile_on_dask(frames):
    df, _, y = frames
    assert profile(y).counts == profile(df["target"]).counts
    ya = da.from_array(np.repeat([0, 1], [90, 10]), chunks=25)
    assert profile(ya).counts == {0: 90, 1: 10}


def test_clear_errors(frames):
    df, X, y = frames
    with pytest.raises(ValueError, match="different partitionings"):
        RandomUnderSampler().fit_resample(X, dd.from_pandas(df["target"], npartitions=3))
    with pytest.raises(ValueError, match="takes a dask"):
        RandomUnderSampler().fit_resample(df.drop(columns="target"), y)
    with pytest.raises(ValueError, match="must hold the classes it over-samples in memory"):
        SMOTE(max_minority_bytes=100).fit_resample(X, y)
    bad = df.copy()
    bad.loc[5, "a"] = np.nan
    bdd = dd.from_pandas(bad, npartitions=4)
    with pytest.raises(ValueError, match="NaN"):
        SMOTE().fit_resample(bdd.drop(columns="target"), bdd["target"])
    one = dd.from_pandas(pd.DataFrame({"a": [1.0, 2.0], "t": [0, 0]}), npartitions=1)
    with pytest.raises(ValueError, match="at least 2 classes"):
        RandomUnderSampler().fit_resample(one[["a"]], one["t"])
    with pytest.raises(ValueError, match="k_neighbors"):
        SMOTE(k_neighbors=500).fit_resample(X, y)


def test_local_cluster_with_two_worker_processes(frames):
    distributed = pytest.importorskip("distributed")
    df, X, y = frames
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        results = {}
        for cls in SAMPLERS:
            X_res, y_res = cls(random_state=0).fit_resample(X, y)
            results[cls] = client.compute([X_res, y_res], sync=True)
    for cls, (X_c, y_c) in results.items():
        local = dask.compute(*cls(random_state=0).fit_resample(X, y), scheduler="synchronous")
        pd.testing.assert_frame_equal(X_c, local[0])  # same partitioning, same seed, same rows
        pd.testing.assert_series_equal(y_c, local[1])


def test_each_partition_is_computed_once_per_pass():
    calls = []

    def make_part(i):
        calls.append(i)
        rng = np.random.default_rng(i)
        return pd.DataFrame(
            {"a": rng.normal(size=100), "t": (np.arange(100) < 10).astype(int)},
            index=pd.RangeIndex(i * 100, (i + 1) * 100),
        )

    ddf = dd.from_map(make_part, range(4))
    calls.clear()  # from_map computes one partition to infer the schema
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(ddf[["a"]], ddf["t"])
    with dask.config.set(scheduler="synchronous"):
        assert len(calls) == 4  # the counting pass reads each partition once for X and y together
        calls.clear()
        dask.compute(X_res, y_res)
    assert len(calls) == 4


def test_smote_output_rejoins_on_index(frames):
    df, X, y = frames
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    joined = X_res.assign(target=y_res).compute(scheduler="synchronous")
    assert joined.index.is_unique and len(joined) == len(X_res.compute(scheduler="synchronous"))


def test_smote_search_runs_in_tasks_not_on_the_driver(frames, monkeypatch):
    import threading

    import equipoise.dask._samplers as samplers

    calls = []

    def spy(*args, **kwargs):
        calls.append(threading.current_thread().name)
        return kneighbors(*args, **kwargs)

    monkeypatch.setattr(samplers, "kneighbors", spy)
    monkeypatch.setattr(samplers, "_SEARCH_BLOCK_ROWS", 100)  # several blocks per class
    _, X, y = frames
    X_res, y_res = SMOTE(random_state=0).fit_resample(X[["a", "b", "c"]], y)
    assert calls == []  # fit_resample only builds the graph
    y_only = y_res.compute(scheduler="synchronous")
    assert calls == []  # the labels of synthetic rows need no search
    X_c = X_res.compute(scheduler="threads")
    assert len(calls) >= 3 and threading.main_thread().name not in calls  # on the workers
    expected = (
        SMOTE(random_state=0)
        .fit_resample(X[["a", "b", "c"]], y)[0]
        .compute(scheduler="synchronous")
    )
    pd.testing.assert_frame_equal(X_c, expected)
    assert len(y_only) == len(X_c)
