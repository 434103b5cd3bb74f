"""Every word a person sees, in English and Dutch: one catalogue per language, one API.

The catalogues are package data (`sim/data/i18n/en.toml`, `nl.toml`), tables per component
(`[common]`, `[animate]`, `[caption]`, `[cli]`, ...) read here as dotted keys
(`"animate.play"`). Both hold the same keys with the same `{field}` placeholders; a test
(tests/test_i18n.py) fails on a key or a field that one language lacks, so a lookup never needs a
fallback: a missing key is a programming error and raises KeyError.

The meaning of each key a scenario file may set (`rules.TABLE.KEY`, shown by `samenspel
rules`) is, in English, its field's description in sim/model/config.py, read into the English
catalogue here; nl.toml holds the Dutch under the same keys, so the test above also fails on a
field without a Dutch meaning or a Dutch meaning without a field.

Labels that belong to the outcome catalogue (outcomes and event kinds, sim/model/outcomes.py) and to
the data files (themes' and arrangements' `label`/`label_nl`) stay where they are; this module
reads them so that a caller has one API for all words.

Numbers, percentages and month names are formatted with Babel (CLDR), so Dutch gets its
decimal comma, its grouping dot and its month names without hand-written tables.
"""

from __future__ import annotations

import datetime as dt
import math
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from sim.model.outcomes import EVENTS, MUNICIPAL, Outcome, outcome

LANGUAGES = ("en", "nl")
"""The languages every word exists in, the first the default."""

LOCALES = {"en": "en_GB", "nl": "nl_NL"}
"""The CLDR locale behind each language (British English: day-month order, no US dates)."""

MonthForm = Literal["long", "short"]
_MONTH_PATTERNS = {"long": "LLLL y", "short": "LLL y"}


class Labelled(Protocol):
    """Anything with an English `label` and a Dutch `label_nl` (themes, arrangements),
    read-only as their frozen models hold them."""

    @property
    def label(self) -> str: ...
    @property
    def label_nl(self) -> str: ...


def check_language(lang: str) -> str:
    """`lang` if it is one of LANGUAGES; otherwise ValueError naming what is allowed."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    return lang


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = str(value)
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language by dotted key (read once per process)."""
    check_language(lang)
    source = resources.files("sim.data").joinpath("i18n", f"{lang}.toml")
    texts = _flatten(tomllib.loads(source.read_text(encoding="utf-8")))
    if lang == "en":  # what each scenario key means: in English, its field's description
        from sim.model.config import field_meanings

        texts.update(field_meanings())
    return texts


