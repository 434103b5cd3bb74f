"""The outcome catalogue: every output of a run once, with its labels, unit, format and meaning.

The recorder (sim/model/recorder.py) computes the values under these keys; the command line, the
comparison and the report read labels, units, formats, which direction is better and where an
outcome is shown from here, so a new outcome is two changes: its tally in the recorder and its
entry below. Plain data, cheap to import (a sweep worker may).

Longer than 500 lines on purpose: it is a declarative catalogue, one entry per outcome and event
with its words in both languages, and one place to look is the point of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Better = Literal["higher", "lower"] | None
Kind = Literal["id", "scalar", "series", "both", "municipality"]
Place = Literal["run", "compare", "figure", "trajectory", "scorecard"]


@dataclass(frozen=True)
class Outcome:
    """One output: what it is called in English and Dutch, its unit, how it is shown."""

    key: str
    en: str
    nl: str
    unit_en: str = ""
    unit_nl: str = ""
    decimals: int = 2
    scale: float = 1.0  # shown as value x scale (e.g. per 1,000 hours)
    better: Better = None  # which direction is better, where one is
    kind: Kind = "scalar"  # in the run summary, the monthly series, or both
    shown: tuple[Place, ...] = ()

    def label(self, lang: str = "en") -> str:
        return self.nl if lang == "nl" else self.en

    def unit(self, lang: str = "en") -> str:
        return self.unit_nl if lang == "nl" else self.unit_en

    def format(self, value: float) -> str:
        """The value as a person reads it (English number format; NaN as n/a)."""
        if value != value:
            return "n/a"
        return f"{value * self.scale:,.{self.decimals}f}"


_ = Outcome  # the table below reads better with a short name
CATALOGUE: tuple[Outcome, ...] = (
    # Identity of a run.
    _("scenario", "scenario", "scenario", kind="id"),
    _("seed", "seed", "startgetal", kind="id", decimals=0),
    _("months", "months simulated", "gesimuleerde maanden", kind="id", decimals=0),
    _("municipalities", "municipalities", "gemeenten", kind="id", decimals=0),
    _("month", "month", "maand", kind="series", decimals=0),
    _("year", "year", "jaar", kind="series", decimals=0),
    # Commitment and free-riding.
    _(
        "due",
        "pledged instalments due",
        "verschuldigde termijnen",
        "MEUR",
        "mln EUR",
        kind="series",
    ),
    _("paid", "instalments paid", "betaalde termijnen", "MEUR", "mln EUR", kind="series"),
    _(
        "commitment",
        "commitment (paid / pledged)",
        "nakoming (betaald / toegezegd)",
        better="higher",
        kind="both",
        shown=("run", "compare", "figure"),
    ),
    _(
        "commitment_cum",
        "commitment so far (paid / pledged)",
        "nakoming tot nu toe (betaald / toegezegd)",
        better="higher",
        kind="series",
        shown=("trajectory",),
    ),
    _(
        "commitment_first_2y",
        "commitment in the first two years",
        "nakoming in de eerste twee jaar",
        better="higher",
        shown=("run",),
    ),
    _(
        "commitment_last_2y",
        "commitment in the last two years",
        "nakoming in de laatste twee jaar",
        better="higher",
        shown=("run",),
    ),
    _(
        "free_riding",
        "free-riding (benefit share unpaid)",
        "meeliften (onbetaald batenaandeel)",
        better="lower",
        shown=("run", "compare", "figure"),
    ),
    _(
        "free_riding_cum",
        "free-riding so far (benefit share unpaid)",
        "meeliften tot nu toe (onbetaald batenaandeel)",
        better="lower",
        kind="series",
        shown=("trajectory",),
    ),
    _(
        "defections",
        "instalments withheld",
        "ingehouden termijnen",
        decimals=0,
        better="lower",
        kind="both",
    ),
    _(
        "defections_detected",
        "withheld instalments detected",
        "ontdekte ingehouden termijnen",
        decimals=0,
        kind="both",
    ),
    _(
        "defections_recovered",
        "withheld instalments recovered by escalation",
        "na escalatie alsnog betaalde termijnen",
        decimals=0,
    ),
    # Progress and meetings.
    _(
        "progress",
        "progress (delivered value)",
        "voortgang (geleverde waarde)",
        "MEUR",
        "mln EUR",
        decimals=1,
        better="higher",
        kind="both",
        shown=("run", "compare", "figure", "trajectory"),
    ),
    _(
        "meeting_hours",
        "meeting hours",
        "vergaderuren",
        "hours",
        "uur",
        decimals=0,
        better="lower",
        kind="both",
        shown=("run", "compare", "figure"),
    ),
    _(
        "progress_per_meeting_hour",
        "progress per 1,000 meeting hours",
        "voortgang per 1.000 vergaderuren",
        "MEUR",
        "mln EUR",
        decimals=3,
        scale=1000.0,
        better="higher",
        shown=("run", "compare", "figure"),
    ),
    # Trust, energy, legitimacy.
    _(
        "trust_mean",
        "trust (mean)",
        "vertrouwen (gemiddeld)",
        better="higher",
        kind="both",
        shown=("run", "compare", "figure", "trajectory"),
    ),
    _(
        "trust_centre_others",
        "trust between the centre and the others",
        "vertrouwen tussen centrumgemeente en de anderen",
        better="higher",
        kind="both",
        shown=("run", "compare"),
    ),
    _(
        "trust_among_others",
        "trust among the others",
        "vertrouwen tussen de anderen",
        better="higher",
        kind="both",
    ),
    _(
        "energy_mean",
        "energy (mean)",
        "energie (gemiddeld)",
        better="higher",
        kind="both",
        shown=("run", "compare", "figure", "trajectory"),
    ),
    _(
        "legitimacy_mean",
        "legitimacy (mean)",
        "legitimiteit (gemiddeld)",
        better="higher",
        kind="both",
        shown=("run", "compare", "figure", "trajectory"),
    ),
    _(
        "grip_mean",
        "felt grip (mean)",
        "ervaren grip (gemiddeld)",
        better="higher",
        kind="both",
        shown=("compare", "figure", "trajectory"),
    ),
    _(
        "ownership_mean",
        "ownership (mean)",
        "eigenaarschap (gemiddeld)",
        better="higher",
        kind="both",
        shown=("compare", "figure", "trajectory"),
    ),
    # Projects and coalitions.
    _("proposed", "proposals", "voorstellen", decimals=0),
    _("adopted", "projects adopted", "projecten vastgesteld", decimals=0, shown=("run",)),
    _("completed", "projects completed", "projecten afgerond", decimals=0),
    _("renegotiations", "renegotiations", "heronderhandelingen", decimals=0),
    _(
        "decision_lag_mean",
        "months to a decision",
        "maanden tot besluit",
        "months",
        "maanden",
        decimals=1,
        better="lower",
        shown=("compare",),
    ),
    _("late_entries", "late entries", "late instappers", decimals=0),
    _("active_projects", "running projects", "lopende projecten", decimals=0, kind="series"),
    _(
        "coalition_size_mean",
        "coalition size (mean)",
        "coalitiegrootte (gemiddeld)",
        "members",
        "leden",
        decimals=1,
        kind="both",
        shown=("run", "compare", "figure"),
    ),
    _(
        "coalition_size_share",
        "coalition size, share of the region",
        "coalitiegrootte, aandeel van de regio",
    ),
    _(
        "binding_share",
        "share of projects binding every member",
        "aandeel projecten dat alle leden bindt",
    ),
    _("exits", "exits", "uittredingen", decimals=0, kind="both", shown=("run", "compare")),
    _(
        "room_total",
        "regional room left",
        "resterende regionale ruimte",
        "MEUR",
        "mln EUR",
        kind="series",
    ),
    _("upkeep_spent", "network upkeep paid", "betaald netwerkonderhoud", "MEUR", "mln EUR"),
    # Shared services and the transition.
    _(
        "service_cost_per_inhabitant",
        "service cost per inhabitant",
        "uitvoeringskosten per inwoner",
        "EUR per year",
        "EUR per jaar",
        decimals=1,
        better="lower",
        shown=("compare", "figure"),
    ),
    _(
        "service_efficiency_gain",
        "efficiency gain of shared services",
        "efficiëntiewinst van gedeelde uitvoering",
        better="higher",
        shown=("compare",),
    ),
    _(
        "tailoring_fit",
        "tailoring fit",
        "aansluiting op lokale wensen",
        better="higher",
        shown=("compare",),
    ),
    _("service_pooled_share", "share in shared services", "aandeel in gedeelde uitvoering"),
    _(
        "service_quality",
        "service quality",
        "kwaliteit van de uitvoering",
        better="higher",
        kind="series",
        shown=("trajectory",),
    ),
    _(
        "service_quality_mean",
        "service quality (mean)",
        "kwaliteit van de uitvoering (gemiddeld)",
        better="higher",
    ),
    _(
        "transition_cost",
        "transition cost",
        "transitiekosten",
        "MEUR",
        "mln EUR",
        decimals=1,
        better="lower",
        shown=("compare", "figure"),
    ),
    _(
        "transition_cost_per_inhabitant",
        "transition cost per inhabitant",
        "transitiekosten per inwoner",
        "EUR",
        "EUR",
        decimals=1,
        better="lower",
    ),
    # The seven criteria of the 2020 assessment framework (formulas: sim/study/scorecard.py).
    _(
        "c1_tailoring",
        "room for tailoring",
        "ruimte voor maatwerk",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
    _(
        "c2_integration",
        "integrated task execution",
        "integrale taakuitvoering",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
    _(
        "c3_flexibility",
        "variety of scale, flexibility",
        "schaalvariatie, flexibiliteit",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
    _(
        "c4_grip",
        "grip of local councils",
        "grip van de gemeenteraden",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
    _(
        "c5_execution",
        "strong execution",
        "sterke uitvoering",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
    _(
        "c6_simplicity",
        "simplicity, less busyness",
        "eenvoud, minder drukte",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
    _(
        "c7_transition",
        "low transition impact",
        "geringe transitie-impact",
        "score out of 10",
        "cijfer 0-10",
        decimals=1,
        better="higher",
        shown=("scorecard",),
    ),
)

PER_THEME = _(
    "commitment_{theme}",
    "commitment, {theme}",
    "nakoming, {theme}",
    better="higher",
    shown=("run",),
)
"""Commitment per theme: one summary key per theme in force (commitment_mobility, ...)."""

OUTCOMES: dict[str, Outcome] = {o.key: o for o in CATALOGUE}

HEADLINE = ("commitment", "free_riding", "progress")
"""What samenspel compares arrangements on first: commitment, free-riding and progress."""

MUNICIPAL: dict[str, Outcome] = {
    o.key: o
    for o in (
        replace(OUTCOMES["commitment"], kind="municipality", shown=()),
        _(
            "grip_mean",
            "felt grip",
            "ervaren grip",
            better="higher",
            kind="municipality",
        ),
        _(
            "energy",
            "energy for regional work at the end",
            "energie voor regionaal werk aan het eind",
            better="higher",
            kind="municipality",
        ),
        _(
            "legitimacy",
            "legitimacy with the council at the end",
            "legitimiteit bij de raad aan het eind",
            better="higher",
            kind="municipality",
        ),
        _(
            "trust_in",
            "trust the others place in it",
            "vertrouwen van de anderen in deze gemeente",
            better="higher",
            kind="municipality",
        ),
        _(
            "net_cost",
            "net cost (paid minus value received)",
            "nettokosten (betaald min ontvangen waarde)",
            "MEUR",
            "mln EUR",
            decimals=1,
            better="lower",
            kind="municipality",
        ),
        replace(OUTCOMES["service_cost_per_inhabitant"], kind="municipality", shown=()),
    )
}
"""The per-municipality outcomes a comparison and a what-if report (columns of
`Recorder.municipality_rows`), in the order they are shown."""


def outcome(key: str) -> Outcome:
    """The catalogue entry for a summary key or series column (per-theme keys included)."""
    if key in OUTCOMES:
        return OUTCOMES[key]
    if key.startswith("commitment_"):
        from sim.model.config import load_themes  # the themes' names in both languages

        name = key.removeprefix("commitment_")
        known = load_themes().get(name)
        en = known.label if known else name.replace("_", " ")
        nl = known.label_nl if known else name.replace("_", " ")
        return Outcome(
            key,
            PER_THEME.en.format(theme=en),
            PER_THEME.nl.format(theme=nl),
            better=PER_THEME.better,
            shown=PER_THEME.shown,
        )
    raise KeyError(key)


def shown_in(place: Place) -> list[Outcome]:
    """The outcomes shown in one place, in catalogue order."""
    return [o for o in CATALOGUE if place in o.shown]


CRITERIA = tuple(o.key for o in shown_in("scorecard"))
"""The scorecard's seven criteria, in the framework's order."""


@dataclass(frozen=True)
class Event:
    """A kind of line in a run's event log, and what its `value` measures."""

    key: str
    en: str
    nl: str
    value_en: str = ""
    value_nl: str = ""


