"""The animation in a real browser (system chromium), offline: it loads clean, plays, keeps two
panels in lockstep, speaks Dutch when asked; and the README's screenshots.

The fixtures `page` and `screenshot` are the shared ones (tests/browser_fixtures.py, loaded by
tests/conftest.py): every request beyond loopback is blocked and recorded, and a console error
or warning fails the test.
`SAMENSPEL_SCREENSHOTS=1` writes docs/img/animate.png and docs/img/animate-projector.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_fixtures import TEXTS, text_problems
from tests.conftest import samenspel

pytestmark = pytest.mark.browser

DUTCH_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The pages a facilitator would write, by the command line."""
    folder = tmp_path_factory.mktemp("animate")
    wanted = {
        "one-en": ["split-2022", "--lang", "en"],
        "one-nl": ["split-2022", "--lang", "nl"],
        "vs-en": ["split-2022", "--vs", "network-2024", "--lang", "en"],
        "vs-nl": ["split-2022", "--vs", "network-2024", "--lang", "nl"],
        "vs-nl-projector": ["split-2022", "--vs", "network-2024", "--lang", "nl", "--projector"],
        "vs-en-projector": ["split-2022", "--vs", "network-2024", "--lang", "en", "--projector"],
        "culture-en": ["culture-first-2022", "--lang", "en"],
        "culture-nl": ["culture-first-2022", "--vs", "split-2022", "--lang", "nl"],
        "culture-nl-projector": [
            *("culture-first-2022", "--vs", "split-2022", "--lang", "nl", "--projector"),
        ],
        "culture-en-projector": [
            *("culture-first-2022", "--vs", "split-2022", "--lang", "en", "--projector"),
        ],
    }
    out = {}
    for name, args in wanted.items():
        path = folder / f"{name}.html"
        done = samenspel(["animate", *args, "--out", str(path)], folder)
        assert done.returncode == 0, done.stderr
        out[name] = path
    return out


