"""One run of a sweep run again: its scenario rebuilt from what the sweep recorded, run with its
seed, and checked against the sweep's row bit for bit.

What the sweep recorded is enough, and only that is read: its spec (`spec.toml`) gives the run's
parameters and seed as the sweep made them (`Spec.iter_runs`), its resolved base scenario
(`base.toml`) the scenario they are set in (`apply`, as the sweep's workers do). The base's own
file is never read: it may have changed since. Both files are in the sweep's manifest with their
hashes, so `verify` has found them unchanged; the base is read back and must give the hash the
sweep recorded of the base it ran, or the rerun is refused (a samenspel whose scenario fields
changed since cannot rebuild it exactly).

The rebuilt scenario is named after the run (`SPEC-runN`, with the run in its description), so
that two reruns of one sweep can be compared side by side; a name changes no outcome.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.io.inputs import ConfigError
from sim.io.ownership import manifest
from sim.io.store import Destination
from sim.model.config import Scenario, read_toml, scenario_from_dict
from sim.study.experiment import Spec, apply
from sim.study.run import PROVENANCE_PACKAGES, RunResult, provenance, save_run, simulate
from sim.study.sweepcheck import Check, companions, is_sweep, load_municipalities, load_results
from sim.study.sweepcheck import verify as verify_sweep
from sim.study.sweeprows import kept_outcomes, municipality_columns

MADE_BY = ("samenspel", "git_commit", "git_dirty", "git_diff_sha256", *PROVENANCE_PACKAGES)
"""What made a result, as its manifest records it: a rerun names those that differ."""


class RerunRefused(ConfigError):
    """A run that cannot be run again: `key` names why (the command's words for it are the
    catalogue's `rerun.refused.KEY`), `fields` fill them in (exit status 2)."""

    def __init__(self, key: str, **fields: Any) -> None:
        self.key, self.fields = key, fields
        shown = ", ".join(f"{k} {v}" for k, v in fields.items())
        super().__init__(f"rerun refused ({key}): {shown}")


@dataclass(frozen=True)
class Difference:
    """One value of the sweep's row that the rerun did not reproduce."""

    table: str  # "summary" or "municipalities"
    municipality: str  # "" in the summary
    outcome: str
    sweep: Any
    rerun: Any


@dataclass
class Rerun:
    """A run of a sweep run again, and what the check of its row found."""

    folder: Path
    sweep: str  # the spec's name
    run_id: int
    seed: int
    parameters: dict[str, Any]
    result: RunResult
    compared: list[tuple[str, str, str, Any, Any]]  # table, municipality, outcome, sweep, rerun
    differences: list[Difference] = field(default_factory=list)
    made_by: dict[str, tuple[str, str]] = field(default_factory=dict)  # key: (sweep, now)

    @property
    def same(self) -> bool:
        return not self.differences


def same_value(a: Any, b: Any) -> bool:
    """Whether two values are the same bit for bit: numbers as 64-bit floats (every NaN the
    same: no value), text as text."""
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return bool(a == b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return struct.pack("<d", x) == struct.pack("<d", y)


def shown(value: Any) -> str:
    """A value as its exact text: every digit a 64-bit float needs to be read back the same."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    return value if isinstance(value, str) else repr(value)


def recorded(folder: Path) -> tuple[Check, dict]:
    """A sweep folder checked whole (`verify`), and its manifest; RerunRefused if it is not a
    sweep or is damaged."""
    folder = Path(folder)
    if not folder.is_dir() or not is_sweep(folder):
        raise RerunRefused("not_a_sweep", folder=folder)
    check = verify_sweep(folder)
    if check.damage or check.spec is None:
        first = check.damage[0] if check.damage else "spec.toml"
        raise RerunRefused("damaged", folder=folder, what=first, more=len(check.damage) - 1)
    return check, manifest(folder) or {}


def recorded_base(folder: Path, data: dict) -> dict:
    """The base scenario the sweep ran, from its base.toml, as the sweep's workers had it;
    RerunRefused if it no longer reads back as the base whose hash the sweep recorded."""
    made = f"samenspel {data.get('samenspel', '?')}, commit {str(data.get('git_commit', '?'))[:12]}"
    try:
        base = scenario_from_dict(read_toml(folder / "base.toml", "the sweep's base scenario"))
    except ConfigError:
        raise RerunRefused("base", folder=folder, made=made) from None
    dumped = base.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(dumped, sort_keys=True).encode()).hexdigest()[:16]
    if digest != data.get("base_hash"):
        raise RerunRefused("base", folder=folder, made=made)
    return dumped


def the_row(folder: Path, check: Check, run_id: int) -> dict:
    """The sweep's row of run `run_id`; RerunRefused if there is no such run, it is not done,
    or it failed."""
    if not 0 <= run_id < check.runs:
        raise RerunRefused("unknown", folder=folder, run=run_id, last=check.runs - 1)
    runs, _ = load_results(folder, check)
    rows = runs[runs["run_id"] == run_id]
    if rows.empty:
        raise RerunRefused("not_done", folder=folder, run=run_id, done=len(runs), runs=check.runs)
    row = rows.iloc[0].to_dict()
    if row["status"] != "ok":
        error = str(row["error"]).strip().splitlines() or ["?"]
        raise RerunRefused("failed", folder=folder, run=run_id, error=error[-1])
    return row


def rebuild(spec: Spec, base: dict, run_id: int) -> tuple[Scenario, int, dict[str, Any]]:
    """Run `run_id`'s scenario, seed and parameters, made as the sweep made them."""
    _, _, seed, params = next(itertools.islice(spec.iter_runs(), run_id, None))
    data = apply(base, params)
    if "name" not in params and "scenario" not in (spec.outputs.summary or []):
        data["name"] = f"{spec.name[:88]}-run{run_id}"
    if "description" not in params and "description_nl" not in params:
        shown = ", ".join(f"{k} = {v!r}" for k, v in params.items())
        data["description"] = data["description_nl"] = f"{spec.name} #{run_id}: {shown}"
    return scenario_from_dict(data, source=f"run {run_id} of {spec.name}"), seed, params


def rerun(folder: str | Path, run_id: int) -> Rerun:
    """Run `run_id` of the sweep in `folder` again and check it against the sweep's row (and
    its per-municipality rows, if the sweep kept them), value by value, bit for bit."""
    folder = Path(folder)
    check, data = recorded(folder)
    assert check.spec is not None  # recorded refuses a folder without one
    spec = check.spec
    row = the_row(folder, check, run_id)
    scenario, seed, params = rebuild(spec, recorded_base(folder, data), run_id)
    if int(row["seed"]) != seed:  # the parts are unchanged and the spec too: never expected
        raise RerunRefused("damaged", folder=folder, what=f"run {run_id}'s seed", more=0)
    result = simulate(scenario, seed)
    compared = [
        ("summary", "", k, row.get(k, math.nan), result.summary[k])
        for k in kept_outcomes(spec.outputs, result.summary)
    ]
    if "municipalities" in companions(spec):
        local = load_municipalities(folder, check)
        compared += _local(local[local["run_id"] == run_id], result.municipalities, spec)
    done = Rerun(folder, spec.name, run_id, seed, params, result, compared)
    done.differences = [Difference(*c) for c in compared if not same_value(c[3], c[4])]
    now = provenance()
    done.made_by = {
        k: (str(data.get(k, "?")), now[k]) for k in MADE_BY if str(data.get(k, "?")) != now[k]
    }
    return done


def _local(kept: pd.DataFrame, mine: pd.DataFrame, spec: Spec) -> list[tuple]:
    """The sweep's per-municipality rows of the run against the rerun's, column by column."""
    columns = municipality_columns(spec.outputs, mine.iloc[0].to_dict())
    out: list[tuple] = []
    if len(kept) != len(mine):
        out.append(("municipalities", "", "rows", len(kept), len(mine)))
    for (_, a), (_, b) in zip(kept.iterrows(), mine.iterrows(), strict=False):
        name = str(b["municipality"])
        if a["municipality"] != name:
            out.append(("municipalities", name, "municipality", a["municipality"], name))
        out += [("municipalities", name, c, a.get(c, math.nan), b[c]) for c in columns]
    return out


def save(done: Rerun, dest: Path | Destination) -> Path:
    """Write the rerun as `samenspel run` writes a run (its tables, scenario.toml, manifest),
    with `check`: every value compared, the sweep's and the rerun's, and whether they are the
    same; the manifest says which run of which sweep it is and what the check found."""
    check = pd.DataFrame(
        [(t, m, o, shown(a), shown(b), same_value(a, b)) for t, m, o, a, b in done.compared],
        columns=["table", "municipality", "outcome", "sweep", "rerun", "same"],
    )
    notes = {
        "rerun_of": {
            "sweep": str(done.folder.resolve()),
            "spec": done.sweep,
            "run_id": done.run_id,
            "parameters": done.parameters,
            "reproduced": done.same,
            "values_compared": len(done.compared),
            "values_different": len(done.differences),
            "made_by_differs": {k: {"sweep": a, "now": b} for k, (a, b) in done.made_by.items()},
        }
    }
    return save_run(done.result, dest, tables={"check": check}, notes=notes)
