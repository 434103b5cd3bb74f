"""`samenspel whatif`: paired differences, verdicts from the catalogue, rules that differ from the
data, both languages, and the command line's refusals (public interfaces only)."""

from __future__ import annotations

import dataclasses
import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.config import Arrangement, load_scenario, scenario_from_dict
from sim.model.outcomes import MUNICIPAL, definition, outcome
from sim.present import whatif_answer, whatif_glossary, whatif_page
from sim.present.i18n import catalogue, description, label, text
from sim.study import whatif, whatif_rank
from sim.study.stats import interval_columns
from tests.conftest import samenspel

pytestmark = pytest.mark.slow  # end to end: whole commands, processes of their own

REPLICATES = 6


@pytest.fixture(scope="module")
def service() -> whatif.WhatIf:
    alt, base = whatif.scenarios("dordrecht-service", years=3)
    return whatif.whatif(alt, base, REPLICATES, workers=1)


@pytest.fixture(scope="module")
def itself() -> whatif.WhatIf:
    alt = load_scenario("split-2022", years=2)
    twin = scenario_from_dict({**alt.model_dump(), "name": "split-2022-twin"})
    return whatif.whatif(twin, alt, REPLICATES, workers=1)


def test_the_difference_is_the_mean_of_the_per_seed_differences(service):
    runs = service.comparison.runs
    base = runs[runs["scenario"] == service.base.name].set_index("seed")
    alt = runs[runs["scenario"] == service.alternative.name].set_index("seed")
    for key in ("commitment", "meeting_hours", "grip_mean"):
        per_seed = (alt[key] - base[key]).dropna()
        row = service.outcomes.set_index("outcome").loc[key]
        assert row["difference"] == pytest.approx(per_seed.mean())
        assert row["n"] == len(per_seed) == REPLICATES
        half = (row["ci_high"] - row["ci_low"]) / 2
        assert half == pytest.approx(2.5706 * per_seed.std() / math.sqrt(REPLICATES), rel=1e-3)


def test_per_municipality_differences_are_paired_too(service):
    m = service.comparison.municipal_runs
    place = m["municipality"].iloc[0]
    mine = m[m["municipality"] == place]
    b = mine[mine["scenario"] == service.base.name].set_index("seed")["net_cost"]
    a = mine[mine["scenario"] == service.alternative.name].set_index("seed")["net_cost"]
    d = service.municipalities.set_index(["municipality", "outcome"]).loc[(place, "net_cost")]
    assert d["difference"] == pytest.approx((a - b).mean())


@pytest.mark.parametrize(
    ("low", "high", "better", "expected"),
    [
        (0.1, 0.2, "higher", "better"),
        (0.1, 0.2, "lower", "worse"),
        (-0.2, -0.1, "lower", "better"),
        (-0.2, -0.1, "higher", "worse"),
        (-0.1, 0.1, "higher", "none"),
        (0.1, 0.2, None, "higher"),
        (-0.2, -0.1, None, "lower"),
        (math.nan, math.nan, "higher", "none"),
    ],
)
def test_verdict_follows_the_interval_and_the_good_direction(low, high, better, expected):
    assert whatif.verdict(low, high, better) == expected


def test_direction_marks_follow_the_catalogue(service):
    for _, r in pd.concat([service.outcomes, service.intermediates]).iterrows():
        if r["outcome"].startswith("event_"):
            continue
        expected = whatif.verdict(r["ci_low"], r["ci_high"], outcome(r["outcome"]).better)
        assert r["verdict"] == ("same" if r["fixed"] and r["difference"] == 0 else expected)
    for _, r in service.municipalities.iterrows():
        better = MUNICIPAL[r["outcome"]].better
        expected = whatif.verdict(r["ci_low"], r["ci_high"], better)
        assert r["verdict"] == ("same" if r["fixed"] and r["difference"] == 0 else expected)


def test_a_scenario_against_the_same_rules_is_the_same_as_a_fact(itself):
    assert itself.rules == []
    for table in (itself.outcomes, itself.intermediates, itself.municipalities):
        assert set(table["verdict"]) == {"same"}  # every seed equal: fixed, not "no evidence"
        assert (table["difference"].fillna(0) == 0).all()
    for lang in ("en", "nl"):
        said = " ".join(whatif_page.explanation(itself, lang))
        assert catalogue(lang)["whatif.no_rule_differs"] in said


