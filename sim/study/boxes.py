"""Boxes around the cases of interest: PRIM through EMA Workbench, CART through scikit-learn.

A box is a set of limits on some parameters (a range for a number, a set of levels for a
category); its coverage is the share of all cases of interest inside it, its density the
share of the worlds inside it that are cases of interest, its mass the share of all worlds
inside it (Bryant and Lempert 2010).

- **PRIM** (Friedman and Fisher 1999), `ema_workbench.analysis.prim.Prim`: peeling then pasting
  gives a trajectory of ever smaller, denser boxes. The box reported is chosen by a stated rule:
  of the boxes whose coverage is at least `min_coverage` (0.5 unless the user gives one), those
  whose density lies inside the 95% Wilson interval of the densest one's (the data cannot tell
  them apart), and of those the one with the most coverage. This is the spirit of the
  one-standard-error rule of Breiman et al. (1984): the wider, simpler box unless the data tell
  them apart, as PRIM's later, smaller boxes gain density mostly by chance. Then each side of a
  limit whose quasi-p value (a one-sided binomial test, Bryant and Lempert 2010) is above 0.05
  is relaxed: the data do not show that it matters.
- **CART** (Breiman et al. 1984), scikit-learn's DecisionTreeClassifier: leaves of at least 1%
  of the worlds, pruned by cost complexity, its strength chosen by 5-fold cross-validation of
  the Brier score (which rewards a leaf that is denser, not only one that changes the majority)
  and the one-standard-error rule. Each leaf is a box; the box reported is the leaf with the most
  cases of interest among those denser than both one half and the base rate (the densest leaf
  if none is). EMA Workbench 3.0's own CART wrapper is not used: it reads a leaf's limits on a
  category wrongly (the branch "is level a" adds no limit, and the branch "is not level a"
  removes a from every leaf's set, which share one set object).

Deterministic: PRIM draws nothing; the tree and its cross-validation use a fixed random state.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.model.config import ConfigError
from sim.study.discovery import Cases, prepare_x
from sim.study.stats import wilson

PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
MASS_MIN = 0.05
CART_MASS_MIN = 0.01  # CART's smallest leaf: pruning, not the leaf size, keeps the tree simple
MIN_COVERAGE = 0.5
SIGNIFICANCE = 0.05  # a side of a limit with a larger quasi-p value is relaxed
FOLDS = 5
RANDOM_STATE = 0  # the tree's and the folds' fixed state: the same cases, the same tree


@dataclass(frozen=True)
class Limit:
    """One restricted parameter of a box: `low`..`high` for a number, `levels` for a
    category; `qp` its quasi-p value (PRIM; NaN for CART)."""

    parameter: str
    low: float = math.nan
    high: float = math.nan
    levels: tuple[str, ...] = ()
    qp: float = math.nan

    @property
    def categorical(self) -> bool:
        return bool(self.levels)


@dataclass(frozen=True)
class Box:
    """A box with its statistics: `n` worlds inside, `k` of them cases of interest."""

    id: int
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    limits: tuple[Limit, ...] = ()

    @property
    def res_dim(self) -> int:
        return len(self.limits)

    def limit(self, parameter: str) -> Limit | None:
        return next((lim for lim in self.limits if lim.parameter == parameter), None)


@dataclass(frozen=True)
class Discovery:
    """What a method found: every box it considered (PRIM: the trajectory, with the box after
    dropping restrictions last; CART: the leaves), which of them is the answer (`chosen`),
    and what the choice rested on."""

    method: str
    boxes: tuple[Box, ...]
    chosen: int
    ranges: dict[str, tuple]  # per parameter: (low, high), or its levels
    base_rate: float
    worlds: int
    interest: int
    selected: int | None = None  # PRIM: the step chosen before restrictions were dropped
    dropped: tuple[tuple[str, str], ...] = ()  # PRIM: (parameter, side) relaxed for its qp
    min_coverage: float | None = None
    left_out: tuple[str, ...] = ()  # parameters that cannot bound a box (one value, gaps)
    settings: dict = field(default_factory=dict)
    grid: dict[str, tuple[float, ...]] = field(default_factory=dict)  # few values: them all

    @property
    def box(self) -> Box:
        return self.boxes[self.chosen]

    def trajectory(self) -> pd.DataFrame:
        """One row per box considered: its statistics and whether it is the answer."""
        return pd.DataFrame(
            [
                {
                    "box": b.id,
                    "coverage": b.coverage,
                    "density": b.density,
                    "mass": b.mass,
                    "n": b.n,
                    "k": b.k,
                    "res_dim": b.res_dim,
                    "chosen": i == self.chosen,
                }
                for i, b in enumerate(self.boxes)
            ]
        )

    def limits(self) -> pd.DataFrame:
        """One row per box and restricted parameter: its limits and quasi-p value."""
        rows = [
            {
                "box": b.id,
                "parameter": lim.parameter,
                "low": lim.low,
                "high": lim.high,
                "levels": "|".join(lim.levels),
                "qp": lim.qp,
                "chosen": i == self.chosen,
            }
            for i, b in enumerate(self.boxes)
            for lim in b.limits
        ]
        columns = ["box", "parameter", "low", "high", "levels", "qp", "chosen"]
        return pd.DataFrame(rows, columns=columns)


def _usable(cases: Cases) -> tuple[pd.DataFrame, list[str]]:
    x, left_out = prepare_x(cases.x)
    if x.shape[1] == 0:
        raise ConfigError("no parameter varies over the worlds: there are no conditions to find")
    if cases.interest in (0, cases.worlds):
        raise ConfigError(
            f"the answer is the same in all {cases.worlds:,} worlds: there is nothing to tell apart"
        )
    return x, left_out


def _ranges(x: pd.DataFrame) -> dict[str, tuple]:
    return {
        c: tuple(sorted(map(str, x[c].cat.categories)))
        if isinstance(x[c].dtype, pd.CategoricalDtype)
        else (float(x[c].min()), float(x[c].max()))
        for c in x.columns
    }


GRID = 25  # a numeric parameter with at most this many values is shown as a grid of them


def _grid(x: pd.DataFrame) -> dict[str, tuple[float, ...]]:
    numeric = [c for c in x.columns if not isinstance(x[c].dtype, pd.CategoricalDtype)]
    return {
        c: tuple(float(v) for v in np.unique(x[c].to_numpy()))
        for c in numeric
        if x[c].nunique() <= GRID
    }


def _snapped(column: pd.Series, low: float, high: float) -> tuple[float, float]:
    """A limit as the extreme values of the worlds within it: the same worlds, in the values
    the sweep ran (PRIM's quantiles and CART's thresholds fall between them)."""
    inside = column[(column >= low) & (column <= high)]
    if inside.empty:
        return low, high
    return float(inside.min()), float(inside.max())


def _limit(x: pd.DataFrame, name: str, low: float, high: float, qp: float = math.nan):
    """The limit on a number, snapped to the worlds; None where it excludes no world."""
    lo, hi = _snapped(x[name], low, high)
    if lo <= x[name].min() and hi >= x[name].max():
        return None
    return Limit(name, lo, hi, qp=qp)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """EMA Workbench's noise, silenced here only: the ipyparallel and altair notes on import,
    pandas 4 deprecations from its own calls."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        warnings.filterwarnings("ignore", message="altair based interactive")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        yield


