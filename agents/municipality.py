"""The municipality (gemeente): a Mesa agent with local interests, trust, a budget and a council."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.model import rules
from sim.model.accounts import Account

if TYPE_CHECKING:
    from sim.model.config import MunicipalitySpec, Theme
    from sim.model.model import RegionModel
    from sim.model.project import Membership, Project
    from sim.model.schema import Behaviour


JUDGEMENT_RATE = 0.2


class Municipality(mesa.Agent):
    """One municipality, as its executive (college) acting under its council (raad).

    State: a regional account (sim.model.accounts), salience per theme, autonomy preference of the
    council, official capacity, energy, legitimacy (council satisfaction), felt grip and visible
    results, ownership per theme, a contribution type (conditional cooperator, free rider, ...).
    Its directed trust in every other municipality is its row of the model's `trust`
    (sim/model/trust.py, the one owner of trust), read and changed through the methods below.
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
        self.adopt_behaviour(b)
        self.legitimacy = b.initial_legitimacy
        self.grip = b.initial_legitimacy
        self.results = b.initial_legitimacy
        self.irrelevant_hours = 0.0  # this month's hours at tables of little local salience
        # Totals for the per-municipality output table.
        self.due_total = 0.0
        self.grip_sum = 0.0  # for the run's mean felt grip
        self.benefit_total = 0.0
        self.exited: dict[str, int] = {}  # theme -> month of exit
        # How much it feels owner of each theme (docs/ODD.md, 7.13), in the model's theme order.
        self.ownership = [model.config.culture.initial_ownership] * len(model.themes)

    def adopt_behaviour(self, b: Behaviour) -> None:
        """The behavioural rates it reads each month, read once: the monthly path is hot."""
        self._recovery = b.energy_recovery
        self._legitimacy_rate = b.legitimacy_rate

    def trust_of(self, other: int) -> float:
        """Trust in another municipality, by its index."""
        return self.model.trust.of(self.index, other)

    @property
    def trust_total(self) -> float:
        """The sum of its trust in all others."""
        return self.model.trust.total(self.index)

    def set_trust(self, other: int, value: float) -> None:
        """Set trust in another municipality, by its index."""
        self.model.trust.set(self.index, other, value)

    def set_trusts(self, others: list[int], values: list[float]) -> None:
        """Set trust in several others at once (by index, each at most once)."""
        self.model.trust.set_many(self.index, others, values)

    def vote_utility(
        self, promised_ratio: float, yearly_cost: float, theme: Theme, others: list[Municipality]
    ) -> float:
        """What supporting a proposal is worth to this municipality (rules.vote_yes_utility)."""
        return rules.vote_yes_utility(
            promised_ratio,
            self.model.trust.belief(self.index, others),  # that the others will deliver
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
        """Pay a pledged instalment, or withhold it (see rules.delivery_log_odds): a pledge
        counts only if it was meant (rules.insincere_chance); ownership of the theme and an
        honest conversation still in effect add to the odds. A shortfall it could not help
        (no room, or obligations beyond the year's room) is one it can explain at a forum."""
        account = self.account
        stress = rules.budget_stress(account.committed, account.room_year)
        if amount > account.room:  # no budget goes negative: what is not there cannot be paid
            ms.excused = True
            return False
        model = self.model
        noise = model.choice_noise
        odds = rules.delivery_log_odds(
            ms.chose and ms.sincere,
            rules.willingness(
                self.kind,
                model.trust.belief(self.index, project.member_municipalities),
                model.cc_slope,
            ),
            ms.benefit_ratio,
            stress,
            rules.council_pressure(self.autonomy, self.legitimacy),
            project.deterrence,
            self.energy,
            model.delivery_weights,
            noise,
        )
        owner = rules.owner_utility(self.ownership[project.theme.index], model.weight_ownership)
        paid = self.random.random() < rules.logistic(odds + owner / noise + model.talk)
        if not paid and stress >= 1.0:
            ms.excused = True
        return paid

    def experiences(self, theme: int, experience: float) -> None:
        """One experience of a theme moves its ownership (rules.ownership_after)."""
        own = self.ownership
        own[theme] = rules.ownership_after(own[theme], experience, self.model.ownership_rate)

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
