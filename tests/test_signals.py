"""Signals everywhere: SIGTERM and Ctrl-C at any moment of any command end it with one line and
exit status 143 or 130, no traceback, no process left, no run lost or recorded failed; workers
silent when their driver dies; a script without a main guard refused, not hung; a Dask address
that is no scheduler, a scheduler without workers, workers on other code: each a message.

Every command runs in a subprocess in a session of its own (so a signal to its process group
reaches nothing else), with a timeout. The hypothesis tests draw the command, the signal,
whether it goes to the process or its whole group (what `timeout`, a batch scheduler or
`docker stop` do) and the delay; each example is a real command of a few seconds, so they draw
a modest 12 examples each (about a minute per test on 2 cores).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, DaskCluster, samenspel
from tests.test_sweep_safety import raw_union, wait_for_parts, write_spec

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

EXAMPLES = 12  # each example is a command of a few seconds: a modest number
SECONDS = 10  # an interrupted command ends within this (it holds a signal at most while the
# fork server first imports the model, a second or two)

BIG = """name = "big"
region = "synthetic:400"
start_year = 2024
years = {years}

[governance]
mobility = "network"
housing = "network"
economy = "network"
energy = "network"
"""
SHORT = BIG.replace("synthetic:400", "drechtsteden").replace('"big"', '"short"')


def commands(folder: Path) -> dict[str, list[str]]:
    """A command of each kind, each a few seconds long, writing into `folder`."""
    (folder / "big.toml").write_text(BIG.format(years=60))
    (folder / "short.toml").write_text(SHORT.format(years=1))
    quiet = ["--no-progress"]
    return {
        "run": ["run", "--scenario", "big.toml", "--out", "out"],
        "compare": [
            *("compare", "--scenarios", "grd,network", "--replicates", "40", "--years", "3"),
            *("--workers", "2", "--out", "out", *quiet),
        ],
        "whatif": [
            *("whatif", "dordrecht-service", "--replicates", "20", "--years", "3"),
            *("--workers", "2", "--out", "out", *quiet),
        ],
        "animate": ["animate", "short.toml", "--format", "gif", "--out", "out.gif", *quiet],
        "validate": [
            *("validate", "--checks", "p1-decay", "--seeds", "30", "--workers", "2"),
            *("--out", "out", *quiet),
        ],
        "sweep": ["sweep", "spec.toml", "--out", "out", "--workers", "2", *quiet],
    }


def launch(args: list[str], cwd: Path) -> subprocess.Popen:
    """The command line in a new session (its process group is its own), as a user starts it."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim.present.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def handles_sigterm(pid: int) -> bool:
    """Whether the process has its own SIGTERM handler yet (the interpreter's first tenth of a
    second, before samenspel's code runs, is the default action's: exit by the signal)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(x for x in status.splitlines() if x.startswith("SigCgt:")).split()[1], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def session(sid: int) -> list[psutil.Process]:
    """The living (not zombie) processes of session `sid`."""
    out = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == sid and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except (OSError, psutil.Error):
            continue
    return out


def gone(sid: int, seconds: float = SECONDS) -> bool:
    deadline = time.time() + seconds
    while session(sid) and time.time() < deadline:
        time.sleep(0.1)
    return not session(sid)


def interrupt(proc: subprocess.Popen, signum: int, group: bool, delay: float) -> dict:
    """Send `signum` `delay` seconds after the command can handle it, to the process or its
    group, unless it finished first (`sent` False). How it ended: status, stderr, seconds."""
    deadline = time.time() + 60
    while not handles_sigterm(proc.pid) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    if proc.poll() is not None:
        _, err = proc.communicate(timeout=60)
        return {"sent": False, "code": proc.returncode, "err": err}
    sent = time.time()
    (os.killpg if group else os.kill)(proc.pid, signum)
    try:
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.time() - sent
    _, err = proc.communicate(timeout=60)  # EOF once every process holding stderr is gone
    return {"sent": True, "code": code, "err": err, "seconds": seconds, "left": not gone(proc.pid)}


def note(ended: dict, signum: int, group: bool, delay: float, what: str) -> None:
    """What the example tried, for hypothesis's statistics (--hypothesis-show-statistics)."""
    to = "group" if group else "process"
    if ended["sent"]:
        event(f"{what}: {signal.Signals(signum).name} to the {to}")
        event(f"sent {int(delay)}-{int(delay) + 1} s after the handler was in place")
    else:
        event(f"{what}: finished before the signal")


