"""SMOTENC: its own suite (its constructor needs categorical columns)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import SMOTENC, make_resampler


def _frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], [n * 2 // 3, n // 5, n - n * 2 // 3 - n // 5])
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n).astype(np.float32),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])),
            "x2": rng.normal(size=n) + y,
            "shape": pd.Series(rng.choice(["round", "square"], n), dtype=object),
            "count": rng.integers(0, 5, n),
        }
    )
    return frame, y


FRAME, Y = _frame()
CAT = ["colour", "shape"]


@parametrize_with_checks([SMOTENC(categorical_features=[0], random_state=0)])
def test_imbalanced_learn_checks(estimator, check):
    check(estimator)


def _distance_space(cont, cat, median_std):
    one_hot = OneHotEncoder(sparse_output=False).fit_transform(cat)
    return np.hstack([cont, one_hot * median_std / np.sqrt(2)])


def test_rows_follow_the_smotenc_rule():
    """Continuous part on a segment to one of the k neighbours (SMOTE-NC distance, computed here
    with scikit-learn); categorical values the most frequent among that base row's neighbours."""
    k = 5
    frame = FRAME.drop(
        columns="count"
    )  # an integer column is rounded on output: not on the segment
    sampler = SMOTENC(categorical_features=CAT, random_state=4)
    X_res, y_res = sampler.fit_resample(frame, Y)
    n = len(Y)
    cont_cols, cat_cols = ["x1", "x2"], CAT
    for label in (1, 2):
        members = frame[Y == label]
        cont = members[cont_cols].to_numpy(dtype=np.float64)
        cat = members[cat_cols].astype(str).to_numpy()
        median_std = np.median(cont.std(axis=0))
        assert sampler.median_std_[label] == pytest.approx(median_std)
        nn = NearestNeighbors(n_neighbors=k + 1).fit(_distance_space(cont, cat, median_std))
        idx = nn.kneighbors(return_distance=False, n_neighbors=k)
        new = X_res.iloc[n:][y_res[n:] == label]
        new_cont = new[cont_cols].to_numpy(dtype=np.float64)
        new_cat = new[cat_cols].astype(str).to_numpy()
        for s_cont, s_cat in zip(new_cont, new_cat):
            ok = False
            for i in range(len(members)):
                for j in idx[i]:
                    d = cont[j] - cont[i]
                    u = (s_cont[1] - cont[i, 1]) / d[
                        1
                    ]  # from x2 (float64); x1 is stored as float32
                    on_segment = abs(cont[i, 0] + u * d[0] - s_cont[0]) <= 1e-5
                    if on_segment and -1e-9 <= u <= 1 + 1e-9 and _is_mode(cat[idx[i]], s_cat):
                        ok = True
                        break
                if ok:
                    break
            assert ok, (s_cont, s_cat)


def _is_mode(neighbour_values, chosen):
    for column, value in enumerate(chosen):
        counts = Counter(neighbour_values[:, column])
        if counts[value] != max(counts.values()):
            return False
    return True


def test_vote_worked_example():
    # Class 1: five rows; row 0 sits in the middle, its four neighbours are 3 x 'b' and 1 x 'a'.
    X = np.array(
        [[0.0, "a"], [1.0, "b"], [-1.0, "b"], [1.1, "b"], [-1.1, "a"]]
        + [[50.0 + i, "z"] for i in range(6)],
        dtype=object,
    )
    y = np.array([1] * 5 + [0] * 6)
    sampler = SMOTENC(categorical_features=[1], k_neighbors=4, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.dtype == object and (y_res[11:] == 1).all()
    # Every row's 4 neighbours are the 4 other rows of the class; the vote for a base row that is
    # 'b' sees 2 'b' and 2 'a' (tie) and for an 'a' row 3 'b' and 1 'a' ('b' wins).
    assert set(X_res[11:, 1]) <= {"a", "b"}
    values = [float(v) for v in X_res[11:, 0]]
    assert all(-1.1 <= v <= 1.1 for v in values)


def test_class_counts_match_imblearn():
    for strategy in [
        "auto",
        "minority",
        "not majority",
        "all",
        {1: 150, 2: 120},
        lambda y: {2: 100},
    ]:
        _, y_res = SMOTENC(
            categorical_features=CAT, sampling_strategy=strategy, random_state=0
        ).fit_resample(FRAME, Y)
        _, y_ref = ImbSMOTENC(
            categorical_features=CAT, sampling_strategy=strategy, random_state=0
        ).fit_resample(FRAME, Y)
        assert Counter(y_res) == Counter(y_ref)
    binary = Y != 1
    _, y_res = SMOTENC(
        categorical_features=CAT, sampling_strategy=0.6, random_state=0
    ).fit_resample(FRAME[binary], Y[binary])
    _, y_ref = ImbSMOTENC(
        categorical_features=CAT, sampling_strategy=0.6, random_state=0
    ).fit_resample(FRAME[binary], Y[binary])
    assert Counter(y_res) == Counter(y_ref)


def test_median_std_matches_imblearn():
    ours = SMOTENC(categorical_features=CAT, random_state=0)
    ref = ImbSMOTENC(categorical_features=CAT, random_state=0)
    ours.fit_resample(FRAME, Y)
    ref.fit_resample(FRAME, Y)
    assert ours.median_std_.keys() == ref.median_std_.keys()
    for label, value in ref.median_std_.items():
        assert ours.median_std_[label] == pytest.approx(value, rel=1e-12)


def test_pandas_dtypes_round_trip_and_originals_first():
    sampler = SMOTENC(categorical_features=CAT, random_state=0)
    X_res, y_res = sampler.fit_resample(FRAME, pd.Series(Y, name="t"))
    assert X_res.dtypes.to_dict() == FRAME.dtypes.to_dict()
    assert X_res["colour"].cat.categories.tolist() == FRAME["colour"].cat.categories.tolist()
    assert set(X_res["shape"]) == {"round", "square"}
    pd.testing.assert_frame_equal(X_res.iloc[: len(FRAME)], FRAME)
    assert y_res.name == "t" and sampler.n_synthetic_ == len(X_res) - len(FRAME)
    assert sampler.categorical_features_.tolist() == [1, 3]
    assert sampler.continuous_features_.tolist() == [0, 2, 4]


@pytest.mark.parametrize(
    "spec",
    ["auto", CAT, [1, 3], [-4, -2], [False, True, False, True, False]],
    ids=["auto", "names", "indices", "negative", "mask"],
)
def test_every_spelling_of_categorical_features(spec):
    X_res, _ = SMOTENC(categorical_features=spec, random_state=0).fit_resample(FRAME, Y)
    X_ref, _ = SMOTENC(categorical_features=CAT, random_state=0).fit_resample(FRAME, Y)
    pd.testing.assert_frame_equal(X_res, X_ref)


def test_object_and_numeric_arrays():
    X_obj = FRAME.to_numpy()
    assert X_obj.dtype == object
    X_res, _ = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(X_obj, Y)
    assert X_res.dtype == object
    assert set(X_res[len(Y) :, 1]) <= {"red", "green", "blue"}
    # Numeric data with an integer-coded category: the category stays one of the codes.
    rng = np.random.default_rng(1)
    X_num = np.column_stack([rng.normal(size=len(Y)), rng.integers(0, 3, len(Y)) * 10.0]).astype(
        np.float32
    )
    X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X_num, Y)
    assert X_res.dtype == np.float32
    assert set(np.unique(X_res[:, 1])) <= {0.0, 10.0, 20.0}
    np.testing.assert_array_equal(X_res[: len(Y)], X_num)


