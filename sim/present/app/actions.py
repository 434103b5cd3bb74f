"""What the workshop app's run callback does (sim/present/app/callbacks.py): start a session on
a scenario (a preset, a file by its path, an upload) and seed, or act on the page's session:
play and pause, reset, apply and discard the controls' changes, re-word the page in another
language, colour the network view by another state. Each returns what changes on the page, by
element id (sim/present/app/updates.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.model.config import ConfigError, Scenario, load_preset
from sim.present.app.controls import field_value
from sim.present.app.display import month_text
from sim.present.app.figures import chart_language, network_patch
from sim.present.app.inputs import Refused, open_scenario, uploaded
from sim.present.app.session import (
    DEFAULT_SCENARIO,
    RULES,
    Message,
    Session,
    SessionStore,
)
from sim.present.app.updates import description, messages, month_words, redraw

RUN_ARGS = (
    *("play", "pause", "reset", "apply", "discard"),
    *("preset", "load", "submit", "upload", "seed", "lang", "colour"),
    *("sid", "version", "shown", "path", "filename", "theme"),
    *("rule_values", "rule_ids", "behaviour_values", "behaviour_ids"),
    *("culture_values", "culture_ids"),
)
"""The run callback's inputs and states, in order, by name."""

FRESH = (None, "preset", "b-load", "path", "upload", "seed")
"""What starts a new session: the page's first call, or another scenario or seed."""

SOURCES = {"upload": "upload", "b-load": "path", "path": "path"}
"""Where a trigger takes its scenario from (a preset otherwise)."""


def run_update(
    trigger: Any, v: dict[str, Any], sessions: SessionStore, root: Path
) -> dict[str, Any]:
    """What the page changes after `trigger` (an element id; None for the page's first call),
    given the run callback's values `v` by name (`RUN_ARGS`)."""
    if sessions.get(v["sid"]) is None or trigger in FRESH:
        return start(trigger, v, sessions, root)
    session = sessions.session(v["sid"])
    with session.lock:
        if trigger in ("b-play", "b-pause"):
            return {"clock": trigger == "b-pause" or session.viewer.done}
        if trigger == "lang":
            return relabel(session, v["lang"], v["colour"])
        if trigger == "colour":
            return {"map": network_patch(session, v["colour"], v["lang"], session.month)}
        return act(trigger, v, session)


def start(trigger: Any, v: dict[str, Any], sessions: SessionStore, root: Path) -> dict[str, Any]:
    """A new session on the scenario and seed the page names. A scenario that cannot be used
    is said in the load message: the page's session, if it has one, stays as it was; a new
    page gets the default scenario."""
    lang, sid = v["lang"], v["sid"]
    source = SOURCES.get(trigger)
    problem: Message | None = None
    try:
        scenario, source = _scenario(source, v, root)
    except Refused as exc:
        problem = Message.of("app.load_error", message=exc.words)
        if (earlier := sessions.get(sid)) is not None:
            with earlier.lock:
                earlier.messages["load-message"] = problem
                return messages(earlier, lang)
        scenario = load_preset(DEFAULT_SCENARIO)
    session = sessions.put(sid, Session(scenario, v["seed"] or 0))  # or: an empty seed box
    with session.lock:
        if problem is not None:
            session.messages["load-message"] = problem
        return {
            **redraw(session, lang, v["colour"], v["version"]),
            **messages(session, lang),
            "clock": True,
            "preset-description": description(session, lang, source is None),
        }


def _scenario(source: str | None, v: dict[str, Any], root: Path) -> tuple[Scenario, str | None]:
    """The scenario from `source` ("upload", "path") if the page gave one there, else the preset
    chosen; and where it came from (None: the preset). Refused if it cannot be used."""
    if source == "upload" and v["upload"]:
        return uploaded(v["upload"], v["filename"]), source
    if source == "path" and (v["path"] or "").strip():
        return open_scenario(v["path"], root), source
    return load_preset(v["preset"]), None


def relabel(session: Session, lang: str, colour: str) -> dict[str, Any]:
    """Every word that depends on the run, in `lang` (the run itself stays)."""
    return {
        **month_words(session, lang),
        **messages(session, lang),
        "map": network_patch(session, colour, lang, session.month),
        "charts": chart_language(session, lang),
        "preset-description": description(session, lang, True),
    }


def act(trigger: Any, v: dict[str, Any], session: Session) -> dict[str, Any]:
    """Reset, discard or apply (`trigger`), and the whole view anew; an invalid change is said
    in the apply message and changes nothing else."""
    lang = v["lang"]
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
            apply(session, v)
            said["apply-message"] = Message.of(
                "app.applied", "ok", month=lambda x: month_text(session, x)
            )
    except ConfigError as exc:
        error = str(exc)
        said["apply-message"] = Message.of("app.change_error", "error", message=lambda _: error)
        return messages(session, lang)
    return {**redraw(session, lang, v["colour"], v["version"]), **out, **messages(session, lang)}


def apply(session: Session, v: dict[str, Any]) -> None:
    """The controls' values as the session's changes (ConfigError for an invalid one)."""
    rules = {
        i["name"]: field_value(RULES[i["name"]], x)
        for i, x in zip(v["rule_ids"], v["rule_values"], strict=True)
    }
    behaviour = {
        i["name"]: x for i, x in zip(v["behaviour_ids"], v["behaviour_values"], strict=True)
    }
    culture = {i["name"]: x for i, x in zip(v["culture_ids"], v["culture_values"], strict=True)}
    session.change(v["theme"], rules, behaviour, culture)
