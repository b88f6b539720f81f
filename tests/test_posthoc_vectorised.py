"""ThresholdTuner's vectorised scoring equals scoring each candidate with the registered metric.

``fit`` scores every candidate threshold (binary) or offset (multiclass) of a registered label
metric at once, from confusion matrices (:func:`equipoise.metrics._confusion.metrics_from_confusion`);
``_fit_loop`` calls the registered metric once per candidate, as ``fit`` did before. The two
must choose the same thresholds and report the same scores, bit for bit, ties included.
"""

from __future__ import annotations

import numpy as np
import pytest
from _confusion_cases import BINARY, MULTI, random_labels, same

from equipoise.metrics import METRICS, Metric, get_metric
from equipoise.metrics._confusion import CONFUSION_METRICS, confusion_metric_name
from equipoise.posthoc import ThresholdTuner


def binary_case(rng: np.random.Generator) -> dict:
    """Small validation sets, discrete scores (many ties), sometimes a capped (quantile) grid."""
    n = int(rng.integers(2, 13))
    classes = random_labels(rng, 2)
    y = classes[rng.integers(0, 2, size=n)]
    levels = int(rng.choice([2, 3, 5, 1000]))
    scores = np.round(rng.random(n) * levels) / levels
    if rng.random() < 0.3:  # positives score higher: the optimum is not at an end of the grid
        scores = np.clip(scores + 0.3 * (y == classes[1]), 0, 1)
    return {
        "y": y,
        "scores": scores,
        "labels": classes if rng.random() < 0.6 or len(set(y)) < 2 else None,
        "metric": BINARY[int(rng.integers(len(BINARY)))],
        "max_candidates": int(rng.choice([2, 3, 5, 100])),
    }


def multiclass_case(rng: np.random.Generator) -> dict:
    """3-5 classes, 3-9 rows, probabilities on a coarse grid (tied columns and breakpoints),
    sometimes a class absent from y_true (then ``labels=`` lists it)."""
    n_classes = int(rng.integers(3, 6))
    classes = random_labels(rng, n_classes)
    present = n_classes - int(rng.random() < 0.3)  # the first `present` classes occur in y
    extra = rng.integers(0, present, size=int(rng.integers(0, 5)))
    y = classes[rng.permutation(np.r_[np.arange(present), extra])]
    n = len(y)
    raw = np.round(rng.random((n, n_classes)) * int(rng.choice([2, 4, 50]))) + 0.01
    return {
        "y": y,
        "scores": raw / raw.sum(axis=1, keepdims=True),
        "labels": classes if len(set(y)) < n_classes or rng.random() < 0.5 else None,
        "metric": MULTI[int(rng.integers(len(MULTI)))],
        "max_candidates": int(rng.choice([2, 3, 4])),
        "max_iter": int(rng.integers(1, 3)),
        "tol": float(rng.choice([0.0, 1e-6, 0.05])),
    }