def complete(folder: Path) -> bool:
    """Whether the command in `folder` wrote its whole result (a sweep: all its 320 runs)."""
    log = folder / "out" / "status.log"
    if log.exists():
        return len(log.read_text().splitlines()) == 320
    return (folder / "out").exists() or (folder / "out.gif").exists()


def assert_one_line(ended: dict, signum: int, folder: Path) -> None:
    """Exit status 128 + signal, one line, no traceback, within SECONDS, nothing left running.
    Only a signal that meets the interpreter's own exit, the command's work done and written,
    may end it silently (Python runs no handler once it has begun to shut down): by the signal,
    or with the command's own status."""
    if ended["err"] == "" and ended["code"] in (0, 1, -signum) and complete(folder):
        event("the signal met the interpreter's exit, the result complete")
        return
    assert ended["code"] == 128 + signum, ended
    assert "Traceback" not in ended["err"], ended["err"]
    lines = ended["err"].splitlines()
    assert len(lines) == 1 and lines[0].startswith("samenspel: interrupted"), lines
    assert ended["seconds"] < SECONDS, ended
    assert not ended["left"], "a process of the command outlived it"


signals = st.sampled_from([signal.SIGTERM, signal.SIGINT])
groups = st.booleans()
delays = st.floats(0, 2.5)


@settings(max_examples=EXAMPLES)
@given(
    command=st.sampled_from(["run", "compare", "whatif", "animate", "validate", "sweep"]),
    signum=signals,
    group=groups,
    delay=delays,
)
def test_a_signal_at_any_moment_ends_any_command_with_one_line(
    tmp_path_factory, command, signum, group, delay
):
    folder = tmp_path_factory.mktemp(command)
    write_spec(folder, replicates=40, years=1)
    proc = launch(commands(folder)[command], folder)
    ended = interrupt(proc, signum, group, delay)
    note(ended, signum, group, delay, command)
    if not ended["sent"]:  # it finished first: then it finished well (validate: 1 if a check fails)
        assert ended["code"] in (0, 1) and "Traceback" not in ended["err"], ended
        return
    assert_one_line(ended, signum, folder)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("whole")
    spec = write_spec(folder, replicates=40, years=3)
    done = samenspel(["sweep", str(spec), "--out", "out", "--in-process", "--no-progress"], folder)
    assert done.returncode == 0, done.stderr
    return raw_union(folder / "out")


