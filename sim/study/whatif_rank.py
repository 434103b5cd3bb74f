"""Which differences of a what-if matter most, and why: the ranking behind the answer's first
screen.

A difference matters by its size against the spread of the outcome between seeds:

    importance = |B - A| / max(pooled SD, FLOOR * max(|A|, |B|))

with the pooled standard deviation sqrt((SD_A² + SD_B²) / 2) of the per-seed values of both
scenarios (Cohen's d; Cohen, *Statistical Power Analysis for the Behavioral Sciences*, 1988). The
floor (5% of the larger level) keeps a quantity the rules fix (no spread at all) from ranking
first whatever its size: it ranks by its relative change instead, so 60,000 -> 4,032 meeting
hours ranks high and 274.1 -> 274.5 EUR does not. Only the model's outcomes rank (the scorecard's
criteria are scores computed from them, so they would say the same thing twice), only those
with a clear verdict; the headline outcomes (commitment, free-riding, progress: what samenspel
is asked about) are always among them where they differ clearly; one that moved only through another
already named is left out (the same mechanism twice), and the top five hold the largest loss
where there is one, so that a trade-off is never hidden behind five gains.

The reason given for each is the model's mechanism as sim/study/explanation.py chains it: an
intermediate outcome that moved and fed it, or the rules that act on it directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.outcomes import HEADLINE
from sim.study.compare import COMPARED
from sim.study.explanation import mechanisms
from sim.study.stats import t_quantile
from sim.study.whatif import RuleDifference, WhatIf

FLOOR = 0.05
"""The smallest spread a difference is measured against, as a share of its larger level."""

TOP = 5
"""How many differences the answer names at most."""

CLEAR = ("better", "worse", "higher", "lower")
"""Verdicts that say the two differ."""


def _sides(w: WhatIf, key: str) -> tuple[pd.Series, pd.Series]:
    runs = w.comparison.runs
    b = runs.loc[runs["scenario"] == w.base.name, key].astype(float).dropna()
    a = runs.loc[runs["scenario"] == w.alternative.name, key].astype(float).dropna()
    return b, a


def importance(w: WhatIf) -> pd.DataFrame:
    """The outcomes' paired differences (the model's outcomes, not the criteria) with `pooled`
    (the pooled SD over seeds) and `importance` (the rule above), most important first."""
    res = w.outcomes[w.outcomes["outcome"].isin(COMPARED)].copy()
    pooled, score = [], []
    for _, r in res.iterrows():
        b, a = _sides(w, r["outcome"])
        sd = math.sqrt((_sd(b) ** 2 + _sd(a) ** 2) / 2)
        level = FLOOR * max(abs(r["base"]), abs(r["alternative"]))
        scale = max(sd, level)
        pooled.append(sd)
        score.append(abs(r["difference"]) / scale if scale > 0 else 0.0)
    res["pooled"], res["importance"] = pooled, score
    return res.sort_values("importance", ascending=False, kind="stable")


def _sd(x: pd.Series) -> float:
    return float(x.std(ddof=1)) if len(x) >= 2 else 0.0


def top(w: WhatIf, n: int = TOP) -> pd.DataFrame:
    """The `n` clear differences that matter most, most important first: the headline outcomes
    (commitment, free-riding, progress) that differ clearly are always among them, as what
    samenspel is asked about; then by importance, where one outcome that moved only through
    another already named is left out (it says the same mechanism twice); and the largest loss
    is among them where there is a loss at all (it replaces the last gain)."""
    ranked = importance(w)
    clear = ranked[ranked["verdict"].isin(CLEAR)]
    keep = [k for k in clear["outcome"] if k in HEADLINE]
    for key in clear["outcome"]:
        found = reason(w, key)
        if key in keep:
            continue
        if found is None or found.via is None or found.via["outcome"] not in keep:
            keep.append(key)
    clear = clear.set_index("outcome").loc[keep].reset_index()
    chosen = clear.head(n)
    worse = clear[clear["verdict"] == "worse"]
    if len(worse) and not (chosen["verdict"] == "worse").any():
        chosen = pd.concat([chosen.head(n - 1), worse.head(1)])
    return chosen.sort_values("importance", ascending=False, kind="stable")


def levels(w: WhatIf, key: str) -> dict[str, dict[str, float]]:
    """Each scenario's mean of `key` with its 95% t interval ("A" the base, "B" the
    alternative): over the plausible worlds' means where the seeds are spread over worlds,
    else over the seeds. A scenario whose every seed gives the same value has no interval."""
    runs = w.comparison.runs
    out = {}
    for role, name in (("A", w.base.name), ("B", w.alternative.name)):
        part = runs[runs["scenario"] == name]
        values = part[key].astype(float)
        if "world" in part.columns:
            values = values.groupby(part["world"]).mean()
        x = values.dropna().to_numpy(float)
        mean = float(x.mean()) if len(x) else math.nan
        spread = float(x.std(ddof=1)) if len(x) >= 2 else 0.0
        half = t_quantile(len(x)) * spread / math.sqrt(len(x)) if len(x) >= 2 else 0.0
        out[role] = {"mean": mean, "low": mean - half, "high": mean + half}
    return out


@dataclass(frozen=True)
class Reason:
    """Why an outcome moved, in the model: the intermediate outcome that moved and fed it
    (`via`, its paired difference row) and the rules of that channel that differ (`rules`);
    `via` is None where the rules act on the outcome itself."""

    rules: tuple[RuleDifference, ...]
    via: pd.Series | None


def reason(w: WhatIf, key: str) -> Reason | None:
    """The first mechanism (sim/study/explanation.CHANNELS order) through which `key` moved:
    its own channel, when the rules act on it, else a channel whose intermediate moved and fed
    it; None where no channel of the model explains it."""
    found = mechanisms(w)
    for m in found:
        if m.moved is not None and m.channel.via == key and m.rules:
            return Reason(m.rules, None)
    for m in found:
        fed = [r["outcome"] for r in m.fed]
        if m.moved is not None and key in fed:
            return Reason(m.rules, m.moved)
    return None


def fixed(w: WhatIf, key: str) -> bool:
    """Whether the rules fix `key` in both scenarios: every seed gives the same value."""
    b, a = _sides(w, key)
    return bool(len(b) and len(a) and np.ptp(b.to_numpy()) == 0 and np.ptp(a.to_numpy()) == 0)
