"""The shipped regression sets and the seeded long-tailed maker."""

import importlib.util

import numpy as np
import pandas as pd
import pytest

from equipoise.datasets import (
    dataset_info,
    list_datasets,
    load_dataset,
    make_long_tailed_regression,
)
from equipoise.exceptions import InvalidParameterError
from equipoise.profile import TargetProfile, profile

NAMES = ["diabetes", "diabetes-lt"] + (["fair"] if importlib.util.find_spec("statsmodels") else [])


@pytest.mark.parametrize("name", NAMES)
def test_regression_sets_load_with_their_documented_profile(name):
    info = dataset_info(name)
    X, y = load_dataset(name)
    assert info.kind == "regression" and X.shape == (info.n_samples, info.n_features)
    p = profile(y, kind="continuous")
    assert isinstance(p, TargetProfile)
    assert int(p.counts[p.rare].sum()) == info.n_minority
    assert p.imbalance_ratio == pytest.approx(info.imbalance_ratio)
    X_df, y_s = load_dataset(name, as_frame=True)
    assert isinstance(X_df, pd.DataFrame) and y_s.name == "target"
    np.testing.assert_array_equal(y_s.to_numpy(), y)
    assert name in set(list_datasets("regression")["name"])


def test_diabetes_is_sklearns_and_the_long_tailed_version_is_seeded():
    from sklearn.datasets import load_diabetes

    X, y = load_dataset("diabetes")
    ref = load_diabetes(scaled=False)
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    X_lt, y_lt = load_dataset("diabetes-lt")
    X2, y2 = make_long_tailed_regression(X, y, ratio=10.0, random_state=0)
    np.testing.assert_array_equal(y_lt, y2)
    np.testing.assert_array_equal(X_lt, X2)
    low, high = np.quantile(y, [0.2, 0.8])
    assert (y_lt <= low).mean() > 2 * (y_lt >= high).mean()


def test_make_long_tailed_regression_keeps_containers_and_checks_parameters():
    y = pd.Series(np.linspace(0, 1, 2000), index=np.arange(2000) + 5)
    X = pd.DataFrame({"a": y.to_numpy()}, index=y.index)
    X_lt, y_lt = make_long_tailed_regression(X, y, ratio=20, tail="low", random_state=1)
    assert X_lt.index.equals(y_lt.index)
    assert (y_lt > 0.9).sum() > 10 * (y_lt < 0.1).sum()
    with pytest.raises(InvalidParameterError, match="'ratio'"):
        make_long_tailed_regression(X, y, ratio=0.5)
    with pytest.raises(InvalidParameterError, match="'tail'"):
        make_long_tailed_regression(X, y, tail="middle")


def test_cli_profile_bins_a_registered_regression_set():
    from click.testing import CliRunner

    from equipoise.cli import main

    out = CliRunner().invoke(main, ["profile", "diabetes-lt"])
    assert out.exit_code == 0, out.output
    assert "continuous target" in out.output and "few" in out.output
