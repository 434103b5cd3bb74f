"""Robustness across the uncertainty: regret and satisficing of options evaluated in the same
worlds.

An option is what is chosen (a scenario, an arrangement, a level of a rule); a world is what is
not chosen and not known (behaviour the evidence leaves open, a combination of a sweep's other
parameters). Given each option's value of an outcome in each world (its mean over the world's
seeds), two families of robustness metrics, as McPhail et al. (2018) classify them ("Robustness
metrics: how are they calculated, when should they be used and why do they give different
results?", Earth's Future 6(2)):

- **regret** (Savage 1951, "The theory of statistical decision", JASA 46): in each world, how far
  an option falls short of the best option in that world, in the outcome's own unit and in the
  direction the outcome catalogue (sim/model/outcomes.py) calls better. Per option: the mean,
  the 90th percentile and the maximum over the worlds (minimax regret: the option with the
  least maximum), the share of worlds in which it is best, and the share in which it is best or
  near it (within NEAR of the outcome's range over every option and world);
- **satisficing** (Starr 1963, "Product design and decision theory", the domain criterion): the
  share of worlds in which an option meets one threshold, or several together.

Intervals (95%): the mean and the 90th percentile by a percentile bootstrap over the worlds
(Efron and Tibshirani 1993), seeded, the same resampled worlds for every option; shares by
Wilson's score interval. Both treat the worlds as a sample of the uncertainty. The maximum has
none: a bootstrap of a sample's maximum is known not to work (it can never exceed what was
seen). A regret that is the same in every world is a fact, stated without an interval.

Missing values are never a best-looking zero: an option without a value in a world (an outcome
that does not apply, e.g. the tailoring of shared services an arrangement does not have) has no
regret there, and the others are compared among themselves; an option without a value in any
world is not applicable (`applicable` False, every measure NaN). Satisficing counts only the
worlds in which every outcome of its thresholds has a value (`worlds` says how many).
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from sim.model.config import ConfigError
from sim.model.outcomes import outcome
from sim.study.stats import FIXED, LEVEL, wilson

NEAR = 0.05
"""Near the best: within this share of the outcome's range (over every option and world)."""

RESAMPLES = 1000
"""Bootstrap resamples of the worlds behind each interval."""

PERCENTILE = 0.9
"""The upper percentile of regret reported beside its mean and maximum."""

TIE = 1e-12
"""A regret below this (relative to the size of the world's best value) is no regret: the two
are tied (their means differ by rounding only)."""

Op = Literal[">=", "<=", ">", "<"]
OPS: tuple[str, ...] = get_args(Op)

REGRET_COLUMNS = [
    "outcome",
    "option",
    "better",
    "worlds",
    "applicable",
    "fixed",
    "mean_regret",
    "mean_low",
    "mean_high",
    "p90_regret",
    "p90_low",
    "p90_high",
    "max_regret",
    "best_worlds",
    "share_best",
    "best_low",
    "best_high",
    "near_worlds",
    "share_near",
    "near_low",
    "near_high",
    "tolerance",
]
SATISFICING_COLUMNS = [
    "criterion",
    "option",
    "worlds",
    "met",
    "share",
    "ci_low",
    "ci_high",
    "applicable",
    "fixed",
]


@dataclass(frozen=True)
class Threshold:
    """A requirement on one outcome, e.g. Threshold("commitment", ">=", 0.5), in the unit of
    the runs table (a summary value, not scaled for display)."""

    outcome: str
    op: Op
    value: float

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"op must be one of {', '.join(OPS)}, got {self.op!r}")
        if not math.isfinite(self.value):
            raise ValueError(f"a threshold must be a finite number, got {self.value!r}")

    def __str__(self) -> str:
        return f"{self.outcome} {self.op} {self.value:g}"

    def holds(self, x: np.ndarray) -> np.ndarray:
        """Where `x` meets the threshold (False where it is NaN)."""
        x = np.asarray(x, float)
        with np.errstate(invalid="ignore"):
            if self.op == ">=":
                return x >= self.value
            if self.op == "<=":
                return x <= self.value
            return x > self.value if self.op == ">" else x < self.value


