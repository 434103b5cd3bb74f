"""The scenario: its schema, and its loading from a preset or a file.

Everything a run depends on is declared as data and checked on load, so a typo in a scenario
file is caught before anything runs or is written. Its parts (themes, region, arrangements,
behaviour, culture, shocks, the strict base) are sim/model/schema.py; how a validation error
reads is sim/model/messages.py. This module puts them together, loads the data and presets, and
re-exports the names of both, so `from sim.model.config import ...` gives any of them.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.io.inputs import ConfigError, check_name, read_text
from sim.model.messages import (
    SHOWN_PROBLEMS,
    capped,
    error_lines,
    format_validation_error,
    key_homes,
    shown_value,
)
from sim.model.schema import (
    CULTURE_TABLE,
    SAFE_NAME,
    SAFE_NAME_HINT,
    Arrangement,
    Behaviour,
    ContributionType,
    Culture,
    Mode,
    MunicipalitySpec,
    RegionSpec,
    Shock,
    Strict,
    Theme,
    Unit,
    safe_name,
)

__all__ = [
    "PRESETS",
    "REGION_KINDS",
    "SAFE_NAME",
    "SAFE_NAME_HINT",
    "SCENARIO_TABLES",
    "SHOWN_PROBLEMS",
    "Arrangement",
    "Behaviour",
    "ConfigError",
    "ContributionType",
    "Culture",
    "Mode",
    "MunicipalitySpec",
    "RegionSpec",
    "Scenario",
    "Shock",
    "Strict",
    "Theme",
    "Unit",
    "capped",
    "error_lines",
    "field_meanings",
    "format_validation_error",
    "list_scenarios",
    "load_arrangement_presets",
    "load_preset",
    "load_region_spec",
    "load_scenario",
    "load_themes",
    "read_toml",
    "region_size",
    "safe_name",
    "scenario_from_dict",
    "scenario_path",
    "toml_literal",
    "unchanged_overrides",
]


class Scenario(Strict):
    """A scenario: a region, a governance arrangement per theme, behaviour and events.

    Validated and frozen: make one with `load_scenario` (a preset or a file, with overrides)
    rather than by hand; `model_dump(mode="json")` gives it as a scenario file's table.

    Example:
        >>> from sim import load_scenario
        >>> scenario = load_scenario("grd-2004", years=2)
        >>> scenario.name, scenario.start_year, scenario.months
        ('grd-2004', 2004, 24)
        >>> scenario.resolved_arrangements()["social"].decision  # the rules in force
        'party_lines'
    """

    name: str = Field(description="the scenario's name; it names its result folder")
    description: str = Field("", description="what the scenario is, in English")
    description_nl: str = Field(
        "", description="the same in Dutch (samenspel scenarios --lang nl, the app)"
    )
    region: str = Field(
        "drechtsteden",
        description="'drechtsteden', 'synthetic:N' (N municipalities, 2..400) or 'identical:N' "
        "(N identical municipalities, 2..400, for docking with laboratory experiments)",
    )
    start_year: Annotated[int, Field(ge=1990, le=2100)] = Field(
        2024, description="the calendar year the run starts in (in January)"
    )
    years: Annotated[int, Field(ge=1, le=100)] = Field(10, description="horizon in years")
    governance: Annotated[dict[str, str], Field(min_length=1)] = Field(
        description="theme -> arrangement name"
    )
    arrangements: dict[str, dict[str, object]] = Field(
        default_factory=dict,
        description="arrangements defined here: based_on = a preset, plus the rules to change",
    )
    previous_governance: dict[str, str] = Field(
        default_factory=dict,
        description="theme -> the arrangement before the start; a change costs a transition",
    )
    replaces: str | None = Field(
        None,
        description="the name of the situation previous_governance describes (e.g. a preset "
        "such as 'split-2022'); `samenspel whatif` names its default base so",
    )
    themes: dict[str, dict[str, object]] = Field(
        default_factory=dict,
        description="theme -> characteristics to change (e.g. social.scale_elasticity); "
        "the rest as in the theme data",
    )
    initial_trust: Unit | None = Field(
        None,
        description="trust every municipality places in every other at the start; "
        "default: the region's data (0.6 between neighbours, 0.5 with the centre)",
    )
    behaviour: Behaviour = Field(
        default_factory=Behaviour, description="the behavioural parameters: a [behaviour] table"
    )
    culture: Culture = Field(default_factory=Culture, description=CULTURE_TABLE)
    shocks: list[Shock] = Field(
        default_factory=list, description="budget cuts at given months: [[shocks]] tables"
    )
    shock_probability: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0, description="yearly probability of a random budget shock (cut 0.2, 24 months)"
    )
    salience_spread: Annotated[float, Field(ge=0.0, le=3.0)] = Field(
        1.0,
        description="scales each municipality's salience away from the regional mean per "
        "theme: 0 = identical interests, above 1 = more divergent interests",
    )

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        return safe_name(name)

    @field_validator("replaces")
    @classmethod
    def _known_replaces(cls, name: str | None) -> str | None:
        if name is None:
            return None
        presets = list_scenarios()
        if name not in presets:
            guess = difflib.get_close_matches(name, presets, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ValueError(
                f"{shown_value(name)} is not a preset{hint}; replaces names the preset whose "
                f"governance previous_governance describes; allowed: {', '.join(presets)}"
            )
        return name

    @field_validator("governance")
    @classmethod
    def _known_themes(cls, governance: dict[str, str]) -> dict[str, str]:
        themes = load_themes()
        for theme in governance:
            if theme not in themes:
                raise ValueError(f"unknown theme {theme!r}; allowed: {', '.join(themes)}")
        return governance

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if not (region == "drechtsteden" or region_size(region) is not None):
            raise ValueError(
                f"{region!r} is not allowed; use 'drechtsteden', 'synthetic:N' or "
                "'identical:N' with N 2..400"
            )
        return region

    @field_validator("themes")
    @classmethod
    def _theme_changes(cls, themes: dict) -> dict:
        for name, changes in themes.items():
            _changed_theme(name, changes)  # raises naming the field
        return themes

    @field_validator("arrangements")
    @classmethod
    def _custom_arrangements(cls, arrangements: dict) -> dict:
        for name, spec in arrangements.items():
            _build_custom(name, spec)  # raises naming the field
        return arrangements

    @model_validator(mode="after")
    def _known_names(self) -> Scenario:
        known = set(load_arrangement_presets()) | set(self.arrangements)
        for field in ("governance", "previous_governance"):
            for theme, arrangement in getattr(self, field).items():
                if theme not in load_themes():
                    raise ValueError(
                        f"{field}.{theme}: unknown theme; allowed: {', '.join(load_themes())}"
                    )
                if arrangement not in known:
                    raise ValueError(
                        f"{field}.{theme}: unknown arrangement {arrangement!r}; "
                        f"allowed: {', '.join(sorted(known))}"
                    )
        return self

    @model_validator(mode="after")
    def _shocks_within_horizon(self) -> Scenario:
        for i, shock in enumerate(self.shocks):
            if shock.month >= self.months:
                raise ValueError(
                    f"shocks.{i}.month: {shock.month} is beyond the run's horizon: {self.years} "
                    f"year(s) are months 0 to {self.months - 1}; move the shock, or lengthen "
                    "`years`"
                )
        return self

    @property
    def months(self) -> int:
        return self.years * 12

    def arrangement(self, name: str) -> Arrangement:
        """The full rule set called `name`: a preset, or one defined in this scenario."""
        if name in self.arrangements:
            return _build_custom(name, self.arrangements[name])
        return load_arrangement_presets()[name]

    def characters(self) -> dict[str, Theme]:
        """Every theme's character, with this scenario's changes applied."""
        base = load_themes()
        return {
            name: _changed_theme(name, self.themes[name]) if name in self.themes else theme
            for name, theme in base.items()
        }

    def resolved_arrangements(self) -> dict[str, Arrangement]:
        """Theme -> the full rule set in force, with scenario overrides applied."""
        return {theme: self.arrangement(name) for theme, name in self.governance.items()}

    def previous_arrangements(self) -> dict[str, Arrangement]:
        """Theme -> the rule set before the start (the one in force where none is given)."""
        return {
            theme: self.arrangement(self.previous_governance.get(theme, name))
            for theme, name in self.governance.items()
        }


def _build_custom(name: str, spec: dict) -> Arrangement:
    """A preset with some rules changed; errors name arrangements.NAME.FIELD."""
    presets = load_arrangement_presets()
    based_on = spec.get("based_on")
    if not isinstance(based_on, str) or based_on not in presets:
        given = "missing" if based_on is None else f"{shown_value(based_on)} is not a preset"
        raise ValueError(
            f"arrangements.{name}.based_on: {given}; give the name of one, as text; "
            f"allowed: {', '.join(presets)}"
        )
    changes = {k: v for k, v in spec.items() if k != "based_on"}
    try:
        return Arrangement(**{**presets[based_on].model_dump(), **changes})
    except ValidationError as err:
        lines = error_lines(err, Arrangement, f"arrangements.{name}.", key_homes(Scenario))
        raise ValueError("; ".join(capped(lines))) from None


def _changed_theme(name: str, changes: dict) -> Theme:
    """A theme with some characteristics changed; errors name themes.NAME.FIELD."""
    themes = load_themes()
    if name not in themes:
        raise ValueError(f"themes.{name}: unknown theme; allowed: {', '.join(themes)}")
    if not isinstance(changes, dict):
        raise ValueError(f"themes.{name}: a table of characteristics to change")
    try:
        return Theme(**{**themes[name].model_dump(), **changes})
    except ValidationError as err:
        raise ValueError("; ".join(capped(error_lines(err, Theme, f"themes.{name}.")))) from None


REGION_KINDS = ("synthetic", "identical")


def region_size(region: str, kind: str | None = None) -> int | None:
    """N of a 'synthetic:N' or 'identical:N' region (of `kind` if given); None otherwise."""
    head, _, digits = region.partition(":")
    if head not in REGION_KINDS or (kind is not None and head != kind):
        return None
    if digits.isascii() and digits.isdigit() and len(digits) < 5:
        n = int(digits)
        if 2 <= n <= 400:
            return n
    return None


def read_toml(path: Path, what: str = "file") -> dict:
    """A TOML file's contents, read through the guarded opener (sim/io/inputs.py); ConfigError
    saying what is wrong with the file otherwise."""
    text = read_text(path, what)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None


_DATA = Path(__file__).resolve().parents[1] / "data"
_THEMES: dict[str, Theme] = {}  # the package's themes, read once
_PRESETS: dict[str, Arrangement] = {}  # the package's arrangement presets, read once
_REGIONS: dict[str, RegionSpec] = {}  # region name -> its data, each read once


def load_themes() -> dict[str, Theme]:
    if not _THEMES:
        raw = read_toml(_DATA / "themes.toml")
        _THEMES.update({k: Theme(**v) for k, v in raw.items()})
    return _THEMES


def load_arrangement_presets() -> dict[str, Arrangement]:
    if not _PRESETS:
        raw = read_toml(_DATA / "arrangements.toml")
        _PRESETS.update({k: Arrangement(**v) for k, v in raw.items()})
    return _PRESETS


def load_region_spec(name: str = "drechtsteden") -> RegionSpec:
    if name not in _REGIONS:
        _REGIONS[name] = RegionSpec(**read_toml(_DATA / f"{name}.toml"))
    return _REGIONS[name]


PRESETS = _DATA / "scenarios"
"""The preset scenarios: package data, so they travel with an installed samenspel."""


def scenario_path(name_or_file: str) -> Path:
    """A scenario given as a file path, or as a preset's name (`samenspel scenarios`).

    A preset name wins over a folder of the same name in the working directory; anything that
    looks like a path (a .toml suffix, a separator, an existing file) is taken as one.
    """
    path = check_name(name_or_file, "scenario")
    preset = PRESETS / f"{name_or_file}.toml"
    if path.suffix == ".toml" or os.sep in name_or_file or path.is_file():
        return path
    if re.fullmatch(SAFE_NAME, name_or_file) and preset.is_file():
        return preset
    return path


def list_scenarios() -> list[str]:
    """The presets' names, sorted (`samenspel scenarios` describes them).

    Example:
        >>> from sim import list_scenarios
        >>> "network-2024" in list_scenarios()
        True
    """
    return sorted(p.stem for p in PRESETS.glob("*.toml"))


def load_preset(name: str) -> Scenario:
    """A preset by its name, from the package data only (never a file of that name in the
    working directory, as `load_scenario` would take)."""
    if name not in list_scenarios():
        raise ConfigError(f"{name!r} is not a preset; presets: {', '.join(list_scenarios())}")
    return load_scenario(str(PRESETS / f"{name}.toml"))


def load_scenario(name_or_file: str, **overrides: object) -> Scenario:
    """Load and validate a scenario; raise ConfigError naming every bad field.

    `name_or_file` is a preset's name (`list_scenarios()`) or a scenario file's path;
    `overrides` replace top-level keys of the scenario (`years`, `governance`, `arrangements`,
    `behaviour`, ...), validated as if the file said so.

    Example: the network model of 2024 without its steering room, for the housing theme.
        >>> from sim import load_scenario
        >>> base = load_scenario("network-2024")
        >>> mine = load_scenario(
        ...     "network-2024",
        ...     name="housing-unmonitored",
        ...     arrangements={
        ...         "unmonitored": {"based_on": base.governance["housing"], "monitoring": 0.0}
        ...     },
        ...     governance={**base.governance, "housing": "unmonitored"},
        ... )
        >>> mine.resolved_arrangements()["housing"].monitoring
        0.0
    """
    path = scenario_path(name_or_file)
    if not path.exists():
        guess = difflib.get_close_matches(name_or_file, list_scenarios(), n=1)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        raise ConfigError(
            f"scenario {name_or_file!r} not found; {hint}presets: {', '.join(list_scenarios())} "
            "(or give a path to a .toml file)"
        )
    return scenario_from_dict(read_toml(path, "scenario"), source=str(path), **overrides)


def scenario_from_dict(data: dict, source: str = "scenario", **overrides: object) -> Scenario:
    """A validated scenario: `data` as written first, then with `overrides` (command-line
    options such as --years) applied, so an override never hides a bad value in the file."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a scenario is a table of keys, got {type(data).__name__}")
    given = {k: v for k, v in overrides.items() if v is not None}
    steps = [(data, source)]
    if given:
        shown = ", ".join(f"{k} = {toml_literal(v)}" for k, v in given.items())
        steps.append(({**data, **given}, f"{source} (with {shown} given as an option)"))
    for candidate, where in steps:
        try:
            scenario = Scenario.model_validate(candidate)
        except ValidationError as err:
            raise ConfigError(format_validation_error(err, where, Scenario)) from None
    return scenario


