"""The workshop app's two figures: the live charts (each strip series of this run over the
baseline's grey ghost) and the network view (the municipalities on the schematic map, trust as
one line shape per direction), each drawn whole or changed as a Dash `Patch`."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from dash import Patch
from plotly.subplots import make_subplots

from sim.present import i18n
from sim.present.app.display import (
    edge_line,
    nodes,
    scaled,
    trust_colour,
    trust_width,
)
from sim.present.app.session import Session, edges
from sim.present.view import STRIP, strip_outcome


@dataclass(frozen=True)
class Sizes:
    """The figures' sizes in pixels: normal, or in presentation mode (large type for a room:
    every text at least 28 px at 1920x1080, a larger map)."""

    map_height: int
    label: int  # the municipalities' names
    font: int  # the charts' ticks and legend
    title: int  # the charts' titles
    row: int  # a row of charts with its title
    title_width: int  # characters of a chart title on one line
    columns: int  # charts side by side
    ticks: int  # year ticks on a chart's axis (at most)

    @property
    def rows(self) -> int:
        return -(-len(STRIP) // self.columns)

    @property
    def tick_gap(self) -> int:
        """Between a chart's axis and its year labels: room for the bottom value's label."""
        return round(0.6 * self.font)

    @property
    def charts_height(self) -> int:
        """The charts' height: each row's chart and title, and the legend below."""
        return self.row * self.rows + self.bottom

    @property
    def bottom(self) -> int:
        """The margin below the last row: its ticks, then the legend."""
        return round(3.6 * self.font) + self.tick_gap + 12

    @property
    def top(self) -> int:
        """The margin above the first row: its title, on two lines."""
        return round(2.7 * self.title + 0.6 * self.font) + 4

    @property
    def between(self) -> float:
        """Between two rows, as a share of the plotting area: a two-line title above, the
        year labels below."""
        space = self.top + 1.9 * self.font + self.tick_gap + 4
        return space / (self.charts_height - self.top - self.bottom)


NORMAL = Sizes(470, label=14, font=14, title=15, row=190, title_width=22, columns=2, ticks=3)
PRESENT = Sizes(760, label=28, font=28, title=28, row=340, title_width=30, columns=1, ticks=4)


def sizes(big: bool) -> Sizes:
    return PRESENT if big else NORMAL


MAP_HEIGHT = NORMAL.map_height
CHARTS_HEIGHT = NORMAL.charts_height
GHOST = "#b0b0b0"
LIVE = "#0072b2"
CHANGED = "#e8e8e8"  # the months before a change of rules, shaded


# --- the charts ------------------------------------------------------------------------------


def chart(session: Session, lang: str, big: bool = False) -> go.Figure:
    """The live charts: each strip series of this run, the baseline's as a grey ghost; the
    months before a change of rules shaded, a line where it took effect."""
    size = sizes(big)
    titles = [_chart_title(key, lang, size.title_width) for key in STRIP]
    fig = make_subplots(
        rows=size.rows,
        cols=size.columns,
        subplot_titles=titles,
        vertical_spacing=size.between,
        horizontal_spacing=0.12,
    )
    lines = (
        (session.baseline(), GHOST, 2.0, "app.baseline"),
        (session.series, LIVE, 2.5, "app.this_run"),
    )
    for k, key in enumerate(STRIP):
        row, col = divmod(k, size.columns)
        for series, colour, width, word in lines:  # trace 2k: the ghost, 2k + 1: this run
            values = [scaled(key, v) for v in series[key]]
            fig.add_trace(
                go.Scatter(
                    x=list(range(len(values))),
                    y=values,
                    mode="lines",
                    line={"color": colour, "width": width},
                    name=i18n.text(word, lang),
                    legendgroup=word,
                    showlegend=k == 0,
                    hovertemplate="%{y:,.2f}<extra></extra>",
                ),
                row=row + 1,
                col=col + 1,
            )
    _chart_layout(fig, session, lang, size)
    _changes(fig, session)
    return fig


def _changes(fig: go.Figure, session: Session) -> None:
    """The months that ran under earlier rules shaded, and a line where each change took
    effect (between the last month under the old rules and the first under the new)."""
    if not session.changed_at:
        return
    last = session.changed_at[-1]
    fig.add_vrect(
        x0=-0.5,
        x1=last - 0.5,
        fillcolor=CHANGED,
        opacity=0.7,
        line_width=0,
        layer="below",
        row="all",
        col="all",
    )
    for month in session.changed_at:
        fig.add_vline(
            x=month - 0.5, line={"color": "#555", "width": 2, "dash": "dash"}, row="all", col="all"
        )


def _chart_layout(fig: go.Figure, session: Session, lang: str, size: Sizes) -> None:
    """The charts' axes (the run's months, a few year ticks), size, legend and fonts."""
    months = session.viewer.months
    ticks = _ticks(session, lang, size)
    for k in range(len(STRIP)):
        axis = "xaxis" if k == 0 else f"xaxis{k + 1}"
        fig.layout[axis].update(
            range=[-0.5, months - 0.5],
            tickvals=ticks[0],
            ticktext=ticks[1],
            tickangle=0,
            ticks="outside",
            ticklen=size.tick_gap,
            tickcolor="rgba(0,0,0,0)",
        )
    fig.update_layout(
        height=size.charts_height,
        margin={"l": 3 * size.font, "r": size.font, "t": size.top, "b": size.bottom},
        separators=_separators(lang),
        legend={
            "orientation": "h",
            "x": 0,
            "yanchor": "top",
            "y": -(1.6 * size.font + size.tick_gap + 6)
            / (size.charts_height - size.top - size.bottom),
        },
        font={"size": size.font},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        uirevision="keep",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee")
    fig.update_annotations(font_size=size.title, yshift=round(0.6 * size.font))


def _chart_title(key: str, lang: str, width: int = NORMAL.title_width) -> str:
    """A chart's title: the outcome's label (its unit is in the strip), on two lines if long."""
    name = strip_outcome(key).label(lang)
    if len(name) <= width:
        return name
    cut = min((k for k, c in enumerate(name) if c == " "), key=lambda k: abs(k - len(name) / 2))
    return name[:cut] + "<br>" + name[cut + 1 :]


def _separators(lang: str) -> str:
    """Plotly's decimal and thousands separators, as Babel writes numbers in `lang`."""
    sample = i18n.number(1234.5, lang, 1)
    return sample[-2] + sample[1]


