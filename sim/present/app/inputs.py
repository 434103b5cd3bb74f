"""What the workshop app accepts from a page: it assumes the page may be hostile (no web code).

`samenspel app` is a server on this machine, and any page open in the same browser can send it
requests (a raw POST to Dash's callback route) or reach it under a name of its own (DNS
rebinding). So the app takes nothing on trust:

- **The Host header.** `host_allowed`: a request must name the address the app listens on.
- **Scenario files.** `open_scenario` (the path box) reads a preset by its name, or a file below
  `scenario_folders(root)` only (the presets, `experiments/` and the folder the app was started
  in), through `sim.io.inputs.read_text` (links resolved, regular files only, a size cap);
  `uploaded` takes an upload up to the same cap. Both parse with `scenario_text`. Every refusal
  is a `Refused`, worded in the page's language, naming what is wrong (a line and column, the
  scenario's own field names) and never quoting the file, so that an error says nothing of a
  file's contents, nor whether a file exists outside those folders.
- **Callback requests.** `check_request` holds a request against the callback it names: the
  same inputs, states and outputs, the controls' patterns matching exactly the page's controls,
  and every value one the page could have sent (`control_fits` for the rules, the culture and
  the behaviour, a table by component and property for the rest). Anything else is refused
  before a callback runs.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.io.inputs import TEXT_LIMIT, InputError, decode, read_text
from sim.model.config import PRESETS, ConfigError, Scenario, list_scenarios, load_preset
from sim.present import i18n
from sim.present.app.fields import CONTROLS, Control, control_of

MOST_PROBLEMS = 8
"""Places of problems a message lists (and says how many more)."""
SEED_MAX = 2**63 - 1
"""The largest seed the seed box takes."""
BODY_LIMIT = 4 * TEXT_LIMIT
"""The most a callback request may carry: an upload of TEXT_LIMIT bytes is 4/3 of it in base64;
up to this size a larger upload is still named in its message."""


class Refused(ConfigError):
    """Why the app will not use what a page sent: the catalogue's `app.refused.KEY` with its
    fields (each a value, or a function of the language). Its text is the English wording;
    `words(lang)` says it in any language."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(self.words("en"))

    def words(self, lang: str) -> str:
        filled = {k: v(lang) if callable(v) else v for k, v in self.fields.items()}
        return i18n.text(f"app.refused.{self.key}", lang, **filled)


def shown(text: str, most: int = 80) -> str:
    """What a page sent, as a message shows it: printable, shortened in the middle."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= most else f"{text[: most // 2 - 1]}…{text[-(most // 2) :]}"


def _megabytes(lang: str) -> str:
    return i18n.number(TEXT_LIMIT / (1 << 20), lang, 0)


def body_size(length: int | None) -> Refused | None:
    """Refused if a request's body is larger than BODY_LIMIT (before it is read)."""
    if length is not None and length > BODY_LIMIT:
        return Refused("body", limit=lambda lang: i18n.number(BODY_LIMIT / (1 << 20), lang, 0))
    return None


# --- the Host header -------------------------------------------------------------------------


def host_allowed(header: str | None, host: str, port: int) -> bool:
    """Whether a request's Host header names the address the app listens on (`host`, `port`).

    A DNS-rebinding page makes the browser send its own domain name here, so a name is never
    accepted except `localhost` for an app on loopback (or on every address); an IP address
    must be the one listened on (any loopback address for loopback, any address for 0.0.0.0
    or ::). No header at all is no browser's request, and passes."""
    if header is None:
        return True
    found = re.fullmatch(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d{1,5}))?", header.strip().lower())
    if found is None or int(found[2] or 80) != port:
        return False
    bound = ipaddress.ip_address(host)
    name = found[1].strip("[]")
    if name == "localhost":
        return bound.is_loopback or bound.is_unspecified
    try:
        given = ipaddress.ip_address(name)
    except ValueError:
        return False
    if bound.is_unspecified:
        return True
    return given.is_loopback if bound.is_loopback else given == bound


# --- scenario files --------------------------------------------------------------------------


def scenario_folders(root: Path) -> tuple[Path, ...]:
    """Where the app reads scenario files: the presets, `experiments/` and `root` (the folder
    it was started in), each with everything below it."""
    return (PRESETS, root / "experiments", root)


def open_scenario(text: str, root: Path) -> Scenario:
    """The scenario named in the path box: a preset by its name, or a file below
    `scenario_folders(root)` (a relative path taken from `root`); Refused otherwise."""
    text = text.strip()
    if text in list_scenarios():
        return load_preset(text)
    try:
        raw = read_text(root / text, "scenario", within=scenario_folders(root))
    except InputError as exc:
        raise Refused(exc.reason, path=shown(text), limit=_megabytes) from None
    return scenario_text(raw, shown(text))


