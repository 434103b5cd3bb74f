"""Sensitivity analysis of a finished sweep: every index its design supports, with intervals,
a stated rule for missing values, and warnings in facts when the indices are not to be trusted.

samenspel analyze RESULTS -> RESULTS-analysis/ (beside the sweep) with
    sobol.csv, sobol_s2.csv, sobol_convergence.csv   Sobol designs (S2 when sampled)
    morris.csv                                      Morris designs
    delta.csv, pawn.csv, rbd_fast.csv               Latin hypercube designs
    noise.csv     per outcome: seed noise against the design's spread, missing runs
    warnings.csv  what makes an index untrustworthy, as codes and figures
    main_effects.csv  each outcome against each parameter, for any design
and the pages the caller adds (the command: sensitivity.html and main_effects.html).

A stochastic model's outcome at a design point is the mean over its replicates (replicates.py);
with `design.seeds = "common"` every point's replicate r ran on the same seed (common random
numbers), which takes the seed noise out of the differences between points. Intervals: SALib's
bootstrap over the design's samples, and, with replicates, a bootstrap over the seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.config import ConfigError
from sim.study.experiment import Spec
from sim.study.finished import FinishedSweep, around, outcomes_of, read_sweep
from sim.study.sensitivity import diagnostics, given_data, morris, sobol
from sim.study.sensitivity.effects import main_effects
from sim.study.sensitivity.replicates import crossed, responses


@dataclass
class Analysis:
    """What `analyze` found: its tables by file name (without .csv) and its warnings."""

    spec: Spec
    runs: int
    partial: bool
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[diagnostics.Warning] = field(default_factory=list)
    constant: list[str] = field(default_factory=list)  # outcomes the rules fix over the design
    insensitive: list[str] = field(default_factory=list)  # the same mean at every point


def compute(
    runs: pd.DataFrame, spec: Spec, *, partial: bool = False, progress: bool = False
) -> Analysis:
    """Every index the design supports, for every numeric outcome of `runs` (a sweep's runs
    table: run_id, point, status, the parameters and the outcomes); a bar per outcome on a
    terminal when `progress`."""
    from sim.io.progress import bar

    outcomes = outcomes_of(runs, spec)
    with bar(total=len(outcomes), desc="analyze", unit="outcome", enabled=progress) as update:
        return _compute(runs, spec, outcomes, partial, update)


def _compute(runs, spec: Spec, outcomes: list[str], partial: bool, update) -> Analysis:
    result = Analysis(spec, len(runs), partial and len(runs) < spec.run_count())
    result.warnings += diagnostics.of_design(spec.design.kind, spec.design.samples)
    x = None
    if spec.design.kind in ("morris", "latin_hypercube"):  # a row per point, crossed or not
        x = np.repeat(morris.design_x(spec), spec.crossed_levels(), axis=0)
    found: dict[str, list[pd.DataFrame]] = {}
    noise = []
    for outcome in outcomes:
        update(1)
        resp = responses(runs, spec, outcome)
        if resp.constant():
            result.constant.append(outcome)
            continue
        if resp.insensitive():
            result.insensitive.append(outcome)
            continue
        n = resp.noise()
        noise.append(
            {
                "outcome": outcome,
                "replicates": n.replicates,
                "seed_noise_share": n.share,
                "replicates_needed": n.needed,
                "missing_runs": resp.missing_runs,
            }
        )
        result.warnings += diagnostics.of_noise(outcome, n)
        for level, points in crossed(spec):
            for name, table in _indices(resp, points, spec, x, result.warnings):
                found.setdefault(name, []).append(table.assign(outcome=outcome, **level))
    for name, tables in found.items():
        table = pd.concat(tables, ignore_index=True)
        result.tables[name] = table[
            [
                "outcome",
                *spec.design.cross,
                *[c for c in table.columns if c not in ("outcome", *spec.design.cross)],
            ]
        ]
    result.tables["noise"] = pd.DataFrame(noise)
    if spec.parameters:
        result.tables["main_effects"] = main_effects(runs, spec)
    return result


def _indices(resp, points, spec: Spec, x, warns: list) -> list[tuple[str, pd.DataFrame]]:
    """The tables of one outcome over one crossed level, by the design's method."""
    kind, outcome = spec.design.kind, resp.outcome
    if kind == "sobol":
        first, second, n = sobol.indices(resp, points, spec)
        made = resp.made_groups(points, sobol.group_size(spec))
        warns += diagnostics.of_groups(outcome, n, made, spec.design.samples or 0, kind)
        if first.empty:
            warns.append(diagnostics.Warning("too_few", outcome, {"n": n}))
            return []
        warns += diagnostics.of_sobol(outcome, first, second)
        out = [("sobol", first), ("sobol_convergence", sobol.convergence(resp, points, spec))]
        return out + ([("sobol_s2", second)] if not second.empty else [])
    if kind == "morris":
        table, n = morris.indices(resp, points, spec, x)
        made = resp.made_groups(points, len(spec.sampled) + 1)
        warns += diagnostics.of_groups(outcome, n, made, spec.design.samples or 0, kind)
        return [("morris", table)] if not table.empty else []
    if kind == "latin_hypercube":
        table, n = given_data.indices(resp, points, spec, x)
        made = resp.made_groups(points, 1)
        warns += diagnostics.of_groups(outcome, n, made, spec.design.samples or 0, kind)
        if table.empty:
            warns.append(diagnostics.Warning("too_few", outcome, {"n": n}))
            return []
        warns += diagnostics.of_given(outcome, table, n)
        keys = {
            "delta": ["delta", "delta_conf", "delta_S1"],
            "pawn": ["pawn_median", "pawn_conf"],
            "rbd_fast": ["rbd_fast_S1", "rbd_fast_S1_conf"],
        }
        return [(name, table[["parameter", *cols]]) for name, cols in keys.items()]
    return []


