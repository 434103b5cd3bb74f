"""The municipality (gemeente): a Mesa agent with local interests, trust, a budget and a council."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim import rules
from sim.accounts import Account

if TYPE_CHECKING:
    from sim.config import MunicipalitySpec, Theme
    from sim.model import RegionModel
    from sim.project import Membership, Project


JUDGEMENT_RATE = 0.2
BELIEFS_KEPT = 64  # groups whose mean trust a municipality keeps at a time


class Municipality(mesa.Agent):
    """One municipality, as its executive (college) acting under its council (raad).

    State: a regional account (sim.accounts), salience per theme, autonomy preference of the
    council, official capacity, energy, legitimacy (council satisfaction), felt grip and visible
    results, a contribution type (conditional cooperator, free rider, ...), and directed trust
    toward every other municipality: its row of the model's trust matrix (``trust_row``).
    """

    model: RegionModel

    def __init__(self, model: RegionModel, spec: MunicipalitySpec, index: int, kind: str) -> None:
        super().__init__(model)
        self.index = index
        self.name = spec.name
        self.population = spec.population
        annual_room = spec.population * spec.regional_room_per_inhabitant / 1e6  # MEUR
        self.account = Account(annual_room=annual_room, room_year=annual_room)
        self.autonomy = spec.autonomy
        self.capacity_hours = spec.capacity_hours
        # Salience as a list in the model's theme order: indexing beats a dict in the hot path.
        self.salience = [spec.salience.get(t.name, 0.5) for t in model.themes]
        self.irrelevance = [1.0 - s for s in self.salience]
        self.kind = kind
        b = model.behaviour
        self.energy = 1.0
        self._recovery = b.energy_recovery  # read once: the hot path is monthly
        self._legitimacy_rate = b.legitimacy_rate
        self.legitimacy = b.initial_legitimacy
        self.grip = b.initial_legitimacy
        self.results = b.initial_legitimacy
        self.irrelevant_hours = 0.0  # this month's hours at tables of little local salience
        self.trust_row = None  # trust in each other, by index: its row of model.trust
        self.trust_total = 0.0  # sum of trust in all others, kept by set_trust for a fast mean
        self._beliefs: dict[int, tuple[list, int, float]] = {}  # group -> mean trust in it
        # Totals for the per-municipality output table.
        self.due_total = 0.0
        self.grip_sum = 0.0  # for the run's mean felt grip
        self.benefit_total = 0.0
        self.exited: dict[str, int] = {}  # theme -> month of exit

    def trust_of(self, other: int) -> float:
        """Trust in another municipality, by its index."""
        return self.trust_row.item(other)

    def set_trust(self, other: int, value: float) -> None:
        """Set trust in another municipality, by its index."""
        row = self.trust_row
        self.trust_total += value - row.item(other)
        row[other] = value
        self.forget_beliefs()
        self.model.trust_changed()

    def set_trusts(self, others: list[int], values: list[float]) -> None:
        """Set trust in several others at once (by index, each at most once), as `set_trust`
        one after the other would."""
        row = self.trust_row
        old = row.tolist()
        total = self.trust_total
        for j, v in zip(others, values, strict=True):
            total += v - old[j]
        self.trust_total = total
        row[others] = values
        self.forget_beliefs()
        self.model.trust_changed()

    def trust_in(self, others: list[Municipality]) -> float:
        """Mean trust in the other members of a group: the belief that they will deliver.

        Kept per group (a table's seats, a project's members) until this municipality's trust
        changes or the group grows, since the same groups are asked about month after month.
        """
        n_region = len(self.trust_row)
        if len(others) == n_region:  # the whole region: the kept total serves
            return self.trust_total / (n_region - 1)
        kept = self._beliefs.get(id(others))
        if kept is not None and kept[0] is others and kept[1] == len(others):
            return kept[2]
        total = 0.0
        n = 0
        trust = self.trust_row.tolist()
        for o in others:
            if o is not self:
                total += trust[o.index]
                n += 1
        belief = total / n if n else 1.0
        self.keep_belief(others, belief)
        return belief

    def knows_belief(self, group: list[Municipality]) -> bool:
        kept = self._beliefs.get(id(group))
        return kept is not None and kept[0] is group and kept[1] == len(group)

    def keep_belief(self, group: list[Municipality], belief: float) -> None:
        """Keep the mean trust in a group (holding the group, so that its id is not reused)."""
        if len(self._beliefs) >= BELIEFS_KEPT:
            self._beliefs.clear()
        self._beliefs[id(group)] = (group, len(group), belief)

    def forget_beliefs(self) -> None:
        """Trust changed: what was kept about groups no longer holds."""
        if self._beliefs:
            self._beliefs.clear()

    def vote_utility(
        self, promised_ratio: float, yearly_cost: float, theme: Theme, others: list[Municipality]
    ) -> float:
        """What supporting a proposal is worth to this municipality (rules.vote_yes_utility)."""
        return rules.vote_yes_utility(
            promised_ratio,
            self.trust_in(others),
            rules.budget_stress(self.account.committed + yearly_cost, self.account.room_year),
            rules.council_pressure(self.autonomy, self.legitimacy),
            theme.external_pressure,
            self.model.vote_weights,
        )

    def votes_yes(
        self, promised_ratio: float, yearly_cost: float, theme: Theme, others: list[Municipality]
    ) -> bool:
        """Support or oppose a proposal at the table."""
        u = self.vote_utility(promised_ratio, yearly_cost, theme, others)
        return self.random.random() < rules.logistic(u / self.model.choice_noise)

    def joins_late(self, ratio: float, theme: Theme) -> bool:
        """Buy into a running project that delivers: its benefit per euro, fee included, against
        budget stress and the council's pressure (the network model's late entry, Common Eye
        2024)."""
        u = rules.vote_yes_utility(
            ratio,
            0.5,  # the project's record speaks, not trust: neutral
            rules.budget_stress(self.account.committed, self.account.room_year),
            rules.council_pressure(self.autonomy, self.legitimacy),
            theme.external_pressure,
            self.model.vote_weights,
        )
        return self.random.random() < rules.logistic(u / self.model.choice_noise)

    def judge(self, results: float | None = None, grip: float | None = None) -> None:
        """The council takes in one experience: a result it can see, or the say it had.

        Each moves its running judgement 20% of the way (ASSUMPTION: about the last five
        experiences count); legitimacy follows both monthly (end_month).
        """
        if results is not None:
            self.results += JUDGEMENT_RATE * (results - self.results)
        if grip is not None:
            self.grip += JUDGEMENT_RATE * (grip - self.grip)

    def pays(self, project: Project, ms: Membership, amount: float) -> bool:
        """Pay a pledged instalment, or withhold it (see rules.delivery_log_odds)."""
        account = self.account
        if amount > account.room:  # no budget goes negative: what is not there cannot be paid
            return False
        model = self.model
        odds = rules.delivery_log_odds(
            ms.chose,
            rules.willingness(
                self.kind, self.trust_in(project.member_municipalities), model.cc_slope
            ),
            ms.benefit_ratio,
            rules.budget_stress(account.committed, account.room_year),
            rules.council_pressure(self.autonomy, self.legitimacy),
            project.deterrence,
            self.energy,
            model.delivery_weights,
            model.choice_noise,
        )
        return self.random.random() < rules.logistic(odds)

    def end_month(self) -> None:
        """Recover energy, let the council judge grip and results, reset the month's hours."""
        self.energy = rules.energy_after(
            self.energy, self.irrelevant_hours / self.capacity_hours, self._recovery
        )
        self.legitimacy = rules.legitimacy_after(
            self.legitimacy, self.grip, self.results, self._legitimacy_rate
        )
        self.irrelevant_hours = 0.0
        self.grip_sum += self.grip
