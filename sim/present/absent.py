"""Quantities a scenario does not have, so that a page says so instead of showing a number.

A scenario in which no theme has shared services (the spatial-economic domain alone, run
multiple-local) has no service cost, no efficiency gain and no tailoring of shared services.
The runs record its service cost as 0 (nothing was paid for services), which next to the
others' costs reads as the cheapest: the comparison report (sim/present/report.py and its
sections) writes "no shared services" there instead, and does not rank an outcome on which such
a scenario would come out first by that 0. Cheap to import (no plotly): the printed summaries
import it too.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from sim.present import i18n

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


def unrankable(key: str, leaders: list[str], lacking: set[str]) -> bool:
    """Whether a ranking of outcome `key` would be led by a scenario for which it does not
    exist (its recorded 0 taken for the best): such a ranking is not shown."""
    return any(absent(key, n, lacking) for n in leaders)


def unranked_note(keys: list[str], lacking: set[str], lang: str) -> str:
    """A line naming the outcomes left out of a ranking because a scenario without shared
    services would lead it by a quantity it does not have (sim/present/absent.py)."""
    if not keys:
        return ""
    said = i18n.text(
        "report.unranked",
        lang,
        outcomes=", ".join(i18n.outcome_label(k, lang) for k in keys),
        scenarios=", ".join(sorted(lacking)),
    )
    return f"<p class='method'>{html.escape(said)}</p>"
