"""A sweep as the commands that read one (analyze, discover, robustness) find it: checked (not a
sweep or damaged: a ConfigError), its spec, its runs, how many it plans and who is still writing
it; its outcome columns; and where a result beside it may not go. Each command says in its own
words why it waits for an unfinished sweep."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.model.config import ConfigError
from sim.study.experiment import Spec

ID_COLUMNS = ("run_id", "point", "seed", "status", "error", "duration")


def outcomes_of(runs: pd.DataFrame, spec: Spec) -> list[str]:
    """A runs table's outcomes: its numeric columns that are not ids or parameters."""
    return [
        c
        for c in runs.columns
        if c not in ID_COLUMNS
        and c not in spec.parameters
        and pd.api.types.is_numeric_dtype(runs[c])
    ]


@dataclass(frozen=True)
class FinishedSweep:
    """A sweep's runs as a command reads them, and how far the sweep got."""

    folder: Path
    spec: Spec
    runs: pd.DataFrame
    total: int  # runs in the design
    holder: str | None  # who holds the writer lock, if the sweep is being written

    @property
    def parameters(self) -> list[str]:
        return [p for p in self.spec.names if p in self.runs.columns]

    @property
    def finished(self) -> int:
        return len(self.runs)

    @property
    def unfinished(self) -> bool:
        """Still being written, or interrupted before its last run."""
        return self.holder is not None or self.finished < self.total

    @property
    def outcomes(self) -> list[str]:
        return outcomes_of(self.runs, self.spec)

    def levels(self, factor: str) -> list[str]:
        return sorted(str(v) for v in self.runs[factor].dropna().unique())


def read_sweep(folder: str | Path, command: str) -> FinishedSweep:
    """A sweep's runs, checked: ConfigError for a folder that is not a sweep's, SweepDamaged
    (naming `command`) for a damaged one."""
    from sim.io.store import writer
    from sim.study.sweepcheck import is_sweep, load_results, verify

    folder = Path(folder)
    if not is_sweep(folder):
        raise ConfigError(f"{folder}: not a sweep's results folder (no sweep manifest)")
    check = verify(folder)
    check.refuse(command)
    assert check.spec is not None, "verify() reads the spec of every sweep it finds undamaged"
    runs, _ = load_results(folder, check)
    return FinishedSweep(folder, check.spec, runs, check.runs, writer(folder))


def around(folder: Path, target: Path) -> bool:
    """Whether `target` is the sweep folder, inside it or around it: where a result read from the
    sweep never goes."""
    sweep, there = Path(folder).resolve(), Path(target).resolve()
    return there == sweep or sweep in there.parents or there in sweep.parents
