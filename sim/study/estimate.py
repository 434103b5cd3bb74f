"""Work estimated before it starts: the runs a command makes, their CPU time and peak memory,
and the `--large` guard.

Every command whose size the user sets (compare's and whatif's `--replicates`, validate's
`--seeds`, a sweep's design, a calibration's population, generations, checks and seeds,
animate's years x municipalities) works out its :class:`Estimate` from what it will run, before
anything is allocated or written, and calls :func:`guard`: above a threshold it stops with exit
status 2 and one message stating the runs, the time and the memory and what to reduce, unless
`--large` confirms it.

The costs are measured on the project's 2-core machine (`benchmarks/bench_estimate.py` prints
them again; benchmarks/README.md, "Estimates"). The thresholds are ASSUMPTIONS:

- `LARGE_CPU_SECONDS`, 2 hours of CPU: about an hour's wait on the 2-core laptop the README is
  written for. Every command the README shows stays below it (the largest, the project's own
  calibration, takes about 70 minutes of CPU), and a mistyped size such as `--replicates
  100000` goes far above it.
- `LARGE_MEMORY`, 2 GB: what a student's or workshop laptop of 8 GB can give one command beside
  the system, a browser and the command's own worker processes (about 170 MB each).
- `LARGE_PAGE`, 100 MB: the largest animation page a browser on such a laptop opens and plays;
  it holds the parsed frames at several times the page's size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.config import ConfigError, load_region_spec, region_size

if TYPE_CHECKING:
    from sim.model.config import Scenario

MB = 1 << 20
GB = 1 << 30

LARGE_CPU_SECONDS = 2 * 3600  # ASSUMPTION, see the module docstring
LARGE_MEMORY = 2 * GB  # ASSUMPTION, see the module docstring
LARGE_PAGE = 100 * MB  # ASSUMPTION, see the module docstring

# Measured (benchmarks/bench_estimate.py). A Drechtsteden run-year costs 0.4-0.8 ms of model
# CPU by preset, 1.3 ms within `compare` (default compare: 26 CPU-s for 20,000 run-years);
# every municipality beyond seven adds about 0.05 ms (synthetic:400, network: 20.5 ms).
SECONDS_PER_RUN_YEAR = 0.001
SECONDS_PER_MUNICIPALITY_YEAR = 0.00005
DRECHTSTEDEN = 7
# What the driver keeps per run (compare and whatif: the summary, event counts and one row per
# municipality; validate: the same and five monthly series): 18.6 KB a Drechtsteden run and
# 105 KB a run of 50 municipalities in compare, 15.6 KB (10 years) and 34.6 KB (50 years) in
# validate.
BYTES_PER_RUN = 5_000
BYTES_PER_MUNICIPALITY = 2_000
BYTES_PER_MONTH = 40
BASE_MEMORY = 300 * MB  # the driver with its libraries, before it keeps any run
# A calibration evaluates each check of a point on a pool of worker processes of its own: the
# project's calibration took 34 min 26 s on 2 cores for 120 points x 43 checks, of which its
# runs were about 10 minutes of CPU; the rest, 0.7 CPU-s per check and point, is the pools.
SECONDS_PER_CHECK = 0.7
# animate: reading a month's state into a frame and encoding it grows with the trust matrix
# (N^2 pairs: 200 municipalities took 0.13 s and 196 KB of page a month over one year,
# synthetic:400 0.14-0.4 s and 0.74 MB over one year, 0.93 MB over 100 years (1.12 GB in all),
# Drechtsteden 2.6 ms and 1.4 KB); a video frame is drawn in about 0.5 s, 2.2 s at 150.
VIEW_SECONDS_PER_MONTH = 0.002
VIEW_SECONDS_PER_PAIR = 3.5e-6
PAGE_BYTES_PER_MONTH = 1_200
PAGE_BYTES_PER_PAIR = 5.8
VIDEO_SECONDS_PER_FRAME = 0.5
VIDEO_SECONDS_PER_PAIR = 7.7e-5
FRAME_BYTES_PER_PAIR = 40  # a compacted frame held in memory for a video


def municipalities(scenario: Scenario) -> int:
    """How many municipalities a scenario's region has."""
    return region_size(scenario.region) or len(load_region_spec(scenario.region).municipalities)


def run_seconds(scenario: Scenario) -> float:
    """CPU seconds of one run of `scenario`."""
    extra = max(0, municipalities(scenario) - DRECHTSTEDEN)
    return scenario.years * (SECONDS_PER_RUN_YEAR + SECONDS_PER_MUNICIPALITY_YEAR * extra)


def run_bytes(scenario: Scenario) -> float:
    """Bytes the driver keeps for one run of `scenario` (compare, whatif, validate)."""
    n = municipalities(scenario)
    return BYTES_PER_RUN + BYTES_PER_MUNICIPALITY * n + BYTES_PER_MONTH * scenario.months


