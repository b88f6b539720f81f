"""Regression metrics: MAE, RMSE, GM overall and by shot, with bootstrap intervals; the error plot."""

import numpy as np
import pytest
from scipy.stats import gmean
from sklearn.metrics import mean_absolute_error as sk_mae
from sklearn.metrics import root_mean_squared_error as sk_rmse

from equipoise.exceptions import InvalidInputError
from equipoise.metrics import (
    bootstrap_ci,
    error_by_range_plot,
    geometric_mean_absolute_error,
    mean_absolute_error,
    regression_report,
    root_mean_squared_error,
)


def _case(seed=0):
    rng = np.random.default_rng(seed)
    y_train = np.r_[rng.uniform(0, 1, 900), rng.uniform(1, 2, 60), rng.uniform(2, 3, 10)]
    y = np.r_[rng.uniform(0, 1, 100), rng.uniform(1, 2, 50), rng.uniform(2, 3, 30)]
    pred = y + rng.normal(size=len(y)) * np.where(y > 2, 1.0, 0.1)
    return y_train, y, pred


def test_metrics_agree_with_sklearn_and_scipy():
    _, y, pred = _case()
    assert mean_absolute_error(y, pred) == pytest.approx(sk_mae(y, pred))
    assert root_mean_squared_error(y, pred) == pytest.approx(sk_rmse(y, pred))
    assert geometric_mean_absolute_error(y, pred) == pytest.approx(gmean(np.abs(y - pred)))
    assert geometric_mean_absolute_error([1.0, 2.0], [1.0, 3.0]) == 0.0
    with pytest.raises(InvalidInputError, match="different lengths"):
        mean_absolute_error([1.0, 2.0], [1.0])


def test_report_splits_by_training_density_with_intervals():
    y_train, y, pred = _case()
    report = regression_report(
        y, pred, y_train=y_train, bin_width=1.0, n_resamples=200, random_state=0
    )
    # training bins: 900 (many), 60 (medium), 10 (few) rows
    assert report.by_shot["n"].tolist() == [180, 100, 50, 30]
    few = y >= 2
    assert report.summary["mae_few"] == pytest.approx(sk_mae(y[few], pred[few]))
    assert report.summary["mae_few"] > 5 * report.summary["mae_many"]
    # the intervals are bootstrap_ci's, on the group's rows, with the same generator sequence
    expected = bootstrap_ci(
        mean_absolute_error, y, pred, n_resamples=200, random_state=0, stratified=False
    )
    assert report.intervals["mae"] == expected
    for key, ci in report.intervals.items():
        assert ci.low <= ci.estimate <= ci.high, key
    again = regression_report(
        y, pred, y_train=y_train, bin_width=1.0, n_resamples=200, random_state=0
    )
    assert again.intervals == report.intervals
    assert "few" in str(report)
    empty = regression_report(
        y[:100], pred[:100], y_train=y_train, bin_width=1.0, n_resamples=50, random_state=0
    )
    assert empty.by_shot.loc["few", "n"] == 0 and np.isnan(empty.summary["mae_few"])


def test_error_by_range_plot_draws_one_line_per_model():
    import matplotlib

    matplotlib.use("Agg")
    y_train, y, pred = _case()
    ax = error_by_range_plot(y, {"a": pred, "b": y + 0.1}, y_train=y_train, bins=6)
    assert len(ax.get_lines()) == 2 and "MAE" in ax.get_legend().get_texts()[0].get_text()
    import matplotlib.pyplot as plt

    plt.close("all")
