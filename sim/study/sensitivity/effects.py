"""Main effects for any design: the mean outcome (with its 95% Student t interval) against each
parameter, the others averaged over."""

from __future__ import annotations

import pandas as pd

from sim.study.experiment import Spec
from sim.study.finished import outcomes_of
from sim.study.stats import half_widths


def main_effects(runs: pd.DataFrame, spec: Spec, bins: int = 8) -> pd.DataFrame:
    """Mean outcome (with its 95% Student t interval) against each parameter, the others averaged
    over.

    Parameters with few distinct values are grouped by value; continuous ones in `bins` bins.
    """
    ok = runs[runs["status"] == "ok"]
    rows = []
    for name in spec.parameters:
        x = ok[name]
        if x.nunique() <= bins or not pd.api.types.is_numeric_dtype(x):
            groups = x
        else:
            groups = pd.cut(x, bins=bins).map(lambda iv: iv.mid).astype(float)
        for outcome in outcomes_of(runs, spec):
            g = ok.groupby(groups, observed=True)[outcome].agg(["mean", "std", "count"])
            g["half"] = half_widths(g["std"].to_numpy(), g["count"].to_numpy())
            for level, r in g.iterrows():
                half = r["half"]
                rows.append(
                    {
                        "parameter": name,
                        "value": level,
                        "outcome": outcome,
                        "mean": r["mean"],
                        "ci_low": r["mean"] - half,
                        "ci_high": r["mean"] + half,
                        "n": int(r["count"]),
                    }
                )
    return pd.DataFrame(rows)
