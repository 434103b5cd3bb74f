"""Phases 5-6 of a month: the regional agenda, meeting bodies, and how a table decides.

A meeting body is a theme's table, or one body for all themes of an arrangement whose
`table_scope` is shared (a regional council, a board, the provider's account meetings). It keeps
its own queue of proposals per theme and its own chair. How it decides is the arrangement's
`decision` rule, looked up in DECISIONS: a new procedure is one function there plus its value in
sim/model/schema.py's `Arrangement.decision`.

`meet` reads as the ODD's phase 5: the bodies that are due sit (`sittings`); their members
spend the meeting's hours (`spend_hours`, `account_meetings`); each theme's queue is decided
(`decide_queues`): a proposal is drawn up (`propose`), decided (DECISIONS) and staffed
(PARTICIPATION, sim/model/phases/coalitions.py); then the coalitions meet (`coalitions_meet`).
Each step takes all the month's sittings at once: the phase runs every month, for every body.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.model import rules
from sim.model.phases.coalitions import PARTICIPATION, Terms, adopt, terms

if TYPE_CHECKING:
    import random

    from agents.municipality import Municipality
    from sim.model.model import RegionModel
    from sim.model.parties import Parties
    from sim.model.project import ThemeInForce
    from sim.model.schema import Arrangement

REFERENCE_POPULATION = 295_000  # Drechtsteden; theme project costs are for a region this size
SETTER_HOST_BIAS = 0.5  # ASSUMPTION: chance the agenda setter places a project's local part at home


@dataclass(eq=False)
class MeetingBody:
    """Who meets together, how often, on which themes; its queue and its chair."""

    arrangement: Arrangement
    themes: list[ThemeInForce]
    transition_months: int  # while the transition lasts, it meets twice as long
    queues: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # (arrived, rounds)
    chair: Municipality | None = None
    _seats: list[list[Municipality]] | None = None  # cached until a seat changes
    _members: list[Municipality] | None = None
    _irrelevance: list[float] | None = None

    def __post_init__(self) -> None:
        self.queues = {t.index: [] for t in self.themes}
        self.indices = [t.index for t in self.themes]

    def seating(self, model: RegionModel) -> tuple[list[list[Municipality]], list[Municipality]]:
        """Who is seated at each of its themes' tables, and who at any of them."""
        if self._seats is None or self._members is None:
            seats = self._seats = [model.table_members(t) for t in self.themes]
            self._members = (
                seats[0]
                if len(seats) == 1
                else [m for m in model.municipalities if any(m in s for s in seats)]
            )
        return self._seats, self._members

    def irrelevance(self, model: RegionModel) -> list[float]:
        """Each municipality's mean irrelevance over the body's themes (by index; salience is
        fixed once the model is built, so it is worked out at the first meeting)."""
        if self._irrelevance is None:
            ks = self.indices
            self._irrelevance = [_mean_of(m.irrelevance, ks) for m in model.municipalities]
        return self._irrelevance

    def seats_changed(self) -> None:
        self._seats = self._members = None

    def due(self, month: int) -> bool:
        """Whether the body meets this month: every `meeting_interval_months` months."""
        return month % self.arrangement.meeting_interval_months == 0


def meeting_bodies(themes: list[ThemeInForce], transition_months: list[int]) -> list[MeetingBody]:
    """A body per theme, and one for all themes of each shared-scope rule set (by rules, never
    by name: two names for the same rules meet as one)."""
    grouped: dict[object, list[ThemeInForce]] = {}
    for t in themes:
        a = t.arrangement
        key = ("shared", _rules_only(a)) if a.table_scope == "shared" else t.name
        grouped.setdefault(key, []).append(t)
    return [
        MeetingBody(ts[0].arrangement, ts, max(transition_months[t.index] for t in ts))
        for ts in grouped.values()
    ]


def _rules_only(a: Arrangement) -> str:
    """An arrangement's rules without its names, as text."""
    return a.model_dump_json(exclude={"label", "label_nl", "description"})


def agenda(model: RegionModel, month: int) -> None:
    """The regional agenda brings proposals to each theme's table (a Poisson stream)."""
    rnd = model.random.random
    for theme in model.themes:
        if rnd() < theme.character.proposals_per_year / 12.0:
            model.body_of[theme.index].queues[theme.index].append((month, 0))
            model.recorder.proposed += 1


Sitting = tuple["MeetingBody", list[list["Municipality"]], list["Municipality"]]
"""A body that meets this month, who sits at each of its themes' tables, and who at any."""


