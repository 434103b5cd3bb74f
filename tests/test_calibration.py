"""`samenspel calibrate`: spec checks, reproducibility, the summaries, the command line.

The machinery is tested on the checks of tests/standin_validation.py, passed as `checks`: a
stand-in with the interface of sim.study.validation, with toy checks whose t is a formula of one
parameter (no model runs) and two that run the model. The command line runs the real checks, as a
user would, on a spec small enough to take seconds.
"""

from __future__ import annotations

import json
import math
import signal
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.io.store import destination
from sim.model.config import PRESETS
from sim.present.cli import main
from sim.study import calibration as calib
from tests import standin_validation as standin
from tests.conftest import ROOT, samenspel, start_samenspel

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SMOKE = ROOT / "experiments" / "calibration-smoke.toml"
PROJECT = ROOT / "experiments" / "calibration.toml"

TOY = """
name = "toy"
checks = ["toy_trust_loss", "toy_always"]
seeds = 2
scale_target = false
population = 200
generations = 5
max_batches = 20
master_seed = 11

[parameters]
"behaviour.trust_loss" = { low = 0.05, high = 0.6 }
"behaviour.trust_gain" = { low = 0.01, high = 0.3 }

[executor]
parallel = "points"
kind = "inprocess"
"""

TINY = """
name = "tiny"
checks = ["p6-commitment"]
seeds = 2
population = 4
generations = 2
quantile = 0.75
max_batches = 1
master_seed = 7

[parameters]
"behaviour.trust_loss" = { low = 0.05, high = 0.6 }
"""


