"""Scenario discovery (sim/study/discovery.py, sim/study/boxes.py): PRIM and CART find a box
planted in a synthetic outcome, through `find`, the function `samenspel discover` calls; the
worlds of a "beats" question are paired as the design ran them.

The planted family: three uniform numbers, an int64 column (0..9) and a text column (three
levels); a box on two of the numeric columns (each bounded below, above or on both sides, its
corners drawn), in half the examples also on the text column, and up to 4% of the labels
flipped. Each method must report the box it was given: every planted limit within 0.08 of the
range (one step for the integers), the levels exactly, and no other parameter cut by more than
15% of its range.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.config import ConfigError
from sim.study.boxes import Discovery, choose_step, find
from sim.study.discovery import Cases, Question, cases, prepare_x
from sim.study.experiment import Spec
from sim.study.finished import FinishedSweep as Sweep
from sim.study.stats import wilson

N = 1000
TOLERANCE = 0.08
LEVELS = ("a", "b", "c")


@st.composite
def planted(draw) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """A synthetic sweep's worlds with a box planted in them, and the box."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = pd.DataFrame(
        {
            "x0": rng.random(N),
            "x1": rng.random(N),
            "x2": rng.random(N),
            "k": rng.integers(0, 10, N),  # int64: EMA Workbench 3.0 fails on it unprepared
            "mode": rng.choice(LEVELS, N),
        }
    )
    box: dict[str, tuple] = {}
    inside = np.ones(N, dtype=bool)
    for name in draw(st.permutations(["x0", "x1", "x2", "k"]))[:2]:
        width = draw(st.floats(0.4, 0.7))
        side = draw(st.sampled_from(["above", "below", "between"]))
        low = {"above": 1 - width, "below": 0.0}.get(side, draw(st.floats(0, 1 - width)))
        high = 1.0 if side == "above" else low + width
        if name == "k":
            low, high = round(low * 9), round(high * 9)
        box[name] = (low, high)
        inside &= ((x[name] >= low) & (x[name] <= high)).to_numpy()
    if draw(st.booleans()):
        box["mode"] = tuple(sorted(draw(st.permutations(LEVELS))[:2]))
        inside &= x["mode"].isin(box["mode"]).to_numpy()
    flipped = rng.random(N) < draw(st.floats(0.0, 0.04))
    return x, inside ^ flipped, box


def as_cases(x: pd.DataFrame, y: np.ndarray) -> Cases:
    return Cases(x, y, pd.DataFrame(index=x.index), len(y), 0, 1)


def assert_recovers(found: Discovery, box: dict) -> None:
    got = found.box
    for name, want in box.items():
        limit = got.limit(name)
        assert limit is not None, f"{name} is not restricted: {got.limits}"
        if name == "mode":
            assert limit.levels == want
            continue
        tolerance = 1 if name == "k" else TOLERANCE
        assert abs(limit.low - want[0]) <= tolerance, (name, limit, want)
        assert abs(limit.high - want[1]) <= tolerance, (name, limit, want)
    for limit in got.limits:
        if limit.parameter not in box:
            assert not limit.categorical, limit
            span = 9 if limit.parameter == "k" else 1
            assert (limit.high - limit.low) / span >= 0.85, limit


@settings(max_examples=12)
@given(planted())
def test_prim_recovers_a_planted_box(data):
    x, y, box = data
    found = find(as_cases(x, y), "prim")
    assert_recovers(found, box)
    assert found.box.density > 0.85 and found.box.coverage >= 0.5
    assert found.base_rate == pytest.approx(y.mean())


@settings(max_examples=12)
@given(planted())
def test_cart_finds_the_same_box(data):
    x, y, box = data
    found = find(as_cases(x, y), "cart")
    assert_recovers(found, box)
    assert found.box.density > 0.85


def test_the_boxes_are_the_same_for_the_same_worlds():
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.random(400), "b": rng.integers(0, 5, 400)})
    y = (x["a"] > 0.6).to_numpy() ^ (rng.random(400) < 0.05)
    for method in ("prim", "cart"):
        one, two = find(as_cases(x, y), method), find(as_cases(x, y), method)
        pd.testing.assert_frame_equal(one.trajectory(), two.trajectory())
        pd.testing.assert_frame_equal(one.limits(), two.limits())


def test_a_wider_coverage_asked_gives_a_box_with_at_least_that_coverage():
    rng = np.random.default_rng(9)
    x = pd.DataFrame({"a": rng.random(800), "b": rng.random(800)})
    y = (x["a"] + 0.3 * x["b"] > 0.8).to_numpy()
    for coverage in (0.5, 0.8, 0.95):
        found = find(as_cases(x, y), "prim", coverage)
        assert found.boxes[found.selected].coverage >= coverage
    narrow, wide = (find(as_cases(x, y), "prim", c) for c in (0.5, 0.95))
    assert wide.box.mass > narrow.box.mass


def test_the_step_rule_prefers_more_coverage_within_one_standard_error():
    t = pd.DataFrame(
        {
            "coverage": [1.0, 0.9, 0.7, 0.4],
            "density": [0.3, 0.95, 0.96, 1.0],
            "n": [1000, 300, 230, 100],
            "k": [300, 285, 221, 100],
            "res_dim": [0, 2, 2, 3],
        }
    )
    assert choose_step(t, 0.5) == 1  # 0.95: inside the 95% interval of 0.96 at n = 230
    assert choose_step(t, 0.3) == 3  # 1.0 at n = 100: its 95% Wilson bound is above 0.96
    assert choose_step(t, 0.95) == 0


