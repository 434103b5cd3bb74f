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
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.config import (
    ConfigError,
    Scenario,
    format_validation_error,
    load_scenario,
    read_toml,
    safe_name,
    scenario_from_dict,
)
from sim.metrics import SERIES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Parameter(_Strict):
    """A swept parameter: a range (low, high) or a list of values."""

    low: float | None = None
    high: float | None = None
    values: list[float | int | str | bool] | None = None
    levels: Annotated[int, Field(ge=2, le=100)] | None = Field(
        None, description="full factorial over a range: this many evenly spaced levels"
    )
    integer: bool = False

    @model_validator(mode="after")
    def _range_or_values(self) -> Parameter:
        has_range = self.low is not None and self.high is not None
        if has_range == (self.values is not None):
            raise ValueError("give either low and high, or values")
        if has_range and not self.low < self.high:  # type: ignore[operator]
            raise ValueError(f"low must be below high (got {self.low} and {self.high})")
        return self


class Design(_Strict):
    kind: Literal["full_factorial", "list", "latin_hypercube", "sobol", "morris"]
    samples: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None, description="latin_hypercube: points; sobol: base samples N; morris: trajectories"
    )
    levels: Annotated[int, Field(ge=2, le=100)] = Field(4, description="morris: grid levels")
    second_order: bool = Field(False, description="sobol: also sample second-order indices")
    points: list[dict[str, Any]] | None = Field(None, description="list: the points to run")


class Outputs(_Strict):
    summary: list[str] | None = Field(None, description="summary outcomes to keep (all if unset)")
    series: list[str] = Field(default_factory=list, description="time-series columns to keep")
    series_every: Annotated[int, Field(ge=0, le=1200)] = Field(
        0, description="keep every k-th month of the series (0 = none)"
    )


