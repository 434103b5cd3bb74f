"""Scenario discovery: in which part of a sweep's parameter space is the answer to a question yes?

A question (`Question`) is asked of the sweep's *worlds*, each combination of parameter values
(its replicates averaged), and turns them into cases (`Cases`): the parameters `x` and a yes
or no `y` per world. `samenspel discover` asks one of two:

- "where is OUTCOME below (above) X": a world is a case of interest when its mean outcome is;
- "where does A beat B on OUTCOME": for a categorical parameter (the factor, e.g.
  governance.mobility), the runs with A and with B are paired by world (equal values of every
  other parameter; with a design that runs each level on the same seeds, seed by seed), and a
  world is a case of interest when A's mean is better than B's, in the outcome's direction
  (sim/model/outcomes.py). Ties count as no.

Boxes (sim/study/boxes.py) then describe where the cases of interest are: PRIM (Friedman and
Fisher 1999) through EMA Workbench (Kwakkel 2017), and CART through scikit-learn, as Bryant
and Lempert (2010) propose for scenario discovery. Nothing here draws a random number: the same
sweep gives the same boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.model.config import ConfigError
from sim.model.outcomes import outcome as catalogue_entry
from sim.study.finished import FinishedSweep

Kind = Literal["below", "above", "beats"]


@dataclass(frozen=True)
class Question:
    """What to discover: where `outcome` is below or above `threshold`, or where the factor's
    level `option` beats its level `rival` on `outcome`."""

    outcome: str
    kind: Kind
    threshold: float | None = None
    factor: str | None = None
    option: str | None = None
    rival: str | None = None


@dataclass(frozen=True)
class Cases:
    """The worlds a question is asked of: the parameters (`x`, one row per world) and whether
    each is a case of interest (`y`), with `values`: per world the mean outcome (threshold
    questions) or both options' means and their difference (beats), and how they were formed.
    """

    x: pd.DataFrame
    y: np.ndarray
    values: pd.DataFrame
    runs: int  # runs that entered
    missing: int  # runs left out: the outcome is missing (no instalment due, ...)
    replicates: int  # most runs per world (and option)
    seeds_shared: bool | None = None  # beats: every world ran both options on the same seeds
    ties: int = 0  # beats: worlds where neither option is better
    clear: int | None = None  # beats: worlds where the option's win is beyond seed noise

    @property
    def worlds(self) -> int:
        return len(self.y)

    @property
    def interest(self) -> int:
        return int(self.y.sum())

    @property
    def base_rate(self) -> float:
        return self.interest / self.worlds if self.worlds else math.nan


def direction(key: str) -> str | None:
    """Which way is better for an outcome: "higher", "lower", or None where neither is."""
    try:
        return catalogue_entry(key).better
    except KeyError:
        return None


def cases(sweep: FinishedSweep, q: Question) -> Cases:
    """The worlds of `sweep` as cases of question `q`."""
    varied = [p for p in sweep.parameters if p != q.factor]
    if not varied:
        raise ConfigError(
            f"{sweep.folder}: the sweep varies nothing but {q.factor}, so there are no "
            "conditions to discover"
            if q.factor
            else f"{sweep.folder}: the sweep varies no parameter, so there are no conditions "
            "to discover"
        )
    ok = sweep.runs[sweep.runs["status"] == "ok"]
    missing = int(ok[q.outcome].isna().sum())
    ok = ok[ok[q.outcome].notna()]
    if q.kind == "beats":
        return _paired(ok, sweep.parameters, q, missing)
    return _thresholded(ok, sweep.parameters, q, missing)


def _thresholded(ok: pd.DataFrame, parameters: list[str], q: Question, missing: int) -> Cases:
    """Each world's mean outcome against the threshold."""
    assert q.threshold is not None
    g = ok.groupby(parameters, sort=True, dropna=False)[q.outcome].agg(["mean", "count"])
    mean = g["mean"].to_numpy(float)
    y = mean < q.threshold if q.kind == "below" else mean > q.threshold
    values = pd.DataFrame({"mean": mean, "runs": g["count"].to_numpy(int)})
    replicates = int(g["count"].max()) if len(g) else 0
    return Cases(_frame(g.index, parameters), y, values, len(ok), missing, replicates)


