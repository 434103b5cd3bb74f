"""Each arrangement's rules on their own, and that arrangements are data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import rules
from sim.model.config import load_arrangement_presets, load_scenario, scenario_from_dict
from sim.model.model import RegionModel
from sim.model.phases import coalitions, politics, tables
from sim.model.services import STRANDED_SHARE, SharedService
from sim.model.transition import transition
from tests.conftest import ROOT, base_scenario_dict, variant

PRESETS = list(load_arrangement_presets())


def test_no_code_reads_an_arrangement_name():
    """Outcomes may follow from rules only: no string literal in sim/ or agents/ names a preset."""
    names = "|".join(re.escape(n) for n in PRESETS)
    pattern = re.compile(rf"""["']({names})["']""")
    for folder in ("sim", "agents"):
        for path in (ROOT / folder).rglob("*.py"):
            hits = pattern.findall(Path(path).read_text())
            assert not hits, f"{path} names arrangement(s) {hits}"


def test_every_preset_is_a_complete_rule_set():
    for name, a in load_arrangement_presets().items():
        assert a.label and a.label_nl, name
        if a.participation == "opt_in":
            assert "full" in a.modes


def test_party_lines_decide_by_party_stance_weighted_by_votes():
    sc = variant("grd", party_discipline=1.0)
    model = RegionModel(sc, seed=1)
    members = model.municipalities
    # Two parties hold all votes: their stance decides, whatever the municipalities want.
    for stances, local, expected in (
        ([3, 3, -3, -3, -3], -3.0, True),
        ([-3, -3, 3, 3, 3], 3.0, False),
    ):
        model.parties.stance = stances
        model.parties.shares = [[0.5, 0.5, 0.0, 0.0, 0.0] for _ in members]
        outcomes = [
            tables.party_vote(model.parties, members, [local] * 7, 1.0, 0.5, 0.5, model.random)
            for _ in range(20)
        ]
        assert all(o == expected for o in outcomes)
    # With no discipline the municipalities' own interest decides instead.
    local_only = [
        tables.party_vote(model.parties, members, [3.0] * 7, 0.0, 0.5, 0.5, model.random)
        for _ in range(20)
    ]
    assert all(local_only)


NOBODY_WANTS_IT = {"weight_council": 10.0, "initial_legitimacy": 0.0, "exit_legitimacy": 0.0}


def test_consensus_renegotiates_a_failed_proposal_then_drops_it():
    sc = variant("classic-gr", themes=("housing",))
    data = sc.model_dump(mode="json")
    data["behaviour"] = {**data["behaviour"], **NOBODY_WANTS_IT, "choice_noise": 0.1}
    model = RegionModel(scenario_from_dict(data), seed=3).run()
    rounds = model.theme("housing").arrangement.renegotiation_rounds
    events = model.recorder.event_rows
    renegotiated = [e["value"] for e in events if e["event"] == "proposal_renegotiated"]
    rejected = [e for e in events if e["event"] == "proposal_rejected"]
    assert model.recorder.adopted == 0 and rejected
    # Each proposal returns `rounds` times, then is dropped (the last may still be queued).
    assert set(renegotiated) == set(range(1, rounds + 1))
    assert len(rejected) <= renegotiated.count(rounds) <= len(rejected) + 1


def test_a_single_no_vetoes_under_unanimity():
    assert not rules.adopted([True] * 6 + [False], [1.0] * 7, 1.0, veto=True)
    assert rules.adopted([True] * 7, [1.0] * 7, 1.0, veto=True)


def test_provider_decides_what_it_offers_and_clients_opt_in():
    sc = variant("service-municipality", themes=("mobility",))
    model = RegionModel(sc, seed=4)
    theme, munis, centre = model.theme("mobility"), model.municipalities, model.centre
    t = coalitions.terms(theme, munis, 1.0, centre)
    for centre_says in (True, False):
        votes = [not centre_says if m is not centre else centre_says for m in munis]
        proposal = tables.Proposal(theme, munis, 1.0, centre, t, votes)
        assert tables.DECISIONS["provider"](model, proposal) is centre_says
    for seed in range(30):
        model = RegionModel(sc, seed=seed)
        model.run()
        for p in model.projects:
            assert model.centre in p.member_municipalities  # the provider always takes part
            assert all(ms.chose for ms in p.members)  # clients chose to buy


def test_bilateral_account_meetings_put_the_provider_at_every_one():
    sc = variant("service-municipality", themes=("mobility",))
    model = RegionModel(sc, seed=2)
    model.step()  # month 0: account meetings
    assert model.recorder.meeting_hours == 2 * 6 * 6.0  # provider and client, six clients


def test_shared_table_scope_meets_once_for_all_its_themes():
    sc = variant("grd", themes=("mobility", "housing", "economy"))
    model = RegionModel(sc, seed=2)
    model.step()
    assert model.recorder.meeting_hours == 7 * 20.0  # one regional council, not three tables


EVERYONE_WITHHOLDS = {
    "type_shares": {"free_rider": 1.0, "conditional": 0.0, "triangle": 0.0, "other": 0.0},
    "weight_norm": 10.0,
    "weight_pledge": 0.0,
    "weight_deterrence": 0.0,
    "choice_noise": 0.1,
}


def test_detected_defection_under_a_steering_room_triggers_escalation():
    for sanction, recovered in ((1.0, True), (0.0, False)):
        sc = variant(monitoring=1.0, sanction=sanction, themes=("mobility",))
        data = sc.model_dump(mode="json")
        data["behaviour"] = {**data["behaviour"], **EVERYONE_WITHHOLDS}
        model = RegionModel(scenario_from_dict(data), seed=7)
        for _ in range(12):  # the first year, while rooms can pay what escalation recovers
            model.step()
        rec = model.recorder
        assert rec.defections_total > 0
        assert rec.detected_total == rec.defections_total  # monitoring 1: every one is caught
        assert (rec.recovered_total == rec.detected_total) is recovered
        assert (rec.paid_total > 0) is recovered


def test_without_monitoring_nothing_is_detected():
    model = RegionModel(variant(themes=("mobility",)), seed=7).run()
    assert model.recorder.detected_total == 0 and model.recorder.defections_total > 0


def running_project_with_outsider(sc, seeds=60, members=2):
    """A running network project, some instalments in, with a seated municipality outside."""
    for seed in range(seeds):
        model = RegionModel(sc, seed=seed)
        mobility = model.theme("mobility")
        for _ in range(30):
            model.step()
            for p in model.projects:
                outside = [m for m in model.table_members(mobility) if p.membership(m) is None]
                if p.instalments_done > 0 and len(p.members) >= members and outside:
                    return model, p, outside[0]
    raise AssertionError("no running project with an outsider")


def test_an_entry_fee_is_charged_on_late_entry():
    model, p, entrant = running_project_with_outsider(variant("network", themes=("mobility",)))
    for m in model.municipalities:
        m.account.room = m.account.room_year = 10.0
    rooms = {m.index: m.account.room for m in model.municipalities}
    delivered = p.spent - p.funded
    share = entrant.population / (
        sum(ms.municipality.population for ms in p.members) + entrant.population
    )
    fee = rules.late_entry_fee(share, delivered, p.theme.arrangement.entry_fee)
    coalitions.admit_late(model, p, entrant, fee)
    ms = p.membership(entrant)
    assert ms is not None and ms.mode == "late"
    assert entrant.account.room == pytest.approx(rooms[entrant.index] - fee)
    paid = {o.municipality.index: o.paid for o in p.members if o is not ms}
    for o in p.members:  # the fee goes to those who paid, in proportion to what they paid
        if o is not ms:
            expected = fee * paid[o.municipality.index] / sum(paid.values())
            assert o.municipality.account.room - rooms[o.municipality.index] == pytest.approx(
                expected
            )
    assert sum(o.cost_share for o in p.members) == pytest.approx(1.0)
    assert model.network.has_edge(entrant.index, p.node)


def test_base_fund_and_upkeep_are_paid_by_the_rule():
    model = RegionModel(variant("network", themes=("mobility",)), seed=1)
    model.step()
    pop = model.population
    ledger = model.ledger
    assert ledger.upkeep_spent == pytest.approx(0.3 * pop / 1e6)
    assert ledger.base_fund + ledger.base_fund_granted == pytest.approx(0.5 * pop / 1e6)
    model = RegionModel(variant(themes=("mobility",)), seed=1)  # multiple-local
    model.step()
    payers = [m for m in model.municipalities if m.account.paid_dues > 0]
    assert payers == [model.centre]  # the programme sits in the centre's line


def test_rotating_chair_never_the_centre():
    model = RegionModel(variant("network", themes=("mobility", "housing")), seed=1)
    chairs = []
    for _ in range(120):
        model.step()
        chairs.append(tuple(body.chair for body in model.bodies))
    assert all(len(set(c)) == 1 for c in chairs)  # each body has its own chair, in step
    assert model.centre not in {c[0] for c in chairs}
    assert len({c[0] for c in chairs}) == 6
    other = RegionModel(variant("multiple-local", themes=("mobility",)), seed=1)
    other.step()
    assert other.bodies[0].chair is None  # the centre's line sets this agenda: no chair


@pytest.mark.parametrize(
    ("rule", "cap", "demand", "expected"),
    [
        ("none", 0.0, 0.4, 0.0),
        ("capped", 0.2, 0.4, 0.2),
        ("capped", 0.2, 0.1, 0.1),
        ("a_la_carte", 1.0, 0.4, 0.4),
    ],
)
def test_tailoring_rules(rule, cap, demand, expected):
    assert rules.tailoring_provided(demand, rule, cap) == expected


def test_scale_economies_and_the_price_of_tailoring():
    cost = lambda pop, own, pooled_t, own_t: rules.service_unit_cost(  # noqa: E731
        100.0, pop, own, 60_000, 0.2, pooled_t, own_t, 0.0
    )
    assert cost(60_000, 0, 0, 0) < cost(40_000, 0, 0, 0) < cost(20_000, 0, 0, 0)
    assert cost(300_000, 0, 0, 0) == cost(60_000, 0, 0, 0) == 100.0  # exhausted at scale
    assert cost(60_000, 20_000, 0.3, 0) > cost(60_000, 20_000, 0.0, 0)  # erodes shared scale
    # A small member's tailored part costs what it costs at its own scale (extra, Bijlage 3);
    # a member at efficient scale tailors at no extra cost
    assert cost(300_000, 20_000, 0.2, 0.2) > cost(300_000, 20_000, 0.2, 0.0)
    assert cost(300_000, 120_000, 0.2, 0.2) == cost(300_000, 120_000, 0.2, 0.0)
    # Tailoring everything costs exactly what going alone costs
    alone = 100.0 * rules.scale_factor(20_000, 60_000, 0.2)
    assert cost(300_000, 20_000, 1.0, 1.0) == pytest.approx(alone)
    # An extra price on the tailored part (none in the presets) comes on top
    priced = rules.service_unit_cost(100.0, 300_000, 20_000, 60_000, 0.2, 0.2, 0.2, 0.5)
    assert priced > cost(300_000, 20_000, 0.2, 0.2)
    # Niaounakis & Blank (2017): a department of 10,000 is up to 30% dearer than at 60,000;
    # elasticity 0.2 gives 1.43 x, 0.15 gives 1.31 x
    assert rules.scale_factor(10_000, 60_000, 0.15) == pytest.approx(1.31, abs=0.01)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1_000, 200_000), min_size=2, max_size=9),
    st.floats(0.0, 1.0),
    st.floats(0.0, 0.4),
    st.floats(10_000, 100_000),
)
def test_a_capped_pool_keeps_the_untailored_share_of_the_gain(pops, cap, elasticity, scale):
    """Every member tailoring the same share t at no extra price: where the pool's untailored
    volume still reaches the efficient scale, the pool saves (1 - t) of what one size for all
    saves and no member pays more than alone; tailoring everything costs what going alone
    costs (Choice memo annexes 2020, Bijlage 3, 4 and 5)."""
    total = sum(pops)

    def unit(p: int, t: float) -> float:
        return rules.service_unit_cost(1.0, total, p, scale, elasticity, t, t, 0.0)

    alone = [rules.scale_factor(p, scale, elasticity) for p in pops]
    for p, a in zip(pops, alone, strict=True):
        assert unit(p, 1.0) == pytest.approx(a, rel=1e-12)
    if total * (1 - cap) >= scale:
        assert all(unit(p, cap) <= a + 1e-12 for p, a in zip(pops, alone, strict=True))
        local = sum(a * p for a, p in zip(alone, pops, strict=True))
        one_size = 1 - sum(unit(p, 0.0) * p for p in pops) / local
        capped = 1 - sum(unit(p, cap) * p for p in pops) / local
        assert capped == pytest.approx((1 - cap) * one_size, abs=1e-12)


