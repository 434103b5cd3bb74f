"""The design page (design.html): what a design search found, answer first, in English or
Dutch, self-contained (plotly.js inline, nothing fetched).

In this order: the answer (which presets the front dominates, and how clearly) and the best
trade-off; the front against the presets (a scatter of the first two objectives, coloured by a
third); every objective at once (parallel coordinates, drawn as lines, the presets marked); the
convergence (hypervolume with fixed bounds, epsilon-progress); the front as a table; the
presets as a table; how the search ran, with its sources. Words: sim/present/design_words.py
and the catalogues' `[design]` table.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from sim.model.outcomes import outcome
from sim.present import i18n
from sim.present.design_words import (
    answer,
    join,
    lever_label,
    objective_label,
    objective_value,
    over,
    rules_words,
    short_list,
    trade_off,
    w,
)
from sim.present.report import PLOT_CONFIG, SEPARATORS
from sim.study.search import front as fr
from sim.study.search.run import Design

FRONT, BALANCED, KEPT, DOMINATED = "#0072B2", "#000000", "#E69F00", "#999999"  # Okabe & Ito


def _axis_title(key: str, lang: str) -> str:
    return i18n.outcome_heading(outcome(key), lang)


def _error(frame: pd.DataFrame, key: str) -> dict:
    """Asymmetric error bars from a table's 95% interval columns (none where it has none)."""
    mean = frame[key].to_numpy(float)
    upper = np.nan_to_num(frame[f"{key}_ci_high"].to_numpy(float) - mean)
    lower = np.nan_to_num(mean - frame[f"{key}_ci_low"].to_numpy(float))
    return {
        "type": "data",
        "symmetric": False,
        "array": upper.tolist(),
        "arrayminus": lower.tolist(),
        "thickness": 1,
        "color": "#555555",
    }


def _hover(d: Design, frame: pd.DataFrame, name_column: str, lang: str) -> list[str]:
    keys = list(d.spec.directions)
    return [
        "<b>"
        + html.escape(str(row[name_column]))
        + "</b><br>"
        + "<br>".join(html.escape(objective_value(k, row, lang)) for k in keys)
        for _, row in frame.iterrows()
    ]


def scatter_figure(d: Design, lang: str) -> go.Figure:
    """The first two objectives: the front with its intervals (coloured by the third), the
    presets as diamonds, orange where the front does not dominate them."""
    front, presets = d.tables["front"], d.tables["presets"]
    keys = list(d.spec.directions)
    x, y = keys[0], keys[1]
    marker: dict = {"size": 10, "color": FRONT, "line": {"width": 1, "color": "#ffffff"}}
    if len(keys) > 2 and not front.empty:
        marker.update(
            color=front[keys[2]].astype(float).tolist(),
            colorscale="Viridis",
            reversescale=d.spec.directions[keys[2]] == "min",
            colorbar={"title": {"text": objective_label(keys[2], lang)}, "len": 0.8},
        )
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=front[x],
            y=front[y],
            mode="markers",
            name=w("front_legend", lang),
            error_x=_error(front, x),
            error_y=_error(front, y),
            marker=marker,
            text=_hover(d, front, "id", lang),
            hoverinfo="text",
        )
    )
    for dominated, colour, label in (
        (False, KEPT, "preset_kept"),
        (True, DOMINATED, "preset_dominated"),
    ):
        part = presets[presets["dominated"] == dominated]
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[y],
                mode="markers",
                name=w(label, lang),
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": colour,
                    "line": {"width": 1, "color": "#333"},
                },
                text=_hover(d, part, "preset", lang),
                hoverinfo="text",
            )
        )
    fig.update_layout(
        height=520,
        margin={"t": 20, "l": 70, "r": 20, "b": 60},
        font={"size": 14},
        xaxis_title=_axis_title(x, lang),
        yaxis_title=_axis_title(y, lang),
        legend={"orientation": "h", "y": -0.18},
        separators=SEPARATORS[lang],
    )
    return fig


