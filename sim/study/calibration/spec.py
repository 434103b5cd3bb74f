"""A calibration spec (TOML): priors, the checks to calibrate against, seeds, the ABC-SMC's
size and seed, and where it runs; loaded and checked before anything runs.

The checks come from a module with the interface of `sim.study.validation` (`CHECKS`,
`check(key)`, `workload(...)`, and optionally `clear_cache()`): by default that one; a caller
(a test, a project with checks of its own) passes another as `checks`.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import math
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.io.inputs import beside
from sim.model.config import (
    ConfigError,
    Strict,
    capped,
    error_lines,
    load_scenario,
    read_toml,
    safe_name,
    scenario_from_dict,
)
from sim.study.experiment import apply, lookup

DEFAULT_BASE = "multiple-local-status-quo"
DEFAULT_CHECKS = "sim.study.validation"


class Prior(Strict):
    """A uniform prior over a scenario field given by its dotted path."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Prior:
        if not self.low < self.high:  # both finite: every float field is (sim.model.config.Strict)
            raise ValueError(f"low must be below high (got {self.low} and {self.high})")
        return self

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


class Executor(Strict):
    """Where evaluations run; the results do not depend on it."""

    parallel: Literal["checks", "points"] = Field(
        "checks",
        description=(
            "checks: points one after another in this process, each check spreading its own "
            "model runs over the local cores (sim.study.validation's executor); "
            "points: points spread "
            "over the executor's workers, each evaluating its checks in its own process"
        ),
    )
    kind: Literal["processes", "inprocess", "dask"] = Field(
        "processes", description="points: where the points run"
    )
    workers: Annotated[int, Field(ge=1, le=512)] | None = Field(
        None, description="points: local processes (default: all cores)"
    )
    scheduler: str | None = Field(None, description="dask: tcp://HOST:PORT")


