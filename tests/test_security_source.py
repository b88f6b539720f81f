"""What is already right stays right (issue 17): no pickle, no eval/exec, no shell, numpy files
read with ``allow_pickle=False``, torch files with ``weights_only=True``, YAML only through a
safe loader. The source tree is read token by token (docstrings and comments do not count), so
``model.eval()`` is not ``eval(...)``. The report's strict CSP and HTML escaping are checked in
``tests/compare/test_report.py``."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

import equipoise

SOURCE = Path(equipoise.__file__).parent
FILES = sorted(SOURCE.rglob("*.py"))


def _code_tokens(path: Path) -> list[tokenize.TokenInfo]:
    text = path.read_text(encoding="utf-8")
    skip = {
        tokenize.COMMENT,
        tokenize.STRING,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
    }
    skip |= {getattr(tokenize, name) for name in ("FSTRING_MIDDLE",) if hasattr(tokenize, name)}
    return [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in skip]


def _calls(tokens: list[tokenize.TokenInfo]) -> list[tuple[str, int, list[str]]]:
    """``(dotted name, line, tokens of the arguments)`` of every call in the file."""
    calls = []
    for i, tok in enumerate(tokens):
        if tok.string != "(" or i == 0 or tokens[i - 1].type != tokenize.NAME:
            continue
        j, name = i - 1, [tokens[i - 1].string]
        while j >= 2 and tokens[j - 1].string == "." and tokens[j - 2].type == tokenize.NAME:
            name.insert(0, tokens[j - 2].string)
            j -= 2
        if j >= 1 and tokens[j - 1].string == ".":  # a method of an expression: obj().eval()
            name.insert(0, "?")
        depth, k, args = 0, i, []
        while k < len(tokens):
            depth += tokens[k].string in "([{"
            depth -= tokens[k].string in ")]}"
            args.append(tokens[k].string)
            if depth == 0:
                break
            k += 1
        calls.append((".".join(name), tok.start[0], args))
    return calls


def _keyword(args: list[str], key: str) -> str | None:
    for i in range(len(args) - 2):
        if args[i] == key and args[i + 1] == "=":
            return args[i + 2]
    return None


def _findings(path: Path, label: str | None = None) -> list[str]:
    label = label or str(path.relative_to(SOURCE))
    tokens = _code_tokens(path)
    found = []
    for i, tok in enumerate(tokens):
        if (
            tok.type == tokenize.NAME
            and tok.string in ("pickle", "cPickle", "dill", "marshal", "shelve")
            and i > 0
            and tokens[i - 1].string in ("import", "from")
        ):
            found.append(f"{label}:{tok.start[0]} imports {tok.string}")
    for name, line, args in _calls(tokens):
        where = f"{label}:{line}"
        if name in ("eval", "exec", "compile", "__import__", "os.system", "os.popen"):
            found.append(f"{where} calls {name}()")
        if _keyword(args, "shell") == "True":
            found.append(f"{where} runs a shell ({name}(shell=True))")
        if _keyword(args, "allow_pickle") == "True":
            found.append(f"{where} loads pickles ({name}(allow_pickle=True))")
        if name in ("np.load", "numpy.load") and _keyword(args, "allow_pickle") is None:
            found.append(f"{where} calls {name} without allow_pickle=False")
        if name.endswith("torch.load") and _keyword(args, "weights_only") != "True":
            found.append(f"{where} calls torch.load without weights_only=True")
        if name in ("yaml.load", "yaml.load_all", "yaml.unsafe_load") and "SafeLoader" not in args:
            found.append(f"{where} calls {name} without yaml.SafeLoader")
        if (
            name.endswith("read_pickle")
            or name.endswith("pickle.load")
            or name.endswith("pickle.loads")
        ):
            found.append(f"{where} reads a pickle ({name})")
    return found


def test_the_source_tree_is_found():
    assert len(FILES) > 50 and (SOURCE / "cli.py") in FILES


def test_no_pickle_eval_shell_or_unsafe_loads_in_the_source():
    findings = [f for path in FILES for f in _findings(path)]
    assert findings == [], "\n".join(findings)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("import pickle\n", "imports pickle"),
        ("x = eval(s)\n", "calls eval()"),
        ("subprocess.run(cmd, shell=True)\n", "runs a shell"),
        ("np.load(f, allow_pickle=True)\n", "loads pickles"),
        ("np.load(f)\n", "without allow_pickle=False"),
        ("torch.load(path)\n", "without weights_only=True"),
        ("yaml.load(text)\n", "without yaml.SafeLoader"),
        ("df = pd.read_pickle(p)\n", "reads a pickle"),
    ],
)
def test_the_scan_finds_each_pattern(tmp_path, code, expected):
    path = tmp_path / "probe.py"
    path.write_text(
        code
        + '"""eval(x) in a docstring"""\nmodel.eval()  # eval(y)\nnet().eval()\nnp.load(f, allow_pickle=False)\n'
    )
    found = _findings(path, "probe.py")
    assert len(found) == 1 and expected in found[0], found
