"""The ``equipoise`` command: profile, resample and compare imbalance fixes from the shell.

Every bad input (missing file or column, one class, a continuous target, missing values
without ``--impute``, an unknown name, a file that is not UTF-8 text, a malformed CSV or
Parquet file, an unusable journal) ends with one line on stderr, ``error: ...``, and exit
status 2; never a traceback. Set ``EQUIPOISE_DEBUG=1`` to see the traceback instead.

Everything printed passes through :func:`printable`: control characters (C0, C1, ESC) and
bidirectional overrides in class labels, recipe names or messages are shown escaped
(``\x1b``), so a data file cannot drive the terminal; rich output is built from ``Text``
objects, so ``[red]`` in a label is shown, not interpreted as markup.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Literal

import click

from ._local_workers import local_workers
from .exceptions import EquipoiseError

__all__ = ["main", "printable"]

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def printable(text: Any, *, newlines: bool = False) -> str:
    """``text`` with every control character escaped, safe to print on a terminal.

    C0 and C1 control characters (ESC included) and the bidirectional overrides are written
    as Python escapes (``\x1b``, ``\u202e``); with ``newlines=True`` line feeds are kept.

    Examples
    --------
    >>> print(printable("class \\x1b]0;pwned\\x07"))
    class \\x1b]0;pwned\\x07
    """
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\n" and newlines:
            out.append(ch)
        elif unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS or ch in "\u2028\u2029":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


EXIT_USAGE = 2

_DATA_HELP = (
    "DATA is a CSV or Parquet file (with --target naming the label column) or the name of a "
    "built-in dataset (see 'equipoise datasets')."
)


class _Group(click.Group):
    """A click group whose errors are one line, ``error: ...``, with exit status 2."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        extra.pop("standalone_mode", None)
        try:
            code = super().main(
                args=args, prog_name=prog_name or "equipoise", standalone_mode=False, **extra
            )
        except click.exceptions.Abort:
            _fail("interrupted; rerun the same command to resume a comparison", 130)
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _fail(exc.format_message() + hint, EXIT_USAGE)
        except KeyboardInterrupt:
            _fail("interrupted; rerun the same command to resume a comparison", 130)
        except (EquipoiseError, OSError) as exc:
            if os.environ.get("EQUIPOISE_DEBUG"):
                raise
            _fail(str(exc) or type(exc).__name__, EXIT_USAGE)
        except ModuleNotFoundError as exc:
            # an optional dependency imported deep inside a command: name the extra
            from ._extras import extra_for, missing_dependency

            if os.environ.get("EQUIPOISE_DEBUG") or extra_for(exc.name) is None:
                raise
            _fail(str(missing_dependency(str(exc.name), "this command", cause=exc)), EXIT_USAGE)
        sys.exit(code if isinstance(code, int) else 0)


_NUMPY_SCALAR = re.compile(r"np\.(?:float|int|uint|bool_?)\d*\(([^()]*)\)")


def plain_numbers(text: str) -> str:
    """``np.float64(0.1257)`` in a message becomes ``0.1257`` (numpy 2's scalar repr).

    Examples
    --------
    >>> plain_numbers("got np.float64(0.1257) and np.int64(3)")
    'got 0.1257 and 3'
    """
    return _NUMPY_SCALAR.sub(r"\1", text)


def _fail(message: str, code: int) -> None:
    text = printable(plain_numbers(" ".join(str(message).split())))  # one line, plain numbers
    click.echo(f"error: {text}", err=True)
    sys.exit(code)


def _console(quiet: bool = False) -> Any:
    from rich.console import Console

    return Console(quiet=quiet, highlight=False)


