"""A process exit without the final garbage collections (equipoise._exit): the heap is frozen
after the exit handlers registered later have run, and before those registered earlier, which
all still run."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import atexit, gc, weakref, tempfile, os
atexit.register(lambda: print("earlier handler sees frozen:", gc.get_freeze_count() > 0))
from equipoise._exit import skip_final_collections
skip_final_collections()
atexit.register(lambda: print("later handler sees frozen:", gc.get_freeze_count() > 0))
folder = tempfile.TemporaryDirectory()  # cleaned by weakref.finalize at exit
print(folder.name)
"""


def test_the_heap_is_frozen_between_the_exit_handlers_and_they_all_run():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stdout.splitlines()
    folder = lines[0]
    assert lines[1:] == ["later handler sees frozen: False", "earlier handler sees frozen: True"]
    assert not os.path.exists(folder)  # weakref finalizers still ran


def test_the_command_line_exits_as_before():
    done = subprocess.run(
        [sys.executable, "-m", "equipoise", "recipes"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "baseline" in done.stdout  # the whole output was flushed
