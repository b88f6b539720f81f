"""The docstring examples (``>>>``) of every module under src/equipoise run as doctests.

One test per module; a module whose optional extra is not installed (torch, Dask, Lightning,
...) is skipped with the install line. Examples marked ``# doctest: +SKIP`` are not run (they
need a GPU, a cluster or minutes).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import equipoise

ROOT = Path(equipoise.__file__).parent


def _has_examples(name: str) -> bool:
    parts = name.split(".")[1:]
    path = ROOT.joinpath(*parts)
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return ">>>" in path.read_text(encoding="utf-8")


MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(equipoise.__path__, "equipoise.")
    if not info.name.endswith("__main__") and _has_examples(info.name)
)

# Examples that disagree with the code today; strict: the test fails once they pass again.
KNOWN_FAILURES: dict[str, str] = {}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, request, tmp_path, monkeypatch):
    if name in KNOWN_FAILURES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_FAILURES[name], strict=True))
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # MissingDependencyError included: an extra that is absent
        pytest.skip(f"{name}: {exc}")
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    tests = [t for t in tests if t.examples and (t.filename or "").endswith(".py")]
    assert tests, f"{name} has '>>>' in its source but no docstring example was found"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in tests:
        result = runner.run(test, out=report.append, clear_globs=True)
        assert result.failed == 0, f"{test.name}:\n" + "".join(report)[-4000:]