def meet(model: RegionModel, month: int) -> None:
    """Phase 6 (docs/ODD.md, section 3): the bodies that are due sit; their members spend the
    meeting's hours; each theme's queued proposals are decided under the body's rule and
    staffed; then the running coalitions meet.

    Hours come before decisions for every body at once: no decision reads them (they drain
    energy at the month's end), and each tally still adds them body by body, in order.
    """
    sitting = sittings(model, month)
    spend_hours(model, sitting, month)
    decide_queues(model, sitting, month)
    coalitions_meet(model)


def sittings(model: RegionModel, month: int) -> list[Sitting]:
    """The bodies due this month (`MeetingBody.due`) with anyone seated; a due body nobody sits
    at any more drops its queue (its proposals find no table)."""
    out = []
    for body in model.bodies:
        if body.due(month):
            seats, members = body.seating(model)
            if members:
                out.append((body, seats, members))
            else:
                for q in body.queues.values():
                    q.clear()
    return out


def spend_hours(model: RegionModel, sitting: list[Sitting], month: int) -> None:
    """Each attendee spends the meeting's hours, doubled while a transition lasts (docs/ODD.md,
    7.2 and 7.10). Hours on an agenda that matters little locally drain energy ("energielek"
    [Common Eye 2024]): they count as irrelevant in proportion to the member's irrelevance of
    the body's theme (for a body of several themes, the mean over them)."""
    rec = model.recorder
    for body, _, members in sitting:
        a = body.arrangement
        hours = a.meeting_hours * 2 if month < body.transition_months else a.meeting_hours
        if a.seating == "bilateral":
            account_meetings(model, body, members, hours)
            continue
        ks = body.indices
        if len(ks) == 1:
            k0 = ks[0]
            for m in members:
                m.irrelevant_hours += hours * m.irrelevance[k0]
        else:
            irrelevance = body.irrelevance(model)
            for m in members:
                m.irrelevant_hours += hours * irrelevance[m.index]
        rec.meeting_hours += hours * len(members)


def account_meetings(
    model: RegionModel, body: MeetingBody, members: list[Municipality], hours: float
) -> None:
    """Bilateral seating: the provider (the centre) holds an account meeting with each client,
    so it sits through one per client [Choice memo annexes 2020]."""
    irrelevance = body.irrelevance(model)
    clients = [m for m in members if m is not model.centre]
    for m in clients:
        m.irrelevant_hours += hours * irrelevance[m.index]
    if model.centre in members:
        c = model.centre
        c.irrelevant_hours += hours * len(clients) * irrelevance[c.index]
    model.recorder.meeting_hours += 2 * hours * len(clients)


def decide_queues(model: RegionModel, sitting: list[Sitting], month: int) -> None:
    """Each theme's queued proposals are put to its table in the order they arrived (`decide`);
    a theme everyone has left drops them. A proposal sent back waits for the next meeting."""
    for body, seats, _ in sitting:
        queues = body.queues
        for theme, seated in zip(body.themes, seats, strict=True):
            queue = queues[theme.index]
            if not queue:
                continue
            queues[theme.index] = []  # a proposal sent back joins the next meeting's queue
            if not seated:
                continue
            for arrived, rounds in queue:
                decide(model, body, theme, seated, month, arrived, rounds)


def coalitions_meet(model: RegionModel) -> None:
    """Coalitions of the willing meet on their own projects: each participant that takes part
    (not a solidarity payer) spends `coalition_meeting_hours` a month, irrelevant in proportion
    to the theme's irrelevance to it (docs/ODD.md, section 7.2)."""
    rec = model.recorder
    for p in model.projects:
        h = p.theme.arrangement.coalition_meeting_hours
        if h > 0.0:
            k = p.theme.index
            for ms in p.active:
                if ms.mode != "solidarity":
                    ms.municipality.irrelevant_hours += h * ms.municipality.irrelevance[k]
                    rec.meeting_hours += h


def _mean_of(values: list[float], indices: list[int]) -> float:
    return sum(values[i] for i in indices) / len(indices)


# --- proposals ---------------------------------------------------------------------------------


def agenda_setter(model: RegionModel, body: MeetingBody) -> Municipality | None:
    """Who prepared the agenda: the centre's line, the body's rotating chair, or nobody in
    particular (a joint secretariat)."""
    rule = body.arrangement.agenda_setter
    if rule == "centre":
        return model.centre
    if rule == "rotating_chair":
        return body.chair
    return None


def host(rnd: random.Random, members: list[Municipality], setter: Municipality | None):
    """Where a project's local part lands: by population, tilted toward the agenda setter.

    An agenda prepared in the centre's line favours the centre ("Dordrecht pushes, others
    hang", double loyalties [Common Eye 2024]); a rotating chair spreads that advantage.
    """
    if setter is not None and setter in members and rnd.random() < SETTER_HOST_BIAS:
        return setter
    return members[rules.weighted_index([m.population for m in members], rnd.random())]


