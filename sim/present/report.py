"""A self-contained HTML report of a comparison: plotly figures and tables, no network needed.

plotly.js is embedded once, inline in the head, so the file opens offline (a town-hall workshop has
no internet to fetch it from a CDN). Every word comes from the catalogues (sim/data/i18n/,
`[report]`) and the outcome catalogue (sim/model/outcomes.py): labels, units, which direction is
better; numbers and months follow the language (sim/present/i18n.py). Scenarios appear in the order
they were given, each with one colour, one marker and one line style, from a colour-blind-safe
palette, so no difference is carried by colour alone.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from sim.model.outcomes import CRITERIA, MUNICIPAL, Outcome, outcome, shown_in
from sim.present import i18n
from sim.present.robustness_view import compare_section
from sim.present.worlds_view import per_world_counts, ranks_section

if TYPE_CHECKING:
    import pandas as pd

    from sim.study.compare import Comparison

FIGURE_OUTCOMES = [o.key for o in shown_in("figure")]

# Okabe & Ito (2008), "Color universal design": distinguishable with every common colour-vision
# deficiency; the yellow is left out (too faint on white). Beyond seven scenarios the colours
# repeat with another marker and line style.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "hexagon", "cross")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
# plotly's separators: decimal mark, then thousands mark.
SEPARATORS = {"en": ".,", "nl": ",."}
PLOT_CONFIG = {"displayModeBar": False, "responsive": True}


def styles(names: list[str]) -> dict[str, dict[str, str]]:
    """Each scenario's colour, marker symbol and line dash, in the order given."""
    return {
        n: {
            "colour": PALETTE[i % len(PALETTE)],
            "symbol": SYMBOLS[i % len(SYMBOLS)],
            "dash": DASHES[i % len(DASHES)],
        }
        for i, n in enumerate(names)
    }


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"report.{key}", lang, **fields)


def _d3_format(entry: Outcome) -> str:
    """A d3 format for hover labels with the catalogue's decimals (never an exponent)."""
    return f",.{entry.decimals}f"


def outcome_figure(c: Comparison, lang: str = "en") -> go.Figure:
    """Each outcome's mean with its 95% interval, one row per scenario in the order given."""
    names = [sc.name for sc in c.scenarios]
    style = styles(names)
    present = set(c.outcomes["outcome"])
    keys = [k for k in FIGURE_OUTCOMES if k in present]
    cols = 3
    rows = math.ceil(len(keys) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[i18n.outcome_heading(outcome(k), lang) for k in keys],
        shared_yaxes=True,
        vertical_spacing=0.5 / rows,
        horizontal_spacing=0.04,
    )
    by = c.outcomes.set_index(["outcome", "scenario"])
    for i, key in enumerate(keys):
        entry = outcome(key)
        for name in names:
            if (key, name) in by.index:
                fig.add_trace(
                    _interval_trace(by.loc[(key, name)], entry, name, style[name]),
                    row=i // cols + 1,
                    col=i % cols + 1,
                )
    fig.update_yaxes(
        autorange="reversed",
        categoryorder="array",
        categoryarray=names,
        automargin=True,
    )
    fig.update_xaxes(tickformat=",~r", automargin=True, zeroline=False)
    fig.update_annotations(font={"size": 12})
    fig.update_layout(
        height=120 + (60 + 26 * len(names)) * rows,
        margin={"l": 10, "r": 10, "t": 40, "b": 20},
        separators=SEPARATORS[lang],
    )
    return fig


def _interval_trace(r: pd.Series, entry: Outcome, name: str, s: dict[str, str]) -> go.Scatter:
    """A scenario's mean of one outcome as a marker, its 95% interval as error bars."""
    fmt = _d3_format(entry)
    return go.Scatter(
        x=[r["mean"] * entry.scale],
        y=[name],
        mode="markers",
        marker={"color": s["colour"], "symbol": s["symbol"], "size": 10},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [(r["ci_high"] - r["mean"]) * entry.scale],
            "arrayminus": [(r["mean"] - r["ci_low"]) * entry.scale],
            "color": s["colour"],
            "thickness": 1.6,
        },
        name=name,
        legendgroup=name,
        showlegend=False,
        customdata=[[r["ci_low"] * entry.scale, r["ci_high"] * entry.scale]],
        hovertemplate=f"%{{y}}: %{{x:{fmt}}} [%{{customdata[0]:{fmt}}}, "
        f"%{{customdata[1]:{fmt}}}]<extra></extra>",
    )


