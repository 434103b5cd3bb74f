"""The language catalogues: the same keys and placeholders in every language, and numbers and
months formatted as each language writes them."""

from __future__ import annotations

import pytest

from sim.model.config import load_themes
from sim.model.outcomes import CATALOGUE, EVENTS
from sim.present import i18n


def test_every_language_has_the_same_keys_and_placeholders():
    assert i18n.differences({lang: i18n.catalogue(lang) for lang in i18n.LANGUAGES}) == []


def test_a_key_missing_in_one_language_fails():
    en = dict(i18n.catalogue("en"))
    nl = dict(i18n.catalogue("nl"))
    del nl["animate.play"]
    assert i18n.differences({"en": en, "nl": nl}) == ["animate.play: missing in nl"]


def test_a_placeholder_that_differs_fails():
    found = i18n.differences({"en": {"k": "{a} and {b}"}, "nl": {"k": "{a} en {c}"}})
    assert len(found) == 1 and found[0].startswith("k: placeholders differ")
    assert i18n.differences({"en": {"k": "{a} and {b}"}, "nl": {"k": "{b} en {a}"}}) == []


def test_no_text_is_empty():
    for lang in i18n.LANGUAGES:
        for key, value in i18n.catalogue(lang).items():
            assert value.strip(), f"{lang}: {key} is empty"


def test_every_event_kind_has_a_caption():
    for lang in i18n.LANGUAGES:
        for kind in EVENTS:
            assert f"caption.{kind}" in i18n.catalogue(lang)
            assert f"caption.many.{kind}" in i18n.catalogue(lang)


def test_text_fills_fields():
    assert i18n.text("caption.exit", "nl", municipality="Zwijndrecht", theme="wonen") == (
        "Zwijndrecht stapt uit wonen"
    )
    assert i18n.text("animate.play", "en") == "Play"
    with pytest.raises(KeyError):
        i18n.text("animate.no_such_key", "en")


@pytest.mark.parametrize(
    ("x", "lang", "decimals", "expected"),
    [
        (1234.5, "nl", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (0.5, "nl", 2, "0,50"),
        (1234567, "nl", 0, "1.234.567"),
        (1234567, "en", 0, "1,234,567"),
        (-3.25, "en", 1, "-3.2"),
    ],
)
def test_number(x, lang, decimals, expected):
    assert i18n.number(x, lang, decimals) == expected


def test_not_a_number_is_not_available():
    assert i18n.number(float("nan"), "en") == "n/a"
    assert i18n.number(float("nan"), "nl") == "n.v.t."
    assert i18n.percent(float("nan"), "nl") == "n.v.t."


@pytest.mark.parametrize(
    ("x", "lang", "decimals", "expected"),
    [(0.42, "en", 0, "42%"), (0.425, "nl", 1, "42,5%"), (1.0, "nl", 0, "100%")],
)
def test_percent(x, lang, decimals, expected):
    assert i18n.percent(x, lang, decimals) == expected


@pytest.mark.parametrize(
    ("month", "lang", "form", "expected"),
    [
        (0, "nl", "long", "januari 2022"),
        (50, "nl", "long", "maart 2026"),
        (50, "en", "long", "March 2026"),
        (50, "en", "short", "Mar 2026"),
        (119, "nl", "long", "december 2031"),
    ],
)
def test_month_label(month, lang, form, expected):
    assert i18n.month_label(2022, month, lang, form) == expected


def test_outcome_and_event_labels_come_from_the_outcome_catalogue():
    for o in CATALOGUE:
        assert i18n.outcome_label(o.key, "en") == o.en
        assert i18n.outcome_label(o.key, "nl") == o.nl
    for kind, e in EVENTS.items():
        assert i18n.event_label(kind, "en") == e.en
        assert i18n.event_label(kind, "nl") == e.nl


def test_theme_labels():
    themes = load_themes()
    assert i18n.label(themes["housing"], "nl") == "wonen"
    assert i18n.label(themes["housing"], "en") == "housing and building"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="en, nl"):
        i18n.text("animate.play", "fr")
    with pytest.raises(ValueError):
        i18n.month_label(2022, 0, "de")
