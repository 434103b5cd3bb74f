"""Benchmark: the same 1,000-run full factorial with Mesa's batch_run and with samenspel's sweep.

10 values of trust loss x 10 of monitoring x 10 replicates, 10 years each, on the
multiple-local status quo, both on all cores. Mesa's batch_run keeps everything in memory and
collects through a DataCollector (here only at the last step, its cheapest use); samenspel's
sweep also streams every batch to Parquet and a status log on disk.

    .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import mesa

from sim.config import scenario_from_dict
from sim.experiment import apply, base_scenario, load_spec
from sim.model import RegionModel
from sim.sweep import load_results, sweep

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "experiments" / "sweeps" / "benchmark-1000.toml"
OUTCOMES = ("commitment", "free_riding", "progress", "trust_mean", "meeting_hours")
# At import, so that batch_run's spawned workers (it forces "spawn") have it too.
BASE = base_scenario(load_spec(SPEC))


class BatchRegion(RegionModel):
    """RegionModel as batch_run wants it: flat keyword parameters and a DataCollector."""

    def __init__(self, trust_loss: float = 0.2, monitoring: float = 0.0, rng: int = 0) -> None:
        params = {"behaviour.trust_loss": trust_loss, "arrangements.steered.monitoring": monitoring}
        super().__init__(scenario_from_dict(apply(BASE, params)), seed=rng)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: (lambda m, k=k: m.recorder.summary()[k]) for k in OUTCOMES}
        )

    def step(self) -> None:
        super().step()
        if self.steps == self.config.months:  # collect once, at the end (the cheapest use)
            self.datacollector.collect(self)
            self.running = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    spec = load_spec(SPEC)
    values = {n: p.values for n, p in spec.parameters.items()}

    t0 = time.perf_counter()
    results = mesa.batch_run(
        BatchRegion,
        parameters={
            "trust_loss": values["behaviour.trust_loss"],
            "monitoring": values["arrangements.steered.monitoring"],
        },
        number_processes=args.workers,
        max_steps=10**6,
        data_collection_period=-1,
        display_progress=False,
        rng=[r[2] for r in spec.runs()[: spec.replicates]],
    )
    mesa_time = time.perf_counter() - t0

    out = Path(tempfile.mkdtemp()) / "sweep"
    t0 = time.perf_counter()
    sweep(spec, out, executor="processes", workers=args.workers, progress=False)
    ours = time.perf_counter() - t0
    runs, _ = load_results(out)
    shutil.rmtree(out.parent)

    print(
        f"1,000-run full factorial ({len(results)} runs by batch_run, {len(runs)} by sweep), "
        f"{args.workers} processes, wall-clock:"
    )
    print(f"  Mesa batch_run (in memory)           {mesa_time:7.2f} s")
    print(f"  samenspel sweep (streams to Parquet) {ours:7.2f} s")
    print(f"  ratio batch_run / sweep              {mesa_time / ours:7.2f}x")


if __name__ == "__main__":
    main()