def trajectory_figure(c: Comparison, lang: str = "en") -> go.Figure:
    """Monthly trajectories: the mean over seeds with a 95% band, per scenario, on a calendar
    axis (a tick per year; the month's name in the hover label)."""
    names = [sc.name for sc in c.scenarios]
    style = styles(names)
    start = {sc.name: sc.start_year for sc in c.scenarios}
    t = c.trajectories
    # A month is drawn where at least half the seeds have a value: a series "so far" has none
    # before anything is due, and a mean over one or two early seeds would swing wildly.
    t = t[t["n"] >= c.runs.groupby("scenario")["seed"].count().min() / 2]
    keys = list(dict.fromkeys(t["outcome"]))
    cols = 2
    rows = math.ceil(len(keys) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[i18n.outcome_heading(outcome(k), lang) for k in keys],
        vertical_spacing=0.35 / rows,
        horizontal_spacing=0.08,
    )
    for i, key in enumerate(keys):
        fmt = _d3_format(outcome(key))
        for name in names:
            d = t[(t["outcome"] == key) & (t["scenario"] == name)].sort_values("month")
            if d.empty:
                continue
            row, col = i // cols + 1, i % cols + 1
            fig.add_trace(_band_trace(d, start[name], name, style[name]), row=row, col=col)
            trace = _mean_trace(d, start[name], name, style[name], fmt, lang, legend=i == 0)
            fig.add_trace(trace, row=row, col=col)
    fig.update_xaxes(**_calendar_ticks(c), automargin=True)
    fig.update_yaxes(tickformat=",~r", automargin=True)
    fig.update_annotations(font={"size": 12})
    fig.update_layout(
        height=300 * rows,
        margin={"l": 10, "r": 10, "t": 40 + 22 * math.ceil(len(names) / 4), "b": 20},
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "top", "yref": "container"},
        separators=SEPARATORS[lang],
    )
    return fig


def _band_trace(d: pd.DataFrame, start: int, name: str, s: dict[str, str]) -> go.Scatter:
    """A scenario's 95% band of one outcome, month by month, as a filled outline."""
    band = d.dropna(subset=["ci_low", "ci_high"])
    bx = [start + m / 12 for m in band["month"]]
    return go.Scatter(
        x=bx + bx[::-1],
        y=list(band["ci_high"]) + list(band["ci_low"])[::-1],
        fill="toself",
        fillcolor=_rgba(s["colour"], 0.13),
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        legendgroup=name,
    )


def _mean_trace(
    d: pd.DataFrame, start: int, name: str, s: dict[str, str], fmt: str, lang: str, legend: bool
) -> go.Scatter:
    """A scenario's mean of one outcome, month by month, the month named in the hover label;
    in the legend once (`legend`)."""
    when = [i18n.month_label(start, int(m), lang) for m in d["month"]]
    return go.Scatter(
        x=[start + m / 12 for m in d["month"]],
        y=d["mean"],
        name=name,
        legendgroup=name,
        showlegend=legend,
        line={"color": s["colour"], "width": 1.8, "dash": s["dash"]},
        customdata=when,
        hovertemplate=f"{html.escape(name)}, %{{customdata}}: %{{y:{fmt}}}<extra></extra>",
    )


def _calendar_ticks(c: Comparison) -> dict[str, list]:
    """Year ticks from the earliest start to the latest end, at most about eight of them."""
    first = min(sc.start_year for sc in c.scenarios) if c.scenarios else 0
    last = max(sc.start_year + sc.months / 12 for sc in c.scenarios) if c.scenarios else 1
    years = list(range(first, math.ceil(last) + 1))
    step = max(1, math.ceil(len(years) / 8))
    return {"tickvals": years[::step], "ticktext": [str(y) for y in years[::step]]}


def scorecard_figure(c: Comparison, lang: str = "en") -> go.Figure:
    """The seven criteria (0-10) per scenario as a heat map on a colour-blind-safe scale, the
    values written in; criteria that cannot be scored for a scenario left blank and marked."""
    names = [sc.name for sc in c.scenarios]
    keys = list(CRITERIA)
    o = c.outcomes.set_index(["scenario", "outcome"])["mean"]
    unscored = {n: c.unscored(n) for n in names}
    z = [[math.nan if k in unscored[n] else o.get((n, k), math.nan) for k in keys] for n in names]
    na = _w("not_applicable", lang)
    text = [[na if v != v else i18n.number(v, lang, 1) for v in row] for row in z]
    labels = [
        "<br>".join(textwrap.wrap(f"{i + 1}. {outcome(k).label(lang)}", 16))
        for i, k in enumerate(keys)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=names,
            zmin=0,
            zmax=10,
            colorscale="Cividis",
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            colorbar={"title": {"text": _w("score", lang)}},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False)
    fig.update_xaxes(side="top", automargin=True, tickangle=0, showgrid=False)
    fig.update_layout(
        height=170 + 36 * len(names),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="#f2f2f2",
        separators=SEPARATORS[lang],
    )
    return fig


