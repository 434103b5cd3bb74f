"""The model as a whole: invariants, the network, regions, and the outputs."""

from __future__ import annotations

import math

import pytest

from sim.model.config import list_scenarios, load_scenario, scenario_from_dict
from sim.model.model import RegionModel
from sim.model.network import trust_network
from sim.model.phases import politics
from sim.model.region import synthetic_region
from tests.conftest import base_scenario_dict, variant

SHOCKED = {"shocks": [{"month": 30, "cut": 0.6, "months": 30}], "shock_probability": 0.3}


def stepped(scenario, seed):
    """Run month by month, yielding the model after each step."""
    model = RegionModel(scenario, seed=seed)
    for _ in range(scenario.months):
        model.step()
        yield model


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("preset", list_scenarios())
def test_invariants_hold_every_month_in_every_preset(preset, seed):
    scenario = scenario_from_dict(
        {**load_scenario(preset).model_dump(mode="json"), "shock_probability": 0.5}
    )
    for model in stepped(scenario, seed):
        check_invariants(model)


def check_invariants(model):
    for m in model.municipalities:
        assert m.account.room >= -1e-9, "a regional budget went negative"
        trusts = [m.trust_of(o.index) for o in model.municipalities if o is not m]
        assert all(0.0 <= t <= 1.0 for t in trusts)
        assert m.trust_total == pytest.approx(sum(trusts))
        assert 0.0 <= m.energy <= 1.0 and 0.0 <= m.legitimacy <= 1.0
        assert m.account.committed >= -1e-9
    # Money is conserved between municipalities and projects, and the dues are accounted for.
    assert model.money_balanced()
    accounts = [m.account for m in model.municipalities]
    held = sum(a.room + a.reserve + a.paid_projects + a.paid_dues for a in accounts)
    assert held == pytest.approx(model.ledger.granted, rel=1e-12)
    ledger = model.ledger
    dues = sum(a.paid_dues for a in accounts)
    assert dues == pytest.approx(ledger.upkeep_spent + ledger.base_fund + ledger.base_fund_granted)
    assert ledger.base_fund >= -1e-12


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(
    "scenario",
    [
        variant(),
        scenario_from_dict({**base_scenario_dict(), **SHOCKED}),
        variant(participation="opt_in", monitoring=0.9, sanction=0.7, exit_fee_years=0.5),
        scenario_from_dict({**base_scenario_dict(), "region": "synthetic:30", "years": 4}),
    ],
    ids=["multiple-local", "shocked", "opt-in-monitored", "synthetic-30"],
)
def test_invariants_hold_every_month(scenario, seed):
    for model in stepped(scenario, seed):
        check_invariants(model)


def test_network_holds_tables_coalitions_and_directed_trust(multiple_local):
    model = RegionModel(multiple_local, seed=5)
    g = model.network
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == {"municipality", "table"}
    assert g.number_of_nodes() == 7 + 4
    assert not [e for e in g.edges(data="kind") if e[2] == "trust"]  # trust is the matrix's
    # The trust network, on demand: directed edges both ways, as the matrix holds them.
    t = trust_network(model)
    trust_edges = [(u, v) for u, v, d in t.edges(data=True) if d["kind"] == "trust"]
    assert len(trust_edges) == 7 * 6
    centre = model.centre.index
    assert t[centre][1]["trust"] == 0.5 and t[1][2]["trust"] == 0.6
    # Changing an agent's trust changes the matrix, one direction only.
    model.municipalities[1].set_trust(2, 0.9)
    assert model.trust.matrix[1, 2] == 0.9 and model.trust.matrix[2, 1] == 0.6
    assert trust_network(model)[1][2]["trust"] == 0.9
    for _ in range(36):
        model.step()
    coalitions = [n for n, d in g.nodes(data=True) if d["kind"] == "coalition"]
    assert len(coalitions) == len(model.projects)
    for p in model.projects:
        members = {u for u, _ in g.in_edges(p.node)}
        assert members == {ms.municipality.index for ms in p.active}
        assert all(g[u][p.node]["mode"] == "full" for u in members)


def test_multiple_local_seats_all_seven_at_every_table_every_month(multiple_local):
    model = RegionModel(multiple_local, seed=1)
    model.step()
    assert model.recorder.meeting_hours == 4 * 7 * 16.0
    for t in model.themes:
        assert len(model.table_members(t)) == 7


