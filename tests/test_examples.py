"""The example script in examples/ runs end to end and shows the fixes helping the rare classes."""

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_imbalanced.py"


def test_training_loop_example_runs(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    rows = {line[:42].strip(): line for line in out.splitlines() if "balanced acc " in line and not line.startswith("warning")}
    assert len(rows) == 4

    def balanced(name):
        return float(rows[name].split("balanced acc")[1].split()[0])

    base = balanced("cross-entropy, shuffled batches")
    assert balanced("cross-entropy + post-hoc logit adjustment") > base
    assert balanced("logit-adjusted loss, shuffled batches") > base
