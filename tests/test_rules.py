"""Each decision rule on its own."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model import rules

unit = st.floats(0.0, 1.0)


def test_logistic_is_a_probability_and_monotone():
    assert rules.logistic(0.0) == 0.5
    assert rules.logistic(-100) == 0.0 and rules.logistic(100) == 1.0
    assert rules.logistic(-1) < rules.logistic(0.5) < rules.logistic(2)


@pytest.mark.parametrize(
    ("kind", "belief", "expected"),
    [
        ("conditional", 0.0, 0.0),
        ("conditional", 0.8, pytest.approx(0.64)),
        ("free_rider", 0.9, 0.0),
        ("triangle", 0.25, 0.5),
        ("triangle", 0.5, 1.0),
        ("triangle", 0.9, pytest.approx(0.2)),
        ("other", 0.1, 0.5),
    ],
)
def test_willingness_follows_the_contribution_schedules(kind, belief, expected):
    assert rules.willingness(kind, belief, 0.8) == expected


@given(unit, unit)
def test_conditional_cooperators_give_at_least_free_riders(belief, slope):
    assert rules.willingness("conditional", belief, slope) >= rules.willingness(
        "free_rider", belief, slope
    )


@given(belief=st.floats(0.01, 1.0), slope=st.floats(0.0, 0.99))
def test_imperfect_conditional_cooperators_give_less_than_they_believe_others_give(belief, slope):
    assert rules.willingness("conditional", belief, slope) < belief


@given(unit)
def test_with_no_other_reason_a_member_pays_with_probability_its_willingness(w):
    """The contribution schedule is the core of delivery: every other weight at zero, the
    probability of paying is the willingness (within the floor)."""
    zero = rules.DeliveryWeights(0, 1.0, 0, 0, 0, 0, 0)
    odds = rules.delivery_log_odds(True, w, 3.0, 1.0, 1.0, 1.0, 0.2, zero, 0.5)
    lo = rules.WILLINGNESS_FLOOR
    assert rules.logistic(odds) == pytest.approx(min(max(w, lo), 1 - lo))


def test_perceived_benefit_weighs_salience_and_discounts_vague_projects():
    assert rules.perceived_benefit(10.0, 0.5, 1.0) == 10.0
    assert rules.perceived_benefit(10.0, 0.5, 0.4) == pytest.approx(4.0)
    assert rules.perceived_benefit(10.0, 0.9, 1.0) > rules.perceived_benefit(10.0, 0.3, 1.0)


def test_benefit_shares_sum_to_one_and_the_host_takes_the_distributive_part():
    shares = rules.benefit_shares([100, 50, 50], public_share=0.4, host=2)
    assert sum(shares) == pytest.approx(1.0)
    assert shares[0] == pytest.approx(0.2)
    assert shares[1] == pytest.approx(0.1)
    assert shares[2] == pytest.approx(0.1 + 0.6)


def test_cost_shares_per_inhabitant_and_equal():
    assert rules.cost_shares([300, 100], "per_inhabitant") == [0.75, 0.25]
    assert rules.cost_shares([300, 100], "equal") == [0.5, 0.5]


def test_budget_stress_grows_with_obligations_and_is_capped():
    assert rules.budget_stress(0.0, 10.0) == 0.0
    assert rules.budget_stress(5.0, 10.0) == 0.5
    assert rules.budget_stress(50.0, 10.0) == 2.0
    assert rules.budget_stress(1.0, 0.0) == 2.0


def test_council_pressure_rises_with_autonomy_and_falls_with_legitimacy():
    assert rules.council_pressure(0.8, 0.2) > rules.council_pressure(0.3, 0.2)
    assert rules.council_pressure(0.8, 0.9) < rules.council_pressure(0.8, 0.2)
    assert rules.council_pressure(0.5, 1.0) == 0.0


VOTE_W = rules.VoteWeights(benefit=1.0, norm=1.0, stress=1.0, council=1.0, pressure=0.5)
DELIVERY_W = rules.DeliveryWeights(
    pledge=0.5, norm=1.0, benefit=1.0, stress=1.0, council=1.0, deterrence=1.0, energy=0.5
)

VOTE_REASONS = {  # each weight and the reason it weighs
    "benefit": ("promised_ratio", 1.6),
    "norm": ("trust_in_others", 0.9),
    "stress": ("stress", 0.8),
    "council": ("pressure", 0.6),
    "pressure": ("external_pressure", 0.9),
}
DELIVERY_REASONS = {
    "pledge": ("chosen", False),
    "norm": ("willingness", 0.9),
    "benefit": ("benefit_ratio", 1.8),
    "stress": ("stress", 0.9),
    "council": ("pressure", 0.7),
    "deterrence": ("deterrence", 0.6),
    "energy": ("energy", 0.2),
}


@pytest.mark.parametrize("weight", list(VOTE_REASONS))
def test_each_vote_weight_weighs_its_own_reason_and_no_other(weight):
    """Named weights cannot be swapped unnoticed: zeroing one silences exactly its reason."""
    base = dict(
        promised_ratio=1.2, trust_in_others=0.6, stress=0.3, pressure=0.2, external_pressure=0.2
    )
    silenced = dataclasses.replace(VOTE_W, **{weight: 0.0})
    for name, (reason, value) in VOTE_REASONS.items():
        moved = {**base, reason: value}
        delta = rules.vote_yes_utility(**moved, weights=silenced) - rules.vote_yes_utility(
            **base, weights=silenced
        )
        assert (delta == 0.0) is (name == weight), (weight, reason)


@pytest.mark.parametrize("weight", list(DELIVERY_REASONS))
def test_each_delivery_weight_weighs_its_own_reason_and_no_other(weight):
    base = dict(
        chosen=True,
        willingness=0.5 + 0.1,
        benefit_ratio=1.0,
        stress=0.3,
        pressure=0.2,
        deterrence=0.1,
        energy=0.8,
    )
    silenced = dataclasses.replace(DELIVERY_W, **{weight: 0.0})
    for name, (reason, value) in DELIVERY_REASONS.items():
        moved = {**base, reason: value}
        delta = rules.delivery_log_odds(
            **moved, weights=silenced, noise=0.5
        ) - rules.delivery_log_odds(**base, weights=silenced, noise=0.5)
        assert (delta == 0.0) is (name == weight), (weight, reason)


def test_the_model_takes_each_weight_from_its_named_behaviour_parameter():
    from sim.model.config import scenario_from_dict
    from sim.model.model import RegionModel
    from tests.conftest import base_scenario_dict

    names = [
        "weight_benefit",
        "weight_norm",
        "weight_stress",
        "weight_council",
        "weight_pressure",
        "weight_pledge",
        "weight_deterrence",
        "weight_energy",
    ]
    behaviour = {n: 0.1 * (i + 1) for i, n in enumerate(names)}  # all different
    model = RegionModel(scenario_from_dict({**base_scenario_dict(), "behaviour": behaviour}))
    for weights in (model.vote_weights, model.delivery_weights):
        for field in dataclasses.fields(weights):
            assert getattr(weights, field.name) == behaviour[f"weight_{field.name}"]


def test_vote_utility_moves_with_each_of_its_reasons():
    base = dict(
        promised_ratio=1.2,
        trust_in_others=0.6,
        stress=0.3,
        pressure=0.2,
        external_pressure=0.2,
        weights=VOTE_W,
    )
    u = rules.vote_yes_utility(**base)
    assert rules.vote_yes_utility(**{**base, "promised_ratio": 1.6}) > u
    assert rules.vote_yes_utility(**{**base, "trust_in_others": 0.9}) > u
    assert rules.vote_yes_utility(**{**base, "stress": 0.8}) < u
    assert rules.vote_yes_utility(**{**base, "pressure": 0.6}) < u
    assert rules.vote_yes_utility(**{**base, "external_pressure": 0.9}) > u


def _delivery(**kw: float | bool) -> float:
    args = dict(
        chosen=True,
        willingness=0.5,
        benefit_ratio=1.0,
        stress=0.3,
        pressure=0.2,
        deterrence=0.0,
        energy=0.8,
    )
    args.update(kw)
    return rules.delivery_log_odds(**args, weights=DELIVERY_W, noise=NOISE)


NOISE = 0.5


@given(
    norm=unit,
    ratio=st.floats(0, 5),
    stress=st.floats(0, 2),
    pressure=unit,
    deterrence=unit,
    energy=unit,
    more=st.floats(0.01, 1.0),
)
def test_delivery_odds_the_withdrawing_movement(
    norm, ratio, stress, pressure, deterrence, energy, more
):
    # inside the willingness floor, where more willingness still counts
    norm = min(max(norm, rules.WILLINGNESS_FLOOR), 0.9)
    base = dict(
        willingness=norm,
        benefit_ratio=ratio,
        stress=stress,
        pressure=pressure,
        deterrence=deterrence,
        energy=energy,
    )
    u = _delivery(**base)
    # A larger own burden (stress) or more council pressure never makes paying more attractive;
    # more deterrence or a stronger norm never makes it less attractive.
    assert _delivery(**{**base, "stress": stress + more}) < u
    assert _delivery(**{**base, "pressure": pressure + more}) < u
    assert _delivery(**{**base, "deterrence": deterrence + more}) > u
    assert _delivery(**{**base, "willingness": norm + more / 20}) > u


def test_a_pledge_one_chose_weighs_more_than_one_imposed():
    assert _delivery(chosen=True) - _delivery(chosen=False) == pytest.approx(
        DELIVERY_W.pledge / NOISE
    )


def test_adopted_weighs_votes_as_the_weights_say():
    votes = [True, False, False]
    assert rules.adopted(votes, [1, 1, 1], 0.5, veto=False) is False
    assert rules.adopted(votes, [121, 45, 30], 0.5, veto=False) is True  # population weights
    assert rules.adopted([True, True, False], [1, 1, 1], 0.5, veto=True) is False
    assert rules.adopted([True, True, True], [1, 1, 1], 1.0, veto=True) is True
    assert rules.adopted([True, True], [1, 1], 1.0, veto=False) is True  # float rounding


@given(t=unit, seen=unit, gain=unit, loss=unit)
def test_trust_moves_toward_what_was_seen_and_stays_in_the_unit_interval(t, seen, gain, loss):
    after = rules.trust_update(t, seen, gain, loss)
    assert 0.0 <= after <= 1.0
    assert min(t, seen) - 1e-12 <= after <= max(t, seen) + 1e-12
    # trust falls only when delivery falls short of it
    assert (after < t) <= (seen < t)


def test_trust_is_lost_faster_than_gained_with_the_default_rates():
    from sim.model.config import Behaviour

    b = Behaviour()
    t = 0.6
    down = t - rules.trust_update(t, t - 0.3, b.trust_gain, b.trust_loss)
    up = rules.trust_update(t, t + 0.3, b.trust_gain, b.trust_loss) - t
    assert down > up > 0


def _settled(rate: float, gain: float, loss: float, start: float, draws) -> float:
    """Mean trust over the second half of a long record of deliveries drawn at `rate`."""
    t, total = start, 0.0
    n = len(draws)
    for i, u in enumerate(draws):
        t = rules.trust_update(t, 1.0 if u < rate else 0.0, gain, loss)
        if i >= n // 2:
            total += t
    return total / (n - n // 2)


rates = st.floats(0.01, 0.5)


@given(
    rate=unit,
    start=unit,
    gain=rates,
    loss=rates,
    seed=st.integers(0, 2**32 - 1),
)
def test_under_a_steady_delivery_rate_trust_settles_whatever_it_started_at(
    rate, start, gain, loss, seed
):
    """A steady record: trust forgets where it started and settles at one level."""
    import random

    rnd = random.Random(seed)
    record = [rnd.random() for _ in range(4000)]
    a = _settled(rate, gain, loss, start, record)
    b = _settled(rate, gain, loss, 1.0 - start, record)
    assert a == pytest.approx(b, abs=0.02)


@given(
    low=st.floats(0.0, 0.9),
    step=st.floats(0.1, 1.0),
    gain=rates,
    loss=rates,
    seed=st.integers(0, 2**32 - 1),
)
def test_the_settled_trust_rises_with_the_delivery_rate(low, step, gain, loss, seed):
    """Shown on the same record of chances: a partner delivering more often is trusted more
    once trust has settled, at the level where expected gains and losses balance,
    gain x rate / (gain x rate + loss x (1 - rate)): above zero whenever it delivers at all."""
    import random

    high = min(1.0, low + step)
    rnd = random.Random(seed)
    record = [rnd.random() for _ in range(4000)]
    at_low = _settled(low, gain, loss, 0.5, record)
    at_high = _settled(high, gain, loss, 0.5, record)
    assert at_high > at_low
    balance = gain * high / (gain * high + loss * (1.0 - high))
    assert at_high == pytest.approx(balance, abs=0.06)


@given(seen=unit, gain=st.floats(0.05, 0.5), loss=st.floats(0.05, 0.5))
def test_a_deterministic_steady_record_is_its_own_fixed_point(seen, gain, loss):
    t = 0.5
    for _ in range(1000):
        t = rules.trust_update(t, seen, gain, loss)
    assert t == pytest.approx(seen, abs=1e-3)


@given(e=unit, load=st.floats(0, 5), rec=unit)
def test_energy_stays_in_unit_interval_and_load_drains(e, load, rec):
    after = rules.energy_after(e, load, rec)
    assert 0.0 <= after <= 1.0
    assert after <= rules.energy_after(e, 0.0, rec)


def test_legitimacy_moves_toward_grip_and_results():
    assert rules.legitimacy_after(0.5, 1.0, 1.0, 0.1) == pytest.approx(0.55)
    assert rules.legitimacy_after(0.5, 0.0, 0.0, 0.1) == pytest.approx(0.45)


def test_leaves_only_when_allowed_unhappy_and_able_to_pay():
    assert rules.leaves(0.1, 0.2, fee=1.0, room=2.0, allowed=True)
    assert not rules.leaves(0.1, 0.2, fee=1.0, room=2.0, allowed=False)
    assert not rules.leaves(0.3, 0.2, fee=1.0, room=2.0, allowed=True)
    assert not rules.leaves(0.1, 0.2, fee=3.0, room=2.0, allowed=True)


def test_benefit_shares_without_the_host_lose_the_distributive_part():
    shares = rules.benefit_shares([100, 100], public_share=0.4, host=None)
    assert shares == [pytest.approx(0.2), pytest.approx(0.2)]


def test_large_coalitions_update_trust_by_the_same_rule_pair_by_pair():
    """Above LARGE_GROUP members the update is one array operation (sim/model/trust.py); it must
    give
    exactly what rules.trust_update gives for every ordered pair, and leave no self-trust."""
    import numpy as np

    from sim.model.config import load_scenario
    from sim.model.model import RegionModel
    from sim.model.trust import LARGE_GROUP

    model = RegionModel(load_scenario("network", region=f"synthetic:{LARGE_GROUP + 8}"), seed=3)
    members = list(model.municipalities)[: LARGE_GROUP + 5]
    rng = np.random.default_rng(11)
    for m in members:  # varied beliefs, so both the gain and the loss branch are taken
        for o in members:
            if o is not m:
                m.set_trust(o.index, float(rng.uniform()))
    seen = [float(x) for x in rng.uniform(size=len(members))]
    before = {
        (m.index, o.index): m.trust_of(o.index) for m in members for o in members if o is not m
    }
    gain, loss = 0.25, 0.5
    model.trust.update(members, seen, gain, loss)
    for m in members:
        for pos, o in enumerate(members):
            if o is m:
                continue
            image = float(model.trust.images[m.index, o.index])  # the culture's images
            seen_by_m = rules.seen_through_image(seen[pos], image)
            expected = rules.trust_update(before[(m.index, o.index)], seen_by_m, gain, loss)
            assert m.trust_of(o.index) == expected  # to the last bit


def _participation_by_the_book(u_full, u_solidarity, noise, u):
    """Multinomial logit over none (utility 0), full and, if offered, solidarity, read off the
    cumulative weights in that order: the textbook form participation_mode computes inline."""
    import math

    options = [("none", 0.0), ("full", u_full)]
    if u_solidarity is not None:
        options.append(("solidarity", u_solidarity))
    top = max(v for _, v in options)
    weights = [math.exp((v - top) / noise) for _, v in options]
    x = u * sum(weights)
    acc = 0.0
    for (name, _), w in zip(options, weights, strict=True):
        acc += w
        if x < acc:
            return name
    return options[-1][0]


utility = st.floats(-40.0, 40.0, allow_nan=False)


@given(
    utility,
    st.one_of(st.none(), utility),
    st.floats(0.05, 5.0),
    st.floats(0.0, 1.0, exclude_max=True),
)
def test_participation_mode_is_the_multinomial_logit(u_full, u_sol, noise, u):
    assert rules.participation_mode(u_full, u_sol, noise, u) == _participation_by_the_book(
        u_full, u_sol, noise, u
    )