def test_a_leaver_stops_sitting_paying_and_benefiting():
    sc = scenario_from_dict({**base_scenario_dict(), "governance": {"mobility": "multiple-local"}})
    for seed in range(5):
        model = RegionModel(sc, seed=seed)
        for _ in range(14):
            model.step()
        leaver = model.municipalities[3]
        mobility = model.theme("mobility")
        politics.leave(model, leaver, mobility, fee=0.0, month=14)
        assert leaver not in model.table_members(mobility)
        assert model.recorder.exits == 1 and leaver.exited == {"mobility": 14}
        assert ("exit", leaver.name, "mobility") in [e[1:4] for e in model.recorder.events]
        before = (leaver.account.paid_projects, leaver.benefit_total, leaver.due_total)
        adopted = model.recorder.adopted
        for _ in range(36):
            model.step()
        assert model.recorder.adopted > adopted  # the others go on
        after = (leaver.account.paid_projects, leaver.benefit_total, leaver.due_total)
        assert after == before
        assert leaver.account.committed == pytest.approx(0.0, abs=1e-12)


def test_outputs_are_complete(multiple_local):
    model = RegionModel(multiple_local, seed=0).run()
    cols = model.recorder.columns
    assert all(len(v) == 120 for v in cols.values())
    summary = model.recorder.summary()
    for key in (
        "commitment",
        "free_riding",
        "progress",
        "trust_mean",
        "trust_centre_others",
        "meeting_hours",
        "energy_mean",
        "legitimacy_mean",
        "exits",
        "coalition_size_mean",
    ):
        assert key in summary
    assert 0.0 <= summary["commitment"] <= 1.0
    assert summary["progress"] > 0
    assert cols["progress"] == sorted(cols["progress"])  # cumulative
    assert len(model.recorder.municipality_rows()) == 7
    # The event log tells the run's story, one line per event, and agrees with the tallies.
    events = model.recorder.event_rows
    assert {"month", "event", "municipality", "theme", "value"} == set(events[0])
    sizes = [e["value"] for e in events if e["event"] == "project_adopted"]
    assert all(2 <= v <= 7 for v in sizes)
    kinds = [e["event"] for e in events]
    assert kinds.count("project_adopted") == summary["adopted"]
    assert kinds.count("project_closed") == summary["completed"]
    start = multiple_local.start_year
    assert kinds.count("election") == sum(1 for y in range(start, start + 10) if y % 4 == 2)
    assert all(0 <= e["month"] < 120 for e in events)
    assert [e["month"] for e in events] == sorted(e["month"] for e in events)


@pytest.mark.parametrize("n", [7, 50, 342])
def test_synthetic_regions_have_one_centre_and_heavy_tailed_sizes(n):
    region = synthetic_region(n, seed=11)
    sizes = sorted((m.population for m in region.municipalities), reverse=True)
    assert len(sizes) == n
    assert region.municipalities[0].name == region.centre
    assert sizes[0] >= 2.5 * sizes[1] * 0.99  # rounding to hundreds
    if n >= 50:
        mean = sum(sizes) / n
        median = sizes[n // 2]
        assert mean > 1.15 * median  # right-skewed, as Dutch municipality sizes are
        assert 15_000 < median < 45_000


def test_synthetic_region_runs_and_is_seeded():
    data = {**base_scenario_dict(), "region": "synthetic:40", "years": 3}
    sc = scenario_from_dict(data)
    a = RegionModel(sc, seed=4).run().recorder.rows
    b = RegionModel(sc, seed=4).run().recorder.rows
    c = RegionModel(sc, seed=5).run().recorder.rows
    assert a == b and a != c


def test_no_nan_where_a_number_is_due(multiple_local):
    model = RegionModel(multiple_local, seed=9).run()
    for key in ("trust_mean", "energy_mean", "legitimacy_mean", "progress"):
        assert not any(math.isnan(v) for v in model.recorder.columns[key])


def test_setting_several_trusts_at_once_is_setting_them_one_by_one(multiple_local):
    one, many = RegionModel(multiple_local, seed=2), RegionModel(multiple_local, seed=2)
    others, values = [0, 3, 6, 2], [0.91, 0.13, 0.47, 0.2]
    for j, v in zip(others, values, strict=True):
        one.municipalities[4].set_trust(j, v)
    many.municipalities[4].set_trusts(others, values)
    assert many.trust.matrix.tolist() == one.trust.matrix.tolist()
    assert many.municipalities[4].trust_total == one.municipalities[4].trust_total  # to the bit
