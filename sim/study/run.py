"""Running one simulation and shaping its outputs as tables."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

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


PROVENANCE_PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "SALib", "dask")
"""The libraries whose versions every result records (what a rerun must match)."""


def _git(*args: str) -> str | None:
    """A git command's output in samenspel's checkout, or None outside one."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode(errors="replace") if done.returncode == 0 else None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance() -> dict[str, str]:
    """What produced a result: samenspel's version and commit, whether the checkout had
    uncommitted changes (and a digest of them, so two results from the same dirty tree can be
    told apart from two that are not), Python's and the libraries' versions."""
    commit = (_git("rev-parse", "HEAD") or "").strip()
    diff = _git("diff", "HEAD", "--", ":(top)sim", ":(top)agents")
    dirty = "unknown" if diff is None else ("true" if diff else "false")
    return {
        "samenspel": metadata.version("samenspel"),
        "python": platform.python_version(),
        **{package: _version(package) for package in PROVENANCE_PACKAGES},
        "git_commit": commit or "unknown",
        "git_dirty": dirty,
        "git_diff_sha256": hashlib.sha256(diff.encode()).hexdigest() if diff else "",
    }


def save_run(
    result: RunResult,
    dest: Path | Destination,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    notes: Mapping[str, Any] | None = None,
) -> Path:
    """Write a run's tables, its fully resolved scenario and a manifest, atomically; `tables`
    are written beside the run's, `notes` added to its manifest."""
    scenario = result.scenario

    def fill(tmp: Path) -> None:
        write_tables(
            tmp,
            {
                "timeseries": result.series,
                "summary": pd.DataFrame([result.summary]),
                "municipalities": result.municipalities,
                "events": result.events,
                **(tables or {}),
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
                **(notes or {}),
            },
        )

    return write_atomically(dest, fill)
