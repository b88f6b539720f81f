"""The report's figures are drawn after its views are built, on this process and, when given,
an executor's processes at once (``_plots.draw_all``): the page is the same byte for byte, and
a drawing the executor cannot finish is drawn here."""

from __future__ import annotations

import functools
import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from equipoise.compare import _plots
from equipoise.compare.report import render_report

from . import _report_inputs as inputs


def test_a_page_drawn_with_other_processes_is_the_page_drawn_alone():
    kwargs = inputs.binary_cv_inputs()
    alone = render_report(generated=inputs.FIXED_TIME, **kwargs)
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        shared = render_report(generated=inputs.FIXED_TIME, executor=pool, **kwargs)
    assert shared == alone
    assert alone.count('<img src="data:image/png;base64,') >= 5
    assert "figure-" not in alone  # every placeholder was filled


def _label(text: str) -> str:
    return f"uri of {text}"


class _Recording(Executor):
    """Runs each drawing at once in this process, or fails it as a killed process would."""

    def __init__(self, broken: bool = False, refuse: bool = False) -> None:
        self.broken, self.refuse, self.ran = broken, refuse, []

    def submit(self, fn, /, *args, **kwargs):
        if self.refuse:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()
        if self.broken:
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            self.ran.append(fn())
            future.set_result(self.ran[-1])
        return future


@pytest.mark.parametrize("executor", [None, "working", "broken", "refusing"])
def test_every_drawing_comes_back_in_order(executor):
    drawings = [functools.partial(_label, str(i)) for i in range(7)]
    pool = {
        None: None,
        "working": _Recording(),
        "broken": _Recording(broken=True),
        "refusing": _Recording(refuse=True),
    }[executor]
    assert _plots.draw_all(drawings, pool) == [f"uri of {i}" for i in range(7)]
    if executor == "working":
        assert pool.ran  # handed out (this executor finishes each at once, so it draws all)


def test_an_error_of_a_drawing_is_raised():
    def failing() -> str:
        raise ValueError("bad figure input")

    drawings = [functools.partial(_label, "a"), failing]
    with pytest.raises(ValueError, match="bad figure input"):
        _plots.draw_all(drawings, _Recording())
