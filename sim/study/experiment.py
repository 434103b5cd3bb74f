"""Experiment specifications for sweeps: parameters, a design, replicates, seeds, outputs.

A spec is a TOML file, validated like a scenario. Its design turns parameter ranges into points
(through SALib for Latin hypercube, Sobol and Morris); each point is run `replicates` times with
seeds spawned from one master seed by numpy's SeedSequence. Sample sizes:

| design | runs |
|---|---|
| full_factorial | product of the parameters' levels x replicates |
| list | number of points x replicates |
| latin_hypercube | samples x replicates |
| sobol | samples x (D + 2) x replicates, or samples x (2D + 2) with second order |
| morris | samples x (D + 1) x replicates (samples = trajectories) |

where D is the number of parameters.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.io.inputs import beside
from sim.model.config import (
    ConfigError,
    Scenario,
    Strict,
    format_validation_error,
    load_scenario,
    read_toml,
    safe_name,
    scenario_from_dict,
)
from sim.model.recorder import SERIES
from sim.study.designs import design_chunks
from sim.study.sweeprows import check_columns


class Parameter(Strict):
    """A swept parameter: a range (low, high) or a list of values."""

    low: float | None = None
    high: float | None = None
    values: Annotated[list[float | int | str | bool], Field(min_length=1)] | None = None
    levels: Annotated[int, Field(ge=2, le=100)] | None = Field(
        None, description="full factorial over a range: this many evenly spaced levels"
    )
    integer: bool = False

    @model_validator(mode="after")
    def _range_or_values(self) -> Parameter:
        has_range = self.low is not None and self.high is not None
        if has_range == (self.values is not None):
            raise ValueError("give either low and high, or values")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low must be below high (got {self.low} and {self.high})")
        return self


class Design(Strict):
    kind: Literal["full_factorial", "list", "latin_hypercube", "sobol", "morris"]
    samples: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None, description="latin_hypercube: points; sobol: base samples N; morris: trajectories"
    )
    levels: Annotated[int, Field(ge=2, le=100)] = Field(4, description="morris: grid levels")
    second_order: bool = Field(False, description="sobol: also sample second-order indices")
    points: list[dict[str, Any]] | None = Field(None, description="list: the points to run")
    cross: list[str] = Field(
        default_factory=list,
        description="parameters with values run at every level for each point of the design, "
        "with the same seeds, so that contrasts between their levels are paired",
    )
    seeds: Literal["independent", "common"] = Field(
        "independent",
        description="independent: a seed of its own for every run; common: replicate r of "
        "every point runs on the same seed (common random numbers)",
    )


class Outputs(Strict):
    summary: list[str] | None = Field(None, description="summary outcomes to keep (all if unset)")
    series: list[str] = Field(default_factory=list, description="time-series columns to keep")
    series_every: Annotated[int, Field(ge=0, le=1200)] = Field(
        0, description="keep every k-th month of the series (0 = none)"
    )
    municipalities: bool | Annotated[list[str], Field(min_length=1)] = Field(
        False,
        description="keep a per-municipality table: true for every column a run writes per "
        "municipality, or a list of those columns",
    )


class Spec(Strict):
    """A sweep: what to vary, how to sample it, how often to repeat, what to keep."""

    name: str = Field(description="the spec's name; it names its result folder")
    description: str = ""
    base: str = Field(description="the base scenario: a preset name or a .toml file")
    years: Annotated[int, Field(ge=1, le=100)] | None = None
    replicates: Annotated[int, Field(ge=1, le=100_000)] = 1
    master_seed: Annotated[int, Field(ge=0)] = 0
    design: Design
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    outputs: Outputs = Field(default_factory=Outputs)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        return safe_name(name)

    @model_validator(mode="after")
    def _consistent(self) -> Spec:
        problem = next(_problems(self), None)  # the first, as the spec's error
        if problem is not None:
            raise ValueError(problem)
        return self

    # --- the design ---------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """The parameters in canonical order (by name), so that the order in which a spec lists
        them cannot change which run gets which parameters."""
        return sorted(self.parameters)

    @property
    def sampled(self) -> list[str]:
        """The parameters the design samples or lists: all but the crossed ones."""
        return [n for n in self.names if n not in self.design.cross]

    def categorical(self, name: str) -> bool:
        """Whether a parameter of a sampled design is a factor of listed values: SALib samples
        it on [0, 1] and `value` maps u to value number floor(u k) of k (as EMA Workbench's
        CategoricalParameter)."""
        return self.design.kind in SAMPLED and self.parameters[name].values is not None

    def problem(self) -> dict:
        """The SALib problem: names and bounds of the sampled parameters ([0, 1] for a factor
        of listed values)."""
        names = self.sampled
        return {
            "num_vars": len(names),
            "names": names,
            "bounds": [
                [0.0, 1.0]
                if self.categorical(n)
                else [self.parameters[n].low, self.parameters[n].high]
                for n in names
            ],
        }

    def points(self) -> list[dict[str, Any]]:
        """The design's parameter points, in a fixed order (all at once: `iter_points` makes
        them a chunk at a time)."""
        return list(self.iter_points())

    def iter_points(self) -> Iterator[dict[str, Any]]:
        """The design's parameter points in a fixed order, made `CHUNK` at a time so that a
        design of millions of points is never held whole; the same points, in the same order,
        as SALib's `sample` for the same seed (tests/test_edge_values.py)."""
        crossed = [
            dict(zip(self.design.cross, combo, strict=True))
            for combo in itertools.product(*(self.levels(n) for n in self.design.cross))
        ]
        names = self.sampled
        listed = self.design.points if self.design.kind == "list" else None
        rows = (dict(p) for p in listed or []) if listed is not None else self.iter_rows()
        for row in rows:
            point = row if isinstance(row, dict) else dict(zip(names, row, strict=True))
            point = {n: self.value(n, v) if n in self.parameters else v for n, v in point.items()}
            for levels in crossed:
                yield {**point, **levels}

    def iter_rows(self) -> Iterator[list[Any]]:
        """The design's rows over the sampled parameters (`sampled`), before `value` maps them:
        SALib's scale, with u in [0, 1] for a factor of listed values (what SALib's Morris
        analysis needs as X)."""
        d = self.design
        names = self.sampled
        if d.kind == "list":
            yield from ([p.get(n) for n in names] for p in d.points or [])
            return
        if d.kind == "full_factorial":
            yield from (list(r) for r in itertools.product(*(self.levels(n) for n in names)))
            return
        for rows in design_chunks(d, self.problem(), self.master_seed):
            yield from rows.tolist()

    def levels(self, name: str) -> list[Any]:
        """A full factorial's values of one parameter: its list, or its evenly spaced levels."""
        p = self.parameters[name]
        if p.values is not None:
            return list(p.values)
        assert p.low is not None and p.high is not None and p.levels is not None, "checked on load"
        return np.linspace(p.low, p.high, p.levels).tolist()

    def value(self, name: str, v: Any) -> Any:
        """A design's value as the run gets it: a float rounded for an integer parameter; for a
        factor of k listed values in a sampled design, value number min(floor(u k), k - 1)."""
        if isinstance(v, np.generic):
            v = v.item()
        p = self.parameters[name]
        if self.categorical(name) and p.values is not None:
            return p.values[min(int(float(v) * len(p.values)), len(p.values) - 1)]
        return round(v) if p.integer and isinstance(v, float) else v

    def runs(self) -> list[tuple[int, int, int, dict[str, Any]]]:
        """(run id, point index, seed, parameters) for every run.

        Seeds are spawned from the master seed, one per run, so a run's result depends only on
        its parameters and its seed, whatever executor runs it and in whatever order.
        """
        return list(self.iter_runs())

    def iter_runs(self) -> Iterator[tuple[int, int, int, dict[str, Any]]]:
        """The runs of `runs`, one at a time, so that a sweep holds only those in flight.

        Run `run_id`'s seed comes from the master seed's child number `run_id`, made directly
        (as SeedSequence.spawn makes it), not by spawning them all first.
        """
        master = np.random.SeedSequence(self.master_seed)
        crossed = self.crossed_levels()
        common = self.design.seeds == "common"
        for i, point in enumerate(self.iter_points()):
            for r in range(self.replicates):
                run_id = i * self.replicates + r
                key = r if common else (i // crossed) * self.replicates + r
                child = np.random.SeedSequence(
                    master.entropy, spawn_key=(*master.spawn_key, key), pool_size=master.pool_size
                )
                yield run_id, i, int(child.generate_state(1, dtype=np.uint64)[0] >> 1), point

    def crossed_levels(self) -> int:
        """How many combinations of the crossed parameters' levels each point is run at."""
        return math.prod(len(self.levels(n)) for n in self.design.cross)

    def run_count(self) -> int:
        """How many runs the design makes, computed without making them."""
        return self.point_count() * self.replicates

    def point_count(self) -> int:
        """How many points the design has, computed without making them."""
        return self.row_count() * self.crossed_levels()

    def row_count(self) -> int:
        """How many rows the design makes over its sampled parameters (before crossing)."""
        d = self.design
        n_params = len(self.sampled)
        if d.kind == "list":
            points = len(d.points or [])
        elif d.kind == "full_factorial":
            points = math.prod(len(self.levels(n)) for n in self.sampled)
        elif d.kind == "latin_hypercube":
            points = d.samples or 0
        elif d.kind == "sobol":
            points = (d.samples or 0) * (2 * n_params + 2 if d.second_order else n_params + 2)
        else:
            points = (d.samples or 0) * (n_params + 1)
        return points

    def digest(self) -> str:
        """A hash of the design: what is varied, how, how often, with which seeds and outputs.

        Independent of how the spec is written (keys in any order) and of where it lies (the
        base scenario's path is left out; its resolved content is hashed on its own).
        """
        dumped = self.model_dump(mode="json", exclude={"base", "description"})
        for field, default in (("cross", []), ("seeds", "independent")):  # as before they were
            if dumped["design"][field] == default:
                del dumped["design"][field]
        if not self.outputs.municipalities:  # unset: the digest of a spec that had no such key
            del dumped["outputs"]["municipalities"]
        text = json.dumps(dumped, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- what a spec must say together ------------------------------------------------------------

SAMPLED = ("latin_hypercube", "sobol", "morris")
"""The designs SALib samples from ranges."""


def _problems(spec: Spec) -> Iterator[str]:
    """What is inconsistent in a spec, the first the error it is refused with."""
    kind = spec.design.kind
    if kind != "list" and not spec.parameters:
        yield "parameters: at least one parameter is needed for this design"
    if kind in SAMPLED:
        yield from _sampled(spec)
    if kind == "full_factorial":
        yield from _factorial(spec)
    yield from _crossed(spec)
    yield from _listed(spec)
    unknown = [c for c in spec.outputs.series if c not in SERIES]
    if unknown:
        yield f"outputs.series: unknown {unknown}; allowed: {', '.join(SERIES)}"


def _sampled(spec: Spec) -> Iterator[str]:
    """A sampled design needs its samples, and something to sample: a range, or values (a
    factor). (A Sobol design's base samples should be a power of two: `analyze` says so.)"""
    kind = spec.design.kind
    if spec.design.samples is None:
        yield f"design.samples is required for {kind}"
    if not spec.sampled:
        yield f"parameters: {kind} needs at least one parameter that is not crossed"
    for name, p in spec.parameters.items():
        if p.values is not None and len(p.values) < 2:
            yield f"parameters.{name}: a factor needs two values or more to vary (got {p.values})"
        elif p.values is not None and kind == "morris" and len(p.values) > spec.design.levels:
            yield (
                f"parameters.{name}: a Morris grid of {spec.design.levels} levels reaches only "
                f"{spec.design.levels} of its {len(p.values)} values; set design.levels to "
                f"{len(p.values)} or more (an even number is best: SALib advises it)"
            )


def _crossed(spec: Spec) -> Iterator[str]:
    """A crossed parameter is one of the spec's, with its values listed."""
    for name in spec.design.cross:
        p = spec.parameters.get(name)
        if p is None:
            yield f"design.cross: {name!r} is not one of the parameters ({', '.join(spec.names)})"
        elif p.values is None:
            yield f"design.cross: parameters.{name} needs values to cross, not a range"
    if len(set(spec.design.cross)) != len(spec.design.cross):
        yield "design.cross: a parameter is named twice"


def _factorial(spec: Spec) -> Iterator[str]:
    """A full factorial needs each parameter's values, or levels over its range."""
    for name, p in spec.parameters.items():
        if p.values is None and p.levels is None:
            yield f"parameters.{name}: give values, or levels with the range"


def _listed(spec: Spec) -> Iterator[str]:
    """A list design, and only a list design, takes points."""
    kind = spec.design.kind
    if kind == "list" and not spec.design.points:
        yield "design.points: a list design needs at least one point"
    if kind != "list" and spec.design.points is not None:
        yield f"design.points: only a list design takes points, not {kind}"
    if kind != "sobol" and spec.design.second_order:
        yield f"design.second_order: only a sobol design samples second-order indices, not {kind}"


def apply(base: dict, params: dict[str, Any]) -> dict:
    """The base scenario dict with dotted parameters set (e.g. behaviour.trust_loss).

    A name set at a table of names sets every entry: `governance` set to an arrangement's name
    puts every theme under it (a factor "the arrangement for all themes")."""
    out = json.loads(json.dumps(base))
    for path, value in params.items():
        node = out
        parts = path.split(".")
        for i, part in enumerate(parts[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(
                    f"parameters.{path}: {'.'.join(parts[: i + 1])} is a single value in the "
                    "scenario, not a table: the path cannot go deeper"
                )
        here = node.get(parts[-1])
        names = isinstance(here, dict) and here and all(isinstance(v, str) for v in here.values())
        node[parts[-1]] = dict.fromkeys(here, value) if names and isinstance(value, str) else value
    return out


def lookup(data: Mapping, path: str) -> Any:
    """The value at a dotted path of a scenario dict (None where there is none): `apply`'s
    reader."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def load_spec(path: str | Path) -> Spec:
    """Load and validate a spec; check its base scenario and every parameter path.

    A spec is a TOML file (README, "Sweeps for scholars"; examples in experiments/sweeps/);
    a base given as a file is found beside the spec. Raises ConfigError naming what is wrong.

    Example (a runnable one is `sweep`'s):
        spec = load_spec("experiments/sweeps/trust-and-monitoring.toml")
        spec.run_count(), spec.names  # how many runs, which parameters
    """
    path = Path(path)
    raw = read_toml(path, "experiment spec")
    try:
        spec = Spec.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, str(path), Spec)) from None
    spec = spec.model_copy(update={"base": beside(path, spec.base, f"{path}: base")})
    base = base_scenario(spec)

    # Every point must make a valid scenario: check the corners of the design up front (each
    # parameter's extremes with the others at their first value), without making the design.
    # (A listed value is what a run gets; only a range's ends go through `value`, which maps a
    # sampled design's u in [0, 1] to a listed value.)
    first = {
        n: p.values[0] if p.values is not None else spec.value(n, p.low)
        for n, p in spec.parameters.items()
    }
    probe = (
        [dict(point) for point in spec.design.points or []] if spec.design.kind == "list" else []
    )
    for name, p in spec.parameters.items():
        for v in (
            p.values
            if p.values is not None
            else [spec.value(name, p.low), spec.value(name, p.high)]
        ):
            probe.append({**first, name: v})
    scenario = None
    for point in probe or [{}]:
        scenario = scenario_from_dict(apply(base, point), source=f"{path} (parameters {point})")
    check_outputs(spec, scenario, str(path))
    check_columns(spec, scenario, str(path))
    return spec


def check_outputs(spec: Spec, scenario: Scenario | None, source: str) -> None:
    """The outcomes a spec keeps must be ones a run produces (today a typo fails every run)."""
    if not spec.outputs.summary or scenario is None:
        return
    from sim.model.model import RegionModel  # one month of the base: the outcomes a run reports

    model = RegionModel(scenario, seed=0)
    model.step()
    known = [k for k in model.recorder.summary() if k != "seed"]
    for key in spec.outputs.summary:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ConfigError(
                f"{source}: outputs.summary: unknown outcome {key!r}{hint}; allowed: "
                f"{', '.join(known)}"
            )


SIZES = ("years", "region")
"""The scenario fields that make a run longer or larger: an estimate takes each at its most."""


def largest_scenario(spec: Spec) -> Scenario:
    """The base scenario with `years` and `region` at the largest value the design gives them:
    what its costliest run runs (for the estimate before a sweep, sim/study/estimate.py)."""
    from sim.model.config import region_size

    base = base_scenario(spec)
    given: dict[str, list[Any]] = {k: [base[k]] for k in SIZES}
    for name, p in spec.parameters.items():
        if name in SIZES:
            given[name] += p.values if p.values is not None else [p.high]
    listed = spec.design.points or [] if spec.design.kind == "list" else []
    for name in SIZES:
        given[name] += [point[name] for point in listed if name in point]
    years = max(round(y) for y in given["years"] if isinstance(y, int | float))
    region = max(given["region"], key=lambda r: region_size(str(r)) or 0)
    return scenario_from_dict({**base, "years": years, "region": region}, source=spec.name)


def base_scenario(spec: Spec) -> dict:
    """The base scenario as a dict: a preset, or a scenario file."""
    scenario: Scenario = load_scenario(spec.base, years=spec.years)
    return scenario.model_dump(mode="json")
