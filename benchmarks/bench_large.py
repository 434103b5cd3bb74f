"""Benchmark: model time of a 10-year run of a synthetic region, by size and arrangement.

Each of the five pure arrangements runs a synthetic region of N municipalities (construction
and 120 monthly steps, CPU time); the sizes are interleaved so the machine's load falls on all
alike. Prints the time at N = 342 (the number of Dutch municipalities) and, per arrangement,
the exponent b of time ~ N^b fitted by least squares on log-log over N = 25...400.

    .venv/bin/python benchmarks/bench_large.py             # --seeds 3 for medians of three
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

from sim.model.config import load_scenario
from sim.model.model import RegionModel

ARRANGEMENTS = ("grd", "classic-gr", "service-municipality", "multiple-local", "network")
SIZES = (25, 50, 100, 200, 342, 400)
TARGET_SECONDS = 1.0  # issue 12: 342 municipalities, 10 years, under a second


def run_seconds(name: str, n: int, seed: int) -> tuple[float, float]:
    """CPU seconds of a whole run (construction included) and of its 120 steps alone."""
    scenario = load_scenario(name, region=f"synthetic:{n}", years=10)
    t0 = time.process_time()
    model = RegionModel(scenario, seed=seed)
    t1 = time.process_time()
    model.run()
    t2 = time.process_time()
    return t2 - t0, t2 - t1


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """Slope of log(time) on log(N), least squares."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(s) for s in seconds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="runs per size (median reported)")
    args = parser.parse_args()
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for seed in range(args.seeds):
        for n in SIZES:
            for name in ARRANGEMENTS:
                runs.setdefault((name, n), []).append(run_seconds(name, n, seed))
    whole = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    steps = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    print(
        f"synthetic regions, CPU seconds per 10-year run, construction included (median of "
        f"{args.seeds}), load {os.getloadavg()[0]:.2f}; exponents of the whole run and of the "
        "120 steps alone (cost per step):"
    )
    head = "".join(f"{'N=' + str(n):>8}" for n in SIZES)
    print(f"  {'arrangement':<22}{head}   run    steps")
    worst = 0.0
    for name in ARRANGEMENTS:
        secs = [whole[(name, n)] for n in SIZES]
        b = exponent(list(SIZES), secs)
        b_step = exponent(list(SIZES), [steps[(name, n)] for n in SIZES])
        worst = max(worst, whole[(name, 342)])
        print(f"  {name:<22}" + "".join(f"{s:8.3f}" for s in secs) + f"  N^{b:.2f} N^{b_step:.2f}")
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    print(f"slowest at N=342: {worst:.3f} s; target {TARGET_SECONDS:.0f} s: {verdict}")
    print("(N log N over these sizes fits as N^1.22)")


if __name__ == "__main__":
    main()
