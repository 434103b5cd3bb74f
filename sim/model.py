"""The Mesa model: the region's municipalities cooperating at tables and in coalitions.

One step is one month. `RegionModel.step` runs the phases of a month in the order of the ODD's
process overview (docs/ODD.md, section 3); each phase lives in a module of its own under
sim/phases/, the agents decide by the rules in sim/rules.py, under the arrangement in force for
each theme. Nothing here reads an arrangement's name: only its rules.
"""

from __future__ import annotations

import mesa

from agents.municipality import Municipality
from sim.accounts import Ledger
from sim.config import Arrangement, Scenario
from sim.metrics import Recorder
from sim.network import build_network, build_trust
from sim.parties import Parties
from sim.phases import budget, coalitions, politics, tables
from sim.project import Project, ThemeInForce
from sim.region import region_for, spread_salience
from sim.rules import DeliveryWeights, VoteWeights
from sim.services import SharedService
from sim.transition import Transition, transition

_PLANS: dict[int, tuple[Scenario, list[ThemeInForce], dict[str, Arrangement]]] = {}
PLANS_KEPT = 32  # scenarios whose themes in force are kept (a sweep's batch shares a few)


def themes_in_force(scenario: Scenario) -> tuple[list[ThemeInForce], dict[str, Arrangement]]:
    """The themes in force and the arrangements before the start, as the scenario fixes them.

    Resolving them builds and validates rule sets, the same for every seed, so they are made once
    per scenario object and shared by its runs (they are frozen). Keyed by identity, holding the
    scenario, so that a key is never reused by another object.
    """
    kept = _PLANS.get(id(scenario))
    if kept is not None and kept[0] is scenario:
        return list(kept[1]), kept[2]
    characters = scenario.characters()
    themes = [
        ThemeInForce(name, k, characters[name], arrangement)
        for k, (name, arrangement) in enumerate(scenario.resolved_arrangements().items())
    ]
    previous = scenario.previous_arrangements()
    if len(_PLANS) >= PLANS_KEPT:
        _PLANS.clear()
    _PLANS[id(scenario)] = (scenario, themes, previous)
    return list(themes), previous


