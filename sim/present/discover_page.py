"""The scenario-discovery page (discover.html): the answer first, then the box as a picture, the
evidence, the interactive trade-off, the worlds on the box's two most restricted parameters and
the method; English or Dutch, self-contained (plotly inline, nothing fetched).

The box picture draws each restricted parameter as a bar of the sweep's range with the box's
range highlighted (a category as its levels, those in the box highlighted). The trade-off plots
every box the method considered (PRIM's peeling trajectory, CART's leaves), coverage against
density, coloured by how many parameters each restricts; hovering shows a box's limits, clicking
shows its picture in place of the answer's (a button brings the answer back).
"""

from __future__ import annotations

import html
import math

import numpy as np

from sim.present import discover_words as words
from sim.present import i18n
from sim.present.embed import script_json
from sim.present.report import SEPARATORS
from sim.present.whatif_words import field_label, parameter_words
from sim.study.boxes import Box, Discovery
from sim.study.discovery import Cases, Question
from sim.study.whatif import RuleDifference

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
YES, NO = "#0072B2", "#E69F00"  # Okabe & Ito: blue for a case of interest, orange for the rest
w = words.w


def parameter_label(path: str, lang: str) -> str:
    """A parameter in words where the catalogue names it (behaviour, culture, a rule), or ""."""
    parts = path.split(".")
    try:
        if parts[0] in ("behaviour", "culture") and len(parts) == 2:
            return parameter_words(path, lang)
        if parts[0] == "arrangements" and len(parts) == 3:
            return field_label(RuleDifference("rule", parts[2], None, None), lang)
    except KeyError:
        pass
    return ""


def title(q: Question, lang: str) -> str:
    name = words.outcome_name(q.outcome, lang)
    if q.kind == "beats":
        return w("title_beats", lang, option=q.option, rival=q.rival, outcome=name)
    threshold = words.given(float(q.threshold or 0), lang)
    return w(f"title_{q.kind}", lang, outcome=name, threshold=threshold)


def step_data(box: Box, d: Discovery, chosen: bool, lang: str) -> dict:
    """What the page's script draws for one box: its heading and a row per restricted
    parameter (where the box's range sits on the sweep's, as fractions, and its words)."""
    rows = []
    names = words.short_names(list(d.ranges))
    for lim in box.limits:
        full = d.ranges[lim.parameter]
        row: dict = {"name": names[lim.parameter], "path": lim.parameter}
        if lim.categorical:
            row["levels"] = [[level, level in lim.levels] for level in full]
        else:
            span = (full[1] - full[0]) or 1.0
            row["from"] = (lim.low - full[0]) / span
            row["to"] = (lim.high - full[0]) / span
        row["box"] = words.range_words(lim, d, lim.parameter, lang)
        row["full"] = words.range_words(None, d, lim.parameter, lang)
        rows.append(row)
    head = w(
        "step",
        lang,
        id=box.id,
        coverage=words.pct(box.coverage, lang),
        density=words.pct(box.density, lang),
        mass=words.pct(box.mass, lang),
    )
    return {"head": head + (f" · {w('the_answer', lang)}" if chosen else ""), "rows": rows}


def hover(box: Box, d: Discovery, lang: str) -> str:
    names = words.short_names(list(d.ranges))
    lines = [step_data(box, d, False, lang)["head"]]
    lines += [
        html.escape(words.condition(lim, d, names[lim.parameter], lang)) for lim in box.limits
    ]
    return "<br>".join(lines or [w("everything", lang)])


