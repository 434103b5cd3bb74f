"""What the workshop app's run callback does (sim/present/app/callbacks.py): start a session on
a scenario (a preset, a file by its path, an upload) and seed, or act on the page's session:
play and pause, reset, apply and discard the controls' changes, re-word the page in another
language, colour the network view by another state. Each returns what changes on the page, by
element id (sim/present/app/updates.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.model.config import ConfigError, Scenario, load_preset
from sim.present import i18n
from sim.present.app.controls import field_value
from sim.present.app.display import month_text
from sim.present.app.figures import chart_language, network_patch
from sim.present.app.inputs import Refused, open_scenario, shown, uploaded
from sim.present.app.layout import asked_present, colour_scale
from sim.present.app.session import (
    DEFAULT_SCENARIO,
    RULES,
    Message,
    Session,
    SessionStore,
)
from sim.present.app.updates import (
    PLACEHOLDER,
    change_note,
    description,
    messages,
    month_words,
    redraw,
)

RUN_ARGS = (
    *("play", "pause", "reset", "apply", "rerun", "discard"),
    *("preset", "load", "submit", "upload", "seed", "lang", "colour"),
    *("sid", "version", "shown", "path", "filename", "theme", "present", "search"),
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
            return relabel(session, v["lang"], v["colour"], big(v))
        if trigger == "colour":
            return {
                "map": network_patch(session, v["colour"], v["lang"], session.month),
                "colour-scale": colour_scale(v["colour"], v["lang"]),
            }
        return act(trigger, v, session)


def start(trigger: Any, v: dict[str, Any], sessions: SessionStore, root: Path) -> dict[str, Any]:
    """A new session on the scenario and seed the page names. A scenario that cannot be used
    is said in the load message: the page's session, if it has one, stays as it was; a new
    page gets the default scenario. A file's name takes the preset box's place."""
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
    session = Session(scenario, v["seed"] or 0)  # or: an empty seed box
    if source is not None:
        session.source = shown(v["filename"] if source == "upload" else v["path"].strip())
    elif trigger == "seed" and (earlier := sessions.get(sid)) is not None:
        session.source = earlier.source  # another seed, the same file
    sessions.put(sid, session)
    with session.lock:
        if problem is not None:
            session.messages["load-message"] = problem
        return {
            **redraw(session, lang, v["colour"], v["version"], big(v)),
            **messages(session, lang),
            **preset_box(session, lang),
            "clock": True,
        }


def big(v: dict[str, Any]) -> bool:
    """Whether the page is in presentation mode: its toggle, or (before the toggle has
    followed it, as on the page's first call) its address."""
    return bool(v["present"]) or (not v["version"] and asked_present(v["search"]) is True)


def _scenario(source: str | None, v: dict[str, Any], root: Path) -> tuple[Scenario, str | None]:
    """The scenario from `source` ("upload", "path") if the page gave one there, else the preset
    chosen; and where it came from (None: the preset). Refused if it cannot be used."""
    if source == "upload" and v["upload"]:
        return uploaded(v["upload"], v["filename"]), source
    if source == "path" and (v["path"] or "").strip():
        return open_scenario(v["path"], root), source
    return load_preset(v["preset"] or DEFAULT_SCENARIO), None


def relabel(session: Session, lang: str, colour: str, large: bool) -> dict[str, Any]:
    """Every word that depends on the run, in `lang` (the run itself stays)."""
    return {
        **month_words(session, lang),
        **messages(session, lang),
        **preset_box(session, lang),
        "map": network_patch(session, colour, lang, session.month),
        "charts": chart_language(session, lang, large),
        "change-note": change_note(session, lang),
        "colour-scale": colour_scale(colour, lang),
    }


def preset_box(session: Session, lang: str) -> dict[str, Any]:
    """The preset box and the description under it: the preset's, or, for a scenario from a
    file, no preset chosen, the file's name in its place and the file's description."""
    if session.source is None:
        return {
            "preset": session.base.name,
            "preset-description": description(session, lang, True),
        }
    return {
        "preset": None,
        PLACEHOLDER: i18n.text("app.own_file", lang, name=session.source),
        "preset-description": description(session, lang, False),
    }


def act(trigger: Any, v: dict[str, Any], session: Session) -> dict[str, Any]:
    """Reset, discard, apply from the next month on, or apply in a run from the start
    (`trigger`), and the whole view anew; an invalid change is said in the apply message (in
    the page's language) and changes nothing else."""
    lang = v["lang"]
    out: dict[str, Any] = {}
    said = session.messages
    mid = session.month > 0
    try:
        if trigger == "b-reset":
            session.reset()
            out["clock"] = True
        elif trigger == "b-discard":
            session.discard()
            said["apply-message"] = _said(session, "app.discarded_from" if mid else "app.discarded")
        elif trigger in ("b-apply", "b-rerun"):
            apply(session, v, from_start=trigger == "b-rerun")
            key = "app.rerun_done" if trigger == "b-rerun" else "app.applied_from"
            said["apply-message"] = _said(session, key if mid else "app.applied")
    except ConfigError as exc:
        words = exc.words if isinstance(exc, Refused) else lambda _, e=str(exc): e
        said["apply-message"] = Message.of("app.change_error", "error", message=words)
        return messages(session, lang)
    return {
        **redraw(session, lang, v["colour"], v["version"], big(v)),
        **out,
        **messages(session, lang),
    }


def _said(session: Session, key: str) -> Message:
    """A change's message: `key` with the month it holds from and the month the run is at."""
    start = session.viewer.meta["start_year"]
    return Message.of(
        key,
        "ok",
        month=lambda lang: month_text(session, lang),
        since=lambda lang: i18n.month_label(start, session.month, lang),
    )


def apply(session: Session, v: dict[str, Any], from_start: bool = False) -> None:
    """The controls' values as the session's changes (ConfigError for an invalid one)."""
    rules = {
        i["name"]: field_value(RULES[i["name"]], x)
        for i, x in zip(v["rule_ids"], v["rule_values"], strict=True)
    }
    behaviour = {
        i["name"]: x for i, x in zip(v["behaviour_ids"], v["behaviour_values"], strict=True)
    }
    culture = {i["name"]: x for i, x in zip(v["culture_ids"], v["culture_values"], strict=True)}
    session.change(v["theme"], rules, behaviour, culture, from_start=from_start)
