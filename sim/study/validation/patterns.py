"""The checks of the seven patterns the model claims (docs/ODD.md section 1), one function per
pattern; their words are in the catalogues (`[validate.check.*]`).

Each check reads as a row: key, pattern, target, seeds, the set-ups by role ("a" and "b" are
compared seed by seed, "x" is a single set-up) and the measure.
"""

from __future__ import annotations

import dataclasses
import math

from sim.model.config import load_region_spec
from sim.study.validation.check import Check, Label
from sim.study.validation.measures import (
    T_MIN,
    Measure,
    Record,
    Statistic,
    differences_stat,
    each,
    every_seed,
    municipality_money,
    others,
    pooled,
    pooled_ratio_stat,
    same,
    share_kept,
    summary,
    theme_money,
    window_commitment,
    withheld,
)
from sim.study.validation.runs import Runs
from sim.study.validation.setups import (
    CONSENSUS,
    MULTIPLE_LOCAL,
    NETWORK,
    ONE_SIZE,
    PROVIDER,
    PURE,
    Preset,
    Variant,
    every_theme,
    has_transition,
)

ML = Label(MULTIPLE_LOCAL)
SIX_MONTHLY = {"meeting_interval_months": 6}
STEERING = {"meeting_interval_months": 6, "monitoring": 0.8, "sanction": 0.5}
PER_HOUR = summary("progress_per_meeting_hour")
HOURS = summary("meeting_hours")


def smallest(count: int = 3) -> list[str]:
    """The `count` smallest municipalities of the region, by population."""
    by_size = sorted(load_region_spec().municipalities, key=lambda m: m.population)
    return [m.name for m in by_size[:count]]


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _commitment_change(r: Record) -> float:
    """Commitment (paid / due) in the last three years minus in the first three."""
    return window_commitment(r, slice(-36, None)) - window_commitment(r, slice(0, 36))


def pattern_1() -> list[Check]:
    """Multiple-local has the most meeting load, the least progress per hour, and its
    commitment decays."""
    out = [
        Check(
            "p1-decay",
            pattern=1,
            target="< 0",
            seeds=300,
            setups={"x": Variant()},
            measure=each(_commitment_change, -1),
            fields={"ml": ML},
        )
    ]
    for suffix, rules in (("6m", SIX_MONTHLY), ("6m-steering", STEERING)):
        roles = {"a": Variant(), "b": Variant(rules=rules)}
        out += [
            Check(
                f"p1-load-{suffix}",
                pattern=1,
                target="< 0",
                seeds=200,
                setups=roles,
                measure=same(HOURS, -1),
                fields={"ml": ML},
            ),
            Check(
                f"p1-per-hour-{suffix}",
                pattern=1,
                target="> 0",
                seeds=200,
                setups=roles,
                measure=same(PER_HOUR, 1),
                fields={"ml": ML},
            ),
        ]
    return out + [c for a in PURE if a != MULTIPLE_LOCAL for c in _pattern_1_against(a)]


def _pattern_1_against(other: str) -> list[Check]:
    """Pattern 1 against another pure arrangement: six themes, no transition."""
    ml, alt = every_theme(MULTIPLE_LOCAL), every_theme(other)
    fields = {"ml": ML, "other": Label(other)}
    return [
        Check(
            f"p1-load-vs-{other}",
            pattern=1,
            target="> 0",
            seeds=150,
            setups={"a": alt, "b": ml},
            measure=same(HOURS, 1),
            words="p1-load-vs",
            fields=fields,
        ),
        Check(
            f"p1-per-hour-vs-{other}",
            pattern=1,
            target="> 0",
            seeds=150,
            setups={"a": ml, "b": alt},
            measure=same(PER_HOUR, 1),
            words="p1-per-hour-vs",
            fields=fields,
        ),
    ]


def _mobility_over_housing(runs: Runs) -> Statistic:
    return _pooled_difference(runs, 0.05)


def _mobility_over_housing_pooled(runs: Runs) -> Statistic:
    """Paid / due for mobility minus for housing, each pooled over every seed's runs, so a seed
    without projects in one of the themes still counts (per-seed pairs kept 5 to 8 seeds of
    200 under multiple-local, which adopts about six projects in ten years); the claim holds
    with t above T_MIN."""
    stat = _pooled_difference(runs, 0.0)
    return dataclasses.replace(stat, passed=stat.t > T_MIN)


