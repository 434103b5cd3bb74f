"""The outputs people look at, opened in a real browser (system chromium), offline.

The fixtures (``page``, ``page_guard``, ``screenshot``) are in tests/browser_fixtures.py. The
first tests here check the fixtures themselves; then each report is written by the command line,
as a user would, and opened via file://. ``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``)
refreshes docs/img/report.png and docs/img/validate.png.
"""

from __future__ import annotations

import http.server
import itertools
import re
import threading
from functools import partial

import pandas as pd
import pytest

from tests.browser_fixtures import (
    BOXES,
    OVERFLOWING,
    OVERLAPPING,
    PLOT_TEXTS,
    ConsoleProblems,
    crowded,
    misplaced,
    missing_chromium,
    stays_on_machine,
)
from tests.conftest import samenspel

# -- the fixtures themselves ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("file:///tmp/report.html", True),
        ("data:text/html,<p>x</p>", True),
        ("blob:null/1234", True),
        ("http://127.0.0.1:8000/x", True),
        ("https://localhost/x", True),
        ("ws://[::1]:8787/ws", True),
        ("https://cdn.plot.ly/plotly.min.js", False),
        ("http://localhost.example.com/", False),
        ("http://127.0.0.1@example.com/", False),
        ("http://10.0.0.1/", False),
        ("ftp://127.0.0.1/", False),
        ("chrome-extension://abc/x.js", False),
    ],
)
def test_only_loopback_and_local_schemes_stay_on_machine(url, ok):
    assert stays_on_machine(url) is ok


def test_missing_chromium_fails_under_ci_and_skips_locally(tmp_path):
    nowhere = str(tmp_path / "chromium")
    with pytest.raises(pytest.fail.Exception, match="make browser-deps"):
        missing_chromium(nowhere, ci=True)
    with pytest.raises(pytest.skip.Exception, match="make browser-deps"):
        missing_chromium(nowhere, ci=False)


@pytest.mark.console_ok(r"ERR_BLOCKED_BY_CLIENT")  # chromium logs each aborted request too
def test_page_aborts_and_records_requests_off_the_machine(page, page_guard):
    with page.expect_event("requestfailed", lambda r: "beacon" in r.url):
        page.goto(
            "data:text/html,<img src='https://example.com/pixel.png'>"
            "<script>fetch('http://10.1.2.3/beacon').catch(() => {})</script>"
        )
    assert any("https://example.com/pixel.png" in r for r in page_guard.offsite)
    assert any("http://10.1.2.3/beacon" in r for r in page_guard.offsite)
    with pytest.raises(AssertionError, match="tried to leave the machine"):
        page_guard.check()


def test_page_records_console_warnings_errors_and_page_errors(page, page_guard):
    with page.expect_event("pageerror"):
        page.set_content(
            "<script>console.warn('careful'); console.error('broken'); console.log('fine');"
            "setTimeout(() => { throw new Error('boom'); });</script>"
        )
    text = "\n".join(page_guard.console)
    assert "careful" in text and "broken" in text and "boom" in text
    assert "fine" not in text
    with pytest.raises(ConsoleProblems):
        page_guard.check()


@pytest.mark.console_ok(r"expected")
def test_console_ok_lets_the_matching_messages_pass(page, page_guard):
    with page.expect_console_message(lambda m: "other" in m.text):
        page.set_content(
            "<script>console.warn('this one is expected'); console.warn('other')</script>"
        )
    assert [m.split(" (")[0] for m in page_guard.console] == ["[console.warning] other"]
    with pytest.raises(ConsoleProblems):
        page_guard.check()


def test_page_reaches_a_loopback_server_and_has_the_default_viewport(page, tmp_path):
    (tmp_path / "index.html").write_text("<title>local</title><p id=x>served</p>")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        assert page.inner_text("#x") == "served"
    finally:
        server.shutdown()
        server.server_close()
    assert page.viewport_size == {"width": 1280, "height": 720}


# -- the comparison report ------------------------------------------------------------------


