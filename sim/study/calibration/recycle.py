"""Every evaluated point recycled into the posterior: deterministic-mixture importance weights
(adaptive multiple importance sampling, Cornuet, Marin, Mira & Robert 2012; the balance
heuristic of Veach & Guibas 1995).

Why: with twenty parameters the ABC-SMC's own importance weights of its last generation
(prior over the previous population's kernel density) degenerate: in the project's calibration
they spanned twenty orders of magnitude and one particle carried 80% of the weight (effective
sample size 1.5). Every point the sampler evaluated was drawn from a known distribution: the
prior (generation 0) or the kernel mixture around the previous generation (generation g). Seen
together, all points come from the mixture of those proposals, weighted by how many each drew,
and a point's weight is

    prior density / sum over generations of (points drawn in g / all points) x proposal_g density

Because the prior is one of the proposals, no weight exceeds (all points / generation 0's
points) times the prior's own: the weights stay bounded. The posterior at the final tolerance
is every evaluated point within it, with these weights. Everything is computed from the
evaluations table, in logit space where the sampler moved (sim/study/calibration/smc.py), so it
is as reproducible as the run.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from sim.study.calibration.smc import (
    Calibration,
    _Accepted,
    _weighed,
    log_prior,
    logit,
)


def unit_cube(cal: Calibration, frame: pd.DataFrame) -> np.ndarray:
    """The points of `frame` in the unit cube of the priors."""
    spec = cal.spec
    low = np.array([spec.parameters[n].low for n in spec.names])
    width = np.array([spec.parameters[n].high for n in spec.names]) - low
    return (frame[spec.names].to_numpy(float) - low) / width


def _log_normal(x: np.ndarray, centres: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """log N(x | centre, L L^T) with its constant, rows x (points) by columns (centres)."""
    d = x.shape[1]
    diff = x[:, None, :] - centres[None, :, :]
    z = np.linalg.solve(chol, diff.reshape(-1, d).T).T
    quad = (z**2).sum(axis=1).reshape(diff.shape[:2])
    return -0.5 * quad - np.log(np.diag(chol)).sum() - 0.5 * d * math.log(2 * math.pi)


def proposal_log_densities(cal: Calibration) -> np.ndarray:
    """log density (in logit space) of every evaluated point under each generation's proposal:
    points x generations."""
    ev = cal.evaluations
    z_all = logit(unit_cube(cal, ev))
    columns = [log_prior(unit_cube(cal, ev))]  # generation 0 drew from the prior
    previous = None
    for g in sorted(ev["generation"].unique()):
        kept = ev[(ev["generation"] == g) & ev["accepted"].astype(bool)]
        acc = _Accepted(u=list(unit_cube(cal, kept)), d=list(kept["distance"]))
        population = _weighed(acc, previous)
        if g + 1 in set(ev["generation"]):
            log_k = _log_normal(z_all, population.z, population.chol)
            columns.append(logsumexp(log_k + np.log(population.w)[None, :], axis=1))
        previous = population
    return np.column_stack(columns)


def recycled(cal: Calibration) -> pd.DataFrame:
    """Every evaluated point within the final tolerance, with its deterministic-mixture weight
    (`weight`, normalised) and the generation that drew it."""
    ev = cal.evaluations
    counts = ev.groupby("generation").size().reindex(sorted(ev["generation"].unique()))
    shares = np.log(counts.to_numpy(float) / counts.sum())
    log_mix = logsumexp(proposal_log_densities(cal) + shares[None, :], axis=1)
    log_w = log_prior(unit_cube(cal, ev)) - log_mix
    epsilon = cal.generations[-1].epsilon if cal.generations else math.inf
    keep = (ev["distance"] <= epsilon).to_numpy()
    w = np.exp(log_w[keep] - log_w[keep].max())
    out = ev.loc[keep].drop(columns=["accepted", "candidate"]).reset_index(drop=True)
    out.insert(1, "particle", range(len(out)))
    out["weight"] = w / w.sum()
    return out


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights: 1 / sum w^2."""
    w = np.asarray(weights, float)
    w = w / w.sum()
    return float(1.0 / np.sum(w**2))
