"""Sweeps: designs, seeds, executors, streaming and resume, failures, bad specs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.present.cli import main
from sim.study.experiment import Spec, load_spec
from sim.study.sweep import load_results, run_batch, sweep
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SWEEPS = ROOT / "experiments" / "sweeps"
BIN = Path(sys.executable).parent


def spec_of(**kw) -> Spec:
    data = {"name": "t", "base": "multiple-local-status-quo", "years": 2, **kw}
    return Spec(**data)


RANGES = {
    "behaviour.trust_loss": {"low": 0.05, "high": 0.4},
    "behaviour.trust_gain": {"low": 0.01, "high": 0.1},
    "behaviour.choice_noise": {"low": 0.2, "high": 1.0},
}


@pytest.mark.parametrize(
    ("design", "parameters", "replicates", "runs"),
    [
        (
            {"kind": "full_factorial"},
            {"a.x": {"values": [1, 2, 3]}, "a.y": {"low": 0, "high": 1, "levels": 4}},
            2,
            3 * 4 * 2,
        ),
        ({"kind": "list", "points": [{"a": 1}, {"a": 2}]}, {}, 3, 2 * 3),
        ({"kind": "latin_hypercube", "samples": 10}, RANGES, 2, 10 * 2),
        ({"kind": "sobol", "samples": 8}, RANGES, 1, 8 * (3 + 2)),
        ({"kind": "sobol", "samples": 8, "second_order": True}, RANGES, 1, 8 * (2 * 3 + 2)),
        ({"kind": "morris", "samples": 5, "levels": 4}, RANGES, 2, 5 * (3 + 1) * 2),
    ],
    ids=["full-factorial", "list", "latin-hypercube", "sobol", "sobol-second-order", "morris"],
)
def test_every_design_yields_the_documented_sample_size(design, parameters, replicates, runs):
    spec = spec_of(design=design, parameters=parameters, replicates=replicates)
    assert len(spec.runs()) == runs
    ids = [r[0] for r in spec.runs()]
    assert ids == list(range(runs))
    assert len({r[2] for r in spec.runs()}) == runs  # a seed of its own for every run


def test_seeds_are_spawned_from_the_master_seed_and_reproducible():
    a = spec_of(design={"kind": "latin_hypercube", "samples": 6}, parameters=RANGES, master_seed=5)
    b = spec_of(design={"kind": "latin_hypercube", "samples": 6}, parameters=RANGES, master_seed=5)
    c = spec_of(design={"kind": "latin_hypercube", "samples": 6}, parameters=RANGES, master_seed=6)
    assert a.runs() == b.runs() and a.runs() != c.runs()


def test_a_run_that_raises_is_recorded_and_the_batch_goes_on():
    base = load_spec(SWEEPS / "trust-and-monitoring.toml")
    from sim.study.experiment import base_scenario

    scenario = base_scenario(base)
    runs = [(0, 0, 1, {"behaviour.trust_loss": 5.0}), (1, 1, 2, {"behaviour.trust_loss": 0.1})]
    rows, *_ = run_batch(scenario, runs, base.outputs)
    assert rows[0]["status"] == "failed" and "trust_loss" in rows[0]["error"]
    assert rows[1]["status"] == "ok" and 0 <= rows[1]["commitment"] <= 1


def test_failing_runs_in_a_sweep_are_recorded(tmp_path):
    # load_spec refuses such a point up front; a Spec built in Python reaches the runs.
    spec = spec_of(
        years=1,
        design={
            "kind": "list",
            "points": [{"behaviour.trust_loss": 0.1}, {"behaviour.trust_loss": 7.0}],
        },
    )
    folder = sweep(spec, tmp_path / "out", executor="inprocess", progress=False)
    runs, _ = load_results(folder)
    assert list(runs["status"]) == ["ok", "failed"]
    assert len((folder / "status.log").read_text().splitlines()) == 2


def _small_spec(tmp_path: Path, runs_per_point: int = 3) -> Path:
    text = (SWEEPS / "trust-and-monitoring.toml").read_text()
    text = text.replace("replicates = 10", f"replicates = {runs_per_point}")
    text = text.replace('base = "steering.toml"', f'base = "{SWEEPS / "steering.toml"}"')
    path = tmp_path / "spec.toml"
    path.write_text(text.replace("years = 10", "years = 3"))
    return path


def test_executors_give_bit_identical_runs(tmp_path):
    spec = load_spec(_small_spec(tmp_path))
    a, sa = load_results(sweep(spec, tmp_path / "a", executor="inprocess", progress=False))
    b, sb = load_results(
        sweep(spec, tmp_path / "b", executor="processes", workers=2, progress=False)
    )
    cols = [c for c in a.columns if c != "duration"]
    pd.testing.assert_frame_equal(a[cols], b[cols], check_exact=True)
    pd.testing.assert_frame_equal(sa, sb, check_exact=True)
    assert len(a) == 27 and (a["status"] == "ok").all()


def test_dask_executor_gives_the_same_runs(tmp_path, dask_cluster):
    spec = load_spec(_small_spec(tmp_path, 2))
    a, _ = load_results(sweep(spec, tmp_path / "a", executor="inprocess", progress=False))
    d, _ = load_results(
        sweep(spec, tmp_path / "d", executor="dask", scheduler=dask_cluster.address, progress=False)
    )
    cols = [c for c in a.columns if c != "duration"]
    pd.testing.assert_frame_equal(a[cols], d[cols], check_exact=True)


def test_resume_after_kill_loses_and_duplicates_nothing(tmp_path):
    spec_path = _small_spec(tmp_path, 20)  # 180 runs
    out = tmp_path / "killed"
    cmd = [
        str(BIN / "samenspel"),
        "sweep",
        str(spec_path),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]
    proc = subprocess.Popen(cmd, cwd=tmp_path, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        if (out / "runs").exists() and len(list((out / "runs").glob("part-*.parquet"))) >= 2:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, mid-run
    proc.wait()
    partial, _ = load_results(out)
    assert 0 < len(partial) < 180, "the kill should land mid-sweep"
    done = subprocess.run([*cmd, "--resume"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    resumed, series = load_results(out)
    raw = pd.concat(pd.read_parquet(p) for p in (out / "runs").glob("part-*.parquet"))
    assert sorted(raw["run_id"]) == list(range(180))  # every run exactly once
    whole, whole_series = load_results(
        sweep(load_spec(spec_path), tmp_path / "whole", executor="processes", progress=False)
    )
    cols = [c for c in whole.columns if c != "duration"]
    pd.testing.assert_frame_equal(resumed[cols], whole[cols], check_exact=True)
    pd.testing.assert_frame_equal(series, whole_series, check_exact=True)


BAD_SPECS = {
    "unknown key": (
        'name = "x"\nbase = "grd"\nreplicats = 2\n[design]\nkind = "list"\npoints = [{}]\n',
        "replicats",
    ),
    "wrong type": (
        'name = "x"\nbase = "grd"\nreplicates = "two"\n[design]\nkind = "list"\npoints = [{}]\n',
        "replicates",
    ),
    "bad design": ('name = "x"\nbase = "grd"\n[design]\nkind = "grid"\n', "design.kind"),
    "one-level factor": (
        'name = "x"\nbase = "grd"\n[design]\nkind = "sobol"\nsamples = 8\n'
        '[parameters]\n"behaviour.trust_loss" = { values = [0.1] }\n',
        "behaviour.trust_loss",
    ),
    "out of range value": (
        'name = "x"\nbase = "grd"\n[design]\nkind = "full_factorial"\n'
        '[parameters]\n"behaviour.trust_loss" = { values = [0.1, 3.0] }\n',
        "behaviour.trust_loss",
    ),
    "unknown base": (
        'name = "x"\nbase = "nowhere"\n[design]\nkind = "list"\npoints = [{}]\n',
        "nowhere",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_bad_spec_names_the_field_exits_2_writes_nothing(case, tmp_path, capsys):
    text, field = BAD_SPECS[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    assert field in capsys.readouterr().err
    assert not out.exists()


def test_an_existing_folder_is_not_overwritten_and_resume_checks_the_spec(tmp_path, capsys):
    spec = _small_spec(tmp_path, 1)
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0
    assert main(["sweep", str(spec), "--out", str(out), "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err
    other = tmp_path / "other.toml"
    other.write_text(spec.read_text().replace("master_seed = 2024", "master_seed = 1"))
    assert main(["sweep", str(other), "--out", str(out), "--resume", "--no-progress"]) == 2
    assert "another spec" in capsys.readouterr().err


def test_resume_refuses_a_changed_base_scenario(tmp_path, capsys):
    base = tmp_path / "steering.toml"
    base.write_text((SWEEPS / "steering.toml").read_text())
    spec = tmp_path / "spec.toml"
    spec.write_text(
        (SWEEPS / "trust-and-monitoring.toml")
        .read_text()
        .replace("replicates = 10", "replicates = 1")
        .replace("years = 10", "years = 1")
    )
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0
    base.write_text(base.read_text().replace("sanction = 0.5", "sanction = 0.9"))
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]) == 2
    assert "has changed" in capsys.readouterr().err
