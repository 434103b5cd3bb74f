"""Plausible worlds: behaviour the evidence allows, drawn from the calibration's posterior.

The calibration (sim/study/calibration/, docs/CALIBRATION.md) leaves not one point of behaviour
parameters but a weighted set of particles, each as consistent with the patterns as the others.
An answer that holds at the defaults only is an answer at one point of that set. So `compare`
and `whatif` can spread their replicates over worlds: world w is one particle, drawn by weight
(systematic resampling from one integer seed), and replicate r of every scenario runs in world
r x W // R on seed base_seed + r. Scenarios stay paired: the same replicate has the same world
and the same seed in every scenario.

What this module computes from such runs, each a pure function of the runs table:

- `cluster_means`: a quantity's mean per world, the unit a 95% interval over worlds is taken
  on (runs of one world share its behaviour, so they are not independent draws of the posterior);
- `variance_split`: how much of a quantity's variance comes from the worlds (which behaviour is
  true) and how much from the seeds (chance), by one-way ANOVA's variance components;
- `rank_probabilities`: per outcome, each scenario's chance of each rank over the worlds, and
  whether the first place is robust (the same scenario first in at least ROBUST of the worlds);
- `agreement` and `deciding_parameter`: for a paired difference, the share of worlds that agree
  with its direction, and, where they do not, the one parameter and threshold that best
  separate the worlds where it is better from those where it is worse (a one-split tree).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model.config import Behaviour, Culture, Scenario, scenario_from_dict
from sim.study.experiment import apply, lookup

ROBUST = 0.9
"""A ranking or verdict is robust when it holds in at least this share of the worlds."""

WORLDS = 20
"""Worlds a comparison spreads its replicates over by default (200 runs: 20 worlds x 10 seeds)."""

FEW = 10
"""Below this many worlds, "in at least 90% of them" means all or all but one: said as a
warning."""

POSTERIOR = "posterior"  # the package data folder: sim/data/posterior/


# --- the posterior -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posterior:
    """The calibration's accepted particles: values per parameter (dotted paths), weights."""

    names: list[str]
    values: np.ndarray  # particles x parameters
    weights: np.ndarray
    sha256: str  # of the particles file
    manifest: dict[str, Any]


def posterior_folder() -> Path:
    return Path(str(resources.files("sim.data") / POSTERIOR))


def available() -> bool:
    """Whether the package carries a posterior to draw worlds from."""
    return (posterior_folder() / "particles.csv").is_file()


def load_posterior(folder: Path | None = None) -> Posterior:
    """The posterior in `folder` (default: the package's, sim/data/posterior/)."""
    import json

    folder = folder or posterior_folder()
    raw = (folder / "particles.csv").read_bytes()
    manifest = json.loads((folder / "manifest.json").read_text())
    frame = pd.read_csv(folder / "particles.csv")
    names = list(manifest["parameters"])
    return Posterior(
        names,
        frame[names].to_numpy(float),
        frame["weight"].to_numpy(float) / frame["weight"].sum(),
        hashlib.sha256(raw).hexdigest(),
        manifest,
    )


@dataclass(frozen=True)
class Worlds:
    """The worlds a comparison runs in: which particles, their parameter values."""

    particles: list[int]
    overrides: list[dict[str, float]]
    seed: int
    posterior_sha256: str

    def __len__(self) -> int:
        return len(self.particles)

    def provenance(self) -> dict[str, Any]:
        return {
            "worlds": len(self),
            "worlds_seed": self.seed,
            "posterior_sha256": self.posterior_sha256,
            "posterior_particles": self.particles,
        }

    def table(self) -> pd.DataFrame:
        """One row per world: its number, its particle and its parameter values."""
        return pd.DataFrame(
            [
                {"world": w, "particle": p, **o}
                for w, (p, o) in enumerate(zip(self.particles, self.overrides, strict=True))
            ]
        )


def draw(n: int, seed: int, posterior: Posterior | None = None) -> Worlds:
    """`n` worlds drawn by weight from the posterior by systematic resampling (one uniform
    offset from `seed`, so every particle is drawn about n x its weight times), in particle
    order."""
    post = posterior or load_posterior()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x77_6F_72_6C_64,)))
    positions = (rng.random() + np.arange(n)) / n
    chosen = np.searchsorted(np.cumsum(post.weights), positions, side="right")
    chosen = np.minimum(chosen, len(post.weights) - 1)
    overrides = [
        {name: float(v) for name, v in zip(post.names, post.values[i], strict=True)} for i in chosen
    ]
    return Worlds([int(i) for i in chosen], overrides, seed, post.sha256)


def world_of(replicate: int, replicates: int, worlds: int) -> int:
    """The world replicate r of R runs in: contiguous blocks, r x W // R."""
    return replicate * worlds // replicates


