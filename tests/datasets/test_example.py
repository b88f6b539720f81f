import numpy as np
import pandas as pd
from sklearn.datasets import make_classification

from equipoise.datasets import load_example


def test_exactly_the_tutorial_call():
    X, y = load_example()
    X_ref, y_ref = make_classification(
        n_classes=2,
        class_sep=2,
        weights=[0.9, 0.1],
        n_informative=3,
        n_redundant=1,
        flip_y=0,
        n_features=20,
        n_clusters_per_class=1,
        n_samples=1000,
        random_state=42,
    )
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert np.bincount(y).tolist() == [900, 100]


def test_as_frame():
    X, y = load_example(as_frame=True)
    assert isinstance(X, pd.DataFrame) and list(X.columns) == [f"feature_{j}" for j in range(20)]
    assert isinstance(y, pd.Series) and y.name == "target" and y.sum() == 100
    np.testing.assert_array_equal(X.to_numpy(), load_example()[0])
