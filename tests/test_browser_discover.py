"""The scenario-discovery page, written by `samenspel discover` and opened offline in a real
chromium (requests off the machine blocked, console errors failing the test), in English and
Dutch: the answer first, the box as bars that fit their rows with no text clipped or on top of
other text, the trade-off's hover and click showing a step's box, the worlds' scatter.

``SAMENSPEL_SCREENSHOTS=1`` (``make screenshots``) refreshes docs/img/discover.png.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.present.cli import main

ROOT = Path(__file__).resolve().parent.parent
BEATS = ["--outcome", "commitment", "--beats", "steered", "--over", "network"]
BEATS += ["--factor", "governance.mobility"]
PAGES = {  # name: the question and method, and how the answer starts
    "en": (BEATS, "Steered beats network on commitment (paid / pledged) in "),
    "nl": (
        [*BEATS, "--lang", "nl"],
        "Steered doet het beter dan network op nakoming (betaald / toegezegd) in ",
    ),
    "en-cart": (  # a box on a number and on the arrangement: bars and levels
        ["--outcome", "commitment", "--below", "0.6", "--method", "cart"],
        "Commitment (paid / pledged) is below 0.6 in ",
    ),
}
HEAD = {"en": "Box ", "nl": "Gebied "}
BOX = "e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }"
CLIPPED = """() => [...document.querySelectorAll(
  '#box-head, #box .name, #box .numbers, #box .level, table.limits td, table.limits th, p, h1, h2'
)].filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
  .map(e => e.className + ': ' + e.textContent.slice(0, 40))"""

OUTSIDE_PLOT = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const f = plot.querySelector('.main-svg').getBoundingClientRect();
  return [...plot.querySelectorAll(
    '.g-xtitle text, .g-ytitle text, .legendtext, .cbtitle text, .xtick text, .ytick text'
  )].filter(t => { const b = t.getBoundingClientRect();
    return b.left < f.left - 0.5 || b.right > f.right + 0.5 || b.top < f.top - 0.5
      || b.bottom > f.bottom + 0.5; }).map(t => plot.id + ': ' + t.textContent); })"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The bundled example's sweep (800 runs), and the pages of its discoveries."""
    base = tmp_path_factory.mktemp("discover-pages")
    spec = ROOT / "experiments" / "sweeps" / "discover-example.toml"
    sweep = base / "sweep"
    assert main(["sweep", str(spec), "--out", str(sweep), "--workers", "2", "--no-progress"]) == 0
    out = {}
    for name, (argv, _) in PAGES.items():
        assert main(["discover", str(sweep), *argv, "--out", str(base / name)]) == 0
        out[name] = base / name
    return out


def box(locator) -> tuple[float, float, float, float]:
    return tuple(locator.evaluate(BOX))


def apart(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def inside(inner, outer, slack: float = 0.5) -> bool:
    return all(inner[i] >= outer[i] - slack for i in (0, 1)) and all(
        inner[i] <= outer[i] + slack for i in (2, 3)
    )


@pytest.mark.parametrize("name", ["en", "nl", "en-cart"])
def test_the_page_answers_first_and_nothing_is_clipped(page, pages, name, screenshot):
    folder, lang = pages[name], name[:2]
    page.goto((folder / "discover.html").as_uri(), wait_until="load")
    first = page.locator("h1 + p")
    assert first.get_attribute("class") == "answer"
    assert first.inner_text().startswith(PAGES[name][1])
    limits = pd.read_csv(folder / "boxes.csv")
    restricted = int(limits["chosen"].sum())
    rows = page.locator("#box-rows .row")
    assert rows.count() == restricted >= 1
    if name == "en-cart":
        levels = page.locator("#box-rows .level")
        assert levels.count() == 2 and page.locator("#box-rows .level.in").count() == 1
    assert page.locator("#box-head").inner_text().startswith(HEAD[lang])
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate(OUTSIDE_PLOT) == []  # axis titles, ticks and legends inside the plot
    frame = box(page.locator("#box"))
    previous = None
    for row in rows.all():
        here = box(row)
        assert inside(here, frame)
        assert previous is None or previous[3] <= here[1]  # one under the other
        parts = [box(p) for p in row.locator(":scope > *").all()]
        assert len(parts) == 3 and apart(parts[0], parts[1]) and apart(parts[1], parts[2])
        previous = here
    assert page.locator("#scatter .scatterlayer .trace").count() == 2
    if name == "en":
        screenshot("discover")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_hovering_and_clicking_a_step_shows_its_box(page, pages, lang):
    trajectory = pd.read_csv(pages[lang] / "trajectory.csv")
    chosen = int(trajectory.index[trajectory["chosen"]][0])
    xy = trajectory[["coverage", "density"]].to_numpy()
    apart_from_all = [
        min(abs(xy[i] - xy[j]).sum() for j in range(len(xy)) if j != i) for i in range(len(xy))
    ]
    other = max((i for i in range(len(xy)) if i != chosen), key=lambda i: apart_from_all[i])
    page.goto((pages[lang] / "discover.html").as_uri(), wait_until="load")
    answer_head = page.locator("#box-head").inner_text()
    points = page.locator("#tradeoff .scatterlayer .trace").first.locator("path.point")
    assert points.count() == len(trajectory)
    page.locator("#tradeoff").scroll_into_view_if_needed()
    target = box(points.nth(other))
    x, y = (target[0] + target[2]) / 2, (target[1] + target[3]) / 2
    page.mouse.move(x, y)
    hover = page.locator("#tradeoff .hoverlayer .hovertext")
    hover.wait_for()
    assert (hover.text_content() or "").startswith(f"{HEAD[lang]}{other}:")
    page.mouse.click(x, y)
    page.wait_for_function(
        "h => document.getElementById('box-head').textContent !== h", arg=answer_head
    )
    assert page.locator("#box-head").inner_text().startswith(f"{HEAD[lang]}{other}:")
    back = page.locator("#box-back")
    assert back.is_visible()
    back.click()
    assert page.locator("#box-head").inner_text() == answer_head and not back.is_visible()
