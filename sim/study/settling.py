"""Does trust settle? Its drift over a long run's last twenty years beyond what delivery explains.

Trust is a learned belief about how reliably partners deliver (rules.trust_update), so it should
move only when delivery moves. For each seed, yearly mean trust over the last WINDOW years is
regressed on the delivery record (paid / due over the last RECORD_YEARS years, the memory a
belief learned at trust's rates keeps) and on the year; the year's coefficient, times the
window, is the drift the delivery record does not explain. The checks `trust-settles-*` in
sim/study/validation/laboratory.py apply it to every preset.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.05
"""Unexplained drift of mean trust over the window that still counts as settled (trust units;
ASSUMPTION: a twentieth of trust's range in twenty years is below what a reader of the trust
trajectories would call a trend)."""


WINDOW = 20
"""The last years of a run in which trust should have settled."""
RECORD_YEARS = 5
"""ASSUMPTION: the delivery record trust reflects; with learning rates of a quarter to a half per
closed project and a handful of projects a year, older experience weighs next to nothing."""


@dataclass(frozen=True)
class Drift:
    estimate: float  # unexplained change of mean trust over the window
    ci_low: float
    ci_high: float
    n: int  # seeds with enough years to fit


def yearly(columns: Mapping[str, Sequence[float]], years: int) -> tuple[list[float], list[float]]:
    """Yearly mean trust, and the delivery record behind it: paid / due over the last
    RECORD_YEARS years (NaN where nothing fell due)."""
    trust, record = [], []
    for y in range(years):
        trust.append(statistics.fmean(columns["trust_mean"][12 * y : 12 * (y + 1)]))
        w = slice(12 * max(0, y + 1 - RECORD_YEARS), 12 * (y + 1))
        due = sum(columns["due"][w])
        record.append(sum(columns["paid"][w]) / due if due > 0 else math.nan)
    return trust, record


def unexplained_slope(trust: Sequence[float], record: Sequence[float]) -> float | None:
    """Yearly drift of trust net of the delivery record, by least squares (None if too few
    years with a record)."""
    rows = [(t, c, y) for y, (t, c) in enumerate(zip(trust, record, strict=True)) if c == c]
    if len(rows) < 5:
        return None
    t = np.array([r[0] for r in rows])
    x = np.column_stack([np.ones(len(rows)), [r[1] for r in rows], [r[2] for r in rows]])
    coef, *_ = np.linalg.lstsq(x, t, rcond=None)
    return float(coef[2])


def settled(d: Drift, tolerance: float = TOLERANCE) -> bool:
    """No evidence of drift beyond the tolerance: the 95% interval reaches into it."""
    return d.ci_low <= tolerance and d.ci_high >= -tolerance
