"""A design search on the model: each generation's rule sets run on all cores through the
executors (sim/study/executors.py) on the same seeds (and plausible worlds), the presets on the
same seeds after, and the result folder.

Bit for bit reproducible: the seeds, the worlds and the search's own random choices come from
the spec's master seed; a run's outcomes depend only on its scenario and seed, and they are put
in place by their index, whatever the number of workers and the order results arrive in.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.config import Scenario, load_scenario, scenario_from_dict
from sim.study.executors import execute
from sim.study.search import front as fr
from sim.study.search.evaluate import outcomes_on_seeds
from sim.study.search.problem import Search, hypervolumes, optimise
from sim.study.search.spec import DesignSpec, Direction, base_dict, candidate, preset_names
from sim.study.worlds import Worlds, draw, in_world

if TYPE_CHECKING:
    import pandas as pd

    from sim.io.store import Destination

BATCH = 25  # seeds per task: a task of a few runs is well above the cost of handing it over
Key = tuple[tuple[str, Any], ...]


def key(point: dict[str, Any]) -> Key:
    """A rule set's identity: its lever values (in the levers' canonical order)."""
    return tuple(sorted(point.items()))


@dataclass
class Runner:
    """Runs scenarios on the spec's seeds and worlds on the executors, and remembers every
    rule set it ran (a rule set the search proposes again is not run again)."""

    spec: DesignSpec
    base: dict
    seeds: list[int]
    worlds: Worlds | None
    workers: int
    progress: Callable[[int], None] | None = None
    runs: dict[Key, np.ndarray] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return list(self.spec.directions)

    def evaluate(self, points: list[dict[str, Any]]) -> list[list[float]]:
        """The search's evaluation: each point's objective means (NaN where it has none)."""
        todo = list(dict.fromkeys(key(p) for p in points if key(p) not in self.runs))
        if todo:
            scenarios = [self.rule_set(dict(k)) for k in todo]
            self.runs.update(zip(todo, self.run(scenarios), strict=True))
        if self.progress is not None:
            self.progress(len(points))
        return [fr.means(self.runs[key(p)]).tolist() for p in points]

    def rule_set(self, point: dict[str, Any]) -> list[Scenario]:
        """A rule set as it runs in each world (the levers win over a world's values)."""
        data = candidate(self.base, point)
        scenario = scenario_from_dict(data, source=f"a rule set ({point})")
        if self.worlds is None:
            return [scenario]
        out = []
        for overrides in self.worlds.overrides:
            moved = in_world(scenario, overrides).model_dump(mode="json", exclude_none=True)
            out.append(scenario_from_dict(candidate(moved, point), source=f"a rule set ({point})"))
        return out

    def in_worlds(self, scenario: Scenario) -> list[Scenario]:
        if self.worlds is None:
            return [scenario]
        return [in_world(scenario, o) for o in self.worlds.overrides]

    def run(self, items: Sequence[list[Scenario]]) -> list[np.ndarray]:
        """Every item (a scenario per world) on every seed: arrays worlds x seeds x objectives."""
        n_worlds, n_seeds, keys = len(items[0]) if items else 1, len(self.seeds), self.keys
        tasks = [
            ((i, w, lo), scenario, self.seeds[lo : lo + BATCH], keys)
            for i, per_world in enumerate(items)
            for w, scenario in enumerate(per_world)
            for lo in range(0, n_seeds, BATCH)
        ]
        out = [np.full((n_worlds, n_seeds, len(keys)), np.nan) for _ in items]
        for (i, w, lo), rows in execute(outcomes_on_seeds, tasks, "processes", self.workers):
            out[i][w, lo : lo + len(rows)] = rows
        return out


@dataclass
class Design:
    """A finished design search: its front (best first on the first objective), each member's
    and each preset's runs, and the search's convergence."""

    spec: DesignSpec
    base: dict
    seeds: list[int]
    worlds: Worlds | None
    search: Search
    front: list[dict[str, Any]]
    front_runs: list[np.ndarray]
    presets: list[str]
    preset_runs: list[np.ndarray]
    evaluated: dict[Key, np.ndarray]
    low: list[float]
    high: list[float]
    hypervolume: list[float]
    seconds: float

    @functools.cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a design writes (computed once): front, convergence, presets and every
        rule set evaluated."""
        return {
            "front": front_table(self),
            "convergence": convergence_table(self),
            "presets": presets_table(self),
            "evaluations": evaluations_table(self),
        }

    @property
    def ids(self) -> list[str]:
        width = max(2, len(str(len(self.front))))
        return [f"front-{i + 1:0{width}d}" for i in range(len(self.front))]

    @property
    def directions(self) -> list[Direction]:
        return list(self.spec.directions.values())


def design(
    spec: DesignSpec, workers: int | None = None, progress: Callable[[int], None] | None = None
) -> Design:
    """Run the search of `spec` on `workers` processes (all cores when None; 1 in this
    process), then the presets on the same seeds; `progress` is told of each rule set (and
    each preset) evaluated."""
    start = time.perf_counter()
    base = base_dict(spec)
    worlds = draw(spec.worlds, spec.master_seed) if spec.worlds else None
    runner = Runner(spec, base, spec.seeds(), worlds, workers or os.cpu_count() or 1, progress)
    directions = list(spec.directions.values())
    search = optimise(
        {n: spec.levers[n] for n in spec.names},
        directions,
        runner.evaluate,
        kind=spec.algorithm.kind,
        nfe=spec.algorithm.nfe,
        population=spec.algorithm.population,
        epsilons=spec.epsilon_list(),
        seed=spec.search_seed(),
    )
    members = [search.levers[i] for i in fr.order(search.objectives, directions)]
    names = preset_names(spec)
    presets = [load_scenario(n, years=base["years"]) for n in names]
    preset_runs = runner.run([runner.in_worlds(sc) for sc in presets])
    if progress is not None:
        progress(len(presets))
    low, high = fr.bounds(np.array([fr.means(r) for r in runner.runs.values()], dtype=float))
    return Design(
        spec=spec,
        base=base,
        seeds=runner.seeds,
        worlds=worlds,
        search=search,
        front=members,
        front_runs=[runner.runs[key(m)] for m in members],
        presets=names,
        preset_runs=preset_runs,
        evaluated=runner.runs,
        low=low,
        high=high,
        hypervolume=hypervolumes(search.generations, directions, low, high),
        seconds=time.perf_counter() - start,
    )


# --- the tables --------------------------------------------------------------------------------


def front_table(d: Design) -> pd.DataFrame:
    """One row per front member: its id, its levers, each objective's mean and 95% interval,
    the presets it dominates, its scenario file."""
    import pandas as pd

    dominated = fr.dominance(d.front_runs, d.preset_runs, d.directions)
    rows = []
    for i, (member, runs) in enumerate(zip(d.front, d.front_runs, strict=True)):
        row: dict[str, Any] = {"id": d.ids[i], **member}
        row.update(_objective_columns(d, runs))
        beaten = [p for p, (by, _) in zip(d.presets, dominated, strict=True) if i in by]
        row["dominates"] = ";".join(beaten)
        row["scenario"] = f"scenarios/{d.ids[i]}.toml"
        rows.append(row)
    columns = ["id", *d.spec.names, *_objective_names(d), "dominates", "scenario"]
    return pd.DataFrame(rows, columns=columns)


def presets_table(d: Design) -> pd.DataFrame:
    """One row per preset: its objectives on the same seeds, and the front members that
    dominate it (on the means; `clearly_dominated_by`: also by paired 95% intervals)."""
    import pandas as pd

    dominated = fr.dominance(d.front_runs, d.preset_runs, d.directions)
    rows = []
    for name, runs, (by, clear) in zip(d.presets, d.preset_runs, dominated, strict=True):
        row: dict[str, Any] = {"preset": name, **_objective_columns(d, runs)}
        row["dominated"] = bool(by)
        row["dominated_by"] = ";".join(d.ids[i] for i in by)
        row["clearly_dominated_by"] = ";".join(d.ids[i] for i in clear)
        rows.append(row)
    return pd.DataFrame(rows)


def _objective_names(d: Design) -> list[str]:
    """The columns of the objectives in a table: each mean, its interval and its count."""
    return [c for k in d.spec.directions for c in (k, f"{k}_ci_low", f"{k}_ci_high", f"{k}_n")]


def _objective_columns(d: Design, runs: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, iv in zip(d.spec.directions, fr.intervals(runs), strict=True):
        out[name] = iv["mean"]
        out[f"{name}_ci_low"] = iv["ci_low"]
        out[f"{name}_ci_high"] = iv["ci_high"]
        out[f"{name}_n"] = iv["n"]
    return out


def convergence_table(d: Design) -> pd.DataFrame:
    """Per generation: evaluations so far, the front's size, its hypervolume (normalised by
    the fixed bounds `low`/`high`) and the epsilon-progress (the epsilon archive's
    improvements so far; empty for NSGA-II, which keeps no archive)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "nfe": [g.nfe for g in d.search.generations],
            "front_size": [len(g.front) for g in d.search.generations],
            "hypervolume": d.hypervolume,
            "epsilon_progress": [g.improvements for g in d.search.generations],
        }
    )


