"""The posterior's diagnostics page: what the calibration pins down and what it leaves open,
answer first, in English or Dutch, self-contained (plotly inline, nothing fetched).

It reads a posterior folder (sim/study/calibration/posterior.py: the package's own in
sim/data/posterior/, or the `posterior/` of a calibration's result) and shows, in this order:
which parameters the evidence pins down and which it does not (the identifiability table),
each parameter's prior against its posterior, the posterior's pairwise correlations, which
checks constrain which parameter, the posterior predictive checks (each check's pass rate over
the particles) and how the calibration was run. Words: the catalogues' `[posterior]` table.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from sim.present import i18n
from sim.present.report import SEPARATORS
from sim.present.whatif_words import parameter_words

PLOT_CONFIG = {"displayModeBar": False, "responsive": True}
PRIOR, POSTERIOR = "#999999", "#0072B2"  # Okabe & Ito: grey and blue, with a dash for the prior


def _w(key: str, lang: str, **fields: object) -> str:
    return i18n.text(f"posterior.{key}", lang, **fields)


def read(folder: Path) -> dict:
    """A posterior folder's tables and manifest."""
    return {
        "particles": pd.read_csv(folder / "particles.csv"),
        "ranges": pd.read_csv(folder / "ranges.csv"),
        "constraints": pd.read_csv(folder / "constraints.csv"),
        "predictive": pd.read_csv(folder / "predictive.csv"),
        "manifest": json.loads((folder / "manifest.json").read_text()),
    }


def constraining(post: dict) -> dict[str, list[str]]:
    """Per parameter, the checks that constrain it."""
    cons = post["constraints"]
    strong = cons[cons["constrains"].astype(bool)]
    return {
        p: list(strong.loc[strong["parameter"] == p, "check"]) for p in post["ranges"]["parameter"]
    }


def answer(post: dict, lang: str) -> str:
    """The first paragraph: which parameters the evidence pins down and which it leaves open."""
    r = post["ranges"]
    pinned = [parameter_words(p, lang) for p in r.loc[r["constrained"].astype(bool), "parameter"]]
    free = [parameter_words(p, lang) for p in r.loc[~r["constrained"].astype(bool), "parameter"]]
    none = _w("none", lang)
    return _w(
        "answer",
        lang,
        pinned=len(pinned),
        total=len(r),
        pinned_list="; ".join(pinned) or none,
        free=len(free),
        free_list="; ".join(free) or none,
    )


def identifiability(post: dict, lang: str) -> pd.DataFrame:
    """The identifiability table, in words: one row per parameter."""
    by = constraining(post)
    rows = []
    for r in post["ranges"].itertuples():
        n = lambda v: i18n.readable(v, lang, 3)  # noqa: E731
        rows.append(
            {
                _w("col_parameter", lang): parameter_words(r.parameter, lang),
                _w("col_path", lang): r.parameter,
                _w("col_prior", lang): f"[{n(r.prior_low)}; {n(r.prior_high)}]",
                _w("col_default", lang): n(r.default),
                _w("col_posterior", lang): f"{n(r.q50)} [{n(r.q05)}; {n(r.q95)}]",
                _w("col_width", lang): i18n.number(100 * r.width_ratio, lang, 0) + "%",
                _w("col_pinned", lang): _w("yes" if r.constrained else "no", lang),
                _w("col_checks", lang): ", ".join(by.get(r.parameter, [])) or _w("none", lang),
            }
        )
    return pd.DataFrame(rows)


def _weighted_hist(x: np.ndarray, w: np.ndarray, lo: float, hi: float) -> tuple:
    edges = np.linspace(lo, hi, 13)
    dens, _ = np.histogram(x, bins=edges, weights=w, density=True)
    return (edges[:-1] + edges[1:]) / 2, dens


