"""Real-browser fixtures: Debian's chromium driven by Playwright, offline and strict.

Loaded by tests/conftest.py (``pytest_plugins``). What a test gets:

- ``browser`` (session): one headless chromium per pytest process (each xdist worker has its
  own), launched from the system binary (``/usr/bin/chromium``, or ``SAMENSPEL_CHROMIUM``) on a
  fresh temporary profile; Playwright never downloads a browser.
- ``page``: a new browser context and page per test, 1280x720, service workers blocked. Every
  request is routed: ``file:``, ``data:``, ``blob:`` and http(s)/ws(s) to 127.0.0.1, localhost
  or [::1] go through; anything else is aborted *and recorded*. Console messages of type error,
  warning, assert and trace (plotly logs its warnings with ``console.trace("WARN: ...")``),
  uncaught page errors and crashes are recorded. When the test body has run, the test fails if
  anything was recorded (:class:`OffsiteRequests` first, then :class:`ConsoleProblems`); what
  arrives later fails it at teardown.
- ``page_guard``: the records behind ``page`` (``.offsite``, ``.console``), to assert on them.
- ``@pytest.mark.console_ok`` lets a test's page log console problems (all of them, or with
  regular expressions as arguments, only the matching ones). Offsite requests have no opt-out.
- ``screenshot(name, ...)``: a PNG of the page into the session's tmp dir, and into
  ``docs/img/NAME.png`` as well when ``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``).

Tests that use ``browser`` or ``page`` get the ``browser`` marker (``-m "not browser"`` leaves
them out). Without chromium they fail with the command that installs it when ``CI`` is set
(``.ci/run`` sets it), and skip with that message otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
CHROMIUM = os.environ.get("SAMENSPEL_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 720}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
    # a second fence behind the request routing: no host name but loopback resolves
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
]
LOCAL_SCHEMES = {"file", "data", "blob"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
RECORDED_CONSOLE = {"error", "warning", "assert", "trace"}
INSTALL_HINT = (
    "browser tests need Debian's chromium at {path}: run `make browser-deps` (as root, or with "
    "sudo: it runs `apt-get install chromium fonts-dejavu-core`), or point SAMENSPEL_CHROMIUM "
    "at a chromium binary"
)


def is_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def stays_on_machine(url: str) -> bool:
    """True for the URLs a page may load: local schemes, or http(s)/ws(s) to loopback."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOOPBACK


def missing_chromium(path: str = CHROMIUM, ci: bool | None = None) -> None:
    """Fail (under CI) or skip (locally) with how to install chromium, if it is not there."""
    if os.access(path, os.X_OK):
        return
    message = INSTALL_HINT.format(path=path)
    if is_ci() if ci is None else ci:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class OffsiteRequests(AssertionError):
    """The page tried to reach something beyond this machine."""


class ConsoleProblems(AssertionError):
    """The page logged errors or warnings, or raised."""


@dataclass
class PageGuard:
    """What a page did that a test must not let pass: requests off the machine, console noise."""

    console_ok: list[re.Pattern[str]] | None = None  # None: none allowed; []: all allowed
    offsite: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    _seen: tuple[int, int] = (0, 0)

    def request(self, what: str) -> None:
        self.offsite.append(what)

    def message(self, what: str) -> None:
        if self.console_ok is not None and (
            not self.console_ok or any(p.search(what) for p in self.console_ok)
        ):
            return
        self.console.append(what)

    def check(self) -> None:
        """Raise for whatever was recorded since the last check."""
        offsite, console = self.offsite[self._seen[0] :], self.console[self._seen[1] :]
        self._seen = (len(self.offsite), len(self.console))
        if offsite:
            raise OffsiteRequests(
                f"{len(offsite)} request(s) tried to leave the machine (aborted):\n  "
                + "\n  ".join(offsite)
                + ("\nand console problems:\n  " + "\n  ".join(console) if console else "")
            )
        if console:
            raise ConsoleProblems(
                f"{len(console)} console error(s)/warning(s) or page error(s):\n  "
                + "\n  ".join(_summarise(console))
            )


