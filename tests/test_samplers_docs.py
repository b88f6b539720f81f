"""The Python examples of docs/samplers.md run as written, in order, in one namespace.

The DDP example (it needs torchrun) is left out; tests/test_samplers_distributed.py runs the same
code under a real 2-process group.
"""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "samplers.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_doc_blocks_run_in_order():
    runnable = [b for b in BLOCKS if "torchrun" not in b]
    assert len(runnable) >= 6
    namespace: dict = {}
    for i, block in enumerate(runnable):
        exec(compile(block, f"{DOC.name}[{i}]", "exec"), namespace)
    assert namespace["train"].epoch == 2  # three passes of the epoch sampler, no set_epoch