@dataclass(slots=True)
class Proposal:
    """A proposal put to a table: its theme, cost, host, the terms for the seated, their votes."""

    theme: ThemeInForce
    seated: list[Municipality]
    cost: float
    host: Municipality
    terms: Terms
    votes: list[bool]  # each member's own yes or no, as a municipality


Decision = Callable[["RegionModel", Proposal], bool]


def by_vote(model: RegionModel, p: Proposal) -> bool:
    """Members vote as municipalities: weighted yes share against the threshold, veto if any."""
    a = p.theme.arrangement
    weights: list[float] = (
        [m.population for m in p.seated] if a.vote_weight == "population" else None
    ) or [1.0] * len(p.seated)
    return rules.adopted(p.votes, weights, a.approval_threshold, a.veto)


def by_provider(model: RegionModel, p: Proposal) -> bool:
    """The provider (the centre city) decides what it offers [Choice memo annexes 2020]."""
    return model.centre in p.seated and p.votes[p.seated.index(model.centre)]


def by_party_lines(model: RegionModel, p: Proposal) -> bool:
    """A regional council of party groups from every council, weighted by their votes at the
    last election, votes along party lines (the Drechtraad [Choice memo annexes 2020])."""
    assert model.parties is not None
    theme = p.theme.character
    utilities = [
        m.vote_utility(
            p.terms.ratios[i] / theme.concreteness,
            p.cost * p.terms.shares[i] * 12.0 / theme.project_months,
            theme,
            p.seated,
        )
        for i, m in enumerate(p.seated)
    ]
    return party_vote(
        model.parties,
        p.seated,
        utilities,
        p.theme.arrangement.party_discipline,
        p.theme.arrangement.approval_threshold,
        model.choice_noise,
        model.random,
    )


def party_vote(
    parties: Parties,
    members: list[Municipality],
    utilities: list[float],
    discipline: float,
    threshold: float,
    noise: float,
    rnd: random.Random,
) -> bool:
    """Party groups vote, each weighted by its votes at the last municipal election."""
    yes = total = 0.0
    draw = rnd.random
    for i, m in enumerate(members):
        for share, stance in zip(parties.shares[m.index], parties.stance, strict=True):
            u = rules.party_group_utility(stance, utilities[i], discipline)
            w = m.population * share
            total += w
            if draw() < rules.logistic(u / noise):
                yes += w
    return total > 0 and yes / total >= threshold


DECISIONS: dict[str, Decision] = {
    "vote": by_vote,
    "party_lines": by_party_lines,
    "provider": by_provider,
}
"""Decision procedures by the value of an arrangement's `decision` rule."""


def decide(
    model: RegionModel,
    body: MeetingBody,
    theme: ThemeInForce,
    seated: list[Municipality],
    month: int,
    arrived: int,
    rounds: int,
) -> None:
    """A proposal is put to the table, decided under the body's rule (DECISIONS) and, if
    adopted, staffed by a coalition (PARTICIPATION) and funded (docs/ODD.md, 7.3-7.5)."""
    a = theme.arrangement
    setter = agenda_setter(model, body)
    proposal = propose(model, theme, seated, setter)
    rec = model.recorder
    if not DECISIONS[a.decision](model, proposal):
        if rounds < a.renegotiation_rounds:  # back to the next meeting, renegotiated
            body.queues[theme.index].append((arrived, rounds + 1))
            rec.renegotiations += 1
            rec.event(month, "proposal_renegotiated", theme=theme.name, value=rounds + 1)
        else:
            rec.event(month, "proposal_rejected", theme=theme.name)
        return
    formed = PARTICIPATION[a.participation](model, proposal)
    if formed is None:
        rec.event(month, "coalition_not_formed", theme=theme.name)
        return
    rec.decision_lags.append(month - arrived)
    adopt(model, proposal.theme, formed, proposal.host, month, setter)


def propose(
    model: RegionModel,
    theme: ThemeInForce,
    seated: list[Municipality],
    setter: Municipality | None,
) -> Proposal:
    """A proposal as it reaches the table: its cost drawn around the theme's (scaled to the
    region), its host, the terms for the seated and each one's own vote (docs/ODD.md, 7.3-7.4)."""
    character = theme.character
    rnd = model.random
    scale = model.population / REFERENCE_POPULATION
    cost = character.project_cost * scale * math.exp(rnd.gauss(0.0, model.behaviour.cost_noise))
    where = host(rnd, seated, setter)
    t = terms(theme, seated, cost, where)
    yearly = 12.0 / character.project_months
    votes = [
        m.votes_yes(
            t.ratios[i] / character.concreteness, cost * t.shares[i] * yearly, character, seated
        )
        for i, m in enumerate(seated)
    ]
    return Proposal(theme, seated, cost, where, t, votes)
