"""The Python examples of docs/datasets.md and the docstring examples run as written."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
MODULES = ["_example", "_keel", "_long_tail", "_registry", "_table"]


def test_doc_has_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_doc_block_runs(index):
    exec(compile(BLOCKS[index], f"{DOC.name}[{index}]", "exec"), {})


def test_doc_lists_every_keel_dataset():
    from equipoise.datasets import list_datasets

    text = DOC.read_text(encoding="utf-8")
    for name in list_datasets()["name"]:
        assert f"`{name}`" in text or name == "example", name


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    mod = importlib.import_module(f"equipoise.datasets.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
