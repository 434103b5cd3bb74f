"""Robustness from a sweep: the levels of one parameter are the options, every combination of
the other parameters is a world (sim/study/robustness.py for the measures).

samenspel robustness SWEEP --factor PARAM  ->  SWEEP-robustness/ (beside the sweep) with
    regret.csv       per outcome and option: mean, 90th percentile and maximum regret over
                     the worlds, shares of worlds best and near the best, with 95% intervals
    satisficing.csv  per criterion and option (with thresholds): the share of worlds met
    worlds.csv       per world, option and outcome: the value (mean over its runs) and regret
    manifest.json    the sweep, the factor, the worlds, the method, the versions

A world's value of an option is the mean over the option's runs in that world (its
replicates). Where the design crosses the factor with the other parameters on the same seeds
(design.cross), the options of a world share their seeds, so their differences are paired.
A world in which some option has no finished run is left out (and said): an option cannot be
compared where it was not run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model.config import ConfigError
from sim.study.experiment import Spec
from sim.study.finished import outcomes_of, read_sweep
from sim.study.robustness import (
    Threshold,
    Undirected,
    Unknown,
    better_of,
    least_regret,
    provenance,
    regret_table,
    regrets,
    satisficing,
    world_means,
)

MOST_OPTIONS = 50
"""A factor has a few levels; a parameter with more distinct values is a range, not options."""


@dataclass
class SweepRobustness:
    """Robustness of the levels of `factor` over the worlds of a sweep."""

    folder: Path
    factor: str
    options: list[Any]
    parameters: list[str]  # the others: what makes a world
    worlds: pd.DataFrame  # one row per world: its number and its parameters' values
    regret: pd.DataFrame  # robustness.REGRET_COLUMNS, the option in `option`
    least: pd.DataFrame  # robustness.least_regret
    values: pd.DataFrame  # per world, option and outcome: value and regret
    runs: int  # finished runs used
    per_cell: tuple[int, int]  # the fewest and most runs averaged per world and option
    dropped: int  # worlds left out: some option has no finished run there
    seed: int
    partial: bool = False
    thresholds: tuple[Threshold, ...] = ()
    satisficing: pd.DataFrame = field(default_factory=pd.DataFrame)


def read(
    folder: str | Path, partial: bool = False, say: Callable[[str], None] | None = None
) -> tuple[Spec, pd.DataFrame]:
    """A sweep's spec and runs, checked: not a sweep, damaged, or (unless `partial`)
    unfinished or still running, a ConfigError."""
    sweep = read_sweep(folder, "robustness")
    runs = sweep.runs
    if len(runs) == 0 or (runs["status"] != "ok").all():
        raise ConfigError(f"{folder}: no finished run to compare options on; run the sweep")
    if sweep.unfinished:
        state = "is still being written" if sweep.holder else "was interrupted"
        what = f"{len(runs):,} of its {sweep.total:,} runs are finished: the sweep {state}"
        if not partial:
            raise ConfigError(
                f"{folder}: {what}; worlds with some options missing would drop out, so "
                "robustness waits for the whole sweep (add --partial to use the finished runs)"
            )
        if say is not None:
            say(f"{folder}: {what} (--partial)")
    return sweep.spec, runs


def chosen_outcomes(available: list[str], chosen: Sequence[str] | None) -> list[str]:
    """The outcomes to compute regret on: `chosen` (each checked), or every available outcome
    with a better direction."""
    if not chosen:
        return [k for k in available if better_of(k) is not None]
    for key in chosen:
        if key not in available:
            raise Unknown("outcome", key, available, "--outcome")
        if better_of(key) is None:
            raise Undirected(key, "--outcome")
    return list(dict.fromkeys(chosen))


def options_of(spec: Spec, runs: pd.DataFrame, factor: str) -> list[Any]:
    """The levels of `factor` that finished runs have, in the spec's order (a factor's
    `values`), else sorted; a ConfigError where it is no parameter of the sweep or has fewer
    than two or more than MOST_OPTIONS levels."""
    if factor not in spec.parameters:
        raise Unknown("factor", factor, spec.names, "--factor")
    seen = list(dict.fromkeys(runs.loc[runs["status"] == "ok", factor].dropna()))
    given = spec.parameters[factor].values
    options = [v for v in given if v in seen] if given is not None else sorted(seen)
    if len(options) < 2:
        raise ConfigError(
            f"--factor: {factor} has {len(options)} level with finished runs; options to "
            "compare need at least two"
        )
    if len(options) > MOST_OPTIONS:
        raise ConfigError(
            f"--factor: {factor} takes {len(options):,} values; a factor has a few levels "
            f"(at most {MOST_OPTIONS}), e.g. a parameter with `values` in the spec"
        )
    return options


def _worlds(ok: pd.DataFrame, others: list[str]) -> pd.Series:
    """Each run's world: the number of its combination of the `others` (0 when none)."""
    if not others:
        return pd.Series(0, index=ok.index)
    return ok.groupby(others, sort=True, dropna=False).ngroup()


