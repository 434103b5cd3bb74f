"""The comparison report's month-by-month figure, from the comparison's common start.

Scenarios may start in different years (a 2004 GRD next to the 2022 mix). Drawn on one calendar
from the earliest start, the later ones would be squeezed into the last third of the axis; so the
figure starts, unless asked for earlier years (`from_year`, `samenspel compare --from-year`), in
the year by which every scenario has started (:func:`window`). A scenario that ended before that
year is named above the figure instead of silently missing. Each line keeps at most about sixty
points, each the average of a few months (the hover label names them; an average, not every
n-th month, so that a pattern repeating every few months neither vanishes nor turns into a
false one), and its numbers go into the page as 32-bit floats, which plotly embeds in binary
(base64): both keep the page light.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.model.outcomes import outcome
from sim.present import i18n
from sim.present.report_charts import (
    LINE_PX,
    MAX_POINTS,
    SEPARATORS,
    TITLE_FONT,
    grid,
    wrapped_titles,
)
from sim.present.styles import LINE_WIDTH, rgba, styles

MARKS = 5  # markers per line

if TYPE_CHECKING:
    import pandas as pd

    from sim.study.compare import Comparison


class Window(NamedTuple):
    """The years the trajectories show: from `first` to `last`; `every`: months per point;
    `before`: scenarios that ended before `first` (not in the figure)."""

    first: int
    last: float
    every: int
    before: list[str]


def window(c: Comparison, from_year: int | None = None) -> Window:
    """The common start (the latest start year of the scenarios; `from_year` when given and
    not before the earliest start), the end, the months per point, and what ended before."""
    starts = [sc.start_year for sc in c.scenarios] or [0]
    ends = [sc.start_year + sc.months / 12 for sc in c.scenarios] or [1.0]
    first = max(starts) if from_year is None else max(min(starts), from_year)
    last = max(ends)
    every = max(1, math.ceil((last - first) * 12 / MAX_POINTS))
    before = [
        sc.name for sc, e in zip(c.scenarios, ends, strict=True) if e <= first and sc.months > 0
    ]
    return Window(first, last, every, before)


def _kept(d: pd.DataFrame, start: int, w: Window) -> pd.DataFrame:
    """One line's months inside the window, averaged over runs of `w.every` months (the mean
    and both bounds of the band; `month` the first of each run, `last` its last month), so that
    a pattern that repeats every few months is neither lost nor folded into a false one."""
    d = d[start + d["month"] / 12 >= w.first]
    if d.empty or w.every == 1:
        return d.assign(last=d["month"])
    span = (d["month"] - int(d["month"].iloc[0])) // w.every
    out = d.groupby(span.to_numpy(), sort=True).agg(
        month=("month", "min"),
        last=("month", "max"),
        mean=("mean", "mean"),
        ci_low=("ci_low", "mean"),
        ci_high=("ci_high", "mean"),
    )
    return out.reset_index(drop=True)


def trajectory_figure(c: Comparison, lang: str = "en", from_year: int | None = None) -> go.Figure:
    """Monthly trajectories: the mean over seeds with a 95% band, per scenario, on a calendar
    axis from the common start (:func:`window`), a tick per year, the month in the hover."""
    names = [sc.name for sc in c.scenarios]
    style = styles(names)
    start = {sc.name: sc.start_year for sc in c.scenarios}
    w = window(c, from_year)
    t = c.trajectories
    # A month is drawn where at least half the seeds have a value: a series "so far" has none
    # before anything is due, and a mean over one or two early seeds would swing wildly.
    t = t[t["n"] >= c.runs.groupby("scenario")["seed"].count().min() / 2]
    keys = list(dict.fromkeys(t["outcome"]))
    cols, rows = 2, math.ceil(len(keys) / 2)
    titles, lines = wrapped_titles(keys, lang, 46)
    top = lines * LINE_PX * TITLE_FONT + 16
    height, spacing = grid(rows, 230, lines, top, 24)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=spacing,
        horizontal_spacing=0.08,
    )  # fmt: skip
    groups = dict(tuple(t.groupby(["outcome", "scenario"], sort=False)))
    marks: dict[int, list[tuple[str, pd.DataFrame]]] = {}
    for i, key in enumerate(keys):
        fmt = f",.{outcome(key).decimals}f"
        for name in names:
            if (key, name) not in groups:
                continue
            d = _kept(groups[(key, name)].sort_values("month"), start[name], w)
            if d.empty:
                continue
            place = {"row": i // cols + 1, "col": i % cols + 1}
            fig.add_trace(_band_trace(d, start[name], style[name]), **place)
            fig.add_trace(_mean_trace(d, start[name], name, style[name], fmt, lang), **place)
            marks.setdefault(i, []).append((name, d))
    for i, lines_ in marks.items():
        fig.add_trace(
            _marker_trace(lines_, names, start, style), row=i // cols + 1, col=i % cols + 1
        )
    fig.update_xaxes(**_calendar_ticks(w), automargin=True)
    fig.update_yaxes(tickformat=",~r", automargin=True)
    fig.update_annotations(font={"size": TITLE_FONT})
    fig.update_layout(
        height=round(height),
        margin={"l": 10, "r": 10, "t": round(top), "b": 24},
        showlegend=False,
        separators=SEPARATORS[lang],
    )
    return fig


def _x(d: pd.DataFrame, start: int) -> np.ndarray:
    """The calendar position of each point: the middle of the months it stands for."""
    middle = (d["month"].to_numpy(dtype="float64") + d["last"].to_numpy(dtype="float64")) / 2
    return (start + middle / 12).astype("float32")


def _when(d: pd.DataFrame, start: int, lang: str) -> list[str]:
    """Each point's months in words: "Mar 2026", or "Mar 2026 \u2013 Apr 2026" for an average."""
    out = []
    for first, last in zip(d["month"], d["last"], strict=True):
        said = i18n.month_label(start, int(first), lang, "short")
        if last != first:
            said += " \u2013 " + i18n.month_label(start, int(last), lang, "short")
        out.append(said)
    return out


