"""Docking: the public-goods game is the model reduced by scenario settings alone.

The docking criteria themselves (decay without punishment, no decay with it, the levels against
two experiments within the tolerance of docs/ODD.md section 9) are checks in
sim/study/validation/laboratory.py, run by tests/test_patterns.py and `samenspel validate`.
"""

from __future__ import annotations

from sim.model.config import load_scenario
from sim.study import docking


def test_the_game_is_a_reduction_by_scenario_settings_alone():
    for file in docking.CONDITIONS.values():
        sc = load_scenario(str(docking.DOCKING / file))
        assert sc.region == "identical:4" and list(sc.governance) == ["mobility"]
        b = sc.behaviour
        assert b.weight_stress == b.weight_council == b.weight_energy == 0.0
        # the behaviour the docking tests keeps its defaults
        defaults = type(b)()
        for name in ("conditional_slope", "trust_gain", "trust_loss", "weight_norm"):
            assert getattr(b, name) == getattr(defaults, name), name


def test_every_period_is_one_decision_per_member():
    runs = docking.contributions("without_punishment", 3)
    assert len(runs) == docking.PERIODS
    assert all(x in (0.0, 0.25, 0.5, 0.75, 1.0) for x in runs)


def test_the_published_trajectories_are_shares_of_the_endowment():
    lab = docking.experiments()
    assert set(lab) == {"htg2008", "fg2010"}
    for e in lab.values():
        for path in e.paths.values():
            assert len(path) == docking.PERIODS and all(0 <= x <= 1 for x in path)


def test_docking_runs_are_reproducible():
    assert docking.contributions("with_punishment", 5) == docking.contributions(
        "with_punishment", 5
    )
