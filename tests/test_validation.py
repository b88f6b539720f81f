import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from equipoise._validation import (
    Interval,
    Options,
    check_consistent_length,
    check_random_state,
    check_target,
    check_X,
    to_numpy_container,
    validate_params,
)
from equipoise.exceptions import InvalidInputError, InvalidParameterError


def test_interval_and_options():
    assert Interval(int, 1, None, closed="left").accepts(1)
    assert not Interval(int, 1, None, closed="left").accepts(0)
    assert not Interval(int, 1, None, closed="left").accepts(1.5)
    assert not Interval(int, 1, None, closed="left").accepts(True)
    assert Interval(float, 0, 1, closed="right").accepts(1.0)
    assert not Interval(float, 0, 1, closed="right").accepts(0.0)
    assert Options(("a", "b")).accepts("a") and not Options(("a", "b")).accepts("c")


def test_validate_params_message():
    with pytest.raises(InvalidParameterError) as info:
        validate_params(
            "SMOTE", {"k_neighbors": 0}, {"k_neighbors": [Interval(int, 1, None, closed="left")]}
        )
    assert str(info.value) == (
        "The 'k_neighbors' parameter of SMOTE must be an int in the range [1, inf); got 0."
    )
    validate_params(
        "X", {"random_state": np.random.default_rng(0)}, {"random_state": ["random_state"]}
    )
    with pytest.raises(InvalidParameterError, match="random_state"):
        validate_params("X", {"random_state": "seed"}, {"random_state": ["random_state"]})


def test_check_random_state_kinds_and_determinism():
    assert check_random_state(3).integers(1000) == check_random_state(3).integers(1000)
    gen = np.random.default_rng(0)
    assert check_random_state(gen) is gen
    a = check_random_state(np.random.RandomState(5)).integers(10**9)
    b = check_random_state(np.random.RandomState(5)).integers(10**9)
    assert a == b
    assert isinstance(check_random_state(None), np.random.Generator)
    with pytest.raises(InvalidParameterError):
        check_random_state("0")
    with pytest.raises(InvalidParameterError):
        check_random_state(-1)


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([[1.0, np.nan]]), "NaN"),
        (np.array([[1.0, np.inf]]), "NaN or infinite"),
        (np.empty((0, 3)), "empty"),
        (np.array([1.0, 2.0]), "2-D"),
        (np.array([["a", "b"]], dtype=object), "non-numeric"),
    ],
)
def test_check_X_errors(bad, match):
    with pytest.raises(InvalidInputError, match=match):
        check_X(bad, owner="SMOTE")


def test_check_X_keeps_float32_and_does_not_copy():
    X = np.ones((3, 2), dtype=np.float32)
    assert check_X(X) is X
    assert check_X(np.ones((3, 2), dtype=np.int64)).dtype == np.float64
    S = sp.csr_matrix(np.ones((2, 2)))
    assert check_X(S) is S
    assert check_X(np.array([["a"]], dtype=object), numeric=False).dtype == object


@pytest.mark.parametrize(
    "y, match",
    [
        (np.linspace(0, 1, 50), "continuous"),
        (np.zeros(10), "at least 2 classes"),
        (np.array([]), "empty"),
        (np.random.default_rng(0).integers(0, 2, size=(10, 3)), "single target"),
        (np.array([0.0, np.nan, 1.0]), "NaN"),
    ],
)
def test_check_target_errors(y, match):
    with pytest.raises(InvalidInputError, match=match):
        check_target(y, owner="SMOTE")


def test_check_target_outputs():
    y, classes, enc = check_target(pd.Series(["b", "a", "b"]))
    assert classes.tolist() == ["a", "b"]
    assert enc.tolist() == [1, 0, 1]
    y, classes, enc = check_target(torch.tensor([1, 0, 1]))
    assert classes.tolist() == [0, 1]
    y, _, _ = check_target(np.array([[0], [1], [1]]))
    assert y.shape == (3,)


def test_consistent_length():
    with pytest.raises(InvalidInputError, match="X has 3 rows and y has 2 labels"):
        check_consistent_length(np.ones((3, 1)), [0, 1])


def test_container_round_trip():
    frame = pd.DataFrame({"a": np.arange(3, dtype=np.int32), "b": np.ones(3, dtype=np.float32)})
    arr, cont = to_numpy_container(frame)
    back = cont.restore(arr)
    assert list(back.columns) == ["a", "b"] and back.dtypes.tolist() == frame.dtypes.tolist()
    t = torch.ones(2, 3, dtype=torch.float64)
    arr, cont = to_numpy_container(t)
    back = cont.restore(arr)
    assert isinstance(back, torch.Tensor) and back.dtype == torch.float64


def test_validate_call_checks_the_arguments_given():
    from equipoise._validation import Interval, validate_call

    @validate_call({"k": [Interval(int, 1, None, closed="left")], "mode": [Options(("a", "b"))]})
    def pick(values, k=1, *, mode="a"):
        """Docstring kept."""
        return values[:k], mode

    assert pick([3, 1, 2], 2, mode="b") == ([3, 1], "b") and pick.__doc__ == "Docstring kept."
    with pytest.raises(
        InvalidParameterError,
        match=r"^The 'k' parameter of pick must be an int in the range \[1, inf\); got 0\.$",
    ):
        pick([1], k=0)
    with pytest.raises(
        InvalidParameterError, match="'mode' parameter of pick must be one of 'a', 'b'; got 'c'"
    ):
        pick([1], mode="c")
    with pytest.raises(TypeError):  # a call that does not bind: Python's own error
        pick()
    with pytest.raises(TypeError, match="no parameters"):
        validate_call({"nope": [int]})(pick)


@pytest.mark.parametrize(
    "call, message",
    [
        # the messages the hand-written checks gave, now from the one validation layer
        (
            lambda: __import__("equipoise.neighbors", fromlist=["kneighbors"]).kneighbors(
                np.zeros((4, 1)), 0
            ),
            r"^The 'n_neighbors' parameter of kneighbors must be a positive int; got 0\.$",
        ),
        (
            lambda: __import__("equipoise.neighbors", fromlist=["kneighbors"]).kneighbors(
                np.zeros((4, 1)), 1, n_jobs=0
            ),
            r"^The 'n_jobs' parameter of kneighbors must be None, -1 or a positive int; got 0\.$",
        ),
        (
            lambda: __import__("equipoise.metrics", fromlist=["x"]).expected_calibration_error(
                [0, 1], [[0.5, 0.5]] * 2, n_bins=True
            ),
            r"'n_bins' parameter of expected_calibration_error must be an int >= 1; got True\.",
        ),
        (
            lambda: __import__("equipoise.metrics", fromlist=["x"]).bootstrap_ci(
                "accuracy", [0, 1], [0, 1], confidence=1.0
            ),
            r"^The 'confidence' parameter of bootstrap_ci must be a float in the range \(0, 1\); got 1\.0\.",
        ),
        (
            lambda: __import__(
                "equipoise.metrics", fromlist=["x"]
            ).classification_report_imbalanced([0, 1], [0, 1], digits=-1),
            r"^The 'digits' parameter of classification_report_imbalanced must be an int >= 0; got -1\.$",
        ),
        (
            lambda: __import__("equipoise.calibration", fromlist=["x"]).correct_undersampling(
                [0.5], beta=float("nan")
            ),
            r"^The 'beta' parameter of correct_undersampling must be a finite float > 0; got nan\. NaN and infinite",
        ),
    ],
)
def test_refactored_checks_keep_their_messages(call, message):
    with pytest.raises(InvalidParameterError, match=message):
        call()
