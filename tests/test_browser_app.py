"""The workshop app in a real browser, offline: it opens without a request beyond this machine
and without console errors or warnings (the `page` fixture fails on either), steps and plays,
a changed rule moves the commitment line away from the baseline, the language switches, the
Info tab opens, and each month's time on the server is in the app's debug log (what
benchmarks/bench_app.py reads: speed itself is measured there, not here)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from benchmarks.bench_app import TIMED_STEP, CallbackTimes  # the benchmark's, the same here
from sim.model.config import Behaviour
from sim.present.app.server import create_app
from tests.browser_fixtures import BOXES, TEXTS, misplaced, overlapping_texts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_server() -> Iterator[tuple[str, object]]:
    """`samenspel app` on 127.0.0.1 and a free port, in a background thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app("en", port=port)
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/", app
    server.shutdown()
    thread.join(timeout=30)


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#month")
    page.wait_for_function(
        "() => /^(before|vóór) /.test(document.getElementById('month').textContent)"
        " && document.querySelector('#charts .js-plotly-plot')"
        " && document.querySelector('#map .js-plotly-plot')"
    )


def _month(page) -> str:
    return page.inner_text("#month")


def _step(page, times: int = 1) -> list[float]:
    return [page.evaluate(TIMED_STEP) for _ in range(times)]


def _control(kind: str, name: str, what: str = "slider") -> str:
    ident = json.dumps(
        {"kind": kind, "name": name, "part": "input", "type": what}, separators=(",", ":")
    )
    return f"[id='{ident}']"


def _slide_to_end(page, kind: str, name: str) -> None:
    thumb = page.locator(f"{_control(kind, name)} [role=slider]")
    thumb.focus()
    thumb.press("End")


def _chart_data(page) -> list[dict]:
    return page.evaluate(
        "() => document.querySelector('#charts .js-plotly-plot').data"
        ".map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}))"
    )


def test_the_app_steps_and_plays(page, app_server):
    url, _ = app_server
    _open(page, url)
    assert _month(page) == "before January 2022"
    _step(page, 3)
    assert _month(page) == "March 2022"
    assert "2022" in page.inner_text("#caption")
    page.click("#b-play")
    page.wait_for_function("() => document.getElementById('month').textContent === 'June 2022'")
    page.click("#b-pause")
    page.wait_for_timeout(700)  # a month already under way when pause was pressed may still land
    paused = _month(page)
    page.wait_for_timeout(1500)  # at 1 month a second, a running clock would have moved on
    assert _month(page) == paused
    live = _chart_data(page)[1]
    assert live["x"] == list(range(len(live["x"]))) and len(live["x"]) >= 6


def test_a_stricter_rule_moves_the_commitment_line_away_from_the_baseline(
    page, app_server, screenshot
):
    url, _ = app_server
    _open(page, url)
    _step(page, 12)
    page.click("#theme")
    page.get_by_role("option", name="mobility").click()
    page.wait_for_function(
        "() => document.getElementById('theme-arrangement').textContent.includes('multiple-local')"
    )
    before = _chart_data(page)[1]["y"]
    _slide_to_end(page, "rule", "monitoring")
    _slide_to_end(page, "rule", "sanction")
    value = json.dumps({"kind": "rule", "name": "sanction", "part": "value"}, separators=(",", ":"))
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent === '1.00'", arg=f"[id='{value}']"
    )
    thumb = page.locator(f"{_control('rule', 'monitoring')} [role=slider]")
    assert thumb.get_attribute("aria-valuenow") == "1"
    page.click("#b-apply")
    page.wait_for_selector("#apply-message .ok")
    assert page.inner_text("#apply-message") == (
        "Applied from January 2023 on; the months before keep the rules they ran under."
    )
    assert page.inner_text("#change-note").startswith("Rules changed from January 2023 on")
    _step(page, 24)
    ghost, live = (t["y"] for t in _chart_data(page)[:2])
    assert len(live) == 36
    assert live[:12] == before  # the months before the change, as they ran
    assert max(abs(a - b) for a, b in zip(live[12:], ghost[12:36], strict=True)) > 0.01
    assert live[-1] > ghost[35]  # noticed and recovered: more of what was pledged is paid
    assert "own arrangement" in page.inner_text("#theme-arrangement")
    bands = page.evaluate(
        "() => document.querySelector('#charts .js-plotly-plot').layout.shapes"
        ".map(s => [s.type, s.x0, s.x1])"
    )
    assert ["rect", -0.5, 11.5] in bands and ["line", 11.5, 11.5] in bands
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("app")


