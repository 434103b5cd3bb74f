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

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from sim.model.amend import amend
from sim.model.config import ConfigError, Scenario, load_preset
from sim.model.model import RegionModel
from sim.present import i18n
from sim.present.animate import STATE_WORDS
from sim.present.app.fields import BEHAVIOUR, CULTURE, RULE_FIELDS, RULES, Control
from sim.present.app.inputs import Refused, invalid_change, shown
from sim.present.view import STRIP, Frame, Viewer, strip_values

OWN_PREFIX = "own-"
"""An own arrangement for a theme is called OWN_PREFIX + theme."""

MAX_SESSIONS = 64
"""The sessions a server keeps (one per open page)."""

DEFAULT_SCENARIO = "split-2022"
"""The preset a new page starts with."""


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
            raise Refused("value", what=f"governance.{shown(theme)}")
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
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise invalid_change(err) from None


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
    """One tab's run: the scenario as chosen (the baseline), its changes, the run in view.

    A change applied after the first month takes effect from the next month on (sim/model/
    amend.py): the months before keep the rules they ran under, and `changed_at` lists the
    months from which other rules held. `start` is the scenario in force at the run's start,
    `amendments` the changes made later, by month, so that the run can be built again (same
    seed, same changes in the same months: the same run)."""

    base: Scenario
    seed: int = 0
    source: str | None = None  # the file's name, for a scenario from a file
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    behaviour: dict[str, Any] = field(default_factory=dict)
    culture: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario = field(init=False)
    start: Scenario = field(init=False)
    amendments: list[tuple[int, Scenario]] = field(default_factory=list)
    viewer: Viewer = field(init=False)
    frame: Frame = field(init=False)
    series: Series = field(init=False)
    trust: list[tuple[float | None, ...]] = field(init=False)  # per month, from the initial
    messages: dict[str, Message] = field(default_factory=dict)  # by the element showing it
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.scenario = self.start = self.base
        self.restart()

    @property
    def month(self) -> int:
        return self.viewer.month

    @property
    def changes(self) -> bool:
        return any(self.rules.values()) or bool(self.behaviour) or bool(self.culture)

    @property
    def changed_at(self) -> list[int]:
        """The months (0 = the first) from which changed rules held, in order, each once."""
        return sorted({month for month, _ in self.amendments})

    def restart(self, to_month: int = 0) -> None:
        """The run from its start (its changes applied in their months), stepped on to
        `to_month` months (to continue where it was)."""
        self.viewer = Viewer(self.start, self.seed)
        self.frame = self.viewer.initial()
        self.series = {key: [] for key in STRIP}
        self.trust = [trust_values(self.viewer.meta, self.frame)]
        for month, scenario in self.amendments:
            if month == 0:
                self._amend(scenario)
        while self.viewer.month < min(to_month, self.viewer.months):
            self.step()

    def reset(self) -> None:
        """The run from its start under the rules in force now (the changes' months
        forgotten)."""
        self.start, self.amendments = self.scenario, []
        self.restart()

    def step(self) -> Frame | None:
        """One month on (None when the run has ended)."""
        if self.viewer.done:
            return None
        self.frame = self.viewer.step()
        for key in STRIP:
            self.series[key].append(self.frame["strip"][key])
        self.trust.append(trust_values(self.viewer.meta, self.frame))
        for month, scenario in self.amendments:
            if month == self.month:
                self._amend(scenario)
        return self.frame

    def _amend(self, scenario: Scenario) -> None:
        """`scenario`'s rules in force from the next month on, in the model and in what the
        page says of the arrangements."""
        viewer = self.viewer
        amend(viewer.model, scenario)
        viewer.scenario = scenario
        for said, theme in zip(viewer.meta["themes"], viewer.model.themes, strict=True):
            said["arrangement"] = {
                lang: i18n.label(theme.arrangement, lang) for lang in i18n.LANGUAGES
            }

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
        *,
        from_start: bool = False,
    ) -> None:
        """Set `theme`'s rules, the behaviour and the culture to the controls' values: from
        the next month on (the months run so far keep their rules), or, `from_start`, in a
        run built again from its start and stepped on to the month it was at. Only what
        differs from the scenario as chosen is kept as a change; a control not yet set (None)
        keeps the value in force. Raises ConfigError (and keeps the run as it was) for an
        invalid one."""
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
        self._take(scenario, from_start)
        self.rules, self.behaviour, self.culture = new_rules, new_behaviour, new_culture

    def _take(self, scenario: Scenario, from_start: bool) -> None:
        """`scenario` in force: from the next month on, or from the start (ConfigError, and
        nothing changed, where the run cannot take it mid-way)."""
        if scenario == self.scenario and not from_start:
            return  # nothing changed: no mark in the charts
        if from_start or self.month == 0:
            self.start, self.amendments = scenario, []
            self.scenario = scenario
            self.restart(self.month)
            return
        try:
            self._amend(scenario)  # checks first: a refused one changes nothing
        except ConfigError as exc:
            raise Refused("midrun", what=str(exc).partition(":")[0]) from None
        self.amendments.append((self.month, scenario))
        self.scenario = scenario

    def discard(self, *, from_start: bool = False) -> None:
        """Back to the scenario as chosen: from the next month on, or from the start."""
        self._take(self.base, from_start)
        self.rules, self.behaviour, self.culture = {}, {}, {}

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
