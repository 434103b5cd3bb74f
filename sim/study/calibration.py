"""Pattern-oriented calibration: approximate Bayesian computation over the claimed patterns.

A calibration spec (TOML) names behavioural parameters with uniform priors, the checks of
`sim.study.validation` to calibrate against (by default every check with a pattern number), how many
fixed seeds each evaluation uses, and the size of the ABC-SMC run. Each parameter point is
scored by a distance built from the checks' t statistics (signed toward the claim):

    distance = sum over checks of max(0, z_target - t) / z_target

where z_target is `z_target` x sqrt(seeds / the check's own seed count) with `scale_target`
(the default): t grows with the square root of the number of seeds, so a check that reaches
t = 3 on its own seeds is expected to reach that target on the calibration's fewer seeds.
So a check that holds at least as strongly as its target contributes 0, one with no evidence
(t = 0) contributes 1, and one that goes against its claim contributes more than 1.

The engine is ABC-SMC (population Monte Carlo ABC: Toni et al. 2009; Beaumont et al. 2009):

- generation 0 draws `population` points from the uniform priors and accepts them all;
- generation g >= 1 sets epsilon_g to the `quantile` of the previous generation's distances
  (at least `min_epsilon`), proposes points by drawing a particle of the previous generation by
  weight and moving it with a Gaussian kernel of twice the population's weighted covariance
  (proposals outside the prior are redrawn), evaluates them in batches of `population` and
  accepts, in the order they were drawn, the first `population` points whose distance is at
  most epsilon_g; the weights are prior / (sum of previous weights x kernel density);
- a generation that fills fewer than `population` points within `max_batches` batches goes
  on with those it accepted; the run stops after `generations` generations, when epsilon
  reaches `min_epsilon`, or when a generation accepts no point at all.

The accepted set is the last generation: its points, every one within that generation's
epsilon, with their importance weights.

Reproducible by construction: the model seeds are spawned once from the master seed (numpy
`SeedSequence`) and shared by every point (common random numbers), all random draws of the
sampler come from one generator spawned from the same master seed in the driver, and batches
are fixed in size and read in the order they were drawn, so a rerun gives bit-identical
particles on any executor and any number of workers.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.io.progress import bar as progress_bar
from sim.model.config import (
    ConfigError,
    Strict,
    capped,
    error_lines,
    load_scenario,
    read_toml,
    safe_name,
)
from sim.study.experiment import apply

VALIDATION_MODULE_ENV = "SAMENSPEL_VALIDATION_MODULE"
"""A test hook: the module that provides the checks (default `sim.study.validation`)."""

DEFAULT_BASE = "multiple-local-status-quo"


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


def validation_name() -> str:
    return os.environ.get(VALIDATION_MODULE_ENV) or "sim.study.validation"


def validation_module(name: str | None = None) -> Any:
    """`sim.study.validation` (or the module the test hook names), imported only when needed."""
    name = name or validation_name()
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise ConfigError(
            f"calibration: the checks module {name} is not installed; calibration needs "
            "sim.study.validation (samenspel validate)"
        ) from None


def select_checks(spec: CalibrationSpec, source: str = "spec") -> list[str]:
    """The check keys a spec calibrates against, validated against the checks module."""
    v = validation_module()
    known = [c.key for c in v.CHECKS]
    if spec.checks is not None:
        for key in spec.checks:
            if key not in known:
                import difflib

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
        keys = [c.key for c in with_pattern if c.pattern in spec.patterns]
    else:
        keys = [c.key for c in with_pattern]
    if not keys:
        raise ConfigError(f"{source}: no check with a pattern number to calibrate against")
    return keys


def shortfall(t: float, z_target: float) -> float:
    """A check's contribution to the distance: 0 when it holds with t >= z_target."""
    if math.isnan(t):
        return 1.0  # no evidence either way
    return max(0.0, z_target - t) / z_target


