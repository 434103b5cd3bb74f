"""Run snapshots (sim/present/view.py): what a viewer sees is what the run did, and viewing changes
nothing."""

from __future__ import annotations

import json

import pytest

from sim.model.config import load_scenario, scenario_from_dict
from sim.model.model import RegionModel
from sim.present.map_layout import PRIME, layout, parse_degrees, places
from sim.present.view import Viewer, align, caption, snapshots
from tests.conftest import base_scenario_dict
from tests.test_reproducibility import digest


@pytest.fixture(scope="module")
def split():
    return snapshots(load_scenario("split-2022"), 0)


def test_viewing_a_run_changes_nothing():
    sc = load_scenario("split-2022")
    viewer = Viewer(sc, 3)
    for _ in viewer:
        pass
    assert digest(viewer.model) == digest(RegionModel(sc, seed=3).run())


def test_frames_are_plain_json(split):
    text = json.dumps(split.to_dict(), allow_nan=False)
    assert len(split.frames) == split.meta["months"] == 120
    assert json.loads(text)["frames"][5]["month"] == 5


def test_an_adopted_project_shows_as_a_coalition_with_its_members(split):
    adopted = [(f, e) for f in split.frames for e in f["events"] if e["kind"] == "project_adopted"]
    assert adopted
    for frame, event in adopted:
        new = [p for p in frame["projects"] if p["adopted"] and p["theme"] == event["theme"]]
        assert new, frame["month"]
        assert any(len(p["members"]) == event["value"] for p in new)
        names = {m["name"] for m in frame["municipalities"]}
        assert all(ms["name"] in names and ms["mode"] for p in new for ms in p["members"])


def test_a_project_that_closes_leaves_the_running_list(split):
    for prev, frame in zip(split.frames, split.frames[1:], strict=False):
        for closed in frame["closed"]:
            assert closed["pid"] in {p["pid"] for p in prev["projects"]}
            assert closed["pid"] not in {p["pid"] for p in frame["projects"]}


def test_withheld_instalments_are_marked():
    sc = load_scenario("split-2022")
    run = snapshots(sc, 0)
    rec = RegionModel(sc, seed=0).run().recorder
    withheld = sum(len(m["withheld"]) for f in run.frames for m in f["municipalities"])
    assert withheld == rec.defections_total - rec.recovered_total > 0
    for frame in run.frames:
        for e in frame["events"]:
            if e["kind"] == "defection_detected":
                who = next(m for m in frame["municipalities"] if m["name"] == e["municipality"])
                assert e["theme"] in {w["theme"] for w in who["withheld"]}
            if e["kind"] == "defection_recovered":
                who = next(m for m in frame["municipalities"] if m["name"] == e["municipality"])
                assert e["theme"] in {w["theme"] for w in who["paid"]}


def test_pledges_paid_is_a_share(split):
    last = split.frames[-1]
    shares = [m["pledges_paid"] for m in last["municipalities"]]
    assert all(s is None or 0.0 <= s <= 1.0 for s in shares)
    assert split.initial["municipalities"][0]["pledges_paid"] is None


def test_captions_come_from_the_catalogue_in_both_languages(split):
    elections = [f for f in split.frames if any(e["kind"] == "election" for e in f["events"])]
    assert [f["month"] for f in elections] == [2, 50, 98]
    march = elections[1]
    assert march["captions"]["nl"].startswith("maart 2026: ")
    assert "verkiezingen" in march["captions"]["nl"]
    assert march["captions"]["en"].startswith("March 2026: ")
    assert "council elections" in march["captions"]["en"]
    quiet = [f for f in split.frames if not f["events"]]
    assert quiet and quiet[0]["captions"]["nl"].endswith("niets bijzonders")


def test_caption_of_an_exit_and_an_adoption():
    labels = {
        "housing": {"en": "housing", "nl": "wonen"},
        "mobility": {"en": "mobility", "nl": "mobiliteit"},
    }
    events = [
        {"kind": "election", "municipality": "", "theme": "", "value": 1.0},
        {"kind": "exit", "municipality": "Zwijndrecht", "theme": "housing", "value": 0.2},
    ]
    assert caption(events, labels, 2022, 50, "nl") == (
        "maart 2026: verkiezingen; Zwijndrecht stapt uit wonen"
    )
    adopted = [{"kind": "project_adopted", "municipality": "", "theme": "mobility", "value": 4}]
    assert caption(adopted, labels, 2022, 51, "nl") == (
        "april 2026: project mobiliteit vastgesteld, 4 deelnemers"
    )
    assert caption(adopted, labels, 2022, 51, "en") == (
        "April 2026: project mobility adopted, 4 participants"
    )


def _repeated(split, kind, themes):
    """The first month of the run whose events hold `kind` more than once, on `themes` many
    different themes."""
    for frame in split.frames:
        same = [e for e in frame["events"] if e["kind"] == kind]
        if len(same) > 1 and len({e["theme"] for e in same}) == themes:
            return frame, same
    raise AssertionError(f"no month with repeated {kind} on {themes} themes")


def test_repeated_events_are_told_once(split):
    labels = {t["key"]: t["label"] for t in split.meta["themes"]}
    frame, same = _repeated(split, "proposal_renegotiated", themes=1)
    theme = labels[same[0]["theme"]]
    nl = frame["captions"]["nl"]
    assert nl.count("heronderhandeld") == 1
    assert f"{len(same)} voorstellen over {theme['nl']} heronderhandeld" in nl
    en = frame["captions"]["en"]
    assert en.count("renegotiated") == 1
    assert f"{len(same)} proposals on {theme['en']} renegotiated" in en


