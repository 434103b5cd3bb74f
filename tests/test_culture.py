"""Culture as mechanisms (docs/ODD.md, 7.13): the relational rules on their own (properties),
the [culture] table as a scenario lever, and what the levers do to runs (over seeds)."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import RegionModel, load_scenario
from sim.model import rules
from sim.model.config import Behaviour, ConfigError, Culture
from sim.present import i18n
from sim.present.listing import rules as rules_listing
from sim.study.whatif import default_base, rule_differences

unit = st.floats(0.0, 1.0)
base_insincerity = st.floats(0.0, 0.5)


# --- the rules ---------------------------------------------------------------------------------


@given(unit, unit, st.floats(0.01, 1.0))
def test_ownership_moves_toward_the_experience_and_stays_a_share(own, experience, rate):
    after = rules.ownership_after(own, experience, rate)
    assert 0.0 <= after <= 1.0
    assert min(own, experience) - 1e-12 <= after <= max(own, experience) + 1e-12
    assert abs(after - experience) <= abs(own - experience) + 1e-12


@given(unit, unit, st.floats(0.0, 5.0))
def test_an_owner_pays_more_readily_than_a_client(a, b, weight):
    lo, hi = sorted((a, b))
    assert rules.owner_utility(lo, weight) <= rules.owner_utility(hi, weight)
    assert rules.owner_utility(0.5, weight) == 0.0


@given(base_insincerity, unit, unit, unit)
def test_a_conversation_and_ownership_make_an_insincere_yes_rarer(base, talk, own, other):
    p = rules.insincere_chance(base, talk, own)
    assert 0.0 <= p <= 1.0
    assert rules.insincere_chance(base, max(talk, other), own) <= p + 1e-12  # more talk
    assert rules.insincere_chance(base, talk, max(own, other)) <= p + 1e-12  # more ownership
    assert rules.insincere_chance(base, 0.0, 0.5) == pytest.approx(base)  # neutral: the base


def test_right_after_a_conversation_insincerity_falls_to_the_face_to_face_rate():
    assert rules.insincere_chance(0.39, 1.0, 0.5) == pytest.approx(rules.OPEN_INSINCERITY)
    assert rules.insincere_chance(0.02, 1.0, 0.5) == pytest.approx(0.02)  # never raised


@given(st.integers(0, 240), st.integers(0, 240), st.floats(0.5, 60.0))
def test_a_conversations_effect_fades_and_is_gone_without_one(a, b, half_life):
    early, late = sorted((a, b))
    assert rules.talk_in_effect(None, half_life) == 0.0
    assert rules.talk_in_effect(0, half_life) == 1.0
    assert rules.talk_in_effect(late, half_life) <= rules.talk_in_effect(early, half_life)
    assert rules.talk_in_effect(round(half_life * 2), half_life) == pytest.approx(
        0.5 ** (round(half_life * 2) / half_life)
    )


@given(unit, st.floats(0.0, 0.5), st.floats(0.0, 1.0))
def test_an_image_reads_delivery_worse_and_contact_shrinks_it(seen, image, rate):
    read = rules.seen_through_image(seen, image)
    assert 0.0 <= read <= seen
    after = rules.image_after_contact(image, rate)
    assert 0.0 <= after <= image


@given(st.booleans(), unit, unit)
def test_a_forum_never_forgives_a_pledge_never_meant(explained, p_explained, p_unexplained):
    assert rules.forgives(explained, False, p_explained, p_unexplained) == 0.0
    expected = p_explained if explained else p_unexplained
    assert rules.forgives(explained, True, p_explained, p_unexplained) == expected


# --- the [culture] table -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_culture_key_is_listed_by_samenspel_rules_with_its_meaning(lang):
    listing = rules_listing(lang)
    for name in Culture.model_fields:
        assert name in listing
        assert i18n.text(f"rules.culture.{name}", lang).strip()
        assert i18n.text(f"app.culture.{name}", lang).strip()


def test_a_bad_culture_value_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match="insincerity"):
        load_scenario("split-2022", culture={"insincerity": 0.9})
    with pytest.raises(ConfigError, match="forum_every"):
        load_scenario("split-2022", culture={"forum_every": 3})


def test_culture_first_2022_changes_the_culture_and_not_the_rules():
    alternative = load_scenario("culture-first-2022")
    base = default_base(alternative)
    assert base.name == "split-2022"
    assert base.culture == load_scenario("split-2022").culture
    kinds = {d.kind for d in rule_differences(base, alternative)}
    assert kinds == {"culture"}


# --- what the levers do, over seeds ------------------------------------------------------------

SEEDS = range(80)


def _mean(name: str, outcome: str, **levers: object) -> list[float]:
    """An outcome of a preset's ten-year runs on SEEDS, with the culture levers given."""
    return [RegionModel(name, seed=s, **levers).run().recorder.summary()[outcome] for s in SEEDS]