def _ema_prim():
    try:
        with _quiet():
            from ema_workbench.analysis import prim  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(
            "scenario discovery needs EMA Workbench: install it with "
            "`pip install 'samenspel[explore]'`"
        ) from None
    return prim


# --- PRIM --------------------------------------------------------------------------------------


def prim(cases: Cases, min_coverage: float | None = None) -> Discovery:
    """PRIM's box around the cases of interest, chosen on its peeling trajectory by the rule
    above, its insignificant restrictions dropped."""
    x, left_out = _usable(cases)
    coverage = MIN_COVERAGE if min_coverage is None else min_coverage
    module = _ema_prim()
    with _quiet():
        finder = module.Prim(
            x,
            np.asarray(cases.y, dtype=bool),
            peel_alpha=PEEL_ALPHA,
            paste_alpha=PASTE_ALPHA,
            mass_min=MASS_MIN,
        )
        found = finder.find_box()
        selected = choose_step(found.peeling_trajectory, coverage)
        found.select(selected)
        dropped = _drop_insignificant(found, selected, x)
    ranges = _ranges(x)
    boxes = tuple(_prim_box(found, i, x) for i in range(len(found.box_lims)))
    return Discovery(
        "prim",
        boxes,
        len(boxes) - 1 if dropped else selected,
        ranges,
        cases.base_rate,
        cases.worlds,
        cases.interest,
        selected=selected,
        dropped=dropped,
        min_coverage=coverage,
        left_out=tuple(left_out),
        settings={"peel_alpha": PEEL_ALPHA, "paste_alpha": PASTE_ALPHA, "mass_min": MASS_MIN},
        grid=_grid(x),
    )