def test_repeated_events_on_several_themes_list_the_themes(split):
    labels = {t["key"]: t["label"] for t in split.meta["themes"]}
    frame, same = _repeated(split, "proposal_rejected", themes=2)
    a, b = (labels[e["theme"]] for e in same[:2])
    month = frame["month"]
    only = caption(same[:2], labels, split.meta["start_year"], month, "nl")
    assert only.endswith(f": 2 voorstellen over {a['nl']} en {b['nl']} verworpen")
    only = caption(same[:2], labels, split.meta["start_year"], month, "en")
    assert only.endswith(f": 2 proposals on {a['en']} and {b['en']} rejected")


def test_no_caption_says_the_same_twice(split):
    merged = 0
    for frame in (f for f in split.frames if f["events"]):
        kinds = {e["kind"] for e in frame["events"]}
        for lang in ("en", "nl"):
            parts = frame["captions"][lang].split(": ", 1)[1].split("; ")
            assert len(parts) == len(set(parts)), frame["captions"][lang]
            assert len(kinds) <= len(parts) <= len(frame["events"])
            merged += len(parts) < len(frame["events"])
    assert merged


def test_events_that_read_differently_stay_apart():
    labels = {"housing": {"en": "housing", "nl": "wonen"}}
    adopted = [
        {"kind": "project_adopted", "municipality": "", "theme": "housing", "value": 4},
        {"kind": "project_adopted", "municipality": "", "theme": "housing", "value": 3},
    ]
    assert caption(adopted, labels, 2022, 0, "nl") == (
        "januari 2022: project wonen vastgesteld, 4 deelnemers; "
        "project wonen vastgesteld, 3 deelnemers"
    )
    adopted[1]["value"] = 4
    assert caption(adopted, labels, 2022, 0, "en") == (
        "January 2022: 2 projects housing adopted, 4 participants each"
    )


def test_tables_meet_on_their_interval(split):
    sc = load_scenario("split-2022")
    intervals = {name: a.meeting_interval_months for name, a in sc.resolved_arrangements().items()}
    for frame in split.frames:
        for table in frame["tables"]:
            if frame["month"] % intervals[table["theme"]]:
                assert not table["met"]
            assert set(table["seated"]) | set(table["clients"]) <= {
                m["name"] for m in frame["municipalities"]
            }
    assert any(t["met"] for f in split.frames for t in f["tables"])


def test_the_strip_follows_the_recorder(split):
    rec = RegionModel(load_scenario("split-2022"), seed=0).run().recorder
    assert [f["strip"]["progress"] for f in split.frames] == rec.columns["progress"]
    assert [f["strip"]["meeting_hours"] for f in split.frames] == rec.columns["meeting_hours"]


def test_side_by_side_runs_share_the_same_calendar_months():
    a = snapshots(load_scenario("split-2022"), 1)
    b = snapshots(load_scenario("network-2024"), 1)
    rows = align([a.meta, b.meta])
    assert len(rows) == 12 * (2034 - 2022)
    for left, right in rows:
        if left >= 0 and right >= 0 and left < 119 and right < 119:
            assert a.frames[left]["label"] == b.frames[right]["label"]
    assert rows[0] == [0, -1] and rows[24] == [24, 0] and rows[-1] == [119, 119]
    same = align([a.meta, a.meta])
    assert same == [[t, t] for t in range(120)]


def test_coordinates_and_the_map():
    assert parse_degrees(f"51°48{PRIME}N") == pytest.approx(51.8)
    assert parse_degrees("4°40'E") == pytest.approx(4 + 40 / 60)
    assert len(places()) == 7
    sc = load_scenario("split-2022")
    model = RegionModel(sc, seed=0)
    spots = layout([(m.name, m.population) for m in model.municipalities], "Dordrecht")
    assert spots["Hardinxveld-Giessendam"][0] > spots["Dordrecht"][0]  # east is right
    assert spots["Alblasserdam"][1] < spots["Dordrecht"][1]  # north is up
    names = list(spots)
    for i, a in enumerate(names):
        x, y, r = spots[a]
        assert r <= x <= 1 - r and r <= y <= 1 - r
        for b in names[i + 1 :]:
            x2, y2, r2 = spots[b]
            assert ((x - x2) ** 2 + (y - y2) ** 2) ** 0.5 >= r + r2  # no overlap


def test_a_synthetic_region_is_drawn_on_a_circle():
    data = base_scenario_dict()
    data["region"] = "identical:5"
    viewer = Viewer(scenario_from_dict(data), 0)
    munis = viewer.meta["municipalities"]
    centre = next(m for m in munis if m["centre"])
    assert (centre["x"], centre["y"]) == (0.5, 0.5)
    assert len({(m["x"], m["y"]) for m in munis}) == 5
    frame = viewer.step()
    assert frame["month"] == 0 and len(frame["trust"]) == 5


def test_a_viewer_steps_one_month_at_a_time_until_done():
    data = base_scenario_dict()
    data["years"] = 1
    viewer = Viewer(scenario_from_dict(data), 2)
    assert viewer.initial()["month"] == -1 and viewer.month == 0
    months = []
    while not viewer.done:
        months.append(viewer.step()["month"])
    assert months == list(range(12)) and viewer.month == 12
    with pytest.raises(RuntimeError, match="12 months"):
        viewer.step()
