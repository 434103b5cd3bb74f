"""The parts a scenario is made of, as validated data: themes, a region's municipalities, the
arrangements (each a rule set), the behavioural parameters and budget shocks, and the strict base
every model a person's file is read into shares.

Each part forbids unknown keys and bounds its numbers, so a typo is caught on load; each field's
description is its meaning in English (`samenspel rules`; the Dutch is in the catalogue). The
scenario that puts the parts together, and the loading of presets and files, are
sim/model/config.py, which re-exports every name here.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share, probability or level in [0, 1]."""


class Strict(BaseModel):
    """No unknown keys, no type coercion: `true` is not a number, `"yes"` is not a boolean; and
    every number finite: `inf` and `nan` (which TOML allows) are refused in every float field.

    The base of every model a person's file is read into (scenarios, sweep and calibration
    specs), so no model can forget one of these rules."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


SAFE_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"
"""A scenario's or spec's name: it names a folder, so letters, digits, '-', '_' and '.' only,
starting with a letter or digit (no path, no hidden or parent folder)."""
SAFE_NAME_HINT = "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100"


def safe_name(name: str) -> str:
    """Check a name that will name a folder (a pydantic validator's body)."""
    if not isinstance(name, str) or not re.fullmatch(SAFE_NAME, name):
        raise ValueError(f"{name!r} is not a safe name; allowed: {SAFE_NAME_HINT} characters")
    return name


class Theme(Strict):
    """A policy domain and its character (docs/BACKGROUND.md, "Themes")."""

    label: str
    label_nl: str
    public_share: Unit
    concreteness: Unit
    external_pressure: Unit
    value_ratio: Annotated[float, Field(gt=0.0, le=10.0)]
    project_cost: Annotated[float, Field(gt=0.0, le=1000.0)]
    proposals_per_year: Annotated[float, Field(ge=0.0, le=24.0)]
    project_months: Annotated[int, Field(ge=3, le=120)]
    service_cost_per_inhabitant: Annotated[float, Field(ge=0.0, le=5000.0)] = Field(
        0.0,
        description="yearly cost per inhabitant of the theme's execution organisation at "
        "efficient scale; 0 = no shared service",
    )
    scale_elasticity: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0,
        description="how unit cost falls with scale below the efficient scale: "
        "cost ~ population ** -elasticity",
    )
    efficient_scale: Annotated[float, Field(ge=1_000.0, le=2_000_000.0)] = Field(
        60_000.0,
        description="inhabitants beyond which the service's scale economies are exhausted",
    )


class MunicipalitySpec(Strict):
    """One municipality's fixed characteristics (see sim/data/drechtsteden.toml for sources)."""

    name: str
    population: Annotated[int, Field(ge=100, le=2_000_000)]
    regional_room_per_inhabitant: Annotated[float, Field(ge=0.0, le=1000.0)]
    autonomy: Unit
    capacity_hours: Annotated[float, Field(gt=0.0, le=100_000.0)]
    salience: dict[str, Unit]


class RegionSpec(Strict):
    name: str
    label: str
    centre: str
    initial_trust: Unit
    initial_trust_centre: Unit
    municipalities: Annotated[list[MunicipalitySpec], Field(min_length=2)]

    @model_validator(mode="after")
    def _centre_is_member(self) -> RegionSpec:
        names = [m.name for m in self.municipalities]
        if self.centre not in names:
            raise ValueError(f"centre {self.centre!r} is not one of the municipalities {names}")
        if len(set(names)) != len(names):
            raise ValueError("municipality names must be unique")
        return self


Mode = Literal["full", "solidarity", "late_entry"]
"""A participation mode open under opt_in, besides none."""


def _full_only() -> list[Mode]:
    """The participation modes an arrangement opens unless it says otherwise."""
    return ["full"]