def targets(spec: CalibrationSpec, keys: list[str]) -> list[float]:
    """Each check's z_target at the spec's seeds (see the module's docstring)."""
    if not spec.scale_target:
        return [spec.z_target] * len(keys)
    v = validation_module()
    return [spec.z_target * math.sqrt(spec.seeds / max(1, v.check(k).seeds)) for k in keys]


def evaluate_point(
    index: int, overrides: dict[str, float], keys: list[str], seeds: list[int], module: str
) -> tuple[int, list[float]]:
    """One parameter point on every check (run in a worker): its index and the checks' t."""
    v = validation_module(module)
    out = []
    try:
        for key in keys:
            try:
                out.append(float(v.check(key).evaluate(overrides, seeds).t))
            except Exception as exc:
                hint = ""
                if "daemonic" in str(exc):
                    hint = (
                        " (these checks start processes of their own: use "
                        'executor.parallel = "checks")'
                    )
                raise EvaluationFailed(
                    f"check {key} failed at {overrides}: {type(exc).__name__}: {exc}{hint}"
                ) from None
    finally:
        clear = getattr(v, "clear_cache", None)
        if callable(clear):  # runs at one point are never reused at another: free them
            clear()
    return index, out


class EvaluationFailed(RuntimeError):
    """A check raised at a parameter point: the calibration stops (exit status 1)."""


# --- loading ---------------------------------------------------------------------------------


def base_dict(spec: CalibrationSpec) -> dict:
    return load_scenario(spec.base).model_dump(mode="json")


def _one_line(exc: ConfigError) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[-1] if len(lines) > 1 else (lines[0] if lines else "invalid")


def load_calibration(path: str | Path) -> tuple[CalibrationSpec, list[str]]:
    """Load and validate a spec and its check keys; one-line ConfigError otherwise.

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
    near = path.parent / spec.base
    if Path(spec.base).suffix == ".toml" and not Path(spec.base).is_absolute() and near.exists():
        spec = spec.model_copy(update={"base": str(near.resolve())})
    try:
        base = base_dict(spec)
    except ConfigError as exc:
        raise ConfigError(f"{path}: base: {_one_line(exc)}") from None
    check_paths(spec, base, str(path))
    keys = select_checks(spec, str(path))
    return spec, keys


def check_paths(spec: CalibrationSpec, base: dict, source: str) -> None:
    from sim.model.config import scenario_from_dict

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


def lookup(data: Mapping, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def most_points(spec: CalibrationSpec) -> int:
    """The most points a calibration evaluates: generation 0's population, at most
    `max_batches` batches of it in every later generation, and the defaults."""
    return spec.population * (1 + (spec.generations - 1) * spec.max_batches) + 1


def estimate(spec: CalibrationSpec, keys: list[str]) -> Any:
    """What the calibration will take at most (a sim.study.estimate.Estimate): `most_points` points,
    each the checks' runs on the spec's seeds."""
    from sim.study.estimate import of_calibration, of_runs

    mid = {n: spec.parameters[n].mid for n in spec.names}
    per_point = of_runs(validation_module().workload(mid, keys, spec.seeds), "")
    reduce = "population, generations, max_batches, seeds or the checks"
    return of_calibration(most_points(spec), len(keys), per_point, reduce)


# --- the sampler -----------------------------------------------------------------------------


@dataclass
class Generation:
    number: int
    epsilon: float
    evaluated: int
    accepted: int
    seconds: float


@dataclass
class Calibration:
    """What a calibration produced: the accepted particles and every evaluation."""

    spec: CalibrationSpec
    keys: list[str]
    seeds: list[int]
    particles: Any  # pandas DataFrame
    evaluations: Any  # pandas DataFrame
    generations: list[Generation] = field(default_factory=list)
    stopped: str = ""
    seconds: float = 0.0
    defaults: dict[str, Any] = field(default_factory=dict)
    z_targets: dict[str, float] = field(default_factory=dict)
    default_distance: float = math.nan  # the defaults scored on the same seeds and checks

    @property
    def defaults_accepted(self) -> bool:
        """Whether the model's defaults lie in the accepted region: within the final epsilon."""
        eps = self.generations[-1].epsilon if self.generations else math.nan
        return self.default_distance <= eps


