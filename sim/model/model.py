"""The Mesa model: the region's municipalities cooperating at tables and in coalitions.

One step is one month. `RegionModel.step` runs the phases of a month in the order of the ODD's
process overview (docs/ODD.md, section 3); each phase lives in a module of its own under
sim/model/phases/, the agents decide by the rules in sim/model/rules.py, under the arrangement in
force for each theme. Nothing here reads an arrangement's name: only its rules.
"""

from __future__ import annotations

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from agents.municipality import Municipality
from sim.model.accounts import Ledger
from sim.model.collector import RecorderData
from sim.model.config import ConfigError, Scenario, load_scenario, scenario_from_dict
from sim.model.network import build_network
from sim.model.parties import Parties
from sim.model.phases import budget, coalitions, politics, relations, tables
from sim.model.project import Project, ThemeInForce
from sim.model.recorder import Recorder
from sim.model.region import region_for, spread_salience
from sim.model.rules import DeliveryWeights, VoteWeights
from sim.model.schema import Arrangement, Behaviour
from sim.model.services import SharedService
from sim.model.transition import Transition, transition
from sim.model.trust import Trust


def themes_in_force(scenario: Scenario) -> tuple[list[ThemeInForce], dict[str, Arrangement]]:
    """The themes in force and the arrangements before the start, as the scenario fixes them."""
    characters = scenario.characters()
    themes = [
        ThemeInForce(name, k, characters[name], arrangement)
        for k, (name, arrangement) in enumerate(scenario.resolved_arrangements().items())
    ]
    return themes, scenario.previous_arrangements()


DEFAULT_SCENARIO = "multiple-local-status-quo"


def with_overrides(scenario: Scenario | str, overrides: dict[str, object]) -> Scenario:
    """`scenario` (a Scenario, or a preset's name or a file's path) with `overrides` applied:
    each a top-level key of the scenario or a key of its behaviour or culture table
    (ConfigError otherwise, naming the key)."""
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="json", exclude_none=True)
    for key, value in overrides.items():
        if key in Scenario.model_fields and key not in ("behaviour", "culture", "name"):
            data[key] = value
        elif key in type(scenario.behaviour).model_fields:
            data.setdefault("behaviour", {})[key] = value
        elif key in type(scenario.culture).model_fields:
            data.setdefault("culture", {})[key] = value
        else:
            raise ConfigError(
                f"RegionModel: {key!r} is neither a scenario key nor a behaviour or culture "
                "parameter (samenspel rules lists them)"
            )
    return scenario_from_dict(data, source=f"{scenario.name} with {sorted(overrides)}")


def vote_weights(b: Behaviour) -> VoteWeights:
    """How a municipality weighs a proposal at the table, from the behaviour parameters."""
    return VoteWeights(
        benefit=b.weight_benefit,
        norm=b.weight_norm,
        stress=b.weight_stress,
        council=b.weight_council,
        pressure=b.weight_pressure,
    )


def delivery_weights(b: Behaviour) -> DeliveryWeights:
    """How a municipality weighs paying a pledged instalment, from the behaviour parameters."""
    return DeliveryWeights(
        pledge=b.weight_pledge,
        norm=b.weight_norm,
        benefit=b.weight_benefit,
        stress=b.weight_stress,
        council=b.weight_council,
        deterrence=b.weight_deterrence,
        energy=b.weight_energy,
    )


