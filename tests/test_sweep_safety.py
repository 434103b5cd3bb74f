"""Sweeps that cannot be corrupted: one identity per design, one writer per folder, one commit
per batch, clean stops on signals, no orphan workers, and bad sweep inputs refused up front."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.present.cli import main
from sim.study.experiment import load_spec
from sim.study.sweep import load_results, sweep
from tests.conftest import ROOT, crash_points, crashing, samenspel, start_samenspel

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

SWEEPS = ROOT / "experiments" / "sweeps"

SPEC = """name = "safe"
base = "base.toml"
years = {years}
replicates = {replicates}
master_seed = 7

[design]
kind = "full_factorial"

[parameters]
{parameters}

[outputs]
summary = ["commitment", "trust_mean"]
series = ["commitment_cum"]
series_every = 6
"""
PARAMETERS = [
    '"behaviour.trust_loss" = { values = [0.1, 0.3] }',
    '"arrangements.steered.monitoring" = { values = [0.0, 1.0] }',
    '"behaviour.choice_noise" = { low = 0.3, high = 0.9, levels = 2 }',
]


def write_spec(folder: Path, replicates: int = 2, years: int = 1, order=(0, 1, 2)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SWEEPS / "steering.toml", folder / "base.toml")
    path = folder / "spec.toml"
    params = "\n".join(PARAMETERS[i] for i in order)
    path.write_text(SPEC.format(years=years, replicates=replicates, parameters=params))
    return path


def raw_union(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every row of every part, as plain pandas reads the folders (no de-duplication)."""
    runs = pd.read_parquet(folder / "runs").drop(columns="duration")
    series = pd.read_parquet(folder / "series")
    return (
        runs.sort_values("run_id").reset_index(drop=True),
        series.sort_values(["run_id", "month", "variable"]).reset_index(drop=True),
    )


def wait_for_parts(folder: Path, n: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        if len(list((folder / "runs").glob("part-*.parquet"))) >= n:
            return
        time.sleep(0.02)
    raise AssertionError(f"no {n} parts in {folder} (exit {proc.poll()})")


# --- identity ----------------------------------------------------------------------------------


def test_the_order_of_parameters_does_not_change_the_design(tmp_path):
    a = load_spec(write_spec(tmp_path / "a", order=(0, 1, 2)))
    b = load_spec(write_spec(tmp_path / "b", order=(2, 0, 1)))
    assert a.digest() == b.digest()
    assert a.runs() == b.runs()  # the same run id gets the same parameters and seed


def test_a_spec_moved_with_its_base_resumes_where_it_was(tmp_path):
    spec = write_spec(tmp_path / "here")
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0
    shutil.move(tmp_path / "here", tmp_path / "there")
    moved = tmp_path / "there" / "spec.toml"
    assert load_spec(moved).digest() == load_spec(spec.parent.parent / "there/spec.toml").digest()
    assert main(["sweep", str(moved), "--out", str(out), "--resume", "--no-progress"]) == 0


def test_a_changed_design_is_refused_on_resume(tmp_path, capsys):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0
    spec.write_text(spec.read_text().replace("[0.1, 0.3]", "[0.1, 0.4]"))
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]) == 2
    assert "another spec" in capsys.readouterr().err


# --- one writer --------------------------------------------------------------------------------


def test_a_second_writer_is_refused_naming_the_first(tmp_path):
    spec = write_spec(tmp_path, replicates=40, years=10)  # 320 runs: long enough to overlap
    out = tmp_path / "out"
    first = start_samenspel(
        ["sweep", str(spec), "--out", str(out), "--workers", "1", "--no-progress"], tmp_path
    )
    try:
        wait_for_parts(out, 1, first)
        second = samenspel(["sweep", str(spec), "--out", str(out), "--resume"], tmp_path)
        assert second.returncode == 2
        assert f"process {first.pid}" in second.stderr and "Traceback" not in second.stderr
        fresh = samenspel(["sweep", str(spec), "--out", str(out)], tmp_path)
        assert fresh.returncode == 2 and "Traceback" not in fresh.stderr
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0, first.stderr
    runs, _ = raw_union(out)
    assert sorted(runs["run_id"]) == list(range(320))  # nothing written twice


