"""The sensitivity page (sensitivity.html), opened offline in a real chromium in both
languages, for each design that has indices: the answer first, the warnings next, every figure
drawn, no text clipped or overlapping, nothing wider than the screen.

``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``) refreshes docs/img/sensitivity.png.
"""

from __future__ import annotations

import pytest

from sim.present import sensitivity_page
from sim.study.experiment import load_spec
from sim.study.sweep import sweep
from tests.browser_fixtures import BOXES, OVERFLOWING, OVERLAPPING, misplaced

SPEC = """name = "{kind}"
base = "multiple-local-status-quo"
years = 3
replicates = 2
master_seed = 4
[design]
kind = "{kind}"
samples = {samples}
second_order = {second}
levels = 4
[parameters]
"behaviour.weight_pledge" = {{ low = 0.0, high = 2.0 }}
"behaviour.choice_noise" = {{ low = 0.2, high = 1.0 }}
"behaviour.trust_loss" = {{ low = 0.1, high = 0.6 }}
[outputs]
summary = ["commitment", "progress", "free_riding"]
"""
DESIGNS = {"sobol": 16, "morris": 10, "latin_hypercube": 40}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sensitivity")
    out = {}
    for kind, samples in DESIGNS.items():
        spec_file = folder / f"{kind}.toml"
        second = "true" if kind == "sobol" else "false"
        spec_file.write_text(SPEC.format(kind=kind, samples=samples, second=second))
        runs = sweep(load_spec(spec_file), folder / kind, executor="processes", progress=False)
        for lang in ("en", "nl"):
            made = sensitivity_page.analyze(runs, folder / f"{kind}-{lang}", lang=lang)
            out[kind, lang] = made / "sensitivity.html"
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("kind", list(DESIGNS))
def test_the_sensitivity_page_reads_answer_first_and_nothing_is_clipped(
    page, pages, kind, lang, screenshot
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(pages[kind, lang].as_uri(), wait_until="load")
    answer = page.locator("h1 + ul.answer li")
    assert answer.count() >= 3  # one sentence per outcome, on the first screen
    assert answer.first.bounding_box()["y"] < 768
    word = {"sobol": "index", "morris": "μ*", "latin_hypercube": "δ"}[kind]
    assert word in answer.first.inner_text()
    trust = page.locator("ul.trust li")
    assert trust.count() >= 1  # small designs: the warnings say so
    assert ("256" in trust.first.inner_text()) == (kind == "sobol")
    figures = {"sobol": 3 * 3, "morris": 3, "latin_hypercube": 3}[kind]  # S1/ST, S2, convergence
    assert page.locator(".js-plotly-plot .main-svg").count() >= figures
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(OVERLAPPING) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sizes = page.locator("p, li, td").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert min(sizes) >= 14
    assert misplaced(page.evaluate(BOXES)) == []
    if kind == "sobol" and lang == "en":
        screenshot("sensitivity", full_page=True)