def analyze(
    folder: str | Path,
    out: Path | None = None,
    *,
    force: bool = False,
    partial: bool = False,
    say: Callable[[str], None] | None = None,
    pages: Callable[[Path, Analysis], None] | None = None,
    progress: bool = False,
) -> Path:
    """Write the analysis of a finished sweep beside it (FOLDER-analysis/) and return that path.

    The sweep folder is checked first (SweepDamaged if it is damaged); an unfinished or still
    running sweep is refused unless `partial`. The analysis never goes into, onto or around the
    sweep it reads. An earlier analysis is kept (the new one goes to FOLDER-analysis-2, ...)
    unless `out` names it and `force` is given. `pages(folder, analysis)` adds pages.

    Example (docs/notebooks/explore.py runs one):
        folder = analyze("results/trust-and-monitoring")  # results/trust-and-monitoring-analysis
        print(folder / "main_effects.csv")
    """
    from sim.io.store import destination, write_atomically, write_json
    from sim.study.run import provenance

    sweep = read_sweep(folder, "analyze")
    folder, spec, runs = sweep.folder, sweep.spec, sweep.runs
    _check_complete(sweep, partial, say)
    if (runs["status"] != "ok").all():
        raise ConfigError(
            f"{folder}: all {len(runs):,} runs failed, nothing to analyse; their errors are in "
            "status.log"
        )
    target = Path(out) if out is not None else folder.with_name(folder.name + "-analysis")
    _not_around(folder, target)
    dest = destination(out, target, force=force)
    result = compute(runs, spec, partial=partial, progress=progress)

    def fill(tmp: Path) -> None:
        write_json(
            tmp / "manifest.json",
            {
                "sweep": str(folder),
                "runs": len(runs),
                "partial": partial,
                "constant": result.constant,
                "insensitive": result.insensitive,
                **provenance(),
            },
        )
        for name, table in result.tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        warns = [{"code": w.code, "outcome": w.outcome, **w.fields} for w in result.warnings]
        pd.DataFrame(warns, columns=["code", "outcome"] if not warns else None).to_csv(
            tmp / "warnings.csv", index=False
        )
        if pages is not None:
            pages(tmp, result)

    return write_atomically(dest, fill)


def _check_complete(sweep: FinishedSweep, partial: bool, say: Callable[[str], None] | None) -> None:
    """Refuse an unfinished or running sweep unless `partial` (then say what is analysed)."""
    folder = sweep.folder
    if sweep.finished == 0:
        raise ConfigError(f"{folder}: no finished runs to analyse yet; run or --resume the sweep")
    if not sweep.unfinished:
        return
    if sweep.holder is not None:
        state = f"is still being written ({sweep.holder})"
    else:
        state = "was interrupted; `samenspel sweep SPEC --out FOLDER --resume` completes it"
    what = f"{sweep.finished:,} of its {sweep.total:,} runs are finished"
    if not partial:
        raise ConfigError(
            f"{folder}: {what}: the sweep {state}; indices from unequal numbers of runs per "
            "design point mislead, so analyze waits for the whole sweep (add --partial to "
            "analyse the finished runs anyway)"
        )
    if say is not None:
        say(f"{folder}: {what} (--partial): the sweep {state}")


def _not_around(folder: Path, target: Path) -> None:
    """The analysis never goes into, onto or around the sweep it reads."""
    if around(folder, target):
        raise ConfigError(
            f"--out: {target} is the sweep folder, inside it or around it; an analysis is "
            f"written beside the sweep (default {folder.name}-analysis)"
        )