def write_spec(folder: Path, text: str, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """The toy calibration, run once (no model runs: under a second)."""
    spec, keys = calib.load_calibration(
        write_spec(tmp_path_factory.mktemp("toy"), TOY), checks=standin
    )
    return calib.calibrate(spec, keys, checks=standin)


# --- bad input: exit status 2, one line, nothing written ------------------------------------

BAD = [
    ('name = "x"\n[parameters]\n"behaviour.trust_loss" = {low = 0.1}', "high"),
    (
        'name = "x"\npopulaton = 5\n[parameters]\n"behaviour.trust_loss" = {low=0.1, high=0.2}',
        "popul",
    ),
    ('name = "x"\n[parameters]\n"behaviour.trust_loss" = {low = 0.3, high = 0.2}', "low must be"),
    (
        'name = "x"\nseeds = "20"\n[parameters]\n"behaviour.trust_loss" = {low=0.1, high=0.2}',
        "seeds",
    ),
    ('name = "x"\n[parameters]\n"behaviour.trust_los" = {low = 0.1, high = 0.2}', "trust_los"),
    ('name = "x"\n[parameters]\n"behaviour.trust_loss" = {low = 0.1, high = 1.5}', "trust_loss"),
    ('name = "x"\n[parameters]\n"nowhere.at_all" = {low = 0.1, high = 1.5}', "nowhere.at_all"),
    (
        'name = "x"\nchecks = ["no_such_check"]\n[parameters]\n'
        '"behaviour.trust_loss" = {low = 0.1, high = 0.2}',
        "no_such_check",
    ),
    (
        'name = "x"\npatterns = [99]\n[parameters]\n"behaviour.trust_loss" = {low=0.1, high=0.2}',
        "pattern 99",
    ),
    (
        'name = "x"\nbase = "no-such-preset"\n[parameters]\n'
        '"behaviour.trust_loss" = {low=0.1, high=0.2}',
        "no-such-preset",
    ),
    ('name = "../up"\n[parameters]\n"behaviour.trust_loss" = {low = 0.1, high = 0.2}', "name"),
    ("name = [not toml", "TOML"),
]


@pytest.mark.parametrize(("text", "named"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_a_bad_spec_stops_with_exit_2_one_line_and_nothing_written(
    tmp_path, monkeypatch, capsys, text, named
):
    spec = write_spec(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", str(spec)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("samenspel: error:") and named in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_a_missing_spec_file_is_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", "nothing.toml"]) == 2
    assert "not found" in capsys.readouterr().err


def test_the_smoke_spec_loads_and_names_only_real_scenario_fields():
    spec, keys = calib.load_calibration(SMOKE)
    assert keys and len(spec.model_seeds()) == spec.seeds
    smoke = tomllib.loads(SMOKE.read_text())
    assert len(smoke["parameters"]) == 2 and smoke["generations"] <= 2


def test_the_project_specs_load_against_the_real_checks():
    """Both specs name real checks and real scenario fields (each prior's low, midpoint and
    high build a valid scenario)."""
    for path in (SMOKE, PROJECT):
        spec, keys = calib.load_calibration(path)
        assert keys and len(spec.model_seeds()) == spec.seeds


# --- the distance and the machinery ----------------------------------------------------------


def test_the_distance_is_the_shortfall_toward_the_claim():
    assert calib.shortfall(5.0, 3.0) == 0.0
    assert calib.shortfall(3.0, 3.0) == 0.0
    assert calib.shortfall(0.0, 3.0) == 1.0
    assert calib.shortfall(-3.0, 3.0) == 2.0
    assert calib.shortfall(math.inf, 3.0) == 0.0
    assert calib.shortfall(math.nan, 3.0) == 1.0


def test_seeds_are_fixed_and_spawned_from_the_master_seed(tmp_path):
    spec, _ = calib.load_calibration(write_spec(tmp_path, TOY), checks=standin)
    seeds = spec.model_seeds()
    assert seeds == spec.model_seeds() and len(set(seeds)) == spec.seeds
    children = np.random.SeedSequence(11).spawn(spec.seeds + 1)
    assert seeds[0] == int(children[0].generate_state(1, dtype=np.uint64)[0] >> 1)


def test_a_check_that_depends_on_one_parameter_constrains_it_and_only_it(toy):
    ranges = calib.accepted_ranges(toy).set_index("parameter")
    assert ranges.loc["behaviour.trust_loss", "constrained"]
    assert not ranges.loc["behaviour.trust_gain", "constrained"]
    # the check holds (t >= 3) from trust_loss 0.4 up: the accepted set lies there
    assert ranges.loc["behaviour.trust_loss", "q05"] > 0.35
    cons = calib.constraints(toy).set_index(["parameter", "check"])
    assert cons.loc[("behaviour.trust_loss", "toy_trust_loss"), "constrains"]
    assert cons.loc[("behaviour.trust_loss", "toy_trust_loss"), "rho"] > 0.99
    assert not cons.loc[("behaviour.trust_gain", "toy_trust_loss"), "constrains"]
    assert not cons.loc[("behaviour.trust_gain", "toy_always"), "constrains"]  # constant t


def test_the_accepted_set_is_the_last_generation_within_its_epsilon(toy):
    p = toy.particles
    last = toy.generations[-1]
    assert len(p) == last.accepted == toy.spec.population
    assert (p["distance"] <= last.epsilon).all()
    assert math.isclose(p["weight"].sum(), 1.0) and (p["weight"] > 0).all()
    epsilons = [g.epsilon for g in toy.generations]
    assert epsilons == sorted(epsilons, reverse=True)
    ev = toy.evaluations
    assert len(ev) == sum(g.evaluated for g in toy.generations)
    assert ev["accepted"][ev["generation"] == last.number].sum() == len(p)


def test_the_accepted_ranges_agree_with_the_particles(toy):
    p, spec = toy.particles, toy.spec
    for row in calib.accepted_ranges(toy).itertuples(index=False):
        values = p[row.parameter]
        assert values.min() <= row.q05 <= row.q50 <= row.q95 <= values.max()
        for q, got in ((0.05, row.q05), (0.5, row.q50), (0.95, row.q95)):
            assert got == calib.weighted_quantile(values, p["weight"], q)
        prior = spec.parameters[row.parameter]
        assert (row.prior_low, row.prior_high) == (prior.low, prior.high)
        width = (row.q95 - row.q05) / (prior.high - prior.low)
        assert math.isclose(row.width_ratio, width)
        assert row.constrained == (width < spec.constrained_width)
        assert row.default_in_90 == (row.q05 <= row.default <= row.q95)
        # a weighted 90% interval holds about 90% of the weight
        inside = p["weight"][(values >= row.q05) & (values <= row.q95)].sum()
        assert 0.8 <= inside <= 1.0


def test_weighted_quantiles_of_equal_weights_are_ordinary_quantiles():
    x = np.arange(101.0)
    w = np.ones_like(x)
    assert math.isclose(calib.weighted_quantile(x, w, 0.5), 50.0)
    assert abs(calib.weighted_quantile(x, w, 0.05) - 5.0) < 1.0


# --- reproducibility -------------------------------------------------------------------------


def test_the_smoke_calibration_is_bit_identical_on_a_rerun_and_on_any_executor():
    spec, keys = calib.load_calibration(SMOKE, checks=standin)
    a = calib.calibrate(spec, keys, checks=standin, executor="processes", workers=2)
    b = calib.calibrate(spec, keys, checks=standin, executor="processes", workers=2)
    c = calib.calibrate(spec, keys, checks=standin, executor="inprocess")
    assert len(a.particles) > 0
    pd.testing.assert_frame_equal(a.particles, b.particles)
    pd.testing.assert_frame_equal(a.particles, c.particles)
    pd.testing.assert_frame_equal(a.evaluations, c.evaluations)


def test_another_master_seed_gives_other_particles(tmp_path):
    spec, keys = calib.load_calibration(
        write_spec(tmp_path, TOY.replace("population = 200", "population = 20")), checks=standin
    )
    other = spec.model_copy(update={"master_seed": 12})
    a, b = calib.calibrate(spec, keys, checks=standin), calib.calibrate(other, keys, checks=standin)
    assert not a.particles.equals(b.particles)


# --- the command line ------------------------------------------------------------------------


def test_the_cli_writes_a_result_folder_and_replaces_it_only_with_force(tmp_path):
    spec = write_spec(tmp_path, TINY)
    first = samenspel(["calibrate", str(spec), "--out", "res"], tmp_path)
    assert first.returncode == 0, first.stderr
    res = tmp_path / "res"
    names = {p.name for p in res.iterdir()}
    for name in (
        "particles.parquet",
        "particles.csv",
        "evaluations.parquet",
        "accepted_ranges.csv",
        "constraints.csv",
        "manifest.json",
        "report.md",
        "report.html",
        "diagnostics.html",
        "diagnostics-nl.html",
        "spec.toml",
        "posterior",
    ):
        assert name in names
    posterior = {p.name for p in (res / "posterior").iterdir()}
    assert posterior == {
        "particles.csv",
        "ranges.csv",
        "constraints.csv",
        "predictive.csv",
        "manifest.json",
    }
    lines = [ln for ln in first.stderr.splitlines() if "generation" in ln]
    assert lines and "epsilon" in lines[0] and "elapsed" in lines[0]
    manifest = json.loads((res / "manifest.json").read_text())
    assert manifest["samenspel"] and manifest["checks"] == ["p6-commitment"]
    report = (res / "report.md").read_text()
    assert "Accepted ranges" in report and "Aanvaarde bereiken" in report
    before = (res / "particles.csv").read_bytes()
    stamp = (res / "manifest.json").stat().st_mtime_ns

    again = samenspel(["calibrate", str(spec), "--out", "res"], tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert (res / "manifest.json").stat().st_mtime_ns == stamp

    forced = samenspel(["calibrate", str(spec), "--out", "res", "--force"], tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (res / "particles.csv").read_bytes() == before  # the same spec: the same particles
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".samenspel-")]


def test_the_cli_default_folder_moves_on_and_never_writes_into_user_files(tmp_path):
    spec = write_spec(tmp_path, TINY)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    refused = samenspel(["calibrate", str(spec), "--out", "mine", "--force"], tmp_path)
    assert refused.returncode == 2 and "did not write" in refused.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    for expected in ("calibration", "calibration-2"):
        done = samenspel(["calibrate", str(spec), "--no-progress"], tmp_path)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "results" / expected / "manifest.json").exists()


def test_the_smoke_spec_runs_from_the_command_line(tmp_path):
    # How long it takes is for benchmarks, not a test: a loaded CI machine would fail it.
    done = samenspel(["calibrate", str(SMOKE), "--out", "smoke", "--workers", "2"], tmp_path)
    assert done.returncode == 0, done.stderr
    ranges = pd.read_csv(tmp_path / "smoke" / "accepted_ranges.csv")
    assert sorted(ranges["parameter"]) == ["behaviour.trust_loss", "behaviour.weight_benefit"]


def test_ctrl_c_exits_130_with_nothing_half_written(tmp_path):
    spec = write_spec(
        tmp_path,
        SMOKE.read_text()
        .replace("population = 6", "population = 40")
        .replace("seeds = 6", "seeds = 10"),
    )
    proc = start_samenspel(["calibrate", str(spec), "--out", "res", "--workers", "2"], tmp_path)
    deadline = time.time() + 60
    while time.time() < deadline and "generation" not in proc.stderr.readline():
        pass  # wait for the first generation's line: the second generation is running
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]

    # --resume goes on: the points already evaluated are read back, and the result is what an
    # uninterrupted run gives, bit for bit
    assert "--resume" in err
    resumed = samenspel(["calibrate", str(spec), "--out", "res", "--resume"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "read back" in resumed.stderr
    manifest = json.loads((tmp_path / "res" / "manifest.json").read_text())
    assert manifest["points_resumed"] > 0
    fresh = samenspel(["calibrate", str(spec), "--out", "fresh"], tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    a, b = (tmp_path / "res" / "particles.csv"), (tmp_path / "fresh" / "particles.csv")
    assert a.read_bytes() == b.read_bytes()
    assert json.loads((tmp_path / "fresh" / "manifest.json").read_text())["points_resumed"] == 0


def test_points_on_a_loopback_dask_cluster_give_the_same_particles(tmp_path, dask_cluster):
    spec, keys = calib.load_calibration(
        write_spec(tmp_path, TOY.replace("population = 200", "population = 16")), checks=standin
    )
    here = calib.calibrate(spec, keys, checks=standin, executor="inprocess")
    there = calib.calibrate(spec, keys, checks=standin, scheduler=dask_cluster.address)
    pd.testing.assert_frame_equal(here.particles, there.particles)


def test_a_check_whose_t_is_noise_constrains_nothing(toy):
    import dataclasses

    ev = toy.evaluations.copy()
    ev["t_noise"] = np.random.default_rng(5).normal(size=len(ev))
    noisy = dataclasses.replace(toy, keys=[*toy.keys, "noise"], evaluations=ev)
    cons = calib.constraints(noisy)
    assert not cons[cons.check == "noise"].constrains.any()
    assert cons[cons.check == "toy_trust_loss"].constrains.sum() == 1


def test_each_checks_target_is_scaled_to_the_calibrations_seeds(tmp_path):
    spec, keys = calib.load_calibration(
        write_spec(tmp_path, TOY.replace("scale_target = false\n", "")), checks=standin
    )
    assert spec.scale_target  # the default; the stand-in's checks use 20 seeds of their own
    assert calib.targets(spec, keys, standin) == [3.0 * math.sqrt(2 / 20)] * 2
    fixed = spec.model_copy(update={"scale_target": False})
    assert calib.targets(fixed, keys, standin) == [3.0, 3.0]


def test_every_calibration_scores_the_defaults_and_says_whether_they_are_accepted(tmp_path):
    """The toy check holds (t >= 3) from trust_loss 0.4 up: the default 0.5 lies in the accepted
    region; a base scenario whose trust_loss is 0.1 does not."""
    spec, keys = calib.load_calibration(
        write_spec(tmp_path, TOY.replace("population = 200", "population = 30")), checks=standin
    )
    cal = calib.calibrate(spec, keys, checks=standin)
    assert cal.default_distance == 0.0 and cal.defaults_accepted
    base = tmp_path / "low.toml"
    base.write_text(
        (PRESETS / "multiple-local-status-quo.toml")
        .read_text(encoding="utf-8")
        .replace('name = "multiple-local-status-quo"', 'name = "low"')
        + "\n[behaviour]\ntrust_loss = 0.1\n",
        encoding="utf-8",
    )
    low = spec.model_copy(update={"base": str(base)})
    cal = calib.calibrate(low, keys, checks=standin)
    assert cal.default_distance == pytest.approx(1.0)  # toy t = 0: no evidence, shortfall 1
    assert not cal.defaults_accepted
    folder = calib.save(cal, destination(tmp_path / "out", tmp_path / "unused"))
    data = json.loads((folder / "manifest.json").read_text())
    assert data["defaults_accepted"] is False and data["default_distance"] == pytest.approx(1.0)


def test_every_point_within_the_final_tolerance_is_recycled_with_bounded_weights(toy):
    """The posterior the package carries (sim/study/calibration/recycle.py): every evaluated
    point within the final tolerance, weighted against the mixture of all the proposals, the
    prior among them, so no weight exceeds (all points / the prior's points) x its prior."""
    from scipy.special import logsumexp

    from sim.study.calibration import recycle
    from sim.study.calibration.smc import log_prior

    post = recycle.recycled(toy)
    ev = toy.evaluations
    within = ev[ev["distance"] <= toy.generations[-1].epsilon]
    assert len(post) == len(within) >= len(toy.particles)
    assert post["weight"].gt(0).all() and math.isclose(post["weight"].sum(), 1.0)
    counts = ev.groupby("generation").size().to_numpy(float)
    log_q = recycle.proposal_log_densities(toy)
    log_mix = logsumexp(log_q + np.log(counts / counts.sum())[None, :], axis=1)
    unit = recycle.unit_cube(toy, ev)
    assert (log_prior(unit) - log_mix <= np.log(counts.sum() / counts[0]) + 1e-9).all()
    assert recycle.effective_size(post["weight"]) >= 1
