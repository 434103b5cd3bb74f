"""Running one simulation and shaping its outputs as tables."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.io.store import Destination, write_atomically, write_json, write_tables, write_toml
from sim.model.config import Scenario
from sim.model.model import RegionModel
from sim.model.recorder import EVENT_COLUMNS, SERIES


@dataclass
class RunResult:
    """What one run produced: the time series, the one-row summary, the municipality table and
    the event log."""

    scenario: Scenario
    seed: int
    series: pd.DataFrame
    summary: dict
    municipalities: pd.DataFrame
    events: pd.DataFrame


def simulate(scenario: Scenario, seed: int) -> RunResult:
    """Run `scenario` with `seed` to its horizon.

    Returns a RunResult: `series` (one row per month), `summary` (a dict of the run's
    outcomes), `municipalities` (one row each) and `events` (the event log), as DataFrames.

    Example:
        >>> from sim import load_scenario, simulate
        >>> result = simulate(load_scenario("split-2022", years=1), seed=3)
        >>> len(result.series), result.summary["months"], len(result.municipalities)
        (12, 12, 7)
    """
    model = RegionModel(scenario, seed=seed).run()
    rec = model.recorder
    series = pd.DataFrame(rec.rows, columns=list(SERIES))
    series.insert(0, "seed", seed)
    series.insert(0, "scenario", scenario.name)
    return RunResult(
        scenario=scenario,
        seed=seed,
        series=series,
        summary=rec.summary(),
        municipalities=pd.DataFrame(rec.municipality_rows()),
        events=pd.DataFrame(rec.events, columns=list(EVENT_COLUMNS)),
    )


def provenance() -> dict[str, str]:
    """Versions and commit that produced a result."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "samenspel": metadata.version("samenspel"),
        "mesa": metadata.version("mesa"),
        "python": platform.python_version(),
        "git_commit": commit or "unknown",
    }


def save_run(result: RunResult, dest: Path | Destination) -> Path:
    """Write a run's tables, its fully resolved scenario and a manifest, atomically."""
    scenario = result.scenario

    def fill(tmp: Path) -> None:
        write_tables(
            tmp,
            {
                "timeseries": result.series,
                "summary": pd.DataFrame([result.summary]),
                "municipalities": result.municipalities,
                "events": result.events,
            },
        )
        write_toml(tmp / "scenario.toml", scenario.model_dump(mode="json"))
        write_json(
            tmp / "manifest.json",
            {
                "seed": result.seed,
                "scenario": scenario.name,
                "arrangements_in_force": {
                    t: a.model_dump(mode="json")
                    for t, a in scenario.resolved_arrangements().items()
                },
                **provenance(),
            },
        )

    return write_atomically(dest, fill)
