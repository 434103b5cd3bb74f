"""Mean trust and commitment in years 10, 20, 30, 40 and 50 of every preset (30 seeds, 50 years).

Run with `.venv/bin/python scripts/long_runs.py [SEEDS]` (about a minute on 2 cores). A column is
the mean over seeds of that year's mean trust, and of that year's paid / due (seeds with nothing
due that year left out). docs/ODD.md's development history quotes it.
"""

from __future__ import annotations

import statistics
import sys
from concurrent.futures import ProcessPoolExecutor

from sim.model.config import list_scenarios, load_scenario
from sim.model.model import RegionModel

YEARS = (10, 20, 30, 40, 50)


def one(task: tuple[str, int]) -> tuple[str, dict[int, tuple[float, float]]]:
    name, seed = task
    c = RegionModel(load_scenario(name, years=max(YEARS)), seed=seed).run().recorder.columns
    out = {}
    for y in YEARS:
        w = slice((y - 1) * 12, y * 12)
        due = sum(c["due"][w])
        out[y] = (statistics.fmean(c["trust_mean"][w]), sum(c["paid"][w]) / due if due else None)
    return name, out


def main() -> None:
    seeds = range(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
    tasks = [(n, s) for n in list_scenarios() for s in seeds]
    with ProcessPoolExecutor() as ex:
        results = list(ex.map(one, tasks, chunksize=10))
    print(f"{'preset':28s}" + "".join(f" trust{y:<3d} commit{y:<3d}" for y in YEARS))
    for name in list_scenarios():
        rows = [r for n, r in results if n == name]
        line = f"{name:28s}"
        for y in YEARS:
            trust = statistics.fmean(r[y][0] for r in rows)
            paid = [r[y][1] for r in rows if r[y][1] is not None]
            line += f"   {trust:6.3f}    {statistics.fmean(paid) if paid else float('nan'):6.3f}  "
        print(line)


if __name__ == "__main__":
    main()