def _cell(o, scenario: str, entry: Outcome, lang: str, note: str = "") -> str:
    """A table cell: the mean and, small below it, the 95% interval (in the catalogue's scale)."""
    if note:
        return f'<td class="na">{html.escape(_w("not_applicable", lang))}<sup>{note}</sup></td>'
    if (scenario, entry.key) not in o.index:
        return f'<td class="na">{html.escape(i18n.text("common.not_available", lang))}</td>'
    r = o.loc[(scenario, entry.key)]
    mean, spread = i18n.quantity(entry, r["mean"], lang), i18n.spread(entry, r, lang)
    return f"<td>{mean}<br><small>{html.escape(spread)}</small></td>"


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
    body = []
    for entry in shown_in("compare"):
        if entry.key not in present:
            continue
        cells = "".join(_cell(o, n, entry, lang) for n in names)
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
    parts = []
    for i, entry in enumerate(MUNICIPAL.values()):
        rows = []
        for place in places:
            cells = []
            for n in names:
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
small { color: #555; }
details summary { cursor: pointer; font-weight: 600; margin-top: 0.8em; }
ol.notes { font-size: 0.85em; color: #333; }
td.robust, td.depends { text-align: left; }
td.robust { font-weight: 600; } td.depends { font-style: italic; }
td.least { text-align: left; } p.method { font-size: 0.85em; color: #333; }
td.na-robustness { color: #555; font-style: italic; }
.scenarios li { margin: 0.2em 0; }
.swatch { display: inline-block; width: 1.6em; margin-right: 0.3em; font-weight: bold; }
body.presenting { max-width: none; font-size: 24px; color: #000; }
body.presenting table { font-size: 0.8em; }
body.presenting small { color: #222; }
@media print { button { display: none; } details { display: block; } body { max-width: none; } }
"""

# Presentation mode: larger type in the page and in every figure, toggled with the button or P.
SCRIPT = """
(function () {
  const body = document.body;
  const plots = () => Array.from(document.querySelectorAll(".js-plotly-plot"));
  const base = new Map();
  function apply() {
    const on = body.classList.contains("presenting");
    for (const p of plots()) {
      if (!base.has(p)) base.set(p, p.layout.height);
      Plotly.relayout(p, {"font.size": on ? 18 : 12, "height": base.get(p) * (on ? 1.5 : 1)});
      const n = (p.layout.annotations || []).length;
      const upd = {};
      for (let i = 0; i < n; i++) upd["annotations[" + i + "].font.size"] = on ? 20 : 12;
      if (n) Plotly.relayout(p, upd);
    }
    document.getElementById("presentation").setAttribute("aria-pressed", on);
  }
  function toggle() { body.classList.toggle("presenting"); apply(); }
  document.getElementById("presentation").addEventListener("click", toggle);
  document.addEventListener("keydown", (e) => {
    if ((e.key === "p" || e.key === "P") && !e.ctrlKey && !e.metaKey && !e.altKey) toggle();
  });
  window.addEventListener("load", () => { if (body.classList.contains("presenting")) apply(); });
})();
"""


def render(c: Comparison, settings: dict, lang: str = "en", presentation: bool = False) -> str:
    """The report page, in `lang`; `presentation` starts it in large type."""
    i18n.check_language(lang)
    figures = [scorecard_figure(c, lang), outcome_figure(c, lang), trajectory_figure(c, lang)]
    divs = [f.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG) for f in figures]
    style = styles([sc.name for sc in c.scenarios])
    scen = "".join(
        f'<li><span class="swatch" style="color:{style[sc.name]["colour"]}">'
        f"{'━' if style[sc.name]['dash'] == 'solid' else '╌'}</span>"
        f"<b>{html.escape(sc.name)}</b>: {html.escape(i18n.description(sc, lang))}</li>"
        for sc in c.scenarios
    )
    years = settings["years"]
    worlds, per = per_world_counts(c) if c.worlds is not None else (0, 0)
    intro = _w(
        "intro_worlds" if worlds else "intro",
        lang,
        replicates=i18n.number(settings["replicates"], lang, 0),
        seed=settings["base_seed"],
        years=years if not isinstance(years, list) else "/".join(map(str, years)),
        worlds=worlds,
        per=per,
    )
    page_title = html.escape(_w("page_title", lang))
    klass = ' class="presenting"' if presentation else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{page_title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script></head><body{klass}>
<header><h1>{html.escape(_w("heading", lang))}</h1>
<button id="presentation" type="button" aria-pressed="{json.dumps(presentation)}"
 title="{html.escape(_w("presentation_hint", lang))}">
{html.escape(_w("presentation", lang))}</button>
</header>
<p>{html.escape(intro)}</p>
<ul class="scenarios">{scen}</ul>
{ranks_section(c, lang)}
{compare_section(c, lang)}
<h2>{html.escape(_w("scorecard_heading", lang))}</h2>
<p>{html.escape(_w("scorecard_note", lang))}</p>
{divs[0]}
{scorecard_table(c, lang)}
<h2>{html.escape(_w("outcomes_heading", lang))}</h2>
{divs[1]}
{outcome_table(c, lang)}
<h2>{html.escape(_w("municipalities_heading", lang))}</h2>
<p>{html.escape(_w("municipalities_note", lang))}</p>
{municipality_tables(c, lang)}
<h2>{html.escape(_w("trajectories_heading", lang))}</h2>
<p>{html.escape(_w("trajectories_note", lang))}</p>
{divs[2]}
<script>{SCRIPT}</script>
</body></html>
"""


def write_report(
    c: Comparison, path: Path, settings: dict, lang: str = "en", presentation: bool = False
) -> None:
    """Write the report: scorecard, outcomes, per municipality, trajectories; offline."""
    path.write_text(render(c, settings, lang, presentation), encoding="utf-8")