class Arrangement(Strict):
    """A governance arrangement as a rule set (docs/BACKGROUND.md, "The five arrangements").

    The model reads these rules; it never looks at the name. Defaults are the plainest rule
    (no monitoring, no tailoring, free exit), so a preset states what makes it what it is.
    """

    label: str = Field(description="the arrangement's name in English (tables, reports)")
    label_nl: str = Field(description="its name in Dutch")
    description: str = Field("", description="what the arrangement is, with its sources")
    # Who meets, how often.
    seating: Literal["all", "bilateral"] = Field(
        "all",
        description="all: every member at the theme's table; bilateral: account meetings "
        "between the provider (the centre city) and each client",
    )
    table_scope: Literal["theme", "shared"] = Field(
        "theme",
        description="theme: a table per theme; shared: one body (a regional council, a board, "
        "an account meeting) for all themes under this arrangement",
    )
    meeting_interval_months: Annotated[int, Field(ge=1, le=24)] = Field(
        description="months between meetings of a table"
    )
    meeting_hours: Annotated[float, Field(ge=0.0, le=200.0)] = Field(
        description="official and administrative hours one member spends per meeting"
    )
    coalition_meeting_hours: Annotated[float, Field(ge=0.0, le=200.0)] = Field(
        0.0, description="hours per month a full participant spends in a running coalition"
    )
    # How decisions are taken and weighted.
    decision: Literal["vote", "party_lines", "provider"] = Field(
        "vote",
        description="vote: members vote as municipalities; party_lines: party groups of all "
        "councils vote, weighted by their votes at the last election (a regional council); "
        "provider: the provider decides what it offers, each client then decides to buy",
    )
    party_discipline: Unit = Field(
        0.0, description="with party_lines: weight of the party line against local interest"
    )
    approval_threshold: Unit = Field(
        description="weighted share of yes votes that adopts a proposal"
    )
    veto: bool = Field(False, description="a single no vote blocks a proposal")
    renegotiation_rounds: Annotated[int, Field(ge=0, le=12)] = Field(
        0, description="times a failed proposal returns to the next meeting before it is dropped"
    )
    vote_weight: Literal["equal", "population"] = Field(
        "equal", description="weight of a member's vote: equal, or by inhabitants"
    )
    participation: Literal["all_members", "opt_in"] = Field(
        description="all_members: an adopted project binds every table member; "
        "opt_in: each member chooses its participation mode"
    )
    modes: list[Mode] = Field(
        default_factory=_full_only,
        description="participation modes open under opt_in besides none: full; solidarity "
        "(pay, don't take part); late_entry (join a running project for an entry fee)",
    )
    entry_fee: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.0, description="late entry: premium on the share of cost already delivered"
    )
    # Who pays.
    cost_allocation: Literal["per_inhabitant", "equal", "by_benefit"] = Field(
        "per_inhabitant",
        description="how a project's cost is shared among its participants: per inhabitant, "
        "in equal shares, or by the benefit each expects",
    )
    base_funding_per_inhabitant: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="EUR per inhabitant per year every member pays into a regional base fund"
    )
    base_funding_share: Unit = Field(
        0.0, description="share of a project's cost the base fund covers while it has money"
    )
    upkeep_per_inhabitant: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="EUR per inhabitant per year for programme staff and network upkeep"
    )
    upkeep_payer: Literal["all", "centre"] = Field(
        "all", description="who pays the upkeep: every member per inhabitant, or the centre alone"
    )
    # Who executes shared services and what tailoring costs.
    executor: Literal["joint", "centre", "local"] = Field(
        "local",
        description="who runs a theme's execution organisation: a joint body owned by the "
        "members, the centre city selling to clients, or each municipality alone",
    )
    tailoring: Literal["none", "capped", "a_la_carte"] = Field(
        "none",
        description="none: one size fits all; capped: a basic package with tailored agreements "
        "on top up to tailoring_cap; a_la_carte: any tailoring at tailoring_price",
    )
    tailoring_cap: Unit = Field(
        0.0, description="with capped tailoring: the largest share of a service that is tailored"
    )
    tailoring_price: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.0, description="extra cost of a tailored part beyond its cost at the member's own scale"
    )
    # Agenda, monitoring, and what follows a detected defection.
    agenda_setter: Literal["joint", "centre", "rotating_chair"] = Field(
        "joint",
        description="who prepares the agenda: a joint secretariat, the centre city's line, or a "
        "chair rotating yearly",
    )
    chair_excludes_centre: bool = Field(
        False, description="with a rotating chair: the centre city never takes the chair"
    )
    monitoring: Unit = Field(
        0.0, description="probability that a withheld contribution is detected and attributed"
    )
    sanction: Unit = Field(
        0.0, description="probability that escalation after a detection recovers the payment"
    )
    # Leaving.
    exit_allowed: bool = Field(True, description="whether a member may leave at all")
    exit_fee_years: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.0, description="fee for leaving, in years of the leaver's regional room"
    )
    exit_moratorium_years: Annotated[int, Field(ge=0, le=20)] = Field(
        0, description="years after the start during which no member may leave"
    )


