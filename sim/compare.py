"""Comparing scenarios: many seeds each, on all cores, with 95% intervals and a scorecard.

Replicate r of every scenario uses seed `base_seed + r` (common random numbers), so differences
between scenarios are not blurred by different luck. Runs go to worker processes in batches, so
process start-up does not dominate runs of a few milliseconds.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.config import Scenario
from sim.executors import execute
from sim.model import RegionModel
from sim.outcomes import CRITERIA, outcome, shown_in
from sim.scorecard import scorecard

if TYPE_CHECKING:
    from sim.store import Destination

COMPARED = [o.key for o in shown_in("compare")]  # outcomes a comparison reports
TRAJECTORIES = [o.key for o in shown_in("trajectory")]  # series it follows month by month

BATCH = 25  # runs per task: a task costs ~0.1-0.3 s, well above process hand-off


def run_replicates(scenario: Scenario, seeds: list[int]) -> tuple[list[dict], list[tuple]]:
    """Run one scenario for `seeds`; return summary rows (with the scorecard) and trajectories."""
    rows = []
    series = []
    for seed in seeds:
        model = RegionModel(scenario, seed=seed).run()
        rec = model.recorder
        summary = rec.summary()
        summary.update(scorecard(summary))
        rows.append(summary)
        cols = rec.columns
        for t in range(len(cols["month"])):
            series.append((scenario.name, seed, t, *(cols[c][t] for c in TRAJECTORIES)))
    return rows, series


@dataclass
class Comparison:
    runs: pd.DataFrame  # one row per run
    outcomes: pd.DataFrame  # tidy: scenario, outcome, mean, ci_low, ci_high, sd, n
    trajectories: pd.DataFrame  # tidy: scenario, month, outcome, mean, ci_low, ci_high
    scenarios: list[Scenario]


def t_quantile(n: int) -> float:
    """Two-sided 95% Student t quantile for n observations."""
    if n < 2:
        return math.nan
    from scipy.stats import t  # scipy comes with Mesa; only the comparison needs it

    return float(t.ppf(0.975, n - 1))


def _intervals(df: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    g = df.groupby(by, sort=False)[value]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    half = out.apply(lambda r: t_quantile(int(r["n"])) * r["sd"] / math.sqrt(r["n"]), axis=1)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def compare(
    scenarios: list[Scenario],
    replicates: int,
    workers: int | None = None,
    base_seed: int = 0,
) -> Comparison:
    """Run every scenario `replicates` times and summarise with 95% intervals."""
    workers = workers or os.cpu_count() or 1
    tasks = [
        (sc, list(range(base_seed + lo, base_seed + min(replicates, lo + BATCH))))
        for sc in scenarios
        for lo in range(0, replicates, BATCH)
    ]
    rows: list[dict] = []
    series: list[tuple] = []
    for r, s in execute(run_replicates, tasks, "processes", workers):
        rows += r
        series += s
    # Batches arrive in any order: put runs in scenario order, then by seed.
    order = {sc.name: i for i, sc in enumerate(scenarios)}
    rows.sort(key=lambda r: (order[r["scenario"]], r["seed"]))
    series.sort(key=lambda t: (order[t[0]], t[1], t[2]))
    runs = pd.DataFrame(rows)
    keys = [k for k in (*COMPARED, *CRITERIA) if k in runs.columns]
    long = runs.melt(id_vars=["scenario", "seed"], value_vars=keys, var_name="outcome")
    outcomes = _intervals(long.dropna(subset=["value"]), ["scenario", "outcome"])
    ts = pd.DataFrame(series, columns=["scenario", "seed", "month", *TRAJECTORIES])
    ts_long = ts.melt(id_vars=["scenario", "seed", "month"], var_name="outcome").dropna()
    trajectories = _intervals(ts_long, ["scenario", "outcome", "month"])
    return Comparison(runs, outcomes, trajectories, scenarios)


def save(comparison: Comparison, dest: Path | Destination, settings: dict) -> Path:
    """Write the tidy tables, the report and the resolved scenarios, atomically."""
    from sim.report import write_report
    from sim.run import provenance
    from sim.store import write_atomically, write_json, write_tables, write_toml

    def fill(tmp: Path) -> None:
        write_tables(
            tmp,
            {
                "runs": comparison.runs,
                "outcomes": comparison.outcomes,
                "trajectories": comparison.trajectories,
            },
        )
        write_toml(
            tmp / "scenarios.toml",
            {sc.name: sc.model_dump(mode="json") for sc in comparison.scenarios},
        )
        write_json(tmp / "manifest.json", {**settings, **provenance()})
        write_report(comparison, tmp / "report.html", settings)

    return write_atomically(dest, fill)


def format_table(comparison: Comparison, keys: list[str] | None = None) -> str:
    """Per outcome, each scenario's mean and 95% interval, as plain text."""
    o = comparison.outcomes.set_index(["outcome", "scenario"])
    present = set(o.index.get_level_values(0))
    keys = keys or [k for k in (*COMPARED, *CRITERIA) if k in present]
    width = max(len(sc.name) for sc in comparison.scenarios)
    lines = []
    for key in keys:
        if key not in o.index.get_level_values(0):
            continue
        entry = outcome(key)
        lines.append(entry.en + (f" ({entry.unit_en})" if entry.unit_en else ""))
        for sc in comparison.scenarios:
            if (key, sc.name) not in o.index:
                lines.append(f"  {sc.name:<{width}}  n/a")
                continue
            r = o.loc[(key, sc.name)] * entry.scale
            interval = f"[{_num(r['ci_low'])}, {_num(r['ci_high'])}]"
            lines.append(f"  {sc.name:<{width}}  {_num(r['mean'])}  {interval}")
    return "\n".join(lines)


def _num(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    a = abs(x)
    return f"{x:10,.0f}" if a >= 1000 else f"{x:10.2f}" if a >= 1 else f"{x:10.4f}"