def evaluations_table(d: Design) -> pd.DataFrame:
    """Every rule set the search ran, in the order it ran them: levers and objective means."""
    import pandas as pd

    rows = []
    for k, runs in d.evaluated.items():
        rows.append(
            {**dict(k), **dict(zip(d.spec.directions, fr.means(runs).tolist(), strict=True))}
        )
    return pd.DataFrame(rows)


# --- the result folder -------------------------------------------------------------------------


def settings(d: Design) -> dict[str, Any]:
    """What the manifest records of the search: the spec, seeds, worlds, bounds, time."""
    text = json.dumps(d.base, sort_keys=True)
    worlds = d.worlds.provenance() if d.worlds is not None else {"worlds": 0}
    return {
        "kind": "design",
        "spec": d.spec.model_dump(mode="json"),
        "spec_hash": d.spec.digest(),
        "base_hash": hashlib.sha256(text.encode()).hexdigest()[:16],
        "master_seed": d.spec.master_seed,
        "search_seed": d.spec.search_seed(),
        "seeds": d.seeds,
        "nfe": d.search.nfe,
        "rule_sets_run": len(d.evaluated),
        "hypervolume_bounds": {"low": d.low, "high": d.high},
        "presets": d.presets,
        "seconds": round(d.seconds, 1),
        **worlds,
    }