def in_world(scenario: Scenario, overrides: dict[str, float]) -> Scenario:
    """`scenario` in a world: each drawn parameter set where the scenario leaves it at the
    default; a value the scenario sets itself (a what-if about behaviour) is kept."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    defaults = {
        "behaviour": Behaviour().model_dump(mode="json"),
        "culture": Culture().model_dump(mode="json"),
    }
    data = apply(
        data,
        {path: v for path, v in overrides.items() if lookup(data, path) == lookup(defaults, path)},
    )
    return scenario_from_dict(data, source=f"{scenario.name} in a plausible world")


# --- what the runs say over the worlds ---------------------------------------------------------


def cluster_means(long: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """The mean of `value` per group of `by` and world (rows without a value left out)."""
    return (
        long.dropna(subset=[value]).groupby([*by, "world"], sort=False)[value].mean().reset_index()
    )


def variance_split(values: Sequence[float], worlds: Sequence[int]) -> tuple[float, float]:
    """The shares of the variance of `values` that come from the worlds and from the seeds
    within them (one-way ANOVA's variance components, the worlds' part clipped at 0); NaN
    where there is no variance or fewer than two worlds."""
    frame = pd.DataFrame({"v": values, "w": worlds}).dropna()
    groups = frame.groupby("w")["v"]
    k, n = groups.ngroups, len(frame)
    if k < 2 or n <= k:
        return math.nan, math.nan
    sizes = groups.size().to_numpy(float)
    grand = frame["v"].mean()
    ss_between = float((sizes * (groups.mean().to_numpy() - grand) ** 2).sum())
    ss_within = float(((frame["v"] - groups.transform("mean")) ** 2).sum())
    ms_between, ms_within = ss_between / (k - 1), ss_within / (n - k)
    n0 = (n - (sizes**2).sum() / n) / (k - 1)
    between = max(0.0, (ms_between - ms_within) / n0)
    total = between + ms_within
    if total <= 0:
        return math.nan, math.nan
    return between / total, ms_within / total


def rank_probabilities(
    runs: pd.DataFrame, keys: Sequence[str], better: dict[str, str | None]
) -> pd.DataFrame:
    """Per outcome with a better direction: each scenario's probability of each rank over the
    worlds (rank 1 best; ties share the better rank), from the scenarios' means per world; a
    scenario without a value in a world is not ranked there."""
    rows = []
    order = list(dict.fromkeys(runs["scenario"]))
    for key in keys:
        direction = better.get(key)
        if direction is None or key not in runs.columns:
            continue
        means = runs.groupby(["world", "scenario"], sort=False)[key].mean().unstack("scenario")
        means = means.reindex(columns=order).dropna(how="all")
        if means.empty:
            continue
        # a scenario the outcome does not apply to (a criterion without shared services) is not
        # ranked: the others are ranked among themselves
        ranks = means.rank(axis=1, ascending=direction == "lower", method="min", na_option="keep")
        for sc in order:
            counts = ranks[sc].value_counts()
            for rank in range(1, len(order) + 1):
                rows.append(
                    {
                        "outcome": key,
                        "scenario": sc,
                        "rank": rank,
                        "probability": float(counts.get(float(rank), 0)) / len(ranks),
                        "worlds": len(ranks),
                    }
                )
    return pd.DataFrame(rows, columns=["outcome", "scenario", "rank", "probability", "worlds"])


def first_places(ranks: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: the scenario most often first (those as often, joined by ", ": scenarios
    the rules tie share a place), that probability, whether it is robust (first in at least
    ROBUST of the worlds), and the contenders: the fewest scenarios, most often first first,
    one of which is first in at least ROBUST of the worlds (their probabilities summed, at most
    1: scenarios tied in a world would count it twice)."""
    firsts = ranks[ranks["rank"] == 1]
    rows = []
    for key, part in firsts.groupby("outcome", sort=False):
        top = float(part["probability"].max())
        leaders = part.loc[part["probability"] >= top - 1e-12, "scenario"]
        ordered = part[part["probability"] > 0].sort_values("probability", ascending=False)
        cumulative = ordered["probability"].cumsum().clip(upper=1.0)
        reach = int((cumulative < ROBUST - 1e-12).sum()) + 1
        rows.append(
            {
                "outcome": key,
                "first": ", ".join(leaders),
                "p_first": top,
                "robust": bool(top >= ROBUST),
                "contenders": ", ".join(ordered["scenario"].iloc[:reach]),
                "p_contenders": float(cumulative.iloc[min(reach, len(ordered)) - 1]),
                "worlds": int(part["worlds"].iloc[0]),
            }
        )
    columns = ["outcome", "first", "p_first", "robust", "contenders", "p_contenders", "worlds"]
    return pd.DataFrame(rows, columns=columns)


def agreement(world_differences: Sequence[float], sign: int) -> float:
    """The share of worlds whose mean difference has sign `sign` (+1 or -1)."""
    d = np.asarray(world_differences, float)
    d = d[~np.isnan(d)]
    return float(np.mean(np.sign(d) == sign)) if len(d) else math.nan


@dataclass(frozen=True)
class Split:
    """The one parameter and threshold that best separate worlds by the sign of a difference."""

    parameter: str
    threshold: float
    below: int  # the sign most worlds below the threshold have (+1 or -1)
    accuracy: float  # share of worlds the split classifies right
    worlds: int


def deciding_parameter(values: pd.DataFrame, differences: Sequence[float]) -> Split | None:
    """A one-split classification tree (a stump) over the worlds' parameter `values` (one column
    per parameter, one row per world) for the sign of their `differences`: the split that
    classifies most worlds right, ties to the parameter listed first; None where every world
    has the same sign."""
    d = np.asarray(differences, float)
    keep = ~np.isnan(d) & (d != 0)
    signs = np.sign(d[keep])
    if len(set(signs)) < 2:
        return None
    best: Split | None = None
    for name in values.columns:
        x = values[name].to_numpy(float)[keep]
        order = np.argsort(x, kind="stable")
        xs, ys = x[order], signs[order]
        for cut in range(1, len(xs)):
            if xs[cut] == xs[cut - 1]:
                continue
            left, right = ys[:cut], ys[cut:]
            below = 1 if (left > 0).sum() >= (left < 0).sum() else -1
            right_ok = (right == -below).sum()
            acc = float(((left == below).sum() + right_ok) / len(ys))
            if best is None or acc > best.accuracy:
                best = Split(name, float((xs[cut] + xs[cut - 1]) / 2), below, acc, len(ys))
    return best
