"""What a calibration's accepted set says: each parameter's accepted range, and which checks
constrain which parameters (docs/CALIBRATION.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.study.calibration.smc import Calibration, shortfall


def weighted_quantile(x: Sequence[float], w: Sequence[float], q: float) -> float:
    """The q-quantile of x under weights w (midpoint rule of the cumulative weights)."""
    xs, ws = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(xs, kind="stable")
    xs, ws = xs[order], ws[order] / ws.sum()
    cum = np.cumsum(ws) - ws / 2
    return float(np.interp(q, cum, xs))


def accepted_ranges(cal: Calibration) -> Any:
    """Per parameter: the prior, the default, the weighted 5%, 50% and 95% quantiles of the
    accepted set, and whether the 90% interval is narrower than `constrained_width` of the
    prior's width."""
    import pandas as pd

    spec, p = cal.spec, cal.particles
    rows = []
    for name in spec.names:
        prior = spec.parameters[name]
        q05, q50, q95 = (weighted_quantile(p[name], p["weight"], q) for q in (0.05, 0.5, 0.95))
        ratio = (q95 - q05) / (prior.high - prior.low)
        default = cal.defaults.get(name)
        rows.append(
            {
                "parameter": name,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "default": default,
                "q05": q05,
                "q50": q50,
                "q95": q95,
                "default_in_90": bool(default is not None and q05 <= default <= q95),
                "width_ratio": ratio,
                "constrained": bool(ratio < spec.constrained_width),
            }
        )
    return pd.DataFrame(rows)


def _rank(x: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.Series(x).rank(method="average").to_numpy()


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Spearman's rho over the pairs where both are numbers (an infinite t ranks as the
    largest), and how many pairs that is."""
    keep = ~np.isnan(x) & ~np.isnan(y)
    rho = math.nan
    if keep.sum() >= 3:
        rx, ry = _rank(x[keep]), _rank(y[keep])
        if rx.std() > 0 and ry.std() > 0:
            rho = float(np.corrcoef(rx, ry)[0, 1])
    return rho, int(keep.sum())


def constraints(cal: Calibration) -> Any:
    """Spearman's rho between each parameter and each check's t over every evaluated point
    (points where the check gave no statistic are left out). A check constrains a parameter
    when |rho| >= rho_threshold, rho is beyond chance (|rho| sqrt(n - 1) >= rho_z) and the
    check falls short of z_target at some evaluated point (`share_short` > 0): a check that
    holds everywhere adds nothing to any distance and so cannot constrain anything."""
    import pandas as pd

    ev, spec = cal.evaluations, cal.spec
    rows = []
    for name in spec.names:
        for key in cal.keys:
            x, y = ev[name].to_numpy(float), ev[f"t_{key}"].to_numpy(float)
            rho, m = _spearman(x, y)
            z = rho * math.sqrt(m - 1) if m > 1 else math.nan
            target = cal.z_targets.get(key, spec.z_target)
            short = float(np.mean([shortfall(t, target) > 0 for t in y]))
            strong = not math.isnan(rho) and abs(rho) >= spec.rho_threshold
            rows.append(
                {
                    "parameter": name,
                    "check": key,
                    "rho": rho,
                    "n": m,
                    "z": z,
                    "share_short": short,
                    "constrains": bool(short > 0 and strong and abs(z) >= spec.rho_z),
                }
            )
    return pd.DataFrame(rows)


def generations_table(cal: Calibration) -> Any:
    """One row per generation: its number, epsilon, points evaluated and accepted, seconds."""
    import pandas as pd

    return pd.DataFrame([vars(g) for g in cal.generations])
