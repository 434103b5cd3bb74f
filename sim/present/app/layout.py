"""The workshop app's page as first sent: a top bar (title, language), a Model tab in three
columns (the scenario and the controls; the run's buttons, the month and the network view; the
strip, the charts, the tables and projects) and an Info tab. Every fixed word has an element id
and a catalogue key (`TEXTS`), so that a language switch re-labels the page in place.

Dash serves its JavaScript and CSS from the installed package; the page's own style is `STYLE`,
inlined, so that nothing is loaded from anywhere else.
"""

from __future__ import annotations

import uuid
from typing import Any

from dash import dcc, html

from sim.model.config import list_scenarios
from sim.present import i18n
from sim.present.animate import STATES
from sim.present.app.controls import control_component
from sim.present.app.figures import CHARTS_HEIGHT, MAP_HEIGHT
from sim.present.app.session import (
    BEHAVIOUR,
    CULTURE,
    DEFAULT_SCENARIO,
    RULES,
    behaviour_label,
    culture_label,
    preset_description,
    rule_label,
    state_label,
)
from sim.present.view import STRIP, strip_outcome

SPEEDS = (0.5, 1.0, 2.0, 4.0)
"""Months per second when playing."""

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
.control .dash-slider-container { padding: 0 4px; box-sizing: border-box; } /* an end mark fits */
.hint { font-size: 11px; color: #555; }
.error { color: #a40000; font-size: 12px; white-space: pre-wrap; }
.ok { color: #245c1f; font-size: 12px; }
button { font-size: 13px; margin: 2px 3px 2px 0; padding: 4px 9px; cursor: pointer; }
.runbar { display: flex; align-items: center; gap: 2px; flex-wrap: wrap; }
.runbar button { font-size: 12px; padding: 3px 7px; white-space: nowrap; }
.runbar label { font-size: 12px; margin: 0 4px; }
.month { font-size: 22px; font-weight: bold; margin: 2px 0; }
.caption { font-size: 13px; min-height: 34px; }
.strip { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; }
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
    "h-culture": "app.culture_heading",
    "culture-hint": "app.culture_hint",
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


def layout(lang: str) -> html.Div:
    """The page as first sent (the session id is made per page load)."""
    return html.Div(
        [
            dcc.Store(id="sid", data=uuid.uuid4().hex),
            dcc.Store(id="version", data=0),
            dcc.Store(id="shown", data=0),
            dcc.Interval(id="clock", interval=1000, disabled=True),
            _top(lang),
            dcc.Tabs(
                id="tabs",
                value="model",
                children=[
                    dcc.Tab(
                        label=i18n.text("app.tab_model", lang),
                        value="model",
                        id="tab-model",
                        children=_model_tab(lang),
                    ),
                    dcc.Tab(
                        label=i18n.text("app.tab_info", lang),
                        value="info",
                        id="tab-info",
                        children=html.Div(
                            className="info",
                            children=[dcc.Markdown(info_text(lang), id="info-text")],
                        ),
                    ),
                ],
            ),
        ]
    )


def _said(el_id: str, lang: str, tag: Any = html.Span, **kw: Any) -> Any:
    """The element `el_id` with its fixed words (`TEXTS`) in `lang`."""
    return tag(i18n.text(TEXTS[el_id], lang), id=el_id, **kw)


def _button(el_id: str, lang: str) -> html.Button:
    return html.Button(i18n.text(TEXTS[el_id], lang), id=el_id)


def _box(*children: Any) -> html.Div:
    return html.Div(className="box", children=list(children))


def _top(lang: str) -> html.Div:
    """The top bar: the name, what the app is, that it works offline, the language."""
    return html.Div(
        className="top",
        children=[
            html.H1("samenspel"),
            _said("title-sub", lang, html.Div, className="sub"),
            _said("offline-note", lang, html.Div, className="sub"),
            _said("l-lang", lang, html.Label, htmlFor="lang"),
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
    )


def _model_tab(lang: str) -> html.Div:
    return html.Div(
        className="cols",
        children=[
            html.Div(
                className="controls",
                children=[
                    _scenario_box(lang),
                    _rules_box(lang),
                    _culture_box(lang),
                    _behaviour_box(lang),
                    _box(
                        _button("b-apply", lang),
                        _button("b-discard", lang),
                        _said("rules-hint", lang, html.Div, className="hint"),
                        html.Div(id="apply-message"),
                    ),
                ],
            ),
            html.Div(children=[_run_box(lang), _network_box(lang)]),
            html.Div(children=[_strip_box(lang), _charts_box(lang), _tables_box(lang)]),
        ],
    )


# --- the first column: the scenario and the controls -----------------------------------------


def _scenario_box(lang: str) -> html.Div:
    """A preset, a file by its path or an upload, and the seed."""
    return _box(
        _said("h-scenario", lang, html.H2),
        _said("l-preset", lang, html.Label, htmlFor="preset"),
        dcc.Dropdown(
            id="preset",
            options=preset_options(list_scenarios(), lang),
            value=DEFAULT_SCENARIO,
            clearable=False,
            optionHeight=60,
        ),
        html.Div(
            preset_description(DEFAULT_SCENARIO, lang), id="preset-description", className="hint"
        ),
        _said("l-path", lang, html.Label, htmlFor="path"),
        html.Div(
            [
                dcc.Input(id="path", type="text", debounce=True, style={"width": "70%"}),
                _button("b-load", lang),
            ]
        ),
        dcc.Upload(_button("l-upload", lang), id="upload", accept=".toml", multiple=False),
        html.Div(
            [
                _said("l-seed", lang, html.Label, htmlFor="seed"),
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
    )


def _rules_box(lang: str) -> html.Div:
    """A theme, its arrangement, and a control per rule."""
    return _box(
        _said("h-rules", lang, html.H2),
        _said("l-theme", lang, html.Label, htmlFor="theme"),
        dcc.Dropdown(id="theme", clearable=False, searchable=False),
        html.Div(id="theme-arrangement", className="hint"),
        *[control_component(RULES[n], None, lang, rule_label(n, lang)) for n in RULES],
    )


def _culture_box(lang: str) -> html.Div:
    """A control per way of working together (the scenario's `[culture]`), folded away."""
    culture = [control_component(CULTURE[n], None, lang, culture_label(n, lang)) for n in CULTURE]
    return _box(
        html.Details(
            [
                html.Summary(_said("h-culture", lang, html.B)),
                _said("culture-hint", lang, html.Div, className="hint"),
                *culture,
            ],
            id="culture-box",
        )
    )


def _behaviour_box(lang: str) -> html.Div:
    """A control per behavioural assumption, folded away."""
    behaviour = [
        control_component(BEHAVIOUR[n], None, lang, behaviour_label(n, lang)) for n in BEHAVIOUR
    ]
    return _box(html.Details([html.Summary(_said("h-behaviour", lang, html.B)), *behaviour]))


# --- the second column: the run and the network view -----------------------------------------


def _run_box(lang: str) -> html.Div:
    """Step, play, pause, reset and the speed; the month and what happened in it."""
    return _box(
        html.Div(
            [
                *(_button(b, lang) for b in ("b-step", "b-play", "b-pause", "b-reset")),
                _said("l-speed", lang, html.Label, htmlFor="speed"),
                dcc.Dropdown(
                    id="speed",
                    options=speed_options(lang),
                    value=1.0,
                    clearable=False,
                    searchable=False,
                    style={"width": "90px", "flexShrink": 0, "fontSize": "12px"},
                ),
            ],
            className="runbar",
        ),
        html.Div(id="month", className="month"),
        _said("h-events", lang, html.H2),
        html.Div(id="caption", className="caption"),
    )


def _network_box(lang: str) -> html.Div:
    """The network view, what its circles are coloured by, its legend, who paid and withheld."""
    return _box(
        html.Div(
            [
                _said("h-network", lang, html.H2, style={"display": "inline"}),
                _said("l-colour", lang, html.Label, htmlFor="colour", style={"marginLeft": "12px"}),
                dcc.Dropdown(
                    id="colour",
                    options=state_options(lang),
                    value=STATES[0],
                    clearable=False,
                    searchable=False,
                    style={"width": "240px", "display": "inline-block", "verticalAlign": "middle"},
                ),
            ]
        ),
        dcc.Graph(
            id="map",
            config={"displayModeBar": False, "staticPlot": False},
            style={"height": f"{MAP_HEIGHT}px"},
        ),
        _said("map-note", lang, html.Div, className="hint"),
        _said("trust-note", lang, html.Div, className="hint"),
        html.Div([_said("l-paid", lang, html.B), ": ", html.Span(id="paid")], className="hint"),
        html.Div(
            [_said("l-withheld", lang, html.B), ": ", html.Span(id="withheld")], className="hint"
        ),
    )


# --- the third column: the strip, the charts, the tables and projects ------------------------


def _strip_box(lang: str) -> html.Div:
    return _box(
        _said("h-strip", lang, html.H2),
        html.Div(
            className="strip",
            children=[
                html.Div(
                    [
                        html.Span(strip_outcome(key).label(lang), id=f"strip-label-{k}"),
                        html.B(id=f"strip-value-{k}"),
                        html.Span(strip_outcome(key).unit(lang), id=f"strip-unit-{k}"),
                    ]
                )
                for k, key in enumerate(STRIP)
            ],
        ),
    )


def _charts_box(lang: str) -> html.Div:
    return _box(
        _said("h-charts", lang, html.H2),
        dcc.Graph(
            id="charts",
            config={"displayModeBar": False, "responsive": True},
            style={"height": f"{CHARTS_HEIGHT}px"},
        ),
        _said("ghost-note", lang, html.Div, className="hint"),
    )


def _tables_box(lang: str) -> html.Div:
    return _box(
        _said("h-tables", lang, html.H2),
        dcc.Markdown(id="tables", className="list"),
        _said("h-coalitions", lang, html.H2),
        dcc.Markdown(id="projects", className="list"),
    )


# --- words that follow the language ----------------------------------------------------------


def preset_options(presets: list[str], lang: str) -> list[dict[str, Any]]:
    return [
        {"label": name, "value": name, "title": preset_description(name, lang)} for name in presets
    ]


def speed_options(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "label": i18n.text(
                "animate.speed_value", lang, speed=i18n.number(s, lang, 1 if s < 1 else 0)
            ),
            "value": s,
        }
        for s in SPEEDS
    ]


def state_options(lang: str) -> list[dict[str, str]]:
    return [{"label": state_label(s, lang), "value": s} for s in STATES]


def info_text(lang: str) -> str:
    """The Info tab, in Markdown: each of `INFO`'s sections under its heading."""
    return "\n\n".join(
        f"### {i18n.text(f'app.info.{key}_heading', lang)}\n\n{i18n.text(f'app.info.{key}', lang)}"
        for key in INFO
    )
