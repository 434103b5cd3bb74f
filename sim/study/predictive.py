"""Posterior predictive checks: every check of sim/study/validation evaluated in each of a set
of plausible worlds (sim/study/worlds.py), so that a claim of the ODD or of the README is called
robust only when it holds in at least ROBUST of the worlds, and otherwise said to depend on
behaviour.

A world's parameters are applied like `samenspel validate --set`, under the overrides a person
gives (a value set by hand wins over the world's). Each world runs every check on the same seeds
(its own, or `seeds`), so worlds differ only in behaviour. The runs of one world are forgotten
before the next starts (they are never shared between worlds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from sim.study.worlds import ROBUST, Worlds


def across_worlds(
    worlds: Worlds,
    overrides: dict[str, object] | None = None,
    keys: Sequence[str] | None = None,
    seeds: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One row per world and check: the world, its particle, the check, its estimate, t,
    whether it passed, and whether the check is a known gap."""
    from sim.study import validation

    rows = []
    for w, (particle, world) in enumerate(zip(worlds.particles, worlds.overrides, strict=True)):
        given = {**world, **dict(overrides or {})}
        results = validation.evaluate_all(given, keys=keys, seeds=seeds, workers=workers)
        validation.clear_cache()
        for c, s in results:
            rows.append(
                {
                    "world": w,
                    "particle": particle,
                    "check": c.key,
                    "pattern": c.pattern,
                    "estimate": s.estimate,
                    "t": s.t,
                    "passed": bool(s.passed),
                    "gap": bool(c.gap),
                }
            )
        if progress is not None:
            progress(1)
    return pd.DataFrame(rows)


def robustness(per_world: pd.DataFrame) -> pd.DataFrame:
    """Per check: in how many worlds it passed, that share, and the verdict: "holds" (in at
    least ROBUST of them), "fails" (in at least ROBUST of them) or "depends" (on behaviour)."""
    out = (
        per_world.groupby("check", sort=False)
        .agg(
            pattern=("pattern", "first"),
            gap=("gap", "first"),
            worlds=("passed", "size"),
            passed=("passed", "sum"),
        )
        .reset_index()
    )
    out["share"] = out["passed"] / out["worlds"]
    out["verdict"] = [
        "holds" if p >= ROBUST else "fails" if p <= 1 - ROBUST else "depends" for p in out["share"]
    ]
    return out
