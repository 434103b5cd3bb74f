"""Phases 6-7 of a month: coalitions form, are funded, deliver or withhold, and close.

Who takes part in an adopted project is the arrangement's `participation` rule, looked up in
PARTICIPATION: a new rule is one function there plus its value in sim/model/schema.py's
`Arrangement.participation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from sim.model import rules
from sim.model.project import Membership, Project
from sim.model.trust import LARGE_GROUP

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.model.model import RegionModel
    from sim.model.phases.tables import Proposal
    from sim.model.project import ThemeInForce

OPT_IN_ROUNDS = 3  # ASSUMPTION: a coalition settles its membership in at most three rounds


@dataclass(slots=True)
class Terms:
    """A proposal's terms for its participants, aligned with them: cost shares, value shares,
    perceived local benefit per euro of own cost."""

    shares: list[float]
    benefits: list[float]
    ratios: list[float]


def terms(theme: ThemeInForce, members: list[Municipality], cost: float, host) -> Terms:
    """The terms each participant would get. If the host is not among them, the distributive
    part of the value lands outside the coalition."""
    character = theme.character
    k = theme.index
    pops = [m.population for m in members]
    host_index = members.index(host) if host in members else None
    benefits = rules.benefit_shares(pops, character.public_share, host_index)
    shares = rules.cost_shares(pops, theme.arrangement.cost_allocation, benefits)
    value = cost * character.value_ratio
    ratios = [
        rules.perceived_benefit(value * benefits[i], m.salience[k], character.concreteness)
        / (cost * shares[i])
        for i, m in enumerate(members)
    ]
    return Terms(shares, benefits, ratios)


@dataclass(slots=True)
class Coalition:
    """Who takes part in an adopted project, how, and on what terms."""

    members: list[Municipality]
    modes: list[str]
    chose: list[bool]
    cost: float
    terms: Terms


Participation = Callable[["RegionModel", "Proposal"], Coalition | None]


def all_members(model: RegionModel, p: Proposal) -> Coalition:
    """A binding decision: every table member takes part, whatever it voted
    (the GRD, the classic GR, multiple-local)."""
    return Coalition(list(p.seated), ["full"] * len(p.seated), p.votes, p.cost, p.terms)


def opt_in(model: RegionModel, p: Proposal) -> Coalition | None:
    """A coalition of the willing forms: each chooses a participation mode on the terms it would
    get with the others who are in, until nobody changes its mind (at most three rounds). None
    if fewer than two take full part (the provider counts as one) [Common Eye 2024]."""
    theme, a, seated, host = p.theme, p.theme.arrangement, p.seated, p.host
    character = theme.character
    k = theme.index
    rnd = model.random.random
    provider = model.centre if a.decision == "provider" else None
    b = model.behaviour
    months, concreteness = character.project_months, character.concreteness
    hours, noise = a.coalition_meeting_hours, model.choice_noise
    solidarity = "solidarity" in a.modes
    candidates = list(seated)
    modes: list[str] = []
    seated_pop = sum(m.population for m in seated)
    # Each keeps its own taste for the proposal through the rounds; only the terms change.
    taste = {m.index: rnd() for m in seated}
    for _ in range(OPT_IN_ROUNDS):
        model.trust.work_out(candidates)  # a large group's beliefs at once
        # A coalition's project is scoped to its members: cost scales with their population.
        scoped = p.cost * sum(m.population for m in candidates) / seated_pop
        t = terms(theme, candidates, scoped, host)
        chosen, modes = [], []
        for m, share, ratio in zip(candidates, t.shares, t.ratios, strict=True):
            if m is provider:
                chosen.append(m)
                modes.append("full")
                continue
            yearly = scoped * share * 12.0 / months
            account = m.account
            if not rules.fits_budget(account.committed, yearly, account.room_year):
                continue
            u = m.vote_utility(ratio / concreteness, yearly, character, candidates)
            time_cost = hours * m.irrelevance[k] * months / m.capacity_hours
            u_full = u - b.weight_energy * time_cost
            u_sol = u - b.weight_council * m.autonomy if solidarity else None
            mode = rules.participation_mode(u_full, u_sol, noise, taste[m.index])
            if mode != "none":
                chosen.append(m)
                modes.append(mode)
        if len(chosen) < 2 or chosen == candidates:
            candidates = chosen
            break
        candidates = chosen
    if sum(1 for md in modes if md == "full") < 2 or (provider and provider not in candidates):
        return None
    cost = p.cost * (sum(m.population for m in candidates) / seated_pop)
    return Coalition(
        candidates, modes, [True] * len(candidates), cost, terms(theme, candidates, cost, host)
    )


PARTICIPATION: dict[str, Participation] = {"all_members": all_members, "opt_in": opt_in}
"""Participation rules by the value of an arrangement's `participation` rule."""