def test_switching_the_language_relabels_the_page(page, app_server, screenshot):
    url, _ = app_server
    _open(page, url)
    _step(page, 14)
    assert page.inner_text("#h-rules") == "Rules per theme"
    page.click("#b-apply")  # messages said before the switch are said again after it
    page.wait_for_selector("#apply-message .ok")
    assert page.inner_text("#apply-message") == (
        "Applied from March 2023 on; the months before keep the rules they ran under."
    )
    page.fill("#path", "no-such-scenario.toml")
    page.click("#b-load")
    page.wait_for_function(
        "() => document.getElementById('load-message').textContent"
        ".startsWith('This scenario cannot be used.')"
    )
    page.locator("#lang input[value=nl]").check()
    page.wait_for_function(
        "() => document.getElementById('h-rules').textContent === 'Regels per thema'"
    )
    page.wait_for_function("() => document.getElementById('month').textContent === 'februari 2023'")
    page.wait_for_function(
        "() => document.getElementById('apply-message').textContent"
        " === 'Toegepast vanaf maart 2023; de maanden ervoor houden de regels waaronder ze liepen.'"
    )
    load = page.inner_text("#load-message")
    assert load.startswith("Dit scenario kan niet worden gebruikt.")
    assert "no-such-scenario.toml" in load
    assert page.inner_text("#b-step") == "Stap (één maand)"
    assert page.inner_text("#tab-model") == "Model" and page.inner_text("#tab-info") == "Info"
    approval = json.dumps(
        {"kind": "rule", "name": "approval_threshold", "part": "value"}, separators=(",", ":")
    )
    page.wait_for_function(  # decimal comma
        "sel => document.querySelector(sel).textContent === '1,00'", arg=f"[id='{approval}']"
    )
    ticks = page.evaluate(
        "() => document.querySelector('#charts .js-plotly-plot').layout.xaxis.ticktext"
    )
    assert ticks[0].startswith("jan") and ticks[0].endswith("2022")
    assert (
        page.evaluate("() => document.querySelector('#charts .js-plotly-plot').layout.separators")
        == ",."
    )
    legend = [t["name"] for t in _chart_data(page)[:2]]
    assert legend == ["scenario zoals gekozen", "deze simulatie"]
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("app-nl")
    _step(page)
    assert _month(page) == "maart 2023"


def test_the_info_tab_opens_in_both_languages(page, app_server):
    url, _ = app_server
    _open(page, url)
    page.click("#tab-info")
    page.get_by_role("heading", name="What is it?").wait_for()
    for heading in ("How it works", "How to use it", "Things to notice", "Things to try"):
        assert page.get_by_role("heading", name=heading).is_visible()
    page.locator("#lang input[value=nl]").check()
    page.get_by_role("heading", name="Wat is het?").wait_for()
    assert page.get_by_role("heading", name="Probeer eens").is_visible()


def test_a_scenario_that_does_not_load_is_said_in_the_page_in_its_language(page, app_server):
    url, _ = app_server
    _open(page, url)
    page.locator("#lang input[value=nl]").check()
    page.wait_for_function(
        "() => document.getElementById('h-rules').textContent === 'Regels per thema'"
    )
    page.fill("#path", "no-such-scenario.toml")
    page.click("#b-load")
    page.wait_for_function(
        "() => document.getElementById('load-message').textContent"
        ".startsWith('Dit scenario kan niet worden gebruikt.')"
    )
    assert "no-such-scenario.toml" in page.inner_text("#load-message")
    assert "Traceback" not in page.content()
    assert _month(page) == "vóór januari 2022"  # the run in view stays


def test_each_month_is_timed_in_the_apps_debug_log(page, app_server):
    """One line per Step on the server's debug log, with its time (the benchmark's source)."""
    url, _ = app_server
    _open(page, url)
    with CallbackTimes() as callbacks:
        times = _step(page, 3)
    assert _month(page) == "March 2022" and all(ms > 0 for ms in times)
    steps = callbacks.of("b-step")
    assert len(steps) == 3 and all(0 < ms < 60_000 for ms in steps)


