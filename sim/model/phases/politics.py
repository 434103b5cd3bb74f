"""Phase 3 of a month, and the chair: council elections, exits, rotating chairs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model import rules

if TYPE_CHECKING:
    from agents.municipality import Municipality
    from sim.model.model import RegionModel
    from sim.model.project import ThemeInForce

ELECTION_MONTH = 2  # March (month index within the year)


def election_due(start_year: int, month: int) -> bool:
    """Municipal council elections: March of 2022, 2026, 2030, ... (every four years)."""
    return month % 12 == ELECTION_MONTH and (start_year + month // 12) % 4 == 2


def elections(model: RegionModel, month: int) -> None:
    """Council elections: a new course may follow.

    A council with low legitimacy takes its municipality out of arrangements that allow it;
    executives change with some probability (their contribution type is redrawn); party shares
    and stances change.
    """
    b = model.behaviour
    leaving = []  # decided on the rooms at the start of the phase, settled after
    for m in model.municipalities:
        for theme in model.themes:
            a = theme.arrangement
            new = model.transitions[theme.index].months > 0  # a moratorium binds a new one
            if theme.name in m.exited or (new and month < 12 * a.exit_moratorium_years):
                continue
            fee = a.exit_fee_years * m.account.annual_room / len(model.themes)
            if rules.leaves(m.legitimacy, b.exit_legitimacy, fee, m.account.room, a.exit_allowed):
                leaving.append((m, theme, fee))
    for m, theme, fee in leaving:
        leave(model, m, theme, min(fee, m.account.room), month)
    for m in model.municipalities:
        if model.random.random() < b.executive_turnover:
            m.kind = model.draw_kind()
        m.legitimacy = 0.5 * (m.legitimacy + b.initial_legitimacy)
    if model.parties is not None:
        model.parties.elect(len(model.municipalities), model.random)
    model.recorder.event(month, "election", value=len(leaving))


def leave(model: RegionModel, m: Municipality, theme: ThemeInForce, fee: float, month: int) -> None:
    """A municipality leaves a theme: it stops sitting, paying and benefiting; pays its fee to
    those who stay, by population."""
    m.exited[theme.name] = month
    model.recorder.exits += 1
    model.network.remove_edge(m.index, theme.table)
    model.seats_changed(theme)
    for p in model.projects:
        if p.theme is theme:
            ms = p.membership(m)
            if ms is not None and ms.active:
                p.leave(ms)
                m.account.committed -= p.annual_cost(ms)
                model.network.remove_edge(m.index, p.node)
    stay = model.table_members(theme)
    if fee > 0.0 and stay:
        m.account.pay_out(fee)
        pop = sum(o.population for o in stay)
        for o in stay:
            o.account.receive(fee * o.population / pop)
    model.recorder.event(month, "exit", m.name, theme.name, fee)


def rotate_chairs(model: RegionModel, year: int) -> None:
    """Each body whose agenda is set by a rotating chair passes the chair on, yearly, among its
    seated members (never the centre where its rule says so) [Common Eye 2024]."""
    for body in model.bodies:
        a = body.arrangement
        if a.agenda_setter != "rotating_chair":
            continue
        eligible = [
            m for m in body.seating(model)[1] if not (a.chair_excludes_centre and m is model.centre)
        ]
        body.chair = eligible[year % len(eligible)] if eligible else None
