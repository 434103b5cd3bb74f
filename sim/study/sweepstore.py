"""A sweep's folder held by its one writer: made whole, appended to batch by batch.

The folder's layout, what is the sweep's, and how it is checked before use are
sim/study/sweepcheck.py (its names are importable from here too).

**A batch is committed** as one unit: the ledger notes the parts it is about to write, the
series part and the per-municipality part (if the spec keeps them) are written aside and renamed
into place, then the runs part (the commit), each recorded in the ledger with its size and hash,
then the batch's lines in the status log. After a kill between any two of these steps, opening
the folder again (:meth:`Store.open`) finishes the batch's record or undoes it, so the parts are
the record and `--resume` runs exactly the runs no recorded part holds.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import stat
import time
from pathlib import Path

import pandas as pd

from sim.io.inputs import ConfigError
from sim.io.journal import file_digest
from sim.io.ownership import lock_holder
from sim.io.store import LOCK, manifest, write_json, write_toml
from sim.study.experiment import Spec, base_scenario
from sim.study.sweepcheck import (
    LEDGER,
    LOG_LIMIT,
    MOST_SHOWN,
    STATUS,
    Check,
    SweepDamaged,
    companions,
    done_in,
    is_sweep,
    load_municipalities,
    load_results,
    verify,
)

__all__ = [
    "LEDGER",
    "LOG_LIMIT",
    "MOST_SHOWN",
    "STATUS",
    "Check",
    "Store",
    "SweepBusy",
    "SweepDamaged",
    "done_in",
    "is_sweep",
    "load_municipalities",
    "load_results",
    "verify",
]


class SweepBusy(ConfigError):
    """Another process is writing the sweep folder (exit status 2)."""


def _lock(path: Path) -> int:
    """Take the folder's writer lock (it dies with its holder) and record who holds it."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:  # a folder or a link in its place
        kind = "a link" if path.is_symlink() else "a folder" if path.is_dir() else exc.strerror
        raise SweepDamaged(_not_a_lock(path, kind)) from None
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode):  # a FIFO, a socket or a device in its place
        os.close(fd)
        raise SweepDamaged(_not_a_lock(path, "not a plain file but a pipe, socket or device"))
    if found.st_nlink > 1:  # a hard link: the holder's note would overwrite the other name's file
        os.close(fd)
        raise SweepDamaged(_not_a_lock(path, "a file with another name too (a hard link)"))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = lock_holder(fd)
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


def _not_a_lock(path: Path, what: str | None) -> str:
    return (
        f"--out: {path.parent}: its writer lock {path.name} is {what}; samenspel "
        f"changed nothing: if you put it there, move it out of the folder"
    )


# --- the writer ---------------------------------------------------------------------------------


class Store:
    """A sweep folder held by its one writer: created whole, appended to batch by batch."""

    def __init__(self, folder: Path, lock: int, check: Check | None = None) -> None:
        self.folder = Path(folder)
        self._lock = lock
        self.check = check

    def close(self) -> None:
        os.close(self._lock)  # releases the writer lock

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def create(cls, folder: Path, spec: Spec, info: dict) -> Store:
        from sim.io.store import check_target, write_atomically

        folder = Path(folder)
        if is_sweep(folder):
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
            grows = [STATUS, LEDGER, LOCK]
            write_json(tmp / "manifest.json", {**info, "grows": grows, "ledger": LEDGER})
            for sub in companions(spec):
                (tmp / sub).mkdir()
            (tmp / STATUS).touch()
            (tmp / LEDGER).touch()

        try:
            write_atomically(folder, fill)
        except BaseException:
            for fd in lock:
                os.close(fd)
            raise
        return cls(folder, lock[0])

    @classmethod
    def open(cls, folder: Path, spec: Spec, base_hash: str) -> Store:
        """Take the writer lock of a sweep folder, check it, and make the repairs a kill
        explains (SweepDamaged, changing nothing, if there is damage)."""
        folder = Path(folder)
        data = manifest(folder)
        if data is None or "spec_hash" not in data:
            raise ConfigError(f"--resume: {folder} holds no sweep (no sweep manifest.json)")
        if data["spec_hash"] != spec.digest():
            raise ConfigError(
                f"--resume: {folder} was made by another spec (hash {data['spec_hash']}, "
                f"this spec {spec.digest()}); use a new --out"
            )
        if data.get("base_hash") != base_hash:
            raise ConfigError(
                f"--resume: the base scenario {spec.base!r} has changed since {folder} was "
                "started (its resolved form is in base.toml); restore it or use a new --out"
            )
        lock = _lock(folder / LOCK)
        try:
            check = verify(folder)
            check.refuse("--resume")
            store = cls(folder, lock, check)
            store.repair()
        except BaseException:
            os.close(lock)
            raise
        return store

    def repair(self) -> None:
        """Make the repairs `verify` found: finish or undo what a kill left (only recorded
        files are removed)."""
        check = self.check
        assert check is not None
        for name, cut in ((LEDGER, check.ledger_cut), (STATUS, check.log_cut)):
            if cut is not None:
                os.truncate(self.folder / name, cut)
        runs = {p.split("/", 1)[1] for p in check.parts["runs"]}
        for part, temporary in sorted(check.pending, key=lambda p: not p[0].startswith("runs/")):
            (self.folder / temporary).unlink(missing_ok=True)  # a write whose rename never came
            sub, name = part.split("/", 1)
            if not (self.folder / part).is_file() or part in check.orphans:
                continue  # never renamed into place, or of a batch that is run again
            if sub != "runs" and name not in runs:  # its batch never committed
                (self.folder / part).unlink()
                continue
            self._record(part)  # renamed into place, never recorded: it is whole
            check.parts[sub].append(part)
            if sub == "runs":
                runs.add(name)
                check.unlogged.append(part)
        for part in check.orphans:
            (self.folder / part).unlink(missing_ok=True)
            self._ledger_line({"removed": part})
        for part in check.unlogged:
            rows = pd.read_parquet(self.folder / part)
            self._log(rows[~rows["run_id"].isin(check.logged)].to_dict("records"))
        check.done = done_in(self.folder, check.parts["runs"])

    def done(self) -> set[int]:
        """Run ids held by a recorded part: the record of what is finished."""
        return set(self.check.done) if self.check is not None else set()

    def write(self, rows: list[dict], series: list[dict], municipalities: list[dict]) -> None:
        """One batch, committed as one unit (see the module's docstring)."""
        name = f"part-{time.time_ns()}-{os.getpid()}-{rows[0]['run_id']}.parquet"
        tables = (("series", series), ("municipalities", municipalities), ("runs", rows))
        for sub, table in tables:
            if table:
                part = f"{sub}/{name}"
                temporary = f"{sub}/.{name}.partial"
                self._ledger_line({"pending": part, "temporary": temporary})
                _atomic_parquet(pd.DataFrame(table), self.folder / part, self.folder / temporary)
                self._record(part)
        self._log(rows)

    def _record(self, part: str) -> None:
        size, sha = file_digest(self.folder / part)
        self._ledger_line({"path": part, "size": size, "sha256": sha})

    def _ledger_line(self, entry: dict) -> None:
        _append(self.folder / LEDGER, json.dumps(entry) + "\n")

    def _log(self, rows: list[dict]) -> None:
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
        _append(self.folder / STATUS, lines)


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _atomic_parquet(df: pd.DataFrame, path: Path, tmp: Path) -> None:
    df.to_parquet(tmp, index=False)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