def _summarise(lines: list[str]) -> list[str]:
    """Each distinct line once, with how often it came."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return [f"{n} x {line}" if n > 1 else line for line, n in counts.items()]


GUARD = pytest.StashKey[PageGuard]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Check the page once the test body has passed, so it fails as a test (and xfail works)."""
    result = yield
    guard = item.stash.get(GUARD, None)
    if guard is not None:
        guard.check()
    return result


@pytest.fixture(scope="session")
def browser():
    missing_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_guard(request: pytest.FixtureRequest) -> PageGuard:
    marker = request.node.get_closest_marker("console_ok")
    allowed = None if marker is None else [re.compile(p) for p in marker.args]
    guard = PageGuard(console_ok=allowed)
    request.node.stash[GUARD] = guard
    return guard


@pytest.fixture
def page(browser, page_guard: PageGuard):
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.set_default_timeout(30_000)

    def route(r) -> None:
        if stays_on_machine(r.request.url):
            r.continue_()
        else:
            page_guard.request(f"{r.request.method} {r.request.url} ({r.request.resource_type})")
            r.abort("blockedbyclient")

    def route_ws(ws) -> None:
        if stays_on_machine(ws.url):
            ws.connect_to_server()
        else:
            page_guard.request(f"WebSocket {ws.url}")
            ws.close(code=1008, reason="offline test")

    context.route("**/*", route)
    context.route_web_socket(re.compile(".*"), route_ws)
    p = context.new_page()
    p.on("console", lambda m: _console(page_guard, m))
    p.on("pageerror", lambda e: page_guard.message(f"[pageerror] {e}"))
    p.on("crash", lambda _: page_guard.message("[crash] the page crashed"))
    yield p
    context.close()
    page_guard.check()  # anything that came after the test body


def _console(guard: PageGuard, m) -> None:
    if m.type in RECORDED_CONSOLE:
        loc = m.location or {}
        where = f" ({loc.get('url', '')[:80]}:{loc.get('lineNumber', '')})" if loc else ""
        guard.message(f"[console.{m.type}] {m.text}{where}")


