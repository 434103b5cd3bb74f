"""The checks of docs/ODD.md section 9: the model reduced to a public-goods game against the
laboratory (sim/study/docking.py), and trust that settles over a long run
(sim/study/settling.py); their words are in the catalogues (`[validate.check.*]`)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np

from sim.model.config import list_scenarios
from sim.study import docking, settling
from sim.study.validation.check import Check
from sim.study.validation.measures import (
    Measure,
    Record,
    Statistic,
    each,
    interval,
    same,
    signed_t,
)
from sim.study.validation.patterns import slug
from sim.study.validation.setups import Game, Preset

DOCKING_SEEDS = 200
DOCKING_TOLERANCE = 0.15
"""Mean absolute deviation over ten periods, in shares of the endowment (ODD section 9)."""
SETTLING_YEARS = 50
WITHOUT, WITH = Game("without_punishment"), Game("with_punishment")


def contributions(r: Record) -> list[float]:
    """Per period, the share of the four members that paid of their own accord."""
    return docking.paid_of_own_accord(r["series"]["defections"], len(r["municipalities"]))


def deviation_stat(runs: list[Record], lab: Sequence[float], tolerance: float) -> Statistic:
    """Mean absolute deviation of the mean trajectory from the laboratory's, with a bootstrap
    interval over seeds (fixed resampling stream: the same runs give the same interval)."""
    mean_absolute_deviation = docking.mean_absolute_deviation
    paths = np.array([contributions(r) for r in runs])
    est = mean_absolute_deviation(paths.mean(axis=0), lab)
    rng = np.random.default_rng(0)
    boot = [
        mean_absolute_deviation(paths[rng.integers(0, len(paths), len(paths))].mean(axis=0), lab)
        for _ in range(400)
    ]
    lo, hi = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
    se = float(np.std(boot))
    return Statistic(est, lo, hi, len(runs), signed_t(tolerance - est, se, 1), est <= tolerance)


def _level(experiment: str, condition: str) -> Measure:
    lab = docking.experiments()[experiment].paths[condition]
    return lambda runs: deviation_stat(runs["x"], lab, DOCKING_TOLERANCE)


def _decay(r: Record) -> float:
    """The last period's contribution minus half the first's."""
    c = contributions(r)
    return c[-1] - 0.5 * c[0]


def _holds(r: Record) -> float:
    """The last period's contribution minus the first's, plus 0.05."""
    c = contributions(r)
    return c[-1] - c[0] + 0.05


def _after_first(r: Record) -> float:
    """The mean contribution once punishment has been seen (periods 2-10)."""
    return statistics.fmean(contributions(r)[1:])


def docking_checks() -> list[Check]:
    """The public-goods game against the laboratory (docs/ODD.md section 9)."""
    return [
        Check(
            "dock-decay-without-punishment",
            target="< 0",
            seeds=DOCKING_SEEDS,
            setups={"x": WITHOUT},
            measure=each(_decay, -1),
        ),
        Check(
            "dock-holds-with-punishment",
            target="> 0",
            seeds=DOCKING_SEEDS,
            setups={"x": WITH},
            measure=each(_holds, 1),
        ),
        Check(
            "dock-punishment-raises",
            target="> 0",
            seeds=DOCKING_SEEDS,
            setups={"a": WITHOUT, "b": WITH},
            measure=same(_after_first, 1),
        ),
        Check(
            "dock-level-fg2010",
            target=f"<= {DOCKING_TOLERANCE}",
            seeds=DOCKING_SEEDS,
            setups={"x": WITHOUT},
            measure=_level("fg2010", "without_punishment"),
        ),
        Check(
            "dock-level-htg2008",
            target=f"<= {DOCKING_TOLERANCE}",
            seeds=DOCKING_SEEDS,
            setups={"x": WITH},
            measure=_level("htg2008", "with_punishment"),
        ),
    ]


def drift_stat(runs: list[Record]) -> Statistic:
    """The unexplained drift of mean trust over a long run's last years, mean over seeds; the
    claim holds when its interval reaches into the tolerance (settling.settled)."""
    slopes = []
    for r in runs:
        trust, record = settling.yearly(r["series"], SETTLING_YEARS)
        slope = settling.unexplained_slope(trust[-settling.WINDOW :], record[-settling.WINDOW :])
        if slope is not None:
            slopes.append(slope * settling.WINDOW)
    mean, se, lo, hi = interval(slopes)
    ok = bool(slopes) and settling.settled(settling.Drift(mean, lo, hi, len(slopes)))
    t = signed_t(settling.TOLERANCE - abs(mean), se, 1)
    return Statistic(mean, lo, hi, len(slopes), t, ok)


def settling_checks() -> list[Check]:
    """Trust settles: under every preset, no drift over a 50-year run's last twenty years
    beyond what the delivery record explains (sim/study/settling.py)."""
    return [
        Check(
            f"trust-settles-{slug(name)}",
            target="within ±0.05",
            seeds=20,
            setups={"x": Preset(name, contrast={"years": SETTLING_YEARS})},
            measure=lambda runs: drift_stat(runs["x"]),
            words="trust-settles",
            fields={"preset": name},
        )
        for name in list_scenarios()
    ]
