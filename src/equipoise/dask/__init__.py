"""Resampling for data larger than memory, on Dask (optional extra ``equipoise[dask]``).

``RandomOverSampler``, ``RandomUnderSampler`` and ``SMOTE`` take a ``dask.dataframe.DataFrame``
or ``dask.array.Array`` X and a Dask Series (or 1-D array) y, and return lazy Dask collections.
Class counts are computed globally in one pass; per-class totals match the strategy exactly;
each partition draws from its own seed, so results are reproducible for a given partitioning.
"""

from ._samplers import SMOTE, RandomOverSampler, RandomUnderSampler

__all__ = ["RandomOverSampler", "RandomUnderSampler", "SMOTE"]
