"""The main job: `samenspel compare`, its tables, intervals and report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.model.config import load_scenario
from sim.present.cli import main
from sim.study.compare import compare
from sim.study.scorecard import CRITERIA


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "c"
    code = main(
        [
            "compare",
            "--scenarios",
            "network-2024,split-2022",
            "--replicates",
            "12",
            "--years",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


@pytest.mark.slow
def test_compare_writes_tidy_tables_and_a_self_contained_report(small, capsys):
    names = {p.name for p in small.iterdir()}
    for t in ("runs", "outcomes", "trajectories"):
        assert {f"{t}.parquet", f"{t}.csv"} <= names
    assert {"report.html", "scenarios.toml", "manifest.json"} <= names
    runs = pd.read_parquet(small / "runs.parquet")
    assert len(runs) == 24 and set(runs["scenario"]) == {"network-2024", "split-2022"}
    assert sorted(runs["seed"].unique()) == list(range(12))  # the same seeds for both
    outcomes = pd.read_parquet(small / "outcomes.parquet")
    assert {"scenario", "outcome", "mean", "ci_low", "ci_high", "n"} <= set(outcomes.columns)
    assert set(CRITERIA) <= set(outcomes["outcome"])
    ok = outcomes.dropna(subset=["ci_low"])
    assert (ok["ci_low"] <= ok["mean"] + 1e-12).all() and (
        ok["mean"] <= ok["ci_high"] + 1e-12
    ).all()
    traj = pd.read_parquet(small / "trajectories.parquet")
    assert traj["month"].max() == 35
    page = (small / "report.html").read_text()
    assert "Plotly.newPlot" in page and "<script src=" not in page  # everything inline
    assert "grip of local councils" in page and "grip van de gemeenteraden" not in page
    for t in ("municipalities",):  # per municipality: every municipality, every scenario
        m = pd.read_parquet(small / f"{t}.parquet")
        assert len(set(m["municipality"])) == 7 and set(m["scenario"]) == set(runs["scenario"])
    manifest = json.loads((small / "manifest.json").read_text())
    assert manifest["replicates"] == 12 and manifest["mesa"].startswith("3.")


def test_scores_are_on_a_zero_to_ten_scale(small):
    runs = pd.read_parquet(small / "runs.parquet")
    for c in CRITERIA:
        v = runs[c].dropna()
        assert ((v >= 0) & (v <= 10)).all(), c


def test_intervals_narrow_with_more_seeds():
    sc = [load_scenario("network-2024", years=2)]
    few = compare(sc, 8, workers=1).outcomes.set_index("outcome").loc["commitment"]
    many = compare(sc, 40, workers=1).outcomes.set_index("outcome").loc["commitment"]
    assert many["ci_high"] - many["ci_low"] < few["ci_high"] - few["ci_low"]


def test_processes_and_in_process_agree():
    sc = [load_scenario("split-2022", years=2)]
    a = compare(sc, 60, workers=1)  # three batches, which two workers finish in any order
    b = compare(sc, 60, workers=2)
    for table in ("runs", "outcomes", "trajectories", "municipalities"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_exact=True)


def test_trajectories_are_the_mean_and_interval_over_seeds_month_by_month():
    import numpy as np

    from sim.model.model import RegionModel
    from sim.study.compare import TRAJECTORIES
    from sim.study.stats import t_quantile

    sc = load_scenario("network-2024", years=2)
    t = compare([sc], 30, workers=1).trajectories.set_index(["outcome", "month"])
    runs = [RegionModel(sc, seed=s).run().recorder.columns for s in range(30)]
    for key in TRAJECTORIES:
        for month in (0, 11, 23):
            x = np.array([r[key][month] for r in runs], dtype=float)
            x = x[~np.isnan(x)]
            if len(x) < 2:
                continue
            row = t.loc[(key, month)]
            half = t_quantile(len(x)) * x.std(ddof=1) / np.sqrt(len(x))
            assert row["n"] == len(x)
            assert row["mean"] == pytest.approx(x.mean(), rel=1e-12, abs=1e-12)
            assert row["ci_high"] - row["mean"] == pytest.approx(half, rel=1e-9, abs=1e-12)


def test_compare_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["compare", "--scenarios", "grd,nope", "--out", str(out)]) == 2
    assert "nope" in capsys.readouterr().err and not out.exists()
    assert main(["compare", "--scenarios", "grd,grd", "--out", str(out)]) == 2
    assert not out.exists()
    with pytest.raises(SystemExit) as e:
        main(["compare", "--replicates", "0"])
    assert e.value.code == 2


def test_outcomes_are_shown_in_the_catalogue_scale(tmp_path):
    """'Progress per 1,000 meeting hours' is shown per 1,000 hours in the text and the report."""
    from sim.present.printed import format_table
    from sim.present.report import write_report

    result = compare([load_scenario("network-2024", years=2)], 4, workers=1)
    mean = result.outcomes.set_index("outcome").loc["progress_per_meeting_hour", "mean"]
    text = format_table(result, ["progress_per_meeting_hour"])
    assert f"{mean * 1000:.4f}" in text or f"{mean * 1000:.2f}" in text
    write_report(result, tmp_path / "report.html", {"replicates": 4, "base_seed": 0, "years": 2})
    page = (tmp_path / "report.html").read_text()
    assert f"{mean * 1000:.3g}" in page


# -- the report of ten scenarios: one calendar, light, nothing shown that does not exist -------

TEN = [
    "classic-gr",
    "dordrecht-service",
    "grd",
    "grd-2004",
    "multiple-local",
    "multiple-local-status-quo",
    "network",
    "network-2024",
    "service-municipality",
    "split-2022",
]


@pytest.fixture(scope="module")
def ten():
    return compare([load_scenario(n) for n in TEN], 2, workers=1)


def _figures(page: str) -> dict:
    start = page.index('id="plotly-figures">') + len('id="plotly-figures">')
    return json.loads(page[start : page.index("</script>", start)])


def _settings(**more) -> dict:
    return {"replicates": 2, "base_seed": 0, "years": 10, **more}


def test_the_trajectories_start_where_every_scenario_runs_and_earlier_on_request(ten):
    """Nine presets start in 2022 or 2024, grd-2004 in 2004: the month-by-month figures start
    in 2024 and say that grd-2004 is left out and how to see it; --from-year 2004 shows it."""
    from sim.present.report import render

    page = render(ten, _settings(), "en")
    axis = _figures(page)["figures"][2]["layout"]["xaxis"]
    assert axis["range"][0] == pytest.approx(2024 - 0.1)
    assert "ended before 2024: grd-2004" in page and "--from-year 2004" in page
    drawn = {t.get("name") for t in _figures(page)["figures"][2]["data"]}
    assert "grd-2004" not in drawn and "split-2022" in drawn
    earlier = render(ten, _settings(from_year=2004), "nl")
    figure = _figures(earlier)["figures"][2]
    assert figure["layout"]["xaxis"]["range"][0] == pytest.approx(2004 - 0.1)
    assert "grd-2004" in {t.get("name") for t in figure["data"]}
    assert "Vanaf 2004" in earlier and "Niet getekend" not in earlier


def test_the_report_of_ten_scenarios_is_light(ten):
    """plotly.js once, the figures' shared template once, the trajectories averaged to at most
    about sixty points a line and written in binary: the rest of the page stays under 0.6 MB
    (it was 1.4 MB, with monthly points written out in decimals)."""
    from plotly.offline import get_plotlyjs

    from sim.present.report import render

    page = render(ten, _settings(), "en")
    js = get_plotlyjs()
    assert page.count(js[:300]) == 1
    spec = _figures(page)
    assert spec["template"] and all("template" not in f["layout"] for f in spec["figures"])
    assert len(page.encode()) - len(js.encode()) < 600_000
    lines = [t for t in spec["figures"][2]["data"] if t.get("mode") == "lines"]
    assert lines and all(isinstance(t["y"], dict) and t["y"]["dtype"] == "f4" for t in lines)


def test_a_service_cost_that_does_not_exist_is_said_not_shown_as_zero(ten):
    """multiple-local-status-quo has no shared services: its runs record its service cost as
    missing (not as a 0 that would rank first), which the report writes as 'no shared services'
    in the table and the figure."""
    from sim.present.report import outcome_table, render

    runs = ten.runs[ten.runs["scenario"] == "multiple-local-status-quo"]
    assert runs["service_cost_per_inhabitant"].isna().all()  # what the model records
    table = outcome_table(ten, "en")
    row = next(r for r in table.split("<tr>") if "service cost per inhabitant" in r)
    cells = row.split("<td")[1:]
    assert "no shared services" in cells[TEN.index("multiple-local-status-quo")]
    assert sum("no shared services" in c for c in cells) == 1
    outcomes = _figures(render(ten, _settings(), "en"))["figures"][1]["data"]
    said = [t for t in outcomes if t.get("mode") == "text"]
    assert [t["y"] for t in said] == [["multiple-local-status-quo"]]


def test_from_year_after_every_scenario_ended_exits_2_before_running(tmp_path, capsys):
    out = tmp_path / "o"
    args = ["compare", "--scenarios", "grd,split-2022", "--from-year", "2040", "--out", str(out)]
    assert main([*args, "--lang", "nl"]) == 2
    err = capsys.readouterr().err
    assert "--from-year 2040" in err and "2032" in err and not out.exists()
