"""Indices that need no special design, for a Latin hypercube's independent samples:
Borgonovo's moment-independent delta (Borgonovo 2007, "A new uncertainty importance measure"),
PAWN's distance between conditional and unconditional distributions (Pianosi & Wagener 2015,
"A simple and efficient method for global sensitivity analysis based on cumulative
distribution functions") and RBD-FAST's first-order index (Tarantola et al. 2006; Plischke
2010), all through SALib."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.study.experiment import Spec
from sim.study.sensitivity.replicates import Responses
from sim.study.sensitivity.sobol import RESAMPLES, salib_seed

PAWN_SLICES = 10
"""Conditioning slices per parameter (SALib's default; Pianosi & Wagener 2018 use 10)."""


RBD_HARMONICS = 10
"""RBD-FAST's harmonics (SALib's default, Tarantola et al. 2006)."""

RBD_MIN = 8 * RBD_HARMONICS
"""Fewer samples than this give no RBD-FAST index: its bias correction (Tissot & Prieur 2012)
needs the samples, and the half-samples of its bootstrap, well above twice the harmonics (an
ASSUMPTION: four times, in the half-samples)."""


def indices(
    resp: Responses, points: np.ndarray, spec: Spec, x: np.ndarray
) -> tuple[pd.DataFrame, int]:
    """delta (with its 95% interval), delta's first-order S1, PAWN's median KS distance (with a
    95% interval over resampled samples) and RBD-FAST's S1 (with its interval), per parameter,
    over the samples that have a value; and how many samples that is."""
    from SALib.analyze import rbd_fast

    y = resp.y[points]
    keep = ~np.isnan(y)
    xs, ys = x[points][keep], y[keep]
    if len(ys) < 2 * PAWN_SLICES:
        return pd.DataFrame(), len(ys)
    problem, seed = spec.problem(), salib_seed(spec.master_seed)
    d = _delta(problem, xs, ys, seed)
    nan = np.full(len(spec.sampled), np.nan)
    fast = {"S1": nan, "S1_conf": nan}  # too few samples: its bias correction divides by zero
    if len(ys) >= RBD_MIN:
        fast = rbd_fast.analyze(
            problem, xs, ys, M=RBD_HARMONICS, num_resamples=RESAMPLES, seed=seed
        )
    median, pawn_conf = _pawn(problem, xs, ys, seed)
    table = pd.DataFrame(
        {
            "parameter": spec.sampled,
            "delta": d["delta"],
            "delta_conf": d["delta_conf"],
            "delta_S1": d["S1"],
            "pawn_median": median,
            "pawn_conf": pawn_conf,
            "rbd_fast_S1": fast["S1"],
            "rbd_fast_S1_conf": fast["S1_conf"],
        }
    )
    return table, len(ys)


def _delta(problem: dict, x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    """SALib's delta, without the global side effects it has (it sets warnings' format and a
    global filter on every call, and seeds numpy's global generator)."""
    from SALib.analyze import delta

    formatting, state = warnings.formatwarning, np.random.get_state()
    try:
        with warnings.catch_warnings(record=True):  # recorded and dropped: its own filter
            si = delta.analyze(problem, x, y, num_resamples=RESAMPLES // 2, seed=seed, method="all")
    finally:
        warnings.formatwarning = formatting
        np.random.set_state(state)
    return {"delta": si["delta_raw"], "delta_conf": si["delta_raw_conf"], "S1": si["S1"]}


def _pawn(problem: dict, x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """PAWN's median KS distance and its 95% half-width (1.96 standard deviations over samples
    resampled with replacement; SALib gives no interval). The KS distance is biased upward under
    resampling, so a percentile interval would sit above the estimate: the spread is what is
    used, as SALib's own intervals are. Valid for independent samples only."""
    from SALib.analyze import pawn

    state = np.random.get_state()
    rng = np.random.default_rng(seed)
    try:
        median = np.asarray(pawn.analyze(problem, x, y, S=PAWN_SLICES, seed=seed)["median"])
        draws = []
        for _ in range(RESAMPLES // 4):  # 50: each draw is a whole analysis
            i = rng.integers(0, len(y), len(y))
            draws.append(pawn.analyze(problem, x[i], y[i], S=PAWN_SLICES, seed=seed)["median"])
    finally:
        np.random.set_state(state)
    return median, 1.96 * np.std(np.array(draws, dtype=float), axis=0, ddof=1)
