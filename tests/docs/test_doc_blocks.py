"""Every ```python block of the user guide (docs/*.md) runs, in page order, one namespace per page.

A block that cannot run here is marked on the line just above its fence with an HTML comment
(invisible on GitHub and on the documentation site) that gives the reason::

    <!-- docs-test: skip (needs torchrun) -->

Only ```python fences are run; ```bash, ```text, ```toml and output blocks are not code to run.
Blocks run with ``__name__ == "__docs__"``, so code under ``if __name__ == "__main__":`` (the
pages' multi-process scripts: a Dask cluster, DDP) is compiled but not executed. Each page runs
in a fresh temporary folder (pages write ``equipoise-results/`` and the like). Pages whose
examples are whole scripts run by ``tests/test_examples.py`` (lightning, transformers, skorch)
are checked there, against the page, and not run twice.

docs/compare.md trains dozens of networks (several minutes on two shared cores), so it runs
only with ``EQUIPOISE_DOC_BLOCKS=all`` in the environment (``.ci/run`` sets it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b[^>]*-->\s*\n```python\n", re.S)
FENCE = re.compile(r"^(<!--[^\n]*-->\n)?```python\n(.*?)^```", re.S | re.M)
RUN_ELSEWHERE = {"lightning.md", "transformers.md", "skorch.md"}  # tests/test_examples.py


def blocks(page: Path) -> list[tuple[int, str, bool]]:
    """``(number, source, skipped)`` for each python block of ``page``, numbered from 1."""
    out = []
    for number, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8")), 1):
        marker = match.group(1) or ""
        out.append((number, match.group(2), "docs-test: skip" in marker))
    return out


PAGES = sorted(p for p in DOCS.glob("*.md") if blocks(p) and p.name not in RUN_ELSEWHERE)
SLOW_PAGES = {"compare.md"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_blocks_run_in_order(page, tmp_path, monkeypatch):
    if page.name in SLOW_PAGES and os.environ.get("EQUIPOISE_DOC_BLOCKS") != "all":
        pytest.skip(f"docs/{page.name} takes minutes; set EQUIPOISE_DOC_BLOCKS=all to run it")
    if page.name == "dask.md":
        pytest.importorskip("dask.dataframe")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    ran = 0
    for number, source, skipped in blocks(page):
        if skipped:
            continue
        try:
            exec(compile(source, f"docs/{page.name}, python block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(
                f"docs/{page.name}, python block {number} failed: {exc!r}"
            ) from exc
        ran += 1
    assert ran > 0


def test_the_skip_marker_is_found_and_every_skip_gives_a_reason():
    marked = [(p.name, n) for p in DOCS.glob("*.md") for n, _, skipped in blocks(p) if skipped]
    assert ("samplers.md", 5) in marked and ("compare.md", 4) in marked
    for page in DOCS.glob("*.md"):
        for comment in re.findall(r"<!--\s*docs-test:[^>]*-->", page.read_text(encoding="utf-8")):
            assert re.search(r"skip \(.+\)", comment), f"{page.name}: {comment} needs a reason"
    assert SKIP.search("<!-- docs-test: skip (x) -->\n```python\nprint()\n```\n")
