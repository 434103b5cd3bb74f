from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

from sim.model.config import Scenario
from sim.model.model import RegionModel
from tests.setups import SPATIAL, base_scenario_dict, paired_t, variant  # the checks' set-ups

ROOT = Path(__file__).resolve().parent.parent

# Hypothesis's per-example deadline is a timed test: on a loaded CI machine a 0.01 ms example
# can take 300 ms. Speed is for the benchmarks, so the property tests check properties only.
settings.register_profile("samenspel", deadline=None)
settings.load_profile("samenspel")

pytest_plugins = ["tests.browser_fixtures"]


@pytest.fixture(autouse=True, scope="session")
def own_state_folder(tmp_path_factory):
    """samenspel's per-user journal (sim/io/journal.py) in a folder of this test session, for this
    process and every command it starts, so tests neither read nor leave the user's."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield  # real-browser fixtures: browser, page, screenshot


__all__ = ["SPATIAL", "base_scenario_dict", "paired_t", "variant"]


def run(scenario: Scenario, seed: int) -> RegionModel:
    return RegionModel(scenario, seed=seed).run()


@pytest.fixture(scope="session")
def multiple_local() -> Scenario:
    return variant()


def samenspel(args: list[str], cwd, **env: str) -> subprocess.CompletedProcess:
    """Run the command line in a new process, as a user would (env: variables set for it)."""
    return subprocess.run(
        [sys.executable, "-m", "sim.present.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def crashing(args: list[str], cwd, *flags: str) -> subprocess.CompletedProcess:
    """Run the command line under tests/crash.py's hook (`--die N`, `--no-exchange`,
    `--trace`): a crash at any chosen point of what it writes, with no hook in samenspel."""
    return subprocess.run(
        [sys.executable, "-m", "tests.crash", *flags, "--", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def crash_points(args: list[str], cwd, *flags: str) -> list[str]:
    """What each crash point of `samenspel ARGS` does (`EVENT PATH`), in order; the command
    runs once to its end."""
    done = crashing(args, cwd, "--trace", *flags)
    assert done.returncode == 0, done.stderr[-2000:]
    return [
        line.split(": ", 1)[1]
        for line in done.stderr.splitlines()
        if line.startswith("crash-point ")
    ]


def start_samenspel(args: list[str], cwd) -> subprocess.Popen:
    """Start the command line in a new process and return at once, with Ctrl-C (SIGINT) as a
    terminal gives it: a test suite run in the background inherits SIGINT ignored, and a
    process started with a signal ignored rightly keeps ignoring it."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim.present.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class DaskCluster:
    """A real Dask scheduler and workers on loopback, no dashboards. `roots`: each worker's
    samenspel source tree (default: this checkout for every worker)."""

    def __init__(self, workers: int = 2, roots: list[Path] | None = None) -> None:
        roots = roots or [ROOT] * workers
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).with_name("dask"))
        quiet = {
            "env": {**os.environ, "PYTHONPATH": str(ROOT)},
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
        }
        self.scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        self.workers = [
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    self.address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                **{**quiet, "env": {**os.environ, "PYTHONPATH": str(root)}},
            )
            for root in roots
        ]
        from distributed import Client

        try:
            with Client(self.address, timeout="30s") as client:
                if roots:
                    client.wait_for_workers(len(roots), timeout=60)
        except BaseException:
            self.close()  # a cluster that never came up leaves no scheduler behind
            raise

    def close(self) -> None:
        for p in (self.scheduler, *self.workers):
            p.kill()
            p.wait(timeout=30)


@pytest.fixture
def dask_cluster():
    cluster = DaskCluster()
    yield cluster
    cluster.close()