def test_the_explanation_names_the_rules_that_differ_in_the_data(service):
    base, alt = service.base, service.alternative
    for lang in ("en", "nl"):
        said = " ".join(whatif_page.explanation(service, lang))
        expected = set()
        for theme, a in alt.resolved_arrangements().items():
            b = base.resolved_arrangements()[theme]
            for f in Arrangement.model_fields:
                if f not in ("label", "label_nl", "description") and getattr(a, f) != getattr(b, f):
                    expected.add(f)
            if a != b:
                assert label(a, lang) in said and label(b, lang) in said
        assert expected, "dordrecht-service differs from its base in some rule"
        for f in expected:
            words = catalogue(lang)
            name = words.get(f"app.rule.{f}") or words[f"whatif.rule.{f}"]
            assert name[:1].lower() + name[1:] in said, f
        same = [
            f
            for f in Arrangement.model_fields
            if f not in expected and f"whatif.rule.{f}" in catalogue(lang)
        ]
        for f in same:  # a rule that is the same everywhere is not named as a difference
            assert catalogue(lang)[f"whatif.rule.{f}"] + ":" not in said


def test_every_rule_has_words_in_both_languages():
    for lang in ("en", "nl"):
        words = catalogue(lang)
        for f in Arrangement.model_fields:
            if f not in ("label", "label_nl", "description"):
                assert f"app.rule.{f}" in words or f"whatif.rule.{f}" in words, f


def test_both_languages_render_and_dutch_has_decimal_commas(service):
    en, nl = whatif_page.format_text(service, "en"), whatif_page.format_text(service, "nl")
    for lang, printed in (("en", en), ("nl", nl)):  # the question in words comes first
        first = " ".join(printed.split("\n\n")[0].split())  # wrapped to the terminal's width
        assert first.startswith(description(service.alternative, lang))
    commitment = service.outcomes.set_index("outcome").loc["commitment", "base"]
    assert f"{commitment:.2f}".replace(".", ",") in nl
    assert f"{commitment:.2f}" in en
    for lang in ("en", "nl"):
        html = whatif_page.page(service, lang)
        assert f'<html lang="{lang}">' in html and "@media print" in html
        assert "http://" not in html and "https://" not in html
        assert max(len(line) for line in whatif_page.format_text(service, lang).splitlines()) <= 100


def test_the_command_writes_the_page_the_text_and_the_tables(tmp_path):
    out = tmp_path / "wi"
    r = samenspel(
        [
            "whatif",
            "dordrecht-service",
            "--replicates",
            "4",
            "--years",
            "2",
            "--lang",
            "nl",
            "--out",
            str(out),
            "--no-progress",
            "--workers",
            "1",
        ],
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "Wat als Dordrecht voor alle taken dienstverlenende gemeente zou zijn"
    )
    for name in ("whatif.html", "whatif.txt", "differences.parquet", "municipal_differences.csv"):
        assert (out / name).is_file(), name
    diffs = pd.read_parquet(out / "differences.parquet")
    assert {"outcome", "difference", "ci_low", "ci_high", "verdict"} <= set(diffs.columns)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no-such-scenario"], "no-such-scenario"),
        (["split-2022", "--base", "split-2022"], "--base"),
        (["split-2022", "--base", "nope"], "--base"),
        (["split-2022", "--lang", "fr"], "--lang"),
    ],
)
def test_bad_input_stops_with_status_2_and_writes_nothing(tmp_path, args, says):
    r = samenspel(["whatif", *args, "--replicates", "2", "--no-progress"], cwd=tmp_path)
    assert r.returncode == 2
    assert says in r.stderr
    assert not (tmp_path / "results").exists()


@pytest.fixture(scope="module")
def culture() -> whatif.WhatIf:
    alt, base = whatif.scenarios("culture-first-2022", years=2)
    return whatif.whatif(alt, base, 3, workers=1)


@pytest.mark.parametrize(
    ("lang", "sentence", "mechanism"),
    [
        (
            "en",
            "The partners work together differently (apart from the rules): an honest "
            "conversation about each one's interest: none → every 6 months; a forum on the "
            "quality of the cooperation: none → every 3 months.",
            "a forum on the quality of the cooperation and an honest conversation about each "
            "one's interest",
        ),
        (
            "nl",
            "De partners werken anders samen (los van de regels): een eerlijk gesprek over "
            "ieders belang: geen → elke 6 maanden; een overleg over de kwaliteit van de "
            "samenwerking: geen → elke 3 maanden.",
            "een overleg over de kwaliteit van de samenwerking en een eerlijk gesprek over "
            "ieders belang",
        ),
    ],
)
def test_a_culture_difference_is_named_in_words_a_room_reads(culture, lang, sentence, mechanism):
    """The culture the preset invests in, against the one of the preset it replaces: named
    mid-sentence (not with the app's "(0 = none)"), how often as "every 6 months", and as
    what a mechanism follows from (or despite which it did not move)."""
    assert [d.kind for d in culture.rules] == ["culture", "culture"]
    said = whatif_page.explanation(culture, lang)
    assert sentence in said
    assert any(mechanism in s for s in said if s != sentence)
    assert "(0 = " not in " ".join(said)
    html = whatif_page.page(culture, lang)
    assert sentence.split(": ")[0] in html