SCENARIO_TABLES: dict[str, type[Strict]] = {
    "scenario": Scenario,
    "behaviour": Behaviour,
    "culture": Culture,
    "arrangement": Arrangement,
    "shock": Shock,
}
"""Where the keys of each model go in a scenario file (`samenspel rules`): the top level, the
`[behaviour]` and `[culture]` tables, an own arrangement's `[arrangements.NAME]` table, a
`[[shocks]]` table."""


def field_meanings() -> dict[str, str]:
    """`rules.TABLE.KEY` -> the English meaning of every key a scenario file may set (its
    field's description); the Dutch ones are in the catalogue (sim/present/i18n.py reads both)."""
    return {
        f"rules.{table}.{name}": info.description or ""
        for table, model in SCENARIO_TABLES.items()
        for name, info in model.model_fields.items()
    }


def toml_literal(value: object) -> str:
    """A value as a scenario file writes it (true, 0.5, "text", ["full"], { a = 1 })."""
    import json

    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if value else "{}"
    return json.dumps(value, ensure_ascii=False)


def unchanged_overrides(scenario: Scenario) -> list[str]:
    """Overrides in `scenario` that change nothing: a rule an own arrangement sets to the value
    its `based_on` preset already has, a theme characteristic set to the theme data's value.

    One line per override, naming the field and the value; for the command line to print as a
    warning (loading a scenario never prints, so a sweep worker stays silent)."""
    lines = []
    presets = load_arrangement_presets()
    for name, spec in scenario.arrangements.items():
        based_on = str(spec["based_on"])  # a preset's name, as the load checked
        base = presets[based_on]
        built = scenario.arrangement(name)
        for key in spec:
            if key != "based_on" and getattr(built, key) == getattr(base, key):
                lines.append(
                    f"arrangements.{name}.{key} = {toml_literal(spec[key])} is the value "
                    f"{based_on!r} already has; the line changes nothing"
                )
    themes = load_themes()
    characters = scenario.characters()
    for theme, changes in scenario.themes.items():
        for key in changes:
            if getattr(characters[theme], key) == getattr(themes[theme], key):
                lines.append(
                    f"themes.{theme}.{key} = {toml_literal(changes[key])} is the value the "
                    "theme data already give; the line changes nothing"
                )
    return lines
