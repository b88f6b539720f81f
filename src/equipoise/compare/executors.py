"""Where the runs of a comparison execute: this machine (in process, or the driver and loky
workers beside it) or a Dask cluster. The driver always journals, as each result comes back, so
any executor resumes alike.

Executors are a registry-like table (:data:`EXECUTORS`) of context managers that yield a task
runner: ``run(tasks, data, kwargs) -> iterator of RunRecord | Failure``. A task is one recipe on
a group of splits (:func:`~equipoise.compare.run.run_group`: their networks train together),
and its runs' results are yielded as the task ends.

The local workers (their pool, their start before the comparison's imports, and how they end
with the driver) are :mod:`equipoise._local_workers`.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import threading
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, Literal

from .._local_workers import die_with_parent, pool_call, usable_cores, worker_pool
from ..exceptions import InvalidParameterError
from . import _preprocess
from .journal import RunRecord
from .recipes import Recipe
from .run import Failure, run_group_task
from .splits import Split

__all__ = [
    "EXECUTORS",
    "Executor",
    "check_executor",
    "import_distributed",
    "die_with_parent",
    "usable_cores",
]

Task = tuple[list[Split], Recipe]
"""One recipe on a group of splits."""


def _execute(
    tasks: list[Task], data: Any, kwargs: dict[str, Any], jobs: int
) -> Iterator[RunRecord | Failure]:
    """Run ``tasks`` on ``jobs`` workers: the driver is one of them, with ``jobs - 1`` loky
    processes beside it.

    The driver has imported torch and scikit-learn already (its recipe checks build every
    step), so computing tasks here saves one interpreter start-up (about 5 s of CPU), and its
    core works from the first task on while the other workers import. Each worker takes the
    next task as it finishes one (the order of ``tasks``), and the results of the other
    workers are journalled as they come, between the driver's own tasks. Where a task runs
    changes no result: a run's numbers depend on its seeds only.
    """
    if jobs == 1:
        for splits, recipe in tasks:
            yield from run_group_task(data, splits, recipe, kwargs)
        return
    threads = getattr(kwargs.get("env"), "threads", None)
    # joblib.Parallel would run a single worker in process: its pool is used directly
    pool = worker_pool(jobs - 1, threads)
    pending: deque[Task] = deque(tasks)
    lock = threading.Lock()
    arrived: queue.Queue[Any] = queue.Queue()  # the other workers' finished futures
    out = 0  # tasks given to the other workers whose results are not yet yielded here

    def submit() -> None:
        """Give the next task to the other workers (also from the pool's thread, as one ends)."""
        nonlocal out
        with lock:  # taking a task and counting it out are one step
            if not pending:
                return
            splits, recipe = pending.popleft()
            out += 1
        try:
            future = pool.submit(run_group_task, data, splits, recipe, kwargs)
        except RuntimeError:  # the pool was shut down: the comparison is ending
            return
        future.add_done_callback(ended)

    def ended(future: Any) -> None:
        arrived.put(future)
        submit()  # the worker that ended takes the next task at once

    def take() -> Task | None:
        with lock:
            return pending.popleft() if pending else None

    def collect(block: bool) -> Iterator[RunRecord | Failure]:
        nonlocal out
        while True:
            try:
                future = arrived.get(block=block)
            except queue.Empty:
                return
            with lock:
                out -= 1
            yield from future.result()  # a worker's error is raised here
            block = False

    finished = False
    # this call's memory-mapped copies of the data go to a folder of its own, removed at the end
    with pool_call(pool):
        try:
            for _ in range(jobs - 1):
                submit()
            while (task := take()) is not None:
                yield from run_group_task(data, task[0], task[1], kwargs)
                yield from collect(block=False)
            while True:
                with lock:
                    if out == 0:
                        break
                yield from collect(block=True)
            finished = True
        finally:
            if not finished:  # an error or an interrupt: nothing more is given out, workers end
                with lock:
                    pending.clear()
                pool.terminate(kill_workers=True)


# --------------------------------------------------------------------------------------------
# Executors: where the runs happen. The driver always journals, as each result comes back.
# --------------------------------------------------------------------------------------------

Executor = Literal["local", "dask"]
TaskRunner = Callable[[list[Task], Any, dict[str, Any]], Iterator["RunRecord | Failure"]]

_DASK_INSTALL = "pip install 'equipoise[dask]'"
_CONNECT_TIMEOUT_S = 10.0
_DASK_PORT = 8786


@contextmanager
def _local_executor(scheduler: Any, n_workers: int) -> Iterator[TaskRunner]:
    """Runs on this machine: in process (``jobs=1``) or on ``n_workers`` loky processes."""
    yield lambda tasks, data, kwargs: _execute(tasks, data, kwargs, n_workers)


def import_distributed() -> Any:
    """``distributed``, or an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"executor='dask' (--executor dask) needs Dask's distributed scheduler: {_DASK_INSTALL}."
        ) from exc
    return distributed


def _unreachable(address: str, reason: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"cannot reach the Dask scheduler at {address!r} ({reason}); check the address "
        f"(tcp://HOST:{_DASK_PORT}) and that 'dask scheduler' runs there, or leave out the "
        "scheduler (--scheduler) to start a local cluster."
    )


def _probe_scheduler(address: str, timeout: float) -> None:
    """Fail at once when a TCP scheduler address refuses connections.

    ``distributed.Client`` retries a refused connection until its timeout; a plain socket
    connect tells a wrong address or port in milliseconds. Other protocols (tls, ucx, inproc)
    are left to the client.
    """
    import socket

    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme != "tcp":
            return
        host, port = parse_host_port(location, default_port=_DASK_PORT)
    except ValueError as exc:
        raise _unreachable(address, f"not an address: {exc}") from exc
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise _unreachable(address, exc.strerror or type(exc).__name__) from exc


def _dask_client(distributed: Any, scheduler: Any, n_workers: int, stack: ExitStack) -> Any:
    """The user's Client as is; a Client of the address; or a LocalCluster of ``n_workers``
    single-threaded processes. What is opened here is closed with ``stack``."""
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if scheduler is None:
        import logging

        with warnings.catch_warnings():
            # without a dashboard the scheduler still serves /health on :8787 and warns when
            # the port is taken (another cluster runs); it falls back to a free port
            warnings.filterwarnings(
                "ignore", message="Port .* is already in use", category=UserWarning
            )
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        stack.enter_context(cluster)
        return stack.enter_context(distributed.Client(cluster, set_as_default=False))
    _probe_scheduler(scheduler, _CONNECT_TIMEOUT_S)
    try:
        client = distributed.Client(scheduler, timeout=_CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise _unreachable(scheduler, f"no answer within {_CONNECT_TIMEOUT_S:g} s") from exc
    return stack.enter_context(client)


def _run_dask_task(
    data: _preprocess.PreparedData,
    splits: list[Split],
    recipe: Recipe,
    kwargs: dict[str, Any],
    slots_per_host: dict[str, int],
) -> list[RunRecord | Failure]:
    """Dask worker entry point: picks the torch threads on the worker, then runs the task.

    Without an explicit ``threads``, each run gets ``max(1, cores // slots)``, where ``cores``
    is the worker machine's CPU count and ``slots`` the number of runs the cluster executes at
    once on that machine (every worker thread there), so co-located workers do not
    oversubscribe it.

    joblib runs each task under its dask backend, so scikit-learn's own joblib calls inside a
    run (column transformer, metrics) would become sub-tasks spread over the cluster; the
    run is made sequential instead, as it is on the local executor.
    """
    from joblib import parallel_config

    env = kwargs["env"]
    if env.threads is None:
        from distributed import get_worker
        from distributed.comm import get_address_host

        try:
            slots = slots_per_host.get(get_address_host(get_worker().address), 1)
        except ValueError:  # not on a worker (a client running tasks in process)
            slots = 1
        kwargs = {
            **kwargs,
            "env": dataclasses.replace(env, threads=max(1, (os.cpu_count() or 1) // max(1, slots))),
        }
    with parallel_config(backend="sequential"):
        return run_group_task(data, splits, recipe, kwargs)


@contextmanager
def _dask_executor(scheduler: Any, n_workers: int) -> Iterator[TaskRunner]:
    """Runs on a Dask cluster through joblib's dask backend; results come back to the driver.

    The prepared data is scattered to the cluster once (joblib does it for large arguments);
    each group of runs is its own task (``batch_size=1``) and its runs are yielded as soon as it
    finishes, so the driver journals them at once and a killed driver loses only the runs in
    flight.
    """
    distributed = import_distributed()
    from distributed.comm import get_address_host
    from joblib import Parallel, delayed, parallel_config

    with ExitStack() as stack:
        client = _dask_client(distributed, scheduler, n_workers, stack)

        def run(
            tasks: list[Task], data: Any, kwargs: dict[str, Any]
        ) -> Iterator[RunRecord | Failure]:
            slots: Counter[str] = Counter()
            for address, n_threads in client.nthreads().items():
                slots[get_address_host(address)] += int(n_threads)
            with parallel_config(backend="dask", client=client):
                parallel = Parallel(n_jobs=-1, batch_size=1, return_as="generator_unordered")
            groups = parallel(
                delayed(_run_dask_task)(data, splits, recipe, kwargs, dict(slots))
                for splits, recipe in tasks
            )
            return (result for results in groups for result in results)

        yield run


EXECUTORS: dict[str, Callable[[Any, int], AbstractContextManager[TaskRunner]]] = {
    "local": _local_executor,
    "dask": _dask_executor,
}


def check_executor(executor: Any, scheduler: Any) -> None:
    """Validate ``executor`` and ``scheduler`` before any work (and Dask's presence)."""
    if executor not in EXECUTORS:
        raise InvalidParameterError(
            f"The 'executor' parameter of compare must be one of {sorted(EXECUTORS)}; got {executor!r}."
        )
    if executor != "dask":
        if scheduler is not None:
            raise InvalidParameterError(
                f"The 'scheduler' parameter of compare is only for executor='dask' (--executor dask); "
                f"got scheduler={scheduler!r} with executor={executor!r}."
            )
        return
    distributed = import_distributed()
    if scheduler is not None and not isinstance(scheduler, (str, distributed.Client)):
        raise InvalidParameterError(
            "The 'scheduler' parameter of compare must be a scheduler address such as "
            f"'tcp://10.0.0.5:{_DASK_PORT}', a distributed.Client, or None; got {scheduler!r}."
        )
    if isinstance(scheduler, str) and not scheduler.strip():
        raise InvalidParameterError(
            "The 'scheduler' parameter of compare must not be empty; got ''."
        )
