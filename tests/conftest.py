from __future__ import annotations

import math
import os
import socket
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from sim.config import PRESETS, Scenario, scenario_from_dict
from sim.model import RegionModel

ROOT = Path(__file__).resolve().parent.parent


def base_scenario_dict(name: str = "multiple-local") -> dict:
    return tomllib.loads((PRESETS / f"{name}.toml").read_text())


SPATIAL = ("mobility", "housing", "economy", "energy")


def variant(
    name: str = "multiple-local",
    themes: tuple[str, ...] | None = SPATIAL,
    status_quo: bool = True,
    **rules: object,
) -> Scenario:
    """A pure-arrangement preset, with its rules changed as given.

    By default restricted to the spatial-economic themes and taken as the status quo (no
    transition from a previous arrangement), as multiple-local was when Common Eye looked at it.
    """
    data = base_scenario_dict(name)
    arrangement = name
    if rules:
        data["arrangements"] = {"variant": {"based_on": name, **rules}}
        arrangement = "variant"
    if themes is not None:
        data["governance"] = {t: arrangement for t in themes}
    else:
        data["governance"] = {t: arrangement for t in data["governance"]}
    if status_quo:
        data.pop("previous_governance", None)
    else:
        data["previous_governance"] = {
            t: p for t, p in data.get("previous_governance", {}).items() if t in data["governance"]
        }
    return scenario_from_dict(data)


def run(scenario: Scenario, seed: int) -> RegionModel:
    return RegionModel(scenario, seed=seed).run()


def paired_t(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean of b - a over pairs where both are numbers, and its t statistic."""
    d = [y - x for x, y in zip(a, b, strict=True) if not (math.isnan(x) or math.isnan(y))]
    mean = statistics.fmean(d)
    se = statistics.stdev(d) / math.sqrt(len(d))
    return mean, (mean / se if se > 0 else math.inf * (1 if mean > 0 else -1))


@pytest.fixture(scope="session")
def multiple_local() -> Scenario:
    return variant()


def samenspel(args: list[str], cwd, **env: str) -> subprocess.CompletedProcess:
    """Run the command line in a new process, as a user would (env adds test hooks)."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def start_samenspel(args: list[str], cwd) -> subprocess.Popen:
    """Start the command line in a new process and return at once."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class DaskCluster:
    """A real Dask scheduler and workers on loopback, no dashboards."""

    def __init__(self, workers: int = 2) -> None:
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
                **quiet,
            )
            for _ in range(workers)
        ]
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)

    def close(self) -> None:
        for p in (self.scheduler, *self.workers):
            p.kill()
            p.wait(timeout=30)


@pytest.fixture
def dask_cluster():
    cluster = DaskCluster()
    yield cluster
    cluster.close()
