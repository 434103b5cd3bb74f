"""Analysis of sweeps: Sobol and Morris indices where the design allows, main effects always."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.present.cli import main
from sim.study.experiment import load_spec
from sim.study.sweep import load_results, sweep

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SPEC = """name = "a"
base = "multiple-local-status-quo"
years = 4
replicates = {replicates}
master_seed = 3
[design]
{design}
[parameters]
"behaviour.weight_pledge" = {{ low = 0.0, high = 2.0 }}
"behaviour.exit_legitimacy" = {{ low = 0.0, high = 0.05 }}
[outputs]
summary = ["commitment", "progress"]
"""


def run_spec(tmp_path, design, replicates=1):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.format(design=design, replicates=replicates))
    folder = sweep(load_spec(path), tmp_path / "out", executor="processes", progress=False)
    assert main(["analyze", str(folder)]) == 0
    return folder.with_name(folder.name + "-analysis")


def test_sobol_indices_tell_an_influential_parameter_from_an_inert_one(tmp_path):
    out = run_spec(tmp_path, 'kind = "sobol"\nsamples = 64', replicates=2)
    s = pd.read_csv(out / "sobol.csv").set_index(["outcome", "parameter"])
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(s.columns)
    pledge = s.loc[("commitment", "behaviour.weight_pledge")]
    inert = s.loc[("commitment", "behaviour.exit_legitimacy")]  # nobody's legitimacy gets so low
    assert pledge["ST"] - pledge["ST_conf"] > inert["ST"] + inert["ST_conf"]
    assert (out / "main_effects.html").exists()


def test_morris_indices(tmp_path):
    out = run_spec(tmp_path, 'kind = "morris"\nsamples = 10\nlevels = 4')
    m = pd.read_csv(out / "morris.csv").set_index(["outcome", "parameter"])
    assert {"mu", "mu_star", "sigma", "mu_star_conf"} <= set(m.columns)
    assert (
        m.loc[("commitment", "behaviour.weight_pledge"), "mu_star"]
        > m.loc[("commitment", "behaviour.exit_legitimacy"), "mu_star"]
    )


def test_main_effects_for_any_design(tmp_path):
    out = run_spec(tmp_path, 'kind = "latin_hypercube"\nsamples = 40')
    effects = pd.read_csv(out / "main_effects.csv")
    assert set(effects["parameter"]) == {"behaviour.weight_pledge", "behaviour.exit_legitimacy"}
    assert set(effects["outcome"]) == {"commitment", "progress"}
    assert not (out / "sobol.csv").exists()
    page = (out / "main_effects.html").read_text()
    assert "Plotly.newPlot" in page and "<script src=" not in page
    pledge = effects[
        (effects["parameter"] == "behaviour.weight_pledge") & (effects["outcome"] == "commitment")
    ].sort_values("value")
    assert pledge["mean"].iloc[-1] > pledge["mean"].iloc[0]  # a stronger pledge, more delivered


def test_results_load_into_pandas_in_one_call(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC.format(design='kind = "latin_hypercube"\nsamples = 4', replicates=1))
    runs, series = load_results(
        sweep(load_spec(path), tmp_path / "o", executor="inprocess", progress=False)
    )
    assert len(runs) == 4 and {"run_id", "seed", "behaviour.weight_pledge", "commitment"} <= set(
        runs.columns
    )
    assert series.empty


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")


def test_the_arrangement_as_a_factor_of_a_sobol_design_gets_its_index(tmp_path):
    """The arrangement of every theme as one factor of a sampled design, end to end: the sweep
    runs each listed arrangement, and analyze ranks it with the behaviour parameters."""
    path = tmp_path / "spec.toml"
    path.write_text(
        'name = "f"\nbase = "multiple-local-status-quo"\nyears = 3\nreplicates = 2\n'
        'master_seed = 3\n[design]\nkind = "sobol"\nsamples = 16\nseeds = "common"\n'
        '[parameters]\ngovernance = { values = ["grd", "multiple-local"] }\n'
        '"behaviour.exit_legitimacy" = { low = 0.0, high = 0.05 }\n'
        '[outputs]\nsummary = ["commitment", "meeting_hours"]\n'
    )
    folder = sweep(load_spec(path), tmp_path / "out", executor="processes", progress=False)
    runs, _ = load_results(folder)
    assert set(runs["governance"]) == {"grd", "multiple-local"}
    assert main(["analyze", str(folder), "--lang", "nl"]) == 0
    s = pd.read_csv(tmp_path / "out-analysis" / "sobol.csv").set_index(["outcome", "parameter"])
    hours = s.loc[("meeting_hours", "governance")]
    inert = s.loc[("meeting_hours", "behaviour.exit_legitimacy")]
    assert hours["ST"] - hours["ST_conf"] > inert["ST"] + inert["ST_conf"]