def _compare_report(tmp_path, *extra: str):
    out = tmp_path / "compare"
    args = ["compare", "--scenarios", "split-2022,network-2024,multiple-local-status-quo"]
    r = samenspel([*args, "--replicates", "12", "--out", str(out), *extra], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return out


def test_compare_report_renders_offline(tmp_path, page, page_guard, screenshot):
    out = _compare_report(tmp_path)
    page.goto((out / "report.html").as_uri(), wait_until="load")
    assert page.title() == "samenspel comparison"
    plots = page.locator(".js-plotly-plot")
    plots.first.wait_for(state="attached")
    assert plots.count() == 3  # scorecard, outcomes, trajectories
    for i in range(plots.count()):
        plot = plots.nth(i)
        plot.locator("svg.main-svg path").first.wait_for(state="attached")
        assert plot.locator("svg.main-svg path").count() > 0
        assert plot.bounding_box()["height"] > 100
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() > 0  # the dots
    assert page.locator(".js-plotly-plot .hm, .js-plotly-plot .heatmaplayer").count() > 0
    assert page.locator("table tr").count() > 3
    assert page.locator(".modebar").count() == 0  # no plotly toolbar over the figures
    # Every error bar is drawn in its scenario's colour, none in plotly's fallback black.
    bars = page.locator(".js-plotly-plot .errorbar path")
    assert bars.count() > 0
    strokes = {bars.nth(i).evaluate("e => getComputedStyle(e).stroke") for i in range(bars.count())}
    assert "rgb(0, 0, 0)" not in strokes or len(strokes) > 1
    screenshot("report")
    assert not page_guard.offsite


def test_compare_report_reads_in_dutch_in_the_order_given(tmp_path, page):
    out = _compare_report(tmp_path, "--lang", "nl")
    page.goto((out / "report.html").as_uri(), wait_until="load")
    assert page.title() == "samenspel vergelijking"
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_text("hoger is beter").first.is_visible()
    runs = pd.read_parquet(out / "runs.parquet")
    order = list(dict.fromkeys(runs["scenario"]))
    assert order == ["split-2022", "network-2024", "multiple-local-status-quo"]
    header = page.locator("table.outcomes tr").first.locator("th")
    assert [header.nth(i).inner_text() for i in range(1, header.count())] == order
    # A criterion that cannot be scored says so, with the reason, instead of a number.
    na = page.locator("td.na", has_text="niet van toepassing")
    assert na.count() == 2  # tailoring and integration of the scenario without services
    assert page.get_by_text("geen gedeelde uitvoering").first.is_visible()
    # Decimal commas, no scientific notation anywhere in the tables.
    cells = page.locator("td").all_inner_texts()
    assert any(re.search(r"\d,\d", c) for c in cells)
    assert not any(re.search(r"\de[+-]\d", c) for c in cells)
    # Trajectories run forward in time: every line's x values increase.
    xs = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).at(-1).data
             .filter(t => t.fill !== 'toself').map(t => Array.from(t.x))"""
    )
    assert xs and all(all(a < b for a, b in itertools.pairwise(x)) for x in xs)


def test_compare_report_leads_with_who_is_first_across_plausible_worlds(tmp_path, page):
    out = _compare_report(tmp_path)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto((out / "report.html").as_uri(), wait_until="load")
    table = page.locator("table.ranks")
    assert table.is_visible()
    # before the scorecard: the answer first
    top = table.bounding_box()["y"]
    assert top < page.locator("table").nth(-1).bounding_box()["y"]
    ranks = pd.read_csv(out / "ranks.csv")
    first = ranks[ranks["rank"] == 1]
    rows = table.locator("tr")
    # multiple-local-status-quo has no shared services: its service cost is missing, so it is
    # never first on it (a recorded 0 would have been) and its cell says why
    cost = first[first["outcome"] == "service_cost_per_inhabitant"]
    assert "multiple-local-status-quo" not in set(cost[cost["probability"] > 0]["scenario"])
    assert rows.count() == 1 + first["outcome"].nunique()
    cost_row = rows.filter(has_text="service cost per inhabitant")
    assert "no shared services" in cost_row.inner_text()
    head = rows.first.locator("th").all_inner_texts()
    assert head[1:4] == ["split-2022", "network-2024", "multiple-local-status-quo"]
    commitment = rows.nth(1).locator("td").all_inner_texts()  # commitment leads the table
    shares = first[first["outcome"] == "commitment"].set_index("scenario")["probability"]
    assert commitment[:3] == [f"{round(100 * shares[n])}%" for n in head[1:4]]
    assert commitment[3] in ("robust", "depends on behaviour")
    # readable and inside the page: no cell below 12 px, the table within the viewport's width
    sizes = table.locator("td, th").evaluate_all(
        "cells => cells.map(c => parseFloat(getComputedStyle(c).fontSize))"
    )
    assert min(sizes) >= 12
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= 1366
    # then the least regret: in words, then its table, inside the page, before the scorecard
    answer, regret = page.locator("p.robustness-answer"), page.locator("table.regret").first
    assert answer.is_visible() and "on commitment" in answer.inner_text()
    assert top < answer.bounding_box()["y"] < regret.bounding_box()["y"]
    assert regret.bounding_box()["y"] < page.locator(".js-plotly-plot").first.bounding_box()["y"]
    assert regret.bounding_box()["x"] + regret.bounding_box()["width"] <= 1366
    head = regret.locator("tr").first.locator("th").all_inner_texts()
    assert head[1:4] == ["split-2022", "network-2024", "multiple-local-status-quo"]
    sizes = regret.locator("td, th").evaluate_all(
        "cells => cells.map(c => parseFloat(getComputedStyle(c).fontSize))"
    )
    assert min(sizes) >= 11  # the mean below each largest regret is small print, still legible
    regrets = pd.read_csv(out / "robustness.csv")
    least = regrets[regrets["outcome"] == "commitment"].sort_values("max_regret")
    bold = regret.locator("tr").nth(1).locator("td b").all_inner_texts()
    assert bold and float(bold[0]) == pytest.approx(least["max_regret"].iloc[0], abs=0.006)


def test_the_posterior_diagnostics_page_opens_offline_answer_first(tmp_path, page, page_guard):
    out = tmp_path / "posterior"
    r = samenspel(["posterior", "--out", str(out)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto((out / "diagnostics.html").as_uri(), wait_until="load")
    answer = page.locator("p.answer")
    assert answer.is_visible() and answer.bounding_box()["y"] < 768  # on the first screen
    assert "pins down" in answer.inner_text()
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 3  # marginals, correlations, constraints
    for i in range(3):
        plots.nth(i).locator("svg.main-svg path").first.wait_for(state="attached")
    ranges = pd.read_csv(out / "ranges.csv")
    assert page.locator("table").first.locator("tr").count() == 1 + len(ranges)
    assert not page_guard.offsite


def test_compare_report_presentation_mode_enlarges_type(tmp_path, page, screenshot):
    out = _compare_report(tmp_path)
    page.goto((out / "report.html").as_uri(), wait_until="load")
    size = "() => parseFloat(getComputedStyle(document.body).fontSize)"
    plot_font = "() => document.querySelector('.js-plotly-plot')._fullLayout.font.size"
    before, before_plot = page.evaluate(size), page.evaluate(plot_font)
    page.get_by_role("button", name="Presentation").click()
    page.wait_for_function(f"({plot_font})() > {before_plot}")
    assert page.evaluate(size) >= 1.4 * before
    screenshot("report-presentation")
    page.keyboard.press("p")
    page.wait_for_function(f"({plot_font})() == {before_plot}")
    assert page.evaluate(size) == before


# -- ten scenarios side by side: geometry, looks, what is missing -------------------------------

TEN = (
    "classic-gr,dordrecht-service,grd,grd-2004,multiple-local,multiple-local-status-quo,"
    "network,network-2024,service-municipality,split-2022"
)
SIZES = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def ten(tmp_path_factory):
    """A comparison of ten presets (one from 2004, one without shared services) over two
    plausible worlds, written by the command line in English and in Dutch."""
    out = {}
    for lang in ("en", "nl"):
        where = tmp_path_factory.mktemp(f"ten-{lang}")
        args = ["compare", "--scenarios", TEN, "--replicates", "4", "--worlds", "2"]
        r = samenspel([*args, "--lang", lang, "--out", str(where / "c")], cwd=where)
        assert r.returncode == 0, r.stderr
        out[lang] = where / "c" / "report.html"
    return out


def _open(page, path, size, presenting: bool) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(path.as_uri(), wait_until="load")
    page.locator(".js-plotly-plot").nth(2).locator("svg.main-svg").first.wait_for()
    if presenting:
        page.keyboard.press("p")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".every((p) => p._fullLayout.font.size >= 18)"
        )


@pytest.mark.parametrize("presenting", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("size", SIZES, ids=["1366", "1920"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_ten_scenarios_text_stays_apart_inside_and_readable(ten, page, lang, size, presenting):
    """No title, tick label or table cell of the report runs into another or off the page, at
    a laptop's and a projector's size, in both languages, in normal and presentation type; the
    heat map's numbers stay at 14 px at least (20 px in presentation type)."""
    _open(page, ten[lang], size, presenting)
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(OVERLAPPING) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size[0]
    assert misplaced(page.evaluate(BOXES)) == []
    assert crowded(page.evaluate(PLOT_TEXTS)) == []
    sizes = page.locator(".js-plotly-plot .heatmaplayer text").evaluate_all(
        "ts => ts.map((t) => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert len(sizes) == 70  # ten scenarios x seven criteria, each cell written in
    assert min(sizes) >= (20 if presenting else 14)


def test_ten_scenarios_have_ten_looks_and_swatches_that_match(ten, page):
    """Each of ten scenarios has its own colour, marker and dash in every figure, and its
    swatch in the legends draws the same line (colour, dash) with its own marker."""
    _open(page, ten["en"], (1366, 768), False)
    dots, lines = page.evaluate(
        """() => {
      const [, outcomes, trajectories] = [...document.querySelectorAll('.js-plotly-plot')];
      const d = outcomes.data.find((t) => t.mode === 'markers');
      const dots = d.y.map((name, i) => ({name, colour: d.marker.color[i].toLowerCase(),
                                         symbol: d.marker.symbol[i]}));
      const lines = {};
      for (const t of trajectories.data.filter((t) => t.mode === 'lines' && t.name))
        lines[t.name] = {colour: t.line.color.toLowerCase(), dash: t.line.dash};
      return [dots, lines];
    }"""
    )
    names = TEN.split(",")
    assert [d["name"] for d in dots] == names
    assert len({d["colour"] for d in dots}) == len({d["symbol"] for d in dots}) == 10
    assert len(lines) == 9  # grd-2004 ended in 2014, before the common start (2024)
    for legend in ("ul.scenarios", "ul.legend"):
        swatches = page.locator(f"{legend} svg.swatch").evaluate_all(
            """ss => ss.slice(0, 10).map((s) => ({name: s.getAttribute('aria-label'),
              stroke: s.querySelector('line').getAttribute('stroke').toLowerCase(),
              dash: s.querySelector('line').getAttribute('stroke-dasharray') || '',
              fill: s.lastElementChild.getAttribute('stroke'),
              marker: s.lastElementChild.outerHTML.replace(/ (fill|stroke)="[^"]*"/g, '')}))"""
        )
        assert [s["name"] for s in swatches] == names
        assert len({s["dash"] for s in swatches}) == 10
        assert len({s["marker"] for s in swatches}) == 10  # ten shapes
        for s, dot in zip(swatches, dots, strict=True):
            assert s["stroke"] == dot["colour"] == s["fill"].lower()
            if s["name"] in lines:
                line = lines[s["name"]]
                assert s["stroke"] == line["colour"]
                assert s["dash"] == (
                    "" if line["dash"] == "solid" else line["dash"].replace("px", "")
                )


def test_a_scenario_without_shared_services_has_no_service_cost(ten, page):
    """multiple-local-status-quo has no shared services: the service cost is written as
    missing, in words, never drawn as a 0 that would look the cheapest."""
    _open(page, ten["nl"], (1920, 1080), False)
    panel = page.evaluate(
        """() => {
      const p = document.querySelectorAll('.js-plotly-plot')[1];
      const i = p.layout.annotations.findIndex((a) => a.text.startsWith('uitvoeringskosten'));
      const axis = i === 0 ? 'x' : 'x' + (i + 1);
      return p.data.filter((t) => (t.xaxis || 'x') === axis)
        .map((t) => ({mode: t.mode, y: Array.from(t.y), text: t.text}));
    }"""
    )
    dots = next(t for t in panel if t.get("mode") == "markers")
    words = next(t for t in panel if t.get("mode") == "text")
    assert "multiple-local-status-quo" not in dots["y"]
    assert words["y"] == ["multiple-local-status-quo"]
    assert "geen gedeelde uitvoering" in words["text"][0]
    row = page.locator("table.outcomes tr", has_text="uitvoeringskosten per inwoner")
    column = TEN.split(",").index("multiple-local-status-quo")
    assert row.locator("td").nth(column).inner_text() == "geen gedeelde uitvoering"


# -- the validation report ------------------------------------------------------------------


def test_validate_report_shows_every_check_with_its_verdict(tmp_path, page, screenshot):
    out = tmp_path / "validate"
    checks = ["p1-decay", "p2-mobility-housing-grd"]
    args = ["validate", "--checks", ",".join(checks), "--seeds", "20"]
    r = samenspel([*args, "--out", str(out)], cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr  # 1: a check failed, which the report must show
    page.goto((out / "report.html").as_uri(), wait_until="load")
    expected = pd.read_csv(out / "checks.csv").set_index("key")["passed"].to_dict()

    rows = page.locator("table tr:has(td.pass), table tr:has(td.fail)")
    assert rows.count() == len(checks)
    shown = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        key = row.locator("td code").first.inner_text()
        verdict = row.locator("td").last
        text = verdict.inner_text().strip()
        assert re.fullmatch(r"✓ PASS|✗ FAIL", text), text
        assert verdict.get_attribute("class") == ("pass" if text.endswith("PASS") else "fail")
        assert verdict.is_visible()
        shown[key] = text.endswith("PASS")
    assert shown == expected
    passed = sum(expected.values())
    assert page.get_by_text(f"{passed} of {len(checks)} checks pass").is_visible()
    forest = page.locator("svg[role=img]")
    assert forest.locator("text").filter(has_text=re.compile("[✓✗]")).count() == len(checks)
    screenshot("validate", full_page=True)
