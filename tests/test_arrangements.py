"""Each arrangement's rules on their own, and that arrangements are data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim import rules
from sim.config import load_arrangement_presets, load_scenario, scenario_from_dict
from sim.model import RegionModel
from sim.transition import transition
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
    ratios, shares = [1.0] * 7, [1 / 7] * 7
    # Two parties hold almost all votes: their stance decides, whatever the municipalities want.
    for stances, expected in (([3, 3, -3, -3, -3], True), ([-3, -3, 3, 3, 3], False)):
        model.parties.stance = stances
        model.parties.shares = [[0.5, 0.5, 0.0, 0.0, 0.0] for _ in members]
        outcomes = [
            model._party_vote(0, members, ratios, 1.0, shares, model.rules[0]) for _ in range(20)
        ]
        assert all(o == expected for o in outcomes)


def test_consensus_renegotiates_a_failed_proposal_then_drops_it():
    sc = variant("classic-gr", themes=("housing",))
    model = RegionModel(sc, seed=3)
    for m in model.municipalities:  # nobody wants it: every vote is no
        m.votes_yes = lambda *a, **k: False
    a = model.rules[0]
    model._decide(0, model.municipalities, 0, 0, 0)
    assert model.queue[0] == [(0, 1)] and model.renegotiations == 1
    model.queue[0].clear()
    model._decide(0, model.municipalities, 6, 0, a.renegotiation_rounds)
    assert model.queue[0] == [] and model.adopted == 0


def test_a_single_no_vetoes_under_unanimity():
    assert not rules.adopted([True] * 6 + [False], [1.0] * 7, 1.0, veto=True)
    assert rules.adopted([True] * 7, [1.0] * 7, 1.0, veto=True)


def test_provider_decides_what_it_offers_and_clients_opt_in():
    sc = variant("service-municipality", themes=("mobility",))
    model = RegionModel(sc, seed=4)
    centre = model.centre
    centre.votes_yes = lambda *a, **k: False
    model._decide(0, model.municipalities, 0, 0, 0)
    assert model.adopted == 0  # the provider did not offer it
    del centre.votes_yes
    for seed in range(30):
        model = RegionModel(sc, seed=seed)
        model.run()
        for p in model.projects:
            assert model.centre in p.members  # the provider always takes part
            assert len(p.members) < 7 or all(p.voted_yes)


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


def test_detected_defection_under_a_steering_room_triggers_escalation():
    for sanction, recovered in ((1.0, True), (0.0, False)):
        sc = variant(monitoring=1.0, sanction=sanction, themes=("mobility",))
        model = RegionModel(sc, seed=7)
        for m in model.municipalities:
            m.pays = lambda *a, **k: False  # everyone withholds
        for _ in range(36):
            model.step()
        rec = model.recorder
        assert rec.defections_total > 0
        assert rec.detected_total == rec.defections_total  # monitoring 1: every one is caught
        assert (rec.recovered_total == rec.detected_total) is recovered
        assert (rec.paid_total > 0) is recovered


def test_without_monitoring_nothing_is_detected():
    model = RegionModel(variant(themes=("mobility",)), seed=7).run()
    assert model.recorder.detected_total == 0 and model.recorder.defections_total > 0


def test_an_entry_fee_is_charged_on_late_entry():
    sc = variant("network", themes=("mobility",))
    for seed in range(50):
        model = RegionModel(sc, seed=seed)
        for _ in range(30):
            model.step()
            outside = [
                (p, m)
                for p in model.projects
                if p.instalments_done > 0
                for m in model.table_members("mobility")
                if m not in p.members
            ]
            if outside:
                break
        if outside:
            break
    p, entrant = outside[0]
    p.paid = list(p.due)  # on track
    p.spent = p.funded + sum(p.due)
    delivered = p.spent - p.funded
    for m in model.municipalities:
        m.joins_late = (lambda e: lambda *a, **k: e)(m is entrant)
        m.room = m.room_year = 10.0
    rooms = {m.index: m.room for m in model.municipalities}
    share = entrant.population / (sum(o.population for o in p.members) + entrant.population)
    fee = rules.late_entry_fee(share, delivered, p.arrangement.entry_fee)
    model._late_entries(p)
    assert entrant in p.members and p.mode[p.members.index(entrant)] == "late"
    assert entrant.room == pytest.approx(rooms[entrant.index] - fee)
    gained = sum(m.room - rooms[m.index] for m in p.members if m is not entrant)
    assert gained == pytest.approx(fee)
    assert sum(p.cost_share) == pytest.approx(1.0)


def test_base_fund_and_upkeep_are_paid_by_the_rule():
    model = RegionModel(variant("network", themes=("mobility",)), seed=1)
    model.step()
    pop = model.population
    assert model.upkeep_spent == pytest.approx(0.3 * pop / 1e6)
    assert model.base_fund + model.base_fund_granted == pytest.approx(0.5 * pop / 1e6)
    model = RegionModel(variant(themes=("mobility",)), seed=1)  # multiple-local
    model.step()
    payers = [m for m in model.municipalities if m.paid_dues > 0]
    assert payers == [model.centre]  # the programme sits in the centre's line


def test_rotating_chair_never_the_centre():
    model = RegionModel(variant("network", themes=("mobility",)), seed=1).run()
    chairs = []
    model = RegionModel(variant("network", themes=("mobility",)), seed=1)
    for _ in range(120):
        model.step()
        chairs.append(model.chair)
    assert model.centre not in chairs
    assert len(set(chairs)) == 6


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
    cost = lambda pop, pooled_t, own_t: rules.service_unit_cost(  # noqa: E731
        100.0, pop, 100_000, 0.2, pooled_t, own_t, 0.5
    )
    assert cost(300_000, 0, 0) < cost(100_000, 0, 0) < cost(20_000, 0, 0)
    assert cost(300_000, 0.3, 0) > cost(300_000, 0.0, 0)  # tailoring erodes shared scale
    assert cost(300_000, 0.3, 0.3) > cost(300_000, 0.3, 0.0)  # and is priced on top


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
            m.room = 10.0  # and can pay the fee
        model._elections(month)
        # Within the four-year moratorium nobody may leave; after it, they do.
        assert (model.exits > 0) is (month >= 48)


def test_a_service_leaver_runs_it_alone_and_leaves_stranded_cost_to_the_provider():
    data = {
        **base_scenario_dict("service-municipality"),
        "governance": {"social": "service-municipality"},
    }
    data.pop("previous_governance")
    model = RegionModel(scenario_from_dict(data), seed=1)
    for _ in range(12):
        model.step()
    leaver = model.municipalities[6]
    model._leave(leaver, "social", fee=0.0, month=12)
    before = {m.index: m.service_cost for m in model.municipalities}
    for _ in range(12):
        model.step()
    year = {m.index: m.service_cost - before[m.index] for m in model.municipalities}
    t = model.themes[0]
    alone = t.service_cost_per_inhabitant * (leaver.population / 100_000) ** -t.scale_elasticity
    assert year[leaver.index] == pytest.approx(alone * leaver.population / 1e6)
    service = model.services[0]
    assert service.stranded and model.centre.index not in {leaver.index}


def test_a_shared_body_goes_on_when_one_of_its_themes_has_lost_every_seat():
    for name in ("grd", "classic-gr"):
        data = {**load_scenario(name).model_dump(mode="json"), "previous_governance": {}}
        data["behaviour"] = {**data["behaviour"], "exit_legitimacy": 0.7}
        for seed in range(6):
            model = RegionModel(scenario_from_dict(data), seed=seed).run()
            assert model.exits > 0


def test_shared_bodies_are_grouped_by_rules_not_by_name():
    data = base_scenario_dict("grd")
    data.pop("previous_governance")
    data["arrangements"] = {"grd-copy": {"based_on": "grd", "label": "a copy"}}
    data["governance"] = {"mobility": "grd", "housing": "grd-copy", "economy": "grd-copy"}
    model = RegionModel(scenario_from_dict(data), seed=1)
    model.step()
    assert model.recorder.meeting_hours == 7 * 20.0  # one regional council


def test_late_entry_pays_no_fee_to_a_leaver_and_leaves_it_no_share():
    sc = variant("network", themes=("mobility",))
    for seed in range(60):
        model = RegionModel(sc, seed=seed)
        found = None
        for _ in range(30):
            model.step()
            for p in model.projects:
                outside = [m for m in model.table_members("mobility") if m not in p.members]
                if p.instalments_done > 0 and len(p.members) >= 3 and outside:
                    found = (p, outside[0])
                    break
            if found:
                break
        if found:
            break
    p, entrant = found
    leaver = p.members[1]
    model._leave(leaver, "mobility", fee=0.0, month=model.steps)
    p.paid = list(p.due)
    p.spent = p.funded + sum(p.due)
    for m in model.municipalities:
        m.joins_late = (lambda e: lambda *a, **k: e)(m is entrant)
        m.room = m.room_year = 10.0
    model._late_entries(p)
    assert entrant in p.members
    assert leaver.room == 10.0  # the leaver gets no part of the fee
    assert p.cost_share[p.members.index(leaver)] == 0.0
    assert p.benefit_share[p.members.index(leaver)] == 0.0
    assert sum(p.cost_share) == pytest.approx(1.0)


def test_service_quality_is_the_mean_over_services():
    series = RegionModel(load_scenario("dordrecht-service"), seed=0).run().recorder.columns
    assert series["service_quality"][0] < 1.0  # the social domain moves to the centre: a dip
