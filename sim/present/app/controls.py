"""The controls' components on the workshop app's page: a slider, a dropdown or a checklist per
rule, way of working together and behavioural assumption (sim/present/app/session.py's `RULES`,
`CULTURE` and `BEHAVIOUR`), each with its label and shown value, and the id patterns the
callbacks use to reach them all."""

from __future__ import annotations

from typing import Any

from dash import ALL, dcc, html

from sim.present.app.session import Control, choice_label

SLIDERS = {"kind": ALL, "name": ALL, "part": "input", "type": "slider"}
"""The pattern of every slider's component."""


def inputs(what: Any = ALL, kind: Any = ALL) -> dict[str, Any]:
    """The pattern of the controls' components: of one type ("slider", "choice", ...) and of
    one kind ("rule", "culture" or "behaviour"), or all."""
    return {"kind": kind, "name": ALL, "part": "input", "type": what}


def options(c: Control, lang: str) -> list[dict[str, str]]:
    """A choice's or checklist's options, worded in `lang` (a switch is one box: "yes")."""
    if c.kind == "switch":
        return [{"label": choice_label("yes", lang), "value": "yes"}]
    return [{"label": choice_label(v, lang), "value": v} for v in c.choices]


def component_value(c: Control, value: Any) -> Any:
    """What a control's component holds for a field's value (a switch is a one-box list)."""
    if c.kind == "switch":
        return ["yes"] if value else []
    return value


def field_value(c: Control, value: Any) -> Any:
    """The field's value for what a control's component holds (the inverse of the above)."""
    if c.kind == "switch":
        return bool(value)
    return value


def control_component(c: Control, value: Any, lang: str, label: str) -> html.Div:
    """One control as the page shows it: its label, its value (a slider's), its component."""
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
            id=field, options=options(c, lang), value=value, clearable=False, searchable=False
        )
    else:  # a multiple choice, or a switch as a one-box checklist
        body = dcc.Checklist(
            id=field, options=options(c, lang), value=component_value(c, value), inline=True
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
