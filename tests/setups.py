"""The tests' set-ups: a pure-arrangement scenario with its rules changed, and a paired t.

Built on the checks' own set-ups (sim/study/validation/setups.py), so a test runs the scenarios
the checks run.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from sim.model.config import Scenario, scenario_from_dict
from sim.study.validation import MULTIPLE_LOCAL, SPATIAL, base_scenario_dict, variant_dict

__all__ = ["SPATIAL", "base_scenario_dict", "paired_t", "variant"]


def variant(
    name: str = MULTIPLE_LOCAL,
    themes: tuple[str, ...] | None = SPATIAL,
    status_quo: bool = True,
    **rules: object,
) -> Scenario:
    """A pure-arrangement preset, with its rules changed as given.

    By default restricted to the spatial-economic themes and taken as the status quo (no
    transition from a previous arrangement), as multiple-local was when Common Eye looked at it.
    """
    return scenario_from_dict(variant_dict(name, themes, status_quo, **rules))


def paired_t(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Mean of b - a over pairs where both are numbers, and its t statistic."""
    d = [y - x for x, y in zip(a, b, strict=True) if not (math.isnan(x) or math.isnan(y))]
    mean = statistics.fmean(d)
    se = statistics.stdev(d) / math.sqrt(len(d))
    return mean, (mean / se if se > 0 else math.inf * (1 if mean > 0 else -1))
