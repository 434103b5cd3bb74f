"""The design spec: which rules the search may change (levers), what it seeks (objectives), how
(NSGA-II or epsilon-NSGA-II, evaluations, population), on how many seeds and plausible worlds.

A TOML file, validated like a sweep spec (sim/study/experiment.py), read through the guarded
input path; a bad spec is one ConfigError line naming the field. Example (the bundled one is
experiments/design/steering-rules.toml):

    name = "steering-rules"
    base = "rules-base.toml"          # a preset's name or a scenario file beside the spec
    years = 6
    replicates = 6                    # seeds per evaluation, the same for every candidate
    worlds = 0                        # plausible worlds (0: the default behaviour only)
    master_seed = 2024

    [algorithm]
    kind = "eps-nsga2"                # or "nsga2"
    nfe = 400                         # evaluations
    population = 20
    epsilons = { commitment = 0.01, grip_mean = 0.002, meeting_hours = 250 }

    [levers]
    "arrangements.designed.monitoring" = { low = 0.0, high = 1.0 }
    "arrangements.designed.decision" = { values = ["vote", "party_lines", "provider"] }
    "culture.conversation_interval_months" = { low = 0, high = 12, integer = true }

    [objectives]                      # an outcome and "max" or "min"
    commitment = "max"
    grip_mean = "max"
    meeting_hours = "min"

Objectives may also be a list of outcome names, each in the direction the outcome catalogue
(sim/model/outcomes.py) calls better.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.io.inputs import beside
from sim.model.config import (
    ConfigError,
    Strict,
    capped,
    error_lines,
    list_scenarios,
    load_scenario,
    read_toml,
    safe_name,
    scenario_from_dict,
)
from sim.study.experiment import apply

Direction = Literal["max", "min"]
Value = float | int | str | bool


class Lever(Strict):
    """A rule the search may set: a range (low, high; whole numbers with `integer`), or a
    list of values to choose from (a categorical lever: an arrangement, a decision rule)."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    values: Annotated[list[Value], Field(min_length=2, max_length=100)] | None = None

    @model_validator(mode="after")
    def _range_or_values(self) -> Lever:
        has_range = self.low is not None and self.high is not None
        if has_range == (self.values is not None):
            raise ValueError("give either low and high, or values (at least two)")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low must be below high (got {self.low} and {self.high})")
        if self.integer and self.values is not None:
            raise ValueError("integer is for a range; values are taken as given")
        if self.integer and not all(float(v or 0).is_integer() for v in (self.low, self.high)):
            raise ValueError("an integer range needs whole numbers for low and high")
        if self.values is not None and len(set(map(repr, self.values))) < len(self.values):
            raise ValueError(f"values are listed twice: {self.values}")
        return self

    def corners(self) -> list[Value]:
        """The values that bound what the search may give: the ends of the range, or every
        listed value."""
        if self.values is not None:
            return list(self.values)
        assert self.low is not None and self.high is not None, "checked on load"
        if self.integer:
            return [round(self.low), round(self.high)]
        return [self.low, self.high]


class Algorithm(Strict):
    """How the search runs: NSGA-II (Deb et al. 2002) or epsilon-NSGA-II (Kollat & Reed
    2006), its number of evaluations and its population."""

    kind: Literal["nsga2", "eps-nsga2"] = "eps-nsga2"
    nfe: Annotated[int, Field(ge=2, le=1_000_000)] = Field(
        description="evaluations (rule sets run) the search may make"
    )
    population: Annotated[int, Field(ge=2, le=10_000)] = 20
    epsilons: dict[str, Annotated[float, Field(gt=0)]] | None = Field(
        None,
        description="eps-nsga2: per objective, the smallest difference worth keeping two "
        "rule sets apart for (in the outcome's own unit)",
    )


