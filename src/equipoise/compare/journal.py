"""The comparison journal: every finished run, written at once to SQLite.

``journal.sqlite`` in the output folder holds one row per finished run, keyed by
``(config_hash, recipe, fold, seed)``, with its metrics (JSON), its test-fold predictions
(``y_true``, ``y_pred`` as JSON lists of class indices; ``y_score`` as ``.npy`` bytes written
with ``allow_pickle=False``) and the class counts of the training data before and after
resampling. A killed comparison loses only the runs in flight; rerunning the same command reads
what is done and runs the rest.

The configuration (data fingerprint, folds, seeds, training settings) is hashed. A journal
whose stored configuration differs from the new one is not mixed with it: :class:`Journal`
refuses with a message saying what changed and how to start afresh. A recipe whose definition
changed under the same name is refused the same way, and so is a journal written with another
layout (``schema_version``) by another version of equipoise.

A journal that cannot be used (not an SQLite file, truncated, another program's tables, a
folder of that name, a file or folder without write permission) raises
:class:`~equipoise.exceptions.InvalidInputError` naming the file and the problem, never a raw
``sqlite3`` error. ``fresh=True`` deletes the journal file (and its ``-wal``/``-shm``
companions) before opening it, so it recovers from a corrupt journal too; a folder named
``journal.sqlite`` is never deleted. ``read_only=True`` opens a finished journal in a folder
that cannot be written (``immutable``: nothing is locked or written), to summarise it again.
"""

from __future__ import annotations

import errno
import io
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = [
    "Journal",
    "RunRecord",
    "config_hash",
    "JOURNAL_NAME",
    "LOCK_NAME",
    "lock_output_folder",
    "remove_journal",
]

JOURNAL_NAME = "journal.sqlite"
LOCK_NAME = ".equipoise.lock"
"""The file in an output folder that ``compare`` holds an exclusive ``flock`` on while it runs."""
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)
_SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    config_hash TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    created REAL NOT NULL,
    schema_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    config_hash TEXT NOT NULL,
    recipe TEXT NOT NULL,
    fold INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    recipe_hash TEXT NOT NULL,
    metrics TEXT NOT NULL,
    fit_seconds REAL NOT NULL,
    y_true TEXT NOT NULL,
    y_pred TEXT NOT NULL,
    y_score BLOB,
    train_counts TEXT NOT NULL,
    resampled_counts TEXT NOT NULL,
    details TEXT NOT NULL,
    finished REAL NOT NULL,
    PRIMARY KEY (config_hash, recipe, fold, seed)
);
"""


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 (first 16 hex digits) of a JSON-serialisable configuration, keys sorted."""
    import hashlib

    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass
class RunRecord:
    """One finished run: recipe x fold x seed.

    Attributes
    ----------
    recipe : str
    fold, seed : int
    recipe_hash : str
        :meth:`Recipe.fingerprint` of the recipe that ran.
    metrics : dict of str to float
    fit_seconds : float
    y_true, y_pred : numpy.ndarray of int64
        Class indices (into the comparison's sorted classes) of the test fold.
    y_score : numpy.ndarray of float or None
        Class probabilities, shape (n_test, n_classes).
    train_counts, resampled_counts : list of int
        Class counts of the training rows before and after the resampler (class order).
    details : dict
        How the run was selected: ``selection`` ('holdout' or 'inner-cv'), ``chosen_epochs``,
        ``epochs_run``, ``steps_per_epoch``, ``batch_size``, ``val_rows``, ``enlarged`` (classes
        whose validation share was raised).
    """

    recipe: str
    fold: int
    seed: int
    recipe_hash: str
    metrics: dict[str, float]
    fit_seconds: float
    y_true: np.ndarray
    y_pred: np.ndarray
    y_score: np.ndarray | None
    train_counts: list[int]
    resampled_counts: list[int]
    details: dict[str, Any] = field(default_factory=dict)


def _npy_bytes(array: np.ndarray | None) -> bytes | None:
    if array is None:
        return None
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _npy_load(blob: bytes | None) -> np.ndarray | None:
    if blob is None:
        return None
    return np.load(io.BytesIO(blob), allow_pickle=False)