def _paired(ok: pd.DataFrame, parameters: list[str], q: Question, missing: int) -> Cases:
    """Option against rival, world by world: the difference of their means (over the same
    seeds where the design ran both on them), in the outcome's better direction."""
    assert q.factor is not None and q.option is not None and q.rival is not None
    others = [p for p in parameters if p != q.factor]
    a, b = q.option, q.rival
    ok = ok[ok[q.factor].astype(str).isin([a, b])]
    level = ok[q.factor].astype(str).rename("level")
    by = [ok[p] for p in others] + [level]
    g = ok.groupby(by, sort=True, dropna=False)
    stats = g[q.outcome].agg(["mean", "std", "count"]).unstack("level")
    seeds = g["seed"].agg(lambda s: tuple(sorted(s))).unstack("level")
    both = stats[("count", a)].notna() & stats[("count", b)].notna()
    stats, seeds = stats[both], seeds[both]
    sign = -1.0 if direction(q.outcome) == "lower" else 1.0
    diff = (stats[("mean", a)] - stats[("mean", b)]).to_numpy(float)
    y = sign * diff > 0
    shared = bool(len(seeds)) and bool((seeds[a] == seeds[b]).all())
    values = pd.DataFrame(
        {
            a: stats[("mean", a)].to_numpy(float),
            b: stats[("mean", b)].to_numpy(float),
            "difference": diff,
            "runs": (stats[("count", a)] + stats[("count", b)]).to_numpy(int),
        }
    )
    pairs = ok[ok[q.factor].astype(str).isin([a, b])]
    clear = _clear_wins(pairs, others, q, shared, sign) if shared else None
    replicates = int(stats["count"].max().max()) if len(stats) else 0
    return Cases(
        _frame(stats.index, others),
        y,
        values,
        int(values["runs"].sum()),
        missing,
        replicates,
        seeds_shared=shared,
        ties=int((diff == 0).sum()),
        clear=clear,
    )


def _clear_wins(
    runs: pd.DataFrame, others: list[str], q: Question, shared: bool, sign: float
) -> int | None:
    """Worlds where the option's win is beyond seed noise: the paired differences' 95% Student
    t interval lies above zero (in the better direction). None with a single seed per world."""
    from sim.study.stats import half_widths

    assert q.factor is not None
    level = runs[q.factor].astype(str).rename("level")
    wide = runs.groupby([runs[p] for p in others] + [runs["seed"], level], dropna=False)[
        q.outcome
    ].mean()
    wide = wide.unstack("level").dropna()
    d = sign * (wide[q.option] - wide[q.rival])
    per = d.groupby(level=list(range(len(others))), dropna=False).agg(["mean", "std", "count"])
    if not len(per) or per["count"].max() < 2:
        return None
    half = half_widths(per["std"].to_numpy(), per["count"].to_numpy())
    return int(np.nansum(per["mean"].to_numpy() - half > 0))


def _frame(index: pd.Index, names: list[str]) -> pd.DataFrame:
    """The group keys of a groupby over `names` as a frame of parameter columns."""
    if isinstance(index, pd.MultiIndex):
        frame = index.to_frame(index=False)
    else:
        frame = pd.DataFrame({names[0]: index.to_numpy()})
    frame.columns = names
    return frame


def prepare_x(x: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The parameters as PRIM and CART can read them, and the names of those left out.

    EMA Workbench 3.0 with pandas 3 fails on integer columns (PRIM writes a float quantile
    into them), reads only float64 as numbers and text only as categories; so integers
    become float64, truth values and text categories. A parameter with one value, or with a
    value missing somewhere (a list design that sets it at some points only), cannot bound a
    box and is left out.
    """
    out = {}
    left_out = []
    for name in x.columns:
        col = x[name]
        if col.isna().any() or col.nunique() < 2:
            left_out.append(name)
        elif pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            out[name] = col.astype(str).astype("category")
        else:
            out[name] = col.astype("float64")
    return pd.DataFrame(out, index=x.index), left_out
