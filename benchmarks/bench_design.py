"""Benchmark: peak memory of driving a sweep's design, `Spec.iter_runs`, over a large design.

Makes every run of a Sobol design (D = 6 parameters, first order: N x (D + 2) runs) the way a
sweep's driver does, counting them, and prints the runs, the seconds and this process's peak
resident memory (resource.getrusage). Before issue 18 the whole design was built first (8,000,000
runs: about 4 GB); made a chunk at a time it must stay flat whatever the number of runs.

    .venv/bin/python benchmarks/bench_design.py                  # 8,000,000 runs
    .venv/bin/python benchmarks/bench_design.py --runs 800000 --kind morris
"""

from __future__ import annotations

import argparse
import resource
import time

from sim.study.experiment import Spec

D = 6


def spec(runs: int, kind: str) -> Spec:
    per_sample = D + 2 if kind == "sobol" else D + 1 if kind == "morris" else 1
    return Spec.model_validate(
        {
            "name": "bench-design",
            "base": "multiple-local-status-quo",
            "years": 1,
            "design": {"kind": kind, "samples": runs // per_sample},
            "parameters": {f"behaviour.weight_{i}": {"low": 0.0, "high": 1.0} for i in range(D)},
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8_000_000)
    parser.add_argument("--kind", choices=("sobol", "morris", "latin_hypercube"), default="sobol")
    args = parser.parse_args()
    s = spec(args.runs, args.kind)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    made = sum(1 for _ in s.iter_runs())
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.kind}: {made:,} runs of {s.run_count():,} made in {seconds:.1f} s; peak RSS "
        f"{peak:,.0f} MB ({before:,.0f} MB before the design)"
    )


if __name__ == "__main__":
    main()
