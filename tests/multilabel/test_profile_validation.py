"""Multi-label target validation and the LabelProfile measures (Charte et al. 2015, 2019) on
worked cases computed by hand."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from equipoise._validation import check_indicator_target
from equipoise.exceptions import InvalidInputError
from equipoise.profile import ClassProfile, LabelProfile, profile

# counts 4, 2, 2 -> IRLbl 1, 2, 2; label 1 only appears with the head label 0
Y = np.array([[1, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    "spell",
    [
        lambda: Y,
        lambda: Y.tolist(),
        lambda: sp.csr_matrix(Y),
        lambda: torch.tensor(Y),
        lambda: Y.astype(bool),
        lambda: pd.DataFrame(Y, columns=["a", "b", "c"]),
    ],
)
def test_check_indicator_target_accepts_every_container(spell):
    Yc, names = check_indicator_target(spell(), owner="t")
    assert Yc.dtype == np.uint8 and Yc.shape == (5, 3)
    np.testing.assert_array_equal(Yc, Y)
    assert names == (["a", "b", "c"] if isinstance(spell(), pd.DataFrame) else [0, 1, 2])


def test_check_indicator_target_errors_and_warning():
    with pytest.raises(InvalidInputError, match="single-label API"):
        check_indicator_target(np.array([[1], [0]]), owner="t")
    with pytest.raises(InvalidInputError, match="single-label API"):
        check_indicator_target(np.array([0, 1, 1]), owner="t")
    with pytest.raises(InvalidInputError, match="not a 0/1 indicator"):
        check_indicator_target(np.array([[2, 0], [0, 1]]), owner="t")
    with pytest.raises(InvalidInputError, match="not a 0/1 indicator"):
        check_indicator_target(pd.DataFrame({"a": ["x", "y"], "b": [0, 1]}), owner="t")
    with pytest.warns(UserWarning, match=r"1 label\(s\) have no positive row \('z'\)"):
        Yc, _ = check_indicator_target(pd.DataFrame({"a": [1, 0], "z": [0, 0]}), owner="t")
    assert Yc.sum() == 1


def test_label_profile_worked_case():
    p = profile(pd.DataFrame(Y, columns=["a", "b", "c"]))
    assert isinstance(p, LabelProfile)
    assert p.counts == {"a": 4, "b": 2, "c": 2}
    assert p.irlbl == {"a": 1.0, "b": 2.0, "c": 2.0}
    assert p.mean_ir == pytest.approx(5 / 3) and p.max_ir == 2.0
    # sd with ddof=1 of (1, 2, 2) is sqrt(1/3); CVIR = sd / MeanIR
    assert p.cvir == pytest.approx(math.sqrt(1 / 3) / (5 / 3))
    row = 1 - math.sqrt(1 * 2) / 1.5  # rows with labels {1-IR, 2-IR}
    assert p.scumble == pytest.approx(3 * row / 5)
    assert p.scumble_per_label == pytest.approx({"a": 3 * row / 4, "b": row, "c": row / 2})
    assert p.cardinality == pytest.approx(1.6) and p.density == pytest.approx(1.6 / 3)
    assert p.minority_labels() == ["b", "c"] and p.head == "a"
    assert any(
        "label 'b' (2 rows) only ever appears together with the head label 'a'" in w
        for w in p.warnings
    )
    assert not any("label 'c'" in w for w in p.warnings)
    frame = p.to_frame()
    assert list(frame.columns) == ["count", "proportion", "irlbl", "scumble"]
    assert frame.loc["b", "proportion"] == pytest.approx(0.4)
    text = str(p)
    assert "MeanIR 1.67" in text and "5 samples, 3 labels" in text and "warning:" in text


def test_label_profile_empty_label_and_single_label_unchanged():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = profile(np.c_[Y, np.zeros(5, int)])
    assert math.isinf(p.irlbl[3]) and p.mean_ir == pytest.approx(5 / 3)
    assert any("no positive row" in w for w in p.warnings)
    assert isinstance(profile([0, 0, 1]), ClassProfile)
    assert p.scumble == pytest.approx(profile(Y).scumble)
