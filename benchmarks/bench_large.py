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

from sim.config import load_scenario
from sim.model import RegionModel

ARRANGEMENTS = ("grd", "classic-gr", "service-municipality", "multiple-local", "network")
SIZES = (25, 50, 100, 200, 342, 400)
TARGET_SECONDS = 1.0  # issue 12: 342 municipalities, 10 years, under a second


def run_seconds(name: str, n: int, seed: int) -> float:
    scenario = load_scenario(name, region=f"synthetic:{n}", years=10)
    t0 = time.process_time()
    RegionModel(scenario, seed=seed).run()
    return time.process_time() - t0


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
    times: dict[tuple[str, int], list[float]] = {}
    for seed in range(args.seeds):
        for n in SIZES:
            for name in ARRANGEMENTS:
                times.setdefault((name, n), []).append(run_seconds(name, n, seed))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"synthetic regions, CPU seconds per 10-year run (median of {args.seeds}), "
        f"load {os.getloadavg()[0]:.2f}:"
    )
    print(f"  {'arrangement':<22}" + "".join(f"{'N=' + str(n):>9}" for n in SIZES) + "  exponent")
    worst = 0.0
    for name in ARRANGEMENTS:
        secs = [med[(name, n)] for n in SIZES]
        b = exponent(list(SIZES), secs)
        worst = max(worst, med[(name, 342)])
        print(f"  {name:<22}" + "".join(f"{s:9.3f}" for s in secs) + f"  N^{b:.2f}")
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    print(f"slowest at N=342: {worst:.3f} s; target {TARGET_SECONDS:.0f} s: {verdict}")
    print("N log N over 25..400 would fit as about N^1.2 (reference)")


if __name__ == "__main__":
    main()
