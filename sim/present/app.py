"""`samenspel app`: the interactive workshop app, a local Dash page that works offline.

The only module that imports the web stack (dash). Dash serves its JavaScript and CSS from the
installed package (`serve_locally=True`); the page loads no stylesheet, font or script from
anywhere else, so it runs in a town hall without internet. The network view is a plotly figure
(the municipalities a scatter trace, trust one line shape per direction): dash-cytoscape's
bundle logs a cytoscape.js warning on every page (it always passes `wheelSensitivity`).

How a click reaches the model: the page holds only a session id (a `dcc.Store`, made when the page
is loaded). Every callback looks up that id in the server's `SessionStore`
(sim/present/app_session.py), takes the session's lock and works on its `Session`: one `Viewer`
(sim/present/view.py) stepped a month at a time, the baseline run computed once per scenario and
seed. A month (Step, or the clock while playing) has its own lean callback and sends only what
changed: `Patch`es that append the new point to each live line and change the municipalities'
colours and labels and the trust lines that moved, and the words that changed. The `shown` store
says which month the page has, so an answer that never arrived is made good by the next. Each
callback's time is logged at debug level (logger `sim.present.app`).

Every word comes from the language catalogue (sim/present/i18n.py, `[app]` and the animation's
`[animate]`); switching the language re-labels the page without touching the run.

The app assumes that a page may be hostile (sim/present/app_inputs.py): a request whose Host header
is not the app's address gets 403 (DNS rebinding); every callback request is checked against its
callback before Dash runs it (`guard`), and a refusal or a failure is a message in the page, never
an HTTP 500 or a traceback; scenario files come only from the presets, `experiments/` and the folder
the app was started in, or an upload.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import Response, jsonify, request
from plotly.subplots import make_subplots
from werkzeug.exceptions import HTTPException

from sim.model.config import ConfigError, list_scenarios, load_preset
from sim.present import i18n
from sim.present.app_inputs import (
    BODY_LIMIT,
    SEED_MAX,
    Check,
    Refused,
    body_size,
    check_request,
    host_allowed,
    open_scenario,
    request_language,
    signature,
    uploaded,
)
from sim.present.app_session import (
    BEHAVIOUR,
    MAP_SIZE,
    RULES,
    STATES,
    Control,
    Message,
    Session,
    SessionStore,
    behaviour_label,
    choice_label,
    edge_line,
    edges,
    month_text,
    nodes,
    panel,
    preset_description,
    rule_label,
    rule_values,
    scaled,
    state_label,
    trust_colour,
    trust_width,
)
from sim.present.view import STRIP

log = logging.getLogger("sim.present.app")

DEFAULT_SCENARIO = "split-2022"
SPEEDS = (0.5, 1.0, 2.0, 4.0)
"""Months per second when playing."""
MAP_HEIGHT = 380
TITLE_WIDTH = 26  # characters of a chart title on one line
GHOST = "#b0b0b0"
LIVE = "#0072b2"

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
.top { display: flex; align-items: center; gap: 16px; padding: 6px 14px; background: #1f3b57;
  color: #fff; }
.top h1 { font-size: 20px; margin: 0; }
.top .sub { font-size: 13px; opacity: .85; flex: 1; }
.top label { color: #fff; margin-left: 6px; }
.cols { display: grid; grid-template-columns: 300px 470px 1fr; gap: 10px; padding: 8px 10px; }
.box { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px;
  margin-bottom: 8px; }
.box h2 { font-size: 14px; margin: 0 0 6px 0; }
.controls { max-height: 610px; overflow-y: auto; }
.control { margin: 6px 0 2px 0; font-size: 12px; }
.control .name { display: flex; justify-content: space-between; }
.control .value { font-weight: bold; }
.hint { font-size: 11px; color: #555; }
.error { color: #a40000; font-size: 12px; white-space: pre-wrap; }
.ok { color: #245c1f; font-size: 12px; }
button { font-size: 13px; margin: 2px 3px 2px 0; padding: 4px 9px; cursor: pointer; }
.runbar { display: flex; align-items: center; gap: 2px; flex-wrap: wrap; }
.runbar button { font-size: 12px; padding: 3px 7px; white-space: nowrap; }
.runbar label { font-size: 12px; margin: 0 4px; }
.month { font-size: 22px; font-weight: bold; margin: 2px 0; }
.caption { font-size: 13px; min-height: 34px; }
.strip { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; }
.strip div { font-size: 11px; }
.strip b { display: block; font-size: 17px; }
.list { font-size: 11px; margin: 0; padding-left: 16px; max-height: 120px; overflow-y: auto; }
.met { color: #245c1f; } .notmet { color: #777; }
.controls .dash-dropdown, .box .dash-dropdown { font-size: 12px; }
#tabs { height: 34px; } #tabs .tab { padding: 4px 12px !important; line-height: 24px; }
.info { max-width: 900px; padding: 8px 24px; font-size: 14px; line-height: 1.45; }
"""