def test_missing_category_is_a_category():
    frame = FRAME.copy()
    frame.loc[Y == 2, "shape"] = None
    X_res, y_res = SMOTENC(categorical_features=CAT, random_state=0).fit_resample(frame, Y)
    new = X_res.iloc[len(Y) :]
    assert new.loc[y_res[len(Y) :] == 2, "shape"].isna().all()


def test_deterministic_and_seed_dependent():
    a, _ = SMOTENC(categorical_features=CAT, random_state=1).fit_resample(FRAME, Y)
    b, _ = SMOTENC(categorical_features=CAT, random_state=1).fit_resample(FRAME, Y)
    c, _ = SMOTENC(categorical_features=CAT, random_state=2).fit_resample(FRAME, Y)
    pd.testing.assert_frame_equal(a, b)
    assert not a.iloc[len(Y) :].equals(c.iloc[len(Y) :])


def test_input_not_modified():
    frame = FRAME.copy()
    SMOTENC(categorical_features=CAT, random_state=0).fit_resample(frame, Y)
    pd.testing.assert_frame_equal(frame, FRAME)


def test_registry():
    assert type(make_resampler("smotenc", categorical_features=[0])) is SMOTENC


@pytest.mark.parametrize(
    "spec, match",
    [
        (["x1", "colour", "x2", "shape", "count"], "every column is categorical"),
        ([], "no categorical column"),
        (["nope"], r"column\(s\) \['nope'\] that are not in X"),
        ([7], "out of range"),
        ([True, False], "one entry per feature"),
        ("colour", r"For one column write \['colour'\]"),
    ],
)
def test_bad_categorical_features(spec, match):
    with pytest.raises(InvalidParameterError, match=match):
        SMOTENC(categorical_features=spec).fit_resample(FRAME, Y)


def test_bad_inputs():
    with pytest.raises(InvalidParameterError, match="'auto' reads the column dtypes"):
        SMOTENC(categorical_features="auto").fit_resample(FRAME.to_numpy(), Y)
    with pytest.raises(InvalidParameterError, match="needs X as a pandas DataFrame"):
        SMOTENC(categorical_features=["colour"]).fit_resample(FRAME.to_numpy(), Y)
    frame = FRAME.copy()
    frame.loc[5, "x2"] = np.nan
    with pytest.raises(InvalidInputError, match="continuous columns.*NaN"):
        SMOTENC(categorical_features=CAT).fit_resample(frame, Y)
    with pytest.raises(InvalidInputError, match="non-numeric"):
        SMOTENC(categorical_features=["colour"]).fit_resample(FRAME, Y)
    with pytest.raises(InvalidInputError, match="sparse"):
        SMOTENC(categorical_features=[0]).fit_resample(
            sp.csr_matrix(np.ones((10, 2))), np.repeat([0, 1], 5)
        )
    small = np.array([0] * 20 + [1] * 4)
    with pytest.raises(InvalidInputError, match=r"Class 1 has 4 sample\(s\).*RandomOverSampler"):
        SMOTENC(categorical_features=CAT).fit_resample(FRAME.iloc[:24], small)
