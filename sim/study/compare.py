"""Comparing scenarios: many seeds each, on all cores, with 95% intervals and a scorecard.

Replicate r of every scenario uses seed `base_seed + r` (common random numbers), so differences
between scenarios are not blurred by different luck. Runs go to worker processes in batches, so
process start-up does not dominate runs of a few milliseconds.

Over plausible worlds (sim/study/worlds.py), replicate r of every scenario also runs in the same
world, so scenarios stay paired; the intervals are then taken over the worlds' means (a world's
runs share its behaviour), and each outcome's variance is split between worlds and seeds.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model.config import ConfigError, Scenario
from sim.model.model import RegionModel
from sim.model.outcomes import CRITERIA, EVENTS, MUNICIPAL, outcome, shown_in
from sim.study.executors import execute
from sim.study.robustness import Threshold, over_worlds
from sim.study.robustness import provenance as robustness_provenance
from sim.study.scorecard import scorecard, unscored
from sim.study.stats import half_widths, interval_columns
from sim.study.worlds import (
    Worlds,
    cluster_means,
    in_world,
    rank_probabilities,
    variance_split,
    world_of,
)

if TYPE_CHECKING:
    from sim.io.store import Destination

COMPARED = [o.key for o in shown_in("compare")]  # outcomes a comparison reports
TRAJECTORIES = [o.key for o in shown_in("trajectory")]  # series it follows month by month

BATCH = 25  # runs per task: a task costs ~0.1-0.3 s, well above process hand-off


def run_replicates(
    scenario: Scenario, seeds: list[int]
) -> tuple[list[dict], np.ndarray, list[dict], list[dict]]:
    """Run one scenario for `seeds`; return summary rows (with the scorecard), the
    trajectories' moments over the batch (see `moments`), one row per municipality and seed, and
    per run how often each kind of event (sim.model.outcomes.EVENTS) was logged."""
    rows = []
    series = []
    local = []
    counts = []
    for seed in seeds:
        model = RegionModel(scenario, seed=seed).run()
        rec = model.recorder
        summary = rec.summary()
        summary.update(scorecard(summary))
        rows.append(summary)
        cols = rec.columns
        series.append(np.array([cols[c] for c in TRAJECTORIES], dtype=float).T)
        local += [
            {k: r[k] for k in ("scenario", "seed", "municipality", "population", *MUNICIPAL)}
            for r in rec.municipality_rows()
        ]
        logged = [e[1] for e in rec.events]  # EVENT_COLUMNS: month, event, ...
        counts.append(
            {"scenario": scenario.name, "seed": seed, **{k: logged.count(k) for k in EVENTS}}
        )
    return rows, moments(np.stack(series)), local, counts


def moments(x: np.ndarray) -> np.ndarray:
    """Per month and series, over the runs of `x` (runs x months x series, NaN where a run has
    no value): the count, the mean and the sum of squared deviations (M2), stacked."""
    n = np.sum(~np.isnan(x), axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(x, axis=0) / n, np.nan)
    m2 = np.nansum((x - mean) ** 2, axis=0)
    return np.stack([n, mean, m2])


def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two batches' moments as one (Chan et al. 1979, the pairwise update: stable where the
    runs barely differ, unlike a sum of squares)."""
    na, ma, qa = a
    nb, mb, qb = b
    n = na + nb
    ma, mb = np.nan_to_num(ma), np.nan_to_num(mb)  # a mean over no runs weighs nothing
    with np.errstate(invalid="ignore", divide="ignore"):
        d = mb - ma
        mean = np.where(n > 0, ma + d * (nb / n), np.nan)
        q = np.where(n > 0, qa + qb + d**2 * na * nb / n, 0.0)
    return np.stack([n, mean, q])


def trajectory_table(scenarios: list[Scenario], parts: dict[str, list[np.ndarray]]) -> pd.DataFrame:
    """The tidy trajectories (scenario, outcome, month, mean, sd, n, ci_low, ci_high) from each
    scenario's batch moments, combined in batch order so the figures never depend on which
    batch finished first."""
    frames = []
    for sc in scenarios:
        total = parts[sc.name][0]
        for part in parts[sc.name][1:]:
            total = combine(total, part)
        n, mean, m2 = total
        months = np.arange(n.shape[0])
        for k, key in enumerate(TRAJECTORIES):
            ok = n[:, k] > 0
            count = n[ok, k]
            with np.errstate(invalid="ignore", divide="ignore"):
                sd = np.where(count > 1, np.sqrt(m2[ok, k] / (count - 1)), np.nan)
            half = half_widths(sd, count)
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": sc.name,
                        "outcome": key,
                        "month": months[ok],
                        "mean": mean[ok, k],
                        "sd": sd,
                        "n": count.astype(int),
                        "ci_low": mean[ok, k] - half,
                        "ci_high": mean[ok, k] + half,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


