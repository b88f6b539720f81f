"""Metrics that do not reward ignoring the minority, and confidence intervals around them.

:func:`imbalance_report` gathers, in one call, the numbers that tell whether a classifier
serves every class; :data:`METRICS` is the registry of single-number metrics (each usable as a
scikit-learn scorer through :func:`get_scorer`); :func:`bootstrap_ci`, :func:`mean_ci` and
:func:`paired_difference` put uncertainty around them. The calibration metrics
(:func:`brier_score`, :func:`log_loss`, :func:`expected_calibration_error`,
:func:`classwise_ece`; lower is better) score probabilities. imbalanced-learn's metrics
(:func:`sensitivity_specificity_support`, :func:`geometric_mean_score`, the index balanced
accuracy, :func:`classification_report_imbalanced`, :func:`macro_averaged_mean_absolute_error`)
are here with the same signatures.
"""

from typing import Any

from .._validation import short_repr
from . import _report
from ._calibration import (
    CALIBRATION_METRICS,
    DEFAULT_N_BINS,
    brier_score,
    calibration_bins,
    classwise_ece,
    expected_calibration_error,
    log_loss,
)
from ._imbalanced import (
    classification_report_imbalanced,
    geometric_mean_score,
    macro_averaged_mean_absolute_error,
    make_index_balanced_accuracy,
    sensitivity_score,
    sensitivity_specificity_support,
    specificity_score,
)
from ._multilabel import MultiLabelReport, label_groups, multilabel_report
from ._regression import (
    REGRESSION_METRICS,
    RegressionReport,
    error_by_range_plot,
    geometric_mean_absolute_error,
    mean_absolute_error,
    regression_report,
    root_mean_squared_error,
)
from ._report import (
    METRICS,
    ConfidenceInterval,
    ImbalanceReport,
    Metric,
    PairedComparison,
    bootstrap_ci,
    get_metric,
    greater_is_better,
    imbalance_report,
    mean_ci,
    metric_label,
    paired_difference,
)
from ._scorer import get_scorer

__all__ = [
    "Metric",
    "METRICS",
    "get_metric",
    "metric_label",
    "greater_is_better",
    "get_scorer",
    "ImbalanceReport",
    "imbalance_report",
    "ConfidenceInterval",
    "bootstrap_ci",
    "mean_ci",
    "PairedComparison",
    "paired_difference",
    "sensitivity_specificity_support",
    "sensitivity_score",
    "specificity_score",
    "geometric_mean_score",
    "make_index_balanced_accuracy",
    "classification_report_imbalanced",
    "macro_averaged_mean_absolute_error",
    "CALIBRATION_METRICS",
    "DEFAULT_N_BINS",
    "brier_score",
    "log_loss",
    "expected_calibration_error",
    "classwise_ece",
    "calibration_bins",
    "MultiLabelReport",
    "multilabel_report",
    "label_groups",
    "REGRESSION_METRICS",
    "RegressionReport",
    "regression_report",
    "mean_absolute_error",
    "root_mean_squared_error",
    "geometric_mean_absolute_error",
    "error_by_range_plot",
]


def __getattr__(name: str) -> Any:
    """Names of the former single-module ``equipoise.metrics`` (its private helpers) still resolve."""
    try:
        return getattr(_report, name)
    except AttributeError:
        raise AttributeError(
            f"module 'equipoise.metrics' has no attribute {short_repr(name)}"
        ) from None
