"""The search over levers, with any evaluation function: platypus's NSGA-II (Deb et al. 2002)
or epsilon-NSGA-II (Kollat & Reed 2006) on a Problem made from the levers.

`optimise` is the one function the command and the tests use: it hands each generation's
candidates, decoded into lever values, to `evaluate` at once (which runs them on all cores) and
reads back one vector of objective values per candidate. A candidate without a value for some
objective (every run had none) is infeasible: platypus ranks it below every feasible one.

Reproducible: platypus draws from the standard library's global `random` only; it is seeded
right before the search, and its state is set aside while `evaluate` runs and put back after,
so nothing an evaluation does (in this process or another) can move the search. The caller's
own global random state is restored at the end.

Platypus (the optional extra `explore`) is imported only here, inside the functions: it is
GPL-3.0 and samenspel is MIT, so it is never a requirement of the base install.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.config import ConfigError
from sim.study.search.spec import Direction, Lever

Evaluate = Callable[[list[dict[str, Any]]], list[list[float]]]
MISSING_EXTRA = (
    "samenspel design needs platypus-opt (GPL-3.0), the optional extra 'explore': "
    "pip install 'samenspel[explore]' (or: pip install platypus-opt)"
)


@dataclass(frozen=True)
class Generation:
    """The search after one step: evaluations so far, the front's objective values, and the
    epsilon archive's improvements so far (epsilon-progress; None without an archive)."""

    nfe: int
    front: np.ndarray  # members x objectives
    improvements: int | None


@dataclass
class Search:
    """What a search found: the front's levers and objective values (as evaluated), and each
    generation's state, for the convergence."""

    levers: list[dict[str, Any]]
    objectives: np.ndarray  # members x objectives
    generations: list[Generation] = field(default_factory=list)
    nfe: int = 0


def platypus() -> Any:
    """The platypus module, or ConfigError saying how to install it."""
    try:
        import platypus as module
    except ImportError:
        raise ConfigError(MISSING_EXTRA) from None
    return module


def problem(levers: dict[str, Lever], directions: Sequence[Direction]) -> Any:
    """A platypus Problem: one variable per lever (Real, Integer, or a categorical as a subset
    of one of the value indices), one objective per direction, one constraint (the number of
    objectives without a value, which must be 0)."""
    p = platypus()
    prob = p.Problem(len(levers), len(directions), 1)
    types = []
    for lever in levers.values():
        if lever.values is not None:  # indices, not the values: platypus's Replace iterates a set
            types.append(p.Subset(list(range(len(lever.values))), 1))
        elif lever.integer:
            types.append(p.Integer(round(lever.low or 0), round(lever.high or 0)))
        else:
            types.append(p.Real(lever.low, lever.high))
    prob.types[:] = types
    prob.directions[:] = [
        p.Direction.MAXIMIZE if d == "max" else p.Direction.MINIMIZE for d in directions
    ]
    prob.constraints[:] = "==0"
    return prob


def decode(prob: Any, levers: dict[str, Lever], variables: Sequence[Any]) -> dict[str, Any]:
    """A candidate's encoded variables as lever values."""
    out: dict[str, Any] = {}
    for (name, lever), kind, raw in zip(levers.items(), prob.types, variables, strict=True):
        value = kind.decode(raw)
        if lever.values is not None:
            out[name] = lever.values[value[0]]
        elif lever.integer:
            out[name] = int(value)
        else:
            out[name] = float(value)
    return out


class _Evaluator:
    """platypus's evaluator interface (`evaluate_all(jobs)`): a generation's candidates go to
    `evaluate` together, with platypus's random state set aside meanwhile."""

    def __init__(self, prob: Any, levers: dict[str, Lever], evaluate: Evaluate) -> None:
        self.prob, self.levers, self.evaluate = prob, levers, evaluate

    def evaluate_all(self, jobs: list[Any], **_: Any) -> list[Any]:
        solutions = [job.solution for job in jobs]
        points = [decode(self.prob, self.levers, s.variables) for s in solutions]
        state = random.getstate()
        values = self.evaluate(points) if points else []
        random.setstate(state)
        for solution, row in zip(solutions, values, strict=True):
            missing = sum(1 for v in row if not math.isfinite(v))
            solution.objectives[:] = [v if math.isfinite(v) else 0.0 for v in row]
            solution.constraints[:] = [float(missing)]
            solution.constraint_violation = float(missing)
            solution.feasible = missing == 0
            solution.evaluated = True
        return jobs

    def close(self) -> None:
        """Nothing to close: the executors stop their workers after each generation."""


