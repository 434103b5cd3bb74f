"""The Mesa model: the region's municipalities cooperating at tables and in coalitions.

One step is one month. The model orchestrates the phases of a month; the agents decide, by the
rules in sim/rules.py, under the governance arrangement in force for each theme (sim/config.py).
Nothing here reads an arrangement's name: only its rules.
"""

from __future__ import annotations

import math

import mesa
import networkx as nx

from agents.municipality import Municipality
from sim import rules
from sim.config import Arrangement, Scenario, load_themes
from sim.metrics import Recorder
from sim.parties import Parties
from sim.project import Project
from sim.region import region_for
from sim.services import SharedService
from sim.transition import Transition, transition

REFERENCE_POPULATION = 295_000  # Drechtsteden; theme project costs are for a region this size
ELECTION_MONTH = 2  # March (month index within the year)
RANDOM_SHOCK = (0.2, 24)  # cut and duration of a random budget shock; ASSUMPTION (2019 cuts, 001)
SETTER_HOST_BIAS = 0.5  # ASSUMPTION: chance the agenda setter places a project's local part at home


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
        self.rules = [self.arrangements[t] for t in self.theme_names]  # by theme index
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
        self._kinds = list(b.type_shares)
        self._kind_cum = []
        acc = 0.0
        for k in self._kinds:
            acc += b.type_shares[k]
            self._kind_cum.append(acc)
        self.municipalities: list[Municipality] = [
            Municipality(self, spec, i, self._draw_kind())
            for i, spec in enumerate(self.region.municipalities)
        ]
        self._spread_salience(scenario.salience_spread)
        names = [m.name for m in self.municipalities]
        self.centre = self.municipalities[names.index(self.region.centre)]
        self.population = sum(m.population for m in self.municipalities)
        self.network = self._build_network()
        self._seated: dict[str, list[Municipality]] = {}
        self.parties = (
            Parties(len(self.municipalities), self.random)
            if any(a.decision == "party_lines" for a in self.rules)
            else None
        )
        self.services = [
            SharedService(k, t, self.rules[k])
            for k, t in enumerate(self.themes)
            if t.service_cost_per_inhabitant > 0
        ]

        self.projects: list[Project] = []  # active
        self.queue: list[list[tuple[int, int]]] = [[] for _ in self.themes]  # (month, rounds)
        self._next_pid = 0
        self._cut = 0.0
        self._cut_until = -1
        self.chair: Municipality | None = None
        self.allocated_total = 0.0  # every euro ever put into regional rooms (conservation check)
        self.upkeep_spent = 0.0
        self.base_fund = 0.0  # regional base fund for projects (MEUR)
        self.base_fund_granted = 0.0
        self.progress = 0.0
        self.exits = 0
        self.late_entries = 0
        self.proposed = 0
        self.adopted = 0
        self.completed = 0
        self.decision_lags: list[int] = []
        self.renegotiations = 0
        self.transitions = self._transitions()
        self.bodies = self._meeting_bodies()
        self.service_quality = 1.0
        self.transition_cost = sum(t.cost for t in self.transitions)
        self.recorder = Recorder(self)

    # --- set-up -----------------------------------------------------------------------------

    def _draw_kind(self) -> str:
        u = self.random.random()
        for kind, c in zip(self._kinds, self._kind_cum, strict=True):
            if u < c:
                return kind
        return self._kinds[-1]

    def _spread_salience(self, spread: float) -> None:
        """Scale each municipality's salience away from the regional mean (interest divergence)."""
        if spread == 1.0:
            return
        n = len(self.municipalities)
        for k in range(len(self.themes)):
            mean = sum(m.salience[k] for m in self.municipalities) / n
            for m in self.municipalities:
                m.salience[k] = min(1.0, max(0.0, mean + spread * (m.salience[k] - mean)))
                m.irrelevance[k] = 1.0 - m.salience[k]

    def _build_network(self) -> nx.DiGraph:
        """Municipalities, tables and (later) coalitions, with membership and trust edges.

        Membership edges run municipality -> table/coalition (attribute `mode`); trust edges run
        municipality -> municipality (attribute `trust`, directed). Each agent's `trust` dict
        holds the attribute dicts of its outgoing trust edges, so the graph is the one store.
        """
        g = nx.DiGraph()
        region = self.region
        munis = self.municipalities
        g.add_nodes_from(
            (m.index, {"kind": "municipality", "name": m.name, "population": m.population})
            for m in munis
        )
        g.add_edges_from(
            (
                m.index,
                o.index,
                {
                    "kind": "trust",
                    "trust": region.initial_trust_centre
                    if self.centre in (m, o)
                    else region.initial_trust,
                },
            )
            for m in munis
            for o in munis
            if o is not m
        )
        for m in munis:
            m.trust = dict(g._succ[m.index])  # the edges' own attribute dicts
            m.trust_total = sum(e["trust"] for e in m.trust.values())
        for name, a in self.arrangements.items():
            g.add_node(("table", name), kind="table", theme=name)
            g.add_edges_from(
                (
                    m.index,
                    ("table", name),
                    {
                        "kind": "member",
                        "mode": "client"
                        if a.seating == "bilateral" and m is not self.centre
                        else "seated",
                    },
                )
                for m in munis
            )
        return g

    def _transitions(self) -> list[Transition]:
        """The transition each theme makes from its previous arrangement (one-off, at start)."""
        before = self.config.previous_arrangements()
        out = []
        for k, name in enumerate(self.theme_names):
            theme = self.themes[k]
            service = theme.service_cost_per_inhabitant * self.population / 1e6
            out.append(
                transition(
                    before[name],
                    self.rules[k],
                    theme.service_cost_per_inhabitant > 0,
                    self.population,
                    service,
                    len(self.municipalities),
                )
            )
        return out

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
        """A new budget year: rooms are granted, fixed regional dues paid, services costed."""
        for m in self.municipalities:
            m.reserve += m.room
            m.room = 0.0
            grant = m.annual_room * (1.0 - self._cut_in_force(month))
            m.room = grant
            self.allocated_total += grant
        self._yearly_dues()
        for m in self.municipalities:  # what is left for projects is the year's room
            m.room_year = m.room
        year = month // 12
        self._rotate_chair(year)
        qualities = []
        for service in self.services:
            k = service.theme_index
            t = self.transitions[k]
            quality = 1.0 - (t.dip * max(0.0, 1.0 - month / t.months) if t.months else 0.0)
            qualities.append(quality)
            seated = self.table_members(self.theme_names[k])
            result = service.year(year, seated, self.municipalities, self.centre, quality)
            self.recorder.service(result)
        if qualities:
            self.service_quality = sum(qualities) / len(qualities)

    def _yearly_dues(self) -> None:
        """Network upkeep and the base fund: fixed budget lines, paid before any project.

        The network model's funding components (002): upkeep and a base fund from all members;
        under multiple-local the programme sits in the centre's line and the centre pays it.
        """
        for k, a in enumerate(self.rules):
            seated = self.table_members(self.theme_names[k])
            if not seated:
                continue
            pop = sum(m.population for m in seated)
            if a.upkeep_per_inhabitant > 0:
                total = a.upkeep_per_inhabitant * pop / 1e6
                payers = seated if a.upkeep_payer == "all" else [self.centre]
                payers = [m for m in payers if m in seated]
                payer_pop = sum(m.population for m in payers)
                for m in payers:
                    due = min(m.room, total * m.population / payer_pop)
                    m.transfer(due)
                    m.paid_dues += due
                    self.upkeep_spent += due
            if a.base_funding_per_inhabitant > 0:
                for m in seated:
                    due = min(m.room, a.base_funding_per_inhabitant * m.population / 1e6)
                    m.transfer(due)
                    m.paid_dues += due
                    self.base_fund += due

    def _rotate_chair(self, year: int) -> None:
        """A chair rotating yearly among those eligible (never the centre where the rule says)."""
        if not any(a.agenda_setter == "rotating_chair" for a in self.rules):
            return
        excl = any(a.chair_excludes_centre for a in self.rules)
        eligible = [m for m in self.municipalities if not (excl and m is self.centre)]
        self.chair = eligible[year % len(eligible)]

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
                m.room_year *= 1.0 - cut

    def _elections(self, month: int) -> None:
        """Council elections every four years (2022, 2026, 2030): a new course may follow.

        A council with low legitimacy takes its municipality out of arrangements that allow it;
        executives change with some probability (their contribution type is redrawn); party
        shares and stances change.
        """
        b = self.behaviour
        leaving = []  # decided on the rooms at the start of the phase, settled after
        for m in self.municipalities:
            for k, name in enumerate(self.theme_names):
                a = self.rules[k]
                new = self.transitions[k].months > 0  # a moratorium binds a new arrangement
                if name in m.exited or (new and month < 12 * a.exit_moratorium_years):
                    continue
                fee = a.exit_fee_years * m.annual_room / len(self.rules)
                if rules.leaves(m.legitimacy, b.exit_legitimacy, fee, m.room, a.exit_allowed):
                    leaving.append((m, name, fee))
        for m, name, fee in leaving:
            self._leave(m, name, min(fee, m.room), month)
        for m in self.municipalities:
            if self.random.random() < b.executive_turnover:
                m.kind = self._draw_kind()
            m.legitimacy = 0.5 * (m.legitimacy + b.initial_legitimacy)
        if self.parties is not None:
            self.parties.elect(len(self.municipalities), self.random)

    def _leave(self, m: Municipality, theme: str, fee: float, month: int) -> None:
        """A municipality leaves a theme: it stops sitting, paying and benefiting; pays its fee."""
        m.exited[theme] = month
        self.exits += 1
        self.network.remove_edge(m.index, ("table", theme))
        self._seated.pop(theme, None)
        for p in self.projects:
            if p.theme_name == theme and m in p.members:
                i = p.members.index(m)
                if p.active[i]:
                    p.active[i] = False
                    m.committed -= p.annual_cost(i)
                    self.network.remove_edge(m.index, p.node)
        stay = self.table_members(theme)
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
                self.queue[k].append((month, 0))
                self.proposed += 1

    def _meeting_bodies(self) -> list[tuple[Arrangement, list[int], int]]:
        """Who meets together: a table per theme, or one body for all themes of an arrangement
        whose `table_scope` is shared (a regional council, a board, account meetings).

        Each body comes with the months its transition doubles its meetings.
        """
        bodies: dict[object, tuple[Arrangement, list[int]]] = {}
        for k, name in enumerate(self.theme_names):
            a = self.rules[k]
            # One body per distinct rule set (labels aside), never per name.
            rules_only = a.model_dump_json(exclude={"label", "label_nl", "description"})
            key = ("shared", rules_only) if a.table_scope == "shared" else name
            bodies.setdefault(key, (a, []))[1].append(k)
        return [(a, ks, max(self.transitions[k].months for k in ks)) for a, ks in bodies.values()]

    def _tables_meet(self, month: int) -> None:
        """Tables that are due meet, coalitions meet; queued proposals are decided."""
        rec = self.recorder
        for a, ks, transition_months in self.bodies:
            if month % a.meeting_interval_months:
                continue
            seats = [self.table_members(self.theme_names[k]) for k in ks]
            if len(ks) == 1:
                members = seats[0]
            else:
                members = [m for m in self.municipalities if any(m in s for s in seats)]
            if not members:
                for k in ks:
                    self.queue[k].clear()
                continue
            # Hours on an agenda that matters little locally drain energy ("energielek", 002).
            # A body for several themes has an agenda as relevant as their mean salience.
            hours = a.meeting_hours
            if month < transition_months:
                hours *= 2  # a transition doubles the meetings while it lasts
            if a.seating == "bilateral":  # account meetings: the provider meets each client
                clients = [m for m in members if m is not self.centre]
                for m in clients:
                    m.irrelevant_hours += hours * _mean_of(m.irrelevance, ks)
                if self.centre in members:
                    c = self.centre
                    c.irrelevant_hours += hours * len(clients) * _mean_of(c.irrelevance, ks)
                rec.meeting_hours += 2 * hours * len(clients)
            elif len(ks) == 1:
                k0 = ks[0]
                for m in members:
                    m.irrelevant_hours += hours * m.irrelevance[k0]
                rec.meeting_hours += hours * len(members)
            else:
                for m in members:
                    m.irrelevant_hours += hours * _mean_of(m.irrelevance, ks)
                rec.meeting_hours += hours * len(members)
            for k, seated in zip(ks, seats, strict=True):
                queue, self.queue[k] = self.queue[k], []
                if not seated:  # everyone left this theme: its proposals find no table
                    continue
                for arrived, rounds in queue:
                    self._decide(k, seated, month, arrived, rounds)
        for p in self.projects:  # coalitions of the willing meet on their own projects
            h = p.arrangement.coalition_meeting_hours
            if h > 0.0:
                k = p.theme_index
                for m, mode, act in zip(p.members, p.mode, p.active, strict=True):
                    if act and mode != "solidarity":
                        m.irrelevant_hours += h * m.irrelevance[k]
                        rec.meeting_hours += h

    # --- proposals --------------------------------------------------------------------------

    def _host(self, members: list[Municipality], a: Arrangement) -> Municipality:
        """Where a project's local part lands: by population, tilted toward the agenda setter.

        An agenda prepared in the centre's line favours the centre ("Dordrecht pushes, others
        hang", double loyalties, 002); a rotating chair spreads that advantage.
        """
        rnd = self.random.random
        setter = (
            self.centre
            if a.agenda_setter == "centre"
            else self.chair
            if a.agenda_setter == "rotating_chair"
            else None
        )
        if setter is not None and setter in members and rnd() < SETTER_HOST_BIAS:
            return setter
        return members[_weighted_index([m.population for m in members], rnd())]

    def _decide(
        self, k: int, members: list[Municipality], month: int, arrived: int, rounds: int
    ) -> None:
        """A proposal is put to the table, decided under the arrangement's rule, and staffed."""
        theme = self.themes[k]
        a = self.rules[k]
        rnd = self.random
        scale = self.population / REFERENCE_POPULATION
        cost = theme.project_cost * scale * math.exp(rnd.gauss(0.0, self.behaviour.cost_noise))
        host = self._host(members, a)
        shares, benefits, ratios = self._terms(k, members, cost, host)
        yearly = 12.0 / theme.project_months
        own = [
            m.votes_yes(ratios[i] / theme.concreteness, cost * shares[i] * yearly, theme, members)
            for i, m in enumerate(members)
        ]
        if a.decision == "provider":  # the provider decides what it offers
            ok = self.centre in members and own[members.index(self.centre)]
        elif a.decision == "party_lines":
            ok = self._party_vote(k, members, ratios, cost, shares, a)
        else:
            weights = (
                [m.population for m in members] if a.vote_weight == "population" else None
            ) or [1.0] * len(members)
            ok = rules.adopted(own, weights, a.approval_threshold, a.veto)
        if not ok:
            if rounds < a.renegotiation_rounds:  # back to the next meeting, renegotiated
                self.queue[k].append((arrived, rounds + 1))
                self.renegotiations += 1
            return
        if a.participation == "opt_in":
            formed = self._opt_in(k, members, cost, host, a)
            if formed is None:
                return
            seated_pop = sum(m.population for m in members)
            members, modes, own = formed
            cost *= sum(m.population for m in members) / seated_pop
            shares, benefits, ratios = self._terms(k, members, cost, host)
        else:
            modes = ["full"] * len(members)
        self.decision_lags.append(month - arrived)
        project = Project(
            pid=self._next_pid,
            theme_name=self.theme_names[k],
            theme_index=k,
            theme=theme,
            arrangement=a,
            members=list(members),
            cost=cost,
            value=cost * theme.value_ratio,
            start=month,
            instalments=max(1, theme.project_months // self.behaviour.instalment_months),
            cost_share=shares,
            benefit_share=benefits,
            benefit_ratio=ratios,
            voted_yes=own,
            mode=modes,
            host=host,
        )
        self._fund(project)
        self._form_coalition(project)

    def _party_vote(
        self,
        k: int,
        members: list[Municipality],
        ratios: list[float],
        cost: float,
        shares: list[float],
        a: Arrangement,
    ) -> bool:
        """A regional council decides: party groups weighted by their votes at the election."""
        parties = self.parties
        assert parties is not None
        theme = self.themes[k]
        rnd = self.random.random
        yes = total = 0.0
        for i, m in enumerate(members):
            u_local = m.vote_utility(
                ratios[i] / theme.concreteness,
                cost * shares[i] * 12.0 / theme.project_months,
                theme,
                members,
            )
            for share, stance in zip(parties.shares[m.index], parties.stance, strict=True):
                u = rules.party_group_utility(stance, u_local, a.party_discipline)
                w = m.population * share  # votes at the last municipal election
                total += w
                if rnd() < rules.logistic(u / self.choice_noise):
                    yes += w
        return total > 0 and yes / total >= a.approval_threshold

    def _opt_in(
        self, k: int, seated: list[Municipality], cost: float, host: Municipality, a: Arrangement
    ) -> tuple[list[Municipality], list[str], list[bool]] | None:
        """A coalition of the willing forms: each chooses a participation mode on the terms it
        would get with the others who are in, until nobody changes its mind (at most three
        rounds). None if fewer than two take full part (the provider counts as one)."""
        theme = self.themes[k]
        rnd = self.random.random
        provider = self.centre if a.decision == "provider" else None
        candidates = list(seated)
        modes: list[str] = []
        seated_pop = sum(m.population for m in seated)
        # Each keeps its own taste for the proposal through the rounds; only the terms change.
        taste = {m.index: rnd() for m in seated}
        for _ in range(3):
            # A coalition's project is scoped to its members: cost scales with their population.
            scoped = cost * sum(m.population for m in candidates) / seated_pop
            shares, _, ratios = self._terms(k, candidates, scoped, host)
            chosen, modes = [], []
            for i, m in enumerate(candidates):
                if m is provider:
                    chosen.append(m)
                    modes.append("full")
                    continue
                yearly = scoped * shares[i] * 12.0 / theme.project_months
                if not rules.fits_budget(m.committed, yearly, m.room_year):
                    continue
                u = m.vote_utility(ratios[i] / theme.concreteness, yearly, theme, candidates)
                time_cost = (
                    a.coalition_meeting_hours
                    * m.irrelevance[k]
                    * theme.project_months
                    / m.capacity_hours
                )
                u_full = u - self.behaviour.weight_energy * time_cost
                u_sol = (
                    u - self.behaviour.weight_council * m.autonomy
                    if "solidarity" in a.modes
                    else None
                )
                mode = rules.participation_mode(u_full, u_sol, self.choice_noise, taste[m.index])
                if mode != "none":
                    chosen.append(m)
                    modes.append(mode)
            if len(chosen) < 2 or chosen == candidates:
                candidates = chosen
                break
            candidates = chosen
        if sum(1 for md in modes if md == "full") < 2 or (provider and provider not in candidates):
            return None
        return candidates, modes, [True] * len(candidates)

    def _terms(
        self, k: int, members: list[Municipality], cost: float, host: Municipality
    ) -> tuple[list[float], list[float], list[float]]:
        """A proposal's terms for its participants: cost shares, value shares, benefit per euro.

        If the host is not among the participants, the distributive part of the value lands
        outside the coalition.
        """
        theme = self.themes[k]
        pops = [m.population for m in members]
        host_index = members.index(host) if host in members else None
        benefits = rules.benefit_shares(pops, theme.public_share, host_index)
        shares = rules.cost_shares(pops, self.rules[k].cost_allocation, benefits)
        value = cost * theme.value_ratio
        ratios = [
            rules.perceived_benefit(value * benefits[i], m.salience[k], theme.concreteness)
            / (cost * shares[i])
            for i, m in enumerate(members)
        ]
        return shares, benefits, ratios

    def _fund(self, p: Project) -> None:
        """The base fund covers its share of a new project while it has money (002)."""
        share = p.arrangement.base_funding_share
        if share > 0.0 and self.base_fund > 0.0:
            grant = min(self.base_fund, share * p.cost)
            self.base_fund -= grant
            self.base_fund_granted += grant
            p.spent += grant
            p.funded = grant
            self.progress += grant * p.theme.value_ratio

    def _form_coalition(self, project: Project) -> None:
        """Adopted: the coalition becomes a node of the network; members' grip is judged."""
        self._next_pid += 1
        self.adopted += 1
        self.projects.append(project)
        node = project.node
        self.network.add_node(node, kind="coalition", theme=project.theme_name)
        for i, (m, yes) in enumerate(zip(project.members, project.voted_yes, strict=True)):
            self.network.add_edge(m.index, node, kind="member", mode=project.mode[i])
            m.committed += project.annual_cost(i)
            # Felt grip: was this obligation one the municipality said yes to? (input legitimacy)
            m.judge(grip=1.0 if yes else 0.0)

    # --- delivery ---------------------------------------------------------------------------

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
            if "late_entry" in a.modes and p.instalments_done > 0:
                self._late_entries(p)
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
                        # Escalation (first level of the steering room): with probability
                        # `sanction` the defector pays after all, if it can.
                        paid = rnd() < a.sanction and amount <= m.room
                        rec.recovered += paid
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

    def _late_entries(self, p: Project) -> None:
        """Seated non-members may buy into a project that is on track, for an entry fee (002)."""
        b = self.behaviour
        k = p.theme_index
        delivered = p.spent - p.funded
        if not rules.on_track(delivered, sum(p.due), b.visible_result):
            return
        for m in self.table_members(p.theme_name):
            if m in p.members:
                continue
            pops = [o.population for o in p.members] + [m.population]
            share = m.population / sum(pops)
            fee = rules.late_entry_fee(share, delivered, p.arrangement.entry_fee)
            value = p.value * p.theme.public_share * share
            ratio = rules.perceived_benefit(value, m.salience[k], p.theme.concreteness) / (
                share * p.cost + fee
            )
            yearly = share * (p.cost - p.funded) * 12.0 / p.theme.project_months
            if (
                fee > m.room
                or not rules.fits_budget(m.committed, yearly, m.room_year)
                or not m.joins_late(ratio, p.theme)
            ):
                continue
            m.transfer(fee)  # to the active members, in proportion to what they paid
            active = [o for o, act in zip(p.members, p.active, strict=True) if act]
            total = sum(x for x, act in zip(p.paid, p.active, strict=True) if act)
            for o, x, act in zip(p.members, p.paid, p.active, strict=True):
                if act and total > 0:
                    o.room += fee * x / total
            for i, o in enumerate(p.members):  # obligations are re-split over one more member
                if p.active[i]:
                    o.committed -= p.annual_cost(i)
            # Terms over the active members and the entrant; a leaver keeps no share.
            terms = iter(zip(*self._terms(k, [*active, m], p.cost, p.host), strict=True))
            shares, benefits, ratios = [], [], []
            for act in [*p.active, True]:
                c, v, r = next(terms) if act else (0.0, 0.0, 0.0)
                shares.append(c)
                benefits.append(v)
                ratios.append(r)
            p.rebalance(m, "late", shares, benefits, ratios)
            for i, o in enumerate(p.members):
                if p.active[i]:
                    o.committed += p.annual_cost(i)
            self.network.add_edge(m.index, p.node, kind="member", mode="late")
            self.late_entries += 1

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
            m.judge(results=1.0 if visible else 0.0)
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
        rec.coalition_sizes.append(len(members))
        rec.binding.append(p.arrangement.participation == "all_members")

    # --- running ----------------------------------------------------------------------------

    def run(self) -> RegionModel:
        """Run the scenario's horizon, month by month."""
        for _ in range(self.config.months):
            self.step()
        return self

    def money_accounted(self) -> float:
        """Money in rooms and reserves, paid into projects, and paid as dues.

        Equals `allocated_total` (conservation); the dues in turn are upkeep spent, the base
        fund, and what the fund granted to projects.
        """
        return sum(m.room + m.reserve + m.paid_total + m.paid_dues for m in self.municipalities)


def _mean_of(values: list[float], indices: list[int]) -> float:
    return sum(values[i] for i in indices) / len(indices)


def _weighted_index(weights: list[int] | list[float], u: float) -> int:
    """Index drawn with probability proportional to its weight, given a uniform `u` in [0, 1)."""
    x = u * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1
