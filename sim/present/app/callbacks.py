"""The workshop app's callbacks: how a click reaches the model.

The page holds only a session id (the `sid` store, made when the page is loaded). Every callback
looks up that id in the server's `SessionStore` (sim/present/app/session.py), takes the session's
lock and works on its `Session`. A month (Step, or the clock while playing) has its own lean
callback, `tick`, that sends only what changed (sim/present/app/updates.py's `step_update`); the
`shown` store says which month the page has, so an answer that never arrived is made good by the
next. Everything else that touches the run is the run callback (sim/present/app/actions.py); the
rest re-word the page in another language or follow the theme and the controls. Each callback's
time is logged at debug level (logger `sim.present.app`: "callback TRIGGER in MS ms").
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from sim.model.config import list_scenarios
from sim.present import i18n
from sim.present.app.actions import RUN_ARGS, run_update
from sim.present.app.controls import SLIDERS, component_value, inputs, options
from sim.present.app.fields import control_of
from sim.present.app.figures import chart, network_figure, sizes
from sim.present.app.layout import (
    TEXTS,
    asked_present,
    info_text,
    page_class,
    present_options,
    preset_options,
    speed_options,
    state_options,
)
from sim.present.app.session import (
    RULES,
    SessionStore,
    control_label,
    rule_values,
)
from sim.present.app.updates import MONTH_OUTPUTS, PLACEHOLDER, RUN_OUTPUTS, step_update
from sim.present.view import STRIP, strip_outcome

log = logging.getLogger("sim.present.app")


def register(app: Dash, sessions: SessionStore, root: Path) -> None:
    """Every callback of the page, on `app`: sessions kept in `sessions`, scenario files read
    below `root`."""
    _words(app)
    _option_words(app)
    _slider_values(app)
    _themes(app, sessions)
    _control_values(app, sessions)
    _tick(app, sessions)
    _run(app, sessions, root)
    _speed(app)
    _presentation(app, sessions)


def timed[**P, R](callback: Callable[P, R]) -> Callable[P, R]:
    """`callback`, its time logged at debug level with what triggered it."""

    @functools.wraps(callback)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        out = callback(*args, **kwargs)
        ms = (time.perf_counter() - started) * 1000
        log.debug("callback %s in %.1f ms", ctx.triggered_id, ms)
        return out

    return run


def _words(app: Dash) -> None:
    """Every fixed word of the page, the tabs, the options and the controls' labels and marks,
    in the language chosen."""

    @app.callback(
        [Output(el_id, "children") for el_id in TEXTS],
        Output("tab-model", "label"),
        Output("tab-info", "label"),
        Output("info-text", "children"),
        Output("speed", "options"),
        Output("colour", "options"),
        Output("preset", "options"),
        Output("present", "options"),
        *[Output(f"strip-label-{k}", "children") for k in range(len(STRIP))],
        *[Output(f"strip-unit-{k}", "children") for k in range(len(STRIP))],
        Output({"kind": ALL, "name": ALL, "part": "label"}, "children"),
        Output(SLIDERS, "marks"),
        Input("lang", "value"),
        State({"kind": ALL, "name": ALL, "part": "label"}, "id"),
        State(SLIDERS, "id"),
        prevent_initial_call=True,
    )
    @timed
    def words(lang: str, label_ids: list[dict], input_ids: list[dict]) -> tuple:
        labels = [control_label(i, lang) for i in label_ids]
        return (
            *[i18n.text(key, lang) for key in TEXTS.values()],
            i18n.text("app.tab_model", lang),
            i18n.text("app.tab_info", lang),
            info_text(lang),
            speed_options(lang),
            state_options(lang),
            preset_options(list_scenarios(), lang),
            present_options(lang),
            *[strip_outcome(key).label(lang) for key in STRIP],
            *[strip_outcome(key).unit(lang) for key in STRIP],
            labels,
            [control_of(i).marks(lang) for i in input_ids],
        )


def _option_words(app: Dash) -> None:
    """Choices and checklists follow the language too."""

    @app.callback(
        Output(inputs("choice"), "options"),
        Output(inputs("multi"), "options"),
        Output(inputs("switch"), "options"),
        Input("lang", "value"),
        State(inputs("choice"), "id"),
        State(inputs("multi"), "id"),
        State(inputs("switch"), "id"),
        prevent_initial_call=True,
    )
    @timed
    def option_words(lang: str, *ids: list[dict]) -> tuple:
        return tuple([options(control_of(i), lang) for i in group] for group in ids)


def _slider_values(app: Dash) -> None:
    """A slider's value beside its name, as read in the language chosen."""

    @app.callback(
        Output({"kind": ALL, "name": ALL, "part": "value"}, "children"),
        Input(inputs(), "value"),
        Input("lang", "value"),
        State(inputs(), "id"),
    )
    @timed
    def slider_values(values: list, lang: str, input_ids: list[dict]) -> list[str]:
        return [
            control_of(i).shown(v, lang) if i["type"] == "slider" else ""
            for i, v in zip(input_ids, values, strict=True)
        ]


def _themes(app: Dash, sessions: SessionStore) -> None:
    """The scenario's themes to choose from (the one chosen kept if the scenario has it)."""

    @app.callback(
        Output("theme", "options"),
        Output("theme", "value"),
        Input("version", "data"),
        Input("lang", "value"),
        State("sid", "data"),
        State("theme", "value"),
    )
    @timed
    def themes(version: int, lang: str, sid: str, current: str | None) -> tuple:
        session = sessions.session(sid)
        with session.lock:
            meta = session.viewer.meta
            choices = [{"label": t["label"][lang], "value": t["key"]} for t in meta["themes"]]
            keys = [t["key"] for t in meta["themes"]]
        return choices, current if current in keys else keys[0]