def _cached_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memoise the loop's calls of the registered metric on identical predictions within one
    fit (the function is deterministic, so this only saves time; multiclass rounds repeat)."""
    original = ThresholdTuner._scorer

    def scorer(self, m, classes):
        one = original(self, m, classes)
        memo: dict[bytes, float] = {}

        def cached(yt, yp):
            key = np.asarray(yp).tobytes()
            if key not in memo:
                memo[key] = one(yt, yp)
            return memo[key]

        return cached

    monkeypatch.setattr(ThresholdTuner, "_scorer", scorer)


def check_case(case: dict) -> None:
    """``fit`` and ``_fit_loop`` agree exactly on one case."""
    params = {k: v for k, v in case.items() if k not in ("y", "scores", "labels")}
    args = (case["y"], case["scores"])
    fast = ThresholdTuner(**params).fit(*args, labels=case["labels"])
    slow = ThresholdTuner(**params)._fit_loop(*args, labels=case["labels"])
    if slow.offsets_ is None:
        assert fast.offsets_ is None and fast.threshold_ == slow.threshold_, case
    else:
        np.testing.assert_array_equal(fast.offsets_, slow.offsets_, err_msg=str(case))
    assert same(fast.best_score_, slow.best_score_), (case, fast.best_score_, slow.best_score_)
    assert same(fast.default_score_, slow.default_score_), case
    np.testing.assert_array_equal(fast.predict(case["scores"]), slow.predict(case["scores"]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@pytest.mark.parametrize(("make", "count"), [(binary_case, 250), (multiclass_case, 60)])
def test_vectorised_fit_equals_the_loop(make, count, monkeypatch):
    _cached_registered(monkeypatch)
    rng = np.random.default_rng(20261201)
    for _ in range(count):
        check_case(make(rng))


def test_vectorised_fit_equals_the_loop_on_larger_data(monkeypatch):
    # more rows than candidates: the capped (quantile) grid and several coordinate rounds
    _cached_registered(monkeypatch)
    rng = np.random.default_rng(7)
    y = rng.choice(3, size=400, p=[0.7, 0.2, 0.1])
    proba = rng.dirichlet(np.ones(3), size=400)
    proba[np.arange(400), y] += 0.25
    proba = np.round(proba / proba.sum(1, keepdims=True), 2)
    check_case({"y": y, "scores": proba, "labels": None, "metric": "g_mean", "max_candidates": 6})
    s = np.round(np.clip(rng.normal(0.3 + 0.3 * (y == 1), 0.2), 0, 1), 2)
    for metric in ("f1", "mcc", "weighted_f1"):
        case = {"y": (y == 1).astype(int), "scores": s, "labels": None, "metric": metric}
        check_case({**case, "max_candidates": 8})


def test_registered_label_metrics_are_vectorised_and_the_rest_loop(monkeypatch):
    # every registered metric that scores labels is covered ...
    label_metrics = [n for n, m in METRICS.items() if not m.needs_score]
    assert sorted(label_metrics) == sorted(CONFUSION_METRICS)
    for name in label_metrics:
        assert confusion_metric_name(get_metric(name).func) == name

    # ... and fit with one of them never calls the metric function
    def refuse(self, m, classes):
        if m is None:
            return original(self, m, classes)
        return lambda yt, yp: pytest.fail("the registered metric was called")

    original = ThresholdTuner._scorer
    monkeypatch.setattr(ThresholdTuner, "_scorer", refuse)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 40)
    proba = rng.dirichlet(np.ones(3), 40)
    ThresholdTuner("macro_f1").fit(y, proba)
    ThresholdTuner("mcc").fit(y == 1, proba[:, 1])
    # a user callable, or a Metric with its own function, keeps the loop
    calls = []

    def mine(yt, yp):
        calls.append(1)
        return float(np.mean(yt == yp))

    ThresholdTuner(mine).fit(y == 1, proba[:, 1])
    assert len(calls) == 1 + len(np.unique(proba[:, 1]))
    assert confusion_metric_name(Metric("mine", lambda yt, yp, s, labs: 0.0).func) is None


def test_offset_search_equals_argmax_on_every_candidate():
    # The multiclass search finds, per row, the first candidate offset at which class c wins
    # (binary search on the exact shifted sum); check it against argmax(logp + trial) for every
    # candidate, including candidates exactly at breakpoints (ties between columns).
    from equipoise.metrics._confusion import metrics_from_confusion
    from equipoise.posthoc import _label_values, _offset_values

    rng = np.random.default_rng(3)
    for _ in range(40):
        n_classes, n = int(rng.integers(3, 6)), int(rng.integers(1, 300))
        logp = np.log(np.round(rng.random((n, n_classes)) * 4) / 4 + 1e-12)
        offsets = np.round(rng.normal(size=n_classes), int(rng.integers(0, 3)))
        y_idx = rng.integers(0, n_classes, n)
        c = int(rng.integers(n_classes))
        rest = logp + offsets
        rest[:, c] = -np.inf
        breaks = np.unique(rest.max(axis=1) - logp[:, c])
        mids = np.unique(np.r_[breaks, (breaks[:-1] + breaks[1:]) / 2, breaks[0] - 1, 30.0])
        for name in ("accuracy", "macro_f1", "mcc"):
            got = _offset_values(name, y_idx, logp[:, c], rest, rest.max(axis=1), c, mids)
            want = []
            for b in mids:
                trial = offsets.copy()
                trial[c] = b
                pred = np.argmax(logp + trial, axis=1)
                conf = np.zeros((1, n_classes, n_classes))
                np.add.at(conf, (0, y_idx, pred), 1)
                want += metrics_from_confusion(conf, [name])[name].tolist()
                assert _label_values(name, y_idx, pred[None, :], n_classes) == want[-1:]
            assert got == want
