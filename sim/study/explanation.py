"""A what-if's explanation as data: the channels from rules to results, and what one what-if
says through them.

The explanation of `samenspel whatif` is generated from the data, never written per scenario
(sim/study/whatif.py): which rules differ, grouped by the themes that share a change
(`arrangement_changes`); mechanism -> intermediate -> result along CHANNELS, the places in the
model where a rule acts on an intermediate outcome and that on a result (`mechanisms`); what else
moved (`also_moved`, `events_moved`); and who gains and who loses (`gains_and_losses`).
sim/present/whatif_page.py puts it into words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.model.config import Arrangement
from sim.study.whatif import TRANSITION, RuleDifference, WhatIf


@dataclass(frozen=True)
class Channel:
    """Where, in the model, rules act on an intermediate outcome, and it on results.

    `rules` are Arrangement or Culture fields (or TRANSITION); `results` summary keys. Each is
    read off the code and docs/ODD.md: the sentence says "in the model it follows from ..." only
    for these.
    """

    via: str
    rules: tuple[str, ...]
    results: tuple[str, ...]


CHANNELS: tuple[Channel, ...] = (
    # Meeting load: each body's interval and hours, who sits there (metrics meeting_hours);
    # irrelevant load drains energy (rules.energy_after); simplicity is hours per month.
    Channel(
        "meeting_hours",
        (
            "meeting_interval_months",
            "meeting_hours",
            "seating",
            "table_scope",
            "coalition_meeting_hours",
        ),
        ("energy_mean", "progress_per_meeting_hour", "c6_simplicity"),
    ),
    # Felt grip: consent, who set the agenda, whether what it pays lands with it
    # (rules.felt_grip); legitimacy moves toward grip and results (rules.legitimacy_after).
    Channel(
        "grip_mean",
        ("agenda_setter", "chair_excludes_centre", "participation", "decision", "cost_allocation"),
        ("legitimacy_mean", "c4_grip"),
    ),
    # Binding every member is the participation rule (coalitions.close); the criteria of
    # flexibility and tailoring use its complement (scorecard).
    Channel("binding_share", ("participation",), ("c3_flexibility", "c1_tailoring")),
    # Who is in a coalition: the participation rule, its modes and the decision procedure.
    Channel(
        "coalition_size_mean",
        ("participation", "modes", "approval_threshold", "veto", "decision"),
        ("c2_integration",),
    ),
    # A withheld instalment is noticed with the monitoring probability, recovered with the
    # sanction probability after that.
    Channel("defections_detected", ("monitoring",), ("defections_recovered",)),
    # Services: who executes at what scale, and what tailoring costs (sim/model/services.py).
    Channel(
        "service_cost_per_inhabitant",
        ("executor", "tailoring", "tailoring_cap", "tailoring_price"),
        ("service_efficiency_gain",),
    ),
    # A change of arrangement at the start costs a transition (sim/model/transition.py).
    Channel("transition_cost", (TRANSITION,), ("c7_transition",)),
    Channel("renegotiations", ("renegotiation_rounds",), ("decision_lag_mean",)),
    Channel("exits", ("exit_allowed", "exit_fee_years", "exit_moratorium_years"), ()),
    # Culture (phases/relations.py, rules.ownership_after, rules.insincere_chance): ownership
    # grows with say and results and carries delivery, but it moves with delivery too (more
    # projects, more obligations imposed), so the page names no result "through" it: a sentence
    # "ownership lower; through it commitment higher" would read the mechanism backwards. An
    # honest conversation makes pledges sincere and raises delivery; a forum gives back trust
    # lost to explained breaches.
    Channel(
        "ownership_mean",
        ("initial_ownership", "agenda_setter", "participation", "decision"),
        (),
    ),
    Channel(
        "trust_mean",
        (
            "forum_interval_months",
            "conversation_interval_months",
            "image_of_centre",
            "image_of_others",
            "monitoring",
        ),
        ("commitment", "free_riding"),
    ),
)


@dataclass(frozen=True)
class ArrangementChange:
    """Themes whose arrangement changes alike: from `base` to `alternative` (None where a
    scenario has no arrangement for them), with the rules that differ."""

    themes: tuple[str, ...]
    base: Arrangement | None
    alternative: Arrangement | None
    rules: tuple[RuleDifference, ...]


def arrangement_changes(rules: list[RuleDifference]) -> list[ArrangementChange]:
    """The arrangement differences grouped by the themes that share the same change."""
    groups: dict[tuple, list[RuleDifference]] = {}
    for d in rules:
        if d.kind != "arrangement":
            continue
        changes = tuple(
            (r.field, repr(r.base), repr(r.alternative))
            for r in rules
            if r.kind == "rule" and r.theme == d.theme
        )
        base, alternative = _arrangement(d.base), _arrangement(d.alternative)
        key = (base.label if base else "", alternative.label if alternative else "", changes)
        groups.setdefault(key, []).append(d)
    out = []
    for alike in groups.values():
        first, last = alike[0], alike[-1]
        theme_rules = tuple(r for r in rules if r.kind == "rule" and r.theme == first.theme)
        themes = tuple(d.theme for d in alike if d.theme is not None)
        base, alternative = _arrangement(last.base), _arrangement(last.alternative)
        out.append(ArrangementChange(themes, base, alternative, theme_rules))
    return out


def _arrangement(value: object) -> Arrangement | None:
    """An arrangement difference's side: its rule set, or None where the theme has none."""
    return value if isinstance(value, Arrangement) else None


