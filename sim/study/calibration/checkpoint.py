"""A calibration's points as they are evaluated, kept so an interrupted run can go on.

The sampler is deterministic (sim/study/calibration/__init__.py): a rerun of the same spec draws
the same points in the same order. So going on is replaying: each point already evaluated is
read back instead of run again, and only the rest is computed. The record is one JSON line per
point (its number, its values, the checks' t and the seconds it took), appended and flushed as
each point finishes, in samenspel's own state folder (sim/io/journal.py's `state_dir`), under a
name made of the spec's digest and a digest of the code the checks run: a changed model never
reuses an old point. A line cut short by a kill is ignored; nothing outside that folder is ever
written, and the record goes once the result is saved.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sim

CODE_FOLDERS = ("model", "data", "study/validation")
SKIPPED = ("posterior", "i18n")
"""What a point's checks depend on: the model, its data and the checks; not the posterior a
calibration itself writes into the data, nor the words of the catalogues."""


def code_digest() -> str:
    """A digest of every source and data file the checks' runs depend on."""
    root = Path(sim.__file__).parent
    h = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            skipped = any(part in SKIPPED for part in path.relative_to(root).parts)
            if path.suffix in (".py", ".toml", ".csv", ".json") and path.is_file() and not skipped:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Point:
    values: list[float]
    ts: list[float]
    seconds: float


@dataclass
class Checkpoint:
    """The points evaluated so far by one spec on this code, by number."""

    path: Path
    code: str = ""  # the digest of the code the points ran on (code_digest)
    points: dict[int, Point] = field(default_factory=dict)

    @classmethod
    def of(cls, spec_digest: str, resume: bool) -> Checkpoint:
        """The record for this spec and code: read back when `resume`, else started afresh."""
        from sim.io.journal import state_dir

        code = code_digest()
        path = state_dir() / "calibrations" / f"{spec_digest}-{code}.jsonl"
        cp = cls(path, code)
        if resume:
            cp.points = _read(path)
        elif path.is_file() and not path.is_symlink():
            path.unlink()  # our own record of an earlier run of this spec, not resumed
        return cp

    def get(self, index: int, values: Sequence[float]) -> Point | None:
        """The point numbered `index`, if it was evaluated at exactly these values."""
        p = self.points.get(index)
        return p if p is not None and p.values == [float(v) for v in values] else None

    def add(self, index: int, values: Sequence[float], ts: Sequence[float], seconds: float) -> None:
        """Record one evaluated point (appended and flushed at once)."""
        point = Point([float(v) for v in values], [float(t) for t in ts], float(seconds))
        self.points[index] = point
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps({"index": index, **vars(point)}) + "\n"
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass  # a read-only state folder: the run goes on, it just cannot be resumed

    def done(self) -> None:
        """The result is saved: the record is no longer needed."""
        if self.path.is_file() and not self.path.is_symlink():
            self.path.unlink()

    @property
    def seconds(self) -> float:
        """The seconds spent evaluating every point recorded."""
        return sum(p.seconds for p in self.points.values())


def _read(path: Path) -> dict[int, Point]:
    out: dict[int, Point] = {}
    if not path.is_file() or path.is_symlink():
        return out
    with path.open() as f:
        for line in f:
            try:
                row = json.loads(line)
                out[int(row["index"])] = Point(row["values"], row["ts"], float(row["seconds"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
    return out