def assert_resumes_whole(folder: Path, whole: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """`--resume` completes the sweep to exactly the rows of an uninterrupted one, and no run
    is recorded failed."""
    out = folder / "out"
    if out.exists():  # the signal may have come before the folder was made
        args = ["sweep", "spec.toml", "--out", "out", "--resume", "--no-progress"]
        resumed = samenspel(args, folder)
        assert resumed.returncode == 0, resumed.stderr
    else:
        assert samenspel(["sweep", "spec.toml", "--out", "out"], folder).returncode == 0
    runs, series = raw_union(out)
    pd.testing.assert_frame_equal(runs, whole[0], check_exact=True)
    pd.testing.assert_frame_equal(series, whole[1], check_exact=True)
    log = [json.loads(line) for line in (out / "status.log").read_text().splitlines()]
    assert {r["status"] for r in log} == {"ok"} and len(log) == len(whole[0])


@settings(max_examples=EXAMPLES)
@given(
    where=st.sampled_from([["--workers", "2"], ["--workers", "1"], ["--in-process"]]),
    signum=signals,
    group=groups,
    delay=delays,
)
def test_a_signal_at_any_moment_of_a_sweep_loses_no_run(
    tmp_path_factory, uninterrupted, where, signum, group, delay
):
    folder = tmp_path_factory.mktemp("sweep")
    write_spec(folder, replicates=40, years=3)
    proc = launch(["sweep", "spec.toml", "--out", "out", *where, "--no-progress"], folder)
    ended = interrupt(proc, signum, group, delay)
    note(ended, signum, group, delay, " ".join(where))
    if ended["sent"]:
        assert_one_line(ended, signum, folder)
        if ended["err"] and (folder / "out").exists():
            assert "--resume" in ended["err"]
    assert_resumes_whole(folder, uninterrupted)


def test_sigterm_to_an_in_process_sweep_is_no_failed_run(tmp_path, uninterrupted):
    # It was recorded as a failed run ("sim.present.cli.Terminated"), the sweep ran on and exited 0,
    # and --resume had nothing to do: the run was lost.
    write_spec(tmp_path, replicates=40, years=3)
    proc = launch(["sweep", "spec.toml", "--out", "out", "--workers", "1"], tmp_path)
    wait_for_parts(tmp_path / "out", 1, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=SECONDS) == 143
    assert "--resume" in proc.stderr.read()
    log = (tmp_path / "out" / "status.log").read_text()
    assert "failed" not in log and len(log.splitlines()) < 320
    assert_resumes_whole(tmp_path, uninterrupted)


def test_sigterm_to_the_group_while_a_worker_waits_for_work(tmp_path):
    # One batch for two workers: the other waits for a task. The old pool's idle worker held
    # the task queue's lock; killed by the group's SIGTERM, it left the driver's clean-up
    # waiting on that lock for ever.
    (tmp_path / "big.toml").write_text(BIG.format(years=100))  # a batch of seconds
    (tmp_path / "spec.toml").write_text(
        'name = "one"\nbase = "big.toml"\nreplicates = 1\n[design]\nkind = "list"\n'
        'points = [{"behaviour.trust_loss" = 0.2}]\n'
    )
    proc = launch(["sweep", "spec.toml", "--out", "out", "--workers", "2"], tmp_path)
    deadline = time.time() + 60
    while len(session(proc.pid)) < 5 and time.time() < deadline:  # with tracker, fork server
        time.sleep(0.05)
    ended = interrupt(proc, signal.SIGTERM, True, 0.5)
    assert ended["sent"] and not list((tmp_path / "out" / "runs").glob("part-*"))
    assert_one_line(ended, signal.SIGTERM, tmp_path)


def test_workers_are_silent_and_gone_when_their_driver_is_killed(tmp_path):
    write_spec(tmp_path, replicates=100, years=10)
    proc = launch(["sweep", "spec.toml", "--out", "out", "--workers", "2"], tmp_path)
    wait_for_parts(tmp_path / "out", 1, proc)
    os.kill(proc.pid, signal.SIGKILL)  # the driver only: its workers are left to themselves
    assert proc.wait(timeout=SECONDS) == -signal.SIGKILL
    _, err = proc.communicate(timeout=60)
    assert err == ""  # no BrokenPipe or other traceback, no leaked-semaphore warning
    assert gone(proc.pid), "orphan workers still running"


def test_a_worker_killed_by_the_system_ends_the_sweep_with_a_message(tmp_path, uninterrupted):
    write_spec(tmp_path, replicates=40, years=3)
    proc = launch(["sweep", "spec.toml", "--out", "out", "--workers", "2"], tmp_path)
    wait_for_parts(tmp_path / "out", 1, proc)
    server = next(p for p in psutil.Process(proc.pid).children() if "forkserver" in p.cmdline()[-1])
    server.children()[0].kill()  # a worker, as the kernel's out-of-memory killer would
    assert proc.wait(timeout=SECONDS) == 1
    err = proc.stderr.read()
    assert "killed by SIGKILL" in err and "--resume" in err and "Traceback" not in err
    assert gone(proc.pid)
    assert_resumes_whole(tmp_path, uninterrupted)


# --- a script that calls samenspel ---------------------------------------------------------------

CALL = 'compare([load_scenario("grd", years=1)], 4, workers=2)'
HEAD = (  # lines 1-3
    "from sim.study.compare import compare\nfrom sim.model.config import load_scenario\n\n"
)
SCRIPTS = {  # a script's shape: its body, and the line samenspel names (None: it runs)
    "bare": (f"{CALL}\nprint('done')\n", 4),
    "function": (f"def main():\n    {CALL}\n    print('done')\n\n\nmain()\n", 9),
    "if-true": (f"if True:\n    {CALL}\n    print('done')\n", 5),
    "guarded": (
        f"def main():\n    {CALL}\n    print('done')\n\n\nif __name__ == '__main__':\n    main()\n",
        None,
    ),
    "reversed": (f"if '__main__' == __name__:\n    {CALL}\n    print('done')\n", None),
    "else": (f"if __name__ != '__main__':\n    pass\nelse:\n    {CALL}\n    print('done')\n", None),
}


@pytest.mark.parametrize("as_module", [False, True], ids=["file", "module"])
@pytest.mark.parametrize("shape", list(SCRIPTS))
def test_a_script_without_a_main_guard_is_told_what_to_add(tmp_path, shape, as_module):
    # Each worker runs the main script again as it starts: without the guard it started
    # workers again, for ever (tracebacks by the thousand, no result).
    body, line = SCRIPTS[shape]
    script = tmp_path / "mine.py"
    script.write_text(HEAD + body)
    run = [sys.executable, "-m", "mine"] if as_module else [sys.executable, str(script)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    done = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    if line is None:
        assert done.returncode == 0 and done.stdout == "done\n", done.stderr
        return
    assert done.returncode == 1 and "done" not in done.stdout
    assert f"UnguardedScript: {script}, line {line}:" in done.stderr, done.stderr
    assert 'if __name__ == "__main__":' in done.stderr and done.stderr.count("Traceback") == 1


def test_a_sweep_from_an_unguarded_script_writes_nothing(tmp_path):
    write_spec(tmp_path)
    (tmp_path / "mine.py").write_text(
        "from sim.study.experiment import load_spec\nfrom sim.study.sweep import sweep\n\n"
        'sweep(load_spec("spec.toml"), "out", workers=2, progress=False)\n'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "mine.py"], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 1 and b"UnguardedScript" in done.stderr
    assert not (tmp_path / "out").exists()


# --- Dask ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_address_that_is_no_dask_scheduler_is_refused_in_seconds(tmp_path):
    # A plain HTTP server accepts the connection and never answers Dask's handshake: the
    # client waited 300 s or more and left an empty sweep folder behind.
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while server.poll() is None and time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        write_spec(tmp_path)
        start = time.time()
        args = ["sweep", "spec.toml", "--out", "out", "--scheduler", f"tcp://127.0.0.1:{port}"]
        done = samenspel(args, tmp_path)
        seconds = time.time() - start
    finally:
        server.kill()
        server.wait()
    assert done.returncode == 2 and "is not a Dask scheduler" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and seconds < 25
    assert not (tmp_path / "out").exists()


def test_a_scheduler_without_workers_is_a_message_after_the_wait(tmp_path):
    cluster = DaskCluster(workers=0)
    try:
        write_spec(tmp_path)
        args = ["sweep", "spec.toml", "--out", "out", "--scheduler", cluster.address]
        start = time.time()
        done = samenspel([*args, "--wait-for-workers", "2"], tmp_path)
        seconds = time.time() - start
    finally:
        cluster.close()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "no Dask worker joined" in done.stderr and "within 2 s" in done.stderr
    assert f"dask worker {cluster.address}" in done.stderr and seconds < 30
    assert not (tmp_path / "out").exists()


def test_workers_on_other_samenspel_code_are_refused_by_name(tmp_path):
    other = tmp_path / "other"
    for package in ("sim", "agents"):
        shutil.copytree(
            ROOT / package, other / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    with open(other / "sim" / "model.py", "a") as f:
        f.write("\n# another commit\n")
    cluster = DaskCluster(roots=[ROOT, other])
    try:
        from distributed import Client

        with Client(cluster.address) as client:
            workers = list(client.scheduler_info()["workers"])
        write_spec(tmp_path)
        args = ["sweep", "spec.toml", "--out", "out", "--scheduler", cluster.address]
        done = samenspel(args, tmp_path)
    finally:
        cluster.close()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "1 of 2 Dask workers" in done.stderr and "do not run this samenspel" in done.stderr
    assert sum(f"{address}: samenspel" in done.stderr for address in workers) == 1
    assert not (tmp_path / "out").exists()


def test_a_sweep_whose_dask_workers_all_leave_says_so_and_how_to_resume(tmp_path):
    cluster = DaskCluster(workers=1)
    try:
        write_spec(tmp_path, replicates=100, years=10)
        args = ["sweep", "spec.toml", "--out", "out", "--scheduler", cluster.address]
        proc = launch([*args, "--wait-for-workers", "3"], tmp_path)
        wait_for_parts(tmp_path / "out", 1, proc, seconds=120)
        cluster.workers[0].kill()
        code = proc.wait(timeout=60)
        err = proc.stderr.read()
    finally:
        cluster.close()
    assert code == 1 and "Traceback" not in err, err
    assert "every Dask worker left" in err and "--resume" in err


HEAVY_FIRST_IMPORT = """
import builtins, signal, sys
real_import = builtins.__import__
seen = []
def spy(name, *args, **kwargs):
    if name.split(".")[0] in ("numpy", "pandas", "mesa", "scipy") and not seen:
        seen.append(signal.getsignal(signal.SIGTERM))
    return real_import(name, *args, **kwargs)
builtins.__import__ = spy
from sim.present.cli import main
main(["scenarios"])
print("handled" if seen and callable(seen[0]) else f"default: {seen}", file=sys.stderr)
"""


def test_the_handlers_are_in_place_before_the_first_heavy_import():
    """Loading numpy, pandas and mesa takes a second or two on a busy machine; a signal in that
    time must still end the command with one line, so the handlers come first (the audit found
    commands killed silently by SIGTERM, or a KeyboardInterrupt traceback, in that window)."""
    done = subprocess.run(
        [sys.executable, "-c", HEAVY_FIRST_IMPORT],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "handled", done.stderr
