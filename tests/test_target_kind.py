import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from equipoise._validation import target_kind
from equipoise.exceptions import InvalidInputError


def test_kinds():
    assert target_kind(["a", "b"]) == "classes"
    assert target_kind(np.array([1.0, 2.0])) == "classes"
    assert target_kind(np.array([1.5, 2.0])) == "continuous"
    assert target_kind(pd.Series([0.1, 0.2])) == "continuous"
    assert target_kind(np.array([[1], [0]])) == "classes"
    assert target_kind(sp.csr_matrix(np.eye(3))) == "multilabel"
    assert target_kind(pd.DataFrame({"a": [True, False], "b": [1, 1]}).astype(bool)) == "multilabel"
    torch = pytest.importorskip("torch")
    assert target_kind(torch.eye(3)) == "multilabel"
    with pytest.raises(InvalidInputError, match="not a 0/1 indicator"):
        target_kind(np.array([[1, 2], [0, 1]]))
    with pytest.raises(InvalidInputError, match="got None"):
        target_kind(None)
