"""Benchmark: the default `samenspel compare` over plausible worlds against the same command at
the model's default behaviour only (`--worlds 0`), side by side in one run (issue 21: at most
twice the wall time).

Both are the whole command, as a person runs it (every preset, 200 seeds each, the report
written), in a process of its own, alternated A B A B ... so a change in the machine's load
falls on both alike; the medians and their ratio are printed.

    .venv/bin/python benchmarks/bench_worlds.py --pairs 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "samenspel"
TARGET = 2.0  # issue 21: plausible worlds by default take at most twice today's wall time


def timed(args: list[str], out: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN), "compare", *args, "--out", str(out), "--force", "--no-progress"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--replicates", type=int, default=200)
    args = ap.parse_args()
    one, many = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.pairs):
            common = ["--replicates", str(args.replicates)]
            one.append(timed([*common, "--worlds", "0"], Path(tmp) / "one"))
            many.append(timed(common, Path(tmp) / "worlds"))
    a, b = statistics.median(one), statistics.median(many)
    print(f"compare, default behaviour only (--worlds 0): median {a:.1f} s  {sorted(one)}")
    print(f"compare, plausible worlds (default, 20):     median {b:.1f} s  {sorted(many)}")
    print(f"worlds / one: {b / a:.2f} (target <= {TARGET})")


if __name__ == "__main__":
    main()
