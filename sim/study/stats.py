"""The statistics every study shares: a mean with its 95% interval over seeds.

One place for the Student t interval (compare, whatif, validation, docking, analysis all report
it), so that every table, page and check computes it the same way:

- `t_quantile(n)`: the two-sided 95% quantile of Student's t with n - 1 degrees of freedom;
- `mean_interval(values)`: mean, standard error and the 95% interval of a sample;
- `interval_columns(frame, by, value)`: the same per group of a DataFrame (mean, sd, n,
  ci_low, ci_high), as the tidy tables write them;
- `wilson(successes, n)`: the 95% interval of a share (robustness's satisficing).

Where n < 2 there is no interval: the standard error and the bounds are NaN (the mean stands
alone), never a zero-width interval that would look certain.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

LEVEL = 0.95


@lru_cache(maxsize=4096)
def t_quantile(n: int) -> float:
    """Two-sided 95% Student t quantile for a sample of n (NaN where n < 2)."""
    if n < 2:
        return math.nan
    from scipy.stats import t  # scipy comes with Mesa; only the driver needs it

    return float(t.ppf(0.5 + LEVEL / 2, n - 1))


def mean_interval(values: Sequence[float]) -> tuple[float, float, float, float]:
    """Mean, standard error, and the 95% interval's low and high bound of `values`
    (NaN where there are no values; the standard error and bounds NaN where there is one)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = statistics.fmean(values)
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    se = statistics.stdev(values) / math.sqrt(n)
    half = t_quantile(n) * se
    return mean, se, mean - half, mean + half


def half_widths(sd: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The 95% interval's half width for standard deviations `sd` of samples of sizes `n`."""
    q = np.array([t_quantile(int(k)) for k in np.asarray(n)], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return q * np.asarray(sd, dtype=float) / np.sqrt(np.asarray(n, dtype=float))


FIXED = 1e-9
"""A quantity whose seeds differ by less than this (relative to its size) follows from the rules,
not from chance: it is stated as a fact, without an interval."""


def fixed_by_rules(sd: float, mean: float, n: int) -> bool:
    """Whether a quantity measured on `n` seeds is the same in every one (its sd, relative to
    its mean, below FIXED): what the rules fix, not an estimate."""
    return n >= 2 and sd == sd and mean == mean and sd <= FIXED * max(1.0, abs(mean))


def interval_columns(frame: pd.DataFrame, by: list[str], value: str = "value") -> pd.DataFrame:
    """Per group of `frame` by `by`: mean, sd, n, ci_low and ci_high of column `value`, and
    `fixed`: whether every seed gave the same value (`fixed_by_rules`)."""
    out = frame.groupby(by, sort=False)[value].agg(mean="mean", sd="std", n="count").reset_index()
    half = half_widths(out["sd"].to_numpy(), out["n"].to_numpy())
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out["fixed"] = [
        fixed_by_rules(sd, mean, n)
        for sd, mean, n in zip(out["sd"], out["mean"], out["n"], strict=True)
    ]
    return out


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a share `successes` of `n` (Wilson 1927, "Probable
    inference, the law of succession, and statistical inference"): inside [0, 1] and not of
    zero width at 0 or n, unlike the normal approximation; NaN where n is 0."""
    if n <= 0:
        return math.nan, math.nan
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + LEVEL / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # at 0 of n and n of n the bound is exactly 0 or 1 (rounding would leave it a hair inside)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high
