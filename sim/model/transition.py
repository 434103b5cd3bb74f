"""Transition cost and time when a theme moves from one arrangement to another.

The cost is not set per arrangement: it follows from what has to change between the two rule
sets (Choice memo annexes 2020: transitions cost money and time and cause unrest; a service
municipality needs staff moves and a moratorium of four to five years; a classic GR has the
lowest transition impact).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.config import Arrangement

# ASSUMPTIONS (no seed gives numbers; each is a parameter a sweep can vary):
STAFF_MOVE_SHARE = 0.25  # one-off cost of moving execution staff: share of a year's service cost
AGREEMENT_COST = 0.05  # MEUR to negotiate one service agreement (DVO or client contract)
REDESIGN_PER_INHABITANT = 2.0  # EUR per inhabitant to redesign bodies, mandates and procedures
STAFF_MOVE_MONTHS = 48  # unrest after a staff move: four to five years (Choice memo annexes 2020)
REDESIGN_MONTHS = 12
QUALITY_DIP = 0.3  # service quality lost at the start of a staff move, fading over its months

GOVERNANCE_RULES = ("seating", "decision", "participation", "agenda_setter", "cost_allocation")


@dataclass(frozen=True)
class Transition:
    cost: float  # MEUR, one-off
    months: int  # how long the unrest lasts
    dip: float  # service quality lost at the start, fading linearly over `months`


def agreements(arrangement: Arrangement, members: int) -> int:
    """Service agreements an arrangement needs: one per client, or one DVO per member."""
    if arrangement.executor == "centre":
        return members - 1
    if arrangement.executor == "joint" and arrangement.tailoring != "none":
        return members
    return 0


def transition(
    before: Arrangement,
    after: Arrangement,
    has_service: bool,
    population: float,
    yearly_service_cost: float,
    members: int,
) -> Transition:
    """What moving a theme from `before` to `after` costs, and how long it unsettles."""
    if before == after:
        return Transition(0.0, 0, 0.0)
    cost = 0.0
    months = 0
    dip = 0.0
    if any(getattr(before, r) != getattr(after, r) for r in GOVERNANCE_RULES):
        cost += REDESIGN_PER_INHABITANT * population / 1e6
        months = REDESIGN_MONTHS
    if has_service:
        if before.executor != after.executor:
            cost += STAFF_MOVE_SHARE * yearly_service_cost
            months = max(months, STAFF_MOVE_MONTHS)
            dip = QUALITY_DIP
        if (before.executor, before.tailoring) != (after.executor, after.tailoring):
            cost += agreements(after, members) * AGREEMENT_COST  # new agreements to negotiate
    return Transition(cost, months, dip)
