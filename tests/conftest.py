from __future__ import annotations

import math
import statistics
import tomllib
from pathlib import Path

import pytest

from sim.config import Scenario, scenario_from_dict
from sim.model import RegionModel

ROOT = Path(__file__).resolve().parent.parent


def base_scenario_dict(name: str = "multiple-local") -> dict:
    return tomllib.loads((ROOT / "experiments" / f"{name}.toml").read_text())


def variant(name: str = "multiple-local", **rules: object) -> Scenario:
    """The preset with its arrangement's rules changed for every theme it governs."""
    data = base_scenario_dict(name)
    if rules:
        data["arrangements"] = {"variant": {"based_on": name, **rules}}
        data["governance"] = {t: "variant" for t in data["governance"]}
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
