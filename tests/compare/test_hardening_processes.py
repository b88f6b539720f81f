"""Worker processes end with their parent (issue 17): a driver killed with ``kill -9`` leaves no
worker behind. The full check (a real comparison killed mid-run, its loky workers and resource
trackers polled by pid) is ``benchmarks/hardening.py``; here the mechanism itself, on a forked
driver and worker."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from equipoise.compare.executors import die_with_parent

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not sys.platform.startswith("linux"), reason="needs fork and /proc"
)


def _gone(pid: int) -> bool:
    """No such process, or a zombie (exited; nobody has reaped it yet)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("mechanism", ["pdeathsig", "watchdog"])
def test_a_worker_ends_when_its_driver_is_killed(mechanism):
    read_end, write_end = os.pipe()
    driver = os.fork()
    if driver == 0:  # the driver: starts one worker, reports its pid, waits to be killed
        try:
            os.close(read_end)
            worker = os.fork()
            if worker == 0:
                if mechanism == "watchdog":
                    sys.platform = "darwin"  # no prctl: only the getppid() watchdog thread
                die_with_parent(os.getppid(), interval=0.05)
                time.sleep(30)
                os._exit(0)
            os.write(write_end, str(worker).encode())
            time.sleep(30)
        finally:
            os._exit(0)
    os.close(write_end)
    worker = int(os.read(read_end, 32))
    os.close(read_end)
    time.sleep(0.3)  # the worker has run die_with_parent
    assert not _gone(worker)
    os.kill(driver, signal.SIGKILL)
    os.waitpid(driver, 0)
    deadline = time.monotonic() + 10
    while not _gone(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = not _gone(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, f"worker {worker} outlived its killed driver"


def test_a_worker_whose_driver_is_already_gone_exits_at_once():
    worker = os.fork()
    if worker == 0:
        try:
            die_with_parent(os.getppid() + 10_000_000)  # not our parent: it is "gone"
        finally:
            os._exit(0)  # never reached when die_with_parent exits with status 1
    _, status = os.waitpid(worker, 0)
    assert os.waitstatus_to_exitcode(status) == 1
