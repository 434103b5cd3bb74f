"""The checks of README's claims: the "things to notice" that no pattern covers, and what each
"thing to try" shows against the scenario it changes; their words are in the catalogues
(`[validate.check.*]`). `try_checks` is one declarative table of eight rows, a little longer than
a screen.
"""

from __future__ import annotations

import statistics

from sim.model.config import load_region_spec
from sim.study.validation.check import Check, Label
from sim.study.validation.measures import Record, among, each, every_seed, others, same, summary
from sim.study.validation.patterns import ML, PER_HOUR, smallest
from sim.study.validation.setups import CONSENSUS, PROVIDER, Preset, SetUp, Try, Variant

WHAT_IF, MIX = "dordrecht-service", "split-2022"  # presets (scenarios), not arrangements
STATUS_QUO = "multiple-local-status-quo"


def _trust_change(r: Record) -> float:
    return float(r["series"]["trust_mean"][-1] - r["series"]["trust_mean"][0])


def _energy_gap(small: list[str], centre: str):
    def gap(r: Record) -> float:
        e = {m["municipality"]: float(m["energy"]) for m in r["municipalities"]}
        return statistics.fmean(e[n] for n in small) - e[centre]

    return gap


def _first_minus_last_quality(r: Record) -> float:
    q = r["series"]["service_quality"]
    return float(q[:24].mean() - q[-24:].mean())


def notice_checks() -> list[Check]:
    """Claims of README's "Things to notice" that no pattern covers."""
    small, centre = smallest(), load_region_spec().centre
    provider = {"provider": Label(PROVIDER), "what_if": WHAT_IF, "mix": MIX}
    return [
        Check(
            "notice-trust-erodes",
            target="< 0",
            seeds=300,
            setups={"x": Variant()},
            measure=each(_trust_change, -1),
            fields={"ml": ML},
        ),
        Check(
            "notice-small-energy",
            target="< 0",
            seeds=200,
            setups={"x": Variant(named=True)},
            measure=each(_energy_gap(small, centre), -1),
            fields={"ml": ML, "small": ", ".join(small), "centre": centre},
        ),
        Check(
            "notice-dordrecht-service-transition",
            target="< 0 (every seed)",
            seeds=20,
            setups={"a": Preset(MIX), "b": Preset(WHAT_IF)},
            measure=every_seed(summary("transition_cost"), -1),
            fields=provider,
        ),
        Check(
            "notice-dordrecht-service-dip",
            target="< 0",
            seeds=200,
            setups={"x": Preset(WHAT_IF)},
            measure=each(_first_minus_last_quality, -1),
            fields=provider,
        ),
        Check(
            "notice-dordrecht-service-grip",
            target="< 0",
            seeds=200,
            setups={"a": Preset(MIX), "b": Preset(WHAT_IF)},
            measure=same(others("grip_mean"), -1),
            fields=provider,
        ),
    ]


def _tried(thing: str, base: str = STATUS_QUO) -> dict[str, SetUp]:
    """A thing to try (role "b") against the scenario it changes (role "a")."""
    return {"a": Preset(base), "b": Try(thing)}


def try_checks() -> list[Check]:
    """What each of README's "things to try" shows against the scenario it changes (its
    `replaces`), paired by seed, so the README can say what a student will see. Long on
    purpose: a declarative list, one entry per thing to try."""
    small = smallest()
    majority = _tried("classic-gr-majority", CONSENSUS)  # against every theme under a classic GR
    return [
        Check(
            "try-meet-twice-a-year-hours",
            target="< 0 (every seed)",
            seeds=20,
            setups=_tried("meet-twice-a-year"),
            measure=every_seed(summary("meeting_hours"), -1),
        ),
        Check(
            "try-meet-twice-a-year-progress",
            target="> 0",
            seeds=40,
            setups=_tried("meet-twice-a-year"),
            measure=same(PER_HOUR, 1),
        ),
        Check(
            "try-steering-room",
            target="> 0",
            seeds=40,
            setups=_tried("steering-room"),
            measure=same(summary("commitment"), 1),
        ),
        Check(
            "try-equal-shares",
            target="< 0",
            seeds=40,
            setups=_tried("equal-shares"),
            measure=same(among(small, "commitment"), -1),
            fields={"small": ", ".join(small)},
        ),
        Check(
            "try-budget-shock",
            target="< 0",
            seeds=100,
            setups=_tried("budget-shock"),
            measure=same(summary("progress"), -1),
        ),
        Check(
            "try-classic-gr-majority-adopted",
            target="> 0",
            seeds=20,
            setups=majority,
            measure=same(summary("adopted"), 1),
            fields={"base": CONSENSUS},
        ),
        Check(
            "try-classic-gr-majority-grip",
            target="< 0",
            seeds=20,
            setups=majority,
            measure=same(summary("grip_mean"), -1),
            fields={"base": CONSENSUS},
        ),
        Check(
            "try-forum-on-the-cooperation",
            target="> 0",
            seeds=100,  # few projects under the status quo, so few breaches to forgive
            setups=_tried("forum-on-the-cooperation"),
            measure=same(summary("trust_mean"), 1),
        ),
        Check(
            "try-fragile-trust",
            target="< 0",
            seeds=40,
            setups=_tried("fragile-trust"),
            measure=same(summary("progress"), -1),
        ),
    ]