def _kernel(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Cholesky factor of twice the weighted covariance (Beaumont et al. 2009), in unit space."""
    d = u.shape[1]
    mean = w @ u
    cov = ((u - mean).T * w) @ (u - mean) * 2.0
    cov = np.atleast_2d(cov) + np.eye(d) * 1e-8
    return np.linalg.cholesky(cov)


def _log_density(x: np.ndarray, centres: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """log N(x | centre, L L^T) for each x (rows) and centre (columns), up to a constant."""
    diff = x[:, None, :] - centres[None, :, :]
    z = np.linalg.solve(chol, diff.reshape(-1, diff.shape[-1]).T).T
    return -0.5 * (z**2).sum(axis=1).reshape(diff.shape[:2])


def _propose(
    rng: np.random.Generator, u: np.ndarray, w: np.ndarray, chol: np.ndarray, n: int
) -> np.ndarray:
    out = np.empty((n, u.shape[1]))
    for i in range(n):
        for _ in range(10_000):
            x = u[rng.choice(len(u), p=w)] + chol @ rng.standard_normal(u.shape[1])
            if np.all((x >= 0) & (x <= 1)):
                out[i] = x
                break
        else:  # pragma: no cover - a kernel this wide would need a prior of measure zero
            raise RuntimeError("the proposal kernel found no point inside the prior")
    return out


def calibrate(
    spec: CalibrationSpec,
    keys: list[str],
    *,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
    bar: bool = False,
) -> Calibration:
    """Run the ABC-SMC; the result depends only on the spec and the checks, never on where it
    runs.

    `executor` ("inprocess", "processes", "dask") says where the points run; by default the
    spec's: with `executor.parallel = "checks"` the points run one after another here (the
    checks spread their own runs), with "points" on `executor.kind`. A `scheduler` address
    sends the points to that Dask cluster."""
    import pandas as pd

    from sim.study.executors import execute

    scheduler = scheduler or (spec.executor.scheduler if executor in (None, "dask") else None)
    if executor is None:
        executor = spec.executor.kind if spec.executor.parallel == "points" else "inprocess"
    if scheduler:
        executor = "dask"
    workers = workers or spec.executor.workers or os.cpu_count() or 1
    names = spec.names
    low = np.array([spec.parameters[n].low for n in names])
    width = np.array([spec.parameters[n].high for n in names]) - low
    seeds = spec.model_seeds()
    rng = spec.sampler_rng()
    module = validation_name()
    z_targets = targets(spec, keys)
    n = spec.population
    start = time.perf_counter()

    def values(u_row: np.ndarray) -> dict[str, float]:
        return {k: float(v) for k, v in zip(names, low + u_row * width, strict=True)}

    def evaluate(points: np.ndarray, first: int) -> list[list[float]]:
        tasks = [(first + i, values(p), keys, seeds, module) for i, p in enumerate(points)]
        got = {}
        with progress_bar(len(tasks), "calibrate", "point", enabled=bar, leave=False) as update:
            for i, ts in execute(evaluate_point, tasks, executor, workers, scheduler):
                got[i] = ts
                update(1)
        return [got[first + i] for i in range(len(points))]

    def distance(ts: list[float]) -> float:
        return float(sum(shortfall(t, z) for t, z in zip(ts, z_targets, strict=True)))

    records: list[dict] = []
    gens: list[Generation] = []
    u = w = d = ts_acc = None
    epsilon = math.inf
    stopped = f"after {spec.generations} generation(s)"
    candidate = 0
    short: list[int] = []
    for g in range(spec.generations):
        g_start = time.perf_counter()
        if g > 0:
            epsilon = max(float(np.quantile(d, spec.quantile)), spec.min_epsilon)
            chol = _kernel(u, w)
        acc_u, acc_d, acc_t, evaluated = [], [], [], 0
        for _ in range(spec.max_batches if g > 0 else 1):
            batch = rng.random((n, len(names))) if g == 0 else _propose(rng, u, w, chol, n)
            results = evaluate(batch, candidate)
            for p, ts in zip(batch, results, strict=True):
                dist = distance(ts)
                ok = dist <= epsilon and len(acc_u) < n
                records.append(
                    {
                        "generation": g,
                        "candidate": candidate,
                        **values(p),
                        "distance": dist,
                        **{f"t_{k}": t for k, t in zip(keys, ts, strict=True)},
                        "accepted": ok,
                    }
                )
                candidate += 1
                evaluated += 1
                if ok:
                    acc_u.append(p)
                    acc_d.append(dist)
                    acc_t.append(ts)
            if len(acc_u) >= n:
                break
        if not acc_u:
            stopped = (
                f"generation {g} accepted no point within epsilon {epsilon:.4g} in "
                f"{spec.max_batches} batches; the accepted set is generation {g - 1}"
            )
            epsilon = gens[-1].epsilon
            break
        new_u = np.array(acc_u)
        if g == 0:
            new_w = np.full(len(new_u), 1.0 / len(new_u))
            epsilon = float(max(acc_d))
        else:
            dens = np.exp(_log_density(new_u, u, chol)) @ w
            new_w = 1.0 / dens
            new_w /= new_w.sum()
        u, w, d, ts_acc = new_u, new_w, np.array(acc_d), acc_t
        gens.append(Generation(g, epsilon, evaluated, len(acc_u), time.perf_counter() - g_start))
        if progress:
            progress(
                f"generation {g + 1}/{spec.generations}: epsilon {epsilon:.4g}, accepted "
                f"{len(acc_u)} of {evaluated} ({len(acc_u) / evaluated:.0%}), "
                f"{_clock(time.perf_counter() - start)} elapsed"
            )
        if len(acc_u) < n:
            short.append(g)  # the run goes on from the points it accepted
        if g > 0 and epsilon <= spec.min_epsilon:
            stopped = f"epsilon reached min_epsilon {spec.min_epsilon:g} at generation {g}"
            break

    # The defaults, scored like any point: do they lie in the accepted region?
    base = base_dict(spec)
    defaults = {nm: lookup(base, nm) for nm in names}
    _, default_ts = evaluate_point(-1, defaults, keys, seeds, module)
    if progress:
        progress(f"the defaults: distance {distance(default_ts):.4g} (final epsilon {epsilon:.4g})")
    last = len(gens) - 1
    if short:
        stopped += (
            f"; generation(s) {', '.join(map(str, short))} filled fewer than {n} points "
            f"within {spec.max_batches} batches and went on with those"
        )
    particles = pd.DataFrame(
        [
            {
                "generation": last,
                "particle": i,
                **values(p),
                "weight": float(wi),
                "distance": float(di),
                **{f"t_{k}": float(t) for k, t in zip(keys, ts, strict=True)},
            }
            for i, (p, wi, di, ts) in enumerate(zip(u, w, d, ts_acc, strict=True))
        ]
    )
    return Calibration(
        spec=spec,
        keys=keys,
        seeds=seeds,
        particles=particles,
        evaluations=pd.DataFrame(records),
        generations=gens,
        stopped=stopped,
        seconds=time.perf_counter() - start,
        defaults=defaults,
        z_targets=dict(zip(keys, z_targets, strict=True)),
        default_distance=distance(default_ts),
    )


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s"


# --- summaries -------------------------------------------------------------------------------


def weighted_quantile(x: Sequence[float], w: Sequence[float], q: float) -> float:
    """The q-quantile of x under weights w (midpoint rule of the cumulative weights)."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order] / w.sum()
    cum = np.cumsum(w) - w / 2
    return float(np.interp(q, cum, x))


