"""Issue 17's corpus of bad input for the command line, the journal and the output folder: every
case ends in one line and exit status 2 (or, for a failed recipe, a warning line), nothing is
overwritten without a word, and nothing printed can drive the terminal."""

from __future__ import annotations

import errno
import os
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from equipoise.cli import _capped_jobs, main, printable
from equipoise.compare import RECIPES, Recipe, compare
from equipoise.compare import journal as journal_module
from equipoise.compare.journal import Journal, RunRecord, lock_output_folder
from equipoise.compare.recipes import load_recipes_toml
from equipoise.compare.result import csv_safe
from equipoise.exceptions import InvalidInputError, InvalidParameterError

from ._compare_data import FAST, tiny_binary

FAST_CLI = ["-k", "2", "-s", "1", "--max-epochs", "2", "-j", "1", "--no-references"]


@pytest.fixture
def runner():
    return CliRunner()


def _one_line_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def table(tmp_path):
    X, y = tiny_binary(n=80)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame["label"] = np.where(y == 1, "rare", "common")
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------------------------
# 1. unreadable input: one loader, one line, exit 2, for every command
# --------------------------------------------------------------------------------------------

_GOOD = "a,b,label\n" + "".join(f"{i},{i % 7},{'é' if i % 4 == 0 else 'x'}\n" for i in range(40))


def _write_bad(folder, kind):
    rng = np.random.default_rng(0)
    files = {
        "latin1": ("latin1.csv", _GOOD.encode("latin-1")),
        "cp1252": ("cp1252.csv", _GOOD.replace("é", "\u2019").encode("cp1252")),
        "utf16-bom": ("utf16.csv", _GOOD.encode("utf-16")),
        "utf16le-no-bom": ("utf16le.csv", _GOOD.encode("utf-16-le")),
        "extra-field": ("extra.csv", b"a,b,label\n1,2,x\n3,4,y,5\n"),
        "unclosed-quote": ("quote.csv", b'a,b,label\n1,2,"x\n3,4,y\n'),
        "random-parquet": ("rand.parquet", rng.bytes(300)),
        "csv-as-parquet": ("csv.parquet", _GOOD.encode()),
        "empty": ("empty.csv", b""),
        "directory": ("folder.csv", None),
        "missing": ("missing.csv", False),
    }
    name, content = files[kind]
    path = folder / name
    if content is None:
        path.mkdir()
    elif content is not False:
        path.write_bytes(content)
    return path


_EXPECTED = {
    "latin1": ["not UTF-8 text (byte 0xe9 on line 2", "Save it as UTF-8"],
    "cp1252": ["not UTF-8 text (byte 0x92 on line 2", "Save it as UTF-8"],
    "utf16-bom": ["UTF-16 text", "save it as UTF-8"],
    "utf16le-no-bom": ["UTF-16 text", "save it as UTF-8"],
    "extra-field": ["cannot parse 'extra.csv' as CSV: Expected 3 fields in line 3, saw 4"],
    "unclosed-quote": ["cannot parse 'quote.csv' as CSV", "quote"],
    "random-parquet": ["cannot read 'rand.parquet' as Parquet", "magic bytes"],
    "csv-as-parquet": ["cannot read 'csv.parquet' as Parquet"],
    "empty": ["empty file 'empty.csv'"],
    "directory": ["'", "is a folder"],
    "missing": ["file not found", "missing.csv"],
}


@pytest.mark.parametrize("command", ["profile", "resample", "compare"])
@pytest.mark.parametrize("kind", sorted(_EXPECTED))
def test_unreadable_input_is_one_line_and_exit_2(runner, tmp_path, command, kind):
    path = _write_bad(tmp_path, kind)
    args = [command, str(path), "-t", "label"]
    if command == "resample":
        args += ["-m", "random-over", "-o", str(tmp_path / "out.csv")]
    if command == "compare":
        args += [*FAST_CLI, "-r", "baseline", "-o", str(tmp_path / "o")]
    _one_line_error(runner.invoke(main, args), *_EXPECTED[kind])
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "o" / "journal.sqlite").exists()


# --------------------------------------------------------------------------------------------
# 2. the journal
# --------------------------------------------------------------------------------------------