def adopt(
    model: RegionModel,
    theme: ThemeInForce,
    c: Coalition,
    host: Municipality,
    month: int,
    setter: Municipality | None = None,
) -> Project:
    """Adopted: the project is funded, its coalition becomes a node of the network, and each
    member's council judges its grip (input legitimacy [Choice memo annexes 2020]): did it say
    yes, did its side set the agenda (`setter` None: a joint agenda of all owners), and does
    what it pays for land with it (rules.felt_grip)?"""
    character = theme.character
    members = [
        Membership(
            m, c.terms.shares[i], c.terms.benefits[i], c.terms.ratios[i], c.modes[i], c.chose[i]
        )
        for i, m in enumerate(c.members)
    ]
    draw_sincerity(model, theme, members)
    rec = model.recorder
    project = Project(
        pid=rec.adopted,
        theme=theme,
        members=members,
        cost=c.cost,
        start=month,
        instalments=max(1, character.project_months // model.behaviour.instalment_months),
        host=host,
    )
    fund(model, project)
    rec.adopted += 1
    model.projects.append(project)
    node = project.node
    model.network.add_node(node, kind="coalition", theme=theme.name)
    for ms in members:
        m = ms.municipality
        model.network.add_edge(m.index, node, kind="member", mode=ms.mode)
        m.account.committed += project.annual_cost(ms)
        grip = rules.felt_grip(
            ms.chose, setter is None or setter is m, ms.value_share, ms.cost_share
        )
        m.judge(grip=grip)
        m.experiences(theme.index, grip)  # ownership grows with say, falls when overruled
    rec.event(month, "project_adopted", theme=theme.name, value=len(members))
    return project


def draw_sincerity(model: RegionModel, theme: ThemeInForce, members: list[Membership]) -> None:
    """Whether each yes was meant: an insincere yes carries no pledge at delivery
    (rules.insincere_chance: the culture's base, the honest conversation, ownership)."""
    base = model.config.culture.insincerity
    talk = model.talk_share
    rnd = model.random.random
    k = theme.index
    for ms in members:
        if ms.chose:
            p = rules.insincere_chance(base, talk, ms.municipality.ownership[k])
            ms.sincere = rnd() >= p


def fund(model: RegionModel, p: Project) -> None:
    """The base fund covers its share of a new project while it has money [Common Eye 2024]."""
    ledger = model.ledger
    share = p.theme.arrangement.base_funding_share
    if share > 0.0 and ledger.base_fund > 0.0:
        grant = min(ledger.base_fund, share * p.cost)
        ledger.base_fund -= grant
        ledger.base_fund_granted += grant
        p.spent += grant
        p.funded = grant
        model.recorder.progress += grant * p.theme.character.value_ratio


# --- delivery ----------------------------------------------------------------------------------


def payment_order(projects: list[Project]) -> list[Project]:
    """When instalments of several projects fall due in one month, they are met oldest project
    first: earlier commitments are honoured before later ones (ASSUMPTION), so when a room runs
    short it is the newer projects that go unpaid."""
    return sorted(projects, key=_age)


_age = attrgetter("start", "pid")


def instalments(model: RegionModel, month: int) -> None:
    """Phase 7 (docs/ODD.md, section 3): the instalments that fall due are collected, projects
    oldest first (`payment_order`); a project whose instalments are done closes, once all have
    been collected."""
    every = model.behaviour.instalment_months
    finished = []
    for p in payment_order(model.projects):
        if (month - p.start) % every:
            continue
        collect(model, p, month)
        if p.instalments_done >= p.instalments:
            finished.append(p)
    for p in finished:
        close(model, p, month)


def collect(model: RegionModel, p: Project, month: int) -> None:
    """One instalment of a project: seated non-members may buy in first (late entry), then
    members pay or withhold; a withheld instalment may be caught (`escalate`); what is paid
    becomes progress (docs/ODD.md, section 7.6).

    Members decide simultaneously on what they know at the start of the month; detections and
    their consequences follow once all have decided.
    """
    if "late_entry" in p.theme.arrangement.modes and p.instalments_done > 0:
        late_entries(model, p, month)
    model.trust.work_out(p.member_municipalities)  # a large group's beliefs at once
    amounts = [p.instalment(ms) if ms.active else 0.0 for ms in p.members]
    decisions = [
        amount > 0.0 and ms.municipality.pays(p, ms, amount)
        for ms, amount in zip(p.members, amounts, strict=True)
    ]
    rec = model.recorder
    k = p.theme.index
    value_ratio = p.theme.character.value_ratio
    monitoring = p.theme.arrangement.monitoring
    rnd = model.random.random
    for ms, amount, paid in zip(p.members, amounts, decisions, strict=True):
        if amount == 0.0:
            continue
        m = ms.municipality
        ms.due += amount
        m.due_total += amount
        rec.due += amount
        rec.due_by_theme[k] += amount
        if not paid:
            rec.defections += 1
            if monitoring > 0.0 and rnd() < monitoring:  # detected
                paid = escalate(model, p, m, amount, month)
        if paid:
            m.account.pay_project(amount)
            ms.paid += amount
            p.spent += amount
            rec.paid += amount
            rec.paid_by_theme[k] += amount
            rec.progress += amount * value_ratio
    p.instalments_done += 1


def escalate(model: RegionModel, p: Project, m: Municipality, amount: float, month: int) -> bool:
    """A detected defection (monitoring caught it) is escalated, the first level of the steering
    room: with probability `sanction` the defector pays after all, if its room allows
    [Common Eye 2024]. Whether it pays."""
    rec = model.recorder
    rec.detected += 1
    paid = model.random.random() < p.theme.arrangement.sanction and amount <= m.account.room
    rec.recovered += paid
    rec.event(
        month,
        "defection_recovered" if paid else "defection_detected",
        m.name,
        p.theme.name,
        amount,
    )
    return paid


def late_entries(model: RegionModel, p: Project, month: int) -> None:
    """Seated non-members may buy into a project that is on track, for an entry fee
    [Common Eye 2024]."""
    b = model.behaviour
    theme = p.theme
    character = theme.character
    k = theme.index
    delivered = p.spent - p.funded
    if not rules.on_track(delivered, sum(ms.due for ms in p.members), b.visible_result):
        return
    members = p.member_municipalities
    members_pop = sum(o.population for o in members)
    for m in model.table_members(theme):
        if m in members:
            continue
        share = m.population / (members_pop + m.population)
        fee = rules.late_entry_fee(share, delivered, theme.arrangement.entry_fee)
        value = p.value * character.public_share * share
        ratio = rules.perceived_benefit(value, m.salience[k], character.concreteness) / (
            share * p.cost + fee
        )
        yearly = share * (p.cost - p.funded) * 12.0 / character.project_months
        if (
            fee > m.account.room
            or not rules.fits_budget(m.account.committed, yearly, m.account.room_year)
            or not m.joins_late(ratio, character)
        ):
            continue
        admit_late(model, p, m, fee)
        members_pop += m.population  # the next candidate's share counts this entrant in
        rec = model.recorder
        rec.late_entries += 1
        rec.event(month, "late_entry", m.name, theme.name, fee)


def admit_late(model: RegionModel, p: Project, entrant: Municipality, fee: float) -> None:
    """A late entrant pays its fee to the active members, in proportion to what they paid; the
    project's cost and value are re-split over the active members and the entrant (a leaver
    keeps no share)."""
    active = list(p.active)
    entrant.account.pay_out(fee)
    total = sum(ms.paid for ms in active)
    for ms in active:
        if total > 0:
            ms.municipality.account.receive(fee * ms.paid / total)
    for ms in active:  # obligations are re-split over one more member
        ms.municipality.account.committed -= p.annual_cost(ms)
    t = terms(p.theme, [ms.municipality for ms in active] + [entrant], p.cost, p.host)
    new = Membership(entrant, 0.0, 0.0, 0.0, "late", True)
    p.admit(new)
    for ms in p.members:
        if not ms.active:
            ms.cost_share = ms.value_share = ms.benefit_ratio = 0.0
    for i, ms in enumerate([*active, new]):
        ms.cost_share, ms.value_share, ms.benefit_ratio = t.shares[i], t.benefits[i], t.ratios[i]
    for ms in p.active:
        ms.municipality.account.committed += p.annual_cost(ms)
    model.network.add_edge(entrant.index, p.node, kind="member", mode="late")


def close(model: RegionModel, p: Project, month: int) -> None:
    """A project ends: value lands, trust moves with the shared experience, results show."""
    b = model.behaviour
    rec = model.recorder
    model.projects.remove(p)
    model.network.remove_node(p.node)
    rec.completed += 1
    completion = p.completion
    success = completion >= b.visible_result
    visible = success and model.random.random() < p.theme.character.concreteness
    active = p.active
    members = [ms.municipality for ms in active]
    # What each member is seen to have delivered: its own record where the arrangement monitors
    # delivery (attributed), otherwise only the project's overall result.
    monitoring = p.theme.arrangement.monitoring
    gain, loss = b.trust_gain, b.trust_loss
    rnd = model.random.random
    seen = {
        ms.municipality.index: ms.kept if monitoring > 0.0 and rnd() < monitoring else completion
        for ms in active
    }
    rec.trust_changed = True
    large = len(members) >= LARGE_GROUP
    trust = model.trust
    before = [trust.row(m.index) for m in members] if trust.wounds is not None else None
    for ms in active:
        m = ms.municipality
        m.account.committed -= p.annual_cost(ms)
        benefit = p.value * ms.value_share * completion
        m.benefit_total += benefit
        rec.benefit += benefit
        unpaid = 1.0 - ms.paid / ms.due if ms.due > 0 else 0.0
        rec.benefit_unpaid += benefit * unpaid
        # Output legitimacy and ownership: visible results benefiting the municipality.
        m.judge(results=1.0 if visible else 0.0)
        m.experiences(p.theme.index, 1.0 if visible else 0.0)
        # Shared experience: each member learns how reliably each partner delivers from what
        # it saw, read through its image of them (trust as a learned belief, faster after a
        # disappointment).
        if not large:
            row = trust.row(m.index)
            image = trust.image_row(m.index)
            others = [o.index for o in members if o is not m]
            m.set_trusts(
                others,
                [
                    rules.trust_update(
                        row[j], rules.seen_through_image(seen[j], image[j]), gain, loss
                    )
                    for j in others
                ],
            )
    if large:  # the same rules for every pair at once
        trust.update(members, [seen[o.index] for o in members], gain, loss)
    if before is not None:
        keep_wounds(model, active, before)
    rec.coalition_sizes.append(len(members))
    rec.binding.append(p.theme.arrangement.participation == "all_members")
    rec.event(month, "project_closed", theme=p.theme.name, value=completion)


def keep_wounds(model: RegionModel, active: list[Membership], before: list[list[float]]) -> None:
    """What each member's trust in each partner lost at a project's close is kept for the forum
    on the cooperation, with what the forum will hear of it: explained, when the partner
    delivered (the shortfall was not its own) or could not help its shortfall; sincere, unless
    the partner fell short of a pledge it never meant."""
    trust = model.trust
    visible = model.behaviour.visible_result
    for ms, row in zip(active, before, strict=True):
        i = ms.municipality.index
        for other in active:
            j = other.municipality.index
            if j == i:
                continue
            delivered = other.kept >= visible
            trust.wound(
                i,
                j,
                row[j] - trust.of(i, j),
                delivered or other.excused,
                delivered or other.sincere or not other.chose,
            )
