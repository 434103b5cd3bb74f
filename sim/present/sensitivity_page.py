"""The sensitivity analysis as one self-contained page (plotly inline, nothing fetched), answer
first: what matters most per outcome, how far to trust it, the index plots with their intervals
(Sobol' S1/ST and S2, convergence as N grows, Morris mu*-sigma, delta and PAWN), the main
effects, and the method; and main_effects.html, the main effects on their own."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sim.present.report import SEPARATORS
from sim.present.sensitivity_words import (
    _w,
    answers,
    caution,
    method,
    name_of,
    outcome_words,
    trust,
)
from sim.study.sensitivity import Analysis

CONFIG = {"displayModeBar": False, "responsive": True}
BLUE, ORANGE, GREEN = "#0072B2", "#E69F00", "#009E73"  # Okabe & Ito
FONT = {"size": 14}


def _parts(table: pd.DataFrame, cross: list[str]):
    """(title suffix, rows) per outcome and crossed level."""
    for keys, part in table.groupby(["outcome", *cross], sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        levels = ", ".join(f"{c} = {v}" for c, v in zip(cross, keys[1:], strict=True))
        yield keys[0], levels, part


def _bars(
    part: pd.DataFrame, series: Sequence[tuple[str, str, str | None, str]], lang: str
) -> go.Figure:
    """Horizontal bars per parameter, one series per (column, label, interval column, colour)."""
    names = [name_of(p, lang) for p in part["parameter"]]
    fig = go.Figure()
    for col, label, conf, colour in series:
        error = {"type": "data", "array": part[conf], "visible": True} if conf else None
        fig.add_bar(
            y=names, x=part[col], name=label, orientation="h", marker_color=colour, error_x=error
        )
    fig.update_layout(
        barmode="group",
        height=110 + 55 * len(names),
        font=FONT,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        xaxis_title=_w("axis_index", lang),
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _convergence(part: pd.DataFrame, lang: str) -> go.Figure:
    fig = go.Figure()
    for p, rows in part.groupby("parameter", sort=False):
        fig.add_scatter(x=rows["n"], y=rows["ST"], mode="lines+markers", name=name_of(str(p), lang))
    fig.update_layout(
        height=360,
        font=FONT,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis={"type": "log", "title": _w("axis_samples", lang)},
        yaxis_title="ST",
    )
    return fig


def _s2(part: pd.DataFrame, lang: str) -> go.Figure:
    """The pairs' second-order indices as a lower triangle; the columns by their short names
    (the rows give them in full)."""
    names = list(dict.fromkeys([*part["parameter"], *part["parameter_2"]]))
    grid = pd.DataFrame(index=names, columns=names, dtype=float)
    for _, r in part.iterrows():
        grid.loc[r["parameter_2"], r["parameter"]] = r["S2"]
    rows = [name_of(n, lang) for n in names]
    columns = [n.rsplit(".", 1)[-1] for n in names]
    heat = go.Heatmap(
        z=grid.to_numpy(), x=columns, y=rows, colorscale="Blues", zmin=0, texttemplate="%{z:.2f}"
    )
    fig = go.Figure(heat)
    fig.update_layout(
        height=220 + 60 * len(names), font=FONT, margin={"l": 10, "r": 10, "t": 30, "b": 10}
    )
    fig.update_xaxes(automargin=True, tickangle=0)
    fig.update_yaxes(automargin=True)
    return fig


def _morris(part: pd.DataFrame, lang: str) -> go.Figure:
    names = [name_of(p, lang) for p in part["parameter"]]
    fig = go.Figure(
        go.Scatter(
            x=part["mu_star"],
            y=part["sigma"],
            mode="markers+text",
            text=names,
            textposition="top center",
            marker={"size": 12, "color": BLUE},
            error_x={"type": "data", "array": part["mu_star_conf"]},
        )
    )
    fig.update_layout(
        height=420,
        font=FONT,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        xaxis_title=_w("axis_mu_star", lang),
        yaxis_title=_w("axis_sigma", lang),
    )
    return fig


def figures(result: Analysis, lang: str) -> list[tuple[str, str, list[tuple[str, go.Figure]]]]:
    """(heading, note, [(subtitle, figure)]) per kind of plot the analysis has."""
    t, cross = result.tables, result.spec.design.cross
    out = []

    def each(name: str, make) -> list[tuple[str, go.Figure]]:
        return (
            [
                (f"{outcome_words(o, lang)}{' · ' + lv if lv else ''}", make(p))
                for o, lv, p in _parts(t[name], cross)
            ]
            if name in t and len(t[name])
            else []
        )

    sobol = [
        ("S1", _w("index_s1", lang), "S1_conf", ORANGE),
        ("ST", _w("index_st", lang), "ST_conf", BLUE),
    ]
    given = [
        ("delta", _w("index_delta", lang), "delta_conf", BLUE),
        ("pawn_median", _w("index_pawn", lang), "pawn_conf", ORANGE),
        ("rbd_fast_S1", _w("index_rbd", lang), "rbd_fast_S1_conf", GREEN),
    ]
    if "delta" in t and "pawn" in t and "rbd_fast" in t:  # the three on one plot per outcome
        keys = ["outcome", *cross, "parameter"]
        t = {**t, "delta": t["delta"].merge(t["pawn"], on=keys).merge(t["rbd_fast"], on=keys)}
    plots = [
        ("sobol", "fig_sobol", "fig_sobol_note", lambda p: _bars(p, sobol, lang)),
        ("sobol_s2", "fig_s2", None, lambda p: _s2(p, lang)),
        (
            "sobol_convergence",
            "fig_convergence",
            "fig_convergence_note",
            lambda p: _convergence(p, lang),
        ),
        ("morris", "fig_morris", "fig_morris_note", lambda p: _morris(p, lang)),
        ("delta", "fig_given", "fig_given_note", lambda p: _bars(p, given, lang)),
    ]
    for name, heading, note, make in plots:
        made = each(name, make)
        if made:
            out.append((_w(heading, lang), _w(note, lang) if note else "", made))
    return out


def _div(fig: go.Figure, lang: str) -> str:
    fig.update_layout(separators=SEPARATORS[lang])  # "0,5" in Dutch
    return fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG)


def page(result: Analysis, sweep: str, lang: str) -> str:
    e = html.escape
    blocks = []
    for heading, note, figs in figures(result, lang):
        divs = "".join(f"<h3>{e(sub)}</h3>{_div(fig, lang)}" for sub, fig in figs)
        blocks.append(f"<h2>{e(heading)}</h2>" + (f"<p>{e(note)}</p>" if note else "") + divs)
    answer = "".join(f"<li>{e(a)}</li>" for a in answers(result, lang))
    care = "".join(f"<p class='caution'>{e(c)}</p>" for c in caution(result, lang))
    warns = "".join(f"<li>{e(w)}</li>" for w in trust(result, lang))
    title = _w("title", lang, sweep=sweep)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{e(title)}</h1>
<ul class="answer">{answer}</ul>{care}
{f'<h2>{e(_w("trust_heading", lang))}</h2><ul class="trust">{warns}</ul>' if warns else ""}
{"".join(blocks)}
<h2>{e(_w("method_heading", lang))}</h2><p>{e(method(result, lang))}</p>
</body></html>
"""


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #111;
  padding: 0 1em; font-size: 16px; line-height: 1.45; }