class RegionModel(mesa.Model):
    """Municipalities of a region cooperating under per-theme governance arrangements.

    Args:
        scenario: the validated scenario (sim.config.load_scenario).
        seed: one integer that fixes the run. Mesa's generators take it as it is; a synthetic
            region draws from a stream spawned from it (sim.region), so no stream repeats
            another.
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.seed = seed
        self.config = scenario  # Mesa keeps its own `scenario` attribute
        self.behaviour = b = scenario.behaviour
        self.themes, previous = themes_in_force(scenario)
        self.choice_noise = b.choice_noise
        self.cc_slope = b.conditional_slope
        self.vote_weights = VoteWeights(
            benefit=b.weight_benefit,
            norm=b.weight_norm,
            stress=b.weight_stress,
            council=b.weight_council,
            pressure=b.weight_pressure,
        )
        self.delivery_weights = DeliveryWeights(
            pledge=b.weight_pledge,
            norm=b.weight_norm,
            benefit=b.weight_benefit,
            stress=b.weight_stress,
            council=b.weight_council,
            deterrence=b.weight_deterrence,
            energy=b.weight_energy,
        )
        self.trust_epoch = 0  # counts changes of trust (sim.network.keep_beliefs reads it)
        self.beliefs_kept: dict[int, tuple] = {}  # large groups whose beliefs are kept
        self.region = region_for(scenario.region, seed, scenario.initial_trust)
        self.municipalities = [
            Municipality(self, spec, i, self.draw_kind())
            for i, spec in enumerate(self.region.municipalities)
        ]
        spread_salience(self.municipalities, len(self.themes), scenario.salience_spread)
        self.centre = next(m for m in self.municipalities if m.name == self.region.centre)
        self.population = sum(m.population for m in self.municipalities)
        self.network = build_network(self.municipalities, self.centre, self.themes)
        self.trust = build_trust(self.municipalities, self.centre, self.region)
        self._seated: dict[int, list[Municipality]] = {}
        self.parties = (
            Parties(len(self.municipalities), self.random)
            if any(t.arrangement.decision == "party_lines" for t in self.themes)
            else None
        )
        self.services = [SharedService(t) for t in self.themes if t.has_service]
        self.projects: list[Project] = []  # running
        self.ledger = Ledger()
        self.cut = 0.0  # the budget cut in force, until `cut_until`
        self.cut_until = -1
        self.service_quality = 1.0
        self.recorder = Recorder(self)
        self.transitions = [self._transition(t, previous[t.name]) for t in self.themes]
        self.transition_cost = sum(t.cost for t in self.transitions)
        self.bodies = tables.meeting_bodies(self.themes, [t.months for t in self.transitions])
        self.body_of = {t.index: body for body in self.bodies for t in body.themes}
        self.election_months = {
            month
            for month in range(scenario.months)
            if politics.election_due(scenario.start_year, month)
        }

    # --- the month (docs/ODD.md, section 3) -------------------------------------------------

    def step(self) -> None:
        month = self.steps - 1
        self.recorder.begin_month()
        if month % 12 == 0:
            budget.new_budget_year(self, month)  # grants, dues, chairs, services
        budget.budget_shocks(self, month)
        if month in self.election_months:
            politics.elections(self, month)  # exits, new executives, new party shares
        tables.agenda(self, month)  # proposals arrive
        tables.meet(self, month)  # bodies meet and decide; coalitions form and meet
        coalitions.instalments(self, month)  # pay or withhold; late entry; projects close
        # Within a phase every decision is simultaneous (all decide on the same information,
        # consequences follow after), so agent order cannot matter and no shuffle is needed.
        for m in self.municipalities:
            m.end_month()
        self.recorder.record(month)

    def run(self) -> RegionModel:
        """Run the scenario's horizon, month by month."""
        for _ in range(self.config.months):
            self.step()
        return self

    # --- what the phases ask of the region --------------------------------------------------

    def theme(self, name: str) -> ThemeInForce:
        """The theme in force called `name`."""
        for t in self.themes:
            if t.name == name:
                return t
        raise KeyError(name)

    def table_members(self, theme: ThemeInForce) -> list[Municipality]:
        """Municipalities seated at a theme's table, read from the network (cached: seats
        change only when a municipality leaves, which calls `seats_changed`)."""
        members = self._seated.get(theme.index)
        if members is None:
            seated = set(self.network.predecessors(theme.table))
            members = [m for m in self.municipalities if m.index in seated]
            self._seated[theme.index] = members
        return members

    def trust_changed(self) -> None:
        """Someone's trust changed: beliefs worked out for large groups are out of date."""
        self.trust_epoch += 1
        if self.beliefs_kept:
            self.beliefs_kept.clear()

    def seats_changed(self, theme: ThemeInForce) -> None:
        """A seat at `theme`'s table changed: forget what was cached about who sits where."""
        self._seated.pop(theme.index, None)
        self.body_of[theme.index].seats_changed()

    def draw_kind(self) -> str:
        """A contribution type drawn from the scenario's shares (an executive's disposition)."""
        u = self.random.random()
        acc = 0.0
        shares = self.behaviour.type_shares
        for kind, share in shares.items():
            acc += share
            if u < acc:
                return kind
        return list(shares)[-1]

    def cut_in_force(self, month: int) -> float:
        return self.cut if month < self.cut_until else 0.0

    def money_balanced(self) -> bool:
        """Conservation of money between municipalities, projects and the common funds."""
        return self.ledger.balanced(m.account for m in self.municipalities)

    # --- set-up -----------------------------------------------------------------------------

    def _transition(self, theme: ThemeInForce, before: Arrangement) -> Transition:
        """The transition a theme makes from its previous arrangement (one-off, at the start)."""
        service = theme.character.service_cost_per_inhabitant * self.population / 1e6
        t = transition(
            before,
            theme.arrangement,
            theme.has_service,
            self.population,
            service,
            len(self.municipalities),
        )
        if t.cost or t.months:
            self.recorder.event(0, "transition", theme=theme.name, value=t.cost)
        return t
