"""SMOTETomek and SMOTEENN.

Our SMOTE draws a different random stream from imbalanced-learn's, so the comparison with
imbalanced-learn is made on the cleaning step: the same over-sampled set goes through our
combination's cleaner and through imbalanced-learn's, and the results must be identical. The
combination itself must equal "SMOTE, then the cleaner" run step by step through the public API.
"""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import TomekLinks as ImbTomek
from imblearn.utils.estimator_checks import parametrize_with_checks, sample_dataset_generator
from sklearn.base import clone
from sklearn.datasets import make_classification

from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.resample import (
    RESAMPLERS,
    SMOTE,
    SMOTEENN,
    EditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)

DATA = [
    make_classification(
        n_samples=300,
        n_features=2,
        n_informative=2,
        n_redundant=0,
        weights=[0.9],
        class_sep=0.5,
        random_state=0,
    ),
    make_classification(
        n_samples=300,
        n_features=3,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        class_sep=0.6,
        random_state=1,
    ),
]

COMBINATIONS = [
    (SMOTETomek, "tomek", TomekLinks, ImbTomek),
    (SMOTEENN, "enn", EditedNearestNeighbours, ImbENN),
]


@parametrize_with_checks([SMOTEENN(random_state=0, enn=EditedNearestNeighbours(kind_sel="mode"))])
def test_imbalanced_learn_checks_custom_cleaner(estimator, check):
    check(estimator)


def test_registered_names():
    assert RESAMPLERS.get("smote-tomek") is SMOTETomek
    assert RESAMPLERS.get("smote-enn") is SMOTEENN


def _rows(X):
    """Rows as a sorted list of tuples: compare outputs as multisets of rows."""
    return sorted(map(tuple, np.asarray(X).tolist()))


