"""What the workshop app's callbacks send back: a month's words, the whole view anew, one month
on as patches, and the session's messages, each as a dict by element id (what a callback leaves
out stays as it is on the page)."""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from dash import html

from sim.model.config import list_scenarios
from sim.present import i18n
from sim.present.app.display import nodes, panel
from sim.present.app.figures import chart, chart_points, network_figure, network_patch
from sim.present.app.session import Session, preset_description
from sim.present.view import STRIP

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
    ("change-note", "children"),
    ("colour-scale", "children"),
    ("preset", "value"),
    ("preset", "placeholder"),
)
"""What the run callback may change (the same way)."""

PLACEHOLDER = "preset.placeholder"
"""The key of the preset box's placeholder in a callback's dict (its value's is "preset")."""

MESSAGES = ("load-message", "apply-message")
"""Where the page says how a load or a change went (a session's `messages`)."""


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


def redraw(
    session: Session, lang: str, colour: str, version: int, big: bool = False
) -> dict[str, Any]:
    """Everything anew: after a new scenario, a reset or a change of rules (`big`: in
    presentation mode)."""
    return {
        **month_words(session, lang),
        "map": network_figure(session, colour, lang, big),
        "charts": chart(session, lang, big),
        "change-note": change_note(session, lang),
        "version": (version or 0) + 1,
        "shown": session.month,
    }


def change_note(session: Session, lang: str) -> str:
    """Under the charts, when the rules changed during the run: from which month, and that
    the shaded months before ran under the earlier rules."""
    if not session.changed_at:
        return ""
    start = session.viewer.meta["start_year"]
    months = [i18n.month_label(start, m, lang) for m in session.changed_at]
    joined = format_list(months, locale=i18n.LOCALES[lang])
    return i18n.text("app.change_note", lang, months=joined)


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
    words = month_words(session, lang)
    out = {
        **{k: v for k, v in words.items() if lost or v != before[k]},
        "map": network_patch(session, colour, lang, shown, None if lost else drawn),
        "charts": chart_points(session, shown),
        "shown": session.month,
    }
    if session.viewer.done:
        out["clock"] = True
    return out


def messages(session: Session, lang: str) -> dict[str, Any]:
    """The session's messages in `lang`, by element id; an element with none is emptied."""
    shown = {el_id: session.messages.get(el_id) for el_id in MESSAGES}
    return {
        el_id: html.Span(m.texts[lang], className=m.css) if m else "" for el_id, m in shown.items()
    }


def description(session: Session, lang: str, preset: bool) -> str:
    """The scenario's description under the preset box: a preset's in `lang`, else the file's."""
    name = session.base.name
    if preset and name in list_scenarios() and session.source is None:
        return preset_description(name, lang)
    return session.base.description


# --- the tables and projects, as Markdown ----------------------------------------------------


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