@dataclass
class Comparison:
    runs: pd.DataFrame  # one row per run
    outcomes: pd.DataFrame  # tidy: scenario, outcome, mean, ci_low, ci_high, sd, n
    trajectories: pd.DataFrame  # tidy: scenario, month, outcome, mean, ci_low, ci_high
    scenarios: list[Scenario]
    municipalities: pd.DataFrame  # tidy: scenario, municipality, outcome, mean, ci_low, ci_high
    # Per run, for paired differences (sim/study/whatif.py): one row per scenario, seed and
    # municipality (MUNICIPAL outcomes), and one per scenario and seed with each event's count.
    municipal_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    event_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Over plausible worlds: the worlds, and each scenario's chance of each rank per outcome.
    worlds: Worlds | None = None
    ranks: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Over plausible worlds, robustness (sim/study/robustness.py): each scenario's regret per
    # outcome, and the share of worlds in which it meets the `thresholds` (--satisfice).
    robustness: pd.DataFrame = field(default_factory=pd.DataFrame)
    satisficing: pd.DataFrame = field(default_factory=pd.DataFrame)
    thresholds: tuple[Threshold, ...] = ()
    # A comparison's scenarios, in the order given, and its municipalities, as the region has them.

    def unscored(self, scenario: str) -> dict[str, str]:
        """Criterion -> the missing part that kept it from being scored in some run of
        `scenario` (summary keys; empty when every criterion was scored)."""
        out: dict[str, str] = {}
        for run in self.runs[self.runs["scenario"] == scenario].to_dict("records"):
            for key, part in unscored(run).items():
                out.setdefault(key, part)
        return out


def compare(
    scenarios: list[Scenario],
    replicates: int,
    workers: int | None = None,
    base_seed: int = 0,
    progress: Callable[[int], None] | None = None,
    worlds: Worlds | None = None,
    satisfice: Sequence[Threshold] = (),
) -> Comparison:
    """Run every scenario `replicates` times and summarise with 95% intervals.

    Replicate r of every scenario runs on seed `base_seed + r`, and with `worlds` in world
    r x W // R (sim/study/worlds.py): the intervals are then over the worlds. `workers`
    processes (all cores when None; 1 runs in this process); `progress`, when given, is called
    with the number of runs each finished batch adds. Returns a Comparison: `runs` (one row per
    run), `outcomes`, `trajectories` and `municipalities` (tidy tables with mean, ci_low,
    ci_high), and over worlds `ranks` (each scenario's chance of each rank per outcome),
    `robustness` (each scenario's regret per outcome) and, for the thresholds `satisfice`,
    `satisficing` (the share of worlds in which each scenario meets them).

    Example:
        >>> from sim import compare, load_scenario
        >>> a, b = load_scenario("split-2022", years=1), load_scenario("network-2024", years=1)
        >>> c = compare([a, b], replicates=2, workers=1)
        >>> len(c.runs), list(c.outcomes["scenario"].unique())
        (4, ['split-2022', 'network-2024'])
    """
    if satisfice and worlds is None:
        raise ConfigError("satisficing counts plausible worlds: give worlds to compare over")
    workers = workers or os.cpu_count() or 1
    tasks = _tasks(scenarios, replicates, base_seed, worlds)
    rows: list[dict] = []
    parts: dict[int, np.ndarray] = {}
    local: list[dict] = []
    counts: list[dict] = []
    indexed = [(i, *t) for i, t in enumerate(tasks)]
    for i, (r, s, m, e) in execute(_indexed, indexed, "processes", workers):
        rows += r
        parts[i] = s  # a batch's trajectory moments: months x series, not every run's months
        local += m
        counts += e
        if progress is not None:
            progress(len(r))
    # Batches arrive in any order: put runs in scenario order, then by seed.
    order = {sc.name: i for i, sc in enumerate(scenarios)}
    rows.sort(key=lambda r: (order[r["scenario"]], r["seed"]))
    local.sort(key=lambda r: (order[r["scenario"]], r["seed"]))  # stable: region order within
    counts.sort(key=lambda r: (order[r["scenario"]], r["seed"]))
    runs = pd.DataFrame(rows)
    keys = [k for k in (*COMPARED, *CRITERIA) if k in runs.columns]
    outcomes = _outcomes(runs, keys, worlds is not None)
    by_scenario: dict[str, list[np.ndarray]] = {sc.name: [] for sc in scenarios}
    for i in sorted(parts):
        by_scenario[tasks[i][0].name].append(parts[i])
    trajectories = trajectory_table(scenarios, by_scenario)
    municipal = pd.DataFrame(local)
    municipalities = _municipalities(municipal, order)
    ranks = robust = satisfied = pd.DataFrame()
    if worlds is not None:
        ranks = rank_probabilities(runs, keys, {k: outcome(k).better for k in keys})
        robust, satisfied = over_worlds(runs, keys, satisfice, base_seed)
    return Comparison(
        runs,
        outcomes,
        trajectories,
        scenarios,
        municipalities,
        municipal,
        pd.DataFrame(counts),
        worlds,
        ranks,
        robust,
        satisfied,
        tuple(satisfice) if worlds is not None else (),
    )