class Spec(_Strict):
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
        kind = self.design.kind
        if kind != "list" and not self.parameters:
            raise ValueError("parameters: at least one parameter is needed for this design")
        if kind in ("latin_hypercube", "sobol", "morris"):
            if self.design.samples is None:
                raise ValueError(f"design.samples is required for {kind}")
            for name, p in self.parameters.items():
                if p.values is not None:
                    raise ValueError(f"parameters.{name}: {kind} needs a range (low, high)")
        if kind == "full_factorial":
            for name, p in self.parameters.items():
                if p.values is None and p.levels is None:
                    raise ValueError(f"parameters.{name}: give values, or levels with the range")
        if kind == "list" and not self.design.points:
            raise ValueError("design.points: a list design needs at least one point")
        unknown = [c for c in self.outputs.series if c not in SERIES]
        if unknown:
            raise ValueError(f"outputs.series: unknown {unknown}; allowed: {', '.join(SERIES)}")
        return self

    # --- the design ---------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """The parameters in canonical order (by name), so that the order in which a spec lists
        them cannot change which run gets which parameters."""
        return sorted(self.parameters)

    def problem(self) -> dict:
        """The SALib problem: names and bounds of the ranged parameters."""
        names = self.names
        return {
            "num_vars": len(names),
            "names": names,
            "bounds": [[self.parameters[n].low, self.parameters[n].high] for n in names],
        }

    def points(self) -> list[dict[str, Any]]:
        """The design's parameter points, in a fixed order."""
        d = self.design
        names = self.names
        if d.kind == "list":
            return [dict(p) for p in d.points or []]
        if d.kind == "full_factorial":
            axes = []
            for n in names:
                p = self.parameters[n]
                if p.values is not None:
                    axes.append(list(p.values))
                else:
                    axes.append(list(np.linspace(p.low, p.high, p.levels)))  # type: ignore[arg-type]
            rows = itertools.product(*axes)
        else:
            from SALib.sample import latin, morris, sobol  # only a sweep's driver needs SALib

            seed = self.master_seed
            if d.kind == "latin_hypercube":
                x = latin.sample(self.problem(), d.samples, seed=seed)
            elif d.kind == "sobol":
                x = sobol.sample(
                    self.problem(), d.samples, calc_second_order=d.second_order, seed=seed
                )
            else:
                x = morris.sample(self.problem(), d.samples, num_levels=d.levels, seed=seed)
            rows = (tuple(r) for r in x.tolist())
        out = []
        for row in rows:
            point = {}
            for n, v in zip(names, row, strict=True):
                if isinstance(v, np.generic):
                    v = v.item()
                point[n] = round(v) if self.parameters[n].integer else v
            out.append(point)
        return out

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
        for i, point in enumerate(self.points()):
            for r in range(self.replicates):
                run_id = i * self.replicates + r
                child = np.random.SeedSequence(
                    master.entropy,
                    spawn_key=(*master.spawn_key, run_id),
                    pool_size=master.pool_size,
                )
                yield run_id, i, int(child.generate_state(1, dtype=np.uint64)[0] >> 1), point

    def run_count(self) -> int:
        """How many runs the design makes, computed without making them."""
        d = self.design
        n_params = len(self.parameters)
        if d.kind == "list":
            points = len(d.points or [])
        elif d.kind == "full_factorial":
            points = math.prod(
                len(p.values) if p.values is not None else (p.levels or 0)
                for p in self.parameters.values()
            )
        elif d.kind == "latin_hypercube":
            points = d.samples or 0
        elif d.kind == "sobol":
            points = (d.samples or 0) * (2 * n_params + 2 if d.second_order else n_params + 2)
        else:
            points = (d.samples or 0) * (n_params + 1)
        return points * self.replicates

    def digest(self) -> str:
        """A hash of the design: what is varied, how, how often, with which seeds and outputs.

        Independent of how the spec is written (keys in any order) and of where it lies (the
        base scenario's path is left out; its resolved content is hashed on its own).
        """
        text = json.dumps(
            self.model_dump(mode="json", exclude={"base", "description"}), sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def apply(base: dict, params: dict[str, Any]) -> dict:
    """The base scenario dict with dotted parameters set (e.g. behaviour.trust_loss)."""
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
        node[parts[-1]] = value
    return out


def load_spec(path: str | Path) -> Spec:
    """Load and validate a spec; check its base scenario and every parameter path."""
    path = Path(path)
    raw = read_toml(path, "experiment spec")
    try:
        spec = Spec.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(format_validation_error(err, str(path), Spec)) from None
    near = path.parent / spec.base
    if Path(spec.base).suffix == ".toml" and not Path(spec.base).is_absolute() and near.exists():
        spec = spec.model_copy(update={"base": str(near.resolve())})  # relative to the spec file
    base = base_scenario(spec)

    # Every point must make a valid scenario: check the corners of the design up front (each
    # parameter's extremes with the others at their first value), without making the design.
    def value(p: Parameter, v: Any) -> Any:
        return round(v) if p.integer and isinstance(v, float) else v

    first = {
        n: value(p, p.values[0] if p.values is not None else p.low)
        for n, p in spec.parameters.items()
    }
    probe = (
        [dict(point) for point in spec.design.points or []] if spec.design.kind == "list" else []
    )
    for name, p in spec.parameters.items():
        for v in [p.low, p.high] if p.values is None else p.values:
            probe.append({**first, name: value(p, v)})
    scenario = None
    for point in probe or [{}]:
        scenario = scenario_from_dict(apply(base, point), source=f"{path} (parameters {point})")
    check_outputs(spec, scenario, str(path))
    return spec


def check_outputs(spec: Spec, scenario: Scenario | None, source: str) -> None:
    """The outcomes a spec keeps must be ones a run produces (today a typo fails every run)."""
    if not spec.outputs.summary or scenario is None:
        return
    from sim.model import RegionModel  # one month of the base: the outcomes a run reports

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


def base_scenario(spec: Spec) -> dict:
    """The base scenario as a dict: a preset, or a scenario file."""
    scenario: Scenario = load_scenario(spec.base, years=spec.years)
    return scenario.model_dump(mode="json")
