"""Sweep: feed bad inputs to every public entry point and count what happens.

Each case is one bad input (wrong type, shape, empty, single class, NaN/inf, a string where a
number belongs, negative or huge counts, mixed label types, ...) given to one resampler
(``RESAMPLERS``), sampler (``SAMPLERS``), loss (``LOSSES``, forward with bad targets/shapes),
``class_weights``/``sample_weights``, ``profile``, ``imbalance_report``, the post-hoc tools
(``ThresholdTuner``, ``logit_adjust``, ``tau_normalize``) or a metric (``METRICS``). Outcomes:

- ``clear``: an equipoise error (``EquipoiseError``) with a short message (at most 600
  characters, no numpy scalar reprs such as ``np.float64(``);
- ``messy``: an equipoise error whose message is too long or prints numpy reprs;
- ``traceback``: any other exception (a raw numpy/scipy/torch error);
- ``silent``: no error on bad data (the worst outcome);
- ``handled``: cases whose input is legal but was once mishandled (sparse ties, float16), when
  the result passes the case's own check (``wrong`` when it does not).

Run: ``python benchmarks/bad_inputs.py [--verbose] [--family NAME]`` (1,329 cases, about 20 s on
2 busy cores). ``--verbose`` lists every case that is not ``clear``/``handled``, with the start of
its message. The table before and after the hardening is in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from equipoise import posthoc
from equipoise.exceptions import EquipoiseError
from equipoise.losses import LOSSES
from equipoise.metrics import METRICS, imbalance_report
from equipoise.profile import profile
from equipoise.resample import RESAMPLERS
from equipoise.samplers import SAMPLERS
from equipoise.weights import class_weights, sample_weights

OUTCOMES = ("clear", "handled", "messy", "traceback", "silent", "wrong")


@dataclass
class Case:
    family: str
    name: str
    run: Callable[[], object]
    check: Callable[[object], bool] | None = None  # legal input: the result must pass this


CASES: list[Case] = []


def case(
    family: str, name: str, run: Callable[[], object], check: Callable[[object], bool] | None = None
) -> None:
    CASES.append(Case(family, name, run, check))


# ------------------------------------------------------------------------------------ data
rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3))
y = np.array([0] * 28 + [1] * 12)
MIXED = np.array([0, "a", 2.5] * 13 + [0], dtype=object)
MIXED_LIST = [0, "a", 2.5] * 13 + [0]


def _tied_data() -> tuple[np.ndarray, np.ndarray]:
    """Integer grid points: many exactly tied distances."""
    pts = np.array([[i % 4, i // 4 % 3] for i in range(36)], dtype=np.float64)
    labels = np.array([0] * 24 + [1] * 12)
    return pts, labels


XT, YT = _tied_data()


def _resampler(name: str, **params: object) -> object:
    cls = RESAMPLERS.get(name)
    if name == "smotenc":
        params.setdefault("categorical_features", [0])
    if "random_state" in cls._parameter_constraints:
        params.setdefault("random_state", 0)
    return cls(**params)


def _is_over(name: str) -> bool:
    return getattr(RESAMPLERS.get(name), "_sampling_type", "") == "over-sampling"


def _X_for(name: str) -> np.ndarray:
    if name == "smotenc":
        Xc = X.copy()
        Xc[:, 0] = rng.integers(0, 3, size=len(X))
        return Xc
    if name == "smoten":
        return rng.integers(0, 3, size=X.shape).astype(np.float64)
    return X


def _same_as_dense(name: str) -> Callable[[], object]:
    def run() -> object:
        Xs, ys = _resampler(name).fit_resample(sp.csr_matrix(XT), YT)
        Xd, yd = _resampler(name).fit_resample(XT, YT)
        return Xs.toarray(), ys, Xd, yd

    return run


def _equal_pair(result: object) -> bool:
    Xs, ys, Xd, yd = result  # type: ignore[misc]
    return Xs.shape == Xd.shape and np.allclose(Xs, Xd) and np.array_equal(ys, yd)


def resampler_cases() -> None:
    for name in RESAMPLERS.names():
        Xn = _X_for(name)

        def fit(Xb: object, yb: object, _n: str = name, **p: object) -> Callable[[], object]:
            return lambda: _resampler(_n, **p).fit_resample(Xb, yb)

        case("resample", f"{name}: X 1-D", fit(Xn[:, 0], y))
        case("resample", f"{name}: X 3-D", fit(Xn.reshape(40, 3, 1), y))
        case("resample", f"{name}: X empty", fit(Xn[:0], y[:0]))
        case("resample", f"{name}: y wrong length", fit(Xn, y[:-3]))
        case("resample", f"{name}: y single class", fit(Xn, np.zeros(40, dtype=int)))
        case("resample", f"{name}: y continuous", fit(Xn, rng.normal(size=40)))
        case("resample", f"{name}: y None", fit(Xn, None))
        case("resample", f"{name}: y mixed types (object array)", fit(Xn, MIXED))
        case("resample", f"{name}: y mixed types (list)", fit(Xn, MIXED_LIST))
        case("resample", f"{name}: y mixed types (Series)", fit(Xn, pd.Series(MIXED)))
        if name not in ("random-over", "random-under", "smoten"):  # these take any values
            Xnan = Xn.copy()
            Xnan[3, 1] = np.nan
            case("resample", f"{name}: X with NaN", fit(Xnan, y))
            Xinf = Xn.copy()
            Xinf[3, 1] = np.inf
            case("resample", f"{name}: X with inf", fit(Xinf, y))
            case("resample", f"{name}: X complex", fit(Xn + 1j, y))
            case("resample", f"{name}: X strings", fit(np.full(Xn.shape, "a"), y))
        case("resample", f"{name}: sampling_strategy nan", fit(Xn, y, sampling_strategy=math.nan))
        case("resample", f"{name}: sampling_strategy 'most'", fit(Xn, y, sampling_strategy="most"))
        if _is_over(name):
            case(
                "resample",
                f"{name}: 10**12 rows asked",
                fit(Xn, y, sampling_strategy={0: 28, 1: 10**12}),
            )
        if "random_state" in RESAMPLERS.get(name)._parameter_constraints:
            case("resample", f"{name}: random_state 'abc'", fit(Xn, y, random_state="abc"))
            case("resample", f"{name}: random_state -1", fit(Xn, y, random_state=-1))
        for param in ("k_neighbors", "n_neighbors"):
            if param in RESAMPLERS.get(name)._parameter_constraints:
                case("resample", f"{name}: {param}='5'", fit(Xn, y, **{param: "5"}))
                case("resample", f"{name}: {param}=nan", fit(Xn, y, **{param: math.nan}))
        case("resample", f"{name}: X scalar", fit(3.0, y))
        case("resample", f"{name}: X ragged lists", fit([[1.0, 2.0]] * 39 + [[1.0]], y))
        case("resample", f"{name}: y 2-D not one-hot", fit(Xn, np.ones((40, 2))))
        case(
            "resample",
            f"{name}: y with None",
            fit(Xn, np.array([None] + [0] * 27 + [1] * 12, dtype=object)),
        )
        case(
            "resample",
            f"{name}: y strings with NaN",
            fit(Xn, pd.Series(["a"] * 28 + ["b"] * 11 + [None])),
        )
        case("resample", f"{name}: y tensor continuous", fit(Xn, torch.randn(40)))
        case("resample", f"{name}: sampling_strategy -0.5", fit(Xn, y, sampling_strategy=-0.5))
        case(
            "resample",
            f"{name}: sampling_strategy unknown class",
            fit(Xn, y, sampling_strategy={7: 40}),
        )
        case(
            "resample",
            f"{name}: sampling_strategy negative count",
            fit(Xn, y, sampling_strategy={1: -4}),
        )
        case(
            "resample",
            f"{name}: sampling_strategy float count",
            fit(Xn, y, sampling_strategy={1: 12.5}),
        )
        case(
            "resample",
            f"{name}: sampling_strategy callable returns str",
            fit(Xn, y, sampling_strategy=lambda yy: "x"),
        )
        case(
            "resample", f"{name}: sampling_strategy object", fit(Xn, y, sampling_strategy=object())
        )
        if "n_jobs" in RESAMPLERS.get(name)._parameter_constraints:
            case("resample", f"{name}: n_jobs '2'", fit(Xn, y, n_jobs="2"))
            case("resample", f"{name}: n_jobs 0", fit(Xn, y, n_jobs=0))
        for param in ("k_neighbors", "n_neighbors"):
            if param in RESAMPLERS.get(name)._parameter_constraints:
                case("resample", f"{name}: {param}=10**9", fit(Xn, y, **{param: 10**9}))
                case("resample", f"{name}: {param}=0", fit(Xn, y, **{param: 0}))
        if name not in ("random-over", "random-under", "smoten"):
            Xs = sp.csr_matrix(Xn)
            Xs.data[0] = np.nan
            case("resample", f"{name}: sparse X with NaN", fit(Xs, y))
            Xt = torch.as_tensor(Xn.copy())
            Xt[0, 1] = math.nan
            case("resample", f"{name}: tensor X with NaN", fit(Xt, y))
            frame = pd.DataFrame(Xn, columns=["a", "b", "c"]).assign(c=["x"] * 40)
            if name != "smotenc":
                case("resample", f"{name}: DataFrame with a string column", fit(frame, y))
        if name in ("tomek-links", "edited-nearest-neighbours", "smote", "adasyn"):
            case(
                "resample",
                f"{name}: sparse X with tied distances",
                _same_as_dense(name),
                _equal_pair,
            )
    case("resample", "random-over: shrinkage nan", fit(X, y, _n="random-over", shrinkage=math.nan))
    case("resample", "random-over: shrinkage inf", fit(X, y, _n="random-over", shrinkage=math.inf))
    case(
        "resample",
        "random-over: shrinkage {1: nan}",
        fit(X, y, _n="random-over", shrinkage={0: 0.0, 1: math.nan}),
    )
    case(
        "resample",
        "random-over: shrinkage {1: inf}",
        fit(X, y, _n="random-over", shrinkage={0: 0.0, 1: math.inf}),
    )
    X16 = _X_for("smotenc").astype(np.float16)
    case(
        "resample",
        "smotenc: float16 X",
        lambda: _resampler("smotenc").fit_resample(X16, y),
        lambda r: bool(np.all(np.isfinite(np.asarray(r[0], dtype=np.float64)))),  # type: ignore[index]
    )


# ------------------------------------------------------------------------------- samplers
def _draw(sampler: object) -> object:
    it = iter(sampler)  # type: ignore[call-overload]
    return next(it)


def sampler_cases() -> None:
    labels = torch.as_tensor(y)
    for name, factory in SAMPLERS.items():
        extra: dict = {}
        if "balanced-batch" in name:
            extra["batch_size"] = 4
        if name == "progressive":
            extra["num_epochs"] = 3
        if name.startswith("distributed"):
            extra.update(num_replicas=2, rank=0)

        def build(
            lab: object, _f: Callable = factory, _e: dict = extra, **p: object
        ) -> Callable[[], object]:
            return lambda: _draw(_f(lab, **{**_e, **p}))

        case("samplers", f"{name}: labels mixed (object array)", build(MIXED))
        case("samplers", f"{name}: labels mixed (list)", build(MIXED_LIST))
        case("samplers", f"{name}: labels empty", build(np.array([], dtype=int)))
        case("samplers", f"{name}: labels 2-D", build(np.zeros((40, 3))))
        case("samplers", f"{name}: labels with NaN", build(np.array([0.0, np.nan] * 20)))
        case("samplers", f"{name}: labels continuous", build(rng.normal(size=40)))
        case("samplers", f"{name}: seed 2**64", build(labels, seed=2**64))
        case("samplers", f"{name}: seed -1", build(labels, seed=-1))
        case("samplers", f"{name}: seed '1'", build(labels, seed="1"))
        if "balanced-batch" not in name:
            case("samplers", f"{name}: num_samples 10**12", build(labels, num_samples=10**12))
            case("samplers", f"{name}: num_samples 0", build(labels, num_samples=0))
        if name in ("class-balanced", "distributed-class-balanced"):
            case("samplers", f"{name}: q nan", build(labels, q=math.nan))
            case("samplers", f"{name}: q inf", build(labels, q=math.inf))
            case("samplers", f"{name}: q '1'", build(labels, q="1"))
        case("samplers", f"{name}: labels tensor float continuous", build(torch.randn(40)))
        case("samplers", f"{name}: labels None", build(None))
        case("samplers", f"{name}: labels scalar", build(3))
        case("samplers", f"{name}: labels_from unknown", build(list(zip(X, y)), labels_from="nope"))
        case(
            "samplers",
            f"{name}: set_epoch -1",
            lambda _f=factory, _e=extra: _f(labels, **_e).set_epoch(-1),
        )
        case(
            "samplers",
            f"{name}: set_epoch '1'",
            lambda _f=factory, _e=extra: _f(labels, **_e).set_epoch("1"),
        )
        if name.startswith("distributed"):
            case("samplers", f"{name}: rank >= num_replicas", build(labels, rank=5))
            case("samplers", f"{name}: num_replicas 0", build(labels, num_replicas=0))
        if name == "progressive":
            case("samplers", f"{name}: num_epochs 0", build(labels, num_epochs=0))
            case("samplers", f"{name}: q_start nan", build(labels, q_start=math.nan))
        if "balanced-batch" in name:
            case(
                "samplers",
                f"{name}: classes_per_batch > classes",
                build(labels, classes_per_batch=5),
            )
            case("samplers", f"{name}: samples_per_class 0", build(labels, samples_per_class=0))
            case("samplers", f"{name}: batch_size 0", build(labels, batch_size=0))
            case("samplers", f"{name}: batch_size nan", build(labels, batch_size=math.nan))


# --------------------------------------------------------------------------------- losses
def _loss(name: str, **p: object) -> torch.nn.Module:
    counts = torch.tensor([30.0, 10.0, 5.0])
    base: dict = {
        "class-balanced": {"weight": counts / counts.sum()},
        "ldam": {"margins": 0.5 / counts.pow(0.25)},
        "balanced-softmax": {"prior": counts / counts.sum()},
        "logit-adjusted": {"prior": counts / counts.sum()},
    }.get(name, {})
    return LOSSES.get(name)(**{**base, **p})


def loss_cases() -> None:
    logits = torch.randn(6, 3)
    target = torch.tensor([0, 1, 2, 0, 1, 2])
    for name in LOSSES.names():

        def fwd(inp: object, tgt: object, _n: str = name, **p: object) -> Callable[[], object]:
            return lambda: _loss(_n, **p)(inp, tgt)

        case(
            "losses", f"{name}: target out of range", fwd(logits, torch.tensor([0, 1, 5, 0, 1, 2]))
        )
        case("losses", f"{name}: target negative", fwd(logits, torch.tensor([0, 1, -3, 0, 1, 2])))
        case("losses", f"{name}: target wrong length", fwd(logits, target[:4]))
        case("losses", f"{name}: target float labels", fwd(logits, target.float() + 0.5))
        case("losses", f"{name}: input 1-D", fwd(logits[:, 0], target))
        # torch's convention, kept: NaN logits give a NaN loss (no check that syncs every step).
        case(
            "losses",
            f"{name}: input NaN",
            fwd(torch.full((6, 3), math.nan), target),
            lambda r: bool(torch.isnan(r)),
        )
        if name not in ("cross-entropy", "focal"):
            case("losses", f"{name}: input 4 classes, 3 configured", fwd(torch.randn(6, 4), target))
        case("losses", f"{name}: reduction 'avg'", fwd(logits, target, reduction="avg"))
        case(
            "losses", f"{name}: label_smoothing nan", fwd(logits, target, label_smoothing=math.nan)
        )
        case("losses", f"{name}: label_smoothing 1.5", fwd(logits, target, label_smoothing=1.5))
        case("losses", f"{name}: target 2-D wrong width", fwd(logits, torch.ones(6, 5) / 5))
        case("losses", f"{name}: target numpy", fwd(logits, target.numpy()))
        case("losses", f"{name}: input numpy", fwd(logits.numpy(), target))
        case("losses", f"{name}: input int", fwd(torch.ones(6, 3, dtype=torch.long), target))
        case("losses", f"{name}: ignore_index '1'", fwd(logits, target, ignore_index="1"))
        case("losses", f"{name}: ignore_index nan", fwd(logits, target, ignore_index=math.nan))
    case("losses", "focal: gamma nan", fwd(logits, target, _n="focal", gamma=math.nan))
    case("losses", "focal: gamma -1", fwd(logits, target, _n="focal", gamma=-1.0))
    case(
        "losses", "focal: alpha wrong length", fwd(logits, target, _n="focal", alpha=torch.ones(5))
    )
    case("losses", "focal: alpha negative", fwd(logits, target, _n="focal", alpha=-0.25))
    case(
        "losses",
        "ldam: margins negative",
        fwd(logits, target, _n="ldam", margins=torch.tensor([0.1, -0.2, 0.3])),
    )
    case(
        "losses",
        "ldam: margins nan",
        fwd(logits, target, _n="ldam", margins=torch.tensor([0.1, math.nan, 0.3])),
    )
    case(
        "losses",
        "class-balanced: weight negative",
        fwd(logits, target, _n="class-balanced", weight=torch.tensor([1.0, -1.0, 1.0])),
    )
    case(
        "losses",
        "class-balanced: loss unknown",
        fwd(logits, target, _n="class-balanced", loss="hinge"),
    )
    case(
        "losses",
        "cross-entropy: weight wrong length",
        fwd(logits, target, _n="cross-entropy", weight=torch.ones(5)),
    )
    case(
        "losses",
        "balanced-softmax: prior zeros",
        fwd(logits, target, _n="balanced-softmax", prior=torch.zeros(3)),
    )
    case(
        "losses",
        "logit-adjusted: prior nan",
        fwd(logits, target, _n="logit-adjusted", prior=torch.tensor([0.5, math.nan, 0.5])),
    )
    case("losses", "logit-adjusted: tau '1'", fwd(logits, target, _n="logit-adjusted", tau="1"))
    case("losses", "focal: gamma inf", fwd(logits, target, _n="focal", gamma=math.inf))
    case("losses", "focal: gamma '2'", fwd(logits, target, _n="focal", gamma="2"))
    case("losses", "focal: alpha nan", fwd(logits, target, _n="focal", alpha=math.nan))
    case("losses", "ldam: s inf", fwd(logits, target, _n="ldam", s=math.inf))
    case(
        "losses", "logit-adjusted: tau nan", fwd(logits, target, _n="logit-adjusted", tau=math.nan)
    )
    case(
        "losses",
        "cross-entropy: weight with nan",
        fwd(logits, target, _n="cross-entropy", weight=torch.tensor([1.0, math.nan, 1.0])),
    )
    case(
        "losses",
        "balanced-softmax: prior negative",
        fwd(logits, target, _n="balanced-softmax", prior=torch.tensor([0.5, -0.1, 0.6])),
    )


# -------------------------------------------------------------------------------- weights
def weights_cases() -> None:
    for fn in (class_weights, sample_weights):
        n = fn.__name__
        case("weights", f"{n}: y mixed (object array)", lambda f=fn: f(MIXED))
        case("weights", f"{n}: y mixed (list)", lambda f=fn: f(MIXED_LIST))
        case("weights", f"{n}: y empty", lambda f=fn: f(np.array([], dtype=int)))
        case("weights", f"{n}: y 2-D", lambda f=fn: f(np.zeros((5, 3))))
        case("weights", f"{n}: y NaN", lambda f=fn: f(np.array([0.0, np.nan, 1.0])))
        case("weights", f"{n}: y continuous", lambda f=fn: f(rng.normal(size=10)))
        case(
            "weights", f"{n}: beta nan", lambda f=fn: f(y, scheme="effective_number", beta=math.nan)
        )
        case(
            "weights", f"{n}: beta inf", lambda f=fn: f(y, scheme="effective_number", beta=math.inf)
        )
        case(
            "weights", f"{n}: beta '0.9'", lambda f=fn: f(y, scheme="effective_number", beta="0.9")
        )
        case("weights", f"{n}: beta 1.0", lambda f=fn: f(y, scheme="effective_number", beta=1.0))
        case("weights", f"{n}: scheme unknown", lambda f=fn: f(y, scheme="balancd"))
        case("weights", f"{n}: normalize unknown", lambda f=fn: f(y, normalize="sums"))
    case("weights", "class_weights: counts negative", lambda: class_weights(counts=[10, -1]))
    case("weights", "class_weights: counts nan", lambda: class_weights(counts=[10, math.nan]))
    case("weights", "class_weights: counts inf", lambda: class_weights(counts=[10, math.inf]))
    case("weights", "class_weights: counts strings", lambda: class_weights(counts=["10", "3"]))
    case("weights", "class_weights: counts 2-D", lambda: class_weights(counts=[[10, 3]]))
    case(
        "weights",
        "class_weights: counts dict nan",
        lambda: class_weights(counts={"a": 10, "b": math.nan}),
    )
    case("weights", "class_weights: y and counts", lambda: class_weights(y, counts=[10, 3]))
    case("weights", "class_weights: neither y nor counts", lambda: class_weights())
    case("weights", "class_weights: output unknown", lambda: class_weights(y, output="list"))
    case(
        "weights",
        "class_weights: counts with a zero",
        lambda: class_weights(counts=[10, 0]),
        lambda r: bool(np.all(np.isfinite(np.asarray(r)))),
    )
    case("weights", "class_weights: counts empty", lambda: class_weights(counts=[]))
    case("weights", "class_weights: counts all zero", lambda: class_weights(counts=[0, 0]))
    case(
        "weights",
        "class_weights: counts huge",
        lambda: class_weights(counts=[10**30, 1]),
        lambda r: bool(np.all(np.isfinite(np.asarray(r)))),
    )
    case(
        "weights",
        "class_weights: counts tensor nan",
        lambda: class_weights(counts=torch.tensor([10.0, math.nan])),
    )
    case("weights", "class_weights: scheme None", lambda: class_weights(y, scheme=None))
    case("weights", "sample_weights: y tensor continuous", lambda: sample_weights(torch.randn(10)))
    case("weights", "sample_weights: y None", lambda: sample_weights(None))


# -------------------------------------------------------------------------------- profile
def profile_cases() -> None:
    case("profile", "k_neighbors '5'", lambda: profile(y, k_neighbors="5"))
    case("profile", "k_neighbors nan", lambda: profile(y, k_neighbors=math.nan))
    case("profile", "k_neighbors -1", lambda: profile(y, k_neighbors=-1))
    case("profile", "k_neighbors 2.5", lambda: profile(y, k_neighbors=2.5))
    case("profile", "y mixed (object array)", lambda: profile(MIXED))
    case("profile", "y mixed (list)", lambda: profile(MIXED_LIST))
    case("profile", "y mixed (Series)", lambda: profile(pd.Series(MIXED)))
    case("profile", "y empty", lambda: profile([]))
    case("profile", "y 2-D", lambda: profile(np.zeros((5, 3))))
    case("profile", "y NaN", lambda: profile([0.0, math.nan, 1.0]))
    case("profile", "y None", lambda: profile(None))
    case("profile", "y continuous", lambda: profile(rng.normal(size=20)))
    case("profile", "y scalar", lambda: profile(3))
    case(
        "profile",
        "k_neighbors 10**30",
        lambda: profile(y, k_neighbors=10**30),
        lambda r: len(r.warnings) > 0,
    )  # type: ignore[attr-defined]
    case("profile", "y tensor continuous", lambda: profile(torch.randn(10)))
    case("profile", "y strings with None", lambda: profile(["a", None, "b"]))
    case(
        "profile",
        "y DataFrame 2 columns",
        lambda: profile(pd.DataFrame({"a": [0, 1], "b": [1, 0]})),
    )
    case("profile", "y dict", lambda: profile({"a": 1}))
    case("profile", "y set", lambda: profile({1, 2, 3}))
    case("profile", "y generator", lambda: profile(i % 2 for i in range(10)))


# ------------------------------------------------------------------------ imbalance_report
def report_cases() -> None:
    yp = y[::-1].copy()
    score = rng.uniform(size=40)
    case("report", "y_true mixed (object array)", lambda: imbalance_report(MIXED, MIXED))
    case("report", "y_true mixed (list)", lambda: imbalance_report(MIXED_LIST, MIXED_LIST))
    case("report", "y_true mixed vs y_pred", lambda: imbalance_report(y.astype(str), yp))
    case("report", "length mismatch", lambda: imbalance_report(y, yp[:-2]))
    case("report", "empty", lambda: imbalance_report([], []))
    case("report", "y_pred scores not labels", lambda: imbalance_report(y, score))
    case("report", "y_score NaN", lambda: imbalance_report(y, yp, y_score=np.full(40, math.nan)))
    case("report", "y_score inf", lambda: imbalance_report(y, yp, y_score=np.full(40, math.inf)))
    case("report", "y_score wrong length", lambda: imbalance_report(y, yp, y_score=score[:5]))
    case("report", "y_score strings", lambda: imbalance_report(y, yp, y_score=np.full(40, "a")))
    case("report", "y_score 3-D", lambda: imbalance_report(y, yp, y_score=np.zeros((40, 2, 1))))
    case("report", "labels duplicated", lambda: imbalance_report(y, yp, labels=[0, 1, 1]))
    case("report", "labels mixed types", lambda: imbalance_report(y, yp, labels=[0, "a"]))
    case(
        "report",
        "train_counts negative",
        lambda: imbalance_report(y, yp, train_counts={0: 10, 1: -1}),
    )
    case(
        "report",
        "train_counts nan",
        lambda: imbalance_report(y, yp, train_counts={0: 10, 1: math.nan}),
    )
    case(
        "report",
        "train_counts mixed labels",
        lambda: imbalance_report(y, yp, train_counts={0: 10, "a": 3}),
    )
    case("report", "y_true 2-D", lambda: imbalance_report(np.zeros((40, 3)), yp))
    case(
        "report",
        "many nan",
        lambda: imbalance_report(y, yp, train_counts={0: 10, 1: 3}, many=math.nan),
    )
    case(
        "report", "few '20'", lambda: imbalance_report(y, yp, train_counts={0: 10, 1: 3}, few="20")
    )
    case(
        "report",
        "few > many",
        lambda: imbalance_report(y, yp, train_counts={0: 10, 1: 3}, many=5, few=50),
    )
    case(
        "report",
        "train_counts wrong length",
        lambda: imbalance_report(y, yp, train_counts=[10, 3, 4]),
    )
    case(
        "report", "train_counts strings", lambda: imbalance_report(y, yp, train_counts=["10", "3"])
    )
    case("report", "labels unknown", lambda: imbalance_report(y, yp, labels=[5, 6]))
    case("report", "y_true None", lambda: imbalance_report(None, yp))
    case(
        "report",
        "y_score 1-D for 3 classes",
        lambda: imbalance_report(np.arange(40) % 3, np.arange(40) % 3, y_score=score),
    )


# -------------------------------------------------------------------------------- posthoc
def posthoc_cases() -> None:
    logits = rng.normal(size=(10, 3))
    prior = np.array([0.6, 0.3, 0.1])
    la = posthoc.logit_adjust
    case("posthoc", "logit_adjust: tau nan", lambda: la(logits, prior, tau=math.nan))
    case("posthoc", "logit_adjust: tau inf", lambda: la(logits, prior, tau=math.inf))
    case("posthoc", "logit_adjust: tau '1'", lambda: la(logits, prior, tau="1"))
    case("posthoc", "logit_adjust: prior negative", lambda: la(logits, np.array([0.7, 0.4, -0.1])))
    case("posthoc", "logit_adjust: prior nan", lambda: la(logits, np.array([0.7, math.nan, 0.3])))
    case("posthoc", "logit_adjust: prior wrong length", lambda: la(logits, prior[:2]))
    case("posthoc", "logit_adjust: prior zeros", lambda: la(logits, np.zeros(3)))
    case("posthoc", "logit_adjust: logits 1-D", lambda: la(logits[:, 0], prior))
    case("posthoc", "logit_adjust: logits NaN", lambda: la(np.full((10, 3), math.nan), prior))
    case("posthoc", "logit_adjust: logits strings", lambda: la(np.full((10, 3), "a"), prior))
    case("posthoc", "logit_adjust: logits 3-D", lambda: la(np.zeros((10, 3, 2)), prior))
    w = rng.normal(size=(3, 4))
    tn = posthoc.tau_normalize
    case("posthoc", "tau_normalize: tau nan", lambda: tn(w, math.nan))
    case("posthoc", "tau_normalize: tau inf", lambda: tn(w, math.inf))
    case("posthoc", "tau_normalize: tau -1", lambda: tn(w, -1.0))
    case("posthoc", "tau_normalize: weight 1-D", lambda: tn(w[0], 1.0))
    case("posthoc", "tau_normalize: weight NaN", lambda: tn(np.full((3, 4), math.nan), 1.0))
    case("posthoc", "tau_normalize: weight strings", lambda: tn(np.full((3, 4), "a"), 1.0))
    tt = posthoc.ThresholdTuner
    scores = rng.uniform(size=40)
    case(
        "posthoc",
        "ThresholdTuner: max_candidates nan",
        lambda: tt(max_candidates=math.nan).fit(y, scores),
    )
    case(
        "posthoc",
        "ThresholdTuner: max_candidates '5'",
        lambda: tt(max_candidates="5").fit(y, scores),
    )
    case("posthoc", "ThresholdTuner: tol nan", lambda: tt(tol=math.nan).fit(y, scores))
    case("posthoc", "ThresholdTuner: tol inf", lambda: tt(tol=math.inf).fit(y, scores))
    case("posthoc", "ThresholdTuner: metric unknown", lambda: tt(metric="f2").fit(y, scores))
    case(
        "posthoc",
        "ThresholdTuner: y mixed (object)",
        lambda: tt().fit(MIXED, rng.uniform(size=(40, 3))),
    )
    case(
        "posthoc",
        "ThresholdTuner: y mixed (list)",
        lambda: tt().fit(MIXED_LIST, rng.uniform(size=(40, 3))),
    )
    case("posthoc", "ThresholdTuner: scores NaN", lambda: tt().fit(y, np.full(40, math.nan)))
    case("posthoc", "ThresholdTuner: scores wrong length", lambda: tt().fit(y, scores[:10]))
    case("posthoc", "ThresholdTuner: scores strings", lambda: tt().fit(y, np.full(40, "a")))
    case(
        "posthoc",
        "ThresholdTuner: y single class",
        lambda: tt().fit(np.zeros(40, dtype=int), scores),
    )
    case("posthoc", "ThresholdTuner: predict before fit", lambda: tt().predict(scores))
    case(
        "posthoc",
        "ThresholdTuner: predict wrong width",
        lambda: tt().fit(y, scores).predict(rng.uniform(size=(5, 3))),
    )
    case(
        "posthoc",
        "ThresholdTuner: predict NaN",
        lambda: tt().fit(y, scores).predict(np.full(5, math.nan)),
    )
    case(
        "posthoc", "ThresholdTuner: labels mismatch", lambda: tt().fit(y, scores, labels=["a", "b"])
    )
    case("posthoc", "ThresholdTuner: labels duplicated", lambda: tt().fit(y, scores, labels=[0, 0]))
    case("posthoc", "ThresholdTuner: max_iter 0", lambda: tt(max_iter=0).fit(y, scores))
    case("posthoc", "ThresholdTuner: y continuous", lambda: tt().fit(rng.normal(size=40), scores))
    case("posthoc", "ThresholdTuner: scores 3-D", lambda: tt().fit(y, np.zeros((40, 2, 2))))
    layer = torch.nn.Linear(4, 3)
    case(
        "posthoc",
        "init_output_bias: prior wrong length",
        lambda: posthoc.init_output_bias(layer, [0.5, 0.5]),
    )
    case(
        "posthoc",
        "init_output_bias: prior nan",
        lambda: posthoc.init_output_bias(layer, [0.5, math.nan, 0.5]),
    )
    case(
        "posthoc",
        "init_output_bias: prior negative",
        lambda: posthoc.init_output_bias(layer, [0.5, -0.5, 1.0]),
    )
    case(
        "posthoc",
        "init_output_bias: not a layer",
        lambda: posthoc.init_output_bias("layer", [0.5, 0.5, 0.5]),
    )
    case(
        "posthoc",
        "init_output_bias: layer without bias",
        lambda: posthoc.init_output_bias(torch.nn.Linear(4, 3, bias=False), [0.5, 0.25, 0.25]),
    )
    case("posthoc", "tau_normalize: not an array", lambda: tn([[1.0, 2.0]], 1.0))
    case("posthoc", "logit_adjust: prior strings", lambda: la(logits, ["a", "b", "c"]))
    case("posthoc", "logit_adjust: prior dict", lambda: la(logits, {0: 1, 1: 2, 2: 3}))


# -------------------------------------------------------------------------------- metrics
def metric_cases() -> None:
    yp = y[::-1].copy()
    for name in METRICS.names():
        fn = METRICS.get(name)
        ranking = name in ("roc_auc", "pr_auc")

        def call(
            yt: object, ypp: object, _f: Callable = fn, _r: bool = ranking, **kw: object
        ) -> Callable[[], object]:
            if _r:
                return lambda: _f(
                    yt, ypp, y_score=kw.pop("y_score", rng.uniform(size=len(yt))), **kw
                )  # type: ignore[arg-type]
            return lambda: _f(yt, ypp, **kw)

        case("metrics", f"{name}: mixed labels (object array)", call(MIXED, MIXED))
        case("metrics", f"{name}: mixed labels (list)", call(MIXED_LIST, MIXED_LIST))
        case("metrics", f"{name}: length mismatch", call(y, yp[:-2]))
        case("metrics", f"{name}: empty", call(np.array([], dtype=int), np.array([], dtype=int)))
        case("metrics", f"{name}: y_pred 2-D", call(y, np.zeros((40, 3))))
        case("metrics", f"{name}: y_pred scores", call(y, rng.uniform(size=40)))
        case("metrics", f"{name}: str vs int labels", call(y.astype(str), yp))
        case("metrics", f"{name}: labels unknown", call(y, yp, labels=[5, 6]))
        case("metrics", f"{name}: labels duplicated", call(y, yp, labels=[0, 0, 1]))
        case("metrics", f"{name}: labels mixed", call(y, yp, labels=[0, "a"]))
        case(
            "metrics",
            f"{name}: y_true None",
            call(None, yp) if not ranking else (lambda _f=fn: _f(None, yp, y_score=np.ones(40))),
        )
        case("metrics", f"{name}: labels scalar", call(y, yp, labels=3))
        case("metrics", f"{name}: y_true tensor float continuous", call(torch.randn(40), yp))
        if ranking:
            case("metrics", f"{name}: y_score strings", call(y, yp, y_score=np.full(40, "a")))
            case("metrics", f"{name}: y_score 3-D", call(y, yp, y_score=np.zeros((40, 2, 2))))
            case("metrics", f"{name}: y_score NaN", call(y, yp, y_score=np.full(40, math.nan)))
            case("metrics", f"{name}: y_score wrong length", call(y, yp, y_score=np.ones(5)))


def numpy_scalar_cases() -> None:
    """Bad values given as numpy scalars: the message must print them plainly (5.5, not np.float64(5.5))."""
    f64, i64 = np.float64, np.int64
    case(
        "numpy scalars",
        "RandomOverSampler shrinkage=np.float64(-1)",
        lambda: _resampler("random-over", shrinkage=f64(-1)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE k_neighbors=np.float64(5.5)",
        lambda: _resampler("smote", k_neighbors=f64(5.5)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE k_neighbors=np.int64(0)",
        lambda: _resampler("smote", k_neighbors=i64(0)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE k_neighbors=np.int64(30)",
        lambda: _resampler("smote", k_neighbors=i64(30)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE sampling_strategy={1: np.float64(12.5)}",
        lambda: _resampler("smote", sampling_strategy={1: f64(12.5)}).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE sampling_strategy={1: np.int64(3)}",
        lambda: _resampler("smote", sampling_strategy={1: i64(3)}).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "RandomUnderSampler sampling_strategy={0: np.int64(99)}",
        lambda: _resampler("random-under", sampling_strategy={0: i64(99)}).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE sampling_strategy=np.float64(1.5)",
        lambda: _resampler("smote", sampling_strategy=f64(1.5)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE random_state=np.float64(1.5)",
        lambda: _resampler("smote", random_state=f64(1.5)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "SMOTE random_state=np.int64(-1)",
        lambda: _resampler("smote", random_state=i64(-1)).fit_resample(X, y),
    )
    case(
        "numpy scalars",
        "class_weights beta=np.float64(2.0)",
        lambda: class_weights(y, scheme="effective_number", beta=f64(2.0)),
    )
    case(
        "numpy scalars",
        "class_weights counts=[np.int64(-1), 3]",
        lambda: class_weights(counts=[i64(-1), 3]),
    )
    case(
        "numpy scalars",
        "ClassBalancedSampler q=np.float64(nan)",
        lambda: SAMPLERS.get("class-balanced")(y, q=f64("nan")),
    )
    case(
        "numpy scalars",
        "ClassBalancedSampler num_samples=np.int64(-1)",
        lambda: SAMPLERS.get("class-balanced")(y, num_samples=i64(-1)),
    )
    case(
        "numpy scalars",
        "ClassBalancedSampler seed=np.int64(-1)",
        lambda: SAMPLERS.get("class-balanced")(y, seed=i64(-1)),
    )
    case(
        "numpy scalars",
        "BalancedBatchSampler batch_size=np.int64(0)",
        lambda: SAMPLERS.get("balanced-batch")(y, batch_size=i64(0)),
    )
    case(
        "numpy scalars",
        "FocalLoss gamma=np.float64(-1)",
        lambda: LOSSES.get("focal")(gamma=f64(-1)),
    )
    case(
        "numpy scalars",
        "LDAMLoss s=np.float64(0)",
        lambda: LOSSES.get("ldam")(margins=torch.ones(2), s=f64(0)),
    )
    case(
        "numpy scalars",
        "logit_adjust tau=np.float64(-1)",
        lambda: posthoc.logit_adjust(np.zeros((2, 2)), [1, 1], tau=f64(-1)),
    )
    case(
        "numpy scalars",
        "ThresholdTuner max_candidates=np.int64(1)",
        lambda: posthoc.ThresholdTuner(max_candidates=i64(1)).fit(y, rng.uniform(size=40)),
    )
    case("numpy scalars", "profile k_neighbors=np.int64(0)", lambda: profile(y, k_neighbors=i64(0)))
    case(
        "numpy scalars",
        "imbalance_report many=np.float64(1.5)",
        lambda: imbalance_report(y, y, train_counts={0: 28, 1: 12}, many=f64(1.5)),
    )
    case(
        "numpy scalars",
        "imbalance_report labels=[np.int64(0), np.int64(0)]",
        lambda: imbalance_report(y, y, labels=[i64(0), i64(0)]),
    )
    case(
        "numpy scalars",
        "accuracy labels missing np.int64",
        lambda: METRICS.get("accuracy")(y, y, labels=np.array([5, 6])),
    )
    case(
        "numpy scalars",
        "make_resampler unknown param",
        lambda: __import__("equipoise.resample", fromlist=["x"]).make_resampler("smote", k=i64(3)),
    )


def classify(c: Case) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = c.run()
    except EquipoiseError as exc:
        msg = str(exc)
        if len(msg) > 600 or "np.float64(" in msg or "np.int64(" in msg or "np.str_(" in msg:
            return "messy", msg
        return "clear", msg
    except Exception as exc:  # noqa: BLE001 - the point is to count them
        return "traceback", f"{type(exc).__name__}: {exc}"
    if c.check is not None:
        try:
            ok = c.check(result)
        except Exception as exc:  # noqa: BLE001
            return "wrong", f"check failed: {type(exc).__name__}: {exc}"
        return ("handled", "") if ok else ("wrong", "result differs from the reference")
    return "silent", f"returned {type(result).__name__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--verbose", action="store_true", help="list every case that is not clear/handled"
    )
    parser.add_argument("--family", default=None, help="only this family")
    args = parser.parse_args()
    for build in (
        resampler_cases,
        sampler_cases,
        loss_cases,
        weights_cases,
        profile_cases,
        report_cases,
        posthoc_cases,
        metric_cases,
        numpy_scalar_cases,
    ):
        build()
    table: dict[str, Counter] = defaultdict(Counter)
    bad: list[tuple[str, str, str, str]] = []
    for c in CASES:
        if args.family and c.family != args.family:
            continue
        outcome, msg = classify(c)
        table[c.family][outcome] += 1
        if outcome not in ("clear", "handled"):
            bad.append((c.family, c.name, outcome, msg))
    width = max(len(f) for f in table) if table else 8
    print(f"| {'family':<{width}} | cases | " + " | ".join(OUTCOMES) + " |")
    print(
        f"|{'-' * (width + 2)}|------:|"
        + "|".join("-" * (len(o) + 1) + ":" for o in OUTCOMES)
        + "|"
    )
    total: Counter = Counter()
    for family, counts in table.items():
        total.update(counts)
        row = " | ".join(f"{counts[o]:>{len(o)}}" for o in OUTCOMES)
        print(f"| {family:<{width}} | {sum(counts.values()):>5} | {row} |")
    row = " | ".join(f"{total[o]:>{len(o)}}" for o in OUTCOMES)
    print(f"| {'total':<{width}} | {sum(total.values()):>5} | {row} |")
    if args.verbose:
        for family, name, outcome, msg in bad:
            print(f"\n[{outcome}] {family} / {name}\n    {msg[:300]!s}")


if __name__ == "__main__":
    main()
