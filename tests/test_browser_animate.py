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
        "vs-nl": ["split-2022", "--vs", "network-2024", "--lang", "nl"],
        "vs-nl-projector": ["split-2022", "--vs", "network-2024", "--lang", "nl", "--projector"],
        "vs-en-projector": ["split-2022", "--vs", "network-2024", "--lang", "en", "--projector"],
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
    assert page.locator(".panel .strip figcaption").count() == 8
    for month in (0, 60, 130):  # the values' widths change with the month
        go_to(page, month)
        assert page.evaluate(OVERFLOWING) == [], month
        for label in page.locator(".strip figcaption .what").all():
            assert label.inner_text().strip()  # shown, not emptied to make it fit


def test_screenshots(page, pages, screenshot):
    open_page(page, pages["vs-nl"])
    go_to(page, 52)  # May 2026: two years into network-2024, after the 2026 elections
    shot = screenshot("animate")
    assert shot.stat().st_size > 10_000
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
