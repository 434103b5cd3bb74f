"""The set-ups the checks run, as data: a pure-arrangement variant, a preset, a "thing to try",
the docking game; each builds its scenario under the overrides (sim/study/validation/overrides.py).

Nothing here reads an arrangement's name: the arrangements a check needs are found by their
rules (the one with every member at a table every month and no monitoring, the one with a veto,
...), and the pure-arrangement presets are the scenarios named after an arrangement.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sim.model.config import (
    PRESETS,
    ConfigError,
    Scenario,
    list_scenarios,
    load_arrangement_presets,
    load_region_spec,
    load_scenario,
    read_toml,
)
from sim.study import docking
from sim.study.validation.overrides import Overrides, build
from sim.study.validation.runs import Arm

SPATIAL = ("mobility", "housing", "economy", "energy")


def _arrangement_where(**rules: object) -> str:
    """The one preset arrangement whose rules have these values (arrangements are data)."""
    found = [
        name
        for name, a in load_arrangement_presets().items()
        if all(getattr(a, k) == v for k, v in rules.items())
    ]
    if len(found) != 1:
        raise RuntimeError(f"internal: {len(found)} preset arrangements have the rules {rules}")
    return found[0]


# The roles the patterns speak of, found by their rules (docs/ODD.md, 7.1).
MULTIPLE_LOCAL = _arrangement_where(seating="all", meeting_interval_months=1, monitoring=0.0)
NETWORK = _arrangement_where(seating="all", participation="opt_in")
CONSENSUS = _arrangement_where(veto=True)  # the classic GR
ONE_SIZE = _arrangement_where(executor="joint", tailoring="none")  # the GRD
PROVIDER = _arrangement_where(executor="centre")  # Dordrecht as service municipality
PURE = tuple(a for a in load_arrangement_presets() if a in list_scenarios())
"""The arrangements that have a preset of their own name: every theme under that one."""
TRIES = PRESETS.parent / "tries"
"""The README's "things to try", each a scenario file a student copies (sim/data/tries/)."""


def base_scenario_dict(name: str = MULTIPLE_LOCAL) -> dict:
    """A preset scenario's file contents."""
    return tomllib.loads((PRESETS / f"{name}.toml").read_text())


def variant_dict(
    name: str = MULTIPLE_LOCAL,
    themes: tuple[str, ...] | None = SPATIAL,
    status_quo: bool = True,
    **rules: object,
) -> dict:
    """A pure-arrangement preset as a dict, with its rules changed as given.

    By default restricted to the spatial-economic themes (`themes=None`: every theme of the
    preset) and taken as the status quo (no transition from a previous arrangement), as
    multiple-local was when Common Eye looked at it.
    """
    data = base_scenario_dict(name)
    arrangement = name
    if rules:
        data["arrangements"] = {"variant": {"based_on": name, **rules}}
        arrangement = "variant"
    if themes is not None:
        data["governance"] = {t: arrangement for t in themes}
    else:
        data["governance"] = {t: arrangement for t in data["governance"]}
    if status_quo:
        data.pop("previous_governance", None)
    else:
        data["previous_governance"] = {
            t: p for t, p in data.get("previous_governance", {}).items() if t in data["governance"]
        }
    return data


def named_region(sc: Scenario) -> Scenario:
    """A check that names municipalities needs the region it names them in."""
    if sc.region != load_region_spec().name:
        raise ConfigError(
            f"--set region: {sc.region!r} is not allowed for a check that compares named "
            f"municipalities; allowed: {load_region_spec().name!r} (or choose other --checks)"
        )
    return sc


def has_transition(preset: str) -> bool:
    """Whether a preset moves some theme from a previous arrangement."""
    sc = load_scenario(preset)
    return any(sc.previous_governance.get(t, a) != a for t, a in sc.governance.items())


def preset_scenario(name: str, overrides: Overrides, **contrast: object) -> Scenario:
    return build(load_scenario(name).model_dump(mode="json"), overrides, **contrast)


def try_scenario(name: str, overrides: Overrides | None = None) -> Scenario:
    """A "thing to try" as its file says, with the overrides applied, except what the thing
    to try is: a value its `[behaviour]` or `[culture]` table sets wins over an override (a
    plausible world's trust_loss must not undo "make trust fragile")."""
    data = read_toml(TRIES / f"{name}.toml", "scenario")
    own = {
        f"{table}.{k}": v
        for table in ("behaviour", "culture")
        for k, v in data.get(table, {}).items()
    }
    return build(data, overrides, **own)


def game_scenario(condition: str, overrides: Overrides, **contrast: object) -> Scenario:
    """The docking game (sim/study/docking.py) under the overrides, except what makes it the game:
    every setting its file gives wins over an override (a `--set behaviour.weight_stress=2`
    must not bring budget stress into a laboratory game), so overrides reach only the
    behaviour the docking tests (conditional_slope, trust_gain, weight_norm, ...)."""
    data = read_toml(docking.DOCKING / docking.CONDITIONS[condition], "scenario")
    reduction = {f"behaviour.{k}": v for k, v in data.get("behaviour", {}).items()}
    for theme, table in data.get("themes", {}).items():
        reduction |= {f"themes.{theme}.{k}": v for k, v in table.items()}
    reduction |= {k: data[k] for k in ("region", "years", "initial_trust") if k in data}
    reduction |= {f"culture.{k}": v for k, v in data.get("culture", {}).items()}
    return build(data, overrides, **reduction, **contrast)


# --- set-ups as data: what a check runs, by role -------------------------------------------------


class SetUp(Protocol):
    def arm(self, overrides: Overrides) -> Arm: ...


@dataclass(frozen=True)
class Variant:
    """A pure-arrangement preset (`variant_dict`) with its `rules` changed, under the overrides,
    then the check's own `contrast`; `named`: the check names municipalities of the region."""

    arrangement: str = MULTIPLE_LOCAL
    themes: tuple[str, ...] | None = SPATIAL
    rules: Mapping[str, object] = field(default_factory=dict)
    contrast: Mapping[str, object] = field(default_factory=dict)
    named: bool = False

    def arm(self, overrides: Overrides) -> Arm:
        data = variant_dict(self.arrangement, self.themes, True, **self.rules)
        sc = build(data, overrides, **self.contrast)
        return Arm(named_region(sc) if self.named else sc)


def every_theme(arrangement: str, **contrast: object) -> Variant:
    """A pure-arrangement preset with every theme under it (six themes, no transition)."""
    return Variant(arrangement, themes=None, contrast=contrast)


@dataclass(frozen=True)
class Preset:
    """A preset scenario under the overrides, then the check's `contrast`; `tweak`: a change to
    the built model (runs.TWEAKS)."""

    name: str
    contrast: Mapping[str, object] = field(default_factory=dict)
    tweak: str = ""

    def arm(self, overrides: Overrides) -> Arm:
        return Arm(preset_scenario(self.name, overrides, **self.contrast), self.tweak)


@dataclass(frozen=True)
class Try:
    """One of README's "things to try" (sim/data/tries/NAME.toml) under the overrides."""

    name: str

    def arm(self, overrides: Overrides) -> Arm:
        return Arm(try_scenario(self.name, overrides))


@dataclass(frozen=True)
class Game:
    """The docking game in one condition (`game_scenario`), with the check's `contrast` (e.g.
    an honest conversation before every period)."""

    condition: str
    contrast: Mapping[str, object] = field(default_factory=dict)

    def arm(self, overrides: Overrides) -> Arm:
        return Arm(game_scenario(self.condition, overrides, **self.contrast))
