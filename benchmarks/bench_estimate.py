"""Benchmark: the costs behind sim/study/estimate.py, measured again and set beside its estimates.

- CPU per run-year of the model: every preset over 10 years, and synthetic regions of 25, 100
  and 400 municipalities under the costliest arrangement (network);
- what the driver keeps per run: the peak resident memory (resource.getrusage) of `compare`
  and of `validate` at two sizes, each in a process of its own, the difference per run;
- an animation: seconds per month and page bytes per month, by region size.

Each line prints the measured figure and what sim/study/estimate.py estimates for it: the estimate
should be near the measure or above it (a guard may overstate, it should not understate much).

    .venv/bin/python benchmarks/bench_estimate.py
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from sim.model.config import list_scenarios, load_scenario
from sim.model.model import RegionModel
from sim.study import estimate


def cpu(scenario, seeds: int) -> float:
    """Median CPU seconds of a run."""
    times = []
    for seed in range(seeds):
        start = time.process_time()
        RegionModel(scenario, seed=seed).run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def runs() -> None:
    print("CPU per run, measured / estimated (sim.study.estimate.run_seconds):")
    for name in list_scenarios():
        sc = load_scenario(name, years=10)
        print(f"  {name:<28} {cpu(sc, 5):8.4f} s / {estimate.run_seconds(sc):8.4f} s")
    for n in (25, 100, 400):
        sc = load_scenario("network", region=f"synthetic:{n}", years=10)
        name = f"network, synthetic:{n}"
        print(f"  {name:<28} {cpu(sc, 1):8.4f} s / {estimate.run_seconds(sc):8.4f} s")


def child(kind: str, size: int, count: int) -> None:
    """In a process of its own: run `compare` or `validate` and print its peak RSS in bytes."""
    if kind == "compare":
        from sim.study.compare import compare

        region = "drechtsteden" if size == 7 else f"synthetic:{size}"
        scenarios = [load_scenario(x, region=region, years=1) for x in ("grd", "network")]
        compare(scenarios, count, workers=2)
    else:
        from sim.study import validation

        validation.evaluate_all({}, keys=["p1-decay"], seeds=count, workers=2)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def peak(kind: str, size: int, count: int) -> int:
    args = [sys.executable, __file__, "--child", kind, str(size), str(count)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1])


def memory() -> None:
    print("bytes the driver keeps per run, measured / estimated (sim.study.estimate.run_bytes):")
    cases = [("compare", 7, 500, 5000, 2, 1), ("compare", 50, 500, 2000, 2, 1)]
    cases.append(("validate", 7, 300, 3000, 1, 10))
    for kind, size, small, large, arms, years in cases:
        per_run = (peak(kind, size, large) - peak(kind, size, small)) / (arms * (large - small))
        region = "drechtsteden" if size == 7 else f"synthetic:{size}"
        sc = load_scenario("grd", region=region, years=years)
        print(
            f"  {kind}, {size} municipalities, {years} year(s): {per_run / 1000:6.1f} KB / "
            f"{estimate.run_bytes(sc) / 1000:6.1f} KB"
        )


def animation() -> None:
    from sim.present.animate import render_html
    from sim.present.view import snapshots

    print("animate, per month, measured / estimated:")
    for n in (7, 100, 200):
        region = "drechtsteden" if n == 7 else f"synthetic:{n}"
        sc = load_scenario("network", region=region, years=1)
        start = time.process_time()
        page = render_html([snapshots(sc, 0)], "en")
        seconds = (time.process_time() - start) / sc.months
        guess = estimate.of_animation([sc], "html")
        print(
            f"  {n:>3} municipalities: {seconds:.4f} s / {guess.cpu_seconds / sc.months:.4f} s, "
            f"{len(page.encode()) / sc.months / 1000:7.1f} KB / "
            f"{guess.page / sc.months / 1000:7.1f} KB of page"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, size, count = args.child
        child(kind, int(size), int(count))
        return
    runs()
    memory()
    animation()


if __name__ == "__main__":
    main()
