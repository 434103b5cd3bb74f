"""The workshop app's page as first sent: a top bar (title, language), a Model tab in three
columns (the scenario and the controls; the run's buttons, the month and the network view; the
strip, the charts, the tables and projects) and an Info tab. Every fixed word has an element id
and a catalogue key (`TEXTS`), so that a language switch re-labels the page in place.

Dash serves its JavaScript and CSS from the installed package; the page's own style is
sim/present/app/style.py's `STYLE`, inlined, so that nothing is loaded from anywhere else.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs

from dash import dcc, html

from sim.model.config import list_scenarios
from sim.present import i18n
from sim.present.animate import STATES
from sim.present.app.controls import control_component
from sim.present.app.display import MISSING, VIRIDIS
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
    "b-rerun": "app.rerun",
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


def layout(lang: str, present: bool = False) -> html.Div:
    """The page as first sent (the session id is made per page load), in presentation mode
    (large type, a larger map) if `present`."""
    return html.Div(
        id="page",
        className=page_class(present),
        children=[
            dcc.Store(id="sid", data=uuid.uuid4().hex),
            dcc.Store(id="version", data=0),
            dcc.Store(id="shown", data=0),
            dcc.Location(id="url", refresh=False),
            dcc.Interval(id="clock", interval=1000, disabled=True),
            _top(lang, present),
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
            _actions(lang),
        ],
    )


def asked_present(search: str | None) -> bool | None:
    """Whether the page's address asks for presentation mode (`?present=1`, `?present=0`);
    None where it does not say."""
    asked = parse_qs((search or "").lstrip("?")).get("present")
    if not asked:
        return None
    return asked[-1].strip().lower() not in ("0", "no", "false", "off")


def page_class(present: bool) -> str:
    return "page present" if present else "page"


def present_options(lang: str) -> list[dict[str, str]]:
    return [{"label": i18n.text("app.present", lang), "value": "on"}]


def _said(el_id: str, lang: str, tag: Any = html.Span, **kw: Any) -> Any:
    """The element `el_id` with its fixed words (`TEXTS`) in `lang`."""
    return tag(i18n.text(TEXTS[el_id], lang), id=el_id, **kw)


def _button(el_id: str, lang: str) -> html.Button:
    return html.Button(i18n.text(TEXTS[el_id], lang), id=el_id)


def _box(*children: Any) -> html.Div:
    return html.Div(className="box", children=list(children))


def _top(lang: str, present: bool) -> html.Div:
    """The top bar: the name, what the app is, that it works offline, presentation mode, the
    language."""
    return html.Div(
        className="top",
        children=[
            html.H1("samenspel"),
            _said("title-sub", lang, html.Div, className="sub"),
            _said("offline-note", lang, html.Div, className="sub"),
            dcc.Checklist(
                id="present",
                options=present_options(lang),
                value=["on"] if present else [],
                inline=True,
            ),
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
                ],
            ),
            html.Div(className="c-run", children=[_run_box(lang), _network_box(lang)]),
            html.Div(
                className="c-info",
                children=[_strip_box(lang), _charts_box(lang), _tables_box(lang)],
            ),
        ],
    )


def _actions(lang: str) -> html.Div:
    """The changes' buttons, in a bar at the foot of the window (never scrolled out of sight):
    apply from the next month on, run again from the start with them, or go back to the
    scenario as chosen; and how that went."""
    return html.Div(
        id="actions",
        className="actions",
        children=[
            _button("b-apply", lang),
            _button("b-rerun", lang),
            _button("b-discard", lang),
            html.Div(id="apply-message"),
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
        _said("rules-hint", lang, html.Div, className="hint"),
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
    return _box(
        html.Details(
            [html.Summary(_said("h-behaviour", lang, html.B)), *behaviour], id="behaviour-box"
        )
    )


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
                    style={"width": "90px", "flexShrink": 0},
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
        _said("h-network", lang, html.H2),
        html.Div(
            [
                _said("l-colour", lang, html.Label, htmlFor="colour"),
                dcc.Dropdown(
                    id="colour",
                    options=state_options(lang),
                    value=STATES[0],
                    clearable=False,
                    searchable=False,
                    className="grow",
                ),
            ],
            className="pick",
        ),
        dcc.Graph(
            id="map",
            config={"displayModeBar": False, "staticPlot": False},
            style={"height": f"{MAP_HEIGHT}px"},
        ),
        html.Div(colour_scale(STATES[0], lang), id="colour-scale", className="scale"),
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
        html.Div(id="change-note", className="note"),
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


def colour_scale(state: str, lang: str) -> list[Any]:
    """What the circles' colour means: the state, its scale from low to high as a bar in the
    map's colours, and grey for a value that is missing."""
    stops = ", ".join(
        f"{colour} {round(100 * k / (len(VIRIDIS) - 1))}%" for k, colour in enumerate(VIRIDIS)
    )
    return [
        html.Span(i18n.text("app.scale_title", lang, state=state_label(state, lang))),
        html.Span(i18n.text(f"app.scale.{state}_low", lang)),
        html.Span(className="bar", style={"background": f"linear-gradient(to right, {stops})"}),
        html.Span(i18n.text(f"app.scale.{state}_high", lang)),
        html.Span(
            [
                html.Span(className="missing", style={"background": MISSING}),
                i18n.text("app.scale_missing", lang),
            ]
        ),
    ]


def state_options(lang: str) -> list[dict[str, str]]:
    return [{"label": state_label(s, lang), "value": s} for s in STATES]


def info_text(lang: str) -> str:
    """The Info tab, in Markdown: each of `INFO`'s sections under its heading."""
    return "\n\n".join(
        f"### {i18n.text(f'app.info.{key}_heading', lang)}\n\n{i18n.text(f'app.info.{key}', lang)}"
        for key in INFO
    )
