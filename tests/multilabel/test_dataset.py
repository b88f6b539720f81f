"""The derived multi-label set: offline, deterministic, labels as documented."""

import numpy as np

from equipoise.datasets import dataset_info, list_datasets, load_dataset
from equipoise.datasets._multilabel import DIGIT_LABELS, _build


def test_digits_multilabel_is_registered_and_as_documented():
    info = dataset_info("digits-multilabel")
    assert (
        info.kind == "multilabel" and "load_digits" in info.source and "Alpaydin" in info.citation
    )
    X, Y = load_dataset("digits-multilabel")
    assert X.shape == (690, 64) and Y.shape == (690, 10) and Y.dtype == np.int64
    assert Y.sum(axis=0).tolist() == [389, 254, 149, 244, 131, 170, 131, 28, 21, 17]
    X_df, Y_df = load_dataset("digits-multilabel", as_frame=True)
    assert list(Y_df.columns) == list(DIGIT_LABELS) and (Y_df.to_numpy() == Y).all()
    _, _, digit = _build()
    for j, members in enumerate(DIGIT_LABELS.values()):
        np.testing.assert_array_equal(Y[:, j], np.isin(digit, members))
    assert np.bincount(digit).tolist() == [170, 131, 101, 78, 61, 47, 36, 28, 21, 17]
    assert list_datasets("multilabel")["name"].tolist() == ["digits-multilabel"]