@dataclass(frozen=True)
class Mechanism:
    """A channel as one what-if takes it: the rules of it that differ (in the channel's order),
    its intermediate outcome's paired difference where that moved (None where it did not), and
    those of the results after it that moved."""

    channel: Channel
    rules: tuple[RuleDifference, ...]
    moved: pd.Series | None
    fed: tuple[pd.Series, ...]


STILL = ("none", "same")
"""Verdicts of an outcome that did not move: no clear difference, or equal by the rules."""


def _moved(table: pd.DataFrame, key: str) -> pd.Series | None:
    """The row of `key` in a table of paired differences indexed by outcome, if it moved: its
    verdict neither "none" (no clear difference) nor "same" (equal by the rules)."""
    if key not in table.index or table.loc[key, "verdict"] in STILL:
        return None
    row = table.loc[key].copy()
    row["outcome"] = key
    return row


def mechanisms(w: WhatIf) -> list[Mechanism]:
    """The CHANNELS with something to say: their intermediate moved, or a rule of them differs
    (and the intermediate is measured) while it did not move."""
    mid = w.intermediates.set_index("outcome")
    res = w.outcomes.set_index("outcome")
    differing = {d.field: d for d in w.rules if d.kind in ("rule", "transition", "culture")}
    out = []
    for ch in CHANNELS:
        rules = tuple(differing[r] for r in ch.rules if r in differing)
        moved = _moved(mid, ch.via)
        if moved is not None:
            fed = (_moved(res if k in res.index else mid, k) for k in ch.results)
            out.append(Mechanism(ch, rules, moved, tuple(r for r in fed if r is not None)))
        elif rules and ch.via in mid.index:
            out.append(Mechanism(ch, rules, None, ()))
    return out


def also_moved(w: WhatIf) -> pd.DataFrame:
    """The intermediate outcomes that moved outside every channel (event counts aside)."""
    mid = w.intermediates
    return mid[
        ~mid["verdict"].isin(STILL)
        & ~mid["outcome"].isin({ch.via for ch in CHANNELS})
        & ~mid["outcome"].str.startswith("event_")
    ]


def events_moved(w: WhatIf) -> pd.DataFrame:
    """The event counts per run that moved."""
    mid = w.intermediates
    return mid[~mid["verdict"].isin(STILL) & mid["outcome"].str.startswith("event_")]


def gains_and_losses(w: WhatIf) -> dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]]:
    """Who gains and who loses, on what: the municipalities (in their order) by the outcomes on
    which they are better and worse off, alike ones together."""
    m = w.municipalities
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for place in dict.fromkeys(m["municipality"]):
        rows = m[m["municipality"] == place]
        gains = tuple(rows[rows["verdict"] == "better"]["outcome"])
        loses = tuple(rows[rows["verdict"] == "worse"]["outcome"])
        groups.setdefault((gains, loses), []).append(place)
    return groups
