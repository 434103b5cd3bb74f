"""A stochastic model's outcome at each design point: the mean over its replicates, the seed
noise against the design's spread, and resamples of the replicates (a bootstrap over seeds).

The rule for missing values (an outcome a run does not define, such as free-riding when no
instalment fell due, a failed run, a run an unfinished sweep has not made): a point's value is
the mean of the replicates that have one; a point with none is missing, and each method drops
the smallest unit its estimator allows (a Saltelli row group, a Morris trajectory, a sample),
counted and said.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.study.experiment import Spec

NOISE_SHARE = 0.1
"""Seed noise above this share of the variance of the points' means is worth a warning, and the
replicates that bring it under it are named (an ASSUMPTION: a tenth keeps the indices' seed
bias small against the intervals SALib gives at the usual sample sizes)."""

BOOTSTRAP = 200
"""Resamples of the replicates for the interval over seeds (an ASSUMPTION; Efron & Tibshirani
1993 advise 200 for standard errors, more for percentile intervals of small tails)."""


@dataclass(frozen=True)
class Responses:
    """One outcome over a design: `reps[p, r]` replicate r at point p (NaN where none)."""

    outcome: str
    reps: np.ndarray
    common: bool  # common random numbers: replicate r of every point ran on the same seed
    made: np.ndarray  # per point: whether any of its runs was made (an unfinished sweep's not)

    def made_groups(self, points: np.ndarray, size: int) -> int:
        """How many consecutive groups of `size` of these points (Saltelli groups, Morris
        trajectories, samples) have every point made."""
        return int(self.made[points].reshape(-1, size).all(axis=1).sum())

    @property
    def y(self) -> np.ndarray:
        """Each point's mean over the replicates that have a value (NaN where none has)."""
        with np.errstate(all="ignore"):
            counts = np.sum(~np.isnan(self.reps), axis=1)
            sums = np.nansum(self.reps, axis=1)
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    @property
    def missing_runs(self) -> int:
        return int(np.isnan(self.reps).sum())

    def constant(self) -> bool:
        """Whether the rules fix the outcome over the whole design: every run of every point
        gives the same value."""
        values = self.reps[~np.isnan(self.reps)]
        return len(values) > 0 and bool(np.all(values == values[0]))

    def insensitive(self) -> bool:
        """Whether every point has the same mean though the runs vary: under common random
        numbers, an outcome none of the parameters moves."""
        y = self.y[~np.isnan(self.y)]
        return len(y) > 0 and bool(np.all(y == y[0])) and not self.constant()

    def noise(self) -> Noise:
        """The seed noise in the points' means against their spread over the design."""
        r = self.reps.shape[1]
        enough = np.sum(~np.isnan(self.reps), axis=1) >= 2
        y = self.y[~np.isnan(self.y)]
        spread = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
        if r < 2 or not enough.any() or spread == 0.0:
            return Noise(r, None, None)
        within = self._within(enough)
        share = min(1.0, within / r / spread)
        signal = spread - within / r
        if signal <= NOISE_SHARE * spread:  # hardly any spread beyond the noise: no count helps
            return Noise(r, share, None)
        needed = math.ceil(within / (NOISE_SHARE * signal))
        return Noise(r, share, max(needed, r) if share > NOISE_SHARE else None)

    def _within(self, enough: np.ndarray) -> float:
        """The variance of a replicate around its point's mean. With common random numbers,
        what replicate r shares with every point (its seed's shift) leaves the differences
        between points alone, so only the rest counts: the residual of a two-way split into
        point and seed effects over the points with every replicate."""
        if not self.common:
            return float(np.nanmean(np.nanvar(self.reps[enough], axis=1, ddof=1)))
        full = self.reps[~np.isnan(self.reps).any(axis=1)]
        if len(full) < 2:
            return float(np.nanmean(np.nanvar(self.reps[enough], axis=1, ddof=1)))
        rest = full - full.mean(axis=1, keepdims=True) - full.mean(axis=0, keepdims=True)
        rest += full.mean()
        p, r = full.shape
        return float((rest**2).sum() / ((p - 1) * (r - 1)))

    def resamples(self, seed: int, n: int = BOOTSTRAP) -> np.ndarray:
        """`n` resamples of the points' means, each from replicates drawn with replacement:
        per point, or (common random numbers) the same draw for every point, so that the
        resampled points keep sharing their seeds. Shape (n, points)."""
        rng = np.random.default_rng(seed)
        p, r = self.reps.shape
        pick = rng.integers(0, r, (n, 1, r) if self.common else (n, p, r))
        drawn = np.take_along_axis(self.reps[None, :, :], np.broadcast_to(pick, (n, p, r)), 2)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a draw of only missing values
            means = np.nanmean(drawn, axis=2)
        return np.where(np.isnan(means), self.y[None, :], means)  # a draw of only missing ones


@dataclass(frozen=True)
class Noise:
    replicates: int
    share: float | None  # of the variance of the points' means that is seed noise
    needed: int | None  # replicates that bring the share under NOISE_SHARE, if it is above


def responses(runs: pd.DataFrame, spec: Spec, outcome: str) -> Responses:
    """The outcome's replicates per design point, in design order (runs not made or failed,
    and values the run does not define, are NaN)."""
    reps = np.full((spec.point_count(), spec.replicates), np.nan)
    made = np.zeros(spec.point_count(), dtype=bool)
    made[runs["point"].to_numpy(int)] = True
    ok = runs[runs["status"] == "ok"]
    point = ok["point"].to_numpy(int)
    rep = ok["run_id"].to_numpy(int) - point * spec.replicates
    values = pd.to_numeric(ok[outcome], errors="coerce").to_numpy(float)
    reps[point, rep] = values
    return Responses(outcome, reps, spec.design.seeds == "common", made)


def complete_groups(y: np.ndarray, size: int) -> np.ndarray:
    """Which consecutive groups of `size` points (a Saltelli row group, a Morris trajectory)
    have a value at every point."""
    return ~np.isnan(y.reshape(-1, size)).any(axis=1)


def crossed(spec: Spec) -> list[tuple[dict, np.ndarray]]:
    """The design's points split by the crossed factors' levels: each level's points in design
    order (a whole design of its own; all the points when nothing is crossed)."""
    import itertools

    levels = [
        dict(zip(spec.design.cross, c, strict=True))
        for c in itertools.product(*(spec.levels(n) for n in spec.design.cross))
    ]
    step = len(levels)
    return [(lv, np.arange(i, spec.point_count(), step)) for i, lv in enumerate(levels)]