EVENTS: dict[str, Event] = {
    e.key: e
    for e in (
        Event(
            "transition",
            "transition to a new arrangement",
            "overgang naar een nieuw arrangement",
            "one-off cost, MEUR",
            "eenmalige kosten, mln EUR",
        ),
        Event(
            "budget_shock",
            "budget cut",
            "bezuiniging",
            "share of the room cut",
            "deel van de ruimte gekort",
        ),
        Event(
            "election",
            "council elections",
            "gemeenteraadsverkiezingen",
            "exits that followed",
            "uittredingen die volgden",
        ),
        Event(
            "exit",
            "leaves the theme",
            "stapt uit het thema",
            "exit fee, MEUR",
            "uittreedsom, mln EUR",
        ),
        Event(
            "proposal_renegotiated",
            "proposal renegotiated",
            "voorstel heronderhandeld",
            "round",
            "ronde",
        ),
        Event("proposal_rejected", "proposal rejected", "voorstel verworpen"),
        Event(
            "coalition_not_formed",
            "too few willing to take part",
            "te weinig gemeenten willen meedoen",
        ),
        Event(
            "project_adopted",
            "project adopted",
            "project vastgesteld",
            "participants",
            "deelnemers",
        ),
        Event(
            "project_closed",
            "project closed",
            "project afgerond",
            "share delivered",
            "geleverd deel",
        ),
        Event(
            "defection_detected",
            "withheld instalment detected",
            "ingehouden termijn ontdekt",
            "amount, MEUR",
            "bedrag, mln EUR",
        ),
        Event(
            "defection_recovered",
            "withheld instalment recovered by escalation",
            "ingehouden termijn na escalatie alsnog betaald",
            "amount, MEUR",
            "bedrag, mln EUR",
        ),
        Event(
            "late_entry",
            "joins a running project late",
            "stapt laat in een lopend project",
            "entry fee, MEUR",
            "instapsom, mln EUR",
        ),
        Event(
            "conversation",
            "honest conversation about each one's interest",
            "eerlijk gesprek over ieders belang",
        ),
        Event(
            "forum",
            "forum on the quality of the cooperation",
            "overleg over de kwaliteit van de samenwerking",
            "breaches forgiven",
            "vergeven tekortkomingen",
        ),
    )
}
"""Every event the recorder logs (sim/model/recorder.py, EVENT_COLUMNS)."""