TEXTS = {
    "title-sub": "app.subtitle",
    "h-scenario": "app.scenario",
    "h-rules": "app.rules",
    "h-behaviour": "app.behaviour_heading",
    "h-network": "app.network",
    "h-strip": "animate.strip",
    "h-charts": "app.charts",
    "h-tables": "animate.tables",
    "h-coalitions": "animate.coalitions",
    "h-events": "animate.events",
    "l-preset": "app.preset_label",
    "l-path": "app.path_label",
    "b-load": "app.load",
    "l-upload": "app.upload",
    "l-seed": "app.seed_label",
    "l-theme": "app.theme_label",
    "b-apply": "app.apply",
    "b-discard": "app.discard",
    "rules-hint": "app.rules_hint",
    "b-step": "app.step",
    "b-play": "animate.play",
    "b-pause": "animate.pause",
    "b-reset": "app.reset",
    "l-speed": "animate.speed",
    "l-colour": "animate.colour_by",
    "map-note": "animate.map_note",
    "trust-note": "animate.trust_legend",
    "l-paid": "animate.paid_legend",
    "l-withheld": "animate.withheld_legend",
    "l-lang": "app.language",
    "offline-note": "animate.offline_note",
    "ghost-note": "app.ghost_note",
}
"""Element id -> catalogue key, for every fixed word on the page."""

INFO = ("what", "how", "use", "notice", "try")
"""The Info tab's sections, in NetLogo's order (catalogue `app.info.KEY` and its heading)."""


# --- the page --------------------------------------------------------------------------------


def _slider_control(c: Any, value: Any, lang: str, label: str) -> html.Div:
    key = {"kind": c.model, "name": c.name}
    field = {**key, "part": "input", "type": c.kind}
    body: Any
    if c.kind == "slider":
        body = dcc.Slider(
            id=field,
            min=c.minimum,
            max=c.maximum,
            step=c.step,
            value=value,
            marks=c.marks(lang),
            allow_direct_input=False,
            updatemode="drag",
        )
    elif c.kind == "choice":
        body = dcc.Dropdown(
            id=field, options=_options(c, lang), value=value, clearable=False, searchable=False
        )
    else:  # a multiple choice, or a switch as a one-box checklist
        body = dcc.Checklist(
            id=field, options=_options(c, lang), value=_control_value(c, value), inline=True
        )
    return html.Div(
        className="control",
        children=[
            html.Div(
                className="name",
                children=[
                    html.Span(label, id={**key, "part": "label"}),
                    html.Span(
                        c.shown(value, lang) if c.kind == "slider" else "",
                        id={**key, "part": "value"},
                        className="value",
                    ),
                ],
            ),
            body,
        ],
    )


SLIDERS = {"kind": ALL, "name": ALL, "part": "input", "type": "slider"}


def _inputs(what: Any = ALL, kind: Any = ALL) -> dict[str, Any]:
    """The pattern of the controls' components: of one type ("slider", "choice", ...) and of
    one kind ("rule" or "behaviour"), or all."""
    return {"kind": kind, "name": ALL, "part": "input", "type": what}


def _control(i: dict[str, str]) -> Control:
    """The control behind a component id."""
    return (RULES if i["kind"] == "rule" else BEHAVIOUR)[i["name"]]


def _options(c: Control, lang: str) -> list[dict[str, str]]:
    if c.kind == "switch":
        return [{"label": choice_label("yes", lang), "value": "yes"}]
    return [{"label": choice_label(v, lang), "value": v} for v in c.choices]


def _control_value(c: Any, value: Any) -> Any:
    """What a control's component holds for a field's value (a switch is a one-box list)."""
    if c.kind == "switch":
        return ["yes"] if value else []
    return value


def _field_value(c: Any, value: Any) -> Any:
    if c.kind == "switch":
        return bool(value)
    return value