def parallel_figure(d: Design, lang: str) -> go.Figure:
    """Every objective at once, each scaled from its worst among the front and the presets
    (bottom) to its best (top): a line per rule set and per preset (SVG lines, so it draws
    without WebGL)."""
    front, presets = d.tables["front"], d.tables["presets"]
    keys = list(d.spec.directions)
    values = np.vstack([front[keys].to_numpy(float), presets[keys].to_numpy(float)])
    scaled = fr.scale(values, d.directions)
    n = len(front)
    best = fr.balanced(front[keys].to_numpy(float), d.directions) if n else None
    fig = go.Figure()
    hover = _hover(d, front, "id", lang) + _hover(d, presets, "preset", lang)
    for i in range(len(values)):
        if i < n:
            colour, width, name = FRONT, 4 if i == best else 1.5, w("front_legend", lang)
            group = "front"
        else:
            dominated = bool(presets["dominated"].iloc[i - n])
            colour = DOMINATED if dominated else KEPT
            width, group = 2, "dominated" if dominated else "kept"
            name = w("preset_dominated" if dominated else "preset_kept", lang)
        fig.add_trace(
            go.Scatter(
                x=list(range(len(keys))),
                y=scaled[i].tolist(),
                mode="lines+markers",
                line={"color": colour, "width": width, "dash": "solid" if i < n else "dash"},
                name=name,
                legendgroup=group,
                showlegend=i == 0 if i < n else _first_of(presets, i - n),
                text=[hover[i]] * len(keys),
                hoverinfo="text",
            )
        )
    ticks = [objective_label(k, lang) for k in keys]
    fig.update_layout(
        height=460,
        margin={"t": 20, "l": 70, "r": 20, "b": 90},
        font={"size": 14},
        xaxis={
            "tickvals": list(range(len(keys))),
            "ticktext": ticks,
            "range": [-0.2, len(keys) - 0.8],
        },
        yaxis={
            "title": w("worst_best", lang),
            "range": [-0.05, 1.05],
            "tickvals": [0, 1],
            "ticktext": ["0", "1"],
        },
        legend={"orientation": "h", "y": -0.22},
        separators=SEPARATORS[lang],
    )
    return fig


def _first_of(presets: pd.DataFrame, j: int) -> bool:
    """Whether preset `j` is the first of its kind (dominated or not): it carries the legend."""
    if j < 0:
        return False
    kind = presets["dominated"].iloc[j]
    return bool(j == int(np.argmax(presets["dominated"].to_numpy() == kind)))


def convergence_figure(d: Design, lang: str) -> go.Figure:
    """Hypervolume (left axis) and, with an epsilon archive, epsilon-progress (right axis)
    against the evaluations."""
    conv = d.tables["convergence"]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=conv["nfe"],
            y=conv["hypervolume"],
            name=w("hypervolume", lang),
            mode="lines+markers",
            line={"color": FRONT},
        ),
        secondary_y=False,
    )
    eps = conv["epsilon_progress"]
    if eps.notna().any():
        fig.add_trace(
            go.Scatter(
                x=conv["nfe"],
                y=eps,
                name=w("epsilon_progress", lang),
                mode="lines",
                line={"color": KEPT, "dash": "dash"},
            ),
            secondary_y=True,
        )
        fig.update_yaxes(
            title_text=w("epsilon_progress", lang), secondary_y=True, rangemode="tozero"
        )
    fig.update_yaxes(title_text=w("hypervolume", lang), secondary_y=False, range=[0, 1])
    fig.update_layout(
        height=380,
        margin={"t": 20, "l": 70, "r": 70, "b": 90},
        font={"size": 14},
        xaxis_title=w("evaluations", lang),
        legend={"orientation": "h", "y": -0.3},
        separators=SEPARATORS[lang],
    )
    return fig


# --- tables ------------------------------------------------------------------------------------


def _objective_heads(d: Design, lang: str) -> list[str]:
    return [_axis_title(k, lang) for k in d.spec.directions]


def _objective_cells(d: Design, row: pd.Series, lang: str) -> list[str]:
    return [html.escape(objective_value(k, row, lang, label=False)) for k in d.spec.directions]


def _row(cells: list[str], klass: str = "") -> str:
    """A table row of already escaped cells; the first is the row's name."""
    first, rest = cells[0], "".join(f"<td>{c}</td>" for c in cells[1:])
    attr = f" class='{klass}'" if klass else ""
    return f"<tr{attr}><td class='name'>{first}</td>{rest}</tr>"


def _head(heads: list[str]) -> str:
    return "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr>"


def _ids(column: str, lang: str) -> str:
    """A table cell's ';'-joined names as a short list in words."""
    return html.escape(short_list([x for x in column.split(";") if x], lang))


