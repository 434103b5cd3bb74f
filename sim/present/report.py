"""A self-contained HTML report of a comparison: plotly figures and tables, no network needed.

plotly.js is embedded once, inline at the end of the body (the text shows while the browser
reads its 4.8 MB), so the file opens offline (a town-hall workshop has no internet to fetch it
from a CDN); the figures' data are written once too (sim/present/embed.py). Every word comes
from the catalogues (sim/data/i18n/, `[report]`) and the outcome catalogue
(sim/model/outcomes.py): labels, units, which direction is better; numbers and months follow
the language (sim/present/i18n.py). Scenarios appear in the order they were given, each with one
look in every figure and legend (sim/present/styles.py: colour, marker and dash), so no
difference is carried by colour alone; the figures are in sim/present/report_charts.py and
sim/present/report_trajectories.py, what a scenario does not have in sim/present/absent.py.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.outcomes import CRITERIA, MUNICIPAL, Outcome, outcome, shown_in
from sim.present import i18n
from sim.present.absent import NEEDS_SERVICES, without_services
from sim.present.embed import plotly_figures, plotly_js
from sim.present.report_charts import SEPARATORS, legend, outcome_figure, scorecard_figure
from sim.present.report_trajectories import trajectory_figure, window
from sim.present.robustness_view import compare_section
from sim.present.styles import styles, swatch
from sim.present.worlds_view import per_world_counts, ranks_section

if TYPE_CHECKING:
    from sim.study.compare import Comparison

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
__all__ = ["PLOT_CONFIG", "SEPARATORS", "render", "styles", "write_report"]


def _w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"report.{key}", lang, **fields)


def _cell(o, scenario: str, entry: Outcome, lang: str, note: str = "") -> str:
    """A table cell: the mean and, small below it, the 95% interval (in the catalogue's scale)."""
    if note:
        return f'<td class="na">{html.escape(_w("not_applicable", lang))}<sup>{note}</sup></td>'
    if (scenario, entry.key) not in o.index:
        return f'<td class="na">{html.escape(i18n.text("common.not_available", lang))}</td>'
    r = o.loc[(scenario, entry.key)]
    mean, spread = i18n.quantity(entry, r["mean"], lang), i18n.spread(entry, r, lang)
    return f"<td>{mean}<br><small>{html.escape(spread)}</small></td>"


def _no_services(lang: str) -> str:
    """The cell of a service outcome in a scenario without shared services: no number, the
    reason (a cost of 0 there would read as the best)."""
    return f'<td class="na no-services">{html.escape(_w("no_services", lang))}</td>'


def _head(entry: Outcome, lang: str) -> str:
    return f"<th>{html.escape(i18n.outcome_heading(entry, lang))}</th>"


def scorecard_table(c: Comparison, lang: str = "en") -> str:
    """The criteria per scenario, with a numbered reason under the table for each criterion
    that could not be scored."""
    names = [sc.name for sc in c.scenarios]
    o = c.outcomes.set_index(["scenario", "outcome"])
    head = "".join(
        f"<th>{i + 1}. {html.escape(outcome(k).label(lang))}</th>" for i, k in enumerate(CRITERIA)
    )
    body, reasons = [], []
    for n in names:
        missing = c.unscored(n)
        cells = []
        for k in CRITERIA:
            note = ""
            if k in missing:
                reasons.append(
                    _w(
                        "not_applicable_reason",
                        lang,
                        criterion=outcome(k).label(lang),
                        scenario=n,
                        reason=_w(f"missing.{missing[k]}", lang),
                    )
                )
                note = str(len(reasons))
            cells.append(_cell(o, n, outcome(k), lang, note))
        body.append(f"<tr><th>{html.escape(n)}</th>{''.join(cells)}</tr>")
    notes = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    scenario = html.escape(_w("scenario", lang))
    table = f"<table><tr><th>{scenario}</th>{head}</tr>{''.join(body)}</table>"
    return table + (f'<ol class="notes">{notes}</ol>' if notes else "")


def outcome_table(c: Comparison, lang: str = "en") -> str:
    names = [sc.name for sc in c.scenarios]
    o = c.outcomes.set_index(["scenario", "outcome"])
    present = set(c.outcomes["outcome"])
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    lacking = without_services(c)
    body = []
    for entry in shown_in("compare"):
        if entry.key not in present:
            continue
        cells = "".join(
            _no_services(lang)
            if entry.key in NEEDS_SERVICES and n in lacking
            else _cell(o, n, entry, lang)
            for n in names
        )
        body.append(f"<tr>{_head(entry, lang)}{cells}</tr>")
    label = html.escape(_w("outcome", lang))
    return f"<table class='outcomes'><tr><th>{label}</th>{head}</tr>{''.join(body)}</table>"


def municipality_tables(c: Comparison, lang: str = "en") -> str:
    """Per municipality and scenario, each per-municipality outcome (sim/model/outcomes.py,
    MUNICIPAL): one table per outcome, municipalities as rows, scenarios as columns."""
    names = [sc.name for sc in c.scenarios]
    m = c.municipalities
    if m.empty:
        return ""
    o = m.set_index(["municipality", "scenario", "outcome"])
    places = list(dict.fromkeys(m["municipality"]))
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    label = html.escape(_w("municipality", lang))
    parts, lacking = [], without_services(c)
    for i, entry in enumerate(MUNICIPAL.values()):
        rows = []
        for place in places:
            cells = []
            for n in names:
                if entry.key in NEEDS_SERVICES and n in lacking:
                    cells.append(_no_services(lang))
                    continue
                if (place, n, entry.key) not in o.index:
                    cells.append(f"<td>{html.escape(i18n.text('common.not_available', lang))}</td>")
                    continue
                r = o.loc[(place, n, entry.key)]
                mean, spread = i18n.quantity(entry, r["mean"], lang), i18n.spread(entry, r, lang)
                cells.append(f"<td>{mean}<br><small>{html.escape(spread)}</small></td>")
            rows.append(f"<tr><th>{html.escape(place)}</th>{''.join(cells)}</tr>")
        table = f"<table><tr><th>{label}</th>{head}</tr>{''.join(rows)}</table>"
        heading = html.escape(i18n.outcome_heading(entry, lang))
        parts.append(
            f"<details{' open' if i < 2 else ''}><summary>{heading}</summary>{table}</details>"
        )
    return "".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #111;
  padding: 0 1em; font-size: 16px; }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1em; }