def test_two_fresh_starts_racing_for_one_folder(tmp_path):
    spec = write_spec(tmp_path, replicates=10, years=3)
    out = tmp_path / "out"
    args = ["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]
    procs = [start_samenspel(args, tmp_path) for _ in range(3)]
    codes = sorted(p.wait(timeout=300) for p in procs)
    assert codes == [0, 2, 2], [p.stderr.read() for p in procs]
    runs, _ = raw_union(out)
    assert sorted(runs["run_id"]) == list(range(80))


# --- one unit per batch: a kill at every commit point ------------------------------------------


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("whole")
    spec = write_spec(folder, replicates=6)
    out = folder / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0
    return raw_union(out)


SWEEP = ["sweep", "spec.toml", "--out", "out", "--in-process", "--no-progress"]


@pytest.fixture(scope="module")
def sweep_points(tmp_path_factory) -> list[str]:
    """What each crash point of the 48-run sweep does, in order."""
    folder = tmp_path_factory.mktemp("points")
    write_spec(folder, replicates=6)
    return crash_points(SWEEP, folder)


def resumes_exactly(folder: Path, uninterrupted) -> None:
    """`--resume` completes the sweep to exactly the rows of one that was never interrupted,
    one whole status line per run, and leaves no temporary file. (Killed before its folder came
    into being, a sweep left nothing to resume: it is started again.)"""
    again = ["--resume"] if (folder / "out").exists() else []
    resumed = samenspel([*SWEEP, *again], folder)
    assert resumed.returncode == 0, resumed.stderr
    out = folder / "out"
    runs, series = raw_union(out)
    whole_runs, whole_series = uninterrupted
    pd.testing.assert_frame_equal(runs, whole_runs, check_exact=True)
    pd.testing.assert_frame_equal(series, whole_series, check_exact=True)
    log = [json.loads(line) for line in (out / "status.log").read_text().splitlines()]
    assert sorted(r["run_id"] for r in log) == list(range(48))  # one line per run, all whole
    assert not [p for p in out.rglob(".*") if p.name != ".samenspel.lock"]


@settings(
    max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_kill_before_any_write_loses_and_duplicates_nothing(
    tmp_path, sweep_points, uninterrupted, data
):
    """Killed before any one of the sweep's writes (drawn among all of them: parts, their
    temporary files and renames, ledger and log lines), `--resume` completes it exactly."""
    k = data.draw(st.integers(1, len(sweep_points)), label="crash point")
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    write_spec(folder, replicates=6)
    assert crashing(SWEEP, folder, "--die", str(k)).returncode == 137
    resumes_exactly(folder, uninterrupted)


def test_a_status_line_cut_off_by_a_kill_is_repaired(tmp_path, sweep_points, uninterrupted):
    """A kill in the middle of a status-log append (a torn write: half a line) is what a kill
    before the next write leaves plus a cut line; `--resume` cuts it and completes exactly."""
    logs = [k for k, p in enumerate(sweep_points, 1) if p.endswith("status.log")]
    k = logs[2] + 1  # just after the third batch's log lines were opened for append
    write_spec(tmp_path, replicates=6)
    assert crashing(SWEEP, tmp_path, "--die", str(k)).returncode == 137
    with open(tmp_path / "out" / "status.log", "a") as log:
        log.write('{"run_id": 4')  # the half a line a torn write leaves
    resumes_exactly(tmp_path, uninterrupted)


def test_a_kill_while_creating_the_folder_leaves_no_folder(tmp_path, sweep_points):
    rename = next(
        k for k, p in enumerate(sweep_points, 1) if p.startswith("os.rename .samenspel-tmp")
    )
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]
    assert crashing(args, tmp_path, "--die", str(rename)).returncode == 137
    assert not out.exists()
    assert samenspel(args, tmp_path).returncode == 0  # and the next start cleans up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.toml", "out", "spec.toml"]


# --- signals and lost processes ----------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc (workers fork from a fork server)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def test_sigterm_stops_the_sweep_and_its_workers_and_says_how_to_resume(tmp_path):
    spec = write_spec(tmp_path, replicates=40, years=10)
    out = tmp_path / "out"
    proc = start_samenspel(
        ["sweep", str(spec), "--out", str(out), "--workers", "2", "--no-progress"], tmp_path
    )
    wait_for_parts(out, 1, proc)
    workers = descendants(proc.pid)
    assert workers
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    err = proc.stderr.read()
    assert "--resume" in err and "Traceback" not in err
    deadline = time.time() + 10
    while alive(workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not alive(workers)
    done = samenspel(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"], tmp_path)
    assert done.returncode == 0
    runs, _ = raw_union(out)
    assert sorted(runs["run_id"]) == list(range(320))


def test_workers_do_not_outlive_a_driver_killed_hard(tmp_path):
    # Batches of 50 runs of a large synthetic region take many seconds: a worker that did not
    # watch its driver would go on computing its batch long after the driver died.
    spec = write_spec(tmp_path, replicates=100, years=10)  # 800 runs: batches of 50
    base = tmp_path / "base.toml"
    base.write_text(base.read_text().replace('"drechtsteden"', '"synthetic:400"'))
    out = tmp_path / "out"
    proc = start_samenspel(
        ["sweep", str(spec), "--out", str(out), "--workers", "2", "--no-progress"], tmp_path
    )
    workers: set[int] = set()
    try:
        deadline = time.time() + 60
        while len(descendants(proc.pid)) < 3 and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the workers are well into their first batches
        workers = descendants(proc.pid)
        assert len(workers) >= 3 and not list((out / "runs").glob("part-*"))
        os.kill(proc.pid, signal.SIGKILL)  # the driver only: its workers are left to themselves
        proc.wait()
        # Workers exit as their driver's end of a pipe closes; the fork server once they have.
        # Under a loaded machine a process takes a while to be scheduled and exit, so allow
        # 15 s: without the watcher they would run for the rest of their batch (minutes).
        deadline = time.time() + 15
        while alive(workers) and time.time() < deadline:
            time.sleep(0.1)
        assert not alive(workers), "orphan workers still running"
    finally:
        for pid in alive(workers | {proc.pid}):
            os.kill(pid, signal.SIGKILL)


def test_a_lost_dask_scheduler_is_a_message_with_the_resume_command(tmp_path, dask_cluster):
    spec = write_spec(tmp_path, replicates=100, years=10)
    out = tmp_path / "out"
    address = dask_cluster.address
    proc = start_samenspel(
        ["sweep", str(spec), "--out", str(out), "--scheduler", address], tmp_path
    )
    wait_for_parts(out, 1, proc, seconds=120)
    dask_cluster.scheduler.kill()
    assert proc.wait(timeout=120) == 1
    err = proc.stderr.read()
    assert "--resume" in err and address in err and "Traceback" not in err


def test_resuming_a_finished_sweep_has_nothing_to_do(tmp_path, capsys):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0
    before = (out / "status.log").read_text()
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert (out / "status.log").read_text() == before


# --- bad sweep inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheduler", "expected"),
    [
        ("", "no address"),
        ("not an address", "not a scheduler address"),
        ("tcp://127.0.0.1:1", "no Dask scheduler answers"),
    ],
)
def test_a_bad_scheduler_is_refused_before_anything_is_written(
    tmp_path, capsys, scheduler, expected
):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", scheduler]) == 2
    err = capsys.readouterr().err
    assert expected in err and "--scheduler" in err
    assert not out.exists()
    assert main(["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]) == 0


def test_an_unknown_outcome_is_refused_with_a_suggestion(tmp_path, capsys):
    spec = write_spec(tmp_path)
    spec.write_text(spec.read_text().replace('"trust_mean"', '"trust_men"'))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "outputs.summary" in err and "did you mean 'trust_mean'" in err
    assert not (tmp_path / "o").exists()


def test_a_huge_design_needs_confirmation(tmp_path, capsys):
    spec = write_spec(tmp_path)
    text = spec.read_text().replace("replicates = 2", "replicates = 100000")
    text = text.replace("levels = 2", "levels = 100")
    spec.write_text(text.replace('kind = "full_factorial"', 'kind = "full_factorial"'))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "40,000,000 runs" in err and "--large" in err
    assert not (tmp_path / "o").exists()


def test_analyze_needs_finished_runs(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep" in capsys.readouterr().err
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ["sweep", str(spec), "--out", str(out), "--in-process", "--no-progress"]
    points = crash_points(args, tmp_path)  # runs it whole once, to count
    first_runs_part = next(k for k, p in enumerate(points, 1) if p.startswith("os.rename out/runs"))
    shutil.rmtree(out)
    assert crashing(args, tmp_path, "--die", str(first_runs_part)).returncode == 137
    assert main(["analyze", str(out)]) == 2
    assert "no finished runs" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "base.toml",
        "manifest.json",
        "runs",
        "series",
        "spec.toml",
        "status.log",
        "written.log",
    ]


def test_a_sweep_whose_every_run_fails_says_so(tmp_path, capsys):
    from sim.study.experiment import Spec

    spec = Spec(
        name="doomed",
        base="multiple-local-status-quo",
        years=1,
        design={"kind": "list", "points": [{"behaviour.trust_loss": 9.0}]},
    )
    folder = sweep(spec, tmp_path / "o", executor="inprocess", progress=False)
    runs, _ = load_results(folder)
    assert list(runs["status"]) == ["failed"]
    assert main(["analyze", str(folder)]) == 2
    assert "all 1 runs failed" in capsys.readouterr().err