ContributionType = Literal["conditional", "free_rider", "triangle", "other"]
"""A municipality's contribution type (the Behaviour's `type_shares`)."""


def _observed_type_shares() -> dict[ContributionType, float]:
    """The shares of contribution types observed in public-goods games (Thöni & Volk 2018)."""
    return {"conditional": 0.613, "free_rider": 0.192, "triangle": 0.104, "other": 0.091}


class Behaviour(Strict):
    """Behavioural parameters of the municipalities. Sources and assumptions: docs/ODD.md."""

    type_shares: dict[ContributionType, Unit] = Field(
        default_factory=_observed_type_shares,
        description="shares of contribution types (Thöni & Volk 2018 meta-analysis)",
    )
    choice_noise: Annotated[float, Field(gt=0.0, le=10.0)] = Field(
        0.5, description="logit scale of choices: higher, less predictable votes and payments"
    )
    weight_pledge: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5, description="weight of a pledge one chose in the choice to pay"
    )
    weight_norm: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0,
        description="weight of what one expects the others to pay (conditional cooperation, trust)",
    )
    weight_benefit: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of local benefit per euro"
    )
    weight_stress: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of budget stress"
    )
    weight_council: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of council pressure"
    )
    weight_deterrence: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="weight of the expected sanction for withholding"
    )
    weight_energy: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5, description="weight of lost energy for regional work"
    )
    weight_pressure: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5, description="weight of national pressure in votes on a proposal"
    )
    conditional_slope: Unit = Field(
        0.74,
        description="how much of what they believe others give conditional cooperators give "
        "themselves (1 = perfect matching; Fischbacher & Gächter 2010)",
    )
    trust_gain: Unit = Field(
        0.25,
        description="learning rate of trust toward a partner's seen delivery when it did at "
        "least as well as believed",
    )
    trust_loss: Unit = Field(
        0.5,
        description="learning rate of trust toward a partner's seen delivery when it did "
        "worse than believed (asymmetry principle: above trust_gain)",
    )
    visible_result: Unit = Field(
        0.9, description="share of a project completed that counts as delivered"
    )
    energy_recovery: Unit = Field(
        0.1, description="monthly recovery of energy for regional work toward full"
    )
    legitimacy_rate: Unit = Field(
        0.05, description="monthly adjustment of legitimacy with the council"
    )
    initial_legitimacy: Unit = Field(0.6, description="legitimacy, grip and results at the start")
    exit_legitimacy: Unit = Field(
        0.2, description="legitimacy below which a council leaves a theme"
    )
    executive_turnover: Unit = Field(
        0.5, description="chance the executive changes at a council election"
    )
    cost_noise: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3, description="spread of a project's cost around its expected cost (log-sd)"
    )
    instalment_months: Annotated[int, Field(ge=1, le=12)] = Field(
        3, description="months between a project's instalments"
    )
    ownership_rate: Unit = Field(
        0.1,
        description="how far one experience (a say in a decision, a result landing at home) "
        "moves a municipality's ownership of a theme (ASSUMPTION)",
    )
    weight_ownership: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.5,
        description="weight of ownership of a theme in the choice to pay for it (ASSUMPTION, "
        "kept small: Mayhew et al. 2007 found no behavioural link)",
    )
    talk_effect: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        0.95,
        description="log-odds by which an honest conversation just held raises delivery; "
        "docked: gives d = 1.0 in the public-goods game, as communication does in the "
        "laboratory (Balliet 2010: d = 1.01, 0.46 written to 1.21 face to face)",
    )
    talk_half_life_months: Annotated[float, Field(gt=0.0, le=120.0)] = Field(
        6.0,
        description="months after which half of a conversation's effect is gone "
        "(ASSUMPTION; the effect fades once talk stops, Bershadskyy 2023)",
    )
    forgive_explained: Unit = Field(
        0.8,
        description="chance a forum forgives a breach that was explained (ASSUMPTION: above the "
        "0.56-0.79 after a first, unexplained breach, Fudenberg, Rand & Dreber 2012, since an "
        "explanation restores trust, Lei, Masclet & Vesely 2014)",
    )
    forgive_unexplained: Unit = Field(
        0.23,
        description="chance a forum forgives a breach nobody explained (0.23-0.37 after a "
        "repeated breach, Fudenberg, Rand & Dreber 2012)",
    )
    image_correction: Unit = Field(
        0.05,
        description="share of an image of the other side that one contact with it corrects "
        "(ASSUMPTION: no source gives a rate; kept well below trust's learning rates)",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Behaviour:
        total = sum(self.type_shares.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"type_shares must sum to 1 (they sum to {total:.4f})")
        return self


CULTURE_TABLE = "how the partners work together, apart from the rules: a [culture] table"


class Culture(Strict):
    """How the partners work together, apart from the arrangement's rules: the levers of a
    culture a region can invest in (docs/ODD.md, 7.13). The defaults are the culture the
    sources describe for the Drechtsteden: no honest conversation and no forum on the quality
    of the cooperation ("that is not in our culture of cooperation", Common Eye 2024), and the
    images of "Dordtse arrogantie" and its mirror on the table (Choice memo annexes 2020)."""

    initial_ownership: Unit = Field(
        0.5,
        description="how much each municipality feels owner of each theme at the start "
        "(0.5: neither owner nor client; ASSUMPTION)",
    )
    insincerity: Annotated[float, Field(ge=0.0, le=0.5)] = Field(
        0.2,
        description="chance that a yes at the table is said without the intent to deliver, "
        "without an honest conversation (61-98% of promises are kept, Woike & Kanngiesser "
        "2019: 0.02-0.39; 0.2 an ASSUMPTION within it)",
    )
    conversation_interval_months: Annotated[int, Field(ge=0, le=60)] = Field(
        0,
        description="months between honest conversations on each member's interest and "
        "enthusiasm (0 = none, Common Eye 2024)",
    )
    forum_interval_months: Annotated[int, Field(ge=0, le=60)] = Field(
        0,
        description="months between sittings of a forum on the quality of the cooperation, "
        "where breaches are explained and may be forgiven (0 = none, Common Eye 2024)",
    )
    relationship_hours: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        4.0,
        description="hours each member spends on one honest conversation or forum sitting "
        "(ASSUMPTION: half a day)",
    )
    image_of_centre: Annotated[float, Field(ge=0.0, le=0.5)] = Field(
        0.1,
        description="how much worse the other municipalities judge the centre's delivery than "
        "it was (the 'Dordtse arrogantie' image; the size is an ASSUMPTION)",
    )
    image_of_others: Annotated[float, Field(ge=0.0, le=0.5)] = Field(
        0.1,
        description="how much worse the centre judges the others' delivery than it was (the "
        "mirror image: the centre, too, feels the underdog, PwC/Tilburg 2017; the size is an "
        "ASSUMPTION)",
    )


class Shock(Strict):
    """A budget cut: from `month` on, for `months` months, regional room shrinks by `cut`."""

    month: Annotated[int, Field(ge=0, le=1200)] = Field(
        description="month of the run in which the cut starts (0 = the first)"
    )
    cut: Unit = Field(description="share of every municipality's regional room that is cut")
    months: Annotated[int, Field(ge=1, le=1200)] = Field(
        24, description="how many months the cut lasts"
    )
