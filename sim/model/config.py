"""Validated configuration: themes, region, arrangements, behaviour and scenarios.

Everything a run depends on is declared here as data and checked on load, so a typo in a scenario
file is caught before anything runs or is written. Every model forbids unknown keys and bounds its
numbers; :func:`format_validation_error` turns pydantic's report into messages that name the field
and say what is allowed.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import typing
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.io.inputs import ConfigError, check_name, read_text

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share, probability or level in [0, 1]."""


class Strict(BaseModel):
    """No unknown keys, no type coercion: `true` is not a number, `"yes"` is not a boolean; and
    every number finite: `inf` and `nan` (which TOML allows) are refused in every float field.

    The base of every model a person's file is read into (scenarios, sweep and calibration
    specs), so no model can forget one of these rules."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


SAFE_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"
"""A scenario's or spec's name: it names a folder, so letters, digits, '-', '_' and '.' only,
starting with a letter or digit (no path, no hidden or parent folder)."""
SAFE_NAME_HINT = "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100"


def safe_name(name: str) -> str:
    """Check a name that will name a folder (a pydantic validator's body)."""
    if not isinstance(name, str) or not re.fullmatch(SAFE_NAME, name):
        raise ValueError(f"{name!r} is not a safe name; allowed: {SAFE_NAME_HINT} characters")
    return name


class Theme(Strict):
    """A policy domain and its character (docs/BACKGROUND.md, "Themes")."""

    label: str
    label_nl: str
    public_share: Unit
    concreteness: Unit
    external_pressure: Unit
    value_ratio: Annotated[float, Field(gt=0.0, le=10.0)]
    project_cost: Annotated[float, Field(gt=0.0, le=1000.0)]
    proposals_per_year: Annotated[float, Field(ge=0.0, le=24.0)]
    project_months: Annotated[int, Field(ge=3, le=120)]
    service_cost_per_inhabitant: Annotated[float, Field(ge=0.0, le=5000.0)] = Field(
        0.0,
        description="yearly cost per inhabitant of the theme's execution organisation at "
        "efficient scale; 0 = no shared service",
    )
    scale_elasticity: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0,
        description="how unit cost falls with scale below the efficient scale: "
        "cost ~ population ** -elasticity",
    )
    efficient_scale: Annotated[float, Field(ge=1_000.0, le=2_000_000.0)] = Field(
        60_000.0,
        description="inhabitants beyond which the service's scale economies are exhausted",
    )


class MunicipalitySpec(Strict):
    """One municipality's fixed characteristics (see sim/data/drechtsteden.toml for sources)."""

    name: str
    population: Annotated[int, Field(ge=100, le=2_000_000)]
    regional_room_per_inhabitant: Annotated[float, Field(ge=0.0, le=1000.0)]
    autonomy: Unit
    capacity_hours: Annotated[float, Field(gt=0.0, le=100_000.0)]
    salience: dict[str, Unit]


class RegionSpec(Strict):
    name: str
    label: str
    centre: str
    initial_trust: Unit
    initial_trust_centre: Unit
    municipalities: Annotated[list[MunicipalitySpec], Field(min_length=2)]

    @model_validator(mode="after")
    def _centre_is_member(self) -> RegionSpec:
        names = [m.name for m in self.municipalities]
        if self.centre not in names:
            raise ValueError(f"centre {self.centre!r} is not one of the municipalities {names}")
        if len(set(names)) != len(names):
            raise ValueError("municipality names must be unique")
        return self


