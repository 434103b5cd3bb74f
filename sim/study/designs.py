"""Latin hypercube, Sobol (Saltelli) and Morris designs, made a chunk at a time, so that a
design of millions of points is never held whole (sim/study/experiment.py turns the rows into
points)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.study.experiment import Design

# -----------------------------------------------------------

CHUNK = 4096
"""Base samples (Sobol), trajectories (Morris) or points made at a time: a power of two, so
that scipy's Sobol' engine keeps its balance properties from chunk to chunk."""


def design_chunks(
    design: Design, problem: dict, seed: int, chunk: int = CHUNK
) -> Iterator[np.ndarray]:
    """The rows of SALib's `sample` for a Latin hypercube, Sobol or Morris design, scaled to
    the parameters' ranges, as arrays of at most a chunk's rows each.

    Sobol and Morris are made chunk by chunk with the random draws SALib makes, in its order,
    so the rows are identical to SALib's (tests/test_edge_values.py checks it for every kind).
    The Latin hypercube is made whole by SALib: each column is a shuffle of all N strata, which
    needs the whole column (N x D floats: at most 8 MB per parameter at the 1,000,000-sample
    cap); its rows are then handed out a chunk at a time."""
    from SALib.util import scale_samples  # only a sweep's driver needs SALib

    d, n = problem["num_vars"], design.samples or 0
    if design.kind == "latin_hypercube":
        from SALib.sample import latin

        x = latin.sample(problem, n, seed=seed)
        yield from (x[lo : lo + chunk] for lo in range(0, n, chunk))
        return
    if design.kind == "sobol":
        unit = saltelli_chunks(d, n, design.second_order, seed, chunk)
    else:
        unit = morris_chunks(d, n, design.levels, seed, chunk)
    for rows in unit:
        yield scale_samples(rows, dict(problem))


def saltelli_chunks(
    d: int, n: int, second_order: bool, seed: int, chunk: int = CHUNK
) -> Iterator[np.ndarray]:
    """Saltelli's scheme (SALib `sobol.sample`, unscaled): from N points of a scrambled Sobol'
    sequence in 2D dimensions (scipy's qmc.Sobol; A its first D columns, B its last D), for
    each point the rows A, AB_1 ... AB_D (A with column k from B), with second order BA_1 ...
    BA_D (B with column k from A), and B. The engine continues its sequence from call to call,
    so N points drawn a chunk at a time are the N points drawn at once."""
    from scipy.stats import qmc

    engine = qmc.Sobol(d=2 * d, scramble=True, seed=seed)
    for lo in range(0, n, chunk):
        with warnings.catch_warnings():  # N not a power of two: `analyze` says it in words
            warnings.filterwarnings("ignore", message="The balance properties of Sobol")
            base = engine.random(min(chunk, n - lo))
        a, b = base[:, :d], base[:, d:]
        blocks = [a]
        for k in range(d):
            ab = a.copy()
            ab[:, k] = b[:, k]
            blocks.append(ab)
        for k in range(d if second_order else 0):
            ba = b.copy()
            ba[:, k] = a[:, k]
            blocks.append(ba)
        blocks.append(b)
        yield np.stack(blocks, axis=1).reshape(-1, d)


def morris_chunks(
    d: int, n: int, levels: int, seed: int, chunk: int = CHUNK
) -> Iterator[np.ndarray]:
    """Morris's trajectories (SALib `morris.sample` without groups or optimisation, unscaled),
    each of D + 1 rows, made one after another from one generator seeded as SALib seeds it,
    with the same draws in the same order: the order in which the parameters move (a shuffled
    identity), the direction of each (+1 or -1), and the start on the grid of `levels` levels.
    The arithmetic is SALib's `_compute_b_star`, step by step, so the rows are bit-identical."""
    rng = np.random.default_rng(seed)
    delta = levels / (2.0 * (levels - 1))
    grid = np.linspace(0, 1 - delta, int(levels / 2))
    groups = np.eye(d, dtype=int)  # each parameter its own group
    steps = np.tril(np.ones([d + 1, d], dtype=int), -1)
    ones = np.ones((d + 1, d))
    for lo in range(0, n, chunk):
        out = []
        for _ in range(min(chunk, n - lo)):
            order = np.eye(d, d)
            rng.shuffle(order)
            direction = np.diag(rng.choice([-1, 1], d))
            start = np.zeros((1, d))
            start[0, :] = rng.choice(grid, d)
            moved = np.matmul(2.0 * steps, np.matmul(groups, order).T)
            out.append(
                ones[0, :] * start + (delta / 2.0) * (np.matmul((moved - ones), direction) + ones)
            )
        yield np.array(out).reshape(-1, d)