def _drop_insignificant(found, i: int, x: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """Relax each side of box `i`'s limits whose quasi-p value is above SIGNIFICANCE (a set of
    levels as a whole), as one new box on the trajectory; what was relaxed, as (parameter,
    "low" | "high" | "levels"). EMA's own `drop_restriction` drops both sides of a limit at
    once, also the side that matters."""
    lims, first = found.box_lims[i].copy(), found.box_lims[0]
    relaxed = []
    for name, sides in found.p_values[i].items():
        if isinstance(first.loc[0, name], set):
            if sides[0] > SIGNIFICANCE:
                lims.loc[:, name] = first.loc[:, name]
                relaxed.append((name, "levels"))
            continue
        for row, side in ((0, "low"), (1, "high")):
            if sides[row] > SIGNIFICANCE:  # -1: this side is not restricted
                lims.loc[row, name] = first.loc[row, name]
                relaxed.append((name, side))
    if relaxed:
        found.update(lims, np.flatnonzero(_inside(x, lims)))
    return tuple(relaxed)


def _inside(x: pd.DataFrame, lims: pd.DataFrame) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for name in lims.columns:
        lo, hi = lims.loc[0, name], lims.loc[1, name]
        if isinstance(lo, set):
            mask &= x[name].isin(lo).to_numpy()
        else:
            mask &= ((x[name] >= lo) & (x[name] <= hi)).to_numpy()
    return mask


def choose_step(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The step of a PRIM trajectory the rule picks: of the steps with coverage at least
    `min_coverage`, the densest; of those as dense within its 95% Wilson interval,
    the one with the most coverage, then the fewest restricted parameters, then the first."""
    t = trajectory.reset_index(drop=True)
    candidates = t[t["coverage"] >= min_coverage - 1e-12]
    if candidates.empty:  # a coverage above what any box reaches: the first box (everything)
        return 0
    best = candidates.loc[candidates["density"].idxmax()]
    low, _ = wilson(int(best["k"]), int(best["n"]))
    near = candidates[candidates["density"] >= min(low, float(best["density"]))]
    order = near.assign(step=near.index).sort_values(
        ["coverage", "res_dim", "step"], ascending=[False, True, True]
    )
    return int(order["step"].iloc[0])


def _prim_box(found, i: int, x: pd.DataFrame) -> Box:
    t = found.peeling_trajectory.iloc[i]
    lims, first, qp = found.box_lims[i], found.box_lims[0], found.p_values[i]
    limits = []
    for name in lims.columns:
        lo, hi = lims.loc[0, name], lims.loc[1, name]
        p = max(qp.get(name, [math.nan]))
        if isinstance(lo, set):
            if lo != first.loc[0, name]:
                limits.append(Limit(name, levels=tuple(sorted(map(str, lo))), qp=p))
        elif (lo, hi) != (first.loc[0, name], first.loc[1, name]):
            limit = _limit(x, name, float(lo), float(hi), p)
            limits += [limit] if limit is not None else []
    return Box(
        i,
        float(t["coverage"]),
        float(t["density"]),
        float(t["mass"]),
        int(t["n"]),
        int(t["k"]),
        tuple(limits),
    )


# --- CART --------------------------------------------------------------------------------------

SEP = "\x1f"  # between a category's name and its level in the tree's columns


def cart(cases: Cases) -> Discovery:
    """CART's leaves as boxes; the answer is the largest leaf dense in cases of interest."""
    x, left_out = _usable(cases)
    y = np.asarray(cases.y, dtype=bool)
    encoded = pd.get_dummies(x, prefix_sep=SEP, dtype=float)
    tree = _pruned_tree(encoded.to_numpy(), y)
    ranges = _ranges(x)
    leaf_of = tree.apply(encoded.to_numpy())
    boxes = []
    for node, path in _leaves(tree, list(encoded.columns), ranges, x):
        inside = leaf_of == node
        n, k = int(inside.sum()), int(y[inside].sum())
        boxes.append(Box(node, float(k / y.sum()), k / n, n / len(y), n, k, path))
    boxes.sort(key=lambda b: b.id)
    return Discovery(
        "cart",
        tuple(boxes),
        choose_leaf(boxes, cases.base_rate),
        ranges,
        cases.base_rate,
        cases.worlds,
        cases.interest,
        left_out=tuple(left_out),
        settings={"mass_min": CART_MASS_MIN, "folds": FOLDS, "ccp_alpha": float(tree.ccp_alpha)},
        grid=_grid(x),
    )


def choose_leaf(boxes: list[Box], base_rate: float) -> int:
    """The leaf with the most cases of interest among those denser than one half and than the
    base rate; the densest leaf if there is none."""
    dense = [i for i, b in enumerate(boxes) if b.density > max(0.5, base_rate)]
    if not dense:
        return max(range(len(boxes)), key=lambda i: (boxes[i].density, -i))
    return max(dense, key=lambda i: (boxes[i].k, boxes[i].density, -i))


def _pruned_tree(x: np.ndarray, y: np.ndarray):
    """A classification tree with leaves of at least CART_MASS_MIN of the worlds, pruned by cost
    complexity: the strongest pruning whose cross-validated Brier score is within one standard
    error of the best (Breiman et al. 1984)."""
    from sklearn.model_selection import (  # type: ignore[import-untyped]
        StratifiedKFold,
        cross_val_score,
    )
    from sklearn.tree import DecisionTreeClassifier  # type: ignore[import-untyped]

    leaf = max(1, math.ceil(CART_MASS_MIN * len(y)))

    def grown(alpha: float) -> DecisionTreeClassifier:
        return DecisionTreeClassifier(
            min_samples_leaf=leaf,
            ccp_alpha=alpha,
            random_state=RANDOM_STATE,
        )

    alphas = np.unique(grown(0.0).cost_complexity_pruning_path(x, y).ccp_alphas.clip(0))
    # Subtree k is the best for alpha in [alpha_k, alpha_k+1): each is tried at the geometric
    # mean of its interval (Breiman et al. 1984, 3.4.2), never at an end, where the folds' trees
    # and the whole data's tree may be pruned differently; the root alone at 1/2, which prunes
    # every tree (two classes' Gini impurity is at most 1/2).
    betas = np.append(np.sqrt(alphas[:-1] * alphas[1:]), 0.5) if len(alphas) > 1 else alphas
    splits = min(FOLDS, int(min(y.sum(), (~y).sum())))
    if splits < 2:
        return grown(0.0).fit(x, y)
    folds = StratifiedKFold(splits, shuffle=True, random_state=RANDOM_STATE)
    scores = np.array(
        [cross_val_score(grown(b), x, y, cv=folds, scoring="neg_brier_score") for b in betas]
    )
    errors = -scores.mean(axis=1)
    best = int(errors.argmin())
    within = errors <= errors[best] + scores[best].std(ddof=1) / math.sqrt(splits)
    return grown(float(betas[within].max())).fit(x, y)


def _leaves(
    tree, columns: list[str], ranges: dict[str, tuple], x: pd.DataFrame
) -> Iterator[tuple[int, tuple]]:
    """Each leaf's node id and its limits, read down from the root."""
    t = tree.tree_
    stack: list[tuple[int, dict[str, tuple]]] = [(0, dict(ranges))]
    while stack:
        node, bounds = stack.pop()
        if t.children_left[node] == -1:
            yield node, _restricted(bounds, ranges, x)
            continue
        name, threshold = columns[t.feature[node]], float(t.threshold[node])
        left, right = dict(bounds), dict(bounds)
        if SEP in name and name.split(SEP)[0] in ranges:
            cat, level = name.split(SEP, 1)
            left[cat] = tuple(v for v in bounds[cat] if v != level)  # dummy <= 0.5: not level
            right[cat] = tuple(v for v in bounds[cat] if v == level)
        else:
            lo, hi = bounds[name]
            left[name], right[name] = (lo, min(hi, threshold)), (max(lo, threshold), hi)
        stack += [(int(t.children_right[node]), right), (int(t.children_left[node]), left)]


def _restricted(
    bounds: dict[str, tuple], ranges: dict[str, tuple], x: pd.DataFrame
) -> tuple[Limit, ...]:
    limits: list[Limit | None] = []
    for name, full in ranges.items():
        b = bounds[name]
        if b == full:
            continue
        if full and isinstance(full[0], str):
            limits.append(Limit(name, levels=tuple(b)))
        else:
            limits.append(_limit(x, name, float(b[0]), float(b[1])))
    return tuple(lim for lim in limits if lim is not None)


METHODS = ("prim", "cart")


def find(cases: Cases, method: str = "prim", min_coverage: float | None = None) -> Discovery:
    """The boxes `method` ("prim" or "cart") finds around the cases of interest
    (`min_coverage`: PRIM's least coverage of the box it reports, default 0.5).

    Example (after `samenspel sweep experiments/sweeps/discover-example.toml`):
        from sim.study.discovery import Question, cases
        from sim.study.finished import read_sweep
        sweep = read_sweep("results/discover-example", "discover")
        q = Question("commitment", "below", threshold=0.6)  # or "beats", factor=, option=, rival=
        found = find(cases(sweep, q))
        print(found.box.coverage, found.box.density, found.box.limits)
    """
    if method not in METHODS:
        raise ConfigError(f"method {method!r}: choose one of {', '.join(METHODS)}")
    if method == "cart":
        return cart(cases)
    return prim(cases, min_coverage)
