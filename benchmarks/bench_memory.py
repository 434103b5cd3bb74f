"""Benchmark: peak resident memory of the default `compare` and of a 100,000-run sweep.

Each job runs as its own command; its whole process tree (the driver, the fork server, the
workers) is sampled every 0.2 s from /proc and the peak of the tree's summed resident size is
reported, with the driver's own peak. For the sweep, the tree's resident size is also printed
as the runs done pass 10k, 25k, 50k, 75k and 100k: a sweep's memory must not grow with its
number of runs. The sweep is a cheap design (one-year runs of the status quo, 1,000 points x
100 replicates), since it is the number of runs, not their length, that could make memory
grow.

    .venv/bin/python benchmarks/bench_memory.py              # both
    .venv/bin/python benchmarks/bench_memory.py --only sweep --runs 20000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def watch(cmd: list[str], progress=None, marks=()) -> tuple[float, float, dict]:
    """Run `cmd`; peak MB of its tree and of its driver, and tree MB at each progress mark."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak_tree = peak_driver = 0
    at: dict[int, float] = {}
    pending = list(marks)
    while proc.poll() is None:
        tree = sum(_rss(p) for p in _tree(proc.pid))
        peak_tree = max(peak_tree, tree)
        peak_driver = max(peak_driver, _rss(proc.pid))
        if progress is not None and pending:
            done = progress()
            while pending and done >= pending[0]:
                at[pending.pop(0)] = tree / 2**20
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"{cmd} failed ({proc.returncode})")
    return peak_tree / 2**20, peak_driver / 2**20, at


SPEC = """
name = "memory-{runs}"
base = "multiple-local-status-quo"
years = 1
replicates = {replicates}
master_seed = 7

[design]
kind = "full_factorial"

[parameters]
"behaviour.trust_loss" = {{ low = 0.05, high = 0.5, levels = {levels} }}

[outputs]
summary = ["commitment", "free_riding", "progress", "trust_mean", "meeting_hours"]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["compare", "sweep"])
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        if args.only in (None, "compare"):
            t0 = time.perf_counter()
            tree, driver, _ = watch([str(BIN / "samenspel"), "compare", "--out", str(tmp / "c")])
            print(
                f"default compare (every preset x 200 seeds): peak RSS {tree:7.1f} MB "
                f"(process tree), driver {driver:7.1f} MB, {time.perf_counter() - t0:6.1f} s"
            )
        if args.only in (None, "sweep"):
            levels = 100
            replicates = args.runs // levels
            spec = tmp / "memory.toml"
            spec.write_text(SPEC.format(runs=args.runs, replicates=replicates, levels=levels))
            out = tmp / "sweep"
            log = out / "status.log"

            def progress() -> int:
                try:
                    with open(log, "rb") as f:
                        return f.read().count(b"\n")
                except OSError:
                    return 0

            marks = [m for m in (10_000, 25_000, 50_000, 75_000, 100_000) if m <= args.runs]
            t0 = time.perf_counter()
            tree, driver, at = watch(
                [str(BIN / "samenspel"), "sweep", str(spec), "--out", str(out), "--no-progress"],
                progress,
                marks,
            )
            done = progress()
            print(
                f"{done:,}-run sweep (1-year runs): peak RSS {tree:7.1f} MB (process tree), "
                f"driver {driver:7.1f} MB, {time.perf_counter() - t0:6.1f} s"
            )
            print(
                "  tree RSS as runs finish: "
                + ", ".join(f"{k:,}: {v:.0f} MB" for k, v in at.items())
            )
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
