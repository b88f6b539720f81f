from collections import Counter

import numpy as np
import pytest
from imblearn.utils import check_sampling_strategy

from equipoise.exceptions import InvalidParameterError
from equipoise.resample import resolve_sampling_strategy

Y_BINARY = np.array([0] * 70 + [1] * 30)
Y_MULTI = np.array([0] * 50 + [1] * 30 + [2] * 12)

CASES = [
    ("auto", "over-sampling"),
    ("auto", "under-sampling"),
    ("auto", "clean-sampling"),
    ("minority", "over-sampling"),
    ("majority", "under-sampling"),
    ("majority", "clean-sampling"),
    ("not minority", "over-sampling"),
    ("not minority", "under-sampling"),
    ("not majority", "over-sampling"),
    ("not majority", "under-sampling"),
    ("all", "over-sampling"),
    ("all", "under-sampling"),
    ("all", "clean-sampling"),
]


@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI], ids=["binary", "multiclass"])
@pytest.mark.parametrize("strategy, kind", CASES)
def test_named_strategies_agree_with_imbalanced_learn(y, strategy, kind):
    ours = resolve_sampling_strategy(strategy, y, kind)
    theirs = {int(k): int(v) for k, v in check_sampling_strategy(strategy, y, kind).items()}
    assert ours == theirs


@pytest.mark.parametrize("ratio", [0.5, 0.8, 1.0])
@pytest.mark.parametrize("kind", ["over-sampling", "under-sampling"])
def test_float_agrees(ratio, kind):
    ours = resolve_sampling_strategy(ratio, Y_BINARY, kind)
    theirs = {int(k): int(v) for k, v in check_sampling_strategy(ratio, Y_BINARY, kind).items()}
    assert ours == theirs


def test_dict_list_and_callable_agree():
    assert resolve_sampling_strategy({1: 40, 2: 30}, Y_MULTI, "over-sampling") == {1: 10, 2: 18}
    assert resolve_sampling_strategy({0: 20}, Y_MULTI, "under-sampling") == {0: 20}
    assert resolve_sampling_strategy([0, 1], Y_MULTI, "clean-sampling") == {0: 12, 1: 12}
    assert resolve_sampling_strategy(lambda y: {2: 50}, Y_MULTI, "over-sampling") == {2: 38}
    y = np.array(["a"] * 5 + ["b"] * 2)
    assert resolve_sampling_strategy("auto", y, "over-sampling") == {"b": 3}


@pytest.mark.parametrize(
    "strategy, kind, match",
    [
        ({0: 10}, "over-sampling", "cannot remove samples: class 0 has 50"),
        ({2: 20}, "under-sampling", "cannot add samples: class 2 has 12"),
        ({7: 10}, "over-sampling", r"class\(es\) \[7\] that are not in y"),
        ("minority", "under-sampling", "only makes sense for over-samplers"),
        ("majority", "over-sampling", "cannot be used with an over-sampler"),
        (0.5, "over-sampling", "needs a binary target"),
        ("nope", "over-sampling", "must be one of"),
        ({0: 10}, "clean-sampling", "Pass a list"),
        ([0], "over-sampling", "only for cleaning"),
        ({1: -3}, "over-sampling", "non-negative integer"),
    ],
)
def test_errors_say_what_and_how(strategy, kind, match):
    with pytest.raises(InvalidParameterError, match=match):
        resolve_sampling_strategy(strategy, Y_MULTI, kind)


def test_float_below_current_ratio():
    with pytest.raises(InvalidParameterError, match="below the current minority/majority ratio"):
        resolve_sampling_strategy(0.2, Y_BINARY, "over-sampling")
    with pytest.raises(InvalidParameterError, match="below the current"):
        resolve_sampling_strategy(0.2, Y_BINARY, "under-sampling")
    assert Counter(Y_BINARY)[0] == 70
