"""What identifies a comparison's runs in its journal: the data and the software that ran them."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd

from ._preprocess import PreparedData

__all__ = ["data_fingerprint", "software_versions"]


def data_fingerprint(data: PreparedData) -> str:
    """SHA-256 (16 hex digits) of the features (columns, dtypes, values), the labels and the
    class encoding (which class is positive)."""
    h = hashlib.sha256()
    if data.kind == "table":
        frame = data.X
        h.update(repr(list(frame.columns)).encode())
        h.update(repr([str(t) for t in frame.dtypes]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    else:
        h.update(repr(data.X.shape).encode())
        h.update(np.ascontiguousarray(data.X).tobytes())
    h.update(
        pd.util.hash_pandas_object(pd.Series(data.y.astype(str)), index=False).to_numpy().tobytes()
    )
    h.update(repr([str(c) for c in data.classes]).encode())
    return h.hexdigest()[:16]


def software_versions() -> dict[str, str]:
    """Versions of equipoise, torch, scikit-learn and numpy: runs of other versions are not mixed."""
    out = {}
    for name in ("equipoise", "torch", "scikit-learn", "numpy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - a source checkout without metadata
            out[name] = "unknown"
    return out