def test_every_culture_key_has_a_name_for_mid_sentence_in_both_languages():
    from sim.model.config import Culture

    for lang in ("en", "nl"):
        for f in Culture.model_fields:
            name = catalogue(lang)[f"whatif.culture.{f}"]
            assert name and "(0 =" not in name


def test_what_the_rules_fix_is_stated_as_fact_and_only_estimates_carry_intervals(service):
    rows = service.outcomes.set_index("outcome")
    assert bool(rows.loc["meeting_hours", "fixed"])  # hours follow from the meeting rules
    assert bool(rows.loc["transition_cost", "fixed"])
    assert not bool(rows.loc["commitment", "fixed"])  # chance moves it from seed to seed
    for lang in ("en", "nl"):
        said = text("common.fixed_by_rules", lang)
        lines = whatif_page.format_text(service, lang).splitlines()
        for key, fixed in (("meeting_hours", True), ("commitment", False)):
            shown = whatif_page.signed(outcome(key), rows.loc[key, "difference"], lang)
            row = next(ln for ln in lines if f" {shown} " in ln and ln.startswith("  "))
            assert (said in row) is fixed and ("[" in row) is not fixed, (lang, key, row)


@given(st.floats(-1e6, 1e6), st.integers(2, 50), st.floats(1e-6, 10.0))
def test_a_quantity_is_fixed_exactly_when_every_seed_gives_it(value, n, noise):
    same = pd.DataFrame({"g": ["a"] * n, "value": [value] * n})
    assert bool(interval_columns(same, ["g"])["fixed"].iloc[0])
    step = noise * max(1.0, abs(value))  # well above FIXED, relative to the value
    varied = pd.DataFrame({"g": ["a"] * n, "value": [value + step * (i % 2) for i in range(n)]})
    assert not bool(interval_columns(varied, ["g"])["fixed"].iloc[0])


# --- the answer first (issue 23) -------------------------------------------------------------


def test_the_printed_answer_comes_first_in_at_most_150_words(service):
    for lang in ("en", "nl"):
        first = whatif_answer.text_lines(service, lang)
        words = [t for t in " ".join(first).split() if any(c.isalnum() for c in t)]
        assert len(words) <= 150, (lang, len(words))
        printed = whatif_page.format_text(service, lang)
        said = " ".join(printed.split())
        assert said.startswith(" ".join(" ".join(first).split()))  # before anything else
        method = " ".join(whatif_page.intro(service, lang)[-1].split())
        assert said.index(method) > said.index(whatif_answer.verdict(service, lang))


def test_differences_rank_by_their_size_against_the_spread(service):
    ranked = whatif_rank.importance(service)
    runs = service.comparison.runs
    for _, r in ranked.iterrows():
        b = runs.loc[runs["scenario"] == service.base.name, r["outcome"]].astype(float)
        a = runs.loc[runs["scenario"] == service.alternative.name, r["outcome"]].astype(float)
        sd = math.sqrt((b.var() + a.var()) / 2)
        scale = max(sd, 0.05 * max(abs(b.mean()), abs(a.mean())))
        expected = abs(a.mean() - b.mean()) / scale if scale > 0 else 0.0
        assert r["importance"] == pytest.approx(expected, rel=1e-6, abs=1e-9), r["outcome"]
    assert list(ranked["importance"]) == sorted(ranked["importance"], reverse=True)
    assert set(ranked["outcome"]).isdisjoint(whatif.CRITERIA)  # scores of the others, not ranked
    order = list(ranked["outcome"])
    # both fixed by the rules: a 93% cut in meeting hours outranks a 0.15% rise in service cost
    assert order.index("meeting_hours") < order.index("service_cost_per_inhabitant")


def test_the_answer_names_the_largest_loss_among_its_differences(service):
    chosen = whatif_rank.top(service)
    assert 1 <= len(chosen) <= whatif_rank.TOP
    assert set(chosen["verdict"]) <= set(whatif_rank.CLEAR)
    ranked = whatif_rank.importance(service)
    losses = ranked[ranked["verdict"] == "worse"]
    assert len(losses), "dordrecht-service loses on something (its transition, at least)"
    assert losses["outcome"].iloc[0] in set(chosen["outcome"])


