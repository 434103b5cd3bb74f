"""The runs the checks read: one set-up (an :class:`Arm`) on seeds, kept in a cache for the life
of the process, so checks that share a set-up run it once.

Runs go to local worker processes (sim/study/executors.py) in batches; a run depends only on its
scenario and seed, so the numbers are the same in any executor and order. Of each run only what
the checks read is kept (a :data:`Record`: the summary, the municipalities' rows, a few monthly
series).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.io.progress import bar
from sim.model.config import Scenario
from sim.model.model import RegionModel
from sim.study.executors import execute

BATCH = 25  # runs per task handed to a worker process
SERIES_KEPT = ("due", "paid", "service_quality", "trust_mean", "defections")

Record = dict[str, Any]
Runs = dict[str, list[Record]]
"""The runs of a check's set-ups by role, each in seed order."""


@dataclass(frozen=True)
class Arm:
    """One set-up a check runs: a scenario and, rarely, a named change to the built model."""

    scenario: Scenario
    tweak: str = ""  # a key of TWEAKS


def _more_autonomy(model: RegionModel) -> None:
    for m in model.municipalities:  # councils that want more of their own settings
        m.autonomy = min(1.0, m.autonomy + 0.3)


TWEAKS: dict[str, Callable[[RegionModel], None]] = {"autonomy+0.3": _more_autonomy}


def _record(model: RegionModel) -> Record:
    """What the checks read of one run, kept small."""
    rec = model.recorder
    cols = rec.columns
    return {
        "summary": rec.summary(),
        "municipalities": rec.municipality_rows(),
        "centre": model.centre.name,
        "theme_due": {t.name: rec.due_by_theme[t.index] for t in model.themes},
        "theme_paid": {t.name: rec.paid_by_theme[t.index] for t in model.themes},
        "series": {c: np.asarray(cols[c], dtype=float) for c in SERIES_KEPT},
    }


def run_batch(scenario: Scenario, tweak: str, seeds: list[int]) -> list[Record]:
    """Run `scenario` for each seed (a worker's task) and return what the checks read."""
    out = []
    for seed in seeds:
        model = RegionModel(scenario, seed=seed)
        if tweak:
            TWEAKS[tweak](model)
        out.append(_record(model.run()))
    return out


_CACHE: dict[tuple[str, int], Record] = {}


def arm_key(arm: Arm) -> str:
    """What identifies a set-up's runs in the cache: its scenario and tweak."""
    text = arm.scenario.model_dump_json() + "|" + arm.tweak
    return hashlib.sha256(text.encode()).hexdigest()


def run_arms(
    needs: Sequence[tuple[Arm, Sequence[int]]],
    workers: int | None = None,
    progress: bool = False,
) -> None:
    """Run every (arm, seed) not yet in the cache, in batches on `workers` processes."""
    tasks: list[tuple[Scenario, str, list[int]]] = []
    keys: list[tuple[str, list[int]]] = []
    planned: set[tuple[str, int]] = set()
    for arm, seeds in needs:
        key = arm_key(arm)
        todo = [s for s in seeds if (key, s) not in _CACHE and (key, s) not in planned]
        planned |= {(key, s) for s in todo}
        for lo in range(0, len(todo), BATCH):
            tasks.append((arm.scenario, arm.tweak, todo[lo : lo + BATCH]))
            keys.append((key, todo[lo : lo + BATCH]))
    if not tasks:
        return
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    indexed = [(i, *t) for i, t in enumerate(tasks)]
    with bar(sum(len(t[2]) for t in tasks), "validate", enabled=progress) as update:
        for i, records in execute(_indexed_batch, indexed, "processes", workers):  # 1: here
            key, seeds = keys[i]
            for s, r in zip(seeds, records, strict=True):
                _CACHE[(key, s)] = r
            update(len(seeds))


def _indexed_batch(i: int, scenario: Scenario, tweak: str, seeds: list[int]):
    return i, run_batch(scenario, tweak, seeds)


def records(arm: Arm, seeds: Sequence[int]) -> list[Record]:
    """The runs of `arm` for `seeds`, in seed order (run first if not cached)."""
    run_arms([(arm, seeds)])
    key = arm_key(arm)
    return [_CACHE[(key, s)] for s in seeds]


def clear_cache() -> None:
    """Forget every run (a calibration's points never share runs)."""
    _CACHE.clear()
