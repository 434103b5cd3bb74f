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

import hashlib
import json
import math
import os
import time
import traceback
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import ConfigError, scenario_from_dict
from sim.executors import execute
from sim.experiment import Outputs, Spec, apply, base_scenario
from sim.model import RegionModel

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


class Store:
    """A sweep folder: created whole, then appended to batch by batch."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def create(cls, folder: Path, spec: Spec, manifest: dict) -> Store:
        from sim.store import write_atomically, write_json, write_toml

        folder = Path(folder)
        if folder.exists():
            raise ConfigError(
                f"--out: {folder} exists; use --resume to complete it, or choose another folder"
            )

        def fill(tmp: Path) -> None:
            write_toml(tmp / "spec.toml", spec.model_dump(mode="json", exclude_none=True))
            write_toml(tmp / "base.toml", base_scenario(spec))  # the resolved base scenario
            write_json(tmp / "manifest.json", manifest)
            (tmp / "runs").mkdir()
            (tmp / "series").mkdir()
            (tmp / "status.log").touch()

        write_atomically(folder, fill)
        return cls(folder)

    @classmethod
    def open(cls, folder: Path, spec: Spec, base_hash: str) -> Store:
        folder = Path(folder)
        manifest = folder / "manifest.json"
        if not manifest.exists():
            raise ConfigError(f"--resume: {folder} holds no sweep (no manifest.json)")
        digest = json.loads(manifest.read_text())["spec_hash"]
        if digest != spec.digest():
            raise ConfigError(
                f"--resume: {folder} was made by another spec (hash {digest}, "
                f"this spec {spec.digest()}); use a new --out"
            )
        stored = json.loads(manifest.read_text()).get("base_hash")
        if stored != base_hash:
            raise ConfigError(
                f"--resume: the base scenario {spec.base!r} has changed since {folder} was "
                "started (its resolved form is in base.toml); restore it or use a new --out"
            )
        for stale in (folder / "runs").glob(".*.partial"):  # a part whose rename never came
            stale.unlink()
        for stale in (folder / "series").glob(".*.partial"):
            stale.unlink()
        return cls(folder)

    def done(self) -> set[int]:
        """Run ids held by a written part: the record of what is finished."""
        ids: set[int] = set()
        for part in sorted((self.folder / "runs").glob("part-*.parquet")):
            ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
        return ids

    def write(self, rows: list[dict], series: list[dict]) -> None:
        """One batch: its parts first (atomic renames), then its lines in the status log."""
        stamp = f"{time.time_ns()}-{os.getpid()}-{rows[0]['run_id']}"
        if series:
            _atomic_parquet(pd.DataFrame(series), self.folder / "series" / f"part-{stamp}.parquet")
        _atomic_parquet(pd.DataFrame(rows), self.folder / "runs" / f"part-{stamp}.parquet")
        with open(self.folder / "status.log", "a", encoding="utf-8") as log:
            for r in rows:
                log.write(
                    json.dumps(
                        {
                            "run_id": r["run_id"],
                            "status": r["status"],
                            "duration": round(r["duration"], 6),
                            "error": r["error"],
                        }
                    )
                    + "\n"
                )
            log.flush()
            os.fsync(log.fileno())


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


def batches(runs: list[Run], workers: int) -> list[list[Run]]:
    """Runs in batches: enough per batch that process hand-off does not dominate runs of a few
    milliseconds, enough batches that every worker stays busy and progress shows."""
    size = max(1, min(50, math.ceil(len(runs) / (workers * 8))))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


def sweep(
    spec: Spec,
    out: Path,
    *,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Path:
    """Run `spec` into folder `out`, streaming each finished batch to disk."""
    from sim.run import provenance

    base = base_scenario(spec)
    base_hash = hashlib.sha256(json.dumps(base, sort_keys=True).encode()).hexdigest()[:16]
    runs = spec.runs()
    if resume:
        store = Store.open(out, spec, base_hash)
    else:
        manifest = {
            "spec": spec.name,
            "spec_hash": spec.digest(),
            "base_hash": base_hash,
            "design": spec.design.kind,
            "runs": len(runs),
            "master_seed": spec.master_seed,
            **provenance(),
        }
        store = Store.create(out, spec, manifest)
    done = store.done()
    left = [r for r in runs if r[0] not in done]
    workers = workers or os.cpu_count() or 1
    todo = batches(left, workers)
    if executor == "dask" and not scheduler:
        raise ConfigError("--scheduler: the dask executor needs a scheduler address")
    tasks = [(base, batch, spec.outputs) for batch in todo]
    results = execute(run_batch, tasks, executor, workers, scheduler)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(runs), initial=len(done), unit="run", desc=spec.name)
    try:
        for rows, series in results:
            store.write(rows, series)
            if bar is not None:
                bar.update(len(rows))
    finally:
        if bar is not None:
            bar.close()
    return store.folder