def _record(fold=0):
    y = np.array([0, 1] * 50)
    return RunRecord(
        "baseline", fold, 0, "h", {"balanced_accuracy": 0.5}, 1.0, y, y, None, [5, 5], [5, 5]
    )


def _bad_journal(path, kind):
    if kind == "corrupt":
        path.write_bytes(np.random.default_rng(1).bytes(4096))
    elif kind == "truncated":
        with Journal(path, {"folds": 2}) as j:
            for fold in range(40):
                j.add(_record(fold))
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind in ("other-tables", "other-columns"):
        con = sqlite3.connect(path)
        con.execute(
            "CREATE TABLE runs (x)" if kind == "other-columns" else "CREATE TABLE photos (x)"
        )
        con.commit()
        con.close()
    elif kind == "directory":
        path.mkdir()


_JOURNAL_ERRORS = {
    "corrupt": "file is not a database",
    "truncated": "malformed",
    "other-tables": "tables ['photos']: not an equipoise journal",
    "other-columns": "table(s) ['runs'] with other columns",
    "directory": "is a folder, not a file",
}


@pytest.mark.parametrize("kind", sorted(_JOURNAL_ERRORS))
def test_an_unusable_journal_is_one_clear_error_and_fresh_recovers(tmp_path, kind):
    path = tmp_path / "journal.sqlite"
    _bad_journal(path, kind)
    with pytest.raises(InvalidInputError, match=re.escape(_JOURNAL_ERRORS[kind])) as info:
        Journal(path, {"folds": 3}).close()
    assert str(path) in str(info.value)
    if kind == "directory":  # a folder is never deleted
        with pytest.raises(InvalidInputError, match="is a folder"):
            Journal(path, {"folds": 3}, fresh=True)
        assert path.is_dir()
        return
    assert "--fresh" in str(info.value)
    with Journal(path, {"folds": 3}, fresh=True) as j:  # --fresh deletes it and starts over
        assert j.done() == set()
        j.add(_record())
    with Journal(path, {"folds": 3}) as j:
        assert j.done() == {("baseline", 0, 0)}


