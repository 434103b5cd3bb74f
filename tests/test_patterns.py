"""DOMAIN.md patterns 1, 2, 3 and 7 under multiple-local, as statistical assertions over seeds.

Each test compares emergent outcomes over many seeds (paired by seed where two set-ups are
compared) and asserts a direction with a t statistic well beyond chance. Nothing here reads an
arrangement's name: set-ups differ only in their rules.
"""

from __future__ import annotations

import statistics

import pytest

from sim.config import scenario_from_dict
from tests.conftest import base_scenario_dict, paired_t, run, variant

SEEDS = range(200)
T_MIN = 3.0  # |t| > 3: a one-in-a-thousand fluke at most, so a real failure, not noise

pytestmark = pytest.mark.patterns


def summaries(scenario, seeds=SEEDS):
    return [run(scenario, s).recorder.summary() for s in seeds]


@pytest.fixture(scope="module")
def ml():
    return summaries(variant())


def col(rows, key):
    return [r[key] for r in rows]


def test_pattern1_commitment_decays_under_multiple_local():
    """Commitment in the last three years is below that in the first three, seed by seed."""
    first, last = [], []
    for s in range(300):
        c = run(variant(), s).recorder.columns
        due1, due2 = sum(c["due"][:36]), sum(c["due"][-36:])
        if due1 > 0 and due2 > 0:
            first.append(sum(c["paid"][:36]) / due1)
            last.append(sum(c["paid"][-36:]) / due2)
    diff, t = paired_t(first, last)
    assert diff < 0 and t < -T_MIN, (diff, t)


@pytest.mark.parametrize(
    "rules",
    [
        {"meeting_interval_months": 6},
        {"meeting_interval_months": 6, "monitoring": 0.8, "sanction": 0.5},
    ],
    ids=["tables-twice-a-year", "tables-twice-a-year-with-steering-room"],
)
def test_pattern1_all_seven_every_month_has_most_meeting_load_least_progress_per_hour(ml, rules):
    other = summaries(variant(**rules))
    d_hours, t_hours = paired_t(col(ml, "meeting_hours"), col(other, "meeting_hours"))
    assert d_hours < 0 and t_hours < -T_MIN
    d_eff, t_eff = paired_t(
        col(ml, "progress_per_meeting_hour"), col(other, "progress_per_meeting_hour")
    )
    assert d_eff > 0 and t_eff > T_MIN, (d_eff, t_eff)


def test_pattern2_concrete_local_benefit_gathers_more_commitment_than_distributive(ml):
    d, t = paired_t(col(ml, "commitment_housing"), col(ml, "commitment_mobility"))
    assert d > 0 and t > T_MIN, (d, t)


def test_pattern3_a_larger_own_cost_share_lowers_delivery():
    """Equal shares instead of shares per inhabitant raise the small municipalities' share and
    lower the centre's; delivery moves the other way (the withdrawing movement)."""
    per_inhabitant = variant()
    equal = variant(cost_allocation="equal")

    def delivery(scenario):
        paid: dict[str, float] = {}
        due: dict[str, float] = {}
        for s in SEEDS:
            for row in run(scenario, s).recorder.municipality_rows():
                paid[row["municipality"]] = paid.get(row["municipality"], 0.0) + row["paid"]
                due[row["municipality"]] = due.get(row["municipality"], 0.0) + row["due"]
        return {k: paid[k] / due[k] for k in paid}

    a, b = delivery(per_inhabitant), delivery(equal)
    small = ["Sliedrecht", "Alblasserdam", "Hardinxveld-Giessendam"]
    for name in small:
        assert b[name] < a[name] - 0.03, (name, a[name], b[name])
    assert b["Dordrecht"] > a["Dordrecht"] + 0.03


def test_pattern7_a_budget_shock_raises_free_riding():
    base = base_scenario_dict()
    calm = scenario_from_dict(base)
    shocked = scenario_from_dict({**base, "shocks": [{"month": 36, "cut": 0.3, "months": 36}]})
    window = slice(36, 72)
    rows = []
    for s in SEEDS:
        c = run(calm, s).recorder.columns
        k = run(shocked, s).recorder.columns
        rows.append(
            (
                sum(c["due"][window]),
                sum(c["paid"][window]),
                sum(k["due"][window]),
                sum(k["paid"][window]),
            )
        )
    calm_commitment = sum(r[1] for r in rows) / sum(r[0] for r in rows)
    shocked_commitment = sum(r[3] for r in rows) / sum(r[2] for r in rows)
    assert shocked_commitment < calm_commitment - 0.02, (calm_commitment, shocked_commitment)
    withheld_calm = [1 - r[1] / r[0] for r in rows if r[0] > 0 and r[2] > 0]
    withheld_shocked = [1 - r[3] / r[2] for r in rows if r[0] > 0 and r[2] > 0]
    d, t = paired_t(withheld_calm, withheld_shocked)
    assert d > 0 and t > T_MIN, (d, t)
    assert statistics.fmean(withheld_shocked) > statistics.fmean(withheld_calm)