def _flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"train": {"max_epochs": 3}}`` -> ``{"train.max_epochs": 3}`` (lists stay values)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """``"train.max_epochs 40 -> 3, folds 5 -> 3"``: each changed setting, from what to what
    (nested settings by their dotted name; long values shortened; the data by its fingerprint)."""
    old_flat, new_flat = _flatten(old), _flatten(new)
    missing = object()
    changed = [
        k
        for k in sorted(set(old_flat) | set(new_flat))
        if old_flat.get(k, missing) != new_flat.get(k, missing)
    ]
    parts = []
    for key in changed[:4]:
        a, b = old_flat.get(key, missing), new_flat.get(key, missing)
        if key == "data" or key.startswith("data."):
            parts.append(f"{key} (the data's rows or values differ)")
        elif a is missing:
            parts.append(f"{key} (new setting: {_short(b)})")
        elif b is missing:
            parts.append(f"{key} (no longer set; was {_short(a)})")
        else:
            parts.append(f"{key} {_short(a)} -> {_short(b)}")
    if len(changed) > 4:
        parts.append(f"{len(changed) - 4} more")
    return ", ".join(parts) if parts else "unknown settings"


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").split()
    except OSError:
        text = []
    if len(text) >= 3:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(text[2])))
        return f"process {text[0]} on {text[1]}, since {when}"
    return "another process"


@contextmanager
def lock_output_folder(folder: str | Path) -> Iterator[bool]:
    """Hold an exclusive lock on the output folder ``folder`` while the block runs.

    Creates the folder if needed, then takes ``fcntl.flock(LOCK_EX | LOCK_NB)`` on
    ``folder/.equipoise.lock`` and writes the holder (pid, host, start time) into it. A second
    ``compare`` on the same folder is refused at once, saying which process holds it, instead of
    computing every run a second time. The lock ends with the process (the kernel releases it
    even after ``kill -9``); the file is left in place. Where the folder cannot be written, a
    shared lock is taken if the lock file exists, and the block gets False (read-only).
    Platforms without ``fcntl`` (Windows) and file systems without ``flock`` run unlocked.

    Yields
    ------
    bool
        True when the folder can be written.

    Raises
    ------
    InvalidParameterError
        Another process holds the folder.
    InvalidInputError
        The folder does not exist and cannot be created.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    folder = Path(folder)
    path = folder / LOCK_NAME
    writable = True
    fd: int | None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in _NOT_WRITABLE:
            raise
        if not folder.is_dir():
            raise InvalidInputError(
                f"cannot create the output folder {str(folder)!r} ({exc.strerror}); choose another "
                "one (--out DIR / out=...)."
            ) from None
        writable = False
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            fd = None
    try:
        if fd is not None and fcntl is not None:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if writable else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InvalidParameterError(
                    f"the output folder {str(folder)!r} is in use by another equipoise compare "
                    f"({_holder(path)}); wait for it to finish (rerunning then resumes from its "
                    "journal), or use another output folder (--out DIR / out=...)."
                ) from None
            except OSError:  # pragma: no cover - a file system without flock
                pass
            else:
                if writable:
                    os.ftruncate(fd, 0)
                    os.write(
                        fd, f"{os.getpid()} {socket.gethostname()} {time.time():.0f}\n".encode()
                    )
        yield writable
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


_COMPANIONS = ("", "-wal", "-shm", "-journal")


def remove_journal(path: str | Path) -> bool:
    """Delete the journal file ``path`` and its SQLite companions (``-wal``, ``-shm``,
    ``-journal``); True when something was deleted. A folder of that name is refused."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(
            f"{str(path)!r} is a folder, not a journal file; equipoise never deletes a folder: "
            "move or remove it yourself, or use another output folder (--out DIR / out=...)."
        )
    removed = False
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.is_file() or companion.is_symlink():
            companion.unlink()
            removed = True
    return removed


_EXPECTED_COLUMNS = {
    "meta": {"config_hash", "config", "created", "schema_version"},
    "runs": {
        "config_hash",
        "recipe",
        "fold",
        "seed",
        "recipe_hash",
        "metrics",
        "fit_seconds",
        "y_true",
        "y_pred",
        "y_score",
        "train_counts",
        "resampled_counts",
        "details",
        "finished",
    },
}


