"""The ABC-SMC sampler: generations of weighted particles in the unit cube of the priors,
each point scored by the checks (sim/study/calibration/__init__.py says how)."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any

import numpy as np

from sim.io.progress import bar as progress_bar
from sim.study.calibration.checkpoint import Checkpoint
from sim.study.calibration.spec import (
    CalibrationSpec,
    base_dict,
    checks_module,
    lookup,
    targets,
)


class EvaluationFailed(RuntimeError):
    """A check raised at a parameter point: the calibration stops (exit status 1)."""


def shortfall(t: float, z_target: float) -> float:
    """A check's contribution to the distance: 0 when it holds with t >= z_target."""
    if math.isnan(t):
        return 1.0  # no evidence either way
    return max(0.0, z_target - t) / z_target


def evaluate_point(
    index: int,
    overrides: dict[str, float],
    keys: list[str],
    seeds: list[int],
    module: str,
    workers: int | None = None,
) -> tuple[int, list[float], float]:
    """One parameter point on every check of the checks module named `module` (run in a
    worker): its index, the checks' t and the seconds it took. The runs of all checks go out
    together, each set-up once, on `workers` local processes (1: in this process, as a point's
    worker does)."""
    v = checks_module(module)
    start = time.perf_counter()
    try:
        results = v.evaluate_all(overrides, keys=keys, seeds=seeds, workers=workers)
    except Exception as exc:
        hint = ""
        if "daemonic" in str(exc):
            hint = ' (these checks start processes of their own: use executor.parallel = "checks")'
        raise EvaluationFailed(
            f"the checks failed at {overrides}: {type(exc).__name__}: {exc}{hint}"
        ) from None
    finally:
        clear = getattr(v, "clear_cache", None)
        if callable(clear):  # runs at one point are never reused at another: free them
            clear()
    return index, [float(s.t) for _, s in results], time.perf_counter() - start


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
    evaluation_seconds: float = 0.0  # every point's own seconds, over all sessions of the run
    resumed: int = 0  # points read back from an interrupted run
    checkpoint: Checkpoint | None = None

    @property
    def defaults_accepted(self) -> bool:
        """Whether the model's defaults lie in the accepted region: within the final epsilon."""
        eps = self.generations[-1].epsilon if self.generations else math.nan
        return self.default_distance <= eps


# --- the kernel ------------------------------------------------------------------------------
# The kernel moves particles in logit space, z = log(u / (1 - u)) of the unit cube u of the
# priors: unbounded, so every proposal lies inside the prior (in twenty dimensions a Gaussian
# step in the cube itself leaves it nearly always). A uniform prior in u is the logistic
# density u (1 - u) in z, which the weights divide by the kernel density in z.

EDGE = 1e-12  # u is kept this far from 0 and 1, where z would be infinite


def logit(u: np.ndarray) -> np.ndarray:
    u = np.clip(u, EDGE, 1.0 - EDGE)
    return np.log(u) - np.log1p(-u)


def expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def log_prior(u: np.ndarray) -> np.ndarray:
    """The uniform prior's log density in logit space, for each row of u."""
    u = np.clip(u, EDGE, 1.0 - EDGE)
    return (np.log(u) + np.log1p(-u)).sum(axis=1)


