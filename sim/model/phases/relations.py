"""Phase 4 of a month: the relationship, apart from the rules (docs/ODD.md, 7.13).

What a culture of cooperation adds to an arrangement, as the scenario's `[culture]` table sets
it: an honest conversation every so many months, in which each member says where its interest
and enthusiasm lie (Common Eye 2024), and a forum on the quality of the cooperation, where
breaches since the last sitting are explained and may be forgiven. Both cost every member the
culture's `relationship_hours`, and both are contact with the other side that slowly corrects
the images members hold of each other. Between conversations their effect fades
(rules.talk_in_effect): `model.talk_share` is what still holds this month, `model.talk` its
log-odds on delivery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model import rules

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def relations(model: RegionModel, month: int) -> None:
    """The month's honest conversation and forum, if due, and what of the talk still holds."""
    culture = model.config.culture
    if _due(culture.conversation_interval_months, month):
        model.last_conversation = month
        _meet(model, month, "conversation", 0)
    if _due(culture.forum_interval_months, month):
        _meet(model, month, "forum", forum(model))
    since = None if model.last_conversation is None else month - model.last_conversation
    model.talk_share = rules.talk_in_effect(since, model.behaviour.talk_half_life_months)
    model.talk = model.behaviour.talk_effect * model.talk_share


def _due(interval: int, month: int) -> bool:
    return interval > 0 and month % interval == interval - 1


def _meet(model: RegionModel, month: int, kind: str, value: float) -> None:
    """Everyone sits together: the hours are spent (relevant to all: they drain no energy,
    ASSUMPTION) and every image is corrected a little by the contact."""
    n = len(model.municipalities)
    model.recorder.meeting_hours += model.config.culture.relationship_hours * n
    model.trust.contact(model.behaviour.image_correction)
    model.recorder.event(month, kind, value=value)


def forum(model: RegionModel) -> int:
    """The forum on the quality of the cooperation takes each trust lost since its last sitting
    (a wound, sim/model/trust.py) and forgives it or not (rules.forgives); a forgiven wound's
    loss is given back. How many it forgave."""
    b = model.behaviour
    rnd = model.random.random
    forgiven = 0
    for (i, j), (amount, explained, sincere) in model.trust.take_wounds():
        if rnd() < rules.forgives(explained, sincere, b.forgive_explained, b.forgive_unexplained):
            model.trust.set(i, j, min(1.0, model.trust.of(i, j) + amount))
            forgiven += 1
    model.recorder.trust_changed = True
    return forgiven