def tradeoff_figure(d: Discovery, lang: str):
    import plotly.graph_objects as go

    t = d.trajectory()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=t["coverage"],
            y=t["density"],
            mode="markers",
            marker={
                "color": t["res_dim"],
                "colorscale": "Viridis",
                "size": 11,
                "showscale": True,
                "colorbar": {"title": {"text": w("res_dim", lang)}, "dtick": 1},
            },
            hovertext=[hover(b, d, lang) for b in d.boxes],
            hoverinfo="text",
            customdata=list(range(len(d.boxes))),
            showlegend=False,
        )
    )
    b = d.box
    fig.add_trace(
        go.Scatter(
            x=[b.coverage],
            y=[b.density],
            mode="markers",
            marker={"size": 22, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": "#000"}},
            name=w("the_answer", lang),
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": w("coverage", lang)}, "range": [0, 1.04], "tickformat": ".0%"},
        yaxis={"title": {"text": w("density", lang)}, "range": [0, 1.04], "tickformat": ".0%"},
        height=480,
        margin={"l": 70, "r": 20, "t": 20, "b": 60},
        font={"size": 14},
        legend={"orientation": "h", "y": 1.08},
        separators=SEPARATORS[lang],
    )
    return fig


def most_restricted(d: Discovery) -> list[str]:
    """The parameters by how tightly the answer's box restricts them (the share of the sweep's
    range it keeps), then by how often the boxes considered restrict them."""

    def kept(name: str) -> float:
        lim, full = d.box.limit(name), d.ranges[name]
        if lim is None:
            return 1.0
        if lim.categorical:
            return len(lim.levels) / len(full)
        return (lim.high - lim.low) / ((full[1] - full[0]) or 1.0)

    often = {n: sum(b.limit(n) is not None for b in d.boxes) for n in d.ranges}
    return sorted(d.ranges, key=lambda n: (kept(n), -often[n], list(d.ranges).index(n)))


def _gap(d: Discovery, name: str) -> float:
    """The smallest step between a grid's values (0 for a parameter sampled continuously)."""
    grid = d.grid.get(name, ())
    return float(np.diff(grid).min()) if len(grid) > 1 else 0.0


def _axis(d: Discovery, c: Cases, name: str, jitter: np.ndarray) -> tuple[np.ndarray, dict]:
    """A parameter as plot coordinates: levels and a grid's values spread a little sideways
    (so that worlds on the same value do not hide one another), other numbers as they are."""
    full = d.ranges[name]
    if full and isinstance(full[0], str):
        codes = c.x[name].astype(str).map({v: i for i, v in enumerate(full)}).to_numpy(float)
        return codes + jitter, {"tickvals": list(range(len(full))), "ticktext": list(full)}
    return c.x[name].to_numpy(float) + jitter * _gap(d, name), {}


def _spans(d: Discovery, name: str) -> list[tuple[float, float]]:
    """Where the box lies on a parameter's axis (around the spread of a grid's values)."""
    lim, full = d.box.limit(name), d.ranges[name]
    if full and isinstance(full[0], str):
        kept = lim.levels if lim is not None else full
        return [(full.index(v) - 0.4, full.index(v) + 0.4) for v in kept]
    low, high = (lim.low, lim.high) if lim is not None else full
    margin = 0.4 * _gap(d, name)
    return [(low - margin, high + margin)]


def scatter_figure(q: Question, c: Cases, d: Discovery, lang: str):
    """The worlds on the two most restricted parameters, a case of interest or not, with the
    box drawn over them (one parameter against the worlds' values where there is only one)."""
    import plotly.graph_objects as go

    order = most_restricted(d)
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, size=(2, c.worlds))
    xs, xaxis = _axis(d, c, order[0], jitter[0])
    if len(order) > 1:
        ys, yaxis = _axis(d, c, order[1], jitter[1])
        ytitle = order[1]
    else:
        column = "difference" if q.kind == "beats" else "mean"
        ys, yaxis, ytitle = c.values[column].to_numpy(float), {}, w(column, lang)
    yes, no = words.labels(q, lang)
    fig = go.Figure()
    for mask, name, colour in ((c.y, yes, YES), (~c.y, no, NO)):
        fig.add_trace(
            go.Scatter(
                x=xs[mask],
                y=ys[mask],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 7, "opacity": 0.8},
                hoverinfo="skip",
            )
        )
    if len(order) > 1:
        for x0, x1 in _spans(d, order[0]):
            for y0, y1 in _spans(d, order[1]):
                fig.add_shape(
                    type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"width": 2, "color": "#000"}
                )
    fig.update_layout(
        xaxis={"title": {"text": order[0]}, **xaxis},
        yaxis={"title": {"text": ytitle}, **yaxis},
        height=520,
        margin={"l": 80, "r": 20, "t": 30, "b": 60},
        font={"size": 14},
        legend={"orientation": "h", "y": 1.1},
        separators=SEPARATORS[lang],
    )
    return fig


def limits_table(d: Discovery, lang: str) -> str:
    e = html.escape
    head = "".join(
        f"<th>{e(w(k, lang))}</th>" for k in ("col_parameter", "col_box", "col_full", "col_qp")
    )
    rows = []
    for lim in d.box.limits:
        label = parameter_label(lim.parameter, lang)
        name = e(lim.parameter) + (f"<br><span class='words'>{e(label)}</span>" if label else "")
        qp = (
            i18n.text("common.not_available", lang)
            if math.isnan(lim.qp)
            else i18n.readable(lim.qp, lang, 3)
        )
        rows.append(
            f"<tr><td>{name}</td><td>{e(words.range_words(lim, d, lim.parameter, lang))}</td>"
            f"<td>{e(words.range_words(None, d, lim.parameter, lang))}</td><td>{e(qp)}</td></tr>"
        )
    if not rows:
        return f"<p>{e(w('everything', lang))}</p>"
    return f"<table class='limits'><tr>{head}</tr>{''.join(rows)}</table>"


