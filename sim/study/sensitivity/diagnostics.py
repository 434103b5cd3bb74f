"""When indices are not to be trusted, in facts a page can put into words: each a code, the
outcome it concerns, and the figures that show it (the words are in the catalogue, `analyze.warn`
in sim/data/i18n)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.study.sensitivity.replicates import NOISE_SHARE, Noise

FEW_BASE_SAMPLES = 256
"""Below this many base samples a Sobol design is called small (an ASSUMPTION, in line with
Saltelli et al. 2010, who advise N in the hundreds to thousands, and with the convergence the
page shows: the indices of the bundled designs still move between N/2 and N below it)."""

ST_SUM = 1.5
"""Total indices summing above this are called far above 1 (an ASSUMPTION: interactions can lift
the sum above 1, but much above it, with small S1, points at too few samples more often)."""

NEGLIGIBLE = 0.05
"""An index below this is called negligible in words, and an interval is only called wider
than an index above it (an ASSUMPTION, the usual screening threshold; Zhang et al. 2015)."""


@dataclass(frozen=True)
class Warning:
    code: str
    outcome: str
    fields: dict = field(default_factory=dict)


def of_sobol(outcome: str, first: pd.DataFrame, n: int, planned: int) -> list[Warning]:
    """Negative first-order indices beyond their interval, total indices summing far above 1,
    intervals wider than the index, too few base samples (or not a power of two)."""
    out = []
    below = first[first["S1"] + first["S1_conf"] < 0]
    if len(below):
        worst = below.loc[below["S1"].idxmin()]
        out.append(
            Warning(
                "negative_s1",
                outcome,
                {
                    "parameter": worst["parameter"],
                    "s1": worst["S1"],
                    "conf": worst["S1_conf"],
                    "count": len(below),
                },
            )
        )
    total = float(first["ST"].sum())
    if total > ST_SUM:
        out.append(Warning("st_sum", outcome, {"sum": total}))
    wide = first[(first["ST"] > NEGLIGIBLE) & (first["ST_conf"] > first["ST"])]
    if len(wide):
        out.append(Warning("wide", outcome, {"count": len(wide), "of": len(first)}))
    if n < planned:
        out.append(Warning("dropped", outcome, {"n": n, "planned": planned}))
    return out


def of_design(kind: str, n: int | None) -> list[Warning]:
    """What the design itself limits, whatever the outcome."""
    out = []
    if kind == "sobol" and n is not None and n < FEW_BASE_SAMPLES:
        out.append(Warning("few_base", "", {"n": n, "advised": FEW_BASE_SAMPLES}))
    if kind == "sobol" and n is not None and n & (n - 1):
        out.append(Warning("power_of_two", "", {"n": n}))
    return out


def of_noise(outcome: str, noise: Noise) -> list[Warning]:
    """Seed noise large against the design's spread, with the replicates it would need; one
    replicate, where seed noise cannot be told apart from the parameters' effects."""
    if noise.replicates < 2:
        return [Warning("one_replicate", outcome)]
    if noise.share is not None and noise.share > NOISE_SHARE and noise.needed is None:
        return [Warning("noise_only", outcome, {"share": noise.share})]
    if noise.share is not None and noise.share > NOISE_SHARE:
        return [
            Warning(
                "seed_noise",
                outcome,
                {
                    "share": noise.share,
                    "replicates": noise.replicates,
                    "needed": noise.needed,
                    "limit": NOISE_SHARE,
                },
            )
        ]
    return []
