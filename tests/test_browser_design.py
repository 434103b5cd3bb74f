"""The design page (design.html), opened offline in a real chromium in both languages: the
answer first, three drawn figures, the tables whole, no text clipped or overlapping (an
epsilon-NSGA-II search in English with its epsilon-progress, an NSGA-II search in Dutch).

``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``) refreshes docs/img/design.png.
"""

from __future__ import annotations

import pytest

from sim.present import design_page
from sim.study.search.run import design
from sim.study.search.spec import load_design
from tests.browser_fixtures import BOXES, OVERFLOWING, OVERLAPPING, misplaced
from tests.conftest import ROOT

SPEC = f"""
name = "page"
base = "{ROOT / "experiments" / "design" / "rules-base.toml"}"
years = 3
replicates = 3
master_seed = 5
presets = ["network-2024", "split-2022", "classic-gr", "multiple-local-status-quo"]

[algorithm]
kind = "eps-nsga2"
nfe = 60
population = 12
epsilons = {{ commitment = 0.02, grip_mean = 0.005, meeting_hours = 500 }}

[levers]
"arrangements.designed.monitoring" = {{ low = 0.0, high = 1.0 }}
"arrangements.designed.sanction" = {{ low = 0.0, high = 1.0 }}
"arrangements.designed.decision" = {{ values = ["vote", "party_lines", "provider"] }}
"culture.conversation_interval_months" = {{ low = 0, high = 12, integer = true }}

[objectives]
commitment = "max"
grip_mean = "max"
meeting_hours = "min"
"""


NSGA2 = {'kind = "eps-nsga2"': 'kind = "nsga2"', "epsilons = {": "# epsilons = {"}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The page of an epsilon-NSGA-II search in English, of an NSGA-II search in Dutch."""
    folder = tmp_path_factory.mktemp("design")
    out = {}
    for lang, changes in (("en", {}), ("nl", NSGA2)):
        text = SPEC
        for old, new in changes.items():
            text = text.replace(old, new)
        (folder / f"{lang}.toml").write_text(text)
        d = design(load_design(folder / f"{lang}.toml"), workers=1)
        (folder / lang).mkdir()
        out[lang] = (d, design_page.write(d, folder / lang, lang))
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_design_page_reads_answer_first_offline_and_nothing_is_clipped(
    page, pages, lang, screenshot
):
    d, file = pages[lang]
    page.goto(file.as_uri(), wait_until="load")
    title = (
        "Rule sets designed by search: page"
        if lang == "en"
        else "Regelpakketten ontworpen door zoeken: page"
    )
    assert page.locator("h1").inner_text() == title
    first = page.locator("h1 + p")
    assert first.get_attribute("class") == "answer"  # the answer comes first
    assert ("preset" if lang == "en" else "standaardscenario") in first.inner_text()
    assert page.locator(".js-plotly-plot .main-svg").count() >= 3  # every figure is drawn
    assert page.locator("table.front tr").count() == len(d.front) + 1
    assert page.locator("table.presets tr").count() == len(d.presets) + 1
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(OVERLAPPING) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    plots = page.evaluate(BOXES)
    assert (plots[2]["y2title"] is not None) == (d.spec.algorithm.kind == "eps-nsga2")
    assert misplaced(plots) == []
    if lang == "en":
        screenshot("design", full_page=True)
