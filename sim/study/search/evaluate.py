"""What a worker process runs for a design search: one scenario on a batch of seeds, the chosen
outcomes of each run. Light on purpose: a worker imports the model and this, never platypus,
pandas or a page."""

from __future__ import annotations

import math

from sim.model.config import Scenario
from sim.model.model import RegionModel


def outcomes_on_seeds(
    index: object, scenario: Scenario, seeds: list[int], keys: list[str]
) -> tuple[object, list[list[float]]]:
    """Run `scenario` once per seed; per run, the outcomes `keys` of its summary (NaN where
    a run has none, e.g. commitment with no instalment due). `index` comes back with them, so
    the driver can put results that arrive in any order in their place."""
    rows = []
    for seed in seeds:
        summary = RegionModel(scenario, seed=seed).run().recorder.summary()
        rows.append([_number(summary.get(key)) for key in keys])
    return index, rows


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)