ul.answer { font-size: 1.1em; }
ul.trust li { margin-bottom: 0.3em; }
p.caution { font-weight: bold; }
h3 { font-size: 1em; margin: 1.2em 0 0 0; }
"""


def main_effects_html(effects: pd.DataFrame, path: Path, lang: str) -> None:
    """A grid of outcome-by-parameter main-effect plots, on a page of its own."""
    from plotly.subplots import make_subplots

    params = list(dict.fromkeys(effects["parameter"]))
    outcomes = list(dict.fromkeys(effects["outcome"]))
    fig = make_subplots(
        rows=len(outcomes),
        cols=len(params),
        shared_yaxes="rows",
        column_titles=[name_of(p, lang) for p in params],
        row_titles=[outcome_words(o, lang) for o in outcomes],
    )
    for i, o in enumerate(outcomes):
        for j, p in enumerate(params):
            d = effects[(effects["outcome"] == o) & (effects["parameter"] == p)]
            error = {
                "type": "data",
                "symmetric": False,
                "array": d["ci_high"] - d["mean"],
                "arrayminus": d["mean"] - d["ci_low"],
            }
            fig.add_trace(
                go.Scatter(
                    x=d["value"], y=d["mean"], mode="lines+markers", showlegend=False, error_y=error
                ),
                row=i + 1,
                col=j + 1,
            )
    fig.update_layout(
        height=220 * len(outcomes) + 80,
        margin={"l": 40, "r": 80, "t": 60, "b": 30},
        separators=SEPARATORS[lang],
    )
    body = fig.to_html(full_html=False, include_plotlyjs=False)
    title = html.escape(_w("fig_effects", lang))
    path.write_text(
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
        f"<script>{get_plotlyjs()}</script></head><body><h1>{title}</h1>{body}</body></html>",
        encoding="utf-8",
    )


def write(folder: Path, result: Analysis, sweep: str, lang: str) -> None:
    """The pages of an analysis into `folder`: sensitivity.html, main_effects.html."""
    (folder / "sensitivity.html").write_text(page(result, sweep, lang), encoding="utf-8")
    if "main_effects" in result.tables and len(result.tables["main_effects"]):
        main_effects_html(result.tables["main_effects"], folder / "main_effects.html", lang)


def analyze(
    folder: str | Path,
    out: Path | None = None,
    *,
    force: bool = False,
    partial: bool = False,
    say=None,
    lang: str = "en",
    progress: bool = False,
) -> Path:
    """`sim.study.sensitivity.analyze` with its pages (sensitivity.html, main_effects.html) in
    `lang`: what `samenspel analyze` writes, from Python."""
    from sim.study.sensitivity import analyze as tables

    name = Path(folder).name
    return tables(
        folder,
        out,
        force=force,
        partial=partial,
        say=say,
        pages=lambda tmp, result: write(tmp, result, name, lang),
        progress=progress,
    )
