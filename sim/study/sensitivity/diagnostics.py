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

FEW_SAMPLES = 200
"""Below this many samples the given-data indices (delta's density estimates, PAWN's slices) are
called few (an ASSUMPTION; Pianosi & Wagener 2018 and Plischke et al. 2013 work with hundreds to
thousands)."""

NEGLIGIBLE = 0.05
"""An index below this is called negligible in words, and an interval is only called wider
than an index above it (an ASSUMPTION, the usual screening threshold; Zhang et al. 2015)."""


@dataclass(frozen=True)
class Warning:
    code: str
    outcome: str
    fields: dict = field(default_factory=dict)


def of_sobol(outcome: str, first: pd.DataFrame, second: pd.DataFrame) -> list[Warning]:
    """Negative first-order indices beyond their interval, a first-order index above the total
    beyond both intervals, total indices summing far above 1, intervals wider than an index that
    matters (S1, ST or S2 above NEGLIGIBLE)."""
    out = []
    below = first[first["S1"] + first["S1_conf"] < 0]
    if len(below):
        worst = below.loc[below["S1"].idxmin()]
        fields = {"parameter": worst["parameter"], "s1": worst["S1"], "conf": worst["S1_conf"]}
        out.append(Warning("negative_s1", outcome, {**fields, "count": len(below)}))
    above = first[first["S1"] - first["S1_conf"] > first["ST"] + first["ST_conf"]]
    if len(above):
        out.append(Warning("s1_above_st", outcome, {"parameter": above.iloc[0]["parameter"]}))
    total = float(first["ST"].sum())
    if total > ST_SUM:
        out.append(Warning("st_sum", outcome, {"sum": total}))
    pairs = [(first, "S1"), (first, "ST")] + ([(second, "S2")] if len(second) else [])
    return out + wide(outcome, pairs)


def wide(outcome: str, pairs: list[tuple[pd.DataFrame, str]]) -> list[Warning]:
    """Indices that matter (above NEGLIGIBLE) whose 95% interval is wider than the index."""
    count = total = 0
    for table, key in pairs:
        matter = table[table[key] > NEGLIGIBLE]
        count += int((matter[f"{key}_conf"] > matter[key]).sum())
        total += len(matter)
    return [Warning("wide", outcome, {"count": count, "of": total})] if count else []


def of_given(outcome: str, table: pd.DataFrame, n: int) -> list[Warning]:
    """Few samples for the given-data methods, RBD-FAST left out, intervals wider than the
    index."""
    out = []
    if n < FEW_SAMPLES:
        out.append(Warning("few_samples", outcome, {"n": n, "advised": FEW_SAMPLES}))
    if table["rbd_fast_S1"].isna().all():
        out.append(Warning("no_rbd_fast", outcome, {"n": n}))
    renamed = table.rename(columns={"pawn_median": "pawn", "rbd_fast_S1": "rbd"})
    renamed = renamed.rename(columns={"rbd_fast_S1_conf": "rbd_conf"})
    return out + wide(outcome, [(renamed, "delta"), (renamed, "pawn"), (renamed, "rbd")])


def of_groups(outcome: str, used: int, made: int, planned: int, kind: str) -> list[Warning]:
    """What an unfinished sweep has not made yet, and what missing values took away."""
    out = []
    if made < planned:
        out.append(Warning("unfinished", outcome, {"n": made, "planned": planned, "kind": kind}))
    if used < made:
        out.append(Warning("dropped", outcome, {"n": used, "planned": made, "kind": kind}))
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
