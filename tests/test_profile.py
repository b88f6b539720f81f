import numpy as np
import pandas as pd
import pytest

from equipoise import profile


def test_counts_ratio_and_labels():
    p = profile(["a"] * 90 + ["b"] * 7 + ["c"] * 3)
    assert p.counts == {"a": 90, "b": 7, "c": 3}
    assert p.imbalance_ratio == 30.0
    assert p.minority == "c" and p.majority == "a"
    assert p.n_samples == 100 and p.n_classes == 3
    assert p.proportions["a"] == pytest.approx(0.9)
    assert list(p.to_frame().index) == ["a", "b", "c"]


def test_warnings_name_the_consequence():
    p = profile(["a"] * 90 + ["b"] * 3)
    joined = "\n".join(p.warnings)
    assert "class 'b' has 3 samples: SMOTE with k_neighbors=5 cannot run on it" in joined
    assert "accuracy is misleading" in joined
    assert "warning:" in str(p) and "imbalance ratio 30.00" in str(p)


def test_balanced_has_no_warnings_and_many_medium_few():
    p = profile(np.repeat([0, 1], 50))
    assert p.warnings == [] and p.imbalance_ratio == 1.0
    q = profile(np.repeat([0, 1, 2], [500, 50, 10]))
    assert q.many_medium_few() == {"many": [0], "medium": [1], "few": [2]}


def test_accepts_pandas_and_bins_a_continuous_target():
    assert profile(pd.Series([1, 1, 2])).counts == {1: 2, 2: 1}
    assert type(profile(np.linspace(0, 1, 500))).__name__ == "TargetProfile"  # tests/regression


def test_single_class_profile_warns():
    p = profile([1, 1, 1])
    assert "only one class" in p.warnings[0]
