"""Docking: the model reduced to a repeated public-goods game, against published experiments.

The reduction is made by scenario settings alone (sim/data/docking/public-goods-game*.toml:
four identical members, one regional good, one decision per period, no budget stress, council or
energy); the published trajectories are data (sim/data/docking/experiments.toml). What a
period's contribution is: the share of members that paid their instalment of their own accord,
before any escalation recovered it, as the laboratory's contributions are made before anyone can
punish. docs/ODD.md, section 9, states the criteria and shows the figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.model.config import load_scenario, read_toml
from sim.model.model import RegionModel
from sim.study.stats import mean_interval

DOCKING = Path(__file__).resolve().parents[1] / "data" / "docking"
PERIODS = 10
CONDITIONS = {
    "without_punishment": "public-goods-game.toml",
    "with_punishment": "public-goods-game-punishment.toml",
}


@dataclass(frozen=True)
class Experiment:
    """One published experiment: mean contribution per period, as a share of the endowment."""

    key: str
    reference: str
    source: str
    matching: str
    paths: dict[str, list[float]]


def experiments() -> dict[str, Experiment]:
    """The published trajectories the model is docked to."""
    raw = read_toml(DOCKING / "experiments.toml")
    return {
        key: Experiment(
            key,
            e["reference"],
            e["source"],
            e["matching"],
            {c: [x / e["endowment"] for x in e[c]] for c in CONDITIONS if c in e},
        )
        for key, e in raw.items()
    }


def paid_of_own_accord(defections: Sequence[float], members: int) -> list[float]:
    """Per period, the share of members that paid of their own accord (one decision each)."""
    return [1.0 - d / members for d in defections[:PERIODS]]


def contributions(condition: str, seed: int, overrides: dict | None = None) -> list[float]:
    """Per period, the share of members that paid of their own accord, in one run."""
    scenario = load_scenario(str(DOCKING / CONDITIONS[condition]), **(overrides or {}))
    model = RegionModel(scenario, seed=seed).run()
    return paid_of_own_accord(model.recorder.columns["defections"], len(model.municipalities))


@dataclass(frozen=True)
class Trajectory:
    """The model's mean contribution per period over seeds, with its 95% interval."""

    mean: list[float]
    low: list[float]
    high: list[float]
    seeds: int


def trajectory(condition: str, seeds: Sequence[int], overrides: dict | None = None) -> Trajectory:
    """Mean contribution per period over `seeds`, with the 95% interval of the mean (Student t,
    sim/study/stats.py; no interval on one seed)."""
    runs = [contributions(condition, s, overrides) for s in seeds]
    mean, low, high = [], [], []
    for t in range(PERIODS):
        m, _, lo, hi = mean_interval([r[t] for r in runs])
        mean.append(m)
        low.append(lo)
        high.append(hi)
    return Trajectory(mean, low, high, len(runs))


def mean_absolute_deviation(model: Iterable[float], lab: Iterable[float]) -> float:
    """Mean over periods of |model - laboratory|, in shares of the endowment."""
    return statistics.fmean(abs(a - b) for a, b in zip(model, lab, strict=True))
