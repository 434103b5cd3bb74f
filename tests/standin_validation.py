"""A stand-in for `sim.study.validation` with its interface, for the calibration tests only.

Passed as `checks` to sim.study.calibration's `load_calibration` and `calibrate`, so that the
calibration's machinery is tested in seconds. Two kinds of check: toys whose t is a formula of
the overrides (no model runs; they test the calibration's machinery) and two checks that run the
model as the pattern tests do (paired over seeds), so the smoke calibration runs real
simulations.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Overrides = Mapping[str, object]


@dataclass(frozen=True)
class Statistic:
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    t: float
    passed: bool


@dataclass(frozen=True)
class Check:
    key: str
    pattern: int | None
    claim_en: str
    claim_nl: str
    statistic_en: str
    statistic_nl: str
    target: str
    seeds: int
    evaluate: Callable[[Overrides, Sequence[int]], Statistic]


def _stat(diffs: list[float]) -> Statistic:
    d = [x for x in diffs if not math.isnan(x)]
    if len(d) < 2:
        return Statistic(math.nan, math.nan, math.nan, len(d), math.nan, False)
    mean = statistics.fmean(d)
    se = statistics.stdev(d) / math.sqrt(len(d)) if len(d) > 1 else math.inf
    t = mean / se if se > 0 else (math.inf if mean > 0 else -math.inf if mean < 0 else 0.0)
    return Statistic(mean, mean - 1.96 * se, mean + 1.96 * se, len(d), t, t > 3)


def _toy(formula: Callable[[Overrides], float]) -> Callable[[Overrides, Sequence[int]], Statistic]:
    def evaluate(overrides: Overrides, seeds: Sequence[int]) -> Statistic:
        t = formula(overrides)
        return Statistic(t, t - 1, t + 1, len(seeds), t, t > 3)

    return evaluate


def _runs(overrides: Overrides, seeds: Sequence[int], arrangement: str = "multiple-local") -> list:
    from sim.model.config import scenario_from_dict
    from sim.model.model import RegionModel
    from sim.study.experiment import apply
    from tests.setups import variant

    base = variant(arrangement).model_dump(mode="json")
    scenario = scenario_from_dict(apply(base, dict(overrides)))
    return [RegionModel(scenario, seed=s).run() for s in seeds]


def _network_commits_more(overrides: Overrides, seeds: Sequence[int]) -> Statistic:
    ml = [m.recorder.summary()["commitment"] for m in _runs(overrides, seeds)]
    net = [m.recorder.summary()["commitment"] for m in _runs(overrides, seeds, "network")]
    return _stat([b - a for a, b in zip(ml, net, strict=True)])


def _commitment_decays(overrides: Overrides, seeds: Sequence[int]) -> Statistic:
    diffs = []
    for m in _runs(overrides, seeds):
        c = m.recorder.columns
        due1, due2 = sum(c["due"][:36]), sum(c["due"][-36:])
        if due1 > 0 and due2 > 0:
            diffs.append(sum(c["paid"][:36]) / due1 - sum(c["paid"][-36:]) / due2)
    return _stat(diffs)


def _make(key: str, pattern: int | None, fn) -> Check:
    return Check(key, pattern, key, key, "t", "t", "t > 3", 20, fn)


CHECKS: tuple[Check, ...] = (
    _make("commitment_decays", 1, _commitment_decays),
    _make("network_commits_more", 6, _network_commits_more),
    # t rises with trust_loss only: holds (t >= 3) from trust_loss 0.4 up
    _make("toy_trust_loss", 101, _toy(lambda o: 10 * float(o["behaviour.trust_loss"]) - 1)),
    _make("toy_always", 102, _toy(lambda o: 5.0)),
    _make("toy_unpatterned", None, _toy(lambda o: 0.0)),
)


def check(key: str) -> Check:
    for c in CHECKS:
        if c.key == key:
            return c
    raise KeyError(key)


def evaluate_all(overrides=None, *, keys=None, seeds=None, workers=None, progress=False):
    chosen = [check(k) for k in keys] if keys else list(CHECKS)
    return [(c, c.evaluate(overrides or {}, seeds or range(c.seeds))) for c in chosen]


def workload(overrides=None, keys=None, seeds=None) -> list:
    """The model runs the checks make (sim.study.validation.workload): the two real checks'
    set-ups."""
    from tests.setups import variant

    chosen = {c.key for c in ([check(k) for k in keys] if keys else CHECKS)}
    n = seeds or 20
    arrangements = {"commitment_decays": ["multiple-local"]}
    arrangements["network_commits_more"] = ["multiple-local", "network"]
    wanted = {a for key in chosen for a in arrangements.get(key, [])}
    return [(variant(a), n) for a in sorted(wanted)]