# ------------------------------------------------------------------ the cleaning step vs imblearn
@pytest.mark.parametrize("combo, attr, cleaner_cls, imb_cls", COMBINATIONS)
@pytest.mark.parametrize("data", range(len(DATA)))
def test_cleaning_step_matches_imblearn_on_the_same_oversampled_set(
    combo, attr, cleaner_cls, imb_cls, data
):
    X, y = DATA[data]
    X_over, y_over = SMOTE(random_state=0).fit_resample(X, y)
    sampler = combo(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    ref_X, ref_y = imb_cls(sampling_strategy="all").fit_resample(X_over, y_over)
    assert Counter(y_res.tolist()) == Counter(ref_y.tolist())
    assert _rows(X_res) == _rows(ref_X)
    assert len(y_res) < len(y_over)  # the cleaning did something on this data
    assert getattr(sampler, f"{attr}_").get_params()["sampling_strategy"] == "all"


# ------------------------------------------------------------------ the combination, step by step
@pytest.mark.parametrize("combo, attr, cleaner_cls, imb_cls", COMBINATIONS)
def test_equals_smote_then_cleaner(combo, attr, cleaner_cls, imb_cls):
    X, y = DATA[1]
    # Defaults: SMOTE(sampling_strategy, random_state) then the cleaner with strategy 'all'.
    X_res, y_res = combo(random_state=3).fit_resample(X, y)
    X_step, y_step = cleaner_cls(sampling_strategy="all").fit_resample(
        *SMOTE(random_state=3).fit_resample(X, y)
    )
    np.testing.assert_array_equal(X_res, X_step)
    np.testing.assert_array_equal(y_res, y_step)
    # User-supplied steps are cloned and used with their own parameters and random_state.
    smote = SMOTE(k_neighbors=3, random_state=7, sampling_strategy={2: 150})
    cleaner = cleaner_cls(sampling_strategy=[0])
    sampler = combo(random_state=999, sampling_strategy="all", smote=smote, **{attr: cleaner})
    X_res, y_res = sampler.fit_resample(X, y)
    X_step, y_step = cleaner.fit_resample(*smote.fit_resample(X, y))
    np.testing.assert_array_equal(X_res, X_step)
    np.testing.assert_array_equal(y_res, y_step)
    assert sampler.smote_ is not smote and getattr(sampler, f"{attr}_") is not cleaner
    assert sampler.sampling_strategy_ == {2: 150 - Counter(y.tolist())[2]}
    assert Counter(y_res.tolist())[1] == Counter(y.tolist())[1]  # untouched by both steps


@pytest.mark.parametrize("combo, attr, cleaner_cls, imb_cls", COMBINATIONS)
def test_output_layout_and_fitted_attributes(combo, attr, cleaner_cls, imb_cls):
    X, y = DATA[0]
    sampler = combo(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")
    n_syn = sampler.n_synthetic_
    n_orig = len(X_res) - n_syn
    X_over, y_over = SMOTE(random_state=0).fit_resample(X, y)
    cleaner = getattr(sampler, f"{attr}_")
    kept = cleaner.sample_indices_  # into the over-sampled set
    # Originals first, in their original order, then the surviving synthetic rows.
    np.testing.assert_array_equal(X_res[:n_orig], X[kept[kept < len(X)]])
    np.testing.assert_array_equal(X_res[n_orig:], X_over[kept[kept >= len(X)]])
    np.testing.assert_array_equal(y_res, y_over[kept])
    assert sampler.sampling_strategy_ == sampler.smote_.sampling_strategy_ == {1: 240}
    assert 0 < n_syn <= 240


# ------------------------------------------------------------------ imblearn checks, for real
@pytest.mark.parametrize("combo", [SMOTETomek, SMOTEENN])
def test_check_dataset_properties(combo):
    X, y = sample_dataset_generator()
    before = Counter(y.tolist())
    sampler = combo(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    after = Counter(y_res.tolist())
    majority = max(before, key=before.get)
    # Over-sampled towards the majority size, then only removals: no class exceeds it, and the
    # smaller classes grew.
    assert all(after[c] <= before[majority] for c in before)
    assert all(after[c] > before[c] for c in before if c != majority)
    assert len(y_res) == len(X_res) and X_res.shape[1] == X.shape[1]
    sampler.set_params(sampling_strategy={0: 400})
    _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist())[0] <= 400


# ------------------------------------------------------------------ invariants (hypothesis)
@st.composite
def _imbalanced(draw):
    n_min = draw(st.integers(7, 12))
    n_maj = draw(st.integers(n_min + 2, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = np.concatenate([rng.normal(size=(n_maj, 2)), rng.normal(0.8, 1.0, size=(n_min, 2))])
    return X, np.array([0] * n_maj + [1] * n_min)


@settings(max_examples=20, deadline=None)
@given(data=_imbalanced(), seed=st.integers(0, 1000), which=st.sampled_from([0, 1]))
def test_invariants(data, seed, which):
    X, y = data
    combo, attr, _, _ = COMBINATIONS[which]
    sampler = combo(random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    n_orig = len(X_res) - sampler.n_synthetic_
    # The kept originals are real rows of X, in their original order.
    kept = sampler.__dict__[f"{attr}_"].sample_indices_
    originals = kept[kept < len(X)]
    np.testing.assert_array_equal(X_res[:n_orig], X[originals])
    np.testing.assert_array_equal(y_res[:n_orig], y[originals])
    assert np.all(np.diff(originals) > 0)
    # Only removals after SMOTE: no class exceeds SMOTE's count.
    smote_counts = Counter(y.tolist())
    for label, n_new in sampler.smote_.sampling_strategy_.items():
        smote_counts[label] += n_new
    assert all(Counter(y_res.tolist())[c] <= smote_counts[c] for c in smote_counts)


# ------------------------------------------------------------------ containers and dtypes
@pytest.mark.parametrize("combo", [SMOTETomek, SMOTEENN])
def test_sparse_equals_dense(combo):
    X, y = DATA[1]
    X_dense, y_dense = combo(random_state=0).fit_resample(X, y)
    X_sparse, y_sparse = combo(random_state=0).fit_resample(sp.csr_matrix(X), y)
    assert sp.issparse(X_sparse)
    np.testing.assert_allclose(X_sparse.toarray(), X_dense)
    np.testing.assert_array_equal(y_sparse, y_dense)


@pytest.mark.parametrize("combo", [SMOTETomek, SMOTEENN])
def test_containers_round_trip(combo):
    X, y = DATA[1]
    X32 = X.astype(np.float32)
    names = np.array(["dog", "cat", "emu"], dtype=object)
    X_ref, y_ref = combo(random_state=0).fit_resample(X32, y)
    assert X_ref.dtype == np.float32
    frame = pd.DataFrame(X32, columns=["a", "b", "c"])
    X_df, y_s = combo(random_state=0).fit_resample(frame, pd.Series(names[y], name="animal"))
    assert list(X_df.columns) == ["a", "b", "c"] and (X_df.dtypes == np.float32).all()
    assert y_s.name == "animal"
    np.testing.assert_array_equal(X_df.to_numpy(), X_ref)
    np.testing.assert_array_equal(y_s.to_numpy(), names[y_ref])
    X_t, y_t = combo(random_state=0).fit_resample(torch.from_numpy(X32), torch.from_numpy(y))
    assert isinstance(X_t, torch.Tensor) and X_t.dtype == torch.float32
    np.testing.assert_array_equal(X_t.numpy(), X_ref)
    np.testing.assert_array_equal(y_t.numpy(), y_ref)
    X_list, y_list = combo(random_state=0).fit_resample(X.tolist(), names[y].tolist())
    assert isinstance(X_list, list) and len(X_list) == len(y_list)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("combo, attr, cleaner_cls, imb_cls", COMBINATIONS)
def test_errors(combo, attr, cleaner_cls, imb_cls):
    X, y = DATA[0]
    with pytest.raises(InvalidParameterError, match=f"'{attr}' parameter of {combo.__name__}"):
        combo(**{attr: SMOTE()}).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match=f"'smote' parameter of {combo.__name__}"):
        combo(smote=cleaner_cls()).fit_resample(X, y)
    with pytest.raises(InvalidInputError, match="'k_neighbors' parameter of SMOTE"):
        combo(smote=SMOTE(k_neighbors=40)).fit_resample(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        combo().fit_resample(X_nan, y)
    with pytest.raises(InvalidInputError, match="at least 2 classes"):
        combo().fit_resample(X, np.zeros(len(y), dtype=int))
    # The parameters of a user's cleaner are checked too, with its own name.
    bad = cleaner_cls()
    bad.sampling_strategy = {0: 3}
    with pytest.raises(InvalidParameterError, match="cleaning method"):
        combo(**{attr: bad}).fit_resample(X, y)
    # clone() keeps the steps as parameters.
    twin = clone(combo(random_state=1, **{attr: cleaner_cls(sampling_strategy="all")}))
    assert twin.get_params()[f"{attr}__sampling_strategy"] == "all"


# ------------------------------------------------------------------ the user guide's examples
def test_user_guide_section_runs_and_prints_what_it_says(capsys):
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "resampling.md").read_text()
    section = text.split("## Cleaning and combinations", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    # TomekLinks, ENN, NearMiss, the editing rules, InstanceHardnessThreshold, ClusterCentroids, the combinations
    assert len(blocks) == 7
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/resampling.md", "exec"), namespace)
    printed = capsys.readouterr().out
    claimed = [
        line[2:].split("   ")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith("# ")
    ]
    assert claimed and all(claim in printed for claim in claimed), (claimed, printed)