class Arrangement(Strict):
    """A governance arrangement as a rule set (docs/BACKGROUND.md, "The five arrangements").

    The model reads these rules; it never looks at the name. Defaults are the plainest rule
    (no monitoring, no tailoring, free exit), so a preset states what makes it what it is.
    """

    label: str = Field(description="the arrangement's name in English (tables, reports)")
    label_nl: str = Field(description="its name in Dutch")
    description: str = Field("", description="what the arrangement is, with its sources")
    # Who meets, how often.
    seating: Literal["all", "bilateral"] = Field(
        "all",
        description="all: every member at the theme's table; bilateral: account meetings "
        "between the provider (the centre city) and each client",
    )
    table_scope: Literal["theme", "shared"] = Field(
        "theme",
        description="theme: a table per theme; shared: one body (a regional council, a board, "
        "an account meeting) for all themes under this arrangement",
    )
    meeting_interval_months: Annotated[int, Field(ge=1, le=24)] = Field(
        description="months between meetings of a table"
    )
    meeting_hours: Annotated[float, Field(ge=0.0, le=200.0)] = Field(
        description="official and administrative hours one member spends per meeting"
    )
    coalition_meeting_hours: Annotated[float, Field(ge=0.0, le=200.0)] = Field(
        0.0, description="hours per month a full participant spends in a running coalition"
    )
    # How decisions are taken and weighted.
    decision: Literal["vote", "party_lines", "provider"] = Field(
        "vote",
        description="vote: members vote as municipalities; party_lines: party groups of all "
        "councils vote, weighted by their votes at the last election (a regional council); "
        "provider: the provider decides what it offers, each client then decides to buy",
    )
    party_discipline: Unit = Field(
        0.0, description="with party_lines: weight of the party line against local interest"
    )
    approval_threshold: Unit = Field(
        description="weighted share of yes votes that adopts a proposal"
    )
    veto: bool = Field(False, description="a single no vote blocks a proposal")
    renegotiation_rounds: Annotated[int, Field(ge=0, le=12)] = Field(
        0, description="times a failed proposal returns to the next meeting before it is dropped"
    )
    vote_weight: Literal["equal", "population"] = Field(
        "equal", description="weight of a member's vote: equal, or by inhabitants"
    )
    participation: Literal["all_members", "opt_in"] = Field(
        description="all_members: an adopted project binds every table member; "
        "opt_in: each member chooses its participation mode"
    )
    modes: list[Literal["full", "solidarity", "late_entry"]] = Field(
        default_factory=lambda: ["full"],
        description="participation modes open under opt_in besides none: full; solidarity "
        "(pay, don't take part); late_entry (join a running project for an entry fee)",
    )
    entry_fee: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.0, description="late entry: premium on the share of cost already delivered"
    )
    # Who pays.
    cost_allocation: Literal["per_inhabitant", "equal", "by_benefit"] = Field(
        "per_inhabitant",
        description="how a project's cost is shared among its participants: per inhabitant, "
        "in equal shares, or by the benefit each expects",
    )
    base_funding_per_inhabitant: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="EUR per inhabitant per year every member pays into a regional base fund"
    )
    base_funding_share: Unit = Field(
        0.0, description="share of a project's cost the base fund covers while it has money"
    )
    upkeep_per_inhabitant: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="EUR per inhabitant per year for programme staff and network upkeep"
    )
    upkeep_payer: Literal["all", "centre"] = Field(
        "all", description="who pays the upkeep: every member per inhabitant, or the centre alone"
    )
    # Who executes shared services and what tailoring costs.
    executor: Literal["joint", "centre", "local"] = Field(
        "local",
        description="who runs a theme's execution organisation: a joint body owned by the "
        "members, the centre city selling to clients, or each municipality alone",
    )
    tailoring: Literal["none", "capped", "a_la_carte"] = Field(
        "none",
        description="none: one size fits all; capped: a basic package with tailored agreements "
        "on top up to tailoring_cap; a_la_carte: any tailoring at tailoring_price",
    )
    tailoring_cap: Unit = Field(
        0.0, description="with capped tailoring: the largest share of a service that is tailored"
    )
    tailoring_price: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.0, description="extra cost of a tailored part, relative to the standard cost"
    )
    # Agenda, monitoring, and what follows a detected defection.
    agenda_setter: Literal["joint", "centre", "rotating_chair"] = Field(
        "joint",
        description="who prepares the agenda: a joint secretariat, the centre city's line, or a "
        "chair rotating yearly",
    )
    chair_excludes_centre: bool = Field(
        False, description="with a rotating chair: the centre city never takes the chair"
    )
    monitoring: Unit = Field(
        0.0, description="probability that a withheld contribution is detected and attributed"
    )
    sanction: Unit = Field(
        0.0, description="probability that escalation after a detection recovers the payment"
    )
    # Leaving.
    exit_allowed: bool = Field(True, description="whether a member may leave at all")
    exit_fee_years: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.0, description="fee for leaving, in years of the leaver's regional room"
    )
    exit_moratorium_years: Annotated[int, Field(ge=0, le=20)] = Field(
        0, description="years after the start during which no member may leave"
    )


