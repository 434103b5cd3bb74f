"""Benchmark: instructions a model run executes, counted by valgrind's callgrind, this checkout
against another (A/B). Counting instructions is deterministic where timing on a shared machine is
not (OpenBLAS's threads, which spin, are held to one), so a change of a few percent shows.

Each tree runs `--runs` ten-year models of one preset under callgrind, and once with none (the
interpreter's start-up and imports), in fresh processes; the difference over `--runs` is what
a run costs. Needs `valgrind` (Debian: apt-get install valgrind); a few minutes per tree.

    mkdir -p /tmp/base && git archive 89d5869 | tar -x -C /tmp/base
    .venv/bin/python benchmarks/instructions.py /tmp/base --runs 20 network-2024
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUNS = """
import sys
try:
    from sim.model.config import load_scenario
    from sim.model.model import RegionModel
except ImportError:  # a checkout from before sim/ was layered (issue 19)
    from sim.config import load_scenario
    from sim.model import RegionModel
scenario = load_scenario(sys.argv[1], years=10)
for seed in range(int(sys.argv[2])):
    RegionModel(scenario, seed=seed).run()
"""


def instructions(tree: Path, preset: str, runs: int) -> int:
    """Instructions callgrind counts for `runs` runs of `preset` in `tree` (start-up included)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                RUNS,
                preset,
                str(runs),
            ],
            cwd=tree,
            env={
                **os.environ,
                "PYTHONPATH": str(tree),
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
            },
            capture_output=True,
            text=True,
            check=True,
        )
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def per_run(tree: Path, preset: str, runs: int) -> float:
    instructions(tree, preset, 0)  # compiles the tree's .pyc files, so neither count has it
    return (instructions(tree, preset, runs) - instructions(tree, preset, 0)) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the other checkout (an exported copy)")
    parser.add_argument("presets", nargs="+")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"instructions per 10-year run ({args.runs} runs, callgrind)")
    for preset in args.presets:
        base = per_run(args.base, preset, args.runs)
        new = per_run(ROOT, preset, args.runs)
        print(
            f"  {preset:28s} base {base / 1e6:8.2f} M   new {new / 1e6:8.2f} M   "
            f"new/base {new / base:.3f}"
        )


if __name__ == "__main__":
    main()