def chart(session: Session, lang: str) -> go.Figure:
    """The live charts: each strip series of this run, the baseline's as a grey ghost."""
    titles = [_chart_title(key, lang) for key in STRIP]
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, vertical_spacing=0.2)
    lines = (
        (session.baseline(), GHOST, 2.0, "app.baseline"),
        (session.series, LIVE, 2.5, "app.this_run"),
    )
    for k, key in enumerate(STRIP):
        row, col = divmod(k, 2)
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
    months = session.viewer.months
    ticks = _ticks(session, lang)
    for k in range(len(STRIP)):
        axis = "xaxis" if k == 0 else f"xaxis{k + 1}"
        fig.layout[axis].update(
            range=[0, months - 1], tickvals=ticks[0], ticktext=ticks[1], tickangle=0
        )
    fig.update_layout(
        height=430,
        margin={"l": 40, "r": 10, "t": 30, "b": 30},
        separators=_separators(lang),
        legend={"orientation": "h", "y": -0.12, "x": 0},
        font={"size": 11},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        uirevision="keep",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee")
    fig.update_annotations(font_size=12)
    return fig


def _chart_title(key: str, lang: str) -> str:
    """A chart's title: the outcome's label (its unit is in the strip), on two lines if long."""
    name = i18n.outcome_label(key, lang)
    if len(name) <= TITLE_WIDTH:
        return name
    cut = min((k for k, c in enumerate(name) if c == " "), key=lambda k: abs(k - len(name) / 2))
    return name[:cut] + "<br>" + name[cut + 1 :]


def _separators(lang: str) -> str:
    """Plotly's decimal and thousands separators, as Babel writes numbers in `lang`."""
    sample = i18n.number(1234.5, lang, 1)
    return sample[-2] + sample[1]


def _ticks(session: Session, lang: str) -> tuple[list[int], list[str]]:
    months = session.viewer.months
    every = 12 * max(1, -(-months // 36))  # three or four ticks: the charts are narrow
    start = session.viewer.meta["start_year"]
    vals = list(range(0, months, every))
    return vals, [i18n.month_label(start, m, lang, form="short") for m in vals]


def chart_language(session: Session, lang: str) -> Patch:
    """The charts' words and number format in another language, as a patch."""
    p = Patch()
    p["layout"]["separators"] = _separators(lang)
    for k, key in enumerate(STRIP):
        p["layout"]["annotations"][k]["text"] = _chart_title(key, lang)
        axis = "xaxis" if k == 0 else f"xaxis{k + 1}"
        p["layout"][axis]["ticktext"] = _ticks(session, lang)[1]
        p["data"][2 * k]["name"] = i18n.text("app.baseline", lang)
        p["data"][2 * k + 1]["name"] = i18n.text("app.this_run", lang)
    return p


def _md(text: str) -> str:
    """Plain text safe inside Markdown (names and labels never turn into markup)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>" else c for c in text)


def _tables(info: dict[str, Any], lang: str) -> str:
    """The tables, one line each, as Markdown (one string: no new components per month)."""
    return "\n".join(
        f"- **{_md(t['theme'])}**: {_md(t['arrangement'])}, "
        f"{_met(t['met'], lang)}; {_md(t['seated'])}"
        for t in info["tables"]
    )


def _met(met: bool, lang: str) -> str:
    said = _md(i18n.text("animate.met" if met else "animate.not_met", lang))
    return f"**{said}**" if met else said


def _projects(info: dict[str, Any], lang: str) -> str:
    if not info["projects"]:
        return _md(i18n.text("animate.no_projects", lang))
    return "\n".join(f"- **{_md(p['title'])}**: {_md(p['members'])}" for p in info["projects"])


def layout(lang: str) -> html.Div:
    """The page as first sent (the session id is made per page load)."""

    def t(key: str) -> str:
        return i18n.text(key, lang)

    def text(el_id: str, tag: Any = html.Span, **kw: Any) -> Any:
        return tag(t(TEXTS[el_id]), id=el_id, **kw)

    presets = list_scenarios()
    rules = [_slider_control(RULES[n], None, lang, rule_label(n, lang)) for n in RULES]
    behaviour = [
        _slider_control(BEHAVIOUR[n], None, lang, behaviour_label(n, lang)) for n in BEHAVIOUR
    ]
    model_tab = html.Div(
        className="cols",
        children=[
            html.Div(
                className="controls",
                children=[
                    html.Div(
                        className="box",
                        children=[
                            text("h-scenario", html.H2),
                            text("l-preset", html.Label, htmlFor="preset"),
                            dcc.Dropdown(
                                id="preset",
                                options=_preset_options(presets, lang),
                                value=DEFAULT_SCENARIO,
                                clearable=False,
                                optionHeight=60,
                            ),
                            html.Div(
                                preset_description(DEFAULT_SCENARIO, lang),
                                id="preset-description",
                                className="hint",
                            ),
                            text("l-path", html.Label, htmlFor="path"),
                            html.Div(
                                [
                                    dcc.Input(
                                        id="path",
                                        type="text",
                                        debounce=True,
                                        style={"width": "70%"},
                                    ),
                                    html.Button(t(TEXTS["b-load"]), id="b-load"),
                                ]
                            ),
                            dcc.Upload(
                                html.Button(t(TEXTS["l-upload"]), id="l-upload"),
                                id="upload",
                                accept=".toml",
                                multiple=False,
                            ),
                            html.Div(
                                [
                                    text("l-seed", html.Label, htmlFor="seed"),
                                    dcc.Input(
                                        id="seed",
                                        type="number",
                                        min=0,
                                        step=1,
                                        value=0,
                                        debounce=True,
                                        style={"width": "80px", "marginLeft": "6px"},
                                    ),
                                ]
                            ),
                            html.Div(id="load-message", className="error"),
                        ],
                    ),
                    html.Div(
                        className="box",
                        children=[
                            text("h-rules", html.H2),
                            text("l-theme", html.Label, htmlFor="theme"),
                            dcc.Dropdown(id="theme", clearable=False, searchable=False),
                            html.Div(id="theme-arrangement", className="hint"),
                            *rules,
                        ],
                    ),
                    html.Div(
                        className="box",
                        children=[
                            html.Details(
                                [html.Summary(text("h-behaviour", html.B)), *behaviour],
                            )
                        ],
                    ),
                    html.Div(
                        className="box",
                        children=[
                            html.Button(t(TEXTS["b-apply"]), id="b-apply"),
                            html.Button(t(TEXTS["b-discard"]), id="b-discard"),
                            text("rules-hint", html.Div, className="hint"),
                            html.Div(id="apply-message"),
                        ],
                    ),
                ],
            ),
            html.Div(
                children=[
                    html.Div(
                        className="box",
                        children=[
                            html.Div(
                                [
                                    html.Button(t(TEXTS["b-step"]), id="b-step"),
                                    html.Button(t(TEXTS["b-play"]), id="b-play"),
                                    html.Button(t(TEXTS["b-pause"]), id="b-pause"),
                                    html.Button(t(TEXTS["b-reset"]), id="b-reset"),
                                    text("l-speed", html.Label, htmlFor="speed"),
                                    dcc.Dropdown(
                                        id="speed",
                                        options=_speed_options(lang),
                                        value=1.0,
                                        clearable=False,
                                        searchable=False,
                                        style={
                                            "width": "90px",
                                            "flexShrink": 0,
                                            "fontSize": "12px",
                                        },
                                    ),
                                ],
                                className="runbar",
                            ),
                            html.Div(id="month", className="month"),
                            text("h-events", html.H2),
                            html.Div(id="caption", className="caption"),
                        ],
                    ),
                    html.Div(
                        className="box",
                        children=[
                            html.Div(
                                [
                                    text("h-network", html.H2, style={"display": "inline"}),
                                    text(
                                        "l-colour",
                                        html.Label,
                                        htmlFor="colour",
                                        style={"marginLeft": "12px"},
                                    ),
                                    dcc.Dropdown(
                                        id="colour",
                                        options=_state_options(lang),
                                        value=STATES[0],
                                        clearable=False,
                                        searchable=False,
                                        style={
                                            "width": "240px",
                                            "display": "inline-block",
                                            "verticalAlign": "middle",
                                        },
                                    ),
                                ]
                            ),
                            dcc.Graph(
                                id="map",
                                config={"displayModeBar": False, "staticPlot": False},
                                style={"height": f"{MAP_HEIGHT}px"},
                            ),
                            text("map-note", html.Div, className="hint"),
                            text("trust-note", html.Div, className="hint"),
                            html.Div(
                                [text("l-paid", html.B), ": ", html.Span(id="paid")],
                                className="hint",
                            ),
                            html.Div(
                                [text("l-withheld", html.B), ": ", html.Span(id="withheld")],
                                className="hint",
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(
                children=[
                    html.Div(
                        className="box",
                        children=[
                            text("h-strip", html.H2),
                            html.Div(
                                className="strip",
                                children=[
                                    html.Div(
                                        [
                                            html.Span(
                                                i18n.outcome_label(key, lang), id=f"strip-label-{k}"
                                            ),
                                            html.B(id=f"strip-value-{k}"),
                                            html.Span(
                                                i18n.outcome_unit(key, lang), id=f"strip-unit-{k}"
                                            ),
                                        ]
                                    )
                                    for k, key in enumerate(STRIP)
                                ],
                            ),
                        ],
                    ),
                    html.Div(
                        className="box",
                        children=[
                            text("h-charts", html.H2),
                            dcc.Graph(
                                id="charts",
                                config={"displayModeBar": False, "responsive": True},
                                style={"height": "430px"},
                            ),
                            text("ghost-note", html.Div, className="hint"),
                        ],
                    ),
                    html.Div(
                        className="box",
                        children=[
                            text("h-tables", html.H2),
                            dcc.Markdown(id="tables", className="list"),
                            text("h-coalitions", html.H2),
                            dcc.Markdown(id="projects", className="list"),
                        ],
                    ),
                ],
            ),
        ],
    )
    info = html.Div(
        className="info",
        children=[
            dcc.Markdown(_info_text(lang), id="info-text"),
        ],
    )
    return html.Div(
        [
            dcc.Store(id="sid", data=uuid.uuid4().hex),
            dcc.Store(id="version", data=0),
            dcc.Store(id="shown", data=0),
            dcc.Interval(id="clock", interval=1000, disabled=True),
            html.Div(
                className="top",
                children=[
                    html.H1("samenspel"),
                    text("title-sub", html.Div, className="sub"),
                    text("offline-note", html.Div, className="sub"),
                    text("l-lang", html.Label, htmlFor="lang"),
                    dcc.RadioItems(
                        id="lang",
                        options=[
                            {"label": i18n.text("common.language_name", x), "value": x}
                            for x in i18n.LANGUAGES
                        ],
                        value=lang,
                        inline=True,
                        labelStyle={"marginRight": "10px"},
                    ),
                ],
            ),
            dcc.Tabs(
                id="tabs",
                value="model",
                children=[
                    dcc.Tab(
                        label=t("app.tab_model"), value="model", id="tab-model", children=model_tab
                    ),
                    dcc.Tab(label=t("app.tab_info"), value="info", id="tab-info", children=info),
                ],
            ),
        ]
    )


def _preset_options(presets: list[str], lang: str) -> list[dict[str, Any]]:
    return [
        {"label": name, "value": name, "title": preset_description(name, lang)} for name in presets
    ]


def _speed_options(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "label": i18n.text(
                "animate.speed_value", lang, speed=i18n.number(s, lang, 1 if s < 1 else 0)
            ),
            "value": s,
        }
        for s in SPEEDS
    ]


def _state_options(lang: str) -> list[dict[str, str]]:
    return [{"label": state_label(s, lang), "value": s} for s in STATES]


def _info_text(lang: str) -> str:
    return "\n\n".join(
        f"### {i18n.text(f'app.info.{key}_heading', lang)}\n\n{i18n.text(f'app.info.{key}', lang)}"
        for key in INFO
    )


# --- the app ---------------------------------------------------------------------------------


MONTH_OUTPUTS = (
    ("month", "children"),
    ("caption", "children"),
    *((f"strip-value-{k}", "children") for k in range(len(STRIP))),
    ("paid", "children"),
    ("withheld", "children"),
    ("tables", "children"),
    ("projects", "children"),
    ("map", "figure"),
    ("charts", "figure"),
    ("clock", "disabled"),
    ("shown", "data"),
)
"""What a month's step may change (the step callback returns a dict by element id; what it
leaves out stays as it is)."""

RUN_OUTPUTS = (
    *MONTH_OUTPUTS,
    ("version", "data"),
    ("load-message", "children"),
    ("apply-message", "children"),
    ("preset-description", "children"),
)
"""What the run callback may change (the same way)."""

RUN_ARGS = (
    *("play", "pause", "reset", "apply", "discard"),
    *("preset", "load", "submit", "upload", "seed", "lang", "colour"),
    *("sid", "version", "shown", "path", "filename", "theme"),
    *("rule_values", "rule_ids", "behaviour_values", "behaviour_ids"),
)
"""The run callback's inputs and states, in order, by name."""

FRESH = (None, "preset", "b-load", "path", "upload", "seed")
"""What starts a new session: the page's first call, or another scenario or seed."""


def month_words(session: Session, lang: str) -> dict[str, Any]:
    """The month's words beside the map and charts, by element id (strings only, so that a
    month changes props and makes no new components)."""
    info = panel(session, lang)
    return {
        "month": info["month"],
        "caption": info["caption"],
        **{f"strip-value-{k}": s["value"] for k, s in enumerate(info["strip"])},
        "paid": info["paid"],
        "withheld": info["withheld"],
        "tables": _tables(info, lang),
        "projects": _projects(info, lang),
    }


def redraw(session: Session, lang: str, colour: str, version: int) -> dict[str, Any]:
    """Everything anew: after a new scenario, a reset or a change of rules."""
    return {
        **month_words(session, lang),
        "map": network_figure(session, colour, lang),
        "charts": chart(session, lang),
        "version": (version or 0) + 1,
        "shown": session.month,
    }


def step_update(session: Session, lang: str, colour: str, shown: int | None) -> dict[str, Any]:
    """One month on, as patches: the month's words, the network view's colours and the trust
    that changed, and the charts' new points. `shown` is the month the page shows (its
    `shown` store): should an earlier answer have been dropped, this one brings what it
    lacked."""
    before = month_words(session, lang)
    drawn = nodes(session, colour, lang)
    if session.step() is None:
        return {"clock": True}
    lost = shown != session.month - 1  # an earlier answer never reached the page
    shown = min(max(shown or 0, 0), session.month - 1)
    fig = Patch()
    for k, key in enumerate(STRIP):
        months = range(shown, session.month)
        fig["data"][2 * k + 1]["x"].extend(list(months))
        fig["data"][2 * k + 1]["y"].extend([scaled(key, session.series[key][m]) for m in months])
    words = month_words(session, lang)
    out = {
        **{k: v for k, v in words.items() if lost or v != before[k]},
        "map": network_patch(session, colour, lang, shown, None if lost else drawn),
        "charts": fig,
        "shown": session.month,
    }
    if session.viewer.done:
        out["clock"] = True
    return out


def network_figure(session: Session, colour: str, lang: str) -> go.Figure:
    """The network view: the municipalities on the schematic map, sized by inhabitants and
    coloured by `colour`; trust as lines, one per direction (sim/present/view.py's layout, the
    animation's colours)."""
    meta = session.viewer.meta
    trust = session.trust[-1]
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
        for (i, j), t in zip(edges(meta), trust, strict=True)
        for x0, y0, x1, y1 in [edge_line(meta, i, j)]
    ]
    node = nodes(session, colour, lang)
    munis = meta["municipalities"]
    fig = go.Figure(
        go.Scatter(
            x=[m["x"] for m in munis],
            y=[m["y"] for m in munis],
            mode="markers+text",
            marker={
                "size": [round(2 * m["r"] * MAP_SIZE, 1) for m in munis],
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
        height=MAP_HEIGHT,
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        xaxis={"range": [0, 1], "visible": False, "fixedrange": True},
        yaxis={
            "range": [1, 0],
            "visible": False,
            "fixedrange": True,
            "scaleanchor": "x",
        },
        plot_bgcolor="#f4f7f9",
        paper_bgcolor="#fff",
        showlegend=False,
        font={"size": 11},
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


MESSAGES = ("load-message", "apply-message")
"""Where the page says how a load or a change went (a session's `messages`)."""


def messages(session: Session, lang: str) -> dict[str, Any]:
    """The session's messages in `lang`, by element id; an element with none is emptied."""
    shown = {el_id: session.messages.get(el_id) for el_id in MESSAGES}
    return {
        el_id: html.Span(m.texts[lang], className=m.css) if m else "" for el_id, m in shown.items()
    }


def _description(session: Session, lang: str, preset: bool) -> str:
    name = session.base.name
    if preset and name in list_scenarios():
        return preset_description(name, lang)
    return session.base.description


def create_app(
    lang: str = "en",
    store: SessionStore | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8050,
    root: Path | None = None,
) -> Dash:
    """The Dash app, to be served at `host`:`port` (a request naming another address gets
    403); `store` holds its sessions (a new one by default); scenario files are read from the
    presets and below `root` (default: the working directory)."""
    i18n.check_language(lang)
    root = Path.cwd() if root is None else root
    sessions = store if store is not None else SessionStore()
    app = Dash(
        __name__,
        serve_locally=True,
        title="samenspel",
        update_title=None,
        external_stylesheets=[],
        external_scripts=[],
        include_assets_files=False,
    )
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + STYLE + "</style>")
    app.layout = lambda: layout(lang)
    timings: deque[tuple[str, float]] = deque(maxlen=1000)  # (trigger, ms), the latest
    app.samenspel_sessions = sessions  # type: ignore[attr-defined]
    app.samenspel_timings = timings  # type: ignore[attr-defined]

    def session_for(sid: str, preset: str | None = None, seed: int = 0) -> Session:
        session = sessions.get(sid)
        if session is None:
            session = sessions.put(sid, Session(load_preset(preset or DEFAULT_SCENARIO), seed))
        return session

    @app.callback(
        [Output(el_id, "children") for el_id in TEXTS],
        Output("tab-model", "label"),
        Output("tab-info", "label"),
        Output("info-text", "children"),
        Output("speed", "options"),
        Output("colour", "options"),
        Output("preset", "options"),
        *[Output(f"strip-label-{k}", "children") for k in range(len(STRIP))],
        *[Output(f"strip-unit-{k}", "children") for k in range(len(STRIP))],
        Output({"kind": ALL, "name": ALL, "part": "label"}, "children"),
        Output(SLIDERS, "marks"),
        Input("lang", "value"),
        State({"kind": ALL, "name": ALL, "part": "label"}, "id"),
        State(SLIDERS, "id"),
        prevent_initial_call=True,
    )
    def words(lang: str, label_ids: list[dict], input_ids: list[dict]) -> tuple:
        labels = [
            rule_label(i["name"], lang) if i["kind"] == "rule" else behaviour_label(i["name"], lang)
            for i in label_ids
        ]
        marks = [_control(i).marks(lang) for i in input_ids]
        return (
            *[i18n.text(key, lang) for key in TEXTS.values()],
            i18n.text("app.tab_model", lang),
            i18n.text("app.tab_info", lang),
            _info_text(lang),
            _speed_options(lang),
            _state_options(lang),
            _preset_options(list_scenarios(), lang),
            *[i18n.outcome_label(key, lang) for key in STRIP],
            *[i18n.outcome_unit(key, lang) for key in STRIP],
            labels,
            marks,
        )

    # Choices and checklists follow the language too.
    @app.callback(
        Output(_inputs("choice"), "options"),
        Output(_inputs("multi"), "options"),
        Output(_inputs("switch"), "options"),
        Input("lang", "value"),
        State(_inputs("choice"), "id"),
        State(_inputs("multi"), "id"),
        State(_inputs("switch"), "id"),
        prevent_initial_call=True,
    )
    def option_words(lang: str, *ids: list[dict]) -> tuple:
        return tuple([_options(_control(i), lang) for i in group] for group in ids)

    @app.callback(
        Output({"kind": ALL, "name": ALL, "part": "value"}, "children"),
        Input(_inputs(), "value"),
        Input("lang", "value"),
        State(_inputs(), "id"),
    )
    def slider_values(values: list, lang: str, input_ids: list[dict]) -> list[str]:
        return [
            _control(i).shown(v, lang) if i["type"] == "slider" else ""
            for i, v in zip(input_ids, values, strict=True)
        ]

    @app.callback(
        Output("theme", "options"),
        Output("theme", "value"),
        Input("version", "data"),
        Input("lang", "value"),
        State("sid", "data"),
        State("theme", "value"),
    )
    def themes(version: int, lang: str, sid: str, current: str | None) -> tuple:
        session = session_for(sid)
        with session.lock:
            meta = session.viewer.meta
            options = [{"label": t["label"][lang], "value": t["key"]} for t in meta["themes"]]
            keys = [t["key"] for t in meta["themes"]]
        return options, current if current in keys else keys[0]

    @app.callback(
        Output(_inputs(kind="rule"), "value"),
        Output(_inputs(kind="behaviour"), "value"),
        Output("theme-arrangement", "children"),
        Input("theme", "value"),
        Input("version", "data"),
        Input("lang", "value"),
        State("sid", "data"),
        State(_inputs(kind="rule"), "id"),
        State(_inputs(kind="behaviour"), "id"),
    )
    def control_values(
        theme: str | None, version: int, lang: str, sid: str, rule_ids: list, beh_ids: list
    ) -> tuple:
        session = session_for(sid)
        with session.lock:
            scenario = session.scenario
            if theme not in scenario.governance:
                theme = next(iter(scenario.governance))
            values = rule_values(scenario, theme)
            behaviour = scenario.behaviour.model_dump()
            base_name = session.base.governance[theme]
            based = i18n.label(session.base.arrangement(base_name), lang)
            own = bool(session.rules.get(theme))
        note = i18n.text(
            "app.own_arrangement" if own else "app.arrangement_now", lang, arrangement=based
        )
        if ctx.triggered_id == "lang":
            return [no_update] * len(rule_ids), [no_update] * len(beh_ids), note
        return (
            [_control_value(RULES[i["name"]], values[i["name"]]) for i in rule_ids],
            [behaviour[i["name"]] for i in beh_ids],
            note,
        )

    @app.callback(
        [Output(el_id, prop, allow_duplicate=True) for el_id, prop in MONTH_OUTPUTS],
        Input("b-step", "n_clicks"),
        Input("clock", "n_intervals"),
        State("sid", "data"),
        State("shown", "data"),
        State("lang", "value"),
        State("colour", "value"),
        prevent_initial_call=True,
    )
    def tick(_step: Any, _tick: Any, sid: str, shown: int, lang: str, colour: str) -> list[Any]:
        """One month on (Step, or the clock while playing): the lean callback."""
        started = time.perf_counter()
        session = session_for(sid)
        with session.lock:
            out = step_update(session, lang, colour, shown)
        ms = (time.perf_counter() - started) * 1000
        log.debug("month %d in %.1f ms", session.month, ms)
        timings.append((str(ctx.triggered_id), ms))
        return [out.get(el_id, no_update) for el_id, _ in MONTH_OUTPUTS]

    @app.callback(
        [Output(el_id, prop, allow_duplicate=True) for el_id, prop in RUN_OUTPUTS],
        Input("b-play", "n_clicks"),
        Input("b-pause", "n_clicks"),
        Input("b-reset", "n_clicks"),
        Input("b-apply", "n_clicks"),
        Input("b-discard", "n_clicks"),
        Input("preset", "value"),
        Input("b-load", "n_clicks"),
        Input("path", "n_submit"),
        Input("upload", "contents"),
        Input("seed", "value"),
        Input("lang", "value"),
        Input("colour", "value"),
        State("sid", "data"),
        State("version", "data"),
        State("shown", "data"),
        State("path", "value"),
        State("upload", "filename"),
        State("theme", "value"),
        State(_inputs(kind="rule"), "value"),
        State(_inputs(kind="rule"), "id"),
        State(_inputs(kind="behaviour"), "value"),
        State(_inputs(kind="behaviour"), "id"),
        prevent_initial_call="initial_duplicate",
    )
    def run(*args: Any) -> list[Any]:
        started = time.perf_counter()
        values = dict(zip(RUN_ARGS, args, strict=True))
        trigger = ctx.triggered_id
        out = _run(trigger, values)
        ms = (time.perf_counter() - started) * 1000
        log.debug("callback %s in %.1f ms", trigger, ms)
        timings.append((str(trigger), ms))
        return [out.get(el_id, no_update) for el_id, _ in RUN_OUTPUTS]

    def _run(trigger: Any, v: dict[str, Any]) -> dict[str, Any]:
        lang, colour, sid = v["lang"], v["colour"], v["sid"]
        seed = v["seed"] or 0  # an empty seed box
        if sessions.get(sid) is None or trigger in FRESH:
            source = {"upload": "upload", "b-load": "path", "path": "path"}.get(trigger)
            problem: Message | None = None
            try:
                if source == "upload" and v["upload"]:
                    scenario = uploaded(v["upload"], v["filename"])
                elif source == "path" and (v["path"] or "").strip():
                    scenario = open_scenario(v["path"], root)
                else:
                    source = None
                    scenario = load_preset(v["preset"])
            except Refused as exc:
                problem = Message.of("app.load_error", message=exc.words)
                if (earlier := sessions.get(sid)) is not None:
                    with earlier.lock:
                        earlier.messages["load-message"] = problem
                        return messages(earlier, lang)
                scenario = load_preset(DEFAULT_SCENARIO)
            session = sessions.put(sid, Session(scenario, seed))
            with session.lock:
                if problem is not None:
                    session.messages["load-message"] = problem
                return {
                    **redraw(session, lang, colour, v["version"]),
                    **messages(session, lang),
                    "clock": True,
                    "preset-description": _description(session, lang, source is None),
                }
        session = session_for(sid)
        with session.lock:
            if trigger in ("b-play", "b-pause"):
                return {"clock": trigger == "b-pause" or session.viewer.done}
            if trigger == "lang":
                return {
                    **month_words(session, lang),
                    **messages(session, lang),
                    "map": network_patch(session, colour, lang, session.month),
                    "charts": chart_language(session, lang),
                    "preset-description": _description(session, lang, True),
                }
            if trigger == "colour":
                return {"map": network_patch(session, colour, lang, session.month)}
            out: dict[str, Any] = {}
            said = session.messages
            try:
                if trigger == "b-reset":
                    session.restart()
                    out["clock"] = True
                elif trigger == "b-discard":
                    session.discard()
                    said["apply-message"] = Message.of("app.discarded", "ok")
                elif trigger == "b-apply":
                    rules = {
                        i["name"]: _field_value(RULES[i["name"]], x)
                        for i, x in zip(v["rule_ids"], v["rule_values"], strict=True)
                    }
                    behaviour = {
                        i["name"]: x
                        for i, x in zip(v["behaviour_ids"], v["behaviour_values"], strict=True)
                    }
                    session.change(v["theme"], rules, behaviour)
                    said["apply-message"] = Message.of(
                        "app.applied", "ok", month=lambda x: month_text(session, x)
                    )
            except ConfigError as exc:
                said["apply-message"] = Message.of(
                    "app.change_error", "error", message=lambda _, e=str(exc): e
                )
                return messages(session, lang)
            return {**redraw(session, lang, colour, v["version"]), **out, **messages(session, lang)}

    @app.callback(
        Output("clock", "interval"),
        Input("speed", "value"),
        State(
            "lang", "value"
        ),  # for the words of a refusal (sim.present.app_inputs.request_language)
    )
    def speed(value: float, _lang: str) -> int:
        return int(1000 / (value or 1.0))

    guard(app, lang, host, port, page_values())
    return app


def page_values() -> dict[tuple[str, str], Check]:
    """What the page's components can send, by component id and property (the controls'
    patterns are checked by sim.present.app_inputs.control_fits)."""
    presets = tuple(list_scenarios())

    def one_of(choices: tuple) -> Check:
        return lambda v: type(v) in (str, int, float) and v in choices

    def count(v: Any) -> bool:
        return v is None or (type(v) is int and 0 <= v < 2**53)

    def text(most: int | None = None) -> Check:
        return lambda v: v is None or (type(v) is str and (most is None or len(v) <= most))

    return {
        ("lang", "value"): one_of(i18n.LANGUAGES),
        ("colour", "value"): one_of(STATES),
        ("speed", "value"): one_of(SPEEDS),
        ("preset", "value"): one_of(presets),
        ("seed", "value"): lambda v: v is None or (type(v) is int and 0 <= v <= SEED_MAX),
        ("sid", "data"): lambda v: type(v) is str and len(v) == 32 and v.isalnum() and v.isascii(),
        ("version", "data"): count,
        ("shown", "data"): count,
        ("clock", "n_intervals"): count,
        ("path", "n_submit"): count,
        ("path", "value"): text(),
        ("upload", "contents"): text(),
        ("upload", "filename"): text(),
        ("theme", "value"): text(100),
        **{(b, "n_clicks"): count for b in BUTTONS},
    }


BUTTONS = ("b-step", "b-play", "b-pause", "b-reset", "b-apply", "b-discard", "b-load")


def guard(
    app: Dash, lang: str, host: str, port: int, values: Mapping[tuple[str, str], Check]
) -> None:
    """The server's fences: 403 for a request whose Host header is not the app's address
    (`host`:`port`); a callback request checked against its callback (sim.present.app_inputs.
    check_request, `values`) before Dash runs it; a refusal, or a failure in a callback,
    answered in the page (HTTP 200, a message in the page's language where the request says
    it), with one line in the log and no traceback."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT  # a body of no stated length, too

    def check_host() -> Response | None:
        if host_allowed(request.headers.get("Host"), host, port):
            return None
        return Response(i18n.text("app.wrong_host", lang), 403, mimetype="text/plain")

    server.before_request_funcs.setdefault(None, []).insert(0, check_host)
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch: Callable[[], Any] = server.view_functions[endpoint]
    signatures = {key: signature(key, cb) for key, cb in app.callback_map.items()}

    def answer(refused: Refused, said_in: str) -> Response:
        """The words in the load message, whatever the callback's outputs (no output changes)."""
        said = {"load-message": {"children": refused.words(said_in)}}
        return jsonify({"multi": True, "response": {}, "sideUpdate": said})

    def guarded() -> Any:
        if (too_large := body_size(request.content_length)) is not None:
            return answer(too_large, lang)
        body = request.get_json(silent=True)
        said_in = request_language(body, lang)
        if (refused := check_request(body, signatures, values)) is not None:
            log.info("refused a callback request: %s", refused)
            return answer(refused, said_in)
        try:
            return dispatch()
        except (PreventUpdate, HTTPException):
            raise
        except Exception as exc:  # the last fence: the page is told, the log has one line
            log.error("callback failed: %s: %s", type(exc).__name__, exc)
            return answer(Refused("failed"), said_in)

    server.view_functions[endpoint] = guarded


def serve(host: str = "127.0.0.1", port: int = 8050, lang: str = "en") -> None:
    """Start the app and print its address; runs until Ctrl-C."""
    app = create_app(lang, host=host, port=port)
    where = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    print(i18n.text("app.listening", lang, url=f"http://{where}:{port}/"), flush=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per click
    app.run(host=host, port=port, debug=False)