class Behaviour(Strict):
    """Behavioural parameters of the municipalities. Sources and assumptions: docs/ODD.md."""

    type_shares: dict[Literal["conditional", "free_rider", "triangle", "other"], Unit] = Field(
        default_factory=lambda: {
            "conditional": 0.613,
            "free_rider": 0.192,
            "triangle": 0.104,
            "other": 0.091,
        },
        description="shares of contribution types (Thöni & Volk 2018 meta-analysis)",
    )
    choice_noise: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        0.5, description="logit scale of choices: higher, less predictable votes and payments"
    )
    weight_pledge: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5, description="weight of a pledge one chose in the choice to pay"
    )
    weight_norm: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0,
        description="weight of what one expects the others to pay (conditional cooperation, trust)",
    )
    weight_benefit: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of local benefit per euro"
    )
    weight_stress: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of budget stress"
    )
    weight_council: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of council pressure"
    )
    weight_deterrence: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of the expected sanction for withholding"
    )
    weight_energy: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5, description="weight of lost energy for regional work"
    )
    weight_pressure: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5, description="weight of national pressure in votes on a proposal"
    )
    conditional_slope: Unit = Field(
        0.74,
        description="how much of what they believe others give conditional cooperators give "
        "themselves (1 = perfect matching; Fischbacher & Gächter 2010)",
    )
    trust_gain: Unit = Field(
        0.25,
        description="learning rate of trust toward a partner's seen delivery when it did at "
        "least as well as believed",
    )
    trust_loss: Unit = Field(
        0.5,
        description="learning rate of trust toward a partner's seen delivery when it did "
        "worse than believed (asymmetry principle: above trust_gain)",
    )
    visible_result: Unit = Field(
        0.9, description="share of a project completed that counts as delivered"
    )
    energy_recovery: Unit = Field(
        0.1, description="monthly recovery of energy for regional work toward full"
    )
    legitimacy_rate: Unit = Field(
        0.05, description="monthly adjustment of legitimacy with the council"
    )
    initial_legitimacy: Unit = Field(0.6, description="legitimacy, grip and results at the start")
    exit_legitimacy: Unit = Field(
        0.2, description="legitimacy below which a council leaves a theme"
    )
    executive_turnover: Unit = Field(
        0.5, description="chance the executive changes at a council election"
    )
    cost_noise: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3, description="spread of a project's cost around its expected cost (log-sd)"
    )
    instalment_months: Annotated[int, Field(ge=1, le=12)] = Field(
        3, description="months between a project's instalments"
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Behaviour:
        total = sum(self.type_shares.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"type_shares must sum to 1 (they sum to {total:.4f})")
        return self


class Shock(Strict):
    """A budget cut: from `month` on, for `months` months, regional room shrinks by `cut`."""

    month: Annotated[int, Field(ge=0, le=1200)] = Field(
        description="month of the run in which the cut starts (0 = the first)"
    )
    cut: Unit = Field(description="share of every municipality's regional room that is cut")
    months: Annotated[int, Field(ge=1, le=1200)] = Field(
        24, description="how many months the cut lasts"
    )


class Scenario(Strict):
    """A scenario: a region, a governance arrangement per theme, behaviour and events."""

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
                f"{_shown(name)} is not a preset{hint}; replaces names the preset whose "
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
        given = "missing" if based_on is None else f"{_shown(based_on)} is not a preset"
        raise ValueError(
            f"arrangements.{name}.based_on: {given}; give the name of one, as text; "
            f"allowed: {', '.join(presets)}"
        )
    changes = {k: v for k, v in spec.items() if k != "based_on"}
    try:
        return Arrangement(**{**presets[based_on].model_dump(), **changes})
    except ValidationError as err:
        raise ValueError(
            "; ".join(capped(error_lines(err, Arrangement, f"arrangements.{name}.")))
        ) from None


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


def _model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The model class that holds the keys at `path` inside `model` (for 'allowed:' hints)."""
    for part in path:
        if isinstance(part, int) or part not in model.model_fields:
            continue  # a list index or a dict key: the element type is already in hand
        ann = model.model_fields[part].annotation
        found = None
        for t in (
            ann,
            *typing.get_args(ann),
            *(a for x in typing.get_args(ann) for a in typing.get_args(x)),
        ):
            if isinstance(t, type) and issubclass(t, BaseModel):
                found = t
        if found is None:
            return None
        model = found
    return model


def _shown(value: object, most: int = 60) -> str:
    """A given value as a message shows it: its repr, shortened."""
    text = repr(value)
    return text if len(text) <= most else text[: most - 3] + "..."


def error_lines(err: ValidationError, model: type[BaseModel] | None, prefix: str = "") -> list[str]:
    """One line per problem: the field's dotted path, what is wrong, and what is allowed."""
    lines = []
    for e in err.errors():
        loc = prefix + ".".join(str(p) for p in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            holder = _model_at(model, tuple(e["loc"][:-1])) if model else None
            allowed = f"; allowed: {', '.join(holder.model_fields)}" if holder else ""
            guess = (
                difflib.get_close_matches(str(e["loc"][-1]), list(holder.model_fields), n=1)
                if holder
                else []
            )
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            lines.append(f"{loc}: unknown key{hint}{allowed}")
        else:
            got = "" if e["type"] == "missing" else f" (got {_shown(e.get('input'))})"
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] != "value_error":
                lines.append(f"{loc}: {msg}{got}")
            elif not e["loc"] or msg.startswith(f"{loc}."):
                lines.append(msg)  # our validators name the field themselves, as deep as it lies
            else:
                lines.append(f"{loc}: {msg}")
    return lines


SHOWN_PROBLEMS = 20
"""At most this many problems are listed; the rest are counted ("and 499,990 more")."""


def capped(lines: list[str], most: int = SHOWN_PROBLEMS) -> list[str]:
    """The first `most` lines, and one that counts the others if there are more."""
    if len(lines) <= most:
        return lines
    return [*lines[:most], f"and {len(lines) - most:,} more"]


def format_validation_error(
    err: ValidationError, source: str, model: type[BaseModel] | None = None
) -> str:
    lines = error_lines(err, model)
    shown = capped(lines)
    return "\n".join([f"{source}: {len(lines):,} problem(s)", *(f"  {line}" for line in shown)])


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
_cache: dict[str, object] = {}


def load_themes() -> dict[str, Theme]:
    if "themes" not in _cache:
        raw = read_toml(_DATA / "themes.toml")
        _cache["themes"] = {k: Theme(**v) for k, v in raw.items()}
    return _cache["themes"]  # type: ignore[return-value]


def load_arrangement_presets() -> dict[str, Arrangement]:
    if "arrangements" not in _cache:
        raw = read_toml(_DATA / "arrangements.toml")
        _cache["arrangements"] = {k: Arrangement(**v) for k, v in raw.items()}
    return _cache["arrangements"]  # type: ignore[return-value]


def load_region_spec(name: str = "drechtsteden") -> RegionSpec:
    key = f"region:{name}"
    if key not in _cache:
        _cache[key] = RegionSpec(**read_toml(_DATA / f"{name}.toml"))
    return _cache[key]  # type: ignore[return-value]


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
    return sorted(p.stem for p in PRESETS.glob("*.toml"))


def load_preset(name: str) -> Scenario:
    """A preset by its name, from the package data only (never a file of that name in the
    working directory, as `load_scenario` would take)."""
    if name not in list_scenarios():
        raise ConfigError(f"{name!r} is not a preset; presets: {', '.join(list_scenarios())}")
    return load_scenario(str(PRESETS / f"{name}.toml"))


def load_scenario(name_or_file: str, **overrides: object) -> Scenario:
    """Load and validate a scenario; raise ConfigError naming every bad field."""
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
        steps.append(({**data, **given}, f"{source} (with {shown} from the command line)"))
    for candidate, where in steps:
        try:
            scenario = Scenario.model_validate(candidate)
        except ValidationError as err:
            raise ConfigError(format_validation_error(err, where, Scenario)) from None
    return scenario


SCENARIO_TABLES: dict[str, type[Strict]] = {
    "scenario": Scenario,
    "behaviour": Behaviour,
    "arrangement": Arrangement,
    "shock": Shock,
}
"""Where the keys of each model go in a scenario file (`samenspel rules`): the top level, the
`[behaviour]` table, an own arrangement's `[arrangements.NAME]` table, a `[[shocks]]` table."""


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
        base = presets[spec["based_on"]]
        built = scenario.arrangement(name)
        for key in spec:
            if key != "based_on" and getattr(built, key) == getattr(base, key):
                lines.append(
                    f"arrangements.{name}.{key} = {toml_literal(spec[key])} is the value "
                    f"{spec['based_on']!r} already has; the line changes nothing"
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