def _band_trace(d: pd.DataFrame, start: int, s: dict[str, str]) -> go.Scatter:
    """A scenario's 95% band of one outcome as a filled outline."""
    band = d.dropna(subset=["ci_low", "ci_high"])
    bx = _x(band, start)
    high = band["ci_high"].to_numpy(dtype="float32")
    low = band["ci_low"].to_numpy(dtype="float32")
    return go.Scatter(
        x=np.concatenate([bx, bx[::-1]]),
        y=np.concatenate([high, low[::-1]]),
        fill="toself",
        fillcolor=rgba(s["colour"], 0.12),
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
    )


def _marker_trace(
    lines: list[tuple[str, pd.DataFrame]],
    names: list[str],
    start: dict[str, int],
    style: dict[str, dict[str, str]],
) -> go.Scatter:
    """The scenarios' markers on their lines in one panel, MARKS per line, each scenario's
    shifted along its line by its place in the order so that markers do not sit on each other;
    one trace for all (plotly's own thinning of markers costs a quarter of a second here)."""
    xs, ys, colours, symbols = [], [], [], []
    for name, d in lines:
        shift = names.index(name) / max(1, len(names))
        at = sorted({min(len(d) - 1, int((k + shift) * len(d) / MARKS)) for k in range(MARKS)})
        xs += list(_x(d, start[name])[at])
        ys += list(d["mean"].to_numpy(dtype="float32")[at])
        colours += [style[name]["colour"]] * len(at)
        symbols += [style[name]["symbol"]] * len(at)
    return go.Scatter(
        x=np.array(xs, dtype="float32"),
        y=np.array(ys, dtype="float32"),
        mode="markers",
        marker={"color": colours, "symbol": symbols, "size": 8},
        hoverinfo="skip",
        showlegend=False,
    )


def _mean_trace(
    d: pd.DataFrame, start: int, name: str, s: dict[str, str], fmt: str, lang: str
) -> go.Scatter:
    """A scenario's mean of one outcome in its colour and dash (its markers are in
    :func:`_marker_trace`), the month named in the hover label."""
    when = _when(d, start, lang)
    return go.Scatter(
        x=_x(d, start),
        y=d["mean"].to_numpy(dtype="float32"),
        name=name,
        mode="lines",
        line={"color": s["colour"], "width": LINE_WIDTH, "dash": s["dash"]},
        customdata=when,
        hovertemplate=f"{html.escape(name)}, %{{customdata}}: %{{y:{fmt}}}<extra></extra>",
    )


def _calendar_ticks(w: Window) -> dict:
    """Year ticks over the window, at most about eight of them, and the axis on the window."""
    years = list(range(w.first, math.ceil(w.last) + 1))
    step = max(1, math.ceil(len(years) / 8))
    return {
        "tickvals": years[::step],
        "ticktext": [str(y) for y in years[::step]],
        "range": [w.first - 0.1, w.last + 0.1],
    }