def _kernel(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Cholesky factor of twice the weighted covariance (Beaumont et al. 2009), in logit space."""
    d = z.shape[1]
    mean = w @ z
    cov = ((z - mean).T * w) @ (z - mean) * 2.0
    cov = np.atleast_2d(cov) + np.eye(d) * 1e-8
    return np.linalg.cholesky(cov)


def _log_density(x: np.ndarray, centres: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """log N(x | centre, L L^T) for each x (rows) and centre (columns), up to a constant."""
    diff = x[:, None, :] - centres[None, :, :]
    z = np.linalg.solve(chol, diff.reshape(-1, diff.shape[-1]).T).T
    return -0.5 * (z**2).sum(axis=1).reshape(diff.shape[:2])


def _propose(
    rng: np.random.Generator, z: np.ndarray, w: np.ndarray, chol: np.ndarray, n: int
) -> np.ndarray:
    """n points (unit cube): a particle drawn by weight, moved by the kernel in logit space."""
    out = np.empty((n, z.shape[1]))
    for i in range(n):
        out[i] = expit(z[rng.choice(len(z), p=w)] + chol @ rng.standard_normal(z.shape[1]))
    return out


# --- points ----------------------------------------------------------------------------------


@dataclass
class _Points:
    """Parameter points in the unit cube of the priors: their values, where they are evaluated
    and their distances."""

    spec: CalibrationSpec
    keys: list[str]
    module: str  # the checks module, by name (a worker imports it)
    executor: str
    workers: int
    scheduler: str | None
    bar: bool
    z_targets: list[float]
    checkpoint: Checkpoint
    seeds: list[int] = field(init=False)

    def __post_init__(self) -> None:
        names = self.spec.names
        self.low = np.array([self.spec.parameters[n].low for n in names])
        self.width = np.array([self.spec.parameters[n].high for n in names]) - self.low
        self.seeds = self.spec.model_seeds()

    def values(self, u_row: np.ndarray) -> dict[str, float]:
        scaled = self.low + u_row * self.width
        return {k: float(v) for k, v in zip(self.spec.names, scaled, strict=True)}

    def evaluate(self, points: np.ndarray, first: int) -> list[list[float]]:
        """The checks' t at each point (numbered from `first`), in the order given: read back
        from the checkpoint where a resumed run evaluated it before, run otherwise."""
        from sim.study.executors import execute

        inner = self.workers if self.executor == "inprocess" else 1  # a point's own runs
        got: dict[int, list[float]] = {}
        tasks = []
        for i, p in enumerate(points):
            values = list(self.values(p).values())
            earlier = self.checkpoint.get(first + i, values)
            if earlier is not None:
                got[first + i] = earlier.ts
            else:
                tasks.append((first + i, self.values(p), self.keys, self.seeds, self.module, inner))
        with progress_bar(len(tasks), "calibrate", "point", enabled=self.bar, leave=False) as up:
            for i, ts, seconds in execute(
                evaluate_point, tasks, self.executor, self.workers, self.scheduler
            ):
                got[i] = ts
                self.checkpoint.add(i, list(self.values(points[i - first]).values()), ts, seconds)
                up(1)
        return [got[first + i] for i in range(len(points))]

    def distance(self, ts: list[float]) -> float:
        return float(sum(shortfall(t, z) for t, z in zip(ts, self.z_targets, strict=True)))

    def record(
        self, g: int, candidate: int, p: np.ndarray, ts: list[float], dist: float, ok: bool
    ) -> dict:
        """One evaluated point as a row of the evaluations table."""
        return {
            "generation": g,
            "candidate": candidate,
            **self.values(p),
            "distance": dist,
            **{f"t_{k}": t for k, t in zip(self.keys, ts, strict=True)},
            "accepted": ok,
        }


def _points(
    spec: CalibrationSpec,
    keys: list[str],
    checks: ModuleType | None,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    bar: bool,
    checkpoint: Checkpoint,
) -> _Points:
    """Where the points run: by default the spec's executor (see `calibrate`)."""
    scheduler = scheduler or (spec.executor.scheduler if executor in (None, "dask") else None)
    if executor is None:
        executor = spec.executor.kind if spec.executor.parallel == "points" else "inprocess"
    if scheduler:
        executor = "dask"
    module = checks_module(checks)
    return _Points(
        spec,
        keys,
        module.__name__,
        executor,
        workers or spec.executor.workers or os.cpu_count() or 1,
        scheduler,
        bar,
        targets(spec, keys, module),
        checkpoint,
    )


# --- generations -----------------------------------------------------------------------------


@dataclass
class _Population:
    """A generation's accepted points (unit cube), weights, distances and the checks' t."""

    u: np.ndarray
    w: np.ndarray
    d: np.ndarray
    ts: list[list[float]]

    @cached_property
    def z(self) -> np.ndarray:
        """The points in logit space, where the kernel moves them."""
        return logit(self.u)

    @cached_property
    def chol(self) -> np.ndarray:
        """The proposal kernel around this population (`_kernel`)."""
        return _kernel(self.z, self.w)


@dataclass
class _Accepted:
    u: list[np.ndarray] = field(default_factory=list)
    d: list[float] = field(default_factory=list)
    ts: list[list[float]] = field(default_factory=list)
    evaluated: int = 0


def _fill(
    g: int,
    epsilon: float,
    previous: _Population | None,
    rng: np.random.Generator,
    points: _Points,
    records: list[dict],
) -> _Accepted:
    """Generation g's points within `epsilon`: batches of `population` (generation 0: one, from
    the priors; later: proposed around the previous population), accepted in the order drawn
    until the population is full or `max_batches` batches are spent. Every evaluated point is
    added to `records`."""
    spec, n = points.spec, points.spec.population
    acc = _Accepted()
    for _ in range(spec.max_batches if g > 0 else 1):
        if previous is None:
            batch = rng.random((n, len(spec.names)))
        else:
            batch = _propose(rng, previous.z, previous.w, previous.chol, n)
        for p, ts in zip(batch, points.evaluate(batch, len(records)), strict=True):
            dist = points.distance(ts)
            ok = dist <= epsilon and len(acc.u) < n
            records.append(points.record(g, len(records), p, ts, dist, ok))
            acc.evaluated += 1
            if ok:
                acc.u.append(p)
                acc.d.append(dist)
                acc.ts.append(ts)
        if len(acc.u) >= n:
            break
    return acc


def _weighed(acc: _Accepted, previous: _Population | None) -> _Population:
    """The accepted points with their importance weights: equal in generation 0; later the
    prior over the previous population's kernel density, both in logit space."""
    u = np.array(acc.u)
    if previous is None:
        w = np.full(len(u), 1.0 / len(u))
    else:
        log_kernel = _log_density(logit(u), previous.z, previous.chol)
        top = log_kernel.max()
        dens = np.exp(log_kernel - top) @ previous.w  # scaled by exp(-top): cancels below
        log_w = log_prior(u) - np.log(dens)
        w = np.exp(log_w - log_w.max())
        w /= w.sum()
    return _Population(u, w, np.array(acc.d), acc.ts)


def clock(seconds: float) -> str:
    """A duration as minutes and seconds: 3m07s."""
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s"


def _particles(points: _Points, pop: _Population, generation: int) -> Any:
    """The accepted set as a table: each particle's values, weight, distance and checks' t."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "generation": generation,
                "particle": i,
                **points.values(p),
                "weight": float(wi),
                "distance": float(di),
                **{f"t_{k}": float(t) for k, t in zip(points.keys, ts, strict=True)},
            }
            for i, (p, wi, di, ts) in enumerate(zip(pop.u, pop.w, pop.d, pop.ts, strict=True))
        ]
    )


def _generations(
    points: _Points,
    rng: np.random.Generator,
    records: list[dict],
    say: Callable[[str], None],
    start: float,
) -> tuple[_Population, list[Generation], str]:
    """Run the generations; the last population, every generation, and why the run stopped."""
    spec, n = points.spec, points.spec.population
    gens: list[Generation] = []
    pop: _Population | None = None
    stopped = f"after {spec.generations} generation(s)"
    short: list[int] = []
    for g in range(spec.generations):
        g_start = time.perf_counter()
        epsilon = math.inf
        if pop is not None:
            epsilon = max(float(np.quantile(pop.d, spec.quantile)), spec.min_epsilon)
        acc = _fill(g, epsilon, pop, rng, points, records)
        if not acc.u:
            stopped = (
                f"generation {g} accepted no point within epsilon {epsilon:.4g} in "
                f"{spec.max_batches} batches; the accepted set is generation {g - 1}"
            )
            break
        if pop is None:
            epsilon = float(max(acc.d))
        pop = _weighed(acc, pop)
        gens.append(
            Generation(g, epsilon, acc.evaluated, len(acc.u), time.perf_counter() - g_start)
        )
        say(
            f"generation {g + 1}/{spec.generations}: epsilon {epsilon:.4g}, accepted "
            f"{len(acc.u)} of {acc.evaluated} ({len(acc.u) / acc.evaluated:.0%}), "
            f"{clock(time.perf_counter() - start)} elapsed"
        )
        if len(acc.u) < n:
            short.append(g)  # the run goes on from the points it accepted
        if g > 0 and epsilon <= spec.min_epsilon:
            stopped = f"epsilon reached min_epsilon {spec.min_epsilon:g} at generation {g}"
            break
    if short:
        stopped += (
            f"; generation(s) {', '.join(map(str, short))} filled fewer than {n} points "
            f"within {spec.max_batches} batches and went on with those"
        )
    if pop is None:  # pragma: no cover - generation 0 accepts every point it draws
        raise RuntimeError("internal: generation 0 accepted no point")
    return pop, gens, stopped


def calibrate(
    spec: CalibrationSpec,
    keys: list[str],
    *,
    checks: ModuleType | None = None,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
    bar: bool = False,
    resume: bool = False,
) -> Calibration:
    """Run the ABC-SMC on the checks `keys` of `checks` (by default sim.study.validation); the
    result depends only on the spec and the checks, never on where it runs.

    `executor` ("inprocess", "processes", "dask") says where the points run; by default the
    spec's: with `executor.parallel = "checks"` the points run one after another here (the
    checks spread their own runs), with "points" on `executor.kind`. A `scheduler` address
    sends the points to that Dask cluster. Every evaluated point is kept in a checkpoint
    (sim/study/calibration/checkpoint.py); with `resume`, the points an interrupted run of the
    same spec on the same code evaluated are read back, not run again."""
    import pandas as pd

    start = time.perf_counter()
    module = checks_module(checks)
    checkpoint = Checkpoint.of(f"{spec.digest()}-{module.__name__}", resume)
    resumed = len(checkpoint.points)
    if resumed:
        (progress or (lambda line: None))(f"resuming: {resumed} point(s) read back")
    points = _points(spec, keys, checks, executor, workers, scheduler, bar, checkpoint)
    say = progress or (lambda line: None)
    records: list[dict] = []
    pop, gens, stopped = _generations(points, spec.sampler_rng(), records, say, start)

    # The defaults, scored like any point: do they lie in the accepted region?
    base = base_dict(spec)
    defaults = {nm: lookup(base, nm) for nm in spec.names}
    _, default_ts, _ = evaluate_point(
        -1, defaults, keys, points.seeds, points.module, points.workers
    )
    epsilon = gens[-1].epsilon
    say(f"the defaults: distance {points.distance(default_ts):.4g} (final epsilon {epsilon:.4g})")
    return Calibration(
        spec=spec,
        keys=keys,
        seeds=points.seeds,
        particles=_particles(points, pop, len(gens) - 1),
        evaluations=pd.DataFrame(records),
        generations=gens,
        stopped=stopped,
        seconds=time.perf_counter() - start,
        evaluation_seconds=checkpoint.seconds,
        resumed=resumed,
        checkpoint=checkpoint,
        defaults=defaults,
        z_targets=dict(zip(keys, points.z_targets, strict=True)),
        default_distance=points.distance(default_ts),
    )


def progress_printer(line: str) -> None:
    print(f"samenspel calibrate: {line}", file=sys.stderr, flush=True)
