"""A self-contained HTML report of a comparison: plotly figures and tables, no network needed.

plotly.js is embedded once, inline in the head, so the file opens offline (a town-hall
workshop has no internet to fetch it from a CDN).
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from sim.outcomes import CRITERIA, outcome, shown_in

if TYPE_CHECKING:
    from sim.compare import Comparison

FIGURE_OUTCOMES = [o.key for o in shown_in("figure")]


def _colours(names: list[str]) -> dict[str, str]:
    palette = qualitative.Plotly + qualitative.D3
    return {n: palette[i % len(palette)] for i, n in enumerate(names)}


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def outcome_figure(c: Comparison) -> go.Figure:
    """Each outcome's mean with its 95% interval, per scenario."""
    names = [sc.name for sc in c.scenarios]
    colours = _colours(names)
    keys = [k for k in FIGURE_OUTCOMES if k in set(c.outcomes["outcome"])]
    cols = 3
    rows = math.ceil(len(keys) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[outcome(k).en for k in keys],
        vertical_spacing=0.06,
        horizontal_spacing=0.12,
    )
    for i, key in enumerate(keys):
        d = c.outcomes[c.outcomes["outcome"] == key].set_index("scenario").reindex(names)
        scale = outcome(key).scale  # shown as the catalogue says (e.g. per 1,000 hours)
        fig.add_trace(
            go.Scatter(
                x=d["mean"] * scale,
                y=names,
                mode="markers",
                marker={"color": [colours[n] for n in names], "size": 9},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (d["ci_high"] - d["mean"]) * scale,
                    "arrayminus": (d["mean"] - d["ci_low"]) * scale,
                },
                showlegend=False,
                hovertemplate="%{y}: %{x:.3g}<extra></extra>",
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
    fig.update_layout(height=260 * rows, margin={"l": 10, "r": 10, "t": 40, "b": 20})
    return fig


def trajectory_figure(c: Comparison) -> go.Figure:
    """Monthly trajectories: the mean over seeds with a 95% band, per scenario."""
    names = [sc.name for sc in c.scenarios]
    colours = _colours(names)
    keys = list(dict.fromkeys(c.trajectories["outcome"]))
    cols = 2
    rows = math.ceil(len(keys) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[outcome(k).en for k in keys],
        vertical_spacing=0.07,
    )
    t = c.trajectories
    for i, key in enumerate(keys):
        for name in names:
            d = t[(t["outcome"] == key) & (t["scenario"] == name)]
            if d.empty:
                continue
            row, col = i // cols + 1, i % cols + 1
            x = list(d["month"])
            fig.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=list(d["ci_high"]) + list(d["ci_low"])[::-1],
                    fill="toself",
                    fillcolor=_rgba(colours[name], 0.15),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=name,
                ),
                row=row,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=d["mean"],
                    name=name,
                    legendgroup=name,
                    showlegend=i == 0,
                    line={"color": colours[name], "width": 1.6},
                ),
                row=row,
                col=col,
            )
    fig.update_xaxes(title_text="month")
    fig.update_layout(height=300 * rows, margin={"l": 10, "r": 10, "t": 40, "b": 20})
    return fig


def scorecard_figure(c: Comparison) -> go.Figure:
    """The seven criteria (0-10) per scenario as a heat map with the values written in."""
    names = [sc.name for sc in c.scenarios]
    keys = list(CRITERIA)
    o = c.outcomes.set_index(["scenario", "outcome"])["mean"]
    z = [[o.get((n, k), math.nan) for k in keys] for n in names]
    labels = [f"{i + 1}. {outcome(k).en}<br><i>{outcome(k).nl}</i>" for i, k in enumerate(keys)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=names,
            zmin=0,
            zmax=10,
            colorscale="RdYlGn",
            text=[[f"{v:.1f}" for v in row] for row in z],
            texttemplate="%{text}",
            colorbar={"title": "score"},
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=80 + 40 * len(names), margin={"l": 10, "r": 10, "t": 20, "b": 20})
    return fig


def _cell(o, scenario: str, key: str, fmt: str) -> str:
    """A table cell: the mean and, small below it, the 95% interval (in the catalogue's scale)."""
    if (scenario, key) not in o.index:
        return "<td>n/a</td>"
    r = o.loc[(scenario, key)] * outcome(key).scale
    return (
        f"<td>{r['mean']:{fmt}}<br><small>[{r['ci_low']:{fmt}}, {r['ci_high']:{fmt}}]</small></td>"
    )


def scorecard_table(c: Comparison) -> str:
    names = [sc.name for sc in c.scenarios]
    o = c.outcomes.set_index(["scenario", "outcome"])
    head = "".join(
        f"<th>{i + 1}. {html.escape(outcome(k).en)}<br><i>{html.escape(outcome(k).nl)}</i></th>"
        for i, k in enumerate(CRITERIA)
    )
    body = []
    for n in names:
        cells = "".join(_cell(o, n, k, ".1f") for k in CRITERIA)
        body.append(f"<tr><th>{html.escape(n)}</th>{cells}</tr>")
    return f"<table><tr><th>scenario</th>{head}</tr>{''.join(body)}</table>"


def outcome_table(c: Comparison) -> str:
    names = [sc.name for sc in c.scenarios]
    o = c.outcomes.set_index(["scenario", "outcome"])
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = []
    for entry in shown_in("compare"):
        key, en, nl = entry.key, entry.en, entry.nl
        cells = "".join(_cell(o, n, key, ".3g") for n in names)
        body.append(f"<tr><th>{html.escape(en)}<br><i>{html.escape(nl)}</i></th>{cells}</tr>")
    return f"<table><tr><th>outcome</th>{head}</tr>{''.join(body)}</table>"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: right; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
small { color: #666; }
"""


def write_report(c: Comparison, path: Path, settings: dict) -> None:
    """Write the report: tables, the scorecard, outcome and trajectory figures, offline."""
    figures = [outcome_figure(c), trajectory_figure(c), scorecard_figure(c)]
    divs = [
        f.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
        for f in figures
    ]
    scen = "".join(
        f"<li><b>{html.escape(sc.name)}</b>: {html.escape(sc.description)}</li>"
        for sc in c.scenarios
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>samenspel comparison</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>samenspel: comparison of governance arrangements</h1>
<p>{settings["replicates"]} seeds per scenario (seed {settings["base_seed"]} onward, the same
seeds in every scenario), {settings["years"]} years. Means with 95% intervals (Student t).
Model: docs/ODD.md; how each score is computed: docs/ODD.md, section 8.1.</p>
<ul>{scen}</ul>
<h2>Scorecard: the seven criteria of the 2020 assessment framework (0-10)</h2>
{divs[2]}
{scorecard_table(c)}
<h2>Outcomes</h2>
{divs[0]}
{outcome_table(c)}
<h2>Trajectories (mean and 95% band per month)</h2>
{divs[1]}
</body></html>
"""
    path.write_text(page, encoding="utf-8")
