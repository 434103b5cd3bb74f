"""Benchmark: how long the workshop app takes to show the next month, in a real browser.

Starts `samenspel app` on 127.0.0.1 (a free port, in this process), drives Debian's chromium
with Playwright (every request beyond loopback is refused), clicks Step and times, with the
page's own clock (`performance.now()`), from the click until the month label changes. Prints
the median over the timed steps and where the time goes:

- server: the step callback on the server (the app's own timings);
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
import logging
import os
import socket
import statistics
import threading

from werkzeug.serving import make_server

from sim.present.app import create_app

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} ms" if values else "     n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    parser.add_argument("--lang", default="en", choices=("en", "nl"))
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    port = _free_port()
    app = create_app(args.lang, port=port)
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    try:
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
            for _ in range(args.warmup):
                page.evaluate(TIMED_STEP)
            page.wait_for_timeout(200)
            page.evaluate("() => { window.__bench.fetch = []; window.__bench.react = {}; }")
            app.samenspel_timings.clear()
            load_before = os.getloadavg()
            times = []
            for _ in range(args.steps):
                times.append(page.evaluate(TIMED_STEP))
                page.wait_for_timeout(50)  # let the charts' re-render finish before the next
            load_after = os.getloadavg()
            bench = page.evaluate("() => window.__bench")
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=30)
    server_ms = [ms for trigger, ms in app.samenspel_timings if trigger == "b-step"]
    print(f"samenspel app, {args.steps} steps of split-2022 (region), {args.lang}, chromium")
    print(f"  load average    {' '.join(f'{x:.2f}' for x in load_before)} (before)")
    print(f"                  {' '.join(f'{x:.2f}' for x in load_after)} (after)")
    print(f"  update a month  {_median(times)} median (click to month label changed)")
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    print(f"                  {q[0]:6.1f} - {q[2]:6.1f} ms quartiles, {max(times):.1f} ms most")
    print(f"  server          {_median(server_ms)} median (the step callback)")
    print(f"  round trip      {_median(bench['fetch'])} median (request sent to answer came)")
    for figure, values in sorted(bench["react"].items()):
        print(f"  plotly {figure:<9}{_median(values)} median (Plotly.react, {len(values)} calls)")


if __name__ == "__main__":
    main()