class DesignSpec(Strict):
    """A search for rule sets: base scenario, levers, objectives, algorithm, seeds, worlds."""

    name: str = Field(description="the design's name; it names its result folder")
    description: str = ""
    base: str = Field(description="the base scenario: a preset name or a .toml file")
    years: Annotated[int, Field(ge=1, le=100)] | None = None
    replicates: Annotated[int, Field(ge=1, le=10_000)] = Field(
        10, description="seeds per evaluation, the same for every rule set"
    )
    worlds: Annotated[int, Field(ge=0, le=1_000)] = Field(
        0, description="plausible worlds each rule set runs in (0: the default behaviour)"
    )
    master_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    algorithm: Algorithm
    levers: Annotated[dict[str, Lever], Field(min_length=1, max_length=100)]
    objectives: Annotated[list[str] | dict[str, Direction], Field(min_length=2, max_length=10)]
    presets: list[str] | None = Field(
        None, description="the presets to measure the front against (default: every preset)"
    )

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        return safe_name(name)

    @model_validator(mode="after")
    def _consistent(self) -> DesignSpec:
        problem = next(_problems(self), None)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def names(self) -> list[str]:
        """The levers in canonical order (by name): the order a spec lists them in changes
        nothing."""
        return sorted(self.levers)

    @property
    def directions(self) -> dict[str, Direction]:
        """Objective -> "max" or "min", in the order the spec gives them."""
        if isinstance(self.objectives, dict):
            return dict(self.objectives)
        return {key: catalogue_direction(key) or "max" for key in self.objectives}

    def epsilon_list(self) -> list[float] | None:
        """The epsilons in objective order (None for NSGA-II)."""
        eps = self.algorithm.epsilons
        return None if eps is None else [eps[k] for k in self.directions]

    def seeds(self) -> list[int]:
        """The seeds every rule set and every preset runs on (common random numbers), spawned
        from the master seed as a sweep spawns its runs' seeds."""
        master = np.random.SeedSequence(self.master_seed)
        return [
            int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in master.spawn(self.replicates)
        ]

    def search_seed(self) -> int:
        """The seed of the search's own random choices (platypus's), from the master seed."""
        seq = np.random.SeedSequence(self.master_seed, spawn_key=(0x6465_7369_676E,))
        return int(seq.generate_state(1, dtype=np.uint64)[0] >> 1)

    def digest(self) -> str:
        """A hash of what the search does (not where the spec or its base lie)."""
        text = json.dumps(
            self.model_dump(mode="json", exclude={"base", "description"}), sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def catalogue_direction(key: str) -> Direction | None:
    """The direction the outcome catalogue calls better for `key` (None: it names none)."""
    from sim.model.outcomes import outcome

    better = outcome(key).better
    return None if better is None else "max" if better == "higher" else "min"


def _problems(spec: DesignSpec) -> Iterator[str]:
    """What is inconsistent in a spec; the first is the error it is refused with."""
    yield from _objective_problems(spec)
    yield from _algorithm_problems(spec)
    if spec.worlds == 1:
        yield "worlds: one world has no spread to show; give 0 (the default behaviour) or 2+"
    for name in spec.presets or []:
        if name not in list_scenarios():
            guess = difflib.get_close_matches(name, list_scenarios(), n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            yield f"presets: {name!r} is not a preset{hint}; allowed: {', '.join(list_scenarios())}"


def _objective_problems(spec: DesignSpec) -> Iterator[str]:
    """Each objective an outcome of a run's summary, listed once, with a direction."""
    from sim.model.outcomes import outcome

    keys = list(spec.objectives)
    if len(set(keys)) < len(keys):
        yield f"objectives: an outcome is listed twice: {keys}"
    for key in keys:
        try:
            entry = outcome(key)
        except KeyError:
            yield f"objectives.{key}: not an outcome of the catalogue (sim/model/outcomes.py)"
            continue
        if entry.kind in ("id", "series"):
            yield f"objectives.{key}: not an outcome of a run's summary"
        elif isinstance(spec.objectives, list) and catalogue_direction(key) is None:
            yield f'objectives: {key!r} has no better direction; give it as {key} = "max" or "min"'


def _algorithm_problems(spec: DesignSpec) -> Iterator[str]:
    """Epsilons for eps-nsga2 only, one per objective; at least one population's evaluations."""
    alg, keys = spec.algorithm, list(spec.objectives)
    eps = alg.epsilons
    if alg.kind == "eps-nsga2" and eps is None:
        yield "algorithm.epsilons: eps-nsga2 needs one per objective, e.g. { commitment = 0.01 }"
    if eps is not None and alg.kind == "nsga2":
        yield "algorithm.epsilons: only eps-nsga2 takes epsilons"
    if eps is not None and set(eps) != set(keys):
        got = ", ".join(eps) or "none"
        yield f"algorithm.epsilons: give one per objective ({', '.join(keys)}); got {got}"
    if alg.nfe < alg.population:
        yield f"algorithm.nfe: {alg.nfe} is fewer than one population ({alg.population})"


def one_line(message: str) -> str:
    """A message of several lines as one: its lines joined by '; '."""
    return "; ".join(part.strip() for part in str(message).splitlines() if part.strip())


def load_design(path: str | Path) -> DesignSpec:
    """Load and validate a design spec, its base scenario, every lever at its corners and
    every objective against what a run reports; ConfigError (one line) naming what is wrong."""
    path = Path(path)
    raw = read_toml(path, "design spec")
    try:
        spec = DesignSpec.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(
            f"{path}: " + "; ".join(capped(error_lines(err, DesignSpec), 5))
        ) from None
    spec = spec.model_copy(update={"base": beside(path, spec.base, f"{path}: base")})
    try:
        base = base_dict(spec)
        check_levers(spec, base, str(path))
        check_objectives(spec, base, str(path))
        if spec.worlds:
            check_worlds(str(path))
    except ConfigError as exc:
        raise ConfigError(one_line(str(exc))) from None
    return spec


def base_dict(spec: DesignSpec) -> dict:
    """The base scenario as a dict, at the spec's horizon."""
    return load_scenario(spec.base, years=spec.years).model_dump(mode="json")


def candidate(base: dict, levers: dict[str, Any]) -> dict:
    """The base scenario with the levers set (the dict; `scenario_from_dict` validates it)."""
    return apply(base, levers)


def check_levers(spec: DesignSpec, base: dict, source: str) -> None:
    """Every lever's path must make a valid scenario at each of its corners (the others at
    their first corner), so a typo or an arrangement the base does not define fails now."""
    first = {n: spec.levers[n].corners()[0] for n in spec.names}
    for name in spec.names:
        for value in spec.levers[name].corners():
            point = {**first, name: value}
            try:
                data = candidate(base, point)
            except ConfigError as exc:  # a path deeper than the scenario goes
                raise ConfigError(f"{source}: {exc}".replace("parameters.", "levers.", 1)) from None
            scenario_from_dict(data, source=f"{source}: levers.{name} = {value!r}")


def check_objectives(spec: DesignSpec, base: dict, source: str) -> None:
    """Every objective must be an outcome a run of the base reports (one month run)."""
    from sim.model.model import RegionModel

    model = RegionModel(scenario_from_dict(base, source=source), seed=0)
    model.step()
    known = [k for k, v in model.recorder.summary().items() if isinstance(v, int | float)]
    for key in spec.directions:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ConfigError(f"{source}: objectives.{key}: not an outcome a run reports{hint}")


def check_worlds(source: str) -> None:
    from sim.study.worlds import available

    if not available():
        raise ConfigError(
            f"{source}: worlds: this installation carries no posterior (sim/data/posterior)"
        )


def preset_names(spec: DesignSpec) -> list[str]:
    """The presets the front is measured against."""
    return list(spec.presets) if spec.presets is not None else list_scenarios()