def test_the_headline_outcomes_that_differ_clearly_are_always_named(service):
    """Commitment, free-riding and progress are what samenspel is asked about: where one
    differs clearly it is named, even behind what ranks higher by size against spread; the
    rows stand in order of importance."""
    from sim.model.outcomes import HEADLINE

    chosen = list(whatif_rank.top(service)["outcome"])
    ranked = whatif_rank.importance(service)
    clear = ranked[ranked["verdict"].isin(whatif_rank.CLEAR)]
    headline = [k for k in clear["outcome"] if k in HEADLINE]
    assert "commitment" in headline  # 0.39 -> 0.60 under dordrecht-service
    assert set(headline) <= set(chosen)
    shown = whatif_rank.top(service)["importance"].tolist()
    assert shown == sorted(shown, reverse=True)


def test_a_planted_loss_is_named_even_behind_five_larger_gains(service):
    """Turn every clear difference but the smallest loss into a gain: the answer keeps that
    one loss in place of its last gain."""
    ranked = whatif_rank.importance(service)
    clear = ranked[ranked["verdict"].isin(whatif_rank.CLEAR)]
    smallest = clear[clear["verdict"] == "worse"]["outcome"].iloc[-1]
    planted = service.outcomes.copy()
    others = planted["verdict"].isin(whatif_rank.CLEAR) & (planted["outcome"] != smallest)
    planted.loc[others, "verdict"] = "better"
    chosen = whatif_rank.top(dataclasses.replace(service, outcomes=planted))
    assert smallest in set(chosen["outcome"])
    assert (chosen["verdict"] == "better").sum() == len(chosen) - 1


def test_what_the_rules_fix_is_a_fact_in_the_answer_and_an_estimate_has_its_interval(service):
    rows = service.outcomes.set_index("outcome")
    for lang in ("en", "nl"):
        found = whatif_answer.items(service, lang)
        assert any(it.fixed for it in found) and any(not it.fixed for it in found)
        for it in found:
            assert it.fixed == bool(rows.loc[it.key, "fixed"])
            if it.fixed:
                assert it.certainty == text("common.fixed_by_rules", lang)
                assert "±" not in it.certainty and "[" not in it.certainty
            else:
                assert "±" in it.certainty
            assert whatif_rank.fixed(service, it.key) or not it.fixed


def test_each_reason_names_rules_that_differ_along_the_models_channels(service):
    differing = {d.field for d in service.rules}
    reason = whatif_rank.reason(service, "meeting_hours")
    assert reason is not None and reason.via is None
    assert {d.field for d in reason.rules} <= differing
    assert "meeting_interval_months" in {d.field for d in reason.rules}
    energy = whatif_rank.reason(service, "energy_mean")
    if energy is not None:  # energy moved: through meeting hours, the channel says
        assert energy.via is not None and energy.via["outcome"] == "meeting_hours"
    words = {it.key: it.why for it in whatif_answer.items(service, "en")}
    if "meeting_hours" in words:
        assert "months between meetings" in words["meeting_hours"]


def test_every_outcome_the_page_shows_is_defined_in_both_languages():
    keys = [*whatif.RESULTS, *whatif.INTERMEDIATE, *MUNICIPAL]
    for key in keys:
        en, nl = definition(key, "en"), definition(key, "nl")
        assert en and nl and en != nl, key
    assert "negative" in (definition("service_efficiency_gain", "en") or "")
    assert "negatieve" in (definition("service_efficiency_gain", "nl") or "")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_glossary_lists_the_words_the_answer_uses_and_only_those(service, lang):
    printed = whatif_page.format_text(service, lang)
    head = text("whatif_answer.glossary_head", lang)
    body, _, listed = printed.rpartition("\n" + head + "\n")
    terms = [line.strip().split(": ")[0] for line in listed.splitlines() if line.startswith("  ")]
    terms = [t for t in terms if t]
    for it in whatif_answer.items(service, lang):
        assert it.label in terms  # every difference the answer names is explained
    for term in whatif_glossary.general(lang):
        shown = term.term in terms
        appears = any(p.lower() in body.lower() for p in term.term.split(", ") if len(p) > 2)
        assert shown == appears or term.term == "A, B" or term.term.lower() in " ".join(terms)
    assert ("MEUR" if lang == "en" else "mln EUR") in terms
    assert ("commitment" if lang == "en" else "nakoming") in " ".join(terms)


def test_dutch_says_it_in_dutch(service):
    printed = whatif_page.format_text(service, "nl")
    for word in ("commitment", "seed", "seeds", "run", "runs", "maatwerk-passing", "uren)"):
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", printed), word
