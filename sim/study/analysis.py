"""Analysing a sweep: sensitivity indices where the design allows, main effects for any design.

samenspel analyze RESULTS   ->  RESULTS-analysis/ (beside the sweep) with
    sobol.csv     first-order and total indices with 95% confidence (Sobol designs)
    morris.csv    mu, mu*, sigma and the confidence of mu* (Morris designs)
    main_effects.csv and main_effects.html  each outcome against each parameter
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.config import ConfigError
from sim.study.experiment import Spec
from sim.study.stats import half_widths
from sim.study.sweep import is_sweep, load_results, verify

ID_COLUMNS = ("run_id", "point", "seed", "status", "error", "duration")


def outcomes_of(runs: pd.DataFrame, spec: Spec) -> list[str]:
    return [
        c
        for c in runs.columns
        if c not in ID_COLUMNS
        and c not in spec.parameters
        and pd.api.types.is_numeric_dtype(runs[c])
    ]


def point_means(runs: pd.DataFrame, spec: Spec, outcome: str) -> np.ndarray | None:
    """Each design point's outcome, averaged over its replicates, in design order; None if any
    point has no successful run or only missing values."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[outcome].mean()
    n_points = spec.point_count()  # counted, not made: a design may have millions
    if len(means) != n_points or means.isna().any():
        return None
    return means.sort_index().to_numpy()


def _indices(runs: pd.DataFrame, spec: Spec, analyse, keys: tuple[str, ...]) -> pd.DataFrame:
    """One row per outcome and parameter with the index columns `keys` of SALib's result.

    Outcomes that are constant over the design, or missing at some point, are left out."""
    rows = []
    for outcome in outcomes_of(runs, spec):
        y = point_means(runs, spec, outcome)
        if y is None or np.allclose(y, y[0]):
            continue
        res = analyse(y)
        for i, name in enumerate(spec.names):
            rows.append({"outcome": outcome, "parameter": name, **{k: res[k][i] for k in keys}})
    return pd.DataFrame(rows)