class Unknown(ConfigError):
    """A name that is not there: `what` ("factor" or "outcome"), the `name` given, the names
    `known` and the `close` ones among them (a did-you-mean)."""

    def __init__(self, what: str, name: str, known: Sequence[str], option: str) -> None:
        self.what, self.name, self.known = what, name, list(known)
        self.close = difflib.get_close_matches(name, self.known, n=3, cutoff=0.6)
        self.option = option
        hint = f"did you mean {' or '.join(self.close)}?" if self.close else ""
        hint = (
            hint or f"there are: {', '.join(self.known[:12])}{', ...' if len(known) > 12 else ''}"
        )
        super().__init__(f"{option}: no {what} {name!r}; {hint}")


class Undirected(ConfigError):
    """An outcome that has no better direction, so no regret: `name`."""

    def __init__(self, name: str, option: str) -> None:
        self.name, self.option = name, option
        super().__init__(
            f"{option}: {name!r} has no better direction in the outcome catalogue, so no "
            "regret; a threshold on it works (--satisfice)"
        )


class BadThreshold(ConfigError):
    """A threshold written wrongly: the `text` given."""

    def __init__(self, text: str) -> None:
        self.text = text[:80] + ("..." if len(text) > 80 else "")
        super().__init__(
            f"--satisfice: {self.text!r} is not a threshold; write OUTCOME>=NUMBER, "
            'OUTCOME<=NUMBER, OUTCOME>NUMBER or OUTCOME<NUMBER, e.g. "commitment>=0.5"'
        )


_THRESHOLD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*")


def parse_threshold(text: str, known: Sequence[str]) -> Threshold:
    """A threshold from its text ("commitment>=0.5": an outcome, one of >=, <=, >, <, and a
    finite number, spaces allowed); BadThreshold where it is written wrongly, Unknown where the
    outcome is not one of `known`."""
    match = _THRESHOLD.fullmatch(text) if len(text) <= 200 else None
    if match is None:
        raise BadThreshold(text)
    key, op, number = match.groups()
    try:
        value = float(number)
    except ValueError:
        raise BadThreshold(text) from None
    if not math.isfinite(value):
        raise BadThreshold(text)
    if key not in known:
        raise Unknown("outcome", key, known, "--satisfice")
    return Threshold(key, op, value)  # type: ignore[arg-type]  # op matched one of OPS


def better_of(key: str) -> str | None:
    """Which direction of an outcome is better, from the catalogue (None: no direction, or not
    an outcome the catalogue knows)."""
    try:
        return outcome(key).better
    except KeyError:
        return None


def world_means(
    runs: pd.DataFrame, option: str, world: Sequence[str], keys: Sequence[str]
) -> pd.DataFrame:
    """Each outcome of `keys` averaged over the runs of each world and option: one row per
    (world, option), the world's columns `world`, then `option`, then the outcomes (a mean over
    the runs that have a value; NaN where none has)."""
    by = [*world, option]
    return runs.groupby(by, sort=False, dropna=False)[list(keys)].mean().reset_index()


def regrets(values: pd.DataFrame, better: str) -> pd.DataFrame:
    """Regret of each option (column) in each world (row): its distance to the best value in
    that world among the options that have one, in the direction `better` ("higher" or
    "lower"); NaN stays NaN. The best option of a world has regret 0."""
    if better not in ("higher", "lower"):
        raise ValueError(f"better must be 'higher' or 'lower', got {better!r}")
    if better == "higher":
        return values.rsub(values.max(axis=1), axis=0)
    return values.sub(values.min(axis=1), axis=0)


def _bootstrap(r: np.ndarray, picks: np.ndarray) -> tuple[float, float, float, float]:
    """The 95% percentile-bootstrap intervals of the mean and the PERCENTILE of `r` over the
    resampled worlds `picks` (resamples x worlds): (mean low, high, p90 low, high)."""
    s = r[picks]
    with warnings.catch_warnings():  # a resample of only worlds without a value: NaN, dropped
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(s, axis=1)
        upper = np.nanquantile(s, PERCENTILE, axis=1)
    tails = [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2]
    m = np.percentile(means[np.isfinite(means)], tails)
    u = np.percentile(upper[np.isfinite(upper)], tails)
    return float(m[0]), float(m[1]), float(u[0]), float(u[1])


