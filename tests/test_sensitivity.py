"""Sensitivity analysis that is right or says why not (issue 22, point 1): known test functions
through the same code path as `samenspel analyze` (sim.study.sensitivity.compute on a runs
table), the rule for missing values, the warnings, and replicates handled as a stochastic
model needs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.study.experiment import Spec
from sim.study.sensitivity import compute

PI = math.pi
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}  # Ishigami a=7, b=0.1 (Ishigami & Homma 1990)
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(p: dict) -> float:
    return math.sin(p["x1"]) + 7 * math.sin(p["x2"]) ** 2 + 0.1 * p["x3"] ** 4 * math.sin(p["x1"])


def design(kind: str, n: int, replicates: int = 1, **extra) -> Spec:
    low = 0.0 if extra.pop("unit", False) else -PI
    return Spec.model_validate(
        {
            "name": "t",
            "base": "grd",
            "replicates": replicates,
            "master_seed": 3,
            "design": {"kind": kind, "samples": n, **extra},
            "parameters": {f"x{i}": {"low": low, "high": PI if low else 1.0} for i in (1, 2, 3)},
        }
    )


def runs_of(spec: Spec, f, noise: float = 0.0, shift: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """A sweep's runs table for `f`, with seed noise (independent per run) and a shift per
    replicate (what common random numbers share across points)."""
    rng = np.random.default_rng(seed)
    shifts = rng.normal(0, shift, spec.replicates) if shift else np.zeros(spec.replicates)
    rows = []
    for run_id, point, s, p in spec.runs():
        r = run_id - point * spec.replicates
        y = f(p) + noise * rng.standard_normal() + shifts[r]
        rows.append({"run_id": run_id, "point": point, "seed": s, "status": "ok", **p, "y": y})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def sobol_ishigami():
    spec = design("sobol", 1024, replicates=2, second_order=True)
    return compute(runs_of(spec, ishigami, noise=0.3), spec)


def test_sobol_indices_of_ishigami_lie_within_their_intervals(sobol_ishigami):
    s = sobol_ishigami.tables["sobol"].set_index("parameter")
    for name in S1:
        assert abs(s.loc[name, "S1"] - S1[name]) <= max(2 * s.loc[name, "S1_conf"], 0.03)
        assert abs(s.loc[name, "ST"] - ST[name]) <= max(2 * s.loc[name, "ST_conf"], 0.03)


def test_second_order_is_written_and_finds_the_one_interaction(sobol_ishigami):
    s2 = sobol_ishigami.tables["sobol_s2"].set_index(["parameter", "parameter_2"])
    assert len(s2) == 3
    assert abs(s2.loc[("x1", "x3"), "S2"] - 0.2437) <= max(
        2 * s2.loc[("x1", "x3"), "S2_conf"], 0.05
    )
    for pair in [("x1", "x2"), ("x2", "x3")]:
        assert abs(s2.loc[pair, "S2"]) <= max(2 * s2.loc[pair, "S2_conf"], 0.05)


def test_convergence_reaches_the_full_sample(sobol_ishigami):
    c = sobol_ishigami.tables["sobol_convergence"]
    assert c["n"].max() == 1024 and c["n"].min() == 8
    last = c[c["n"] == 1024].set_index("parameter")["ST"]
    s = sobol_ishigami.tables["sobol"].set_index("parameter")["ST"]
    assert np.allclose(last, s[last.index], atol=1e-9)  # the same estimator as SALib's


def test_the_seed_interval_grows_with_the_seed_noise():
    spec = design("sobol", 256, replicates=2)
    calm, loud = (compute(runs_of(spec, ishigami, noise=x), spec) for x in (0.1, 3.0))
    a, b = (r.tables["sobol"].set_index("parameter") for r in (calm, loud))
    assert (b["ST_seeds_conf"] > a["ST_seeds_conf"]).all()
    assert (a["ST_seeds_conf"] < 0.01).all()


def test_a_large_well_sampled_design_raises_no_warning(sobol_ishigami):
    assert sobol_ishigami.warnings == []


def test_given_data_methods_on_a_latin_hypercube():
    spec = design("latin_hypercube", 512)
    result = compute(runs_of(spec, ishigami), spec)
    fast = result.tables["rbd_fast"].set_index("parameter")
    for name in S1:
        assert abs(fast.loc[name, "rbd_fast_S1"] - S1[name]) <= max(
            3 * fast.loc[name, "rbd_fast_S1_conf"], 0.05
        )
    pawn = result.tables["pawn"].set_index("parameter")["pawn_median"]
    assert pawn.idxmin() == "x3" and pawn.idxmax() == "x2"
    delta = result.tables["delta"].set_index("parameter")
    assert delta["delta_S1"].idxmin() == "x3"
    assert ((delta["delta"] >= 0) & (delta["delta"] <= 1)).all()


def test_morris_elementary_effects_of_a_linear_function_are_its_slopes():
    spec = design("morris", 20, unit=True, levels=4)
    result = compute(runs_of(spec, lambda p: 3 * p["x1"] + p["x2"]), spec)
    m = result.tables["morris"].set_index("parameter")
    assert np.allclose(m["mu_star"], [3.0, 1.0, 0.0]) and np.allclose(m["sigma"], 0.0)


def test_a_missing_point_drops_its_saltelli_group_and_says_so():
    spec = design("sobol", 64)
    runs = runs_of(spec, ishigami)
    size = 3 + 2
    lost = [0, size * 7 + 2, size * 30 + 4]  # one point in each of three groups
    runs.loc[runs["point"].isin(lost), "y"] = np.nan
    result = compute(runs, spec)
    dropped = [w for w in result.warnings if w.code == "dropped"]
    assert dropped and dropped[0].fields == {"n": 61, "planned": 64, "kind": "sobol"}
    assert not [w for w in result.warnings if w.code == "unfinished"]
    assert len(result.tables["sobol"]) == 3


def test_a_replicate_without_a_value_leaves_its_point_to_the_others():
    spec = design("sobol", 64, replicates=2)
    runs = runs_of(spec, ishigami)
    runs.loc[(runs["point"] < 40) & (runs["run_id"] % 2 == 0), "y"] = np.nan
    result = compute(runs, spec)
    assert not [w for w in result.warnings if w.code == "dropped"]
    assert result.tables["noise"].iloc[0]["missing_runs"] == 40


def test_small_designs_and_one_replicate_are_warned_about():
    spec = design("sobol", 24)
    codes = {w.code for w in compute(runs_of(spec, ishigami, noise=2.0), spec).warnings}
    assert {"few_base", "power_of_two", "one_replicate"} <= codes


@settings(max_examples=8, deadline=None)
@given(noise=st.floats(0.5, 4.0))
def test_seed_noise_names_the_replicates_that_would_tame_it(noise):
    spec = design("latin_hypercube", 64, replicates=2)
    result = compute(runs_of(spec, ishigami, noise=noise), spec)
    row = result.tables["noise"].iloc[0]
    share = row["seed_noise_share"]
    warned = [w for w in result.warnings if w.code == "seed_noise"]
    assert bool(warned) == (share > 0.1)
    if warned:
        assert warned[0].fields["needed"] > 2


def test_common_random_numbers_take_the_seeds_shift_out_of_the_noise():
    """A shift that replicate r shares with every point moves no index: with common seeds it is
    not counted as noise, with independent seeds the same spread is."""
    common = design("latin_hypercube", 64, replicates=4, seeds="common")
    shared = compute(runs_of(common, ishigami, shift=3.0), common).tables["noise"].iloc[0]
    assert shared["seed_noise_share"] < 1e-9
    alone = design("latin_hypercube", 64, replicates=4)
    noisy = compute(runs_of(alone, ishigami, noise=3.0), alone).tables["noise"].iloc[0]
    assert noisy["seed_noise_share"] > 0.1


def test_what_the_rules_fix_is_said_not_analysed():
    spec = design("sobol", 16)
    runs = runs_of(spec, ishigami).assign(fixed=4.0)
    result = compute(runs, spec)
    assert result.constant == ["fixed"]
    assert set(result.tables["sobol"]["outcome"]) == {"y"}


def test_a_crossed_factor_gets_indices_per_level():
    spec = Spec.model_validate(
        {
            "name": "t",
            "base": "grd",
            "design": {"kind": "sobol", "samples": 64, "cross": ["g"]},
            "parameters": {
                "x1": {"low": 0, "high": 1},
                "x2": {"low": 0, "high": 1},
                "g": {"values": ["a", "b"]},
            },
        }
    )
    runs = runs_of(spec, lambda p: p["x1"] if p["g"] == "a" else p["x2"])
    s = compute(runs, spec).tables["sobol"].set_index(["g", "parameter"])
    assert s.loc[("a", "x1"), "ST"] > 0.9 and s.loc[("a", "x2"), "ST"] < 0.05
    assert s.loc[("b", "x2"), "ST"] > 0.9 and s.loc[("b", "x1"), "ST"] < 0.05


def test_an_outcome_no_parameter_moves_is_not_called_fixed():
    """Under common random numbers an outcome that depends on the seed alone has the same mean
    at every point; the rules do not fix it (its runs vary), the parameters just do not move it."""
    spec = design("latin_hypercube", 32, replicates=3, seeds="common")
    runs = runs_of(spec, ishigami)
    runs["seed_only"] = runs["seed"] % 97 / 97
    result = compute(runs, spec)
    assert result.insensitive == ["seed_only"] and result.constant == []


def test_noise_alone_is_said_without_a_count_of_replicates():
    """An outcome of pure noise (1,000 points, 4 replicates: the shares' own error about 4%)."""
    spec = design("latin_hypercube", 1000, replicates=4)
    runs = runs_of(spec, lambda p: 0.0, noise=1.0)
    codes = {w.code: w for w in compute(runs, spec).warnings}
    assert "noise_only" in codes and "seed_noise" not in codes


@pytest.mark.parametrize(("kind", "size"), [("sobol", 5), ("morris", 4), ("latin_hypercube", 1)])
def test_runs_not_made_yet_are_unfinished_not_missing(kind, size):
    """An unfinished sweep (--partial): the groups it has not made (Saltelli groups, Morris
    trajectories, samples) are said to wait, not to lack a value."""
    spec = design(kind, 64 if kind != "morris" else 50, levels=4)
    runs = runs_of(spec, ishigami)
    runs = runs[runs["point"] < size * 40]  # the first 40 groups made
    planned = spec.design.samples
    codes = {w.code: w.fields for w in compute(runs, spec, partial=True).warnings}
    assert codes["unfinished"] == {"n": 40, "planned": planned, "kind": kind}
    assert "dropped" not in codes


@pytest.mark.parametrize("kind", ["latin_hypercube", "morris"])
def test_a_crossed_design_is_analysed_per_level(kind):
    spec = Spec.model_validate(
        {
            "name": "t",
            "base": "grd",
            "design": {"kind": kind, "samples": 100, "cross": ["g"]},
            "parameters": {
                "x1": {"low": 0, "high": 1},
                "x2": {"low": 0, "high": 1},
                "g": {"values": ["a", "b"]},
            },
        }
    )
    runs = runs_of(spec, lambda p: p["x1"] if p["g"] == "a" else p["x2"])
    result = compute(runs, spec)
    name, index = ("delta", "delta") if kind == "latin_hypercube" else ("morris", "mu_star")
    t = result.tables[name].set_index(["g", "parameter"])[index]
    assert t[("a", "x1")] > t[("a", "x2")] and t[("b", "x2")] > t[("b", "x1")]


def test_wide_intervals_are_counted_over_every_index_that_matters():
    spec = design("sobol", 16, replicates=2, second_order=True)
    result = compute(runs_of(spec, ishigami, noise=2.0), spec)
    wide = [w for w in result.warnings if w.code == "wide"]
    first = result.tables["sobol"]
    second = result.tables["sobol_s2"]
    expected = sum(
        int(((t[k] > 0.05) & (t[f"{k}_conf"] > t[k])).sum())
        for t, k in ((first, "S1"), (first, "ST"), (second, "S2"))
    )
    assert expected > 0 and wide[0].fields["count"] == expected
