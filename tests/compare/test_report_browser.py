"""Open the report in a real browser (Debian's headless chromium) and check how it lays out.

One chromium process is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
no port, no extra package). The page has no JavaScript and a Content-Security-Policy that allows
only inline CSS and data: images, so any console or log message from chromium means something
was blocked or broken; a control page with an external image proves that check can fail. The
layout checks run at 390 px (a phone) and 1280 px wide: the page never scrolls sideways (wide
tables scroll inside their own box) and no figure sticks out of the viewport. Print emulation
checks that nothing wastes ink (no shadows, no backgrounds on the callout, badges and header
cells), that rows and figures are not cut across pages, and that folded details print open;
printing to PDF must give a multi-page document. Skipped when /usr/bin/chromium is not installed
(``apt-get install chromium``).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium",
)
TIMEOUT_S = 30
PRINTABLE_WIDTH = round((210 - 24) / 25.4 * 96)  # A4 less the 12 mm side margins of @page


def _inputs_module():
    name = "equipoise_tests_report_inputs"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("_report_inputs.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class Browser:
    """A headless chromium driven over the DevTools protocol on file descriptors 3 and 4."""

    def __init__(self, profile_dir: Path) -> None:
        to_child, self._to_child = os.pipe()
        self._from_child, from_child = os.pipe()

        def attach() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes replies
            read, write = os.dup(to_child), os.dup(from_child)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile_dir}",
                "about:blank",
            ],
            preexec_fn=attach,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_child], [], [], TIMEOUT_S)
            chunk = os.read(self._from_child, 1 << 20) if ready else b""
            if not chunk:
                raise TimeoutError("chromium did not answer")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def open(self, path: Path, *, width: int, height: int = 900) -> Tab:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        tab = Tab(self, session)
        for domain in ("Page", "Log", "Runtime"):
            tab.call(f"{domain}.enable")
        tab.resize(width, height)
        tab.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        return tab

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.process.wait(timeout=TIMEOUT_S)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self._to_child)
        os.close(self._from_child)

    def messages(self) -> list[str]:
        """Console and log entries: CSP violations, failed loads, errors."""
        out = []
        for event in self.events:
            if event.get("method") == "Log.entryAdded":
                out.append(event["params"]["entry"]["text"])
            elif event.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown"):
                out.append(json.dumps(event["params"])[:300])
        return out


class Tab:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def call(self, method: str, **params) -> dict:
        return self.browser.call(method, self.session, **params)

    def resize(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"]["value"]

    def media(self, media: str) -> None:
        self.call("Emulation.setEmulatedMedia", media=media)

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", **params)["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        data = self.call(
            "Page.printToPDF", paperWidth=8.27, paperHeight=11.69, preferCSSPageSize=True
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path


LAYOUT = """(() => {
  const doc = document.documentElement, vw = doc.clientWidth;
  const out = [...document.querySelectorAll('img, table, .callout, dl, h1, p')]
    .filter(e => { const r = e.getBoundingClientRect();
                   const box = e.closest('.table-wrap');
                   return !box && r.width > 0 && (r.left < -1 || r.right > vw + 1); })
    .map(e => e.tagName + '.' + e.className);
  const wraps = [...document.querySelectorAll('.table-wrap')]
    .filter(w => w.getBoundingClientRect().right > vw + 1).length;
  return {scrollWidth: doc.scrollWidth, innerWidth: innerWidth, clientWidth: vw, overflowing: out,
          wrapsOverflowing: wraps,
          scrollingTables: [...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1).length,
          images: [...document.images].map(i => [i.complete && i.naturalWidth > 0, Math.round(i.getBoundingClientRect().width)])};
})()"""

PRINT = """(() => {
  const css = (sel, prop) => [...document.querySelectorAll(sel)].map(e => getComputedStyle(e)[prop]);
  const visible = sel => [...document.querySelectorAll(sel)].map(e => e.checkVisibility() && e.offsetHeight > 0);
  const all = [...document.querySelectorAll('*')];
  return {
    shadows: all.filter(e => getComputedStyle(e).boxShadow !== 'none').length,
    backgrounds: css('.callout, .warnings, thead th, td.best, .tag, .verdict, .bar', 'backgroundColor')
      .filter(c => c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent').length,
    rowBreaks: css('tr', 'breakInside').filter(v => v !== 'avoid').length,
    figureBreaks: css('figure', 'breakInside').filter(v => v !== 'avoid').length,
    scrollBoxes: css('.table-wrap', 'overflowX').filter(v => v !== 'visible').length,
    cappedBoxes: css('.table-wrap', 'maxHeight').filter(v => v !== 'none').length,
    detailsContent: visible('details > :not(summary)'),
    details: document.querySelectorAll('details').length,
  };
})()"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The two preset pages (shared with test_report.py when both run), written to files."""
    out = tmp_path_factory.mktemp("browser")
    pages = {}
    for case in ("binary", "longtail"):
        kwargs, page = _inputs_module().rendered(case)
        path = out / f"{case}.html"
        path.write_text(page, encoding="utf-8")
        pages[case] = (kwargs, path)
    return pages


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("case", ["binary", "longtail"])
def test_no_horizontal_page_scroll_and_figures_fit(pages, browser, case, width):
    kwargs, path = pages[case]
    browser.events.clear()
    tab = browser.open(path, width=width)
    layout = tab.evaluate(LAYOUT)
    assert browser.messages() == []
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    assert layout["overflowing"] == [] and layout["wrapsOverflowing"] == 0, layout
    assert layout["images"] and all(ok and 0 < w <= width for ok, w in layout["images"]), layout[
        "images"
    ]
    if width == 390:
        assert layout["scrollingTables"] >= 1  # the wide metric table scrolls inside its box
    recipes = tab.evaluate(
        "[...document.querySelectorAll('table.metrics tr[data-recipe]')].map(r => r.dataset.recipe)"
    )
    assert recipes == kwargs["summary"]["ranking"]
    assert tab.evaluate("document.title") == kwargs["title"]  # the title stayed text
    assert tab.evaluate("document.querySelectorAll('script').length") == 0


@pytest.mark.parametrize("case", ["binary", "longtail"])
def test_print_layout(pages, browser, case, tmp_path):
    _, path = pages[case]
    tab = browser.open(path, width=1000)
    tab.media("print")
    printed = tab.evaluate(PRINT)
    assert printed["shadows"] == 0 and printed["backgrounds"] == 0, printed
    assert printed["rowBreaks"] == 0 and printed["figureBreaks"] == 0, printed
    assert printed["scrollBoxes"] == 0 and printed["cappedBoxes"] == 0, printed
    assert printed["details"] >= 1 and all(printed["detailsContent"]), printed
    tab.resize(PRINTABLE_WIDTH, 1000)  # an A4 page less its margins, in CSS pixels
    wide = tab.evaluate(
        "[...document.querySelectorAll('table, img')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.className || e.alt.slice(0, 30))"
    )
    assert wide == []  # nothing is cut at the right edge of the paper
    tab.media("screen")
    assert not all(tab.evaluate(PRINT)["detailsContent"])  # on screen the details stay folded
    pdf = tab.pdf(tmp_path / f"{case}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 2  # a real multi-page document


def test_screenshot_paints_text_and_figures(pages, browser, tmp_path):
    from PIL import Image

    _, path = pages["binary"]
    tab = browser.open(path, width=390, height=800)
    shot = tab.screenshot(tmp_path / "shot.png", full_page=False)
    with Image.open(shot) as image:
        assert image.size == (390, 800)
        low, high = image.convert("L").getextrema()
    assert low < 60 and high > 240  # text and background both present: the page painted


def test_console_check_catches_a_blocked_resource(browser, tmp_path):
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:\"></head>"
        '<body><img src="http://example.invalid/x.png" alt="x"></body></html>',
        encoding="utf-8",
    )
    browser.events.clear()
    browser.open(page, width=800)
    messages = browser.messages()
    assert messages and "Content Security Policy" in " ".join(messages)
