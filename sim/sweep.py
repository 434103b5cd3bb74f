"""Parameter sweeps: run an experiment spec on an executor, streaming results to disk.

Layout of a sweep folder:

    spec.toml            the resolved spec          manifest.json   versions, commit, spec hash
    base.toml            the resolved base scenario
    status.log           one JSON line per finished run (append-only)
    runs/part-*.parquet  one row per run: run_id, point, seed, parameters, status, error,
                         duration, outcomes
    series/part-*.parquet  time series, every k-th month, long form (if asked for)

Each batch of runs is written as one Parquet part, atomically (written aside, then renamed), and
only then logged. The parts are the record of what is done: after an interruption (Ctrl-C,
kill -9, a dead worker) `resume` runs exactly the runs no part holds, so nothing is lost or
duplicated. A run that raises is recorded with its error and the sweep goes on.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import math
import os
import socket
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import ConfigError, scenario_from_dict
from sim.executors import WORKER_WAIT, check_cluster, check_main_guard, execute
from sim.experiment import Outputs, Spec, apply, base_scenario
from sim.model import RegionModel
from sim.progress import bar

Run = tuple[int, int, int, dict[str, Any]]  # run id, point index, seed, parameters


def run_batch(base: dict, runs: list[Run], outputs: Outputs) -> tuple[list[dict], list[dict]]:
    """Run a batch in this process: summary rows (with status) and long time-series rows."""
    rows, series = [], []
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
            model = RegionModel(scenario, seed=seed).run()
            summary = model.recorder.summary()
            keep = outputs.summary or [k for k in summary if k not in ("scenario", "seed")]
            row.update({k: summary[k] for k in keep})
            row["status"], row["error"] = "ok", ""
            if outputs.series and outputs.series_every:
                cols = model.recorder.columns
                for t in range(0, len(cols["month"]), outputs.series_every):
                    for c in outputs.series:
                        series.append(
                            {
                                "run_id": run_id,
                                "month": t,
                                "variable": c,
                                "value": float(cols[c][t]),
                            }
                        )
        except Exception as exc:  # a failing run is recorded, and the sweep goes on
            row["status"] = "failed"
            row["error"] = "".join(traceback.format_exception_only(exc)).strip()
        row["duration"] = time.perf_counter() - start
        rows.append(row)
    return rows, series


LOCK = ".samenspel.lock"


class SweepBusy(ConfigError):
    """Another process is writing the sweep folder (exit status 2)."""


def _lock(path: Path) -> int:
    """Take the folder's writer lock (it dies with its holder) and record who holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        try:
            holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except ValueError:
            holder = {}
        os.close(fd)
        raise SweepBusy(
            f"--out: {path.parent} is being written by another samenspel sweep (process "
            f"{holder.get('pid', '?')} on {holder.get('host', '?')}, since "
            f"{holder.get('since', '?')}); wait for it to finish, or stop it and --resume"
        ) from None
    info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%c")}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return fd


class Store:
    """A sweep folder: created whole, then appended to batch by batch by its one writer.

    A batch is committed by the rename of its runs part: its series part is written (and
    renamed) first, its status-log lines after. Opening a folder to resume repairs what a kill
    between these steps left: series parts with no runs part are removed (the batch is run
    again), and log lines missing for committed parts are added.
    """

    def __init__(self, folder: Path, lock: int) -> None:
        self.folder = Path(folder)
        self._lock = lock

    def close(self) -> None:
        os.close(self._lock)  # releases the writer lock

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def create(cls, folder: Path, spec: Spec, manifest: dict) -> Store:
        from sim.store import check_target, recover, write_atomically, write_json, write_toml

        folder = Path(folder)
        recover(folder.parent)  # what an interrupted start left beside it
        if folder.is_dir() and (folder / "status.log").exists() and is_sweep(folder):
            raise ConfigError(
                f"--out: {folder} holds a sweep already; use --resume to complete it, or "
                "choose another folder"
            )
        check_target(folder, "--out")  # nothing samenspel did not write is written into
        lock: list[int] = []

        def fill(tmp: Path) -> None:
            # The lock is taken inside the new folder before it appears, so a racing writer
            # can never see it unlocked.
            lock.append(_lock(tmp / LOCK))
            write_toml(tmp / "spec.toml", spec.model_dump(mode="json", exclude_none=True))
            write_toml(tmp / "base.toml", base_scenario(spec))  # the resolved base scenario
            write_json(tmp / "manifest.json", manifest)
            (tmp / "runs").mkdir()
            (tmp / "series").mkdir()
            (tmp / "status.log").touch()

        try:
            write_atomically(folder, fill)
        except BaseException:
            for fd in lock:
                os.close(fd)
            raise
        return cls(folder, lock[0])

    @classmethod
    def open(cls, folder: Path, spec: Spec, base_hash: str) -> Store:
        folder = Path(folder)
        if not is_sweep(folder):
            raise ConfigError(f"--resume: {folder} holds no sweep (no sweep manifest.json)")
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest["spec_hash"] != spec.digest():
            raise ConfigError(
                f"--resume: {folder} was made by another spec (hash {manifest['spec_hash']}, "
                f"this spec {spec.digest()}); use a new --out"
            )
        if manifest.get("base_hash") != base_hash:
            raise ConfigError(
                f"--resume: the base scenario {spec.base!r} has changed since {folder} was "
                "started (its resolved form is in base.toml); restore it or use a new --out"
            )
        store = cls(folder, _lock(folder / LOCK))
        store.repair()
        return store

    def repair(self) -> None:
        """Undo what a kill between a batch's steps left, so the parts are the record."""
        runs_dir, series_dir = self.folder / "runs", self.folder / "series"
        for stale in [*runs_dir.glob(".*"), *series_dir.glob(".*")]:
            stale.unlink()  # a part whose rename never came
        committed = {p.name for p in runs_dir.glob("part-*.parquet")}
        for part in series_dir.glob("part-*.parquet"):
            if part.name not in committed:
                part.unlink()  # its batch never committed: it is run again
        log = self.folder / "status.log"
        text = log.read_text(encoding="utf-8")
        if text and not text.endswith("\n"):  # a line cut off by the kill
            text = text[: text.rfind("\n") + 1]
            with open(log, "r+", encoding="utf-8") as f:
                f.truncate(len(text.encode("utf-8")))
        logged = {json.loads(line)["run_id"] for line in text.splitlines() if line}
        for part in sorted(runs_dir.glob("part-*.parquet")):
            rows = pd.read_parquet(part, columns=["run_id", "status", "duration", "error"])
            missing = rows[~rows["run_id"].isin(logged)]
            if len(missing):
                self._log(missing.to_dict("records"))

    def done(self) -> set[int]:
        """Run ids held by a committed part: the record of what is finished."""
        return done_runs(self.folder)

    def write(self, rows: list[dict], series: list[dict]) -> None:
        """One batch, committed as one unit: series part, then runs part (the commit), then
        its lines in the status log."""
        from sim.store import kill_point

        name = f"part-{time.time_ns()}-{os.getpid()}-{rows[0]['run_id']}.parquet"
        if series:
            _atomic_parquet(pd.DataFrame(series), self.folder / "series" / name)
        kill_point("batch-series")
        _atomic_parquet(pd.DataFrame(rows), self.folder / "runs" / name)
        kill_point("batch-committed")
        self._log(rows)
        kill_point("batch-logged")

    def _log(self, rows: list[dict]) -> None:
        from sim.store import kill_point

        lines = "".join(
            json.dumps(
                {
                    "run_id": int(r["run_id"]),
                    "status": r["status"],
                    "duration": round(float(r["duration"]), 6),
                    "error": r["error"],
                }
            )
            + "\n"
            for r in rows
        )
        with open(self.folder / "status.log", "a", encoding="utf-8") as log:
            if os.environ.get("SAMENSPEL_KILL_AT", "").startswith("batch-log-partial"):
                half = len(lines) // 2  # the test kill lands mid-line
                log.write(lines[:half])
                log.flush()
                kill_point("batch-log-partial")
                lines = lines[half:]
            log.write(lines)
            log.flush()
            os.fsync(log.fileno())