@dataclass(frozen=True)
class Estimate:
    """What a command will take: its runs, CPU seconds, peak memory (bytes) and, for a page,
    its size; `reduce` names what to make smaller."""

    runs: int
    cpu_seconds: float
    memory: float
    reduce: str
    page: float = 0.0

    def over(self) -> list[str]:
        """The thresholds this estimate goes beyond, in words (empty: none)."""
        out = []
        if self.cpu_seconds > LARGE_CPU_SECONDS:
            out.append(f"{duration(LARGE_CPU_SECONDS)} of CPU")
        if self.memory > LARGE_MEMORY:
            out.append(f"{size(LARGE_MEMORY)} of memory")
        if self.page > LARGE_PAGE:
            out.append(f"a page of {size(LARGE_PAGE)}")
        return out

    def describe(self, workers: int) -> str:
        """The estimate in words: "2,000,000 run(s): about 5.6 hours of CPU (2.8 hours on 2
        cores) and 38.9 GB of memory"."""
        wall = ""
        if workers > 1:
            wall = f" ({duration(self.cpu_seconds / workers)} on {workers} cores)"
        page = f", and a page of about {size(self.page)}" if self.page else ""
        runs = f"{self.runs:,} run{'' if self.runs == 1 else 's'}"
        cpu = f"{duration(self.cpu_seconds)} of CPU{wall}"
        return f"{runs}: about {cpu} and {size(self.memory)} of memory{page}"


def duration(seconds: float) -> str:
    """Seconds in words: "40 s", "25 minutes", "2 hours", "11.3 hours"."""
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 5400:
        return f"{seconds / 60:,.0f} minutes"
    return f"{_short(seconds / 3600)} hours"


def size(n: float) -> str:
    """Bytes in words: "300 MB", "2 GB", "22.5 GB"."""
    return f"{_short(n / GB)} GB" if n >= GB else f"{n / MB:,.0f} MB"


def _short(x: float) -> str:
    return f"{x:,.1f}".removesuffix(".0")


def guard(what: str, estimate: Estimate, large: bool, workers: int | None = None) -> None:
    """ConfigError (exit status 2) when `estimate` is beyond a threshold and `--large` was not
    given: one message with the estimate, the thresholds and what to reduce."""
    over = estimate.over()
    if not over or large:
        return
    import os

    cores = max(1, min(workers or os.cpu_count() or 1, estimate.runs or 1))
    raise ConfigError(
        f"{what}: {estimate.describe(cores)}; that is more than {' or '.join(over)}. Add "
        f"--large to run it anyway, or reduce {estimate.reduce}"
    )


# --- per command ---------------------------------------------------------------------------


def of_runs(work: Iterable[tuple[Scenario, int]], reduce: str) -> Estimate:
    """Runs whose results the driver keeps (compare, whatif, validate): (scenario, how many
    runs of it) pairs."""
    work = list(work)
    return Estimate(
        runs=sum(n for _, n in work),
        cpu_seconds=sum(n * run_seconds(sc) for sc, n in work),
        memory=BASE_MEMORY + sum(n * run_bytes(sc) for sc, n in work),
        reduce=reduce,
    )


def of_sweep(runs: int, scenario: Scenario, reduce: str) -> Estimate:
    """A sweep streams its runs to disk: its memory does not grow with them (`scenario`: the
    largest a point makes)."""
    return Estimate(runs, runs * run_seconds(scenario), BASE_MEMORY, reduce)


def of_calibration(points: int, checks: int, per_point: Estimate, reduce: str) -> Estimate:
    """`points` evaluations of `checks` checks, each point the runs `per_point` describes; the
    runs of one point are dropped before the next."""
    return Estimate(
        runs=points * per_point.runs,
        cpu_seconds=points * (per_point.cpu_seconds + checks * SECONDS_PER_CHECK),
        memory=per_point.memory,
        reduce=reduce,
    )


def of_animation(scenarios: Iterable[Scenario], fmt: str) -> Estimate:
    """One run per scenario read month by month into frames: a page is written a month at a
    time (its memory flat), a video holds every frame."""
    cpu = memory = page = 0.0
    scenarios = list(scenarios)
    for sc in scenarios:
        pairs = municipalities(sc) ** 2
        cpu += run_seconds(sc) + sc.months * (
            VIEW_SECONDS_PER_MONTH + VIEW_SECONDS_PER_PAIR * pairs
        )
        if fmt == "html":
            page += sc.months * (PAGE_BYTES_PER_MONTH + PAGE_BYTES_PER_PAIR * pairs)
        else:
            cpu += sc.months * (VIDEO_SECONDS_PER_FRAME + VIDEO_SECONDS_PER_PAIR * pairs)
            memory += sc.months * FRAME_BYTES_PER_PAIR * pairs
    reduce = "the scenario's `years` or the size of its region (fewer municipalities)"
    return Estimate(len(scenarios), cpu, BASE_MEMORY + memory, reduce, page)
