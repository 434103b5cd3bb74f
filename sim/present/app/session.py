"""The workshop app's model side: controls, scenarios built from them, sessions (no web code).

Everything `samenspel app` shows of a run comes from here and from sim/present/app/display.py, so
that this part is tested without a browser and the web stack stays out of it.

- **Controls.** `RULE_FIELDS` are the rules a facilitator may change per theme,
  `CULTURE_FIELDS` the ways the partners work together (the `[culture]` table) and
  `BEHAVIOUR_FIELDS` the behavioural assumptions; `control()` reads each one's kind, range and
  choices from its pydantic field in sim/model/config.py, so a slider's range is the range a
  scenario file may use.
- **Scenarios.** `build_scenario` turns the controls into a `Scenario` the way a scenario file
  does it: for each changed theme an own arrangement `based_on` the theme's current one plus
  the changed rules (`[arrangements.NAME]`), and the changed `[culture]` and `[behaviour]`
  values; sim.model.config validates it and raises ConfigError naming any bad field.
- **Sessions.** A `Session` holds one browser tab's run: the scenario as chosen (its run with the
  same seed is the baseline, computed once per scenario and seed by `baseline`), the changes, and a
  `Viewer` (sim/present/view.py) stepped a month at a time, with the trust along every edge of
  the network per month (`trust_values`). `SessionStore` keeps them by session id, behind a lock,
  the least recently used dropped beyond a bound.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, cast, get_args, get_origin

from annotated_types import Ge, Gt, Le
from pydantic import BaseModel

from sim.model.config import (
    Arrangement,
    Behaviour,
    ConfigError,
    Culture,
    Scenario,
    load_preset,
    scenario_from_dict,
)
from sim.model.model import RegionModel
from sim.present import i18n
from sim.present.animate import STATE_WORDS
from sim.present.view import STRIP, Frame, Viewer, strip_values

RULE_FIELDS = (
    "meeting_interval_months",
    "decision",
    "approval_threshold",
    "veto",
    "participation",
    "modes",
    "cost_allocation",
    "monitoring",
    "sanction",
    "tailoring",
    "exit_fee_years",
)
"""The rules the app lets a facilitator change per theme (fields of `Arrangement`)."""

BEHAVIOUR_FIELDS = tuple(
    name for name, info in Behaviour.model_fields.items() if info.annotation in (int, float)
)
"""The behavioural assumptions shown as sliders: every numeric field of `Behaviour`."""

CULTURE_FIELDS = tuple(Culture.model_fields)
"""The ways of working together, apart from the rules: every field of `Culture` (each a
number, so each a slider)."""

OWN_PREFIX = "own-"
"""An own arrangement for a theme is called OWN_PREFIX + theme."""

MAX_SESSIONS = 64
"""The sessions a server keeps (one per open page)."""

DEFAULT_SCENARIO = "split-2022"
"""The preset a new page starts with."""


# --- controls --------------------------------------------------------------------------------

ControlKind = Literal["slider", "choice", "multi", "switch"]


@dataclass(frozen=True)
class Control:
    """One control: what kind, its range and step (sliders) or its choices."""

    model: str  # "rule", "culture" or "behaviour" (`KINDS`)
    name: str
    kind: ControlKind
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 1.0
    integer: bool = False
    choices: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        """A control's value as the field takes it (a slider's 1 for a float field is 1.0)."""
        if self.kind == "slider":
            return round(value) if self.integer else float(value)
        if self.kind == "switch":
            return bool(value)
        if self.kind == "multi":
            return [c for c in self.choices if c in (value or [])]  # the field's own order
        return value

    def marks(self, lang: str) -> dict[float, str]:
        """A slider's end marks, as numbers read in `lang`."""
        decimals = 0 if self.integer else (0 if self.maximum >= 5 else 1)
        return {
            v: i18n.number(v, lang, decimals if v != int(v) else 0)
            for v in (self.minimum, self.maximum)
        }

    def shown(self, value: Any, lang: str) -> str:
        """A slider's value as a person reads it in `lang` (decimal comma in Dutch)."""
        if value is None:
            return i18n.text("common.not_available", lang)
        decimals = 0 if self.integer else max(0, -math.floor(math.log10(self.step)))
        return i18n.number(float(value), lang, decimals)