def page(q: Question, c: Cases, d: Discovery, lang: str) -> str:
    """The page in `lang`."""
    from plotly.offline import get_plotlyjs

    e = html.escape
    steps = [step_data(b, d, i == d.chosen, lang) for i, b in enumerate(d.boxes)]
    data = {"steps": steps, "chosen": d.chosen, "everything": w("everything", lang)}
    figures = [tradeoff_figure(d, lang), scatter_figure(q, c, d, lang)]
    divs = [
        f.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG, div_id=name)
        for f, name in zip(figures, ("tradeoff", "scatter"), strict=True)
    ]
    lines = words.evidence(q, c, d, lang)
    evidence = "".join(f"<p>{e(x)}</p>" for x in [lines[0], *lines[1 + d.box.res_dim :]])
    method = w(f"method_{d.method}", lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title(q, lang))}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{e(title(q, lang))}</h1>
<p class="answer" id="answer">{e(words.answer(q, c, d, lang))}</p>
<h2>{e(w("box_heading", lang))}</h2><p>{e(w("box_note", lang))}</p>
<div id="box"><div id="box-head"></div><div id="box-rows"></div>
<button id="box-back" type="button" hidden>{e(w("back", lang))}</button></div>
<h2>{e(w("evidence_heading", lang))}</h2>{limits_table(d, lang)}{evidence}
<h2>{e(w("tradeoff_heading", lang))}</h2><p>{e(w(f"tradeoff_note_{d.method}", lang))}</p>
{divs[0]}
<h2>{e(w("scatter_heading", lang))}</h2><p>{e(w("scatter_note", lang))}</p>{divs[1]}
<h2>{e(w("method_heading", lang))}</h2><p>{e(method)}</p><p>{e(w("references", lang))}</p>
<script type="application/json" id="discover-data">{script_json(data)}</script>
<script>{SCRIPT}</script>
</body></html>
"""


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #111;
  padding: 0 1em; font-size: 16px; line-height: 1.45; }
p.answer { font-size: 1.2em; }
#box { border: 1px solid #bbb; border-radius: 6px; padding: 0.8em 1em; margin: 0.5em 0 1em; }
#box-head { font-weight: 600; margin-bottom: 0.6em; }
.row { display: grid; grid-template-columns: minmax(8em, 14em) 1fr minmax(10em, 16em);
  gap: 0.8em; align-items: center; margin: 0.45em 0; }
.row .name { overflow-wrap: anywhere; }
.row .numbers { font-size: 0.9em; color: #333; overflow-wrap: anywhere; }
.track { position: relative; height: 1.3em; background: #e4e4e4; border-radius: 3px; }
.track .in { position: absolute; top: 0; bottom: 0; background: #0072B2; border-radius: 3px;
  min-width: 3px; }
.levels { display: flex; flex-wrap: wrap; gap: 0.3em; }
.level { padding: 0.1em 0.5em; border-radius: 3px; background: #e4e4e4; color: #333;
  overflow-wrap: anywhere; }
.level.in { background: #0072B2; color: #fff; }
#box-back { margin-top: 0.6em; font: inherit; padding: 0.2em 0.8em; }
table { border-collapse: collapse; font-size: 0.95em; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.words { color: #555; font-size: 0.9em; }
"""

SCRIPT = """
(function () {
  const data = JSON.parse(document.getElementById('discover-data').textContent);
  const el = (tag, cls, text) => { const e = document.createElement(tag);
    if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  function show(i) {
    const step = data.steps[i];
    document.getElementById('box-head').textContent = step.head;
    const rows = document.getElementById('box-rows');
    rows.replaceChildren();
    if (!step.rows.length) rows.appendChild(el('p', '', data.everything));
    for (const r of step.rows) {
      const row = el('div', 'row');
      const name = el('div', 'name', r.name); name.title = r.path; row.appendChild(name);
      if (r.levels) {
        const box = el('div', 'levels');
        for (const [level, inside] of r.levels) {
          box.appendChild(el('span', inside ? 'level in' : 'level', level));
        }
        row.appendChild(box);
      } else {
        const track = el('div', 'track'), bar = el('div', 'in');
        bar.style.left = (100 * r.from) + '%'; bar.style.width = (100 * (r.to - r.from)) + '%';
        track.appendChild(bar); row.appendChild(track);
      }
      row.appendChild(el('div', 'numbers', r.box + ' (' + r.full + ')'));
      rows.appendChild(row);
    }
    document.getElementById('box-back').hidden = i === data.chosen;
    document.getElementById('box').dataset.step = String(i);
  }
  show(data.chosen);
  document.getElementById('box-back').addEventListener('click', () => show(data.chosen));
  window.addEventListener('load', () => {
    const plot = document.getElementById('tradeoff');
    if (plot && plot.on) plot.on('plotly_click', ev => {
      const p = ev.points.find(p => p.customdata !== undefined);
      if (!p) return;
      show(p.customdata);
      document.getElementById('box').scrollIntoView({block: 'nearest'});
    });
  });
})();
"""