class RegionModel(mesa.Model):
    """Municipalities of a region cooperating under per-theme governance arrangements.

    Args:
        scenario: a samenspel scenario (sim.model.config.load_scenario), or a preset's name or a
            scenario file's path.
        seed: one integer that fixes the run. Mesa's generators take it as it is; a synthetic
            region draws from a stream spawned from it (sim.model.region), so no stream repeats
            another. None (as `mesa.batch_run` passes without `rng`) draws one, kept in
            `model.seed` so the run can be repeated.
        **overrides: keys of the scenario's top level (`years`, `salience_spread`, ...) or of
            its `[behaviour]` table (`trust_loss`, ...), each a value: what `mesa.batch_run`'s
            parameters vary.

    Mesa's contract: `step()` is one month; `running` turns False at the scenario's horizon, so
    `run_model()` and `mesa.batch_run` stop there; `datacollector` reads the recorder (sim/
    collector.py). samenspel's scenario is `model.config`; `model.scenario` is Mesa's own record
    of the run (its seed and the scenario's name).

    Example:
        >>> from sim import RegionModel
        >>> model = RegionModel("network-2024", seed=7, years=2, trust_loss=0.3)
        >>> model.step()  # one month
        >>> model.run_model()  # the rest, to the horizon
        >>> model.running, model.steps, model.config.years
        (False, 24, 2)
        >>> frame = model.datacollector.get_model_vars_dataframe()  # one row per month
        >>> len(frame), "commitment_cum" in frame.columns
        (24, True)
    """

    def __init__(
        self, scenario: Scenario | str = DEFAULT_SCENARIO, seed: int | None = 0, **overrides: object
    ) -> None:
        scenario = with_overrides(scenario, overrides)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
        super().__init__(rng=seed, scenario=MesaScenario(rng=seed, name=scenario.name))
        self.seed = seed
        self.config = scenario
        self.horizon = scenario.months  # months; `running` turns False after the last
        self.themes, previous = themes_in_force(scenario)
        self._weigh(scenario.behaviour)
        self.last_conversation: int | None = None  # month of the last honest conversation
        self.talk_share = 0.0  # how much of it still holds this month (phases/relations.py)
        self.talk = 0.0  # its log-odds on delivery this month
        self._populate(scenario, seed)
        self._institute(scenario, previous)

    def adopt_behaviour(self, b: Behaviour) -> None:
        """From now on, behave by `b`: the model's weights and rates and each municipality's
        (a change of rules mid-run, sim/model/amend.py)."""
        self._weigh(b)
        for m in self.municipalities:
            m.adopt_behaviour(b)

    def _weigh(self, b: Behaviour) -> None:
        """The behavioural parameters, and the weights and rates worked out from them once."""
        self.behaviour = b
        self.choice_noise = b.choice_noise
        self.cc_slope = b.conditional_slope
        self.vote_weights = vote_weights(b)
        self.delivery_weights = delivery_weights(b)
        self.weight_ownership = b.weight_ownership
        self.ownership_rate = b.ownership_rate

    def _populate(self, scenario: Scenario, seed: int) -> None:
        """The region: its municipalities (each executive's type drawn), their interests, the
        network of tables, trust, and party groups where a regional council votes by them."""
        self.region = region_for(scenario.region, seed, scenario.initial_trust)
        self.municipalities = [
            Municipality(self, spec, i, self.draw_kind())
            for i, spec in enumerate(self.region.municipalities)
        ]
        spread_salience(self.municipalities, len(self.themes), scenario.salience_spread)
        self.centre = next(m for m in self.municipalities if m.name == self.region.centre)
        self.population = sum(m.population for m in self.municipalities)
        self.network = build_network(self.municipalities, self.centre, self.themes)
        self.trust = Trust.initial(
            len(self.municipalities), self.centre.index, self.region, scenario.culture
        )
        self._seated: dict[int, list[Municipality]] = {}
        self.parties = (
            Parties(len(self.municipalities), self.random)
            if any(t.arrangement.decision == "party_lines" for t in self.themes)
            else None
        )

    def _institute(self, scenario: Scenario, previous: dict[str, Arrangement]) -> None:
        """What the arrangements set up: shared services, the common funds, the recorder, each
        theme's transition from its previous arrangement, the meeting bodies and the calendar
        of elections."""
        self.services = [SharedService(t) for t in self.themes if t.has_service]
        self.projects: list[Project] = []  # running
        self.ledger = Ledger()
        self.cut = 0.0  # the budget cut in force, until `cut_until`
        self.cut_until = -1
        self.service_quality = 1.0
        self.recorder = Recorder(self)
        self.datacollector = RecorderData(self)
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
        if month >= self.horizon:
            raise RuntimeError(
                f"{self.config.name} ends after {self.horizon} months (its horizon); "
                "`running` is False: step while it is True, or use run_model()"
            )
        self.recorder.begin_month()
        if month % 12 == 0:
            budget.new_budget_year(self, month)  # grants, dues, chairs, services
        budget.budget_shocks(self, month)
        if month in self.election_months:
            politics.elections(self, month)  # exits, new executives, new party shares
        relations.relations(self, month)  # honest conversation, forum on the cooperation
        tables.agenda(self, month)  # proposals arrive
        tables.meet(self, month)  # bodies meet and decide; coalitions form and meet
        coalitions.instalments(self, month)  # pay or withhold; late entry; projects close
        # Within a phase every decision is simultaneous (all decide on the same information,
        # consequences follow after), so agent order cannot matter and no shuffle is needed.
        for m in self.municipalities:
            m.end_month()
        self.recorder.record(month)
        self.running = self.steps < self.horizon

    def run(self) -> RegionModel:
        """Run the scenario's horizon, month by month (Mesa's run_model), and return the model."""
        self.run_model()
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