def test_a_read_only_journal_file_is_one_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "journal.sqlite"
    with Journal(path, {"folds": 2}) as j:
        j.add(_record())
    real = sqlite3.connect

    def readonly_connect(target, *args, **kwargs):  # what a journal without write permission does
        return real(f"file:{target}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(journal_module.sqlite3, "connect", readonly_connect)
    with Journal(
        path, {"folds": 2}
    ) as j:  # opens (sqlite falls back to reading), then cannot store
        assert j.done() == {("baseline", 0, 0)}
        with pytest.raises(
            InvalidInputError,
            match=r"cannot write to the journal .*readonly database.*make the output folder writable",
        ):
            j.add(_record(1))


def test_the_changed_configuration_refusal_says_what_changed_from_what_to_what(tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal(path, {"folds": 5, "train": {"max_epochs": 40, "lr": 0.001}, "data": "abc"}).close()
    with pytest.raises(InvalidParameterError, match=r"changed: train\.max_epochs 40 -> 3\)"):
        Journal(path, {"folds": 5, "train": {"max_epochs": 3, "lr": 0.001}, "data": "abc"})
    with pytest.raises(
        InvalidParameterError,
        match=r"changed: data \(the data's rows or values differ\), folds 5 -> 2\)",
    ):
        Journal(path, {"folds": 2, "train": {"max_epochs": 40, "lr": 0.001}, "data": "xyz"})


def test_a_corrupt_journal_in_out_is_one_line_then_fresh_recovers(runner, table, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "journal.sqlite").write_bytes(b"not a database" * 300)
    args = ["compare", str(table), "-t", "label", "-r", "baseline", *FAST_CLI, "-o", str(out), "-q"]
    _one_line_error(runner.invoke(main, args), "file is not a database", "--fresh")
    X, y = tiny_binary(n=80)
    res = compare(X, y, recipes=["baseline"], out=out, fresh=True, **FAST)
    assert res.n_computed == 2 and res.written and (out / "results.csv").exists()


def test_a_read_only_folder_of_finished_runs_is_summarised_again(tmp_path, monkeypatch):
    X, y = tiny_binary(n=80)
    first = compare(X, y, recipes=["baseline"], out=tmp_path, **FAST)
    stamp = (tmp_path / "results.csv").stat().st_mtime_ns
    real_open = os.open

    def no_write(path, flags, *args):  # a folder this user cannot write (root ignores chmod)
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(journal_module.os, "open", no_write)
    again = compare(X, y, recipes=["baseline"], out=tmp_path, **FAST)
    assert again.n_computed == 0 and not again.written
    assert again.summary["recipes"]["baseline"] == first.summary["recipes"]["baseline"]
    assert any("cannot be written" in note and "not rewritten" in note for note in again.notes)
    assert (tmp_path / "results.csv").stat().st_mtime_ns == stamp
    with pytest.raises(
        InvalidInputError, match=r"cannot be written and 2 of 4 run\(s\) are not in its journal"
    ):
        compare(X, y, recipes=["baseline", "class-weights"], out=tmp_path, **FAST)


# --------------------------------------------------------------------------------------------
# 3. recipe files
# --------------------------------------------------------------------------------------------

_BAD_RECIPES = {
    "typo-loss": (
        '[recipe.f2]\nloss = "focal"\nloss_params = { gama = 2.0 }\n',
        "f2",
        [
            "recipe 'f2': cannot build loss 'focal': it has no parameter 'gama'",
            "did you mean 'gamma'?",
            "Fix loss_params",
        ],
    ),
    "typo-resampler": (
        '[recipe.s3]\nresampler = "smote"\nresampler_params = { k_neighbours = 3 }\n',
        "s3",
        [
            "recipe 's3'",
            "no parameter(s) ['k_neighbours']",
            "Fix 'k_neighbours' in resampler_params",
        ],
    ),
    "zero-k": (
        '[recipe.s0]\nresampler = "smote"\nresampler_params = { k_neighbors = 0 }\n',
        "s0",
        [
            "recipe 's0'",
            "'k_neighbors' parameter of SMOTE",
            "got 0",
            "Fix 'k_neighbors' in resampler_params",
        ],
    ),
    "typo-sampler": (
        '[recipe.b1]\nbatch_sampler = "class-balanced"\nbatch_sampler_params = { qq = 1 }\n',
        "b1",
        [
            "cannot build batch sampler 'class-balanced': it has no parameter 'qq'",
            "did you mean 'q'?",
        ],
    ),
    "bad-reference": (
        '[recipe.lr]\nmodel = "logistic-regression"\nmodel_params = { C = -1 }\n',
        "lr",
        ["recipe 'lr'", "'C' parameter of LogisticRegression", "Fix 'C' in model_params"],
    ),
    "shipped-name": (
        '[recipe.baseline]\nloss = "focal"\n',
        "baseline",
        ["recipe 'baseline'", "name of a shipped recipe", "[recipe.my-baseline]"],
    ),
    "control-name": ('[recipe."x\\u001b[31m"]\nloss = "focal"\n', "x", ["printable text"]),
    "not-utf8": (b'[recipe.f]\ndescription = "caf\xe9"\n', "f", ["not UTF-8 text"]),
}


@pytest.mark.parametrize("kind", sorted(_BAD_RECIPES))
def test_bad_recipe_files_are_refused_before_the_first_run(runner, table, tmp_path, kind):
    text, name, fragments = _BAD_RECIPES[kind]
    path = tmp_path / "r.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "o"
    args = [
        "compare",
        str(table),
        "-t",
        "label",
        "--recipe-file",
        str(path),
        "-r",
        f"baseline,{name}",
        *FAST_CLI,
        "-o",
        str(out),
        "-q",
    ]
    try:
        _one_line_error(runner.invoke(main, args), *fragments)
    finally:
        for registered in ("f2", "s3", "s0", "b1", "lr"):
            if registered in RECIPES:
                RECIPES.unregister(registered)
    assert not (out / "journal.sqlite").exists()  # refused before any run
    assert RECIPES.get("baseline").loss == "cross-entropy"


def test_a_recipe_file_cannot_replace_a_shipped_recipe(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[recipe.smote]\nresampler = "random-over"\n')
    with pytest.raises(InvalidInputError, match="name of a shipped recipe"):
        load_recipes_toml(path, replace=True)
    assert RECIPES.get("smote").resampler == "smote"


def test_a_failed_recipe_is_never_silent_even_with_quiet(runner, tmp_path, monkeypatch):
    from equipoise.compare import report

    monkeypatch.setattr(
        report, "write_report", lambda *args, **kwargs: None
    )  # the plots cost seconds
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    frame["label"] = ["common"] * 54 + [
        "rare"
    ] * 6  # 2-3 rare training rows per fold: SMOTE's k=5 cannot run
    data = tmp_path / "few.csv"
    frame.to_csv(data, index=False)
    result = runner.invoke(
        main,
        [
            "compare",
            str(data),
            "-t",
            "label",
            "-r",
            "baseline,smote",
            *FAST_CLI,
            "-o",
            str(tmp_path / "o"),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    warnings = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("warning: recipe smote failed")
    ]
    assert len(warnings) == 1 and "left out of the comparison" in warnings[0], result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------------------------------
# 4. the command line protects the machine
# --------------------------------------------------------------------------------------------


def test_jobs_is_capped_at_the_usable_cores_and_the_runs(monkeypatch, capsys):
    from equipoise.compare import executors

    monkeypatch.setattr(executors, "usable_cores", lambda: 4)
    assert (
        _capped_jobs(1000, ["baseline", "smote", "focal"], False, 3, 1, "local", None, False) == 4
    )
    assert (
        "note: --jobs 1000 lowered to 4 (4 usable CPU core(s), 9 run(s))."
        in capsys.readouterr().err
    )
    assert _capped_jobs(1000, ["baseline"], False, 2, 1, "local", None, False) == 2  # 2 runs
    assert "lowered to 2 (4 usable CPU core(s), 2 run(s))" in capsys.readouterr().err
    assert _capped_jobs(-1, ["baseline"], True, 5, 3, "local", None, True) == 4
    assert capsys.readouterr().err == ""  # --quiet
    assert _capped_jobs(3, ["baseline"], True, 5, 3, "local", None, False) == 3
    assert (
        _capped_jobs(64, None, True, 5, 3, "dask", "tcp://h:8786", False) == 64
    )  # a cluster sizes itself
    with pytest.raises(InvalidParameterError, match="--jobs must be a positive number"):
        _capped_jobs(0, None, True, 5, 3, "local", None, False)


def test_usable_cores_follows_the_affinity_mask():
    from equipoise.compare.executors import usable_cores

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert usable_cores() == expected


def test_the_python_api_lowers_jobs_above_the_cores_with_a_note(monkeypatch):
    from equipoise.compare import runner as runner_module

    monkeypatch.setattr(
        runner_module, "usable_cores", lambda: 1
    )  # one core: the runs stay in process
    X, y = tiny_binary(n=80)
    with pytest.warns(UserWarning, match="jobs=1000 lowered to 1, the usable CPU cores"):
        res = compare(X, y, recipes=["baseline"], jobs=1000, **FAST)
    assert res.notes == ["jobs=1000 lowered to 1, the usable CPU cores of this machine."]


def test_a_second_compare_on_the_same_folder_is_refused(runner, table, tmp_path):
    out = tmp_path / "o"
    with lock_output_folder(out) as writable:
        assert writable
        with pytest.raises(
            InvalidParameterError,
            match=rf"in use by another equipoise compare \(process {os.getpid()} on ",
        ):
            with lock_output_folder(out):
                pass
        result = runner.invoke(
            main,
            ["compare", str(table), "-t", "label", "-r", "baseline", *FAST_CLI, "-o", str(out)],
        )
        _one_line_error(result, "is in use by another equipoise compare", f"process {os.getpid()}")
    with lock_output_folder(out):  # released with its holder
        pass


def test_empty_out_is_refused(runner, table):
    result = runner.invoke(
        main, ["compare", str(table), "-t", "label", "-r", "baseline", *FAST_CLI, "-o", ""]
    )
    _one_line_error(result, "The 'out' parameter of compare must name a folder", "got ''")


def test_an_unrelated_results_csv_is_not_overwritten_without_fresh(tmp_path):
    (tmp_path / "results.csv").write_text("name,salary\nann,100\n")
    X, y = tiny_binary(n=80)
    recipes = ["baseline", Recipe("=1+1", "a hostile name", loss_params={"weight": "balanced"})]
    with pytest.raises(
        InvalidParameterError, match=r"holds results\.csv but no journal\.sqlite.*--fresh"
    ):
        compare(X, y, recipes=recipes, out=tmp_path, **FAST)
    assert (tmp_path / "results.csv").read_text() == "name,salary\nann,100\n"
    compare(X, y, recipes=recipes, out=tmp_path, fresh=True, **FAST)
    written = pd.read_csv(tmp_path / "results.csv")
    assert set(written["recipe"]) == {"baseline", "'=1+1"}  # CSV formula injection neutralised


# --------------------------------------------------------------------------------------------
# 5. security: CSV formula injection, terminal escapes
# --------------------------------------------------------------------------------------------


def test_csv_safe_quotes_formula_text_and_keeps_numbers():
    frame = pd.DataFrame(
        {
            "text": [
                '=HYPERLINK("http://x")',
                "+1+2",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "-3",
                "+1.5e3",
                "ok",
                None,
            ],
            "cat": pd.Categorical(["=a", "b"] * 5),
            "num": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, -10.0],
            "int": np.arange(-5, 5),
            "=col": np.zeros(10),
        }
    )
    safe = csv_safe(frame)
    assert safe["text"].tolist()[:9] == [
        '\'=HYPERLINK("http://x")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "-3",
        "+1.5e3",
        "ok",
    ]
    assert pd.isna(safe["text"].iloc[9])
    assert safe["cat"].tolist()[:2] == ["'=a", "b"]
    assert safe["num"].tolist() == frame["num"].tolist() and safe["int"].dtype == frame["int"].dtype
    assert "'=col" in safe.columns
    assert frame["text"].iloc[0].startswith("=")  # the input is not modified
    plain = pd.DataFrame({"a": ["x", "y"], "b": [-1, 2]})
    assert csv_safe(plain) is plain


def test_resample_output_neutralises_formula_cells(runner, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"v": -rng.random(40), "city": (["=cmd|' /C calc'!A0", "@x", "Oslo", "-9"] * 10)}
    )
    frame["label"] = ["+a"] * 30 + ["b"] * 10
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    result = runner.invoke(
        main,
        ["resample", str(data), "-t", "label", "-m", "random-under", "-o", str(tmp_path / "o.csv")],
    )
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "o.csv")
    assert set(out["city"]) <= {"'=cmd|' /C calc'!A0", "'@x", "Oslo", -9, "-9"}
    assert set(out["label"]) == {"'+a", "b"}
    assert (out["v"] < 0).all()  # negative numbers are data


_HOSTILE_LABELS = [
    "\x1b]0;pwned\x07",
    "\x1b[31mred",
    "[bold red]markup[/]",
    "\u202egnp.exe",
    "c1\x9b2J",
]


def test_profile_prints_hostile_labels_escaped(runner, tmp_path):
    frame = pd.DataFrame(
        {"a": np.arange(50.0), "label": [_HOSTILE_LABELS[i % 5] for i in range(50)]}
    )
    data = tmp_path / "h.csv"
    frame.to_csv(data, index=False)
    result = runner.invoke(main, ["profile", str(data), "-t", "label"])
    assert result.exit_code == 0, result.output
    assert not any(ch in result.output for ch in "\x1b\x07\x9b\u202e")
    for shown in (
        "\\x1b]0;pwned\\x07",
        "\\x1b[31mred",
        "[bold red]markup[/]",
        "\\u202egnp.exe",
        "c1\\x9b2J",
    ):
        assert shown in result.output, result.output


def test_printable_escapes_every_control_character():
    assert printable("plain é ✓") == "plain é ✓"
    assert printable("a\x1b[2Jb\x00c\x7f\x85\x9bd") == "a\\x1b[2Jb\\x00c\\x7f\\x85\\x9bd"
    assert printable("l1\nl2\r") == "l1\\nl2\\r"
    assert printable("l1\nl2", newlines=True) == "l1\nl2"
    assert printable("\u2066x\u2069\u2028") == "\\u2066x\\u2069\\u2028"


def test_error_lines_escape_control_characters(runner, tmp_path):
    result = runner.invoke(main, ["profile", str(tmp_path / "no\x1b]0;x\x07.csv"), "-t", "y"])
    line = _one_line_error(result)
    assert "\x1b" not in line and "\x07" not in line
