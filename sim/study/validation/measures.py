"""What a check finds, and the measures that find it: a :class:`Statistic` from the runs.

A measure reads the runs of a check's set-ups, by role ("a" and "b" for a comparison, "x" for a
single set-up), and returns a Statistic: the effect, its 95% interval, and whether the claim
holds. The intervals are Student t intervals from sim/study/stats.py; where only one seed gives
a number, a check shows its estimate as its interval (an every-seed claim on one seed), as it
always has, and its t is infinite in the claimed direction when the seeds agree exactly.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.study.stats import mean_interval, t_quantile
from sim.study.validation.runs import Record, Runs

T_MIN = 3.0  # |t| > 3: a one-in-a-thousand fluke at most, so a real failure, not noise


@dataclass(frozen=True)
class Statistic:
    """What a check found: the effect with its 95% interval, and whether the claim holds."""

    estimate: float  # the effect (e.g. mean paired difference)
    ci_low: float  # 95% interval (Student t)
    ci_high: float
    n: int  # pairs / seeds used
    t: float  # signed toward the target: positive = in the claimed direction
    passed: bool


Measure = Callable[[Runs], Statistic]
Reader = Callable[[Record], float]


def interval(values: Sequence[float]) -> tuple[float, float, float, float]:
    """Mean, standard error and 95% interval (sim/study/stats.py); where there is one value,
    the interval is that value (a check on one seed shows its estimate, not n/a)."""
    mean, se, lo, hi = mean_interval(values)
    if len(values) == 1:
        lo = hi = mean
    return mean, se, lo, hi


def signed_t(value: float, se: float, direction: int) -> float:
    """(value / se) signed toward the claim; infinite where the seeds agree exactly."""
    v = value * direction
    if math.isnan(v):
        return math.nan
    if not se > 0:  # se is 0 or n/a
        return math.inf if v > 0 else -math.inf if v < 0 else 0.0
    return v / se


def differences_stat(d: Sequence[float], direction: int, every_seed: bool = False) -> Statistic:
    """Per-seed differences `d` (NaN where a seed has no pair): their mean with a 95% interval.

    The claim holds when the t statistic toward `direction` exceeds T_MIN, or, for a claim
    about every seed, when every difference lies in `direction`.
    """
    d = [x for x in d if not math.isnan(x)]
    mean, se, lo, hi = interval(d)
    t = signed_t(mean, se, direction)
    passed = bool(d) and all(x * direction > 0 for x in d) if every_seed else t > T_MIN
    return Statistic(mean, lo, hi, len(d), t, bool(passed))


def pooled_ratio_stat(
    a: Sequence[tuple[float, float]],
    b: Sequence[tuple[float, float]],
    direction: int,
    margin: float,
) -> Statistic:
    """Pooled b-ratio minus pooled a-ratio (sum of numerators / sum of denominators, over
    seeds); its interval by linearisation over seeds (paired). The claim holds when the
    difference lies beyond `margin` in `direction`; t is the distance beyond the margin in
    standard errors."""
    na, da = (sum(x[0] for x in a), sum(x[1] for x in a))
    nb, db = (sum(x[0] for x in b), sum(x[1] for x in b))
    n = len(a)
    if da <= 0 or db <= 0:
        return Statistic(math.nan, math.nan, math.nan, n, math.nan, False)
    ra, rb = na / da, nb / db
    est = rb - ra
    z = [
        (pb - rb * qb) / (db / n) - (pa - ra * qa) / (da / n)
        for (pa, qa), (pb, qb) in zip(a, b, strict=True)
    ]
    se = mean_interval(z)[1]
    half = t_quantile(n) * se if n > 1 else 0.0
    t = signed_t(est - direction * margin, se, direction)
    return Statistic(est, est - half, est + half, n, t, bool(direction * est > margin))


# --- measures of runs by role --------------------------------------------------------------------


def paired(a: Reader, b: Reader, direction: int) -> Measure:
    """b(role "b") - a(role "a"), seed by seed (one role "x" serves both where there is one)."""

    def measure(runs: Runs) -> Statistic:
        ra, rb = runs["a" if "a" in runs else "x"], runs["b" if "b" in runs else "x"]
        return differences_stat([b(y) - a(x) for x, y in zip(ra, rb, strict=True)], direction)

    return measure


def of_pairs(reader: Callable[[Record, Record], float], direction: int) -> Measure:
    """`reader` of each seed's two runs (role "a", role "b"), toward `direction`: for an effect
    that needs both runs at once (e.g. a gap between them that opens and closes)."""

    def measure(runs: Runs) -> Statistic:
        pairs = zip(runs["a"], runs["b"], strict=True)
        return differences_stat([reader(a, b) for a, b in pairs], direction)

    return measure


def same(reader: Reader, direction: int) -> Measure:
    """`reader` of role "b" minus the same of role "a" (or of "x" for both), paired by seed."""
    return paired(reader, reader, direction)


def every_seed(reader: Reader, direction: int) -> Measure:
    """`reader` of role "b" minus of role "a": the claim must hold in every seed."""

    def measure(runs: Runs) -> Statistic:
        d = [reader(b) - reader(a) for a, b in zip(runs["a"], runs["b"], strict=True)]
        return differences_stat(d, direction, every_seed=True)

    return measure


def share_kept(reader: Reader, floor: float) -> Measure:
    """`reader` of role "b" as a share of the same of role "a", seed by seed: the claim holds
    when the share exceeds `floor` in every seed (a seed where role "a" has nothing to keep
    gives NaN, and fails)."""

    def measure(runs: Runs) -> Statistic:
        shares = [
            reader(b) / reader(a) if reader(a) > 0 else math.nan
            for a, b in zip(runs["a"], runs["b"], strict=True)
        ]
        mean, se, lo, hi = interval(shares)
        passed = bool(shares) and all(x > floor for x in shares)
        return Statistic(mean, lo, hi, len(shares), signed_t(mean - floor, se, 1), passed)

    return measure


def each(reader: Reader, direction: int) -> Measure:
    """`reader` of each run of role "x": its mean toward `direction`."""
    return lambda runs: differences_stat([reader(r) for r in runs["x"]], direction)


def pooled(money: Callable[[Record], tuple[float, float]], direction: int, margin: float):
    """Pooled paid / due of role "b" minus of role "a" (`money`: a run's paid and due)."""

    def measure(runs: Runs) -> Statistic:
        return pooled_ratio_stat(
            [money(r) for r in runs["a"]], [money(r) for r in runs["b"]], direction, margin
        )

    return measure


# --- what a measure reads of a run ---------------------------------------------------------------


def summary(key: str) -> Reader:
    """An outcome of the run's summary."""
    return lambda r: float(r["summary"][key])


def window_commitment(r: Record, window: slice) -> float:
    """Paid / due over the months in `window` (NaN where nothing fell due)."""
    due = float(r["series"]["due"][window].sum())
    return float(r["series"]["paid"][window].sum()) / due if due > 0 else math.nan


def withheld(window: slice) -> Reader:
    """The share of the money due in `window` that was withheld."""
    return lambda r: 1 - window_commitment(r, window)


def others(column: str) -> Reader:
    """The mean of a municipality column over the municipalities other than the centre."""
    return lambda r: statistics.fmean(
        float(m[column]) for m in r["municipalities"] if m["municipality"] != r["centre"]
    )


def among(names: Sequence[str], column: str) -> Reader:
    """The mean of a municipality column over the municipalities `names`."""
    return lambda r: statistics.fmean(
        float(m[column]) for m in r["municipalities"] if m["municipality"] in names
    )


def municipality_money(name: str) -> Callable[[Record], tuple[float, float]]:
    """What municipality `name` paid and what it owed over the run."""

    def money(r: Record) -> tuple[float, float]:
        row = next(m for m in r["municipalities"] if m["municipality"] == name)
        return float(row["paid"]), float(row["due"])

    return money


def theme_money(theme: str) -> Callable[[Record], tuple[float, float]]:
    """What was paid and what was due for `theme` over the run."""
    return lambda r: (float(r["theme_paid"][theme]), float(r["theme_due"][theme]))
