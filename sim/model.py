"""The Mesa model: the region's municipalities cooperating at tables and in coalitions.

One step is one month. The model orchestrates the phases of a month; the agents decide, by the
rules in sim/rules.py, under the governance arrangement in force for each theme (sim/config.py).
"""

from __future__ import annotations

import math

import mesa
import networkx as nx

from agents.municipality import Municipality
from sim import rules
from sim.config import Scenario, load_themes
from sim.metrics import Recorder
from sim.project import Project
from sim.region import region_for

REFERENCE_POPULATION = 295_000  # Drechtsteden; theme project costs are for a region this size
ELECTION_MONTH = 2  # March (month index within the year)
RANDOM_SHOCK = (0.2, 24)  # cut and duration of a random budget shock; ASSUMPTION (2019 cuts, 001)


class RegionModel(mesa.Model):
    """Municipalities of a region cooperating under per-theme governance arrangements.

    Args:
        scenario: the validated scenario (sim.config.load_scenario).
        seed: one integer that fixes the run: Mesa's generators, the synthetic region and every
            random draw of the agents.
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.seed = seed
        self.config = scenario  # Mesa keeps its own `scenario` attribute
        self.behaviour = b = scenario.behaviour
        themes = load_themes()
        self.arrangements = scenario.resolved_arrangements()
        self.theme_names = list(self.arrangements)
        self.themes = [themes[t] for t in self.theme_names]
        self.choice_noise = b.choice_noise
        self.vote_weights = (
            b.weight_benefit,
            b.weight_norm,
            b.weight_stress,
            b.weight_council,
            b.weight_pressure,
        )
        self.delivery_weights = (
            b.weight_pledge,
            b.weight_norm,
            b.weight_benefit,
            b.weight_stress,
            b.weight_council,
            b.weight_deterrence,
            b.weight_energy,
        )

        self.region = region_for(scenario.region, seed)
        kinds = list(b.type_shares)
        cum = []
        acc = 0.0
        for k in kinds:
            acc += b.type_shares[k]
            cum.append(acc)
        self._kinds, self._kind_cum = kinds, cum
        self.municipalities: list[Municipality] = [
            Municipality(self, spec, i, self._draw_kind())
            for i, spec in enumerate(self.region.municipalities)
        ]
        names = [m.name for m in self.municipalities]
        self.centre = self.municipalities[names.index(self.region.centre)]
        self.population = sum(m.population for m in self.municipalities)
        self.network = self._build_network()
        self._seated: dict[str, list[Municipality]] = {}

        self.projects: list[Project] = []  # active
        self.queue: list[list[int]] = [[] for _ in self.themes]  # months proposals arrived
        self._next_pid = 0
        self._cut = 0.0
        self._cut_until = -1
        self.allocated_total = 0.0  # every euro ever put into regional rooms (conservation check)
        self.progress = 0.0
        self.exits = 0
        self.proposed = 0
        self.adopted = 0
        self.completed = 0
        self.recorder = Recorder(self)

    # --- set-up -----------------------------------------------------------------------------

    def _draw_kind(self) -> str:
        u = self.random.random()
        for kind, c in zip(self._kinds, self._kind_cum, strict=True):
            if u < c:
                return kind
        return self._kinds[-1]

    def _build_network(self) -> nx.DiGraph:
        """Municipalities, tables and (later) coalitions, with membership and trust edges.

        Membership edges run municipality -> table/coalition (attribute `mode`); trust edges run
        municipality -> municipality (attribute `trust`, directed). Each agent's `trust` dict
        holds the attribute dicts of its outgoing trust edges, so the graph is the one store.
        """
        g = nx.DiGraph()
        region = self.region
        for m in self.municipalities:
            g.add_node(m.index, kind="municipality", name=m.name, population=m.population)
        for m in self.municipalities:
            for o in self.municipalities:
                if o is m:
                    continue
                centre_pair = self.centre in (m, o)
                t = region.initial_trust_centre if centre_pair else region.initial_trust
                g.add_edge(m.index, o.index, kind="trust", trust=t)
            m.trust = {o: g[m.index][o] for o in g.successors(m.index)}
            m.trust_total = sum(e["trust"] for e in m.trust.values())
        for name in self.theme_names:
            g.add_node(("table", name), kind="table", theme=name)
            for m in self.municipalities:
                g.add_edge(m.index, ("table", name), kind="member", mode="seated")
        return g

    def table_members(self, theme: str) -> list[Municipality]:
        """Municipalities seated at a theme's table, read from the network.

        Cached because seats change only when a municipality leaves (`_leave` clears it).
        """
        members = self._seated.get(theme)
        if members is None:
            pred = self.network._pred[("table", theme)]
            members = self._seated[theme] = [m for m in self.municipalities if m.index in pred]
        return members

    # --- the month --------------------------------------------------------------------------

    def step(self) -> None:
        month = self.steps - 1
        self.recorder.begin_month()
        if month % 12 == 0:
            self._new_budget_year(month)
        self._budget_shocks(month)
        if month % 12 == ELECTION_MONTH and (self.config.start_year + month // 12) % 4 == 2:
            self._elections(month)
        self._agenda(month)
        self._tables_meet(month)
        self._instalments(month)
        # Within a phase every decision is simultaneous (all decide on the same information,
        # consequences follow after), so agent order cannot matter and no shuffle is needed.
        for m in self.municipalities:
            m.end_month()
        self.recorder.record(month)

    def _new_budget_year(self, month: int) -> None:
        """A new budget year: unspent room lapses to the general budget; new room is granted."""
        for m in self.municipalities:
            m.reserve += m.room
            m.room = 0.0
            grant = m.annual_room * (1.0 - self._cut_in_force(month))
            m.room = m.room_year = grant
            self.allocated_total += grant

    def _cut_in_force(self, month: int) -> float:
        return self._cut if month < self._cut_until else 0.0

    def _budget_shocks(self, month: int) -> None:
        """Exogenous budget shocks: scheduled ones from the scenario, random ones by chance.

        A cut takes its share of the remaining room back to the general budget at once and
        lowers the next grants while it lasts (2019 cuts, Corona deficits; 001).
        """
        cut = 0.0
        months = 0
        for s in self.config.shocks:
            if s.month == month:
                cut, months = s.cut, s.months
        p = self.config.shock_probability
        if p > 0.0 and self.random.random() < p / 12.0:
            cut, months = RANDOM_SHOCK
        if cut > 0.0:
            self._cut = max(cut, self._cut_in_force(month))
            self._cut_until = month + months
            for m in self.municipalities:
                taken = m.room * cut
                m.room -= taken
                m.reserve += taken
                m.room_year = m.annual_room * (1.0 - self._cut)

    def _elections(self, month: int) -> None:
        """Council elections every four years (2022, 2026, 2030): a new course may follow.

        Executives change with some probability (their contribution type is redrawn); a council
        with low legitimacy takes its municipality out of arrangements that allow it.
        """
        b = self.behaviour
        for m in self.municipalities:
            for t, arrangement in self.arrangements.items():
                if t in m.exited:
                    continue
                fee = arrangement.exit_fee_years * m.annual_room / len(self.arrangements)
                if rules.leaves(
                    m.legitimacy, b.exit_legitimacy, fee, m.room, arrangement.exit_allowed
                ):
                    self._leave(m, t, fee, month)
            if self.random.random() < b.executive_turnover:
                m.kind = self._draw_kind()
            m.legitimacy = 0.5 * (m.legitimacy + b.initial_legitimacy)

    def _leave(self, m: Municipality, theme: str, fee: float, month: int) -> None:
        """A municipality leaves a theme: it stops sitting, paying and benefiting; pays its fee."""
        m.exited[theme] = month
        self.exits += 1
        self.network.remove_edge(m.index, ("table", theme))
        self._seated.pop(theme, None)
        for p in self.projects:
            if p.theme_name == theme and m in p.members:
                i = p.members.index(m)
                p.active[i] = False
                m.committed -= p.annual_cost(i)
                self.network.remove_edge(m.index, p.node)
        stay = [o for o in self.table_members(theme)]
        if fee > 0.0 and stay:
            m.transfer(fee)
            pop = sum(o.population for o in stay)
            for o in stay:
                o.room += fee * o.population / pop

    def _agenda(self, month: int) -> None:
        """The regional agenda brings proposals to each theme's table (a Poisson stream)."""
        rnd = self.random.random
        for k, theme in enumerate(self.themes):
            if rnd() < theme.proposals_per_year / 12.0:
                self.queue[k].append(month)
                self.proposed += 1

    def _tables_meet(self, month: int) -> None:
        """Tables that are due meet: members spend hours, queued proposals are decided."""
        rec = self.recorder
        for k, name in enumerate(self.theme_names):
            arrangement = self.arrangements[name]
            if month % arrangement.meeting_interval_months:
                continue
            members = self.table_members(name)
            if not members:
                self.queue[k].clear()
                continue
            hours = arrangement.meeting_hours
            # Hours on an agenda that matters little locally drain energy ("energielek", 002).
            for m in members:
                m.irrelevant_hours += hours * m.irrelevance[k]
            rec.meeting_hours += hours * len(members)
            for _ in self.queue[k]:
                self._decide(k, members, month)
            self.queue[k].clear()

    def _decide(self, k: int, members: list[Municipality], month: int) -> None:
        """A proposal is put to the table, voted on under the arrangement's rule, and staffed."""
        theme = self.themes[k]
        arrangement = self.arrangements[self.theme_names[k]]
        rnd = self.random
        scale = self.population / REFERENCE_POPULATION
        cost = theme.project_cost * scale * math.exp(rnd.gauss(0.0, self.behaviour.cost_noise))
        pops = [m.population for m in members]
        host = members[_weighted_index(pops, rnd.random())]
        shares, benefits, ratios = self._terms(k, members, cost, host)
        yearly = 12.0 / theme.project_months
        votes = [
            m.votes_yes(ratios[i] / theme.concreteness, cost * shares[i] * yearly, theme, members)
            for i, m in enumerate(members)
        ]
        weights = pops if arrangement.vote_weight == "population" else [1.0] * len(members)
        if not rules.adopted(votes, weights, arrangement.approval_threshold, arrangement.veto):
            return
        if arrangement.participation == "opt_in":
            members = [m for m, v in zip(members, votes, strict=True) if v]
            if len(members) < 2:
                return
            votes = [True] * len(members)
            shares, benefits, ratios = self._terms(k, members, cost, host)
        self._form_coalition(
            Project(
                pid=self._next_pid,
                theme_name=self.theme_names[k],
                theme_index=k,
                theme=theme,
                arrangement=arrangement,
                members=members,
                cost=cost,
                value=cost * theme.value_ratio,
                start=month,
                instalments=max(1, theme.project_months // self.behaviour.instalment_months),
                cost_share=shares,
                benefit_share=benefits,
                benefit_ratio=ratios,
                voted_yes=votes,
            )
        )

    def _terms(
        self, k: int, members: list[Municipality], cost: float, host: Municipality
    ) -> tuple[list[float], list[float], list[float]]:
        """A proposal's terms for its participants: cost shares, value shares, benefit per euro.

        If the host is not among the participants, the distributive part of the value lands
        outside the coalition.
        """
        theme = self.themes[k]
        pops = [m.population for m in members]
        shares = rules.cost_shares(pops, self.arrangements[self.theme_names[k]].cost_allocation)
        host_index = members.index(host) if host in members else None
        benefits = rules.benefit_shares(pops, theme.public_share, host_index)
        value = cost * theme.value_ratio
        ratios = [
            rules.perceived_benefit(value * benefits[i], m.salience[k], theme.concreteness)
            / (cost * shares[i])
            for i, m in enumerate(members)
        ]
        return shares, benefits, ratios

    def _form_coalition(self, project: Project) -> None:
        """Adopted: the coalition becomes a node of the network; members' grip is judged."""
        self._next_pid += 1
        self.adopted += 1
        self.projects.append(project)
        node = project.node
        self.network.add_node(node, kind="coalition", theme=project.theme_name)
        for i, (m, yes) in enumerate(zip(project.members, project.voted_yes, strict=True)):
            self.network.add_edge(m.index, node, kind="member", mode="full")
            m.committed += project.annual_cost(i)
            # Felt grip: was this obligation one the municipality said yes to? (input legitimacy)
            m.grip += 0.2 * ((1.0 if yes else 0.0) - m.grip)

    def _instalments(self, month: int) -> None:
        """Instalments fall due: members pay or withhold; monitoring may catch a defection.

        Members decide simultaneously on what they know at the start of the month; detections
        and their consequences follow once all have decided.
        """
        every = self.behaviour.instalment_months
        rec = self.recorder
        rnd = self.random.random
        finished = []
        for p in self.projects:
            if (month - p.start) % every:
                continue
            a = p.arrangement
            value_ratio = p.theme.value_ratio
            k = p.theme_index
            amounts = [p.instalment(i) if p.active[i] else 0.0 for i in range(len(p.members))]
            decisions = [
                amount > 0.0 and m.pays(p, i, amount)
                for i, (m, amount) in enumerate(zip(p.members, amounts, strict=True))
            ]
            for i, m in enumerate(p.members):
                amount = amounts[i]
                if amount == 0.0:
                    continue
                paid = decisions[i]
                p.due[i] += amount
                m.due_total += amount
                rec.due += amount
                rec.due_by_theme[k] += amount
                if not paid:
                    rec.defections += 1
                    if a.monitoring > 0.0 and rnd() < a.monitoring:
                        rec.detected += 1
                        p.detected[i] = True
                        # Escalation (first level of the steering room): with probability
                        # `sanction` the defector pays after all, if it can.
                        paid = rnd() < a.sanction and amount <= m.room
                if paid:
                    m.transfer(amount)
                    p.paid[i] += amount
                    m.paid_total += amount
                    p.spent += amount
                    rec.paid += amount
                    rec.paid_by_theme[k] += amount
                    self.progress += amount * value_ratio
            p.instalments_done += 1
            if p.instalments_done >= p.instalments:
                finished.append(p)
        for p in finished:
            self._close(p)

    def _close(self, p: Project) -> None:
        """A project ends: value lands, trust moves with the shared experience, results show."""
        b = self.behaviour
        self.projects.remove(p)
        self.network.remove_node(p.node)
        self.completed += 1
        completion = p.completion
        success = completion >= b.visible_result
        visible = success and self.random.random() < p.theme.concreteness
        members = [m for m, a in zip(p.members, p.active, strict=True) if a]
        # What each member is seen to have delivered: its own record where the arrangement
        # monitors delivery (attributed), otherwise only the project's overall result.
        monitoring = p.arrangement.monitoring
        rnd = self.random.random
        seen = {
            m.index: (p.paid[i] / p.due[i] if p.due[i] > 0 else 1.0)
            if monitoring > 0.0 and rnd() < monitoring
            else completion
            for i, m in enumerate(p.members)
            if p.active[i]
        }
        rec = self.recorder
        rec.trust_changed = True
        for i, m in enumerate(p.members):
            if not p.active[i]:
                continue  # a leaver stops benefiting
            m.committed -= p.annual_cost(i)
            benefit = p.value * p.benefit_share[i] * completion
            m.benefit_total += benefit
            rec.benefit += benefit
            unpaid = 1.0 - p.paid[i] / p.due[i] if p.due[i] > 0 else 0.0
            rec.benefit_unpaid += benefit * unpaid
            # Output legitimacy: visible results benefiting the municipality (Bijlage 4, 001).
            m.results += 0.2 * ((1.0 if visible else 0.0) - m.results)
            # Shared experience: a partner seen to keep its agreement earns trust (a small win),
            # one seen to fall short loses it, faster (the asymmetry principle).
            for o in members:
                if o is m:
                    continue
                t = m.trust[o.index]["trust"]
                kept = seen[o.index]
                if kept >= b.visible_result:
                    m.set_trust(o.index, rules.trust_gain(t, b.trust_gain))
                else:
                    m.set_trust(o.index, rules.trust_loss(t, b.trust_loss * (1.0 - kept)))

    # --- running ----------------------------------------------------------------------------

    def run(self) -> RegionModel:
        """Run the scenario's horizon, month by month."""
        for _ in range(self.config.months):
            self.step()
        return self

    def money_accounted(self) -> float:
        """Money in rooms, reserves and projects; equals `allocated_total` (conservation)."""
        held = sum(m.room + m.reserve for m in self.municipalities)
        return held + sum(m.paid_total for m in self.municipalities)


def _weighted_index(weights: list[int] | list[float], u: float) -> int:
    """Index drawn with probability proportional to its weight, given a uniform `u` in [0, 1)."""
    x = u * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1