def variator(prob: Any) -> Any:
    """The default operators for one kind of variable; for mixed kinds, each kind's crossover
    and mutation together (platypus refuses mixed kinds without one)."""
    p = platypus()
    kinds = {type(t) for t in prob.types}
    if len(kinds) == 1:
        return p.PlatypusConfig.default_variator(prob)
    return p.CompoundOperator(p.SBX(), p.HUX(), p.SSX(), p.PM(), p.BitFlip(), p.Replace())


def _front(algorithm: Any) -> list[Any]:
    """The feasible non-dominated candidates of the algorithm's result, one per lever set."""
    p = platypus()
    feasible = [s for s in algorithm.result if s.feasible]
    return list(p.unique(p.nondominated(feasible)))


def optimise(
    levers: dict[str, Lever],
    directions: Sequence[Direction],
    evaluate: Evaluate,
    *,
    kind: str = "eps-nsga2",
    nfe: int,
    population: int,
    epsilons: Sequence[float] | None = None,
    seed: int = 0,
) -> Search:
    """Search the levers for the Pareto front of the objectives (`directions`, "max" or
    "min" each) within `nfe` evaluations; `evaluate` takes a list of lever points and returns
    their objective vectors (NaN for a value a candidate does not have)."""
    p = platypus()
    prob = problem(levers, directions)
    caller = random.getstate()
    random.seed(seed)  # platypus draws from the global random only: seeded right before
    try:
        options = {"population_size": population, "variator": variator(prob)}
        options["evaluator"] = _Evaluator(prob, levers, evaluate)
        if kind == "eps-nsga2":
            algorithm = p.EpsNSGAII(prob, epsilons=list(epsilons or []), **options)
        else:
            algorithm = p.NSGAII(prob, **options)
        generations: list[Generation] = []

        def step(algo: Any) -> None:
            archive = getattr(algo, "archive", None)
            improvements = getattr(archive, "improvements", None)
            front = np.array([list(s.objectives) for s in _front(algo)], dtype=float)
            generations.append(Generation(algo.nfe, front, improvements))

        algorithm.run(nfe, callback=step)
        members = _front(algorithm)
        points = [decode(prob, levers, s.variables) for s in members]
        values = np.array([list(s.objectives) for s in members], dtype=float)
        return Search(
            points, values.reshape(len(members), len(directions)), generations, algorithm.nfe
        )
    finally:
        random.setstate(caller)


def hypervolumes(
    generations: Sequence[Generation],
    directions: Sequence[Direction],
    low: Sequence[float],
    high: Sequence[float],
) -> list[float]:
    """Each generation's front's hypervolume, normalised by fixed bounds (`low`, `high` per
    objective, the same for every generation), so the values can be compared: 0 nothing of
    the box between the bounds is dominated, 1 all of it. A value beyond a bound counts as at
    the bound; a bound pair without width is widened by one unit, so it cannot divide by 0."""
    p = platypus()
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    hi = np.where(hi - lo < 1e-9, lo + 1.0, hi)
    prob = p.Problem(1, len(directions))
    prob.directions[:] = [
        p.Direction.MAXIMIZE if d == "max" else p.Direction.MINIMIZE for d in directions
    ]
    indicator = p.Hypervolume(minimum=lo.tolist(), maximum=hi.tolist())
    out = []
    for g in generations:
        solutions = []
        for row in g.front:
            s = p.Solution(prob)
            s.objectives[:] = np.clip(row, lo, hi).tolist()
            s.evaluated = True
            solutions.append(s)
        out.append(float(indicator.calculate(solutions)) if solutions else 0.0)
    return out
