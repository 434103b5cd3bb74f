"""Benchmark: CPU time of one 10-year run (120 monthly steps) of every preset, against Mesa's floor.

Interpreter start and imports are excluded; scenario loading is excluded (done once, as a sweep
does); model construction is included. Mesa's floor is an empty Mesa model with seven agents
stepped 120 times. The presets and the floor are timed side by side, interleaved seed by seed,
so a change in the machine's load falls on all of them alike; medians and quartiles per preset,
and each preset's median as a multiple of the floor's.

    make bench            # or: .venv/bin/python benchmarks/bench_run.py --runs 200

It also times the status quo with no proposals at all (every theme's `proposals_per_year` 0):
what the model costs when nobody decides anything (Mesa's step, the monthly budget, energy and
legitimacy updates, recording, construction). That is the model's own floor, which no faster
decision path can go below.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import mesa

from sim.model.config import list_scenarios, load_scenario, scenario_from_dict
from sim.model.model import RegionModel

TARGET = 3.0  # issue 12: one run within 3x Mesa's floor, for every preset
QUIET = "multiple-local-status-quo"  # the preset also run with no proposals
IDLE = f"{QUIET}, no proposals"


class _Idle(mesa.Agent):
    def end_month(self) -> None:
        pass


class _EmptyModel(mesa.Model):
    """Mesa's floor: seven agents, 120 steps that do nothing."""

    def __init__(self, seed: int) -> None:
        super().__init__(rng=seed)
        self.idle = [_Idle(self) for _ in range(7)]

    def step(self) -> None:
        for a in self.idle:
            a.end_month()


def run_empty(seed: int) -> None:
    m = _EmptyModel(seed)
    for _ in range(120):
        m.step()


def cpu_ms(fn, seed: int) -> float:
    t0 = time.process_time()
    fn(seed)
    return (time.process_time() - t0) * 1e3


def _report(label: str, ms: list[float], floor: float) -> None:
    q = statistics.quantiles(ms, n=4)
    print(
        f"  {label:<38} median {q[1]:6.2f} ms   IQR {q[0]:5.2f}-{q[2]:5.2f} ms   "
        f"{q[1] / floor:5.2f}x floor"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="seeds per preset")
    parser.add_argument("--scenario", action="append", help="only these presets (repeatable)")
    args = parser.parse_args()
    names = args.scenario or list_scenarios()
    runners = {"floor": run_empty}
    for name in names:
        scenario = load_scenario(name, years=10)
        runners[name] = lambda s, sc=scenario: RegionModel(sc, seed=s).run()
    quiet = load_scenario(QUIET, years=10)
    idle = scenario_from_dict(
        {
            **quiet.model_dump(mode="json"),
            "themes": {t: {"proposals_per_year": 0.0} for t in quiet.governance},
        }
    )
    runners[IDLE] = lambda s, sc=idle: RegionModel(sc, seed=s).run()
    for fn in runners.values():  # warm-up
        for s in range(5):
            fn(s)
    times: dict[str, list[float]] = {k: [] for k in runners}
    for seed in range(args.runs):  # interleaved: every runner sees the same load
        for k, fn in runners.items():
            times[k].append(cpu_ms(fn, seed))
    floor = statistics.median(times["floor"])
    print(
        f"one 10-year run (120 monthly steps), CPU time per run, {args.runs} seeds each, "
        f"load {os.getloadavg()[0]:.2f}:"
    )
    _report("empty Mesa model (floor)", times["floor"], floor)
    worst = 0.0
    for name in names:
        _report(name, times[name], floor)
        worst = max(worst, statistics.median(times[name]) / floor)
    _report(IDLE, times[IDLE], floor)
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"slowest preset {worst:.2f}x floor; target {TARGET:.0f}x: {verdict}")


if __name__ == "__main__":
    main()
