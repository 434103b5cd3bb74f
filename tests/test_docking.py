"""Docking: the model reduced to a repeated public-goods game reproduces the laboratory's dynamics.

Criteria and tolerances are those of docs/ODD.md, section 9, stated before the comparison:
contributions decay without punishment and hold with it; the level without punishment within
0.15 of the endowment (mean absolute deviation over ten periods) of Fischbacher & Gächter
(2010); with punishment within 0.15 of Herrmann, Thöni & Gächter (2008).
"""

from __future__ import annotations

import pytest

from sim import docking
from sim.config import load_scenario

SEEDS = range(200)
TOLERANCE = 0.15

pytestmark = pytest.mark.patterns


@pytest.fixture(scope="module")
def paths():
    return {c: docking.trajectory(c, SEEDS) for c in docking.CONDITIONS}


@pytest.fixture(scope="module")
def lab():
    return docking.experiments()


def test_the_game_is_a_reduction_by_scenario_settings_alone():
    for file in docking.CONDITIONS.values():
        sc = load_scenario(str(docking.DOCKING / file))
        assert sc.region == "identical:4" and list(sc.governance) == ["mobility"]
        b = sc.behaviour
        assert b.weight_stress == b.weight_council == b.weight_energy == 0.0


def test_without_punishment_contributions_decay(paths):
    m = paths["without_punishment"].mean
    assert m[-1] <= 0.5 * m[0], m


def test_with_punishment_contributions_do_not_decay(paths):
    m = paths["with_punishment"].mean
    assert m[-1] >= m[0] - 0.05, m


def test_punishment_raises_contributions_once_it_has_been_seen(paths):
    """From the second period on (in the laboratory the first periods are alike)."""
    with_, without = paths["with_punishment"], paths["without_punishment"]
    for t in range(1, docking.PERIODS):
        assert with_.low[t] > without.high[t], t


def test_the_level_without_punishment_matches_fischbacher_and_gaechter_2010(paths, lab):
    mad = docking.mean_absolute_deviation(
        paths["without_punishment"].mean, lab["fg2010"].paths["without_punishment"]
    )
    assert mad <= TOLERANCE, mad


def test_the_level_with_punishment_matches_herrmann_thoeni_and_gaechter_2008(paths, lab):
    mad = docking.mean_absolute_deviation(
        paths["with_punishment"].mean, lab["htg2008"].paths["with_punishment"]
    )
    assert mad <= TOLERANCE, mad


def test_docking_runs_are_reproducible():
    assert docking.contributions("with_punishment", 5) == docking.contributions(
        "with_punishment", 5
    )