def test_transition_cost_follows_what_changes():
    presets = load_arrangement_presets()
    grd = presets["grd"]
    same = transition(grd, grd, True, 295_000, 30.0, 7)
    assert same.cost == 0.0 and same.months == 0
    gr = transition(grd, presets["classic-gr"], True, 295_000, 30.0, 7)
    centre = transition(grd, presets["service-municipality"], True, 295_000, 30.0, 7)
    assert centre.cost > gr.cost and centre.months > gr.months and centre.dip > gr.dip == 0.0


def test_exit_moratorium_and_exit_from_a_service():
    sc = load_scenario("service-municipality")
    model = RegionModel(sc, seed=1)
    for month in (14, 50):
        for m in model.municipalities:
            m.legitimacy = 0.0  # councils that want out
            m.account.room = 10.0  # and can pay the fee
        politics.elections(model, month)
        # Within the four-year moratorium nobody may leave; after it, they do.
        assert (model.recorder.exits > 0) is (month >= 48)


@pytest.mark.parametrize(
    ("preset", "bearers"), [("service-municipality", "centre"), ("classic-gr", "owners")]
)
def test_a_service_leaver_runs_it_alone_and_leaves_stranded_cost_to_those_who_decide(
    preset, bearers
):
    data = {**base_scenario_dict(preset), "governance": {"social": preset}}
    data.pop("previous_governance")
    model = RegionModel(scenario_from_dict(data), seed=1)
    for _ in range(12):
        model.step()
    social = model.theme("social")
    leaver = model.municipalities[6]
    politics.leave(model, leaver, social, fee=0.0, month=12)
    service = model.services[0]
    seated = model.table_members(social)

    def year_costs(pooled_before: set[int]) -> dict[int, float]:
        """Each municipality's service cost for year 1, given who was in the pool before."""
        twin = SharedService(social)
        twin.pooled_before = set(pooled_before)
        before = {m.index: m.account.service_cost for m in model.municipalities}
        twin.year(1, seated, model.municipalities, model.centre, 1.0)
        return {m.index: m.account.service_cost - before[m.index] for m in model.municipalities}

    stayed = year_costs({m.index for m in seated})
    left = year_costs({m.index for m in seated} | {leaver.index})
    extra = {i: left[i] - stayed[i] for i in left}
    t = social.character
    alone = t.service_cost_per_inhabitant * rules.scale_factor(
        leaver.population, t.efficient_scale, t.scale_elasticity
    )
    assert left[leaver.index] == pytest.approx(alone * leaver.population / 1e6)  # runs it alone
    pool = sum(m.population for m in seated)
    unit = t.service_cost_per_inhabitant * rules.scale_factor(
        pool, t.efficient_scale, t.scale_elasticity
    )
    stranded = STRANDED_SHARE * unit * leaver.population / 1e6
    assert sum(extra.values()) == pytest.approx(stranded)
    payers = [model.centre] if bearers == "centre" else seated
    pop = sum(m.population for m in payers)
    for m in model.municipalities:
        expected = stranded * m.population / pop if m in payers else 0.0
        assert extra[m.index] == pytest.approx(expected, abs=1e-12)
    assert service.theme is social


