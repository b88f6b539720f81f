"""Open the report in a real browser (Debian's headless chromium) and check it loads cleanly.

The page has no JavaScript and a Content-Security-Policy that allows only inline CSS and data:
images, so any console message from chromium means something was blocked or broken (an
external resource, a malformed image). A control page with an external image proves the check
can fail. Skipped when /usr/bin/chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from equipoise.compare.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium"
)
TIMEOUT_S = 25


def _make_inputs(**kwargs):
    path = Path(__file__).with_name("_report_inputs.py")
    spec = importlib.util.spec_from_file_location("equipoise_tests_report_inputs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.make_inputs(**kwargs)


def _chromium(page: Path, profile_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile_dir}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def _console_messages(stderr: str) -> list[str]:
    """Lines chromium logs for the page's console: CSP violations, load and script errors."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_metrics = False
        self.recipes: list[str] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "metrics" in (attrs.get("class") or "").split():
            self.in_metrics = True
        elif tag == "tr" and self.in_metrics and "data-recipe" in attrs:
            self.recipes.append(attrs["data-recipe"])
        elif tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_metrics = False


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser")
    kwargs = _make_inputs(n_classes=3, n_recipes=4, title="Browser <check> & \"quotes\"")
    path = write_report(out / "report.html", generated=datetime(2026, 1, 1, tzinfo=timezone.utc), **kwargs)
    return kwargs, path


def test_report_loads_without_console_errors_and_has_the_table(report, tmp_path):
    kwargs, path = report
    result = _chromium(path, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console_messages(result.stderr) == []
    dom = _Rows()
    dom.feed(result.stdout)
    assert dom.recipes == kwargs["summary"]["ranking"]
    assert len(dom.images) >= 6
    assert all(img["src"].startswith("data:image/png;base64,") for img in dom.images)
    assert "Browser &lt;check&gt; &amp; \"quotes\"" in result.stdout  # the title stayed text


def test_report_screenshot_renders(report, tmp_path):
    from PIL import Image

    _, path = report
    shot = tmp_path / "shot.png"
    result = _chromium(path, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,2400")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console_messages(result.stderr) == []
    with Image.open(shot) as image:
        assert image.size == (1000, 2400)
        low, high = image.convert("L").getextrema()
    assert low < 60 and high > 240  # text and background both present: the page painted


def test_console_check_catches_a_blocked_resource(tmp_path):
    page = tmp_path / "control.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
        "content=\"default-src 'none'; img-src data:\"></head>"
        '<body><img src="http://example.invalid/x.png" alt="x"></body></html>',
        encoding="utf-8",
    )
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    messages = _console_messages(result.stderr)
    assert messages and "Content Security Policy" in messages[0]