DEFINITIONS: dict[str, tuple[str, str]] = {
    "commitment": (
        "the share of the instalments municipalities pledged to joint projects that they actually "
        "paid (0 to 1; higher is better)",
        "het deel van de termijnen die gemeenten voor gezamenlijke projecten toezegden dat ze ook "
        "echt betaalden (0 tot 1; hoger is beter)",
    ),
    "free_riding": (
        "the share of the value of joint projects that went to municipalities that had not paid "
        "their part (0 to 1; lower is better)",
        "het deel van de waarde van gezamenlijke projecten dat terechtkwam bij gemeenten die hun "
        "deel niet betaalden (0 tot 1; lager is beter)",
    ),
    "progress": (
        "the value the joint projects delivered over the whole period, in millions of euros",
        "de waarde die de gezamenlijke projecten over de hele periode opleverden, in mln euro",
    ),
    "meeting_hours": (
        "the hours council members and officials spent in regional meetings over the whole period",
        "de uren die bestuurders en ambtenaren over de hele periode in regionaal overleg zaten",
    ),
    "progress_per_meeting_hour": (
        "delivered value for every 1,000 hours of meetings: what the meetings yield",
        "geleverde waarde per 1.000 uur overleg: wat het vergaderen oplevert",
    ),
    "trust_mean": (
        "how much the municipalities trust each other at the end, on average (0 to 1)",
        "hoeveel de gemeenten elkaar aan het eind vertrouwen, gemiddeld (0 tot 1)",
    ),
    "trust_centre_others": (
        "trust between Dordrecht, the centre city, and the other six (0 to 1)",
        "vertrouwen tussen Dordrecht, de centrumgemeente, en de andere zes (0 tot 1)",
    ),
    "trust_among_others": (
        "trust among the six municipalities other than the centre city (0 to 1)",
        "vertrouwen tussen de zes gemeenten naast de centrumgemeente (0 tot 1)",
    ),
    "energy_mean": (
        "how much time and will officials have left for regional work (0 to 1); meetings that "
        "do not concern them drain it",
        "hoeveel tijd en zin ambtenaren overhouden voor regionaal werk (0 tot 1); overleg dat "
        "hen niet aangaat put het uit",
    ),
    "legitimacy_mean": (
        "how far councils accept the regional cooperation, given grip and results (0 to 1)",
        "hoe ver de raden de regionale samenwerking aanvaarden, door grip en resultaat (0 tot 1)",
    ),
    "grip_mean": (
        "how much say a council feels it had in what it is bound to: it agreed, its side set the "
        "agenda, and what it pays lands with it (0 to 1)",
        "hoeveel zeggenschap een raad ervaart over waaraan hij gebonden is: hij stemde in, zijn "
        "kant bepaalde de agenda en wat hij betaalt komt bij hem terecht (0 tot 1)",
    ),
    "ownership_mean": (
        "how much the municipalities feel the regional agenda is theirs (0 to 1)",
        "hoeveel de gemeenten de regionale agenda als de hunne voelen (0 tot 1)",
    ),
    "decision_lag_mean": (
        "how long a proposal takes, on average, before it is decided",
        "hoe lang een voorstel gemiddeld duurt voordat erover besloten is",
    ),
    "coalition_size_mean": (
        "how many municipalities take part in a joint project, on average (of seven)",
        "hoeveel gemeenten gemiddeld meedoen aan een gezamenlijk project (van de zeven)",
    ),
    "exits": (
        "how many times a municipality left the cooperation on a theme",
        "hoe vaak een gemeente uit de samenwerking op een thema stapte",
    ),
    "service_cost_per_inhabitant": (
        "what running the shared services (such as ICT, tax collection, youth care) costs per "
        "inhabitant per year",
        "wat de gedeelde uitvoering (zoals ICT, belastingen, jeugdzorg) per inwoner per jaar kost",
    ),
    "service_efficiency_gain": (
        "how much cheaper the shared services are than if each municipality ran them alone "
        "(0.03 = 3% cheaper; a negative value means dearer than alone)",
        "hoeveel goedkoper de gedeelde uitvoering is dan wanneer elke gemeente alles zelf deed "
        "(0,03 = 3% goedkoper; een negatieve waarde betekent duurder dan alleen)",
    ),
    "tailoring_fit": (
        "how well the services match what each municipality wants locally (0 to 1)",
        "hoe goed de uitvoering aansluit op wat elke gemeente lokaal wil (0 tot 1)",
    ),
    "transition_cost": (
        "the one-off cost of moving to new arrangements at the start: agreements, staff, systems",
        "de eenmalige kosten van de overstap naar nieuwe arrangementen aan het begin: afspraken, "
        "personeel, systemen",
    ),
    "binding_share": (
        "the share of joint projects that bind every member, whether it wants the project or not",
        "het deel van de gezamenlijke projecten dat alle leden bindt, of ze het willen of niet",
    ),
    "adopted": (
        "joint projects the municipalities decided to carry out",
        "gezamenlijke projecten waartoe de gemeenten besloten",
    ),
    "renegotiations": (
        "times a proposal went back to the table to be changed before a vote",
        "keren dat een voorstel terugging naar tafel om aangepast te worden voor een stemming",
    ),
    "defections": (
        "pledged payments a municipality did not make",
        "toegezegde betalingen die een gemeente niet deed",
    ),
    "defections_detected": (
        "withheld payments the others noticed",
        "ingehouden betalingen die de anderen opmerkten",
    ),
    "defections_recovered": (
        "withheld payments that were paid after all once the matter was escalated",
        "ingehouden betalingen die alsnog betaald werden nadat de zaak was opgeschaald",
    ),
    "c1_tailoring": (
        "criterion 1 of the 2020 assessment framework: services fit local wishes, projects "
        "involve those who want them",
        "criterium 1 van het afwegingskader van 2020: uitvoering past bij lokale wensen, "
        "projecten met wie ze wil",
    ),
    "c2_integration": (
        "criterion 2: municipalities carry out tasks together rather than apart",
        "criterium 2: gemeenten voeren taken samen uit in plaats van apart",
    ),
    "c3_flexibility": (
        "criterion 3: the share of projects not binding every member (scale fitted to the task)",
        "criterium 3: het deel van de projecten dat niet alle leden bindt (schaal naar de taak)",
    ),
    "c4_grip": (
        "criterion 4: felt grip and legitimacy of the councils together",
        "criterium 4: ervaren grip en legitimiteit bij de raden samen",
    ),
    "c5_execution": (
        "criterion 5: what was pledged is delivered, at the services' quality",
        "criterium 5: wat is toegezegd wordt geleverd, met de kwaliteit van de uitvoering",
    ),
    "c6_simplicity": (
        "criterion 6: few meeting hours per month against the busiest conceivable cycle",
        "criterium 6: weinig vergaderuren per maand tegenover de drukst denkbare cyclus",
    ),
    "c7_transition": (
        "criterion 7: a cheap transition per inhabitant against a fixed dear reference",
        "criterium 7: een goedkope overstap per inwoner tegenover een vaste dure maatstaf",
    ),
    "energy": (
        "time and will left for regional work at the end of the period (0 to 1)",
        "tijd en zin voor regionaal werk aan het eind van de periode (0 tot 1)",
    ),
    "legitimacy": (
        "how far its council accepts the regional cooperation at the end (0 to 1)",
        "in hoeverre de eigen raad de regionale samenwerking aan het eind aanvaardt (0 tot 1)",
    ),
    "trust_in": (
        "how much the other six trust this municipality at the end (0 to 1)",
        "hoeveel de andere zes deze gemeente aan het eind vertrouwen (0 tot 1)",
    ),
    "net_cost": (
        "what a municipality paid into joint projects minus the value it received from them",
        "wat een gemeente in gezamenlijke projecten stopte min de waarde die ze eruit kreeg",
    ),
}
"""What an outcome means, in a sentence a newcomer reads (English, Dutch): the glossary of the
what-if page (sim/present/whatif_glossary.py) and its tooltips. Keys are outcome keys; the
per-municipality outcomes that share a key with a regional one share its definition."""


def definition(key: str, lang: str) -> str | None:
    """An outcome's definition in `lang` ("en" or "nl"), or None where the catalogue has none."""
    found = DEFINITIONS.get(key)
    return None if found is None else found[1 if lang == "nl" else 0]