def _pooled_difference(runs: Runs, margin: float) -> Statistic:
    x = runs["x"]
    housing, mobility = theme_money("housing"), theme_money("mobility")
    return pooled_ratio_stat([housing(r) for r in x], [mobility(r) for r in x], 1, margin)


def pattern_2() -> list[Check]:
    """Concrete projects with local benefit (mobility) gather more commitment than distributive
    themes (housing)."""
    out = [
        Check(
            "p2-mobility-housing",
            pattern=2,
            target="> 0",
            seeds=200,
            setups={"x": Variant()},
            measure=_mobility_over_housing_pooled,
            fields={"ml": ML},
            gap=True,  # docs/CALIBRATION.md, "Gaps": right direction, too weak under multiple-local
        )
    ]
    out += [
        Check(
            f"p2-mobility-housing-{a}",
            pattern=2,
            target="> 0.05",
            seeds=150,
            setups={"x": every_theme(a)},
            measure=_mobility_over_housing,
            words="p2-mobility-housing-under",
            fields={"arrangement": Label(a)},
        )
        for a in PURE
    ]
    return out


def pattern_3() -> list[Check]:
    """A larger own cost share lowers delivery: equal shares instead of shares per inhabitant
    raise the small municipalities' share and lower the centre's."""
    roles = {
        "a": Variant(named=True),
        "b": Variant(rules={"cost_allocation": "equal"}, named=True),
    }
    moves = [*((name, -1) for name in smallest()), (load_region_spec().centre, 1)]
    return [
        Check(
            f"p3-cost-share-{slug(name)}",
            pattern=3,
            target="< -0.03" if direction < 0 else "> 0.03",
            seeds=200,
            setups=roles,
            measure=pooled(municipality_money(name), direction, 0.03),
            words="p3-cost-share-up" if direction < 0 else "p3-cost-share-down",
            fields={"municipality": name, "ml": ML},
        )
        for name, direction in moves
    ]


def _transition_cost(runs: Runs, arrangement: str, seed: int) -> float:
    return float(runs[arrangement][seed]["summary"]["transition_cost"])


def _dearest(moving: list[str]) -> Measure:
    """The provider's transition cost minus the dearest other's, in every seed."""

    def measure(runs: Runs) -> Statistic:
        d = [
            _transition_cost(runs, PROVIDER, i)
            - max(_transition_cost(runs, a, i) for a in moving if a != PROVIDER)
            for i in range(len(runs[PROVIDER]))
        ]
        return differences_stat(d, 1, every_seed=True)

    return measure


def _lowest(moving: list[str]) -> Measure:
    """The cheapest other transition minus the consensus arrangement's, in every seed."""

    def measure(runs: Runs) -> Statistic:
        d = [
            min(_transition_cost(runs, a, i) for a in moving if a != CONSENSUS)
            - _transition_cost(runs, CONSENSUS, i)
            for i in range(len(runs[CONSENSUS]))
        ]
        return differences_stat(d, 1, every_seed=True)

    return measure


def _early_dip(runs: Runs) -> Statistic:
    """Service quality at month 60 minus month 0 where it is back at 1 by month 60 and at the
    end; otherwise how far from 1 it is then (negative)."""
    d = []
    for r in runs["x"]:
        q = r["series"]["service_quality"]
        if len(q) <= 60:  # a horizon under five years cannot show the recovery
            d.append(math.nan)
            continue
        back = q[60] == q[-1] == 1.0
        d.append(float(q[60] - q[0]) if back else -abs(q[60] - 1.0) - abs(q[-1] - 1.0))
    return differences_stat(d, 1, every_seed=True)


def _moving() -> list[str]:
    """The pure arrangements whose preset moves from the GRD (a transition)."""
    return [a for a in PURE if has_transition(a)]


