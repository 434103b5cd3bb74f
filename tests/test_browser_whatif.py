"""The what-if page, written by the command line and opened offline in a real chromium: the
answer on the first screen in at most 150 words, the whole page on at most two A4 pages, no text
clipped or overlapping, at a projector's 1920x1080 and a laptop's 1366x768, in both languages.

``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``) refreshes docs/img/whatif.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.config import load_scenario
from sim.present.i18n import description
from tests.browser_fixtures import OVERFLOWING, OVERLAPPING, WORDS, pdf_pages
from tests.conftest import samenspel

SIZES = [(1920, 1080), (1366, 768)]
FIRST_SCREEN_WORDS = 150


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """The page of `samenspel whatif dordrecht-service`, in English and in Dutch."""
    out = {}
    for lang in ("en", "nl"):
        folder = tmp_path_factory.mktemp("wi") / lang
        args = ["whatif", "dordrecht-service", "--replicates", "4", "--years", "3"]
        args += ["--lang", lang, "--out", str(folder), "--no-progress", "--workers", "1"]
        r = samenspel(args, cwd=folder.parent)
        assert r.returncode == 0, r.stderr
        out[lang] = folder / "whatif.html"
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_answer_fills_the_first_screen_and_nothing_is_clipped(
    written, page, lang, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(written[lang].as_uri(), wait_until="load")
    question = description(load_scenario("dordrecht-service"), lang)
    assert page.locator("h1").inner_text() == question  # the question in words, not code names
    answer = page.locator("section.answer")
    box = answer.bounding_box()
    assert box and box["y"] + box["height"] <= height, "the answer runs below the first screen"
    words = page.evaluate(WORDS, "section.answer")
    assert 0 < words <= FIRST_SCREEN_WORDS, words
    rows = page.locator("table.top tr")
    assert 3 + 1 <= rows.count() <= 5 + 1  # three to five differences, under a header
    assert page.locator("table.top svg.mini").count() == rows.count() - 1  # a chart each
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(OVERLAPPING) == []
    inside = """() => [...document.querySelectorAll('table.top svg.mini')].filter((s) => {
      const a = s.getBoundingClientRect(), b = s.parentElement.getBoundingClientRect();
      return a.left < b.left - 1 || a.right > b.right + 1 || a.top < b.top - 1
        || a.bottom > b.bottom + 1; }).length"""
    assert page.evaluate(inside) == 0
    assert page.locator("details").count() >= 5  # the rest, folded
    assert page.locator("details[open]").count() == 0


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_page_prints_on_two_a4_pages_with_its_glossary(written, page, lang):
    page.goto(written[lang].as_uri(), wait_until="load")
    assert pdf_pages(page.pdf(format="A4")) <= 2
    terms = page.locator("section.glossary dt").all_inner_texts()
    assert len(terms) >= 8
    shown = page.locator("section.answer").inner_text()
    for abbr in page.locator("section.answer abbr[title]").all():
        assert abbr.get_attribute("title")  # each term on the first screen explains itself
        assert abbr.inner_text() in shown
    unit = "MEUR" if lang == "en" else "mln EUR"
    assert unit in terms  # a unit the answer uses is explained


def test_the_pdf_page_count_is_read_right(page):
    """The counter sees three pages where there are three (the check above can fail)."""
    page.set_content("<div style='height: 800mm'>tall</div>")
    assert pdf_pages(page.pdf(format="A4")) == 3


def test_whatif_page_renders_offline_without_console_problems(written, page, screenshot):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(written["en"].as_uri(), wait_until="load")
    assert page.locator("td.better").count() + page.locator("td.worse").count() > 0
    assert "▲" in page.locator("body").inner_text()
    screenshot("whatif")
