"""Benchmark: this checkout against another (A/B), run by run, alternating seed by seed.

This machine's speed drifts by about 10% from minute to minute, more than many changes are
worth, so two benchmark runs one after the other cannot tell a 5% gain from noise. Here two
persistent worker processes, one importing each checkout, take turns on the same seeds (which
one goes first alternates), and the median of the per-seed ratios new/base is reported: the
drift falls on both sides of every pair.

    mkdir -p /tmp/base && git archive fa182f4 | tar -x -C /tmp/base
    .venv/bin/python benchmarks/ab.py /tmp/base --seeds 100 network-2024 grd
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import sys, time
try:
    from sim.model.config import load_scenario
    from sim.model.model import RegionModel
except ImportError:  # a checkout from before sim/ was layered (issue 19)
    from sim.config import load_scenario
    from sim.model import RegionModel
kept = {}
for line in sys.stdin:
    name, seed = line.split()
    if name not in kept:
        kept[name] = load_scenario(name, years=10)
        for s in range(3):  # warm-up
            RegionModel(kept[name], seed=s).run()
    t = time.process_time()
    RegionModel(kept[name], seed=int(seed)).run()
    print((time.process_time() - t) * 1e3, flush=True)
"""


def start(root: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the other checkout (a folder with sim/)")
    parser.add_argument("presets", nargs="+", help="scenario names")
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    workers = {"base": start(args.base.resolve()), "new": start(ROOT)}
    print(f"CPU ms per 10-year run, {args.seeds} seeds, load {os.getloadavg()[0]:.2f}")
    try:
        for name in args.presets:
            times: dict[str, list[float]] = {"base": [], "new": []}
            for seed in range(args.seeds):
                for side in ("new", "base") if seed % 2 == 0 else ("base", "new"):
                    w = workers[side]
                    assert w.stdin is not None and w.stdout is not None
                    w.stdin.write(f"{name} {seed}\n")
                    w.stdin.flush()
                    times[side].append(float(w.stdout.readline()))
            ratio = statistics.median(
                n / b for n, b in zip(times["new"], times["base"], strict=True)
            )
            print(
                f"  {name:<28} base {statistics.median(times['base']):7.2f}   "
                f"new {statistics.median(times['new']):7.2f}   new/base {ratio:.3f}"
            )
    finally:
        for w in workers.values():
            w.kill()


if __name__ == "__main__":
    main()