def pattern_4() -> list[Check]:
    """The service municipality has the dearest transition and an early dip, its efficiency
    gain shrinks with tailoring, and its clients feel less control."""
    moving = _moving()
    provider = Label(PROVIDER)
    return [
        Check(
            "p4-dearest-transition",
            pattern=4,
            target="> 0 (every seed)",
            seeds=1,
            setups={a: Preset(a) for a in moving},
            measure=_dearest(moving),
            fields={"provider": provider, "moving": tuple(Label(a) for a in moving)},
        ),
        Check(
            "p4-early-dip",
            pattern=4,
            target="> 0 (every seed)",
            seeds=5,
            setups={"x": Preset(PROVIDER)},
            measure=_early_dip,
            fields={"provider": provider},
        ),
        Check(
            "p4-tailoring-efficiency",
            pattern=4,
            target="< 0 (every seed)",
            seeds=30,
            setups={"a": Preset(PROVIDER), "b": Preset(PROVIDER, tweak="autonomy+0.3")},
            measure=every_seed(summary("service_efficiency_gain"), -1),
            fields={"provider": provider},
        ),
        Check(
            "p4-clients-grip",
            pattern=4,
            target="< 0",
            seeds=60,
            setups={"a": Preset(CONSENSUS), "b": Preset(PROVIDER)},
            measure=same(others("grip_mean"), -1),
            fields={"provider": provider, "consensus": Label(CONSENSUS)},
        ),
    ]


# "Most": more than half of the GRD's efficiency gain. The GRD's management expects the classic
# GR to keep its cost advantages "nagenoeg" (nearly) the same (Choice memo annexes 2020,
# Bijlage 5), without a number; issue 20 reads that as "most". ASSUMPTION, taken from the
# words, not from a result.
KEPT_EFFICIENCY = 0.5


def pattern_5() -> list[Check]:
    """The classic GR has the lowest transition impact, consensus slows decisions as interests
    diverge, and it keeps most of the GRD's shared-execution efficiency."""
    moving = _moving()
    consensus = Label(CONSENSUS)
    return [
        Check(
            "p5-lowest-transition",
            pattern=5,
            target="> 0 (every seed)",
            seeds=1,
            setups={a: Preset(a) for a in moving},
            measure=_lowest(moving),
            fields={"consensus": consensus, "moving": tuple(Label(a) for a in moving)},
        ),
        Check(
            "p5-consensus-diverging",
            pattern=5,
            target="< 0",
            seeds=200,
            setups={
                "a": every_theme(CONSENSUS, salience_spread=0.0),
                "b": every_theme(CONSENSUS, salience_spread=2.0),
            },
            measure=same(summary("adopted"), -1),
            fields={"consensus": consensus},
        ),
        Check(
            "p5-keeps-efficiency",
            pattern=5,
            target=f"> {KEPT_EFFICIENCY} (every seed)",
            seeds=60,
            setups={"a": Preset(ONE_SIZE), "b": Preset(CONSENSUS)},
            measure=share_kept(summary("service_efficiency_gain"), KEPT_EFFICIENCY),
            fields={"consensus": consensus, "one_size": Label(ONE_SIZE)},
        ),
    ]


P6 = (  # key, outcome, the claimed direction
    ("p6-coalition-size", "coalition_size_mean", -1),
    ("p6-meeting-hours", "meeting_hours", -1),
    ("p6-commitment", "commitment", 1),
    ("p6-progress", "progress", 1),
)


def pattern_6() -> list[Check]:
    """The network model beats multiple-local in the spatial-economic domain."""
    return [
        Check(
            key,
            pattern=6,
            target="< 0" if direction < 0 else "> 0",
            seeds=150,
            setups={"a": Variant(MULTIPLE_LOCAL), "b": Variant(NETWORK)},
            measure=same(summary(outcome_key), direction),
            fields={"network_model": Label(NETWORK), "ml": ML},
        )
        for key, outcome_key, direction in P6
    ]


def pattern_7() -> list[Check]:
    """A budget shock raises free-riding in every arrangement."""
    shock = [{"month": 24, "cut": 0.5, "months": 48}]
    return [
        Check(
            f"p7-{a}",
            pattern=7,
            target="> 0",
            seeds=700 if a == CONSENSUS else 300,  # few projects under unanimity: more seeds
            setups={"a": every_theme(a), "b": every_theme(a, shocks=shock)},
            measure=same(withheld(slice(24, 72)), 1),
            words="p7",
            fields={"arrangement": Label(a)},
        )
        for a in PURE
    ]


def pattern_checks() -> list[Check]:
    """The checks of patterns 1 to 7, in order."""
    return [
        *pattern_1(),
        *pattern_2(),
        *pattern_3(),
        *pattern_4(),
        *pattern_5(),
        *pattern_6(),
        *pattern_7(),
    ]