def _constant(x: np.ndarray) -> bool:
    """Whether the values `x` (two or more) are the same (within FIXED of their size)."""
    return len(x) >= 2 and float(np.ptp(x)) <= FIXED * max(1.0, float(np.abs(x).max()))


def _summary(
    r: np.ndarray, picks: np.ndarray, tolerance: float, tie: np.ndarray, fixed: bool
) -> dict:
    """The regret measures of one option from its regret in each world `r` (NaN: no value);
    `tie`: per world, the regret that is none (rounding); `fixed`: its value and the best are
    the same in every world (the rules fix the regret)."""
    has = ~np.isnan(r)
    ok, tie = r[has], tie[has]
    n = len(ok)
    out: dict = {"worlds": n, "applicable": n > 0, "tolerance": tolerance}
    if n == 0:
        return out | {"fixed": False}
    mean = float(ok.mean())
    best, near = int((ok <= tie).sum()), int((ok <= tolerance + tie).sum())
    out |= {
        "fixed": fixed,
        "mean_regret": mean,
        "p90_regret": float(np.quantile(ok, PERCENTILE)),
        "max_regret": float(ok.max()),
        "best_worlds": best,
        "share_best": best / n,
        "near_worlds": near,
        "share_near": near / n,
    }
    if n >= 2 and not fixed:  # what is the same in every world is a fact: no interval
        lows = _bootstrap(r, picks)
        out |= dict(zip(("mean_low", "mean_high", "p90_low", "p90_high"), lows, strict=True))
        out |= dict(zip(("best_low", "best_high"), wilson(best, n), strict=True))
        out |= dict(zip(("near_low", "near_high"), wilson(near, n), strict=True))
    return out


def regret_summary(
    values: pd.DataFrame,
    better: str,
    seed: int = 0,
    near: float = NEAR,
    resamples: int = RESAMPLES,
) -> pd.DataFrame:
    """Per option (a column of `values`, worlds as rows): its regret over the worlds, as
    REGRET_COLUMNS without `outcome` (see the module's docstring). `seed` fixes the bootstrap;
    every option is resampled with the same worlds."""
    values = values.astype(float)
    r = regrets(values, better)
    finite = values.to_numpy(float)
    finite = finite[np.isfinite(finite)]
    spread = float(finite.max() - finite.min()) if len(finite) else 0.0
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x7265_6772,)))
    picks = rng.integers(0, len(values), size=(resamples, len(values)))
    best = values.max(axis=1) if better == "higher" else values.min(axis=1)
    tie = TIE * np.maximum(1.0, np.abs(best.to_numpy(float)))
    rows = []
    for option in values.columns:
        own = values[option].to_numpy(float)
        has = ~np.isnan(own)
        fixed = _constant(own[has]) and _constant(best.to_numpy(float)[has])
        measures = _summary(r[option].to_numpy(float), picks, near * spread, tie, fixed)
        rows.append({"option": option, "better": better} | measures)
    frame = pd.DataFrame(rows).reindex(columns=[c for c in REGRET_COLUMNS if c != "outcome"])
    return frame.astype({"best_worlds": "Int64", "near_worlds": "Int64"})


def regret_table(
    means: pd.DataFrame,
    option: str,
    keys: Sequence[str],
    seed: int = 0,
    near: float = NEAR,
    resamples: int = RESAMPLES,
) -> pd.DataFrame:
    """Regret per outcome of `keys` that has a better direction and option, from `means` (one
    row per world and option, as `world_means` makes them, the world numbered in a column
    `world`), options in order of appearance: REGRET_COLUMNS, with the option in a column named
    `option`."""
    order = list(dict.fromkeys(means[option]))
    frames = []
    for key in keys:
        better = better_of(key)
        if better is None or key not in means.columns:
            continue
        wide = means.set_index(["world", option])[key].unstack(option).reindex(columns=order)
        part = regret_summary(wide, better, seed, near, resamples)
        part.insert(0, "outcome", key)
        frames.append(part)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REGRET_COLUMNS)
    return table.rename(columns={"option": option})


