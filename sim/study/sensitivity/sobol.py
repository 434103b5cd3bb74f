"""Sobol' indices of a Saltelli design: first order (S1), total (ST) and, when the design
sampled them, second order (S2), each with SALib's 95% interval over the base samples and, with
replicates, a 95% interval over the seeds (Saltelli et al. 2010, "Variance based sensitivity
analysis of model output"; SALib, Herman & Usher 2017)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.study.experiment import Spec
from sim.study.sensitivity.replicates import Responses, complete_groups

RESAMPLES = 200
"""SALib's bootstrap over base samples (its default is 100; 200 steadies the 95% intervals)."""


def salib_seed(master_seed: int) -> int:
    """A seed SALib honours: its Sobol, delta and PAWN analyses take 0 as "no seed" and draw
    from numpy's global generator, so the master seed is mapped to a positive number."""
    return int(np.random.SeedSequence(master_seed).generate_state(1)[0]) or 1


def group_size(spec: Spec) -> int:
    """Rows per base sample: A, AB_1..AB_D, (BA_1..BA_D,) B."""
    d = len(spec.sampled)
    return 2 * d + 2 if spec.design.second_order else d + 2


def indices(
    resp: Responses, points: np.ndarray, spec: Spec
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(S1 and ST per parameter, S2 per pair, base samples used) for one outcome over one
    level's points; base samples with a missing point are dropped (the estimator needs each
    row group whole)."""
    from SALib.analyze import sobol

    size, names = group_size(spec), spec.sampled
    y = resp.y[points]
    keep = complete_groups(y, size)
    n = int(keep.sum())
    if n < 2:
        return pd.DataFrame(), pd.DataFrame(), n
    yk = y.reshape(-1, size)[keep].ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a constant outcome: said elsewhere
        si = sobol.analyze(
            spec.problem(),
            yk,
            calc_second_order=spec.design.second_order,
            num_resamples=RESAMPLES,
            seed=salib_seed(spec.master_seed),
        )
    first = pd.DataFrame(
        {k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(names, name="parameter"),
    ).reset_index()
    if resp.reps.shape[1] > 1:
        s1_seeds, st_seeds = over_seeds(resp, points, keep, spec)
        first = first.assign(S1_seeds_conf=s1_seeds, ST_seeds_conf=st_seeds)
    return first, _second(si, names) if spec.design.second_order else pd.DataFrame(), n


def _second(si: dict, names: list[str]) -> pd.DataFrame:
    rows = [
        {"parameter": a, "parameter_2": b, "S2": si["S2"][i, j], "S2_conf": si["S2_conf"][i, j]}
        for i, a in enumerate(names)
        for j, b in enumerate(names)
        if j > i
    ]
    return pd.DataFrame(rows)


def point_estimates(y: np.ndarray, d: int, second_order: bool) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST of Saltelli rows `y` (whole row groups), SALib's estimators without their
    bootstrap: several rows of `y` at once (shape (k, rows))."""
    from SALib.analyze.sobol import first_order, total_order

    size = 2 * d + 2 if second_order else d + 2
    g = y.reshape(y.shape[0], -1, size)
    a, b = g[:, :, 0], g[:, :, size - 1]
    mean = g.mean(axis=(1, 2), keepdims=True)[..., 0]
    sd = g.std(axis=(1, 2), keepdims=True)[..., 0]
    a, b = (a - mean) / sd, (b - mean) / sd  # as SALib standardises Y before estimating
    s1 = np.empty((y.shape[0], d))
    st = np.empty((y.shape[0], d))
    for k in range(d):
        ab = (g[:, :, 1 + k] - mean) / sd
        s1[:, k] = [first_order(a[i], ab[i], b[i]) for i in range(y.shape[0])]
        st[:, k] = [total_order(a[i], ab[i], b[i]) for i in range(y.shape[0])]
    return s1, st


def over_seeds(
    resp: Responses, points: np.ndarray, keep: np.ndarray, spec: Spec
) -> tuple[np.ndarray, np.ndarray]:
    """The 95% half-widths of S1 and ST over resamples of the replicates (1.96 standard
    deviations, read as SALib's `_conf`): how much the indices move with the seeds alone."""
    size = group_size(spec)
    draws = resp.resamples(salib_seed(spec.master_seed + 1))[:, points]
    draws = draws.reshape(draws.shape[0], -1, size)[:, keep].reshape(draws.shape[0], -1)
    with np.errstate(all="ignore"):
        s1, st = point_estimates(draws, len(spec.sampled), spec.design.second_order)
    return 1.96 * np.nanstd(s1, axis=0, ddof=1), 1.96 * np.nanstd(st, axis=0, ddof=1)


def convergence(resp: Responses, points: np.ndarray, spec: Spec) -> pd.DataFrame:
    """S1 and ST on the first n base samples, n doubling up to all of them (as Sarrazin et al.
    2016 check convergence): an index still moving at the full N is not yet settled."""
    size, d = group_size(spec), len(spec.sampled)
    y = resp.y[points]
    keep = complete_groups(y, size)
    groups = y.reshape(-1, size)[keep]
    total = len(groups)
    sizes = sorted({total, *(2**k for k in range(3, 30) if 2**k < total)})
    rows = []
    for n in sizes:
        with np.errstate(all="ignore"):
            s1, st = point_estimates(groups[:n].reshape(1, -1), d, spec.design.second_order)
        for k, name in enumerate(spec.sampled):
            rows.append({"parameter": name, "n": n, "S1": s1[0, k], "ST": st[0, k]})
    return pd.DataFrame(rows)