def _paired_gain(a: list[float], b: list[float]) -> tuple[float, float]:
    d = [y - x for x, y in zip(a, b, strict=True) if x == x and y == y]
    return statistics.fmean(d), statistics.stdev(d) / len(d) ** 0.5


@pytest.mark.slow
def test_a_forum_gives_back_trust_that_explained_breaches_took():
    without = _mean("split-2022", "trust_mean")
    with_forum = _mean("split-2022", "trust_mean", forum_interval_months=3)
    gain, se = _paired_gain(without, with_forum)
    assert gain > 3 * se > 0


@pytest.mark.slow
def test_an_honest_conversation_raises_commitment():
    without = _mean("split-2022", "commitment")
    talking = _mean("split-2022", "commitment", conversation_interval_months=6)
    gain, se = _paired_gain(without, talking)
    assert gain > 3 * se > 0


@pytest.mark.slow
def test_more_insincerity_lowers_commitment():
    honest = _mean("network", "commitment", insincerity=0.02)  # every member chose its pledge
    hollow = _mean("network", "commitment", insincerity=0.39)
    gain, se = _paired_gain(honest, hollow)
    assert -gain > 3 * se > 0


@pytest.mark.slow
def test_ownership_is_higher_where_members_choose_than_where_decisions_bind_them():
    imposed = _mean("grd", "ownership_mean")  # a regional council's majority binds everyone
    chosen = _mean("network", "ownership_mean")  # each joins the projects it wants
    gain, se = _paired_gain(imposed, chosen)
    assert gain > 3 * se > 0


# --- a key in the wrong table is named with its own ---------------------------------------------

_TABLES = {"behaviour": Behaviour, "culture": Culture}


@pytest.mark.parametrize(
    ("key", "home"), [(k, t) for t, model in _TABLES.items() for k in model.model_fields]
)
def test_a_key_put_in_another_table_is_named_with_its_own(key, home):
    value = getattr(_TABLES[home](), key)
    elsewhere = {
        "other table": {("culture" if home == "behaviour" else "behaviour"): {key: value}},
        "own arrangement": {
            "arrangements": {"mine": {"based_on": "grd", key: value}},
            "governance": {"mobility": "mine"},
        },
        "top level": {key: value},
    }
    for where, change in elsewhere.items():
        with pytest.raises(ConfigError) as err:
            load_scenario("grd", **change)
        assert f"{key!r} belongs in the [{home}] table" in str(err.value), where


def test_compare_says_when_chosen_scenarios_run_different_calendars(tmp_path, capsys):
    from sim.present.cli.program import main

    argv = ["compare", "--replicates", "2", "--workers", "1", "--no-progress"]
    assert (
        main([*argv, "--scenarios", "split-2022,culture-first-2022", "--out", str(tmp_path / "a")])
        == 0
    )
    assert "start in different years (split-2022 2022, culture-first-2022 2024)" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--scenarios", "split-2022,classic-gr", "--out", str(tmp_path / "b")]) == 0
    assert "different years" not in capsys.readouterr().err