def marginals_figure(post: dict, lang: str) -> go.Figure:
    """Prior (flat, dashed) against posterior (weighted histogram) per parameter; the default
    as a vertical line."""
    r, p = post["ranges"], post["particles"]
    cols = 4
    rows = math.ceil(len(r) / cols)
    titles = [parameter_words(x, lang) for x in r["parameter"]]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.09)
    w = p["weight"].to_numpy(float)
    for i, row in enumerate(r.itertuples()):
        at = {"row": i // cols + 1, "col": i % cols + 1}
        mid, dens = _weighted_hist(
            p[row.parameter].to_numpy(float), w, row.prior_low, row.prior_high
        )
        width = row.prior_high - row.prior_low
        first = i == 0
        fig.add_trace(
            go.Bar(
                x=mid,
                y=dens * width,
                marker_color=POSTERIOR,
                name=_w("posterior", lang),
                showlegend=first,
                legendgroup="post",
            ),
            **at,
        )
        fig.add_trace(
            go.Scatter(
                x=[row.prior_low, row.prior_high],
                y=[1, 1],
                mode="lines",
                line={"color": PRIOR, "dash": "dash"},
                name=_w("prior", lang),
                showlegend=first,
                legendgroup="prior",
            ),
            **at,
        )
        fig.add_vline(x=row.default, line={"color": "#000", "width": 1, "dash": "dot"}, **at)
    fig.update_layout(
        height=260 * rows,
        margin={"t": 60, "l": 40, "r": 20, "b": 40},
        font={"size": 14},
        bargap=0.05,
        legend={"orientation": "h", "y": 1.04},
        separators=SEPARATORS[lang],
    )
    fig.update_annotations(font_size=13)
    return fig


def correlation(post: dict) -> pd.DataFrame:
    """The posterior's weighted correlations between the parameters."""
    names = list(post["ranges"]["parameter"])
    x = post["particles"][names].to_numpy(float)
    w = post["particles"]["weight"].to_numpy(float)
    cov = np.atleast_2d(np.cov(x, rowvar=False, aweights=w))
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    return pd.DataFrame(corr, index=names, columns=names)


def _heatmap(z: pd.DataFrame, x: list[str], y: list[str], title: str) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=x,
            y=y,
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            reversescale=True,
            text=np.round(z.to_numpy(), 2),
            texttemplate="%{text}",
            textfont={"size": 12},
            colorbar={"title": title},
        )
    )
    fig.update_layout(
        height=max(420, 30 * len(y) + 200),
        margin={"l": 260, "b": 220, "t": 20},
        font={"size": 14},
        yaxis={"autorange": "reversed"},
    )
    return fig


def constraint_matrix(post: dict) -> pd.DataFrame:
    """Spearman's rho of each check (rows) with each parameter (columns)."""
    cons = post["constraints"]
    return cons.pivot_table(index="check", columns="parameter", values="rho", sort=False)


def page(post: dict, lang: str) -> str:
    """The diagnostics page in `lang`."""
    e = html.escape
    m = post["manifest"]
    names = list(post["ranges"]["parameter"])
    labels = [parameter_words(n, lang) for n in names]
    corr = correlation(post)
    matrix = constraint_matrix(post).reindex(columns=names)
    figures = [
        marginals_figure(post, lang),
        _heatmap(corr, labels, labels, "r"),
        _heatmap(matrix, labels, list(matrix.index), "rho"),
    ]
    divs = [f.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG) for f in figures]
    pred = post["predictive"].sort_values("share")
    pred_rows = "".join(
        f"<tr><td class='name'>{e(r.check)}</td><td>{i18n.readable(r.target_t, lang, 2)}</td>"
        f"<td>{i18n.number(100 * r.share, lang, 0)}%</td></tr>"
        for r in pred.itertuples()
    )
    table = identifiability(post, lang).to_html(index=False, escape=True, border=0)
    run = _w(
        "run",
        lang,
        particles=m["particles"],
        evaluations=m["evaluations"],
        checks=len(m["checks"]),
        seeds=len(m["seeds"]),
        minutes=i18n.number(m.get("evaluation_seconds", m["seconds"]) / 60, lang, 0),
        generations=len(m["generations"]),
        commit=str(m.get("git_commit", ""))[:10],
        ess=i18n.number(m.get("effective_size", float("nan")), lang, 0),
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(_w("title", lang))}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style><script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{e(_w("title", lang))}</h1>
<p class="answer">{e(answer(post, lang))}</p>
<h2>{e(_w("table_heading", lang))}</h2><p>{e(_w("table_note", lang))}</p>
{table}
<h2>{e(_w("marginals_heading", lang))}</h2><p>{e(_w("marginals_note", lang))}</p>{divs[0]}
<h2>{e(_w("correlation_heading", lang))}</h2><p>{e(_w("correlation_note", lang))}</p>{divs[1]}
<h2>{e(_w("constraints_heading", lang))}</h2><p>{e(_w("constraints_note", lang))}</p>{divs[2]}
<h2>{e(_w("predictive_heading", lang))}</h2><p>{e(_w("predictive_note", lang))}</p>
<table><tr><th>{e(_w("col_check", lang))}</th><th>{e(_w("col_target", lang))}</th>
<th>{e(_w("col_share", lang))}</th></tr>{pred_rows}</table>
<h2>{e(_w("method_heading", lang))}</h2><p>{e(run)}</p>
</body></html>
"""


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #111;
  padding: 0 1em; font-size: 16px; line-height: 1.45; }
p.answer { font-size: 1.15em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
"""


def write(folder: Path, out: Path, lang: str) -> Path:
    """Write the diagnostics page of the posterior in `folder` to `out` (a file)."""
    out.write_text(page(read(folder), lang), encoding="utf-8")
    return out