def test_a_shared_body_goes_on_when_one_of_its_themes_has_lost_every_seat():
    for name in ("grd", "classic-gr"):
        data = {**load_scenario(name).model_dump(mode="json"), "previous_governance": {}}
        data["behaviour"] = {**data["behaviour"], "exit_legitimacy": 0.7}
        for seed in range(6):
            model = RegionModel(scenario_from_dict(data), seed=seed).run()
            assert model.recorder.exits > 0


def test_shared_bodies_are_grouped_by_rules_not_by_name():
    data = base_scenario_dict("grd")
    data.pop("previous_governance")
    data["arrangements"] = {"grd-copy": {"based_on": "grd", "label": "a copy"}}
    data["governance"] = {"mobility": "grd", "housing": "grd-copy", "economy": "grd-copy"}
    model = RegionModel(scenario_from_dict(data), seed=1)
    model.step()
    assert model.recorder.meeting_hours == 7 * 20.0  # one regional council


def test_late_entry_pays_no_fee_to_a_leaver_and_leaves_it_no_share():
    model, p, entrant = running_project_with_outsider(
        variant("network", themes=("mobility",)), members=3
    )
    leaver = p.members[1].municipality
    politics.leave(model, leaver, p.theme, fee=0.0, month=model.steps)
    for m in model.municipalities:
        m.account.room = m.account.room_year = 10.0
    coalitions.admit_late(model, p, entrant, fee=0.5)
    gone = p.membership(leaver)
    assert p.membership(entrant) is not None
    assert leaver.account.room == 10.0  # the leaver gets no part of the fee
    assert gone.cost_share == 0.0 and gone.value_share == 0.0
    assert sum(ms.cost_share for ms in p.members) == pytest.approx(1.0)


def test_service_quality_is_the_mean_over_services():
    model = RegionModel(load_scenario("dordrecht-service"), seed=0).run()
    series = model.recorder.columns["service_quality"]
    dips = [model.transitions[s.theme.index] for s in model.services]
    assert len(dips) == 2 and any(t.dip > 0 for t in dips) and any(t.dip == 0 for t in dips)
    for month, quality in enumerate(series):
        year_start = month - month % 12  # judged once a year, at the budget year
        expected = [
            1.0 - (t.dip * max(0.0, 1.0 - year_start / t.months) if t.months else 0.0) for t in dips
        ]
        assert quality == pytest.approx(sum(expected) / len(expected))
    assert series[0] < 1.0 and series[-1] == 1.0