def test_integers_become_floats_and_constant_columns_are_left_out():
    x = pd.DataFrame(
        {"i": np.arange(6), "s": list("aabbcc"), "t": [True, False] * 3, "one": [1.0] * 6}
    )
    prepared, left_out = prepare_x(x)
    assert prepared["i"].dtype == np.float64
    assert isinstance(prepared["s"].dtype, pd.CategoricalDtype)
    assert isinstance(prepared["t"].dtype, pd.CategoricalDtype)
    assert left_out == ["one"]


def test_the_same_answer_everywhere_is_refused():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    with pytest.raises(ConfigError, match="all 50 worlds"):
        find(as_cases(x, np.ones(50, dtype=bool)), "prim")


def test_wilson_interval():
    low, high = wilson(80, 100)
    assert 0.70 < low < 0.72 and 0.86 < high < 0.88  # 95%: 0.711 to 0.867
    assert wilson(10, 10)[1] == pytest.approx(1.0) and math.isnan(wilson(0, 0)[0])


# --- pairing -----------------------------------------------------------------------------------

FACTOR = "governance.mobility"


def synthetic_sweep(shared: bool = True, replicates: int = 3) -> Sweep:
    """Worlds on a grid of p and q, each run with A and with B: A is better on commitment
    (and cheaper) where p > 0.5, B elsewhere; with `shared`, both on the same seeds."""
    rows = []
    rng = np.random.default_rng(1)
    for p in np.linspace(0, 1, 6):
        for q in (0.1, 0.2, 0.3):
            for r in range(replicates):
                for level in ("A", "B"):
                    seed = 100 * r + (0 if shared or level == "A" else 7)
                    gain = (0.1 if p > 0.5 else -0.1) * (1 if level == "A" else -1)
                    noise = rng.normal(0, 0.01)
                    rows.append(
                        {
                            "seed": seed,
                            "status": "ok",
                            "behaviour.trust_loss": p,
                            "culture.insincerity": q,
                            FACTOR: level,
                            "commitment": 0.5 + gain + noise,
                            "service_cost_per_inhabitant": 100 - 10 * gain + noise,
                        }
                    )
    runs = pd.DataFrame(rows)
    runs["run_id"] = range(len(runs))
    parameters = {
        "behaviour.trust_loss": {"values": [0.0, 1.0]},
        "culture.insincerity": {"values": [0.1, 0.3]},
        FACTOR: {"values": ["A", "B"]},
    }
    spec = Spec.model_validate(
        {
            "name": "t",
            "base": "split-2022",
            "design": {"kind": "full_factorial"},
            "parameters": parameters,
        }
    )
    return Sweep(Path("."), spec, runs, len(runs), None)


def beats(outcome: str, option: str = "A", rival: str = "B") -> Question:
    return Question(outcome, "beats", factor=FACTOR, option=option, rival=rival)


def test_a_beats_b_world_by_world_on_shared_seeds():
    c = cases(synthetic_sweep(), beats("commitment"))
    assert c.worlds == 18 and list(c.x.columns) == ["behaviour.trust_loss", "culture.insincerity"]
    assert (c.y == (c.x["behaviour.trust_loss"] > 0.5).to_numpy()).all()
    assert c.seeds_shared is True and c.replicates == 3 and c.runs == 108
    assert c.clear == 9  # a 0.2 lead against noise of 0.01: beyond it in every winning world
    reverse = cases(synthetic_sweep(), beats("commitment", "B", "A"))
    assert (reverse.y == ~c.y).all()


def test_lower_is_better_where_the_catalogue_says_so():
    c = cases(synthetic_sweep(), beats("service_cost_per_inhabitant"))
    assert (c.y == (c.x["behaviour.trust_loss"] > 0.5).to_numpy()).all()  # A is cheaper there


def test_worlds_on_different_seeds_are_compared_by_their_means_unpaired():
    c = cases(synthetic_sweep(shared=False), beats("commitment"))
    assert c.seeds_shared is False and c.clear is None
    assert (c.y == (c.x["behaviour.trust_loss"] > 0.5).to_numpy()).all()


def test_missing_values_and_half_worlds_are_left_out_and_counted():
    sweep = synthetic_sweep()
    runs = sweep.runs.copy()
    first_b = runs.index[(runs[FACTOR] == "B") & (runs["behaviour.trust_loss"] == 0)]
    runs.loc[first_b, "commitment"] = math.nan  # world (0, q) loses every B run
    sweep = Sweep(sweep.folder, sweep.spec, runs, len(runs), None)
    c = cases(sweep, beats("commitment"))
    assert c.missing == len(first_b) == 9 and c.worlds == 15


def test_a_threshold_question_averages_each_worlds_runs():
    c = cases(synthetic_sweep(), Question("commitment", "below", threshold=0.5))
    assert c.worlds == 36 and c.replicates == 3
    assert (c.values["mean"] < 0.5).to_numpy().tolist() == c.y.tolist()
    assert c.base_rate == pytest.approx(0.5)


def test_ties_are_not_wins():
    sweep = synthetic_sweep(replicates=1)
    runs = sweep.runs.copy()
    runs["commitment"] = 0.5
    sweep = Sweep(sweep.folder, sweep.spec, runs, len(runs), None)
    c = cases(sweep, beats("commitment"))
    assert c.ties == c.worlds == 18 and not c.y.any()