def open_page(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']")


def go_to(page, month: int) -> None:
    page.evaluate(
        "m => { const s = document.getElementById('slider'); s.value = String(m);"
        " s.dispatchEvent(new Event('input')); }",
        month,
    )


def test_loads_offline_without_console_problems(page, pages):
    open_page(page, pages["one-en"])
    assert page.title() == "samenspel: split-2022"
    assert page.locator(".panel").count() == 1
    assert page.locator("svg.map circle").count() == 7
    assert page.locator("#month-label").inner_text() == "January 2022"


def test_play_advances_the_month(page, pages):
    open_page(page, pages["one-en"])
    before = page.locator("#month-label").inner_text()
    page.click("#play")
    assert page.locator("#play").inner_text() == "Pause"
    page.wait_for_function(
        "b => document.getElementById('month-label').textContent !== b", arg=before
    )
    page.click("#play")
    assert page.locator("#play").inner_text() == "Play"
    assert page.locator("#month-label").inner_text() != before
    assert int(page.locator("#slider").input_value()) > 0


def test_side_by_side_panels_show_the_same_month(page, pages):
    open_page(page, pages["vs-nl"])
    page.select_option("#speed", "4")
    page.click("#play")
    page.wait_for_function("() => Number(document.getElementById('slider').value) >= 27")
    page.click("#play")
    shown = page.locator("#month-label").inner_text()
    months = page.locator(".panel .panel-month").all_inner_texts()
    assert len(months) == 2 and months == [shown, shown]
    # the slider drives both
    go_to(page, 60)
    assert page.locator(".panel .panel-month").all_inner_texts() == ["januari 2027"] * 2


def test_the_dutch_page_speaks_dutch(page, pages):
    open_page(page, pages["vs-nl"])
    label = page.locator("#month-label").inner_text()
    assert label.split()[0] in DUTCH_MONTHS
    go_to(page, 2)
    assert page.locator("#month-label").inner_text() == "maart 2022"
    assert page.locator("#play").inner_text() == "Afspelen"
    assert "verkiezingen" in page.locator(".panel .caption").first.inner_text()
    assert re.search(r"\d,\d", page.locator(".strip").first.inner_text())  # decimal comma
    before = page.locator(".panel").nth(1).get_attribute("class")
    assert "waiting" in before  # network-2024 starts in 2024


def test_projector_toggle_and_colour_selector(page, pages):
    open_page(page, pages["one-en"])
    go_to(page, 100)
    circles = page.locator("svg.map circle")
    energy = [circles.nth(i).get_attribute("fill") for i in range(7)]
    page.select_option("#state", "2")  # share of pledges paid
    assert [circles.nth(i).get_attribute("fill") for i in range(7)] != energy
    assert "pledges" in page.locator("#state-legend").inner_text()
    page.keyboard.press("p")
    assert "projector" in (page.locator("body").get_attribute("class") or "")
    assert page.is_checked("#projector")
    page.uncheck("#projector")
    assert "projector" not in (page.locator("body").get_attribute("class") or "")


OVERFLOWING = """() => [...document.querySelectorAll('.strip figcaption, .strip figcaption > *')]
  .filter((e) => e.scrollWidth > e.clientWidth + 0.5 || e.scrollHeight > e.clientHeight + 0.5)
  .map((e) => e.textContent + ' ' + e.scrollWidth + '>' + e.clientWidth)"""


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_strip_labels_fit_their_boxes_in_projector_mode_side_by_side(page, pages, lang):
    open_page(page, pages[f"vs-{lang}-projector"])
    assert page.viewport_size == {"width": 1280, "height": 720}
    assert "projector" in (page.locator("body").get_attribute("class") or "")
    assert page.locator(".panel .strip figcaption").count() == 10
    for month in (0, 60, 130):  # the values' widths change with the month
        go_to(page, month)
        assert page.evaluate(OVERFLOWING) == [], month
        for label in page.locator(".strip figcaption .what:visible").all():
            assert label.inner_text().strip()  # shown, not emptied to make it fit


BOX = "e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }"


def box(locator) -> tuple[float, float, float, float]:
    return tuple(locator.evaluate(BOX))


def inside(inner, outer, slack: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def apart(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def px(locator, prop: str = "fontSize") -> float:
    return float(locator.evaluate(f"e => parseFloat(getComputedStyle(e).{prop})"))


RINGS = """() => [...document.querySelectorAll('.panel')].map(p => [...p.querySelectorAll(
  'svg.map .own-arc')].map(c => parseFloat(c.getAttribute('stroke-dasharray'))))"""

RING_IN_CIRCLE = """() => [...document.querySelectorAll('.panel')].map(p => {
  const circles = [...p.querySelectorAll('svg.map circle')];
  return [...p.querySelectorAll('svg.map .own-track')].map((t, i) => {
    const b = t.getBBox(), c = circles[i], w = parseFloat(getComputedStyle(t).strokeWidth);
    const cx = parseFloat(c.getAttribute('cx')), cy = parseFloat(c.getAttribute('cy'));
    const r = parseFloat(c.getAttribute('r')), sw = parseFloat(c.getAttribute('stroke-width'));
    const gap = Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
    return [gap, b.width / 2 + w / 2, b.width / 2 - w / 2, r - sw / 2];
  });
})"""
DATA = "() => JSON.parse(document.getElementById('samenspel-data').textContent)"


def go_to_frame(page, frame: int) -> list[list]:
    """To the calendar month in which the first run shows its frame `frame`; its rows."""
    data = page.evaluate(DATA)
    go_to(page, next(t for t, row in enumerate(data["rows"]) if row[0] == frame))
    return data["runs"][0]["frames"][frame]["m"]


@pytest.mark.parametrize("name", ["culture-en", "culture-nl", "culture-nl-projector"])
def test_each_circle_has_its_ownership_as_a_ring_inside_it(page, pages, name):
    open_page(page, pages[name])
    at = page.evaluate(DATA)["ownership"]
    for month in (0, 40, 119):
        rows = go_to_frame(page, month)
        assert page.evaluate(RINGS)[0] == [round(r[at] * 100, 1) for r in rows]
    assert page.locator("svg.map circle").count() == 7 * page.locator(".panel").count()
    for ring in page.evaluate(RING_IN_CIRCLE)[0]:  # inside its circle: hits no neighbour,
        centre_gap, outer, inner, r = ring  # label or mark, and wide enough to see
        assert centre_gap < 0.5 and outer <= r + 0.01 and outer - inner >= 0.25 * r
    legend = page.locator("#own-legend")
    assert legend.is_visible() and inside(box(legend), box(page.locator("footer")))
    assert px(legend) >= px(page.locator("footer"))  # not smaller than the other legends
    assert inside(box(page.locator("footer")), (0, 0, 1280, 720))
    words = {"culture-en": "ownership", "culture-nl": "eigenaarschap"}
    assert words.get(name, "eigenaarschap") in legend.inner_text()


@pytest.mark.parametrize("name", ["culture-en", "culture-nl", "culture-nl-projector"])
def test_a_forum_month_is_marked_on_the_timeline_beside_the_runs_name(page, pages, name):
    open_page(page, pages[name])
    first = page.locator(".panel").first
    timeline = first.locator("svg.timeline")
    assert timeline.is_visible()
    assert timeline.locator("rect.tl-forum").count() == 40  # every 3 months in 10 years
    assert timeline.locator("rect.tl-conversation").count() == 20
    heading = first.locator("h2")
    name_box, line, month = (box(heading.locator(":scope > *").nth(k)) for k in range(3))
    assert apart(name_box, line) and apart(line, month)  # side by side, none over another
    go_to_frame(page, 5)  # June 2024: a conversation and a forum
    line = box(timeline)
    assert inside(line, box(heading)) and line[2] - line[0] > 120  # wide enough to read
    now = timeline.locator("rect.tl-now")
    marks = timeline.locator("rect.tl-forum")
    assert abs(box(now)[0] + box(now)[2] - box(marks.nth(1))[0] - box(marks.nth(1))[2]) < 3
    caption = first.locator(".caption").get_attribute("title")  # the whole sentence
    assert ("forum on the cooperation" if name == "culture-en" else "overleg over de") in caption
    if page.locator(".panel").count() == 2:  # split-2022 holds neither: no timeline
        assert not page.locator(".panel").nth(1).locator("svg.timeline").is_visible()
    legend = page.locator("#timeline-legend")
    assert legend.is_visible() and inside(box(legend), box(page.locator("footer")))
    assert px(legend) >= px(page.locator("footer"))


def test_no_timeline_legend_where_no_run_has_one(page, pages):
    open_page(page, pages["vs-nl"])
    assert not page.locator("#timeline-legend").is_visible()
    assert not page.locator("svg.timeline").first.is_visible()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_culture_pages_fit_the_projector(page, pages, lang):
    """Beside a run without, in projector mode: the map keeps its room, the five strip
    figures fit their boxes, the footer's legends do not overlap (at a projector's 1080p)."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, pages[f"culture-{lang}-projector"])
    for month in (0, 60, 119):
        go_to(page, month)
        assert page.evaluate(OVERFLOWING) == [], month
        for panel in page.locator(".panel").all():
            assert box(panel.locator("svg.map"))[3] - box(panel.locator("svg.map"))[1] > 200
            assert inside(box(panel.locator(".strip")), box(panel))
    legends = page.locator("footer > span:visible").all()
    boxes = [box(x) for x in legends]
    assert all(apart(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1 :])
    assert all(inside(b, (0, 0, 1920, 1080)) for b in boxes)
    q = page.locator(".panel").first.locator(".strip figure").nth(4)
    label = "image of the centre (bias)" if lang == "en" else "beeld van het centrum (vertekening)"
    assert q.locator("figcaption").get_attribute("title") == label  # in full, on demand
    assert q.locator(".what:visible").inner_text() == (
        "image of centre" if lang == "en" else "beeld centrum"
    )


def test_screenshots(page, pages, screenshot):
    page.set_viewport_size({"width": 1366, "height": 768})  # a laptop
    open_page(page, pages["vs-nl"])
    go_to(page, 52)  # May 2026: two years into network-2024, after the 2026 elections
    shot = screenshot("animate")
    assert shot.stat().st_size > 10_000
    page.set_viewport_size({"width": 1920, "height": 1080})  # a projector's 1080p
    open_page(page, pages["vs-nl-projector"])
    assert "projector" in (page.locator("body").get_attribute("class") or "")
    go_to(page, 52)
    screenshot("animate-projector")


def test_a_label_that_opens_a_comment_and_a_script_still_plays(page, tmp_path):
    """An arrangement label `<!--<script>` once swallowed the player into the data block."""
    import tomli_w

    from sim.model.config import load_scenario

    data = load_scenario("split-2022", years=1).model_dump(mode="json", exclude_none=True)
    data["name"] = "hostile"
    labels = {"label": "<!--<script>", "label_nl": "</script><!--<script>\u2028"}
    data["arrangements"]["mine"] = {"based_on": "network", **labels}
    data["governance"]["mobility"] = "mine"
    (tmp_path / "hostile.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    out = tmp_path / "hostile.html"
    done = samenspel(["animate", "hostile.toml", "--out", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    open_page(page, out)
    assert page.locator("#month-label").inner_text() == "January 2022"
    page.keyboard.press("ArrowRight")
    assert page.locator("#month-label").inner_text() == "February 2022"
    assert "<!--<script>" in page.locator(".panel .arr").all_inner_texts()
    assert page.locator("script").count() == 2


# --- geometry: every text whole, inside its panel, on no other; large on a projector -----------

SIZES = [(1920, 1080), (1366, 768)]


def months_to_check(page) -> list[int]:
    """The first month, one in the middle, the one with the longest caption, the last."""
    data = page.evaluate(DATA)
    longest = max(
        range(len(data["rows"])),
        key=lambda t: max(
            len(run["frames"][row]["caption"]) if row >= 0 else 0
            for run, row in zip(data["runs"], data["rows"][t], strict=True)
        ),
    )
    return sorted({0, 52, longest, len(data["rows"]) - 1})


def set_projector(page, on: bool) -> None:
    if page.is_checked("#projector") != on:
        page.click("#projector")


@pytest.mark.parametrize("size", SIZES, ids=["1920x1080", "1366x768"])
@pytest.mark.parametrize("name", ["one-en", "one-nl", "vs-en", "vs-nl"])
def test_every_text_is_whole_inside_its_panel_and_on_no_other(page, pages, name, size):
    """At a projector's and a laptop's size, alone and side by side, in both languages, with
    and without projector mode: no text off screen or out of its panel (a name cut off at the
    map's edge), none on another (a name on a circle's label, a mark on a name)."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_page(page, pages[name])
    for projector in (False, True):
        set_projector(page, projector)
        for month in months_to_check(page):
            go_to(page, month)
            texts = page.evaluate(TEXTS, ".panel")
            assert text_problems(texts, *size) == [], (projector, month)
            names = [t for t in texts if t["text"] in NAMES]
            assert len({t["text"] for t in names}) == len(NAMES)  # every name on the map


NAMES = {
    "Dordrecht",
    "Zwijndrecht",
    "Papendrecht",
    "Hendrik-",
    "Ido-Ambacht",
    "Sliedrecht",
    "Alblasserdam",
    "Hardinxveld-",
    "Giessendam",
}


@pytest.mark.parametrize("name", ["one-nl", "vs-nl", "vs-en"])
def test_on_a_projector_every_text_is_at_least_28_pixels(page, pages, name):
    """Readable from five metres on a three-metre image: 28 px at 1080p, names on the map,
    marks, lists, chips, caption, strip, legend and controls alike."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, pages[name])
    set_projector(page, True)
    for month in months_to_check(page):
        go_to(page, month)
        texts = page.evaluate(TEXTS, ".panel")
        small = [(t["text"], round(t["px"], 1)) for t in texts if t["px"] < 28]
        assert small == [], month
        marks = page.locator("svg.map text.mark-paid, svg.map text.mark-withheld")
        assert marks.count() == 14 * page.locator(".panel").count()


def test_a_finished_run_says_so_and_clears_its_marks(page, pages):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_page(page, pages["vs-nl"])
    data = page.evaluate(DATA)
    go_to(page, len(data["rows"]) - 1)  # December 2033: split-2022 ended two years before
    split = page.locator(".panel").first
    assert split.locator(".status").inner_text() == "afgelopen in december 2031"
    assert split.locator(".panel-month").inner_text() == ""  # it does not count on
    assert split.locator("svg.map text.mark-paid").all_text_contents() == [""] * 7
    assert split.locator("svg.map text.mark-withheld").all_text_contents() == [""] * 7
    assert split.locator(".tables li.met").count() == 0  # no table met: nothing happens
    assert split.locator(".caption summary").inner_text() == "afgelopen in december 2031"
    other = page.locator(".panel").nth(1)
    assert other.locator(".panel-month").inner_text() == "december 2033"
    assert other.locator(".status").inner_text() == ""
    go_to(page, data["runs"][0]["lastCalendar"])  # its last month: still running
    assert split.locator(".panel-month").inner_text() == "december 2031"
    assert split.locator(".status").inner_text() == ""


def test_a_long_caption_is_cut_to_what_fits_and_shown_whole_on_a_click(page, pages):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, pages["vs-nl-projector"])
    data = page.evaluate(DATA)
    month = max(months_to_check(page)[1:-1], key=lambda t: t)  # the longest caption's month
    go_to(page, month)
    captions = page.locator(".panel .caption")
    whole = [
        run["frames"][row]["caption"] if row >= 0 else run["initial"]["caption"]
        for run, row in zip(data["runs"], data["rows"][month], strict=True)
    ]
    cut = [k for k, text in enumerate(whole) if len(text) > 200]
    assert cut  # a caption far longer than two lines
    k = cut[0]
    summary = captions.nth(k).locator("summary")
    shown = summary.inner_text()
    assert len(shown) < len(whole[k]) and "… en nog " in shown
    assert summary.evaluate("e => e.scrollHeight <= e.clientHeight + 1")  # no line cut off
    assert captions.nth(k).get_attribute("title") == whole[k]
    summary.click()
    full = captions.nth(k).locator(".full")
    assert full.is_visible() and full.inner_text() == whole[k]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_legend_names_free_riding_and_the_short_names(page, pages, lang):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, pages[f"vs-{lang}-projector"])
    footer = page.locator("footer")
    text = footer.inner_text()
    assert ("free-riding" if lang == "en" else "meeliften") in page.locator(
        "#free-riding-legend"
    ).inner_text()
    assert "HIA Hendrik-Ido-Ambacht" in text and "Dordr. Dordrecht" in text
    assert "● 7" in text
    assert inside(box(footer), (0, 0, 1920, 1080))
    whens = page.locator(".panel").first.locator(".strip .when").all_inner_texts()
    assert whens == (
        ["from the start", "from the start", "this month", "now", "now"]
        if lang == "en"
        else ["vanaf het begin", "vanaf het begin", "deze maand", "nu", "nu"]
    )
