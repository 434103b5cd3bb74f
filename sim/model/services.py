"""Shared services: the execution organisations of themes such as the social domain.

Once a year each service theme is costed for every member under the arrangement in force: who
executes it (a joint body, the centre city, or each municipality alone), how much tailoring each
member wants and gets, and what scale economies remain. Members judge the service's fit and their
say over its policy; the risk of a member leaving falls on the owners or on the provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.model import rules

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.model.project import ThemeInForce

STRANDED_SHARE = 0.5  # ASSUMPTION: share of a leaver's former cost left behind (staff, contracts)
STRANDED_YEARS = 2  # ASSUMPTION: years before the organisation has shrunk to its new size


@dataclass
class ServiceYear:
    """What a service cost and delivered in one year (for the outputs)."""

    cost: float = 0.0  # MEUR, all members
    local_cost: float = 0.0  # MEUR, had every member run it alone (the benchmark for efficiency)
    fit: list[float] = field(default_factory=list)
    pooled: int = 0  # municipalities in the shared organisation


@dataclass(slots=True)
class Pool:
    """A service's shared organisation in one year: its members and those who decide (by
    index), its inhabitants, and the tailoring each municipality wants (by index), each member
    gets, and the pool gets on average (weighted by inhabitants)."""

    members: list[Municipality]
    ids: set[int]
    deciders: set[int]
    population: int
    demand: list[float]
    provided: dict[int, float]
    tailoring: float


@dataclass
class SharedService:
    """A theme's execution organisation and its members' accounts."""

    theme: ThemeInForce
    stranded: list[tuple[float, int]] = field(default_factory=list)  # (MEUR per year, until)
    pooled_before: set[int] = field(default_factory=set)

    def providers(self, members: list[Municipality], centre: Municipality) -> list[Municipality]:
        """Those who decide the organisation's policy and budget (owner vs client, Choice memo
        annexes 2020)."""
        rule = self.theme.arrangement.executor
        if rule == "joint":
            return members
        if rule == "centre":
            return [centre] if centre in members else []
        return []

    def year(
        self,
        year: int,
        seated: list[Municipality],
        everyone: list[Municipality],
        centre: Municipality,
        quality: float,
    ) -> ServiceYear:
        """Cost the service for every municipality; members judge fit and say; what leavers
        left behind falls on those who decide (docs/ODD.md, section 7.9)."""
        pool = self.pool(seated, everyone, centre)
        out = ServiceYear(pooled=len(pool.members))
        for m in everyone:
            self._serve(m, pool, quality, out)
        self._strand(year, everyone, pool)
        self._bear_stranded(pool, out)
        return out

    def pool(
        self, seated: list[Municipality], everyone: list[Municipality], centre: Municipality
    ) -> Pool:
        """Who is in the shared organisation this year and what tailoring each gets: the
        seated members, unless each runs it alone (executor local) or the centre, which would
        provide it, does not take part (no provider, no pool)."""
        a = self.theme.arrangement
        k = self.theme.index
        pooled = [] if a.executor == "local" else list(seated)
        if a.executor == "centre" and centre not in pooled:
            pooled = []
        demand = [rules.tailoring_demand(m.autonomy, m.salience[k]) for m in everyone]  # by index
        provided = {
            m.index: rules.tailoring_provided(demand[m.index], a.tailoring, a.tailoring_cap)
            for m in pooled
        }
        pool_pop = sum(m.population for m in pooled)
        tailoring = (
            sum(provided[m.index] * m.population for m in pooled) / pool_pop if pool_pop else 0.0
        )
        return Pool(
            pooled,
            {m.index for m in pooled},
            {m.index for m in self.providers(pooled, centre)},
            pool_pop,
            demand,
            provided,
            tailoring,
        )

    def _serve(self, m: Municipality, pool: Pool, quality: float, out: ServiceYear) -> None:
        """A municipality's year of the service: its cost (pooled, or alone at its own scale),
        and its council's judgement of quality, fit and say."""
        a = self.theme.arrangement
        t = self.theme.character
        base = t.service_cost_per_inhabitant
        scale, elasticity = t.efficient_scale, t.scale_elasticity
        local = base * rules.scale_factor(m.population, scale, elasticity)
        if m.index in pool.ids:
            provided = pool.provided[m.index]
            unit = rules.service_unit_cost(
                base,
                pool.population,
                m.population,
                scale,
                elasticity,
                pool.tailoring,
                provided,
                a.tailoring_price,
            )
            fit = rules.tailoring_fit(pool.demand[m.index], provided)
            say = 1.0 if m.index in pool.deciders else 0.0
        else:  # runs it alone: its own policy, at its own scale
            unit, fit, say = local, 1.0, 1.0
        cost = unit * m.population / 1e6
        m.account.service_cost += cost
        out.cost += cost
        out.local_cost += local * m.population / 1e6
        out.fit.append(fit)
        # Output legitimacy from the service's quality and fit; input legitimacy from a say over
        # its policy (an owner decides, a client only buys; Choice memo annexes 2020, Bijlage 2).
        m.judge(results=quality * fit, grip=0.5 * (say + fit))

    def _strand(self, year: int, everyone: list[Municipality], pool: Pool) -> None:
        """Members that left a pool leave stranded costs behind for a while (STRANDED_SHARE of
        their former cost for STRANDED_YEARS: staff, contracts); the costs that have run out
        are forgotten."""
        t = self.theme.character
        for m in everyone:
            if m.index in self.pooled_before and m.index not in pool.ids and pool.population:
                unit = t.service_cost_per_inhabitant * rules.scale_factor(
                    pool.population, t.efficient_scale, t.scale_elasticity
                )
                self.stranded.append(
                    (STRANDED_SHARE * unit * m.population / 1e6, year + STRANDED_YEARS)
                )
        self.pooled_before = pool.ids
        self.stranded = [(c, until) for c, until in self.stranded if until > year]

    def _bear_stranded(self, pool: Pool, out: ServiceYear) -> None:
        """Stranded costs are borne by those who decide, by inhabitants (the owners, or the
        provider: Dordrecht "bears the risk", Choice memo annexes 2020)."""
        bearers = [m for m in pool.members if m.index in pool.deciders] or pool.members
        bearer_pop = sum(m.population for m in bearers)
        for c, _ in self.stranded:
            for m in bearers:
                share = c * m.population / bearer_pop
                m.account.service_cost += share
                out.cost += share