def _box(page, selector: str) -> list[float]:
    return page.evaluate(
        "s => { const b = document.querySelector(s).getBoundingClientRect();"
        " return [b.left, b.top, b.right, b.bottom]; }",
        selector,
    )


def test_a_culture_change_reaches_the_run_and_the_controls_fit_their_box(page, app_server):
    url, _ = app_server
    _open(page, url)
    _step(page, 6)
    box = page.locator("#culture-box")
    assert not box.locator(".control").first.is_visible()  # folded, like the behaviour box
    page.click("#culture-box summary")
    assert page.inner_text("#h-culture") == "Culture: how the partners work together"
    controls = page.evaluate(
        "() => [...document.querySelectorAll('#culture-box .control')].map(e => {"
        " const b = e.getBoundingClientRect(); const s = getComputedStyle(e);"
        " return [b.left, b.top, b.right, b.bottom, parseFloat(s.fontSize),"
        " e.scrollWidth - e.clientWidth]; })"
    )
    assert len(controls) == 7
    outer = _box(page, "#culture-box")
    column = _box(page, ".controls")
    for k, (left, top, right, bottom, size, overflow) in enumerate(controls):
        assert outer[0] <= left and right <= outer[2] <= column[2]  # nothing clipped
        assert bottom <= outer[3]
        assert size >= 12 and overflow <= 0  # the rules' and behaviour's type, no overflow
        if k:
            assert top >= controls[k - 1][3]  # one under the other, none over another
    thumb = page.locator(f"{_control('culture', 'forum_interval_months')} [role=slider]")
    thumb.focus()
    thumb.press("Home")
    for _ in range(3):
        thumb.press("ArrowRight")
    shown = json.dumps(
        {"kind": "culture", "name": "forum_interval_months", "part": "value"},
        separators=(",", ":"),
    )
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent === '3'", arg=f"[id='{shown}']"
    )
    page.click("#b-rerun")  # the change from the first month: the run built again
    page.wait_for_selector("#apply-message .ok")
    assert page.inner_text("#apply-message") == (
        "Run again from the start under these rules; back at June 2022."
    )
    _step(page, 12)
    data = _chart_data(page)
    ghost, live = data[10], data[11]  # the sixth chart: the others' image of the centre
    # the run started again with a forum every 3 months: until the first, the same image
    assert len(live["y"]) == 18 and live["y"][:2] == pytest.approx(ghost["y"][:2])
    kept = 1 - Behaviour().image_correction  # what each meeting of all leaves of the image
    assert live["y"][-1] == pytest.approx(ghost["y"][17] * kept**6)  # after six forums
    assert _month(page) == "June 2023"  # its 18th month: a forum
    assert "forum on the cooperation (breaches forgiven: " in page.inner_text("#caption")
    page.locator("#lang input[value=nl]").check()
    label = json.dumps(
        {"kind": "culture", "name": "forum_interval_months", "part": "label"},
        separators=(",", ":"),
    )
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent"
        " === 'Maanden tussen overleggen over de samenwerking (0 = geen)'",
        arg=f"[id='{label}']",
    )
    assert page.inner_text("#h-culture") == "Cultuur: hoe de partners samenwerken"


# --- for a room: geometry, large type, Apply in sight ----------------------------------------

SIZES = ((1920, 1080), (1366, 768))

IN_SIGHT = """() => {
  // Apply: inside the window, on top where it is drawn, and in no box that scrolls.
  const b = document.getElementById('b-apply'), r = b.getBoundingClientRect();
  const top = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  const scrolls = (e) => { const s = getComputedStyle(e);
    return /(auto|scroll)/.test(s.overflowY + s.overflowX)
      && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1); };
  const boxes = [];
  for (const c of [b, ...document.querySelectorAll('.control')])
    for (let a = c.parentElement; a && a !== document.body; a = a.parentElement)
      if (scrolls(a)) boxes.push(a.id || a.className);
  return {top: r.top, bottom: r.bottom, height: innerHeight, shown: b.contains(top),
          boxes: [...new Set(boxes)]};
}"""


def _apply_a_change(page, at: int) -> None:
    """A rule changed at month `at` (its month on the page), applied from the next."""
    _step(page, at)
    _slide_to_end(page, "rule", "monitoring")
    page.click("#b-apply")
    page.wait_for_selector("#apply-message .ok")
    page.wait_for_function("() => document.getElementById('change-note').textContent !== ''")