class CalibrationSpec(Strict):
    """A calibration: priors, checks, seeds, the ABC-SMC's size and seed, where it runs."""

    name: str
    description: str = ""
    base: str = Field(DEFAULT_BASE, description="scenario the parameter paths are checked on")
    parameters: dict[str, Prior] = Field(description="dotted scenario path -> low, high")
    checks: list[str] | None = Field(None, description="check keys (default: every pattern)")
    patterns: list[Annotated[int, Field(ge=1)]] | None = Field(
        None, description="instead of keys: the checks of these pattern numbers"
    )
    seeds: Annotated[int, Field(ge=2, le=10_000)] = 20
    population: Annotated[int, Field(ge=4, le=100_000)] = 100
    generations: Annotated[int, Field(ge=1, le=100)] = 4
    min_epsilon: Annotated[float, Field(ge=0.0)] = 0.0
    quantile: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    max_batches: Annotated[int, Field(ge=1, le=1000)] = 10
    z_target: Annotated[float, Field(gt=0.0, le=100.0)] = 3.0
    scale_target: bool = Field(
        True, description="scale z_target by sqrt(seeds / the check's own seeds)"
    )
    rho_threshold: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.3
    rho_z: Annotated[float, Field(ge=0.0, le=100.0)] = 3.0
    constrained_width: Annotated[float, Field(gt=0.0, le=1.0)] = 0.8
    master_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    executor: Executor = Field(default_factory=Executor)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        return safe_name(name)

    @model_validator(mode="after")
    def _consistent(self) -> CalibrationSpec:
        if not self.parameters:
            raise ValueError("parameters: at least one parameter is needed")
        if self.checks is not None and self.patterns is not None:
            raise ValueError("give checks or patterns, not both")
        if self.checks is not None and not self.checks:
            raise ValueError("checks: at least one check key is needed")
        if self.executor.kind == "dask" and not self.executor.scheduler:
            raise ValueError("executor.scheduler: the dask executor needs a scheduler address")
        return self

    @property
    def names(self) -> list[str]:
        """Parameters in canonical order (by name): how the spec lists them changes nothing."""
        return sorted(self.parameters)

    def model_seeds(self) -> list[int]:
        """The fixed seeds every point is evaluated on, spawned from the master seed."""
        children = np.random.SeedSequence(self.master_seed).spawn(self.seeds + 1)
        return [int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in children[:-1]]

    def sampler_rng(self) -> np.random.Generator:
        """The sampler's own random generator: the last child of the master seed."""
        children = np.random.SeedSequence(self.master_seed).spawn(self.seeds + 1)
        return np.random.default_rng(children[-1])

    def digest(self) -> str:
        """A hash of what determines the result (not where it runs or how the spec is laid)."""
        data = self.model_dump(mode="json", exclude={"executor", "description", "base"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# --- the checks ------------------------------------------------------------------------------


def checks_module(checks: ModuleType | str | None = None) -> ModuleType:
    """The module that provides the checks: `checks` (a module or its name), by default
    `sim.study.validation`, imported only when needed (a worker imports it by name)."""
    if isinstance(checks, ModuleType):
        return checks
    return importlib.import_module(checks or DEFAULT_CHECKS)


def select_checks(
    spec: CalibrationSpec, source: str = "spec", checks: ModuleType | None = None
) -> list[str]:
    """The check keys a spec calibrates against, validated against the checks module."""
    v = checks_module(checks)
    if spec.checks is not None:
        known = [c.key for c in v.CHECKS]
        for key in spec.checks:
            if key not in known:
                guess = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {guess[0]!r}?)" if guess else ""
                raise ConfigError(
                    f"{source}: checks: unknown check {key!r}{hint}; allowed: {', '.join(known)}"
                )
        return list(dict.fromkeys(spec.checks))
    with_pattern = [c for c in v.CHECKS if c.pattern is not None]
    if spec.patterns is not None:
        allowed = sorted({c.pattern for c in with_pattern})
        for p in spec.patterns:
            if p not in allowed:
                raise ConfigError(
                    f"{source}: patterns: no check has pattern {p}; allowed: "
                    f"{', '.join(map(str, allowed))}"
                )
        with_pattern = [c for c in with_pattern if c.pattern in spec.patterns]
    if not with_pattern:
        raise ConfigError(f"{source}: no check with a pattern number to calibrate against")
    return [c.key for c in with_pattern]


def targets(
    spec: CalibrationSpec, keys: list[str], checks: ModuleType | None = None
) -> list[float]:
    """Each check's z_target at the spec's seeds (see sim/study/calibration/__init__.py)."""
    if not spec.scale_target:
        return [spec.z_target] * len(keys)
    v = checks_module(checks)
    return [spec.z_target * math.sqrt(spec.seeds / max(1, v.check(k).seeds)) for k in keys]


# --- loading ---------------------------------------------------------------------------------


def base_dict(spec: CalibrationSpec) -> dict:
    return load_scenario(spec.base).model_dump(mode="json")


def _one_line(exc: ConfigError) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[-1] if len(lines) > 1 else (lines[0] if lines else "invalid")


def load_calibration(
    path: str | Path, checks: ModuleType | None = None
) -> tuple[CalibrationSpec, list[str]]:
    """Load and validate a spec and its check keys (from `checks`, by default
    `sim.study.validation`); one-line ConfigError otherwise.

    Every parameter path is checked by building the base scenario with each parameter at its
    prior's midpoint, low and high, before anything runs.
    """
    path = Path(path)
    raw = read_toml(path, "calibration spec")
    try:
        spec = CalibrationSpec.model_validate(raw)
    except ValidationError as err:
        lines = capped(error_lines(err, CalibrationSpec))
        raise ConfigError(f"{path}: " + "; ".join(lines)) from None
    spec = spec.model_copy(update={"base": beside(path, spec.base, f"{path}: base")})
    try:
        base = base_dict(spec)
    except ConfigError as exc:
        raise ConfigError(f"{path}: base: {_one_line(exc)}") from None
    check_paths(spec, base, str(path))
    keys = select_checks(spec, str(path), checks)
    return spec, keys


def check_paths(spec: CalibrationSpec, base: dict, source: str) -> None:
    """Each parameter a field of the base scenario, and a valid scenario at its prior's midpoint,
    low and high (the others at their midpoints); ConfigError naming it otherwise."""
    mid = {n: spec.parameters[n].mid for n in spec.names}
    for name in spec.names:
        if lookup(base, name) is None:
            raise ConfigError(
                f"{source}: parameters.{name}: not a field of the scenario {spec.base!r} "
                "(give a dotted path such as behaviour.trust_loss)"
            )
        prior = spec.parameters[name]
        for value in (prior.mid, prior.low, prior.high):
            try:
                scenario_from_dict(apply(base, {**mid, name: value}), source=source)
            except ConfigError as exc:
                raise ConfigError(
                    f"{source}: parameters.{name} = {value:g} does not make a valid scenario: "
                    f"{_one_line(exc)}"
                ) from None


def most_points(spec: CalibrationSpec) -> int:
    """The most points a calibration evaluates: generation 0's population, at most
    `max_batches` batches of it in every later generation, and the defaults."""
    return spec.population * (1 + (spec.generations - 1) * spec.max_batches) + 1


def estimate(spec: CalibrationSpec, keys: list[str], checks: ModuleType | None = None) -> Any:
    """What the calibration will take at most (a sim.study.estimate.Estimate): `most_points`
    points, each the checks' runs on the spec's seeds."""
    from sim.study.estimate import of_calibration, of_runs

    mid = {n: spec.parameters[n].mid for n in spec.names}
    per_point = of_runs(checks_module(checks).workload(mid, keys, spec.seeds), "")
    reduce = "population, generations, max_batches, seeds or the checks"
    return of_calibration(most_points(spec), len(keys), per_point, reduce)
