"""Parameter names read once per class (equipoise._param_names): the same names as
scikit-learn's own reading, for every resampler and the forest's trees, and the same refusal."""

from __future__ import annotations

import pytest
from sklearn.base import BaseEstimator, clone

from equipoise._param_names import CachedParamNames
from equipoise.ensemble._forest import _ResamplingTree
from equipoise.resample import RESAMPLERS, make_resampler


def _sklearn_names(cls):
    return BaseEstimator._get_param_names.__func__(cls)


@pytest.mark.parametrize("name", sorted(RESAMPLERS))
def test_resamplers_have_scikit_learns_parameter_names(name):
    cls = RESAMPLERS.get(name)
    assert issubclass(cls, CachedParamNames)
    assert cls._get_param_names() == _sklearn_names(cls)
    assert cls._get_param_names() == _sklearn_names(cls)  # cached: the same list again


def test_a_clone_has_the_same_parameters():
    sampler = make_resampler("smote", k_neighbors=3, random_state=7)
    assert clone(sampler).get_params() == sampler.get_params()


def test_the_forests_tree_has_scikit_learns_parameter_names():
    assert _ResamplingTree._get_param_names() == _sklearn_names(_ResamplingTree)
    tree = _ResamplingTree(max_depth=3, random_state=1)
    assert clone(tree).get_params() == tree.get_params()


def test_a_returned_list_is_a_copy():
    names = _ResamplingTree._get_param_names()
    names.append("not-a-parameter")
    assert "not-a-parameter" not in _ResamplingTree._get_param_names()


def test_varargs_are_still_refused():
    class Bad(CachedParamNames, BaseEstimator):
        def __init__(self, *args):
            self.args = args

    for _ in range(2):
        with pytest.raises(RuntimeError, match="varargs"):
            Bad._get_param_names()
