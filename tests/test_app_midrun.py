"""A change of rules in the middle of a run (sim/model/amend.py and the app's session): it takes
effect from the next month on, the months before are kept (and marked in the charts), the same
seed and the same change in the same month give the same run, and "run again from the start"
is the old behaviour. Also what the page shows of it, a file in the preset box, and the
figures' sizes in presentation mode. No browser (tests/test_browser_app.py has the page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.amend import amend
from sim.model.config import ConfigError, Scenario, load_scenario, scenario_from_dict
from sim.model.model import RegionModel
from sim.present.app.actions import RUN_ARGS, run_update
from sim.present.app.figures import NORMAL, PRESENT, chart, network_figure
from sim.present.app.session import Session, SessionStore, rule_values
from sim.present.app.updates import PLACEHOLDER, change_note

STRICT = {"monitoring": 1.0, "sanction": 1.0, "meeting_interval_months": 1}
"""Rules that make a difference from the first month they hold (every theme meets monthly,
withheld instalments are noticed and recovered)."""


def _to_end(session: Session) -> Session:
    while session.step() is not None:
        pass
    return session


def _changed_at(month: int, seed: int = 0, theme: str = "business_operations", **kw) -> Session:
    session = Session(load_scenario("split-2022"), seed=seed)
    for _ in range(month):
        session.step()
    rules = {**rule_values(session.base, theme), **STRICT}
    session.change(theme, rules, **kw)
    return _to_end(session)


def test_a_change_mid_run_keeps_the_months_before_and_holds_from_the_next():
    base = _to_end(Session(load_scenario("split-2022")))
    mid = _changed_at(12)
    assert mid.changed_at == [12]
    for key, series in mid.series.items():
        assert series[:12] == base.series[key][:12], key  # the months before, as they ran
    hours = zip(mid.series["meeting_hours"], base.series["meeting_hours"], strict=True)
    first = next(k for k, (a, b) in enumerate(hours) if a != b)
    assert first == 13  # month 12 both meet; from month 13 the table meets every month
    assert mid.series["commitment_cum"][-1] > base.series["commitment_cum"][-1]
    assert "own-business_operations" in mid.scenario.arrangements


def test_run_again_from_the_start_is_the_change_in_force_from_the_first_month():
    base = _to_end(Session(load_scenario("split-2022")))
    again = _changed_at(12, from_start=True)
    assert again.changed_at == []
    assert again.series["meeting_hours"][:12] != base.series["meeting_hours"][:12]
    whole = Session(again.scenario)  # the same as a run of the changed scenario from month 0
    assert _to_end(whole).series == again.series


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(month=st.integers(1, 60), seed=st.integers(0, 2**31))
def test_the_same_seed_and_the_same_change_month_give_the_same_run(month, seed):
    one, two = _changed_at(month, seed), _changed_at(month, seed)
    assert one.series == two.series and one.trust == two.trust
    assert one.changed_at == [month]
    replayed = Session(one.base, seed=seed)  # built again from its start and its changes
    replayed.start, replayed.amendments = one.start, list(one.amendments)
    replayed.restart(one.month)
    assert replayed.series == one.series


def test_a_later_change_month_is_another_run():
    assert _changed_at(12).series != _changed_at(24).series


def _renamed(scenario: Scenario, name: str) -> Scenario:
    """`scenario` with its own arrangements under another name (the same rules)."""
    data = scenario.model_dump()
    data["arrangements"] = {f"{name}-{k}": v for k, v in data["arrangements"].items()}
    data["governance"] = {
        t: f"{name}-{a}" if a in scenario.arrangements else a for t, a in data["governance"].items()
    }
    return scenario_from_dict(data)


def test_a_change_is_read_by_its_rules_never_by_its_names():
    changed = _changed_at(12).scenario
    runs = []
    for scenario in (changed, _renamed(changed, "quite-another-name")):
        model = RegionModel(load_scenario("split-2022"), seed=5)
        for _ in range(12):
            model.step()
        amend(model, scenario)
        model.run_model()
        runs.append(model.datacollector.get_model_vars_dataframe())
    assert (
        runs[0]
        .drop(columns=["scenario"], errors="ignore")
        .equals(runs[1].drop(columns=["scenario"], errors="ignore"))
    )


@pytest.mark.parametrize(
    ("key", "value"), [("years", 5), ("start_year", 2019), ("region", "synthetic:7")]
)
def test_what_a_run_is_cannot_change_in_the_middle_of_it(key, value):
    model = RegionModel(load_scenario("split-2022"), seed=0)
    model.step()
    before = model.config
    other = scenario_from_dict({**before.model_dump(), key: value})
    with pytest.raises(ConfigError, match=f"^{key}: cannot change"):
        amend(model, other)
    assert model.config is before


def test_the_charts_mark_the_months_before_a_change_and_say_from_when():
    session = _changed_at(14)
    fig = chart(session, "nl")
    shapes = fig.layout.shapes
    bands = [s for s in shapes if s.type == "rect"]
    lines = [s for s in shapes if s.type == "line"]
    assert bands and all((b.x0, b.x1) == (-0.5, 13.5) for b in bands)
    assert lines and all(line.x0 == 13.5 for line in lines)
    assert change_note(session, "nl").startswith("Regels gewijzigd vanaf maart 2023")
    assert change_note(session, "en").startswith("Rules changed from March 2023")
    assert change_note(_to_end(Session(load_scenario("split-2022"))), "en") == ""
    assert not chart(_changed_at(14, from_start=True), "en").layout.shapes


def test_presentation_mode_draws_the_figures_in_large_type_and_a_larger_map():
    session = Session(load_scenario("split-2022"))
    small, big = (
        network_figure(session, "energy", "en"),
        network_figure(session, "energy", "en", True),
    )
    assert big.layout.height > small.layout.height and big.layout.font.size >= 28
    assert max(big.data[0].marker.size) > max(small.data[0].marker.size)
    charts = chart(session, "nl", big=True)
    assert charts.layout.font.size >= 28
    assert all(a.font.size >= 28 for a in charts.layout.annotations)
    assert PRESENT.charts_height > NORMAL.charts_height and NORMAL.font >= 14


def _page(**values):
    """The run callback's values as a page sends them."""
    v = dict.fromkeys(RUN_ARGS)
    v.update(lang="nl", colour="energy", sid="a" * 32, version=0, shown=0, preset="split-2022")
    v.update(
        present=[], search="", rule_ids=[], rule_values=[], behaviour_ids=[], behaviour_values=[]
    )
    v.update(culture_ids=[], culture_values=[], **values)
    return v


