"""Decision rules: small pure functions, each naming the behaviour it models and its source.

The regional reports are cited by short keys (Conference 2020, Choice memo annexes 2020,
Common Eye 2024, Dordrecht 2020, PwC/Tilburg 2017), listed with their full titles in
docs/BACKGROUND.md, "Sources".
Scalars and plain Python on purpose: the lists are seven long, where numpy is slower.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoteWeights:
    """How a municipality weighs a proposal at the table (see vote_yes_utility)."""

    benefit: float
    norm: float
    stress: float
    council: float
    pressure: float


@dataclass(frozen=True, slots=True)
class DeliveryWeights:
    """How a municipality weighs paying a pledged instalment (see delivery_log_odds)."""

    pledge: float
    norm: float
    benefit: float
    stress: float
    council: float
    deterrence: float
    energy: float


def logistic(x: float) -> float:
    """Probability of a binary choice from a utility difference (random-utility logit)."""
    if x < -30.0:
        return 0.0
    if x > 30.0:
        return 1.0
    return 1.0 / (1.0 + math.exp(-x))


def _unit_gain(ratio: float) -> float:
    """Benefit per euro above break-even, clamped to [-1, 1] (conditionals: this is hot)."""
    x = ratio - 1.0
    return -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)


def willingness(kind: str, belief: float, slope: float) -> float:
    """Willingness to contribute given the belief that others contribute (0..1).

    Conditional cooperation: the contribution schedules of Fischbacher, Gächter & Fehr (2001),
    shares meta-analysed by Thöni & Volk (2018). Conditional cooperators are *imperfect*: they give
    somewhat less than they believe others give (`slope` < 1), which is why contributions decay
    in repeated public-goods games without punishment (Fischbacher & Gächter 2010). Free riders
    give nothing of their own accord; "triangle" (hump-shaped) contributors rise with others up
    to a half, then fall; the rest are modelled as indifferent (0.5).
    """
    if kind == "conditional":
        return slope * belief
    if kind == "free_rider":
        return 0.0
    if kind == "triangle":
        return 2.0 * belief if belief < 0.5 else 2.0 * (1.0 - belief)
    return 0.5


WILLINGNESS_FLOOR = 0.02
"""ASSUMPTION: no type's choice is certain; willingness is read as a probability within
[0.02, 0.98] (the lab's "free riders" too contribute now and then, Fischbacher & Gächter 2010)."""


def log_odds(p: float) -> float:
    """The log-odds of a probability, kept within the willingness floor (conditionals: hot)."""
    lo = WILLINGNESS_FLOOR
    p = lo if p < lo else (1.0 - lo if p > 1.0 - lo else p)
    return math.log(p / (1.0 - p))


def perceived_benefit(benefit: float, salience: float, concreteness: float) -> float:
    """The local benefit a municipality expects from a project.

    Salience weighs how much the theme matters locally (mean 0.5 gives weight 1); concreteness
    discounts vague agendas: "concrete projects with visible results attract commitment; vague
    broad agendas do not" (Common Eye 2024; docs/BACKGROUND.md, pattern 2).
    """
    return benefit * 2.0 * salience * concreteness


def benefit_shares(
    populations: Sequence[float], public_share: float, host: int | None
) -> list[float]:
    """Each member's share of a project's value.

    The public part spreads by population (a regional public good, e.g. a bike route); the
    distributive part lands with one host (housing: "hard to find the common denominator", Common
    Eye 2024), or outside the group when the host (None) is not a member.
    """
    total = float(sum(populations))
    out = [public_share * p / total for p in populations]
    if host is not None:
        out[host] += 1.0 - public_share
    return out


def cost_shares(
    populations: Sequence[float], allocation: str, benefits: Sequence[float] | None = None
) -> list[float]:
    """How an arrangement splits a project's cost among its participants.

    per_inhabitant: the GRD's and multiple-local's key (Choice memo annexes 2020); equal: one share
    per member; by_benefit: in proportion to each participant's share of the value ("by
    participation and benefit", the network model's project money, Common Eye 2024).
    """
    n = len(populations)
    if allocation == "equal":
        return [1.0 / n] * n
    if allocation == "by_benefit" and benefits is not None and sum(benefits) > 0:
        total = float(sum(benefits))
        return [b / total for b in benefits]
    total = float(sum(populations))
    return [p / total for p in populations]


def budget_stress(committed: float, room: float) -> float:
    """How much yearly regional obligations strain the year's regional room (capped at 2).

    1 means the pledges take the whole room. Budget stress strains solidarity: "doing it locally
    looks cheaper" in a downturn (Choice memo annexes 2020); overcommitment ("overpromise and
    underdeliver", Choice memo annexes 2020) shows up here too.
    """
    if room <= 0.0:
        return 2.0
    x = committed / room
    return x if x < 2.0 else 2.0


def council_pressure(autonomy: float, legitimacy: float) -> float:
    """Pressure from the council at home to withdraw (0..1).

    Councils want local control up front; executives are torn between regional commitment and
    legitimacy at home (Conference 2020, Choice memo annexes 2020). High autonomy preference and
    low felt grip push withdrawal.
    """
    return autonomy * (1.0 - legitimacy)


def vote_yes_utility(
    promised_ratio: float,
    trust_in_others: float,
    stress: float,
    pressure: float,
    external_pressure: float,
    weights: VoteWeights,
) -> float:
    """Utility of supporting a proposal at the table.

    A municipality weighs the local benefit the plan promises per euro of its own share (on
    paper, before concreteness discounts it), its trust that the others will deliver, the strain
    of its share on a year's room, its council's pressure, and the national pressure behind the
    theme (docs/ODD.md, section 7.4). Saying yes costs nothing yet: the local reckoning comes
    at delivery, which is why "much of what is agreed regionally never lands locally" (Common Eye
    2024).
    """
    w = weights
    return (
        w.benefit * _unit_gain(promised_ratio)
        + w.norm * (trust_in_others - 0.5)
        - w.stress * stress
        - w.council * pressure
        + w.pressure * external_pressure
    )


def delivery_log_odds(
    chosen: bool,
    willingness: float,
    benefit_ratio: float,
    stress: float,
    pressure: float,
    deterrence: float,
    energy: float,
    weights: DeliveryWeights,
    noise: float,
) -> float:
    """Log-odds of paying a pledged instalment rather than withholding it.

    The contribution schedule is the core: with every other weight at zero a member pays with
    probability equal to its willingness (:func:`willingness`), as the schedules elicited by
    Fischbacher, Gächter & Fehr (2001) describe; `weights.norm` scales how strongly it holds.
    Every other consideration shifts the odds, in utility units divided by the choice noise
    (random-utility logit). A pledge the municipality chose itself carries weight of its own
    ("afspraak is afspraak", Choice memo annexes 2020); one imposed against its vote does not:
    people cooperate more under a rule they chose than under the same rule imposed (Dal Bó,
    Foster & Putterman 2010). The local benefit per euro pulls toward paying; budget stress and
    council pressure pull toward the "withdrawing movement" ("as soon as cooperation asks for a
    real investment or touches local interest we make a withdrawing movement", Common Eye 2024);
    expected sanction (monitoring x response) deters withholding (Fehr & Gächter 2000); low
    energy ("energielek", Common Eye 2024) makes delivery harder.
    """
    w = weights
    u = (
        (w.pledge if chosen else 0.0)
        + w.benefit * _unit_gain(benefit_ratio)
        - w.stress * stress
        - w.council * pressure
        + w.deterrence * deterrence
        + w.energy * (energy - 1.0)
    )
    return w.norm * log_odds(willingness) + u / noise


def adopted(votes: Sequence[bool], weights: Sequence[float], threshold: float, veto: bool) -> bool:
    """Whether a table adopts a proposal: weighted yes share reaches the threshold, no veto used.

    Vote weights are the arrangement's (equal, or by population as in the Drechtraad, Choice memo
    annexes 2020).
    """
    if veto and not all(votes):
        return False
    total = sum(weights)
    yes = sum(w for v, w in zip(votes, weights, strict=True) if v)
    return total > 0 and yes / total >= threshold - 1e-12


def trust_update(trust: float, seen: float, gain: float, loss: float) -> float:
    """Trust as a learned belief: the estimate of how reliably a partner delivers.

    Belief learning in repeated public-goods games: a belief about others' contributions moves
    part of the way toward what was just observed (an exponentially weighted average of the
    record; Fischbacher & Gächter 2010 estimate beliefs as a weighted average of the previous
    belief and others' last contributions). It moves faster after a disappointment than after a
    kept promise (the asymmetry principle, Slovic 1993): by `loss` of the distance when the
    partner delivered less than believed, by `gain` when at least as much. Under a steady
    delivery rate trust therefore settles, at a level that rises with that rate (somewhat below
    it when delivery varies, since shortfalls weigh more); it falls only when delivery falls
    short of it. Trust grows through shared experiences and small wins and is damaged by broken
    agreements ("afspraak is afspraak", Choice memo annexes 2020, Common Eye 2024).
    """
    rate = gain if seen >= trust else loss
    return trust + rate * (seen - trust)


def felt_grip(chose: bool, sets_agenda: bool, value_share: float, cost_share: float) -> float:
    """Input legitimacy of one new obligation: how much say the municipality had in it (0..1).

    Grip is more than consent. The 2020 assessment framework (owner versus client versus
    partner, Choice memo annexes 2020) and Dordrecht's own letter (Dordrecht 2020) put say over
    the agenda at its heart, and the multiple-local practice shows what its absence does ("the
    programme sits in Dordrecht's line", "Dordrecht pushes, others hang", Common Eye 2024). So a
    council weighs three things equally (ASSUMPTION on the weights): whether it said yes to the
    obligation; whether its side set the agenda that brought it (it prepared it, or the agenda
    is prepared jointly by all owners); and whether what it pays for lands with it (its share of
    the value against its share of the cost, capped at 1), since an agenda-setter's priorities
    show in where the distributive value goes.
    """
    landing = value_share / cost_share if cost_share > 0.0 else 1.0
    consent = 1.0 if chose else 0.0
    agenda = 1.0 if sets_agenda else 0.0
    return (consent + agenda + (landing if landing < 1.0 else 1.0)) / 3.0


def energy_after(energy: float, load: float, recovery: float) -> float:
    """Energy after a month: drained by irrelevant meeting load, recovering toward 1.

    "Slaves of our own meeting cycle", the "energielek" of irrelevant tables (Common Eye 2024).
    `load` is the month's irrelevant meeting hours as a share of official capacity.
    """
    e = energy + recovery * (1.0 - energy) - min(1.0, load) * energy
    return 0.0 if e < 0.0 else (1.0 if e > 1.0 else e)


def legitimacy_after(legitimacy: float, grip: float, results: float, rate: float) -> float:
    """Council satisfaction after a month: moves toward the mean of felt grip and visible results.

    Input legitimacy (a say up front) and output legitimacy (visible results), Bijlage 4 of 001.
    """
    target = 0.5 * (grip + results)
    return legitimacy + rate * (target - legitimacy)


def leaves(legitimacy: float, threshold: float, fee: float, room: float, allowed: bool) -> bool:
    """Whether a council takes its municipality out at an evaluation moment (an election).

    Low legitimacy feeds exit at evaluation moments (docs/BACKGROUND.md); the exit fee must be
    payable.
    """
    return allowed and legitimacy < threshold and fee <= room


def party_group_utility(stance: float, municipal_utility: float, discipline: float) -> float:
    """How a party group in a regional council weighs its party line against local interest.

    In the Drechtraad politics ran "along party lines rather than per municipality" (Choice memo
    annexes 2020): with discipline 1 a group votes its party's regional stance, with 0 its
    municipality's interest.
    """
    return discipline * stance + (1.0 - discipline) * municipal_utility


def participation_mode(u_full: float, u_solidarity: float | None, noise: float, u: float) -> str:
    """Choose full participation, a solidarity payment, or none (multinomial logit, none = 0).

    The network model's participation modes (Common Eye 2024): "skin in the game", pay but don't
    take part, or stay informed only. `u_solidarity` is None where the arrangement does not offer
    it; `u` is a uniform draw in [0, 1), compared with the options' cumulative weights in the
    order none, full, solidarity.
    """
    top = u_full if u_full > 0.0 else 0.0  # the largest utility, for exp without overflow
    if u_solidarity is not None and u_solidarity > top:
        top = u_solidarity
    w_none = math.exp(-top / noise)
    w_full = math.exp((u_full - top) / noise)
    if u_solidarity is None:
        return "none" if u * (w_none + w_full) < w_none else "full"
    w_sol = math.exp((u_solidarity - top) / noise)
    x = u * (w_none + w_full + w_sol)
    if x < w_none:
        return "none"
    return "full" if x < w_none + w_full else "solidarity"


def weighted_index(weights: Sequence[float], u: float) -> int:
    """Index drawn with probability proportional to its weight, given a uniform `u` in [0, 1)."""
    x = u * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1


def fits_budget(committed: float, extra: float, room: float) -> bool:
    """A voluntary pledge must fit the year's regional room (a municipality budgets what it
    promises); an obligation imposed by a binding decision need not, which is how "overpromise
    and underdeliver" (Choice memo annexes 2020) arises."""
    return committed + extra <= room


def on_track(paid: float, due: float, threshold: float) -> bool:
    """A running project delivers what falls due: the sign that attracts late entrants (Common Eye
    2024)."""
    return due > 0.0 and paid / due >= threshold


def late_entry_fee(share: float, delivered: float, premium: float) -> float:
    """What a late entrant pays the members already in: its share of what they have delivered,
    plus a premium (the network model's entry fee, Common Eye 2024)."""
    return share * delivered * (1.0 + premium)


def tailoring_demand(autonomy: float, salience: float) -> float:
    """How much of a service a municipality wants tailored (0..1).

    Councils that value autonomy and care about the theme want their own settings (Choice memo
    annexes 2020: local policy deviation or local settings of one policy).
    """
    return autonomy * salience


def tailoring_provided(demand: float, rule: str, cap: float) -> float:
    """Tailoring an execution organisation provides under the arrangement's tailoring rule.

    none: one size fits all (GRD, Choice memo annexes 2020); capped: a basic package with tailored
    agreements on top up to a cap (about 80/20, Choice memo annexes 2020); a_la_carte: whatever the
    client orders (the "cafeteria model", Choice memo annexes 2020).
    """
    if rule == "none":
        return 0.0
    if rule == "capped":
        return min(demand, cap)
    return demand


def scale_factor(population: float, efficient_scale: float, elasticity: float) -> float:
    """Unit cost of a service run at `population`, relative to its cost at efficient scale.

    Dutch evidence finds average-cost curves that fall with scale for small municipalities and
    flatten out: tax departments of about 10,000 inhabitants are up to 30% inefficient and the
    benefits of scaling are "largely exhausted" at 60,000 (Niaounakis & Blank 2017); the optimum
    for general administration lies around 49,000 to 66,000 inhabitants (Bikker & van der Linde
    2016). So cost ~ population ** -elasticity up to `efficient_scale` and flat beyond it.
    """
    if population >= efficient_scale:
        return 1.0
    return (max(1.0, population) / efficient_scale) ** (-elasticity)


def service_unit_cost(
    base: float,
    pooled_population: float,
    own_population: float,
    efficient_scale: float,
    elasticity: float,
    pooled_tailoring: float,
    own_tailoring: float,
    price: float,
) -> float:
    """Yearly cost per inhabitant of a shared service to one member.

    The basic package, the member's untailored part, shares the scale (:func:`scale_factor`) of
    the pool's untailored volume ("six different policies would destroy the efficiency", Choice
    memo annexes 2020, Bijlage 4). The tailored part, the service agreement on top of the basic
    package ("80% hetzelfde en daarnaast DVO voor 20% maatwerk", Bijlage 3), is work for this
    member alone: it has the scale of the member's own volume, so it costs what it would cost
    the member running it alone. So a deviation "leads to extra costs" (Bijlage 3) for a member
    below the efficient scale, the one who asks pays them ("Je bepaalt en betaalt wat je
    haalt", Conference 2020), and the rest keeps the shared execution's cost advantages
    ("te behalen kostenvoordelen blijven nagenoeg hetzelfde", Bijlage 5); a member that tailors
    everything pays what going alone costs. `price`: an extra on the tailored part beyond its
    cost at the member's own scale (ASSUMPTION; 0 in the presets, no source names one).
    """
    standard = scale_factor(
        pooled_population * (1.0 - pooled_tailoring), efficient_scale, elasticity
    )
    own = scale_factor(own_population, efficient_scale, elasticity) * (1.0 + price)
    return base * ((1.0 - own_tailoring) * standard + own_tailoring * own)


def tailoring_fit(demand: float, provided: float) -> float:
    """How well a service fits local wishes: 1 minus the unmet tailoring (maatwerk, Choice memo
    annexes 2020)."""
    return 1.0 - max(0.0, demand - provided)


# --- relations: ownership, sincerity, conversation, images, repair (docs/ODD.md, 7.13) -------


def ownership_after(ownership: float, experience: float, rate: float) -> float:
    """A municipality's ownership of a theme after one experience of it (0..1).

    Psychological ownership grows along three routes: control over the target, knowing it
    intimately and investing oneself in it (Pierce, Kostova & Dirks 2003). The model sees two
    of them: the say a municipality had in a new obligation (its felt grip: consent, the agenda,
    where the value lands, :func:`felt_grip`) and a result that landed with it; a decision made
    over its head pulls ownership down, as a rule imposed undermines the motivation a rule voted
    for builds (DeCaro, Janssen & Lee 2015). Each experience moves ownership `rate` of the way
    ("ben je eigenaar of niet en wil je dat zijn of niet?", the case session of 6 October 2020,
    Choice memo annexes 2020, Bijlage 3).
    """
    return ownership + rate * (experience - ownership)


def owner_utility(ownership: float, weight: float) -> float:
    """What owning a theme adds to the choice to pay for it: positive above 0.5 (an owner
    defends the work at home and delivers), negative below (a client waits to be served).
    Linear, and small by default (ASSUMPTION): the one behavioural test found no link
    (Mayhew et al. 2007); the sign follows DeCaro, Janssen & Lee (2015)."""
    return weight * (ownership - 0.5)


OPEN_INSINCERITY = 0.05
"""The share of yes-votes without intent that remains right after an honest conversation: in
the Indiana commons experiments with repeated face-to-face talk, participants went beyond the
agreement in 5% of cases (Ostrom, Walker & Gardner 1992, as reported by Anderies & Janssen 2013,
p. 96)."""


def insincere_chance(base: float, talk: float, ownership: float) -> float:
    """The chance that a yes at the table is said without the intent to deliver.

    Most people keep a costly promise, but not all: 61-98% across studies (Woike & Kanngiesser
    2019), so `base` (the culture's) lies in 0.02-0.39. An honest conversation, in which each
    member says where its interest and enthusiasm lie ("neem met halfslachtige antwoorden geen
    genoegen", Common Eye 2024), brings it down toward :data:`OPEN_INSINCERITY` as far as its
    effect still holds (`talk`, 0..1, :func:`talk_in_effect`); an owner rarely says yes without
    meaning it, a client more often (ASSUMPTION: linear in ownership, neutral at 0.5).
    """
    floor = OPEN_INSINCERITY if base > OPEN_INSINCERITY else base
    p = (base - talk * (base - floor)) * 2.0 * (1.0 - ownership)
    return 0.0 if p < 0.0 else (1.0 if p > 1.0 else p)


def talk_in_effect(months_since: int | None, half_life: float) -> float:
    """How much of an honest conversation's effect still holds (1 just after, 0 without one).

    Communication raises cooperation strongly (Balliet 2010); the effect survives the end of
    talk for a while, then fades back (Bershadskyy 2023): here by half every `half_life` months
    (ASSUMPTION on the form and the rate).
    """
    if months_since is None:
        return 0.0
    return 0.5 ** (months_since / half_life)


def seen_through_image(seen: float, image: float) -> float:
    """What a member makes of a partner's delivery, judged through its image of that partner:
    the "Dordtse arrogantie" judges the centre's delivery worse than it was, its mirror the
    small members' (Choice memo annexes 2020; both sides feel the underdog, and "examples that
    confirm the image stick more than those that do not fit it", PwC/Tilburg 2017)."""
    x = seen - image
    return 0.0 if x < 0.0 else x


def image_after_contact(image: float, rate: float) -> float:
    """An image after one contact with the other side that evidence can correct (an honest
    conversation, a forum sitting): contact reduces prejudice (Pettigrew & Tropp 2006), and
    "discussing this mechanism openly is an important first step" (PwC/Tilburg 2017); slowly
    (`rate` an ASSUMPTION: no source gives one per contact)."""
    return image * (1.0 - rate)


def forgives(explained: bool, sincere: bool, p_explained: float, p_unexplained: float) -> float:
    """The chance that a forum on the quality of the cooperation forgives a breach.

    An explanation for a breach restores trust, an apology alone does not (Lei, Masclet & Vesely
    2014); people forgive a first breach more often than not and a repeated one rarely
    (Fudenberg, Rand & Dreber 2012). A breach of a pledge never meant is deception, after which
    trust "never fully recovers" (Schweitzer, Hershey & Bradlow 2006): not forgiven.
    """
    if not sincere:
        return 0.0
    return p_explained if explained else p_unexplained