def placeholders(template: str) -> set[str]:
    """The `{field}` names a template expects."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def differences(catalogues: dict[str, dict[str, str]]) -> list[str]:
    """What keeps catalogues from being interchangeable: a key one language lacks, or a key
    whose placeholders differ between languages (one line each; empty when they agree)."""
    out = []
    langs = list(catalogues)
    keys = sorted(set().union(*(set(c) for c in catalogues.values())))
    for key in keys:
        missing = [lang for lang in langs if key not in catalogues[lang]]
        if missing:
            out.append(f"{key}: missing in {', '.join(missing)}")
            continue
        names = {lang: placeholders(catalogues[lang][key]) for lang in langs}
        if len({frozenset(n) for n in names.values()}) > 1:
            shown = "; ".join(f"{lang} {sorted(n)}" for lang, n in names.items())
            out.append(f"{key}: placeholders differ: {shown}")
    return out


def text(key: str, lang: str, **fields: object) -> str:
    """The text under `key` in `lang`, its `{field}` placeholders filled with `fields`."""
    template = catalogue(lang)[key]
    return template.format(**fields) if fields else template


def number(x: float, lang: str, decimals: int = 2) -> str:
    """A number as a person reads it in `lang`: "1.234,50" (nl), "1,234.50" (en); NaN as
    the catalogue's "not available"."""
    if x != x or math.isinf(x):
        return text("common.not_available", lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(x, format=pattern, locale=LOCALES[check_language(lang)])


def readable(x: float, lang: str, decimals: int = 2) -> str:
    """A number with `decimals` places, or with two significant digits where those places would
    show a value that is not zero as 0 (0.0004 as "0.00040", not "0.00"); never in scientific
    notation."""
    if x == x and not math.isinf(x) and x != 0 and abs(x) < 0.5 * 10.0**-decimals:
        decimals = min(12, 1 - math.floor(math.log10(abs(x))))
    return number(x, lang, decimals)


def quantity(entry: Outcome | str, value: float, lang: str, unit: bool = False) -> str:
    """An outcome's value as a person reads it in `lang`: scaled and rounded as its catalogue
    entry says (a key of the outcome catalogue, or an entry such as `MUNICIPAL["energy"]`),
    with its unit after it when `unit`."""
    entry = outcome(entry) if isinstance(entry, str) else entry
    shown = readable(value * entry.scale, lang, entry.decimals)
    u = entry.unit(check_language(lang))
    return f"{shown} {u}" if unit and u and value == value else shown


def spread(
    entry: Outcome | str, row: Mapping[str, Any], lang: str, brackets: str = "[{lo}; {hi}]"
) -> str:
    """The 95% interval of a table's row (`ci_low`, `ci_high`) in `brackets`, or, where every
    seed gave the same value (`fixed`), the words saying that the rules fix it."""
    if bool(row.get("fixed", False)):
        return text("common.fixed_by_rules", lang)
    lo, hi = (quantity(entry, row[k], lang) for k in ("ci_low", "ci_high"))
    return brackets.format(lo=lo, hi=hi)


def outcome_heading(entry: Outcome, lang: str) -> str:
    """An outcome's heading: its label, its unit, and which way is better."""
    unit = entry.unit(lang)
    head = entry.label(lang) + (f" ({unit})" if unit else "")
    if entry.better:
        head += f" · {text('report.better_' + entry.better, lang)}"
    return head


def municipal_label(key: str, lang: str) -> str:
    """A per-municipality outcome's label (sim/model/outcomes.py, MUNICIPAL)."""
    return MUNICIPAL[key].label(check_language(lang))


def percent(x: float, lang: str, decimals: int = 0) -> str:
    """A share (0.42) as a percentage in `lang`: "42%" (en, nl), "42,5%" (nl, 1 decimal)."""
    if x != x or math.isinf(x):
        return text("common.not_available", lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return format_percent(x, format=pattern, locale=LOCALES[check_language(lang)])


def month_date(start_year: int, month: int) -> dt.date:
    """The first day of month `month` of a run that starts in January of `start_year`."""
    return dt.date(start_year + month // 12, month % 12 + 1, 1)


def month_label(start_year: int, month: int, lang: str, form: MonthForm = "long") -> str:
    """A run's month index as a calendar month: "maart 2026" (nl), "March 2026" (en);
    `form="short"`: "mrt 2026", "Mar 2026"."""
    return format_date(
        month_date(start_year, month),
        _MONTH_PATTERNS[form],
        locale=LOCALES[check_language(lang)],
    )


def outcome_label(key: str, lang: str) -> str:
    """An outcome's label (summary key or series column) from sim/model/outcomes.py."""
    return outcome(key).label(check_language(lang))


def outcome_unit(key: str, lang: str) -> str:
    """An outcome's unit from sim/model/outcomes.py ("" where it has none)."""
    return outcome(key).unit(check_language(lang))


def event_label(kind: str, lang: str) -> str:
    """An event kind's name from sim/model/outcomes.py's EVENTS."""
    event = EVENTS[kind]
    return event.nl if check_language(lang) == "nl" else event.en


class Described(Protocol):
    """Anything with an English `description` and a Dutch `description_nl` (scenarios),
    read-only as their frozen models hold them."""

    @property
    def description(self) -> str: ...
    @property
    def description_nl(self) -> str: ...


def description(thing: Described, lang: str) -> str:
    """The description of a scenario in `lang` (its file's `description` / `description_nl`);
    the English one where a file has no Dutch one."""
    if check_language(lang) == "nl" and thing.description_nl:
        return thing.description_nl
    return thing.description


def label(thing: Labelled, lang: str) -> str:
    """The label of a theme or an arrangement (its data file's `label` / `label_nl`)."""
    return thing.label_nl if check_language(lang) == "nl" else thing.label