button { font: inherit; padding: 0.3em 0.8em; cursor: pointer; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: right; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.na { color: #555; font-style: italic; }
td.no-services { text-align: left; }
small { color: #555; }
details summary { cursor: pointer; font-weight: 600; margin-top: 0.8em; }
ol.notes { font-size: 0.85em; color: #333; }
td.robust, td.depends { text-align: left; }
td.robust { font-weight: 600; } td.depends { font-style: italic; }
td.least { text-align: left; } p.method { font-size: 0.85em; color: #333; }
td.na-robustness { color: #555; font-style: italic; }
.scenarios { list-style: none; padding-left: 0; }
.scenarios li { margin: 0.25em 0; }
svg.swatch { width: 3em; height: 1em; vertical-align: -0.1em; margin-right: 0.4em; }
ul.legend { list-style: none; padding: 0; margin: 0.6em 0; display: flex; flex-wrap: wrap;
  gap: 0.2em 1.4em; font-size: 0.9em; }
ul.legend li { white-space: nowrap; }
body.presenting { max-width: none; font-size: 24px; color: #000; }
body.presenting table { font-size: 0.72em; }
body.presenting th { overflow-wrap: anywhere; }
body.presenting small { color: #222; }
@media print { button { display: none; } details { display: block; } body { max-width: none; } }
"""

# Presentation mode: larger type in the page and in every figure, toggled with the button or P.
# The figures grow by HEIGHT, their type by at most that factor, so the room the figures keep
# for titles and tick labels (sim/present/report_charts.py) still holds them.
SCRIPT = """
(function () {
  const body = document.body, HEIGHT = 1.6, TYPE = 1.5;
  const plots = () => Array.from(document.querySelectorAll(".js-plotly-plot"));
  const base = new Map();
  function apply() {
    const on = body.classList.contains("presenting"), k = on ? TYPE : 1;
    for (const p of plots()) {
      if (!base.has(p)) base.set(p, {
        height: p.layout.height, font: (p.layout.font || {}).size || 12,
        titles: (p.layout.annotations || []).map((a) => (a.font || {}).size || 12),
        text: p.data.map((t) => (t.textfont || {}).size)});
      const b = base.get(p);
      const upd = {"font.size": b.font * k, "height": b.height * (on ? HEIGHT : 1)};
      b.titles.forEach((size, i) => { upd["annotations[" + i + "].font.size"] = size * k; });
      const texts = b.text.map((size, i) => [size, i]).filter(([size]) => size);
      if (texts.length) Plotly.restyle(p, {"textfont.size": texts.map(([size]) => size * k)},
                                       texts.map(([, i]) => i));
      // the page's width changes with the mode: the figure takes its box's new width (a
      // relayout of the height ends plotly's own sizing, so the width is set here too)
      upd.width = p.getBoundingClientRect().width;
      Plotly.relayout(p, upd);
    }
    document.getElementById("presentation").setAttribute("aria-pressed", on);
  }
  function toggle() { body.classList.toggle("presenting"); apply(); }
  document.getElementById("presentation").addEventListener("click", toggle);
  document.addEventListener("keydown", (e) => {
    if ((e.key === "p" || e.key === "P") && !e.ctrlKey && !e.metaKey && !e.altKey) toggle();
  });
  window.addEventListener("load", () => { if (body.classList.contains("presenting")) apply(); });
  window.addEventListener("resize", () => { if (base.size) apply(); });
})();
"""


def _scenario_list(c: Comparison, lang: str) -> str:
    """The scenarios in the order given, each with its look (the swatch of its line and marker
    in every figure) and what it is."""
    style = styles([sc.name for sc in c.scenarios])
    items = "".join(
        f"<li>{swatch(style[sc.name], sc.name)}"
        f"<b>{html.escape(sc.name)}</b>: {html.escape(i18n.description(sc, lang))}</li>"
        for sc in c.scenarios
    )
    return f'<ul class="scenarios">{items}</ul>'


def _trajectories_note(c: Comparison, lang: str, from_year: int | None) -> str:
    """What the month-by-month figure shows: from which year, how many months a point averages,
    which scenarios ended before it, and how to see earlier years."""
    w = window(c, from_year)
    earliest = min((sc.start_year for sc in c.scenarios), default=w.first)
    points = _w("points_many", lang, every=w.every) if w.every > 1 else _w("points_one", lang)
    parts = [_w("trajectories_note", lang, first=w.first, points=points)]
    if w.before:
        parts.append(_w("trajectories_before", lang, names=", ".join(w.before), first=w.first))
    if earliest < w.first:
        parts.append(_w("trajectories_earlier", lang, year=earliest))
    return " ".join(parts)


def _intro(c: Comparison, settings: dict, lang: str) -> str:
    years = settings["years"]
    worlds, per = per_world_counts(c) if c.worlds is not None else (0, 0)
    return _w(
        "intro_worlds" if worlds else "intro",
        lang,
        replicates=i18n.number(settings["replicates"], lang, 0),
        seed=settings["base_seed"],
        years=years if not isinstance(years, list) else "/".join(map(str, years)),
        worlds=worlds,
        per=per,
    )


def render(c: Comparison, settings: dict, lang: str = "en", presentation: bool = False) -> str:
    """The report page, in `lang`; `presentation` starts it in large type; the trajectories
    from `settings["from_year"]` when it is set (else from the comparison's common start)."""
    i18n.check_language(lang)
    from_year = settings.get("from_year")
    figures = [
        scorecard_figure(c, lang),
        outcome_figure(c, lang),
        trajectory_figure(c, lang, from_year),
    ]
    divs, plots = plotly_figures(figures, ["scorecard", "outcomes", "trajectories"], PLOT_CONFIG)
    key = legend(c)
    page_title = html.escape(_w("page_title", lang))
    klass = ' class="presenting"' if presentation else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{page_title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body{klass}>
<header><h1>{html.escape(_w("heading", lang))}</h1>
<button id="presentation" type="button" aria-pressed="{json.dumps(presentation)}"
 title="{html.escape(_w("presentation_hint", lang))}">
{html.escape(_w("presentation", lang))}</button>
</header>
<p>{html.escape(_intro(c, settings, lang))}</p>
{_scenario_list(c, lang)}
{ranks_section(c, lang)}
{compare_section(c, lang)}
<h2>{html.escape(_w("scorecard_heading", lang))}</h2>
<p>{html.escape(_w("scorecard_note", lang))}</p>
{divs[0]}
{scorecard_table(c, lang)}
<h2>{html.escape(_w("outcomes_heading", lang))}</h2>
{key}
{divs[1]}
{outcome_table(c, lang)}
<h2>{html.escape(_w("municipalities_heading", lang))}</h2>
<p>{html.escape(_w("municipalities_note", lang))}</p>
{municipality_tables(c, lang)}
<h2>{html.escape(_w("trajectories_heading", lang))}</h2>
<p>{html.escape(_trajectories_note(c, lang, from_year))}</p>
{key}
{divs[2]}
{plotly_js()}
{plots}
<script>{SCRIPT}</script>
</body></html>
"""


def write_report(
    c: Comparison, path: Path, settings: dict, lang: str = "en", presentation: bool = False
) -> None:
    """Write the report: scorecard, outcomes, per municipality, trajectories; offline."""
    path.write_text(render(c, settings, lang, presentation), encoding="utf-8")
