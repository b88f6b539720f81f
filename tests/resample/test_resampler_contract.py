"""Contract points every resampler shares: y=None, the sampling_type of resolve_sampling_strategy,
callable strategies for cleaning samplers, SMOTENC's positional argument, make_resampler for
the new names."""

import numpy as np
import pytest
from common.resamplers import build, registered_names
from sklearn.utils.estimator_checks import check_requires_y_none

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import RESAMPLERS, SMOTENC, make_resampler, resolve_sampling_strategy

ALL = sorted(RESAMPLERS.names())  # the multi-label ones too: y=None is refused the same way


@pytest.mark.parametrize("name", ALL)
def test_y_none_is_a_clear_value_error(name):
    sampler = SMOTENC([0]) if name == "smotenc" else build(name)
    X = np.random.default_rng(0).normal(size=(30, 2))
    for call in (sampler.fit_resample, sampler.fit):
        with pytest.raises(
            InvalidInputError, match="requires y to be passed, but the target y is None"
        ):
            call(X, None)
    check_requires_y_none(type(sampler).__name__, sampler)  # scikit-learn's own check


def test_unknown_sampling_type_is_refused():
    y = np.array([0] * 5 + [1] * 3)
    with pytest.raises(
        InvalidParameterError,
        match=r"'sampling_type'.*\['over-sampling', 'under-sampling', 'clean-sampling'\]; got 'ensemble'",
    ):
        resolve_sampling_strategy("auto", y, "ensemble")
    with pytest.raises(InvalidParameterError, match="'sampling_type'"):
        resolve_sampling_strategy({0: 3}, y, None)


CLEANERS = [
    name for name in registered_names() if RESAMPLERS.get(name)._sampling_type == "clean-sampling"
]


@pytest.mark.parametrize("name", CLEANERS)
def test_cleaners_take_a_callable_returning_the_classes(name):
    X = np.random.default_rng(0).normal(size=(90, 3))
    y = np.array([0] * 50 + [1] * 25 + [2] * 15)
    X[y == 2] += 1.0
    listed = build(name, sampling_strategy=[0, 1])
    X_list, y_list = listed.fit_resample(X, y)
    called = build(
        name,
        sampling_strategy=lambda labels: [c for c in np.unique(labels) if np.sum(labels == c) > 20],
    )
    X_call, y_call = called.fit_resample(X, y)
    assert called.sampling_strategy_.keys() == {0, 1}
    np.testing.assert_array_equal(X_call, X_list)
    np.testing.assert_array_equal(y_call, y_list)
    with pytest.raises(InvalidParameterError, match="must return a list of the classes to clean"):
        build(name, sampling_strategy=lambda labels: {0: 10}).fit_resample(X, y)


def test_smotenc_takes_categorical_features_positionally():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=60), rng.integers(0, 3, 60)]
    y = np.r_[np.zeros(45, int), np.ones(15, int)]
    positional = SMOTENC([1], random_state=0)
    keyword = SMOTENC(categorical_features=[1], random_state=0)
    assert positional.get_params() == keyword.get_params()
    np.testing.assert_array_equal(positional.fit_resample(X, y)[0], keyword.fit_resample(X, y)[0])
    with pytest.raises(TypeError):
        SMOTENC([1], "auto")  # only categorical_features is positional


NEW = {
    "smoten": "SMOTEN",
    "svm-smote": "SVMSMOTE",
    "kmeans-smote": "KMeansSMOTE",
    "cluster-centroids": "ClusterCentroids",
    "condensed-nearest-neighbour": "CondensedNearestNeighbour",
    "one-sided-selection": "OneSidedSelection",
    "neighbourhood-cleaning-rule": "NeighbourhoodCleaningRule",
    "repeated-edited-nearest-neighbours": "RepeatedEditedNearestNeighbours",
    "all-knn": "AllKNN",
    "instance-hardness-threshold": "InstanceHardnessThreshold",
}


@pytest.mark.parametrize("name", sorted(NEW))
def test_new_names_are_registered_and_seeded_only_when_random(name):
    sampler = make_resampler(name, random_state=3)
    assert type(sampler).__name__ == NEW[name]
    if "random_state" in sampler.get_params():
        assert sampler.random_state == 3
    else:
        assert name in {
            "neighbourhood-cleaning-rule",
            "repeated-edited-nearest-neighbours",
            "all-knn",
        }


def test_the_base_resampler_is_abstract():
    from equipoise.resample._base import BaseResampler

    with pytest.raises(TypeError, match="abstract"):
        BaseResampler()

    class Unfinished(BaseResampler):  # forgot _fit_resample
        _sampling_type = "over-sampling"

    with pytest.raises(TypeError, match="_fit_resample"):
        Unfinished()


def test_one_sampling_strategy_constraint_for_every_resampler():
    """Declared once (resample._strategy) and inherited, in memory and on Dask alike.

    For class targets: multi-label resamplers take no sampling_strategy (their parameters are
    the papers' percentages), and the regression resamplers' sampling_strategy names a
    relevance-region rule ('balance' / 'extreme'), so each family declares its own.
    """
    from equipoise.resample._base import BaseResampler
    from equipoise.resample._strategy import SAMPLING_STRATEGY_CONSTRAINTS

    classes = [
        RESAMPLERS.get(name) for name in ALL if RESAMPLERS.get(name)._target_kind == "classes"
    ]
    try:
        from equipoise.dask import SMOTE as DaskSMOTE
        from equipoise.dask import RandomOverSampler as DaskROS
        from equipoise.dask import RandomUnderSampler as DaskRUS

        classes += [DaskSMOTE, DaskROS, DaskRUS]
    except ImportError:  # dask is an optional extra
        pass
    for cls in classes:
        assert cls._parameter_constraints["sampling_strategy"] is SAMPLING_STRATEGY_CONSTRAINTS, cls
        for key, value in BaseResampler._parameter_constraints.items():
            assert cls._parameter_constraints[key] is value
        # a constraint names a parameter the class takes (random_state only where there is one)
        assert set(cls._parameter_constraints) <= set(cls._get_param_names()), cls


@pytest.mark.parametrize("name", ["smote", "random-under", "tomek-links", "near-miss"])
def test_sampling_strategy_messages_are_the_same_everywhere(name):
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.array([0] * 20 + [1] * 10)
    with pytest.raises(
        InvalidParameterError,
        match=r"^The 'sampling_strategy' parameter of \w+ must be a float in the range \(0, 1\], an instance of "
        r"str, an instance of dict, an instance of list or a callable; got 1j\.$",
    ):
        build(name, sampling_strategy=1j).fit_resample(X, y)
    if RESAMPLERS.get(name)._sampling_type != "clean-sampling":
        with pytest.raises(
            InvalidParameterError,
            match=r"parameter of \w+ must be a name, a float or a dict.*got a list\. A list .* only for cleaning",
        ):
            build(name, sampling_strategy=[0]).fit_resample(X, y)