def accepted_ranges(cal: Calibration) -> Any:
    import pandas as pd

    spec, p = cal.spec, cal.particles
    rows = []
    for name in spec.names:
        prior = spec.parameters[name]
        q05, q50, q95 = (weighted_quantile(p[name], p["weight"], q) for q in (0.05, 0.5, 0.95))
        ratio = (q95 - q05) / (prior.high - prior.low)
        default = cal.defaults.get(name)
        rows.append(
            {
                "parameter": name,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "default": default,
                "q05": q05,
                "q50": q50,
                "q95": q95,
                "default_in_90": bool(default is not None and q05 <= default <= q95),
                "width_ratio": ratio,
                "constrained": bool(ratio < spec.constrained_width),
            }
        )
    return pd.DataFrame(rows)


def _rank(x: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.Series(x).rank(method="average").to_numpy()


def constraints(cal: Calibration) -> Any:
    """Spearman's rho between each parameter and each check's t over every evaluated point
    (points where the check gave no statistic are left out). A check constrains a parameter
    when |rho| >= rho_threshold, rho is beyond chance (|rho| sqrt(n - 1) >= rho_z) and the
    check falls short of z_target at some evaluated point (`share_short` > 0): a check that
    holds everywhere adds nothing to any distance and so cannot constrain anything."""
    import pandas as pd

    ev = cal.evaluations
    rows = []
    for name in cal.spec.names:
        for key in cal.keys:
            x, y = ev[name].to_numpy(float), ev[f"t_{key}"].to_numpy(float)
            keep = ~np.isnan(x) & ~np.isnan(y)  # an infinite t ranks as the largest
            rho = math.nan
            if keep.sum() >= 3:
                rx, ry = _rank(x[keep]), _rank(y[keep])
                if rx.std() > 0 and ry.std() > 0:
                    rho = float(np.corrcoef(rx, ry)[0, 1])
            m = int(keep.sum())
            z = rho * math.sqrt(m - 1) if m > 1 else math.nan
            short = float(
                np.mean([shortfall(t, cal.z_targets.get(key, cal.spec.z_target)) > 0 for t in y])
            )
            rows.append(
                {
                    "parameter": name,
                    "check": key,
                    "rho": rho,
                    "n": m,
                    "z": z,
                    "share_short": short,
                    "constrains": bool(
                        short > 0
                        and not math.isnan(rho)
                        and abs(rho) >= cal.spec.rho_threshold
                        and abs(z) >= cal.spec.rho_z
                    ),
                }
            )
    return pd.DataFrame(rows)


# --- the report ------------------------------------------------------------------------------


def words(lang: str) -> dict[str, str]:
    """The calibration report's words in `lang` (catalogue table `[calibrate]`)."""
    from sim.present import i18n  # Babel only where words are shown, not in a worker

    prefix = "calibrate."
    return {
        k.removeprefix(prefix): v for k, v in i18n.catalogue(lang).items() if k.startswith(prefix)
    }


def _facts(cal: Calibration, lang: str) -> list[tuple[str, str]]:
    s = words(lang)
    eps = cal.generations[-1].epsilon if cal.generations else math.nan
    return [
        (s["checks"], ", ".join(cal.keys)),
        (s["seeds"], str(cal.spec.seeds)),
        (s["population"], str(cal.spec.population)),
        (s["evaluations"], str(len(cal.evaluations))),
        (s["epsilon"], f"{eps:.4g}"),
        (
            s["defaults"],
            f"{cal.default_distance:.4g} "
            f"({s['inside'] if cal.defaults_accepted else s['outside']})",
        ),
        (s["stopped"], cal.stopped),
        (s["seconds"], _clock(cal.seconds)),
    ]


def _md_table(df: Any) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report_md(cal: Calibration, ranges: Any, cons: Any) -> str:
    out = []
    for lang in ("en", "nl"):
        s = words(lang)
        free = [p for p in cal.spec.names if not cons[cons.parameter == p].constrains.any()]
        out += [f"# {s['title']}: {cal.spec.name}" if lang == "en" else f"# {s['title']}", ""]
        out += [s["lead"], "", f"## {s['summary']}", ""]
        out += [f"- {k}: {v}" for k, v in _facts(cal, lang)]
        strong = cons[cons.constrains]
        out += ["", f"## {s['generations']}", "", _md_table(pd_generations(cal))]
        out += ["", f"## {s['ranges']}", "", _md_table(ranges)]
        out += ["", f"## {s['constraints']}", "", _md_table(strong) if len(strong) else "-"]
        out += ["", f"## {s['unconstrained']}", "", ", ".join(free) or s["none"], ""]
        out += [
            s["rule"].format(
                w=cal.spec.constrained_width, r=cal.spec.rho_threshold, z=cal.spec.rho_z
            ),
            "",
        ]
    return "\n".join(out)


def pd_generations(cal: Calibration) -> Any:
    import pandas as pd

    return pd.DataFrame([vars(g) for g in cal.generations])


def report_html(cal: Calibration, ranges: Any, cons: Any) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(cal.spec.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
        "</style></head><body>",
    ]
    for lang in ("en", "nl"):
        s = words(lang)
        free = [p for p in cal.spec.names if not cons[cons.parameter == p].constrains.any()]
        parts.append(f"<section lang='{lang}'><h1>{s['title']}: {html.escape(cal.spec.name)}</h1>")
        parts.append(f"<p>{html.escape(s['lead'])}</p><h2>{s['summary']}</h2><ul>")
        parts += [f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in _facts(cal, lang)]
        parts.append(f"</ul><h2>{s['generations']}</h2>")
        parts.append(pd_generations(cal).to_html(index=False, float_format="%.4g"))
        parts.append(f"<h2>{s['ranges']}</h2>")
        parts.append(ranges.to_html(index=False, float_format="%.4g"))
        parts.append(f"<h2>{s['constraints']}</h2>")
        parts.append(cons[cons.constrains].to_html(index=False, float_format="%.3g"))
        parts.append(f"<h2>{s['unconstrained']}</h2><p>{html.escape(', '.join(free) or s['none'])}")
        rule = s["rule"].format(
            w=cal.spec.constrained_width, r=cal.spec.rho_threshold, z=cal.spec.rho_z
        )
        parts.append(f"</p><p>{html.escape(rule)}</p></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- writing ---------------------------------------------------------------------------------


def save(cal: Calibration, dest: Any) -> Path:
    """Write the result folder atomically through sim/io/store.py."""
    from sim.io.store import write_atomically, write_json, write_tables, write_toml
    from sim.study.run import provenance

    ranges, cons = accepted_ranges(cal), constraints(cal)

    def fill(tmp: Path) -> None:
        write_tables(
            tmp,
            {"particles": cal.particles, "evaluations": cal.evaluations},
        )
        ranges.to_csv(tmp / "accepted_ranges.csv", index=False)
        cons.to_csv(tmp / "constraints.csv", index=False)
        write_toml(tmp / "spec.toml", cal.spec.model_dump(mode="json", exclude_none=True))
        (tmp / "report.md").write_text(report_md(cal, ranges, cons), encoding="utf-8")
        (tmp / "report.html").write_text(report_html(cal, ranges, cons), encoding="utf-8")
        write_json(
            tmp / "manifest.json",
            {
                "kind": "calibration",
                "spec": cal.spec.name,
                "spec_hash": cal.spec.digest(),
                "base": cal.spec.base,
                "master_seed": cal.spec.master_seed,
                "seeds": cal.seeds,
                "checks": cal.keys,
                "generations": [vars(g) for g in cal.generations],
                "stopped": cal.stopped,
                "evaluations": len(cal.evaluations),
                "seconds": cal.seconds,
                "distance": "sum over checks of max(0, z_target - t) / z_target",
                "z_target": cal.spec.z_target,
                "z_targets": cal.z_targets,
                "default_distance": cal.default_distance,
                "defaults_accepted": cal.defaults_accepted,
                **provenance(),
            },
        )

    return write_atomically(dest, fill)


def progress_printer(line: str) -> None:
    print(f"samenspel calibrate: {line}", file=sys.stderr, flush=True)
