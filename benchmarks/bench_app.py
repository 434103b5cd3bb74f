"""Benchmark: how long the workshop app takes to show the next month, in a real browser.

Starts `samenspel app` on 127.0.0.1 (a free port, in this process), drives Debian's chromium
with Playwright (every request beyond loopback is refused), clicks Step and times, with the
page's own clock (`performance.now()`), from the click until the month label changes. Prints
the median over the timed steps and where the time goes:

- server: the step callback on the server, as the app logs it at debug level (logger
  `sim.present.app`, one line per callback);
- round trip: the callback's request, from sending it until its answer arrived (server
  included);
- plotly: the re-render of the network view and of the charts (`Plotly.react`'s synchronous
  part, per figure);
- the rest is Dash applying the answer (patches, React) and the browser's layout.

The machine's load (`os.getloadavg`, as `uptime` shows) is printed with it: on a shared
machine the numbers move with it. Not a test: speed lives here, not in the test suite.

    .venv/bin/python benchmarks/bench_app.py              # 20 timed steps after 3 warm-up ones
    .venv/bin/python benchmarks/bench_app.py --steps 40 --lang nl
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import socket
import statistics
import threading
from collections.abc import Iterator
from typing import Any

from werkzeug.serving import make_server

from sim.present.app.server import create_app

CHROMIUM = "/usr/bin/chromium"

INSTRUMENT = """() => {
  window.__bench = {fetch: [], react: {}};
  const fetch0 = window.fetch;
  window.fetch = function (url, opts) {
    const t0 = performance.now();
    const out = fetch0.apply(this, arguments);
    if (String(url).includes('_dash-update-component')) {
      out.then(() => window.__bench.fetch.push(performance.now() - t0));
    }
    return out;
  };
  const react0 = window.Plotly.react;
  window.Plotly.react = function (gd) {
    const t0 = performance.now();
    const id = typeof gd === 'string' ? gd : (gd.parentElement || gd).id || '?';
    const out = react0.apply(this, arguments);  // its drawing is done before it returns
    (window.__bench.react[id] = window.__bench.react[id] || []).push(performance.now() - t0);
    return out;
  };
}"""

TIMED_STEP = """() => new Promise(resolve => {
  const el = document.getElementById('month');
  const before = el.textContent;
  const started = performance.now();
  const seen = new MutationObserver(() => {
    if (el.textContent !== before) { seen.disconnect(); resolve(performance.now() - started); }
  });
  seen.observe(el, {childList: true, subtree: true, characterData: true});
  document.getElementById('b-step').click();
})"""
"""Click Step and resolve with the milliseconds until the month label changes."""


class CallbackTimes(logging.Handler):
    """The app's callback times, read from its debug log (one line per callback); while it is
    attached, the app's logger logs at debug level."""

    LINE = re.compile(r"callback (.+) in ([0-9.]+) ms")
    LOGGER = "sim.present.app"

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.times: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if found := self.LINE.fullmatch(record.getMessage()):
            self.times.append((found[1], float(found[2])))

    def of(self, trigger: str) -> list[float]:
        """The milliseconds of every callback `trigger` set off."""
        return [ms for said, ms in self.times if said == trigger]

    def __enter__(self) -> CallbackTimes:
        logger = logging.getLogger(self.LOGGER)
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self)
        logger.setLevel(self._level)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} ms" if values else "     n/a"


@contextlib.contextmanager
def _served(lang: str) -> Iterator[str]:
    """`samenspel app` on 127.0.0.1 and a free port, in a background thread; its address."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    port = _free_port()
    app = create_app(lang, port=port)
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        thread.join(timeout=30)


def _measure(url: str, steps: int, warmup: int) -> dict[str, Any]:
    """`steps` timed Steps after `warmup` untimed ones: the times in the page, the step
    callback's on the server, the page's instruments and the machine's load around them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("http://127.0.0.1", "data:"))
                else r.abort()
            ),
        )
        page.goto(url)
        page.wait_for_function(
            "() => document.querySelector('#charts .js-plotly-plot')"
            " && document.querySelector('#map .js-plotly-plot')"
            " && document.getElementById('month').textContent"
        )
        page.evaluate(INSTRUMENT)
        for _ in range(warmup):
            page.evaluate(TIMED_STEP)
        page.wait_for_timeout(200)
        page.evaluate("() => { window.__bench.fetch = []; window.__bench.react = {}; }")
        load_before = os.getloadavg()
        times = []
        with CallbackTimes() as callbacks:
            for _ in range(steps):
                times.append(page.evaluate(TIMED_STEP))
                page.wait_for_timeout(50)  # let the charts' re-render finish before the next
        load = (load_before, os.getloadavg())
        bench = page.evaluate("() => window.__bench")
        browser.close()
    return {"times": times, "server": callbacks.of("b-step"), "bench": bench, "load": load}


def _report(steps: int, lang: str, measured: dict[str, Any]) -> None:
    times, bench = measured["times"], measured["bench"]
    load_before, load_after = measured["load"]
    print(f"samenspel app, {steps} steps of split-2022 (region), {lang}, chromium")
    print(f"  load average    {' '.join(f'{x:.2f}' for x in load_before)} (before)")
    print(f"                  {' '.join(f'{x:.2f}' for x in load_after)} (after)")
    print(f"  update a month  {_median(times)} median (click to month label changed)")
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    print(f"                  {q[0]:6.1f} - {q[2]:6.1f} ms quartiles, {max(times):.1f} ms most")
    print(f"  server          {_median(measured['server'])} median (the step callback)")
    print(f"  round trip      {_median(bench['fetch'])} median (request sent to answer came)")
    for figure, values in sorted(bench["react"].items()):
        print(f"  plotly {figure:<9}{_median(values)} median (Plotly.react, {len(values)} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--lang", default="en", choices=("en", "nl"))
    args = parser.parse_args()
    with _served(args.lang) as url:
        measured = _measure(url, args.steps, args.warmup)
    _report(args.steps, args.lang, measured)


if __name__ == "__main__":
    main()
