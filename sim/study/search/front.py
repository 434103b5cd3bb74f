"""What a design's runs say: each rule set's objectives as means with 95% intervals, which
presets the front dominates (on the means, and clearly so by paired intervals), the most
balanced rule set, and the tables a design writes.

Runs are held as arrays worlds x seeds x objectives (one world without `worlds`). The unit an
interval is taken over is the seed, or, over plausible worlds, the world's mean (runs of one
world share its behaviour, as in sim/study/compare.py). Seeds (and worlds) are the same for
every rule set and preset, so differences are paired run by run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.study.search.spec import Direction
from sim.study.stats import fixed_by_rules, mean_interval


def _nanmean(a: np.ndarray, axis: int) -> np.ndarray:
    """The mean over `axis` of the values that are there (NaN where none is), silently."""
    ok = ~np.isnan(a)
    count = ok.sum(axis=axis)
    total = np.where(ok, a, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def units(runs: np.ndarray) -> np.ndarray:
    """The units an interval is taken over (units x objectives): the seeds, or over several
    worlds each world's mean."""
    return _nanmean(runs, axis=1) if runs.shape[0] > 1 else runs[0]


def means(runs: np.ndarray) -> np.ndarray:
    """Each objective's mean over the units (what the search optimises)."""
    return _nanmean(units(runs), axis=0)


def intervals(runs: np.ndarray) -> list[dict[str, float | int | bool]]:
    """Per objective: mean, ci_low, ci_high, n (units with a value) and fixed (every unit
    the same: the rules fix it, no interval)."""
    out = []
    for column in units(runs).T:
        values = [float(v) for v in column if not math.isnan(v)]
        mean, _, lo, hi = mean_interval(values)
        sd = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
        fixed = fixed_by_rules(sd, mean, len(values))
        if fixed:
            lo = hi = mean
        out.append({"mean": mean, "ci_low": lo, "ci_high": hi, "n": len(values), "fixed": fixed})
    return out


def _signs(directions: Sequence[Direction]) -> np.ndarray:
    return np.array([1.0 if d == "max" else -1.0 for d in directions])


def dominates(a: np.ndarray, b: np.ndarray, directions: Sequence[Direction]) -> bool:
    """Whether mean vector `a` is at least as good as `b` on every objective and better on
    one (Pareto dominance; an objective without a value in either compares as no better)."""
    gain = (np.asarray(a, float) - np.asarray(b, float)) * _signs(directions)
    if np.isnan(gain).any():
        return False
    return bool((gain >= 0).all() and (gain > 0).any())


def paired(
    member: np.ndarray, other: np.ndarray, directions: Sequence[Direction]
) -> list[tuple[float, float, float]]:
    """Per objective, the paired difference member - other, turned so that positive is
    better for the member: mean and 95% interval over the units (seeds or worlds)."""
    gain = (member - other) * _signs(directions)
    out = []
    for column in units(gain).T:
        values = [float(v) for v in column if not math.isnan(v)]
        mean, _, lo, hi = mean_interval(values)
        if len(values) > 1 and float(np.std(values)) <= 1e-12 * max(1.0, abs(mean)):
            lo = hi = mean  # the same difference on every seed: the rules fix it
        out.append((mean, lo, hi))
    return out


def clearly_better(member: np.ndarray, other: np.ndarray, directions: Sequence[Direction]) -> bool:
    """Whether the member is clearly better than `other`: on at least one objective the
    paired 95% interval lies above zero, and on none below it."""
    diffs = paired(member, other, directions)
    better = any(lo > 0 for _, lo, _ in diffs if not math.isnan(lo))
    worse = any(hi < 0 for _, _, hi in diffs if not math.isnan(hi))
    return better and not worse


def dominance(
    front: Sequence[np.ndarray], others: Sequence[np.ndarray], directions: Sequence[Direction]
) -> list[tuple[list[int], list[int]]]:
    """For each of `others` (runs arrays, e.g. the presets): the front members that dominate
    it on the means, and of those the ones that are also clearly better by paired intervals."""
    front_means = [means(r) for r in front]
    out = []
    for other in others:
        target = means(other)
        by = [i for i, m in enumerate(front_means) if dominates(m, target, directions)]
        clear = [i for i in by if clearly_better(front[i], other, directions)]
        out.append((by, clear))
    return out


def order(values: np.ndarray, directions: Sequence[Direction]) -> list[int]:
    """Front members best first on the first objective, then the next (a stable order)."""
    signs = _signs(directions)
    keys = [tuple(-signs * row) for row in values]
    return sorted(range(len(values)), key=lambda i: keys[i])


def balanced(values: np.ndarray, directions: Sequence[Direction]) -> int | None:
    """The most balanced member: the one whose worst objective, scaled 0 (the front's worst)
    to 1 (its best), is best (a Chebyshev distance to the ideal point); ties to the first."""
    if len(values) == 0:
        return None
    scaled = scale(values, directions)
    worst = np.nanmin(scaled, axis=1)
    return int(np.argmax(worst))


def scale(values: np.ndarray, directions: Sequence[Direction]) -> np.ndarray:
    """Each objective scaled 0 (the worst of `values`) to 1 (the best); 1 where all agree."""
    v = np.asarray(values, float) * _signs(directions)
    lo, hi = np.nanmin(v, axis=0), np.nanmax(v, axis=0)
    width = np.where(hi - lo > 0, hi - lo, 1.0)
    return np.where(hi - lo > 0, (v - lo) / width, 1.0)


def bounds(values: np.ndarray) -> tuple[list[float], list[float]]:
    """Fixed normalisation bounds for the hypervolume: each objective's range over `values`
    (every evaluated rule set), widened where it has none, 0 to 1 where it has no value."""
    v = np.asarray(values, float)
    ok = np.isfinite(v)
    lo = np.array([v[ok[:, j], j].min() if ok[:, j].any() else 0.0 for j in range(v.shape[1])])
    hi = np.array([v[ok[:, j], j].max() if ok[:, j].any() else 1.0 for j in range(v.shape[1])])
    hi = np.where(hi - lo > 0, hi, lo + 1.0)
    return lo.tolist(), hi.tolist()
