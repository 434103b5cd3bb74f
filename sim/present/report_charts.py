"""The comparison report's figures (sim/present/report.py): outcomes, scorecard, trajectories.

Every scenario keeps one look (sim/present/styles.py) in every figure, and the page's legend
(:func:`legend`) draws those looks, so a line, its marker and its swatch always agree. Titles are
wrapped to their column and the space between rows is reserved in pixels for the lines they
take, in normal and in presentation type (the page's script scales type by at most the factor it
scales the figures' height by), so no title runs into another or off the figure. A quantity that
does not exist for a scenario (a service cost without shared services) is written as such in
the figure, never drawn as a value. The trajectories start at the comparison's common start (the
year in which every scenario runs, unless `from_year` asks for earlier years) and carry at most
about sixty points per line: the figures' data are the bulk of the page after plotly.js.
"""

from __future__ import annotations

import html
import math
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.model.outcomes import CRITERIA, Outcome, outcome, shown_in
from sim.present import i18n
from sim.present.absent import NEEDS_SERVICES, without_services
from sim.present.styles import styles, swatch

if TYPE_CHECKING:
    import pandas as pd

    from sim.study.compare import Comparison

FIGURE_OUTCOMES = [o.key for o in shown_in("figure")]
SEPARATORS = {"en": ".,", "nl": ",."}  # plotly's separators: decimal mark, thousands mark
TITLE_FONT = 13  # px, normal type; the page's presentation mode makes it 1.5 times larger
MAX_POINTS = 60  # per trajectory line
LINE_PX = 1.3  # a title line's height per px of font


def _w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"report.{key}", lang, **fields)


def legend(c: Comparison) -> str:
    """The scenarios' looks as a row of swatches with names, above a figure."""
    style = styles([sc.name for sc in c.scenarios])
    items = "".join(
        f"<li>{swatch(style[sc.name], sc.name)}{html.escape(sc.name)}</li>" for sc in c.scenarios
    )
    return f'<ul class="legend" aria-hidden="true">{items}</ul>'


def wrapped_titles(keys: list[str], lang: str, width: int) -> tuple[list[str], int]:
    """Each outcome's heading wrapped at `width` characters, and the most lines one takes."""
    wrapped = [textwrap.wrap(i18n.outcome_heading(outcome(k), lang), width) for k in keys]
    return ["<br>".join(html.escape(x) for x in w) for w in wrapped], max(map(len, wrapped))


def grid(rows: int, panel: float, lines: int, top: float, bottom: float) -> tuple[float, float]:
    """A figure's height and vertical spacing with `rows` panels of `panel` px, each under a
    title of `lines` lines with room for the x axis' tick labels of the panel above it."""
    gap = lines * LINE_PX * TITLE_FONT + 34
    height = top + bottom + rows * panel + (rows - 1) * gap
    return height, gap / max(1.0, height - top - bottom)


