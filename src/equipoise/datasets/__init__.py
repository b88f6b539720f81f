"""Datasets for trying imbalance techniques, all offline.

* :func:`load_example` -- the tutorial's 9:1 binary problem (``make_classification``).
* :func:`make_long_tailed` -- turn any labelled set into a long-tailed training set plus a
  balanced test set, the way CIFAR-10-LT is built (Cui et al. 2019; Cao et al. 2019).
* :func:`make_imbalance` -- keep a chosen number of rows per class (imbalanced-learn's
  ``make_imbalance``).
* :func:`list_datasets` / :func:`load_dataset` -- 98 binary problems of the KEEL imbalanced
  collection (IR 1.8 to 129), shipped with the package, and long-tailed digits / MNIST images.
* regression sets with a long-tailed target (``diabetes``, ``diabetes-lt``, ``fair``) and
  :func:`make_long_tailed_regression`.
* :func:`load_table` -- a user's CSV or Parquet file as ``(X, y)``.
"""

from __future__ import annotations

from ._example import load_example
from ._imbalance import make_imbalance
from ._keel import KeelAttribute, KeelData, parse_keel, read_keel
from ._long_tail import LongTailedSplit, long_tail_counts, make_long_tailed
from ._registry import DATASETS, DatasetInfo, dataset_info, list_datasets, load_dataset
from ._regression import make_long_tailed_regression  # also registers the regression sets
from ._table import columns_with_nan, load_table

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "KeelAttribute",
    "KeelData",
    "LongTailedSplit",
    "columns_with_nan",
    "dataset_info",
    "list_datasets",
    "load_dataset",
    "load_example",
    "load_table",
    "long_tail_counts",
    "make_imbalance",
    "make_long_tailed",
    "make_long_tailed_regression",
    "parse_keel",
    "read_keel",
]
