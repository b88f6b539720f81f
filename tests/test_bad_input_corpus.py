"""The bad-input corpus (issue 17): every case ends in a clear equipoise error, never a raw
numpy/scipy/torch traceback and never a silently altered result.

One parametrised case per bad input. A clear error is an ``InvalidInputError`` or
``InvalidParameterError`` whose message names what is wrong (the parameter or the data), shows
the value seen as plain text (``0.5``, not ``np.float64(0.5)``; a summary, never a whole array)
and says how to fix it. The slow and exhaustive sweep is ``benchmarks/bad_inputs.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from equipoise import posthoc
from equipoise._validation import (
    Interval,
    check_labels,
    check_output_size,
    short_repr,
    validate_params,
)
from equipoise.exceptions import InvalidInputError, InvalidParameterError
from equipoise.losses import LOSSES
from equipoise.metrics import METRICS, imbalance_report
from equipoise.neighbors import kneighbors
from equipoise.profile import profile
from equipoise.resample import RESAMPLERS
from equipoise.samplers import SAMPLERS
from equipoise.weights import class_weights, sample_weights

CONTINUOUS = {
    n
    for n in RESAMPLERS.names()
    if getattr(RESAMPLERS.get(n), "_target_kind", "classes") == "continuous"
}

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y = np.array([0] * 28 + [1] * 12)
MIXED = [0, "a", 2.5] * 13 + [0]


def _clear(exc_info: pytest.ExceptionInfo, *needles: str) -> str:
    """The message is short, plain (no numpy reprs, no array dump) and contains every needle."""
    msg = str(exc_info.value)
    assert len(msg) < 600, msg
    for bad in ("np.float64(", "np.int64(", "np.str_(", "array(", "\n"):
        assert bad not in msg, msg
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"
    return msg


def _resampler(name: str, **params: object) -> object:
    cls = RESAMPLERS.get(name)
    if name == "smotenc":
        params.setdefault("categorical_features", [0])
    if "random_state" in cls._parameter_constraints:
        params.setdefault("random_state", 0)
    return cls(**params)


def _X_for(name: str) -> np.ndarray:
    if name in ("smotenc", "smoten"):
        Xc = X.copy()
        Xc[:, 0] = np.arange(40) % 3
        return Xc if name == "smotenc" else np.round(Xc).clip(-2, 2)
    return X


# ------------------------------------------------------------------------- mixed labels
MIXED_SPELLINGS = {
    "list": lambda: list(MIXED),
    "object array": lambda: np.array(MIXED, dtype=object),
    "object Series": lambda: pd.Series(MIXED, dtype=object),
}
MIXED_MSG = ("mixes label types", "int, str, float", "astype(str)")


@pytest.mark.parametrize("spelling", sorted(MIXED_SPELLINGS))
@pytest.mark.parametrize(
    "name", [n for n in RESAMPLERS.names() if RESAMPLERS.get(n)._target_kind == "classes"]
)
def test_resamplers_refuse_mixed_labels(name, spelling):
    with pytest.raises(InvalidInputError) as info:
        _resampler(name).fit_resample(_X_for(name), MIXED_SPELLINGS[spelling]())
    _clear(info, *MIXED_MSG)


@pytest.mark.parametrize("spelling", sorted(MIXED_SPELLINGS))
@pytest.mark.parametrize(
    "name",
    [
        "class-balanced",
        "square-root",
        "progressive",
        "balanced-batch",
        "distributed-class-balanced",
    ],
)
def test_samplers_refuse_mixed_labels(name, spelling):
    extra = {
        "progressive": {"num_epochs": 2},
        "balanced-batch": {"batch_size": 4},
        "distributed-class-balanced": {"num_replicas": 2, "rank": 0},
    }.get(name, {})
    with pytest.raises(InvalidInputError) as info:
        SAMPLERS.get(name)(MIXED_SPELLINGS[spelling](), **extra)
    _clear(info, *MIXED_MSG)


MIXED_ENTRY_POINTS = {
    "profile": lambda y: profile(y),
    "class_weights": lambda y: class_weights(y),
    "sample_weights": lambda y: sample_weights(y),
    "imbalance_report": lambda y: imbalance_report(y, y),
    "ThresholdTuner": lambda y: posthoc.ThresholdTuner().fit(y, np.full((40, 3), 1 / 3)),
    **{
        f"metric {m}": (lambda y, _m=m: METRICS.get(_m)(y, y, y_score=np.full((40, 3), 1 / 3)))
        for m in ("roc_auc",)
    },
    **{
        f"metric {m}": (lambda y, _m=m: METRICS.get(_m)(y, y))
        for m in ("accuracy", "macro_f1", "g_mean")
    },
}


@pytest.mark.parametrize("spelling", sorted(MIXED_SPELLINGS))
@pytest.mark.parametrize("entry", sorted(MIXED_ENTRY_POINTS))
def test_entry_points_refuse_mixed_labels(entry, spelling):
    with pytest.raises(InvalidInputError) as info:
        MIXED_ENTRY_POINTS[entry](MIXED_SPELLINGS[spelling]())
    _clear(info, "mixes", "astype(str)")


def test_one_kind_of_label_is_fine():
    # numbers of several types mix freely (numpy's promotion), strings alone too
    assert profile([0, 1.0, True, 2] * 3).counts == {0: 3, 1: 6, 2: 3}
    assert profile(np.array(["a", "b", "b"], dtype=object)).counts == {"a": 1, "b": 2}
    assert list(check_labels(pd.Series(["a", None, "b"], dtype=object), owner="t")) == [
        "a",
        None,
        "b",
    ]


def test_metrics_refuse_string_against_number_labels():
    with pytest.raises(InvalidInputError) as info:
        METRICS.get("accuracy")(Y.astype(str), Y)
    _clear(info, "mix label types", "astype")


# ------------------------------------------------------------------------------ NaN / inf
NON_FINITE = {
    "RandomOverSampler shrinkage=nan": (
        lambda: _resampler("random-over", shrinkage=math.nan).fit_resample(X, Y),
        "'shrinkage'",
    ),
    "RandomOverSampler shrinkage=inf": (
        lambda: _resampler("random-over", shrinkage=math.inf).fit_resample(X, Y),
        "'shrinkage'",
    ),
    "RandomOverSampler shrinkage={1: nan}": (
        lambda: _resampler("random-over", shrinkage={0: 0.0, 1: math.nan}).fit_resample(X, Y),
        "shrinkage",
    ),
    "SMOTE sampling_strategy=nan": (
        lambda: _resampler("smote", sampling_strategy=math.nan).fit_resample(X, Y),
        "sampling_strategy",
    ),
    "NearMiss sampling_strategy=inf": (
        lambda: _resampler("near-miss", sampling_strategy=math.inf).fit_resample(X, Y),
        "sampling_strategy",
    ),
    "NeighbourhoodCleaningRule threshold_cleaning=inf": (
        lambda: _resampler("neighbourhood-cleaning-rule", threshold_cleaning=math.inf).fit_resample(
            X, Y
        ),
        "'threshold_cleaning'",
    ),
    "SVMSMOTE out_step=inf": (
        lambda: _resampler("svm-smote", out_step=math.inf).fit_resample(X, Y),
        "'out_step'",
    ),
    "class_weights beta=nan": (
        lambda: class_weights(Y, scheme="effective_number", beta=math.nan),
        "'beta'",
    ),
    "sample_weights beta=inf": (
        lambda: sample_weights(Y, scheme="effective_number", beta=math.inf),
        "'beta'",
    ),
    "ClassBalancedSampler q=nan": (lambda: SAMPLERS.get("class-balanced")(Y, q=math.nan), "'q'"),
    "FocalLoss gamma=inf": (lambda: LOSSES.get("focal")(gamma=math.inf), "gamma"),
    "LDAMLoss s=nan": (lambda: LOSSES.get("ldam")(margins=torch.ones(2), s=math.nan), "'s'"),
    "logit_adjust tau=nan": (
        lambda: posthoc.logit_adjust(np.zeros((2, 2)), [1, 1], tau=math.nan),
        "tau",
    ),
    "tau_normalize tau=inf": (lambda: posthoc.tau_normalize(np.ones((2, 2)), math.inf), "tau"),
    "ThresholdTuner tol=inf": (
        lambda: posthoc.ThresholdTuner(tol=math.inf).fit(Y, RNG.uniform(size=40)),
        "'tol'",
    ),
    "geometric_mean_score correction=nan": (
        lambda: __import__("equipoise.metrics", fromlist=["x"]).geometric_mean_score(
            Y, Y, correction=math.nan
        ),
        "'correction'",
    ),
}


@pytest.mark.parametrize("case", sorted(NON_FINITE))
def test_non_finite_parameters_are_refused(case):
    run, needle = NON_FINITE[case]
    with pytest.raises((InvalidParameterError, InvalidInputError)) as info:
        run()
    _clear(info, needle)


def test_interval_refuses_inf_unless_allowed():
    assert not Interval(float, 0, None, closed="left").accepts(math.inf)
    assert not Interval(float, None, None).accepts(-math.inf)
    assert Interval(float, 0, None, closed="left", allow_inf=True).accepts(math.inf)
    assert not Interval(float, 0, None, closed="left", allow_inf=True).accepts(math.nan)
    assert not Interval(float, 0, 1).accepts(np.float64("nan"))
    with pytest.raises(InvalidParameterError) as info:
        validate_params("F", {"beta": math.inf}, {"beta": [Interval(float, 0, 1)]})
    assert str(info.value) == (
        "The 'beta' parameter of F must be a float in the range [0, 1]; got inf. "
        "NaN and infinite values are not accepted: pass a finite number."
    )


# ------------------------------------------------------------------ sparse ties in k-NN
def _grid() -> tuple[np.ndarray, np.ndarray]:
    pts = np.array([[i % 4, i // 4 % 3] for i in range(36)], dtype=np.float64)  # many exact ties
    return pts, np.array([0] * 24 + [1] * 12)


@pytest.mark.parametrize("name", ["tomek-links", "edited-nearest-neighbours", "smote", "adasyn"])
def test_sparse_ties_give_the_dense_rows(name):
    pts, labels = _grid()
    Xs, ys = _resampler(name).fit_resample(sp.csr_matrix(pts), labels)
    Xd, yd = _resampler(name).fit_resample(pts, labels)
    assert sp.issparse(Xs)
    np.testing.assert_array_equal(Xs.toarray(), Xd)
    np.testing.assert_array_equal(ys, yd)


def test_sparse_kneighbors_ties_match_dense():
    pts, _ = _grid()
    dist_d, ind_d = kneighbors(pts, 6, method="sklearn")
    dist_s, ind_s = kneighbors(sp.csr_matrix(pts), 6, method="sklearn")
    np.testing.assert_array_equal(ind_s, ind_d)
    np.testing.assert_allclose(dist_s, dist_d)
    q = pts[:5] + 0.5
    np.testing.assert_array_equal(
        kneighbors(sp.csr_matrix(pts), 4, query=sp.csr_matrix(q), method="sklearn")[1],
        kneighbors(pts, 4, query=q, method="sklearn")[1],
    )


# ---------------------------------------------------------------------------- the rest
def test_profile_k_neighbors_must_be_an_int():
    with pytest.raises(InvalidParameterError) as info:
        profile(Y, k_neighbors="5")
    _clear(info, "'k_neighbors' parameter of profile", "got '5'", "not a string")
    with pytest.raises(InvalidParameterError):
        profile(Y, k_neighbors=2.5)


@pytest.mark.parametrize("seed", [2**64, -1, "1", 1.5])
@pytest.mark.parametrize("name", ["class-balanced", "balanced-batch", "distributed-class-balanced"])
def test_sampler_seed_out_of_range(name, seed):
    extra = {
        "balanced-batch": {"batch_size": 4},
        "distributed-class-balanced": {"num_replicas": 2, "rank": 0},
    }.get(name, {})
    with pytest.raises(InvalidParameterError) as info:
        SAMPLERS.get(name)(Y, seed=seed, **extra)
    _clear(info, "'seed'", "[0, 2**63 - 1]", f"got {seed!r}")


def test_sampler_largest_seed_and_late_epochs_draw():
    sampler = SAMPLERS.get("class-balanced")(Y, seed=2**63 - 1)
    sampler.set_epoch(2**63 + 5)  # seed + epoch wraps modulo 2**64 instead of overflowing
    assert len(list(sampler)) == len(Y)


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in RESAMPLERS.names()
        if RESAMPLERS.get(n)._sampling_type == "over-sampling"
        and RESAMPLERS.get(n)._target_kind == "classes"
    ],
)
def test_over_samplers_refuse_a_result_larger_than_memory(name):
    with pytest.raises(InvalidParameterError) as info:
        _resampler(name, sampling_strategy={0: 28, 1: 10**12}).fit_resample(_X_for(name), Y)
    _clear(info, "1,000,000,000,028 rows", "GiB", "available", "fewer samples")


def test_samplers_refuse_an_epoch_larger_than_memory():
    with pytest.raises(InvalidParameterError) as info:
        SAMPLERS.get("class-balanced")(Y, num_samples=10**15)
    _clear(info, "GiB", "num_samples")


def test_check_output_size_message():
    with pytest.raises(InvalidParameterError) as info:
        check_output_size(2**40, 1024, 8, owner="T")
    _clear(info, "T would build", "8,388,608.0 GiB")
    check_output_size(10, 10, 8, owner="T")


def test_smotenc_float16_upcasts_distances_only():
    Xh = _X_for("smotenc").astype(np.float16)
    X_res, y_res = _resampler("smotenc").fit_resample(Xh, Y)
    assert X_res.dtype == np.float16 and len(y_res) == 56
    assert np.all(np.isfinite(X_res.astype(np.float64)))
    np.testing.assert_array_equal(X_res[:40], Xh)


@pytest.mark.parametrize("name", ["smote", "tomek-links", "smotenc", "near-miss", "random-over"])
def test_complex_X_is_refused_with_a_summary(name):
    Xc = _X_for(name) + 1j
    if name == "random-over":  # accepts any dtype (it copies rows): only the numeric ones refuse
        X_res, _ = _resampler(name).fit_resample(Xc, Y)
        assert X_res.dtype == Xc.dtype
        return
    with pytest.raises(InvalidInputError) as info:
        _resampler(name).fit_resample(Xc, Y)
    msg = _clear(info, "complex", "real")
    assert "0.j" not in msg and "1j" not in msg  # no array contents


@pytest.mark.parametrize("kind", ["tensor", "sparse"])
def test_complex_X_other_containers(kind):
    Xc = (
        torch.complex(torch.ones(40, 3), torch.ones(40, 3))
        if kind == "tensor"
        else sp.csr_matrix(X + 1j)
    )
    with pytest.raises(InvalidInputError) as info:
        _resampler("smote").fit_resample(Xc, Y)
    _clear(info, "complex")


STRING_NUMBERS = {
    "ThresholdTuner scores": lambda: posthoc.ThresholdTuner().fit(Y, np.full(40, "a")),
    "logit_adjust logits": lambda: posthoc.logit_adjust(np.full((4, 2), "a"), [1, 1]),
    "tau_normalize weight": lambda: posthoc.tau_normalize(np.full((2, 2), "a"), 1.0),
    "imbalance_report y_score": lambda: imbalance_report(Y, Y, y_score=np.full(40, "a")),
    "SMOTE X": lambda: _resampler("smote").fit_resample(np.full((40, 3), "a"), Y),
    "SMOTENC continuous columns": lambda: _resampler("smotenc").fit_resample(
        np.column_stack([np.arange(40) % 3, np.full((40, 2), "a")]).astype(object), Y
    ),
}


@pytest.mark.parametrize("case", sorted(STRING_NUMBERS))
def test_strings_where_numbers_belong(case):
    with pytest.raises(InvalidInputError) as info:
        STRING_NUMBERS[case]()
    _clear(info)


@pytest.mark.parametrize("fn", ["logit_adjust", "tau_normalize"])
@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_posthoc_refuses_nan(fn, kind):
    values = np.array([[1.0, math.nan], [0.5, 0.2]])
    values = torch.from_numpy(values) if kind == "torch" else values
    with pytest.raises(InvalidInputError) as info:
        posthoc.logit_adjust(values, [1, 1]) if fn == "logit_adjust" else posthoc.tau_normalize(
            values, 1.0
        )
    _clear(info, "NaN")


LABELS_NOT_SCORES = {
    "accuracy y_pred scores": lambda: METRICS.get("accuracy")(Y, RNG.uniform(size=40)),
    "imbalance_report y_pred scores": lambda: imbalance_report(Y, RNG.uniform(size=40)),
    "imbalance_report train_counts negative": lambda: imbalance_report(
        Y, Y, train_counts={0: 10, 1: -1}
    ),
    "imbalance_report train_counts nan": lambda: imbalance_report(
        Y, Y, train_counts={0: 10, 1: math.nan}
    ),
    "imbalance_report train_counts labels mixed": lambda: imbalance_report(
        Y, Y, train_counts={0: 10, "a": 3}
    ),
    "roc_auc y_score of the wrong width": lambda: METRICS.get("roc_auc")(
        np.arange(40) % 4, np.arange(40) % 4, y_score=np.ones((40, 3))
    ),
}


@pytest.mark.parametrize("case", sorted(LABELS_NOT_SCORES))
def test_metric_inputs(case):
    with pytest.raises(InvalidInputError) as info:
        LABELS_NOT_SCORES[case]()
    _clear(info)


def test_messages_print_plain_short_values():
    assert short_repr(np.float64(0.1257)) == "0.1257"
    assert short_repr(np.int64(3)) == "3"
    assert short_repr(np.zeros((1000, 3))) == "an array of shape (1000, 3) and dtype float64"
    assert short_repr(list(range(100))).startswith("a list of 100 items (0, 1, 2, 3, 4, ...)")
    assert len(short_repr("x" * 1000)) <= 80
    with pytest.raises(InvalidInputError) as info:
        _resampler("smote").fit_resample(X, RNG.normal(size=40))
    _clear(info, "looks continuous")
    with pytest.raises(InvalidInputError) as info:
        _resampler("smote").fit_resample(X, np.zeros(40, dtype=np.int64))
    _clear(info, "got only class 0 ")
    with pytest.raises(InvalidParameterError) as info:
        validate_params("T", {"k": np.zeros((500, 500))}, {"k": [Interval(int, 1, None)]})
    _clear(info, "got an array of shape (500, 500)")


SECOND_WAVE = {
    "SMOTE ragged rows": (
        lambda: _resampler("smote").fit_resample([[1.0, 2.0]] * 39 + [[1.0]], Y),
        "same number of features",
    ),
    "TomekLinks ragged rows": (
        lambda: _resampler("tomek-links").fit_resample([[1.0, 2.0]] * 39 + [[1.0]], Y),
        "2-D array",
    ),
    "logit_adjust prior strings": (
        lambda: posthoc.logit_adjust(np.zeros((2, 3)), ["a", "b", "c"]),
        "'prior'",
    ),
    "logit_adjust prior dict": (
        lambda: posthoc.logit_adjust(np.zeros((2, 3)), {0: 1, 1: 2, 2: 3}),
        "'prior'",
    ),
    "imbalance_report many=nan": (
        lambda: imbalance_report(Y, Y, train_counts={0: 28, 1: 12}, many=math.nan),
        "'many'",
    ),
    "imbalance_report few='20'": (
        lambda: imbalance_report(Y, Y, train_counts={0: 28, 1: 12}, few="20"),
        "'few'",
    ),
    "imbalance_report few > many": (
        lambda: imbalance_report(Y, Y, train_counts={0: 28, 1: 12}, many=5, few=50),
        "few=50",
    ),
}


@pytest.mark.parametrize("case", sorted(SECOND_WAVE))
def test_second_wave(case):
    run, needle = SECOND_WAVE[case]
    with pytest.raises((InvalidInputError, InvalidParameterError)) as info:
        run()
    _clear(info, needle)


def test_smotenc_takes_a_tensor_as_a_numpy_copy():
    Xc = _X_for("smotenc")
    X_t, y_t = _resampler("smotenc").fit_resample(torch.as_tensor(Xc), Y)
    X_n, y_n = _resampler("smotenc").fit_resample(Xc, Y)
    assert isinstance(X_t, torch.Tensor) and X_t.dtype == torch.float64
    np.testing.assert_array_equal(X_t.numpy(), X_n)
    np.testing.assert_array_equal(np.asarray(y_t), y_n)


def test_resampled_dataset_refuses_an_epoch_larger_than_memory():
    from equipoise.online import ResampledDataset

    data = list(zip(X.astype(np.float32), Y))
    with pytest.raises(InvalidParameterError) as info:
        ResampledDataset(data, labels=Y, sampling_strategy={0: 28, 1: 10**15})
    _clear(info, "ResampledDataset would build an epoch's index", "GiB")


NUMPY_SCALARS = {
    "sampling_strategy count np.float64(12.5)": lambda: _resampler(
        "smote", sampling_strategy={1: np.float64(12.5)}
    ).fit_resample(X, Y),
    "random_state np.int64(-1)": lambda: _resampler(
        "smote", random_state=np.int64(-1)
    ).fit_resample(X, Y),
    "q np.float64(nan)": lambda: SAMPLERS.get("class-balanced")(Y, q=np.float64("nan")),
    "batch_size np.int64(0)": lambda: SAMPLERS.get("balanced-batch")(Y, batch_size=np.int64(0)),
    "k_neighbors np.float64(5.5)": lambda: _resampler(
        "smote", k_neighbors=np.float64(5.5)
    ).fit_resample(X, Y),
}


@pytest.mark.parametrize("case", sorted(NUMPY_SCALARS))
def test_numpy_scalars_print_plainly(case):
    with pytest.raises((InvalidInputError, InvalidParameterError)) as info:
        NUMPY_SCALARS[case]()
    msg = _clear(info)
    assert "np." not in msg


@pytest.mark.parametrize("label", [3, np.int64(3), np.array(3)])
def test_a_single_label_for_y_is_refused_clearly(label):
    from equipoise.resample import RandomOverSampler

    with pytest.raises(InvalidInputError, match="one label per row of X"):
        RandomOverSampler().fit_resample(np.zeros((20, 2)), label)