def _ticks(session: Session, lang: str, size: Sizes = NORMAL) -> tuple[list[int], list[str]]:
    months = session.viewer.months
    every = 12 * max(1, -(-months // (12 * size.ticks)))  # a few: the charts are narrow
    start = session.viewer.meta["start_year"]
    vals = list(range(0, months, every))
    return vals, [i18n.month_label(start, m, lang, form="short") for m in vals]


def chart_language(session: Session, lang: str, big: bool = False) -> Patch:
    """The charts' words and number format in another language, as a patch."""
    size = sizes(big)
    p = Patch()
    p["layout"]["separators"] = _separators(lang)
    for k, key in enumerate(STRIP):
        p["layout"]["annotations"][k]["text"] = _chart_title(key, lang, size.title_width)
        axis = "xaxis" if k == 0 else f"xaxis{k + 1}"
        p["layout"][axis]["ticktext"] = _ticks(session, lang, size)[1]
        p["data"][2 * k]["name"] = i18n.text("app.baseline", lang)
        p["data"][2 * k + 1]["name"] = i18n.text("app.this_run", lang)
    return p


def chart_points(session: Session, shown: int) -> Patch:
    """This run's points after month `shown` appended to each chart, as a patch."""
    fig = Patch()
    for k, key in enumerate(STRIP):
        months = range(shown, session.month)
        fig["data"][2 * k + 1]["x"].extend(list(months))
        fig["data"][2 * k + 1]["y"].extend([scaled(key, session.series[key][m]) for m in months])
    return fig


# --- the network view ------------------------------------------------------------------------


def network_figure(session: Session, colour: str, lang: str, big: bool = False) -> go.Figure:
    """The network view: the municipalities on the schematic map, sized by inhabitants and
    coloured by `colour`; trust as lines, one per direction (sim/present/view.py's layout, the
    animation's colours)."""
    meta = session.viewer.meta
    shapes = [
        {
            "type": "line",
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            "layer": "below",
            "line": {"color": trust_colour(t), "width": trust_width(t)},
        }
        for (i, j), t in zip(edges(meta), session.trust[-1], strict=True)
        for x0, y0, x1, y1 in [edge_line(meta, i, j)]
    ]
    node = nodes(session, colour, lang)
    munis = meta["municipalities"]
    size = sizes(big)
    unit = size.map_height - 8  # the map's unit box in pixels (a square: the margins are 4)
    fig = go.Figure(
        go.Scatter(
            x=[m["x"] for m in munis],
            y=[m["y"] for m in munis],
            mode="markers+text",
            marker={
                "size": [round(2 * m["r"] * unit, 1) for m in munis],
                "color": node["colour"],
                "line": {"color": node["border"], "width": node["bw"]},
                "opacity": 0.92,
            },
            text=node["label"],
            textposition="bottom center",
            hovertext=node["hover"],
            hoverinfo="text",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        shapes=shapes,
        height=size.map_height,
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        xaxis={"range": [0, 1], "visible": False, "fixedrange": True},
        yaxis={"range": [1, 0], "visible": False, "fixedrange": True, "scaleanchor": "x"},
        plot_bgcolor="#f4f7f9",
        paper_bgcolor="#fff",
        showlegend=False,
        font={"size": size.label},
        hoverlabel={"font": {"size": size.label}},
    )
    return fig


def network_patch(
    session: Session, colour: str, lang: str, since: int, drawn: dict[str, list] | None = None
) -> Patch:
    """The network view after a month (or in another colouring or language), as a patch: the
    municipalities' colours, labels and hover texts, and the trust lines that changed since
    month `since`. With `drawn` (what `nodes` gave for the view as the page shows it), only
    what differs from it is sent: a changed label makes plotly lay the whole view out anew,
    a changed colour or hover text only restyles it."""
    node = nodes(session, colour, lang)
    p = Patch()

    def changed(*keys: str) -> bool:
        return drawn is None or any(node[k] != drawn[k] for k in keys)

    if changed("colour"):
        p["data"][0]["marker"]["color"] = node["colour"]
    if changed("border", "bw"):
        p["data"][0]["marker"]["line"] = {"color": node["border"], "width": node["bw"]}
    if changed("label"):
        p["data"][0]["text"] = node["label"]
    if changed("hover"):
        p["data"][0]["hovertext"] = node["hover"]
    for k, t in session.trust_changes(since).items():
        p["layout"]["shapes"][k]["line"] = {"color": trust_colour(t), "width": trust_width(t)}
    return p
