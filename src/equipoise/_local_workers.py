"""The worker processes a comparison computes on, on this machine.

A comparison with ``jobs=n`` computes on the driver and on ``n - 1`` processes of joblib's
memory-mapping loky pool (:func:`worker_pool`). This module imports neither torch nor
scikit-learn (joblib only, when a pool is made), so that the command line can start the
workers before it imports the comparison (:func:`local_workers`): a worker then imports torch
and scikit-learn, about 3 s of one core, while the driver imports the same, instead of after
the driver has handed it its first task.

Workers end with the driver: loky keeps an idle worker alive for 300 s and does not watch its
parent, so a driver killed with ``kill -9`` used to leave its workers (and through them loky's
resource tracker) running. Each worker starts with :func:`init_worker`, which calls
:func:`die_with_parent`: on Linux the kernel kills it when the driver dies
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and on every platform a daemon thread checks
``os.getppid()`` once a second and exits when the driver is gone. The resource tracker then
sees its last client close and exits by itself.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._exit import skip_final_collections

__all__ = [
    "die_with_parent",
    "init_worker",
    "lent_workers",
    "local_workers",
    "pool_call",
    "usable_cores",
    "worker_pool",
    "worker_threads",
]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_WATCH_INTERVAL_S = 1.0


def usable_cores() -> int:
    """The CPU cores this process may run on: its affinity mask where the platform has one
    (``os.sched_getaffinity``: taskset, cgroup cpusets, Slurm), else ``os.cpu_count()``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_threads(n_workers: int, cores: int | None = None) -> int:
    """Torch (and BLAS/OpenMP) threads of each of ``n_workers`` workers when the caller does not
    choose: ``max(1, cores // n_workers)``, ``cores`` defaulting to :func:`usable_cores`. The
    one rule for the comparison and for :func:`local_workers`, whose pool is reused only when
    the thread counts agree."""
    return max(1, (usable_cores() if cores is None else cores) // max(1, n_workers))


def _watch_parent(parent_pid: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent_pid:
            os._exit(1)  # the driver is gone: nothing will read this worker's results


def die_with_parent(parent_pid: int, interval: float = _WATCH_INTERVAL_S) -> None:
    """End this process when the process ``parent_pid`` (the driver) dies.

    On Linux, asks the kernel to send SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); on
    every platform, starts a daemon thread that polls ``os.getppid()`` every ``interval``
    seconds and exits the process (``os._exit``) once the parent has changed (the orphan was
    re-parented). A parent that died before this ran is noticed at once.

    Parameters
    ----------
    parent_pid : int
        ``os.getpid()`` of the driver, taken before the workers start.
    interval : float, default=1.0
        Seconds between two checks of the watchdog thread.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(
        target=_watch_parent,
        args=(parent_pid, interval),
        daemon=True,
        name="equipoise-parent-watch",
    ).start()


def init_worker(parent_pid: int) -> None:
    """Initializer of every worker process: :func:`die_with_parent`, and an exit without the
    final garbage collections (:func:`~equipoise._exit.skip_final_collections`), so that the
    driver, which waits for its workers to exit, is not held up by them."""
    die_with_parent(parent_pid)
    skip_final_collections()


def worker_pool(n_processes: int, threads: int | None) -> Any:
    """joblib's memory-mapping loky pool of ``n_processes`` workers (the one ``joblib.Parallel``
    uses): arrays larger than joblib's threshold reach the workers memory-mapped, not copied
    per task (submit them inside :func:`pool_call`).

    loky keeps one such pool per process and hands it out again to a call with the same
    arguments, so the workers :func:`local_workers` started early are the ones the comparison
    then computes on. ``threads`` sets the thread counts a worker's libraries read as they load
    (the variables joblib's backends set; torch and threadpoolctl also set them per task).
    """
    from joblib.executor import get_memmapping_executor
    from joblib.parallel import ParallelBackendBase

    env = (
        {var: str(threads) for var in ParallelBackendBase.MAX_NUM_THREADS_VARS} if threads else None
    )
    return get_memmapping_executor(
        n_processes,
        initializer=init_worker,
        initargs=(os.getpid(),),
        env=env,
    )


@contextmanager
def pool_call(pool: Any) -> Iterator[Any]:
    """One call's use of ``pool`` (:func:`worker_pool`): the arrays memory-mapped for the tasks
    submitted inside the block go to a folder of the call's own, removed as the block ends, as
    ``joblib.Parallel`` does for each of its calls.

    joblib picks the folder by the pool's current context when a task is pickled (in loky's
    feeder thread), so one process runs one call at a time on its pool: the comparison's runs,
    then its report's figures. Without this, every call's copies went to the pool's default
    folder, kept until the process ended (and reported as leaked at its exit).
    """
    manager = pool._temp_folder_manager
    previous = manager._current_context_id
    call = uuid.uuid4().hex
    manager.set_current_context(call)
    try:
        yield pool
    finally:
        if previous in manager._cached_temp_folders:  # not removed by a terminate()
            manager.set_current_context(previous)
        manager._clean_temporary_resources(context_id=call, force=False)


_TASK_MODULES = (
    "torch",
    "equipoise.compare.run",
    # imported by a run on first use
    "equipoise.compare._stacked",
    "equipoise.losses",
    "equipoise.resample",
    "equipoise.samplers",
    "equipoise.posthoc",
    "equipoise.ensemble",
    "sklearn.ensemble",
    "sklearn.linear_model",
)
_FIGURE_MODULES = ("equipoise.compare._plots", "equipoise.calibration")  # the report's charts


def _import(names: tuple[str, ...]) -> None:
    """A worker's job: import ``names`` before the tasks that need them arrive (a module left
    out is imported by the first task that needs it)."""
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # the task itself raises the error that says what to install
            pass


_LENT: list[tuple[Any, int]] = []  # the pool of the local_workers block running now, and its size


@contextmanager
def local_workers(n_workers: int) -> Iterator[None]:
    """Start the ``n_workers - 1`` worker processes of a ``jobs=n_workers`` comparison now, and
    kill them when the block ends.

    Each worker imports what its tasks need at once (torch and the comparison, about 3 s), so
    that this time overlaps the caller's own imports and data loading; the comparison then
    gets the same pool from :func:`worker_pool` (with the thread count of
    :func:`worker_threads`). At the end of the block every result is back, so the workers are
    killed rather than waited for. ``n_workers <= 1`` starts nothing. For a process that runs
    one comparison: the command line.

    Parameters
    ----------
    n_workers : int
        The comparison's ``jobs``, already lowered to the usable cores.
    """
    if n_workers <= 1:
        yield
        return
    pool = worker_pool(n_workers - 1, worker_threads(n_workers))
    for _ in range(n_workers - 1):
        pool.submit(_import, _TASK_MODULES)
    _LENT.append((pool, n_workers - 1))
    try:
        yield
    finally:
        _LENT.pop()
        pool.terminate(kill_workers=True)


@contextmanager
def lent_workers() -> Iterator[Any]:
    """The pool of the :func:`local_workers` block running now, inside its own
    :func:`pool_call`, or None. Enter it once the runs are done: its idle processes then import
    the report's chart modules at once, while the caller builds the summary, and can draw
    figures. Only the command line starts such a block; a library call gets None and draws its
    figures itself."""
    if not _LENT:
        yield None
        return
    pool, n_processes = _LENT[-1]
    with pool_call(pool):
        try:
            for _ in range(n_processes):
                pool.submit(_import, _FIGURE_MODULES)
        except RuntimeError:  # shut down (the comparison replaced it): figures drawn here
            yield None
            return
        yield pool