def front_html(d: Design, lang: str) -> str:
    """The front as a table: id, rules in words, objectives with intervals, what it
    dominates."""
    e = html.escape
    heads = [w("col_id", lang), w("col_rules", lang), *_objective_heads(d, lang)]
    rows = [
        _row(
            [
                e(row["id"]),
                e(rules_words(d.front[int(i)], lang)),
                *_objective_cells(d, row, lang),
                _ids(row["dominates"], lang),
            ]
        )
        for i, row in d.tables["front"].iterrows()
    ]
    head = _head([*heads, w("col_dominates", lang)])
    return f"<table class='front'>{head}{''.join(rows)}</table>"


def presets_html(d: Design, lang: str) -> str:
    """The presets as a table: objectives with intervals, by whom dominated (and clearly)."""
    heads = [w("col_preset", lang), *_objective_heads(d, lang)]
    heads += [w("col_dominated_by", lang), w("col_clearly", lang)]
    rows = [
        _row(
            [
                html.escape(row["preset"]),
                *_objective_cells(d, row, lang),
                _ids(row["dominated_by"], lang),
                _ids(row["clearly_dominated_by"], lang),
            ],
            "dominated" if row["dominated"] else "kept",
        )
        for _, row in d.tables["presets"].iterrows()
    ]
    return f"<table class='presets'>{_head(heads)}{''.join(rows)}</table>"


def method(d: Design, lang: str) -> str:
    """How the search ran, in words."""
    spec = d.spec
    return w(
        "method",
        lang,
        algorithm=w(spec.algorithm.kind, lang),
        levers=join([lever_label(n, lang) for n in spec.names], lang),
        nfe=i18n.number(d.search.nfe, lang, 0),
        population=spec.algorithm.population,
        rule_sets=i18n.number(len(d.evaluated), lang, 0),
        over=over(d, lang),
        years=d.base["years"],
        base=spec.base if not spec.base.endswith(".toml") else Path(spec.base).name,
        unit=w("unit_worlds" if d.worlds is not None else "unit_seeds", lang),
        seed=spec.master_seed,
        seconds=i18n.number(d.seconds, lang, 0),
    )


# --- the page ----------------------------------------------------------------------------------


def page(d: Design, lang: str) -> str:
    """The design page in `lang`."""
    e = html.escape
    i18n.check_language(lang)
    figures = [scatter_figure(d, lang), parallel_figure(d, lang), convergence_figure(d, lang)]
    divs = [f.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG) for f in figures]
    keys = list(d.spec.directions)
    scatter_note = w("scatter_note", lang, over=over(d, lang))
    if len(keys) > 2:
        scatter_note += " " + w("scatter_colour", lang, objective=objective_label(keys[2], lang))
    convergence_note = w("convergence_note", lang)
    if d.spec.algorithm.kind == "eps-nsga2":
        convergence_note += " " + w("convergence_epsilon", lang)
    answers = "".join(f'<p class="answer">{e(p)}</p>' for p in answer(d, lang))
    trade = "".join(f"<p>{e(p)}</p>" for p in trade_off(d, lang))
    title = e(w("title", lang, name=d.spec.name))
    first = objective_label(keys[0], lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{title}</h1>
{answers}{trade}
<h2>{e(w("scatter_heading", lang))}</h2><p>{e(scatter_note)}</p>{divs[0]}
<h2>{e(w("parallel_heading", lang))}</h2><p>{e(w("parallel_note", lang))}</p>{divs[1]}
<h2>{e(w("convergence_heading", lang))}</h2><p>{e(convergence_note)}</p>{divs[2]}
<h2>{e(w("front_heading", lang))}</h2><p>{e(w("front_note", lang, first=first))}</p>
{front_html(d, lang)}
<h2>{e(w("presets_heading", lang))}</h2><p>{e(w("presets_note", lang))}</p>
{presets_html(d, lang)}
<h2>{e(w("method_heading", lang))}</h2><p>{e(method(d, lang))}</p>
<p class="sources">{e(w("sources", lang))}</p>
</body></html>
"""


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #111;
  padding: 0 1em; font-size: 16px; line-height: 1.45; }
p.answer { font-size: 1.15em; }
p.sources { font-size: 0.85em; color: #444; }
table { border-collapse: collapse; font-size: 0.9em; margin: 1em 0; width: 100%;
  table-layout: auto; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
th { background: #f0f0f0; }
td.name { white-space: nowrap; font-weight: 600; }
tr.kept td.name { color: #9a5b00; }
"""


def write(d: Design, folder: Path, lang: str) -> Path:
    """Write design.html into `folder`."""
    out = folder / "design.html"
    out.write_text(page(d, lang), encoding="utf-8")
    return out