def _step(low: float, high: float) -> float:
    return 10.0 ** math.floor(math.log10((high - low) / 100.0))


KINDS: dict[str, type[BaseModel]] = {
    "rule": Arrangement,
    "culture": Culture,
    "behaviour": Behaviour,
}
"""The kinds of control, in the page's order, and the model each one's fields are of."""


def control(model: type[BaseModel], name: str) -> Control:
    """The control for field `name` of `Arrangement`, `Culture` or `Behaviour`, from its
    declaration."""
    info = model.model_fields[name]
    ann = info.annotation
    which = next(kind for kind, m in KINDS.items() if m is model)
    if ann is bool:
        return Control(which, name, "switch")
    if get_origin(ann) is Literal:
        return Control(which, name, "choice", choices=tuple(get_args(ann)))
    if get_origin(ann) is list:
        (inner,) = get_args(ann)
        return Control(which, name, "multi", choices=tuple(get_args(inner)))
    if ann in (int, float):
        return _slider(which, name, info.metadata, integer=ann is int, where=model.__name__)
    raise TypeError(f"{model.__name__}.{name}: no control for {ann!r}")


def _slider(which: str, name: str, metadata: list[Any], integer: bool, where: str) -> Control:
    """A slider over a number field's range (its `ge`/`gt` and `le` bounds)."""
    low = high = None
    for m in metadata:
        if isinstance(m, Ge):
            low = float(cast(float, m.ge))
        elif isinstance(m, Gt):
            low = float(cast(float, m.gt))
        elif isinstance(m, Le):
            high = float(cast(float, m.le))
    if low is None or high is None:
        raise TypeError(f"{where}.{name} has no range to make a slider of")
    step = 1.0 if integer else _step(low, high)
    if any(isinstance(m, Gt) for m in metadata):
        low += step  # an open lower bound: the first step above it
    return Control(which, name, "slider", low, high, step, integer)


RULES: dict[str, Control] = {name: control(Arrangement, name) for name in RULE_FIELDS}
CULTURE: dict[str, Control] = {name: control(Culture, name) for name in CULTURE_FIELDS}
BEHAVIOUR: dict[str, Control] = {name: control(Behaviour, name) for name in BEHAVIOUR_FIELDS}
CONTROLS: dict[str, dict[str, Control]] = {
    "rule": RULES,
    "culture": CULTURE,
    "behaviour": BEHAVIOUR,
}
"""Every control by its kind (`KINDS`) and name."""


def control_of(component: Mapping[str, str]) -> Control:
    """The control behind a page component's id (its `kind` and `name`)."""
    return CONTROLS[component["kind"]][component["name"]]


def rule_label(name: str, lang: str) -> str:
    return i18n.text(f"app.rule.{name}", lang)


def culture_label(name: str, lang: str) -> str:
    return i18n.text(f"app.culture.{name}", lang)


def behaviour_label(name: str, lang: str) -> str:
    return i18n.text(f"app.behaviour.{name}", lang)


def control_label(component: Mapping[str, str], lang: str) -> str:
    """The words beside a page component (by its id's `kind` and `name`) in `lang`."""
    return i18n.text(f"app.{component['kind']}.{component['name']}", lang)


def choice_label(value: str, lang: str) -> str:
    """A rule value's name (`vote`, `opt_in`, `late_entry`, ...) in `lang`."""
    return i18n.text(f"app.value.{value}", lang)


def state_label(state: str, lang: str) -> str:
    """What the circles can be coloured by (the animation's words)."""
    return i18n.text(f"animate.{STATE_WORDS[state]}", lang)


@lru_cache(maxsize=256)
def preset_description(name: str, lang: str) -> str:
    """A preset's description in `lang` (its file's `description` / `description_nl`)."""
    return i18n.description(load_preset(name), lang)


# --- scenarios from the controls -------------------------------------------------------------


def own_name(theme: str) -> str:
    return OWN_PREFIX + theme


def rule_values(scenario: Scenario, theme: str) -> dict[str, Any]:
    """The values of the app's rules in force for `theme` under `scenario`."""
    arrangement = scenario.arrangement(scenario.governance[theme])
    return {name: getattr(arrangement, name) for name in RULE_FIELDS}