def _control_values(app: Dash, sessions: SessionStore) -> None:
    """The controls at the values in force (the rules for the theme chosen), and which
    arrangement that is."""

    @app.callback(
        Output(inputs(kind="rule"), "value"),
        Output(inputs(kind="culture"), "value"),
        Output(inputs(kind="behaviour"), "value"),
        Output("theme-arrangement", "children"),
        Input("theme", "value"),
        Input("version", "data"),
        Input("lang", "value"),
        State("sid", "data"),
        State(inputs(kind="rule"), "id"),
        State(inputs(kind="culture"), "id"),
        State(inputs(kind="behaviour"), "id"),
    )
    @timed
    def control_values(
        theme: str | None,
        version: int,
        lang: str,
        sid: str,
        rule_ids: list,
        culture_ids: list,
        beh_ids: list,
    ) -> tuple:
        session = sessions.session(sid)
        with session.lock:
            scenario = session.scenario
            if theme not in scenario.governance:
                theme = next(iter(scenario.governance))
            values = rule_values(scenario, theme)
            behaviour = scenario.behaviour.model_dump()
            culture = scenario.culture.model_dump()
            based = i18n.label(session.base.arrangement(session.base.governance[theme]), lang)
            own = bool(session.rules.get(theme))
        note = i18n.text(
            "app.own_arrangement" if own else "app.arrangement_now", lang, arrangement=based
        )
        if ctx.triggered_id == "lang":
            unchanged = ([no_update] * len(ids) for ids in (rule_ids, culture_ids, beh_ids))
            return (*unchanged, note)
        return (
            [component_value(RULES[i["name"]], values[i["name"]]) for i in rule_ids],
            [culture[i["name"]] for i in culture_ids],
            [behaviour[i["name"]] for i in beh_ids],
            note,
        )


def _tick(app: Dash, sessions: SessionStore) -> None:
    """One month on (Step, or the clock while playing): the lean callback."""

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
    @timed
    def tick(_step: Any, _tick: Any, sid: str, shown: int, lang: str, colour: str) -> list[Any]:
        session = sessions.session(sid)
        with session.lock:
            out = step_update(session, lang, colour, shown)
        return [out.get(el_id, no_update) for el_id, _ in MONTH_OUTPUTS]


def _run(app: Dash, sessions: SessionStore, root: Path) -> None:
    """Everything else that touches the run (sim/present/app/actions.py)."""

    @app.callback(
        [Output(el_id, prop, allow_duplicate=True) for el_id, prop in RUN_OUTPUTS],
        Input("b-play", "n_clicks"),
        Input("b-pause", "n_clicks"),
        Input("b-reset", "n_clicks"),
        Input("b-apply", "n_clicks"),
        Input("b-rerun", "n_clicks"),
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
        State("present", "value"),
        State("url", "search"),
        State(inputs(kind="rule"), "value"),
        State(inputs(kind="rule"), "id"),
        State(inputs(kind="behaviour"), "value"),
        State(inputs(kind="behaviour"), "id"),
        State(inputs(kind="culture"), "value"),
        State(inputs(kind="culture"), "id"),
        prevent_initial_call="initial_duplicate",
    )
    @timed
    def run(*args: Any) -> list[Any]:
        values = dict(zip(RUN_ARGS, args, strict=True))
        out = run_update(ctx.triggered_id, values, sessions, root)
        return [
            out.get(PLACEHOLDER if prop == "placeholder" else el_id, no_update)
            for el_id, prop in RUN_OUTPUTS
        ]


def _speed(app: Dash) -> None:
    """The clock's interval for the speed chosen."""

    @app.callback(
        Output("clock", "interval"),
        Input("speed", "value"),
        State("lang", "value"),  # for the words of a refusal (inputs.request_language)
    )
    @timed
    def speed(value: float, _lang: str) -> int:
        return int(1000 / (value or 1.0))


def _presentation(app: Dash, sessions: SessionStore) -> None:
    """Presentation mode, as the toggle in the top bar (or `?present=1` in the address) has
    it: large type and a larger map, the figures drawn anew at their sizes."""

    @app.callback(
        Output("present", "value"),
        Input("url", "search"),
        State("present", "value"),
        State("lang", "value"),  # for the words of a refusal (inputs.request_language)
    )
    @timed
    def from_address(search: str | None, current: list[str] | None, _lang: str) -> Any:
        asked = asked_present(search)
        if asked is None:
            return no_update
        wanted = ["on"] if asked else []
        return no_update if wanted == (current or []) else wanted

    @app.callback(
        Output("page", "className"),
        Output("map", "figure", allow_duplicate=True),
        Output("map", "style"),
        Output("charts", "figure", allow_duplicate=True),
        Output("charts", "style"),
        Input("present", "value"),
        State("sid", "data"),
        State("lang", "value"),
        State("colour", "value"),
        prevent_initial_call=True,
    )
    @timed
    def presentation(present: list[str] | None, sid: str, lang: str, colour: str) -> tuple:
        big = bool(present)
        size = sizes(big)
        session = sessions.session(sid)
        with session.lock:
            drawn = network_figure(session, colour, lang, big), chart(session, lang, big)
        return (
            page_class(big),
            drawn[0],
            {"height": f"{size.map_height}px"},
            drawn[1],
            {"height": f"{size.charts_height}px"},
        )