def satisficing(means: pd.DataFrame, option: str, thresholds: Sequence[Threshold]) -> pd.DataFrame:
    """Per option and criterion, the share of worlds in which the option meets it: each
    threshold alone and, where there are several, all of them together. `means` has one row
    per world and option (`world_means`); a world counts where every outcome of the criterion
    has a value. SATISFICING_COLUMNS, with the option in a column named `option`."""
    criteria = [[t] for t in thresholds]
    if len(thresholds) > 1:
        criteria.append(list(thresholds))
    rows = []
    for criterion in criteria:
        keys = list(dict.fromkeys(t.outcome for t in criterion))
        for name, part in means.groupby(option, sort=False):
            values = part.reindex(columns=keys).astype(float)
            evaluable = values.notna().all(axis=1).to_numpy()
            met = np.logical_and.reduce([t.holds(values[t.outcome]) for t in criterion])
            n, k = int(evaluable.sum()), int((met & evaluable).sum())
            fixed = all(_constant(values[key].to_numpy()[evaluable]) for key in keys)
            low, high = wilson(k, n) if not fixed else (math.nan, math.nan)
            rows.append(
                {
                    "criterion": " and ".join(str(t) for t in criterion),
                    "option": name,
                    "worlds": n,
                    "met": k,
                    "share": k / n if n else math.nan,
                    "ci_low": low,
                    "ci_high": high,
                    "applicable": n > 0,
                    "fixed": fixed,
                }
            )
    return pd.DataFrame(rows, columns=SATISFICING_COLUMNS).rename(columns={"option": option})


def least_regret(table: pd.DataFrame, option: str = "option") -> pd.DataFrame:
    """Per outcome of a `regret_table`: the option(s) with the least maximum regret (minimax
    regret; ties broken by the mean regret, options tied on both joined by ", "), their maximum
    and mean, the next option and its maximum, the options the outcome does not apply to, and
    the worlds."""
    rows = []
    for key, part in table.groupby("outcome", sort=False):
        ok = part[part["applicable"].astype(bool)]
        if ok.empty:
            continue
        ranked = ok.assign(_max=ok["max_regret"].round(12), _mean=ok["mean_regret"].round(12))
        ranked = ranked.sort_values(["_max", "_mean"], kind="stable")
        top = ranked.iloc[0]
        tied = ranked[(ranked["_max"] == top["_max"]) & (ranked["_mean"] == top["_mean"])]
        rest = ranked.iloc[len(tied) :]
        rows.append(
            {
                "outcome": key,
                "least": ", ".join(str(o) for o in tied[option]),
                "max_regret": float(top["max_regret"]),
                "mean_regret": float(top["mean_regret"]),
                "fixed": bool(tied["fixed"].all()),
                "next": str(rest[option].iloc[0]) if len(rest) else "",
                "next_max": float(rest["max_regret"].iloc[0]) if len(rest) else math.nan,
                "not_applicable": ", ".join(
                    str(o) for o in part.loc[~part["applicable"].astype(bool), option]
                ),
                "options": len(ok),
                "worlds": int(ok["worlds"].max()),
            }
        )
    return pd.DataFrame(rows)


def over_worlds(
    runs: pd.DataFrame,
    keys: Sequence[str],
    thresholds: Sequence[Threshold] = (),
    seed: int = 0,
    option: str = "scenario",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A comparison's robustness over its plausible worlds (`runs` with a `world` column): the
    regret per scenario and outcome of `keys` (`regret_table`), and, with `thresholds`, the
    satisficing per scenario and criterion (empty without). Each scenario's value in a world is
    its mean over that world's seeds."""
    needed = list(dict.fromkeys([*keys, *(t.outcome for t in thresholds)]))
    means = world_means(runs, option, ["world"], [k for k in needed if k in runs.columns])
    regret = regret_table(means, option, keys, seed)
    if not thresholds:
        return regret, pd.DataFrame()
    every = list(dict.fromkeys([*means.columns, *needed]))  # an outcome no run has: all NaN
    return regret, satisficing(means.reindex(columns=every), option, thresholds)


def provenance(thresholds: Sequence[Threshold], seed: int) -> dict:
    """How robustness was computed, for a manifest."""
    return {
        "bootstrap_resamples": RESAMPLES,
        "bootstrap_seed": seed,
        "near": NEAR,
        "percentile": PERCENTILE,
        "thresholds": [str(t) for t in thresholds],
    }
