"""Phase 1-2 of a month: the budget year, fixed regional dues, shared services, budget shocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.phases.politics import rotate_chairs

if TYPE_CHECKING:
    from sim.model.model import RegionModel

RANDOM_SHOCK = (0.2, 24)  # cut and duration of a random budget shock; ASSUMPTION (2019 cuts)


def new_budget_year(model: RegionModel, month: int) -> None:
    """January: rooms are granted, fixed regional dues paid, chairs rotate, services costed."""
    ledger = model.ledger
    cut = model.cut_in_force(month)
    for m in model.municipalities:
        grant = m.account.annual_room * (1.0 - cut)
        m.account.open_year(grant)
        ledger.granted += grant
    pay_dues(model)
    for m in model.municipalities:  # what is left for projects is the year's room
        m.account.room_year = m.account.room
    year = month // 12
    rotate_chairs(model, year)
    qualities = []
    for service in model.services:
        t = model.transitions[service.theme.index]
        quality = 1.0 - (t.dip * max(0.0, 1.0 - month / t.months) if t.months else 0.0)
        qualities.append(quality)
        seated = model.table_members(service.theme)
        result = service.year(year, seated, model.municipalities, model.centre, quality)
        model.recorder.service(result)
    if qualities:
        model.service_quality = sum(qualities) / len(qualities)


def pay_dues(model: RegionModel) -> None:
    """Network upkeep and the base fund: fixed budget lines, paid before any project.

    The network model's funding components [Common Eye 2024]: upkeep and a base fund from all
    members; under multiple-local the programme sits in the centre's line and the centre pays.
    """
    ledger = model.ledger
    for theme in model.themes:
        a = theme.arrangement
        seated = model.table_members(theme)
        if not seated:
            continue
        pop = sum(m.population for m in seated)
        if a.upkeep_per_inhabitant > 0:
            total = a.upkeep_per_inhabitant * pop / 1e6
            if a.upkeep_payer == "all":
                payers = seated
            else:  # the centre pays, if it is seated
                payers = [model.centre] if model.centre in seated else []
            payer_pop = sum(m.population for m in payers)
            for m in payers:
                due = min(m.account.room, total * m.population / payer_pop)
                m.account.pay_dues(due)
                ledger.upkeep_spent += due
        if a.base_funding_per_inhabitant > 0:
            for m in seated:
                due = min(m.account.room, a.base_funding_per_inhabitant * m.population / 1e6)
                m.account.pay_dues(due)
                ledger.base_fund += due


def budget_shocks(model: RegionModel, month: int) -> None:
    """Exogenous budget shocks: scheduled ones from the scenario, random ones by chance.

    A cut takes its share of the remaining room back to the general budget at once and lowers
    the next grants while it lasts (the 2019 cuts and the Corona deficits [Choice memo annexes
    2020]).
    """
    cut = 0.0
    months = 0
    for s in model.config.shocks:
        if s.month == month:
            cut, months = s.cut, s.months
    p = model.config.shock_probability
    if p > 0.0 and model.random.random() < p / 12.0:
        cut, months = RANDOM_SHOCK
    if cut > 0.0:
        model.cut = max(cut, model.cut_in_force(month))
        model.cut_until = month + months
        for m in model.municipalities:
            m.account.cut(cut)
        model.recorder.event(month, "budget_shock", value=cut)
