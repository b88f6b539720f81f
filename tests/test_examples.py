"""The example script in examples/ runs end to end and shows the fixes helping the rare classes."""

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_imbalanced.py"


def test_training_loop_example_runs(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    rows = {
        line[:42].strip(): line
        for line in out.splitlines()
        if "balanced acc " in line and not line.startswith("warning")
    }
    assert len(rows) == 4

    def balanced(name):
        return float(rows[name].split("balanced acc")[1].split()[0])

    base = balanced("cross-entropy, shuffled batches")
    assert balanced("cross-entropy + post-hoc logit adjustment") > base
    assert balanced("logit-adjusted loss, shuffled batches") > base


# --------------------------------------------------------------------------------------------
# The integration examples: each is printed whole on its docs page and runs as a script
# --------------------------------------------------------------------------------------------

import re  # noqa: E402

import pytest  # noqa: E402

ROOT = EXAMPLE.parents[1]


def _run(script: str, capsys) -> str:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: more threads only contend on a shared machine
    try:
        runpy.run_path(str(ROOT / "examples" / script), run_name="__main__")
    finally:
        torch.set_num_threads(threads)
    return capsys.readouterr().out


def _on_its_page(script: str, page: str) -> None:
    source = (ROOT / "examples" / script).read_text(encoding="utf-8")
    assert f"```python\n{source}```" in (ROOT / "docs" / page).read_text(encoding="utf-8"), (
        f"docs/{page} must show examples/{script} as it is"
    )


def _scores(out: str) -> dict[str, float]:
    return {
        m[1].strip(): float(m[2])
        for m in re.finditer(r"^(.*?)\s+balanced acc(?:uracy)? ([0-9.]+)", out, re.M)
    }


@pytest.mark.parametrize(
    ("script", "page"),
    [
        ("lightning_imbalanced.py", "lightning.md"),
        ("transformers_imbalanced.py", "transformers.md"),
        ("skorch_imbalanced.py", "skorch.md"),
    ],
)
def test_integration_examples_are_shown_whole_on_their_pages(script, page):
    # the Lightning and Transformers examples run as scripts on two processes in
    # tests/integrations (test_lightning.py, test_transformers.py), where their framework is loaded
    _on_its_page(script, page)


def test_skorch_example(capsys):
    pytest.importorskip("skorch")
    _on_its_page("skorch_imbalanced.py", "skorch.md")
    scores = _scores(_run("skorch_imbalanced.py", capsys))
    assert len(scores) == 3
    assert scores["logit-adjusted loss"] > scores["cross-entropy, shuffled batches"]
