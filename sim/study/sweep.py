"""Parameter sweeps: run an experiment spec on an executor, streaming results to disk.

Each batch of runs is written as one Parquet part into the sweep's folder (sim/study/sweepstore.py:
its layout, how a batch is committed, how a folder is checked and repaired). The recorded parts
are the record of what is done: after an interruption (Ctrl-C, kill -9, a dead worker) `resume`
runs exactly the runs no part holds, so nothing is lost or duplicated. A run that raises is
recorded with its error and the sweep goes on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sim.io.progress import bar
from sim.model.config import ConfigError, scenario_from_dict
from sim.model.model import RegionModel
from sim.study.executors import WORKER_WAIT, check_cluster, check_main_guard, execute
from sim.study.experiment import Outputs, Spec, apply, base_scenario
from sim.study.sweepcheck import LEDGER
from sim.study.sweeprows import kept_outcomes, municipality_rows, series_rows
from sim.study.sweepstore import (
    Check,
    Store,
    is_sweep,
    load_municipalities,
    load_results,
    verify,
)

__all__ = ["is_sweep", "load_municipalities", "load_results", "run_batch", "sweep", "verify"]

Run = tuple[int, int, int, dict[str, Any]]  # run id, point index, seed, parameters


Batch = tuple[list[dict], list[dict], list[dict]]
"""What a batch of runs gives back: summary rows (with status), long time-series rows and
per-municipality rows (sim/study/sweeprows.py: what is kept of each run)."""


def run_batch(base: dict, runs: list[Run], outputs: Outputs) -> Batch:
    """Run a batch in this process: summary rows (with status), long time-series rows and
    per-municipality rows."""
    rows: list[dict] = []
    series: list[dict] = []
    municipalities: list[dict] = []
    scenarios: dict[int, Any] = {}  # replicates of a point share its validated scenario
    for run_id, point, seed, params in runs:
        start = time.perf_counter()
        row: dict[str, Any] = {"run_id": run_id, "point": point, "seed": seed, **params}
        try:
            scenario = scenarios.get(point)
            if scenario is None:
                scenario = scenarios[point] = scenario_from_dict(
                    apply(base, params), source=f"run {run_id}"
                )
            recorder = RegionModel(scenario, seed=seed).run().recorder
            summary = recorder.summary()
            kept = {k: summary[k] for k in kept_outcomes(outputs, summary)}
            more = series_rows(run_id, recorder, outputs)
            local = municipality_rows(run_id, recorder, outputs)
            row.update(kept, status="ok", error="")
            series += more
            municipalities += local
        except Exception as exc:  # a failing run is recorded, and the sweep goes on
            row["status"] = "failed"
            row["error"] = "".join(traceback.format_exception_only(exc)).strip()
        row["duration"] = time.perf_counter() - start
        rows.append(row)
    return rows, series, municipalities


def batch_size(runs: int, workers: int) -> int:
    """Runs per batch: enough that process hand-off does not dominate runs of a few
    milliseconds, enough batches that every worker stays busy and progress shows."""
    return max(1, min(50, math.ceil(runs / (workers * 8))))


def batches(runs: list[Run], workers: int) -> list[list[Run]]:
    """Runs in batches of `batch_size`."""
    size = batch_size(len(runs), workers)
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def stream_batches(runs: Iterable[Run], size: int) -> Iterator[list[Run]]:
    """Runs in batches of `size`, made as they are asked for: a sweep never holds its whole
    design, so its memory does not grow with its number of runs."""
    it = iter(runs)
    while batch := list(itertools.islice(it, size)):
        yield batch


def sweep(
    spec: Spec,
    out: Path,
    *,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    say: Callable[[str], None] | None = None,
    started: list[int] | None = None,
    wait_for_workers: float = WORKER_WAIT,
) -> Path:
    r"""Run `spec` into folder `out`, streaming each finished batch to disk.

    The folder has one writer at a time (SweepBusy otherwise). Before anything is written, a
    Dask cluster is checked (a scheduler that answers, a worker within `wait_for_workers`
    seconds, every worker on this samenspel), and so is a script that would start local
    workers outside its main guard. On `resume`, the folder is checked first (SweepDamaged,
    and nothing changed, if it is damaged); `say` is told of each repair made and of files in
    it that are not the sweep's (left alone). `started`, if given, receives the number of runs
    that were done when the sweep started. `executor` is "processes" (local workers; from a
    script, under `if __name__ == "__main__":`), "inprocess" or "dask" (with `scheduler`).

    Example: a tiny spec (2 values x 2 replicates of a 1-year run), run in this process.
        >>> import tempfile
        >>> from pathlib import Path
        >>> from sim import load_municipalities, load_results, load_spec, sweep
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "tiny.toml").write_text(
        ...     'name = "tiny"\nbase = "split-2022"\nyears = 1\nreplicates = 2\n'
        ...     '[design]\nkind = "full_factorial"\n'
        ...     '[parameters]\n"behaviour.trust_loss" = { values = [0.2, 0.4] }\n'
        ...     '[outputs]\nmunicipalities = ["commitment", "net_cost"]\n'
        ... )
        >>> done = sweep(load_spec(folder / "tiny.toml"), folder / "tiny",
        ...              executor="inprocess", progress=False)
        >>> runs, series = load_results(done)
        >>> len(runs), set(runs["status"]), sorted(set(runs["behaviour.trust_loss"].tolist()))
        (4, {'ok'}, [0.2, 0.4])
        >>> local = load_municipalities(done)  # 4 runs x 7 municipalities
        >>> len(local), list(local.columns)
        (28, ['run_id', 'municipality', 'commitment', 'net_cost'])
    """
    from sim.study.run import provenance

    workers = workers or os.cpu_count() or 1
    if executor == "dask":
        check_scheduler(scheduler, wait_for_workers)
    elif executor == "processes" and workers > 1:
        check_main_guard()
    base = base_scenario(spec)
    base_hash = hashlib.sha256(json.dumps(base, sort_keys=True).encode()).hexdigest()[:16]
    if resume:
        store = Store.open(out, spec, base_hash)
        _tell(store.check, say)
    else:
        manifest = {
            "spec": spec.name,
            "spec_hash": spec.digest(),
            "base_hash": base_hash,
            "design": spec.design.kind,
            "runs": spec.run_count(),
            "master_seed": spec.master_seed,
            "executor": executor,
            **provenance(),
        }
        store = Store.create(out, spec, manifest)
    with store:
        done = store.done()
        if started is not None:
            started.append(len(done))
        left = (r for r in spec.iter_runs() if r[0] not in done)
        size = batch_size(spec.run_count() - len(done), workers)
        tasks = ((base, batch, spec.outputs) for batch in stream_batches(left, size))
        results = execute(run_batch, tasks, executor, workers, scheduler, wait_for_workers)
        shown = progress and spec.run_count() > len(done)
        with bar(spec.run_count(), spec.name, initial=len(done), enabled=shown) as update:
            for rows, series, municipalities in results:
                store.write(rows, series, municipalities)
                update(len(rows))
    return store.folder


def _tell(check: Check | None, say: Callable[[str], None] | None) -> None:
    if check is None or say is None:
        return
    for repair in check.repairs:
        say(f"{check.folder}: repaired: {repair}")
    if check.strays:
        shown = ", ".join(check.strays[:5])
        more = f" and {len(check.strays) - 5:,} more" if len(check.strays) > 5 else ""
        say(
            f"{check.folder}: not in the sweep's ledger ({LEDGER}), so not read and left alone "
            f"(runs they may hold are run again): {shown}{more}"
        )


def check_scheduler(address: str | None, wait: float = WORKER_WAIT) -> None:
    """A Dask scheduler address must parse and answer as a scheduler, with a worker within
    `wait` seconds that runs this samenspel, before a sweep starts writing."""
    import re

    if not address or not address.strip():
        raise ConfigError("--scheduler: no address given; e.g. tcp://127.0.0.1:8786")
    m = re.fullmatch(r"(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})", address)
    if m is None or not 0 < int(m.group(3)) < 65536:
        raise ConfigError(
            f"--scheduler: {address!r} is not a scheduler address; allowed: tcp://HOST:PORT or "
            "tls://HOST:PORT, e.g. tcp://127.0.0.1:8786"
        )
    host, port = m.group(2).strip("[]"), int(m.group(3))
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise ConfigError(
            f"--scheduler: no Dask scheduler answers at {address} ({exc.strerror or exc}); "
            "start one (see the README) or check the address"
        ) from None
    check_cluster(address, wait)
