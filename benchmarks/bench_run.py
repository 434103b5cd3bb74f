"""Benchmark: CPU time of one 10-year run (120 monthly steps) of the Drechtsteden region.

Interpreter start and imports are excluded; scenario loading is excluded (done once, as a sweep
does); model construction is included. Prints the median and quartiles over many seeds, and the
same for an empty Mesa model with seven agents stepped 120 times, Mesa's own floor.

    make bench            # or: .venv/bin/python benchmarks/bench_run.py --runs 500
"""

from __future__ import annotations

import argparse
import statistics
import time

import mesa

from sim.config import load_scenario
from sim.model import RegionModel


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


def _time(make_and_run, runs: int) -> list[float]:
    out = []
    for seed in range(runs):
        t0 = time.process_time()
        make_and_run(seed)
        out.append((time.process_time() - t0) * 1e3)
    return out


def _report(label: str, ms: list[float]) -> None:
    q = statistics.quantiles(ms, n=4)
    print(f"{label:<38} median {q[1]:6.2f} ms   IQR {q[0]:5.2f}-{q[2]:5.2f} ms   n={len(ms)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--scenario", default="multiple-local-status-quo")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, years=10)

    def run_empty(seed: int) -> None:
        m = _EmptyModel(seed)
        for _ in range(120):
            m.step()

    _time(lambda s: RegionModel(scenario, seed=s).run(), 20)  # warm-up
    samenspel = _time(lambda s: RegionModel(scenario, seed=s).run(), args.runs)
    empty = _time(run_empty, args.runs)
    print(f"one 10-year run of '{args.scenario}' (120 monthly steps), CPU time per run:")
    _report("samenspel RegionModel", samenspel)
    _report("empty Mesa model, 7 agents (floor)", empty)
    print(f"target 5.00 ms: {'met' if statistics.median(samenspel) <= 5.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