def uploaded(contents: str, filename: str | None) -> Scenario:
    """The scenario in an upload (a dcc.Upload's base64 data URL), read like a file: at most
    sim.io.inputs.TEXT_LIMIT bytes, UTF-8, TOML, validated; Refused otherwise."""
    name = shown(filename or "upload")
    data = contents.partition(",")[2]
    if len(data) > 4 * (TEXT_LIMIT // 3 + 1):  # more base64 than the cap can take
        raise Refused("size", path=name, limit=_megabytes)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("upload", path=name) from None
    if not raw or len(raw) > TEXT_LIMIT:
        raise Refused("size" if raw else "upload", path=name, limit=_megabytes)
    try:
        text = decode(raw, "scenario", name)
    except InputError as exc:
        raise Refused(exc.reason, path=name) from None
    return scenario_text(text, name)


def scenario_text(text: str, name: str) -> Scenario:
    """A scenario file's text, parsed and validated; Refused naming where it is wrong (a line
    and column, or the scenario's own field names) without quoting it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _position(str(exc), text)
        raise Refused("toml", path=name, line=line, column=column) from None
    except RecursionError:
        raise Refused("nested", path=name) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        raise Refused(
            "invalid", path=name, count=len(errors), problems=lambda lang: _problems(errors, lang)
        ) from None


def invalid_change(err: ValidationError) -> Refused:
    """A change the controls made that the scenario does not take, Refused in the page's
    language: each place by its full field path (the app named its own arrangements), and
    what kind of problem it is."""
    errors = err.errors()
    return Refused(
        "change", count=len(errors), problems=lambda lang: _problems(errors, lang, full=True)
    )


def _position(message: str, text: str) -> tuple[int, int]:
    """Where tomllib's message says the error is (its end of document: the last line)."""
    found = re.search(r"at line (\d+), column (\d+)", message)
    if found:
        return int(found[1]), int(found[2])
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _problems(errors: Sequence[Mapping[str, Any]], lang: str, full: bool = False) -> str:
    """One line per place of a problem (the first MOST_PROBLEMS), and how many more."""
    lines = list(dict.fromkeys(_problem(e, lang, full) for e in errors))
    more = len(lines) - MOST_PROBLEMS
    said = [f"- {line}" for line in lines[:MOST_PROBLEMS]]
    if more > 0:
        said.append(i18n.text("app.refused.more", lang, count=i18n.number(more, lang, 0)))
    return "\n".join(said)


def _problem(error: Mapping[str, Any], lang: str, full: bool = False) -> str:
    """Where a validation error is, in the scenario's own field names only (a name the file
    chose itself, such as an own arrangement's, ends the path; `full`: the path is the app's
    own, and the place a validator's message names first is added), and what kind it is."""
    model: type[BaseModel] | None = Scenario
    parts = []
    for part in error["loc"]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if model else None
        if info is None and not full:
            break
        parts.append(str(part))
        model = _nested(info.annotation) if info else None
    named = re.match(r"(?:Value error, )?([\w-]+(?:\.[\w-]+)+):", str(error.get("msg", "")))
    if full and named and named[1].startswith(".".join(parts)):
        parts = [named[1]]  # the validator's own place, under the field it validated
    kind = {"extra_forbidden": "unknown_key", "missing": "missing_key"}.get(error["type"], "wrong")
    place = ".".join(parts) or i18n.text("app.refused.top", lang)
    return f"{place}: {i18n.text(f'app.refused.{kind}', lang)}"


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, or as the elements of a list)."""
    for t in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
    return None


# --- callback requests -----------------------------------------------------------------------

Dep = tuple[Any, str]
"""A component id (a pattern's wildcards written ["ALL"], as Dash does) and a property."""

Check = Callable[[Any], bool]
"""Whether a value is one the page could have sent."""

CONTROL_IDS: tuple[dict[str, str], ...] = tuple(
    {"kind": c.model, "name": c.name, "part": part, **({"type": c.kind} if part == "input" else {})}
    for controls in CONTROLS.values()
    for c in controls.values()
    for part in ("label", "value", "input")
)
"""The ids of the controls' components, in the page's order (sim/present/app/layout.py)."""


def signature(key: str, callback: Mapping[str, Any]) -> tuple[list[Dep], list[Dep], list[Dep]]:
    """A callback's outputs, inputs and states, from its key and entry in Dash's callback map."""
    outputs = key[2:-2].split("...") if key.startswith("..") else [key]

    def dep(component: str, prop: str) -> Dep:
        return (json.loads(component) if component.startswith("{") else component), prop

    return (
        [dep(*o.rsplit(".", 1)) for o in outputs],
        [dep(d["id"], d["property"]) for d in callback["inputs"]],
        [dep(d["id"], d["property"]) for d in callback.get("state", [])],
    )


def control_fits(c: Control, value: Any) -> bool:
    """Whether `value` is one the control's component can hold (None: not yet set)."""
    if value is None:
        return True
    if c.kind == "slider":
        number = type(value) in (int, float) and math.isfinite(value)
        return number and c.minimum <= value <= c.maximum
    if c.kind == "choice":
        return type(value) is str and value in c.choices
    allowed = ("yes",) if c.kind == "switch" else c.choices
    return type(value) is list and all(type(v) is str and v in allowed for v in value)


def _matches(pattern: Mapping[str, Any], component: Mapping[str, Any]) -> bool:
    return pattern.keys() == component.keys() and all(
        v == ["ALL"] or v == component[k] for k, v in pattern.items()
    )


def _stringify(component: Any) -> str:
    """A component id as Dash writes it in `changedPropIds`."""
    if isinstance(component, dict):
        return json.dumps(component, sort_keys=True, separators=(",", ":"))
    return component


def _entry(entry: Any, dep: Dep, values: Mapping[tuple[str, str], Check] | None) -> bool:
    """Whether a request's entry for `dep` is what the page sends for it (and, given `values`,
    holds a value the page could have sent)."""
    component, prop = dep
    if not isinstance(component, dict):
        return (
            isinstance(entry, dict)
            and entry.get("id") == component
            and entry.get("property") == prop
            and (values is None or values[dep](entry.get("value")))
        )
    if not isinstance(entry, list) or not all(isinstance(e, dict) for e in entry):
        return False
    expected = [c for c in CONTROL_IDS if _matches(component, c)]
    if [e.get("id") for e in entry] != expected or any(e.get("property") != prop for e in entry):
        return False
    if values is None:
        return True
    if prop == "id":
        return all(e.get("value") == e["id"] for e in entry)
    return all(control_fits(control_of(e["id"]), e.get("value")) for e in entry)


def check_request(
    body: Any,
    signatures: Mapping[str, tuple[list[Dep], list[Dep], list[Dep]]],
    values: Mapping[tuple[str, str], Check],
) -> Refused | None:
    """Why a request to Dash's callback route is not one the page sends (None if it is): it
    names a callback of the app, lists exactly that callback's outputs, inputs and states,
    every value is one the page could have sent (`values` by component and property, the
    controls by `control_fits`), and what it says changed is among its inputs."""
    key = body.get("output") if isinstance(body, dict) else None
    if not isinstance(key, str) or key not in signatures:
        return Refused("value", what="output")
    outputs, inputs, states = signatures[key]
    sent_outputs = body.get("outputs")
    sent = {
        "outputs": sent_outputs if key.startswith("..") else [sent_outputs],
        "inputs": body.get("inputs"),
        "state": body.get("state", []),
    }
    for part, deps in (("outputs", outputs), ("inputs", inputs), ("state", states)):
        entries = sent[part]
        if not isinstance(entries, list) or len(entries) != len(deps):
            return Refused("value", what=part)
        for entry, dep in zip(entries, deps, strict=True):
            if not _entry(entry, dep, None if part == "outputs" else values):
                if dep == ("seed", "value"):
                    return Refused("seed", most=lambda lang: i18n.number(SEED_MAX, lang, 0))
                return Refused("value", what=_what(dep))
    return _changed(body.get("changedPropIds", []), sent["inputs"])


def _what(dep: Dep) -> str:
    component, prop = dep
    name = component.get("part", "") if isinstance(component, dict) else component
    return f"{name}.{prop}"


def _changed(changed: Any, inputs: list[Any]) -> Refused | None:
    """Refused unless every id in `changedPropIds` is one of the request's inputs."""
    known = {
        f"{_stringify(e['id'])}.{e['property']}"
        for entry in inputs
        for e in (entry if isinstance(entry, list) else [entry])
    }
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in known for c in changed):
        return Refused("value", what="changedPropIds")
    return None


def request_language(body: Any, default: str) -> str:
    """The page's language as a request states it (its `lang` input or state), if valid."""
    if isinstance(body, dict):
        for part in ("inputs", "state"):
            entries = body.get(part)
            for e in entries if isinstance(entries, list) else []:
                if isinstance(e, dict) and e.get("id") == "lang":
                    lang = e.get("value")
                    return lang if lang in i18n.LANGUAGES else default
    return default