def changed(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of `wanted` that differ from `current`."""
    return {k: v for k, v in wanted.items() if current.get(k) != v}


def build_scenario(
    base: Scenario,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    behaviour: Mapping[str, Any] | None = None,
    culture: Mapping[str, Any] | None = None,
) -> Scenario:
    """`base` with changed rules per theme, changed behavioural assumptions and a changed
    culture.

    Each theme in `rules` gets an own arrangement `based_on` its current one (a preset, or the
    preset that a scenario's own arrangement is based on, with that arrangement's changes), plus
    the changed rules, exactly as a scenario file's `[arrangements.NAME]` table; `behaviour`
    values replace those of `[behaviour]`, `culture` values those of `[culture]`. Raises
    ConfigError naming any bad field.
    """
    data = base.model_dump()
    for theme, changes in (rules or {}).items():
        if theme not in base.governance:
            raise ConfigError(
                f"governance.{theme}: not a theme of scenario {base.name!r}; "
                f"allowed: {', '.join(base.governance)}"
            )
        if not changes:
            continue
        current = base.governance[theme]
        spec = dict(base.arrangements.get(current, {"based_on": current}))
        spec.update(changes)
        data["arrangements"][own_name(theme)] = spec
        data["governance"][theme] = own_name(theme)
    if behaviour:
        data["behaviour"] = {**data["behaviour"], **behaviour}
    if culture:
        data["culture"] = {**data["culture"], **culture}
    return scenario_from_dict(data, source=f"scenario {base.name!r} with the app's changes")


# --- the baseline ----------------------------------------------------------------------------


Series = dict[str, list[float | None]]


@lru_cache(maxsize=32)
def _baseline(scenario_json: str, seed: int) -> tuple[tuple[float | None, ...], ...]:
    scenario = Scenario.model_validate_json(scenario_json)
    model = RegionModel(scenario, seed=seed)
    rows = []
    while model.running:  # month by month: the viewer's own series are read off the model
        model.step()
        rows.append(strip_values(model))
    return tuple(tuple(row[key] for row in rows) for key in STRIP)


def baseline(scenario: Scenario, seed: int) -> Series:
    """The strip's series of a whole run of `scenario` (computed once per scenario and seed)."""
    columns = _baseline(scenario.model_dump_json(), seed)
    return {key: list(col) for key, col in zip(STRIP, columns, strict=True)}


# --- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A message the page shows (a load error, "Applied; the run is back at ..."), worded in
    every language when it is said, so that a language switch shows it in the new one."""

    texts: Mapping[str, str]
    css: str = ""

    @classmethod
    def of(cls, key: str, css: str = "", **fields: Callable[[str], object]) -> Message:
        """The catalogue's `key`, each field worded per language by `fields[name](lang)`."""
        return cls(
            {
                lang: i18n.text(key, lang, **{k: f(lang) for k, f in fields.items()})
                for lang in i18n.LANGUAGES
            },
            css,
        )


@dataclass
class Session:
    """One tab's run: the scenario as chosen (the baseline), its changes, the run in view."""

    base: Scenario
    seed: int = 0
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    behaviour: dict[str, Any] = field(default_factory=dict)
    culture: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario = field(init=False)
    viewer: Viewer = field(init=False)
    frame: Frame = field(init=False)
    series: Series = field(init=False)
    trust: list[tuple[float | None, ...]] = field(init=False)  # per month, from the initial
    messages: dict[str, Message] = field(default_factory=dict)  # by the element showing it
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.scenario = self.base
        self.restart()

    @property
    def month(self) -> int:
        return self.viewer.month

    @property
    def changes(self) -> bool:
        return any(self.rules.values()) or bool(self.behaviour) or bool(self.culture)

    def restart(self, to_month: int = 0) -> None:
        """The run from its start, stepped on to `to_month` months (to continue where it was)."""
        self.viewer = Viewer(self.scenario, self.seed)
        self.frame = self.viewer.initial()
        self.series = {key: [] for key in STRIP}
        self.trust = [trust_values(self.viewer.meta, self.frame)]
        while self.viewer.month < min(to_month, self.viewer.months):
            self.step()

    def step(self) -> Frame | None:
        """One month on (None when the run has ended)."""
        if self.viewer.done:
            return None
        self.frame = self.viewer.step()
        for key in STRIP:
            self.series[key].append(self.frame["strip"][key])
        self.trust.append(trust_values(self.viewer.meta, self.frame))
        return self.frame

    def trust_changes(self, since: int) -> dict[int, float | None]:
        """Edge index -> trust now, for the edges whose trust differs from what it was after
        `since` months (what a page that shows month `since` must change)."""
        then = self.trust[min(max(since, 0), len(self.trust) - 1)]
        now = self.trust[-1]
        return {k: v for k, (u, v) in enumerate(zip(then, now, strict=True)) if u != v}

    def change(
        self,
        theme: str | None,
        rules: Mapping[str, Any] | None = None,
        behaviour: Mapping[str, Any] | None = None,
        culture: Mapping[str, Any] | None = None,
    ) -> None:
        """Set `theme`'s rules, the behaviour and the culture to the controls' values, then
        rebuild the run and step it on to the month it was at. Only what differs from the
        scenario as chosen is kept as a change; a control not yet set (None) keeps the value
        in force. Raises ConfigError (and keeps the run as it was) for an invalid one."""
        new_rules = {k: dict(v) for k, v in self.rules.items()}
        if theme is not None and rules is not None:
            wanted = _set(RULES, rule_values(self.scenario, theme), rules)
            new_rules[theme] = changed(rule_values(self.base, theme), wanted)
        new_behaviour = dict(self.behaviour)
        if behaviour is not None:
            wanted = _set(BEHAVIOUR, self.scenario.behaviour.model_dump(), behaviour)
            new_behaviour = changed(self.base.behaviour.model_dump(), wanted)
        new_culture = dict(self.culture)
        if culture is not None:
            wanted = _set(CULTURE, self.scenario.culture.model_dump(), culture)
            new_culture = changed(self.base.culture.model_dump(), wanted)
        scenario = build_scenario(self.base, new_rules, new_behaviour, new_culture)
        self.rules, self.behaviour, self.culture = new_rules, new_behaviour, new_culture
        self.scenario = scenario
        self.restart(self.month)

    def discard(self) -> None:
        """Back to the scenario as chosen, at the same month."""
        self.rules, self.behaviour, self.culture, self.scenario = {}, {}, {}, self.base
        self.restart(self.month)

    def baseline(self) -> Series:
        return baseline(self.base, self.seed)


def _set(
    controls: Mapping[str, Control], in_force: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    """The values in force, with the controls' values as their fields take them; a control
    not yet set (None) leaves its value in force."""
    return {
        **in_force,
        **{k: controls[k].coerce(v) for k, v in values.items() if v is not None},
    }


class SessionStore:
    """Sessions by id, behind a lock; beyond `most` the least recently used is dropped."""

    def __init__(self, most: int = MAX_SESSIONS) -> None:
        self.most = most
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sid: str) -> Session | None:
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None:
                self._sessions.move_to_end(sid)
            return session

    def put(self, sid: str, session: Session) -> Session:
        with self._lock:
            self._sessions[sid] = session
            self._sessions.move_to_end(sid)
            while len(self._sessions) > self.most:
                self._sessions.popitem(last=False)
        return session

    def session(self, sid: str) -> Session:
        """The session `sid`; one of the default scenario should the store have none (it was
        dropped, or the page was loaded before the server started)."""
        session = self.get(sid)
        if session is None:
            session = self.put(sid, Session(load_preset(DEFAULT_SCENARIO)))
        return session

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def __contains__(self, sid: object) -> bool:
        with self._lock:
            return sid in self._sessions


# --- trust along the network's edges ---------------------------------------------------------


def edges(meta: Frame) -> list[tuple[int, int]]:
    """Every directed pair (i trusts j), in a fixed order."""
    n = len(meta["municipalities"])
    return [(i, j) for i in range(n) for j in range(n) if i != j]


def trust_values(meta: Frame, frame: Frame) -> tuple[float | None, ...]:
    """Trust along every edge of `edges(meta)`, rounded as drawn."""
    return tuple(
        None if frame["trust"][i][j] is None else round(frame["trust"][i][j], 3)
        for i, j in edges(meta)
    )
