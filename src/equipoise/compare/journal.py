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
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import InvalidParameterError

__all__ = ["Journal", "RunRecord", "config_hash", "JOURNAL_NAME"]

JOURNAL_NAME = "journal.sqlite"
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


def _describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    changed = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    parts = []
    for key in changed[:4]:
        a, b = old.get(key), new.get(key)
        if isinstance(a, (dict, list)) or isinstance(b, (dict, list)) or len(str(a)) + len(str(b)) > 60:
            parts.append(key)
        else:
            parts.append(f"{key} {a!r} -> {b!r}")
    if len(changed) > 4:
        parts.append(f"{len(changed) - 4} more")
    return ", ".join(parts) if parts else "unknown settings"


class Journal:
    """SQLite journal of finished runs for one comparison configuration.

    Parameters
    ----------
    path : str or Path
        The SQLite file (created with its folder if absent).
    config : mapping
        JSON-serialisable settings that determine the runs; hashed with :func:`config_hash`.
    fresh : bool, default=False
        Delete every stored run first (the user asked to start over).

    Raises
    ------
    InvalidParameterError
        When the journal holds runs of a different configuration and ``fresh`` is False.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Journal(folder / "journal.sqlite", {"folds": 2}) as j:
    ...     j.done()
    set()
    """

    def __init__(self, path: str | Path, config: Mapping[str, Any], *, fresh: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.config = dict(config)
        self.config_hash = config_hash(self.config)
        self._con = sqlite3.connect(str(self.path), timeout=30.0)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=NORMAL")
        if fresh:
            with self._con:
                self._con.execute("DROP TABLE IF EXISTS runs")
                self._con.execute("DROP TABLE IF EXISTS meta")
        self._check_schema()
        self._con.executescript(_SCHEMA)
        self._check_config()

    def _check_schema(self) -> None:
        tables = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            return
        versions = {int(r[0]) for r in self._con.execute("SELECT DISTINCT schema_version FROM meta")}
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
            with self._con:
                self._con.execute(
                    "INSERT INTO meta (config_hash, config, created, schema_version) VALUES (?, ?, ?, ?)",
                    (self.config_hash, json.dumps(self.config, sort_keys=True, default=str), time.time(), _SCHEMA_VERSION),
                )

    def check_recipes(self, fingerprints: Mapping[str, str]) -> None:
        """Refuse when a stored recipe of the same name was defined differently.

        Parameters
        ----------
        fingerprints : mapping of str to str
            ``{recipe name: Recipe.fingerprint()}`` of the recipes about to run.
        """
        stored = self._con.execute(
            "SELECT DISTINCT recipe, recipe_hash FROM runs WHERE config_hash = ?", (self.config_hash,)
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
        rows = self._con.execute(
            "SELECT recipe, fold, seed FROM runs WHERE config_hash = ?", (self.config_hash,)
        ).fetchall()
        return {(r, int(f), int(s)) for r, f, s in rows}

    def add(self, record: RunRecord) -> None:
        """Store one finished run and commit at once."""
        with self._con:
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

    def records(self, keys: Iterable[tuple[str, int, int]] | None = None) -> list[RunRecord]:
        """Stored runs of this configuration (all, or those in ``keys``), sorted by key."""
        rows = self._con.execute(
            "SELECT recipe, fold, seed, recipe_hash, metrics, fit_seconds, y_true, y_pred, y_score, "
            "train_counts, resampled_counts, details FROM runs WHERE config_hash = ? ORDER BY recipe, seed, fold",
            (self.config_hash,),
        ).fetchall()
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
        self._con.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