def outcome_figure(c: Comparison, lang: str = "en") -> go.Figure:
    """Each outcome's mean with its 95% interval, one row per scenario in the order given."""
    names = [sc.name for sc in c.scenarios]
    style, lacking = styles(names), without_services(c)
    present = set(c.outcomes["outcome"])
    keys = [k for k in FIGURE_OUTCOMES if k in present]
    cols, rows = 3, math.ceil(len(keys) / 3)
    titles, lines = wrapped_titles(keys, lang, 30)
    top = lines * LINE_PX * TITLE_FONT + 16
    height, spacing = grid(rows, 40 + 26 * len(names), lines, top, 24)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        shared_yaxes=True,
        vertical_spacing=spacing,
        horizontal_spacing=0.05,
    )
    by = c.outcomes.set_index(["outcome", "scenario"])
    for i, key in enumerate(keys):
        entry, place = outcome(key), {"row": i // cols + 1, "col": i % cols + 1}
        absent = [n for n in names if key in NEEDS_SERVICES and n in lacking]
        shown = [n for n in names if n not in absent and (key, n) in by.index]
        if shown:
            rows_ = by.loc[[(key, n) for n in shown]]
            fig.add_trace(_interval_trace(rows_, shown, entry, style), **place)
        if absent:
            mid = _middle(by, key, names, lacking) * entry.scale
            fig.add_trace(_absent_trace(absent, mid, _w("no_services", lang)), **place)
    fig.update_yaxes(
        autorange="reversed", categoryorder="array", categoryarray=names, automargin=True
    )
    fig.update_xaxes(tickformat=",~r", automargin=True, zeroline=False)
    fig.update_annotations(font={"size": TITLE_FONT})
    fig.update_layout(
        height=round(height),
        margin={"l": 10, "r": 10, "t": round(top), "b": 24},
        separators=SEPARATORS[lang],
        showlegend=False,
    )
    return fig


def _middle(by: pd.DataFrame, key: str, names: list[str], lacking: set[str]) -> float:
    """The middle of the other scenarios' intervals of `key` (0 when there are none)."""
    rows = [by.loc[(key, n)] for n in names if n not in lacking and (key, n) in by.index]
    if not rows:
        return 0.0
    return (min(r["ci_low"] for r in rows) + max(r["ci_high"] for r in rows)) / 2


def _absent_trace(names: list[str], x: float, words: str) -> go.Scatter:
    """Scenarios for which the outcome does not exist: the words, where their marker would be."""
    return go.Scatter(
        x=[x] * len(names),
        y=names,
        mode="text",
        text=[f"<i>{html.escape(words)}</i>"] * len(names),
        textfont={"color": "#444"},
        hoverinfo="skip",
        cliponaxis=False,
    )


def _interval_trace(
    r: pd.DataFrame, names: list[str], entry: Outcome, style: dict[str, dict[str, str]]
) -> go.Scatter:
    """The scenarios' means of one outcome as markers in their colours and shapes, the 95%
    intervals as error bars: one trace per panel (a trace per scenario and panel would cost
    plotly a tenth of a second per ten)."""
    fmt, k = f",.{entry.decimals}f", entry.scale
    mean, low, high = (r[c].to_numpy(dtype="float64") * k for c in ("mean", "ci_low", "ci_high"))
    return go.Scatter(
        x=mean,
        y=names,
        mode="markers",
        marker={
            "color": [style[n]["colour"] for n in names],
            "symbol": [style[n]["symbol"] for n in names],
            "size": 11,
        },
        error_x={
            "type": "data",
            "symmetric": False,
            "array": high - mean,
            "arrayminus": mean - low,
            "color": "#444",
            "thickness": 1.6,
        },
        customdata=np.column_stack([low, high]),
        hovertemplate=f"%{{y}}: %{{x:{fmt}}} [%{{customdata[0]:{fmt}}}, "
        f"%{{customdata[1]:{fmt}}}]<extra></extra>",
    )


def scorecard_figure(c: Comparison, lang: str = "en") -> go.Figure:
    """The seven criteria (0-10) per scenario as a heat map on a colour-blind-safe scale, the
    values written in (at 14 px, larger in presentation type; never shrunk to fit); criteria
    that cannot be scored for a scenario left blank and marked."""
    names = [sc.name for sc in c.scenarios]
    keys = list(CRITERIA)
    o = c.outcomes.set_index(["scenario", "outcome"])["mean"]
    unscored = {n: c.unscored(n) for n in names}
    z = [[math.nan if k in unscored[n] else o.get((n, k), math.nan) for k in keys] for n in names]
    na = _w("not_applicable_short", lang)
    text = [[na if v != v else i18n.number(v, lang, 1) for v in row] for row in z]
    labels = [
        "<br>".join(textwrap.wrap(f"{i + 1}. {outcome(k).label(lang)}", 13))
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
            textfont={"size": 14},
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
            colorbar={"title": {"text": _w("score", lang), "side": "right"}, "thickness": 14},
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
