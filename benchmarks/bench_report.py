"""Benchmark: how long a comparison report takes to open, in a real browser, and how heavy it is.

Opens each given report.html in Debian's chromium (Playwright; requests beyond the machine are
refused) at 1366x768, alternating the files round by round, and times with the page's own clock
(`performance.now()`, from the start of navigation) until every plotly figure is drawn and two
frames have been painted. Prints per file its size, the median and the fastest time, the main
thread's script time (Chrome's ScriptDuration) and the machine's load. plotly.js alone (an empty
figure, the same bundle) is timed alongside as the floor every report pays. Not a test: speed
lives here, not in the test suite.

    S=classic-gr,dordrecht-service,grd,grd-2004,multiple-local,multiple-local-status-quo,network,\\
    network-2024,service-municipality,split-2022
    .venv/bin/samenspel compare --scenarios $S --replicates 12 --out /tmp/new
    .venv/bin/python benchmarks/bench_report.py /tmp/old/report.html /tmp/new/report.html
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
DRAWN = """() => { const d = [...document.querySelectorAll('.plotly-graph-div')];
  return d.length > 0 && d.every((p) => p.querySelector('svg.main-svg') && p._fullLayout); }"""
FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def floor_page() -> Path:
    """A page with plotly.js and one tiny figure: what any report costs before its own."""
    from plotly.offline import get_plotlyjs

    path = Path(tempfile.mkdtemp()) / "plotly-only.html"
    path.write_text(
        f"<html><head><script>{get_plotlyjs()}</script></head><body>"
        '<div class="plotly-graph-div" id="a"></div>'
        '<script>Plotly.newPlot("a", [{y: [1, 2]}])</script></body></html>',
        encoding="utf-8",
    )
    return path


def time_once(browser, path: Path) -> tuple[float, float]:
    """Seconds from navigation to every figure drawn, and the main thread's script seconds."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.resolve().as_uri(), wait_until="commit")
    page.wait_for_function(DRAWN, timeout=120_000, polling=10)
    page.evaluate(FRAMES)
    wall = page.evaluate("() => performance.now()") / 1000
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    page.close()
    return wall, metrics["ScriptDuration"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reports", nargs="+", type=Path, help="report.html files to time")
    ap.add_argument("--rounds", type=int, default=7, help="timed loads per file (default 7)")
    args = ap.parse_args()
    files = [*args.reports, floor_page()]
    times: dict[Path, list[tuple[float, float]]] = {f: [] for f in files}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for f in files:  # one warm-up load each (disk cache, chromium's own start)
            time_once(browser, f)
        for _ in range(args.rounds):
            for f in files:
                times[f].append(time_once(browser, f))
        browser.close()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rounds} rounds, alternated")
    for f in files:
        wall = [w for w, _ in times[f]]
        script = statistics.median(s for _, s in times[f])
        name = "plotly.js alone" if f == files[-1] else str(f)
        size, median = f.stat().st_size / 1e6, statistics.median(wall)
        print(
            f"{name}: {size:.2f} MB, drawn in median {median:.2f} s (fastest {min(wall):.2f} s),"
            f" script {script:.2f} s"
        )


if __name__ == "__main__":
    main()