KILL_POINTS = ("batch-series", "batch-committed", "batch-log-partial", "batch-logged")
"""Where the crash-safety tests kill a sweep while it commits a batch."""


def is_sweep(folder: Path) -> bool:
    try:
        return "spec_hash" in json.loads((Path(folder) / "manifest.json").read_text())
    except (OSError, ValueError, TypeError):
        return False


def done_runs(folder: Path) -> set[int]:
    ids: set[int] = set()
    for part in sorted((Path(folder) / "runs").glob("part-*.parquet")):
        ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
    return ids


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    df.to_parquet(tmp, index=False)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_results(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A sweep's runs table and its time series, as pandas DataFrames (one call)."""
    folder = Path(folder)
    parts = sorted((folder / "runs").glob("part-*.parquet"))
    runs = (
        pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        if parts
        else (pd.DataFrame(columns=["run_id"]))
    )
    runs = runs.drop_duplicates("run_id").sort_values("run_id").reset_index(drop=True)
    sparts = sorted((folder / "series").glob("part-*.parquet"))
    series = (
        pd.concat([pd.read_parquet(p) for p in sparts], ignore_index=True)
        if sparts
        else pd.DataFrame(columns=["run_id", "month", "variable", "value"])
    )
    series = series.drop_duplicates(["run_id", "month", "variable"])
    return runs, series.sort_values(["run_id", "month", "variable"]).reset_index(drop=True)


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
    wait_for_workers: float = WORKER_WAIT,
) -> Path:
    """Run `spec` into folder `out`, streaming each finished batch to disk.

    The folder has one writer at a time (SweepBusy otherwise). Before anything is written, a
    Dask cluster is checked (a scheduler that answers, a worker within `wait_for_workers`
    seconds, every worker on this samenspel), and so is a script that would start local
    workers outside its main guard.
    """
    from sim.run import provenance

    workers = workers or os.cpu_count() or 1
    if executor == "dask":
        check_scheduler(scheduler, wait_for_workers)
    elif executor == "processes" and workers > 1:
        check_main_guard()
    base = base_scenario(spec)
    base_hash = hashlib.sha256(json.dumps(base, sort_keys=True).encode()).hexdigest()[:16]
    if resume:
        store = Store.open(out, spec, base_hash)
    else:
        manifest = {
            "spec": spec.name,
            "spec_hash": spec.digest(),
            "base_hash": base_hash,
            "design": spec.design.kind,
            "runs": spec.run_count(),
            "master_seed": spec.master_seed,
            **provenance(),
        }
        store = Store.create(out, spec, manifest)
    with store:
        done = store.done()
        left = (r for r in spec.iter_runs() if r[0] not in done)
        size = batch_size(spec.run_count() - len(done), workers)
        tasks = ((base, batch, spec.outputs) for batch in stream_batches(left, size))
        results = execute(run_batch, tasks, executor, workers, scheduler, wait_for_workers)
        shown = progress and spec.run_count() > len(done)
        with bar(spec.run_count(), spec.name, initial=len(done), enabled=shown) as update:
            for rows, series in results:
                store.write(rows, series)
                update(len(rows))
    return store.folder


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