def robustness(
    spec: Spec,
    runs: pd.DataFrame,
    factor: str,
    outcomes: Sequence[str] | None = None,
    thresholds: Sequence[Threshold] = (),
    say: Callable[[str], None] | None = None,
) -> SweepRobustness:
    """The regret (and, for `thresholds`, the satisficing) of each level of `factor` over the
    worlds of a sweep's `runs` (read with `read`). The bootstrap is seeded with the spec's
    master seed."""
    options = options_of(spec, runs, factor)
    keys = chosen_outcomes(outcomes_of(runs, spec), outcomes)
    others = [n for n in spec.names if n != factor]
    ok = runs[(runs["status"] == "ok") & runs[factor].isin(options)].copy()
    ok["world"] = _worlds(ok, others)
    counts = ok.groupby(["world", factor]).size().unstack(factor).reindex(columns=options)
    complete = counts.index[counts.notna().all(axis=1)]
    dropped = len(counts) - len(complete)
    if len(complete) == 0:
        raise ConfigError(
            f"--factor: no world (combination of {', '.join(others)}) has a finished run of "
            f"every level of {factor}; cross {factor} with the other parameters "
            "(full_factorial, or design.cross) so that each level runs in the same worlds"
        )
    if dropped and say is not None:
        lack = "lacks" if dropped == 1 else "lack"
        say(f"{dropped:,} of {len(counts):,} worlds {lack} a finished run of some level: left out")
    ok = ok[ok["world"].isin(complete)]
    ok["world"] = ok["world"].map({w: i for i, w in enumerate(complete)})
    needed = list(dict.fromkeys([*keys, *(t.outcome for t in thresholds)]))
    means = world_means(ok, factor, ["world"], needed)
    means["world"] = means["world"].astype(int)
    regret = regret_table(means, factor, keys, spec.master_seed).rename(columns={factor: "option"})
    cells = counts.loc[complete].to_numpy()
    worlds = ok.groupby("world")[others].first().reset_index() if others else _one_world()
    return SweepRobustness(
        folder=Path(),
        factor=factor,
        options=options,
        parameters=others,
        worlds=worlds,
        regret=regret,
        least=least_regret(regret),
        values=_values(means, factor, keys),
        runs=len(ok),
        per_cell=(int(np.nanmin(cells)), int(np.nanmax(cells))),
        dropped=dropped,
        seed=spec.master_seed,
        thresholds=tuple(thresholds),
        satisficing=satisficing(means, factor, thresholds).rename(columns={factor: "option"})
        if thresholds
        else pd.DataFrame(),
    )


def from_sweep(
    folder: str | Path,
    factor: str,
    outcomes: Sequence[str] | None = None,
    thresholds: Sequence[Threshold] = (),
    *,
    partial: bool = False,
    say: Callable[[str], None] | None = None,
) -> SweepRobustness:
    """`robustness` of the sweep in `folder` (checked by `read`).

    Example (the README's sweep):
        r = from_sweep("results/arrangement-robustness", "governance")
        r.least  # per outcome: the level with the least maximum regret, and the next
    """
    spec, runs = read(folder, partial, say)
    result = robustness(spec, runs, factor, outcomes, thresholds, say)
    result.folder, result.partial = Path(folder), partial
    return result


def _one_world() -> pd.DataFrame:
    return pd.DataFrame({"world": [0]})


def _values(means: pd.DataFrame, factor: str, keys: list[str]) -> pd.DataFrame:
    """Long: world, option, outcome, value (the mean over its runs), regret."""
    frames = []
    for key in keys:
        better = better_of(key)
        assert better is not None, "chosen_outcomes keeps only outcomes with a direction"
        wide = means.set_index(["world", factor])[key].unstack(factor)
        r = regrets(wide, better)
        long = wide.stack(future_stack=True).rename("value").to_frame()
        long["regret"] = r.stack(future_stack=True)
        frames.append(long.reset_index().assign(outcome=key))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    columns = ["world", "option", "outcome", "value", "regret"]
    return table.rename(columns={factor: "option"}).reindex(columns=columns)


def save(result: SweepRobustness, dest, settings: dict) -> Path:
    """Write regret.csv, satisficing.csv (with thresholds), worlds.csv and manifest.json
    atomically into `dest` (a sim.io.store Destination)."""
    from sim.io.store import write_atomically, write_json
    from sim.study.run import provenance as versions

    def fill(tmp: Path) -> None:
        result.regret.to_csv(tmp / "regret.csv", index=False)
        if result.thresholds:
            result.satisficing.to_csv(tmp / "satisficing.csv", index=False)
        values = result.values.merge(result.worlds, on="world", how="left")
        values.to_csv(tmp / "worlds.csv", index=False)
        write_json(
            tmp / "manifest.json",
            {
                "kind": "robustness",
                "sweep": str(result.folder),
                "factor": result.factor,
                "options": result.options,
                "world_parameters": result.parameters,
                "worlds": len(result.worlds),
                "worlds_left_out": result.dropped,
                "runs": result.runs,
                "runs_per_world_and_option": list(result.per_cell),
                "partial": result.partial,
                "robustness": provenance(result.thresholds, result.seed),
                **settings,
                **versions(),
            },
        )

    return write_atomically(dest, fill)