def test_a_loaded_file_takes_the_preset_boxs_place_in_the_pages_language(tmp_path: Path):
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\ndescription = "my own"\nregion = "drechtsteden"\nyears = 2\n'
        '[governance]\nsocial = "classic-gr"\n',
        encoding="utf-8",
    )
    sessions = SessionStore()
    out = run_update("b-load", _page(path="mine.toml"), sessions, tmp_path)
    assert out["preset"] is None and out[PLACEHOLDER] == "Eigen bestand: mine.toml"
    assert out["preset-description"] == "my own"
    again = run_update("lang", _page(path="mine.toml", lang="en"), sessions, tmp_path)
    assert again[PLACEHOLDER] == "Own file: mine.toml"
    seed = run_update("seed", _page(path="mine.toml", seed=4), sessions, tmp_path)
    assert seed[PLACEHOLDER] == "Eigen bestand: mine.toml"  # another seed, the same file
    back = run_update("preset", _page(preset="network-2024"), sessions, tmp_path)
    assert back["preset"] == "network-2024" and PLACEHOLDER not in back


def test_the_address_can_ask_for_presentation_mode_from_the_first_drawing():
    from sim.present.app.actions import big
    from sim.present.app.layout import asked_present

    assert asked_present("?present=1") is True and asked_present("?lang=nl&present=yes")
    assert asked_present("?present=0") is False and asked_present("") is None
    assert big(_page(search="?present=1"))  # the page's first call: the toggle not yet set
    assert not big(_page(search="?present=1", version=3))  # the toggle has the last word
    assert big(_page(present=["on"], version=3))
