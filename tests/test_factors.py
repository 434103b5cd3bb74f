"""Factors of listed values in sampled designs, crossed factors with paired seeds, common random
numbers, and the arrangement for all themes as one factor (issue 22, point 2)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.config import ConfigError, scenario_from_dict
from sim.study.experiment import Spec, apply, base_scenario, load_spec

ARRANGEMENTS = ["grd", "classic-gr", "service-municipality", "multiple-local", "network"]


def spec(kind: str, samples: int = 16, **design) -> Spec:
    return Spec.model_validate(
        {
            "name": "f",
            "base": "multiple-local-status-quo",
            "replicates": 2,
            "master_seed": 5,
            "design": {"kind": kind, "samples": samples, "levels": 6, **design},
            "parameters": {
                "behaviour.trust_loss": {"low": 0.1, "high": 0.5},
                "governance": {"values": ARRANGEMENTS},
                "arrangements.network.decision": {"values": ["vote", "party_lines", "provider"]},
            },
        }
    )


@pytest.mark.parametrize("kind", ["latin_hypercube", "sobol", "morris"])
def test_a_factor_takes_every_listed_value_in_a_sampled_design(kind):
    s = spec(kind, samples=32)
    points = s.points()
    assert len(points) == s.point_count()
    assert set(p["governance"] for p in points) == set(ARRANGEMENTS)
    assert set(p["arrangements.network.decision"] for p in points) == {
        "vote",
        "party_lines",
        "provider",
    }
    assert all(0.1 <= p["behaviour.trust_loss"] <= 0.5 for p in points)


def test_a_latin_hypercube_samples_a_factor_evenly():
    """The hypercube's strata fall evenly on the values: 40 samples, 5 values, 8 each."""
    counts = Counter(p["governance"] for p in spec("latin_hypercube", samples=40).points())
    assert set(counts.values()) == {8}


@given(u=st.floats(0.0, 1.0), k=st.integers(2, 9))
def test_u_maps_to_one_value_in_order(u, k):
    values = [f"v{i}" for i in range(k)]
    s = Spec.model_validate(
        {
            "name": "f",
            "base": "grd",
            "design": {"kind": "latin_hypercube", "samples": 2},
            "parameters": {"x": {"values": values}, "y": {"low": 0, "high": 1}},
        }
    )
    got = values.index(s.value("x", u))
    assert got == min(int(u * k), k - 1)  # in order, each value a k-th of [0, 1]


@pytest.mark.parametrize("kind", ["latin_hypercube", "sobol", "full_factorial"])
def test_crossed_levels_share_their_seeds(kind):
    s = spec(kind, samples=8, cross=["governance"]) if kind != "full_factorial" else None
    if s is None:
        s = Spec.model_validate(
            {
                "name": "f",
                "base": "grd",
                "replicates": 3,
                "design": {"kind": kind, "cross": ["governance"]},
                "parameters": {
                    "behaviour.trust_loss": {"values": [0.1, 0.3]},
                    "governance": {"values": ARRANGEMENTS},
                },
            }
        )
    runs = s.runs()
    assert len(runs) == s.run_count() == s.point_count() * s.replicates
    by_world: dict = {}
    for _, _, seed, point in runs:
        world = tuple((k, v) for k, v in sorted(point.items()) if k != "governance")
        by_world.setdefault(world, []).append((point["governance"], seed))
    for pairs in by_world.values():
        seeds = Counter(seed for _, seed in pairs)
        levels = Counter(level for level, _ in pairs)
        assert set(levels) == set(ARRANGEMENTS)  # every level in every world ...
        assert all(n == len(ARRANGEMENTS) for n in seeds.values())  # ... on the same seeds
    assert len({seed for *_, seed, _ in runs}) == len(runs) // len(ARRANGEMENTS)


def test_common_random_numbers_give_every_point_the_same_seeds():
    s = spec("latin_hypercube", samples=10, seeds="common")
    seeds = Counter(seed for _, _, seed, _ in s.runs())
    assert len(seeds) == s.replicates and set(seeds.values()) == {10}


def test_independent_seeds_are_all_different():
    s = spec("sobol", samples=8)
    assert len({seed for _, _, seed, _ in s.runs()}) == s.run_count()


@pytest.mark.parametrize("arrangement", ARRANGEMENTS)
def test_the_arrangement_for_all_themes_is_one_value(arrangement):
    base = base_scenario(spec("latin_hypercube"))
    scenario = scenario_from_dict(apply(base, {"governance": arrangement}), source="test")
    assert set(scenario.governance.values()) == {arrangement}
    assert set(scenario.governance) == set(base["governance"])


@pytest.mark.parametrize(
    ("design", "says"),
    [
        ({"cross": ["behaviour.trust_loss"]}, "needs values to cross"),
        ({"cross": ["nope"]}, "'nope' is not one of the parameters"),
        ({"cross": ["governance", "governance"]}, "named twice"),
        ({"cross": [], "kind": "morris", "levels": 2}, "reaches only 2 of its 3 values"),
        ({"cross": [], "second_order": "true"}, "only a sobol design samples second-order"),
    ],
)
def test_a_bad_cross_is_refused_in_words(tmp_path, design, says):
    path = tmp_path / "s.toml"
    cross = ", ".join(f'"{c}"' for c in design["cross"])
    kind = design.get("kind", "latin_hypercube")
    levels = f"levels = {design['levels']}\n" if "levels" in design else ""
    levels += f"second_order = {design['second_order']}\n" if "second_order" in design else ""
    path.write_text(
        f'name = "x"\nbase = "grd"\n[design]\nkind = "{kind}"\nsamples = 4\n{levels}'
        f"cross = [{cross}]\n[parameters]\n"
        '"behaviour.trust_loss" = { low = 0.1, high = 0.5 }\n'
        'governance = { values = ["grd", "network", "classic-gr"] }\n'
    )
    with pytest.raises(ConfigError, match=says):
        load_spec(path)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["latin_hypercube", "sobol", "morris"]), st.integers(1, 3))
def test_the_same_spec_gives_the_same_runs(kind, replicates):
    a = spec(kind, samples=4, cross=["governance"]).model_copy(update={"replicates": replicates})
    b = spec(kind, samples=4, cross=["governance"]).model_copy(update={"replicates": replicates})
    assert a.runs() == b.runs()
