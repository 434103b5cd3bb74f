"""What a sweep keeps of each run, from its recorder: the outcomes of its summary row, its series
rows (long form) and its per-municipality rows; one place, read by the sweep's workers as they
write and by `rerun` as it checks a run against its row."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.config import Scenario
    from sim.model.recorder import Recorder
    from sim.study.experiment import Outputs, Spec

RUN_KEYS = ("scenario", "seed", "municipality")
"""Columns of a run's per-municipality table that a sweep's table holds otherwise: the run is
its run_id (the seed is in the runs table), and the municipality is always its second column."""


def kept_outcomes(outputs: Outputs, summary: Mapping[str, Any]) -> list[str]:
    """The summary outcomes a sweep keeps of a run: those listed, or all but its scenario's name
    and its seed (which the runs table holds otherwise)."""
    return list(outputs.summary or [k for k in summary if k not in ("scenario", "seed")])


def municipality_columns(outputs: Outputs, row: Mapping[str, Any]) -> list[str]:
    """The per-municipality columns a sweep keeps, given one row of a run's per-municipality
    table: every one (`municipalities = true`) or those listed, in the order listed."""
    if outputs.municipalities is True:
        return [k for k in row if k not in RUN_KEYS]
    return list(dict.fromkeys(outputs.municipalities or []))


def series_rows(run_id: int, recorder: Recorder, outputs: Outputs) -> list[dict]:
    """The run's kept series, every k-th month, in long form (run_id, month, variable, value)."""
    if not (outputs.series and outputs.series_every):
        return []
    cols = recorder.columns
    return [
        {"run_id": run_id, "month": t, "variable": c, "value": float(cols[c][t])}
        for t in range(0, len(cols["month"]), outputs.series_every)
        for c in outputs.series
    ]


def municipality_rows(run_id: int, recorder: Recorder, outputs: Outputs) -> list[dict]:
    """The run's kept per-municipality rows (run_id, municipality, the kept columns), one per
    municipality in the run's order; none unless the spec asks for them."""
    if not outputs.municipalities:
        return []
    rows = recorder.municipality_rows()
    keep = municipality_columns(outputs, rows[0])
    return [
        {"run_id": run_id, "municipality": r["municipality"], **{k: r[k] for k in keep}}
        for r in rows
    ]


def check_columns(spec: Spec, scenario: Scenario | None, source: str) -> None:
    """The per-municipality columns a spec lists must be ones a run writes (ConfigError naming
    the first that is not, with a guess)."""
    listed = spec.outputs.municipalities
    if not isinstance(listed, list) or scenario is None:
        return
    from sim.model.config import ConfigError
    from sim.model.model import RegionModel  # one month of the base: the columns a run writes

    model = RegionModel(scenario, seed=0)
    model.step()
    row = model.recorder.municipality_rows()[0]
    known = [k for k in row if k not in RUN_KEYS]
    for key in listed:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ConfigError(
                f"{source}: outputs.municipalities: unknown column {key!r}{hint}; allowed: "
                f"{', '.join(known)}"
            )