def _load(data: str, target: str | None, task: str | None = None) -> tuple[Any, Any, str]:
    """A file with --target, or a built-in dataset by name."""
    from .exceptions import InvalidInputError

    path = Path(data)
    if path.exists():
        if path.is_dir():
            raise InvalidInputError(f"{data!r} is a folder; pass a CSV or Parquet file.")
        if not target:
            raise click.UsageError(f"--target COLUMN is required with a data file ({data!r}).")
        X, y = _read_table(path, target, task)
        return X, y, path.name
    from .datasets import dataset_info, list_datasets, load_dataset

    names = [str(n) for n in list_datasets()["name"]]
    if data in names:
        if target:
            raise click.UsageError(
                f"--target is only for data files; {data!r} is a built-in dataset."
            )
        if dataset_info(data).kind == "image":
            X, y = load_dataset(data, as_image=True)  # (N, C, H, W): compared with a small CNN
        else:
            X, y = load_dataset(data, as_frame=True)
        return X, y, data
    if path.suffix or len(path.parts) > 1:
        raise InvalidInputError(
            f"file not found: {data!r}; check the path (relative to {Path.cwd()})."
        )
    import difflib

    close = difflib.get_close_matches(data, names, n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise InvalidInputError(
        f"no file and no built-in dataset named {data!r}.{hint} `equipoise datasets` lists the "
        f"{len(names)} built-in datasets."
    )


def _read_table(path: Path, target: str, task: str | None = None) -> tuple[Any, Any]:
    """The one CLI loader of data files: :func:`equipoise.datasets.load_table`, which turns
    every way a file can fail to parse (encoding, CSV quoting, Parquet) into one
    :class:`InvalidInputError` naming the file."""
    from .datasets import load_table

    return load_table(path, target, task="regression" if task == "regression" else "classification")


# --------------------------------------------------------------------------------------------
# Shell completion (click's): names come from the registries
# --------------------------------------------------------------------------------------------


def _complete_dataset(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """DATA: built-in dataset names, and files."""
    from click.shell_completion import CompletionItem

    from .datasets import list_datasets

    names = [str(n) for n in list_datasets()["name"] if str(n).startswith(incomplete)]
    return [CompletionItem(n) for n in names] + [CompletionItem(incomplete, type="file")]


def _complete_recipes(ctx: Any, param: Any, incomplete: str) -> list[str]:
    """--recipes A,B,...: completes the name after the last comma."""
    from .compare.recipes import RECIPES

    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    return [prefix + n for n in RECIPES.names() if n.startswith(last)]


def _complete_method(ctx: Any, param: Any, incomplete: str) -> list[str]:
    from .resample import RESAMPLERS

    return [n for n in RESAMPLERS.names() if n.startswith(incomplete)]


# --------------------------------------------------------------------------------------------
# The group
# --------------------------------------------------------------------------------------------


@click.group(
    name="equipoise",
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Examples:\n\n\b\n  equipoise compare\n  equipoise compare data.csv --target label\n"
    "  equipoise profile data.csv --target label\n  equipoise recipes",
)
@click.version_option(
    package_name="equipoise", prog_name="equipoise", message="%(prog)s %(version)s"
)
@click.option(
    "--verbose",
    "-v",
    count=True,
    help="Log what the library does to stderr (-v: progress of long work, -vv: debug).",
)
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """Train deep-learning models on imbalanced data, and choose the fix on your own data.

    Run 'equipoise compare' with no argument for the quick-start comparison on the tutorial
    dataset, then 'equipoise compare YOUR.csv --target COLUMN'.
    """
    if verbose:
        _log_to_stderr(logging.INFO if verbose == 1 else logging.DEBUG)
    if ctx.invoked_subcommand is None:  # plain `equipoise`: the help, exit status 0
        click.echo(ctx.get_help())
        ctx.exit(0)


def _log_to_stderr(level: int) -> None:
    """Show the library's ``logging.getLogger("equipoise")`` records on stderr."""
    logger = logging.getLogger("equipoise")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
    logger.addHandler(handler)
    logger.setLevel(level)


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------


class _MetricOption(click.Option):
    """``--metric``, whose help lists the names in :data:`equipoise.metrics.METRICS`.

    Built when the help is shown, so that starting the command does not import the metrics.
    """

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from .metrics import METRICS

        general = [name for name, m in METRICS.items() if not m.binary_only]
        binary = [name for name, m in METRICS.items() if m.binary_only]
        self.help = f"Primary metric for ranking and tests: {', '.join(general)} (binary: {', '.join(binary)})."
        return super().get_help_record(ctx)


@main.command(
    epilog="Examples:\n\n\b\n"
    "  equipoise compare                                  # tutorial dataset, every recipe\n"
    "  equipoise compare data.csv --target label --recipes baseline,smote,focal\n"
    "  equipoise compare data.parquet --target y --folds 10 --seeds 5 --metric macro_f1\n"
    "  equipoise compare train.csv --target y --test test.csv --pos-label fraud\n"
    "  equipoise compare mnist-lt-100                     # long-tailed: its balanced test split\n"
    "  equipoise compare data.csv --target y --jobs 4 --out results/ --fresh\n"
    "  equipoise compare data.csv --target y --executor dask --scheduler tcp://10.0.0.5:8786\n\n"
    "Rerunning the same command resumes: finished runs are read from OUT/journal.sqlite. "
    "Writes OUT/results.csv, OUT/summary.json and OUT/report.html."
)
@click.argument("data", required=False, shell_complete=_complete_dataset)
@click.option(
    "--target", "-t", metavar="COLUMN", help="Label column of a data file (and of --test)."
)
@click.option(
    "--test",
    "test_file",
    metavar="TESTDATA",
    shell_complete=_complete_dataset,
    help="Score on this test set instead of cross-validation: a CSV/Parquet file with the same columns (or a built-in dataset). Built-in long-tailed image sets use their balanced test split by default.",
)
@click.option(
    "--recipes",
    "-r",
    metavar="A,B,...",
    shell_complete=_complete_recipes,
    help="Comma-separated recipe names (default: all; see 'equipoise recipes').",
)
@click.option(
    "--recipe-file",
    type=click.Path(exists=True, dir_okay=False),
    help="TOML file of extra recipes ([recipe.NAME] tables).",
)
@click.option(
    "--no-references",
    is_flag=True,
    help="Skip the reference models (logistic regression, gradient boosting, balanced random forest).",
)
@click.option(
    "--folds",
    "-k",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Stratified cross-validation folds.",
)
@click.option(
    "--seeds",
    "-s",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Repetitions of the split (and of training).",
)
@click.option("--metric", "-m", cls=_MetricOption, default="balanced_accuracy", show_default=True)
@click.option(
    "--pos-label",
    metavar="LABEL",
    help="Binary targets: the positive class (default: the minority).",
)
@click.option(
    "--val-size",
    type=float,
    default=0.2,
    show_default=True,
    help="Share of each training fold held out to choose the epoch and the threshold, in (0, 0.9).",
)
@click.option(
    "--jobs",
    "-j",
    type=int,
    default=2,
    show_default=True,
    help="Parallel workers (-1: every usable core); lowered, with a note, to the usable cores and the number of runs.",
)
@click.option(
    "--device",
    default="cpu",
    show_default=True,
    help="Torch device: cpu, cuda, cuda:N, mps or auto.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default="equipoise-results",
    show_default=True,
    help="Output folder.",
)
@click.option(
    "--max-epochs",
    type=click.IntRange(min=1),
    default=40,
    show_default=True,
    help="Epoch limit (early stopping ends sooner).",
)
@click.option(
    "--impute", is_flag=True, help="Fill missing values per training fold (median / most frequent)."
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Delete OUT/journal.sqlite (also a corrupt one) and start over; allows overwriting a results.csv that has no journal beside it.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar, table or notes; errors and failed recipes still go to stderr.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where runs execute: this machine, or a Dask cluster (pip install 'equipoise[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler (tcp://HOST:8786) for --executor dask; without it, a local cluster of --jobs worker processes.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary (summary.json's content) to stdout as JSON instead of the table; notes and warnings stay on stderr.",
)
@click.option(
    "--multilabel",
    "multilabel_sep",
    metavar="SEP",
    help="Multi-label target: the --target column holds SEP-separated labels (e.g. 'a|b'). Several comma-separated --target columns of 0/1 run a multi-label comparison too. See docs/multilabel.md.",
)
@click.option(
    "--task",
    type=click.Choice(["classification", "regression"]),
    default=None,
    help="'regression' runs the regression recipes (baseline, lds, dense-weight, balanced-mse, smoter, smogn; docs/regression.md); default: classification.",
)
def compare(
    data: str | None,
    target: str | None,
    test_file: str | None,
    recipes: str | None,
    recipe_file: str | None,
    no_references: bool,
    folds: int,
    seeds: int,
    metric: str,
    pos_label: str | None,
    val_size: float,
    jobs: int,
    device: str,
    out: str,
    max_epochs: int,
    impute: bool,
    fresh: bool,
    quiet: bool,
    executor: Literal["local", "dask"],
    scheduler: str | None,
    as_json: bool,
    multilabel_sep: str | None = None,
    task: str | None = None,
) -> None:
    """Compare imbalance recipes on DATA, leakage-free, and say which fix works.

    Each recipe (resampling, batch sampling, loss, head, decision rule) and each reference model
    is trained on the same rows with the same budget, selected by a criterion no class prior
    favours, and scored on the same held-out rows. A difference is called real only after a
    test that accounts for overlapping folds and for the number of recipes (Nadeau-Bengio and
    Holm); the simplest recipe tied with the best is recommended. Without DATA, runs the
    tutorial dataset.
    """
    from ._extras import require

    multilabel = data is not None and bool(target) and bool(multilabel_sep or "," in str(target))
    # the workers import torch and the comparison while this process does the same
    click.get_current_context().with_resource(
        local_workers(_early_workers(jobs, executor, task, multilabel))
    )
    require("torch", "equipoise compare")  # it trains networks: the extra equipoise[cli]
    from .compare import TrainSettings
    from .compare import compare as run_compare
    from .compare.recipes import load_recipes_toml
    from .exceptions import InvalidParameterError
    from .metrics import METRICS

    if multilabel and data is not None and target is not None:  # (narrowed for the types)
        _compare_multilabel(
            data, target, multilabel_sep, recipes, folds, seeds, metric, max_epochs, quiet
        )
        return

    METRICS.get(metric)
    _check_executor(executor, scheduler)
    if not 0 < val_size < 0.9:
        raise InvalidParameterError(f"--val-size must be a share in (0, 0.9); got {val_size:g}.")
    settings = TrainSettings(max_epochs=max_epochs, val_size=float(val_size))
    if recipe_file:
        load_recipes_toml(recipe_file, replace=True)
    names = None
    if recipes:
        names = [r.strip() for r in recipes.split(",") if r.strip()]
        from .compare.recipes import get_recipe

        for name in names if task != "regression" else ():
            get_recipe(name)
    if target and data is None:
        raise click.UsageError("--target needs a DATA file.")
    test = None
    test_name = None
    if data is None:
        if test_file:
            raise click.UsageError("--test needs DATA (the training data).")
        from .datasets import load_example

        X, y = load_example()
        name = "example"
    else:
        X, y, name = _load(data, target, task)
        if test_file:
            X_t, y_t, test_name = _load(test_file, target, task)
            test = (X_t, y_t)
        else:
            test = _builtin_test_split(data)
            if test is not None:
                test_name = f"{data} balanced test split"
    if _regression_task(task, y):
        from .compare.regression import compare_regression

        res = compare_regression(X, y, recipes=names, folds=folds, seeds=seeds, train=settings)
        if not quiet:
            click.echo(printable(str(res), newlines=True))
        return
    jobs = _capped_jobs(
        jobs,
        names,
        not no_references,
        folds if test is None else 1,
        seeds,
        executor,
        scheduler,
        quiet,
    )
    console = _console(quiet or as_json)
    result = run_compare(
        X,
        y,
        recipes=names,
        references=not no_references,
        test=test,
        folds=folds,
        seeds=seeds,
        metric=metric,
        pos_label=pos_label,
        train=settings,
        jobs=jobs,
        device=device,
        out=out,
        impute=impute,
        fresh=fresh,
        progress=not quiet and not as_json and sys.stderr.isatty(),  # bars only on a terminal
        dataset_name=name,
        test_name=test_name,
        executor=executor,
        scheduler=scheduler,
    )
    if as_json:
        import json

        from .compare.runner import _json_safe

        click.echo(json.dumps(_json_safe(result.summary), indent=2, allow_nan=False, default=str))
    else:
        _print_result(console, result)
    for note in result.notes:
        if not quiet:
            click.echo(f"note: {printable(note)}", err=True)
    for name, message in result.summary.get("failed", {}).items():
        # never silent, --quiet included: the table leaves the recipe out
        click.echo(
            f"warning: recipe {printable(name)} failed and is left out of the comparison: "
            f"{printable(' '.join(str(message).split()))}",
            err=True,
        )


def _regression_task(task: str | None, y: object) -> bool:
    """--task regression (compare's own dispatch)."""
    from .compare.runner import _is_regression

    return _is_regression(task, y)


def _early_workers(jobs: int, executor: str, task: str | None, multilabel: bool) -> int:
    """The workers to start before the comparison's imports (:func:`equipoise._local_workers.local_workers`):
    ``--jobs`` on the local executor, lowered to the usable cores; 1 (none) where the command
    will not compute on local workers (Dask, the regression and multi-label comparisons) or
    ``--jobs`` is invalid (refused later, with its message). Not lowered to the number of runs
    as :func:`_capped_jobs` does: that needs the recipe registry, whose import is what this
    start overlaps; a comparison that ends up with fewer workers (fewer runs than workers, a
    finished journal) leaves the extra ones idle until the command ends."""
    from ._local_workers import usable_cores

    if executor != "local" or task == "regression" or multilabel or jobs == 0 or jobs < -1:
        return 1
    cores = usable_cores()
    return min(cores if jobs == -1 else jobs, cores)


def _capped_jobs(
    jobs: int,
    names: list[str] | None,
    references: bool,
    folds: int,
    seeds: int,
    executor: str,
    scheduler: str | None,
    quiet: bool,
) -> int:
    """``--jobs`` lowered to the usable cores and to the number of runs, with a note.

    ``--jobs 1000`` on a 9-run comparison once started 979 worker processes; a worker per
    run and per usable core is the most that can help. A remote Dask cluster (--scheduler)
    sizes itself and is left alone.
    """
    from .compare.executors import usable_cores
    from .compare.recipes import DEFAULT_RECIPES, REFERENCE_RECIPES
    from .exceptions import InvalidParameterError

    if jobs == 0 or jobs < -1:
        raise InvalidParameterError(
            f"--jobs must be a positive number of workers, or -1 for every core; got {jobs}."
        )
    if executor == "dask" and scheduler is not None:
        return jobs
    cores = usable_cores()
    recipes = list(names) if names is not None else list(DEFAULT_RECIPES)
    if references:
        recipes += [r for r in REFERENCE_RECIPES if r not in recipes]
    runs = len(recipes) * folds * seeds
    wanted = cores if jobs == -1 else jobs
    capped = max(1, min(wanted, cores, runs))
    if capped < wanted and not quiet:
        click.echo(
            f"note: --jobs {jobs} lowered to {capped} ({cores} usable CPU core(s), {runs} run(s)).",
            err=True,
        )
    return capped


def _builtin_test_split(data: str) -> tuple[Any, Any] | None:
    """The balanced test split of a built-in long-tailed image set, else None."""
    from .datasets import dataset_info, list_datasets

    if Path(data).exists() or data not in set(list_datasets()["name"]):
        return None
    if dataset_info(data).kind != "image":
        return None
    from .datasets import load_dataset

    return load_dataset(data, as_image=True, split="test")


def _compare_multilabel(
    data: str,
    target: str,
    sep: str | None,
    recipes: str | None,
    folds: int,
    seeds: int,
    metric: str,
    max_epochs: int,
    quiet: bool,
) -> None:
    """``equipoise compare DATA --target a,b,c`` or ``--target tags --multilabel '|'``."""
    import pandas as pd

    from .compare.multilabel import compare_multilabel

    path = Path(data)
    if not path.exists():
        raise click.UsageError(
            f"multi-label comparisons read a data file; {data!r} does not exist."
        )
    frame = (
        pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
    )
    columns = [c.strip() for c in target.split(",") if c.strip()]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise click.UsageError(f"--target column(s) {missing} not in {data!r}.")
    if sep:
        if len(columns) != 1:
            raise click.UsageError(
                "--multilabel SEP takes one --target column of SEP-separated labels."
            )
        Y = frame[columns[0]].fillna("").astype(str).str.get_dummies(sep=sep)
    else:
        Y = frame[columns]
    X = frame.drop(columns=columns)
    names = [r.strip() for r in recipes.split(",")] if recipes else None
    result = compare_multilabel(
        X,
        Y,
        recipes=names,
        folds=folds,
        seeds=seeds,
        epochs=max_epochs,
        metric="macro_f1" if metric == "balanced_accuracy" else metric,
    )
    if not quiet:
        table = result.summary[
            [result.metric, f"{result.metric}_low", f"{result.metric}_high", "p_holm", "verdict"]
        ]
        click.echo(printable(table.round(3).to_string(), newlines=True))
    click.echo(printable(result.text))


def _check_executor(executor: str, scheduler: str | None) -> None:
    """Refuse ``--scheduler`` without ``--executor dask``, and ``--executor dask`` without
    Dask installed, before any data is read."""
    if scheduler is not None and executor != "dask":
        raise click.UsageError(f"--scheduler needs --executor dask; got --executor {executor}.")
    if executor == "dask":
        from .compare.executors import import_distributed

        try:
            import_distributed()
        except ImportError as exc:
            raise click.ClickException(str(exc)) from exc


def _fmt(value: Any, signed: bool = False) -> str:
    import math

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _mean_pm(m: Any) -> str:
    """``0.907 ±0.016``: the mean and the larger half of its interval."""
    import math

    mean, low, high = m.get("mean"), m.get("low"), m.get("high")
    if mean is None or not math.isfinite(mean):
        return "-"
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return f"{mean:.3f}"
    return f"{mean:.3f} ±{max(mean - low, high - mean):.3f}"


def _fmt_p(value: Any) -> str:
    import math

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return "<.001" if value < 0.001 else f"{value:.3f}"


def _print_result(console: Any, result: Any) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .compare.summary import metric_label

    summary = result.summary
    label = metric_label(summary["metric"])
    design = summary.get("design", {})
    title = Text(printable(f"{label}: {design.get('description', '')}"))
    caption = Text(
        printable(
            f"mean ± half-width of its 95% interval (full intervals in summary.json and the report); "
            f"diff and p against the baseline: {design.get('test', '')}, Holm-adjusted p"
        )
    )
    table = Table(
        title=title, caption=caption, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0)
    )
    table.add_column("recipe", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("diff", justify="right", no_wrap=True)
    table.add_column("p", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("note")
    styles = {"better": "green", "worse": "red"}
    tied = set(summary.get("tied_with_best") or [])
    for name in summary["ranking"]:
        entry = summary["recipes"][name]
        m = entry["metrics"][summary["metric"]]
        vs = summary["vs_baseline"].get(name)
        if vs is None:
            diff, p, verdict = "", "", "baseline" if name == summary["baseline"] else ""
        else:
            diff, p, verdict = _fmt(vs["diff"], True), _fmt_p(vs.get("p_holm")), vs["verdict"]
        notes = []
        if name == summary.get("recommended"):
            notes.append("recommended")
        if name == summary.get("best"):
            notes.append("best")
        elif name in tied:
            notes.append("ties best")
        if entry.get("family") == "reference":
            notes.append("reference")
        if entry.get("collapsed_runs"):
            notes.append(f"one class on {entry['collapsed_runs']} run(s)")
        table.add_row(
            Text(printable(name)),
            Text(_mean_pm(m)),
            Text(diff),
            Text(p),
            Text(verdict, style=styles.get(verdict, "")),
            Text(printable(", ".join(notes))),
        )
    console.print(table)
    positive = summary.get("dataset", {}).get("positive_class")
    if positive is not None:
        console.print(Text(printable(f"Positive class (sensitivity, PR-AUC): {positive}")))
    note = summary.get("selection", {}).get("note")
    if note:
        console.print(Text(printable(note)))
    console.print(Text(printable(summary["recommendation"])))
    if result.out is not None and result.written:
        extra = (
            f" ({result.n_computed} run(s) computed, the rest resumed from the journal)"
            if result.n_computed < len(result.results)
            else ""
        )
        console.print(
            Text(
                printable(
                    f"Results in {result.out}/ (report.html, results.csv, summary.json){extra}"
                )
            )
        )


# --------------------------------------------------------------------------------------------
# profile, resample, recipes, datasets
# --------------------------------------------------------------------------------------------


@main.command(
    help="Show the class counts, imbalance ratio and warnings of DATA's target.\n\n" + _DATA_HELP,
    epilog="Examples:\n\n\b\n  equipoise profile data.csv --target label\n  equipoise profile DATASET_NAME",
)
@click.argument("data", shell_complete=_complete_dataset)
@click.option("--target", "-t", metavar="COLUMN", help="Label column of a data file.")
def profile(data: str, target: str | None) -> None:
    """Show the class profile of DATA's target (help text in the decorator)."""
    from .datasets import DATASETS
    from .profile import profile as make_profile

    _, y, _ = _load(data, target)
    regression = (
        data in DATASETS and DATASETS.get(data).kind == "regression"
    )  # integer-valued targets too
    prof = make_profile(y, kind="continuous" if regression else None)
    console = _console()
    console.print(printable(str(prof), newlines=True), markup=False, highlight=False)


def _write_csv(frame: Any, path: Path) -> None:
    from .compare.result import csv_safe

    csv_safe(frame).to_csv(path, index=False)  # text cells starting with = + - @ are quoted


_WRITERS = {
    ".csv": _write_csv,
    ".parquet": lambda frame, path: frame.to_parquet(path, index=False),
    ".pq": lambda frame, path: frame.to_parquet(path, index=False),
}


def _parse_params(items: tuple[str, ...]) -> dict[str, Any]:
    import json

    params: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--param expects NAME=VALUE; got {item!r}.")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


@main.command(
    help="Resample DATA with one resampler and write the result to OUTPUT (CSV or Parquet by "
    "suffix).\n\n" + _DATA_HELP,
    epilog="Examples:\n\n\b\n  equipoise resample data.csv --target label --method smote -o balanced.csv\n"
    "  equipoise resample data.csv -t y -m random-under -p sampling_strategy=0.5 -o under.parquet",
)
@click.argument("data", shell_complete=_complete_dataset)
@click.option("--target", "-t", metavar="COLUMN", help="Label column of a data file.")
@click.option(
    "--method",
    "-m",
    required=True,
    metavar="NAME",
    shell_complete=_complete_method,
    help="Resampler name (smote, random-over, ...).",
)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Resampler parameter (repeatable; VALUE parsed as JSON when possible).",
)
@click.option("--random-state", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file (.csv or .parquet).",
)
def resample(
    data: str,
    target: str | None,
    method: str,
    params: tuple[str, ...],
    random_state: int,
    output: str,
) -> None:
    """Resample DATA and write it to OUTPUT (help text in the decorator)."""
    import pandas as pd

    from .exceptions import InvalidParameterError
    from .profile import profile as make_profile
    from .resample import RESAMPLERS, make_resampler

    out = Path(output)
    writer = _WRITERS.get(out.suffix.lower())
    if writer is None:
        raise InvalidParameterError(
            f"the output file must end in .csv or .parquet; got {output!r}."
        )
    RESAMPLERS.get(method)
    X, y, _ = _load(data, target)
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    y = pd.Series(y, name=target or "target")
    resampler = make_resampler(method, **{"random_state": random_state, **_parse_params(params)})
    X_res, y_res = resampler.fit_resample(X, y)
    frame = pd.DataFrame(X_res).reset_index(drop=True)
    frame[y.name] = pd.Series(y_res).reset_index(drop=True)
    writer(frame, out)
    before, after = make_profile(y).counts, make_profile(frame[y.name]).counts
    click.echo(
        printable(
            f"{method}: {len(y)} -> {len(frame)} rows; class counts {before} -> {after}; wrote {out}"
        )
    )


@main.command(epilog="Example:\n\n\b\n  equipoise recipes")
def recipes() -> None:
    """List the recipes 'equipoise compare' can run, one line each."""
    from .compare.recipes import RECIPES

    width = max(len(n) for n in RECIPES.names())
    for name, recipe in RECIPES.items():
        click.echo(printable(f"{name:<{width}}  {' '.join(recipe.description.split())}"))


@main.command(epilog="Example:\n\n\b\n  equipoise datasets")
def datasets() -> None:
    """List the built-in datasets (usable as DATA)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .datasets import list_datasets

    columns = {
        "name": "name",
        "kind": "kind",
        "n_samples": "rows",
        "n_features": "feats",
        "n_classes": "cls",
        "imbalance_ratio": "ratio",
        "requires": "needs",
    }
    frame = list_datasets()
    frame = frame[[c for c in columns if c in frame.columns]]
    if "imbalance_ratio" in frame:
        frame = frame.assign(
            imbalance_ratio=[f"{v:.1f}" if v == v else "" for v in frame["imbalance_ratio"]]
        )
    frame = frame.fillna("")
    # names are copied into commands: never wrapped or cut; the other columns are short
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    for col in frame.columns:
        numeric = col in ("n_samples", "n_features", "n_classes", "imbalance_ratio")
        table.add_column(columns[col], no_wrap=True, justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(Text(printable(v)) for v in row))
    _console().print(table)


if __name__ == "__main__":  # pragma: no cover
    main()
