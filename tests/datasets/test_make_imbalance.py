"""make_imbalance against imbalanced-learn's (class counts, which rows may be kept, errors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from imblearn.datasets import make_imbalance as imb_make_imbalance
from sklearn.datasets import load_iris

from equipoise.datasets import make_imbalance
from equipoise.exceptions import InvalidInputError, InvalidParameterError

X, Y = load_iris(return_X_y=True)


@pytest.mark.parametrize("strategy", [{0: 10, 1: 20, 2: 30}, {0: 10}, {0: 0, 2: 5}, {1: 50}])
def test_counts_and_membership_equal_imbalanced_learn(strategy):
    tagged = np.c_[X, np.arange(len(X))]  # the last column names the row
    ours_X, ours_y = make_imbalance(tagged, Y, sampling_strategy=strategy, random_state=0)
    theirs_X, theirs_y = imb_make_imbalance(tagged, Y, sampling_strategy=strategy, random_state=0)
    assert np.bincount(ours_y, minlength=3).tolist() == np.bincount(theirs_y, minlength=3).tolist()
    rows = ours_X[:, -1].astype(int)
    assert len(set(rows)) == len(rows)  # without replacement
    np.testing.assert_array_equal(Y[rows], ours_y)  # each kept row is a row of its class
    np.testing.assert_array_equal(X[rows], ours_X[:, :-1])  # exact values
    assert (np.diff(rows[ours_y == 1]) > 0).all()  # original order kept within a class


def test_callable_strategy_with_kwargs_and_seed():
    def half(y, share):
        return {0: int(share * np.sum(y == 0))}

    a = make_imbalance(X, Y, sampling_strategy=half, share=0.5, random_state=3)
    b = make_imbalance(X, Y, sampling_strategy=half, share=0.5, random_state=3)
    theirs = imb_make_imbalance(X, Y, sampling_strategy=half, share=0.5, random_state=3)
    assert np.bincount(a[1]).tolist() == np.bincount(theirs[1]).tolist() == [25, 50, 50]
    np.testing.assert_array_equal(a[0], b[0])


def test_containers_round_trip():
    frame = pd.DataFrame(X, columns=list("abcd"), index=np.arange(len(X)) + 100)
    target = pd.Series(
        np.array(["setosa", "versicolor", "virginica"])[Y], index=frame.index, name="kind"
    )
    X_res, y_res = make_imbalance(frame, target, sampling_strategy={"setosa": 5}, random_state=0)
    assert (
        isinstance(X_res, pd.DataFrame) and y_res.name == "kind" and X_res.index.equals(y_res.index)
    )
    pd.testing.assert_frame_equal(X_res, frame.loc[X_res.index])
    X_pl, y_pl = make_imbalance(
        pl.from_pandas(frame),
        pl.Series("kind", target.to_numpy()),
        sampling_strategy={"setosa": 5},
        random_state=0,
    )
    assert (
        isinstance(X_pl, pl.DataFrame)
        and X_pl.height == 105
        and y_pl.to_list().count("setosa") == 5
    )


@pytest.mark.parametrize(
    "strategy, kwargs, match",
    [
        (None, {}, "is required"),
        ("auto", {}, "must be a dict"),
        (0.5, {}, "must be a dict"),
        ({0: 60}, {}, "asks for 60 rows of class 0, which has 50"),
        ({5: 3}, {}, r"names class\(es\) \[5\] that are not in y"),
        ({0: -1}, {}, "non-negative integer"),
        ({0: 2.5}, {}, "non-negative integer"),
        (lambda y: [1, 2], {}, "must return a dict"),
        ({0: 3}, {"share": 1}, "only passed to a callable"),
    ],
)
def test_errors(strategy, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        make_imbalance(X, Y, sampling_strategy=strategy, **kwargs)


def test_y_none_and_verbose(capsys):
    with pytest.raises(InvalidInputError, match="needs the labels"):
        make_imbalance(X, None, sampling_strategy={0: 1})
    make_imbalance(X, Y, sampling_strategy={0: 2}, random_state=0, verbose=True)
    assert "{0: 50, 1: 50, 2: 50} -> {0: 2, 1: 50, 2: 50}" in capsys.readouterr().out