def _municipalities(municipal: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """The tidy per-municipality table, in scenario order and, within, the region's order."""
    places = list(dict.fromkeys(municipal["municipality"]))
    municipal_long = municipal.melt(
        id_vars=["scenario", "seed", "municipality"], value_vars=list(MUNICIPAL), var_name="outcome"
    ).dropna(subset=["value"])
    out = interval_columns(municipal_long, ["scenario", "municipality", "outcome"])
    out["rank"] = out["scenario"].map(order) * len(places) + out["municipality"].map(
        {m: i for i, m in enumerate(places)}
    )
    return out.sort_values("rank", kind="stable").drop(columns="rank").reset_index(drop=True)


def _tasks(
    scenarios: list[Scenario], replicates: int, base_seed: int, worlds: Worlds | None
) -> list[tuple[Scenario, int | None, list[int]]]:
    """Batches of seeds per scenario (and world): the scenario as it runs, its world, seeds."""
    count = len(worlds) if worlds is not None else 1
    tasks = []
    for sc in scenarios:
        for w in range(count):
            run_as = in_world(sc, worlds.overrides[w]) if worlds is not None else sc
            reps = [r for r in range(replicates) if world_of(r, replicates, count) == w]
            for lo in range(0, len(reps), BATCH):
                seeds = [base_seed + r for r in reps[lo : lo + BATCH]]
                tasks.append((run_as, w if worlds is not None else None, seeds))
    return tasks


def _outcomes(runs: pd.DataFrame, keys: list[str], over_worlds: bool) -> pd.DataFrame:
    """The tidy outcomes: mean and 95% interval per scenario and outcome, over seeds, or over
    the worlds' means with the variance split between worlds and seeds."""
    ids = ["scenario", "seed", *(["world"] if over_worlds else [])]
    long = runs.melt(id_vars=ids, value_vars=keys, var_name="outcome").dropna(subset=["value"])
    if not over_worlds:
        return interval_columns(long, ["scenario", "outcome"])
    out = interval_columns(cluster_means(long, ["scenario", "outcome"]), ["scenario", "outcome"])
    shares = {
        name: variance_split(part["value"].to_numpy(), part["world"].to_numpy())
        for name, part in long.groupby(["scenario", "outcome"], sort=False)
    }
    pairs = list(zip(out["scenario"], out["outcome"], strict=True))
    fixed = out["fixed"].astype(bool).to_numpy()  # what the rules fix has no variance to split
    out["share_worlds"] = [
        math.nan if f else shares[p][0] for p, f in zip(pairs, fixed, strict=True)
    ]
    out["share_seeds"] = [
        math.nan if f else shares[p][1] for p, f in zip(pairs, fixed, strict=True)
    ]
    out["runs"] = long.groupby(["scenario", "outcome"], sort=False)["value"].count().to_numpy()
    return out


def _indexed(i: int, scenario: Scenario, world: int | None, seeds: list[int]):
    rows, series, local, counts = run_replicates(scenario, seeds)
    if world is not None:
        for row in (*rows, *local, *counts):
            row["world"] = world
    return i, (rows, series, local, counts)


def save(
    comparison: Comparison,
    dest: Path | Destination,
    settings: dict,
    pages: Sequence[Callable[[Path], None]] = (),
) -> Path:
    """Write the tidy tables, the resolved scenarios and a manifest, atomically, with whatever
    `pages` write into the same folder (the command line adds the report)."""
    from sim.io.store import write_atomically, write_json, write_tables, write_toml
    from sim.study.run import provenance

    def fill(tmp: Path) -> None:
        tables = {
            "runs": comparison.runs,
            "outcomes": comparison.outcomes,
            "trajectories": comparison.trajectories,
            "municipalities": comparison.municipalities,
        }
        if comparison.worlds is not None:
            tables |= {
                "ranks": comparison.ranks,
                "worlds": comparison.worlds.table(),
                "robustness": comparison.robustness,
            }
            if comparison.thresholds:
                tables["satisficing"] = comparison.satisficing
        write_tables(tmp, tables)
        write_toml(
            tmp / "scenarios.toml",
            {sc.name: sc.model_dump(mode="json") for sc in comparison.scenarios},
        )
        worlds = comparison.worlds.provenance() if comparison.worlds is not None else {}
        if comparison.worlds is not None:
            seed = int(comparison.runs["seed"].min())  # base_seed: replicate 0's seed
            worlds["robustness"] = robustness_provenance(comparison.thresholds, seed)
        write_json(tmp / "manifest.json", {**settings, **worlds, **provenance()})
        for page in pages:
            page(tmp)

    return write_atomically(dest, fill)
