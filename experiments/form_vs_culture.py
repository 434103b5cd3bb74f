"""Form against culture: how much of the spread of commitment, free-riding and progress is the
arrangement, how much the culture, how much their interplay and how much chance.

A full factorial: the five pure arrangements (every theme under one, no transition) x three
cultures (the low and high ends of the culture levers' ranges, sim/study/validation/culture.py,
and the default: the Drechtsteden culture the sources describe) x many seeds. Shares of the
total variance from the cell means of the balanced design (main effects Var(E[Y|factor]) /
Var(Y), the interaction as what the cells add beyond them, seeds the rest), with 95% bootstrap
intervals over seeds. Pattern 8 (docs/ODD.md) in numbers; docs/CALIBRATION.md quotes its output.

    .venv/bin/python experiments/form_vs_culture.py [--seeds 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from sim import RegionModel
from sim.study.validation.culture import HIGH_CULTURE, LOW_CULTURE
from sim.study.validation.setups import PURE

CULTURES = {"low": LOW_CULTURE, "default": {}, "high": HIGH_CULTURE}
OUTCOMES = ("commitment", "free_riding", "progress")
FACTORS = ("arrangement", "culture")


def one(cell: tuple[str, str, int]) -> dict:
    arrangement, culture, seed = cell
    levers = {k.split(".")[-1]: v for k, v in CULTURES[culture].items()}
    s = RegionModel(arrangement, seed=seed, **levers).run().recorder.summary()
    return {"arrangement": arrangement, "culture": culture, "seed": seed}, {
        k: s[k] for k in OUTCOMES
    }


def shares(df: pd.DataFrame, y: str) -> dict[str, float]:
    """Main-effect shares, the interaction and the seeds' share of the variance of `y`."""
    total, grand = df[y].var(ddof=0), df[y].mean()
    out = {f: ((df.groupby(f)[y].transform("mean") - grand) ** 2).mean() / total for f in FACTORS}
    cells = df.groupby(list(FACTORS))[y].transform("mean")
    out["interaction"] = ((cells - grand) ** 2).mean() / total - sum(out.values())
    out["seeds"] = 1 - sum(out.values())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--boot", type=int, default=200)
    a = ap.parse_args()
    cells = list(itertools.product(PURE, CULTURES, range(a.seeds)))
    with ProcessPoolExecutor(a.workers) as ex:
        df = pd.DataFrame([{**k, **v} for k, v in ex.map(one, cells, chunksize=10)])
    rng = np.random.default_rng(0)
    groups = [g for _, g in df.groupby(list(FACTORS))]
    print(f"{len(df)} runs: {len(PURE)} arrangements x {len(CULTURES)} cultures x {a.seeds} seeds")
    for y in OUTCOMES:
        est = shares(df, y)
        boot = []
        for _ in range(a.boot):
            pick = pd.concat([g.iloc[rng.integers(0, len(g), len(g))] for g in groups])
            boot.append(shares(pick, y))
        line = ", ".join(
            f"{k} {100 * v:.1f}% [{100 * np.percentile([b[k] for b in boot], 2.5):.1f}, "
            f"{100 * np.percentile([b[k] for b in boot], 97.5):.1f}]"
            for k, v in est.items()
        )
        print(f"{y}: {line}")
    print(df.groupby(list(FACTORS))[list(OUTCOMES)].mean().round(3).to_string())


if __name__ == "__main__":
    main()
