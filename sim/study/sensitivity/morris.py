"""Morris's elementary effects of a trajectory design: mu, mu* (the mean absolute effect, with
SALib's 95% interval) and sigma (their spread: interaction or non-linearity) (Morris 1991,
"Factorial sampling plans for preliminary computational experiments"; Campolongo et al. 2007,
"An effective screening design for sensitivity analysis of large models")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.study.experiment import Spec
from sim.study.sensitivity.replicates import Responses, complete_groups
from sim.study.sensitivity.sobol import RESAMPLES


def design_x(spec: Spec) -> np.ndarray:
    """The trajectories' rows over the sampled parameters (a factor as its u in [0, 1])."""
    return np.array(list(spec.iter_rows()), dtype=float)


def indices(
    resp: Responses, points: np.ndarray, spec: Spec, x: np.ndarray
) -> tuple[pd.DataFrame, int]:
    """(mu, mu*, sigma and mu*'s interval per parameter, trajectories used); a trajectory with
    a missing point is dropped whole."""
    from SALib.analyze import morris

    size = len(spec.sampled) + 1
    y = resp.y[points]
    keep = complete_groups(y, size)
    n = int(keep.sum())
    if n < 2:
        return pd.DataFrame(), n
    rows = np.repeat(keep, size)
    si = morris.analyze(
        spec.problem(),
        x[points][rows],
        y[rows],
        num_levels=spec.design.levels,
        num_resamples=RESAMPLES,
        seed=spec.master_seed,
    )
    keys = ("mu", "mu_star", "sigma", "mu_star_conf")
    return pd.DataFrame({"parameter": spec.sampled, **{k: np.asarray(si[k]) for k in keys}}), n
