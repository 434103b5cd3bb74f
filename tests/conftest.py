from __future__ import annotations

import math
import statistics
import tomllib
from pathlib import Path

import pytest

from sim.config import PRESETS, Scenario, scenario_from_dict
from sim.model import RegionModel

ROOT = Path(__file__).resolve().parent.parent


def base_scenario_dict(name: str = "multiple-local") -> dict:
    return tomllib.loads((PRESETS / f"{name}.toml").read_text())


SPATIAL = ("mobility", "housing", "economy", "energy")


def variant(
    name: str = "multiple-local",
    themes: tuple[str, ...] | None = SPATIAL,
    status_quo: bool = True,
    **rules: object,
) -> Scenario:
    """A pure-arrangement preset, with its rules changed as given.

    By default restricted to the spatial-economic themes and taken as the status quo (no
    transition from a previous arrangement), as multiple-local was when Common Eye looked at it.
    """
    data = base_scenario_dict(name)
    arrangement = name
    if rules:
        data["arrangements"] = {"variant": {"based_on": name, **rules}}
        arrangement = "variant"
    if themes is not None:
        data["governance"] = {t: arrangement for t in themes}
    else:
        data["governance"] = {t: arrangement for t in data["governance"]}
    if status_quo:
        data.pop("previous_governance", None)
    else:
        data["previous_governance"] = {
            t: p for t, p in data.get("previous_governance", {}).items() if t in data["governance"]
        }
    return scenario_from_dict(data)


def run(scenario: Scenario, seed: int) -> RegionModel:
    return RegionModel(scenario, seed=seed).run()


def paired_t(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean of b - a over pairs where both are numbers, and its t statistic."""
    d = [y - x for x, y in zip(a, b, strict=True) if not (math.isnan(x) or math.isnan(y))]
    mean = statistics.fmean(d)
    se = statistics.stdev(d) / math.sqrt(len(d))
    return mean, (mean / se if se > 0 else math.inf * (1 if mean > 0 else -1))


@pytest.fixture(scope="session")
def multiple_local() -> Scenario:
    return variant()