@pytest.fixture
def screenshot(page, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``screenshot(name, full_page=False, locator=None)``: a PNG, into docs/img when asked."""
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)

    def take(name: str, full_page: bool = False, locator=None) -> Path:
        path = folder / f"{name}.png"
        if locator is not None:
            locator.screenshot(path=path, animations="disabled")
        else:
            page.screenshot(path=path, full_page=full_page, animations="disabled")
        if os.environ.get("SAMENSPEL_SCREENSHOTS") == "1":
            IMG.mkdir(parents=True, exist_ok=True)
            partial = IMG / f".{name}.png.part"
            shutil.copyfile(path, partial)
            partial.replace(IMG / f"{name}.png")  # whole or not at all
        return path

    return take


# --- geometry: what a page's text and figures must not do -------------------------------

OVERFLOWING = """() => [...document.querySelectorAll('h1, h2, p, th, td')]
  .filter((e) => e.scrollWidth > e.clientWidth + 1)
  .map((e) => `${e.tagName} ${e.textContent.slice(0, 40)} ${e.scrollWidth}>${e.clientWidth}`)"""

OVERLAPPING = """() => {
  const blocks = [...document.body.children].filter((e) => e.tagName !== 'SCRIPT'
    && getComputedStyle(e).position === 'static');  // plotly's off-screen text tester is not
  const out = [];
  for (let i = 1; i < blocks.length; i++) {
    const a = blocks[i - 1].getBoundingClientRect(), b = blocks[i].getBoundingClientRect();
    if (b.top < a.bottom - 0.5) out.push(blocks[i - 1].tagName + ' / ' + blocks[i].tagName);
  }
  return out;
}"""

BOXES = """(sel) => [...document.querySelectorAll('.js-plotly-plot')].map((plot) => {
  const box = (q) => { const e = plot.querySelector(q); if (!e) return null;
    const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const r = plot.getBoundingClientRect();
  return {plot: [r.left, r.top, r.right, r.bottom], legend: box('.legend'), xtitle: box('.xtitle'),
          ytitle: box('.ytitle'), y2title: box('.y2title'), colorbar: box('.colorbar'),
          xticks: box('.xaxislayer-above')};
})"""


def apart(a, b, slack: float = 0.0) -> bool:
    """Two boxes (left, top, right, bottom) that do not overlap (by more than `slack`)."""
    return (
        a[2] <= b[0] + slack or b[2] <= a[0] + slack or a[3] <= b[1] + slack or b[3] <= a[1] + slack
    )


def _cover(a, b) -> float:
    """How far two boxes lie on top of each other: the smaller of their overlaps each way."""
    return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def overlapping_texts(texts: list[dict], slack: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of TEXTS' pieces on top of each other (a line of one over a line of the other, by
    more than `slack` px each way), among those laid out together: a fixed bar's text is not
    compared with the page's that scrolls under it."""
    out = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if a["fixed"] != b["fixed"] or _cover(a["box"], b["box"]) <= slack:
                continue
            if any(_cover(p, q) > slack for p in a["lines"] for q in b["lines"]):
                out.append((a["text"], b["text"]))
    return out


def inside(inner, outer, slack: float = 1.0) -> bool:
    return all(
        (inner[i] >= outer[i] - slack) if i < 2 else (inner[i] <= outer[i] + slack)
        for i in range(4)
    )


def misplaced(plots: list[dict]) -> list[tuple]:
    """What BOXES found out of place: a plot's part (legend, axis titles, ticks, colour bar)
    outside its plot, or two parts on top of each other. Empty when all is well."""
    out: list[tuple] = []
    for plot in plots:
        parts = {k: v for k, v in plot.items() if v is not None and k != "plot"}
        out += [(name, "outside") for name, b in parts.items() if not inside(b, plot["plot"])]
        names = sorted(parts)
        out += [
            (a, b)
            for i, a in enumerate(names)
            for b in names[i + 1 :]
            if not apart(parts[a], parts[b])
        ]
    return out


PLOT_TEXTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((plot) => {
  const r = plot.getBoundingClientRect(), right = document.documentElement.clientWidth;
  const boxes = (q) => [...plot.querySelectorAll(q)].map((e) => {
    const b = e.getBoundingClientRect(); return [e.textContent, [b.left, b.top, b.right, b.bottom]];
  }).filter(([t, b]) => t.trim() && b[2] > b[0]);
  return {plot: [Math.max(r.left, 0), r.top, Math.min(r.right, right), r.bottom],
          texts: [...boxes('.annotation-text'), ...boxes('.xtick text'), ...boxes('.ytick text'),
                  ...boxes('.colorbar text')]};
})"""


def crowded(plots: list[dict]) -> list[tuple]:
    """What PLOT_TEXTS found out of place: a figure's text (subplot titles, tick labels, colour
    bar) outside its figure or the window, or two of its texts on top of each other. Empty when
    all is well."""
    out: list[tuple] = []
    for plot in plots:
        texts = plot["texts"]
        out += [(t, "outside") for t, b in texts if not inside(b, plot["plot"])]
        out += [
            (a, b)
            for i, (a, ba) in enumerate(texts)
            for b, bb in texts[i + 1 :]
            if not apart(shrunk(ba), shrunk(bb))
        ]
    return out


def shrunk(box, by: float = 0.5) -> list[float]:
    """A box less `by` px on every side: texts that only touch are apart."""
    return [box[0] + by, box[1] + by, box[2] - by, box[3] - by]


WORDS = """(sel) => { const root = document.querySelector(sel || 'body'); if (!root) return -1;
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); let n = 0, node;
  while ((node = walk.nextNode())) { const p = node.parentElement;
    if (!p || ['TITLE', 'STYLE', 'SCRIPT'].includes(p.tagName) || p.closest('svg')) continue;
    const r = document.createRange(); r.selectNodeContents(node);
    if (![...r.getClientRects()].some((b) => b.width > 0 && b.height > 0
      && b.top < innerHeight && b.bottom > 0)) continue;
    n += node.textContent.split(/\\s+/).filter((t) => /[\\p{L}\\p{N}]/u.test(t)).length; }
  return n; }"""
"""Words of an element (a selector; the body by default) a reader sees on the first screen:
every word of a text node with a box inside the viewport, a token with a letter or digit."""


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF (as chromium's ``page.pdf()`` writes it) has."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


# --- text on a page: where each visible text is, how large, inside what -------------------

TEXTS = """(scope) => {
  // Every visible piece of text on the page (HTML and SVG), one per text node: its lines'
  // boxes and its whole box, its type size in pixels on screen (an SVG text's scaled by its
  // map), whether a box that clips (overflow not visible) cuts it, whether it sits in a fixed
  // (or sticky) bar, and the box of the `scope` element (a selector) it is in. Then each
  // <select>, whose shown value is no text node: its size, box and no lines.
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement, style = getComputedStyle(el);
    if (el.closest('style, script, option, title')) continue;
    const seen = {visibilityProperty: true, contentVisibilityAuto: true};
    if (!el.checkVisibility(seen)) continue;  // hidden, or folded away (<details>)
    const range = document.createRange(); range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right < 0 || r.bottom < -5000) continue;
    let clipped = false, fixed = false;
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.position === 'fixed' || s.position === 'sticky') fixed = true;
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
        const c = a.getBoundingClientRect();
        if (r.left < c.left - 1 || r.right > c.right + 1
            || r.top < c.top - 1 || r.bottom > c.bottom + 1)
          clipped = clipped || String(a.getAttribute('class') || a.tagName).slice(0, 60);
      }
    }
    const lines = [...range.getClientRects()].filter((q) => q.width > 1 && q.height > 1)
      .map((q) => [q.left, q.top, q.right, q.bottom]);
    let px = parseFloat(style.fontSize);
    if (el instanceof SVGTextContentElement) px *= Math.abs(el.getScreenCTM().a);
    const around = scope ? el.closest(scope) : null, sb = around && around.getBoundingClientRect();
    out.push({text: node.textContent.trim().slice(0, 40), lines, clipped, fixed, px,
              box: [r.left, r.top, r.right, r.bottom], svg: !!el.closest('svg'),
              scope: sb ? [sb.left, sb.top, sb.right, sb.bottom] : null});
  }
  for (const e of document.querySelectorAll('select')) {
    if (!e.checkVisibility({visibilityProperty: true})) continue;
    const r = e.getBoundingClientRect();
    out.push({text: 'SELECT ' + e.value.slice(0, 30), lines: [], clipped: false, fixed: false,
              px: parseFloat(getComputedStyle(e).fontSize), box: [r.left, r.top, r.right, r.bottom],
              svg: false, scope: null});
  }
  return out;
}"""


def text_problems(texts: list[dict], width: float, height: float) -> list[tuple]:
    """What TEXTS found out of place: a text outside the screen or outside its scope (its
    panel), or two texts on top of each other (line by line). Empty when all is well."""
    out: list[tuple] = []
    screen = (0, 0, width, height)
    for t in texts:
        for line in t["lines"]:
            if not inside(line, screen):
                out.append(("off screen", t["text"]))
            if t["scope"] and not inside(line, t["scope"]):
                out.append(("outside its panel", t["text"]))
    lined = [t for t in texts if t["lines"]]
    for k, a in enumerate(lined):
        for b in lined[k + 1 :]:
            if any(not apart(x, y, 0.5) for x in a["lines"] for y in b["lines"]):
                out.append(("overlap", a["text"], b["text"]))
    return out
