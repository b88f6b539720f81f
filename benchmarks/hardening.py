"""The slow half of issue 17's hardening corpus: what the command line does to the machine.

Each check drives the real ``equipoise compare`` command in a subprocess, on the tutorial
dataset (9 runs: 3 recipes x 3 folds x 1 seed, no references, 4 epochs), and prints one row:

- ``kill -9``: the driver is killed once half the runs are in the journal; its worker
  processes (loky workers and resource trackers, found by pid through /proc) are polled until
  they are gone. Then the same command resumes: no run may be lost or computed twice, and
  the results (every metric of every run) must equal those of an uninterrupted run.
  ``--before`` runs the kill with the workers' parent watchdog switched off, the behaviour
  before the fix, to show what it prevents.
- ``--jobs 1000``: the most processes the driver ever had at once (polled every 0.1 s).
- two processes on one ``--out``: the second must be refused at once (exit 2, naming the
  holder) while the first finishes.
- a read-only folder of finished runs (the reference folder, bind-mounted read-only: EROFS,
  which not even root can write): summarised again, and refused clearly when runs are
  missing (needs the right to mount; skipped otherwise).
- memory at 20 million rows (``--rows``): in a fresh process, random under- and over-sampling
  of a 20,000,000 x 8 float32 array (5% minority); the growth of the peak resident memory
  over the input must stay within twice the output plus 256 MiB (no hidden n x n or float64
  copies), and a request for 10**12 rows must be refused before anything is allocated.

    .venv/bin/python benchmarks/hardening.py             # about 4 minutes on 2 busy cores
    .venv/bin/python benchmarks/hardening.py --before    # also the unprotected kill -9

Linux only (/proc). Work folders go under ``--work`` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECIPES = "baseline,class-weights,focal"
COMMON = [
    "--recipes",
    RECIPES,
    "--folds",
    "3",
    "--seeds",
    "1",
    "--max-epochs",
    "4",
    "--no-references",
    "--quiet",
]
N_RUNS = 9
_NO_WATCHDOG = (
    "import equipoise._local_workers as lw; lw.init_worker = lambda *a, **k: None; "
    "from equipoise.cli import main; main()"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _command(args: list[str], watchdog: bool = True) -> list[str]:
    if watchdog:
        return [sys.executable, "-m", "equipoise.cli", *args]
    return [sys.executable, "-c", _NO_WATCHDOG, *args]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    tree, out, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def journal_count(out: Path) -> int:
    path = out / "journal.sqlite"
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(args), env=_env(), capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]


def results(out: Path) -> Any:
    """results.csv without the timings, in run order (compare with ``.equals``: NaN equals NaN,
    as a run's empty cells must)."""
    import pandas as pd

    return (
        pd.read_csv(out / "results.csv")
        .drop(columns=["fit_seconds"])
        .sort_values(["recipe", "seed", "fold"])
        .reset_index(drop=True)
    )


def check_kill(work: Path, reference: Path, watchdog: bool) -> dict[str, object]:
    out = work / ("killed" if watchdog else "killed-before")
    shutil.rmtree(out, ignore_errors=True)
    args = ["compare", *COMMON, "--jobs", "2", "--out", str(out)]
    driver = subprocess.Popen(
        _command(args, watchdog), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    workers: set[int] = set()
    while journal_count(out) < N_RUNS // 2 and driver.poll() is None:
        workers |= descendants(driver.pid)
        time.sleep(0.1)
    workers |= descendants(driver.pid)
    done_at_kill = journal_count(out)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    killed = time.monotonic()
    left = {p for p in workers if alive(p)}
    while left and time.monotonic() - killed < 30:
        time.sleep(0.2)
        left = {p for p in left if alive(p)}
    gone_after = time.monotonic() - killed
    for pid in left:  # the unprotected case: clean up what it left behind
        os.kill(pid, signal.SIGKILL)
    resumed = run(args)
    stored = journal_count(out)
    row: dict[str, object] = {
        "check": f"kill -9 mid-run, then resume ({'watchdog on' if watchdog else 'watchdog off: before'})",
        "workers seen": len(workers),
        "alive after kill": f"{len(left)} after {gone_after:.1f} s",
        "runs at kill": done_at_kill,
        "resume exit": resumed.returncode,
        "runs stored": f"{stored} of {N_RUNS}",
        "same results": results(out).equals(results(reference))
        if resumed.returncode == 0
        else False,
    }
    row["ok"] = (not left) == watchdog and stored == N_RUNS and row["same results"] is True
    return row


def check_jobs(work: Path) -> dict[str, object]:
    out = work / "jobs"
    shutil.rmtree(out, ignore_errors=True)
    driver = subprocess.Popen(
        _command(["compare", *COMMON[:-1], "--jobs", "1000", "--out", str(out)]),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    most = 0
    while driver.poll() is None:
        most = max(most, len(descendants(driver.pid)))
        time.sleep(0.1)
    note = [line for line in driver.stderr.read().splitlines() if line.startswith("note: --jobs")]  # type: ignore[union-attr]
    cores = len(os.sched_getaffinity(0))
    # workers + loky's and multiprocessing's resource trackers
    return {
        "check": "--jobs 1000 on 9 runs",
        "most processes": most,
        "usable cores": cores,
        "note": note[0] if note else "(none)",
        "exit": driver.returncode,
        "ok": driver.returncode == 0 and most <= min(cores, N_RUNS) + 2 and bool(note),
    }


def check_two_processes(work: Path) -> dict[str, object]:
    out = work / "two"
    shutil.rmtree(out, ignore_errors=True)
    # long enough (45 runs of up to 80 epochs, one worker) that the first still holds the
    # folder while the second starts up (about 6 s of imports before it reaches the lock):
    # 27 runs of 40 epochs were done in less, once a recipe's runs trained together
    longer = list(COMMON)
    longer[longer.index("--seeds") + 1] = "5"
    longer[longer.index("--max-epochs") + 1] = "80"
    args = ["compare", *longer, "--jobs", "1", "--out", str(out)]
    n_runs = 3 * 3 * 5
    first = subprocess.Popen(
        _command(args), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while (
        not (out / ".equipoise.lock").exists() or not (out / ".equipoise.lock").read_text().strip()
    ):
        time.sleep(0.1)
    started = time.monotonic()
    second = run(args)
    refused_in = time.monotonic() - started
    first.wait()
    line = second.stderr.strip().splitlines()[-1] if second.stderr.strip() else ""
    return {
        "check": "two compare processes on one --out",
        "second exit": second.returncode,
        "second refused in": f"{refused_in:.1f} s",
        "message": line[:110],
        "first exit": first.returncode,
        "runs stored": f"{journal_count(out)} of {n_runs}",
        "ok": second.returncode == 2
        and f"process {first.pid}" in line
        and first.returncode == 0
        and journal_count(out) == n_runs,
    }


def check_read_only(work: Path, reference: Path) -> dict[str, object]:
    """The finished reference folder, bind-mounted read-only (EROFS, which root cannot bypass)."""
    name = "read-only folder of finished runs summarised again"
    source, mounted = work / "readonly-src", work / "readonly"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(reference, source)
    mounted.mkdir(exist_ok=True)
    mount = subprocess.run(
        ["mount", "--bind", str(source), str(mounted)], capture_output=True, text=True
    )
    if mount.returncode != 0:
        return {
            "check": name,
            "ok": None,
            "note": f"skipped: cannot bind-mount ({mount.stderr.strip()[:80]})",
        }
    try:
        subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(mounted)], check=True, capture_output=True
        )
        done = run(["compare", *COMMON[:-1], "--jobs", "1", "--out", str(mounted)])
        unchanged = results(mounted).equals(results(reference))
        missing = run(
            [
                "compare",
                *COMMON[:-1],
                "--recipes",
                RECIPES + ",smote",
                "--jobs",
                "1",
                "--out",
                str(mounted),
            ]
        )
    finally:
        subprocess.run(["umount", str(mounted)], capture_output=True)
    notes = [line for line in done.stderr.splitlines() if "cannot be written" in line]
    refusal = missing.stderr.strip().splitlines()[-1] if missing.stderr.strip() else ""
    return {
        "check": name + " (read-only bind mount)",
        "exit": done.returncode,
        "table printed": "baseline" in done.stdout,
        "note": (notes[0] if notes else done.stderr.strip()[-110:])[:120],
        "files unchanged": unchanged,
        "with runs missing": f"exit {missing.returncode}: {refusal[:110]}",
        "ok": done.returncode == 0
        and "baseline" in done.stdout
        and unchanged
        and bool(notes)
        and missing.returncode == 2
        and "cannot be written" in refusal,
    }


_MEMORY_CHILD = r"""
import resource, sys, time
import numpy as np
from equipoise.resample import RandomOverSampler, RandomUnderSampler
from equipoise.exceptions import InvalidInputError, InvalidParameterError
n = int(sys.argv[1]); rng = np.random.default_rng(0)
X = rng.standard_normal((n, 8), dtype=np.float32); y = (rng.random(n) < 0.05).astype(np.int64)
def peak():  # MiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base = peak(); out = []
for name, sampler in (("random-under", RandomUnderSampler(random_state=0)), ("random-over", RandomOverSampler(random_state=0))):
    start = time.perf_counter(); Xr, yr = sampler.fit_resample(X, y); seconds = time.perf_counter() - start
    size = (Xr.nbytes + yr.nbytes) / 2**20; grown = peak() - base
    out.append(f"{len(yr):,} rows in {seconds:.1f} s, output {size:.0f} MiB, peak growth {grown:.0f} MiB")
    ok = grown <= 2 * size + 256
    print("ROW", name, ok, out[-1], flush=True)
    del Xr, yr
start = time.perf_counter()
try:
    RandomOverSampler(sampling_strategy={1: 10**12}, random_state=0).fit_resample(X, y)
    print("ROW huge False accepted", flush=True)
except (InvalidInputError, InvalidParameterError) as exc:
    print("ROW huge True refused in", f"{time.perf_counter() - start:.2f} s:", str(exc)[:160], flush=True)
"""


def check_memory(rows: int) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(rows)], env=_env(), capture_output=True, text=True
    )
    lines = [line.split(" ", 3) for line in proc.stdout.splitlines() if line.startswith("ROW ")]
    if proc.returncode != 0 or len(lines) != 3:
        return {
            "check": f"memory at {rows:,} rows",
            "error": proc.stderr.strip()[-300:],
            "ok": False,
        }
    return {
        "check": f"memory at {rows:,} rows",
        **{name: detail for _, name, _, detail in lines},
        "ok": all(flag == "True" for _, _, flag, _ in lines),
    }


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--before",
        action="store_true",
        help="also kill -9 with the parent watchdog off (before the fix)",
    )
    p.add_argument("--work", type=Path, default=None)
    p.add_argument(
        "--only",
        choices=["kill", "jobs", "two", "readonly", "memory"],
        action="append",
        help="run only these checks (repeatable; default: all)",
    )
    p.add_argument("--rows", type=int, default=20_000_000, help="rows of the memory check")
    a = p.parse_args()
    wanted = set(a.only or ["kill", "jobs", "two", "readonly", "memory"])
    work = a.work or Path(tempfile.mkdtemp(prefix="equipoise-hardening-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"load: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}; cores: {len(os.sched_getaffinity(0))}; work: {work}",
        flush=True,
    )
    reference = work / "reference"
    if wanted & {"kill", "readonly"}:
        shutil.rmtree(reference, ignore_errors=True)
        started = time.monotonic()
        ref = run(["compare", *COMMON, "--jobs", "2", "--out", str(reference)])
        if ref.returncode != 0:
            raise SystemExit(f"the uninterrupted run failed: {ref.stderr.strip()[-300:]}")
        print(f"uninterrupted reference run: {time.monotonic() - started:.0f} s", flush=True)
    checks = []
    if "kill" in wanted:
        checks.append(lambda: check_kill(work, reference, watchdog=True))
        if a.before:
            checks.append(lambda: check_kill(work, reference, watchdog=False))
    if "jobs" in wanted:
        checks.append(lambda: check_jobs(work))
    if "two" in wanted:
        checks.append(lambda: check_two_processes(work))
    if "readonly" in wanted:
        checks.append(lambda: check_read_only(work, reference))
    if "memory" in wanted:
        checks.append(lambda: check_memory(a.rows))
    print()
    print("| check | result | ok |")
    print("|---|---|---|", flush=True)
    for check in checks:
        row = check()
        ok = row.pop("ok")
        name = row.pop("check")
        detail = "; ".join(f"{k}: {v}" for k, v in row.items())
        print(
            f"| {name} | {detail} | {'skipped' if ok is None else 'yes' if ok else 'NO'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
