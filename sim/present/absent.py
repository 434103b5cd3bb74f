"""Quantities a scenario does not have, so that a page says so instead of showing a number.

A scenario in which no theme has shared services (the spatial-economic domain alone, run
multiple-local) has no service cost, no efficiency gain and no tailoring of shared services.
The runs record these as missing (sim/model/recorder.py), never as a 0 that would read as the
cheapest; the comparison report (sim/present/report.py and its sections) says "no shared
services" there, where a bare "n/a" would not say why. Cheap to import (no plotly): the
printed summaries import it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.study.compare import Comparison

NEEDS_SERVICES = frozenset(
    {"service_cost_per_inhabitant", "service_efficiency_gain", "tailoring_fit"}
)
"""Outcomes that measure the shared services: without them there is nothing to measure."""


def without_services(c: Comparison) -> set[str]:
    """The scenarios in which no theme has shared services in any run (their pooled share is
    missing throughout): their service outcomes measure nothing."""
    runs = c.runs
    if "service_pooled_share" not in runs:
        return set()
    missing = runs["service_pooled_share"].isna().groupby(runs["scenario"]).all()
    return {str(n) for n, m in missing.items() if m}


def absent(key: str, scenario: str, lacking: set[str]) -> bool:
    """Whether outcome `key` does not exist for `scenario` (one of the scenarios `lacking`
    shared services)."""
    return key in NEEDS_SERVICES and scenario in lacking
