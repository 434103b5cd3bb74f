"""Benchmark: the same 1,000-run full factorial with Mesa's batch_run and with samenspel's sweep.

10 values of trust loss x 10 of monitoring x 10 replicates, 10 years each, on the
multiple-local status quo, both on all cores. Mesa's batch_run keeps everything in memory and
collects through a DataCollector (here only at the last step, its cheapest use); samenspel's
sweep also streams every batch to Parquet and a status log on disk. The two alternate
(`--repeats` times each) and the medians are compared.

It also prints, in this one process:

- the sweep's overhead per run: the CPU time of an in-process sweep (scenario building,
  summaries, Parquet parts, the status log: everything) against the CPU time of the same runs'
  models alone (construction and run);
- one worker against two on a 2,000-run sweep (the same spec with 20 replicates).

    .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import mesa

from sim.model.config import scenario_from_dict
from sim.model.model import RegionModel
from sim.study.experiment import apply, base_scenario, load_spec
from sim.study.sweep import load_results, sweep

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


def time_batch_run(spec, workers: int) -> float:
    values = {n: p.values for n, p in spec.parameters.items()}
    t0 = time.perf_counter()
    results = mesa.batch_run(
        BatchRegion,
        parameters={
            "trust_loss": values["behaviour.trust_loss"],
            "monitoring": values["arrangements.steered.monitoring"],
        },
        number_processes=workers,
        max_steps=10**6,
        data_collection_period=-1,
        display_progress=False,
        rng=[r[2] for r in spec.runs()[: spec.replicates]],
    )
    elapsed = time.perf_counter() - t0
    assert len(results) == spec.run_count()
    return elapsed


def time_sweep(spec, workers: int, executor: str = "processes") -> tuple[float, float]:
    """Wall-clock and this process's CPU time of one sweep into a fresh folder."""
    out = Path(tempfile.mkdtemp()) / "sweep"
    t0, c0 = time.perf_counter(), time.process_time()
    sweep(spec, out, executor=executor, workers=workers, progress=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    runs, _ = load_results(out)
    assert len(runs) == spec.run_count() and (runs["status"] == "ok").all()
    shutil.rmtree(out.parent)
    return wall, cpu


def model_cpu(spec) -> float:
    """CPU time of the spec's models alone: scenarios validated beforehand, untimed."""
    scenarios = {}
    for _, point, _, params in spec.runs():
        if point not in scenarios:
            scenarios[point] = scenario_from_dict(apply(BASE, params))
    c0 = time.process_time()
    for _, point, seed, _ in spec.runs():
        RegionModel(scenarios[point], seed=seed).run()
    return time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-scaling", action="store_true", help="no 1-vs-2-worker test")
    args = parser.parse_args()
    spec = load_spec(SPEC)
    n = spec.run_count()
    print(f"load {os.getloadavg()[0]:.2f} at the start")

    mesa_t, ours_t = [], []
    for _ in range(args.repeats):  # alternate, so both see the same load
        mesa_t.append(time_batch_run(spec, args.workers))
        ours_t.append(time_sweep(spec, args.workers)[0])
    m, o = statistics.median(mesa_t), statistics.median(ours_t)
    print(
        f"{n:,}-run full factorial, {args.workers} processes, wall-clock, median of {args.repeats}:"
    )
    print(f"  Mesa batch_run (in memory)           {m:7.2f} s   {mesa_t}")
    print(f"  samenspel sweep (streams to Parquet) {o:7.2f} s   {ours_t}")
    print(f"  ratio batch_run / sweep              {m / o:7.2f}x   (target >= 2)")

    sweep_cpu, models = [], []
    for _ in range(args.repeats):
        sweep_cpu.append(time_sweep(spec, 1, "inprocess")[1])
        models.append(model_cpu(spec))
    s, mc = statistics.median(sweep_cpu), statistics.median(models)
    print(f"in one process, CPU per run, median of {args.repeats}:")
    print(f"  sweep, everything included           {s / n * 1e3:7.3f} ms")
    print(f"  the model alone                      {mc / n * 1e3:7.3f} ms")
    print(
        f"  sweep overhead per run               {(s - mc) / n * 1e3:7.3f} ms = "
        f"{(s - mc) / mc:6.1%} of the model's CPU   (target <= 10%)"
    )

    if args.skip_scaling:
        return
    big = spec.model_copy(update={"replicates": 20, "name": "benchmark-2000"})
    one, two = [], []
    for _ in range(max(1, args.repeats - 1)):
        one.append(time_sweep(big, 1)[0])
        two.append(time_sweep(big, 2)[0])
    w1, w2 = statistics.median(one), statistics.median(two)
    print(f"{big.run_count():,}-run sweep, wall-clock, median of {len(one)}:")
    print(f"  1 worker                             {w1:7.2f} s   {one}")
    print(f"  2 workers                            {w2:7.2f} s   {two}")
    print(f"  speed-up                             {w1 / w2:7.2f}x   (target >= 1.8)")


if __name__ == "__main__":
    main()