def sobol_indices(runs: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """First-order and total Sobol indices with their 95% confidence (Saltelli sampling)."""
    from SALib.analyze import sobol

    def analyse(y: np.ndarray) -> dict:
        return sobol.analyze(
            spec.problem(), y, calc_second_order=spec.design.second_order, seed=spec.master_seed
        )

    return _indices(runs, spec, analyse, ("S1", "S1_conf", "ST", "ST_conf"))


def morris_indices(runs: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Morris elementary effects: mu, mu*, sigma and the 95% confidence of mu*."""
    from SALib.analyze import morris

    x = np.array([[p[n] for n in spec.names] for p in spec.points()], dtype=float)

    def analyse(y: np.ndarray) -> dict:
        return morris.analyze(
            spec.problem(), x, y, num_levels=spec.design.levels, seed=spec.master_seed
        )

    return _indices(runs, spec, analyse, ("mu", "mu_star", "sigma", "mu_star_conf"))


def main_effects(runs: pd.DataFrame, spec: Spec, bins: int = 8) -> pd.DataFrame:
    """Mean outcome (with its 95% Student t interval) against each parameter, the others averaged
    over.

    Parameters with few distinct values are grouped by value; continuous ones in `bins` bins.
    """
    ok = runs[runs["status"] == "ok"]
    rows = []
    for name in spec.parameters:
        x = ok[name]
        if x.nunique() <= bins or not pd.api.types.is_numeric_dtype(x):
            groups = x
        else:
            groups = pd.cut(x, bins=bins).map(lambda iv: iv.mid).astype(float)
        for outcome in outcomes_of(runs, spec):
            g = ok.groupby(groups, observed=True)[outcome].agg(["mean", "std", "count"])
            g["half"] = half_widths(g["std"].to_numpy(), g["count"].to_numpy())
            for level, r in g.iterrows():
                half = r["half"]
                rows.append(
                    {
                        "parameter": name,
                        "value": level,
                        "outcome": outcome,
                        "mean": r["mean"],
                        "ci_low": r["mean"] - half,
                        "ci_high": r["mean"] + half,
                        "n": int(r["count"]),
                    }
                )
    return pd.DataFrame(rows)


def main_effects_html(effects: pd.DataFrame, path: Path) -> None:
    """One self-contained page: a grid of outcome-by-parameter main-effect plots."""
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs
    from plotly.subplots import make_subplots

    params = list(dict.fromkeys(effects["parameter"]))
    outcomes = list(dict.fromkeys(effects["outcome"]))
    fig = make_subplots(
        rows=len(outcomes),
        cols=len(params),
        shared_yaxes="rows",
        column_titles=params,
        row_titles=outcomes,
    )
    for i, o in enumerate(outcomes):
        for j, p in enumerate(params):
            d = effects[(effects["outcome"] == o) & (effects["parameter"] == p)]
            fig.add_trace(
                go.Scatter(
                    x=d["value"],
                    y=d["mean"],
                    mode="lines+markers",
                    showlegend=False,
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": d["ci_high"] - d["mean"],
                        "arrayminus": d["mean"] - d["ci_low"],
                    },
                ),
                row=i + 1,
                col=j + 1,
            )
    fig.update_layout(height=220 * len(outcomes) + 80, margin={"l": 40, "r": 80, "t": 60, "b": 30})
    body = fig.to_html(full_html=False, include_plotlyjs=False)
    path.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>main effects</title>"
        f"<script>{get_plotlyjs()}</script></head><body><h1>Main effects</h1>{body}</body></html>",
        encoding="utf-8",
    )


def analyze(
    folder: str | Path,
    out: Path | None = None,
    *,
    force: bool = False,
    partial: bool = False,
    say: Callable[[str], None] | None = None,
) -> Path:
    """Write the analysis of a finished sweep beside it (FOLDER-analysis/) and return that path.

    The sweep folder is checked first (SweepDamaged if it is damaged); an unfinished or still
    running sweep is refused unless `partial`. The analysis never goes into, onto or around the
    sweep it reads. An earlier analysis is kept (the new one goes to FOLDER-analysis-2, ...)
    unless `out` names it and `force` is given.

    Example (docs/notebooks/explore.py runs one):
        folder = analyze("results/trust-and-monitoring")  # results/trust-and-monitoring-analysis
        print(folder / "main_effects.html")  # open it in a browser; main_effects.csv beside it
    """
    from sim.io.store import destination, write_atomically, write_json, writer
    from sim.study.run import provenance

    folder = Path(folder)
    if not is_sweep(folder):
        raise ConfigError(f"{folder}: not a sweep's results folder (no sweep manifest)")
    check = verify(folder)
    check.refuse("analyze")
    spec = check.spec
    assert spec is not None, "verify() reads the spec of every sweep it finds undamaged"
    runs, _ = load_results(folder, check)
    _check_complete(folder, check, len(runs), partial, writer(folder), say)
    if (runs["status"] != "ok").all():
        raise ConfigError(
            f"{folder}: all {len(runs):,} runs failed, nothing to analyse; their errors are in "
            "status.log"
        )
    target = Path(out) if out is not None else folder.with_name(folder.name + "-analysis")
    _not_around(folder, target)
    dest = destination(out, target, force=force)

    def fill(tmp: Path) -> None:
        write_json(
            tmp / "manifest.json",
            {"sweep": str(folder), "runs": len(runs), "partial": partial, **provenance()},
        )
        if spec.design.kind == "sobol":
            sobol_indices(runs, spec).to_csv(tmp / "sobol.csv", index=False)
        if spec.design.kind == "morris":
            morris_indices(runs, spec).to_csv(tmp / "morris.csv", index=False)
        if spec.parameters:
            effects = main_effects(runs, spec)
            effects.to_csv(tmp / "main_effects.csv", index=False)
            main_effects_html(effects, tmp / "main_effects.html")

    return write_atomically(dest, fill)


def _check_complete(
    folder: Path,
    check,
    finished: int,
    partial: bool,
    holder: str | None,
    say: Callable[[str], None] | None,
) -> None:
    """Refuse an unfinished or running sweep unless `partial` (then say what is analysed)."""
    if finished == 0:
        raise ConfigError(f"{folder}: no finished runs to analyse yet; run or --resume the sweep")
    state = None
    if holder is not None:
        state = f"is still being written ({holder})"
    elif finished < check.runs:
        state = "was interrupted; `samenspel sweep SPEC --out FOLDER --resume` completes it"
    if state is None:
        return
    what = f"{finished:,} of its {check.runs:,} runs are finished"
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
    sweep, there = folder.resolve(), target.resolve()
    if there == sweep or sweep in there.parents or there in sweep.parents:
        raise ConfigError(
            f"--out: {target} is the sweep folder, inside it or around it; an analysis is "
            f"written beside the sweep (default {folder.name}-analysis)"
        )