@pytest.mark.parametrize("present", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_for_a_room_no_text_is_cut_or_covered_and_apply_is_always_in_sight(
    page, app_server, screenshot, size, lang, present
):
    """At a projector's and a laptop's size, in both languages and both modes: every text
    whole (no box cuts it) and on no other text, with the folded boxes open and a change
    marked in the charts; Apply in the window without scrolling any box, and no control in a
    box that scrolls; the tables list clear of the next heading; plots' parts in place; type
    at least 14 px, and at least 28 px in presentation mode, where the map is larger."""
    url, _ = app_server
    page.set_viewport_size({"width": size[0], "height": size[1]})
    _open(page, url + ("?present=1" if present else ""))
    if present:
        page.wait_for_function(
            "() => document.getElementById('page').className.includes('present')"
        )
    if lang == "nl":
        page.locator("#lang input[value=nl]").check()
        page.wait_for_function(
            "() => document.getElementById('b-apply').textContent"
            " === 'Toepassen vanaf volgende maand'"
        )
    sight = page.evaluate(IN_SIGHT)
    assert sight["shown"] and sight["top"] >= 0 and sight["bottom"] <= sight["height"], sight
    assert sight["boxes"] == []
    _apply_a_change(page, 14)
    for box in ("#culture-box", "#behaviour-box"):  # in the middle: clear of the foot's bar
        page.locator(f"{box} summary").evaluate("e => e.scrollIntoView({block: 'center'})")
        page.click(f"{box} summary")
    page.wait_for_timeout(500)  # plotly lays the charts out anew after the change
    texts = page.evaluate(TEXTS)
    assert len(texts) > 300  # the controls, the strip, the charts' and the map's words
    assert [t["text"] for t in texts if t["clipped"]] == []
    assert overlapping_texts(texts) == []
    least = 28 if present else 14
    assert [(t["text"], t["px"]) for t in texts if t["px"] < least] == []
    assert misplaced(page.evaluate(BOXES)) == []
    tables, next_heading = _box(page, "#tables"), _box(page, "#h-coalitions")
    assert tables[3] <= next_heading[1]
    drawn = _box(page, "#map .main-svg")
    assert drawn[3] - drawn[1] >= (700 if present else 450)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    sight = page.evaluate(IN_SIGHT)  # at the foot of the page too
    assert sight["shown"] and sight["bottom"] <= sight["height"], sight
    if size == SIZES[0] and present and lang == "en":
        page.evaluate("window.scrollTo(0, 0)")
        screenshot("app-present")


def test_a_dutch_page_says_what_is_wrong_with_a_file_in_dutch(page, app_server):
    url, _ = app_server
    _open(page, url)
    page.locator("#lang input[value=nl]").check()
    page.wait_for_function(
        "() => document.getElementById('h-rules').textContent === 'Regels per thema'"
    )
    mine = 'name = "mine"\nyears = 500\n[governance]\nsocial = "no-such-arrangement"\n'
    page.set_input_files(
        "#upload input[type=file]",
        files=[{"name": "mine.toml", "mimeType": "text/plain", "buffer": mine.encode()}],
    )
    page.wait_for_function("() => document.getElementById('load-message').textContent !== ''")
    said = page.inner_text("#load-message")
    assert said.startswith("Dit scenario kan niet worden gebruikt. mine.toml: aantal problemen")
    assert "years: een waarde die niet is toegestaan" in said
    english = ("problem(s)", "allowed", "Input should", "unknown", "cannot", "Value error")
    assert not any(word in said for word in english), said
    assert page.inner_text("#preset-description") != ""  # the run in view stays, with its words


def test_a_loaded_file_stands_in_the_preset_box(page, app_server):
    url, _ = app_server
    _open(page, url)
    page.fill("#path", "sim/data/scenarios/network-2024.toml")
    page.click("#b-load")
    page.wait_for_function(
        "() => document.querySelector('#preset').textContent.startsWith('Own file: ')"
    )
    assert "network-2024.toml" in page.inner_text("#preset")
    page.locator("#lang input[value=nl]").check()
    page.wait_for_function(
        "() => document.querySelector('#preset').textContent.startsWith('Eigen bestand: ')"
    )