class Journal:
    """SQLite journal of finished runs for one comparison configuration.

    Parameters
    ----------
    path : str or Path
        The SQLite file (created with its folder if absent).
    config : mapping
        JSON-serialisable settings that determine the runs; hashed with :func:`config_hash`.
    fresh : bool, default=False
        Delete the journal file first (the user asked to start over); this also recovers from
        a corrupt journal. A folder named like the journal is refused, never deleted.
    read_only : bool, default=False
        Open an existing journal without writing anything (its folder cannot be written);
        :meth:`add` then raises.

    Raises
    ------
    InvalidParameterError
        When the journal holds runs of a different configuration and ``fresh`` is False.
    InvalidInputError
        When the journal cannot be used: not an SQLite file, truncated, another program's
        tables, a folder of that name, no write permission (each with the fix).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Journal(folder / "journal.sqlite", {"folds": 2}) as j:
    ...     j.done()
    set()
    """

    def __init__(
        self,
        path: str | Path,
        config: Mapping[str, Any],
        *,
        fresh: bool = False,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self.config = dict(config)
        self.config_hash = config_hash(self.config)
        self.read_only = bool(read_only)
        if self.path.is_dir():
            raise InvalidInputError(
                f"the journal {str(self.path)!r} is a folder, not a file; move or remove it, or use "
                "another output folder (--out DIR / out=...)."
            )
        if fresh:
            if self.read_only:
                raise InvalidParameterError(
                    f"cannot start over (--fresh / fresh=True) in {str(self.path.parent)!r}: the folder "
                    "cannot be written. Make it writable or use another output folder (--out DIR / out=...)."
                )
            remove_journal(self.path)
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.is_file():
            raise InvalidInputError(
                f"the folder {str(self.path.parent)!r} cannot be written and holds no journal "
                f"({self.path.name}); make it writable or use another output folder (--out DIR / out=...)."
            )
        self._tables: set[str] = set()
        with self._guard("open"):
            if self.read_only:
                self._con = sqlite3.connect(
                    f"{self.path.absolute().as_uri()}?immutable=1", uri=True, timeout=30.0
                )
            else:
                self._con = sqlite3.connect(str(self.path), timeout=30.0)
                self._con.execute("PRAGMA journal_mode=WAL")
                self._con.execute("PRAGMA synchronous=NORMAL")
            self._tables = {
                r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            self._check_schema()
            self._check_tables()
            if not self.read_only:
                self._con.executescript(_SCHEMA)
            self._check_config()

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn an ``sqlite3`` error into one clear :class:`InvalidInputError`."""
        try:
            yield
        except sqlite3.Error as exc:
            con = getattr(self, "_con", None)
            if con is not None:
                con.close()
            reason = str(exc) or type(exc).__name__
            low = reason.lower()
            if "readonly" in low or "read-only" in low:
                fix = (
                    "it (or its folder) cannot be written: make the output folder writable, or use "
                    "another one (--out DIR / out=...)"
                )
            elif "locked" in low or "busy" in low:
                fix = "another process is writing it: wait for it to finish, or use another output folder"
            elif "unable to open" in low:
                fix = "check that the output folder exists and can be read and written, or use another one"
            else:
                fix = (
                    "it is corrupt, truncated or not an equipoise journal: start over with --fresh "
                    "(fresh=True), which deletes it, or use another output folder (--out DIR / out=...)"
                )
            raise InvalidInputError(
                f"cannot {action} the journal {str(self.path)!r} ({reason}); {fix}."
            ) from None

    def _check_tables(self) -> None:
        tables = self._tables
        foreign = sorted(tables - set(_EXPECTED_COLUMNS))
        wrong = []
        for table in sorted(tables & set(_EXPECTED_COLUMNS)):
            columns = {r[1] for r in self._con.execute(f"PRAGMA table_info({table})")}
            if not _EXPECTED_COLUMNS[table] <= columns:
                wrong.append(table)
        if foreign or wrong:
            self._con.close()
            what = f"tables {foreign}" if foreign else f"table(s) {wrong} with other columns"
            raise InvalidInputError(
                f"the journal {str(self.path)!r} is an SQLite file with {what}: not an equipoise "
                "journal. Use another output folder (--out DIR / out=...), or start over with --fresh "
                "(fresh=True), which deletes it."
            )

    def _check_schema(self) -> None:
        if "meta" not in self._tables:
            return
        if "schema_version" not in {r[1] for r in self._con.execute("PRAGMA table_info(meta)")}:
            return  # not our layout at all: _check_tables says so
        versions = {
            int(r[0]) for r in self._con.execute("SELECT DISTINCT schema_version FROM meta")
        }
        other = sorted(v for v in versions if v != _SCHEMA_VERSION)
        if other:
            self._con.close()
            raise InvalidParameterError(
                f"the journal {str(self.path)!r} was written with journal schema version {other[0]} "
                f"(this equipoise writes version {_SCHEMA_VERSION}) and cannot be read. Use another "
                "folder (--out DIR / out=...) or start over with --fresh (fresh=True), which deletes "
                "the stored runs."
            )

    # -- configuration ------------------------------------------------------------------------

    def _check_config(self) -> None:
        if self.read_only and "meta" not in self._tables:
            self._con.close()
            raise InvalidInputError(
                f"the journal {str(self.path)!r} holds no comparison and its folder cannot be "
                "written; make it writable or use another output folder (--out DIR / out=...)."
            )
        rows = self._con.execute("SELECT config_hash, config FROM meta").fetchall()
        others = [(h, json.loads(c)) for h, c in rows if h != self.config_hash]
        if others:
            old_hash, old_config = others[0]
            raise InvalidParameterError(
                f"the results folder {str(self.path.parent)!r} holds a comparison with a different "
                f"configuration (changed: {_describe_changes(old_config, self.config)}); its results "
                "are not mixed with new ones. Use another folder (--out DIR / out=...) or start "
                "over with --fresh (fresh=True), which deletes the stored runs."
            )
        if not rows:
            if self.read_only:
                self._con.close()
                raise InvalidInputError(
                    f"the journal {str(self.path)!r} holds no comparison of these settings and its "
                    "folder cannot be written; make it writable or use another output folder (--out DIR / out=...)."
                )
            with self._con:
                self._con.execute(
                    "INSERT INTO meta (config_hash, config, created, schema_version) VALUES (?, ?, ?, ?)",
                    (
                        self.config_hash,
                        json.dumps(self.config, sort_keys=True, default=str),
                        time.time(),
                        _SCHEMA_VERSION,
                    ),
                )

    def check_recipes(self, fingerprints: Mapping[str, str]) -> None:
        """Refuse when a stored recipe of the same name was defined differently.

        Parameters
        ----------
        fingerprints : mapping of str to str
            ``{recipe name: Recipe.fingerprint()}`` of the recipes about to run.
        """
        with self._guard("read"):
            stored = self._con.execute(
                "SELECT DISTINCT recipe, recipe_hash FROM runs WHERE config_hash = ?",
                (self.config_hash,),
            ).fetchall()
        for name, old in stored:
            new = fingerprints.get(name)
            if new is not None and new != old:
                raise InvalidParameterError(
                    f"recipe {name!r} is defined differently from the one whose runs are stored in "
                    f"{str(self.path)!r}; its results are not mixed. Rename the changed recipe, use "
                    "another folder (--out DIR / out=...), or start over with --fresh (fresh=True)."
                )

    # -- runs ---------------------------------------------------------------------------------

    def done(self) -> set[tuple[str, int, int]]:
        """``{(recipe, fold, seed)}`` of the runs already stored for this configuration."""
        with self._guard("read"):
            rows = self._con.execute(
                "SELECT recipe, fold, seed FROM runs WHERE config_hash = ?", (self.config_hash,)
            ).fetchall()
        return {(r, int(f), int(s)) for r, f, s in rows}

    def add(self, record: RunRecord) -> None:
        """Store one finished run and commit at once."""
        if self.read_only:
            raise InvalidInputError(
                f"the journal {str(self.path)!r} was opened read-only; no run can be added."
            )
        with self._guard("write to"), self._con:
            self._con.execute(
                "INSERT OR REPLACE INTO runs (config_hash, recipe, fold, seed, recipe_hash, metrics, "
                "fit_seconds, y_true, y_pred, y_score, train_counts, resampled_counts, details, finished) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.config_hash,
                    record.recipe,
                    int(record.fold),
                    int(record.seed),
                    record.recipe_hash,
                    json.dumps(record.metrics),
                    float(record.fit_seconds),
                    json.dumps([int(v) for v in record.y_true]),
                    json.dumps([int(v) for v in record.y_pred]),
                    _npy_bytes(record.y_score),
                    json.dumps([int(v) for v in record.train_counts]),
                    json.dumps([int(v) for v in record.resampled_counts]),
                    json.dumps(record.details, sort_keys=True),
                    time.time(),
                ),
            )

    def _read_rows(self) -> list[Any]:
        return self._con.execute(
            "SELECT recipe, fold, seed, recipe_hash, metrics, fit_seconds, y_true, y_pred, y_score, "
            "train_counts, resampled_counts, details FROM runs WHERE config_hash = ? ORDER BY recipe, seed, fold",
            (self.config_hash,),
        ).fetchall()

    def records(self, keys: Iterable[tuple[str, int, int]] | None = None) -> list[RunRecord]:
        """Stored runs of this configuration (all, or those in ``keys``), sorted by key."""
        with self._guard("read"):
            rows = self._read_rows()
        wanted = None if keys is None else set(keys)
        out = []
        for row in rows:
            recipe, fold, seed = row[0], int(row[1]), int(row[2])
            if wanted is not None and (recipe, fold, seed) not in wanted:
                continue
            out.append(
                RunRecord(
                    recipe=recipe,
                    fold=fold,
                    seed=seed,
                    recipe_hash=row[3],
                    metrics=json.loads(row[4]),
                    fit_seconds=float(row[5]),
                    y_true=np.asarray(json.loads(row[6]), dtype=np.int64),
                    y_pred=np.asarray(json.loads(row[7]), dtype=np.int64),
                    y_score=_npy_load(row[8]),
                    train_counts=json.loads(row[9]),
                    resampled_counts=json.loads(row[10]),
                    details=json.loads(row[11]),
                )
            )
        return out

    def close(self) -> None:
        """Close the database connection."""
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