def front_scenario(d: Design, i: int, description: tuple[str, str]) -> dict:
    """Front member `i` as a complete scenario file: the base with its levers set, named
    after the design, described (English, Dutch) by `description`."""
    data = without_unchanged(candidate(d.base, d.front[i]))
    data.update(name=f"{d.spec.name}-{d.ids[i]}", description=description[0])
    data["description_nl"] = description[1]
    scenario_from_dict(data, source=d.ids[i])  # what is written must load
    return data


def without_unchanged(data: dict) -> dict:
    """A scenario dict without the overrides that change nothing: an own arrangement's rule
    at its preset's value, a theme's characteristic at the theme data's (a lever the search
    set to such a value; `samenspel run` would warn of each)."""
    from sim.model.config import load_arrangement_presets, load_themes

    presets, themes = load_arrangement_presets(), load_themes()
    for name, spec in data.get("arrangements", {}).items():
        given = presets[spec["based_on"]].model_dump(mode="json")
        data["arrangements"][name] = {
            k: v for k, v in spec.items() if k == "based_on" or given.get(k) != v
        }
    for name, changes in data.get("themes", {}).items():
        given = themes[name].model_dump(mode="json")
        data["themes"][name] = {k: v for k, v in changes.items() if given.get(k) != v}
    return data


def save(
    d: Design,
    dest: Path | Destination,
    extra: dict[str, Any],
    describe: Callable[[int], tuple[str, str]],
    pages: Sequence[Callable[[Path], None]] = (),
) -> Path:
    """Write the tables (front, convergence, presets, evaluations), one scenario file per
    front member, the manifest and the `pages`, atomically."""
    from sim.io.store import write_atomically, write_json, write_tables, write_toml
    from sim.study.run import provenance

    def fill(tmp: Path) -> None:
        write_tables(tmp, d.tables)
        (tmp / "scenarios").mkdir()
        for i, name in enumerate(d.ids):
            write_toml(tmp / "scenarios" / f"{name}.toml", front_scenario(d, i, describe(i)))
        write_json(tmp / "manifest.json", {**settings(d), **extra, **provenance()})
        for page in pages:
            page(tmp)

    return write_atomically(dest, fill)
