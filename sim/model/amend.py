"""A change of rules during a run: `amend(model, scenario)` lets a running `RegionModel` go on
from its next month under another scenario's arrangements, culture and behaviour.

What has happened stays: trust, images, accounts, exits, the projects under way and their
members, the queues at the tables and their chairs. What changes is what the model reads each
month from the rules: each theme's arrangement (read through `ThemeInForce`, by projects,
shared services and meeting bodies alike), the `[culture]` table and the behavioural
parameters (with the weights and rates worked out from them). A project already under way
keeps the terms it was adopted on (its members and shares) but is monitored and sanctioned by
the new rules from now on. A change of rules mid-run costs no transition (ASSUMPTION: the
workshop's "what if we had changed this rule then"; the one-off transition of a scenario is
charged at its start, sim/model/transition.py).

The region, the themes, the start and the horizon cannot change mid-run (ConfigError), nor can
who sits at a table (`seating`: the network was built from it). Nothing here reads an
arrangement's name. The model's random streams go on as they were, so the same seed and the
same change in the same month give the same run, bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.config import ConfigError, Scenario
from sim.model.model import themes_in_force
from sim.model.parties import Parties
from sim.model.phases import tables

if TYPE_CHECKING:
    from sim.model.model import RegionModel
    from sim.model.project import ThemeInForce

FIXED = ("region", "start_year", "years")
"""What a scenario fixes for the whole run (a change of any is refused mid-run)."""


def amend(model: RegionModel, scenario: Scenario) -> None:
    """From the model's next month on, `scenario`'s rules, culture and behaviour are in force.
    Raises ConfigError (and changes nothing) where `scenario` is not the same run."""
    themes, _ = themes_in_force(scenario)
    _check(model, scenario, themes)
    model.config = scenario
    model.adopt_behaviour(scenario.behaviour)
    _arrangements(model, themes)
    if model.parties is None and any(t.arrangement.decision == "party_lines" for t in themes):
        model.parties = Parties(len(model.municipalities), model.random)
    if model.trust.wounds is None and scenario.culture.forum_interval_months > 0:
        model.trust.wounds = {}  # a forum from now on hears the wounds from now on


def _check(model: RegionModel, scenario: Scenario, themes: list[ThemeInForce]) -> None:
    for key in FIXED:
        if getattr(scenario, key) != getattr(model.config, key):
            raise ConfigError(f"{key}: cannot change during a run (it is fixed at the start)")
    if [t.name for t in themes] != [t.name for t in model.themes]:
        raise ConfigError(
            "governance: the themes cannot change during a run "
            f"(they are {', '.join(t.name for t in model.themes)})"
        )
    for old, new in zip(model.themes, themes, strict=True):
        if old.arrangement.seating != new.arrangement.seating:
            raise ConfigError(
                f"governance.{old.name}: who sits at the table (seating) cannot change during a run"
            )


def _arrangements(model: RegionModel, themes: list[ThemeInForce]) -> None:
    """The themes in force with the new arrangements, wherever the model holds a theme; the
    meeting bodies regrouped by the new rules, each theme's queue and chair kept."""
    model.themes = themes
    for p in model.projects:
        p.theme = themes[p.theme.index]
        p.deterrence = p.theme.arrangement.monitoring * p.theme.arrangement.sanction
    for s in model.services:
        s.theme = themes[s.theme.index]
    old = model.body_of
    bodies = tables.meeting_bodies(themes, [t.months for t in model.transitions])
    for body in bodies:
        for t in body.themes:
            body.queues[t.index] = old[t.index].queues[t.index]
        body.chair = old[body.themes[0].index].chair
    model.bodies = bodies
    model.body_of = {t.index: body for body in bodies for t in body.themes}
